//! The User Data Header (3GPP TS 23.040 9.2.3.24) at the start of a short_message when esm_class
//! has UDHI (0x40): UDHL, then information elements `IEI, length, data`.
//!
//! [`parse`] takes the bytes starting at UDHL and reports every offset relative to that start, so
//! the codec can turn them into spans. Structural faults (UDHL or an IE running past the data) are
//! errors; semantic ones (sequence 0, sequence beyond the total) are [`UdhIssue`]s.

use std::ops::Range;

/// Names of information element identifiers: `(first, last, name)`, one row per IEI or range.
const IEI_NAMES: &[(u8, u8, &str)] = &[
    (0x00, 0x00, "concatenated short messages, 8-bit reference"),
    (0x01, 0x01, "special SMS message indication"),
    (0x04, 0x04, "application port addressing, 8-bit"),
    (0x05, 0x05, "application port addressing, 16-bit"),
    (0x06, 0x06, "SMSC control parameters"),
    (0x07, 0x07, "UDH source indicator"),
    (0x08, 0x08, "concatenated short messages, 16-bit reference"),
    (0x09, 0x09, "wireless control message protocol"),
    (0x0A, 0x0A, "text formatting (EMS)"),
    (0x0B, 0x0B, "predefined sound (EMS)"),
    (0x0C, 0x0C, "user defined sound (EMS)"),
    (0x0D, 0x0D, "predefined animation (EMS)"),
    (0x0E, 0x0E, "large animation (EMS)"),
    (0x0F, 0x0F, "small animation (EMS)"),
    (0x10, 0x10, "large picture (EMS)"),
    (0x11, 0x11, "small picture (EMS)"),
    (0x12, 0x12, "variable picture (EMS)"),
    (0x13, 0x13, "user prompt indicator (EMS)"),
    (0x14, 0x14, "extended object (EMS)"),
    (0x15, 0x15, "reused extended object (EMS)"),
    (0x16, 0x16, "compression control (EMS)"),
    (0x17, 0x17, "object distribution indicator (EMS)"),
    (0x18, 0x18, "standard WVG object (EMS)"),
    (0x19, 0x19, "character size WVG object (EMS)"),
    (0x1A, 0x1A, "extended object data request command (EMS)"),
    (0x20, 0x20, "RFC 822 e-mail header"),
    (0x21, 0x21, "hyperlink format element"),
    (0x22, 0x22, "reply address element"),
    (0x23, 0x23, "enhanced voice mail information"),
    (0x24, 0x24, "national language single shift"),
    (0x25, 0x25, "national language locking shift"),
    (0x70, 0x7F, "(U)SIM toolkit security header"),
    (0x80, 0x9F, "SME to SME specific use"),
    (0xC0, 0xDF, "SC specific use"),
];

/// The name of an IEI; "reserved" when the standard assigns none.
pub fn iei_name(iei: u8) -> &'static str {
    IEI_NAMES
        .iter()
        .find(|(lo, hi, _)| (*lo..=*hi).contains(&iei))
        .map_or("reserved", |(_, _, n)| n)
}

/// The typed content of an information element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IeKind {
    /// IEI 0x00: concatenation with an 8-bit reference.
    Concat8 {
        /// Reference shared by all parts of one message.
        reference: u8,
        /// Number of parts.
        total: u8,
        /// This part's number, from 1.
        seq: u8,
    },
    /// IEI 0x08: concatenation with a 16-bit reference.
    Concat16 {
        /// Reference shared by all parts of one message.
        reference: u16,
        /// Number of parts.
        total: u8,
        /// This part's number, from 1.
        seq: u8,
    },
    /// IEI 0x04: application ports, 8-bit.
    Ports8 {
        /// Destination port.
        dest: u8,
        /// Originator port.
        src: u8,
    },
    /// IEI 0x05: application ports, 16-bit.
    Ports16 {
        /// Destination port.
        dest: u16,
        /// Originator port.
        src: u16,
    },
    /// Any other IE (or a known one with the wrong length): kept raw.
    Other {
        /// The IEI's name from the table ("reserved" when unassigned).
        name: &'static str,
    },
}

/// One information element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ie {
    /// Information element identifier.
    pub iei: u8,
    /// Offset of the IEI octet (the length octet follows it).
    pub offset: usize,
    /// Byte range of the IE data (after IEI and length).
    pub data: Range<usize>,
    /// The decoded content.
    pub kind: IeKind,
}

