//! One runner per company: a lease on a job, held by one workstation and renewed on each run.
//!
//! A workstation that finds the lease held by another, unexpired, stays idle and says who holds
//! it. A lease whose holder stopped renewing (QBM closed, the computer switched off) is taken
//! over once it expires. The same workstation starting again (QBM restarted) takes its own lease
//! back at once.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{StateError, update};
use crate::host_port::{HostPort, StorageArea};

const AREA: StorageArea = StorageArea::CompanyState;

/// Who holds a lease, since when and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub workstation: String,
    pub since: DateTime<Utc>,
    pub expires: DateTime<Utc>,
}

/// What trying to take the lease found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaseOutcome {
    /// Nobody held it; this workstation does now.
    Acquired,
    /// This workstation held it and renewed it.
    Renewed,
    /// Another workstation's lease had expired; this workstation took it over.
    TakenOver { from: Holder },
    /// Another workstation holds it.
    HeldBy(Holder),
}

impl LeaseOutcome {}

fn key(job: &str) -> String {
    format!("lease.{job}")
}

fn parse(text: Option<&str>) -> Option<Holder> {
    text.and_then(|t| serde_json::from_str(t).ok())
}

/// Takes or renews the lease on `job` for `workstation` until `now + ttl`.
pub fn acquire(
    host: &dyn HostPort,
    job: &str,
    workstation: &str,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<LeaseOutcome, StateError> {
    let mut outcome = LeaseOutcome::Acquired;
    update(host, AREA, &key(job), |current| {
        let held = parse(current);
        let (since, found) = match held {
            None => (now, LeaseOutcome::Acquired),
            Some(holder) if holder.workstation == workstation => {
                (holder.since, LeaseOutcome::Renewed)
            }
            Some(holder) if holder.expires <= now => {
                (now, LeaseOutcome::TakenOver { from: holder })
            }
            Some(holder) => {
                outcome = LeaseOutcome::HeldBy(holder);
                return current.map(str::to_string);
            }
        };
        outcome = found;
        serde_json::to_string(&Holder {
            workstation: workstation.to_string(),
            since,
            expires: now + ttl,
        })
        .ok()
    })?;
    Ok(outcome)
}

/// Gives the lease up, if this workstation holds it.
pub fn release(host: &dyn HostPort, job: &str, workstation: &str) -> Result<(), StateError> {
    update(host, AREA, &key(job), |current| match parse(current) {
        Some(holder) if holder.workstation == workstation => None,
        _ => current.map(str::to_string),
    })?;
    Ok(())
}

/// The current holder, expired or not.
pub fn holder(host: &dyn HostPort, job: &str) -> Result<Option<Holder>, StateError> {
    Ok(parse(host.storage_get(AREA, &key(job))?.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::super::memory::MemoryHost;
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(minutes)
    }

    #[test]
    fn one_holder_and_a_stale_one_is_taken_over() {
        let host = MemoryHost {
            cas: true,
            ..MemoryHost::default()
        };
        let ttl = Duration::minutes(10);
        assert_eq!(
            acquire(&host, "stock", "WS-01", at(0), ttl).unwrap(),
            LeaseOutcome::Acquired
        );
        let second = acquire(&host, "stock", "WS-02", at(5), ttl).unwrap();
        assert!(matches!(&second, LeaseOutcome::HeldBy(h) if h.workstation == "WS-01"));
        assert_eq!(
            acquire(&host, "stock", "WS-01", at(6), ttl).unwrap(),
            LeaseOutcome::Renewed
        );
        let late = acquire(&host, "stock", "WS-02", at(17), ttl).unwrap();
        assert!(matches!(&late, LeaseOutcome::TakenOver { from } if from.workstation == "WS-01"));
        let back = acquire(&host, "stock", "WS-01", at(18), ttl).unwrap();
        assert!(matches!(back, LeaseOutcome::HeldBy(_)));
        release(&host, "stock", "WS-01").unwrap();
        assert!(
            holder(&host, "stock").unwrap().is_some(),
            "only the holder releases"
        );
        release(&host, "stock", "WS-02").unwrap();
        assert!(holder(&host, "stock").unwrap().is_none());
    }
}
