//! Turns the hex shapes people paste into bytes: plain, spaced, `0x..`, `\x..`, xxd, `hexdump -C`,
//! Wireshark hex dumps, text with `(annotations)`.
//!
//! SKELETON: being written (see issue 2).

/// One chunk of bytes and where it came from in the input text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based line of the input where this record starts.
    pub line: usize,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Why the input text is not usable.
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
    /// An odd number of hex digits.
    #[error("line {line}: odd number of hex digits ({digits}); a byte needs two digits")]
    OddDigits {
        /// 1-based line.
        line: usize,
        /// How many digits.
        digits: usize,
    },
}

/// Parse pasted text into records. When every non-empty line holds a PDU of its own (its first
/// four bytes are a plausible command_length), each line is a record; otherwise the whole input is
/// one record (the decoder splits several PDUs by their command_length).
pub fn parse(text: &str) -> Result<Vec<Record>, InputError> {
    let mut bytes = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let digits: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() % 2 != 0 {
            return Err(InputError::OddDigits {
                line: i + 1,
                digits: digits.len(),
            });
        }
        bytes.extend(hex::decode(&digits).map_err(|_| InputError::NotHex {
            line: i + 1,
            column: 1,
            found: '?',
        })?);
    }
    if bytes.is_empty() {
        return Err(InputError::Empty);
    }
    Ok(vec![Record { line: 1, bytes }])
}
