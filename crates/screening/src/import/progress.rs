//! A reader wrapper that reports how far a parser has read, for progress bars.

use std::io::{self, Read};

/// Progress callback: (bytes read so far, total bytes).
pub type ProgressFn<'a> = &'a mut dyn FnMut(u64, u64);

/// Report at most every this many bytes, so a callback that redraws a terminal stays cheap.
const REPORT_EVERY_BYTES: u64 = 64 * 1024;

/// Wraps a byte slice; calls `progress(offset + read, total)` as the parser consumes it.
pub(crate) struct ProgressReader<'a, 'p> {
    inner: &'a [u8],
    read: u64,
    offset: u64,
    total: u64,
    last_report: u64,
    progress: &'p mut dyn FnMut(u64, u64),
}

impl<'a, 'p> ProgressReader<'a, 'p> {
    /// `offset` is what earlier files of the same set already contributed to `total`.
    pub(crate) fn new(
        inner: &'a [u8],
        offset: u64,
        total: u64,
        progress: &'p mut dyn FnMut(u64, u64),
    ) -> Self {
        Self {
            inner,
            read: 0,
            offset,
            total,
            last_report: 0,
            progress,
        }
    }
}

impl Read for ProgressReader<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read = self
            .read
            .saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        if n == 0 || self.read.saturating_sub(self.last_report) >= REPORT_EVERY_BYTES {
            self.last_report = self.read;
            (self.progress)(self.offset.saturating_add(self.read), self.total);
        }
        Ok(n)
    }
}
