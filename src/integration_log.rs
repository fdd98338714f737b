//! The WooCommerce log that support and users read in the Logs screen: timestamped entries by
//! category, kept in the host's company state so they survive restarts and are shared by every
//! workstation, bounded in size (the oldest entries go first), with secrets removed before
//! anything is stored.
//!
//! Writing an entry never calls the host: entries wait in memory and are written by the host
//! thread at the end of each call into the plugin (and while it waits for long network work).
//! So the plugin's network threads, and `tracing` events inside the WooCommerce client, never
//! block on QBM's storage, and no lock is held while the host stores them. Stored entries use an
//! append-only list ([`crate::state::segments`]) that loses nothing when two workstations write
//! at once (with an ABI 1.1 host).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::host_port::{HostPort, Level, StorageArea};
use crate::runtime::Clock;
use crate::secret::{Secret, redact};
use crate::state::segments::{ReadProblems, Segments, Sequenced};
use crate::state::{StateError, update};

/// Entries per stored segment.
pub const SEGMENT_ENTRIES: u64 = 100;
/// Segments kept; older ones are dropped, so the log holds at most
/// `SEGMENT_ENTRIES * MAX_SEGMENTS` entries.
pub const MAX_SEGMENTS: u64 = 20;
/// Longest message stored, in bytes; longer ones are cut.
const MAX_MESSAGE: usize = 1000;
/// Entries waiting for the host when nothing flushed them for a long while; beyond, the oldest
/// are dropped and counted.
const MAX_PENDING: usize = 10_000;

const STORE: Segments = Segments {
    prefix: "integration-log",
    per_segment: SEGMENT_ENTRIES,
    keep_segments: MAX_SEGMENTS,
};

/// What an entry is about; the Logs screen filters by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Connection,
    StockSync,
    MissingItem,
    Processing,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Connection,
        Category::StockSync,
        Category::MissingItem,
        Category::Processing,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.id() == text)
    }

    pub fn id(self) -> &'static str {
        match self {
            Category::Connection => "connection",
            Category::StockSync => "stock_sync",
            Category::MissingItem => "missing_item",
            Category::Processing => "processing",
        }
    }
}

/// How serious an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    Error,
    Warning,
    Info,
    Debug,
}

impl LogLevel {
    pub fn id(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warning => "warning",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
        }
    }
}

impl From<Level> for LogLevel {
    fn from(level: Level) -> Self {
        match level {
            Level::Error => LogLevel::Error,
            Level::Warn => LogLevel::Warning,
            Level::Info => LogLevel::Info,
            Level::Debug => LogLevel::Debug,
        }
    }
}

impl From<LogLevel> for Level {
    fn from(level: LogLevel) -> Self {
        match level {
            LogLevel::Error => Level::Error,
            LogLevel::Warning => Level::Warn,
            LogLevel::Info => Level::Info,
            LogLevel::Debug => Level::Debug,
        }
    }
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub id: u64,
    pub time: DateTime<Utc>,
    pub category: Category,
    pub level: LogLevel,
    pub message: String,
    /// The workstation that wrote it (empty in entries of older versions).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub workstation: String,
}

impl Sequenced for LogEntry {
    fn id(&self) -> u64 {
        self.id
    }
    fn set_id(&mut self, id: u64) {
        self.id = id;
    }
}

