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

use super::{Role, Style};

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
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().map(char_columns).sum()
    }
}

fn char_columns(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// Append the decimal digits of `n`.
fn push_uint(out: &mut String, n: u64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// The one-line title of a PDU: command, status, sequence, length.
pub fn title(d: &Decoded, style: &Style) -> String {
    let mut s = String::new();
    title_into(&mut s, d, style);
    s
}

fn title_into(out: &mut String, d: &Decoded, style: &Style) {
    let Some(h) = d.header else {
        style.paint_into(out, Role::Heading, "incomplete PDU");
        out.push_str(" (");
        push_uint(out, d.bytes.len() as u64);
        out.push_str(" octets)");
        return;
    };
    let status_role = if h.command_status == 0 {
        Role::Good
    } else {
        Role::Error
    };
    match commands::lookup(h.command_id) {
        Some(def) => style.paint_into(out, Role::Heading, def.name),
        None => style.paint_into(out, Role::Heading, &d.command_name()),
    }
    out.push_str("  ");
    style.paint_into(out, status_role, &status::name_of(h.command_status));
    out.push_str("  seq ");
    push_uint(out, u64::from(h.sequence_number));
    out.push_str("  ");
    push_uint(out, d.bytes.len() as u64);
    out.push_str(" octets");
    if d.is_malformed() {
        out.push_str("  ");
        style.paint_into(out, Role::Error, "MALFORMED");
    }
}

/// Render the annotated dump of one decoded PDU (title line included).
pub fn dump(d: &Decoded, style: &Style, opts: &DumpOptions) -> String {
    let mut out = String::with_capacity(96 * (d.spans.len() + 2));
    dump_into(&mut out, d, style, opts);
    out
}

thread_local! {
    /// The scratch buffers, reused from PDU to PDU.
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// [`dump`], appended to `out` (callers rendering many PDUs reuse one buffer).
pub fn dump_into(out: &mut String, d: &Decoded, style: &Style, opts: &DumpOptions) {
    SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut scratch) => dump_rows(out, &mut scratch, d, style, opts),
        Err(_) => dump_rows(out, &mut Scratch::default(), d, style, opts),
    });
}

/// The title line, then each span's rows with the diagnostics at their offsets.
fn dump_rows(
    out: &mut String,
    scratch: &mut Scratch,
    d: &Decoded,
    style: &Style,
    opts: &DumpOptions,
) {
    title_into(out, d, style);
    out.push('\n');
    let mut emitted = vec![false; d.diagnostics.len()];
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
}

/// Hex digit pairs of every octet.
const HEX: &[u8; 16] = b"0123456789abcdef";

fn pad(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// Append `n` right-aligned in `OFF_W` columns (as `{n:>4}` would).
fn push_offset(out: &mut String, n: usize) {
    let mut buf = itoa::Buffer::new();
    let text = buf.format(n);
    pad(out, OFF_W.saturating_sub(text.len()));
    out.push_str(text);
}

/// End the line started at `start`: drop its trailing whitespace, add the newline.
fn end_line(out: &mut String, start: usize) {
    let last = out.as_bytes().last().copied();
    if out.len() > start && last.is_some_and(|b| b.is_ascii() && !b.is_ascii_whitespace()) {
        out.push('\n');
        return;
    }
    let kept = out.get(start..).map_or(0, |l| l.trim_end().len());
    out.truncate(start + kept);
    out.push('\n');
}

/// What the bytes column of one line shows.
#[derive(Clone)]
enum Cell {
    /// The octets of this range.
    Bytes(Range<usize>),
    /// The marker standing for the elided middle of a long field.
    Elided,
    /// Nothing (a line carrying only wrapped text).
    Empty,
}

/// Append the text of a bytes cell: spaced hex pairs (`**` for redacted non-zero octets), or
/// the elision marker.
fn cell_text(out: &mut String, d: &Decoded, s: &Span, cell: &Cell, opts: &DumpOptions) {
    match cell {
        Cell::Bytes(r) => {
            let bytes = d.bytes.get(r.clone()).unwrap_or(&[]);
            let redact = s.secret && !opts.show_secrets;
            for (k, b) in bytes.iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                if redact && *b != 0 {
                    out.push_str("**");
                } else {
                    out.push(char::from(HEX[usize::from(b >> 4)]));
                    out.push(char::from(HEX[usize::from(b & 0xF)]));
                }
            }
        }
        Cell::Elided => {
            out.push('(');
            push_uint(out, s.range.len() as u64);
            out.push_str(" octets)");
        }
        Cell::Empty => {}
    }
}

/// Append a bytes cell padded to the column width.
fn bytes_cell(
    out: &mut String,
    tmp: &mut String,
    d: &Decoded,
    s: &Span,
    cell: &Cell,
    style: &Style,
    opts: &DumpOptions,
) {
    if style.color {
        tmp.clear();
        cell_text(tmp, d, s, cell, opts);
        pad(tmp, BYTES_W.saturating_sub(tmp.len()));
        out.push_str(&style.paint(Role::Bytes, tmp));
    } else {
        let at = out.len();
        cell_text(out, d, s, cell, opts);
        pad(out, BYTES_W.saturating_sub(out.len() - at));
    }
}

/// Buffers reused from row to row.
#[derive(Default)]
struct Scratch {
    /// A value too wide for its row, wrapped under it; a diagnostic's label and message.
    text: String,
    /// Bytes cell text (colour only).
    cell: String,
    /// Wrapped lines: (from the meaning rather than `text`, byte range).
    lines: Vec<(bool, Range<usize>)>,
}

