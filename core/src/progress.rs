//! How far the reading of named files has got, for a caller's progress
//! display (the CLI's bar): `watch` the paths, then poll `read()` from
//! another thread while a load or report reads them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

/// Paths being watched and their counters (weak: a dropped watch stops
/// counting).
static WATCHED: Mutex<Vec<(String, Weak<AtomicU64>)>> = Mutex::new(Vec::new());

/// Bytes read of the watched files so far, against their sizes.
pub struct FileProgress {
    read: Arc<AtomicU64>,
    total: u64,
}

/// Starts counting the bytes read from these paths (their sizes make the
/// total; a path that cannot be read counts 0).
pub fn watch(paths: &[String]) -> FileProgress {
    let read = Arc::new(AtomicU64::new(0));
    let total = paths.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    if let Ok(mut watched) = WATCHED.lock() {
        watched.retain(|(_, w)| w.strong_count() > 0);
        watched.extend(paths.iter().map(|p| (p.clone(), Arc::downgrade(&read))));
    }
    FileProgress { read, total }
}

impl FileProgress {
    /// Bytes read so far (at most the total: a file read twice counts once).
    pub fn read(&self) -> u64 {
        self.read.load(Ordering::Relaxed).min(self.total)
    }

    pub fn total(&self) -> u64 {
        self.total
    }
}

/// The counter of a watched path, if anyone watches it.
pub(crate) fn counter(path: &str) -> Option<Arc<AtomicU64>> {
    let watched = WATCHED.lock().ok()?;
    watched.iter().filter(|(p, _)| p == path).find_map(|(_, w)| w.upgrade())
}

/// A reader that adds what it reads to a watched path's counter.
pub(crate) struct CountingReader<R> {
    pub inner: R,
    pub counter: Arc<AtomicU64>,
}

impl<R: std::io::Read> std::io::Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_watched_file_counts_what_is_read_and_stops_when_dropped() {
        let path = std::env::temp_dir().join(format!("claimscope-progress-{}.csv", std::process::id()));
        std::fs::write(&path, b"0123456789").unwrap_or_default();
        let name = path.to_string_lossy().to_string();
        let progress = watch(std::slice::from_ref(&name));
        assert_eq!((progress.read(), progress.total()), (0, 10));
        let mut reader = CountingReader { inner: &b"01234"[..], counter: counter(&name).unwrap_or_default() };
        let mut buf = Vec::new();
        assert_eq!(reader.read_to_end(&mut buf).ok(), Some(5));
        assert_eq!(progress.read(), 5);
        drop((progress, reader));
        assert!(counter(&name).is_none());
        let _ = std::fs::remove_file(path);
    }
}
