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

/// Least entropy a token chosen by the operator must carry: 128 bits, beyond guessing even at
/// the hub's full request rate, and what makes the unsalted hash above sufficient.
pub const ENTROPY_BITS_MIN: usize = 128;

/// Refuses a token too short to carry [`ENTROPY_BITS_MIN`] bits by its alphabet: 32 hex
/// digits (4 bits each), else 22 characters counted at 6 bits each (base64url, the densest
/// alphabet one types). Length is all that can be checked; a floor of distinct characters also
/// refuses a long run of one character. Generated tokens carry 256 bits.
pub fn check_strength(token: &str) -> Result<(), String> {
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("a token must be printable ASCII without spaces".to_owned());
    }
    let bits_per_char = if token.bytes().all(|b| b.is_ascii_hexdigit()) {
        4
    } else {
        6
    };
    let distinct = token
        .bytes()
        .collect::<std::collections::BTreeSet<u8>>()
        .len();
    if token.len().saturating_mul(bits_per_char) < ENTROPY_BITS_MIN || distinct < 8 {
        let chars = ENTROPY_BITS_MIN.div_ceil(bits_per_char);
        return Err(format!(
            "the token is too weak: at least {ENTROPY_BITS_MIN} bits are needed ({chars} \
             characters, not all alike); generate one with `openssl rand -hex 32`"
        ));
    }
    Ok(())
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
    fn weak_tokens_are_refused() {
        for weak in [
            "",
            "a",
            "op-token",
            &"a".repeat(64),
            "0123456789abcdef0123456789abcde",
        ] {
            assert!(check_strength(weak).is_err(), "{weak:?}");
        }
        assert!(check_strength("with space 0123456789abcdefghijkl").is_err());
        for strong in [
            "0123456789abcdef0123456789abcdef",
            "Zx9_-qLm3Rt7Vb2Nc8Kd4F",
            "op-test-token-0123456789abcdef",
        ] {
            assert_eq!(check_strength(strong), Ok(()), "{strong:?}");
        }
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
