//! Unit tests of the PDU finder: each shape with its exact octets and source, the splitting and
//! truncation rules, repairs, network frames, and text that holds no PDU.

use super::*;

/// enquire_link_resp, sequence 7.
const ELR: &str = "00000010800000150000000000000007";

fn items(text: &str) -> Vec<Item> {
    find_all(text)
}

fn pdus(text: &str) -> Vec<Found> {
    items(text)
        .into_iter()
        .filter_map(|i| match i {
            Item::Pdu(f) => Some(f),
            Item::Problem(_) | Item::Note(_) => None,
        })
        .collect()
}

/// The text yields exactly one PDU with these octets and this shape; returns it.
#[track_caller]
fn one(text: &str, hex: &str, shape: Shape) -> Found {
    let f = pdus(text);
    assert_eq!(f.len(), 1, "{text:?}: {f:?}");
    assert_eq!(hex::encode(&f[0].bytes), hex, "{text:?}");
    assert_eq!(f[0].source.shape, shape, "{text:?}");
    f.into_iter().next().unwrap_or_else(|| unreachable!())
}

#[track_caller]
fn none(text: &str) {
    let f = pdus(text);
    assert!(f.is_empty(), "{text:?} gave {f:?}");
}

#[test]
fn hex_in_any_spacing() {
    one(ELR, ELR, Shape::Hex);
    one(
        "00 00 00 10 80 00 00 15 00 00 00 00 00 00 00 07",
        ELR,
        Shape::Hex,
    );
    one(
        "00:00:00:10:80:00:00:15:00:00:00:00:00:00:00:07",
        ELR,
        Shape::Hex,
    );
    one(
        "00-00-00-10-80-00-00-15-00-00-00-00-00-00-00-07",
        ELR,
        Shape::Hex,
    );
    one("00000010 80000015 00000000 00000007\r\n", ELR, Shape::Hex);
    one("{0x00, 0x00, 0x00, 0x10, 0x80, 0x00, 0x00, 0x15, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07};", ELR, Shape::HexList);
    one(
        "0x00000010 0x80000015 0x00000000 0x00000007",
        ELR,
        Shape::HexList,
    );
    one(
        "\"\\x00\\x00\\x00\\x10\\x80\\x00\\x00\\x15\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x07\"",
        ELR,
        Shape::EscapedString,
    );
}

#[test]
fn python_bytes_repr_with_printable_octets() {
    // 0x3c is printed as `<` by Python's repr.
    let f = one(
        "data = b'\\x00\\x00\\x00<\\x00\\x00\\x00\\x15\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01' + pad",
        "0000003c000000150000000000000001",
        Shape::PythonBytes,
    );
    assert_eq!(f.source.line, 1);
}

#[test]
fn decimal_lists_are_decimal() {
    let dec = "[0, 0, 0, 16, 128, 0, 0, 21, 0, 0, 0, 0, 0, 0, 0, 7]";
    one(dec, ELR, Shape::DecimalList);
    one(
        "[0 0 0 16 128 0 0 21 0 0 0 0 0 0 0 7]",
        ELR,
        Shape::DecimalList,
    );
    one(
        "[0, 0, 0, 16, -128, 0, 0, 21, 0, 0, 0, 0, 0, 0, 0, 7]",
        ELR,
        Shape::JavaByteArray,
    );
    one(
        r#"{"type":"Buffer","data":[0,0,0,16,128,0,0,21,0,0,0,0,0,0,0,7]}"#,
        ELR,
        Shape::NodeBufferJson,
    );
    // Two-digit values are still decimal: 16 is 0x10, not 0x16.
    let f = pdus("[0, 0, 0, 16, 0, 0, 0, 21, 0, 0, 0, 0, 0, 0, 0, 10]");
    assert_eq!(hex::encode(&f[0].bytes), "0000001000000015000000000000000a");
}

#[test]
fn base64_bare_and_in_json() {
    one("AAAAEIAAABUAAAAAAAAABw==", ELR, Shape::Base64);
    one(
        r#"{"level":"debug","pdu":"AAAAEIAAABUAAAAAAAAABw=="}"#,
        ELR,
        Shape::JsonField,
    );
    one(
        &format!(r#"{{"level":"debug","pdu_hex": "{ELR}"}}"#),
        ELR,
        Shape::JsonField,
    );
}

#[test]
fn node_buffer_and_its_truncation() {
    one(
        "<Buffer 00 00 00 10 80 00 00 15 00 00 00 00 00 00 00 07>",
        ELR,
        Shape::NodeBuffer,
    );
    let f =
        pdus("<Buffer 00 00 00 3c 00 00 00 04 00 00 00 00 00 00 00 02 00 01 ... 42 more bytes>");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].bytes.len(), 18);
    let note = f[0].source.note.clone().unwrap_or_default();
    assert!(
        note.contains("truncated node Buffer (42 more bytes not shown)"),
        "{note}"
    );
}

