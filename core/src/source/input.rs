//! Where CSV bytes come from: bytes in memory or a file path.

use std::io::Read;

use crate::model::error::{Error, Result};

/// Where CSV bytes come from. A path is opened again only to restart.
#[derive(Clone, Copy)]
pub(crate) enum Input<'a> {
    Bytes(&'a [u8]),
    Path(&'a str),
}

impl<'a> Input<'a> {
    pub(super) fn open(&self) -> Result<Box<dyn Read + 'a>> {
        match *self {
            Input::Bytes(bytes) => Ok(Box::new(bytes)),
            Input::Path(path) => Ok(Box::new(std::fs::File::open(path).map_err(|e| Error::io(path, e))?)),
        }
    }

    pub(super) fn read_all(&self) -> Result<Vec<u8>> {
        match *self {
            Input::Bytes(bytes) => Ok(bytes.to_vec()),
            Input::Path(path) => std::fs::read(path).map_err(|e| Error::io(path, e)),
        }
    }
}
