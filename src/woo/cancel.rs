//! A cancellation flag shared between the caller (a "Cancel" button) and a running operation.
//!
//! Cancelling only sets a flag: it is called on QBM's threads, which must never wake tasks of
//! the plugin's async runtime themselves (that would leave runtime state behind on them). The
//! waiting side looks at the flag often enough for a person pressing Cancel.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often a waiting operation looks at the flag.
const POLL: Duration = Duration::from_millis(20);

/// Cheap to clone; all clones share one flag. Once cancelled, it stays cancelled.
///
/// Long operations check it between pages, chunks and retries, and give up backoff sleeps and
/// requests in flight soon after it is set. A write given up on after it was sent ends as
/// "outcome unknown": the caller reads the store again to learn whether it was applied.
#[derive(Debug, Clone, Default)]
pub struct CancelToken {
    cancelled: Arc<AtomicBool>,
}

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        CancelToken::default()
    }

    /// Requests cancellation. Never blocks, wakes nothing directly; safe on any thread.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    /// True once [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Completes soon after the token is cancelled (immediately if it already is).
    pub async fn cancelled(&self) {
        while !self.is_cancelled() {
            tokio::time::sleep(POLL).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waiters_see_a_cancel_from_another_thread() {
        let token = CancelToken::new();
        let waiter = {
            let t = token.clone();
            tokio::spawn(async move { t.cancelled().await })
        };
        assert!(!token.is_cancelled());
        let other = token.clone();
        std::thread::spawn(move || other.cancel()).join().unwrap();
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("woken")
            .expect("joined");
        assert!(token.is_cancelled());
        // Already cancelled: returns at once.
        token.cancelled().await;
    }
}