#[test]
fn log_prefixes_carry_no_octets() {
    let f = one(&format!("06:24:41 {ELR}"), ELR, Shape::Hex);
    assert_eq!(f.source.line, 1);
    one(&format!("[12:00:01.123] {ELR}"), ELR, Shape::Hex);
    one(
        &format!("2026-11-30 10:00:01,123 [pool-1-thread-2] DEBUG c.c.s.SmppSessionLogger - write bytes: [{ELR}]"),
        ELR,
        Shape::CloudhopperLog,
    );
    one(
        &format!("DEBUG:smpp.Client:<<b'{ELR}' (16 bytes)"),
        ELR,
        Shape::SmpplibLog,
    );
    one(&format!("“{ELR}”"), ELR, Shape::Hex);
    one(&format!("{ELR} (16 bytes)"), ELR, Shape::Hex);
}

#[test]
fn dumps_with_offsets() {
    let xxd = "00000000: 0000 0010 8000 0015 0000 0000 0000 0007  ................\n";
    one(xxd, ELR, Shape::Xxd);
    let hexdump = "00000000  00 00 00 10 80 00 00 15  00 00 00 00 00 00 00 07  |................|\n00000010\n";
    one(hexdump, ELR, Shape::HexdumpC);
    let smppsim = "Hex dump (16) bytes:\n00000010:80000015:00000000:00000007\n";
    one(smppsim, ELR, Shape::SmppsimHexDump);
}

#[test]
fn hexdump_star_is_expanded_up_to_the_limit_only() {
    let star = "00000000  00 00 00 30 80 00 00 15  00 00 00 00 00 00 00 07  |...0............|\n\
                00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n00000030\n";
    let f = pdus(star);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].bytes.len(), 48);
    // A `*` standing for 15 MB is refused, not allocated.
    let huge = "00000000  00 00 00 10 80 00 00 15  00 00 00 00 00 00 00 07  |................|\n\
                00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n00e4e1c0\n";
    let problems: Vec<Problem> = items(huge)
        .into_iter()
        .filter_map(|i| match i {
            Item::Problem(p) => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message.contains("more than any PDU"),
        "{}",
        problems[0].message
    );
}

/// An Ethernet/IPv4/TCP frame carrying `ELR`, as tcpdump -XX prints it (127.0.0.1:2775 → :40000).
fn frame_hex() -> String {
    let mut f = hex::decode("0000000000000000000000000800").unwrap_or_default();
    let ip_len: u16 = 20 + 20 + 16;
    f.extend([
        0x45,
        0,
        (ip_len >> 8) as u8,
        ip_len as u8,
        0,
        1,
        0x40,
        0,
        64,
        6,
        0,
        0,
        127,
        0,
        0,
        1,
        127,
        0,
        0,
        1,
    ]);
    f.extend([
        0x0a, 0xd7, 0x9c, 0x40, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0x01, 0x00, 0, 0, 0, 0,
    ]);
    f.extend(hex::decode(ELR).unwrap_or_default());
    hex::encode(f)
}

#[test]
fn network_frames_are_taken_down_to_the_tcp_payload() {
    let b = hex::decode(frame_hex()).unwrap_or_default();
    let mut dump = String::from(
        "12:00:01.000000 IP 127.0.0.1.2775 > 127.0.0.1.40000: Flags [P.], length 16\n",
    );
    for (i, c) in b.chunks(16).enumerate() {
        let words: Vec<String> = c.chunks(2).map(hex::encode).collect();
        dump += &format!("\t0x{:04x}:  {}\n", i * 16, words.join(" "));
    }
    let f = one(&dump, ELR, Shape::TcpdumpX);
    assert_eq!(f.source.line, 5, "the line of the payload's first octet");
    let note = f.source.note.unwrap_or_default();
    assert!(note.contains("127.0.0.1:2775 → 127.0.0.1:40000"), "{note}");
    // The same frame as one hex stream (Wireshark "Copy as Hex Stream").
    one(&frame_hex(), ELR, Shape::Hex);
}

