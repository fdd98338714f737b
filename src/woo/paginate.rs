//! Paging through list endpoints: page URLs are built here (never taken from `Link`, which
//! repeats credentials and stale OAuth nonces), and a pure stop rule ends the walk.

use super::decode::RecordError;

/// One page of records.
#[derive(Debug)]
pub struct Page<T> {
    /// 1-based page number.
    pub number: u32,
    /// `X-WP-TotalPages`, when the store sent it.
    pub total_pages: Option<u32>,
    /// `X-WP-Total`, when the store sent it.
    pub total_items: Option<u64>,
    /// Records that decoded.
    pub records: Vec<T>,
    /// Records that did not, each naming itself and the field.
    pub bad_records: Vec<RecordError>,
}

/// Everything a full listing returned.
#[derive(Debug)]
pub struct Listing<T> {
    /// Good records, in the store's order, without duplicates by id.
    pub records: Vec<T>,
    /// Records that could not be understood (reported, not dropped silently).
    pub bad_records: Vec<RecordError>,
    /// Pages fetched.
    pub pages: u32,
    /// `X-WP-Total` of the first page.
    pub total_at_start: Option<u64>,
    /// `X-WP-Total` of the last page; differs from the start when records changed mid-scan,
    /// which can shift records between pages (re-run the window to be sure).
    pub total_at_end: Option<u64>,
}

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Listing {
            records: Vec::new(),
            bad_records: Vec::new(),
            pages: 0,
            total_at_start: None,
            total_at_end: None,
        }
    }
}

impl<T> Listing<T> {
    /// True when the reported total changed between the first and the last page.
    pub fn total_changed(&self) -> bool {
        matches!((self.total_at_start, self.total_at_end), (Some(a), Some(b)) if a != b)
    }
}

/// What to do after a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStep {
    /// Fetch this page next.
    Next(u32),
    /// The listing is complete.
    Done,
    /// The store sent the same page again: it ignores `page` (a cache in front of it?).
    Repeated,
    /// Safety limit on the number of pages reached.
    TooManyPages,
}

/// Pages any listing may have at most (100 records each: ten million records).
pub const MAX_PAGES: u32 = 100_000;

/// The stop rule. `ids` are the ids on this page, `previous_ids` those on the page before.
pub fn next_step(
    page: u32,
    total_pages: Option<u32>,
    ids: &[u64],
    previous_ids: Option<&[u64]>,
) -> PageStep {
    if ids.is_empty() {
        return PageStep::Done;
    }
    if previous_ids.is_some_and(|prev| prev == ids) {
        return PageStep::Repeated;
    }
    if let Some(total) = total_pages
        && page >= total
    {
        return PageStep::Done;
    }
    if page >= MAX_PAGES {
        return PageStep::TooManyPages;
    }
    PageStep::Next(page + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_rules() {
        assert_eq!(next_step(1, Some(3), &[1, 2], None), PageStep::Next(2));
        assert_eq!(next_step(3, Some(3), &[5], Some(&[3, 4])), PageStep::Done);
        assert_eq!(next_step(2, Some(3), &[], Some(&[1])), PageStep::Done);
        assert_eq!(
            next_step(2, Some(9), &[1, 2], Some(&[1, 2])),
            PageStep::Repeated
        );
        // Without totals (a proxy dropped the headers): walk until an empty page.
        assert_eq!(next_step(7, None, &[9], Some(&[8])), PageStep::Next(8));
        assert_eq!(next_step(8, None, &[], Some(&[9])), PageStep::Done);
        // Totals say 0 pages but records came: the page is still taken, then stop.
        assert_eq!(next_step(1, Some(0), &[1], None), PageStep::Done);
        assert_eq!(
            next_step(MAX_PAGES, None, &[1], None),
            PageStep::TooManyPages
        );
    }

    #[test]
    fn total_change_is_reported() {
        let mut l: Listing<u8> = Listing::default();
        assert!(!l.total_changed());
        l.total_at_start = Some(10);
        l.total_at_end = Some(9);
        assert!(l.total_changed());
    }
}
