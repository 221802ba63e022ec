//! The annotated hex dump: one row per field with offset, bytes, name, value and meaning;
//! children (TLV parts, UDH elements, list entries) indented under their parent; diagnostics
//! inline at their offsets. Readable at 80 columns.

use std::fmt::Write;

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
    let mut out = String::new();
    let _ = writeln!(out, "{}", title(d, style));
    let mut emitted = vec![false; d.diagnostics.len()];
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
            row(&mut out, d, &d.spans[k], kids, style, opts);
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

fn byte_text(d: &Decoded, s: &Span, r: std::ops::Range<usize>, opts: &DumpOptions) -> String {
    let bytes = d.bytes.get(r).unwrap_or(&[]);
    let redact = s.secret && !opts.show_secrets;
    bytes
        .iter()
        .map(|b| {
            if redact && *b != 0 {
                "**".to_string()
            } else {
                format!("{b:02x}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn row(out: &mut String, d: &Decoded, s: &Span, has_kids: bool, style: &Style, opts: &DumpOptions) {
    let indent = "  ".repeat(s.depth as usize);
    let name = format!("{indent}{}", s.name);
    let len = s.range.len();
    let lines: Vec<std::ops::Range<usize>> = (0..len.div_ceil(BYTES_PER_LINE))
        .map(|k| {
            s.range.start + k * BYTES_PER_LINE
                ..(s.range.start + (k + 1) * BYTES_PER_LINE).min(s.range.end)
        })
        .collect();
    // A parent whose children show the bytes shows none itself.
    let parent_only = matches!(s.kind, SpanKind::Tlv) || has_kids;
    let shown: Vec<Option<std::ops::Range<usize>>> = if parent_only {
        vec![]
    } else if opts.full || lines.len() <= 6 {
        lines.into_iter().map(Some).collect()
    } else {
        let mut v: Vec<Option<std::ops::Range<usize>>> =
            lines[..3].iter().cloned().map(Some).collect();
        v.push(None); // elision marker
        v.push(lines.last().cloned());
        v
    };
    let role = match s.kind {
        SpanKind::Unexplained => Role::Error,
        _ => Role::Field,
    };
    let (value, meaning) = value_parts(s, opts);
    let name_w = name.chars().count().max(NAME_W);
    let value_col = NAME_COL + name_w + 1;
    let avail = opts.width.saturating_sub(value_col);
    // Text that goes right of the name on the first line, and text lines under it.
    let mut first = String::new();
    let mut below: Vec<String> = Vec::new();
    let below_w = opts.width.saturating_sub(NAME_COL + 2).max(20);
    let joined = match (&value, &meaning) {
        (v, Some(m)) if !v.is_empty() => format!("{v}  {m}"),
        (_, Some(m)) => m.clone(),
        (v, None) => v.clone(),
    };
    if joined.chars().count() <= avail {
        first = joined;
    } else if value.chars().count() <= avail {
        first = value.clone();
        if let Some(m) = &meaning {
            below = wrap(m, below_w);
        }
    } else {
        below = wrap(&value, below_w);
        if let Some(m) = &meaning {
            below.extend(wrap(m, below_w));
        }
    }
    let bytes_of = |r: &Option<std::ops::Range<usize>>| match r {
        Some(r) => byte_text(d, s, r.clone(), opts),
        None => format!("({len} octets)"),
    };
    let first_bytes = shown.first().map(bytes_of).unwrap_or_default();
    let line = format!(
        "{:>OFF_W$}  {}  {} {}",
        s.range.start,
        style.paint(Role::Bytes, &format!("{first_bytes:<BYTES_W$}")),
        style.paint(role, &format!("{name:<name_w$}")),
        style.paint(Role::Value, &first)
    );
    let _ = writeln!(out, "{}", line.trim_end());
    let n = shown.len().saturating_sub(1).max(below.len());
    for k in 0..n {
        let (off, b) = match shown.get(k + 1) {
            Some(Some(r)) => (r.start.to_string(), bytes_of(&Some(r.clone()))),
            Some(None) => (String::new(), bytes_of(&None)),
            None => (String::new(), String::new()),
        };
        let text = below
            .get(k)
            .map(|t| style.paint(Role::Note, &format!("  {t}")))
            .unwrap_or_default();
        let line = format!(
            "{off:>OFF_W$}  {}  {text}",
            style.paint(Role::Bytes, &format!("{b:<BYTES_W$}"))
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn value_parts(s: &Span, opts: &DumpOptions) -> (String, Option<String>) {
    let empty = matches!(&s.value, Some(crate::codec::Val::Str(v)) if v.is_empty());
    if s.secret && !opts.show_secrets && !empty {
        let n = match &s.value {
            Some(crate::codec::Val::Str(v)) => v.chars().count(),
            _ => 0,
        };
        return (
            format!("<redacted, {n} character{}>", if n == 1 { "" } else { "s" }),
            None,
        );
    }
    (
        s.value.as_ref().map(|v| v.display()).unwrap_or_default(),
        s.meaning.clone(),
    )
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
    for word in s.split(' ') {
        let mut w = word.to_string();
        while w.chars().count() > width {
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            let head: String = w.chars().take(width).collect();
            w = w.chars().skip(width).collect();
            lines.push(head);
        }
        let cl = cur.chars().count();
        if cl > 0 && cl + 1 + w.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&w);
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}
