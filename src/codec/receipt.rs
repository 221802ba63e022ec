//! Delivery receipt text (SMPP 3.4 appendix B) as SMSCs really send it:
//! `id:XXXX sub:001 dlvrd:001 submit date:2611221430 done date:2611221431 stat:DELIVRD err:000
//! text:Hello`.
//!
//! Tolerated: fields missing or reordered, keys in any case, `submit_date` / `done_date` (and
//! `-`) spellings, dates with or without seconds, ids in hex or decimal (see [`id_variants`]),
//! `text:` running to the end (colons included), and vendor fields (kept in `extra`). Every field
//! keeps the byte ranges of its key and value so the renderer can annotate the text.

use std::fmt;
use std::ops::Range;

use super::pool::Pool;

/// A receipt `stat:` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatInfo {
    /// The 7-letter code, e.g. "DELIVRD".
    pub code: &'static str,
    /// The message_state value it corresponds to (crate::spec::values::MESSAGE_STATE).
    pub message_state: u8,
    /// What it means.
    pub meaning: &'static str,
    /// True when the message will not change state any more.
    pub is_final: bool,
}

/// The receipt states, one row each, in message_state order.
pub const STATS: &[StatInfo] = &[
    StatInfo {
        code: "ENROUTE",
        message_state: 1,
        meaning: "the message is on its way (intermediate, not final)",
        is_final: false,
    },
    StatInfo {
        code: "DELIVRD",
        message_state: 2,
        meaning: "delivered to the handset",
        is_final: true,
    },
    StatInfo {
        code: "EXPIRED",
        message_state: 3,
        meaning: "validity period expired before delivery",
        is_final: true,
    },
    StatInfo {
        code: "DELETED",
        message_state: 4,
        meaning: "deleted (e.g. by cancel_sm) before delivery",
        is_final: true,
    },
    StatInfo {
        code: "UNDELIV",
        message_state: 5,
        meaning: "undeliverable: the network or handset refused it",
        is_final: true,
    },
    StatInfo {
        code: "ACCEPTD",
        message_state: 6,
        meaning: "accepted: read on the subscriber's behalf (e.g. by customer service)",
        is_final: true,
    },
    StatInfo {
        code: "UNKNOWN",
        message_state: 7,
        meaning: "the SMSC does not know the message state",
        is_final: true,
    },
    StatInfo {
        code: "REJECTD",
        message_state: 8,
        meaning: "rejected by the SMSC or network",
        is_final: true,
    },
    StatInfo {
        code: "SKIPPED",
        message_state: 9,
        meaning: "accepted but not sent on the network (SMPP 5.0)",
        is_final: true,
    },
];

/// Other spellings seen for stat values: `(spelling, code)`.
const STAT_ALIASES: &[(&str, &str)] = &[
    ("DELIVERED", "DELIVRD"),
    ("UNDELIVERABLE", "UNDELIV"),
    ("UNDELIVERED", "UNDELIV"),
    ("ACCEPTED", "ACCEPTD"),
    ("REJECTED", "REJECTD"),
];

/// Look up a `stat:` value (case-insensitive; full message_state names accepted too).
pub fn stat_info(stat: &str) -> Option<&'static StatInfo> {
    let s = stat.trim();
    let code = STAT_ALIASES
        .iter()
        .find(|(a, _)| a.eq_ignore_ascii_case(s))
        .map_or(s, |(_, c)| c);
    STATS.iter().find(|i| i.code.eq_ignore_ascii_case(code))
}

/// The canonical names of the known keys; a key's index here is its bit in a set of keys seen.
const CANONICAL: [&str; 8] = [
    "id",
    "sub",
    "dlvrd",
    "submit date",
    "done date",
    "stat",
    "err",
    "text",
];

/// Indices in [`CANONICAL`].
const ID: usize = 0;
const SUB: usize = 1;
const DLVRD: usize = 2;
const SUBMIT_DATE: usize = 3;
const DONE_DATE: usize = 4;
const STAT: usize = 5;
const ERR: usize = 6;
const TEXT: usize = 7;

/// Known keys: `(normalised spelling, index in CANONICAL)`. Normalised = lower case with `_` and
/// `-` read as a space.
const KEYS: &[(&str, usize)] = &[
    ("id", ID),
    ("sub", SUB),
    ("dlvrd", DLVRD),
    ("submit date", SUBMIT_DATE),
    ("submitdate", SUBMIT_DATE),
    ("done date", DONE_DATE),
    ("donedate", DONE_DATE),
    ("stat", STAT),
    ("err", ERR),
    ("text", TEXT),
];

/// The index in [`CANONICAL`] of a key as written.
fn canonical_index(key: &[u8]) -> Option<usize> {
    let norm = |c: u8| match c {
        b'_' | b'-' => b' ',
        c => c.to_ascii_lowercase(),
    };
    KEYS.iter()
        .find(|(k, _)| k.len() == key.len() && k.bytes().zip(key).all(|(a, &b)| a == norm(b)))
        .map(|&(_, i)| i)
}

