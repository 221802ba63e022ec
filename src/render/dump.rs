//! The annotated hex dump: one row per field with offset, bytes, name, value and meaning;
//! children (TLV parts, UDH elements, list entries) indented under their parent; diagnostics
//! inline at their offsets. Readable at 80 columns: widths are display columns (a CJK character
//! or an emoji takes two).
//!
//! Everything is appended to one output string ([`dump_into`]); a row costs no allocation
//! without colour.

use std::ops::Range;

use unicode_width::UnicodeWidthChar;

use crate::codec::{Decoded, Diagnostic, Severity, Span, SpanKind, Val};
use crate::spec::{commands, status};

use super::{push_uint, Role, Style};

/// Rendering options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DumpOptions {
    /// Show secrets (passwords) instead of redacting them.
    pub show_secrets: bool,
    /// Total width to wrap at.
    pub width: usize,
    /// Show every byte of long fields (otherwise long runs are elided in the middle).
    pub full: bool,
}

impl Default for DumpOptions {
    fn default() -> Self {
        DumpOptions {
            show_secrets: false,
            width: 80,
            full: false,
        }
    }
}

const OFF_W: usize = 4;
const BYTES_PER_LINE: usize = 6;
const BYTES_W: usize = BYTES_PER_LINE * 3 - 1;
const NAME_W: usize = 23;
const NAME_COL: usize = OFF_W + 2 + BYTES_W + 2;

/// Display columns of `s`: its length for ASCII, else the sum of its characters' Unicode display
/// widths (East Asian wide characters and most emoji take two columns, combining marks none).
pub fn columns(s: &str) -> usize {
    if is_ascii(s.as_bytes()) {
        s.len()
    } else {
        s.chars().map(char_columns).sum()
    }
}

/// `s.is_ascii()`, in a few overlapping word tests for 4 to 32 octets: names, values and
/// meanings are mostly that long, and the standard test goes through their tail octet by
/// octet.
fn is_ascii(s: &[u8]) -> bool {
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    let word = |w: &[u8]| {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        u64::from_ne_bytes(b)
    };
    let half = |w: &[u8]| {
        let mut b = [0u8; 4];
        b.copy_from_slice(w);
        u32::from_ne_bytes(b)
    };
    match s.len() {
        n @ 4..=7 => (half(&s[..4]) | half(&s[n - 4..])) & HIGH_BITS as u32 == 0,
        n @ 8..=16 => (word(&s[..8]) | word(&s[n - 8..])) & HIGH_BITS == 0,
        n @ 17..=32 => {
            let words =
                word(&s[..8]) | word(&s[8..16]) | word(&s[n - 16..n - 8]) | word(&s[n - 8..]);
            words & HIGH_BITS == 0
        }
        _ => s.is_ascii(),
    }
}

fn char_columns(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// The dump is built as bytes (a slice copy per piece, no UTF-8 encoding per character); only
/// `&str` text and ASCII are ever appended, so it is UTF-8 and converts back without loss.
fn into_string(out: Vec<u8>) -> String {
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The one-line title of a PDU: command, status, sequence, length.
pub fn title(d: &Decoded, style: &Style) -> String {
    let mut s = Vec::new();
    title_into(&mut s, d, style);
    into_string(s)
}

fn title_into(out: &mut Vec<u8>, d: &Decoded, style: &Style) {
    let Some(h) = d.header else {
        style.paint_bytes(out, Role::Heading, "incomplete PDU");
        out.extend_from_slice(b" (");
        push_uint(out, d.bytes.len() as u64);
        out.extend_from_slice(b" octets)");
        return;
    };
    let status_role = if h.command_status == 0 {
        Role::Good
    } else {
        Role::Error
    };
    match commands::lookup(h.command_id) {
        Some(def) => style.paint_bytes(out, Role::Heading, def.name),
        None => style.paint_bytes(out, Role::Heading, &d.command_name()),
    }
    out.extend_from_slice(b"  ");
    style.paint_bytes(out, status_role, &status::name_of(h.command_status));
    out.extend_from_slice(b"  seq ");
    push_uint(out, u64::from(h.sequence_number));
    out.extend_from_slice(b"  ");
    push_uint(out, d.bytes.len() as u64);
    out.extend_from_slice(b" octets");
    if d.is_malformed() {
        out.extend_from_slice(b"  ");
        style.paint_bytes(out, Role::Error, "MALFORMED");
    }
}

/// Render the annotated dump of one decoded PDU (title line included).
pub fn dump(d: &Decoded, style: &Style, opts: &DumpOptions) -> String {
    let mut out = Vec::with_capacity(96 * (d.spans.len() + 2));
    dump_into(&mut out, d, style, opts);
    into_string(out)
}

thread_local! {
    /// The scratch buffers, reused from PDU to PDU.
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// [`dump`], appended to `out` (callers rendering many PDUs reuse one buffer). Only UTF-8 text
/// is appended.
pub fn dump_into(out: &mut Vec<u8>, d: &Decoded, style: &Style, opts: &DumpOptions) {
    SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut scratch) => dump_rows(out, &mut scratch, d, style, opts),
        Err(_) => dump_rows(out, &mut Scratch::default(), d, style, opts),
    });
}