impl Ie {
    /// Byte range of the whole IE: IEI, length and data.
    pub fn range(&self) -> Range<usize> {
        self.offset..self.data.end
    }

    /// The IEI's name.
    pub fn name(&self) -> &'static str {
        iei_name(self.iei)
    }
}

/// A semantic problem in a well-formed UDH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdhIssue {
    /// Offset of the IE concerned (relative to UDHL).
    pub offset: usize,
    /// A plain sentence.
    pub message: String,
}

/// A parsed User Data Header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Udh {
    /// Total header length including the UDHL octet; the message text starts here.
    pub len: usize,
    /// The information elements in order.
    pub ies: Vec<Ie>,
    /// Semantic problems found.
    pub issues: Vec<UdhIssue>,
}

impl Udh {
    /// The concatenation info `(reference, total, seq)` from the first concat IE, if any.
    pub fn concat(&self) -> Option<(u16, u8, u8)> {
        self.ies.iter().find_map(|ie| match ie.kind {
            IeKind::Concat8 {
                reference,
                total,
                seq,
            } => Some((u16::from(reference), total, seq)),
            IeKind::Concat16 {
                reference,
                total,
                seq,
            } => Some((reference, total, seq)),
            _ => None,
        })
    }
}

/// The UDH cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UdhError {
    /// No octet at all where UDHL should be.
    #[error("UDHI is set but the message is empty: no UDH length octet")]
    Empty,
    /// UDHL claims more octets than the message has.
    #[error(
        "UDH length {udhl} needs {} octets but only {available} follow the length octet",
        udhl
    )]
    LengthOverrun {
        /// The UDHL value.
        udhl: u8,
        /// Octets present after UDHL.
        available: usize,
    },
    /// An IE's length runs past the end of the header.
    #[error("information element 0x{iei:02X} at offset {offset} has length {len} but only {available} octets remain in the header")]
    IeOverrun {
        /// The IEI.
        iei: u8,
        /// Offset of the IEI octet.
        offset: usize,
        /// The IE's stated length (0 when even the length octet is missing).
        len: usize,
        /// Octets left in the header after the length octet.
        available: usize,
    },
}

/// Parse a UDH; `data` starts at the UDHL octet (and may continue with the message text).
pub fn parse(data: &[u8]) -> Result<Udh, UdhError> {
    let udhl = *data.first().ok_or(UdhError::Empty)?;
    let end = 1 + usize::from(udhl);
    if end > data.len() {
        return Err(UdhError::LengthOverrun {
            udhl,
            available: data.len() - 1,
        });
    }
    let mut ies = Vec::new();
    let mut issues = Vec::new();
    let mut at = 1;
    while at < end {
        let iei = data[at];
        let Some(&len) = data.get(at + 1).filter(|_| at + 1 < end) else {
            return Err(UdhError::IeOverrun {
                iei,
                offset: at,
                len: 0,
                available: 0,
            });
        };
        let start = at + 2;
        let stop = start + usize::from(len);
        if stop > end {
            return Err(UdhError::IeOverrun {
                iei,
                offset: at,
                len: usize::from(len),
                available: end - start,
            });
        }
        let body = &data[start..stop];
        let kind = ie_kind(iei, body, at, &mut issues);
        ies.push(Ie {
            iei,
            offset: at,
            data: start..stop,
            kind,
        });
        at = stop;
    }
    let concats = ies
        .iter()
        .filter(|ie| matches!(ie.kind, IeKind::Concat8 { .. } | IeKind::Concat16 { .. }))
        .count();
    if concats > 1 {
        issues.push(UdhIssue {
            offset: 0,
            message: format!("{concats} concatenation elements in one header; receivers use one"),
        });
    }
    Ok(Udh {
        len: end,
        ies,
        issues,
    })
}

/// Expected data lengths of the typed IEs: `(iei, length)`.
const TYPED_LEN: &[(u8, usize)] = &[(0x00, 3), (0x08, 4), (0x04, 2), (0x05, 4)];

