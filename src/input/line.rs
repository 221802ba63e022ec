//! One line of free text to runs of bytes: byte-bearing tokens (hex, `0x..`, `\x..`, Python
//! byte literals, decimal lists, node Buffers, base64) and the separators that keep them in one
//! run. Anything else (words, timestamps, brackets, quotes) ends a run. One linear pass; nothing
//! here fails: what is not bytes is simply not part of a run.

use base64::Engine;

use super::Shape;

/// A run of bytes on one line.
#[derive(Debug, Clone)]
pub(super) struct Run {
    /// Its bytes in [`LineScan::bytes`].
    pub bytes: std::ops::Range<usize>,
    /// Its token starts in [`LineScan::bounds`] (offsets from the run's first byte).
    pub bounds: std::ops::Range<usize>,
    /// How it was written.
    pub shape: Shape,
    /// Nothing but closing punctuation and annotations follows it on the line.
    pub to_end: bool,
    /// Something to say about it (a truncated node Buffer).
    pub note: Option<String>,
}

/// The runs of one line (buffers reused from line to line).
#[derive(Debug, Default)]
pub(super) struct LineScan {
    pub bytes: Vec<u8>,
    pub bounds: Vec<u32>,
    pub runs: Vec<Run>,
    /// Matching `(`/`)` pairs of the line being read.
    parens: Vec<(usize, usize)>,
    stack: Vec<usize>,
}

/// The run being built.
struct Open {
    bytes: usize,
    bounds: usize,
    shape: Shape,
    /// The last token was a bare two-digit byte (a `-` may follow as a separator).
    two_digit: bool,
}

impl LineScan {
    /// Bytes of a run.
    pub fn run_bytes(&self, r: &Run) -> &[u8] {
        &self.bytes[r.bytes.clone()]
    }

    /// Token starts of a run.
    pub fn run_bounds(&self, r: &Run) -> &[u32] {
        &self.bounds[r.bounds.clone()]
    }

    /// Read one line (without its line end) from byte `from` on (nothing before it can start a
    /// PDU; an annotation around `from` is still skipped whole).
    pub fn scan(&mut self, b: &[u8], from: usize) {
        self.bytes.clear();
        self.bounds.clear();
        self.runs.clear();
        self.parens.clear();
        let mut i = from;
        if memchr::memchr(b'(', b).is_some() {
            self.match_parens(b);
            if let Some(&(_, c)) = self
                .parens
                .iter()
                .filter(|(o, c)| *o < from && from <= *c)
                .max_by_key(|p| p.1)
            {
                i = c + 1;
            }
        }
        let mut open: Option<Open> = None;
        while i < b.len() {
            let c = b[i];
            if c.is_ascii_alphanumeric() {
                i = self.word(b, i, &mut open);
                continue;
            }
            match c {
                b' ' | b'\t' | b',' | b';' | b':' => i += 1,
                b'-' if dash_separates(b, i, open.as_ref()) => i += 1,
                b'\\' if b.get(i + 1) == Some(&b'x') && hex2(b, i + 2).is_some() => {
                    let v = hex2(b, i + 2).unwrap_or(0);
                    self.push_token(&mut open, &[v], Shape::EscapedString, i, b);
                    if let Some(o) = open.as_mut() {
                        o.two_digit = false;
                    }
                    i += 4;
                }
                b'(' => match self.paren_close(i) {
                    Some(close) => i = close + 1,
                    None => {
                        self.close(&mut open, b, i);
                        i += 1;
                    }
                },
                b'[' | b'{' => {
                    self.close(&mut open, b, i);
                    i = match self.decimal_list(b, i) {
                        Some(end) => end,
                        None => i + 1,
                    };
                }
                b'<' if b[i..].starts_with(b"<Buffer ") => {
                    self.close(&mut open, b, i);
                    i = self.node_buffer(b, i);
                }
                _ => {
                    self.close(&mut open, b, i);
                    i += utf8_len(c);
                }
            }
        }
        self.close(&mut open, b, b.len());
    }

