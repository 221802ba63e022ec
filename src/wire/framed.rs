//! The framed PDU connection shared by the client ([`crate::session`]), the server
//! ([`crate::server`]) and the proxy: one read buffer cut into PDUs by command_length (with the
//! command_length limits of [`check_frame`]), compaction before each read, and reads and writes
//! with a deadline.
//!
//! [`FrameBuf`] is the buffer alone, for loops that select over more than the socket (the
//! session's interrupt and response deadlines, the server's stop signal); [`FramedConn`] owns a
//! stream as well and gives `read_frame(deadline)` / `write(bytes, deadline)`.

use std::ops::Range;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

use crate::codec::frame::{check_frame, Frame};
use crate::codec::MAX_PDU_LEN;

/// How much the buffer grows by before a read.
const READ_CHUNK: usize = 16 * 1024;

/// Why the stream cannot be framed, or the connection ended.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// A command_length below the header size or beyond the limit.
    #[error("command_length {length} cannot be framed")]
    BadLength {
        /// The command_length read.
        length: u32,
        /// The octets from that point.
        received: Vec<u8>,
    },
    /// The peer closed the connection (`partial`: octets of an incomplete PDU).
    #[error("the peer closed the connection")]
    Closed {
        /// Octets of an incomplete PDU received before the close.
        partial: Vec<u8>,
    },
    /// Reading or writing failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The deadline passed.
    #[error("timed out")]
    Timeout,
}

/// A read buffer cut into PDUs.
#[derive(Debug)]
pub struct FrameBuf {
    buf: Vec<u8>,
    pos: usize,
    max_len: usize,
    eof: bool,
}

impl Default for FrameBuf {
    fn default() -> Self {
        FrameBuf::new(MAX_PDU_LEN)
    }
}

impl FrameBuf {
    /// An empty buffer accepting PDUs of at most `max_len` octets.
    pub fn new(max_len: usize) -> Self {
        FrameBuf {
            buf: Vec::with_capacity(READ_CHUNK),
            pos: 0,
            max_len,
            eof: false,
        }
    }

    /// The next whole PDU in the buffer (its range, valid until the next read), `Ok(None)` when
    /// more octets are needed, an error when the command_length cannot be framed.
    pub fn next_frame(&mut self) -> Result<Option<Range<usize>>, FrameError> {
        let avail = self.buf.get(self.pos..).unwrap_or_default();
        match check_frame(avail, self.max_len) {
            Frame::Complete(n) => {
                let r = self.pos..self.pos + n;
                self.pos += n;
                Ok(Some(r))
            }
            Frame::Partial(_) => Ok(None),
            Frame::Invalid(length) => Err(FrameError::BadLength {
                length,
                received: avail.to_vec(),
            }),
        }
    }

    /// The octets of a range from [`FrameBuf::next_frame`].
    pub fn get(&self, r: Range<usize>) -> &[u8] {
        self.buf.get(r).unwrap_or_default()
    }

    /// Octets received and not yet framed.
    pub fn pending(&self) -> &[u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// Take every octet received and not yet framed (a stream that cannot be framed is passed
    /// on as it is); valid until the next read.
    pub fn take_pending(&mut self) -> Range<usize> {
        let r = self.pos..self.buf.len();
        self.pos = self.buf.len();
        r
    }

    /// True once the peer closed its side.
    pub fn eof(&self) -> bool {
        self.eof
    }

    /// Note that the peer closed its side (seen by a read outside [`FrameBuf::fill`]).
    pub fn set_eof(&mut self) {
        self.eof = true;
    }

    /// Drop what was framed and make room for a read.
    fn compact(&mut self) {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        if self.buf.capacity() - self.buf.len() < READ_CHUNK / 4 {
            self.buf.reserve(READ_CHUNK);
        }
    }

    /// Read once from `r` (after compacting); returns the octets read, 0 at end of stream.
    pub async fn fill<R: AsyncRead + Unpin>(&mut self, r: &mut R) -> std::io::Result<usize> {
        self.compact();
        let n = r.read_buf(&mut self.buf).await?;
        if n == 0 {
            self.eof = true;
        }
        Ok(n)
    }
}

/// Sleep until `deadline`, or forever without one.
pub async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// Write all of `bytes` and flush, failing with [`FrameError::Timeout`] at `deadline`.
pub async fn write_by<W: AsyncWrite + Unpin>(
    w: &mut W,
    bytes: &[u8],
    deadline: Option<Instant>,
) -> Result<(), FrameError> {
    let write = async {
        w.write_all(bytes).await?;
        w.flush().await
    };
    tokio::select! {
        r = write => Ok(r?),
        _ = sleep_until(deadline) => Err(FrameError::Timeout),
    }
}

/// A stream with its frame buffer.
#[derive(Debug)]
pub struct FramedConn<S> {
    stream: S,
    buf: FrameBuf,
}

impl<S: AsyncRead + AsyncWrite + Unpin> FramedConn<S> {
    /// Frame `stream`, accepting PDUs of at most `max_len` octets.
    pub fn new(stream: S, max_len: usize) -> Self {
        FramedConn {
            stream,
            buf: FrameBuf::new(max_len),
        }
    }