/// The title line, then each span's rows with the diagnostics at their offsets.
fn dump_rows(
    out: &mut Vec<u8>,
    scratch: &mut Scratch,
    d: &Decoded,
    style: &Style,
    opts: &DumpOptions,
) {
    title_into(out, d, style);
    out.push(b'\n');
    let mut emitted = std::mem::take(&mut scratch.emitted);
    emitted.clear();
    emitted.resize(d.diagnostics.len(), false);
    // Diagnostics at offset 0 that concern the whole PDU come first.
    for (i, diag) in d.diagnostics.iter().enumerate() {
        if diag.offset == 0 && diag.severity == Severity::Info {
            diag_lines(out, scratch, diag, style, opts.width);
            emitted[i] = true;
        }
    }
    for group in d.span_groups() {
        // A top-level span and its children.
        for (k, span) in group.iter().enumerate() {
            let kids = group.get(k + 1).is_some_and(|n| n.depth > span.depth);
            row(out, scratch, d, span, kids, style, opts);
        }
        let top = &group[0];
        for (k, diag) in d.diagnostics.iter().enumerate() {
            if !emitted[k] && top.range.contains(&diag.offset) {
                diag_lines(out, scratch, diag, style, opts.width);
                emitted[k] = true;
            }
        }
    }
    for (k, diag) in d.diagnostics.iter().enumerate() {
        if !emitted[k] {
            diag_lines(out, scratch, diag, style, opts.width);
        }
    }
    scratch.emitted = emitted;
}

/// Append `n` spaces.
fn pad(out: &mut Vec<u8>, n: usize) {
    const SPACES: [u8; 32] = [b' '; 32];
    let mut n = n;
    while n > 0 {
        let k = n.min(SPACES.len());
        // A fixed-size copy cut back to `k` is a few stores; a copy of `k` octets is a call.
        let len = out.len();
        out.extend_from_slice(&SPACES);
        out.truncate(len + k);
        n -= k;
    }
}

/// One line of a row being written, laid out on a run of spaces: each text is copied over
/// them at its column, so padding costs nothing, and the line is cut back to the end of its
/// last text when it ends (it never ends in padding and needs no trim in the common case).
struct Line<'o> {
    out: &'o mut Vec<u8>,
    start: usize,
    /// Where the next text goes.
    cursor: usize,
    /// Where the last text ends.
    text_end: usize,
}

/// The spaces a line is laid out on: as wide as nearly every line (a longer one gets more).
const BLANK_LINE: [u8; 96] = [b' '; 96];

impl<'o> Line<'o> {
    fn new(out: &'o mut Vec<u8>) -> Self {
        let start = out.len();
        out.extend_from_slice(&BLANK_LINE);
        Line {
            out,
            start,
            cursor: start,
            text_end: start,
        }
    }

    /// `n` spaces (dropped if no text follows them).
    fn space(&mut self, n: usize) {
        self.cursor += n;
    }

    /// The next `len` octets of the line, over spaces, for text to be written to.
    fn take(&mut self, len: usize) -> &mut [u8] {
        let at = self.cursor;
        self.cursor += len;
        if self.cursor > self.out.len() {
            pad(self.out, self.cursor - self.out.len());
        }
        &mut self.out[at..self.cursor]
    }

