//! The streaming finder: text in, [`Item`]s out as soon as the line completing each PDU is read.

use super::assemble::{Assembler, Origin, Sink, Spare};
use super::describe::Stats;
use super::dump::{self, DumpLine};
use super::kannel::{FieldDump, Step};
use super::line::{LineScan, Run};
use super::{Item, Shape, LINE_WINDOW};
use crate::codec::MAX_PDU_LEN;

/// One dump being read on one channel.
#[derive(Debug, Default)]
struct DumpState {
    open: bool,
    expected: u64,
    /// Bytes of the last dump line (what a `*` line repeats).
    last: Vec<u8>,
    /// A `*` line is waiting for the next offset.
    repeat: bool,
}

/// Log formats recognised by a marker on the line (only for runs written as plain hex).
const LOG_MARKERS: &[(&[u8], Shape)] = &[
    (b"write bytes: [", Shape::CloudhopperLog),
    (b"read bytes: [", Shape::CloudhopperLog),
    (b"SMPP message ", Shape::JsmppLog),
    (b"Sending PDU ", Shape::JsmppLog),
    (b"Received PDU ", Shape::JsmppLog),
    (b"data [", Shape::JasminLog),
    (b">>", Shape::SmpplibLog),
    (b"<<", Shape::SmpplibLog),
];

/// Streaming PDU finder; see the module docs of [`crate::input`].
#[derive(Debug, Default)]
pub struct Finder {
    partial: Vec<u8>,
    /// Number of the line being read (1-based).
    line_no: usize,
    scan: LineScan,
    asm: [Assembler; 2],
    dumps: [DumpState; 2],
    kannel: FieldDump,
    stats: Stats,
    spare: Spare,
    scratch: Vec<u8>,
    /// Every line takes the general path (to test the fast path against it).
    #[cfg(test)]
    general_only: bool,
}

/// The header mark of a line: found by the finder, or in advance with the line's cut.
#[derive(Debug, Clone, Copy)]
enum Mark {
    Unknown,
    Known(Option<usize>),
}

/// A chunk of text cut after a line end, with where each of its lines ends and the first
/// header mark on it: the part of reading a line that needs no state, so that it can be done
/// on another thread than the [`Finder`].
#[derive(Debug, Default)]
pub struct MarkedChunk {
    text: Vec<u8>,
    /// Each whole line: the index of its `\n` and its first header mark.
    lines: Vec<(usize, Option<usize>)>,
}

impl MarkedChunk {
    /// Cut and mark `text` (its last line may be unfinished: it is then kept for the next).
    pub fn new(text: Vec<u8>) -> Self {
        let mut c = MarkedChunk {
            text,
            lines: Vec::new(),
        };
        c.mark();
        c
    }

    /// Take the text back (to reuse its buffer).
    pub fn into_text(self) -> Vec<u8> {
        self.text
    }

    fn mark(&mut self) {
        self.lines.clear();
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', &self.text) {
            let raw = &self.text[start..nl];
            let b = raw.strip_suffix(b"\r").unwrap_or(raw);
            self.lines.push((nl, first_header_mark(b)));
            start = nl + 1;
        }
    }
}

/// Every PDU in a whole text (the non-streaming form).
pub fn find_all(text: &str) -> Vec<Item> {
    let mut f = Finder::new();
    let mut out = Vec::new();
    f.feed(text.as_bytes(), &mut out);
    f.finish(&mut out);
    out
}

impl Finder {
    /// A finder at line 1.
    pub fn new() -> Self {
        Finder {
            line_no: 1,
            ..Finder::default()
        }
    }

    /// A finder whose every line takes the general path.
    #[cfg(test)]
    pub(super) fn general_only() -> Self {
        Finder {
            general_only: true,
            ..Finder::new()
        }
    }

    /// Take back items handed out, once they have been used: the byte buffers of their PDUs
    /// hold the next PDUs found (no allocation per PDU). Leaves `items` empty.
    pub fn recycle(&mut self, items: &mut Vec<Item>) {
        for item in items.drain(..) {
            if let Item::Pdu(f) = item {
                self.spare.keep(f.bytes);
            }
        }
    }