    /// The next whole PDU (its octets stay valid until the next call), or an error: bad
    /// command_length, peer closed (with the octets of an incomplete PDU), I/O, deadline.
    pub async fn read_frame(&mut self, deadline: Option<Instant>) -> Result<&[u8], FrameError> {
        loop {
            if let Some(r) = self.buf.next_frame()? {
                return Ok(self.buf.get(r));
            }
            if self.buf.eof() {
                return Err(FrameError::Closed {
                    partial: self.buf.pending().to_vec(),
                });
            }
            tokio::select! {
                r = self.buf.fill(&mut self.stream) => { r?; }
                _ = sleep_until(deadline) => return Err(FrameError::Timeout),
            }
        }
    }

    /// Write one or more whole PDUs and flush, by `deadline`.
    pub async fn write(
        &mut self,
        bytes: &[u8],
        deadline: Option<Instant>,
    ) -> Result<(), FrameError> {
        write_by(&mut self.stream, bytes, deadline).await
    }

    /// The stream.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// Split into the stream and the buffer (with any octets already read).
    pub fn into_parts(self) -> (S, FrameBuf) {
        (self.stream, self.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdu(cmd: u32, seq: u32) -> Vec<u8> {
        let mut v = 16u32.to_be_bytes().to_vec();
        v.extend_from_slice(&cmd.to_be_bytes());
        v.extend_from_slice(&0u32.to_be_bytes());
        v.extend_from_slice(&seq.to_be_bytes());
        v
    }

    #[tokio::test]
    async fn frames_split_across_reads_and_reports_close_mid_pdu() {
        let (a, mut b) = tokio::io::duplex(64);
        let mut c = FramedConn::new(a, MAX_PDU_LEN);
        let mut two = pdu(0x15, 1);
        two.extend(pdu(0x15, 2));
        b.write_all(&two[..20]).await.unwrap();
        let f = c.read_frame(None).await.unwrap().to_vec();
        assert_eq!(f, pdu(0x15, 1));
        b.write_all(&two[20..]).await.unwrap();
        assert_eq!(c.read_frame(None).await.unwrap(), &pdu(0x15, 2)[..]);
        b.write_all(&pdu(0x15, 3)[..7]).await.unwrap();
        drop(b);
        match c.read_frame(None).await {
            Err(FrameError::Closed { partial }) => assert_eq!(partial.len(), 7),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn bad_length_and_deadline() {
        let (a, mut b) = tokio::io::duplex(64);
        let mut c = FramedConn::new(a, 64);
        let soon = Instant::now() + std::time::Duration::from_millis(20);
        assert!(matches!(
            c.read_frame(Some(soon)).await,
            Err(FrameError::Timeout)
        ));
        let mut big = pdu(0x15, 1);
        big[..4].copy_from_slice(&100u32.to_be_bytes());
        b.write_all(&big).await.unwrap();
        match c.read_frame(None).await {
            Err(FrameError::BadLength { length, .. }) => assert_eq!(length, 100),
            other => panic!("{other:?}"),
        }
    }
}
