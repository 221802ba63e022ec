//! Property tests of the paste finder (`smppdiag::input`): any PDU, written in any supported
//! shape inside random log prose, is found exactly once with the same bytes (so the same decode)
//! as the clean PDU; text without a PDU yields nothing. The shapes are written the way the tools
//! print them (the format strings are named at each writer); the real samples are in
//! tests/fixtures/pastes.

use base64::Engine;
use proptest::prelude::*;

use smppdiag::codec::Pdu;
use smppdiag::input::{find_all, Found, Item, Shape};

use crate::codec_props;

/// Any PDU of the codec's generator, with a command_status in the SMPP ranges (a status above
/// 0x4FF is defined nowhere, so the finder does not take such a header for a PDU start).
fn any_pdu() -> impl Strategy<Value = Pdu> {
    codec_props::any_pdu().prop_map(|mut p| {
        if p.command_status > smppdiag::input::pdu::MAX_PLAUSIBLE_STATUS {
            p.command_status &= 0xFF;
        }
        p
    })
}

fn found(text: &str) -> Vec<Found> {
    find_all(text)
        .into_iter()
        .filter_map(|i| match i {
            Item::Pdu(f) => Some(f),
            _ => None,
        })
        .collect()
}

fn spaced(b: &[u8], sep: &str) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(sep)
}

/// xxd (16 octets per line, groups of 2, ASCII column).
fn xxd(b: &[u8]) -> String {
    let mut s = String::new();
    for (i, c) in b.chunks(16).enumerate() {
        let groups: Vec<String> = c.chunks(2).map(hex::encode).collect();
        let ascii: String = c
            .iter()
            .map(|&x| {
                if (0x20..0x7f).contains(&x) {
                    x as char
                } else {
                    '.'
                }
            })
            .collect();
        s += &format!("{:08x}: {:<39}  {ascii}\n", i * 16, groups.join(" "));
    }
    s
}

/// hexdump -C (two halves of 8, `|ascii|`), without `*` folding.
fn hexdump_c(b: &[u8]) -> String {
    let mut s = String::new();
    for (i, c) in b.chunks(16).enumerate() {
        let h1 = spaced(&c[..c.len().min(8)], " ");
        let h2 = if c.len() > 8 {
            spaced(&c[8..], " ")
        } else {
            String::new()
        };
        let ascii: String = c
            .iter()
            .map(|&x| {
                if (0x20..0x7f).contains(&x) {
                    x as char
                } else {
                    '.'
                }
            })
            .collect();
        s += &format!("{:08x}  {:<23}  {:<23}  |{ascii}|\n", i * 16, h1, h2);
    }
    s += &format!("{:08x}\n", b.len());
    s
}

/// SMPPSim LoggingUtilities.hexDump: uppercase, `:` after every 4 octets, 16 per line.
fn smppsim(b: &[u8]) -> String {
    let mut s = format!("Hex dump ({}) bytes:\n", b.len());
    for c in b.chunks(16) {
        let words: Vec<String> = c.chunks(4).map(hex::encode_upper).collect();
        s += &words.join(":");
        s += "\n";
    }
    s
}

