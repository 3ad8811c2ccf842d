//! API tokens: generation, hashing, and the operator bootstrap file.
//!
//! A token is 32 random bytes shown to its owner once as 64 hex characters. The hub stores only
//! the SHA-256 of the token text, so a leaked journal or snapshot does not leak credentials, and
//! a lookup is one hash plus one map access. A plain (unsalted) hash is enough here because the
//! tokens have 256 bits of entropy; password-style stretching would only add latency per request.

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

/// Length of a token in random bytes.
pub const TOKEN_BYTES: usize = 32;

/// A new random token, hex-encoded.
pub fn generate() -> String {
    let bytes: [u8; TOKEN_BYTES] = rand::random();
    hex::encode(bytes)
}

/// The SHA-256 hash under which the hub stores `token`.
pub fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Writes `token` to `path` readable only by the owner (mode 0600 on unix), failing if the file
/// already exists so an existing credential is never overwritten.
pub fn write_private(path: &Path, token: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    writeln!(file, "{token}")?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex_and_hash_stably() {
        let (a, b) = (generate(), generate());
        assert_eq!(a.len(), 2 * TOKEN_BYTES);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
        // Known SHA-256 of "abc".
        assert_eq!(
            hex::encode(hash("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn private_file_is_0600_and_never_overwritten() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("operator.token");
        write_private(&path, "secret")?;
        assert_eq!(std::fs::read_to_string(&path)?, "secret\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path)?.permissions().mode() & 0o777,
                0o600
            );
        }
        assert!(write_private(&path, "other").is_err());
        Ok(())
    }
}