    /// Append `s`.
    fn text(&mut self, s: &str) {
        if !s.is_empty() {
            self.take(s.len()).copy_from_slice(s.as_bytes());
            self.text_end = self.cursor;
        }
    }

    /// `n` right-aligned in `OFF_W` columns (as `{n:>4}` would).
    fn offset(&mut self, n: usize) {
        let mut digits = itoa::Buffer::new();
        let text = digits.format(n);
        self.space(OFF_W.saturating_sub(text.len()));
        self.text(text);
    }

    /// The offset, gap, bytes cell and gap that start every line of a row (`NAME_COL`
    /// columns, or more for a wide offset or elision marker). `offset` is `None` on a line
    /// that continues a cell without bytes.
    fn lead(&mut self, offset: Option<usize>, cell: Cell<'_>, tmp: &mut Vec<u8>, style: &Style) {
        if style.color || !self.plain_lead(offset, &cell) {
            self.lead_by_parts(offset, cell, tmp, style);
        }
    }

    /// [`Line::lead`] part by part: the general case.
    fn lead_by_parts(
        &mut self,
        offset: Option<usize>,
        cell: Cell<'_>,
        tmp: &mut Vec<u8>,
        style: &Style,
    ) {
        match offset {
            Some(n) => self.offset(n),
            None => self.space(OFF_W),
        }
        self.space(2);
        if style.color {
            // The padding is painted with the cell.
            tmp.clear();
            cell.text_into(tmp);
            pad(tmp, BYTES_W.saturating_sub(tmp.len()));
            self.text(&style.paint(Role::Bytes, std::str::from_utf8(tmp).unwrap_or("")));
        } else {
            tmp.clear();
            cell.text_into(tmp);
            self.text(std::str::from_utf8(tmp).unwrap_or(""));
            self.space(BYTES_W.saturating_sub(tmp.len()));
        }
        self.space(2);
    }

    /// [`Line::lead`] without colour for an offset below 10,000 and a cell of octets or none
    /// (nearly every line): the digits and octets written over the spaces at once; false
    /// (nothing written) for anything else.
    fn plain_lead(&mut self, offset: Option<usize>, cell: &Cell<'_>) -> bool {
        let (octets, redact) = match *cell {
            Cell::Bytes { octets, redact } if octets.len() <= BYTES_PER_LINE => (octets, redact),
            Cell::Empty => (&[][..], false),
            Cell::Bytes { .. } | Cell::Elided(_) => return false,
        };
        let digits = match offset.map(offset_digits) {
            Some(None) => return false,
            Some(Some(digits)) => Some(digits),
            None => None,
        };
        let at = self.cursor;
        let lead = self.take(NAME_COL);
        if let Some(digits) = digits {
            lead[..OFF_W].copy_from_slice(&digits);
        }
        // Each octet's pair, one space apart.
        for (c, &b) in lead[OFF_W + 2..].chunks_exact_mut(3).zip(octets) {
            c[..2].copy_from_slice(octet_text(b, redact));
        }
        if !octets.is_empty() {
            self.text_end = at + OFF_W + 2 + 3 * octets.len() - 1;
        } else if digits.is_some() {
            self.text_end = at + OFF_W;
        }
        true
    }

    /// End the line: drop what follows its last text and trailing whitespace in that text, add
    /// the newline.
    fn end(self) {
        let Line {
            out,
            start,
            text_end,
            ..
        } = self;
        out.truncate(text_end);
        let clean_end = out
            .last()
            .is_some_and(|b| b.is_ascii() && !b.is_ascii_whitespace());
        if text_end > start && !clean_end {
            let kept = std::str::from_utf8(&out[start..]).map_or(0, |l| l.trim_end().len());
            out.truncate(start + kept);
        }
        out.push(b'\n');
    }
}

/// `n` right-aligned in `OFF_W` columns, when it fits.
fn offset_digits(n: usize) -> Option<[u8; OFF_W]> {
    if n >= 10_000 {
        return None;
    }
    let [a, b] = DIGIT_PAIRS[n / 100];
    let [c, d] = DIGIT_PAIRS[n % 100];
    // Leading zeros are shown as spaces (a lone 0 stays).
    let digit_or_blank = |digit: u8, shown: bool| if shown { digit } else { b' ' };
    Some([
        digit_or_blank(a, n >= 1000),
        digit_or_blank(b, n >= 100),
        digit_or_blank(c, n >= 10),
        d,
    ])
}

