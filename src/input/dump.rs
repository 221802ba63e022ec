//! Dump lines with an offset column: xxd, `hexdump -C`, `tshark -x` and Wireshark hex dumps,
//! `tcpdump -x/-X/-XX` (`0x0010:`), Wireshark "Follow TCP Stream" hex (reply side indented), and
//! Kannel `octstr_dump` `data:` lines. Offsets and ASCII columns are dropped.

use super::line::{hex2, hex_val};
use super::Shape;

/// A line that starts with a dump offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DumpLine {
    /// The offset (None for Kannel `data:` lines, which have none).
    pub offset: Option<u64>,
    /// Byte index where the hex area starts.
    pub body_at: usize,
    /// The ASCII column is framed by `|` (hexdump -C).
    pub pipe: bool,
    /// What wrote it.
    pub shape: Shape,
    /// 0, or 1 for the indented (reply) side of a Follow TCP Stream dump.
    pub channel: usize,
}

/// Recognise a dump line.
pub(super) fn classify(line: &[u8]) -> Option<DumpLine> {
    offset_line(line).or_else(|| kannel_data(line))
}

/// A dump line with an offset column.
fn offset_line(line: &[u8]) -> Option<DumpLine> {
    let p = line.iter().position(|&c| c != b' ' && c != b'\t')?;
    let indent = &line[..p];
    if line[p..].starts_with(b"0x") {
        return tcpdump(line, p + 2);
    }
    let q = line[p..]
        .iter()
        .position(|c| !c.is_ascii_hexdigit())
        .map_or(line.len(), |n| p + n);
    let digits = q - p;
    if !(4..=16).contains(&digits) {
        return None;
    }
    let offset = parse_hex(&line[p..q])?;
    let (body_at, shape) = match line.get(q) {
        Some(b':') if matches!(line.get(q + 1), None | Some(b' ' | b'\t')) => (q + 1, Shape::Xxd),
        Some(b' ' | b'\t') => {
            let r = skip_space(line, q);
            let gap = &line[q..r];
            let wide = gap.len() >= 2 || gap.contains(&b'\t');
            let two =
                hex2(line, r).is_some() && matches!(line.get(r + 2), None | Some(b' ' | b'\t'));
            if !(wide && two) {
                return None;
            }
            let shape = if digits == 8 && gap.len() == 2 {
                // hexdump -C frames its ASCII column with `|`; Follow TCP Stream does not.
                if is_pipe_layout(&line[q..]) {
                    Shape::HexdumpC
                } else {
                    Shape::FollowTcpStream
                }
            } else {
                Shape::TsharkX
            };
            (q, shape)
        }
        _ => return None,
    };
    let pipe = is_pipe_layout(&line[body_at..]);
    let follow = !indent.is_empty() && digits == 8 && shape != Shape::Xxd && !pipe;
    Some(DumpLine {
        offset: Some(offset),
        body_at,
        pipe,
        shape: if follow {
            Shape::FollowTcpStream
        } else {
            shape
        },
        channel: usize::from(follow),
    })
}

/// `\t0x0010:  4500 003c ...` (tcpdump), `0x` already seen at `at - 2`.
fn tcpdump(line: &[u8], at: usize) -> Option<DumpLine> {
    let q = line[at..]
        .iter()
        .position(|c| !c.is_ascii_hexdigit())
        .map_or(line.len(), |n| at + n);
    if q - at != 4 || line.get(q) != Some(&b':') {
        return None;
    }
    Some(DumpLine {
        offset: Some(parse_hex(&line[at..q])?),
        body_at: q + 1,
        pipe: false,
        shape: Shape::TcpdumpX,
        channel: 0,
    })
}

/// Kannel's `octstr_dump`: `... data: 00 00 00 3c 00 ...   ...<....` after any log prefix.
fn kannel_data(line: &[u8]) -> Option<DumpLine> {
    static DATA: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"data: "));
    let at = DATA.find(line)?;
    let body = at + b"data: ".len();
    hex2(line, skip_space(line, body))?;
    Some(DumpLine {
        offset: None,
        body_at: body,
        pipe: false,
        shape: Shape::KannelOctstrDump,
        channel: 0,
    })
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

fn parse_hex(d: &[u8]) -> Option<u64> {
    if d.len() > 16 || d.is_empty() {
        return None;
    }
    Some(d.iter().fold(0u64, |a, &c| a << 4 | u64::from(hex_val(c))))
}

/// A line that holds only a lone offset (the end line hexdump -C and xxd print).
pub(super) fn lone_offset(line: &[u8]) -> Option<u64> {
    let t = line.trim_ascii();
    if !(4..=16).contains(&t.len()) || !t.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    parse_hex(t)
}

/// hexdump -C: the first `|` follows two spaces and the line ends with `|`.
fn is_pipe_layout(body: &[u8]) -> bool {
    let end = body.iter().rposition(|&c| c != b' ' && c != b'\t');
    let Some(first) = memchr::memchr(b'|', body) else {
        return false;
    };
    end.is_some_and(|e| body[e] == b'|' && e > first)
        && first >= 2
        && body.get(first - 2..first) == Some(b"  ")
}

/// Read the hex area of a dump line into `out`, stopping at the ASCII column. False when the
/// area holds something that is not hex (the line is then not a dump line after all).
pub(super) fn read_bytes(line: &[u8], d: &DumpLine, out: &mut Vec<u8>) -> bool {
    let b = line;
    let mut i = d.body_at;
    let mut tokens = 0usize;
    let mut all_two = true;
    let start = out.len();
    loop {
        let gap_start = i;
        i = skip_space(b, i);
        let Some(&c) = b.get(i) else {
            return true;
        };
        if d.pipe && c == b'|' {
            return true;
        }
        let gap = &b[gap_start..i];
        if tokens > 0 && !d.pipe && (gap.len() >= 2 || gap.contains(&b'\t')) {
            let middle = tokens == 8 && all_two && gap == b"  " && second_half(b, i);
            if !middle {
                return true;
            }
        }
        let t0 = i;
        while let Some(&c) = b.get(i) {
            if c == b' ' || c == b'\t' || (d.pipe && c == b'|') {
                break;
            }
            i += 1;
        }
        let digits = &b[t0..i];
        let hex =
            !digits.is_empty() && digits.len() % 2 == 0 && digits.iter().all(u8::is_ascii_hexdigit);
        if !hex {
            // The ASCII column after one space (tcpdump -X groups end before two spaces; a
            // short last line may leave one): stop if bytes were read, else not a dump.
            if tokens > 0 {
                return true;
            }
            out.truncate(start);
            return false;
        }
        out.extend(
            digits
                .chunks_exact(2)
                .map(|p| hex_val(p[0]) << 4 | hex_val(p[1])),
        );
        tokens += 1;
        all_two &= digits.len() == 2;
    }
}

/// After a two-space gap at `i`: 1 to 8 two-digit bytes separated by single spaces, up to the
/// end of the line or a wider gap (the second half of a hexdump -C style line).
fn second_half(b: &[u8], mut i: usize) -> bool {
    let mut n = 0;
    loop {
        if hex2(b, i).is_none() {
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
