//! Reading a source into a [`Finder`] with the work that needs no finder state (the reads, the
//! cut into lines, each line's header mark) done on a second thread, one chunk ahead.

use std::io::Read;
use std::sync::mpsc;

use super::finder::{Finder, MarkedChunk};
use super::Item;

/// Octets read at once.
pub const CHUNK: usize = 256 * 1024;

/// Chunks read ahead of the finder (with the one being read and the one being found in, the
/// memory held is four chunks).
const AHEAD: usize = 2;
/// The size of the first read; later reads double while they fill up, to [`CHUNK`].
const FIRST_READ: usize = 16 * 1024;

/// Why [`Finder::feed_from`] stopped early.
#[derive(Debug)]
pub enum Stopped<E> {
    /// Reading the source failed.
    Read(std::io::Error),
    /// The caller's handling of the items failed.
    Each(E),
}

impl Finder {
    /// Read `r` to its end: its reads, line cuts and header marks on a second thread, the
    /// finding on this one; `each` gets the items of every chunk in order, as soon as the chunk
    /// is read (a pipe delivers each line as it is written); what `each` leaves in the vector
    /// is taken back ([`Finder::recycle`]). Stops at the first error of the reader or of `each`. The items are those of [`Finder::feed`] on the same text; call
    /// [`Finder::finish`] after.
    pub fn feed_from<R, E>(
        &mut self,
        r: R,
        mut each: impl FnMut(&mut Vec<Item>) -> Result<(), E>,
    ) -> Result<(), Stopped<E>>
    where
        R: Read + Send,
    {
        let (full_tx, full_rx) = mpsc::sync_channel::<std::io::Result<MarkedChunk>>(AHEAD);
        let (empty_tx, empty_rx) = mpsc::channel::<Vec<u8>>();
        std::thread::scope(|s| {
            s.spawn(move || read_chunks(r, &full_tx, &empty_rx));
            let mut items = Vec::new();
            let mut result = Ok(());
            for chunk in &full_rx {
                let chunk = match chunk {
                    Ok(c) => c,
                    Err(e) => {
                        result = Err(Stopped::Read(e));
                        break;
                    }
                };
                self.feed_marked(&chunk, &mut items);
                if let Err(e) = each(&mut items) {
                    result = Err(Stopped::Each(e));
                    break;
                }
                self.recycle(&mut items);
                // The reader may have stopped already: then the buffer is simply dropped.
                let _ = empty_tx.send(chunk.into_text());
            }
            // Dropping the receiver stops a reader still waiting to hand over a chunk.
            drop(full_rx);
            result
        })
    }
}

/// The reader's side: fill buffers, cut each after its last line end (the unfinished line
/// starts the next buffer), mark the lines, hand them over. A buffer without any line end is
/// handed over as it is once it holds [`CHUNK`] octets (the finder reads long lines in pieces).
fn read_chunks(
    mut r: impl Read,
    full: &mpsc::SyncSender<std::io::Result<MarkedChunk>>,
    empty: &mpsc::Receiver<Vec<u8>>,
) {
    let mut carry: Vec<u8> = Vec::new();
    // Reads start small and double while they come back full, up to CHUNK: a PDU given on the
    // command line zeroes a few pages, not whole chunks, while a file soon reads CHUNK at once.
    let mut want = FIRST_READ;
    loop {
        // A buffer handed back keeps its length: only what it grows by is zeroed.
        let mut buf = empty.try_recv().unwrap_or_default();
        let start = carry.len();
        if buf.len() < start + want {
            buf.resize(start + want, 0);
        }
        buf[..start].copy_from_slice(&carry);
        carry.clear();
        let n = loop {
            match r.read(&mut buf[start..start + want]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = full.send(Err(e));
                    return;
                }
            }
        };
        buf.truncate(start + n);
        if n == want {
            want = (want * 2).min(CHUNK);
        }
        if n == 0 {
            if !buf.is_empty() {
                let _ = full.send(Ok(MarkedChunk::new(buf)));
            }
            return;
        }
        match memchr::memrchr(b'\n', &buf[start..]) {
            Some(p) => carry.extend_from_slice(&buf[start + p + 1..]),
            None if buf.len() < CHUNK => {
                // Not one line end yet: read on before handing anything over.
                carry = buf;
                continue;
            }
            None => {}
        }
        buf.truncate(buf.len() - carry.len());
        if full.send(Ok(MarkedChunk::new(buf))).is_err() {
            return;
        }
    }
}
