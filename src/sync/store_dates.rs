//! The store's calendar days. Pure: no clock, no I/O.
//!
//! Rules:
//! * A date range picked on the Orders screen means the days a shop owner sees in WooCommerce
//!   admin, in the **store's** time zone, not the workstation's: WordPress's `timezone_string`
//!   (an IANA name such as `Europe/Berlin`, daylight saving included) or, when that is empty, the
//!   fixed `gmt_offset` in hours, which may be fractional (`5.5` is UTC+05:30, `-3.5` UTC−03:30).
//!   A name this plugin's time-zone database does not know falls back to `gmt_offset` (without
//!   daylight saving) and says so in [`StoreZone::label`].
//! * "From D1 to D2" is the half-open UTC window `[D1 00:00 local, (D2 + 1 day) 00:00 local)`, so
//!   consecutive ranges neither overlap nor leave a gap, and a day is 23 or 25 hours long on the
//!   days the clocks change.
//! * Where local midnight does not exist (zones that change their clocks at midnight, e.g.
//!   America/Havana in March), the day starts at the first local time that exists; where it
//!   exists twice (America/Havana in November), the day starts at the earlier one, so no order of
//!   that day is left out.
//! * WooCommerce compares `after` and `before` **strictly** (`>` and `<`, with 1-second
//!   resolution). The window is therefore sent as `after = start − 1 s`, `before = end`, as naive
//!   UTC text with `dates_are_gmt=true` (an offset or `Z` would be re-read as site-local time):
//!   an order created at exactly 00:00:00 on the first day is in, one at 00:00:00 on the day after
//!   the last day is out.
//! * The other way round, a UTC time from a `*_gmt` field is shown as store-local wall time.

#![warn(missing_docs)]

use std::fmt;

#[cfg(test)]
use chrono::Offset;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// The format WooCommerce accepts for `after`/`before` (no offset, see the module rules).
#[cfg(test)]
const QUERY_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// The store's time zone, from WordPress's `timezone_string` and `gmt_offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreZone {
    /// A named zone with its daylight-saving rules.
    Named(Tz),
    /// A fixed offset: WordPress set to "UTC+5:30", or a zone name this plugin does not know.
    Fixed {
        /// Offset east of UTC.
        offset: FixedOffset,
        /// Set when the store named a zone unknown to this plugin and `gmt_offset` was used.
        unknown_name: Option<String>,
    },
}

/// The store's time-zone settings could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZoneError {
    /// Neither a known zone name nor an offset.
    #[error(
        "the store's time zone \"{0}\" is unknown to this plugin and the store sent no UTC offset; choose a city in WordPress → Settings → General → Timezone"
    )]
    UnknownName(String),
    /// No zone name and no offset at all.
    #[error("the store sent no time zone; set one in WordPress → Settings → General → Timezone")]
    Missing,
    /// An offset outside what any place on earth uses.
    #[error("the store's UTC offset {0} hours is not a valid offset")]
    BadOffset(Decimal),
}

impl StoreZone {
    /// Reads WordPress's settings: the zone name wins; an empty name means the fixed offset.
    pub fn from_settings(
        timezone_string: &str,
        gmt_offset: Option<Decimal>,
    ) -> Result<StoreZone, ZoneError> {
        let name = timezone_string.trim();
        if !name.is_empty() {
            if let Ok(tz) = name.parse::<Tz>() {
                return Ok(StoreZone::Named(tz));
            }
            let Some(hours) = gmt_offset else {
                return Err(ZoneError::UnknownName(name.to_string()));
            };
            return Ok(StoreZone::Fixed {
                offset: offset_from_hours(hours)?,
                unknown_name: Some(name.to_string()),
            });
        }
        match gmt_offset {
            Some(hours) => Ok(StoreZone::Fixed {
                offset: offset_from_hours(hours)?,
                unknown_name: None,
            }),
            None => Err(ZoneError::Missing),
        }
    }

    /// A fixed offset in (possibly fractional) hours.
    #[cfg(test)]
    pub fn fixed_hours(hours: Decimal) -> Result<StoreZone, ZoneError> {
        Ok(StoreZone::Fixed {
            offset: offset_from_hours(hours)?,
            unknown_name: None,
        })
    }

    /// How the zone is shown: `Europe/Berlin`, `UTC+05:30`.
    pub fn label(&self) -> String {
        match self {
            StoreZone::Named(tz) => tz.name().to_string(),
            StoreZone::Fixed {
                offset,
                unknown_name: None,
            } => format!("UTC{offset}"),
            StoreZone::Fixed {
                offset,
                unknown_name: Some(name),
            } => format!(
                "UTC{offset} (the store's zone {name} is unknown here; daylight saving is not followed)"
            ),
        }
    }

