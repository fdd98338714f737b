//! The WooCommerce log that support and users read in the Logs screen: timestamped entries by
//! category, kept in the host's plugin-state storage so they survive restarts, bounded in size
//! (the oldest entries go first), with secrets removed before anything is stored.
//!
//! Entries are stored in segments of [`SEGMENT_ENTRIES`] under `log.segment.<n>`, with the range
//! of live segments in `log.meta`, so appending rewrites one small segment rather than the whole
//! log.

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::host_port::{HostPort, Level, StorageArea};
use crate::secret::{Secret, redact};

/// Entries per stored segment.
pub const SEGMENT_ENTRIES: usize = 200;
/// Segments kept; older ones are dropped, so the log holds at most
/// `SEGMENT_ENTRIES * MAX_SEGMENTS` entries.
pub const MAX_SEGMENTS: u64 = 10;
/// Longest message stored, in bytes; longer ones are cut.
const MAX_MESSAGE: usize = 2000;

const META_KEY: &str = "log.meta";

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
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "connection" => Some(Category::Connection),
            "stock_sync" => Some(Category::StockSync),
            "missing_item" => Some(Category::MissingItem),
            "processing" => Some(Category::Processing),
            _ => None,
        }
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

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub id: u64,
    pub time: DateTime<Utc>,
    pub category: Category,
    /// `error`, `warning` or `info`.
    pub level: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct Meta {
    first_segment: u64,
    last_segment: u64,
    next_id: u64,
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warn => "warning",
        Level::Info => "info",
        Level::Debug => "debug",
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
    secrets: RwLock<Vec<Secret>>,
    /// Serialises read-modify-write of the stored segments within this instance.
    write: Mutex<()>,
}

impl IntegrationLog {
    pub fn new(host: Arc<dyn HostPort>) -> Self {
        Self {
            host,
            secrets: RwLock::new(Vec::new()),
            write: Mutex::new(()),
        }
    }

    /// The secrets to remove from every message from now on (the current consumer secret).
    pub fn set_secrets(&self, secrets: Vec<Secret>) {
        *self.secrets.write().unwrap_or_else(PoisonError::into_inner) = secrets;
    }

    /// Text with every known secret removed.
    pub fn scrub(&self, text: &str) -> String {
        scrub(
            text,
            &self.secrets.read().unwrap_or_else(PoisonError::into_inner),
        )
    }

    fn load<T: for<'de> Deserialize<'de> + Default>(&self, key: &str) -> T {
        match self.host.storage_get(StorageArea::CompanyState, key) {
            Ok(Some(text)) => serde_json::from_str(&text).unwrap_or_default(),
            _ => T::default(),
        }
    }

    fn store(&self, key: &str, value: Option<String>) -> bool {
        match self
            .host
            .storage_set(StorageArea::CompanyState, key, value.as_deref())
        {
            Ok(()) => true,
            Err(err) => {
                // The log cannot log its own failure; the host's diagnostic log gets it.
                self.host.log(
                    Level::Error,
                    &format!("WooCommerce log could not be saved: {err}"),
                );
                false
            }
        }
    }

    fn segment_key(index: u64) -> String {
        format!("log.segment.{index}")
    }

    /// Adds an entry (also sent to the host's diagnostic log). Never fails: storage problems are
    /// reported to the host's log instead.
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
        self.host
            .log(level, &format!("[WooCommerce/{}] {message}", category.id()));
        let _guard = self.write.lock().unwrap_or_else(PoisonError::into_inner);
        let mut meta: Meta = self.load(META_KEY);
        let mut segment: Vec<LogEntry> = self.load(&Self::segment_key(meta.last_segment));
        if segment.len() >= SEGMENT_ENTRIES {
            meta.last_segment += 1;
            segment = Vec::new();
            while meta.last_segment - meta.first_segment >= MAX_SEGMENTS {
                self.store(&Self::segment_key(meta.first_segment), None);
                meta.first_segment += 1;
            }
        }
        segment.push(LogEntry {
            id: meta.next_id,
            time: Utc::now(),
            category,
            level: level_name(level).to_string(),
            message,
        });
        meta.next_id += 1;
        if let Ok(text) = serde_json::to_string(&segment)
            && self.store(&Self::segment_key(meta.last_segment), Some(text))
            && let Ok(text) = serde_json::to_string(&meta)
        {
            self.store(META_KEY, Some(text));
        }
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

    /// Entries, newest first, optionally of one category only.
    pub fn entries(&self, category: Option<Category>) -> Vec<LogEntry> {
        let meta: Meta = self.load(META_KEY);
        let mut all = Vec::new();
        for index in (meta.first_segment..=meta.last_segment).rev() {
            let mut segment: Vec<LogEntry> = self.load(&Self::segment_key(index));
            segment.reverse();
            all.extend(
                segment
                    .into_iter()
                    .filter(|e| category.is_none_or(|c| e.category == c)),
            );
        }
        all
    }

    /// Removes every entry.
    pub fn clear(&self) {
        let _guard = self.write.lock().unwrap_or_else(PoisonError::into_inner);
        let meta: Meta = self.load(META_KEY);
        for index in meta.first_segment..=meta.last_segment {
            self.store(&Self::segment_key(index), None);
        }
        let fresh = Meta {
            first_segment: meta.last_segment + 1,
            last_segment: meta.last_segment + 1,
            next_id: meta.next_id,
        };
        if let Ok(text) = serde_json::to_string(&fresh) {
            self.store(META_KEY, Some(text));
        }
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
