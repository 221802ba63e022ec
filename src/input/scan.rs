//! Line scanner: classifies each line (blank, dump, `*`, free text) and writes its bytes into
//! one buffer, remembering which lines and segments they came from.

use super::InputError;

/// Bytes of one line (or one whole dump) inside [`Scanned::buf`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    /// 1-based line where the bytes start.
    pub line: usize,
    /// Start in the buffer.
    pub start: usize,
    /// End in the buffer (exclusive).
    pub end: usize,
}

/// A run of input lines that belong together.
#[derive(Debug)]
pub(super) enum Segment {
    /// One dump (offsets following on).
    Dump(Span),
    /// Free-text lines between blank lines, one span per line holding bytes.
    Block(Vec<Span>),
}

/// Result of scanning: every byte in order, and the segments.
#[derive(Debug, Default)]
pub(super) struct Scanned {
    pub buf: Vec<u8>,
    pub segments: Vec<Segment>,
}

/// State of the dump being read.
struct Dump {
    first_line: usize,
    start: usize,
    /// Offset the next line must carry.
    expected: u64,
    /// Bytes of the last dump line in the buffer (for `*`).
    last: (usize, usize),
    /// A `*` line waiting for the next offset: (line, column).
    repeat: Option<(usize, usize)>,
}

struct Scanner {
    out: Scanned,
    dump: Option<Dump>,
    block: Option<Vec<Span>>,
    /// Bytes added by `*` repeat lines so far.
    repeated: u64,
}

/// Most bytes `*` repeat lines may add to the input (16 MiB).
const MAX_REPEATED: u64 = 16 << 20;

/// Scan the whole text.
pub(super) fn scan(text: &str) -> Result<Scanned, InputError> {
    let mut s = Scanner {
        out: Scanned::default(),
        dump: None,
        block: None,
        repeated: 0,
    };
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        s.line(i + 1, line)?;
    }
    s.close_dump()?;
    s.close_block();
    Ok(s.out)
}

fn is_blank(line: &str) -> bool {
    line.chars().all(is_space_char)
}

