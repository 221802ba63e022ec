//! Splitting a long message into parts for submission, the three ways SMPP allows: a
//! concatenation UDH in each short_message, SAR TLVs, or one message_payload TLV.
//!
//! Part sizes are counted in the octets SMPP carries (GSM septets are one per octet): one part
//! holds 160 GSM septets, 140 octets or 70 UCS2 units; with an 8-bit reference concatenation UDH
//! (6 octets) 153 septets, 134 octets or 67 UCS2 units (16-bit reference: 152 / 133 / 66). SAR
//! parts use the same limits as the 8-bit UDH. A GSM escape sequence or a UTF-16 surrogate pair
//! is never cut in two.

use super::text::{encode_text, TextError, GSM_ESCAPE};
use super::udh;
use crate::spec::values::Charset;

/// How a long message is carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitMethod {
    /// Concatenation UDH with an 8-bit reference (the low octet of the reference given); the
    /// sender must set UDHI (esm_class 0x40).
    Udh,
    /// Concatenation UDH with a 16-bit reference.
    Udh16,
    /// SAR TLVs (sar_msg_ref_num, sar_total_segments, sar_segment_seqnum); no UDH.
    Sar,
    /// The whole message in one message_payload TLV (up to 65 535 octets).
    Payload,
}

/// What a message is given as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitInput<'a> {
    /// Text, encoded in the charset given to [`split`].
    Text(&'a str),
    /// Bytes already encoded in the charset given to [`split`] (or binary data).
    Bytes(&'a [u8]),
}

impl<'a> From<&'a str> for SplitInput<'a> {
    fn from(s: &'a str) -> Self {
        SplitInput::Text(s)
    }
}

impl<'a> From<&'a [u8]> for SplitInput<'a> {
    fn from(b: &'a [u8]) -> Self {
        SplitInput::Bytes(b)
    }
}

/// One part to submit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The short_message (or message_payload) bytes, including the UDH when `udh` is set.
    pub payload: Vec<u8>,
    /// True when `payload` starts with a UDH (set UDHI, esm_class 0x40).
    pub udh: bool,
    /// SAR TLV values `(sar_msg_ref_num, sar_total_segments, sar_segment_seqnum)`.
    pub sar: Option<(u16, u8, u8)>,
}

/// Splitting failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// The text cannot be encoded in the chosen charset.
    #[error(transparent)]
    Text(#[from] TextError),
    /// More than 255 parts would be needed.
    #[error("the message needs {needed} parts; concatenation allows at most 255")]
    TooManyParts {
        /// Parts needed.
        needed: usize,
    },
    /// Too long for message_payload.
    #[error("the message is {len} octets; message_payload holds at most 65535")]
    PayloadTooLong {
        /// Encoded length in octets.
        len: usize,
    },
}

/// How many octets fit in a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    /// Octets of text a message can have and still go as one plain part.
    pub single: usize,
    /// Octets of text per part once the message is split (`None` for message_payload).
    pub per_part: Option<usize>,
}

/// Maximum message_payload length (its TLV length is 16 bits).
pub const MAX_PAYLOAD: usize = 0xFFFF;

/// Per-charset limits: `(single, 8-bit UDH or SAR, 16-bit UDH)`, one row per charset. IA5 is
/// counted as 8-bit data (140 octets): the conservative reading, since peers differ on whether
/// IA5 travels as 7-bit.
const LIMITS: &[(Charset, usize, usize, usize)] = &[
    (Charset::Gsm7, 160, 153, 152),
    (Charset::Ucs2, 140, 134, 132),
    (Charset::Ascii, 140, 134, 133),
    (Charset::Latin1, 140, 134, 133),
    (Charset::Binary, 140, 134, 133),
    (Charset::Other, 140, 134, 133),
];

