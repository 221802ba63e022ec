//! Message text in the alphabets SMPP uses: GSM 03.38 (default alphabet plus the extension table,
//! one septet per octet as SMPP carries it, with packed helpers for peers that pack), IA5/ASCII,
//! Latin-1 and UCS2 (UTF-16BE with surrogate pairs).
//!
//! Decoding never fails and never panics: whatever does not fit the alphabet is replaced by
//! U+FFFD and reported as a [`TextIssue`] with its byte index. Encoding reports the first character
//! the alphabet cannot hold.

use crate::spec::values::Charset;
use std::borrow::Cow;
use std::fmt;

/// `b` as text, invalid UTF-8 sequences as U+FFFD (what `String::from_utf8_lossy` gives). Valid
/// text, the usual case, goes through the fast validator (word at a time on ASCII) instead of the
/// lossy one, which steps octet by octet.
pub(crate) fn lossy(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// The GSM 03.38 escape septet that introduces an extension-table character.
pub const GSM_ESCAPE: u8 = 0x1B;

/// GSM 03.38 default alphabet, indexed by septet value. 0x1B (escape) maps to U+00A0 here but is
/// handled separately by the decoder.
const GSM_DEFAULT: [char; 128] = [
    '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å', //
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', '\u{A0}', 'Æ', 'æ', 'ß', 'É', //
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', //
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?', //
    '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', //
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§', //
    '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', //
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à', //
];

/// GSM 03.38 extension table: `(septet after the escape, character)`.
const GSM_EXTENSION: &[(u8, char)] = &[
    (0x0A, '\u{0C}'), // form feed (page break)
    (0x14, '^'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2F, '\\'),
    (0x3C, '['),
    (0x3D, '~'),
    (0x3E, ']'),
    (0x40, '|'),
    (0x65, '€'),
];

/// What is wrong with one spot of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextIssueKind {
    /// An octet with the high bit set in a 7-bit alphabet (GSM unpacked or IA5).
    HighBit {
        /// The octet.
        byte: u8,
        /// The alphabet that was expected.
        charset: Charset,
    },
    /// A GSM escape (0x1B) as the last septet, with nothing after it.
    DanglingEscape,
    /// A GSM escape followed by a septet the extension table does not define.
    UnknownEscape {
        /// The septet after the escape.
        septet: u8,
    },
    /// A Latin-1 C1 control octet (0x80–0x9F): usually text encoded as Windows-1252 or UTF-8.
    C1Control {
        /// The octet.
        byte: u8,
    },
    /// UCS2 data with an odd number of octets: the last octet is left over.
    OddLength {
        /// Total number of octets.
        len: usize,
    },
    /// A UTF-16 surrogate without its partner.
    LoneSurrogate {
        /// The 16-bit code unit.
        unit: u16,
    },
}

/// One problem found while decoding text, at a byte index of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextIssue {
    /// Byte index within the decoded data.
    pub index: usize,
    /// What is wrong.
    pub kind: TextIssueKind,
}

impl TextIssue {
    /// A plain sentence describing the issue (without the offset).
    pub fn message(&self) -> String {
        match &self.kind {
            TextIssueKind::HighBit { byte, charset } => format!(
                "octet 0x{byte:02X} has the high bit set, which {} cannot hold (shown as \u{FFFD})",
                charset_name(*charset)
            ),
            TextIssueKind::DanglingEscape => {
                "GSM escape 0x1B at the end of the text with no character after it".to_string()
            }
            TextIssueKind::UnknownEscape { septet } => format!(
                "GSM escape 0x1B followed by 0x{septet:02X}, which the extension table does not \
                 define (shown as the default-alphabet character)"
            ),
            TextIssueKind::C1Control { byte } => format!(
                "octet 0x{byte:02X} is a C1 control code in Latin-1; the text is probably \
                 Windows-1252 or UTF-8"
            ),
            TextIssueKind::OddLength { len } => format!(
                "UCS2 text has an odd number of octets ({len}); the last octet is left over"
            ),
            TextIssueKind::LoneSurrogate { unit } => format!(
                "UTF-16 surrogate 0x{unit:04X} has no partner (a split emoji?); shown as \u{FFFD}"
            ),
        }
    }
}

impl fmt::Display for TextIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.index, self.message())
    }
}

/// The result of decoding text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecodedText {
    /// The text, or `None` for binary and alphabets we do not decode (render those as hex).
    pub text: Option<String>,
    /// What did not fit the alphabet, in byte order.
    pub issues: Vec<TextIssue>,
}

/// Encoding a text failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// A character the alphabet cannot represent.
    #[error("{ch:?} (U+{:04X}) at character {index} cannot be encoded in {}", *ch as u32, charset_name(*charset))]
    Unencodable {
        /// The character.
        ch: char,
        /// Its position in the text, counted in characters from 0.
        index: usize,
        /// The alphabet asked for.
        charset: Charset,
    },
    /// The data coding is binary or an alphabet we do not encode; give the bytes instead.
    #[error("{} is not a text alphabet this tool encodes; give the message as bytes", charset_name(*charset))]
    NotText {
        /// The alphabet asked for.
        charset: Charset,
    },
}

/// A GSM encoding failure: the first character outside the GSM 03.38 alphabet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{ch:?} at character {index} is not in the GSM 03.38 alphabet")]
pub struct Unencodable {
    /// The character.
    pub ch: char,
    /// Its position in the text, counted in characters from 0.
    pub index: usize,
}