fn row(
    out: &mut String,
    scratch: &mut Scratch,
    d: &Decoded,
    s: &Span,
    has_kids: bool,
    style: &Style,
    opts: &DumpOptions,
) {
    let indent = 2 * usize::from(s.depth);
    let name_cols = indent + columns(&s.name);
    let len = s.range.len();
    let line_of = |k: usize| {
        s.range.start + k * BYTES_PER_LINE
            ..(s.range.start + (k + 1) * BYTES_PER_LINE).min(s.range.end)
    };
    let n_lines = len.div_ceil(BYTES_PER_LINE);
    // A parent whose children show the bytes shows none itself.
    let parent_only = matches!(s.kind, SpanKind::Tlv) || has_kids;
    // The byte lines shown: all of them, or the first three, an elision marker and the last.
    let elide = !opts.full && n_lines > 6;
    let n_shown = if parent_only {
        0
    } else if elide {
        5
    } else {
        n_lines
    };
    let cell = |k: usize| -> Cell {
        if elide {
            match k {
                0..=2 => Cell::Bytes(line_of(k)),
                3 => Cell::Elided,
                _ => Cell::Bytes(line_of(n_lines - 1)),
            }
        } else {
            Cell::Bytes(line_of(k))
        }
    };
    let role = match s.kind {
        SpanKind::Unexplained => Role::Error,
        _ => Role::Field,
    };
    let name_w = name_cols.max(NAME_W);
    let value_col = NAME_COL + name_w + 1;
    let avail = opts.width.saturating_sub(value_col);
    let below_w = opts.width.saturating_sub(NAME_COL + 2).max(20);

    let start = out.len();
    push_offset(out, s.range.start);
    out.push_str("  ");
    let first_cell = if n_shown > 0 { cell(0) } else { Cell::Empty };
    bytes_cell(out, &mut scratch.cell, d, s, &first_cell, style, opts);
    out.push_str("  ");
    if style.color {
        let mut name = "  ".repeat(usize::from(s.depth));
        name.push_str(&s.name);
        pad(&mut name, name_w - name_cols);
        out.push_str(&style.paint(role, &name));
    } else {
        pad(out, indent);
        out.push_str(&s.name);
        pad(out, name_w - name_cols);
    }
    out.push(' ');
    // The value goes straight to the first line; when it does not fit there it moves under it.
    let vstart = out.len();
    let meaning = value_into(out, s, opts);
    let value_cols = columns(&out[vstart..]);
    let meaning_cols = meaning.map_or(0, columns);
    let joined_cols = match meaning {
        Some(_) if out.len() > vstart => value_cols + 2 + meaning_cols,
        Some(_) => meaning_cols,
        None => value_cols,
    };
    scratch.lines.clear();
    if joined_cols <= avail {
        if let Some(m) = meaning {
            if out.len() > vstart {
                out.push_str("  ");
            }
            out.push_str(m);
        }
    } else if value_cols <= avail {
        if let Some(m) = meaning {
            wrap_ranges(m, below_w, true, &mut scratch.lines);
        }
    } else {
        scratch.text.clear();
        scratch.text.push_str(&out[vstart..]);
        out.truncate(vstart);
        wrap_ranges(&scratch.text, below_w, false, &mut scratch.lines);
        if let Some(m) = meaning {
            wrap_ranges(m, below_w, true, &mut scratch.lines);
        }
    }
    if style.color {
        let first = out.split_off(vstart);
        out.push_str(&style.paint(Role::Value, &first));
    }
    end_line(out, start);

    let n = n_shown.saturating_sub(1).max(scratch.lines.len());
    for k in 0..n {
        let start = out.len();
        let c = if k + 1 < n_shown {
            cell(k + 1)
        } else {
            Cell::Empty
        };
        match &c {
            Cell::Bytes(r) => push_offset(out, r.start),
            Cell::Elided | Cell::Empty => pad(out, OFF_W),
        }
        out.push_str("  ");
        bytes_cell(out, &mut scratch.cell, d, s, &c, style, opts);
        out.push_str("  ");
        if let Some((from_meaning, r)) = scratch.lines.get(k) {
            let src = if *from_meaning {
                meaning.unwrap_or("")
            } else {
                scratch.text.as_str()
            };
            let t = src.get(r.clone()).unwrap_or("");
            if style.color {
                out.push_str(&style.paint(Role::Note, &format!("  {t}")));
            } else {
                out.push_str("  ");
                out.push_str(t);
            }
        }
        end_line(out, start);
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
        push_uint(out, n as u64);
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
    out: &mut String,
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
    push_uint(text, diag.offset as u64);
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
            style.paint_into(out, role, &text[..label_len]);
            out.push_str(l.get(label_len.min(l.len())..).unwrap_or(""));
        } else {
            out.push_str("  ");
            out.push_str(l);
        }
        out.push('\n');
    }
    if let Some(h) = &diag.hint {
        lines.clear();
        wrap_ranges(h, body_w.saturating_sub(2), false, lines);
        for (k, (_, r)) in lines.iter().enumerate() {
            let p = if k == 0 { "→ " } else { "  " };
            let l = h.get(r.clone()).unwrap_or("");
            pad(out, IND);
            out.push_str("  ");
            if style.color {
                out.push_str(&style.paint(Role::Note, &format!("{p}{l}")));
            } else {
                out.push_str(p);
                out.push_str(l);
            }
            out.push('\n');
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

    proptest! {
        #[test]
        fn wrap_matches_the_char_wrap_on_ascii(s in "[ a-z,.]{0,200}", width in 0usize..60) {
            prop_assert_eq!(wrap(&s, width), wrap_by_chars(&s, width));
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
