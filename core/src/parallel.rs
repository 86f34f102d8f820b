//! How many threads a CPU-bound pass may use.

/// The machine's cores natively; one in the browser, which has no threads
/// to spawn (std reports no parallelism there).
pub(crate) fn cores() -> usize {
    #[cfg(target_arch = "wasm32")]
    return 1;
    #[cfg(not(target_arch = "wasm32"))]
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `work(state, i)` for i in 0..n on the available cores, results in index
/// order (the same whatever the number of cores); each thread has scratch
/// state made by `init` (caches that must not change results).
pub(crate) fn map_in_order_with<S, T: Send>(
    n: usize,
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, usize) -> T + Sync,
) -> Vec<T> {
    let threads = cores().min(n);
    if threads <= 1 {
        let mut state = init();
        return (0..n).map(|i| work(&mut state, i)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut state = init();
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= n {
                            break mine;
                        }
                        mine.push((i, work(&mut state, i)));
                    }
                })
            })
            .collect();
        // A worker's panic goes on in the caller, as it would on one thread.
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, t)| t).collect()
}
