//! Byte layout of the journal file header and record headers, and their checksums.
//!
//! All integers are little-endian. Layouts are documented next to each `encode` function; the
//! crate docs describe the whole directory.

/// Magic bytes opening `journal.log`.
pub const FILE_MAGIC: [u8; 8] = *b"KLIRJRNL";
/// Version of the file header layout.
pub const FILE_FORMAT_VERSION: u16 = 1;
/// Size of the journal file header in bytes.
pub const FILE_HEADER_LEN: usize = 64;
/// Longest machine kind name that fits in a file or snapshot header.
pub const KIND_LEN_MAX: usize = 48;

/// Magic bytes opening every record.
pub const RECORD_MAGIC: [u8; 4] = *b"KREC";
/// Version of the record layout and body encoding (postcard sequence of commands).
pub const RECORD_FORMAT_VERSION: u16 = 1;
/// Size of a record header in bytes.
pub const RECORD_HEADER_LEN: usize = 72;
/// Upper bound on one record's body; a header claiming more is corrupt.
pub const RECORD_BODY_LEN_MAX: u32 = 1 << 30;

/// A BLAKE3 hash of a record (or of the file header, for the first record's predecessor).
pub type Hash = [u8; 32];

/// The parsed, checksum-verified fields of a record header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordHeader {
    pub version: u16,
    pub sequence: u64,
    pub timestamp: u64,
    pub body_len: u32,
    pub command_count: u32,
    pub prev_hash: Hash,
    pub body_crc: u32,
}

/// Why a record header could not be parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderProblem {
    BadMagic,
    BadChecksum,
    /// Valid checksum but a version this build does not know.
    UnknownVersion(u16),
    BodyTooLarge(u32),
}

/// Encodes the journal file header:
/// `magic[8] | version u16 | kind_len u8 | 0u8 | kind[48] zero-padded | crc32c(0..60) u32`.
pub fn encode_file_header(kind: &str) -> Option<[u8; FILE_HEADER_LEN]> {
    let mut out = [0u8; FILE_HEADER_LEN];
    out[0..8].copy_from_slice(&FILE_MAGIC);
    out[8..10].copy_from_slice(&FILE_FORMAT_VERSION.to_le_bytes());
    write_kind(&mut out[10..60], kind)?;
    let crc = crc32c::crc32c(&out[0..60]);
    out[60..64].copy_from_slice(&crc.to_le_bytes());
    Some(out)
}

/// Parses a file header, returning the machine kind, or a description of what is wrong.
pub fn decode_file_header(bytes: &[u8; FILE_HEADER_LEN]) -> Result<String, String> {
    if bytes[0..8] != FILE_MAGIC {
        return Err("not a kliring journal (bad magic)".to_string());
    }
    if crc32c::crc32c(&bytes[0..60]) != read_u32(bytes, 60) {
        return Err("journal file header checksum mismatch".to_string());
    }
    let version = read_u16(bytes, 8);
    if version != FILE_FORMAT_VERSION {
        return Err(format!("unsupported journal file format version {version}"));
    }
    read_kind(&bytes[10..60])
}

/// Writes `kind_len u8 | 0u8 | kind[48]` into a 50-byte slot.
pub(crate) fn write_kind(slot: &mut [u8], kind: &str) -> Option<()> {
    let bytes = kind.as_bytes();
    if bytes.len() > KIND_LEN_MAX || slot.len() != KIND_LEN_MAX + 2 {
        return None;
    }
    slot[0] = u8::try_from(bytes.len()).ok()?;
    slot[2..2 + bytes.len()].copy_from_slice(bytes);
    Some(())
}

/// Reads a kind slot written by [`write_kind`].
pub(crate) fn read_kind(slot: &[u8]) -> Result<String, String> {
    let len = usize::from(slot[0]);
    if len > KIND_LEN_MAX || slot.len() < 2 + len {
        return Err(format!("kind length {len} out of range"));
    }
    String::from_utf8(slot[2..2 + len].to_vec()).map_err(|_| "kind is not UTF-8".to_string())
}

/// The hash a journal's first record must name as its predecessor.
pub fn genesis_hash(file_header: &[u8; FILE_HEADER_LEN]) -> Hash {
    *blake3::hash(file_header).as_bytes()
}