fn ie_kind(iei: u8, b: &[u8], offset: usize, issues: &mut Vec<UdhIssue>) -> IeKind {
    let other = IeKind::Other {
        name: iei_name(iei),
    };
    if let Some((_, want)) = TYPED_LEN.iter().find(|(i, _)| *i == iei) {
        if b.len() != *want {
            issues.push(UdhIssue {
                offset,
                message: format!(
                    "{} should have {want} data octets, not {}; shown raw",
                    iei_name(iei),
                    b.len()
                ),
            });
            return other;
        }
    }
    let kind = match (iei, b) {
        (0x00, &[reference, total, seq]) => IeKind::Concat8 {
            reference,
            total,
            seq,
        },
        (0x08, &[r0, r1, total, seq]) => IeKind::Concat16 {
            reference: u16::from_be_bytes([r0, r1]),
            total,
            seq,
        },
        (0x04, &[dest, src]) => IeKind::Ports8 { dest, src },
        (0x05, &[d0, d1, s0, s1]) => IeKind::Ports16 {
            dest: u16::from_be_bytes([d0, d1]),
            src: u16::from_be_bytes([s0, s1]),
        },
        _ => return other,
    };
    if let IeKind::Concat8 { total, seq, .. } | IeKind::Concat16 { total, seq, .. } = kind {
        let mut note = |message: String| issues.push(UdhIssue { offset, message });
        if total == 0 {
            note("concatenation total is 0; receivers discard the element".into());
        }
        if seq == 0 {
            note("concatenation sequence number is 0; parts are numbered from 1".into());
        } else if seq > total && total != 0 {
            note(format!(
                "concatenation sequence number {seq} is beyond the total of {total} parts"
            ));
        }
    }
    kind
}

/// Build a UDH (with its UDHL octet) from `(iei, data)` elements. Elements longer than 255
/// octets, or a header longer than 255 octets, are truncated to fit the one-octet lengths.
pub fn encode(ies: &[(u8, &[u8])]) -> Vec<u8> {
    let mut out = vec![0u8];
    for (iei, data) in ies {
        let data = data.get(..data.len().min(255)).unwrap_or_default();
        if out.len() - 1 + 2 + data.len() > 255 {
            break;
        }
        out.push(*iei);
        out.push(data.len() as u8);
        out.extend_from_slice(data);
    }
    out[0] = (out.len() - 1) as u8;
    out
}

/// UDH with one 8-bit-reference concatenation IE: `05 00 03 ref total seq`.
pub fn encode_concat8(reference: u8, total: u8, seq: u8) -> Vec<u8> {
    encode(&[(0x00, &[reference, total, seq])])
}

/// UDH with one 16-bit-reference concatenation IE: `06 08 04 refH refL total seq`.
pub fn encode_concat16(reference: u16, total: u8, seq: u8) -> Vec<u8> {
    let [r0, r1] = reference.to_be_bytes();
    encode(&[(0x08, &[r0, r1, total, seq])])
}

/// UDH with one 8-bit application port IE: `04 04 02 dest src`.
pub fn encode_ports8(dest: u8, src: u8) -> Vec<u8> {
    encode(&[(0x04, &[dest, src])])
}