/// A short human name of a charset, e.g. "GSM 03.38".
pub fn charset_name(c: Charset) -> &'static str {
    match c {
        Charset::Gsm7 => "GSM 03.38",
        Charset::Ascii => "IA5/ASCII",
        Charset::Latin1 => "Latin-1",
        Charset::Ucs2 => "UCS2",
        Charset::Binary => "binary",
        Charset::Other => "this alphabet",
    }
}

// ---------------------------------------------------------------------------------------------
// GSM 03.38

/// The septet(s) for one character: `Some((septet, escaped))`.
fn gsm_char(c: char) -> Option<(u8, bool)> {
    if c == '\u{A0}' {
        // U+00A0 stands for the escape slot in the table; it is not a GSM character.
        return None;
    }
    if let Some(i) = GSM_DEFAULT.iter().position(|&d| d == c) {
        return u8::try_from(i).ok().map(|s| (s, false));
    }
    GSM_EXTENSION
        .iter()
        .find(|(_, e)| *e == c)
        .map(|(s, _)| (*s, true))
}

/// Septets the GSM 03.38 default alphabet reads as the ASCII character of the same value (most
/// of the printable range, line feed, carriage return), derived from [`GSM_DEFAULT`].
const GSM_SAME_AS_ASCII: [bool; 128] = {
    let mut t = [false; 128];
    let mut i = 0;
    while i < 128 {
        t[i] = GSM_DEFAULT[i] as u32 == i as u32;
        i += 1;
    }
    t
};

/// Length of the run of septets at the start of `data` that read as themselves in ASCII.
fn gsm_ascii_run(data: &[u8]) -> usize {
    data.iter()
        .take_while(|&&b| GSM_SAME_AS_ASCII.get(usize::from(b)) == Some(&true))
        .count()
}

/// Decode GSM 03.38 septets carried one per octet (the SMPP convention).
///
/// Octets with the high bit set are reported and shown as U+FFFD; an unknown escape shows the
/// default-alphabet character (as GSM 03.38 prescribes) and is reported.
pub fn gsm7_decode(data: &[u8]) -> DecodedText {
    let mut text = String::with_capacity(data.len());
    let issues = gsm7_decode_into(data, &mut text);
    DecodedText {
        text: Some(text),
        issues,
    }
}

/// [`gsm7_decode`], appending the text to `text`.
fn gsm7_decode_into(data: &[u8], text: &mut String) -> Vec<TextIssue> {
    let mut issues = Vec::new();
    let mut i = 0;
    while let Some(&b) = data.get(i) {
        // Most message text is letters, digits and punctuation that read as ASCII: a run of
        // them is copied at once instead of character by character.
        let run = gsm_ascii_run(&data[i..]);
        if run > 0 {
            text.push_str(&lossy(&data[i..i + run]));
            i += run;
            continue;
        }
        if b >= 0x80 {
            issues.push(TextIssue {
                index: i,
                kind: TextIssueKind::HighBit {
                    byte: b,
                    charset: Charset::Gsm7,
                },
            });
            text.push('\u{FFFD}');
            i += 1;
            continue;
        }
        if b != GSM_ESCAPE {
            text.push(GSM_DEFAULT[usize::from(b & 0x7F)]);
            i += 1;
            continue;
        }
        match data.get(i + 1) {
            None => {
                issues.push(TextIssue {
                    index: i,
                    kind: TextIssueKind::DanglingEscape,
                });
                i += 1;
            }
            Some(&n) if n >= 0x80 => {
                // The escape is dangling; the next octet is reported on its own turn.
                issues.push(TextIssue {
                    index: i,
                    kind: TextIssueKind::DanglingEscape,
                });
                i += 1;
            }
            Some(&n) => {
                match GSM_EXTENSION.iter().find(|(s, _)| *s == n) {
                    Some((_, c)) => text.push(*c),
                    None => {
                        issues.push(TextIssue {
                            index: i,
                            kind: TextIssueKind::UnknownEscape { septet: n },
                        });
                        text.push(if n == GSM_ESCAPE {
                            ' '
                        } else {
                            GSM_DEFAULT[usize::from(n & 0x7F)]
                        });
                    }
                }
                i += 2;
            }
        }
    }
    issues
}

/// Encode to GSM 03.38 septets, one per octet; extension characters become `1B xx`.
pub fn gsm7_encode(s: &str) -> Result<Vec<u8>, Unencodable> {
    let mut out = Vec::with_capacity(s.len());
    for (index, ch) in s.chars().enumerate() {
        match gsm_char(ch) {
            Some((sep, false)) => out.push(sep),
            Some((sep, true)) => out.extend_from_slice(&[GSM_ESCAPE, sep]),
            None => return Err(Unencodable { ch, index }),
        }
    }
    Ok(out)
}

/// Length of `s` in GSM septets (extension characters count 2), or `None` when a character is
/// outside the GSM 03.38 alphabet.
pub fn gsm7_septets(s: &str) -> Option<usize> {
    s.chars().try_fold(0usize, |n, c| {
        gsm_char(c).map(|(_, esc)| n + 1 + usize::from(esc))
    })
}

/// True when every character of `s` is in the GSM 03.38 alphabet (extension table included).
pub fn gsm7_fits(s: &str) -> bool {
    gsm7_septets(s).is_some()
}

