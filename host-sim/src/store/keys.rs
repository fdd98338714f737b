//! REST API keys (WooCommerce → Settings → Advanced → REST API) and their used OAuth nonces.

use std::collections::BTreeMap;
use std::fmt;

use rand::Rng as _;

/// What a key may do, as chosen when the key is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPermission {
    /// GET/HEAD only.
    Read,
    /// POST/PUT/PATCH/DELETE only.
    Write,
    /// Everything.
    ReadWrite,
}

impl KeyPermission {
    pub(crate) fn can_read(self) -> bool {
        matches!(self, KeyPermission::Read | KeyPermission::ReadWrite)
    }

    pub(crate) fn can_write(self) -> bool {
        matches!(self, KeyPermission::Write | KeyPermission::ReadWrite)
    }
}

/// A consumer key and secret as shown once by WooCommerce.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// `ck_` followed by 40 hex digits.
    pub consumer_key: String,
    /// `cs_` followed by 40 hex digits.
    pub consumer_secret: String,
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("consumer_key", &self.consumer_key)
            .field("consumer_secret", &"<redacted>")
            .finish()
    }
}

impl ApiKey {
    /// A new random key pair in WooCommerce's format.
    pub fn random() -> Self {
        ApiKey {
            consumer_key: format!("ck_{}", random_hex40()),
            consumer_secret: format!("cs_{}", random_hex40()),
        }
    }
}

fn random_hex40() -> String {
    let bytes: [u8; 20] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One stored key, like a row of `wp_woocommerce_api_keys`.
#[derive(Debug, Clone)]
pub(crate) struct KeyRecord {
    pub key: ApiKey,
    pub permission: KeyPermission,
    /// Used nonces by timestamp, as WooCommerce stores them (a later nonce with the same timestamp
    /// replaces the earlier one).
    pub nonces: BTreeMap<i64, String>,
}

/// All keys of the store.
#[derive(Debug, Default)]
pub(crate) struct KeyRing {
    keys: Vec<KeyRecord>,
}

impl KeyRing {
    pub fn insert(&mut self, key: ApiKey, permission: KeyPermission) {
        self.keys.retain(|k| k.key.consumer_key != key.consumer_key);
        self.keys.push(KeyRecord {
            key,
            permission,
            nonces: BTreeMap::new(),
        });
    }

    pub fn revoke(&mut self, consumer_key: &str) {
        self.keys.retain(|k| k.key.consumer_key != consumer_key);
    }

    /// Deletes every key.
    pub fn revoke_all(&mut self) {
        self.keys.clear();
    }

    pub fn find(&self, consumer_key: &str) -> Option<&KeyRecord> {
        self.keys
            .iter()
            .find(|k| k.key.consumer_key == consumer_key)
    }

    pub fn find_mut(&mut self, consumer_key: &str) -> Option<&mut KeyRecord> {
        self.keys
            .iter_mut()
            .find(|k| k.key.consumer_key == consumer_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_keys_have_the_woocommerce_format() {
        let key = ApiKey::random();
        assert!(key.consumer_key.starts_with("ck_"));
        assert!(key.consumer_secret.starts_with("cs_"));
        assert_eq!(key.consumer_key.len(), 43);
        assert!(
            key.consumer_secret[3..]
                .chars()
                .all(|c| c.is_ascii_hexdigit())
        );
        assert!(!format!("{key:?}").contains(&key.consumer_secret));
    }

    #[test]
    fn revoked_keys_are_gone() {
        let mut ring = KeyRing::default();
        let key = ApiKey::random();
        ring.insert(key.clone(), KeyPermission::Read);
        assert!(ring.find(&key.consumer_key).is_some());
        ring.revoke(&key.consumer_key);
        assert!(ring.find(&key.consumer_key).is_none());
    }
}