/// Whitespace as pasted from terminals and web pages (NBSP, zero-width space, BOM included).
fn is_space_char(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

/// 1-based character column of byte index `idx` in `line`.
fn column(line: &str, idx: usize) -> usize {
    line.get(..idx).map_or(idx, |p| p.chars().count()) + 1
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn not_hex(line_no: usize, line: &str, idx: usize) -> InputError {
    InputError::NotHex {
        line: line_no,
        column: column(line, idx),
        found: line
            .get(idx..)
            .and_then(|r| r.chars().next())
            .unwrap_or('?'),
    }
}

impl Scanner {
    fn line(&mut self, no: usize, line: &str) -> Result<(), InputError> {
        if is_blank(line) {
            self.close_dump()?;
            self.close_block();
            return Ok(());
        }
        let trimmed = line.trim();
        if trimmed == "*" {
            // A repeat line; outside a dump with offsets (e.g. `od -An`) it cannot be resolved.
            let at = (no, column(line, line.find('*').unwrap_or(0)));
            let Some(d) = self.dump.as_mut() else {
                return Err(InputError::UnresolvedRepeat {
                    line: at.0,
                    column: at.1,
                });
            };
            d.repeat = Some(at);
            return Ok(());
        }
        if let Some(dl) = classify_dump(line) {
            return self.dump_line(no, line, dl);
        }
        if self.dump.is_some() && self.end_marker(trimmed) {
            return self.close_dump();
        }
        self.close_dump()?;
        if trimmed.ends_with("bytes):") {
            // `Frame (74 bytes):` / `Reassembled TCP (40 bytes):` headers of tshark -x.
            self.close_block();
            return Ok(());
        }
        reject_unsupported(no, line)?;
        let start = self.out.buf.len();
        free_line(no, line, &mut self.out.buf)?;
        let end = self.out.buf.len();
        if end > start {
            self.block.get_or_insert_with(Vec::new).push(Span {
                line: no,
                start,
                end,
            });
        }
        Ok(())
    }

    /// A line holding only the final offset of a dump (hexdump -C prints one), possibly after `*`.
    fn end_marker(&mut self, trimmed: &str) -> bool {
        let Some(value) = parse_offset(trimmed) else {
            return false;
        };
        let Some(d) = self.dump.as_mut() else {
            return false;
        };
        if value == d.expected {
            d.repeat = None;
            return true;
        }
        if d.repeat.is_some() && self.repeat_to(value) {
            if let Some(d) = self.dump.as_mut() {
                d.repeat = None;
            }
            return true;
        }
        false
    }

    /// Expand a pending `*` so that the dump reaches `offset`; false when it cannot.
    fn repeat_to(&mut self, offset: u64) -> bool {
        let Some(d) = self.dump.as_ref() else {
            return false;
        };
        let (ls, le) = d.last;
        let expected = d.expected;
        let len = (le - ls) as u64;
        if len == 0 || offset < expected || (offset - expected) % len != 0 {
            return false;
        }
        let times = (offset - expected) / len;
        // Cap what a hostile input can make us allocate (see MAX_REPEATED).
        let added = times.saturating_mul(len);
        if self.repeated.saturating_add(added) > MAX_REPEATED {
            return false;
        }
        self.repeated += added;
        for _ in 0..times {
            self.out.buf.extend_from_within(ls..le);
        }
        let end = self.out.buf.len();
        if let Some(d) = self.dump.as_mut() {
            d.last = (end - len as usize, end);
            d.expected = offset;
        }
        true
    }

    fn dump_line(&mut self, no: usize, line: &str, dl: DumpLine) -> Result<(), InputError> {
        let offset_col = column(line, dl.offset_at);
        let mut new_dump = self.dump.is_none();
        if let Some(d) = self.dump.as_ref() {
            if dl.offset != d.expected {
                if d.repeat.is_some() {
                    let (rl, rc) = d.repeat.unwrap_or((no, 1));
                    if !self.repeat_to(dl.offset) {
                        return Err(InputError::UnresolvedRepeat {
                            line: rl,
                            column: rc,
                        });
                    }
                } else if dl.offset == 0 {
                    new_dump = true;
                } else {
                    return Err(InputError::OffsetMismatch {
                        line: no,
                        column: offset_col,
                        expected: d.expected,
                        found: dl.offset,
                    });
                }
            }
        }
        if new_dump {
            self.close_dump()?;
            self.close_block();
            self.dump = Some(Dump {
                first_line: no,
                start: self.out.buf.len(),
                expected: dl.offset,
                last: (0, 0),
                repeat: None,
            });
        }
        let start = self.out.buf.len();
        dump_bytes(no, line, dl.body_at, dl.pipe, &mut self.out.buf)?;
        let end = self.out.buf.len();
        if let Some(d) = self.dump.as_mut() {
            d.repeat = None;
            d.last = (start, end);
            d.expected = dl.offset.saturating_add((end - start) as u64);
        }
        Ok(())
    }

    fn close_dump(&mut self) -> Result<(), InputError> {
        if let Some(d) = self.dump.take() {
            if let Some((line, column)) = d.repeat {
                return Err(InputError::UnresolvedRepeat { line, column });
            }
            self.out.segments.push(Segment::Dump(Span {
                line: d.first_line,
                start: d.start,
                end: self.out.buf.len(),
            }));
        }
        Ok(())
    }

    fn close_block(&mut self) {
        if let Some(b) = self.block.take() {
            self.out.segments.push(Segment::Block(b));
        }
    }
}

/// A line that starts with a dump offset.
#[derive(Debug)]
struct DumpLine {
    offset: u64,
    /// Byte index of the offset.
    offset_at: usize,
    /// Byte index where the hex area starts.
    body_at: usize,
    /// Whether the ASCII column is between `|` (hexdump -C).
    pipe: bool,
}

/// The value of a lone offset token (4 to 16 hex digits).
fn parse_offset(token: &str) -> Option<u64> {
    if !(4..=16).contains(&token.len()) {
        return None;
    }
    u64::from_str_radix(token, 16).ok()
}

/// Recognise `OFFSET: ...` (xxd) and `OFFSET  hh ...` (hexdump -C, Wireshark, tshark -x).
fn classify_dump(line: &str) -> Option<DumpLine> {
    let b = line.as_bytes();
    let p = b.iter().position(|&c| c != b' ' && c != b'\t')?;
    let q = b[p..]
        .iter()
        .position(|&c| hex_val(c).is_none())
        .map_or(b.len(), |n| p + n);
    let offset = parse_offset(line.get(p..q)?)?;
    let body_at = match b.get(q) {
        // xxd: a colon, then a space or the end.
        Some(b':') if matches!(b.get(q + 1), None | Some(b' ' | b'\t')) => q + 1,
        // hexdump -C / Wireshark / tshark: at least two spaces (or a tab), then a two-digit byte.
        Some(b' ' | b'\t') => {
            let r = b[q..]
                .iter()
                .position(|&c| c != b' ' && c != b'\t')
                .map_or(b.len(), |n| q + n);
            let gap = &b[q..r];
            let wide = gap.len() >= 2 || gap.contains(&b'\t');
            let two_digits = b
                .get(r..r + 2)
                .is_some_and(|d| d.iter().all(|&c| hex_val(c).is_some()))
                && matches!(b.get(r + 2), None | Some(b' ' | b'\t'));
            if !(wide && two_digits) {
                return None;
            }
            q
        }
        _ => return None,
    };
    Some(DumpLine {
        offset,
        offset_at: p,
        body_at,
        pipe: is_pipe_layout(&b[body_at..]),
    })
}

/// hexdump -C: the first `|` follows two spaces and the line ends with `|`. (tshark's ASCII
/// column may hold a `|` too, but after three spaces and not as a frame.)
fn is_pipe_layout(body: &[u8]) -> bool {
    let end = body.iter().rposition(|&c| c != b' ' && c != b'\t');
    let Some(first) = body.iter().position(|&c| c == b'|') else {
        return false;
    };
    end.is_some_and(|e| body[e] == b'|' && e > first)
        && first >= 2
        && body.get(first - 2..first) == Some(b"  ")
}

/// Read the hex area of a dump line (after its offset), dropping the ASCII column.
fn dump_bytes(
    no: usize,
    line: &str,
    from: usize,
    pipe: bool,
    buf: &mut Vec<u8>,
) -> Result<(), InputError> {
    let b = line.as_bytes();
    let mut i = from;
    let mut tokens = 0usize;
    let mut all_two = true;
    loop {
        let gap_start = i;
        while matches!(b.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        let Some(&c) = b.get(i) else {
            return Ok(());
        };
        if pipe && c == b'|' {
            return Ok(());
        }
        let gap = &b[gap_start..i];
        if !pipe && tokens > 0 && (gap.len() >= 2 || gap.contains(&b'\t')) {
            // The ASCII column, unless this is the two-space middle gap after eight bytes.
            let middle = tokens == 8 && all_two && gap == b"  " && second_half(b, i);
            if !middle {
                return Ok(());
            }
        }
        let start = i;
        while let Some(&c) = b.get(i) {
            if c == b' ' || c == b'\t' || (pipe && c == b'|') {
                break;
            }
            if hex_val(c).is_none() {
                return Err(not_hex(no, line, i));
            }
            i += 1;
        }
        let digits = &b[start..i];
        if digits.len() % 2 != 0 {
            return Err(InputError::OddDigits {
                line: no,
                column: column(line, start),
                digits: digits.len(),
            });
        }
        for pair in digits.chunks_exact(2) {
            let hi = hex_val(pair[0]).unwrap_or(0);
            let lo = hex_val(pair[1]).unwrap_or(0);
            buf.push(hi << 4 | lo);
        }
        tokens += 1;
        all_two &= digits.len() == 2;
    }
}

/// After a two-space gap at `i`: 1 to 8 two-digit bytes separated by single spaces, up to the
/// end of the line or a wider gap (the second half of a hexdump -C style line).
fn second_half(b: &[u8], mut i: usize) -> bool {
    let mut n = 0;
    loop {
        let two = b
            .get(i..i + 2)
            .is_some_and(|d| d.iter().all(|&c| hex_val(c).is_some()));
        if !two {
            return false;
        }
        n += 1;
        i += 2;
        match (b.get(i), b.get(i + 1)) {
            (None, _) | (Some(b' ' | b'\t'), None | Some(b' ' | b'\t')) => return n <= 8,
            (Some(b' '), Some(_)) => i += 1,
            _ => return false,
        }
        if n > 8 {
            return false;
        }
    }
}

/// `hexdump` without `-C` prints 7-digit offsets and byte-swapped 16-bit words.
fn reject_unsupported(no: usize, line: &str) -> Result<(), InputError> {
    let b = line.trim_start().as_bytes();
    let lead = line.len() - line.trim_start().len();
    let hex_run = |s: &[u8]| s.iter().take_while(|&&c| hex_val(c).is_some()).count();
    if hex_run(b) == 7 && b.get(7) == Some(&b' ') && hex_run(b.get(8..).unwrap_or(&[])) == 4 {
        return Err(InputError::Unsupported {
            line: no,
            column: column(line, lead),
            what: "this looks like `hexdump` without -C (byte-swapped 16-bit words); \
                   use `hexdump -C` or `xxd`",
        });
    }
    Ok(())
}

/// A run of hex digits being read in free text.
struct Run {
    /// Byte index where the token starts (its prefix included).
    start: usize,
    digits: usize,
    nibble: Option<u8>,
    prefixed: bool,
}

/// Free text of one line: hex tokens with separators, prefixes, annotations and comments.
fn free_line(no: usize, line: &str, buf: &mut Vec<u8>) -> Result<(), InputError> {
    let b = line.as_bytes();
    let mut run: Option<Run> = None;
    // A dash waiting for the two-digit byte after it.
    let mut dash: Option<usize> = None;
    let mut i = assignment_end(b);
    let end_run = |run: &mut Option<Run>,
                   dash: &mut Option<usize>,
                   buf: &mut Vec<u8>|
     -> Result<(), InputError> {
        let Some(r) = run.take() else {
            return Ok(());
        };
        if let Some(nib) = r.nibble {
            if r.prefixed && r.digits == 1 {
                buf.push(nib);
            } else {
                return Err(InputError::OddDigits {
                    line: no,
                    column: column(line, r.start),
                    digits: r.digits,
                });
            }
        }
        if let Some(d) = dash.take() {
            if r.start != d + 1 || r.digits != 2 {
                return Err(InputError::BadSeparator {
                    line: no,
                    column: column(line, d),
                    found: '-',
                });
            }
        }
        Ok(())
    };
    while let Some(&c) = b.get(i) {
        let next = b.get(i + 1).copied();
        if let Some(v) = hex_val(c) {
            // Python bytes literal: b"..." / b'...'.
            if run.is_none() && matches!(c, b'b' | b'B') && matches!(next, Some(b'"' | b'\'')) {
                i += 1;
                continue;
            }
            let r = run.get_or_insert(Run {
                start: i,
                digits: 0,
                nibble: None,
                prefixed: false,
            });
            r.digits += 1;
            match r.nibble.take() {
                Some(hi) => buf.push(hi << 4 | v),
                None => r.nibble = Some(v),
            }
            i += 1;
            continue;
        }
        match c {
            b'x' | b'X' => {
                // `0x` prefix: the run so far is exactly the single digit 0, and a digit follows.
                let is_prefix = run.as_ref().is_some_and(|r| {
                    r.digits == 1 && !r.prefixed && r.nibble == Some(0) && r.start + 1 == i
                }) && next.and_then(hex_val).is_some();
                match run.as_mut() {
                    Some(r) if is_prefix => {
                        r.digits = 0;
                        r.nibble = None;
                        r.prefixed = true;
                    }
                    _ => return Err(not_hex(no, line, i)),
                }
                i += 1;
            }
            b'\\' if matches!(next, Some(b'x' | b'X')) => {
                end_run(&mut run, &mut dash, buf)?;
                run = Some(Run {
                    start: i,
                    digits: 0,
                    nibble: None,
                    prefixed: true,
                });
                i += 2;
            }
            b' ' | b'\t' | b'\x0b' | b'\x0c' | b'\r' | b',' | b':' | b';' | b'{' | b'}' | b'['
            | b']' | b'"' | b'\'' | b'`' => {
                end_run(&mut run, &mut dash, buf)?;
                i += 1;
            }
            b'-' => {
                let after_byte = run.as_ref().is_some_and(|r| r.digits == 2 && !r.prefixed);
                if !after_byte || next.and_then(hex_val).is_none() {
                    return Err(InputError::BadSeparator {
                        line: no,
                        column: column(line, i),
                        found: '-',
                    });
                }
                end_run(&mut run, &mut dash, buf)?;
                dash = Some(i);
                i += 1;
            }
            b')' if closes_call(b, i) => {
                end_run(&mut run, &mut dash, buf)?;
                i += 1;
            }
            b'(' => {
                end_run(&mut run, &mut dash, buf)?;
                i = annotation_end(b, i).ok_or(InputError::UnclosedAnnotation {
                    line: no,
                    column: column(line, i),
                })?;
            }
            b'#' => break,
            b'/' if next == Some(b'/') => break,
            0x80.. => {
                let ch = line.get(i..).and_then(|r| r.chars().next());
                match ch {
                    Some(ch) if is_space_char(ch) => {
                        end_run(&mut run, &mut dash, buf)?;
                        i += ch.len_utf8();
                    }
                    _ => return Err(not_hex(no, line, i)),
                }
            }
            _ => return Err(not_hex(no, line, i)),
        }
    }
    end_run(&mut run, &mut dash, buf)
}

/// Index just past the `)` closing the `(` at `open`; double-quoted text inside is skipped.
fn annotation_end(b: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quoted = false;
    for (j, &c) in b.iter().enumerate().skip(open) {
        match c {
            b'"' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => {
                depth -= 1;
                if depth == 0 {
                    return Some(j + 1);
                }
            }
            _ => {}
        }
    }
    // An odd quote (an apostrophe-like use of `"`): retry ignoring quotes.
    if quoted {
        let mut depth = 0usize;
        for (j, &c) in b.iter().enumerate().skip(open) {
            match c {
                b'(' => depth += 1,
                b')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(j + 1);
                    }
                }
                _ => {}
            }
        }
    }
    None
}

/// Where the bytes start on a line like `uint8_t pdu[] = {0x00, ...};`, `data = b"\x00"` or
/// `const pdu = Buffer.from([0x00, ...]);`: just after the `=` (and a call's `(`), when what
/// follows opens an array or a string. Otherwise 0.
fn assignment_end(b: &[u8]) -> usize {
    let Some(eq) = b.iter().position(|&c| c == b'=' || c == b'(') else {
        return 0;
    };
    if b[eq] != b'=' {
        return 0;
    }
    let skip_space = |mut i: usize| {
        while matches!(b.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        i
    };
    let mut i = skip_space(eq + 1);
    // A call: `Buffer.from(`, `new Uint8Array(`, `bytes.fromhex(`.
    let name_end = b[i..]
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b' ')))
        .map_or(b.len(), |n| i + n);
    if name_end > i && b.get(name_end) == Some(&b'(') {
        i = skip_space(name_end + 1);
    }
    let opens = match b.get(i) {
        Some(b'{' | b'[' | b'"' | b'\'') => true,
        Some(b'b' | b'B') => matches!(b.get(i + 1), Some(b'"' | b'\'')),
        _ => false,
    };
    if opens {
        i
    } else {
        0
    }
}

/// A `)` closing a call around an array or string: `...])` or `..."))`.
fn closes_call(b: &[u8], i: usize) -> bool {
    b[..i]
        .iter()
        .rev()
        .find(|&&c| c != b' ' && c != b'\t')
        .is_some_and(|&c| matches!(c, b']' | b'}' | b'"' | b'\''))
}
