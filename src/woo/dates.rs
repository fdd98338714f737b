//! Date filters: WooCommerce compares `after`/`before`/`modified_*` strictly (`>`/`<`) at
//! one-second resolution, and reads naive values as UTC only with `dates_are_gmt=true`.

use chrono::{DateTime, Duration, Utc};

/// `YYYY-MM-DDTHH:MM:SS`, UTC, no offset (an offset would be misread with `dates_are_gmt`).
pub fn format_naive_utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// A time window for a filter pair, already widened so that both ends are included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateWindow {
    /// Value for `after`/`modified_after` (exclusive on the server).
    pub after: DateTime<Utc>,
    /// Value for `before`/`modified_before` (exclusive on the server).
    pub before: DateTime<Utc>,
}

impl DateWindow {
    /// A window that includes every record stamped from `from` through `to` (inclusive, to the
    /// second): one second is taken off the start and added to the end, because the store
    /// compares strictly and truncates to seconds.
    pub fn covering(from: DateTime<Utc>, to: DateTime<Utc>) -> DateWindow {
        DateWindow {
            after: truncate(from) - Duration::seconds(1),
            before: truncate(to) + Duration::seconds(1),
        }
    }

    /// The window for the next poll, from the previous watermark `since` up to `until`,
    /// overlapping the previous one by a second (records are de-duplicated by id).
    pub fn since(since: DateTime<Utc>, until: DateTime<Utc>) -> DateWindow {
        DateWindow::covering(since, until)
    }

    /// `after` as sent.
    pub fn after_param(&self) -> String {
        format_naive_utc(self.after)
    }

    /// `before` as sent.
    pub fn before_param(&self) -> String {
        format_naive_utc(self.before)
    }
}

fn truncate(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn naive_utc_has_no_offset() {
        let t = Utc.with_ymd_and_hms(2026, 11, 27, 17, 28, 43).unwrap();
        assert_eq!(format_naive_utc(t), "2026-11-27T17:28:43");
    }

    #[test]
    fn windows_overlap_by_a_second_at_both_ends() {
        let from = Utc.with_ymd_and_hms(2026, 11, 27, 17, 28, 44).unwrap();
        let to =
            Utc.with_ymd_and_hms(2026, 11, 27, 17, 28, 48).unwrap() + Duration::milliseconds(700);
        let w = DateWindow::covering(from, to);
        assert_eq!(w.after_param(), "2026-11-27T17:28:43");
        assert_eq!(w.before_param(), "2026-11-27T17:28:49");
        // A record stamped exactly at `from` satisfies the strict `>`.
        assert!(from > w.after);
        assert!(truncate(to) < w.before);
        // Consecutive polls overlap.
        let next = DateWindow::since(truncate(to), truncate(to) + Duration::minutes(5));
        assert!(next.after < w.before);
    }
}