/// `"00"` .. `"99"`.
const DIGIT_PAIRS: [[u8; 2]; 100] = {
    let mut t = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        t[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    t
};

/// The hex digit pair of every octet, `"00"` .. `"ff"`: one 2-octet copy per octet.
const HEX_PAIRS: [[u8; 2]; 256] = super::hex_pairs(b"0123456789abcdef");

/// The text of an octet in a bytes cell (`**` for a redacted non-zero octet).
fn octet_text(b: u8, redact: bool) -> &'static [u8; 2] {
    if redact && b != 0 {
        b"**"
    } else {
        &HEX_PAIRS[usize::from(b)]
    }
}

/// What the bytes column of one line shows.
#[derive(Clone, Copy)]
enum Cell<'d> {
    /// These octets (shown as `**` when redacted and not zero).
    Bytes { octets: &'d [u8], redact: bool },
    /// The marker standing for the elided middle of a field this long.
    Elided(usize),
    /// Nothing (a line carrying only wrapped text).
    Empty,
}

impl Cell<'_> {
    /// Append the text of the cell, unpadded: spaced hex pairs or the elision marker.
    fn text_into(&self, out: &mut Vec<u8>) {
        match self {
            Cell::Bytes { octets, redact } => {
                for (k, &b) in octets.iter().enumerate() {
                    if k > 0 {
                        out.push(b' ');
                    }
                    out.extend_from_slice(octet_text(b, *redact));
                }
            }
            Cell::Elided(len) => {
                out.push(b'(');
                push_uint(out, *len as u64);
                out.extend_from_slice(b" octets)");
            }
            Cell::Empty => {}
        }
    }
}

/// Buffers reused from row to row.
#[derive(Default)]
struct Scratch {
    /// A row's value (wrapped under the row when too wide for it); a diagnostic's label and
    /// message.
    text: String,
    /// Bytes cell text (colour only).
    cell: Vec<u8>,
    /// Wrapped lines: (from the meaning rather than `text`, byte range).
    lines: Vec<(bool, Range<usize>)>,
    /// Which diagnostics of the PDU are written.
    emitted: Vec<bool>,
}

/// Where a row's value and meaning go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ValuePlace {
    /// Both on the first line.
    Joined,
    /// The value on the first line, the meaning wrapped under it.
    MeaningBelow,
    /// Both wrapped under the first line.
    Below,
}

/// Which octets a row shows on which of its lines.
struct ByteLines<'d> {
    pdu: &'d [u8],
    range: Range<usize>,
    redact: bool,
    /// Lines of `BYTES_PER_LINE` octets in the range.
    n_lines: usize,
    /// Lines shown: all, none (a parent whose children show the bytes) or five (elided).
    n_shown: usize,
    /// Showing the first three lines, the elision marker and the last line.
    elide: bool,
}

impl<'d> ByteLines<'d> {
    fn of(d: &'d Decoded, s: &Span, has_kids: bool, opts: &DumpOptions) -> Self {
        let n_lines = s.range.len().div_ceil(BYTES_PER_LINE);
        // A parent whose children show the bytes shows none itself.
        let parent_only = matches!(s.kind, SpanKind::Tlv) || has_kids;
        let elide = !opts.full && n_lines > 6;
        let n_shown = if parent_only {
            0
        } else if elide {
            5
        } else {
            n_lines
        };
        ByteLines {
            pdu: &d.bytes,
            range: s.range.clone(),
            redact: s.secret && !opts.show_secrets,
            n_lines,
            n_shown,
            elide,
        }
    }

    /// Line `k` of all the lines of octets: its offset and cell.
    fn octets(&self, k: usize) -> (Option<usize>, Cell<'d>) {
        let start = self.range.start + k * BYTES_PER_LINE;
        let end = (start + BYTES_PER_LINE).min(self.range.end);
        let octets = self.pdu.get(start..end).unwrap_or(&[]);
        let cell = Cell::Bytes {
            octets,
            redact: self.redact,
        };
        (Some(start), cell)
    }

