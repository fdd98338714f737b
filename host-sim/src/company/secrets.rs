//! The host's protected storage for the plugin's secrets (`secret_get`/`secret_set`), kept out
//! of the company database.
//!
//! A real QBM keeps them with the operating system's secret service (Windows DPAPI, the macOS
//! Keychain, a Secret Service on Linux). host-sim stands in with a file beside the company file,
//! `<company file>.secrets`, readable and writable by its owner only (mode 0600), or with memory
//! for an in-memory company. The file is not encrypted: what it protects and what it does not
//! is written down in `host-sim/README-secrets.md`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Where secrets are kept.
pub struct SecretStore {
    file: Option<PathBuf>,
    /// The values of an in-memory store; for a file, serialises this process's writers.
    memory: Mutex<BTreeMap<String, String>>,
}

/// `<company file>.secrets`.
pub fn file_beside(company: &Path) -> PathBuf {
    let mut name = company.as_os_str().to_os_string();
    name.push(".secrets");
    PathBuf::from(name)
}

impl SecretStore {
    /// A store in the file beside `company`; the file is created on the first write.
    pub fn beside(company: &Path) -> std::io::Result<Self> {
        let store = Self {
            file: Some(file_beside(company)),
            memory: Mutex::new(BTreeMap::new()),
        };
        // Fail now, not at the first secret, when an existing file cannot be read.
        store.read_file()?;
        Ok(store)
    }

    pub fn in_memory() -> Self {
        Self {
            file: None,
            memory: Mutex::new(BTreeMap::new()),
        }
    }

    /// The file the secrets are kept in (`None` in memory).
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, String>> {
        self.memory.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn read_file(&self) -> std::io::Result<BTreeMap<String, String>> {
        let Some(path) = &self.file else {
            return Ok(self.lock().clone());
        };
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|err| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{} is not a secret store: {err}", path.display()),
                )
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(err) => Err(err),
        }
    }

    /// The secret under `key`, if any. Read from the file every time, so a secret another
    /// workstation (process) saved is seen at once.
    pub fn get(&self, key: &str) -> std::io::Result<Option<String>> {
        Ok(self.read_file()?.remove(key))
    }

    /// Stores (`Some`) or removes (`None`) the secret under `key`.
    ///
    /// The file is replaced as a whole: the new content goes to a private temporary file that
    /// is then renamed over the old one, so a reader never sees half a file. Two processes
    /// writing different keys at the same instant can lose one of the writes (the last rename
    /// wins); the plugin keeps one secret, written when an administrator saves Options.
    pub fn set(&self, key: &str, value: Option<&str>) -> std::io::Result<()> {
        let Some(path) = &self.file else {
            let mut memory = self.lock();
            match value {
                Some(value) => memory.insert(key.to_string(), value.to_string()),
                None => memory.remove(key),
            };
            return Ok(());
        };
        let _writer = self.lock();
        let mut secrets = self.read_file()?;
        match value {
            Some(value) => secrets.insert(key.to_string(), value.to_string()),
            None => secrets.remove(key),
        };
        let text = serde_json::to_vec(&secrets).map_err(std::io::Error::other)?;
        let mut temp_name = path.as_os_str().to_os_string();
        temp_name.push(format!(".{}.tmp", std::process::id()));
        let temp = PathBuf::from(temp_name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Created private: the secret is never readable by others, not even for a moment.
            options.mode(0o600);
        }
        let mut file = options.open(&temp)?;
        file.write_all(&text)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_survive_a_new_store_and_the_file_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let company = dir.path().join("company.sqlite");
        let store = SecretStore::beside(&company).unwrap();
        assert_eq!(store.get("consumer_secret").unwrap(), None);
        store.set("consumer_secret", Some("cs_1")).unwrap();
        store.set("other", Some("x")).unwrap();
        store.set("other", None).unwrap();
        let again = SecretStore::beside(&company).unwrap();
        assert_eq!(
            again.get("consumer_secret").unwrap().as_deref(),
            Some("cs_1")
        );
        assert_eq!(again.get("other").unwrap(), None);
        let file = dir.path().join("company.sqlite.secrets");
        assert_eq!(store.file(), Some(file.as_path()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
    }

    #[test]
    fn in_memory_stores_forget_nothing_and_write_no_file() {
        let store = SecretStore::in_memory();
        store.set("k", Some("v")).unwrap();
        assert_eq!(store.get("k").unwrap().as_deref(), Some("v"));
        assert!(store.file().is_none());
    }
}
