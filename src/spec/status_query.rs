//! What people type or paste to `explain`: a command_status as logs and exceptions print it
//! (`00000058`, `0x00000058`, `0x58`, `88`, `ESME_RTHROTTLED`, `RTHROTTLED`), or a whole log
//! line or exception message that contains one. [`readings`] turns it into the value(s) it can
//! stand for, the likelier first.
//!
//! The rule for digits without `0x`:
//! - exactly 8 digits, or any digit `a`-`f`: hex (a 32-bit word as logs print command_status:
//!   jsmpp's `Negative response 00000058`, Kannel's `0x%08lx`);
//! - otherwise both readings, decimal and hex, unless they are the same value (0-9). The likelier
//!   comes first: hex when the digits are zero-padded (`058`), else the one that is a defined
//!   code when only one is, else decimal (the literal reading).
//!
//! In a text, the first of these is taken: an `ESME_` name, a `0x` value of at most 8 digits,
//! an 8-digit hex word, a number right after `error`, `status`, `code` or `response`.

use super::status::{find_by_name, lookup};

/// How a value was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadAs {
    /// Hexadecimal digits.
    Hex,
    /// Decimal digits.
    Decimal,
    /// A status name (with or without `ESME_`, or an alias).
    Name,
}

/// Why the first of two readings is the likelier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Likelier {
    /// The digits are zero-padded, as logs print hex.
    ZeroPadded,
    /// Only the first reading is a defined code.
    OnlyDefined,
    /// Both or neither are defined: the literal (decimal) reading first.
    Literal,
}

/// One value a query can stand for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The command_status value.
    pub value: u32,
    /// How the digits or name were read.
    pub read_as: ReadAs,
}

/// Everything a query can stand for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readings {
    /// The readings, the likelier first (one or two).
    pub all: Vec<Reading>,
    /// With two readings: why the first is the likelier.
    pub why: Option<Likelier>,
    /// When the query was a text: the token the value was taken from.
    pub found_in_text: Option<String>,
}

/// Read a query: a value, a name, or a text containing one. `None` when nothing in it is a
/// command_status.
pub fn readings(q: &str) -> Option<Readings> {
    let q = q.trim();
    if !q.contains(char::is_whitespace) {
        if let Some(r) = token_readings(q) {
            return Some(r);
        }
    }
    let (token, mut r) = find_in_text(q)?;
    r.found_in_text = Some(token);
    Some(r)
}

fn one(value: u32, read_as: ReadAs) -> Readings {
    Readings {
        all: vec![Reading { value, read_as }],
        why: None,
        found_in_text: None,
    }
}

/// The readings of one token typed on its own.
fn token_readings(t: &str) -> Option<Readings> {
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return hex_value(h).map(|v| one(v, ReadAs::Hex));
    }
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return find_by_name(t).map(|v| one(v, ReadAs::Name));
    }
    if t.len() == 8 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return hex_value(t).map(|v| one(v, ReadAs::Hex));
    }
    let dec = t.parse::<u32>().ok();
    let hex = hex_value(t);
    match (dec, hex) {
        (Some(d), Some(h)) if d == h => Some(one(d, ReadAs::Decimal)),
        (Some(d), Some(h)) => Some(two(t, d, h)),
        (Some(d), None) => Some(one(d, ReadAs::Decimal)),
        (None, Some(h)) => Some(one(h, ReadAs::Hex)),
        (None, None) => None,
    }
}

/// Both readings of a decimal-looking number, ordered by the module's rule.
fn two(t: &str, dec: u32, hex: u32) -> Readings {
    let d = Reading {
        value: dec,
        read_as: ReadAs::Decimal,
    };
    let h = Reading {
        value: hex,
        read_as: ReadAs::Hex,
    };
    let defined = |v| lookup(v).is_some();
    let (all, why) = if t.len() > 1 && t.starts_with('0') {
        (vec![h, d], Likelier::ZeroPadded)
    } else if defined(hex) && !defined(dec) {
        (vec![h, d], Likelier::OnlyDefined)
    } else if defined(dec) && !defined(hex) {
        (vec![d, h], Likelier::OnlyDefined)
    } else {
        (vec![d, h], Likelier::Literal)
    };
    Readings {
        all,
        why: Some(why),
        found_in_text: None,
    }
}

fn hex_value(h: &str) -> Option<u32> {
    if h.is_empty() || h.len() > 8 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(h, 16).ok()
}

/// The words of a text, without the punctuation logs put around values.
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || "()[]{}<>,;:=\"'`".contains(c))
        .map(|w| w.trim_end_matches(['.', '!', '?']))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Words after which a bare number is a status: `error 88`, `status: 88`, `code 88`.
const STATUS_WORDS: &[&str] = &["error", "status", "command_status", "code", "response"];

