//! Keeping the library loaded when one of its threads may outlive `destroy`.
//!
//! `destroy` joins the plugin's threads, so after `destroy` and `deinit` the host may unload the
//! library and it is unmapped. A thread of the I/O runtime that does not end within the grace
//! period (a name lookup of the operating system that does not return, for instance) is left
//! running instead of holding QBM's thread; unmapping the code under it would crash QBM when it
//! ends. The library then marks itself never to be unloaded (`RTLD_NODELETE`): `dlclose` leaves
//! it mapped, as if it were still in use, and that thread ends safely whenever it does.

/// Marks this library as never to be unloaded; `false` when the system could not be asked.
pub fn keep_loaded() -> bool {
    #[cfg(target_os = "linux")]
    {
        let mut info = std::mem::MaybeUninit::<libc::Dl_info>::zeroed();
        let here = keep_loaded as *const () as *const libc::c_void;
        // SAFETY: `here` is an address inside this library and `info` is writable.
        if unsafe { libc::dladdr(here, info.as_mut_ptr()) } == 0 {
            return false;
        }
        // SAFETY: `dladdr` succeeded and filled `info`.
        let info = unsafe { info.assume_init() };
        if info.dli_fname.is_null() {
            return false;
        }
        // SAFETY: `dli_fname` is the NUL-terminated name the loader keeps for this loaded object;
        // `RTLD_NOLOAD` only looks it up. The handle is kept on purpose: it is the reference that
        // keeps the library loaded.
        let handle = unsafe {
            libc::dlopen(
                info.dli_fname,
                libc::RTLD_NOW | libc::RTLD_NOLOAD | libc::RTLD_NODELETE,
            )
        };
        !handle.is_null()
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}
