//! When two phone numbers are "the same phone".
//!
//! A number is reduced to its international digits: `+49 30 1234567`, `0049 30 1234567`,
//! `+49 (0)30 1234567` and — for an address in Germany — `030 1234567` all become
//! `+49301234567`. The national trunk prefix (`0` in most of Europe, `1` in North America) is
//! dropped using the country of the address the number belongs to; countries that keep their
//! leading digit internationally (Italy) or have no trunk prefix (Spain, Denmark, Poland …) keep
//! every digit. A national number whose country is unknown (or not in the table below) can only
//! equal the same national digits: it is never guessed into another country. Anything after the
//! first letter (`ext. 12`) is ignored, and numbers of fewer than six significant digits are not
//! used for matching at all, so a placeholder such as `0` or `123` never links two people.

use std::fmt;

/// Calling code and national trunk prefix per ISO 3166 country.
///
/// `""`: no trunk prefix, every national digit is kept; `"1"`: North American numbering, where the
/// leading `1` is optional.
const COUNTRIES: &[(&str, &str, &str)] = &[
    ("AT", "43", "0"),
    ("AU", "61", "0"),
    ("BE", "32", "0"),
    ("BG", "359", "0"),
    ("CA", "1", "1"),
    ("CH", "41", "0"),
    ("CN", "86", "0"),
    ("CZ", "420", ""),
    ("DE", "49", "0"),
    ("DK", "45", ""),
    ("EE", "372", ""),
    ("ES", "34", ""),
    ("FI", "358", "0"),
    ("FR", "33", "0"),
    ("GB", "44", "0"),
    ("GR", "30", ""),
    ("HR", "385", "0"),
    ("IE", "353", "0"),
    ("IL", "972", "0"),
    ("IN", "91", "0"),
    ("IT", "39", ""),
    ("JP", "81", "0"),
    ("LI", "423", ""),
    ("LU", "352", ""),
    ("LV", "371", ""),
    ("MX", "52", ""),
    ("NL", "31", "0"),
    ("NO", "47", ""),
    ("NZ", "64", "0"),
    ("PL", "48", ""),
    ("PT", "351", ""),
    ("RO", "40", "0"),
    ("SE", "46", "0"),
    ("SI", "386", "0"),
    ("SK", "421", "0"),
    ("TR", "90", "0"),
    ("UA", "380", "0"),
    ("US", "1", "1"),
    ("ZA", "27", "0"),
];

/// Fewer significant digits than this are not a usable phone number.
const MIN_DIGITS: usize = 6;

/// A phone number reduced for comparison.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PhoneKey {
    /// Calling code and subscriber digits, without `+` or `00`.
    International(String),
    /// National digits of a number whose country is unknown.
    National(String),
}

fn country_entry(country: &str) -> Option<(&'static str, &'static str)> {
    let country = country.trim();
    COUNTRIES
        .iter()
        .find(|(iso, _, _)| iso.eq_ignore_ascii_case(country))
        .map(|(_, code, trunk)| (*code, *trunk))
}

/// The trunk prefix used with a calling code (the same for every country sharing the code).
fn trunk_for_code(digits: &str) -> Option<(&'static str, &'static str)> {
    // Calling codes are prefix-free, so at most one length matches.
    (1..=3).find_map(|len| {
        let code = digits.get(..len)?;
        COUNTRIES
            .iter()
            .find(|(_, c, _)| *c == code)
            .map(|(_, c, trunk)| (*c, *trunk))
    })
}

fn significant(text: &str) -> String {
    text.chars()
        .take_while(|c| !c.is_alphabetic())
        .filter(char::is_ascii_digit)
        .collect()
}

impl PhoneKey {
    /// Reduces `raw` as written in an address of `country` (ISO code, may be empty).
    pub fn parse(raw: &str, country: &str) -> Option<PhoneKey> {
        let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let international_text = compact
            .strip_prefix('+')
            .or_else(|| compact.strip_prefix("00"));
        if let Some(rest) = international_text {
            // "+49 (0)30 …": the bracketed trunk zero is dialled only from inside the country.
            let digits = significant(&rest.replacen("(0)", "", 1));
            return (digits.len() > MIN_DIGITS).then_some(PhoneKey::International(digits));
        }
        let digits = significant(&compact);
        let national = match country_entry(country) {
            Some((code, "")) => Some((code, digits.as_str())),
            Some((code, "1")) => match digits.len() {
                10 => Some((code, digits.as_str())),
                11 => digits.strip_prefix('1').map(|rest| (code, rest)),
                _ => None,
            },
            Some((code, trunk)) => digits
                .strip_prefix(trunk)
                .filter(|rest| !rest.starts_with('0'))
                .map(|rest| (code, rest)),
            None => None,
        };
        match national {
            Some((code, rest)) if rest.len() >= MIN_DIGITS => {
                Some(PhoneKey::International(format!("{code}{rest}")))
            }
            Some(_) => None,
            None => (digits.len() >= MIN_DIGITS).then_some(PhoneKey::National(digits)),
        }
    }