    /// How many PDUs were found so far.
    pub fn found(&self) -> usize {
        self.stats.found
    }

    /// What the text looks like, for when it holds no PDU.
    pub fn describe(&self) -> String {
        self.stats.describe()
    }

    /// Read a chunk of text; PDUs completed by its lines are pushed to `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<Item>) {
        let mut rest = chunk;
        while let Some(nl) = memchr::memchr(b'\n', rest) {
            self.whole_line(&rest[..nl], Mark::Unknown, out);
            rest = &rest[nl + 1..];
        }
        self.keep_partial(rest, out);
    }

    /// Read a chunk whose lines were cut and marked in advance ([`MarkedChunk`], made on
    /// another thread): the same items as [`Finder::feed`] on its text.
    pub fn feed_marked(&mut self, chunk: &MarkedChunk, out: &mut Vec<Item>) {
        let mut start = 0;
        for &(end, mark) in &chunk.lines {
            self.whole_line(&chunk.text[start..end], Mark::Known(mark), out);
            start = end + 1;
        }
        self.keep_partial(&chunk.text[start..], out);
    }

    /// A line whose end was read (`piece` ends a line begun in an earlier chunk, if any).
    fn whole_line(&mut self, piece: &[u8], mark: Mark, out: &mut Vec<Item>) {
        if self.partial.is_empty() {
            self.line(piece, mark, out);
        } else {
            let mut l = std::mem::take(&mut self.partial);
            l.extend_from_slice(piece);
            self.line(&l, Mark::Unknown, out);
            l.clear();
            self.partial = l;
        }
        self.line_no += 1;
    }

    /// Keep the start of a line whose end is still to come.
    fn keep_partial(&mut self, rest: &[u8], out: &mut Vec<Item>) {
        self.partial.extend_from_slice(rest);
        while self.partial.len() > LINE_WINDOW {
            // A very long line: read it in pieces, cut between tokens when possible.
            let w = &self.partial[..LINE_WINDOW];
            let cut = w
                .iter()
                .rposition(|c| !c.is_ascii_alphanumeric())
                .map_or(LINE_WINDOW & !1, |p| p + 1);
            let piece = self.partial[..cut].to_vec();
            self.line(&piece, Mark::Unknown, out);
            self.partial.drain(..cut);
        }
    }

    /// The text ended: what is still open is emitted.
    pub fn finish(&mut self, out: &mut Vec<Item>) {
        if !self.partial.is_empty() {
            let l = std::mem::take(&mut self.partial);
            self.line(&l, Mark::Unknown, out);
        }
        self.end_dumps(out);
        let mut sink = Sink {
            out,
            stats: &mut self.stats,
            spare: &mut self.spare,
            line: self.line_no,
        };
        for a in &mut self.asm {
            a.close(&mut sink);
        }
    }

    fn line(&mut self, raw: &[u8], mark: Mark, out: &mut Vec<Item>) {
        let b = raw.strip_suffix(b"\r").unwrap_or(raw);
        self.stats.lines += 1;
        if self.kannel.active() || FieldDump::may_start(b) {
            match self.kannel.line(b, self.line_no) {
                Step::Outside => {}
                Step::Consumed => return,
                Step::Done(start, r) => {
                    self.kannel_done(start, r, out);
                    return;
                }
            }
        }
        let trimmed = b.trim_ascii();
        if trimmed.is_empty() {
            return;
        }
        let dumping = self.dumps.iter().any(|d| d.open);
        if trimmed == b"*" && dumping {
            if let Some(d) = self.dumps.iter_mut().find(|d| d.open) {
                d.repeat = true;
            }
            return;
        }
        let open = dumping || self.asm.iter().any(Assembler::is_open);
        // Where a PDU may start: nothing before the first place where a header can be written
        // can hold one (a PDU left open is continued from the start of the line).
        let from = if open {
            0
        } else {
            let mark = match mark {
                Mark::Known(m) => m,
                Mark::Unknown => first_header_mark(b),
            };
            match mark {
                Some(i) => token_start(b, i.saturating_sub(4)),
                None => return,
            }
        };
        // The commonest paste, a line of hex digits alone: no dump line (an offset column ends
        // in `:` or a space) and no log marker (each holds a character that is no hex digit) can
        // be on it. It has no space before its mark, so it is read from its start (a log line,
        // whose mark follows a prefix, is not even tried).
        if !dumping && from == 0 && self.plain_hex(b) {
            self.found_runs(b, true, out);
            return;
        }
        if let Some(d) = dump::classify(b) {
            self.scratch.clear();
            if dump::read_bytes(b, &d, &mut self.scratch) {
                self.dump_line(d, out);
                return;
            }
        }
        if dumping {
            if let Some(off) = dump::lone_offset(b) {
                self.dump_end_offset(off, out);
                return;
            }
            self.end_dumps(out);
        }
        self.free_line(b, from, out);
    }

    /// The line is an even number of hex digits and nothing else, read into `self.scan` (the
    /// fast path of [`Finder::free_line`]; off in the tests that compare it with the general
    /// path).
    fn plain_hex(&mut self, b: &[u8]) -> bool {
        #[cfg(test)]
        if self.general_only {
            return false;
        }
        self.scan.plain_hex(b)
    }

    /// A line of free text: its runs of bytes.
    fn free_line(&mut self, b: &[u8], from: usize, out: &mut Vec<Item>) {
        self.scan.scan(b, from);
        self.found_runs(b, false, out);
    }

    /// The runs of bytes just scanned on line `b`: they continue the open PDU or start new ones.
    /// `plain`: the line is nothing but hex digits, so no log format is named on it.
    fn found_runs(&mut self, b: &[u8], plain: bool, out: &mut Vec<Item>) {
        let mut sink = Sink {
            out,
            stats: &mut self.stats,
            spare: &mut self.spare,
            line: self.line_no,
        };
        let runs = std::mem::take(&mut self.scan.runs);
        if let Some(last) = runs.last().filter(|r| r.to_end && self.asm[0].is_open()) {
            if self.asm[0].continue_with(self.scan.run_bytes(last), true, &mut sink) {
                self.scan.runs = runs;
                return;
            }
        }
        self.asm[0].close(&mut sink);
        let before = sink.stats.found;
        for run in &runs {
            let origin = Origin {
                line: self.line_no,
                // Only a run long enough to hold a header needs the log format looked up.
                shape: Some(if run.bytes.len() >= 4 && !plain {
                    shape_of(run, b)
                } else {
                    run.shape
                }),
                note: run.note.clone(),
                cut_note: run.note.clone(),
                endpoints: None,
            };
            let (bytes, bounds) = (self.scan.run_bytes(run), self.scan.run_bounds(run));
            self.asm[0].fresh(bytes, bounds, origin, run.to_end, &mut sink);
        }
        if sink.stats.found == before && !self.asm[0].is_open() && !plain {
            body_without_header(&self.scan, &runs, b, &mut sink);
        }
        self.scan.runs = runs;
    }

    fn dump_line(&mut self, d: DumpLine, out: &mut Vec<Item>) {
        let ch = d.channel;
        let line = self.line_no;
        let st = &mut self.dumps[ch];
        let mut sink = Sink {
            out,
            stats: &mut self.stats,
            spare: &mut self.spare,
            line,
        };
        if ch == 0 && self.asm[0].is_open() && !st.open {
            // Free-text bytes left open end where a dump starts.
            self.asm[0].close(&mut sink);
        }
        if let Some(off) = d.offset {
            if st.open && off != st.expected {
                let repeated = st.repeat && repeat(st, off, &mut self.asm[ch], &mut sink);
                if !repeated {
                    if off != 0 && !st.repeat {
                        sink.problem(format!(
                            "dump offset {off:#x} where {:#x} was expected (a line is missing or extra); a new dump starts here",
                            st.expected
                        ));
                    }
                    self.asm[ch].close(&mut sink);
                    st.open = false;
                }
            }
            st.expected = off + self.scratch.len() as u64;
        }
        st.open = true;
        st.repeat = false;
        st.last.clear();
        st.last.extend_from_slice(&self.scratch);
        let note = (d.shape == Shape::FollowTcpStream).then(|| {
            if ch == 1 {
                "reply side of the stream"
            } else {
                "first side of the stream"
            }
            .to_string()
        });
        self.asm[ch].dump_bytes(
            &self.scratch,
            || Origin {
                line,
                shape: Some(d.shape),
                note,
                ..Origin::default()
            },
            &mut sink,
        );
    }

    /// A line with only an offset ends a dump (after a `*`, the repeat runs up to it).
    fn dump_end_offset(&mut self, off: u64, out: &mut Vec<Item>) {
        let mut sink = Sink {
            out,
            stats: &mut self.stats,
            spare: &mut self.spare,
            line: self.line_no,
        };
        for (ch, st) in self.dumps.iter_mut().enumerate() {
            if st.open && st.repeat && off != st.expected {
                repeat(st, off, &mut self.asm[ch], &mut sink);
            }
        }
        self.end_dumps(out);
    }

    fn end_dumps(&mut self, out: &mut Vec<Item>) {
        let mut sink = Sink {
            out,
            stats: &mut self.stats,
            spare: &mut self.spare,
            line: self.line_no,
        };
        for (ch, st) in self.dumps.iter_mut().enumerate() {
            if st.open {
                st.open = false;
                st.repeat = false;
                self.asm[ch].close(&mut sink);
            }
        }
    }

    fn kannel_done(&mut self, start: usize, r: Result<Vec<u8>, String>, out: &mut Vec<Item>) {
        let mut sink = Sink {
            out,
            stats: &mut self.stats,
            spare: &mut self.spare,
            line: self.line_no,
        };
        self.asm[0].close(&mut sink);
        match r {
            Ok(bytes) => {
                let origin = Origin {
                    line: start,
                    shape: Some(Shape::KannelFieldDump),
                    note: Some("rebuilt from a Kannel field dump".into()),
                    ..Origin::default()
                };
                self.asm[0].fresh(&bytes, &[0], origin, false, &mut sink);
            }
            Err(m) => {
                sink.stats.kannel_failed += 1;
                sink.problem(m);
            }
        }
    }
}