/// UDH with one 16-bit application port IE: `06 05 04 destH destL srcH srcL`.
pub fn encode_ports16(dest: u16, src: u16) -> Vec<u8> {
    let [d0, d1] = dest.to_be_bytes();
    let [s0, s1] = src.to_be_bytes();
    encode(&[(0x05, &[d0, d1, s0, s1])])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn concat8() {
        let bytes = [0x05, 0x00, 0x03, 0x2A, 0x02, 0x01, b'H', b'i'];
        let u = parse(&bytes).unwrap();
        assert_eq!(u.len, 6);
        assert_eq!(
            u.ies,
            vec![Ie {
                iei: 0,
                offset: 1,
                data: 3..6,
                kind: IeKind::Concat8 {
                    reference: 0x2A,
                    total: 2,
                    seq: 1
                }
            }]
        );
        assert!(u.issues.is_empty());
        assert_eq!(u.concat(), Some((0x2A, 2, 1)));
        assert_eq!(u.ies[0].range(), 1..6);
        assert_eq!(encode_concat8(0x2A, 2, 1), bytes[..6].to_vec());
    }

    #[test]
    fn concat16() {
        let bytes = [0x06, 0x08, 0x04, 0x12, 0x34, 0x03, 0x03];
        let u = parse(&bytes).unwrap();
        assert_eq!(u.len, 7);
        assert_eq!(
            u.ies[0].kind,
            IeKind::Concat16 {
                reference: 0x1234,
                total: 3,
                seq: 3
            }
        );
        assert_eq!(u.ies[0].data, 3..7);
        assert_eq!(encode_concat16(0x1234, 3, 3), bytes.to_vec());
    }

    #[test]
    fn ports() {
        let b16 = [0x06, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0];
        let u = parse(&b16).unwrap();
        assert_eq!(
            u.ies[0].kind,
            IeKind::Ports16 {
                dest: 2948,
                src: 9200
            }
        );
        assert_eq!(encode_ports16(2948, 9200), b16.to_vec());
        let b8 = [0x04, 0x04, 0x02, 0xF5, 0xF6];
        assert_eq!(
            parse(&b8).unwrap().ies[0].kind,
            IeKind::Ports8 {
                dest: 0xF5,
                src: 0xF6
            }
        );
        assert_eq!(encode_ports8(0xF5, 0xF6), b8.to_vec());
    }

    #[test]
    fn ports_and_concat_together() {
        // WAP push: 16-bit ports then 8-bit concat.
        let bytes = [
            0x0B, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0, 0x00, 0x03, 0x07, 0x02, 0x02,
        ];
        let u = parse(&bytes).unwrap();
        assert_eq!(u.len, 12);
        assert_eq!(u.ies.len(), 2);
        assert_eq!(u.ies[1].offset, 7);
        assert_eq!(u.concat(), Some((7, 2, 2)));
    }

    #[test]
    fn other_ies_are_named() {
        let bytes = [0x07, 0x24, 0x01, 0x03, 0x0A, 0x02, 0x00, 0x05];
        let u = parse(&bytes).unwrap();
        assert_eq!(
            u.ies[0].kind,
            IeKind::Other {
                name: "national language single shift"
            }
        );
        assert_eq!(u.ies[1].name(), "text formatting (EMS)");
        assert_eq!(u.ies[1].data, 6..8);
        assert_eq!(iei_name(0x85), "SME to SME specific use");
        assert_eq!(iei_name(0x30), "reserved");
    }

    #[test]
    fn structural_errors() {
        assert_eq!(parse(&[]), Err(UdhError::Empty));
        assert_eq!(
            parse(&[0x05, 0x00, 0x03]),
            Err(UdhError::LengthOverrun {
                udhl: 5,
                available: 2
            })
        );
        assert_eq!(
            parse(&[0x04, 0x00, 0x03, 0x01, 0x02, b'x']),
            Err(UdhError::IeOverrun {
                iei: 0,
                offset: 1,
                len: 3,
                available: 2
            })
        );
        // IEI as the last header octet: no length octet.
        assert_eq!(
            parse(&[0x01, 0x00, 0x03]),
            Err(UdhError::IeOverrun {
                iei: 0,
                offset: 1,
                len: 0,
                available: 0
            })
        );
        assert_eq!(parse(&[0x00]).unwrap().ies, vec![]);
    }

    #[test]
    fn semantic_issues() {
        let u = parse(&[0x05, 0x00, 0x03, 0x01, 0x00, 0x00]).unwrap();
        assert_eq!(u.issues.len(), 2);
        assert!(u.issues[0].message.contains("total is 0"));
        assert!(u.issues[1].message.contains("sequence number is 0"));
        let u = parse(&[0x05, 0x00, 0x03, 0x01, 0x02, 0x03]).unwrap();
        assert_eq!(u.issues[0].offset, 1);
        assert!(u.issues[0].message.contains("beyond the total of 2"));
        let u = parse(&[0x04, 0x00, 0x02, 0x01, 0x02]).unwrap();
        assert_eq!(
            u.ies[0].kind,
            IeKind::Other {
                name: "concatenated short messages, 8-bit reference"
            }
        );
        assert!(u.issues[0].message.contains("should have 3"));
    }

    proptest! {
        #[test]
        fn parse_never_panics(data in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(u) = parse(&data) {
                prop_assert!(u.len <= data.len());
                for ie in &u.ies {
                    prop_assert!(ie.data.end <= u.len);
                }
            }
        }

        #[test]
        fn concat_round_trip(r in any::<u16>(), t in 1u8.., s in 1u8..) {
            let u = parse(&encode_concat16(r, t, s)).unwrap();
            prop_assert_eq!(u.concat(), Some((r, t, s)));
            let u = parse(&encode_concat8(r as u8, t, s)).unwrap();
            prop_assert_eq!(u.concat(), Some((r & 0xFF, t, s)));
        }
    }
}
