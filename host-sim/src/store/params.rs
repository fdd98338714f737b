//! Query parameter validation as WordPress does it from the route's argument schema: every
//! invalid parameter is collected into one `rest_invalid_param` error.

use super::dates::QueryDate;
use super::errors::{ParamIssue, WcError, english_list};
use super::query::{PhpParams, PhpValue};

/// Collects parameter problems in schema order.
pub(crate) struct Checker<'a> {
    params: &'a PhpParams,
    issues: Vec<ParamIssue>,
}

impl<'a> Checker<'a> {
    pub fn new(params: &'a PhpParams) -> Self {
        Checker {
            params,
            issues: Vec::new(),
        }
    }

    fn issue(&mut self, param: &str, code: &str, message: String) {
        self.issues.push(ParamIssue {
            param: param.to_owned(),
            code: code.to_owned(),
            message,
        });
    }

    /// A string parameter (arrays are a type error).
    pub fn string(&mut self, name: &str) -> Option<String> {
        match self.params.get(name)? {
            PhpValue::Str(s) => Some(s.clone()),
            PhpValue::Array(_) => {
                self.issue(
                    name,
                    "rest_invalid_type",
                    format!("{name} is not of type string."),
                );
                None
            }
        }
    }

    /// An integer parameter with optional bounds.
    pub fn integer(&mut self, name: &str, min: Option<i64>, max: Option<i64>) -> Option<i64> {
        let raw = self.params.get(name)?;
        let Some(value) = raw.as_str().and_then(parse_integer) else {
            self.issue(
                name,
                "rest_invalid_type",
                format!("{name} is not of type integer."),
            );
            return None;
        };
        let out_of_bounds = min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m);
        if out_of_bounds {
            let message = match (min, max) {
                (Some(lo), Some(hi)) => {
                    format!("{name} must be between {lo} (inclusive) and {hi} (inclusive)")
                }
                (Some(lo), None) => format!("{name} must be greater than or equal to {lo}"),
                (None, Some(hi)) => format!("{name} must be less than or equal to {hi}"),
                (None, None) => unreachable!("bounds checked above"),
            };
            self.issue(name, "rest_out_of_bounds", message);
            return None;
        }
        Some(value)
    }

    /// A boolean parameter (`true`/`false`/`1`/`0`).
    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        let raw = self.params.get(name)?;
        match raw.as_str().and_then(parse_bool) {
            Some(b) => Some(b),
            None => {
                self.issue(
                    name,
                    "rest_invalid_type",
                    format!("{name} is not of type boolean."),
                );
                None
            }
        }
    }

    /// A string that must be one of `allowed`.
    pub fn one_of(&mut self, name: &str, allowed: &[&str]) -> Option<String> {
        let value = self.string(name)?;
        if allowed.contains(&value.as_str()) {
            Some(value)
        } else {
            self.issue(
                name,
                "rest_not_in_enum",
                format!("{name} is not one of {}.", english_list(allowed)),
            );
            None
        }
    }

    /// A list whose items must be in `allowed` (a comma list or `name[]=…`).
    pub fn list_of(&mut self, name: &str, allowed: &[&str]) -> Option<Vec<String>> {
        let items = self.params.get(name)?.list();
        let items: Vec<String> = items
            .into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        for (i, item) in items.iter().enumerate() {
            if !allowed.contains(&item.as_str()) {
                self.issue(
                    name,
                    "rest_not_in_enum",
                    format!("{name}[{i}] is not one of {}.", english_list(allowed)),
                );
                return None;
            }
        }
        Some(items)
    }

    /// A list of integers (`include`, `exclude`).
    pub fn id_list(&mut self, name: &str) -> Vec<u64> {
        let Some(raw) = self.params.get(name) else {
            return Vec::new();
        };
        let mut ids = Vec::new();
        for (i, item) in raw.list().iter().enumerate() {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            match parse_integer(item) {
                Some(v) if v >= 0 => ids.push(v.unsigned_abs()),
                _ => {
                    self.issue(
                        name,
                        "rest_invalid_type",
                        format!("{name}[{i}] is not of type integer."),
                    );
                    return Vec::new();
                }
            }
        }
        ids
    }

    /// A date-time parameter.
    pub fn date(&mut self, name: &str) -> Option<QueryDate> {
        let value = self.string(name)?;
        match QueryDate::parse(&value) {
            Some(d) => Some(d),
            None => {
                self.issue(name, "rest_invalid_date", "Invalid date.".to_owned());
                None
            }
        }
    }

    /// An e-mail parameter.
    pub fn email(&mut self, name: &str) -> Option<String> {
        let value = self.string(name)?;
        if is_email(&value) {
            Some(value)
        } else {
            self.issue(
                name,
                "rest_invalid_email",
                "Invalid email address.".to_owned(),
            );
            None
        }
    }

    pub fn finish(self) -> Result<(), WcError> {
        if self.issues.is_empty() {
            Ok(())
        } else {
            Err(WcError::invalid_params(self.issues))
        }
    }
}

/// WordPress `rest_is_integer` on a string: numeric with no fractional part.
pub(crate) fn parse_integer(text: &str) -> Option<i64> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return None;
    }
    if let Ok(v) = trimmed.parse::<i64>() {
        return Some(v);
    }
    let f = trimmed.parse::<f64>().ok()?;
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 {
        // Lossless: |f| is below 2^53 and integral.
        #[allow(clippy::cast_possible_truncation)]
        Some(f as i64)
    } else {
        None
    }
}

/// WordPress `rest_is_boolean` on a string.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" | "" => Some(false),
        _ => None,
    }
}

/// WordPress `is_email`, simplified: local part, `@`, a dotted domain.
pub(crate) fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    if local.is_empty() || domain.len() < 3 || text.len() < 6 {
        return false;
    }
    let local_ok = local
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_like_wordpress() {
        assert_eq!(parse_integer("10"), Some(10));
        assert_eq!(parse_integer("10.0"), Some(10));
        assert_eq!(parse_integer("1.5"), None);
        assert_eq!(parse_integer("abc"), None);
        assert_eq!(parse_integer(""), None);
    }

    #[test]
    fn checker_collects_every_problem() {
        let params = PhpParams::parse("per_page=101&page=0&orderby=nope");
        let mut checker = Checker::new(&params);
        assert_eq!(checker.integer("page", Some(1), None), None);
        assert_eq!(checker.integer("per_page", Some(1), Some(100)), None);
        assert_eq!(checker.one_of("orderby", &["id", "date"]), None);
        let error = checker.finish().expect_err("invalid");
        assert_eq!(
            error.message,
            "Invalid parameter(s): page, per_page, orderby"
        );
    }

    #[test]
    fn emails() {
        assert!(is_email("anna.schmidt@example.test"));
        assert!(!is_email("anna"));
        assert!(!is_email("a@b"));
    }
}
