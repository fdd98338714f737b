//! An append-only list of records kept in the host's company state, shared by workstations:
//! the integration log and the run journal.
//!
//! Records get consecutive ids from a counter in `<prefix>.meta`; record `n` lives in segment
//! `n / per_segment` under `<prefix>.segment.<k>`. Appending claims ids with one
//! compare-and-set on the counter, then merges the records into their segments with a
//! compare-and-set each, so two workstations appending at once both keep every record. Only the
//! newest `keep_segments` segments are read and kept; older ones are removed.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{StateError, update};
use crate::host_port::{HostPort, StorageArea};

const AREA: StorageArea = StorageArea::CompanyState;

/// A record with an id given by the store.
pub trait Sequenced: Serialize + DeserializeOwned + Clone {
    fn id(&self) -> u64;
    fn set_id(&mut self, id: u64);
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Meta {
    /// The id the next record gets.
    next_id: u64,
    /// Records below this id were cleared.
    #[serde(default)]
    first_live: u64,
}

/// What reading found besides the records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadProblems {
    /// Stored segments that could not be read (kept as they are, and reported).
    pub unreadable: Vec<String>,
}

/// One append-only list.
#[derive(Debug, Clone, Copy)]
pub struct Segments {
    pub prefix: &'static str,
    pub per_segment: u64,
    pub keep_segments: u64,
}

impl Segments {
    fn meta_key(&self) -> String {
        format!("{}.meta", self.prefix)
    }

    fn segment_key(&self, index: u64) -> String {
        format!("{}.segment.{index}", self.prefix)
    }

    fn meta(&self, host: &dyn HostPort) -> Result<Meta, StateError> {
        Ok(host
            .storage_get(AREA, &self.meta_key())?
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default())
    }

    /// Appends `records` (their ids are set here) and returns them with their ids.
    pub fn append<T: Sequenced>(
        &self,
        host: &dyn HostPort,
        mut records: Vec<T>,
    ) -> Result<Vec<T>, StateError> {
        if records.is_empty() {
            return Ok(records);
        }
        let count = records.len() as u64;
        let mut first = 0;
        update(host, AREA, &self.meta_key(), |current| {
            let mut meta: Meta = current
                .and_then(|text| serde_json::from_str(text).ok())
                .unwrap_or_default();
            first = meta.next_id;
            meta.next_id = meta.next_id.saturating_add(count);
            serde_json::to_string(&meta).ok()
        })?;
        for (offset, record) in records.iter_mut().enumerate() {
            record.set_id(first + offset as u64);
        }
        let last = first + count - 1;
        for index in first / self.per_segment..=last / self.per_segment {
            let mine: Vec<&T> = records
                .iter()
                .filter(|r| r.id() / self.per_segment == index)
                .collect();
            update(host, AREA, &self.segment_key(index), |current| {
                let mut stored: Vec<T> = current
                    .and_then(|text| serde_json::from_str(text).ok())
                    .unwrap_or_default();
                for record in &mine {
                    if !stored.iter().any(|s| s.id() == record.id()) {
                        stored.push((*record).clone());
                    }
                }
                stored.sort_by_key(Sequenced::id);
                serde_json::to_string(&stored).ok()
            })?;
        }
        self.trim(host, last / self.per_segment)?;
        Ok(records)
    }

    /// Removes segments that fell out of the kept window (idempotent; losing a race is harmless).
    fn trim(&self, host: &dyn HostPort, newest: u64) -> Result<(), StateError> {
        if newest >= self.keep_segments {
            let stale = newest - self.keep_segments;
            if host.storage_get(AREA, &self.segment_key(stale))?.is_some() {
                host.storage_set(AREA, &self.segment_key(stale), None)?;
            }
        }
        Ok(())
    }