    /// Shown line `k`: its offset (none on a line without octets) and cell.
    fn line(&self, k: usize) -> (Option<usize>, Cell<'d>) {
        if k >= self.n_shown {
            return (None, Cell::Empty);
        }
        if !self.elide {
            return self.octets(k);
        }
        match k {
            0..=2 => self.octets(k),
            3 => (None, Cell::Elided(self.range.len())),
            _ => self.octets(self.n_lines - 1),
        }
    }
}

fn row(
    out: &mut Vec<u8>,
    scratch: &mut Scratch,
    d: &Decoded,
    s: &Span,
    has_kids: bool,
    style: &Style,
    opts: &DumpOptions,
) {
    let bytes = ByteLines::of(d, s, has_kids, opts);
    let indent = 2 * usize::from(s.depth);
    let name_cols = indent + columns(&s.name);
    let name_w = name_cols.max(NAME_W);
    let avail = opts.width.saturating_sub(NAME_COL + name_w + 1);

    scratch.text.clear();
    let meaning = value_into(&mut scratch.text, s, opts);
    let place = place_value(scratch, meaning, avail, opts.width);

    let mut line = Line::new(out);
    // The first line shows the span's offset even when it shows no octets.
    let (_, cell) = bytes.line(0);
    line.lead(Some(s.range.start), cell, &mut scratch.cell, style);
    let role = match s.kind {
        SpanKind::Unexplained => Role::Error,
        _ => Role::Field,
    };
    if style.color {
        // Indent, name and padding, painted together (allocated once, at its final size).
        let mut name = String::with_capacity(indent + s.name.len() + (name_w - name_cols));
        name.extend(std::iter::repeat_n(' ', indent));
        name.push_str(&s.name);
        name.extend(std::iter::repeat_n(' ', name_w - name_cols));
        line.text(&style.paint(role, &name));
        line.space(1);
    } else {
        line.space(indent);
        line.text(&s.name);
        // The padding and the gap before the value.
        line.space(name_w - name_cols + 1);
    }
    first_line_value(&mut line, &scratch.text, meaning, place, style);
    line.end();

    let n = bytes.n_shown.saturating_sub(1).max(scratch.lines.len());
    for k in 0..n {
        let (offset, cell) = bytes.line(k + 1);
        let mut line = Line::new(out);
        line.lead(offset, cell, &mut scratch.cell, style);
        if let Some((from_meaning, r)) = scratch.lines.get(k) {
            let src = if *from_meaning {
                meaning.unwrap_or("")
            } else {
                scratch.text.as_str()
            };
            let t = src.get(r.clone()).unwrap_or("");
            if style.color {
                line.text(&style.paint(Role::Note, &format!("  {t}")));
            } else {
                line.space(2);
                line.text(t);
            }
        }
        line.end();
    }
}

/// Decide where the value (in `scratch.text`) and its meaning go, given `avail` columns on the
/// first line; wrap what goes below into `scratch.lines`.
fn place_value(
    scratch: &mut Scratch,
    meaning: Option<&str>,
    avail: usize,
    width: usize,
) -> ValuePlace {
    let below_w = width.saturating_sub(NAME_COL + 2).max(20);
    let value_cols = columns(&scratch.text);
    let meaning_cols = meaning.map_or(0, columns);
    let joined_cols = match meaning {
        Some(_) if !scratch.text.is_empty() => value_cols + 2 + meaning_cols,
        Some(_) => meaning_cols,
        None => value_cols,
    };
    scratch.lines.clear();
    if joined_cols <= avail {
        return ValuePlace::Joined;
    }
    let place = if value_cols <= avail {
        ValuePlace::MeaningBelow
    } else {
        wrap_ranges(&scratch.text, below_w, false, &mut scratch.lines);
        ValuePlace::Below
    };
    if let Some(m) = meaning {
        wrap_ranges(m, below_w, true, &mut scratch.lines);
    }
    place
}

/// The value part of a row's first line: the value and its meaning, the value alone, or
/// nothing (both wrapped below).
fn first_line_value(
    line: &mut Line<'_>,
    value: &str,
    meaning: Option<&str>,
    place: ValuePlace,
    style: &Style,
) {
    let value = if place == ValuePlace::Below {
        ""
    } else {
        value
    };
    let meaning = meaning.filter(|_| place == ValuePlace::Joined);
    if style.color {
        let mut first = String::with_capacity(value.len() + 2 + meaning.map_or(0, str::len));
        first.push_str(value);
        if let Some(m) = meaning {
            if !value.is_empty() {
                first.push_str("  ");
            }
            first.push_str(m);
        }
        line.text(&style.paint(Role::Value, &first));
        return;
    }
    line.text(value);
    if let Some(m) = meaning {
        if !value.is_empty() {
            line.space(2);
        }
        line.text(m);
    }
}

