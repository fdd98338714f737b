//! Property tests for the pure parts of the client: encoding, signing, chunking, money.

use proptest::prelude::*;
use qbm_woocommerce::secret::Secret;
use qbm_woocommerce::woo::encode::rfc3986;
use qbm_woocommerce::woo::model::Order;
use qbm_woocommerce::woo::oauth::{OAuthStamp, SignatureMethod, base_uri, sign, sign_url};
use qbm_woocommerce::woo::{chunk_skus, plan_chunks};
use rust_decimal::Decimal;

proptest! {
    #[test]
    fn rfc3986_round_trips_and_uses_only_unreserved_or_escapes(s in "\\PC{0,40}") {
        let enc = rfc3986(&s);
        let back = percent_encoding::percent_decode_str(&enc).decode_utf8().unwrap();
        prop_assert_eq!(back.as_ref(), s.as_str());
        let bytes = enc.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'%' {
                prop_assert!(bytes[i + 1].is_ascii_hexdigit() && !bytes[i + 1].is_ascii_lowercase());
                prop_assert!(bytes[i + 2].is_ascii_hexdigit() && !bytes[i + 2].is_ascii_lowercase());
                i += 3;
            } else {
                prop_assert!(b.is_ascii_alphanumeric() || b"-._~".contains(&b), "raw byte {}", b);
                i += 1;
            }
        }
    }

    /// What the server reconstructs from the URL as received verifies the signature, for any
    /// parameter values (spaces, plus signs, slashes, commas, non-ASCII).
    #[test]
    fn signed_urls_verify_from_what_is_sent(
        values in proptest::collection::vec("\\PC{0,12}", 1..5),
        method in prop_oneof![Just("GET"), Just("POST")],
        sha1 in any::<bool>(),
    ) {
        let query: String = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("p{i}={}", rfc3986(v)))
            .collect::<Vec<_>>()
            .join("&");
        let url = url::Url::parse(&format!("http://shop.example.com/wp-json/wc/v3/products?{query}")).unwrap();
        let alg = if sha1 { SignatureMethod::HmacSha1 } else { SignatureMethod::HmacSha256 };
        let stamp = OAuthStamp { consumer_key: "ck_x".into(), timestamp: 1_700_000_000, nonce: "n0nce".into(), method: alg };
        let secret = Secret::new("cs_y");
        let signed = sign_url(method, &url, &stamp, &secret);
        let reparsed = url::Url::parse(signed.as_str()).unwrap();
        let mut params: Vec<(String, String)> = reparsed.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let sig = params.iter().find(|(k, _)| k == "oauth_signature").unwrap().1.clone();
        params.retain(|(k, _)| k != "oauth_signature");
        for (i, v) in values.iter().enumerate() {
            let name = format!("p{i}");
            prop_assert_eq!(&params.iter().find(|(k, _)| *k == name).unwrap().1, v);
        }
        prop_assert_eq!(sign(alg, method, &base_uri(&reparsed), &params, &secret), sig);
    }

    #[test]
    fn batch_plans_cover_every_item_once_in_order(
        c in 0usize..400, u in 0usize..400, d in 0usize..400, limit in 1usize..150,
    ) {
        let plan = plan_chunks((c, u, d), limit);
        let mut next = (0, 0, 0);
        for chunk in &plan {
            prop_assert!(!chunk.is_empty() && chunk.len() <= limit);
            prop_assert_eq!((chunk.create.start, chunk.update.start, chunk.delete.start), next);
            next = (chunk.create.end, chunk.update.end, chunk.delete.end);
        }
        prop_assert_eq!(next, (c, u, d));
        prop_assert_eq!(plan.len(), (c + u + d).div_ceil(limit));
    }

    #[test]
    fn sku_chunks_keep_each_distinct_sku_once(
        skus in proptest::collection::vec("[A-Za-z0-9 ,_-]{0,12}", 0..400),
    ) {
        let chunks = chunk_skus(&skus, 100, 1500);
        let flat: Vec<String> = chunks.concat();
        let mut expected: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for s in &skus {
            let t = s.trim();
            if !t.is_empty() && seen.insert(t.to_lowercase()) {
                expected.push(t.to_owned());
            }
        }
        let mut a = flat.clone();
        let mut b = expected.clone();
        a.sort();
        b.sort();
        prop_assert_eq!(a, b);
        for chunk in &chunks {
            prop_assert!(!chunk.is_empty() && chunk.len() <= 100);
            if chunk.len() > 1 {
                prop_assert!(chunk.iter().all(|s| !s.contains(',')));
                prop_assert!(chunk.iter().map(|s| rfc3986(s).len() + 3).sum::<usize>() <= 1500);
            }
        }
    }

    /// Money survives both wire forms: a string, and a JSON number with up to 15 significant
    /// digits (what PHP's float output gives), without drifting through binary floating point.
    #[test]
    fn money_is_exact_from_strings_and_numbers(units in -9_999_999_999i64..9_999_999_999i64, scale in 0u32..5) {
        let d = Decimal::new(units, scale);
        let text = d.to_string();
        let from_string: Order = serde_json::from_str(&format!(r#"{{"total":"{text}"}}"#)).unwrap();
        prop_assert_eq!(from_string.total, d);
        let from_number: Order = serde_json::from_str(&format!(r#"{{"line_items":[{{"price":{text}}}]}}"#)).unwrap();
        prop_assert_eq!(from_number.line_items[0].price.normalize(), d.normalize());
    }
}
