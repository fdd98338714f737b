//! The actions running on an instance, so `cancel_action` can reach each of them.
//!
//! A host names a call with its `call_id`. Two running calls with the same non-zero id would make
//! one of them unreachable, so the second is refused with `QBM_WC_STATUS_BUSY`. Calls without an
//! id (0) are all cancelled by `cancel_action(0)`.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use super::error::{CoreError, CoreResult};
use crate::woo::CancelToken;

#[derive(Default)]
pub struct CallRegistry {
    /// Running calls by id; calls without an id are kept by an internal serial under id 0.
    running: Mutex<HashMap<u64, Vec<(u64, CancelToken)>>>,
    serial: std::sync::atomic::AtomicU64,
}

/// A registered call; unregisters itself when dropped.
pub struct CallGuard<'a> {
    registry: &'a CallRegistry,
    call_id: u64,
    serial: u64,
    pub cancel: CancelToken,
}

impl CallRegistry {
    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Vec<(u64, CancelToken)>>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a call; a second running call with the same non-zero id is refused.
    pub fn register(&self, call_id: u64) -> CoreResult<CallGuard<'_>> {
        let serial = self
            .serial
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let cancel = CancelToken::new();
        let mut running = self.running();
        let entry = running.entry(call_id).or_default();
        if call_id != 0 && !entry.is_empty() {
            return Err(CoreError::Busy(format!(
                "an action with call_id {call_id} is still running on this instance; give each call its own id"
            )));
        }
        entry.push((serial, cancel.clone()));
        Ok(CallGuard {
            registry: self,
            call_id,
            serial,
            cancel,
        })
    }

    pub fn cancel(&self, call_id: u64) {
        if let Some(calls) = self.running().get(&call_id) {
            for (_, token) in calls {
                token.cancel();
            }
        }
    }

    pub fn cancel_all(&self) {
        for calls in self.running().values() {
            for (_, token) in calls {
                token.cancel();
            }
        }
    }
}

impl Drop for CallGuard<'_> {
    fn drop(&mut self) {
        let mut running = self.registry.running();
        if let Some(calls) = running.get_mut(&self.call_id) {
            calls.retain(|(serial, _)| *serial != self.serial);
            if calls.is_empty() {
                running.remove(&self.call_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_call_stays_cancellable_until_it_ends() {
        let registry = CallRegistry::default();
        let first = registry.register(0).unwrap();
        let second = registry.register(0).unwrap();
        drop(first);
        registry.cancel(0);
        assert!(
            second.cancel.is_cancelled(),
            "the other anonymous call is still reachable"
        );
        let named = registry.register(7).unwrap();
        assert!(matches!(registry.register(7), Err(CoreError::Busy(_))));
        drop(named);
        assert!(registry.register(7).is_ok());
    }
}