    /// Read a line that is nothing but an even number of hex digits (the commonest paste: one
    /// PDU per line) as [`LineScan::scan`] reads it from its first octet, in one pass that
    /// checks each digit while decoding it: one run of shape [`Shape::Hex`] that ends the line.
    /// False for any other line (nothing is kept then; read it with `scan`).
    pub fn plain_hex(&mut self, b: &[u8]) -> bool {
        self.bytes.clear();
        if b.is_empty() || b.len() % 2 != 0 {
            return false;
        }
        self.bytes.resize(b.len() / 2, 0);
        // Sixteen octets at a time, with no branch per digit: a line of hex costs a few
        // operations per digit, and one that is not (most lines of a log) is given up after its
        // first block.
        for (block, digits) in self.bytes.chunks_mut(16).zip(b.chunks(32)) {
            let mut seen = 0;
            for (octet, pair) in block.iter_mut().zip(digits.chunks_exact(2)) {
                let (hi, lo) = (
                    HEX_VALUE[usize::from(pair[0])],
                    HEX_VALUE[usize::from(pair[1])],
                );
                seen |= hi | lo;
                *octet = hi << 4 | lo;
            }
            // Digits are at most 0x0F; NOT_HEX sets the high bits.
            if seen > 0x0F {
                self.bytes.clear();
                return false;
            }
        }
        self.bounds.clear();
        self.bounds.push(0);
        self.runs.clear();
        self.runs.push(Run {
            bytes: 0..self.bytes.len(),
            bounds: 0..1,
            shape: Shape::Hex,
            to_end: true,
            note: None,
        });
        true
    }

    /// A word of letters and digits at `i`: a byte token, a base64 token, a timestamp or a
    /// plain word. Returns where scanning goes on.
    fn word(&mut self, b: &[u8], i: usize, open: &mut Option<Open>) -> usize {
        let end = b[i..]
            .iter()
            .position(|c| !c.is_ascii_alphanumeric())
            .map_or(b.len(), |n| i + n);
        let w = &b[i..end];
        if let Some(skip) = timestamp_end(b, i, end) {
            self.close(open, b, i);
            return skip;
        }
        let hex = w.iter().all(u8::is_ascii_hexdigit);
        // A token of plain hex is never base64 (so a long hex run is not read twice more).
        if matches!(b.get(end), Some(b'+' | b'/' | b'=')) || (w.len() >= 24 && !hex) {
            if let Some(next) = self.base64(b, i, open) {
                return next;
            }
        }
        if w.len() > 2 && (w.starts_with(b"0x") || w.starts_with(b"0X")) {
            let digits = &w[2..];
            if digits.iter().all(u8::is_ascii_hexdigit)
                && (digits.len() == 1 || digits.len() % 2 == 0)
            {
                let mut tmp = [0u8; 64];
                if digits.len() == 1 {
                    tmp[0] = hex_val(digits[0]);
                    self.push_token(open, &tmp[..1], Shape::HexList, i, b);
                } else {
                    self.push_hex(open, digits, Shape::HexList, i, b);
                }
                if let Some(o) = open.as_mut() {
                    o.two_digit = false;
                }
                return end;
            }
        }
        if w.len() % 2 == 0 && hex {
            self.push_hex(open, w, Shape::Hex, i, b);
            if let Some(o) = open.as_mut() {
                o.two_digit = w.len() == 2;
            }
            return end;
        }
        if w.len() == 1 && matches!(w[0], b'b' | b'B') && matches!(b.get(end), Some(b'\'' | b'"')) {
            self.close(open, b, i);
            if let Some(next) = self.python_bytes(b, end) {
                return next;
            }
            return end;
        }
        self.close(open, b, i);
        end
    }

    fn push_hex(
        &mut self,
        open: &mut Option<Open>,
        digits: &[u8],
        shape: Shape,
        at: usize,
        line: &[u8],
    ) {
        self.start(open, shape, at, line);
        if let Some(o) = open.as_ref() {
            self.bounds.push((self.bytes.len() - o.bytes) as u32);
        }
        self.bytes.extend(
            digits
                .chunks_exact(2)
                .map(|p| hex_val(p[0]) << 4 | hex_val(p[1])),
        );
    }

    fn push_token(
        &mut self,
        open: &mut Option<Open>,
        bytes: &[u8],
        shape: Shape,
        at: usize,
        line: &[u8],
    ) {
        self.start(open, shape, at, line);
        if let Some(o) = open.as_ref() {
            self.bounds.push((self.bytes.len() - o.bytes) as u32);
        }
        self.bytes.extend_from_slice(bytes);
    }