/// Append the value shown for a span and give its meaning; a redacted secret has no meaning.
fn value_into<'a>(out: &mut String, s: &'a Span, opts: &DumpOptions) -> Option<&'a str> {
    let empty = matches!(&s.value, Some(Val::Str(v)) if v.is_empty());
    if s.secret && !opts.show_secrets && !empty {
        let n = match &s.value {
            Some(Val::Str(v)) => v.chars().count(),
            _ => 0,
        };
        out.push_str("<redacted, ");
        out.push_str(itoa::Buffer::new().format(n));
        out.push_str(if n == 1 {
            " character>"
        } else {
            " characters>"
        });
        return None;
    }
    if let Some(v) = &s.value {
        v.display_into(out);
    }
    s.meaning.as_deref()
}

fn diag_lines(
    out: &mut Vec<u8>,
    scratch: &mut Scratch,
    diag: &Diagnostic,
    style: &Style,
    width: usize,
) {
    let role = match diag.severity {
        Severity::Error => Role::Error,
        Severity::Warning => Role::Warn,
        Severity::Info => Role::Note,
    };
    const IND: usize = 8;
    let Scratch { text, lines, .. } = scratch;
    text.clear();
    text.push_str(diag.severity.label());
    text.push_str(" @");
    text.push_str(itoa::Buffer::new().format(diag.offset));
    text.push_str(": ");
    let label_len = text.len();
    text.push_str(&diag.message);
    let body_w = width.saturating_sub(IND + 2).max(30);
    lines.clear();
    wrap_ranges(text, body_w, false, lines);
    for (k, (_, r)) in lines.iter().enumerate() {
        pad(out, IND);
        let l = text.get(r.clone()).unwrap_or("");
        if k == 0 {
            style.paint_bytes(out, role, &text[..label_len]);
            let rest = l.get(label_len.min(l.len())..).unwrap_or("");
            out.extend_from_slice(rest.as_bytes());
        } else {
            out.extend_from_slice(b"  ");
            out.extend_from_slice(l.as_bytes());
        }
        out.push(b'\n');
    }
    if let Some(h) = &diag.hint {
        lines.clear();
        wrap_ranges(h, body_w.saturating_sub(2), false, lines);
        for (k, (_, r)) in lines.iter().enumerate() {
            let p = if k == 0 { "→ " } else { "  " };
            let l = h.get(r.clone()).unwrap_or("");
            pad(out, IND);
            out.extend_from_slice(b"  ");
            if style.color {
                style.paint_bytes(out, Role::Note, &format!("{p}{l}"));
            } else {
                out.extend_from_slice(p.as_bytes());
                out.extend_from_slice(l.as_bytes());
            }
            out.push(b'\n');
        }
    }
}

/// Word-wrap `s` at `width` display columns (long words are split).
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    wrap_ranges(s, width, false, &mut lines);
    lines
        .into_iter()
        .map(|(_, r)| s.get(r).unwrap_or("").to_string())
        .collect()
}

/// The longest prefix of `w` at most `width` columns wide: its length in bytes and columns.
/// Never empty when `w` is not (so wrapping always moves on).
fn cut_at(w: &str, width: usize) -> (usize, usize) {
    if w.is_ascii() {
        let n = width.min(w.len());
        return (n, n);
    }
    let mut cols = 0;
    for (i, c) in w.char_indices() {
        let cw = char_columns(c);
        if cols + cw > width && i > 0 {
            return (i, cols);
        }
        cols += cw;
    }
    (w.len(), cols)
}

