//! Dates as WordPress shows and compares them: site-local wall time and UTC, no offsets.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, Offset as _, TimeZone as _, Utc};
use chrono_tz::Tz;

/// `YYYY-MM-DDTHH:MM:SS` without an offset.
pub(crate) fn format_naive(value: NaiveDateTime) -> String {
    value.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// The site-local wall time of an instant.
pub(crate) fn local_naive(tz: Tz, at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&tz).naive_local()
}

/// `(local, gmt)` strings of an instant.
pub(crate) fn wc_pair(tz: Tz, at: DateTime<Utc>) -> (String, String) {
    (
        format_naive(local_naive(tz, at)),
        format_naive(at.naive_utc()),
    )
}

/// The instant of a site-local wall time (the earlier one when a DST change repeats it).
pub(crate) fn from_local(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        // A wall time skipped by DST: WordPress lands an hour later.
        LocalResult::None => {
            let shifted = local + chrono::Duration::hours(1);
            match tz.from_local_datetime(&shifted) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
                LocalResult::None => local.and_utc(),
            }
        }
    }
}

/// The current UTC offset of the zone in hours (`gmt_offset`).
pub(crate) fn gmt_offset_hours(tz: Tz, at: DateTime<Utc>) -> f64 {
    let offset = at.with_timezone(&tz).offset().fix().local_minus_utc();
    f64::from(offset) / 3600.0
}

/// A date parameter as WordPress accepts it (`rest_parse_date`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QueryDate {
    /// No offset: compared as written against the chosen column.
    Naive(NaiveDateTime),
    /// With `Z`/offset (or fractional seconds): an instant, converted to site time first.
    Instant(DateTime<Utc>),
}

impl QueryDate {
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let bytes = text.as_bytes();
        if bytes.len() < 19 {
            return None;
        }
        let (head, tail) = text.split_at(19);
        let normalised = head.replacen(['t', ' '], "T", 1);
        let naive = NaiveDateTime::parse_from_str(&normalised, "%Y-%m-%dT%H:%M:%S").ok()?;
        let mut rest = tail;
        let mut fractional = false;
        if let Some(after_dot) = rest.strip_prefix('.') {
            let digits = after_dot
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(after_dot.len());
            if digits == 0 {
                return None;
            }
            rest = &after_dot[digits..];
            fractional = true;
        }
        if rest.is_empty() {
            // PHP's strtotime() reads a fractional time as UTC (WordPress runs PHP in UTC).
            return Some(if fractional {
                QueryDate::Instant(naive.and_utc())
            } else {
                QueryDate::Naive(naive)
            });
        }
        if rest == "Z" || rest == "z" {
            return Some(QueryDate::Instant(naive.and_utc()));
        }
        let sign = match rest.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let digits = &rest[1..];
        let (hours, minutes) = match digits.len() {
            2 => (digits.parse::<i32>().ok()?, 0),
            5 if digits.as_bytes()[2] == b':' => {
                (digits[..2].parse::<i32>().ok()?, digits[3..].parse().ok()?)
            }
            _ => return None,
        };
        let offset = FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))?;
        let instant = offset.from_local_datetime(&naive).single()?;
        Some(QueryDate::Instant(instant.with_timezone(&Utc)))
    }

    /// The wall time compared against the column: an instant becomes site-local time even when
    /// the column is the GMT one (WordPress's date query does that).
    pub fn bound(self, tz: Tz) -> NaiveDateTime {
        match self {
            QueryDate::Naive(n) => n,
            QueryDate::Instant(t) => local_naive(tz, t),
        }
    }
}

/// A date range filter on one column (`after`/`before` or `modified_after`/`modified_before`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DateWindow {
    pub after: Option<NaiveDateTime>,
    pub before: Option<NaiveDateTime>,
}

impl DateWindow {
    pub fn new(after: Option<QueryDate>, before: Option<QueryDate>, tz: Tz) -> Self {
        DateWindow {
            after: after.map(|d| d.bound(tz)),
            before: before.map(|d| d.bound(tz)),
        }
    }