#[test]
fn kannel_octstr_dump_without_command_length_is_repaired() {
    let text = "2026-11-30 08:09:20 [21368] [6] DEBUG: Octet string at 0x7f5990002370:\n\
                2026-11-30 08:09:20 [21368] [6] DEBUG:   len:  12\n\
                2026-11-30 08:09:20 [21368] [6] DEBUG:   data: 80 00 00 15 00 00 00 00 00 00 00 07               ............\n\
                2026-11-30 08:09:20 [21368] [6] DEBUG: Octet string dump ends.\n";
    let f = one(text, ELR, Shape::KannelOctstrDump);
    assert!(f
        .source
        .note
        .unwrap_or_default()
        .contains("command_length was missing"));
}

#[test]
fn kannel_field_dump_is_rebuilt() {
    let text = "2026-11-30 08:09:20 [21368] [6] DEBUG: SMPP PDU 0x7f5990002110 dump:\n\
                2026-11-30 08:09:20 [21368] [6] DEBUG:   type_name: enquire_link_resp\n\
                2026-11-30 08:09:20 [21368] [6] DEBUG:   command_id: 2147483669 = 0x80000015\n\
                2026-11-30 08:09:20 [21368] [6] DEBUG:   command_status: 0 = 0x00000000\n\
                2026-11-30 08:09:20 [21368] [6] DEBUG:   sequence_number: 7 = 0x00000007\n\
                2026-11-30 08:09:20 [21368] [6] DEBUG: SMPP PDU dump ends.\n";
    let f = one(text, ELR, Shape::KannelFieldDump);
    assert_eq!(f.source.line, 1);
    assert!(f
        .source
        .note
        .unwrap_or_default()
        .contains("rebuilt from a Kannel field dump"));
}

#[test]
fn a_pdu_over_several_lines_and_several_pdus_on_one() {
    // The seed page's one-field-per-line submit_sm: one PDU starting on line 1.
    let seed = include_str!("../../tests/fixtures/seeds/004_submit_sm.txt");
    let f = pdus(seed);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].bytes.len(), 51);
    // Back to back on one line, then a partial header: one clean PDU and one truncated.
    let f = pdus("0000001080000015000000000a342eed0000001080000015000000000a342e");
    assert_eq!(
        f.iter().map(|f| f.bytes.len()).collect::<Vec<_>>(),
        [16, 15]
    );
    assert!(f[1]
        .source
        .note
        .as_deref()
        .unwrap_or("")
        .contains("truncated"));
    // Request, prose, response: both PDUs, each with its line.
    let text = format!("00000010000000150000000000000007\nThe SMSC answered:\n{ELR}\n");
    let lines: Vec<usize> = pdus(&text).iter().map(|f| f.source.line).collect();
    assert_eq!(lines, [1, 3]);
}

#[test]
fn a_body_without_its_header_is_noted() {
    let text = "08:05:49.664 [PDUReaderWorker-1] DEBUG o.j.session.PDUProcessTask - Received SMPP message PDUHeader(25, 80000004, 00000000, 3) 30 30 30 30 30 30 30 31 00";
    let notes: Vec<String> = items(text)
        .into_iter()
        .filter_map(|i| match i {
            Item::Note(n) => Some(n.message),
            _ => None,
        })
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("header is missing"), "{}", notes[0]);
}

#[test]
fn text_without_pdus_finds_none() {
    none("The quick brown fox; nothing here but 0x58 and 00000058 and deadbeef cafe.");
    none("commit 59bc3d3a1f0e9d7c6b5a493827160f5e4d3c2b1a\nAuthor: someone");
    none("8d1f2c44-5e1b-4a2e-9d3c-000000000001 00:1a:2b:3c:4d:5e 00:00:00:00:00:00");
    none(&"(\")\"".repeat(80_000));
    none("");
}

#[test]
fn a_long_line_is_read_in_pieces() {
    // 3 MB of back-to-back PDUs on one line, fed in 64 KiB chunks.
    let n = 3 * (1 << 20) / 32;
    let text = ELR.repeat(n);
    let mut finder = Finder::new();
    let mut out = Vec::new();
    let mut count = 0;
    for c in text.as_bytes().chunks(64 * 1024) {
        finder.feed(c, &mut out);
        count += out
            .drain(..)
            .filter(|i| matches!(i, Item::Pdu(f) if f.bytes.len() == 16))
            .count();
    }
    finder.finish(&mut out);
    count += out
        .drain(..)
        .filter(|i| matches!(i, Item::Pdu(f) if f.bytes.len() == 16))
        .count();
    assert_eq!(count, n);
}

#[test]
fn describe_names_what_the_text_is() {
    let mut f = Finder::new();
    let mut out = Vec::new();
    f.feed(b"[0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n", &mut out);
    f.finish(&mut out);
    assert!(
        f.describe().contains("a decimal byte list of 12 values"),
        "{}",
        f.describe()
    );
}

