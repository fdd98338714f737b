//! Certificates for serving the simulated store over HTTPS.
//!
//! A private CA signs a leaf certificate for `127.0.0.1` and `localhost`. Clients trust the store
//! only by trusting that CA (for example through `SSL_CERT_FILE`), exactly as they would trust a
//! real store's certificate chain; nothing here needs a client to switch verification off.

use std::fmt;
use std::io;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

const CA_CERT_FILE: &str = "ca.pem";
const LEAF_CERT_FILE: &str = "leaf.pem";
const LEAF_KEY_FILE: &str = "leaf.key.pem";

/// A CA certificate and a server certificate for `127.0.0.1`/`localhost` signed by it (PEM).
#[derive(Clone)]
pub struct TlsMaterial {
    ca_pem: String,
    leaf_pem: String,
    leaf_key_pem: String,
}

impl fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The private key stays out of debug output.
        f.debug_struct("TlsMaterial").finish_non_exhaustive()
    }
}

impl TlsMaterial {
    /// Generates a fresh CA and a leaf certificate for `127.0.0.1` (IP SAN) and `localhost`.
    pub fn generate() -> anyhow::Result<Self> {
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "host-sim store test CA");
        ca_params
            .distinguished_name
            .push(DnType::OrganizationName, "host-sim");
        ca_params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
        ];
        let ca_key = KeyPair::generate()?;
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let mut leaf_params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])?;
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, "127.0.0.1");
        leaf_params.use_authority_key_identifier_extension = true;
        leaf_params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let leaf_key = KeyPair::generate()?;
        let leaf_cert = leaf_params.signed_by(&leaf_key, &issuer)?;

        Ok(TlsMaterial {
            ca_pem: ca_cert.pem(),
            leaf_pem: leaf_cert.pem(),
            leaf_key_pem: leaf_key.serialize_pem(),
        })
    }

    /// The CA certificate (PEM) a client must trust.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// Writes the CA certificate (PEM) to `path`, e.g. for `SSL_CERT_FILE`.
    pub fn write_ca_file(&self, path: &Path) -> io::Result<()> {
        std::fs::write(path, self.ca_pem.as_bytes())
    }

    /// Saves the CA certificate, the leaf certificate and the leaf key into `dir`.
    pub fn save(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(CA_CERT_FILE), self.ca_pem.as_bytes())?;
        std::fs::write(dir.join(LEAF_CERT_FILE), self.leaf_pem.as_bytes())?;
        std::fs::write(dir.join(LEAF_KEY_FILE), self.leaf_key_pem.as_bytes())
    }

    /// Loads material written by [`TlsMaterial::save`].
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .with_context(|| format!("reading {}", dir.join(name).display()))
        };
        let material = TlsMaterial {
            ca_pem: read(CA_CERT_FILE)?,
            leaf_pem: read(LEAF_CERT_FILE)?,
            leaf_key_pem: read(LEAF_KEY_FILE)?,
        };
        // Fail at load time rather than at the first handshake.
        material.server_config()?;
        Ok(material)
    }

    /// A rustls server configuration using the ring provider (never a process-wide default).
    pub(crate) fn server_config(&self) -> anyhow::Result<Arc<rustls::ServerConfig>> {
        let leaf = CertificateDer::from_pem_slice(self.leaf_pem.as_bytes())
            .context("parsing the leaf certificate")?;
        let ca = CertificateDer::from_pem_slice(self.ca_pem.as_bytes())
            .context("parsing the CA certificate")?;
        let key = PrivateKeyDer::from_pem_slice(self.leaf_key_pem.as_bytes())
            .context("parsing the leaf key")?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![leaf, ca], key)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

#[cfg(test)]
mod tests {
    use super::TlsMaterial;

    #[test]
    fn generated_material_builds_a_server_config_and_survives_a_round_trip() {
        let material = TlsMaterial::generate().expect("generate");
        assert!(material.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        material.server_config().expect("server config");
        let dir = tempfile::tempdir().expect("tempdir");
        material.save(dir.path()).expect("save");
        let loaded = TlsMaterial::load(dir.path()).expect("load");
        assert_eq!(loaded.ca_pem(), material.ca_pem());
        let ca_file = dir.path().join("copy.pem");
        material.write_ca_file(&ca_file).expect("write");
        assert_eq!(
            std::fs::read_to_string(ca_file).expect("read"),
            material.ca_pem()
        );
    }
}