/// Pack septets (one per octet, high bit ignored) into the 7-bit packed form of GSM 03.38.
pub fn gsm7_pack(septets: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; (septets.len() * 7).div_ceil(8)];
    for (n, &s) in septets.iter().enumerate() {
        let bit = n * 7;
        let (byte, shift) = (bit / 8, bit % 8);
        let v = u16::from(s & 0x7F) << shift;
        if let Some(o) = out.get_mut(byte) {
            *o |= (v & 0xFF) as u8;
        }
        if let Some(o) = out.get_mut(byte + 1) {
            *o |= (v >> 8) as u8;
        }
    }
    out
}

/// Unpack `septets` septets from 7-bit packed data into one septet per octet. Stops early (without
/// panicking) when `packed` is too short.
pub fn gsm7_unpack(packed: &[u8], septets: usize) -> Vec<u8> {
    let avail = packed.len() * 8 / 7;
    let n = septets.min(avail);
    (0..n)
        .map(|i| {
            let bit = i * 7;
            let (byte, shift) = (bit / 8, bit % 8);
            let lo = u16::from(packed.get(byte).copied().unwrap_or(0));
            let hi = u16::from(packed.get(byte + 1).copied().unwrap_or(0));
            (((hi << 8 | lo) >> shift) & 0x7F) as u8
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// IA5, Latin-1, UCS2

/// Decode IA5/ASCII. Octets ≥ 0x80 are reported and shown as U+FFFD.
pub fn ascii_decode(data: &[u8]) -> DecodedText {
    let mut text = String::with_capacity(data.len());
    let issues = ascii_decode_into(data, &mut text);
    DecodedText {
        text: Some(text),
        issues,
    }
}

/// [`ascii_decode`], appending the text to `text`.
fn ascii_decode_into(data: &[u8], text: &mut String) -> Vec<TextIssue> {
    // Pure ASCII, the usual case, is copied at once.
    if data.is_ascii() {
        text.push_str(&lossy(data));
        return Vec::new();
    }
    let mut issues = Vec::new();
    text.extend(data.iter().enumerate().map(|(i, &b)| {
        if b.is_ascii() {
            char::from(b)
        } else {
            issues.push(TextIssue {
                index: i,
                kind: TextIssueKind::HighBit {
                    byte: b,
                    charset: Charset::Ascii,
                },
            });
            '\u{FFFD}'
        }
    }));
    issues
}

/// Decode ISO-8859-1. Every octet is a character; C1 controls (0x80–0x9F) are reported because
/// they usually mean the sender used Windows-1252 or UTF-8.
pub fn latin1_decode(data: &[u8]) -> DecodedText {
    let mut issues = Vec::new();
    let text = data
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (0x80..0xA0).contains(&b) {
                issues.push(TextIssue {
                    index: i,
                    kind: TextIssueKind::C1Control { byte: b },
                });
            }
            char::from(b)
        })
        .collect();
    DecodedText {
        text: Some(text),
        issues,
    }
}

/// Decode UCS2 as UTF-16BE (surrogate pairs allowed). An odd trailing octet and lone surrogates
/// are reported; lone surrogates show as U+FFFD.
pub fn ucs2_decode(data: &[u8]) -> DecodedText {
    let mut issues = Vec::new();
    let units: Vec<u16> = data
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    let mut text = String::with_capacity(units.len());
    let mut i = 0;
    while let Some(&u) = units.get(i) {
        let next = units.get(i + 1).copied();
        match char::decode_utf16([u].into_iter().chain(next)).next() {
            Some(Ok(c)) => {
                text.push(c);
                i += c.len_utf16();
            }
            _ => {
                text.push('\u{FFFD}');
                issues.push(TextIssue {
                    index: i * 2,
                    kind: TextIssueKind::LoneSurrogate { unit: u },
                });
                i += 1;
            }
        }
    }
    if data.len() % 2 == 1 {
        issues.push(TextIssue {
            index: data.len() - 1,
            kind: TextIssueKind::OddLength { len: data.len() },
        });
    }
    DecodedText {
        text: Some(text),
        issues,
    }
}

/// Encode as UCS2 / UTF-16BE; characters outside the BMP become surrogate pairs.
pub fn ucs2_encode(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// Decode message bytes in the given charset. Binary and unsupported alphabets give
/// `text: None` (show hex).
pub fn decode_text(data: &[u8], charset: Charset) -> DecodedText {
    decode_text_into(data, charset, String::new())
}

/// [`decode_text`], writing the text into `text` (an empty String whose capacity is reused).
pub(crate) fn decode_text_into(data: &[u8], charset: Charset, mut text: String) -> DecodedText {
    text.clear();
    let issues = match charset {
        Charset::Gsm7 => gsm7_decode_into(data, &mut text),
        Charset::Ascii => ascii_decode_into(data, &mut text),
        Charset::Latin1 => return latin1_decode(data),
        Charset::Ucs2 => return ucs2_decode(data),
        Charset::Binary | Charset::Other => return DecodedText::default(),
    };
    DecodedText {
        text: Some(text),
        issues,
    }
}

/// Encode text in the given charset.
pub fn encode_text(s: &str, charset: Charset) -> Result<Vec<u8>, TextError> {
    let unencodable = |ch, index| TextError::Unencodable { ch, index, charset };
    match charset {
        Charset::Gsm7 => gsm7_encode(s).map_err(|e| unencodable(e.ch, e.index)),
        Charset::Ascii => s
            .chars()
            .enumerate()
            .map(|(i, c)| {
                u8::try_from(c)
                    .ok()
                    .filter(u8::is_ascii)
                    .ok_or(unencodable(c, i))
            })
            .collect(),
        Charset::Latin1 => s
            .chars()
            .enumerate()
            .map(|(i, c)| u8::try_from(c).map_err(|_| unencodable(c, i)))
            .collect(),
        Charset::Ucs2 => Ok(ucs2_encode(s)),
        Charset::Binary | Charset::Other => Err(TextError::NotText { charset }),
    }
}

/// The coding `send --coding auto` picks: GSM 03.38 when every character fits, else UCS2.
pub fn choose_coding(s: &str) -> Charset {
    if gsm7_fits(s) {
        Charset::Gsm7
    } else {
        Charset::Ucs2
    }
}

// ---------------------------------------------------------------------------------------------
// Heuristics

fn plausible_ucs2_unit(u: u16) -> bool {
    matches!(u,
        0x0009 | 0x000A | 0x000D
        | 0x0020..=0x007E
        | 0x00A0..=0x33FF   // Latin, Greek, Cyrillic, ..., Indic, Thai, symbols, CJK punctuation
        | 0x3400..=0x4DBF   // CJK extension A
        | 0x4E00..=0x9FFF   // CJK
        | 0xAC00..=0xD7AF   // Hangul
        | 0xD800..=0xDFFF   // surrogates (pairing checked separately)
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFFEF)
}

fn looks_ucs2(data: &[u8]) -> bool {
    if data.is_empty() || data.len() % 2 != 0 {
        return false;
    }
    let units: Vec<u16> = data
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    if char::decode_utf16(units.iter().copied()).any(|r| r.is_err()) {
        return false;
    }
    if !units.iter().all(|&u| plausible_ucs2_unit(u)) {
        return false;
    }
    // A zero high octet (Latin text in UCS2) is the strongest sign; otherwise accept only data
    // that is not plain printable ASCII (so "Hi" stays ASCII rather than becoming U+4869).
    // Every octet below 0x80 is also valid GSM: then insist on the high octets of the scripts
    // UCS2 text mostly uses (Latin, Greek, Cyrillic, Hebrew, Arabic, Indic, Thai, punctuation).
    if data.iter().all(|&b| b < 0x80) {
        return data.iter().step_by(2).all(|&h| h <= 0x20 || h == 0x30);
    }
    // Otherwise it must not read better as Latin-1: UCS2 text nearly always has zero high octets,
    // surrogates, or octets that are controls in Latin-1.
    let zero_high = data.iter().step_by(2).filter(|&&b| b == 0).count();
    zero_high * 2 >= units.len()
        || units.iter().any(|u| (0xD800..0xE000).contains(u))
        || data
            .iter()
            .any(|&b| (b < 0x20 && !is_printable_ascii(b)) || (0x7F..0xA0).contains(&b))
}

fn is_printable_ascii(b: u8) -> bool {
    matches!(b, 0x20..=0x7E | b'\r' | b'\n' | b'\t')
}

/// What the bytes look like, for noting a data_coding mismatch: `Ucs2` (valid UTF-16BE that reads
/// as text), `Ascii` (printable ASCII only), `Gsm7` (7-bit with GSM-only septets such as 0x00 '@',
/// 0x11 '_' or the escape 0x1B), `Latin1` (8-bit, mostly printable), else `Binary`. `None` for
/// empty data.
pub fn looks_like(data: &[u8]) -> Option<Charset> {
    if data.is_empty() {
        return None;
    }
    if data.iter().all(|&b| is_printable_ascii(b)) {
        return Some(Charset::Ascii);
    }
    if looks_ucs2(data) {
        return Some(Charset::Ucs2);
    }
    if data.iter().all(|&b| b < 0x80) {
        return Some(Charset::Gsm7);
    }
    let printable = data
        .iter()
        .filter(|&&b| is_printable_ascii(b) || b >= 0xA0)
        .count();
    if printable * 10 >= data.len() * 9 {
        Some(Charset::Latin1)
    } else {
        Some(Charset::Binary)
    }
}

/// A sentence when the bytes do not look like the alphabet data_coding declares, e.g. data_coding
/// 8 (UCS2) on ASCII bytes, or data_coding 1 (IA5) on GSM septets (node-smpp does this).
/// `None` when they agree or nothing can be said.
pub fn coding_mismatch(data: &[u8], declared: Charset) -> Option<String> {
    let seen = looks_like(data)?;
    let compatible = match declared {
        Charset::Binary | Charset::Other => true,
        Charset::Gsm7 => matches!(seen, Charset::Gsm7 | Charset::Ascii),
        Charset::Ascii => seen == Charset::Ascii,
        Charset::Latin1 => matches!(seen, Charset::Latin1 | Charset::Ascii),
        Charset::Ucs2 => seen == Charset::Ucs2,
    };
    if compatible {
        return None;
    }
    let hint = match (declared, seen) {
        (Charset::Ascii, Charset::Gsm7) => {
            " (some libraries, node-smpp among them, send GSM 03.38 septets labelled as IA5)"
        }
        (Charset::Ucs2, Charset::Ascii | Charset::Gsm7) => {
            " (one octet per character: UCS2 would need two)"
        }
        (Charset::Gsm7 | Charset::Ascii, Charset::Ucs2) => " (the text looks like UTF-16)",
        _ => "",
    };
    Some(format!(
        "data_coding says {} but the bytes look like {}{hint}",
        charset_name(declared),
        charset_name(seen)
    ))
}

// ---------------------------------------------------------------------------------------------
// The commonest sender mistake: UTF-8 where the data_coding says otherwise

/// A text that was encoded as UTF-8 where it should not have been.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Utf8Mistake {
    /// The octets are UTF-8 although data_coding declares another alphabet.
    Utf8 {
        /// The text the octets spell as UTF-8.
        text: String,
    },
    /// The text was encoded to UTF-8 twice (its UTF-8 octets read as Latin-1 and encoded again):
    /// `Café` became `CafÃ©`.
    DoubleEncoded {
        /// The text as it reads now.
        seen: String,
        /// The text once the second encoding is undone.
        repaired: String,
    },
}

impl Utf8Mistake {
    /// A sentence for the diagnostic, naming the declared alphabet.
    pub fn message(&self, declared: Charset) -> String {
        match self {
            Utf8Mistake::Utf8 { text } => format!(
                "data_coding says {} but the text looks like UTF-8: {text:?}",
                charset_name(declared)
            ),
            Utf8Mistake::DoubleEncoded { seen, repaired } => format!(
                "the text looks double-encoded (UTF-8 read as Latin-1 and encoded again): it \
                 reads {seen:?}; repaired: {repaired:?}"
            ),
        }
    }

    /// What the sender should do instead.
    pub fn hint(&self) -> &'static str {
        match self {
            Utf8Mistake::Utf8 { .. } => {
                "The sender encoded the text as UTF-8, which no SMPP data_coding means: encode it \
                 in the declared alphabet, or as UCS2 with data_coding 8 when it does not fit."
            }
            Utf8Mistake::DoubleEncoded { .. } => {
                "Somewhere on the way the UTF-8 octets were decoded as Latin-1 (or \
                 Windows-1252) and encoded again: decode the text once, with the charset it was \
                 written in."
            }
        }
    }
}

