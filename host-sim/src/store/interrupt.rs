//! Waiting for Ctrl-C (and, on Unix, `SIGTERM`) so `store serve` can stop gracefully.
//!
//! Only the operating system's own calls are used. On Unix the signal handler does nothing but
//! write one byte to a socket pair (`write` is async-signal-safe) and the waiting thread blocks
//! reading it; on Windows the console handler runs on a thread of its own and sends on a
//! channel. Once woken, the default action is restored, so a second Ctrl-C ends the process
//! at once.

use std::io;

/// Blocks until the process is interrupted.
pub(crate) fn wait_for_interrupt() -> io::Result<()> {
    platform::wait()
}

#[cfg(unix)]
#[allow(unsafe_code)]
mod platform {
    use std::io::{self, Read as _};
    use std::os::fd::AsRawFd as _;
    use std::os::raw::{c_int, c_void};
    use std::os::unix::net::UnixStream;
    use std::sync::atomic::{AtomicI32, Ordering};

    const SIGINT: c_int = 2;
    const SIGTERM: c_int = 15;
    const SIG_DFL: usize = 0;

    /// The socket the handler writes to, `-1` while nobody waits.
    static WAKE_FD: AtomicI32 = AtomicI32::new(-1);

    unsafe extern "C" {
        fn signal(signum: c_int, handler: usize) -> usize;
        fn write(fd: c_int, buf: *const c_void, count: usize) -> isize;
    }

    extern "C" fn on_signal(_: c_int) {
        let fd = WAKE_FD.load(Ordering::SeqCst);
        if fd >= 0 {
            let byte = 1u8;
            // SAFETY: `write` is async-signal-safe and `byte` outlives the call; the socket is
            // kept open until the waiting thread has read from it.
            unsafe {
                write(fd, (&raw const byte).cast(), 1);
            }
        }
    }

    fn set_handlers(handler: usize) {
        // SAFETY: valid signal numbers, and `handler` is either SIG_DFL or `on_signal`, which
        // only loads an atomic and calls `write`.
        unsafe {
            signal(SIGINT, handler);
            signal(SIGTERM, handler);
        }
    }

    pub(super) fn wait() -> io::Result<()> {
        let (mut reader, writer) = UnixStream::pair()?;
        WAKE_FD.store(writer.as_raw_fd(), Ordering::SeqCst);
        set_handlers(on_signal as extern "C" fn(c_int) as usize);
        let mut byte = [0u8; 1];
        let woken = reader.read_exact(&mut byte);
        set_handlers(SIG_DFL);
        WAKE_FD.store(-1, Ordering::SeqCst);
        drop(writer);
        woken
    }
}

#[cfg(windows)]
#[allow(unsafe_code)]
mod platform {
    use std::io;
    use std::sync::Mutex;
    use std::sync::mpsc::{Sender, channel};

    static WAKER: Mutex<Option<Sender<()>>> = Mutex::new(None);

    #[link(name = "kernel32")]
    unsafe extern "system" {
        #[allow(non_snake_case)]
        fn SetConsoleCtrlHandler(
            handler: Option<unsafe extern "system" fn(u32) -> i32>,
            add: i32,
        ) -> i32;
    }

    unsafe extern "system" fn on_ctrl(_event: u32) -> i32 {
        let waker = WAKER.lock().unwrap_or_else(|e| e.into_inner());
        match waker.as_ref() {
            Some(tx) => i32::from(tx.send(()).is_ok()),
            None => 0,
        }
    }

    pub(super) fn wait() -> io::Result<()> {
        let (tx, rx) = channel();
        *WAKER.lock().unwrap_or_else(|e| e.into_inner()) = Some(tx);
        // SAFETY: registers a handler that only sends on a channel.
        if unsafe { SetConsoleCtrlHandler(Some(on_ctrl), 1) } == 0 {
            return Err(io::Error::last_os_error());
        }
        let woken = rx
            .recv()
            .map_err(|e| io::Error::new(io::ErrorKind::BrokenPipe, e));
        // SAFETY: unregisters the same handler.
        unsafe {
            SetConsoleCtrlHandler(Some(on_ctrl), 0);
        }
        *WAKER.lock().unwrap_or_else(|e| e.into_inner()) = None;
        woken
    }
}

#[cfg(not(any(unix, windows)))]
mod platform {
    pub(super) fn wait() -> std::io::Result<()> {
        // No portable way to catch Ctrl-C here: wait until the process is ended.
        loop {
            std::thread::park();
        }
    }
}
