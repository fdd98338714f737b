//! The plugin's own threads, started without touching the calling thread's Rust thread-locals.
//!
//! `std::thread::spawn` registers a thread-local destructor on the *calling* thread (its spawn
//! hooks), so code of this library would run when QBM's thread ends. The one thread the plugin
//! starts from a host thread (the I/O driver, which then starts everything else from itself) is
//! therefore created with `pthread_create` directly, so the host can unload the library and let
//! its threads end later.

use std::io;

/// A started thread; [`PluginThread::join`] waits for it to end.
pub struct PluginThread {
    #[cfg(unix)]
    id: libc::pthread_t,
    #[cfg(not(unix))]
    handle: std::thread::JoinHandle<()>,
}

type Body = Box<dyn FnOnce() + Send + 'static>;

#[cfg(unix)]
extern "C" fn trampoline(arg: *mut std::ffi::c_void) -> *mut std::ffi::c_void {
    // SAFETY: `arg` is the `Box<Body>` leaked by `spawn` for this thread alone.
    let body: Box<Body> = unsafe { Box::from_raw(arg.cast::<Body>()) };
    // A panic must not unwind out of a C start routine; the body reports its own failures.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
    std::ptr::null_mut()
}

/// Starts `body` on a new thread named `name` (at most 15 bytes are shown by the system).
pub fn spawn(name: &str, body: impl FnOnce() + Send + 'static) -> io::Result<PluginThread> {
    #[cfg(unix)]
    {
        let name = name.to_string();
        let body: Body = Box::new(move || {
            set_name(&name);
            body()
        });
        let raw = Box::into_raw(Box::new(body));
        let mut id = std::mem::MaybeUninit::<libc::pthread_t>::uninit();
        // SAFETY: `id` is writable, default attributes, `trampoline` takes ownership of `raw`.
        let rc = unsafe {
            libc::pthread_create(id.as_mut_ptr(), std::ptr::null(), trampoline, raw.cast())
        };
        if rc != 0 {
            // SAFETY: the thread was not created, so `raw` is still ours.
            drop(unsafe { Box::from_raw(raw) });
            return Err(io::Error::from_raw_os_error(rc));
        }
        // SAFETY: `pthread_create` succeeded and wrote the id.
        let id = unsafe { id.assume_init() };
        Ok(PluginThread { id })
    }
    #[cfg(not(unix))]
    {
        let handle = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(body)?;
        Ok(PluginThread { handle })
    }
}

#[cfg(target_os = "linux")]
fn set_name(name: &str) {
    let mut bytes: Vec<u8> = name.bytes().filter(|b| *b != 0).take(15).collect();
    bytes.push(0);
    // SAFETY: a NUL-terminated name of at most 16 bytes for the calling thread.
    unsafe { libc::pthread_setname_np(libc::pthread_self(), bytes.as_ptr().cast()) };
}

#[cfg(all(unix, not(target_os = "linux")))]
fn set_name(_name: &str) {}

impl PluginThread {
    /// Waits for the thread to end.
    pub fn join(self) {
        #[cfg(unix)]
        {
            // SAFETY: a joinable thread created by `spawn`, joined once (`self` is consumed).
            unsafe { libc::pthread_join(self.id, std::ptr::null_mut()) };
        }
        #[cfg(not(unix))]
        {
            let _ = self.handle.join();
        }
    }
}