    /// Spellings under which a QBM partner may have stored this number, for a host that
    /// compares digits only: `+49301234567`, `0049301234567`, `0301234567`.
    pub fn host_variants(&self) -> Vec<String> {
        match self {
            PhoneKey::National(digits) => vec![digits.clone()],
            PhoneKey::International(digits) => {
                let mut variants = vec![format!("+{digits}"), format!("00{digits}")];
                if let Some((code, trunk)) = trunk_for_code(digits) {
                    let rest = &digits[code.len()..];
                    variants.push(format!("{trunk}{rest}"));
                    if trunk == "1" {
                        variants.push(rest.to_string());
                    }
                }
                variants
            }
        }
    }
}

impl fmt::Display for PhoneKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PhoneKey::International(digits) => write!(f, "+{digits}"),
            PhoneKey::National(digits) => f.write_str(digits),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(raw: &str, country: &str) -> Option<String> {
        PhoneKey::parse(raw, country).map(|k| k.to_string())
    }

    #[test]
    fn the_same_phone_written_differently() {
        // (raw, country of the address, key)
        let cases = [
            ("+49 30 1234567", "DE", Some("+49301234567")),
            ("0049 30 1234567", "DE", Some("+49301234567")),
            ("030 1234567", "DE", Some("+49301234567")),
            ("030/123 45 67", "de", Some("+49301234567")),
            ("+49 (0)30 1234567", "", Some("+49301234567")),
            ("+49 30 1234567", "", Some("+49301234567")),
            ("0049-30-1234567", "AT", Some("+49301234567")),
            // Without a known country a national number stays national.
            ("030 1234567", "", Some("0301234567")),
            ("030 1234567", "XX", Some("0301234567")),
            // Austria, Switzerland, UK: trunk 0.
            ("01 234 5678", "AT", Some("+4312345678")),
            ("044 123 45 67", "CH", Some("+41441234567")),
            ("020 7946 0000", "GB", Some("+442079460000")),
            // Italy keeps its leading 0 abroad; Spain has no trunk prefix.
            ("06 1234 5678", "IT", Some("+390612345678")),
            ("+39 06 1234 5678", "", Some("+390612345678")),
            ("912 345 678", "ES", Some("+34912345678")),
            // North America: 10 digits, with or without the leading 1.
            ("(555) 123-4567", "US", Some("+15551234567")),
            ("1-555-123-4567", "CA", Some("+15551234567")),
            // An extension is not part of the number.
            ("040 987654 ext. 12", "DE", Some("+4940987654")),
            // Local number without area code in a trunk-0 country: kept national, not guessed.
            ("1234567", "DE", Some("1234567")),
            // Too short or empty: never matched.
            ("0", "DE", None),
            ("123", "", None),
            ("", "DE", None),
            ("+49", "", None),
            ("n/a", "DE", None),
        ];
        for (raw, country, expected) in cases {
            assert_eq!(key(raw, country).as_deref(), expected, "{raw} in {country}");
        }
    }

    #[test]
    fn spellings_for_a_host_that_compares_digits() {
        let de = PhoneKey::parse("030 1234567", "DE").unwrap();
        assert_eq!(
            de.host_variants(),
            ["+49301234567", "0049301234567", "0301234567"]
        );
        let us = PhoneKey::parse("555 123 4567", "US").unwrap();
        assert_eq!(
            us.host_variants(),
            ["+15551234567", "0015551234567", "15551234567", "5551234567"]
        );
        let es = PhoneKey::parse("912345678", "ES").unwrap();
        assert_eq!(
            es.host_variants(),
            ["+34912345678", "0034912345678", "912345678"]
        );
        let unknown = PhoneKey::parse("+999 1234567", "").unwrap();
        assert_eq!(unknown.host_variants(), ["+9991234567", "009991234567"]);
        let national = PhoneKey::parse("0301234567", "").unwrap();
        assert_eq!(national.host_variants(), ["0301234567"]);
    }

    proptest::proptest! {
        /// A German number is the same phone in national, `+49` and `0049` form.
        #[test]
        fn german_forms_agree(area in 2u32..9999, subscriber in 1000u32..99_999_999) {
            let rest = format!("{area}{subscriber}");
            let national = PhoneKey::parse(&format!("0{area} {subscriber}"), "DE");
            proptest::prop_assert!(national.is_some());
            proptest::prop_assert_eq!(&national, &PhoneKey::parse(&format!("+49 {rest}"), ""));
            proptest::prop_assert_eq!(&national, &PhoneKey::parse(&format!("0049{rest}"), "AT"));
            proptest::prop_assert_eq!(&national, &PhoneKey::parse(&format!("+49 (0){rest}"), "FR"));
        }
    }
}