/// Word-wrap `s` at `width` display columns (at least 8; long words are split), appending each
/// line as a byte range of `s`, tagged with `tag`. At least one line is appended.
fn wrap_ranges(s: &str, width: usize, tag: bool, lines: &mut Vec<(bool, Range<usize>)>) {
    // Most text wrapped under a row fits the width below it: then it is one line, the whole
    // text (a leading space would be dropped by the word walk; `wrap_words` says the same).
    if !s.starts_with(' ') && columns(s) <= width.max(8) {
        lines.push((tag, 0..s.len()));
        return;
    }
    if is_ascii(s.as_bytes()) {
        wrap_ascii(s.as_bytes(), width, tag, lines);
    } else {
        wrap_words(s, width, tag, lines);
    }
}

/// [`wrap_words`] for ASCII text (one column per octet), a line at a time: each line starts
/// at a word and ends at the last word end (a space or the end of the text) that fits; a word
/// wider than the line is cut at the width.
fn wrap_ascii(s: &[u8], width: usize, tag: bool, lines: &mut Vec<(bool, Range<usize>)>) {
    let width = width.max(8);
    let skip_spaces = |from: usize| from + s[from..].iter().take_while(|&&b| b == b' ').count();
    let mut start = skip_spaces(0);
    if start == s.len() {
        lines.push((tag, 0..0));
        return;
    }
    while start < s.len() {
        let limit = start + width;
        if s.len() <= limit {
            lines.push((tag, start..s.len()));
            return;
        }
        // The last space within the width (at `limit` itself: the line is exactly full).
        match s[start..=limit].iter().rposition(|&b| b == b' ') {
            Some(i) => {
                lines.push((tag, start..start + i));
                start = skip_spaces(start + i);
            }
            None => {
                lines.push((tag, start..limit));
                start = limit;
            }
        }
    }
}