/// Undo one UTF-8 encoding too many: every character must be a Latin-1 code point, at least one
/// non-ASCII, and those code points taken as octets must be valid UTF-8 that differs.
pub fn repair_double_utf8(s: &str) -> Option<String> {
    if s.is_ascii() || s.chars().any(|c| c as u32 > 0xFF) {
        return None;
    }
    let octets: Vec<u8> = s.chars().map(|c| c as u8).collect();
    let once = String::from_utf8(octets).ok()?;
    (once != s).then_some(once)
}

/// UTF-8 octets with at least one multi-octet sequence, as text.
fn as_utf8(data: &[u8]) -> Option<&str> {
    if data.is_ascii() {
        return None;
    }
    std::str::from_utf8(data).ok()
}

/// The UTF-8 mistake in a text declared as `declared`, given the octets and the text they
/// decode to in that alphabet: UTF-8 octets under GSM 03.38, IA5 or Latin-1 (data_coding 0, 1,
/// 3), UTF-8 octets that are not UCS2 under data_coding 8, or a text that reads as
/// double-encoded UTF-8 in any alphabet.
pub fn utf8_mistake(data: &[u8], declared: Charset, decoded: Option<&str>) -> Option<Utf8Mistake> {
    let utf8 = match declared {
        Charset::Gsm7 | Charset::Ascii | Charset::Latin1 => as_utf8(data),
        Charset::Ucs2 if !looks_ucs2(data) => as_utf8(data),
        _ => None,
    };
    if let Some(t) = utf8 {
        return Some(match repair_double_utf8(t) {
            Some(repaired) => Utf8Mistake::DoubleEncoded {
                seen: t.to_string(),
                repaired,
            },
            None => Utf8Mistake::Utf8 {
                text: t.to_string(),
            },
        });
    }
    let seen = decoded?;
    repair_double_utf8(seen).map(|repaired| Utf8Mistake::DoubleEncoded {
        seen: seen.to_string(),
        repaired,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn gsm_table_is_a_bijection() {
        for s in 0u8..128 {
            if s == GSM_ESCAPE {
                continue;
            }
            let c = GSM_DEFAULT[usize::from(s)];
            assert_eq!(gsm_char(c), Some((s, false)), "septet {s:#04x}");
        }
        for (s, c) in GSM_EXTENSION {
            assert_eq!(gsm_char(*c), Some((*s, true)));
        }
    }

    #[test]
    fn gsm_encode_exact_bytes() {
        assert_eq!(gsm7_encode("Hello").unwrap(), b"Hello".to_vec());
        assert_eq!(gsm7_encode("€").unwrap(), vec![0x1B, 0x65]);
        assert_eq!(gsm7_encode("@£$_").unwrap(), vec![0x00, 0x01, 0x02, 0x11]);
        assert_eq!(
            gsm7_encode("{}[]~|^\\\u{0C}").unwrap(),
            vec![
                0x1B, 0x28, 0x1B, 0x29, 0x1B, 0x3C, 0x1B, 0x3E, 0x1B, 0x3D, 0x1B, 0x40, 0x1B, 0x14,
                0x1B, 0x2F, 0x1B, 0x0A
            ]
        );
        assert_eq!(gsm7_encode("ÄÖÑÜ§¿äöñüà").unwrap(), {
            let mut v = vec![0x5B, 0x5C, 0x5D, 0x5E, 0x5F, 0x60];
            v.extend([0x7B, 0x7C, 0x7D, 0x7E, 0x7F]);
            v
        });
        assert_eq!(
            gsm7_encode("aé😀"),
            Err(Unencodable {
                ch: '😀', index: 2
            })
        );
        assert_eq!(gsm7_encode("`"), Err(Unencodable { ch: '`', index: 0 }));
        assert!(gsm7_encode("\u{A0}").is_err());
    }

    #[test]
    fn gsm_septet_count() {
        assert_eq!(gsm7_septets("Hello"), Some(5));
        assert_eq!(gsm7_septets("€10 {x}"), Some(10));
        assert_eq!(gsm7_septets(""), Some(0));
        assert_eq!(gsm7_septets("ж"), None);
    }

    #[test]
    fn gsm_decode_exact() {
        let d = gsm7_decode(&[0x00, 0x1B, 0x65, 0x20, 0x11, 0x0A]);
        assert_eq!(d.text.as_deref(), Some("@€ _\n"));
        assert!(d.issues.is_empty());
    }

    #[test]
    fn gsm_decode_issues() {
        let d = gsm7_decode(&[0x41, 0x80, 0x42]);
        assert_eq!(d.text.as_deref(), Some("A\u{FFFD}B"));
        assert_eq!(
            d.issues,
            vec![TextIssue {
                index: 1,
                kind: TextIssueKind::HighBit {
                    byte: 0x80,
                    charset: Charset::Gsm7
                }
            }]
        );
        let d = gsm7_decode(&[0x41, 0x1B]);
        assert_eq!(d.text.as_deref(), Some("A"));
        assert_eq!(d.issues[0].index, 1);
        assert_eq!(d.issues[0].kind, TextIssueKind::DanglingEscape);
        let d = gsm7_decode(&[0x1B, 0x41]);
        assert_eq!(d.text.as_deref(), Some("A"));
        assert_eq!(
            d.issues[0].kind,
            TextIssueKind::UnknownEscape { septet: 0x41 }
        );
        let d = gsm7_decode(&[0x1B, 0xFF]);
        assert_eq!(d.issues.len(), 2);
        assert_eq!(d.issues[1].index, 1);
        assert!(d.issues[0].message().contains("0x1B"));
    }

    #[test]
    fn pack_unpack_known_vector() {
        // "hellohello" packed (the classic GSM 03.38 example).
        let septets = gsm7_encode("hellohello").unwrap();
        let packed = gsm7_pack(&septets);
        assert_eq!(
            packed,
            vec![0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37]
        );
        assert_eq!(gsm7_unpack(&packed, 10), septets);
        // Asking for more septets than present stops without panicking.
        assert_eq!(gsm7_unpack(&[0xE8], 5), vec![0x68]);
        assert!(gsm7_unpack(&[], 3).is_empty());
    }

    #[test]
    fn ascii_and_latin1() {
        let d = decode_text(b"Hi\xE9", Charset::Ascii);
        assert_eq!(d.text.as_deref(), Some("Hi\u{FFFD}"));
        assert_eq!(d.issues[0].index, 2);
        let d = decode_text(b"caf\xE9\x93", Charset::Latin1);
        assert_eq!(d.text.as_deref(), Some("café\u{93}"));
        assert_eq!(
            d.issues,
            vec![TextIssue {
                index: 4,
                kind: TextIssueKind::C1Control { byte: 0x93 }
            }]
        );
        assert_eq!(
            encode_text("café", Charset::Latin1).unwrap(),
            b"caf\xE9".to_vec()
        );
        assert_eq!(
            encode_text("café", Charset::Ascii),
            Err(TextError::Unencodable {
                ch: 'é',
                index: 3,
                charset: Charset::Ascii
            })
        );
        assert_eq!(
            encode_text("€", Charset::Latin1),
            Err(TextError::Unencodable {
                ch: '€',
                index: 0,
                charset: Charset::Latin1
            })
        );
        assert_eq!(
            encode_text("x", Charset::Binary),
            Err(TextError::NotText {
                charset: Charset::Binary
            })
        );
    }

    #[test]
    fn ucs2_exact_bytes() {
        assert_eq!(ucs2_encode("😀"), vec![0xD8, 0x3D, 0xDE, 0x00]);
        assert_eq!(ucs2_encode("Aж"), vec![0x00, 0x41, 0x04, 0x36]);
        let d = ucs2_decode(&[0xD8, 0x3D, 0xDE, 0x00, 0x00, 0x41]);
        assert_eq!(d.text.as_deref(), Some("😀A"));
        assert!(d.issues.is_empty());
    }

    #[test]
    fn ucs2_issues() {
        let d = ucs2_decode(&[0x00, 0x41, 0x00]);
        assert_eq!(d.text.as_deref(), Some("A"));
        assert_eq!(
            d.issues,
            vec![TextIssue {
                index: 2,
                kind: TextIssueKind::OddLength { len: 3 }
            }]
        );
        // High surrogate then 'A', and a lone low surrogate at the end.
        let d = ucs2_decode(&[0xD8, 0x3D, 0x00, 0x41, 0xDE, 0x00]);
        assert_eq!(d.text.as_deref(), Some("\u{FFFD}A\u{FFFD}"));
        assert_eq!(
            d.issues,
            vec![
                TextIssue {
                    index: 0,
                    kind: TextIssueKind::LoneSurrogate { unit: 0xD83D }
                },
                TextIssue {
                    index: 4,
                    kind: TextIssueKind::LoneSurrogate { unit: 0xDE00 }
                },
            ]
        );
    }

    #[test]
    fn binary_is_not_text() {
        assert_eq!(decode_text(&[1, 2, 3], Charset::Binary).text, None);
        assert_eq!(decode_text(&[1, 2, 3], Charset::Other).text, None);
    }

    #[test]
    fn choose() {
        assert_eq!(choose_coding("Hello €"), Charset::Gsm7);
        assert_eq!(choose_coding("Hello 😀"), Charset::Ucs2);
        assert_eq!(choose_coding("Привет"), Charset::Ucs2);
    }

    #[test]
    fn heuristics() {
        assert_eq!(looks_like(b""), None);
        assert_eq!(looks_like(b"Hello world"), Some(Charset::Ascii));
        assert_eq!(looks_like(&ucs2_encode("Hello")), Some(Charset::Ucs2));
        assert_eq!(looks_like(&ucs2_encode("Привет 😀")), Some(Charset::Ucs2));
        assert_eq!(looks_like(&ucs2_encode("Привет")), Some(Charset::Ucs2));
        assert_eq!(looks_like(&ucs2_encode("中文")), Some(Charset::Ucs2));
        assert_eq!(
            looks_like(&gsm7_encode("a_b@c €").unwrap()),
            Some(Charset::Gsm7)
        );
        assert_eq!(looks_like(b"caf\xE9 cr\xE8me"), Some(Charset::Latin1));
        assert_eq!(
            looks_like(&[0x01, 0x02, 0xFF, 0x80, 0x90]),
            Some(Charset::Binary)
        );
        assert!(coding_mismatch(b"Hello", Charset::Ucs2)
            .unwrap()
            .contains("UCS2"));
        assert!(
            coding_mismatch(&gsm7_encode("x_y@").unwrap(), Charset::Ascii)
                .unwrap()
                .contains("node-smpp")
        );
        assert_eq!(coding_mismatch(b"Hello", Charset::Gsm7), None);
        assert_eq!(coding_mismatch(&ucs2_encode("Hi"), Charset::Ucs2), None);
        assert_eq!(coding_mismatch(&[0xFF, 0x00], Charset::Binary), None);
    }

    #[test]
    fn utf8_under_gsm_ia5_latin1_and_ucs2() {
        // smpplib 2.2.4 sent these octets under data_coding 0 (tests/fixtures/pastes/smpplib)
        let greek = "Καλημέρα κόσμε".as_bytes();
        for cs in [
            Charset::Gsm7,
            Charset::Ascii,
            Charset::Latin1,
            Charset::Ucs2,
        ] {
            assert_eq!(
                utf8_mistake(greek, cs, None),
                Some(Utf8Mistake::Utf8 {
                    text: "Καλημέρα κόσμε".into()
                }),
                "{cs:?}"
            );
        }
        let m = utf8_mistake(greek, Charset::Ascii, None).unwrap();
        assert!(m
            .message(Charset::Ascii)
            .contains("looks like UTF-8: \"Καλημέρα κόσμε\""));
        // node-smpp sent "Grüße aus Köln" as UTF-8 under data_coding 0
        assert!(matches!(
            utf8_mistake("Grüße aus Köln".as_bytes(), Charset::Gsm7, None),
            Some(Utf8Mistake::Utf8 { .. })
        ));
        // real UCS2, plain ASCII, Latin-1 that is not UTF-8: no mistake
        assert_eq!(
            utf8_mistake(&ucs2_encode("Καλημέρα"), Charset::Ucs2, None),
            None
        );
        assert_eq!(utf8_mistake(b"Hello", Charset::Gsm7, None), None);
        assert_eq!(
            utf8_mistake(b"caf\xE9", Charset::Latin1, Some("café")),
            None
        );
        assert_eq!(utf8_mistake(greek, Charset::Binary, None), None);
    }

    #[test]
    fn double_encoded_utf8_is_repaired() {
        // what smpplib sent under data_coding 3: "Café crème" encoded, read as Latin-1, encoded again
        let twice = "Café crème"
            .as_bytes()
            .iter()
            .map(|&b| b as char)
            .collect::<String>();
        assert_eq!(twice, "CafÃ© crÃ¨me");
        let m = utf8_mistake(twice.as_bytes(), Charset::Latin1, None).unwrap();
        assert_eq!(
            m,
            Utf8Mistake::DoubleEncoded {
                seen: "CafÃ© crÃ¨me".into(),
                repaired: "Café crème".into()
            }
        );
        assert!(m.message(Charset::Latin1).contains("double-encoded"));
        // the same mojibake carried correctly in UCS2 is still double-encoded text
        let ucs2 = ucs2_encode(&twice);
        assert!(matches!(
            utf8_mistake(&ucs2, Charset::Ucs2, Some(&twice)),
            Some(Utf8Mistake::DoubleEncoded { .. })
        ));
        assert_eq!(repair_double_utf8("Café"), None);
        assert_eq!(repair_double_utf8("Hello"), None);
        assert_eq!(repair_double_utf8("Привет"), None);
    }

    fn gsm_string() -> impl Strategy<Value = String> {
        let chars: Vec<char> = GSM_DEFAULT
            .iter()
            .copied()
            .filter(|c| *c != '\u{A0}')
            .chain(GSM_EXTENSION.iter().map(|(_, c)| *c))
            .collect();
        proptest::collection::vec(proptest::sample::select(chars), 0..300)
            .prop_map(|v| v.into_iter().collect())
    }

    /// GSM 03.38 decoding septet by septet, as it was before runs of ASCII-like septets were
    /// copied at once: the reference [`gsm7_decode`] must agree with.
    fn gsm7_decode_by_septet(data: &[u8]) -> DecodedText {
        let mut text = String::new();
        let mut issues = Vec::new();
        let mut i = 0;
        while let Some(&b) = data.get(i) {
            let next = data.get(i + 1).copied();
            if b >= 0x80 {
                let kind = TextIssueKind::HighBit {
                    byte: b,
                    charset: Charset::Gsm7,
                };
                issues.push(TextIssue { index: i, kind });
                text.push('\u{FFFD}');
                i += 1;
            } else if b != GSM_ESCAPE {
                text.push(GSM_DEFAULT[usize::from(b)]);
                i += 1;
            } else if next.is_none_or(|n| n >= 0x80) {
                issues.push(TextIssue {
                    index: i,
                    kind: TextIssueKind::DanglingEscape,
                });
                i += 1;
            } else {
                let n = next.unwrap_or_default();
                match GSM_EXTENSION.iter().find(|(s, _)| *s == n) {
                    Some((_, c)) => text.push(*c),
                    None => {
                        let kind = TextIssueKind::UnknownEscape { septet: n };
                        issues.push(TextIssue { index: i, kind });
                        text.push(if n == GSM_ESCAPE {
                            ' '
                        } else {
                            GSM_DEFAULT[usize::from(n)]
                        });
                    }
                }
                i += 2;
            }
        }
        DecodedText {
            text: Some(text),
            issues,
        }
    }

    /// IA5 decoding octet by octet: the reference for [`ascii_decode`].
    fn ascii_decode_by_octet(data: &[u8]) -> DecodedText {
        let mut issues = Vec::new();
        let mut text = String::new();
        for (i, &b) in data.iter().enumerate() {
            if b.is_ascii() {
                text.push(char::from(b));
            } else {
                let kind = TextIssueKind::HighBit {
                    byte: b,
                    charset: Charset::Ascii,
                };
                issues.push(TextIssue { index: i, kind });
                text.push('\u{FFFD}');
            }
        }
        DecodedText {
            text: Some(text),
            issues,
        }
    }

    #[test]
    fn ascii_like_septets_are_the_gsm_table_entries_equal_to_their_value() {
        let same: Vec<u8> = (0u8..128)
            .filter(|&b| GSM_SAME_AS_ASCII[usize::from(b)])
            .collect();
        assert!(same.contains(&b'A') && same.contains(&b'\n') && same.contains(&b' '));
        for b in [0x00, 0x02, 0x1B, 0x24, 0x40, 0x5B, 0x60, 0x7B, 0x7F] {
            assert!(!same.contains(&b), "{b:#04x}");
        }
    }

    proptest! {
        #[test]
        fn gsm_runs_agree_with_septet_by_septet(
            data in proptest::collection::vec(
                prop_oneof![any::<u8>(), 0x20u8..0x7F, Just(GSM_ESCAPE)],
                0..300,
            ),
            prefix in "[ -~]{0,8}",
        ) {
            prop_assert_eq!(gsm7_decode(&data), gsm7_decode_by_septet(&data));
            prop_assert_eq!(decode_text(&data, Charset::Gsm7), gsm7_decode_by_septet(&data));
            // Reusing a String that held text before gives the same.
            let reused = decode_text_into(&data, Charset::Gsm7, prefix.clone());
            prop_assert_eq!(reused, gsm7_decode_by_septet(&data));
        }

        #[test]
        fn lossy_agrees_with_from_utf8_lossy(
            data in proptest::collection::vec(prop_oneof![any::<u8>(), 0x20u8..0x7F], 0..100),
            s in any::<String>(),
        ) {
            prop_assert_eq!(lossy(&data), String::from_utf8_lossy(&data));
            prop_assert_eq!(lossy(s.as_bytes()), String::from_utf8_lossy(s.as_bytes()));
        }

        #[test]
        fn ascii_copy_agrees_with_octet_by_octet(
            data in proptest::collection::vec(prop_oneof![any::<u8>(), 0u8..0x80], 0..300),
        ) {
            prop_assert_eq!(ascii_decode(&data), ascii_decode_by_octet(&data));
            prop_assert_eq!(decode_text_into(&data, Charset::Ascii, "x".into()), ascii_decode_by_octet(&data));
        }

        #[test]
        fn gsm_round_trip(s in gsm_string()) {
            let bytes = gsm7_encode(&s).unwrap();
            prop_assert_eq!(bytes.len(), gsm7_septets(&s).unwrap());
            let d = gsm7_decode(&bytes);
            prop_assert_eq!(d.text.as_deref(), Some(s.as_str()));
            prop_assert!(d.issues.is_empty());
            prop_assert_eq!(gsm7_unpack(&gsm7_pack(&bytes), bytes.len()), bytes);
        }

        #[test]
        fn ucs2_round_trip(s in any::<String>()) {
            let d = ucs2_decode(&ucs2_encode(&s));
            prop_assert_eq!(d.text.as_deref(), Some(s.as_str()));
            prop_assert!(d.issues.is_empty());
        }

        #[test]
        fn latin1_round_trip(s in "[\\x00-\\xFF]{0,200}") {
            let b = encode_text(&s, Charset::Latin1).unwrap();
            let d = latin1_decode(&b);
            prop_assert_eq!(d.text.as_deref(), Some(s.as_str()));
        }

        #[test]
        fn decoders_never_panic(data in proptest::collection::vec(any::<u8>(), 0..400)) {
            for cs in [Charset::Gsm7, Charset::Ascii, Charset::Latin1, Charset::Ucs2, Charset::Binary] {
                let d = decode_text(&data, cs);
                for i in &d.issues {
                    prop_assert!(i.index < data.len());
                    let _ = i.message();
                }
                let _ = coding_mismatch(&data, cs);
            }
            let _ = gsm7_unpack(&data, data.len() * 2);
        }
    }
}
