//! The query runtime: one tokio runtime for every Dataset (a thread a core
//! natively, the caller's thread in the browser), and `block_on` to run a
//! DataFusion future from synchronous code.

use std::future::Future;
use std::sync::OnceLock;

use crate::model::error::{Error, Result};

fn runtime() -> Result<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<std::result::Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            #[cfg(not(target_arch = "wasm32"))]
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            #[cfg(not(target_arch = "wasm32"))]
            builder
                .worker_threads(std::thread::available_parallelism().map_or(2, |n| n.get()))
                .thread_name("claimscope");
            // Sockets and timers for the host's PostgreSQL and a Ballista cluster.
            #[cfg(all(any(feature = "postgres", feature = "cluster"), not(target_arch = "wasm32")))]
            builder.enable_all();
            // The browser has one thread: queries run on the caller's.
            #[cfg(target_arch = "wasm32")]
            let mut builder = tokio::runtime::Builder::new_current_thread();
            builder.build().map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| Error::engine(format!("cannot start the query runtime: {e}")))
}

/// Runs a query future to completion, also when called from inside another
/// tokio runtime (then on a scoped thread, since block_on cannot nest).
pub(crate) fn block_on<F: Future + Send>(future: F) -> Result<F::Output>
where
    F::Output: Send,
{
    let rt = runtime()?;
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| s.spawn(|| rt.block_on(future)).join())
            .map_err(|_| Error::engine("a query thread stopped unexpectedly"))
    } else {
        Ok(rt.block_on(future))
    }
}

/// Runs a future on the query runtime in the background (natively).
#[cfg(all(feature = "postgres", not(target_arch = "wasm32")))]
pub(crate) fn spawn<F>(future: F) -> Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    runtime()?.spawn(future);
    Ok(())
}

/// Runs `work` off any tokio runtime's thread (blocking reads are not allowed
/// there): on a thread of its own when the caller is on one, else here.
#[cfg(all(feature = "postgres", not(target_arch = "wasm32")))]
pub(crate) fn off_runtime<T: Send>(work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return std::thread::scope(|s| s.spawn(work).join())
            .map_err(|_| Error::engine("a reading thread stopped unexpectedly"))?;
    }
    work()
}