    /// Open a run if none is open; a run written with `0x` or `\x` keeps that shape.
    fn start(&mut self, open: &mut Option<Open>, shape: Shape, at: usize, line: &[u8]) {
        match open {
            Some(o) => {
                if o.shape == Shape::Hex && shape != Shape::Hex {
                    o.shape = shape;
                }
            }
            None => {
                let shape = if shape == Shape::Hex && json_value_at(line, at) {
                    Shape::JsonField
                } else {
                    shape
                };
                *open = Some(Open {
                    bytes: self.bytes.len(),
                    bounds: self.bounds.len(),
                    shape,
                    two_digit: false,
                });
            }
        }
    }

    /// End the open run at `at` (the first character that is not part of it).
    fn close(&mut self, open: &mut Option<Open>, b: &[u8], at: usize) {
        if let Some(o) = open.take() {
            self.runs.push(Run {
                bytes: o.bytes..self.bytes.len(),
                bounds: o.bounds..self.bounds.len(),
                shape: o.shape,
                to_end: rest_is_closing(b, at),
                note: None,
            });
        }
    }

    fn push_run(&mut self, start: usize, shape: Shape, to_end: bool, note: Option<String>) {
        let bounds = self.bounds.len();
        self.bounds.push(0);
        self.runs.push(Run {
            bytes: start..self.bytes.len(),
            bounds: bounds..self.bounds.len(),
            shape,
            to_end,
            note,
        });
    }

    /// All `(`..`)` pairs of the line, found with one stack pass (so that unbalanced text costs
    /// linear time).
    fn match_parens(&mut self, b: &[u8]) {
        self.stack.clear();
        for i in memchr::memchr2_iter(b'(', b')', b) {
            if b[i] == b'(' {
                self.stack.push(i);
            } else if let Some(o) = self.stack.pop() {
                self.parens.push((o, i));
            }
        }
        self.parens.sort_unstable();
    }

    fn paren_close(&self, open: usize) -> Option<usize> {
        self.parens
            .binary_search_by_key(&open, |p| p.0)
            .ok()
            .map(|k| self.parens[k].1)
    }

    /// `[0, 0, 0, 25, -128]`, `{0, 0, 0, 60}` or Go's `[0 0 0 60]` at `i`: a list of at least
    /// two decimals, each a byte (signed or unsigned). Returns the index after the list.
    fn decimal_list(&mut self, b: &[u8], i: usize) -> Option<usize> {
        let close = if b[i] == b'[' { b']' } else { b'}' };
        let start = self.bytes.len();
        let mut j = i + 1;
        let mut count = 0usize;
        let mut signed = false;
        let ok = loop {
            while matches!(b.get(j), Some(b' ' | b'\t')) {
                j += 1;
            }
            if b.get(j) == Some(&close) && count > 0 {
                break true;
            }
            let neg = b.get(j) == Some(&b'-');
            if neg {
                j += 1;
            }
            let d0 = j;
            while b.get(j).is_some_and(u8::is_ascii_digit) && j - d0 < 4 {
                j += 1;
            }
            let digits = &b[d0..j];
            if digits.is_empty()
                || digits.len() > 3
                || b.get(j).is_some_and(u8::is_ascii_alphanumeric)
            {
                break false;
            }
            let v: i32 = digits.iter().fold(0, |a, &c| a * 10 + i32::from(c - b'0'));
            let v = if neg { -v } else { v };
            if !(-128..=255).contains(&v) {
                break false;
            }
            signed |= v < 0;
            self.bytes.push(v as u8);
            count += 1;
            while matches!(b.get(j), Some(b' ' | b'\t')) {
                j += 1;
            }
            match b.get(j) {
                Some(b',') => j += 1,
                Some(&c) if c == close => break true,
                Some(c) if c.is_ascii_digit() || *c == b'-' => {}
                _ => break false,
            }
        };
        if !ok || count < 2 {
            self.bytes.truncate(start);
            return None;
        }
        let shape = if signed {
            Shape::JavaByteArray
        } else if memchr::memmem::find(&b[..i], b"\"Buffer\"").is_some() {
            Shape::NodeBufferJson
        } else {
            Shape::DecimalList
        };
        self.push_run(start, shape, rest_is_closing(b, j + 1), None);
        for k in 1..count {
            self.bounds.push(k as u32);
        }
        if let Some(r) = self.runs.last_mut() {
            r.bounds.end = self.bounds.len();
        }
        Some(j + 1)
    }

