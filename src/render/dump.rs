//! The annotated hex dump: one row per field with offset, bytes, name, value and meaning;
//! children (TLV parts, UDH elements, list entries) indented under their parent; diagnostics
//! inline at their offsets. Readable at 80 columns.

use std::fmt::Write;
use std::ops::Range;

use crate::codec::{Decoded, Diagnostic, Severity, Span, SpanKind};

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

/// The one-line title of a PDU: command, status, sequence, length.
pub fn title(d: &Decoded, style: &Style) -> String {
    let Some(h) = d.header else {
        return format!(
            "{} ({} octets)",
            style.paint(Role::Heading, "incomplete PDU"),
            d.bytes.len()
        );
    };
    let status = crate::spec::status::explain(h.command_status);
    let status_role = if h.command_status == 0 {
        Role::Good
    } else {
        Role::Error
    };
    let mut s = format!(
        "{}  {}  seq {}  {} octets",
        style.paint(Role::Heading, &d.command_name()),
        style.paint(status_role, &status.name),
        h.sequence_number,
        d.bytes.len()
    );
    if d.is_malformed() {
        s.push_str("  ");
        s.push_str(&style.paint(Role::Error, "MALFORMED"));
    }
    s
}

/// Render the annotated dump of one decoded PDU (title line included).
pub fn dump(d: &Decoded, style: &Style, opts: &DumpOptions) -> String {
    let mut out = String::with_capacity(96 * (d.spans.len() + 2));
    out.push_str(&title(d, style));
    out.push('\n');
    let mut emitted = vec![false; d.diagnostics.len()];
    let mut scratch = Scratch::default();
    // Diagnostics at offset 0 that concern the whole PDU come first.
    for (i, diag) in d.diagnostics.iter().enumerate() {
        if diag.offset == 0 && diag.severity == Severity::Info {
            diag_lines(&mut out, diag, style, opts.width);
            emitted[i] = true;
        }
    }
    let mut i = 0;
    while i < d.spans.len() {
        // A top-level span and its children.
        let top = &d.spans[i];
        let mut j = i + 1;
        while j < d.spans.len() && d.spans[j].depth > top.depth {
            j += 1;
        }
        for k in i..j {
            let kids = d
                .spans
                .get(k + 1)
                .is_some_and(|n| n.depth > d.spans[k].depth);
            row(&mut out, &mut scratch, d, &d.spans[k], kids, style, opts);
        }
        for (k, diag) in d.diagnostics.iter().enumerate() {
            if !emitted[k] && top.range.contains(&diag.offset) {
                diag_lines(&mut out, diag, style, opts.width);
                emitted[k] = true;
            }
        }
        i = j;
    }
    for (k, diag) in d.diagnostics.iter().enumerate() {
        if !emitted[k] {
            diag_lines(&mut out, diag, style, opts.width);
        }
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Append `s` painted for `role`, padded with spaces to `width` characters (`s_chars` is its
/// character count). Without colour nothing is allocated.
fn paint_padded(
    out: &mut String,
    style: &Style,
    role: Role,
    s: &str,
    s_chars: usize,
    width: usize,
) {
    if style.color {
        let mut padded = String::with_capacity(s.len() + width.saturating_sub(s_chars));
        padded.push_str(s);
        pad(&mut padded, width.saturating_sub(s_chars));
        out.push_str(&style.paint(role, &padded));
    } else {
        out.push_str(s);
        pad(out, width.saturating_sub(s_chars));
    }
}

/// Append `n` right-aligned in `OFF_W` columns (as `{n:>4}` would), without the formatter.
fn push_offset(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut k = digits.len();
    let mut v = n;
    loop {
        k -= 1;
        digits[k] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let text = &digits[k..];
    pad(out, OFF_W.saturating_sub(text.len()));
    for d in text {
        out.push(char::from(*d));
    }
}

fn pad(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

/// End the line started at `start`: drop its trailing whitespace, add the newline.
fn end_line(out: &mut String, start: usize) {
    let kept = out.get(start..).map_or(0, |l| l.trim_end().len());
    out.truncate(start + kept);
    out.push('\n');
}

/// The bytes of `r` as spaced hex pairs (`**` for redacted non-zero octets), into `buf`.
fn byte_text(buf: &mut String, d: &Decoded, s: &Span, r: Range<usize>, opts: &DumpOptions) {
    buf.clear();
    let bytes = d.bytes.get(r).unwrap_or(&[]);
    let redact = s.secret && !opts.show_secrets;
    for (k, b) in bytes.iter().enumerate() {
        if k > 0 {
            buf.push(' ');
        }
        if redact && *b != 0 {
            buf.push_str("**");
        } else {
            buf.push(char::from(HEX[usize::from(b >> 4)]));
            buf.push(char::from(HEX[usize::from(b & 0xF)]));
        }
    }
}

/// Text of a row's bytes line: a byte range, or the elision marker of a long field.
fn bytes_line(
    buf: &mut String,
    d: &Decoded,
    s: &Span,
    r: &Option<Range<usize>>,
    opts: &DumpOptions,
) {
    match r {
        Some(r) => byte_text(buf, d, s, r.clone(), opts),
        None => {
            buf.clear();
            let _ = write!(buf, "({} octets)", s.range.len());
        }
    }
}

/// Buffers reused from row to row.
#[derive(Default)]
struct Scratch {
    value: String,
    bytes: String,
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
    let Scratch { value, bytes } = scratch;
    value.clear();
    let indent = 2 * usize::from(s.depth);
    let name_chars = indent + s.name.chars().count();
    let len = s.range.len();
    let line_of = |k: usize| {
        s.range.start + k * BYTES_PER_LINE
            ..(s.range.start + (k + 1) * BYTES_PER_LINE).min(s.range.end)
    };
    let n_lines = len.div_ceil(BYTES_PER_LINE);
    // A parent whose children show the bytes shows none itself.
    let parent_only = matches!(s.kind, SpanKind::Tlv) || has_kids;
    // The byte lines shown: all of them, or the first three, an elision marker and the last.
    let n_shown = if parent_only {
        0
    } else if opts.full || n_lines <= 6 {
        n_lines
    } else {
        5
    };
    let shown = |k: usize| -> Option<Range<usize>> {
        if n_shown == 5 && !opts.full && n_lines > 6 {
            match k {
                0..=2 => Some(line_of(k)),
                3 => None,
                _ => Some(line_of(n_lines - 1)),
            }
        } else {
            Some(line_of(k))
        }
    };
    let role = match s.kind {
        SpanKind::Unexplained => Role::Error,
        _ => Role::Field,
    };
    let meaning = value_parts(value, s, opts);
    let name_w = name_chars.max(NAME_W);
    let value_col = NAME_COL + name_w + 1;
    let avail = opts.width.saturating_sub(value_col);
    let below_w = opts.width.saturating_sub(NAME_COL + 2).max(20);
    let value_chars = value.chars().count();
    let meaning_chars = meaning.map_or(0, |m| m.chars().count());
    // Text right of the name on the first line (value, meaning, or both), and lines under it.
    let joined_chars = match meaning {
        Some(_) if !value.is_empty() => value_chars + 2 + meaning_chars,
        Some(_) => meaning_chars,
        None => value_chars,
    };
    let mut below: Vec<String> = Vec::new();
    let (first_value, first_meaning) = if joined_chars <= avail {
        (!value.is_empty() || meaning.is_none(), meaning)
    } else if value_chars <= avail {
        if let Some(m) = meaning {
            below = wrap(m, below_w);
        }
        (true, None)
    } else {
        below = wrap(value, below_w);
        if let Some(m) = meaning {
            below.extend(wrap(m, below_w));
        }
        (false, None)
    };

    bytes.clear();
    if n_shown > 0 {
        bytes_line(bytes, d, s, &shown(0), opts);
    }
    let start = out.len();
    push_offset(out, s.range.start);
    out.push_str("  ");
    paint_padded(out, style, Role::Bytes, bytes, bytes.len(), BYTES_W);
    out.push_str("  ");
    if style.color {
        let mut name = "  ".repeat(usize::from(s.depth));
        name.push_str(&s.name);
        paint_padded(out, style, role, &name, name_chars, name_w);
    } else {
        pad(out, indent);
        out.push_str(&s.name);
        pad(out, name_w - name_chars);
    }
    out.push(' ');
    if style.color {
        let mut first = String::new();
        if first_value {
            first.push_str(value);
        }
        if let Some(m) = first_meaning {
            if first_value {
                first.push_str("  ");
            }
            first.push_str(m);
        }
        out.push_str(&style.paint(Role::Value, &first));
    } else {
        if first_value {
            out.push_str(value);
        }
        if let Some(m) = first_meaning {
            if first_value {
                out.push_str("  ");
            }
            out.push_str(m);
        }
    }
    end_line(out, start);

    let n = n_shown.saturating_sub(1).max(below.len());
    for k in 0..n {
        let start = out.len();
        if k + 1 < n_shown {
            let r = shown(k + 1);
            bytes_line(bytes, d, s, &r, opts);
            match r {
                Some(r) => {
                    push_offset(out, r.start);
                    out.push_str("  ");
                }
                None => {
                    pad(out, OFF_W);
                    out.push_str("  ");
                }
            }
        } else {
            bytes.clear();
            pad(out, OFF_W);
            out.push_str("  ");
        }
        paint_padded(out, style, Role::Bytes, bytes, bytes.len(), BYTES_W);
        out.push_str("  ");
        if let Some(t) = below.get(k) {
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

/// The value shown (written into `value`) and the meaning of a span; a redacted secret has no
/// meaning.
fn value_parts<'a>(value: &mut String, s: &'a Span, opts: &DumpOptions) -> Option<&'a str> {
    let empty = matches!(&s.value, Some(crate::codec::Val::Str(v)) if v.is_empty());
    if s.secret && !opts.show_secrets && !empty {
        let n = match &s.value {
            Some(crate::codec::Val::Str(v)) => v.chars().count(),
            _ => 0,
        };
        let _ = write!(
            value,
            "<redacted, {n} character{}>",
            if n == 1 { "" } else { "s" }
        );
        return None;
    }
    if let Some(v) = &s.value {
        v.display_into(value);
    }
    s.meaning.as_deref()
}

fn diag_lines(out: &mut String, diag: &Diagnostic, style: &Style, width: usize) {
    let role = match diag.severity {
        Severity::Error => Role::Error,
        Severity::Warning => Role::Warn,
        Severity::Info => Role::Note,
    };
    let label = format!("{} @{}: ", diag.severity.label(), diag.offset);
    let ind = 8;
    let body_w = width.saturating_sub(ind + 2).max(30);
    let first = wrap(&format!("{label}{}", diag.message), body_w);
    for (k, l) in first.iter().enumerate() {
        let text = if k == 0 {
            format!(
                "{}{}",
                style.paint(role, &label),
                &l[label.len().min(l.len())..]
            )
        } else {
            format!("  {l}")
        };
        let _ = writeln!(out, "{:ind$}{text}", "");
    }
    if let Some(h) = &diag.hint {
        for (k, l) in wrap(h, body_w.saturating_sub(2)).iter().enumerate() {
            let p = if k == 0 { "→ " } else { "  " };
            let _ = writeln!(
                out,
                "{:ind$}  {}",
                "",
                style.paint(Role::Note, &format!("{p}{l}"))
            );
        }
    }
}

/// Word-wrap `s` at `width` characters (long words are split).
pub fn wrap(s: &str, width: usize) -> Vec<String> {
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