/// [`wrap_ranges`] word by word: the general case.
fn wrap_words(s: &str, width: usize, tag: bool, lines: &mut Vec<(bool, Range<usize>)>) {
    let width = width.max(8);
    let first = lines.len();
    // ASCII text (the common case) is measured in octets; other text by display width.
    let ascii = s.is_ascii();
    let cols = |r: Range<usize>| {
        if ascii {
            r.len()
        } else {
            columns(s.get(r).unwrap_or(""))
        }
    };
    // The line being filled (None while empty) and its width.
    let mut cur: Option<Range<usize>> = None;
    let mut cur_w = 0usize;
    let mut pos = 0usize;
    for word in s.as_bytes().split(|&b| b == b' ') {
        let mut ws = pos;
        let we = pos + word.len();
        pos = we + 1;
        let mut w_w = cols(ws..we);
        while w_w > width {
            if let Some(c) = cur.take() {
                lines.push((tag, c));
                cur_w = 0;
            }
            let (cut, cut_w) = if ascii {
                (width, width)
            } else {
                cut_at(s.get(ws..we).unwrap_or(""), width)
            };
            if cut == 0 {
                break; // not reached: words start on character boundaries
            }
            lines.push((tag, ws..ws + cut));
            ws += cut;
            w_w -= cut_w;
        }
        if cur.is_some() && cur_w + 1 + w_w > width {
            if let Some(c) = cur.take() {
                lines.push((tag, c));
            }
            cur_w = 0;
        }
        match cur.as_mut() {
            Some(c) => {
                c.end = we;
                cur_w += 1 + w_w;
            }
            None if ws < we => {
                cur = Some(ws..we);
                cur_w = w_w;
            }
            None => {}
        }
    }
    match cur {
        Some(c) => lines.push((tag, c)),
        None if lines.len() == first => lines.push((tag, 0..0)),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Word wrap as first written, on strings (character counts): the reference the range-based
    /// wrap must match on every ASCII text.
    fn wrap_by_chars(s: &str, width: usize) -> Vec<String> {
        let width = width.max(8);
        let mut lines = Vec::new();
        let mut cur = String::new();
        let mut cur_chars = 0usize;
        for word in s.split(' ') {
            let mut w = word;
            let mut w_chars = w.chars().count();
            while w_chars > width {
                if !cur.is_empty() {
                    lines.push(std::mem::take(&mut cur));
                    cur_chars = 0;
                }
                let cut = w.char_indices().nth(width).map_or(w.len(), |(i, _)| i);
                lines.push(w[..cut].to_string());
                w = &w[cut..];
                w_chars -= width;
            }
            if cur_chars > 0 && cur_chars + 1 + w_chars > width {
                lines.push(std::mem::take(&mut cur));
                cur_chars = 0;
            }
            if !cur.is_empty() {
                cur.push(' ');
                cur_chars += 1;
            }
            cur.push_str(w);
            cur_chars += w_chars;
        }
        if !cur.is_empty() || lines.is_empty() {
            lines.push(cur);
        }
        lines
    }

    /// Every way a line can start, written by `lead` and by `lead_by_parts`, followed by a
    /// word or not.
    fn leads_both_ways(offset: Option<usize>, cell: Cell<'_>, then: &str) -> (String, String) {
        let write = |by_parts: bool| {
            let (mut out, mut tmp) = (Vec::new(), Vec::new());
            let mut line = Line::new(&mut out);
            if by_parts {
                line.lead_by_parts(offset, cell, &mut tmp, &Style::PLAIN);
            } else {
                line.lead(offset, cell, &mut tmp, &Style::PLAIN);
            }
            line.text(then);
            line.end();
            into_string(out)
        };
        (write(false), write(true))
    }

    proptest! {
        #[test]
        fn a_line_starts_the_same_in_one_copy_and_part_by_part(
            offset in proptest::option::of(prop_oneof![0usize..20, 9_990usize..10_010, any::<usize>()]),
            octets in proptest::collection::vec(any::<u8>(), 0..9),
            kind in 0u8..3,
            redact in any::<bool>(),
            then in prop_oneof![Just(""), Just("name"), Just(" ")],
        ) {
            let cell = match kind {
                0 => Cell::Bytes { octets: &octets, redact },
                1 => Cell::Elided(octets.len() * 100),
                _ => Cell::Empty,
            };
            let (one_copy, by_parts) = leads_both_ways(offset, cell, then);
            prop_assert_eq!(one_copy, by_parts);
        }

        #[test]
        fn wrap_matches_the_char_wrap_on_ascii(s in "[ a-z,.]{0,200}", width in 0usize..60) {
            prop_assert_eq!(wrap(&s, width), wrap_by_chars(&s, width));
        }

        #[test]
        fn one_line_wraps_match_the_word_walk(s in "[ a-z你好😀é\u{301}]{0,70}", width in 0usize..60) {
            let (mut fast, mut walked) = (Vec::new(), Vec::new());
            wrap_ranges(&s, width, true, &mut fast);
            wrap_words(&s, width, true, &mut walked);
            prop_assert_eq!(fast, walked);
        }

        #[test]
        fn ascii_wraps_match_the_word_walk(
            s in prop_oneof!["[ a-z]{0,120}", "[ ab]{0,60}"],
            width in 0usize..40,
        ) {
            let (mut by_line, mut walked) = (Vec::new(), Vec::new());
            wrap_ascii(s.as_bytes(), width, false, &mut by_line);
            wrap_words(&s, width, false, &mut walked);
            prop_assert_eq!(by_line, walked);
        }

        #[test]
        fn the_word_test_of_ascii_matches_the_standard_one(
            mut s in proptest::collection::vec(0u8..0x80, 0..40),
            high in proptest::option::of((any::<usize>(), 0x80u8..)),
        ) {
            // ASCII, or ASCII but for one octet anywhere.
            if let Some((at, b)) = high.filter(|_| !s.is_empty()) {
                let n = s.len();
                s[at % n] = b;
            }
            prop_assert_eq!(is_ascii(&s), s.is_ascii());
        }

        #[test]
        fn wrapped_lines_fit_their_width(s in "[ a-z你好世界😀é\u{301}]{0,120}", width in 8usize..60) {
            let lines = wrap(&s, width);
            for l in &lines {
                prop_assert!(columns(l) <= width, "{:?} is {} columns", l, columns(l));
            }
            // Nothing is lost: the lines hold every non-space character in order.
            let kept: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let want: String = s.chars().filter(|c| *c != ' ').collect();
            prop_assert_eq!(kept, want);
        }
    }

    #[test]
    fn wide_text_is_wrapped_by_display_width() {
        // 20 CJK characters are 40 columns: too wide for a 30-column line.
        let s = "你好世界你好世界你好世界你好世界你好世界";
        let lines = wrap(s, 30);
        assert_eq!(lines.len(), 2);
        assert_eq!(columns(&lines[0]), 30);
        assert_eq!(columns(&lines[1]), 10);
    }
}