    /// node's `<Buffer 00 00 00 3c ... 10 more bytes>`.
    fn node_buffer(&mut self, b: &[u8], i: usize) -> usize {
        let start = self.bytes.len();
        let mut j = i + b"<Buffer ".len();
        while let Some(v) = hex2(b, j) {
            self.bytes.push(v);
            j += 2;
            if b.get(j) == Some(&b' ') {
                j += 1;
            }
        }
        let mut missing = 0;
        if b[j..].starts_with(b"... ") {
            let d0 = j + 4;
            let d1 = b[d0..]
                .iter()
                .position(|c| !c.is_ascii_digit())
                .map_or(b.len(), |n| d0 + n);
            missing = std::str::from_utf8(&b[d0..d1])
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            j = memchr::memchr(b'>', &b[d1..]).map_or(b.len(), |n| d1 + n);
        }
        if b.get(j) == Some(&b'>') {
            j += 1;
        }
        if self.bytes.len() == start {
            return j.max(i + 1);
        }
        let note = (missing > 0)
            .then(|| format!("truncated node Buffer ({missing} more bytes not shown)"));
        self.push_run(start, Shape::NodeBuffer, false, note);
        j
    }

    /// A base64 token at `i` (at least 24 characters, a multiple of 4, not plain hex). Returns
    /// the index after it, or None when the token is not base64.
    fn base64(&mut self, b: &[u8], i: usize, open: &mut Option<Open>) -> Option<usize> {
        let mut end = b[i..]
            .iter()
            .position(|&c| !(c.is_ascii_alphanumeric() || c == b'+' || c == b'/'))
            .map_or(b.len(), |n| i + n);
        while b.get(end) == Some(&b'=') && end - i < usize::MAX {
            end += 1;
        }
        let tok = &b[i..end];
        if tok.len() < 24 || tok.len() % 4 != 0 || tok.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        if b.get(end)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'=')
        {
            return None;
        }
        let decoded = base64::engine::general_purpose::STANDARD.decode(tok).ok()?;
        self.close(open, b, i);
        let start = self.bytes.len();
        self.bytes.extend_from_slice(&decoded);
        let shape = if json_value_at(b, i) {
            Shape::JsonField
        } else {
            Shape::Base64
        };
        self.push_run(start, shape, rest_is_closing(b, end), None);
        Some(end)
    }

    /// A Python bytes literal holding `\x` escapes (`b'\x00\x00\x00<...'`), quote at `q`.
    fn python_bytes(&mut self, b: &[u8], q: usize) -> Option<usize> {
        let quote = b[q];
        let start = self.bytes.len();
        let mut j = q + 1;
        let mut escapes = 0;
        while let Some(&c) = b.get(j) {
            if c == quote {
                break;
            }
            if c == b'\\' {
                let (v, n) = match b.get(j + 1) {
                    Some(b'x') => (hex2(b, j + 2)?, 4),
                    Some(b'n') => (b'\n', 2),
                    Some(b'r') => (b'\r', 2),
                    Some(b't') => (b'\t', 2),
                    Some(b'0') => (0, 2),
                    Some(&e @ (b'\\' | b'\'' | b'"')) => (e, 2),
                    _ => break,
                };
                escapes += 1;
                self.bytes.push(v);
                j += n;
            } else if (0x20..0x7F).contains(&c) {
                self.bytes.push(c);
                j += 1;
            } else {
                break;
            }
        }
        if b.get(j) != Some(&quote) || escapes == 0 {
            self.bytes.truncate(start);
            return None;
        }
        self.push_run(start, Shape::PythonBytes, rest_is_closing(b, j + 1), None);
        Some(j + 1)
    }
}

/// What [`HEX_VALUE`] holds for an octet that is no hex digit.
const NOT_HEX: u8 = 0xFF;

/// The value of each octet as a hex digit, or [`NOT_HEX`]: one load per digit both checks and
/// decodes it.
static HEX_VALUE: [u8; 256] = {
    let mut t = [NOT_HEX; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = match c as u8 {
            d @ b'0'..=b'9' => d - b'0',
            d @ b'a'..=b'f' => d - b'a' + 10,
            d @ b'A'..=b'F' => d - b'A' + 10,
            _ => NOT_HEX,
        };
        c += 1;
    }
    t
};

