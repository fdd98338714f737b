//! A large value (the cached catalog) stored as several chunks, none larger than
//! `QBM_WC_MAX_STORED_VALUE_BYTES`.
//!
//! The chunks of each version are written under new keys first; then one compare-and-set on
//! `<key>.meta` switches readers to them, and the previous version's chunks are removed. A reader
//! that finds a chunk missing (a writer replaced the version meanwhile) reads again.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::{StateError, update};
use crate::ffi::abi::QBM_WC_MAX_STORED_VALUE_BYTES;
use crate::host_port::{HostPort, StorageArea};

const AREA: StorageArea = StorageArea::CompanyState;

static GENERATION: AtomicU64 = AtomicU64::new(0);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Meta {
    generation: String,
    chunks: usize,
    bytes: usize,
}

fn chunk_key(key: &str, generation: &str, index: usize) -> String {
    format!("{key}.{generation}.{index}")
}

fn meta_key(key: &str) -> String {
    format!("{key}.meta")
}

/// Splits `text` into pieces of at most `limit` bytes, at character boundaries.
fn split(text: &str, limit: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = rest.len().min(limit);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (piece, tail) = rest.split_at(cut);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

fn remove_chunks(host: &dyn HostPort, key: &str, meta: &Meta) {
    for index in 0..meta.chunks {
        // Leftover chunks of an old version are only wasted space; failing to remove them is
        // not worth failing the write that replaced them.
        let _ = host.storage_set(AREA, &chunk_key(key, &meta.generation, index), None);
    }
}

/// Stores `text` under `key`, replacing the previous version.
pub fn write(host: &dyn HostPort, key: &str, text: &str, stamp: u64) -> Result<(), StateError> {
    let generation = format!("{stamp:x}-{:x}", GENERATION.fetch_add(1, Ordering::Relaxed));
    let pieces = split(text, QBM_WC_MAX_STORED_VALUE_BYTES);
    let fresh = Meta {
        generation: generation.clone(),
        chunks: pieces.len(),
        bytes: text.len(),
    };
    for (index, piece) in pieces.iter().enumerate() {
        if let Err(err) = host.storage_set(AREA, &chunk_key(key, &generation, index), Some(piece)) {
            remove_chunks(
                host,
                key,
                &Meta {
                    chunks: index,
                    ..fresh.clone()
                },
            );
            return Err(err.into());
        }
    }
    let mut replaced = None;
    let written = update(host, AREA, &meta_key(key), |current| {
        replaced = current.and_then(|text| serde_json::from_str::<Meta>(text).ok());
        serde_json::to_string(&fresh).ok()
    });
    if let Err(err) = written {
        remove_chunks(host, key, &fresh);
        return Err(err);
    }
    if let Some(old) = replaced.filter(|old| old.generation != generation) {
        remove_chunks(host, key, &old);
    }
    Ok(())
}

/// The stored value, if any.
pub fn read(host: &dyn HostPort, key: &str) -> Result<Option<String>, StateError> {
    for _ in 0..3 {
        let Some(meta) = host
            .storage_get(AREA, &meta_key(key))?
            .and_then(|text| serde_json::from_str::<Meta>(&text).ok())
        else {
            return Ok(None);
        };
        let mut text = String::with_capacity(meta.bytes);
        let mut complete = true;
        for index in 0..meta.chunks {
            match host.storage_get(AREA, &chunk_key(key, &meta.generation, index))? {
                Some(piece) => text.push_str(&piece),
                None => {
                    complete = false;
                    break;
                }
            }
        }
        if complete {
            return Ok(Some(text));
        }
    }
    Ok(None)
}

/// The stored version (changes with every write), or `None` when nothing is stored.
pub fn version(host: &dyn HostPort, key: &str) -> Result<Option<String>, StateError> {
    Ok(host
        .storage_get(AREA, &meta_key(key))?
        .and_then(|text| serde_json::from_str::<Meta>(&text).ok())
        .map(|meta| meta.generation))
}

/// Removes the value.
pub fn clear(host: &dyn HostPort, key: &str) -> Result<(), StateError> {
    let mut removed = None;
    update(host, AREA, &meta_key(key), |current| {
        removed = current.and_then(|text| serde_json::from_str::<Meta>(text).ok());
        None
    })?;
    if let Some(meta) = removed {
        remove_chunks(host, key, &meta);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::memory::MemoryHost;
    use super::*;

    #[test]
    fn large_values_round_trip_in_bounded_chunks() {
        let host = MemoryHost {
            cas: true,
            ..MemoryHost::default()
        };
        let text = "ü".repeat(QBM_WC_MAX_STORED_VALUE_BYTES); // two bytes each: two chunks
        write(&host, "cache", &text, 1).unwrap();
        assert_eq!(
            read(&host, "cache").unwrap().as_deref(),
            Some(text.as_str())
        );
        let values = host.values.lock().unwrap();
        assert!(
            values
                .values()
                .all(|v| v.len() <= QBM_WC_MAX_STORED_VALUE_BYTES)
        );
        assert_eq!(values.len(), 3, "meta and two chunks");
    }

    #[test]
    fn a_new_version_replaces_the_old_chunks() {
        let host = MemoryHost::default();
        write(&host, "cache", "first", 1).unwrap();
        write(&host, "cache", "second", 2).unwrap();
        assert_eq!(read(&host, "cache").unwrap().as_deref(), Some("second"));
        assert_eq!(host.values.lock().unwrap().len(), 2, "meta and one chunk");
        clear(&host, "cache").unwrap();
        assert_eq!(read(&host, "cache").unwrap(), None);
        assert!(host.values.lock().unwrap().is_empty());
    }
}