/// Removes credentials from text: the known secrets (plain and percent-encoded), anything that
/// looks like a WooCommerce consumer secret, and the values of secret-bearing URL parameters.
pub fn scrub(text: &str, secrets: &[Secret]) -> String {
    let mut out = secrets
        .iter()
        .fold(text.to_string(), |acc, secret| redact(&acc, secret));
    for marker in ["consumer_secret=", "oauth_signature="] {
        let mut from = 0;
        while let Some(pos) = out[from..].find(marker) {
            let start = from + pos + marker.len();
            let end = out[start..]
                .find(|c: char| c == '&' || c == '>' || c == '"' || c.is_whitespace())
                .map_or(out.len(), |e| start + e);
            out.replace_range(start..end, "***");
            from = start + 3;
        }
    }
    // Basic credentials echoed by a firewall or an error page: "Basic <base64 of key:secret>".
    let mut from = 0;
    while let Some(pos) = out[from..].find("Basic ") {
        let start = from + pos + "Basic ".len();
        let token = out[start..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
            .count();
        if token >= 16 {
            out.replace_range(start..start + token, "***");
        }
        from = start;
    }
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(pos) = rest.find("cs_") {
        result.push_str(&rest[..pos]);
        let candidate = &rest[pos + 3..];
        let hex = candidate.bytes().take_while(u8::is_ascii_hexdigit).count();
        if hex >= 32 {
            result.push_str("cs_***");
            rest = &candidate[hex..];
        } else {
            result.push_str("cs_");
            rest = candidate;
        }
    }
    result.push_str(rest);
    result
}

/// The log of one company, shared by every part of a plugin instance.
pub struct IntegrationLog {
    host: Arc<dyn HostPort>,
    clock: Arc<dyn Clock>,
    secrets: RwLock<Vec<Secret>>,
    workstation: RwLock<String>,
    pending: Mutex<VecDeque<LogEntry>>,
    dropped: AtomicU64,
    /// Set while a host thread writes pending entries; a second flush leaves them to it.
    flushing: AtomicBool,
}

/// Entries of the log as the plugin wrote them in version 1.0, migrated on first use.
mod legacy {
    use super::*;

    #[derive(Deserialize)]
    pub struct Meta {
        pub first_segment: u64,
        pub last_segment: u64,
    }

    pub const META: &str = "log.meta";

    pub fn segment(index: u64) -> String {
        format!("log.segment.{index}")
    }
}

impl IntegrationLog {
    pub fn new(host: Arc<dyn HostPort>, clock: Arc<dyn Clock>) -> Self {
        Self {
            host,
            clock,
            secrets: RwLock::new(Vec::new()),
            workstation: RwLock::new(String::new()),
            pending: Mutex::new(VecDeque::new()),
            dropped: AtomicU64::new(0),
            flushing: AtomicBool::new(false),
        }
    }

    /// The secrets to remove from every message from now on (the consumer secret and the forms
    /// it takes in requests).
    pub fn set_secrets(&self, secrets: Vec<Secret>) {
        *self.secrets.write().unwrap_or_else(PoisonError::into_inner) = secrets;
    }

    /// The workstation named in new entries.
    pub fn set_workstation(&self, workstation: &str) {
        *self
            .workstation
            .write()
            .unwrap_or_else(PoisonError::into_inner) = workstation.to_string();
    }

    /// Whether the workstation of new entries is known yet.
    pub fn has_workstation(&self) -> bool {
        !self
            .workstation
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }

    /// Text with every known secret removed.
    pub fn scrub(&self, text: &str) -> String {
        scrub(
            text,
            &self.secrets.read().unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// Adds an entry. Any thread; never calls the host (the entry is written by the next
    /// [`IntegrationLog::flush`]).
    pub fn append(&self, category: Category, level: Level, message: &str) {
        let mut message = self.scrub(message);
        if message.len() > MAX_MESSAGE {
            let mut cut = MAX_MESSAGE;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
            message.push('…');
        }
        let entry = LogEntry {
            id: 0,
            time: self.clock.now(),
            category,
            level: level.into(),
            message,
            workstation: self
                .workstation
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        };
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        if pending.len() >= MAX_PENDING {
            pending.pop_front();
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        pending.push_back(entry);
    }

    pub fn info(&self, category: Category, message: &str) {
        self.append(category, Level::Info, message);
    }

    pub fn warn(&self, category: Category, message: &str) {
        self.append(category, Level::Warn, message);
    }

    pub fn error(&self, category: Category, message: &str) {
        self.append(category, Level::Error, message);
    }

    /// Writes waiting entries to the host's log and storage. Host threads only (inside a call
    /// into the plugin). Storage problems go to the host's diagnostic log, never fail the call.
    pub fn flush(&self) {
        if self.flushing.swap(true, Ordering::AcqRel) {
            return;
        }
        let entries: Vec<LogEntry> = {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            pending.drain(..).collect()
        };
        let dropped = self.dropped.swap(0, Ordering::Relaxed);
        for entry in &entries {
            self.host.log(
                entry.level.into(),
                &format!("[WooCommerce/{}] {}", entry.category.id(), entry.message),
            );
        }
        let mut entries = entries;
        if dropped > 0 {
            entries.push(LogEntry {
                id: 0,
                time: self.clock.now(),
                category: Category::Processing,
                level: LogLevel::Warning,
                message: format!(
                    "{dropped} log entries were dropped because QBM's storage could not take them in time"
                ),
                workstation: String::new(),
            });
        }
        if !entries.is_empty() {
            let stored = self
                .migrate_legacy()
                .and_then(|()| STORE.append(self.host.as_ref(), entries));
            if let Err(err) = stored {
                // The log cannot log its own failure; the host's diagnostic log gets it.
                self.host.log(
                    Level::Error,
                    &format!("WooCommerce log entries could not be saved: {err}"),
                );
            }
        }
        self.flushing.store(false, Ordering::Release);
    }

    /// Moves entries written by plugin version 0.1 (ABI 1.0) into the current layout, once.
    fn migrate_legacy(&self) -> Result<(), StateError> {
        let host = self.host.as_ref();
        let Some(meta) = host.storage_get(StorageArea::CompanyState, legacy::META)? else {
            return Ok(());
        };
        // Unreadable meta: no segment is known, so none is read or removed.
        let range = serde_json::from_str::<legacy::Meta>(&meta)
            .ok()
            .map(|m| m.first_segment..=m.last_segment);
        let mut old = Vec::new();
        for index in range.clone().into_iter().flatten() {
            if let Some(text) =
                host.storage_get(StorageArea::CompanyState, &legacy::segment(index))?
            {
                old.extend(serde_json::from_str::<Vec<LogEntry>>(&text).unwrap_or_default());
            }
        }
        old.sort_by_key(|e| e.id);
        // Whoever removes the old meta first moves the entries; a second workstation finds
        // nothing to move.
        let mut mine = false;
        update(host, StorageArea::CompanyState, legacy::META, |current| {
            mine = current.is_some();
            None
        })?;
        if !mine {
            return Ok(());
        }
        if !old.is_empty() {
            STORE.append(host, old)?;
        }
        for index in range.into_iter().flatten() {
            host.storage_set(StorageArea::CompanyState, &legacy::segment(index), None)?;
        }
        Ok(())
    }

    /// Entries, newest first, optionally of one category only; unreadable stored parts are
    /// reported as an entry of their own.
    pub fn entries(&self, category: Option<Category>) -> Result<Vec<LogEntry>, StateError> {
        self.flush();
        self.migrate_legacy()?;
        let (mut all, problems): (Vec<LogEntry>, ReadProblems) = STORE.read(self.host.as_ref())?;
        for problem in problems.unreadable {
            all.push(LogEntry {
                id: u64::MAX,
                time: self.clock.now(),
                category: Category::Processing,
                level: LogLevel::Warning,
                message: format!(
                    "part of the stored log could not be read and is not shown ({problem})"
                ),
                workstation: String::new(),
            });
        }
        all.retain(|e| category.is_none_or(|c| e.category == c));
        Ok(all)
    }

    /// Removes every entry.
    pub fn clear(&self) -> Result<(), StateError> {
        self.flush();
        self.migrate_legacy()?;
        STORE.clear(self.host.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_removes_secrets_in_every_form() {
        let secret = Secret::new("cs_fedcba9876543210fedcba9876543210fedcba98");
        let text = "GET /x?consumer_key=ck_1&consumer_secret=cs_fedcba9876543210fedcba9876543210fedcba98&page=2 \
                    oauth_signature=abc%3D sig cs_0123456789abcdef0123456789abcdef01234567";
        let clean = scrub(text, &[secret]);
        assert!(!clean.contains("fedcba98"), "{clean}");
        assert!(
            !clean.contains("0123456789abcdef0123456789abcdef"),
            "{clean}"
        );
        assert!(!clean.contains("abc%3D"), "{clean}");
        assert!(clean.contains("page=2"), "{clean}");
        assert!(clean.contains("consumer_key=ck_1"), "{clean}");
    }

    #[test]
    fn basic_credentials_echoed_by_a_page_are_removed() {
        let clean = scrub(
            "blocked: Authorization: Basic Y2tfMTIzNDU2Nzg5MDpjc19hYmNkZWYxMjM0NTY3ODkw seen; Basic authentication",
            &[],
        );
        assert!(!clean.contains("Y2tf"), "{clean}");
        assert!(clean.contains("Basic authentication"), "{clean}");
    }

    #[test]
    fn short_cs_words_are_left_alone() {
        assert_eq!(scrub("cs_short and docs_x", &[]), "cs_short and docs_x");
    }
}

/// Sends the plugin's own `tracing` events (INFO and above) to the integration log. An event may
/// carry a `category` field (`connection`, `stock_sync`, `missing_item`, `processing`); without
/// one, events of the WooCommerce client count as connection messages and the rest as processing.
pub struct LogLayer {
    log: Arc<IntegrationLog>,
}

impl LogLayer {
    pub fn new(log: Arc<IntegrationLog>) -> Self {
        Self { log }
    }
}

#[derive(Default)]
struct EventText {
    message: String,
    category: Option<Category>,
    fields: Vec<String>,
}

impl tracing::field::Visit for EventText {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        match field.name() {
            "message" => self.message = value.to_string(),
            "category" => self.category = Category::parse(value),
            name => self.fields.push(format!("{name}={value}")),
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "category" => self.category = Category::parse(format!("{value:?}").trim_matches('"')),
            name => self.fields.push(format!("{name}={value:?}")),
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for LogLayer {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let metadata = event.metadata();
        let level = match *metadata.level() {
            tracing::Level::ERROR => Level::Error,
            tracing::Level::WARN => Level::Warn,
            tracing::Level::INFO => Level::Info,
            _ => return,
        };
        let mut text = EventText::default();
        event.record(&mut text);
        let category = text
            .category
            .unwrap_or(if metadata.target().contains("::woo") {
                Category::Connection
            } else {
                Category::Processing
            });
        let message = if text.fields.is_empty() {
            text.message
        } else {
            format!("{} ({})", text.message, text.fields.join(", "))
        };
        self.log.append(category, level, &message);
    }
}
