//! Query strings read the way PHP reads them into `$_GET`.
//!
//! PHP decodes `+` as a space, keeps only the last of several equal names, turns `name[]=a` and
//! `name[k]=a` into arrays and replaces `.` and spaces in names with `_`. Filters and the OAuth
//! signature both see these values, so the simulator parses them the same way.

use percent_encoding::percent_decode_str;

/// A parameter value as PHP holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PhpValue {
    Str(String),
    /// `name[key]=value` pairs in insertion order (`name[]` gets numeric keys).
    Array(Vec<(String, String)>),
}

impl PhpValue {
    /// The value as a comma list: a string is split on commas, an array gives its values.
    pub fn list(&self) -> Vec<String> {
        match self {
            PhpValue::Str(s) => s.split(',').map(str::to_owned).collect(),
            PhpValue::Array(items) => items.iter().map(|(_, v)| v.clone()).collect(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            PhpValue::Str(s) => Some(s),
            PhpValue::Array(_) => None,
        }
    }
}

/// Parameters in first-seen order, last value winning, as PHP's `$_GET`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PhpParams {
    entries: Vec<(String, PhpValue)>,
}

impl PhpParams {
    pub fn parse(raw_query: &str) -> Self {
        let mut params = PhpParams::default();
        for (name, value) in decode_pairs(raw_query) {
            params.insert_php(&name, value);
        }
        params
    }

    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut params = PhpParams::default();
        for (name, value) in pairs {
            params.insert_php(&name, value);
        }
        params
    }

    fn insert_php(&mut self, raw_name: &str, value: String) {
        let (base, key) = match raw_name.find('[') {
            Some(open) if raw_name.ends_with(']') && open > 0 => (
                &raw_name[..open],
                Some(&raw_name[open + 1..raw_name.len() - 1]),
            ),
            _ => (raw_name, None),
        };
        let base: String = base
            .chars()
            .map(|c| if c == '.' || c == ' ' { '_' } else { c })
            .collect();
        match key {
            None => self.set(base, PhpValue::Str(value)),
            Some(key) => {
                let position = self.entries.iter().position(|(n, _)| *n == base);
                let entry = match position {
                    Some(i) => &mut self.entries[i].1,
                    None => {
                        self.entries
                            .push((base.clone(), PhpValue::Array(Vec::new())));
                        let last = self.entries.len() - 1;
                        &mut self.entries[last].1
                    }
                };
                if let PhpValue::Str(_) = entry {
                    *entry = PhpValue::Array(Vec::new());
                }
                if let PhpValue::Array(items) = entry {
                    let key = if key.is_empty() {
                        let next = items
                            .iter()
                            .filter_map(|(k, _)| k.parse::<u64>().ok())
                            .max()
                            .map_or(0, |m| m + 1);
                        next.to_string()
                    } else {
                        key.to_owned()
                    };
                    match items.iter_mut().find(|(k, _)| *k == key) {
                        Some(slot) => slot.1 = value,
                        None => items.push((key, value)),
                    }
                }
            }
        }
    }

    /// Sets `name`, keeping its first position when it already exists.
    pub fn set(&mut self, name: String, value: PhpValue) {
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((name, value)),
        }
    }

    /// Removes `name` (PHP `unset`).
    pub fn remove(&mut self, name: &str) {
        self.entries.retain(|(n, _)| n != name);
    }

    pub fn get(&self, name: &str) -> Option<&PhpValue> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(PhpValue::as_str)
    }

    /// `!empty($_GET[name])` for a string value.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get_str(name).filter(|v| !v.is_empty() && *v != "0")
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = &(String, PhpValue)> {
        self.entries.iter()
    }

    pub fn merge(&mut self, other: &PhpParams) {
        for (name, value) in &other.entries {
            self.set(name.clone(), value.clone());
        }
    }
}

/// Splits a raw query (or form body) into decoded `(name, value)` pairs, `+` meaning space.
pub(crate) fn decode_pairs(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|part| !part.is_empty())
        .filter_map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            let name = form_decode(name);
            if name.is_empty() {
                None
            } else {
                Some((name, form_decode(value)))
            }
        })
        .collect()
}

/// PHP `urldecode`: `+` is a space, `%XX` is a byte; invalid UTF-8 is replaced.
pub(crate) fn form_decode(s: &str) -> String {
    let spaced = s.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_value_wins_and_plus_is_space() {
        let p = PhpParams::parse("a=1&b=x+y&a=2&c=%2B");
        assert_eq!(p.get_str("a"), Some("2"));
        assert_eq!(p.get_str("b"), Some("x y"));
        assert_eq!(p.get_str("c"), Some("+"));
        let names: Vec<_> = p.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
    }

    #[test]
    fn brackets_make_arrays() {
        let p = PhpParams::parse("status[]=processing&status[]=completed&x[k]=v&a.b=1");
        assert_eq!(
            p.get("status").map(PhpValue::list),
            Some(vec!["processing".to_owned(), "completed".to_owned()])
        );
        assert_eq!(
            p.get("x"),
            Some(&PhpValue::Array(vec![("k".into(), "v".into())]))
        );
        assert_eq!(p.get_str("a_b"), Some("1"));
    }
}