/// One of the shapes, with the shape the finder must report (None: several are right).
fn render(b: &[u8], shape: usize, prefix: &str) -> (String, Option<Shape>) {
    let h = hex::encode(b);
    match shape {
        0 => (format!("{prefix} pdu={h}\n"), Some(Shape::Hex)),
        1 => (
            format!("{prefix} write bytes: [{h}]\n"),
            Some(Shape::CloudhopperLog),
        ),
        2 => (
            format!("{prefix} Sending SMPP message {}\n", spaced(b, " ")),
            Some(Shape::JsmppLog),
        ),
        3 => (
            format!("{prefix} >>b'{h}' ({} bytes)\n", b.len()),
            Some(Shape::SmpplibLog),
        ),
        4 => (
            format!("{prefix} Sending data [b'{h}']\n"),
            Some(Shape::JasminLog),
        ),
        5 => (
            format!("{prefix} bytes {}\n", spaced(b, ":")),
            Some(Shape::Hex),
        ),
        6 => (
            format!(
                "{prefix} byte[] pdu = {{{}}};\n",
                b.iter()
                    .map(|x| format!("0x{x:02X}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(Shape::HexList),
        ),
        7 => (
            format!(
                "{prefix} \"{}\"\n",
                b.iter().map(|x| format!("\\x{x:02x}")).collect::<String>()
            ),
            Some(Shape::EscapedString),
        ),
        8 => (
            format!(
                "{prefix} {:?}\n",
                b.iter().map(|&x| x as i8).collect::<Vec<_>>()
            ),
            None, // java-byte-array when a value is negative, else decimal-list
        ),
        9 => (format!("{prefix} data={:?}\n", b), Some(Shape::DecimalList)),
        10 => (
            format!(
                "{{\"ts\":\"{prefix}\",\"pdu\":\"{}\"}}\n",
                base64::engine::general_purpose::STANDARD.encode(b)
            ),
            Some(Shape::JsonField),
        ),
        11 => (format!("{prefix}\n{}", xxd(b)), Some(Shape::Xxd)),
        12 => (format!("{prefix}\n{}", hexdump_c(b)), Some(Shape::HexdumpC)),
        13 => (
            format!("{prefix} : Standard PDU:\n{}", smppsim(b)),
            Some(Shape::SmppsimHexDump),
        ),
        14 => (
            format!("{prefix} {{\"type\":\"Buffer\",\"data\":{:?}}}\n", b)
                .replace(' ', "")
                .replacen("{", " {", 1),
            Some(Shape::NodeBufferJson),
        ),
        _ => (
            format!("{prefix} <Buffer {}>\n", spaced(b, " ")),
            Some(Shape::NodeBuffer),
        ),
    }
}

const SHAPES: usize = 16;

/// Log prose: timestamps, levels, thread and logger names, ids and numbers, but no PDU.
fn prose() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "2026-11-30 10:00:01,123",
        "12:00:01.123",
        "[12:00:01.123]",
        "INFO",
        "DEBUG",
        "WARN",
        "[pool-1-thread-2]",
        "c.c.s.impl.DefaultSmppSession",
        "-",
        "message",
        "id",
        "8d1f2c44",
        "deadbeef",
        "cafe",
        "00:1a:2b:3c:4d:5e",
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "(42)",
        "window",
        "10/10",
        "0x58",
        "[1234]",
        "rate",
        "96.4",
        "msg/s",
        "ORD-2024-000403",
        "\"quoted\"",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        "0",
        "00",
        "000",
        "0000",
        "AAAA",
        "ab cd ef",
    ]);
    prop::collection::vec(words, 0..12).prop_map(|w| w.join(" "))
}

