//! Turns the hex shapes people paste into records of bytes.
//!
//! # Accepted shapes
//!
//! Free text, line by line:
//! - plain hex (`0000001c00000002...`), or hex split by spaces, tabs, newlines, colons, commas,
//!   semicolons, brackets and quotes (`00:00:00:1c`, `{0x00, 0x01}`, `[0x00, 0x01]`, `"0000..."`);
//! - dashes only as byte separators between two-digit bytes (`00-00-00-1c`); any other dash is an
//!   error, so a stray `-` never silently disappears;
//! - `0x` prefixes per byte or per word (`0x0000001C 0x00000002`) and `\x` escapes
//!   (`\x00\x00`, also inside a Python `b"..."` literal). A prefixed token with a single digit
//!   (`0x0`) is one byte; otherwise every token needs an even number of digits, and a word is
//!   taken as its bytes in the order written (big-endian, like the PDU on the wire);
//! - a C/JS/Python assignment in front of the bytes (`uint8_t pdu[] = {0x00, ...};`) is skipped;
//! - parenthesised annotations like the seed pages (`0000001C (Length) 74657374 00 (System ID:
//!   "test")`): they may nest, hold hex-looking words, and hold double-quoted text with
//!   parentheses in it; they end on their own line (an unclosed `(` is an error);
//! - `#` and `//` comments to the end of the line.
//!
//! Dumps, recognised per line by their offset column:
//! - xxd (`00000000: 0000 001c ...  ................`, any `-g` grouping or `-c` width);
//! - `hexdump -C` (`00000000  00 00 00 1c ...  |........|`), including its final offset line
//!   and `*` lines (the previous line repeated up to the next offset);
//! - Wireshark "Copy as Hex Dump" (`0000   00 00 00 1c ...   ........`) and `tshark -x`
//!   (`0000  00 00 ...`), with their `Frame (N bytes):` style headers between data sources.
//!
//! Offsets and ASCII columns are dropped. The offsets of consecutive dump lines must follow on
//! from each other (a jump means a line went missing and is an error); an offset back at 0 starts
//! a new dump. Plain `hexdump` without `-C` (byte-swapped 16-bit words) is rejected with a hint.
//!
//! # How the input is split into records
//!
//! 1. Each dump (a run of dump lines whose offsets follow on) is one record.
//! 2. The other lines form blocks separated by blank lines. When there are several blocks and
//!    each block starts with a plausible SMPP header (see below), each block is handled on its
//!    own; otherwise all of them are handled as one block (a blank line inside one PDU does not
//!    split it).
//! 3. Within a block: when it has several lines holding bytes and every one of them starts with
//!    a plausible header, each line is a record (with its own line number: the one-PDU-per-line
//!    file). Otherwise the block is one record, and the decoder splits it into PDUs by
//!    command_length (the seed pages' one-field-per-line form, or a wrapped long PDU).
//!
//! Lines holding only comments or annotations belong to no record and split nothing.
//!
//! A plausible header: at least 16 bytes; command_length from 16 to [`PLAUSIBLE_MAX_LEN`];
//! command_id, without its response bit, at most 0x000102FF (the SMPP and reserved extension
//! ranges); command_status at most 0xFFFF. command_length need not equal the bytes present, so a
//! malformed PDU in a one-per-line file still gets its own record and its own diagnostic.
//!
//! # Cost
//!
//! One pass over the text, no allocation per byte or per line beyond a position entry; the
//! bytes are written into one buffer and copied once into the records.

mod scan;
#[cfg(test)]
mod tests;

/// Largest command_length a line may declare and still count as a plausible PDU start when
/// deciding how to split the input (1 MiB, far beyond any real PDU).
pub const PLAUSIBLE_MAX_LEN: u32 = 0x0010_0000;

/// One chunk of bytes and where it came from in the input text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based line of the input where this record starts.
    pub line: usize,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Why the input text is not usable. Every position is 1-based; columns count characters of