    /// The kept records, newest first.
    pub fn read<T: Sequenced>(
        &self,
        host: &dyn HostPort,
    ) -> Result<(Vec<T>, ReadProblems), StateError> {
        let meta = self.meta(host)?;
        let mut problems = ReadProblems::default();
        if meta.next_id == 0 {
            return Ok((Vec::new(), problems));
        }
        let newest = (meta.next_id - 1) / self.per_segment;
        let oldest = newest
            .saturating_sub(self.keep_segments - 1)
            .max(meta.first_live / self.per_segment);
        let mut out = Vec::new();
        for index in (oldest..=newest).rev() {
            let key = self.segment_key(index);
            let Some(text) = host.storage_get(AREA, &key)? else {
                continue;
            };
            match serde_json::from_str::<Vec<T>>(&text) {
                Ok(mut records) => {
                    records.retain(|r| r.id() >= meta.first_live);
                    records.sort_by_key(|r| std::cmp::Reverse(r.id()));
                    out.extend(records);
                }
                Err(err) => problems.unreadable.push(format!("{key}: {err}")),
            }
        }
        Ok((out, problems))
    }

    /// Forgets every record; later records keep counting up.
    pub fn clear(&self, host: &dyn HostPort) -> Result<(), StateError> {
        let mut cleared = Meta::default();
        update(host, AREA, &self.meta_key(), |current| {
            let mut meta: Meta = current
                .and_then(|text| serde_json::from_str(text).ok())
                .unwrap_or_default();
            meta.first_live = meta.next_id;
            cleared = meta;
            serde_json::to_string(&meta).ok()
        })?;
        if cleared.next_id > 0 {
            let newest = (cleared.next_id - 1) / self.per_segment;
            for index in newest.saturating_sub(self.keep_segments)..=newest {
                let key = self.segment_key(index);
                if host.storage_get(AREA, &key)?.is_some() {
                    host.storage_set(AREA, &key, None)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::memory::MemoryHost;
    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Line {
        id: u64,
        text: String,
    }

    impl Sequenced for Line {
        fn id(&self) -> u64 {
            self.id
        }
        fn set_id(&mut self, id: u64) {
            self.id = id;
        }
    }

    fn line(text: &str) -> Line {
        Line {
            id: 0,
            text: text.into(),
        }
    }

    const LOG: Segments = Segments {
        prefix: "t",
        per_segment: 3,
        keep_segments: 2,
    };

    #[test]
    fn appends_read_newest_first_and_old_segments_go() {
        let host = MemoryHost {
            cas: true,
            ..MemoryHost::default()
        };
        for n in 0..8 {
            LOG.append(&host, vec![line(&n.to_string())]).unwrap();
        }
        let (lines, problems) = LOG.read::<Line>(&host).unwrap();
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["7", "6", "5", "4", "3"]);
        assert!(problems.unreadable.is_empty());
        assert!(
            host.storage_get(AREA, "t.segment.0").unwrap().is_none(),
            "the oldest segment was removed"
        );
    }

    #[test]
    fn a_concurrent_writer_loses_nothing() {
        let host = MemoryHost {
            cas: true,
            ..MemoryHost::default()
        };
        LOG.append(&host, vec![line("a")]).unwrap();
        // Another workstation appended record 1 into the same segment meanwhile.
        *host.interfere.lock().unwrap() = Some((
            "t.meta".into(),
            serde_json::to_string(&Meta {
                next_id: 2,
                first_live: 0,
            })
            .unwrap(),
        ));
        host.storage_set(
            AREA,
            "t.segment.0",
            Some(r#"[{"id":0,"text":"a"},{"id":1,"text":"other"}]"#),
        )
        .unwrap();
        LOG.append(&host, vec![line("b")]).unwrap();
        let (lines, _) = LOG.read::<Line>(&host).unwrap();
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["b", "other", "a"]);
    }

    #[test]
    fn clear_forgets_and_ids_go_on() {
        let host = MemoryHost::default();
        LOG.append(&host, vec![line("a"), line("b")]).unwrap();
        LOG.clear(&host).unwrap();
        assert!(LOG.read::<Line>(&host).unwrap().0.is_empty());
        let added = LOG.append(&host, vec![line("c")]).unwrap();
        assert_eq!(added[0].id, 2);
        assert_eq!(LOG.read::<Line>(&host).unwrap().0.len(), 1);
    }

    #[test]
    fn an_unreadable_segment_is_reported() {
        let host = MemoryHost::default();
        LOG.append(&host, vec![line("a")]).unwrap();
        host.storage_set(AREA, "t.segment.0", Some("garbage"))
            .unwrap();
        let (lines, problems) = LOG.read::<Line>(&host).unwrap();
        assert!(lines.is_empty());
        assert_eq!(problems.unreadable.len(), 1);
    }
}
