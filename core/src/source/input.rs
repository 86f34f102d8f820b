//! Where CSV bytes come from: bytes in memory, a file path, or a stream
//! read once (a database's COPY output, read while the server still sends).

use std::io::Read;
use std::sync::Mutex;

use crate::model::error::{Error, Result};

/// Where CSV bytes come from. A path is opened again only to restart.
#[derive(Clone, Copy)]
pub(crate) enum Input<'a> {
    Bytes(&'a [u8]),
    Path(&'a str),
    Stream(&'a StreamInput),
}

/// A reader that can be read through once (no restart: a load that would
/// need a second pass over it fails with an engine error instead).
pub(crate) struct StreamInput {
    reader: Mutex<Option<Box<dyn Read + Send>>>,
}

impl StreamInput {
    pub fn new(reader: Box<dyn Read + Send>) -> StreamInput {
        StreamInput { reader: Mutex::new(Some(reader)) }
    }

    fn take(&self) -> Result<Box<dyn Read + Send>> {
        self.reader
            .lock()
            .ok()
            .and_then(|mut r| r.take())
            .ok_or_else(|| Error::engine("a stream of records was asked for a second pass"))
    }
}

impl<'a> Input<'a> {
    pub(super) fn open(&self) -> Result<Box<dyn Read + 'a>> {
        match *self {
            Input::Bytes(bytes) => Ok(Box::new(bytes)),
            Input::Path(path) => {
                let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
                Ok(match crate::progress::counter(path) {
                    Some(counter) => Box::new(crate::progress::CountingReader { inner: file, counter }),
                    None => Box::new(file),
                })
            }
            Input::Stream(stream) => Ok(stream.take()?),
        }
    }

    pub(crate) fn read_all(&self) -> Result<Vec<u8>> {
        match *self {
            Input::Bytes(bytes) => Ok(bytes.to_vec()),
            Input::Path(path) => {
                let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
                if let Some(counter) = crate::progress::counter(path) {
                    counter.fetch_add(bytes.len() as u64, std::sync::atomic::Ordering::Relaxed);
                }
                Ok(bytes)
            }
            Input::Stream(stream) => {
                let mut bytes = Vec::new();
                stream.take()?.read_to_end(&mut bytes).map_err(|e| Error::io("stream", e))?;
                Ok(bytes)
            }
        }
    }
}