/// A date from a receipt: YYMMDDhhmm or YYMMDDhhmmss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiptDate {
    /// Full year (2000 + YY).
    pub year: u16,
    /// Month 1-12.
    pub month: u8,
    /// Day 1-31.
    pub day: u8,
    /// Hour 0-23.
    pub hour: u8,
    /// Minute 0-59.
    pub minute: u8,
    /// Second 0-59, when given.
    pub second: Option<u8>,
}

impl fmt::Display for ReceiptDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute
        )?;
        if let Some(s) = self.second {
            write!(f, ":{s:02}")?;
        }
        Ok(())
    }
}

/// Parse a receipt date (10 or 12 digits); `None` when malformed or out of range.
pub fn parse_date(s: &str) -> Option<ReceiptDate> {
    let s = s.trim().as_bytes();
    if !(s.len() == 10 || s.len() == 12) || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // Every octet is a digit: two of them make a number without a parser.
    let two = |i: usize| (s[i] - b'0') * 10 + (s[i + 1] - b'0');
    let d = ReceiptDate {
        year: 2000 + u16::from(two(0)),
        month: two(2),
        day: two(4),
        hour: two(6),
        minute: two(8),
        second: (s.len() == 12).then(|| two(10)),
    };
    let ok = (1..=12).contains(&d.month)
        && (1..=31).contains(&d.day)
        && d.hour < 24
        && d.minute < 60
        && !matches!(d.second, Some(s) if s >= 60);
    ok.then_some(d)
}

/// One `key:value` field as written: byte ranges in the receipt text (read them with
/// [`Receipt::key`] and [`Receipt::value`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptField {
    /// The canonical name for known keys ("id", "sub", "dlvrd", "submit date", "done date",
    /// "stat", "err", "text"); `None` for vendor fields.
    pub canonical: Option<&'static str>,
    /// Byte range of the key as written (without the colon), e.g. "submit_date".
    pub key_range: Range<usize>,
    /// Byte range of the value, trimmed.
    pub value_range: Range<usize>,
}

/// Something odd in a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptIssue {
    /// Byte range concerned.
    pub range: Range<usize>,
    /// A plain sentence.
    pub message: String,
}

/// A parsed delivery receipt: its text and where each field is in it. A field read by name is
/// the first of that name (a repeated key is an issue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The receipt text, as given to [`parse`].
    text: String,
    /// Every field in order of appearance.
    pub fields: Vec<ReceiptField>,
    /// Oddities: bad dates, unknown stat, repeated keys.
    pub issues: Vec<ReceiptIssue>,
}

impl Receipt {
    /// The receipt text the field ranges refer to.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The key of `f` as written (e.g. "submit_date").
    pub fn key(&self, f: &ReceiptField) -> &str {
        self.text.get(f.key_range.clone()).unwrap_or_default()
    }

    /// The value of `f`, trimmed.
    pub fn value(&self, f: &ReceiptField) -> &str {
        self.text.get(f.value_range.clone()).unwrap_or_default()
    }

    /// The field with this canonical name.
    pub fn field(&self, canonical: &str) -> Option<&ReceiptField> {
        self.fields.iter().find(|f| f.canonical == Some(canonical))
    }

    /// The value of the field with this canonical name.
    pub fn get(&self, canonical: &str) -> Option<&str> {
        self.field(canonical).map(|f| self.value(f))
    }

    /// The message id as written.
    pub fn id(&self) -> &str {
        self.get(CANONICAL[ID]).unwrap_or_default()
    }

    /// `stat:` as written.
    pub fn stat(&self) -> &str {
        self.get(CANONICAL[STAT]).unwrap_or_default()
    }

    /// `sub:` (number of messages originally submitted).
    pub fn sub(&self) -> Option<&str> {
        self.get("sub")
    }

    /// `dlvrd:` (number delivered).
    pub fn dlvrd(&self) -> Option<&str> {
        self.get("dlvrd")
    }

    /// `submit date:` as written.
    pub fn submit_date(&self) -> Option<&str> {
        self.get("submit date")
    }

    /// `done date:` as written.
    pub fn done_date(&self) -> Option<&str> {
        self.get("done date")
    }

    /// `err:` as written (network-specific error code).
    pub fn err(&self) -> Option<&str> {
        self.get("err")
    }

    /// `text:` (the first characters of the message), to the end of the receipt.
    pub fn text(&self) -> Option<&str> {
        self.get(CANONICAL[TEXT])
    }

    /// Vendor fields `(key, value)`, in order.
    pub fn extra(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields
            .iter()
            .filter(|f| f.canonical.is_none())
            .map(|f| (self.key(f), self.value(f)))
    }