/// Fills in the header of a record laid out in `record` as `[header placeholder | body]`,
/// returning the record's hash, or `None` if the body is longer than the format allows.
///
/// Header layout: `magic[4] | version u16 | reserved u16 | sequence u64 | timestamp u64 |
/// body_len u32 | command_count u32 | prev_hash[32] | body_crc32c u32 | header_crc32c(0..68) u32`.
pub fn seal_record(
    record: &mut [u8],
    sequence: u64,
    timestamp: u64,
    command_count: u32,
    prev_hash: &Hash,
) -> Option<Hash> {
    let (header_bytes, body) = record.split_at_mut_checked(RECORD_HEADER_LEN)?;
    let body_len = u32::try_from(body.len()).ok()?;
    if body_len > RECORD_BODY_LEN_MAX {
        return None;
    }
    let mut header = [0u8; RECORD_HEADER_LEN];
    header[0..4].copy_from_slice(&RECORD_MAGIC);
    header[4..6].copy_from_slice(&RECORD_FORMAT_VERSION.to_le_bytes());
    header[8..16].copy_from_slice(&sequence.to_le_bytes());
    header[16..24].copy_from_slice(&timestamp.to_le_bytes());
    header[24..28].copy_from_slice(&body_len.to_le_bytes());
    header[28..32].copy_from_slice(&command_count.to_le_bytes());
    header[32..64].copy_from_slice(prev_hash);
    header[64..68].copy_from_slice(&crc32c::crc32c(body).to_le_bytes());
    let header_crc = crc32c::crc32c(&header[0..68]);
    header[68..72].copy_from_slice(&header_crc.to_le_bytes());
    header_bytes.copy_from_slice(&header);
    Some(record_hash(&header, body))
}

/// BLAKE3 over a record's header and body: the value the next record chains to.
pub fn record_hash(header: &[u8; RECORD_HEADER_LEN], body: &[u8]) -> Hash {
    let mut hasher = blake3::Hasher::new();
    hasher.update(header);
    hasher.update(body);
    *hasher.finalize().as_bytes()
}

/// Parses and checksum-verifies a record header (the body is checked separately).
pub fn decode_record_header(
    bytes: &[u8; RECORD_HEADER_LEN],
) -> Result<RecordHeader, HeaderProblem> {
    if bytes[0..4] != RECORD_MAGIC {
        return Err(HeaderProblem::BadMagic);
    }
    if crc32c::crc32c(&bytes[0..68]) != read_u32(bytes, 68) {
        return Err(HeaderProblem::BadChecksum);
    }
    let version = read_u16(bytes, 4);
    if version != RECORD_FORMAT_VERSION {
        return Err(HeaderProblem::UnknownVersion(version));
    }
    let body_len = read_u32(bytes, 24);
    if body_len > RECORD_BODY_LEN_MAX {
        return Err(HeaderProblem::BodyTooLarge(body_len));
    }
    let mut prev_hash = [0u8; 32];
    prev_hash.copy_from_slice(&bytes[32..64]);
    Ok(RecordHeader {
        version,
        sequence: read_u64(bytes, 8),
        timestamp: read_u64(bytes, 16),
        body_len,
        command_count: read_u32(bytes, 28),
        prev_hash,
        body_crc: read_u32(bytes, 64),
    })
}

pub(crate) fn read_u16(bytes: &[u8], at: usize) -> u16 {
    let mut buf = [0u8; 2];
    buf.copy_from_slice(&bytes[at..at + 2]);
    u16::from_le_bytes(buf)
}

pub(crate) fn read_u32(bytes: &[u8], at: usize) -> u32 {
    let mut buf = [0u8; 4];
    buf.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(buf)
}

pub(crate) fn read_u64(bytes: &[u8], at: usize) -> u64 {
    let mut buf = [0u8; 8];
    buf.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_header_round_trips_and_detects_flips() {
        let mut out = vec![0u8; RECORD_HEADER_LEN];
        out.extend_from_slice(b"body");
        let prev = [7u8; 32];
        let hash = seal_record(&mut out, 5, 99, 2, &prev).expect("encodes");
        let mut header = [0u8; RECORD_HEADER_LEN];
        header.copy_from_slice(&out[..RECORD_HEADER_LEN]);
        let parsed = decode_record_header(&header).expect("valid");
        assert_eq!(
            (parsed.sequence, parsed.timestamp, parsed.body_len),
            (5, 99, 4)
        );
        assert_eq!(parsed.prev_hash, prev);
        assert_eq!(hash, record_hash(&header, b"body"));
        header[10] ^= 1;
        assert_eq!(
            decode_record_header(&header),
            Err(HeaderProblem::BadChecksum)
        );
    }

    #[test]
    fn file_header_round_trips_kind() {
        let header = encode_file_header("ledger").expect("fits");
        assert_eq!(decode_file_header(&header), Ok("ledger".to_string()));
        assert!(encode_file_header(&"x".repeat(KIND_LEN_MAX + 1)).is_none());
    }
}