    /// Strict comparison of the instant's value in the chosen column.
    pub fn contains(&self, at: DateTime<Utc>, tz: Tz, gmt_column: bool) -> bool {
        if self.after.is_none() && self.before.is_none() {
            return true;
        }
        let column = if gmt_column {
            at.naive_utc()
        } else {
            local_naive(tz, at)
        };
        self.after.is_none_or(|a| column > a) && self.before.is_none_or(|b| column < b)
    }

    /// The comparison of the orders table (HPOS), which has only GMT columns: without
    /// `dates_are_gmt` each bound is site-local time and is turned into an instant through the
    /// zone first (so in the hour repeated when DST ends the bound is its earlier instant).
    pub fn contains_hpos(&self, at: DateTime<Utc>, tz: Tz, dates_are_gmt: bool) -> bool {
        if dates_are_gmt {
            return self.contains(at, tz, true);
        }
        self.after.is_none_or(|a| at > from_local(tz, a))
            && self.before.is_none_or(|b| at < from_local(tz, b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn naive(h: u32, m: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 27)
            .and_then(|d| d.and_hms_opt(h, m, s))
            .expect("valid")
    }

    #[test]
    fn accepted_formats() {
        assert_eq!(
            QueryDate::parse("2026-11-27T17:28:43"),
            Some(QueryDate::Naive(naive(17, 28, 43)))
        );
        assert_eq!(
            QueryDate::parse("2026-11-27 17:28:43"),
            Some(QueryDate::Naive(naive(17, 28, 43)))
        );
        assert_eq!(
            QueryDate::parse("2026-11-27T17:28:43Z"),
            Some(QueryDate::Instant(naive(17, 28, 43).and_utc()))
        );
        assert_eq!(
            QueryDate::parse("2026-11-27T18:28:43+01:00"),
            Some(QueryDate::Instant(naive(17, 28, 43).and_utc()))
        );
        assert_eq!(QueryDate::parse("2026-11-27"), None);
        assert_eq!(QueryDate::parse("yesterday"), None);
    }

    #[test]
    fn windows_compare_strictly_in_the_chosen_column() {
        let tz = chrono_tz::Europe::Berlin;
        let created = naive(17, 28, 46).and_utc();
        let window = DateWindow::new(
            QueryDate::parse("2026-11-27T17:28:43"),
            QueryDate::parse("2026-11-27T17:28:49"),
            tz,
        );
        assert!(window.contains(created, tz, true));
        // Without dates_are_gmt the same values are Berlin time, an hour earlier in UTC.
        assert!(!window.contains(created, tz, false));
        let exact = DateWindow::new(QueryDate::parse("2026-11-27T17:28:46"), None, tz);
        assert!(!exact.contains(created, tz, true));
        // An offset value is turned into site time before it meets the GMT column.
        let shifted = DateWindow::new(QueryDate::parse("2026-11-27T17:28:45Z"), None, tz);
        assert!(!shifted.contains(created, tz, true));
    }

    #[test]
    fn the_orders_table_converts_local_bounds_to_instants() {
        let tz = chrono_tz::Europe::Berlin;
        // 25 October 2026: 02:00-03:00 local time happens twice (CEST, then CET).
        let at = |h: u32, m: u32| {
            NaiveDate::from_ymd_opt(2026, 10, 25)
                .and_then(|d| d.and_hms_opt(h, m, 0))
                .expect("valid")
                .and_utc()
        };
        let window = DateWindow::new(QueryDate::parse("2026-10-25T02:30:00"), None, tz);
        // 01:15 UTC is 02:15 CET, the second 02:15 of the night: after the bound's instant
        // (00:30 UTC) although its wall time is earlier.
        assert!(window.contains_hpos(at(1, 15), tz, false));
        assert!(!window.contains(at(1, 15), tz, false));
        assert!(!window.contains_hpos(at(0, 30), tz, false), "strict");
    }

    #[test]
    fn gmt_offset_follows_dst() {
        let tz = chrono_tz::Europe::Berlin;
        assert_eq!(gmt_offset_hours(tz, naive(12, 0, 0).and_utc()), 1.0);
        let summer = NaiveDate::from_ymd_opt(2026, 7, 1)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .expect("valid")
            .and_utc();
        assert_eq!(gmt_offset_hours(tz, summer), 2.0);
    }
}