fn cfg() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(cfg())]

    /// Any PDU, in any shape, between prose lines: found once, same octets, the expected shape.
    #[test]
    fn any_pdu_in_any_shape_is_found_once(
        p in any_pdu(), shape in 0..SHAPES, before in prose(), prefix in prose(), after in prose(),
    ) {
        let Ok(bytes) = p.encode() else { return Ok(()) };
        // node prints at most 50 octets (a longer Buffer is a truncated PDU, tested apart).
        let shape = if shape == SHAPES - 1 && bytes.len() > 50 { 0 } else { shape };
        let (pdu_text, want_shape) = render(&bytes, shape, &prefix);
        let text = format!("{before}\n{pdu_text}{after}\n");
        let f = found(&text);
        prop_assert_eq!(f.len(), 1, "shape {}: {}", shape, text);
        prop_assert_eq!(&f[0].bytes, &bytes, "{}", text);
        if let Some(s) = want_shape {
            prop_assert_eq!(f[0].source.shape, s, "{}", text);
        }
    }

    /// Several PDUs with prose between them: each found once, in order.
    #[test]
    fn pdus_with_prose_between(ps in prop::collection::vec((any_pdu(), 0..SHAPES - 1), 1..5), gap in prose()) {
        let mut text = String::new();
        let mut want = Vec::new();
        for (p, shape) in &ps {
            let Ok(bytes) = p.encode() else { return Ok(()) };
            text += &render(&bytes, *shape, "").0;
            text += &gap;
            text += "\n";
            want.push(bytes);
        }
        let got: Vec<Vec<u8>> = found(&text).into_iter().map(|f| f.bytes).collect();
        prop_assert_eq!(got, want, "{}", text);
    }

    /// Prose, ids, hashes, MAC addresses and numbers hold no PDU.
    #[test]
    fn prose_has_no_pdu(lines in prop::collection::vec(prose(), 0..20)) {
        let text = lines.join("\n");
        prop_assert!(found(&text).is_empty(), "{}", text);
    }

    /// Random hex (like hashes or random dumps) almost never holds a plausible header; when the
    /// finder reports one, its octets are really in the text at a token start.
    #[test]
    fn random_hex_finds_only_real_headers(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let text = hex::encode(&bytes);
        for f in found(&text) {
            prop_assert!(text.contains(&hex::encode(&f.bytes[..16.min(f.bytes.len())])));
        }
    }

    /// The finder never panics, whatever the text, fed in any chunking.
    #[test]
    fn never_panics(text in "\\PC{0,300}", cut in 0usize..300) {
        let mut finder = smppdiag::input::Finder::new();
        let mut out = Vec::new();
        let b = text.as_bytes();
        let k = cut.min(b.len());
        finder.feed(&b[..k], &mut out);
        finder.feed(&b[k..], &mut out);
        finder.finish(&mut out);
    }

    /// Feeding the text in chunks of any size gives the same PDUs as feeding it whole.
    #[test]
    fn chunking_does_not_matter(p in any_pdu(), shape in 0..SHAPES - 1, chunk in 1usize..64) {
        let Ok(bytes) = p.encode() else { return Ok(()) };
        let text = render(&bytes, shape, "10:00:01 INFO").0;
        let mut finder = smppdiag::input::Finder::new();
        let mut out = Vec::new();
        for c in text.as_bytes().chunks(chunk) {
            finder.feed(c, &mut out);
        }
        finder.finish(&mut out);
        let got: Vec<Vec<u8>> = out.into_iter().filter_map(|i| match i { Item::Pdu(f) => Some(f.bytes), _ => None }).collect();
        prop_assert_eq!(got, vec![bytes], "shape {}: {}", shape, text);
    }
}

/// The example: a complete enquire_link_resp, then a partial header: one clean PDU and
/// one truncated one.
#[test]
fn partial_header_after_a_pdu_is_a_truncated_next_pdu() {
    let f = found("0000001080000015000000000a342eed0000001080000015000000000a342e");
    assert_eq!(f.len(), 2);
    assert_eq!(f[0].bytes.len(), 16);
    assert!(!smppdiag::codec::decode(&f[0].bytes).is_malformed());
    assert_eq!(f[1].bytes.len(), 15);
    assert!(f[1]
        .source
        .note
        .as_deref()
        .unwrap_or("")
        .contains("truncated"));
}

/// A decimal list whose values all have two digits is still decimal.
#[test]
fn two_digit_decimal_list_is_decimal() {
    let pdu = Pdu::new(0x15, 16).encode().unwrap();
    let list: Vec<String> = pdu.iter().map(u8::to_string).collect();
    let f = found(&format!("[{}]", list.join(", ")));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].bytes, pdu);
    assert_eq!(f[0].source.shape, Shape::DecimalList);
}

/// A text of prose lines and PDUs in any shape (some lines ending in `\r\n`), for comparing ways
/// of feeding the finder.
fn mixed_text() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        prose().prop_map(|p| format!("{p}\n")),
        prose().prop_map(|p| format!("{p}\r\n")),
        (any_pdu(), 0..SHAPES, prose()).prop_map(|(p, shape, prefix)| {
            let bytes = p.encode().unwrap_or_default();
            let shape = if shape == SHAPES - 1 && bytes.len() > 50 {
                0
            } else {
                shape
            };
            render(&bytes, shape, &prefix).0
        }),
    ];
    prop::collection::vec(part, 0..12).prop_map(|v| v.concat())
}