    /// The stat row, when the value is known.
    pub fn stat_info(&self) -> Option<&'static StatInfo> {
        stat_info(self.stat())
    }

    /// The message_state value the stat corresponds to.
    pub fn message_state(&self) -> Option<u8> {
        self.stat_info().map(|i| i.message_state)
    }

    /// True when the stat is a final state.
    pub fn is_final(&self) -> bool {
        self.stat_info().is_some_and(|i| i.is_final)
    }

    /// The submit date, parsed.
    pub fn submit_time(&self) -> Option<ReceiptDate> {
        self.submit_date().and_then(parse_date)
    }

    /// The done date, parsed.
    pub fn done_time(&self) -> Option<ReceiptDate> {
        self.done_date().and_then(parse_date)
    }

    /// The readings of the id (see [`id_variants`]).
    pub fn id_variants(&self) -> Vec<IdVariant> {
        id_variants(self.id())
    }

    /// The text and the field list, for reuse.
    pub(crate) fn into_buffers(self) -> (String, Vec<ReceiptField>) {
        (self.text, self.fields)
    }
}

/// One reading of a message id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdVariant {
    /// The id text in this reading.
    pub text: String,
    /// How it was obtained: "as given", "decimal id written in hex", "hex id written in decimal".
    pub reading: &'static str,
}

/// The ways an id may be written elsewhere: as given, and, when it reads as a number, the same
/// number in the other base. SMSCs often return a hex message_id in submit_sm_resp and its
/// decimal value in the receipt (or the reverse).
pub fn id_variants(id: &str) -> Vec<IdVariant> {
    let id = id.trim();
    let mut out = vec![IdVariant {
        text: id.to_string(),
        reading: "as given",
    }];
    if id.is_empty() {
        return out;
    }
    if id.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = id.parse::<u128>() {
            out.push(IdVariant {
                text: format!("{n:X}"),
                reading: "decimal id written in hex",
            });
        }
    }
    if id.bytes().all(|b| b.is_ascii_hexdigit()) {
        if let Ok(n) = u128::from_str_radix(id, 16) {
            out.push(IdVariant {
                text: n.to_string(),
                reading: "hex id written in decimal",
            });
        }
    }
    out
}

fn id_key(s: &str) -> String {
    let t = s.trim().trim_start_matches('0');
    if t.is_empty() && !s.trim().is_empty() {
        "0".into()
    } else {
        t.to_ascii_lowercase()
    }
}

/// True when two message ids denote the same message: equal ignoring case and leading zeros, or
/// one is the other's number written in the other base. (Two all-digit ids can match by that
/// second rule by coincidence; prefer exact matches when there is a choice.)
pub fn ids_match(a: &str, b: &str) -> bool {
    let kb = id_key(b);
    !kb.is_empty() && id_variants(a).iter().any(|v| id_key(&v.text) == kb)
}

/// Octets keys are made of: ASCII letters and digits, `_` and `-`. A table, as the key scan
/// asks it of every octet of every key.
const KEY_CHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
        i += 1;
    }
    t
};

fn is_key_char(c: u8) -> bool {
    KEY_CHAR[usize::from(c)]
}

/// The `key:` starts of a text, in order: `(key_start, colon)` pairs. One pass over the octets
/// that allocates nothing; a look-ahead is a clone.
#[derive(Clone)]
struct Keys<'a> {
    t: &'a [u8],
    /// Where the next run of key characters starts.
    at: usize,
}

impl<'a> Keys<'a> {
    fn new(text: &'a str) -> Self {
        Keys {
            t: text.as_bytes(),
            at: 0,
        }
    }
}

impl Iterator for Keys<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let t = self.t;
        loop {
            // A run of key characters and the octet after it: a key when that is a colon.
            let word = self.at;
            let end = word + t.get(word..)?.iter().position(|&c| !is_key_char(c))?;
            self.at = end + 1;
            if t[end] == b':' && word < end {
                if let Some(start) = key_start(t, word, end) {
                    return Some((start, end));
                }
            }
        }
    }
}

/// Where the key that ends at `colon` starts, given the run of key characters before it
/// (`word..colon`): that word (or "submit date" / "done date", two words) at the start of the
/// text or after white space.
fn key_start(t: &[u8], word: usize, colon: usize) -> Option<usize> {
    let mut start = word;
    // "submit date" / "done date": a two-word key.
    if colon - start == 4
        && start >= 2
        && t[start - 1] == b' '
        && t[start..colon].eq_ignore_ascii_case(b"date")
    {
        let mut s2 = start - 1;
        while s2 > 0 && t[s2 - 1].is_ascii_alphabetic() {
            s2 -= 1;
        }
        let first = &t[s2..start - 1];
        if first.eq_ignore_ascii_case(b"submit") || first.eq_ignore_ascii_case(b"done") {
            start = s2;
        }
    }
    let boundary = start == 0 || t[start - 1].is_ascii_whitespace();
    boundary.then_some(start)
}