/// Value of a hex digit (the caller checked it is one; anything else reads as 0).
pub(super) fn hex_val(c: u8) -> u8 {
    match HEX_VALUE[usize::from(c)] {
        NOT_HEX => 0,
        v => v,
    }
}

/// Two hex digits at `i`.
pub(super) fn hex2(b: &[u8], i: usize) -> Option<u8> {
    let d = b.get(i..i + 2)?;
    (d[0].is_ascii_hexdigit() && d[1].is_ascii_hexdigit())
        .then(|| hex_val(d[0]) << 4 | hex_val(d[1]))
}

fn utf8_len(c: u8) -> usize {
    match c {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// A `-` between two two-digit bytes (`00-1c-ff`).
fn dash_separates(b: &[u8], i: usize, open: Option<&Open>) -> bool {
    open.is_some_and(|o| o.two_digit)
        && hex2(b, i + 1).is_some()
        && !b.get(i + 3).is_some_and(u8::is_ascii_alphanumeric)
}

/// Only closing punctuation, spaces, annotations-free endings (`]`, `)`, quotes, `\`, `;`, `,`,
/// `>`) or a byte count like `(60 bytes)` follow `at`.
fn rest_is_closing(b: &[u8], at: usize) -> bool {
    let mut i = at;
    while let Some(&c) = b.get(i) {
        match c {
            b' ' | b'\t' | b']' | b'}' | b')' | b'"' | b'\'' | b'`' | b'\\' | b';' | b','
            | b'>' | b'|' => i += 1,
            b'(' => {
                // `(60 bytes)` / `(Length)`: an annotation to the end of the line is fine.
                match memchr::memchr(b')', &b[i..]) {
                    Some(n) => i += n + 1,
                    None => return false,
                }
            }
            0xE2 => i += 3, // curly quotes
            _ => return false,
        }
    }
    true
}

/// The run at `at` is the value of a JSON field (`"pdu":"0000..."` or `"pdu": "AAAA..."`).
fn json_value_at(b: &[u8], at: usize) -> bool {
    let before = &b[..at];
    let Some(stripped) = before.strip_suffix(b"\"") else {
        return false;
    };
    let t = stripped.trim_ascii_end();
    t.ends_with(b":") && t[..t.len() - 1].trim_ascii_end().ends_with(b"\"")
}

/// A time (`12:00:01`, `12:00:01.123`, `12:00:01,123`) or a date (`2024-05-01`, with `T` and a
/// time) starting at `i` (a word ending at `end`): where it ends.
fn timestamp_end(b: &[u8], i: usize, end: usize) -> Option<usize> {
    let digits = |from: usize, n: usize| -> bool {
        b.get(from..from + n)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
            && !b.get(from + n).is_some_and(u8::is_ascii_digit)
    };
    let len = end - i;
    let w = &b[i..end];
    if len == 4
        && w.iter().all(u8::is_ascii_digit)
        && b.get(end) == Some(&b'-')
        && digits(end + 1, 2)
        && b.get(end + 3) == Some(&b'-')
    {
        // ISO date; what follows (`T12:00:01`) is read as its own word.
        let d = end + 4;
        let mut k = d;
        while b.get(k).is_some_and(u8::is_ascii_digit) {
            k += 1;
        }
        if k == d + 2 && b.get(k) == Some(&b'T') {
            return timestamp_end(b, k + 1, k + 3).or(Some(k + 1));
        }
        return Some(k);
    }
    // After a `:` it is the tail of colon-separated bytes (`...:00:03:10`), not a time.
    if (1..=2).contains(&len)
        && (i == 0 || b[i - 1] != b':')
        && w.iter().all(u8::is_ascii_digit)
        && b.get(end) == Some(&b':')
        && digits(end + 1, 2)
    {
        let mut k = end + 3;
        if !(b.get(k) == Some(&b':') && digits(k + 1, 2)) {
            return None;
        }
        k += 3;
        if b.get(k) == Some(&b':') {
            // `00:00:00:3c`: colon-separated bytes, not a time.
            return None;
        }
        if matches!(b.get(k), Some(b'.' | b',')) && b.get(k + 1).is_some_and(u8::is_ascii_digit) {
            k += 1;
            while b.get(k).is_some_and(u8::is_ascii_digit) {
                k += 1;
            }
        }
        return Some(k);
    }
    None
}
