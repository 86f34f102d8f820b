//! Handing freed memory back to the system after a load, for the doors that
//! run in a host process on its allocator (glibc's malloc: a Python
//! extension or a Node addon shares the host's heap). The CLI's mimalloc
//! returns memory on its own.

/// glibc keeps the pages a load's block temporaries freed between the
/// arrays it kept, in each loader thread's arena: a 5M-line claims load held
/// 765 MiB, 237 MB of it free; trimming (~80 ms there) brought it to 547 MiB
/// (benches/RESULTS.md). A no-op with any other C library.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim only returns free pages to the system; it reads
        // and writes no memory the program holds.
        #[allow(unsafe_code)]
        let _ = unsafe { libc::malloc_trim(0) };
    }
}
