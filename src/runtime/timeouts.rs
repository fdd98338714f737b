//! How long the plugin waits for the store, and for a whole action.
//!
//! The defaults suit a person at a desk and a store on the internet. A workstation may override
//! them with the optional value `network_timeouts` in its option storage
//! (`QBM_WC_AREA_WORKSTATION_OPTIONS`), a JSON object of milliseconds:
//!
//! ```json
//! {"connect_ms":10000,"request_ms":60000,"idle_ms":20000,"probe_ms":20000,
//!  "action_deadline_ms":300000,"retry_backoff_ms":500}
//! ```
//!
//! Support uses it for a store behind a very slow line; the fault tests use it to prove every
//! deadline in seconds instead of minutes. Absent fields keep their default; each value is held
//! between [`MIN`] and [`MAX`]; an unreadable value is reported in the log and the defaults apply.

use std::time::Duration;

use serde::Deserialize;

/// The key of the override in the workstation's option storage.
pub const STORAGE_KEY: &str = "network_timeouts";

/// The shortest value an override may set: below it nothing would ever answer.
pub const MIN: Duration = Duration::from_millis(50);
/// The longest value an override may set.
pub const MAX: Duration = Duration::from_secs(3600);

/// Every wait the plugin bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timeouts {
    /// Establishing a connection.
    pub connect: Duration,
    /// One whole request (sending, waiting, reading the answer).
    pub request: Duration,
    /// Once the store started answering: the longest silence, and the window in which at least
    /// 1 KiB must arrive.
    pub idle: Duration,
    /// Each answer of Reconnect's checks (it does not retry: the person at Options hears the
    /// cause at once).
    pub probe: Duration,
    /// A whole action: it stops at its next safe point after this and reports what was done.
    pub action_deadline: Duration,
    /// The wait before the first retry of a request (doubled for each further one).
    pub retry_backoff: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            request: Duration::from_secs(60),
            idle: Duration::from_secs(20),
            probe: Duration::from_secs(20),
            action_deadline: Duration::from_secs(5 * 60),
            retry_backoff: Duration::from_millis(500),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    connect_ms: Option<u64>,
    request_ms: Option<u64>,
    idle_ms: Option<u64>,
    probe_ms: Option<u64>,
    action_deadline_ms: Option<u64>,
    retry_backoff_ms: Option<u64>,
}

impl Timeouts {
    /// The timeouts of a stored override (see the module documentation).
    pub fn parse(text: &str) -> Result<Timeouts, String> {
        let stored: Stored = serde_json::from_str(text).map_err(|err| err.to_string())?;
        let defaults = Timeouts::default();
        let pick = |value: Option<u64>, default: Duration| {
            value.map_or(default, |ms| Duration::from_millis(ms).clamp(MIN, MAX))
        };
        Ok(Timeouts {
            connect: pick(stored.connect_ms, defaults.connect),
            request: pick(stored.request_ms, defaults.request),
            idle: pick(stored.idle_ms, defaults.idle),
            probe: pick(stored.probe_ms, defaults.probe),
            action_deadline: pick(stored.action_deadline_ms, defaults.action_deadline),
            retry_backoff: pick(stored.retry_backoff_ms, defaults.retry_backoff),
        })
    }
}

/// A duration as people say it: "5 minutes", "20 seconds", "1.5 seconds".
pub fn spoken(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if duration.as_secs() >= 120 && duration.as_secs().is_multiple_of(60) {
        format!("{} minutes", duration.as_secs() / 60)
    } else if duration.subsec_millis() == 0 {
        match duration.as_secs() {
            1 => "1 second".to_string(),
            n => format!("{n} seconds"),
        }
    } else {
        format!("{} seconds", (secs * 10.0).round() / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_fields_keep_their_defaults_and_values_are_held_in_range() {
        let t =
            Timeouts::parse(r#"{"idle_ms":1000,"request_ms":1,"action_deadline_ms":99999999999}"#)
                .unwrap();
        assert_eq!(t.idle, Duration::from_secs(1));
        assert_eq!(t.request, MIN);
        assert_eq!(t.action_deadline, MAX);
        assert_eq!(t.connect, Timeouts::default().connect);
        assert!(Timeouts::parse(r#"{"idle":1}"#).is_err(), "typos surface");
        assert!(Timeouts::parse("fast").is_err());
    }

    #[test]
    fn durations_are_spoken_plainly() {
        assert_eq!(spoken(Duration::from_secs(300)), "5 minutes");
        assert_eq!(spoken(Duration::from_secs(20)), "20 seconds");
        assert_eq!(spoken(Duration::from_secs(1)), "1 second");
        assert_eq!(spoken(Duration::from_millis(1500)), "1.5 seconds");
        assert_eq!(spoken(Duration::from_millis(250)), "0.3 seconds");
    }
}