/// The capacity of a part for a charset and method.
pub fn capacity(charset: Charset, method: SplitMethod) -> Capacity {
    let (single, c8, c16) = LIMITS
        .iter()
        .find(|(c, ..)| *c == charset)
        .map_or((140, 134, 133), |(_, s, a, b)| (*s, *a, *b));
    match method {
        SplitMethod::Udh | SplitMethod::Sar => Capacity {
            single,
            per_part: Some(c8),
        },
        SplitMethod::Udh16 => Capacity {
            single,
            per_part: Some(c16),
        },
        SplitMethod::Payload => Capacity {
            single: MAX_PAYLOAD,
            per_part: None,
        },
    }
}

/// Lengths of the indivisible units of encoded data: GSM escape pairs, UTF-16 surrogate pairs,
/// else single characters (octets, or 2-octet UCS2 units; an odd trailing octet on its own).
fn tokens(data: &[u8], charset: Charset) -> Vec<usize> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        let rest = data.get(i..).unwrap_or_default();
        let n = match (charset, rest) {
            (Charset::Gsm7, [GSM_ESCAPE, _, ..]) => 2,
            (Charset::Ucs2, [h0, _, l0, _, ..])
                if (0xD8..0xDC).contains(h0) && (0xDC..0xE0).contains(l0) =>
            {
                4
            }
            (Charset::Ucs2, [_, _, ..]) => 2,
            _ => 1,
        };
        out.push(n);
        i += n;
    }
    out
}

/// Split a message into parts. `reference` numbers the message (its low octet for
/// [`SplitMethod::Udh`]); a message that fits in one part is returned as one plain part, with
/// neither UDH nor SAR.
pub fn split<'a>(
    input: impl Into<SplitInput<'a>>,
    charset: Charset,
    method: SplitMethod,
    reference: u16,
) -> Result<Vec<Part>, SplitError> {
    let data = match input.into() {
        SplitInput::Text(s) => encode_text(s, charset)?,
        SplitInput::Bytes(b) => b.to_vec(),
    };
    let cap = capacity(charset, method);
    let plain = |payload| Part {
        payload,
        udh: false,
        sar: None,
    };
    if data.len() <= cap.single {
        return Ok(vec![plain(data)]);
    }
    let Some(per_part) = cap.per_part else {
        return Err(SplitError::PayloadTooLong { len: data.len() });
    };
    let mut chunks: Vec<&[u8]> = Vec::new();
    let (mut start, mut len) = (0, 0);
    for t in tokens(&data, charset) {
        if len + t > per_part {
            chunks.push(data.get(start..start + len).unwrap_or_default());
            start += len;
            len = 0;
        }
        len += t;
    }
    chunks.push(data.get(start..start + len).unwrap_or_default());
    let total = u8::try_from(chunks.len()).map_err(|_| SplitError::TooManyParts {
        needed: chunks.len(),
    })?;
    Ok(chunks
        .into_iter()
        .zip(1..=total)
        .map(|(chunk, seq)| match method {
            SplitMethod::Udh | SplitMethod::Udh16 => {
                let mut payload = if method == SplitMethod::Udh {
                    udh::encode_concat8(reference as u8, total, seq)
                } else {
                    udh::encode_concat16(reference, total, seq)
                };
                payload.extend_from_slice(chunk);
                Part {
                    payload,
                    udh: true,
                    sar: None,
                }
            }
            _ => Part {
                payload: chunk.to_vec(),
                udh: false,
                sar: Some((reference, total, seq)),
            },
        })
        .collect())
}

