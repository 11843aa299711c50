//! Anonymous shared memory: pages that a parent and the children it forks
//! afterwards all see (`mmap(MAP_SHARED | MAP_ANONYMOUS)`).

use std::io;
use std::num::NonZeroUsize;
use std::ptr::NonNull;

use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous, munmap};

/// A shared mapping of at least `len` bytes, zeroed, page-aligned.
pub(crate) struct Shm {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is plain memory; the types built on it only touch it
// through atomics and POSIX semaphores, which are made for sharing.
unsafe impl Send for Shm {}
// SAFETY: as above.
unsafe impl Sync for Shm {}

impl Shm {
    pub(crate) fn new(len: usize) -> io::Result<Shm> {
        let size = NonZeroUsize::new(len.max(1)).expect("at least one byte");
        // SAFETY: a fresh anonymous mapping aliases nothing.
        let ptr = unsafe {
            mmap_anonymous(
                None,
                size,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
            )
        }?;
        Ok(Shm {
            ptr: ptr.cast(),
            len: size.get(),
        })
    }

    /// The start of the mapping, aligned to a page.
    pub(crate) fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }
}

impl Drop for Shm {
    fn drop(&mut self) {
        // SAFETY: our own mapping, of our own length, unmapped once.
        let _ = unsafe { munmap(self.ptr.cast(), self.len) };
    }
}
