//! TLS for the API (rustls, the ring provider): `--tls-cert FILE --tls-key FILE` (PEM: the
//! certificate chain, leaf first; a PKCS#8, PKCS#1 or SEC1 key).
//!
//! The certificate is reloaded without a restart: on SIGHUP, and when either file's
//! modification time changes (checked every [`RELOAD_POLL`]). New handshakes use the new
//! certificate, connections already open keep theirs. A reload that fails (a half-written
//! file, a key that does not match) keeps the certificate in use and logs why; a start with
//! unreadable files is refused.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio_rustls::TlsAcceptor;

/// How often the certificate and key files are checked for changes.
pub const RELOAD_POLL: Duration = Duration::from_secs(2);

/// Where the server's certificate and key are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The certificate in use, swapped by reloads.
#[derive(Debug)]
pub struct Reloadable {
    files: TlsFiles,
    provider: Arc<CryptoProvider>,
    current: RwLock<(Arc<CertifiedKey>, Option<SystemTime>)>,
}

impl ResolvesServerCert for Reloadable {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        Some(Arc::clone(&current.0))
    }
}

impl Reloadable {
    /// Loads the files once; an error names the file and what is wrong with it.
    pub fn load(files: TlsFiles) -> Result<Arc<Self>, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = certified_key(&files, &provider)?;
        let stamp = stamp(&files);
        Ok(Arc::new(Reloadable {
            files,
            provider,
            current: RwLock::new((key, stamp)),
        }))
    }

    /// Reads the files again and puts them in use if they are valid.
    pub fn reload(&self) -> Result<(), String> {
        let key = certified_key(&self.files, &self.provider)?;
        let stamp = stamp(&self.files);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = (key, stamp);
        Ok(())
    }

    /// Reloads when a file's modification time differs from the one loaded.
    fn reload_if_changed(&self) {
        let seen = self.current.read().unwrap_or_else(|e| e.into_inner()).1;
        if stamp(&self.files) == seen {
            return;
        }
        match self.reload() {
            Ok(()) => tracing::info!(cert = %self.files.cert.display(), "TLS certificate reloaded"),
            // Often a file caught half-written: the next poll tries again.
            Err(error) => {
                tracing::warn!(%error, "TLS certificate not reloaded; keeping the old one")
            }
        }
    }

    /// The rustls acceptor serving the current certificate (HTTP/1.1 over ALPN).
    pub fn acceptor(self: &Arc<Self>) -> Result<TlsAcceptor, String> {
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::clone(&self.provider))
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS configuration: {e}"))?
            .with_no_client_auth()
            .with_cert_resolver(Arc::clone(self) as Arc<dyn ResolvesServerCert>);
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }

    /// Reloads on SIGHUP and on file changes until the returned task is aborted.
    pub fn watch(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let mut hangup =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
            let mut poll = tokio::time::interval(RELOAD_POLL);
            loop {
                let signalled = async {
                    match hangup.as_mut() {
                        Some(signal) => signal.recv().await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    _ = signalled => match this.reload() {
                        Ok(()) => tracing::info!("TLS certificate reloaded (SIGHUP)"),
                        Err(error) => tracing::warn!(%error, "TLS certificate not reloaded"),
                    },
                    _ = poll.tick() => this.reload_if_changed(),
                }
            }
        })
    }
}

/// Both files' modification times (a change to either means reload).
fn stamp(files: &TlsFiles) -> Option<SystemTime> {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let (cert, key) = (modified(&files.cert)?, modified(&files.key)?);
    Some(cert.max(key))
}

fn certified_key(files: &TlsFiles, provider: &CryptoProvider) -> Result<Arc<CertifiedKey>, String> {
    let cert_path = files.cert.display();
    let chain = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("reading the certificate {cert_path}: {e}"))?;
    if chain.is_empty() {
        return Err(format!("{cert_path} holds no certificate"));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| format!("reading the private key {}: {e}", files.key.display()))?;
    CertifiedKey::from_der(chain, key, provider)
        .map(Arc::new)
        .map_err(|e| format!("{cert_path} and its key: {e}"))
}