/// The first status in a text (see the module doc for the order), with its token.
fn find_in_text(text: &str) -> Option<(String, Readings)> {
    let w = words(text);
    let name = w.iter().find_map(|t| {
        let up = t.to_ascii_uppercase();
        up.starts_with("ESME_")
            .then(|| find_by_name(t))
            .flatten()
            .map(|v| (t.to_string(), one(v, ReadAs::Name)))
    });
    let prefixed = || {
        w.iter().find_map(|t| {
            let h = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X"))?;
            hex_value(h).map(|v| (t.to_string(), one(v, ReadAs::Hex)))
        })
    };
    let word8 = || {
        w.iter().find_map(|t| {
            (t.len() == 8)
                .then(|| hex_value(t))
                .flatten()
                .map(|v| (t.to_string(), one(v, ReadAs::Hex)))
        })
    };
    let after_word = || {
        w.windows(2).find_map(|p| {
            let key = p[0].to_ascii_lowercase();
            let is_number = p[1].bytes().all(|b| b.is_ascii_digit());
            (STATUS_WORDS.contains(&key.as_str()) && is_number)
                .then(|| token_readings(p[1]))
                .flatten()
                .map(|r| (p[1].to_string(), r))
        })
    };
    name.or_else(prefixed).or_else(word8).or_else(after_word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(q: &str) -> Vec<(u32, ReadAs)> {
        readings(q)
            .map(|r| r.all.iter().map(|x| (x.value, x.read_as)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn what_logs_print_reads_as_hex() {
        for q in ["00000058", "0x00000058", "0x58", "0X58", "0000005a"] {
            let want = if q.ends_with('a') { 0x5A } else { 0x58 };
            assert_eq!(values(q), [(want, ReadAs::Hex)], "{q}");
        }
        assert_eq!(values("FE"), [(0xFE, ReadAs::Hex)]);
        assert_eq!(values("0x123456789"), []);
    }

    #[test]
    fn names_with_and_without_esme() {
        for q in [
            "ESME_RTHROTTLED",
            "RTHROTTLED",
            "throttled",
            "esme_rthrottled",
        ] {
            assert_eq!(values(q), [(0x58, ReadAs::Name)], "{q}");
        }
    }

    #[test]
    fn bare_digits_read_both_ways_likelier_first() {
        // 0x58 is a defined code, decimal 58 (0x3A) is reserved: hex first
        let r = readings("58").unwrap();
        assert_eq!(r.all[0].value, 0x58);
        assert_eq!(r.all[1].value, 58);
        assert_eq!(r.why, Some(Likelier::OnlyDefined));
        // decimal 88 is ESME_RTHROTTLED, 0x88 is reserved: decimal first
        assert_eq!(values("88"), [(88, ReadAs::Decimal), (0x88, ReadAs::Hex)]);
        // both defined (14 = ESME_RINVPASWD, 0x14 = ESME_RMSGQFUL): the literal decimal first
        assert_eq!(
            readings("14").unwrap().all[0].read_as,
            ReadAs::Decimal,
            "literal first"
        );
        assert_eq!(readings("14").unwrap().why, Some(Likelier::Literal));
        // zero-padded: hex first
        assert_eq!(values("014"), [(0x14, ReadAs::Hex), (14, ReadAs::Decimal)]);
        // one digit: one reading
        assert_eq!(values("5"), [(5, ReadAs::Decimal)]);
        // too big for a u32 as decimal digits read as hex? 9999999999 is neither
        assert_eq!(values("9999999999"), []);
    }

    #[test]
    fn texts_from_real_software() {
        // jsmpp NegativeResponseException.createMessageForCommandStatus: "Negative response %s found"
        let r =
            readings("org.jsmpp.extra.NegativeResponseException: Negative response 00000058 found")
                .unwrap();
        assert_eq!(
            r.all,
            [Reading {
                value: 0x58,
                read_as: ReadAs::Hex
            }]
        );
        assert_eq!(r.found_in_text.as_deref(), Some("00000058"));
        // Kannel 1.4.5 bearerbox, real log line (smsc_smpp.c)
        let k = "2026-11-30 08:05:03 [13361] [6] ERROR: SMPP[serve]: SMSC returned error code \
                 0x00000058 (Throttling error) in response to submit_sm PDU.";
        assert_eq!(values(k), [(0x58, ReadAs::Hex)]);
        // Kannel's field dump line
        assert_eq!(
            values("DEBUG:   command_status: 88 = 0x00000058"),
            [(0x58, ReadAs::Hex)]
        );
        assert_eq!(
            values("the bind failed with ESME_RBINDFAIL."),
            [(0x0D, ReadAs::Name)]
        );
        assert_eq!(
            values("submit failed, error 88"),
            [(88, ReadAs::Decimal), (0x88, ReadAs::Hex)]
        );
        assert_eq!(values("nothing to see here"), []);
        // pointers longer than a u32 are not statuses
        assert_eq!(values("SMPP PDU 0x7f61f0002110 dump:"), []);
    }
}
