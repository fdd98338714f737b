//! Which host-sim threads are inside a call into the plugin.
//!
//! ABI 1.1 promises that the plugin calls host callbacks only on a thread that is inside a call
//! into the plugin. The loader counts, per thread, the plugin calls it is inside
//! ([`enter_plugin`] around every call through the function table); the host table asks
//! [`inside_plugin`] when a callback arrives, and a callback that arrives on any other thread
//! (one of the plugin's own, or a host thread that is not calling the plugin) is a broken
//! promise that host-sim records.

use std::cell::Cell;
use std::marker::PhantomData;

thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Marks this thread as inside a plugin call until dropped. Not `Send`: it belongs to the
/// thread that made the call.
#[must_use = "the thread counts as inside the plugin only while the guard lives"]
pub struct InsidePlugin {
    _not_send: PhantomData<*const ()>,
}

/// Counts this thread as inside a call into the plugin (calls nest when a callback calls back
/// into the plugin).
pub fn enter_plugin() -> InsidePlugin {
    DEPTH.with(|depth| depth.set(depth.get() + 1));
    InsidePlugin {
        _not_send: PhantomData,
    }
}

impl Drop for InsidePlugin {
    fn drop(&mut self) {
        DEPTH.with(|depth| depth.set(depth.get().saturating_sub(1)));
    }
}

/// Whether this thread is inside a call into the plugin.
pub fn inside_plugin() -> bool {
    DEPTH.with(Cell::get) > 0
}

/// Runs `body` counted as inside a call into the plugin.
pub fn in_plugin<R>(body: impl FnOnce() -> R) -> R {
    let _inside = enter_plugin();
    body()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_nest_and_belong_to_their_thread() {
        assert!(!inside_plugin());
        let outer = enter_plugin();
        {
            let _inner = enter_plugin();
            assert!(inside_plugin());
            assert!(!std::thread::spawn(inside_plugin).join().unwrap());
        }
        assert!(inside_plugin());
        drop(outer);
        assert!(!inside_plugin());
    }
}