    /// The UTC instant at which the local calendar day `day` begins (see the module rules for
    /// days whose midnight is skipped or repeated).
    pub fn start_of_day(&self, day: NaiveDate) -> DateTime<Utc> {
        match self {
            StoreZone::Named(tz) => start_of_day_in(tz, day),
            StoreZone::Fixed { offset, .. } => start_of_day_in(offset, day),
        }
    }

    /// The store-local wall time of a UTC instant.
    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        match self {
            StoreZone::Named(tz) => at.with_timezone(tz).naive_local(),
            StoreZone::Fixed { offset, .. } => at.with_timezone(offset).naive_local(),
        }
    }

    /// The store's calendar day of a UTC instant (which day an order belongs to).
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        self.local(at).date()
    }

    /// The offset from UTC in force at a UTC instant.
    #[cfg(test)]
    pub fn offset_at(&self, at: DateTime<Utc>) -> FixedOffset {
        match self {
            StoreZone::Named(tz) => tz.offset_from_utc_datetime(&at.naive_utc()).fix(),
            StoreZone::Fixed { offset, .. } => *offset,
        }
    }
}

fn offset_from_hours(hours: Decimal) -> Result<FixedOffset, ZoneError> {
    let seconds = (hours * Decimal::from(3600))
        .round()
        .to_i32()
        .ok_or(ZoneError::BadOffset(hours))?;
    // Real offsets run from UTC−12 to UTC+14.
    if !(-12 * 3600..=14 * 3600).contains(&seconds) {
        return Err(ZoneError::BadOffset(hours));
    }
    FixedOffset::east_opt(seconds).ok_or(ZoneError::BadOffset(hours))
}

fn start_of_day_in<Z: TimeZone>(zone: &Z, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    if let Some(earliest) = zone.from_local_datetime(&midnight).earliest() {
        return earliest.with_timezone(&Utc);
    }
    // Midnight falls into a gap: the day starts where the gap ends. Gaps are at most a few
    // hours, so a minute-by-minute walk through the day finds its end.
    (1..24 * 60)
        .map(|minutes| midnight + Duration::minutes(minutes))
        .find_map(|local| zone.from_local_datetime(&local).earliest())
        .map(|start| start.with_timezone(&Utc))
        // A whole day cannot be skipped except by zones that jumped the date line (Samoa
        // 2011); such a day begins where the next one does.
        .unwrap_or_else(|| start_of_day_in(zone, day + Duration::days(1)))
}

/// A half-open UTC window `[start, end)` covering whole store days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GmtWindow {
    /// First instant inside the window.
    pub start: DateTime<Utc>,
    /// First instant after the window.
    pub end: DateTime<Utc>,
}

/// The user asked for a range that ends before it starts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the date range ends ({to}) before it starts ({from}); pick a \"to\" date on or after the \"from\" date"
)]
pub struct RangeError {
    /// The first day asked for.
    pub from: NaiveDate,
    /// The last day asked for.
    pub to: NaiveDate,
}

/// The UTC window covering the store days `from` to `to`, both included.
pub fn day_window(
    from: NaiveDate,
    to: NaiveDate,
    zone: &StoreZone,
) -> Result<GmtWindow, RangeError> {
    if to < from {
        return Err(RangeError { from, to });
    }
    Ok(GmtWindow {
        start: zone.start_of_day(from),
        end: zone.start_of_day(to + Duration::days(1)),
    })
}

impl GmtWindow {
    /// Whether a UTC instant (an order's `date_created_gmt`) lies in the window.
    #[cfg(test)]
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }

    /// The `after` parameter (with `dates_are_gmt=true`): one second before the start, because
    /// WooCommerce's `after` is strict and works in whole seconds.
    #[cfg(test)]
    pub fn after_param(&self) -> String {
        (self.start - Duration::seconds(1))
            .format(QUERY_FORMAT)
            .to_string()
    }

    /// The `before` parameter (with `dates_are_gmt=true`): the end itself, as `before` is strict.
    #[cfg(test)]
    pub fn before_param(&self) -> String {
        self.end.format(QUERY_FORMAT).to_string()
    }
}

/// A UTC time shown as the store-local wall time a shop owner sees in WooCommerce admin.
pub fn local_text(at: DateTime<Utc>, zone: &StoreZone) -> String {
    zone.local(at).format("%Y-%m-%d %H:%M").to_string()
}

