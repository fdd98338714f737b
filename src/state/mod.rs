//! The plugin's state in the host's storage, safe when several workstations write at once.
//!
//! With an ABI 1.1 host every read-modify-write is a compare-and-set (`storage_cas`) retried on
//! conflict, so nothing written by another workstation is lost. A 1.0 host has no such call:
//! then a value is read and written back, and two workstations writing the same key at the same
//! moment can lose one write (Reconnect's report says so). Within one plugin instance no lock is
//! held across a host callback; values are re-read and merged instead.

pub mod chunked;
pub mod lease;
pub mod segments;

use crate::host_port::{HostError, HostPort, StorageArea, Swap};

/// How often a conflicting compare-and-set is retried before giving up.
const MAX_ATTEMPTS: usize = 50;

/// Why an update of stored state failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Host(#[from] HostError),
    #[error(
        "QBM's storage never took the new value of `{key}` ({MAX_ATTEMPTS} compare-and-set attempts): storage_get and storage_cas disagree about its value, or another workstation writes it constantly"
    )]
    Contended { key: String },
}

/// Whether the host can coordinate workstations.
pub fn coordinated(host: &dyn HostPort) -> bool {
    host.capabilities().storage_cas
}

/// Replaces the value under `key` with `change(current)` (`None` removes it; returning the same
/// value writes nothing). Retries when another writer got there first. Returns the value written.
pub fn update(
    host: &dyn HostPort,
    area: StorageArea,
    key: &str,
    mut change: impl FnMut(Option<&str>) -> Option<String>,
) -> Result<Option<String>, StateError> {
    for _ in 0..MAX_ATTEMPTS {
        let current = host.storage_get(area, key)?;
        let next = change(current.as_deref());
        if next == current {
            return Ok(next);
        }
        if !coordinated(host) {
            host.storage_set(area, key, next.as_deref())?;
            return Ok(next);
        }
        match host.storage_cas(area, key, current.as_deref(), next.as_deref())? {
            Swap::Done => return Ok(next),
            Swap::Conflict => continue,
        }
    }
    Err(StateError::Contended {
        key: key.to_string(),
    })
}

/// Stores `value` only if nothing is stored under `key` yet; `true` when this call stored it.
pub fn insert_new(
    host: &dyn HostPort,
    area: StorageArea,
    key: &str,
    value: &str,
) -> Result<bool, StateError> {
    if coordinated(host) {
        return Ok(host.storage_cas(area, key, None, Some(value))? == Swap::Done);
    }
    if host.storage_get(area, key)?.is_some() {
        return Ok(false);
    }
    host.storage_set(area, key, Some(value))?;
    Ok(true)
}

#[cfg(test)]
pub(crate) mod memory {
    //! An in-memory host storage for the state tests, with or without compare-and-set.

    use std::collections::HashMap;
    use std::sync::Mutex;

    use crate::host_port::*;

    #[derive(Default)]
    pub struct MemoryHost {
        pub values: Mutex<HashMap<(u8, String), String>>,
        pub cas: bool,
        /// Changes the value under this key once, just before the next compare-and-set, as a
        /// second workstation would.
        pub interfere: Mutex<Option<(String, String)>>,
    }

    fn code(area: StorageArea) -> u8 {
        area as u8
    }

    impl HostPort for MemoryHost {
        fn capabilities(&self) -> HostCapabilities {
            HostCapabilities {
                abi_minor: 1,
                storage_cas: self.cas,
                ..HostCapabilities::default()
            }
        }
        fn identity(&self) -> Result<Identity, HostError> {
            Ok(Identity::default())
        }
        fn has_permission(&self, _: Permission) -> Result<bool, HostError> {
            Ok(true)
        }
        fn storage_get(&self, area: StorageArea, key: &str) -> Result<Option<String>, HostError> {
            Ok(self
                .values
                .lock()
                .unwrap()
                .get(&(code(area), key.to_string()))
                .cloned())
        }
        fn storage_set(
            &self,
            area: StorageArea,
            key: &str,
            value: Option<&str>,
        ) -> Result<(), HostError> {
            let mut values = self.values.lock().unwrap();
            match value {
                Some(v) => values.insert((code(area), key.to_string()), v.to_string()),
                None => values.remove(&(code(area), key.to_string())),
            };
            Ok(())
        }
        fn storage_cas(
            &self,
            area: StorageArea,
            key: &str,
            expected: Option<&str>,
            value: Option<&str>,
        ) -> Result<Swap, HostError> {
            if let Some((k, v)) = self.interfere.lock().unwrap().take() {
                self.storage_set(area, &k, Some(&v))?;
            }
            let mut values = self.values.lock().unwrap();
            let slot = (code(area), key.to_string());
            if values.get(&slot).map(String::as_str) != expected {
                return Ok(Swap::Conflict);
            }
            match value {
                Some(v) => values.insert(slot, v.to_string()),
                None => values.remove(&slot),
            };
            Ok(Swap::Done)
        }
        fn secret_get(&self, _: &str) -> Result<Option<String>, HostError> {
            Err(HostError::Unsupported {
                callback: "secret_get",
            })
        }
        fn secret_set(&self, _: &str, _: Option<&str>) -> Result<(), HostError> {
            Err(HostError::Unsupported {
                callback: "secret_set",
            })
        }
        fn call(&self, call: HostCall, _: &str) -> Result<String, HostError> {
            Err(HostError::Unsupported {
                callback: call.name(),
            })
        }
        fn progress(&self, _: u64, _: u64, _: u64, _: &str) -> bool {
            true
        }
        fn log(&self, _: Level, _: &str) {}
        fn notify(&self, _: Level, _: &str) {}
        fn request_run(&self) {}
    }
}

#[cfg(test)]
mod tests {
    use super::memory::MemoryHost;
    use super::*;

    #[test]
    fn an_update_that_meets_a_conflict_is_redone_on_the_new_value() {
        let host = MemoryHost {
            cas: true,
            ..MemoryHost::default()
        };
        host.storage_set(StorageArea::CompanyState, "n", Some("1"))
            .unwrap();
        *host.interfere.lock().unwrap() = Some(("n".into(), "5".into()));
        let written = update(&host, StorageArea::CompanyState, "n", |v| {
            Some((v.unwrap().parse::<u32>().unwrap() + 1).to_string())
        })
        .unwrap();
        assert_eq!(
            written.as_deref(),
            Some("6"),
            "the other writer's 5 is kept"
        );
    }

    #[test]
    fn insert_new_stores_once() {
        for cas in [true, false] {
            let host = MemoryHost {
                cas,
                ..MemoryHost::default()
            };
            assert!(insert_new(&host, StorageArea::CompanyState, "k", "a").unwrap());
            assert!(!insert_new(&host, StorageArea::CompanyState, "k", "b").unwrap());
            assert_eq!(
                host.storage_get(StorageArea::CompanyState, "k").unwrap(),
                Some("a".into())
            );
        }
    }
}