fn items_of_find_all(text: &str) -> Vec<Item> {
    find_all(text)
}

/// A reader that hands out its text in pieces of the given sizes (as a pipe does).
struct Pieces<'a> {
    text: &'a [u8],
    sizes: Vec<usize>,
    k: usize,
}

impl std::io::Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = self
            .sizes
            .get(self.k % self.sizes.len().max(1))
            .copied()
            .unwrap_or(7)
            .max(1);
        self.k += 1;
        let n = want.min(buf.len()).min(self.text.len());
        buf[..n].copy_from_slice(&self.text[..n]);
        self.text = &self.text[n..];
        Ok(n)
    }
}

fn items_read_on_a_thread(text: &[u8], sizes: Vec<usize>) -> Vec<Item> {
    items_read_on_a_thread_by(text, sizes, false)
}

/// `recycled`: the items are copied out and left for the finder to take back, so that the
/// buffers of PDUs already read hold the next ones.
fn items_read_on_a_thread_by(text: &[u8], sizes: Vec<usize>, recycled: bool) -> Vec<Item> {
    let mut finder = smppdiag::input::Finder::new();
    let mut all = Vec::new();
    let r = finder.feed_from(Pieces { text, sizes, k: 0 }, |items| {
        if recycled {
            all.extend(items.iter().cloned());
        } else {
            all.append(items);
        }
        Ok::<(), ()>(())
    });
    assert!(r.is_ok());
    finder.finish(&mut all);
    all
}

proptest! {
    #![proptest_config(cfg())]

    /// Lines cut and header-marked in advance (on the reading thread) give exactly the items
    /// of the plain finder: same PDUs, same lines, same problems and notes, cut anywhere.
    #[test]
    fn marked_chunks_read_like_plain_text(text in mixed_text(), cuts in prop::collection::vec(0usize..400, 0..6)) {
        let want = items_of_find_all(&text);
        let b = text.as_bytes();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(b.len())).collect();
        cuts.push(b.len());
        cuts.sort_unstable();
        let mut finder = smppdiag::input::Finder::new();
        let mut got = Vec::new();
        let mut at = 0;
        for c in cuts {
            let chunk = smppdiag::input::MarkedChunk::new(b[at..c].to_vec());
            finder.feed_marked(&chunk, &mut got);
            at = c;
        }
        finder.finish(&mut got);
        prop_assert_eq!(got, want, "{:?}", text);
    }

    /// Reading on a second thread, whatever sizes the reads return, gives the same items.
    #[test]
    fn reading_on_a_second_thread_finds_the_same(text in mixed_text(), sizes in prop::collection::vec(1usize..300, 1..5)) {
        let want = items_of_find_all(&text);
        prop_assert_eq!(items_read_on_a_thread(text.as_bytes(), sizes.clone()), want.clone(), "{:?}", text);
        prop_assert_eq!(items_read_on_a_thread_by(text.as_bytes(), sizes, true), want, "recycled: {:?}", text);
    }
}

/// A line longer than a read chunk and than the finder's window is read in pieces by the finder
/// the same way whether it is read on a second thread or fed directly.
#[test]
fn a_line_longer_than_a_chunk_reads_the_same_on_a_thread() {
    let pdu = Pdu::new(0x15, 7).encode().unwrap();
    let mut text = String::from("10:00:01 INFO start\n");
    for _ in 0..(2 * smppdiag::input::LINE_WINDOW / 30) {
        text += &hex::encode(&pdu);
        text += " ab ";
    }
    text += "\nwrite bytes: [";
    text += &hex::encode(&pdu);
    text += "]\n";
    let want = items_of_find_all(&text);
    assert!(want.len() > 1000);
    assert_eq!(
        items_read_on_a_thread(text.as_bytes(), vec![65536, 4096, 100_000]),
        want
    );
}