/// `r` without the white space around the value (and NULs after it): as `str::trim_start` and
/// `trim_end_matches(white space or NUL)`. ASCII is looked at octet by octet; at a non-ASCII
/// octet the char-by-char trim, which knows the Unicode spaces, takes over.
fn trim_range(text: &str, r: Range<usize>) -> Range<usize> {
    let s = text.get(r.clone()).unwrap_or_default();
    let b = s.as_bytes();
    let ascii_space = |c: u8| c.is_ascii() && char::from(c).is_whitespace();
    let mut lead = b.iter().take_while(|&&c| ascii_space(c)).count();
    if b.get(lead).is_some_and(|c| !c.is_ascii()) {
        lead = s.len() - s.trim_start().len();
    }
    let mut trail = b
        .iter()
        .rev()
        .take_while(|&&c| c == 0 || ascii_space(c))
        .count();
    if b.len() > trail && !b[b.len() - trail - 1].is_ascii() {
        trail = s.len()
            - s.trim_end_matches(|c: char| c.is_whitespace() || c == '\0')
                .len();
    }
    let start = r.start + lead;
    start..(r.end - trail).max(start)
}

/// What [`split_fields`] found: the fields and issues go to the lists it is given.
struct Split {
    /// The known keys seen (bits by [`CANONICAL`] index).
    seen: u16,
}

impl Split {
    fn has(&self, i: usize) -> bool {
        self.seen & (1 << i) != 0
    }
}

/// The fields of a receipt text, each ending where the next key starts, and their issues.
/// `text:` runs to the end, unless the receipt is reordered and stat is still to come: then the
/// next known key not seen yet ends it.
fn split_fields(
    text: &str,
    mut keys: Keys<'_>,
    fields: &mut Vec<ReceiptField>,
    issues: &mut Vec<ReceiptIssue>,
) -> Split {
    let bytes = text.as_bytes();
    let mut split = Split { seen: 0 };
    let mut next = keys.next();
    if next.is_some() {
        fields.reserve(STANDARD_FIELDS);
    }
    while let Some((start, colon)) = next {
        let canon = canonical_index(&bytes[start..colon]);
        next = keys.next();
        if canon == Some(TEXT) && !split.has(STAT) {
            let ends_text = |&(s, c): &(usize, usize)| {
                canonical_index(&bytes[s..c]).is_some_and(|j| j != TEXT && !split.has(j))
            };
            next = match next {
                Some(k) if ends_text(&k) => Some(k),
                Some(_) => keys.find(ends_text),
                None => None,
            };
        } else if canon == Some(TEXT) {
            next = None;
        }
        let end = next.map_or(text.len(), |(s, _)| s);
        let f = ReceiptField {
            canonical: canon.map(|i| CANONICAL[i]),
            key_range: start..colon,
            value_range: trim_range(text, colon + 1..end),
        };
        let issue = match canon {
            Some(i) if split.has(i) => Some(ReceiptIssue {
                range: f.key_range.clone(),
                message: format!(
                    "field {} appears more than once; the first is used",
                    CANONICAL[i]
                ),
            }),
            Some(i) => {
                let key = text.get(f.key_range.clone()).unwrap_or_default();
                let value = text.get(f.value_range.clone()).unwrap_or_default();
                field_problem(i, key, value).map(|message| ReceiptIssue {
                    range: f.value_range.clone(),
                    message,
                })
            }
            None => None,
        };
        issues.extend(issue);
        if let Some(i) = canon {
            split.seen |= 1 << i;
        }
        fields.push(f);
    }
    split
}

/// Fields of the receipt format of SMPP 3.4 appendix B: the field list has room for them at
/// once.
const STANDARD_FIELDS: usize = 8;

/// Parse receipt text. `None` unless it has at least `id:` and `stat:` fields. Allocates twice
/// for a receipt of the standard fields: a copy of the text and the field list (plus one
/// sentence per issue, when there are any).
pub fn parse(text: &str) -> Option<Receipt> {
    parse_in(text, &mut Pool::default())
}

/// [`parse`], taking the text copy and the field list from `pool` (see [`Pool::keep_receipt`]).
pub(crate) fn parse_in(text: &str, pool: &mut Pool) -> Option<Receipt> {
    let keys = Keys::new(text);
    let mut fields = pool.receipt_fields();
    let mut issues = Vec::new();
    let split = split_fields(text, keys, &mut fields, &mut issues);
    if !split.has(ID) || !split.has(STAT) {
        pool.keep_receipt_fields(fields);
        return None;
    }
    Some(Receipt {
        text: pool.string_from(text),
        fields,
        issues,
    })
}

/// What is wrong with the value of a known key (by [`CANONICAL`] index), if anything.
fn field_problem(canonical: usize, key: &str, value: &str) -> Option<String> {
    match canonical {
        SUBMIT_DATE | DONE_DATE if parse_date(value).is_none() => Some(format!(
            "{key} {value:?} is not a date of the form YYMMDDhhmm or YYMMDDhhmmss"
        )),
        STAT if stat_info(value).is_none() => Some(format!(
            "stat {value:?} is not a receipt state (DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, \
             UNKNOWN, REJECTD, ENROUTE, SKIPPED)"
        )),
        ID if value.is_empty() => Some("the message id is empty".to_string()),
        SUB | DLVRD | ERR if !value.bytes().all(|b| b.is_ascii_digit()) => {
            Some(format!("{key} {value:?} is not a number"))
        }
        _ => None,
    }
}

/// Characters of the message a receipt's `text:` field carries (SMPP 3.4 appendix B).
pub const TEXT_EXCERPT_CHARS: usize = 20;