impl fmt::Display for StoreZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc()
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn berlin() -> StoreZone {
        StoreZone::from_settings("Europe/Berlin", Some(dec("1"))).unwrap()
    }

    /// (zone, from, to, expected start UTC, expected end UTC)
    #[test]
    fn windows_cover_whole_local_days() {
        let havana = StoreZone::from_settings("America/Havana", None).unwrap();
        let cases: Vec<(StoreZone, &str, &str, &str, &str)> = vec![
            // Winter: UTC+1.
            (
                berlin(),
                "2026-11-27",
                "2026-11-27",
                "2026-11-26 23:00:00",
                "2026-11-27 23:00:00",
            ),
            // Clocks go forward on 29 March 2026: a 23-hour day.
            (
                berlin(),
                "2026-03-29",
                "2026-03-29",
                "2026-03-28 23:00:00",
                "2026-03-29 22:00:00",
            ),
            // Clocks go back on 25 October 2026: a 25-hour day.
            (
                berlin(),
                "2026-10-25",
                "2026-10-25",
                "2026-10-24 22:00:00",
                "2026-10-25 23:00:00",
            ),
            // A range spanning the spring change starts in winter time and ends in summer time.
            (
                berlin(),
                "2026-03-28",
                "2026-03-30",
                "2026-03-27 23:00:00",
                "2026-03-30 22:00:00",
            ),
            // Havana skips midnight on 8 March 2026 (00:00 → 01:00): the day starts at 01:00 −04.
            (
                havana.clone(),
                "2026-03-08",
                "2026-03-08",
                "2026-03-08 05:00:00",
                "2026-03-09 04:00:00",
            ),
            // Havana repeats 00:00–01:00 on 1 November 2026: the day starts at the first midnight.
            (
                havana,
                "2026-11-01",
                "2026-11-01",
                "2026-11-01 04:00:00",
                "2026-11-02 05:00:00",
            ),
            // WordPress "UTC+5:30" (no zone name).
            (
                StoreZone::from_settings("", Some(dec("5.5"))).unwrap(),
                "2026-11-27",
                "2026-11-27",
                "2026-11-26 18:30:00",
                "2026-11-27 18:30:00",
            ),
            // "UTC−3:30".
            (
                StoreZone::fixed_hours(dec("-3.5")).unwrap(),
                "2026-01-01",
                "2026-01-02",
                "2026-01-01 03:30:00",
                "2026-01-03 03:30:00",
            ),
            (
                StoreZone::from_settings("UTC", None).unwrap(),
                "2026-06-01",
                "2026-06-01",
                "2026-06-01 00:00:00",
                "2026-06-02 00:00:00",
            ),
        ];
        for (zone, from, to, start, end) in cases {
            let window = day_window(day(from), day(to), &zone).unwrap();
            assert_eq!(
                (window.start, window.end),
                (utc(start), utc(end)),
                "{zone} {from}..{to}"
            );
        }
    }

    /// Orders at 00:30 local on the first day are in, at 00:30 local the day after the last are
    /// out, across both Berlin changes of 2026 and with a fractional offset.
    #[test]
    fn orders_just_inside_and_just_outside() {
        let india = StoreZone::fixed_hours(dec("5.5")).unwrap();
        // (zone, from, to, order time UTC, inside)
        let cases: Vec<(StoreZone, &str, &str, &str, bool)> = vec![
            // 29 March 00:30 CET = 28 March 23:30 UTC.
            (
                berlin(),
                "2026-03-29",
                "2026-03-29",
                "2026-03-28 23:30:00",
                true,
            ),
            // 30 March 00:30 CEST = 29 March 22:30 UTC.
            (
                berlin(),
                "2026-03-29",
                "2026-03-29",
                "2026-03-29 22:30:00",
                false,
            ),
            // 25 October 00:30 CEST = 24 October 22:30 UTC.
            (
                berlin(),
                "2026-10-25",
                "2026-10-25",
                "2026-10-24 22:30:00",
                true,
            ),
            // 02:30 happens twice on 25 October; both are that day.
            (
                berlin(),
                "2026-10-25",
                "2026-10-25",
                "2026-10-25 00:30:00",
                true,
            ),
            (
                berlin(),
                "2026-10-25",
                "2026-10-25",
                "2026-10-25 01:30:00",
                true,
            ),
            // 26 October 00:30 CET = 25 October 23:30 UTC.
            (
                berlin(),
                "2026-10-25",
                "2026-10-25",
                "2026-10-25 23:30:00",
                false,
            ),
            // 1 June 00:30 IST = 31 May 19:00 UTC.
            (
                india.clone(),
                "2026-06-01",
                "2026-06-30",
                "2026-05-31 19:00:00",
                true,
            ),
            // 1 July 00:30 IST = 30 June 19:00 UTC.
            (
                india,
                "2026-06-01",
                "2026-06-30",
                "2026-06-30 19:00:00",
                false,
            ),
            // Exactly midnight is the first instant of the day.
            (
                berlin(),
                "2026-11-27",
                "2026-11-27",
                "2026-11-26 23:00:00",
                true,
            ),
            (
                berlin(),
                "2026-11-27",
                "2026-11-27",
                "2026-11-27 23:00:00",
                false,
            ),
        ];
        for (zone, from, to, at, inside) in cases {
            let window = day_window(day(from), day(to), &zone).unwrap();
            assert_eq!(window.contains(utc(at)), inside, "{zone} {from}..{to} {at}");
            assert_eq!(
                zone.local_date(utc(at)) >= day(from) && zone.local_date(utc(at)) <= day(to),
                inside,
                "the window agrees with the local calendar day of {at}"
            );
        }
    }

    #[test]
    fn query_parameters_account_for_strict_comparison() {
        let window = day_window(day("2026-11-27"), day("2026-11-27"), &berlin()).unwrap();
        assert_eq!(window.after_param(), "2026-11-26T22:59:59");
        assert_eq!(window.before_param(), "2026-11-27T23:00:00");
        // The recorded query: after/before in UTC around the fixture orders; none of those
        // strings may carry an offset, or WordPress re-reads them as site-local.
        assert!(!window.after_param().ends_with('Z'));
    }

    #[test]
    fn the_recorded_orders_fall_on_the_store_day_they_show() {
        // `date_created` 2026-11-27T18:28:46 (Berlin) is `date_created_gmt` 17:28:46.
        let created = utc("2026-11-27 17:28:46");
        assert_eq!(local_text(created, &berlin()), "2026-11-27 18:28");
        let window = day_window(day("2026-11-27"), day("2026-11-27"), &berlin()).unwrap();
        assert!(window.contains(created));
        let summer = utc("2026-07-01 22:30:00");
        assert_eq!(local_text(summer, &berlin()), "2026-07-02 00:30");
        assert_eq!(
            berlin().offset_at(summer),
            FixedOffset::east_opt(7200).unwrap()
        );
    }

    #[test]
    fn settings_are_read_like_wordpress() {
        assert_eq!(
            StoreZone::from_settings(" Europe/Berlin ", None).unwrap(),
            StoreZone::Named(Tz::Europe__Berlin)
        );
        assert_eq!(
            StoreZone::from_settings("", Some(dec("5.75")))
                .unwrap()
                .label(),
            "UTC+05:45"
        );
        assert_eq!(
            StoreZone::from_settings("", Some(dec("-9.5")))
                .unwrap()
                .label(),
            "UTC-09:30"
        );
        let unknown = StoreZone::from_settings("Mars/Olympus", Some(dec("2"))).unwrap();
        assert!(
            unknown
                .label()
                .starts_with("UTC+02:00 (the store's zone Mars/Olympus")
        );
        assert_eq!(
            StoreZone::from_settings("Mars/Olympus", None),
            Err(ZoneError::UnknownName("Mars/Olympus".into()))
        );
        assert_eq!(StoreZone::from_settings("", None), Err(ZoneError::Missing));
        assert_eq!(
            StoreZone::from_settings("", Some(dec("15"))),
            Err(ZoneError::BadOffset(dec("15")))
        );
        assert!(day_window(day("2026-11-28"), day("2026-11-27"), &berlin()).is_err());
    }

    proptest::proptest! {
        /// Every Berlin day starts at local midnight of that day and lasts 23, 24 or 25 hours;
        /// consecutive windows meet without a gap.
        #[test]
        fn berlin_days_tile_the_calendar(offset in 0i64..(40 * 366)) {
            let first = day("2000-01-01") + Duration::days(offset);
            let zone = berlin();
            let window = day_window(first, first, &zone).unwrap();
            let hours = (window.end - window.start).num_hours();
            proptest::prop_assert!((23..=25).contains(&hours), "{first}: {hours} h");
            proptest::prop_assert_eq!(zone.local(window.start), first.and_hms_opt(0, 0, 0).unwrap());
            let next = day_window(first + Duration::days(1), first + Duration::days(1), &zone).unwrap();
            proptest::prop_assert_eq!(window.end, next.start);
        }
    }
}