/// Expand a `*` line up to offset `off`; false when it cannot (then the dump ends). A repeat
/// standing for more than the PDU limit is reported, never allocated.
fn repeat(st: &mut DumpState, off: u64, asm: &mut Assembler, sink: &mut Sink<'_>) -> bool {
    let len = st.last.len() as u64;
    if off < st.expected || len == 0 || (off - st.expected) % len != 0 {
        sink.problem(format!(
            "'*' repeat line that cannot reach offset {off:#x} from {:#x}; re-run hexdump/xxd with -v",
            st.expected
        ));
        return false;
    }
    let gap = off - st.expected;
    if gap > MAX_PDU_LEN as u64 {
        sink.problem(format!(
            "'*' repeat line standing for {gap} octets, more than any PDU ({MAX_PDU_LEN}); not expanded (re-run hexdump/xxd with -v on the PDU alone)"
        ));
        return false;
    }
    let last = std::mem::take(&mut st.last);
    for _ in 0..gap / len {
        asm.dump_bytes(&last, Origin::default, sink);
    }
    st.last = last;
    st.expected = off;
    st.repeat = false;
    true
}

/// A log line of a format that prints PDUs, whose longest run of bytes is no PDU: a body printed
/// without its header (jsmpp's old `Received SMPP message` does this).
fn body_without_header(scan: &LineScan, runs: &[Run], line: &[u8], sink: &mut Sink<'_>) {
    let Some(r) = runs.iter().max_by_key(|r| r.bytes.len()) else {
        return;
    };
    if r.bytes.len() >= 4 && shape_of(r, line).is_log() {
        sink.note(format!(
            "{} octets logged as a PDU do not start with an SMPP header: a PDU body whose \
             16-octet header is missing (the logger printed the body only): {}",
            r.bytes.len(),
            hex::encode_upper(&scan.run_bytes(r)[..r.bytes.len().min(32)])
        ));
    }
}