/// the original line (a tab is one column).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// No hex digits at all.
    #[error("no hex bytes found in the input")]
    Empty,
    /// A character that is not hex where hex was expected.
    #[error("line {line}, column {column}: {found:?} is not a hex digit")]
    NotHex {
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// The offending character.
        found: char,
    },
    /// A token with an odd number of hex digits.
    #[error(
        "line {line}, column {column}: odd number of hex digits ({digits}); a byte needs two digits"
    )]
    OddDigits {
        /// 1-based line.
        line: usize,
        /// 1-based column where the token starts.
        column: usize,
        /// How many digits the token has.
        digits: usize,
    },
    /// A separator used where it cannot be a byte separator (a dash not between two-digit bytes).
    #[error("line {line}, column {column}: {found:?} is only accepted between two-digit bytes (like 00-1c-ff)")]
    BadSeparator {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The separator.
        found: char,
    },
    /// A `(` annotation not closed on its line.
    #[error("line {line}, column {column}: this '(' is not closed on its line")]
    UnclosedAnnotation {
        /// 1-based line.
        line: usize,
        /// 1-based column of the `(`.
        column: usize,
    },
    /// A dump line whose offset does not follow on from the line before.
    #[error("line {line}, column {column}: dump offset {found:#x} where {expected:#x} was expected (a line is missing or extra)")]
    OffsetMismatch {
        /// 1-based line.
        line: usize,
        /// 1-based column of the offset.
        column: usize,
        /// The offset the previous lines lead to.
        expected: u64,
        /// The offset on this line.
        found: u64,
    },
    /// A `*` repeat line of a dump whose repeat count cannot be worked out.
    #[error("line {line}, column {column}: '*' repeat line without a following offset that tells how often to repeat (re-run hexdump/xxd with -v)")]
    UnresolvedRepeat {
        /// 1-based line.
        line: usize,
        /// 1-based column of the `*`.
        column: usize,
    },
    /// A dump format whose bytes cannot be read back reliably.
    #[error("line {line}, column {column}: {what}")]
    Unsupported {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the format is and what to use instead.
        what: &'static str,
    },
}

impl InputError {
    /// The (line, column) the error points at, if it has one.
    pub fn position(&self) -> Option<(usize, usize)> {
        match *self {
            InputError::Empty => None,
            InputError::NotHex { line, column, .. }
            | InputError::OddDigits { line, column, .. }
            | InputError::BadSeparator { line, column, .. }
            | InputError::UnclosedAnnotation { line, column }
            | InputError::OffsetMismatch { line, column, .. }
            | InputError::UnresolvedRepeat { line, column }
            | InputError::Unsupported { line, column, .. } => Some((line, column)),
        }
    }
}

/// Whether `bytes` starts with a plausible SMPP header (see the module docs).
pub fn plausible_header(bytes: &[u8]) -> bool {
    let word = |i: usize| -> Option<u32> {
        let b = bytes.get(i..i + 4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let (Some(len), Some(id), Some(status), Some(_seq)) = (word(0), word(4), word(8), word(12))
    else {
        return false;
    };
    (16..=PLAUSIBLE_MAX_LEN).contains(&len) && id & 0x7FFF_FFFF <= 0x0001_02FF && status <= 0xFFFF
}

/// Parse pasted text into records of bytes; see the module docs for the shapes accepted and
/// how the input is split into records.
pub fn parse(text: &str) -> Result<Vec<Record>, InputError> {
    let scanned = scan::scan(text)?;
    if scanned.buf.is_empty() {
        return Err(InputError::Empty);
    }
    Ok(assemble(&scanned))
}

/// Build the records from the scanned segments (steps 1-3 of the module docs).
fn assemble(s: &scan::Scanned) -> Vec<Record> {
    let mut records = Vec::new();
    let mut blocks: Vec<&[scan::Span]> = Vec::new();
    for seg in &s.segments {
        match seg {
            scan::Segment::Dump(span) => records.push(Record {
                line: span.line,
                bytes: s.buf[span.start..span.end].to_vec(),
            }),
            scan::Segment::Block(spans) if !spans.is_empty() => blocks.push(spans),
            scan::Segment::Block(_) => {}
        }
    }
    let block_bytes = |spans: &[scan::Span]| match (spans.first(), spans.last()) {
        // The spans of one block are contiguous in the buffer.
        (Some(first), Some(last)) => &s.buf[first.start..last.end],
        _ => &[][..],
    };
    let separate = blocks.len() >= 2 && blocks.iter().all(|b| plausible_header(block_bytes(b)));
    if separate {
        for spans in blocks {
            group_records(&s.buf, spans.iter(), &mut records);
        }
    } else {
        group_records(&s.buf, blocks.iter().flat_map(|b| b.iter()), &mut records);
    }
    records.sort_by_key(|r| r.line);
    records
}

/// One group of lines: a record per line when every line starts with a plausible header,
/// otherwise one record.
fn group_records<'a>(
    buf: &[u8],
    spans: impl Iterator<Item = &'a scan::Span> + Clone,
    out: &mut Vec<Record>,
) {
    let bytes = |sp: &scan::Span| &buf[sp.start..sp.end];
    let count = spans.clone().count();
    if count == 0 {
        return;
    }
    if count >= 2 && spans.clone().all(|sp| plausible_header(bytes(sp))) {
        out.extend(spans.map(|sp| Record {
            line: sp.line,
            bytes: bytes(sp).to_vec(),
        }));
        return;
    }
    let mut line = 0;
    let mut all = Vec::with_capacity(spans.clone().map(|sp| sp.end - sp.start).sum());
    for sp in spans {
        if line == 0 {
            line = sp.line;
        }
        all.extend_from_slice(bytes(sp));
    }
    out.push(Record { line, bytes: all });
}