/// Join parts back into the message bytes (UDHs stripped), in the order given. A part whose UDH
/// does not parse is kept whole.
pub fn join(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        let skip = if p.udh {
            udh::parse(&p.payload).map_or(0, |u| u.len)
        } else {
            0
        };
        out.extend_from_slice(p.payload.get(skip..).unwrap_or_default());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::text::{decode_text, ucs2_encode};
    use proptest::prelude::*;

    fn text_of(parts: &[Part], cs: Charset) -> String {
        decode_text(&join(parts), cs).text.unwrap()
    }

    #[test]
    fn short_message_is_one_plain_part() {
        let p = split("Hello", Charset::Gsm7, SplitMethod::Udh, 7).unwrap();
        assert_eq!(
            p,
            vec![Part {
                payload: b"Hello".to_vec(),
                udh: false,
                sar: None
            }]
        );
        let s = "x".repeat(160);
        assert_eq!(
            split(s.as_str(), Charset::Gsm7, SplitMethod::Udh, 7)
                .unwrap()
                .len(),
            1
        );
        let p = split("", Charset::Ucs2, SplitMethod::Sar, 1).unwrap();
        assert_eq!(p[0].payload, Vec::<u8>::new());
    }

    #[test]
    fn gsm_161_chars_is_153_plus_8() {
        let s = "a".repeat(161);
        let p = split(s.as_str(), Charset::Gsm7, SplitMethod::Udh, 0x1234).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].payload[..6], [0x05, 0x00, 0x03, 0x34, 0x02, 0x01]);
        assert_eq!(p[1].payload[..6], [0x05, 0x00, 0x03, 0x34, 0x02, 0x02]);
        assert_eq!(p[0].payload.len(), 6 + 153);
        assert_eq!(p[1].payload.len(), 6 + 8);
        assert!(p[0].udh && p[0].sar.is_none());
        assert_eq!(text_of(&p, Charset::Gsm7), s);
    }

    #[test]
    fn gsm_escape_not_split() {
        // 152 septets then '€' (2 septets): the escape would straddle 153.
        let s = format!("{}€{}", "a".repeat(152), "b".repeat(20));
        let p = split(s.as_str(), Charset::Gsm7, SplitMethod::Udh, 1).unwrap();
        assert_eq!(p[0].payload.len(), 6 + 152);
        assert_eq!(&p[1].payload[6..8], &[0x1B, 0x65]);
        assert_eq!(text_of(&p, Charset::Gsm7), s);
        // 151 then '€': fits exactly.
        let s = format!("{}€{}", "a".repeat(151), "b".repeat(20));
        let p = split(s.as_str(), Charset::Gsm7, SplitMethod::Udh, 1).unwrap();
        assert_eq!(p[0].payload.len(), 6 + 153);
        assert_eq!(&p[0].payload[157..], &[0x1B, 0x65]);
    }

    #[test]
    fn ucs2_71_chars_with_emoji_on_boundary() {
        // 66 units, then an emoji (2 units) straddling 67, then 3 more: 71 units.
        let s = format!("{}😀{}", "ж".repeat(66), "abc");
        assert_eq!(s.encode_utf16().count(), 71);
        let p = split(s.as_str(), Charset::Ucs2, SplitMethod::Udh, 9).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].payload.len(), 6 + 132);
        assert_eq!(&p[1].payload[6..10], &[0xD8, 0x3D, 0xDE, 0x00]);
        assert_eq!(p[1].payload.len(), 6 + 10);
        assert_eq!(text_of(&p, Charset::Ucs2), s);
    }

    #[test]
    fn ucs2_70_fits_71_splits_67() {
        let s = "ж".repeat(70);
        assert_eq!(
            split(s.as_str(), Charset::Ucs2, SplitMethod::Udh, 0)
                .unwrap()
                .len(),
            1
        );
        let s = "ж".repeat(71);
        let p = split(s.as_str(), Charset::Ucs2, SplitMethod::Udh, 0).unwrap();
        assert_eq!(p[0].payload.len(), 6 + 134);
        assert_eq!(p[1].payload.len(), 6 + 8);
    }

    #[test]
    fn sar_parts() {
        let s = "z".repeat(300);
        let p = split(s.as_str(), Charset::Gsm7, SplitMethod::Sar, 0xBEEF).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].sar, Some((0xBEEF, 2, 1)));
        assert_eq!(p[1].sar, Some((0xBEEF, 2, 2)));
        assert!(!p[0].udh);
        assert_eq!(p[0].payload.len(), 153);
        assert_eq!(p[1].payload.len(), 147);
    }

    #[test]
    fn udh16_and_octets() {
        let data = vec![0xAB; 300];
        let p = split(data.as_slice(), Charset::Binary, SplitMethod::Udh16, 0x0102).unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(
            p[2].payload[..7],
            [0x06, 0x08, 0x04, 0x01, 0x02, 0x03, 0x03]
        );
        assert_eq!(p[0].payload.len(), 7 + 133);
        assert_eq!(join(&p), data);
        let p = split(data.as_slice(), Charset::Latin1, SplitMethod::Udh, 1).unwrap();
        assert_eq!(p[0].payload.len(), 6 + 134);
    }

    #[test]
    fn payload_is_one_part() {
        let s = "q".repeat(1000);
        let p = split(s.as_str(), Charset::Gsm7, SplitMethod::Payload, 1).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].payload.len(), 1000);
        assert!(!p[0].udh && p[0].sar.is_none());
        let big = vec![0u8; 70_000];
        assert_eq!(
            split(big.as_slice(), Charset::Binary, SplitMethod::Payload, 1),
            Err(SplitError::PayloadTooLong { len: 70_000 })
        );
    }

    #[test]
    fn errors() {
        let s = "a".repeat(153 * 256);
        assert_eq!(
            split(s.as_str(), Charset::Gsm7, SplitMethod::Udh, 1),
            Err(SplitError::TooManyParts { needed: 256 })
        );
        let s = "a".repeat(153 * 255);
        assert_eq!(
            split(s.as_str(), Charset::Gsm7, SplitMethod::Udh, 1)
                .unwrap()
                .len(),
            255
        );
        assert!(matches!(
            split("😀", Charset::Gsm7, SplitMethod::Udh, 1),
            Err(SplitError::Text(_))
        ));
    }

    #[test]
    fn byte_input_respects_pairs() {
        let mut b = ucs2_encode(&"x".repeat(66));
        b.extend(ucs2_encode("😀😀"));
        b.push(0x41); // stray odd octet
        let p = split(b.as_slice(), Charset::Ucs2, SplitMethod::Sar, 3).unwrap();
        assert_eq!(p[0].payload.len(), 132);
        assert_eq!(join(&p), b);
    }

    fn gsm_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(vec!['a', 'Z', '€', '{', '@', ' ', 'é', '\n']),
            0..1200,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    fn method() -> impl Strategy<Value = SplitMethod> {
        proptest::sample::select(vec![SplitMethod::Udh, SplitMethod::Udh16, SplitMethod::Sar])
    }

    proptest! {
        #[test]
        fn gsm_split_join(s in gsm_text(), m in method(), r in any::<u16>()) {
            let parts = split(s.as_str(), Charset::Gsm7, m, r).unwrap();
            let cap = capacity(Charset::Gsm7, m);
            for p in &parts {
                let body = p.payload.len() - if p.udh { udh::parse(&p.payload).unwrap().len } else { 0 };
                let limit = if parts.len() == 1 { cap.single } else { cap.per_part.unwrap() };
                prop_assert!(body <= limit);
                // No part ends on a dangling escape.
                let d = decode_text(&join(std::slice::from_ref(p)), Charset::Gsm7);
                prop_assert!(d.issues.is_empty());
            }
            prop_assert_eq!(text_of(&parts, Charset::Gsm7), s);
        }

        #[test]
        fn ucs2_split_join(s in any::<String>().prop_flat_map(|a| (Just(a.repeat(8)), method(), any::<u16>()))) {
            let (s, m, r) = s;
            let parts = split(s.as_str(), Charset::Ucs2, m, r).unwrap();
            for p in &parts {
                let d = decode_text(&join(std::slice::from_ref(p)), Charset::Ucs2);
                prop_assert!(d.issues.is_empty(), "a part cuts a surrogate pair");
            }
            prop_assert_eq!(text_of(&parts, Charset::Ucs2), s);
        }

        #[test]
        fn bytes_split_join(b in proptest::collection::vec(any::<u8>(), 0..2000), m in method()) {
            for cs in [Charset::Gsm7, Charset::Ucs2, Charset::Binary] {
                let parts = split(b.as_slice(), cs, m, 5).unwrap();
                prop_assert_eq!(join(&parts), b.clone());
            }
        }
    }
}