/// Text made of the octets header marks are written with (and their near misses), in any
/// order: the word-at-a-time search must find the same first mark as a search per candidate.
fn mark_text() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    let octets = prop::sample::select(b"00000AAAxX\\ :-,.\t1f[(\xc3\x9f".to_vec());
    prop::collection::vec(octets, 0..80)
}

proptest::proptest! {
    #[test]
    fn first_header_mark_reads_words_like_candidates(text in mark_text(), any in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
        use super::finder::{first_header_mark, first_header_mark_reference};
        proptest::prop_assert_eq!(first_header_mark(&text), first_header_mark_reference(&text));
        proptest::prop_assert_eq!(first_header_mark(&any), first_header_mark_reference(&any));
    }
}

/// Hex of a header and body: a PDU when `len` is right, a truncated or over-long one otherwise
/// (command ids of a request with a body, a response, and an empty-body command).
fn pdu_hex() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let ids = prop::sample::select(vec![0x0000_0004u32, 0x8000_0004, 0x0000_0015, 0x8000_0015]);
    (
        ids,
        0u32..3,
        prop::collection::vec(any::<u8>(), 0..40),
        -2i32..3,
    )
        .prop_map(|(id, st, body, off)| {
            let len = (16 + body.len() as i32 + off).max(0) as u32;
            let mut b = Vec::new();
            for v in [len, id, st, 7] {
                b.extend_from_slice(&v.to_be_bytes());
            }
            b.extend_from_slice(&body);
            hex::encode(b)
        })
}

/// Lines the plain-hex fast path must read like the general path, and the lines around it that
/// change what a plain-hex line means: dumps (whose lone offsets are plain hex), `*` repeats,
/// a Kannel field dump, prose, PDUs wrapped over lines or in upper case.
fn fast_path_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let fixed = prop::sample::select(vec![
        "00000000: 0000 0010 8000 0015 0000 0000 0000 0007  ................",
        "00000000  00 00 00 30 80 00 00 15  00 00 00 00 00 00 00 07  |...0............|",
        "*",
        "00000010",
        "00000030",
        "",
        "10:00:01 INFO write bytes: [0000001080000015]",
        "SMPP PDU 0x1234 dump:",
        "  type_name: enquire_link",
        "SMPP PDU dump ends.",
        "0000001C (Length)",
    ]);
    let line = prop_oneof![
        fixed.prop_map(str::to_string),
        pdu_hex(),
        pdu_hex().prop_map(|h| h.to_uppercase()),
        (pdu_hex(), 0usize..40).prop_map(|(h, cut)| {
            // Wrapped: the PDU's hex cut over two lines.
            let cut = cut.min(h.len());
            format!("{}\n{}", &h[..cut], &h[cut..])
        }),
        prop::collection::vec(any::<u8>(), 0..24).prop_map(hex::encode),
        "[0-9a-fA-F]{0,9}",
        (pdu_hex(), "[ g:\\r]").prop_map(|(h, c)| format!("{h}{c}")),
    ];
    prop::collection::vec(line, 0..14).prop_map(|v| v.join("\n"))
}

proptest::proptest! {
    /// A line that is all hex digits is read by the fast path exactly as `LineScan::scan` reads
    /// it; any other line is refused.
    #[test]
    fn plain_hex_lines_scan_like_the_general_scan(line in "[0-9a-fA-F]{0,70}[ g:x(]?[0-9a-f]{0,4}") {
        let b = line.as_bytes();
        let plain = b.len() % 2 == 0 && !b.is_empty() && b.iter().all(u8::is_ascii_hexdigit);
        let mut fast = line::LineScan::default();
        proptest::prop_assert_eq!(fast.plain_hex(b), plain);
        if plain {
            let mut general = line::LineScan::default();
            general.scan(b, 0);
            proptest::prop_assert_eq!(&fast.bytes, &general.bytes);
            proptest::prop_assert_eq!(&fast.bounds, &general.bounds);
            proptest::prop_assert_eq!(format!("{:?}", fast.runs), format!("{:?}", general.runs));
        }
    }

    /// The finder with its plain-hex fast path finds the same items, and describes the text the
    /// same way, as the finder that reads every line on the general path.
    #[test]
    fn the_plain_hex_fast_path_finds_what_the_general_path_finds(text in fast_path_text()) {
        let read = |mut f: Finder| {
            let mut out = Vec::new();
            f.feed(text.as_bytes(), &mut out);
            f.finish(&mut out);
            (out, f.describe())
        };
        proptest::prop_assert_eq!(read(Finder::new()), read(Finder::general_only()), "{:?}", text);
    }
}
