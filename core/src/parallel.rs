//! How many threads a CPU-bound pass may use.

/// The machine's cores natively; one in the browser, which has no threads
/// to spawn (std reports no parallelism there).
pub(crate) fn cores() -> usize {
    #[cfg(target_arch = "wasm32")]
    return 1;
    #[cfg(not(target_arch = "wasm32"))]
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