/// The shape of a run, refined by the log format the line is written in.
fn shape_of(run: &Run, line: &[u8]) -> Shape {
    if run.shape != Shape::Hex {
        return run.shape;
    }
    if smppsim_words(line) {
        return Shape::SmppsimHexDump;
    }
    static FINDERS: std::sync::LazyLock<Vec<(memchr::memmem::Finder<'static>, Shape)>> =
        std::sync::LazyLock::new(|| {
            LOG_MARKERS
                .iter()
                .map(|(m, s)| (memchr::memmem::Finder::new(m), *s))
                .collect()
        });
    FINDERS
        .iter()
        .find(|(f, _)| f.find(line).is_some())
        .map_or(Shape::Hex, |(_, s)| *s)
}

/// SMPPSim's word lines: `0000002A:00000004:00000000:...`.
fn smppsim_words(b: &[u8]) -> bool {
    let mut from = 0;
    while let Some(n) = memchr::memchr(b':', &b[from..]) {
        let c = from + n;
        let before = c >= 8 && b[c - 8..c].iter().all(u8::is_ascii_hexdigit);
        let after = b
            .get(c + 1..c + 9)
            .is_some_and(|w| w.iter().all(u8::is_ascii_hexdigit));
        if before && after {
            return true;
        }
        from = c + 1;
    }
    false
}

/// The start of the whitespace-delimited token holding `i` (so that a scan starting there cuts
/// no token, bracket or prefix such as `<Buffer`).
fn token_start(b: &[u8], mut i: usize) -> usize {
    while i > 0 && !b[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    i
}

/// Cheap test for a line that may hold a PDU start: every textual shape of a header writes the
/// zero high octets of command_length (`0000`, `00 00`, `0x`, `\x00`, `0,`, base64 `AAA`). The
/// first place one is written, or None (the line is then skipped).
///
/// Read eight octets at a time: most lines of a log hold no mark, but many `0`s (times, ids,
/// counts), so finding the candidates `0` and `A` costs a few word operations per eight octets
/// instead of a search call per candidate.
pub(super) fn first_header_mark(b: &[u8]) -> Option<usize> {
    let mut words = b.chunks_exact(8);
    let mut base = 0;
    for w in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        let x = u64::from_le_bytes(word);
        let mut m = candidates(x);
        while m != 0 {
            let i = base + (m.trailing_zeros() / 8) as usize;
            if header_mark_at(b, i) {
                return Some(i);
            }
            m &= m - 1;
        }
        base += 8;
    }
    (base..b.len()).find(|&i| matches!(b[i], b'0' | b'A') && header_mark_at(b, i))
}

/// The high bit of each octet of `x` (eight octets of text) that is `0` or `A`, and of some
/// octets just after one (the borrow of the zero-octet test): a superset of the candidates,
/// each then tested exactly.
fn candidates(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = x ^ (ONES * u64::from(b'0'));
    let a = x ^ (ONES * u64::from(b'A'));
    ((zero.wrapping_sub(ONES) & !zero) | (a.wrapping_sub(ONES) & !a)) & HIGH
}

/// A header mark is written at `i` (see [`first_header_mark`]).
#[inline(always)]
fn header_mark_at(b: &[u8], i: usize) -> bool {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let n1 = at(i + 1);
    match at(i) {
        b'A' => n1 == b'A' && at(i + 2) == b'A',
        b'0' => {
            (match n1 {
                // `0000`, or `00 00 0`, `00:00:0`, `00-00-0` (a time like `10:00:00.5` is not).
                b'0' => {
                    (at(i + 2) == b'0' && at(i + 3) == b'0')
                        || (matches!(at(i + 2), b' ' | b':' | b'-')
                            && at(i + 3) == b'0'
                            && at(i + 4) == b'0'
                            && at(i + 5) == at(i + 2))
                }
                b'x' | b'X' | b',' => true,
                b' ' => at(i + 2) == b'0' && at(i + 3) == b' ',
                _ => false,
            }) || (i >= 2 && b[i - 1] == b'x' && b[i - 2] == b'\\')
        }
        _ => false,
    }
}

/// [`first_header_mark`] as first written (a search call per candidate): the reference the
/// word-at-a-time search is tested against.
#[cfg(test)]
pub(super) fn first_header_mark_reference(b: &[u8]) -> Option<usize> {
    memchr::memchr2_iter(b'0', b'A', b).find(|&i| header_mark_at(b, i))
}
