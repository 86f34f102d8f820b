//! Input bytes a chunk at a time, hashed as they are read. A file is read
//! and hashed on a thread of its own (natively): sha256 and the reads were a
//! fifth of the thread that cuts records, which the load waits on.

use std::io::Read;

use sha2::{Digest, Sha256};

use super::input::Input;
use crate::model::error::{Error, Result};

/// What one read gave.
pub(super) struct Chunk {
    /// Fewer bytes than asked for: the input ended.
    pub ended: bool,
    /// The sha256 of the whole input, with its last chunk (None: not known here).
    pub digest: Option<[u8; 32]>,
}

pub(super) enum Feed<'a> {
    /// Read and hashed on the caller's thread.
    Inline { input: Box<dyn Read + 'a>, hasher: Option<Sha256>, chunk_bytes: usize },
    /// Read and hashed on a reading thread.
    #[cfg(not(target_arch = "wasm32"))]
    Threaded(threaded::Reader),
}

impl<'a> Feed<'a> {
    /// `chunk_bytes` is the size of every read (the last may be shorter).
    pub fn open(input: Input<'a>, chunk_bytes: usize) -> Result<Self> {
        #[cfg(not(target_arch = "wasm32"))]
        if let Input::Path(path) = input {
            let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
            let progress = crate::progress::counter(path);
            return Ok(Feed::Threaded(threaded::Reader::start(file, chunk_bytes, progress)));
        }
        Ok(Feed::Inline { input: input.open()?, hasher: Some(Sha256::new()), chunk_bytes })
    }

    /// Nothing more to read (the input was taken whole some other way).
    pub fn empty() -> Self {
        Feed::Inline { input: Box::new(std::io::empty()), hasher: None, chunk_bytes: 1 }
    }

    /// Appends the next chunk to `out`.
    pub fn read_into(&mut self, out: &mut Vec<u8>, source_name: &str) -> Result<Chunk> {
        match self {
            Feed::Inline { input, hasher, chunk_bytes } => {
                let start = out.len();
                let want = *chunk_bytes as u64;
                let read = input.take(want).read_to_end(out).map_err(|e| Error::io(source_name, e))?;
                let ended = (read as u64) < want;
                let mut digest = None;
                if let Some(h) = hasher {
                    h.update(&out[start..]);
                    if ended {
                        digest = Some(h.clone().finalize().into());
                    }
                }
                Ok(Chunk { ended, digest })
            }
            #[cfg(not(target_arch = "wasm32"))]
            Feed::Threaded(reader) => reader.read_into(out, source_name),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod threaded {
    use std::io::Read;
    use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

    use sha2::{Digest, Sha256};

    use super::Chunk;
    use crate::model::error::{Error, Result};

    type Message = std::io::Result<(Vec<u8>, bool, Option<[u8; 32]>)>;

    /// The receiving end; dropping it stops the reading thread at its next send.
    pub(in crate::source) struct Reader {
        chunks: Receiver<Message>,
        /// Emptied buffers go back to the reading thread to be filled again.
        spent: SyncSender<Vec<u8>>,
    }

    impl Reader {
        /// `progress` counts the bytes read (a watched path's counter).
        pub fn start(
            mut file: std::fs::File,
            chunk_bytes: usize,
            progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
        ) -> Reader {
            let (send, chunks) = sync_channel::<Message>(2);
            let (spent, recycled) = sync_channel::<Vec<u8>>(4);
            std::thread::spawn(move || {
                let mut hasher = Sha256::new();
                loop {
                    let mut buffer = recycled.try_recv().unwrap_or_default();
                    buffer.clear();
                    let message = match (&mut file).take(chunk_bytes as u64).read_to_end(&mut buffer) {
                        Ok(read) => {
                            if let Some(counter) = &progress {
                                counter.fetch_add(read as u64, std::sync::atomic::Ordering::Relaxed);
                            }
                            hasher.update(&buffer);
                            let ended = read < chunk_bytes;
                            let digest = ended.then(|| hasher.clone().finalize().into());
                            Ok((buffer, ended, digest))
                        }
                        Err(e) => Err(e),
                    };
                    let stop = !matches!(message, Ok((_, false, _)));
                    if send.send(message).is_err() || stop {
                        return;
                    }
                }
            });
            Reader { chunks, spent }
        }

        pub fn read_into(&mut self, out: &mut Vec<u8>, source_name: &str) -> Result<Chunk> {
            match self.chunks.recv() {
                Ok(Ok((buffer, ended, digest))) => {
                    out.extend_from_slice(&buffer);
                    // A full return queue only means the thread has buffers enough.
                    let _ = self.spent.try_send(buffer);
                    Ok(Chunk { ended, digest })
                }
                Ok(Err(e)) => Err(Error::io(source_name, e)),
                // The thread sends until the end, and is not asked after it.
                Err(_) => {
                    Err(Error::engine(format!("{source_name}: the thread reading the file stopped unexpectedly")))
                }
            }
        }
    }
}