/// The `text:` of a receipt: the first [`TEXT_EXCERPT_CHARS`] characters of the message (its UDH
/// already removed), decoded in the message's data_coding; control characters are left out and
/// binary data is shown as hex.
pub fn text_excerpt(message: &[u8], data_coding: u8) -> String {
    let charset = crate::spec::values::data_coding(data_coding).charset;
    match crate::codec::text::decode_text(message, charset).text {
        Some(t) => t
            .chars()
            .filter(|c| !c.is_control())
            .take(TEXT_EXCERPT_CHARS)
            .collect(),
        None => hex::encode_upper(message.get(..TEXT_EXCERPT_CHARS / 2).unwrap_or(message)),
    }
}

/// Encode a receipt's text for a deliver_sm: `(data_coding, octets)` — GSM 03.38 when every
/// character fits (so "Hello €" keeps its euro sign), else UCS2 (a Cyrillic or emoji excerpt).
pub fn encode_text(body: &str) -> (u8, Vec<u8>) {
    use crate::codec::text;
    use crate::spec::values::Charset;
    match text::encode_text(body, Charset::Gsm7) {
        Ok(b) => (0x00, b),
        Err(_) => (0x08, text::ucs2_encode(body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::values::MESSAGE_STATE;
    use proptest::prelude::*;

    /// The canonical name of a key as written.
    fn canonical(key: &str) -> Option<&'static str> {
        canonical_index(key.as_bytes()).map(|i| CANONICAL[i])
    }

    const STD: &str = "id:0123456789 sub:001 dlvrd:001 submit date:2611221430 done date:2611221431 stat:DELIVRD err:000 text:Hello: world";

    #[test]
    fn standard_receipt() {
        let r = parse(STD).unwrap();
        assert_eq!(r.id(), "0123456789");
        assert_eq!(r.sub(), Some("001"));
        assert_eq!(r.dlvrd(), Some("001"));
        assert_eq!(r.submit_date(), Some("2611221430"));
        assert_eq!(r.done_date(), Some("2611221431"));
        assert_eq!(r.stat(), "DELIVRD");
        assert_eq!(r.err(), Some("000"));
        assert_eq!(r.text(), Some("Hello: world"));
        assert_eq!(r.extra().count(), 0);
        assert_eq!(r.as_str(), STD);
        assert!(r.issues.is_empty(), "{:?}", r.issues);
        assert_eq!(r.message_state(), Some(2));
        assert!(r.is_final());
        assert_eq!(
            r.submit_time(),
            Some(ReceiptDate {
                year: 2026,
                month: 11,
                day: 22,
                hour: 14,
                minute: 30,
                second: None
            })
        );
        assert_eq!(r.done_time().unwrap().to_string(), "2026-11-22 14:31");
        let f = r.field("submit date").unwrap();
        assert_eq!(&STD[f.key_range.clone()], "submit date");
        assert_eq!(&STD[f.value_range.clone()], "2611221430");
        let f = r.field("id").unwrap();
        assert_eq!(f.key_range, 0..2);
        assert_eq!(f.value_range, 3..13);
        assert_eq!(r.fields.len(), 8);
    }

    #[test]
    fn vendor_variants() {
        // Upper-case keys, underscores, seconds, reordered, extra vendor fields, no text.
        let t = "ID:1A2B3C Stat:UNDELIV SUBMIT_DATE:261122143005 done_date:261122143107 Err:034 imsi:001010123456789 mcc:001";
        let r = parse(t).unwrap();
        assert_eq!(r.id(), "1A2B3C");
        assert_eq!(r.stat(), "UNDELIV");
        assert_eq!(r.err(), Some("034"));
        assert_eq!(r.submit_time().unwrap().second, Some(5));
        assert_eq!(r.done_time().unwrap().to_string(), "2026-11-22 14:31:07");
        assert_eq!(
            r.extra().collect::<Vec<_>>(),
            vec![("imsi", "001010123456789"), ("mcc", "001")]
        );
        assert_eq!(r.key(r.field("submit date").unwrap()), "SUBMIT_DATE");
        assert_eq!(r.sub(), None);
        assert_eq!(r.text(), None);
        assert_eq!(r.message_state(), Some(5));
        assert!(r.issues.is_empty());
    }

    #[test]
    fn text_not_last_and_lower_case_stat() {
        let t = "id:42 text:hi there stat:delivered err:0";
        let r = parse(t).unwrap();
        assert_eq!(r.text(), Some("hi there"));
        assert_eq!(r.stat(), "delivered");
        assert_eq!(r.message_state(), Some(2));
        assert_eq!(r.err(), Some("0"));
    }

    #[test]
    fn text_last_keeps_key_like_words() {
        let t = "id:7 stat:ENROUTE text:see id:8 stat:x";
        let r = parse(t).unwrap();
        assert_eq!(r.id(), "7");
        assert_eq!(r.text(), Some("see id:8 stat:x"));
        assert!(!r.is_final());
        assert_eq!(r.message_state(), Some(1));
    }

    #[test]
    fn issues_reported() {
        let t = "id:9 submit date:2613221430 done date:26112214 stat:WEIRD dlvrd:x1 id:10";
        let r = parse(t).unwrap();
        let msgs: Vec<&str> = r.issues.iter().map(|i| i.message.as_str()).collect();
        assert_eq!(r.issues.len(), 5, "{msgs:?}");
        assert!(msgs[0].contains("submit date"));
        assert_eq!(&t[r.issues[0].range.clone()], "2613221430");
        assert!(msgs[1].contains("done date"));
        assert!(msgs[2].contains("WEIRD"));
        assert!(msgs[3].contains("dlvrd"));
        assert!(msgs[4].contains("more than once"));
        assert_eq!(r.id(), "9");
    }

    #[test]
    fn not_a_receipt() {
        assert_eq!(parse("Hello world"), None);
        assert_eq!(parse("id:123 only an id"), None);
        assert_eq!(parse("stat:DELIVRD"), None);
        assert_eq!(parse("Meet at 10:30, stat"), None);
        assert_eq!(parse(""), None);
    }

    #[test]
    fn stat_table_matches_message_state() {
        for s in STATS {
            let name = MESSAGE_STATE
                .iter()
                .find(|(v, _)| *v == u32::from(s.message_state))
                .map(|(_, n)| *n)
                .unwrap();
            assert_eq!(stat_info(name).map(|i| i.code), Some(s.code), "{name}");
            assert_eq!(stat_info(s.code), Some(s));
        }
        assert_eq!(stat_info("rejectd").unwrap().message_state, 8);
        assert_eq!(stat_info("SCHEDULED"), None);
    }

    #[test]
    fn id_readings() {
        let v = id_variants("1A2B");
        assert_eq!(
            v,
            vec![
                IdVariant {
                    text: "1A2B".into(),
                    reading: "as given"
                },
                IdVariant {
                    text: "6699".into(),
                    reading: "hex id written in decimal"
                },
            ]
        );
        let v = id_variants("6699");
        assert_eq!(v.len(), 3);
        assert_eq!(v[1].text, "1A2B");
        assert_eq!(v[2].text, "26265");
        assert_eq!(id_variants("msg-1").len(), 1);
        assert!(ids_match("1a2b", "6699"));
        assert!(ids_match("6699", "1A2B"));
        assert!(ids_match("0001A2B", "1a2b"));
        assert!(!ids_match("1A2B", "6698"));
        assert!(!ids_match("abc", ""));
        assert!(ids_match("000", "0"));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2602291200").map(|d| d.day), Some(29));
        assert_eq!(parse_date("2612312360"), None);
        assert_eq!(parse_date("26123123"), None);
        assert_eq!(parse_date("26a2312359"), None);
        assert_eq!(parse_date("261231235961"), None);
    }

    proptest! {
        /// Keys are recognised as the lower-cased spelling with `_` and `-` read as a space.
        #[test]
        fn canonical_reads_keys_as_normalised(key in "(?i)(submit|done|text|stat|err|id|sub|dlvrd|date|[_ -]|é|x){0,4}") {
            let norm: String = key
                .chars()
                .map(|c| match c {
                    '_' | '-' => ' ',
                    c => c.to_ascii_lowercase(),
                })
                .collect();
            let want = KEYS.iter().find(|(k, _)| *k == norm).map(|&(_, i)| CANONICAL[i]);
            prop_assert_eq!(canonical(&key), want);
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in any::<String>()) {
            if let Some(r) = parse(&s) {
                for f in &r.fields {
                    prop_assert!(s.get(f.key_range.clone()).is_some());
                    prop_assert!(s.get(f.value_range.clone()).is_some());
                }
            }
        }

        #[test]
        fn parse_finds_generated_fields(id in "[0-9A-F]{1,20}", text in "[ -~]{0,40}") {
            let t = format!("id:{id} sub:001 dlvrd:001 submit date:2611221430 done date:2611221431 stat:EXPIRED err:000 text:{text}");
            let r = parse(&t).unwrap();
            prop_assert_eq!(r.id(), id);
            prop_assert_eq!(r.stat(), "EXPIRED");
            prop_assert_eq!(r.text().unwrap_or_default(), text.trim());
        }
    }

    /// The parser as it was before it kept ranges instead of strings (one String per key and
    /// value, a Vec of key positions): the reference the range-keeping parser must agree with.
    mod reference {
        use super::super::{is_key_char, stat_info, trim_range, ReceiptIssue};
        use super::canonical;
        use std::ops::Range;

        #[derive(Debug, PartialEq)]
        pub struct Field {
            pub key: String,
            pub canonical: Option<&'static str>,
            pub key_range: Range<usize>,
            pub value: String,
            pub value_range: Range<usize>,
        }

        pub fn parse_date(s: &str) -> Option<(u8, u8, u8, u8, Option<u8>)> {
            let s = s.trim();
            if !(s.len() == 10 || s.len() == 12) || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let two = |i: usize| s.get(i..i + 2).and_then(|d| d.parse::<u8>().ok());
            let (mo, d, h, mi) = (two(2)?, two(4)?, two(6)?, two(8)?);
            let sec = if s.len() == 12 { Some(two(10)?) } else { None };
            let ok = (1..=12).contains(&mo)
                && (1..=31).contains(&d)
                && h < 24
                && mi < 60
                && !matches!(sec, Some(s) if s >= 60);
            ok.then_some((mo, d, h, mi, sec))
        }

        fn key_positions(t: &[u8]) -> Vec<(usize, usize)> {
            let mut out = Vec::new();
            for (colon, _) in t.iter().enumerate().filter(|(_, &b)| b == b':') {
                let mut start = colon;
                while start > 0 && t.get(start - 1).copied().is_some_and(is_key_char) {
                    start -= 1;
                }
                if start == colon {
                    continue;
                }
                let word = t.get(start..colon).unwrap_or_default();
                if word.eq_ignore_ascii_case(b"date")
                    && start >= 2
                    && t.get(start - 1) == Some(&b' ')
                {
                    let mut s2 = start - 1;
                    while s2 > 0 && t.get(s2 - 1).is_some_and(u8::is_ascii_alphabetic) {
                        s2 -= 1;
                    }
                    let first = t.get(s2..start - 1).unwrap_or_default();
                    if first.eq_ignore_ascii_case(b"submit") || first.eq_ignore_ascii_case(b"done")
                    {
                        start = s2;
                    }
                }
                let boundary =
                    start == 0 || t.get(start - 1).is_some_and(|b| b.is_ascii_whitespace());
                if boundary {
                    out.push((start, colon));
                }
            }
            out
        }

        /// `None` when not a receipt, else the fields and issues.
        pub fn parse(text: &str) -> Option<(Vec<Field>, Vec<ReceiptIssue>)> {
            let keys = key_positions(text.as_bytes());
            let mut fields: Vec<Field> = Vec::new();
            let mut k = 0;
            while let Some(&(start, colon)) = keys.get(k) {
                let key = text.get(start..colon).unwrap_or_default();
                let canon = canonical(key);
                let mut next = k + 1;
                if canon == Some("text") {
                    let seen_stat = fields.iter().any(|f| f.canonical == Some("stat"));
                    next = keys.len();
                    if !seen_stat {
                        for (j, &(s, c)) in keys.iter().enumerate().skip(k + 1) {
                            let cj = canonical(text.get(s..c).unwrap_or_default());
                            if cj.is_some_and(|cj| {
                                cj != "text" && !fields.iter().any(|f| f.canonical == Some(cj))
                            }) {
                                next = j;
                                break;
                            }
                        }
                    }
                }
                let end = keys.get(next).map_or(text.len(), |&(s, _)| s);
                let vr = trim_range(text, colon + 1..end);
                fields.push(Field {
                    key: key.to_string(),
                    canonical: canon,
                    key_range: start..colon,
                    value: text.get(vr.clone()).unwrap_or_default().to_string(),
                    value_range: vr,
                });
                k = next;
            }
            let has = |name: &str| fields.iter().any(|f| f.canonical == Some(name));
            if !has("id") || !has("stat") {
                return None;
            }
            let mut issues = Vec::new();
            for (i, f) in fields.iter().enumerate() {
                if let Some(c) = f.canonical {
                    if fields[..i].iter().any(|g| g.canonical == Some(c)) {
                        issues.push(ReceiptIssue {
                            range: f.key_range.clone(),
                            message: format!("field {c} appears more than once; the first is used"),
                        });
                        continue;
                    }
                }
                let problem = match f.canonical {
                    Some("submit date" | "done date") if parse_date(&f.value).is_none() => {
                        Some(format!(
                            "{} {:?} is not a date of the form YYMMDDhhmm or YYMMDDhhmmss",
                            f.key, f.value
                        ))
                    }
                    Some("stat") if stat_info(&f.value).is_none() => Some(format!(
                        "stat {:?} is not a receipt state (DELIVRD, EXPIRED, DELETED, UNDELIV, \
                         ACCEPTD, UNKNOWN, REJECTD, ENROUTE, SKIPPED)",
                        f.value
                    )),
                    Some("id") if f.value.is_empty() => Some("the message id is empty".to_string()),
                    Some("sub" | "dlvrd" | "err")
                        if !f.value.bytes().all(|b| b.is_ascii_digit()) =>
                    {
                        Some(format!("{} {:?} is not a number", f.key, f.value))
                    }
                    _ => None,
                };
                if let Some(message) = problem {
                    issues.push(ReceiptIssue {
                        range: f.value_range.clone(),
                        message,
                    });
                }
            }
            Some((fields, issues))
        }
    }

    /// Receipt-like text: known keys in every spelling, vendor keys, dates good and bad, stray
    /// colons and white space, in any order and number.
    fn receipt_like() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec![
            "id",
            "ID",
            "sub",
            "dlvrd",
            "submit date",
            "Submit_Date",
            "submitdate",
            "done date",
            "done-date",
            "stat",
            "Stat",
            "err",
            "text",
            "imsi",
            "date",
            "x date",
            "",
        ]);
        let value = prop::sample::select(vec![
            "",
            "0123456789",
            "1A2B",
            "001",
            "x1",
            "2611221430",
            "261122143059",
            "2613221430",
            "DELIVRD",
            "delivered",
            "WEIRD",
            "Hello: world",
            "a:b",
            " ",
            "\t",
            "é",
            "\0",
            "\u{a0}x\u{2003}",
            "\u{b}1\u{c}",
            "ü ",
            " \u{3000}",
        ]);
        let sep = prop::sample::select(vec![" ", "  ", "\t", "", "\n", ":"]);
        prop::collection::vec((key, value, sep), 0..10).prop_map(|parts| {
            parts
                .into_iter()
                .map(|(k, v, s)| format!("{k}:{v}{s}"))
                .collect()
        })
    }

    /// The parse agrees with [`reference::parse`]: same fields, values, issues, accessors.
    fn agrees_with_reference(t: &str) -> Result<(), TestCaseError> {
        let new = parse(t);
        let Some((fields, issues)) = reference::parse(t) else {
            prop_assert!(new.is_none(), "{t:?}");
            return Ok(());
        };
        let r = new.expect("the reference reads a receipt");
        prop_assert_eq!(r.fields.len(), fields.len());
        for (f, old) in r.fields.iter().zip(&fields) {
            prop_assert_eq!(f.canonical, old.canonical);
            prop_assert_eq!(&f.key_range, &old.key_range);
            prop_assert_eq!(&f.value_range, &old.value_range);
            prop_assert_eq!(r.key(f), &old.key);
            prop_assert_eq!(r.value(f), &old.value);
        }
        prop_assert_eq!(&r.issues, &issues);
        let get = |name: &str| {
            fields
                .iter()
                .find(|f| f.canonical == Some(name))
                .map(|f| f.value.as_str())
        };
        prop_assert_eq!(Some(r.id()), get("id"));
        prop_assert_eq!(Some(r.stat()), get("stat"));
        prop_assert_eq!(r.sub(), get("sub"));
        prop_assert_eq!(r.dlvrd(), get("dlvrd"));
        prop_assert_eq!(r.submit_date(), get("submit date"));
        prop_assert_eq!(r.done_date(), get("done date"));
        prop_assert_eq!(r.err(), get("err"));
        prop_assert_eq!(r.text(), get("text"));
        let extra: Vec<(&str, &str)> = fields
            .iter()
            .filter(|f| f.canonical.is_none())
            .map(|f| (f.key.as_str(), f.value.as_str()))
            .collect();
        prop_assert_eq!(r.extra().collect::<Vec<_>>(), extra);
        Ok(())
    }

    #[test]
    fn parse_agrees_with_the_reference_on_reordered_receipts() {
        for t in [
            STD,
            "id:1 stat:X text:hi sub:1",
            "id:1 text:hi stat:DELIVRD sub:1 text:again",
            "text:a id:2 text:b stat:UNDELIV err:9",
            "ID:3 Stat:DELIVRD done date:2611221431 submit date:x text:t id:4",
        ] {
            agrees_with_reference(t).unwrap();
        }
    }

    proptest! {
        #[test]
        fn parse_agrees_with_the_reference_on_receipt_like_text(t in receipt_like()) {
            agrees_with_reference(&t)?;
        }

        #[test]
        fn parse_agrees_with_the_reference_on_any_text(t in any::<String>()) {
            agrees_with_reference(&t)?;
        }

        #[test]
        fn parse_date_agrees_with_the_reference(s in "[ 0-9]{0,3}[0-9]{8,12}[ a]{0,2}") {
            let want = reference::parse_date(&s);
            let got = parse_date(&s).map(|d| (d.month, d.day, d.hour, d.minute, d.second));
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn standard_fields_fit_the_first_field_list() {
        // The list made for the standard fields never grows while they are parsed.
        let r = parse(STD).unwrap();
        assert_eq!(r.fields.len(), STANDARD_FIELDS);
        assert_eq!(r.fields.capacity(), STANDARD_FIELDS);
        assert_eq!(r.as_str(), STD);
    }

    #[test]
    fn text_excerpt_decodes_the_message_coding() {
        use crate::codec::text::{gsm7_encode, ucs2_encode};
        let gsm = gsm7_encode("Hello €").unwrap();
        assert_eq!(text_excerpt(&gsm, 0), "Hello €");
        let ru = ucs2_encode("Привет мир");
        assert_eq!(text_excerpt(&ru, 8), "Привет мир");
        let long = ucs2_encode("0123456789abcdefghijKLMN");
        assert_eq!(text_excerpt(&long, 8), "0123456789abcdefghij");
        assert_eq!(text_excerpt(&[0xDE, 0xAD], 4), "DEAD");
        let (dc, b) = encode_text("text:Hello €");
        assert_eq!(dc, 0);
        assert_eq!(
            crate::codec::text::gsm7_decode(&b).text.as_deref(),
            Some("text:Hello €")
        );
        assert_eq!(encode_text("text:Привет").0, 8);
    }
}
