//! Unit tests of the hex input parser: every accepted shape with its exact bytes, the record
//! splitting rule, every error with its position, and property tests.

use super::{parse, plausible_header, InputError, Record};
use proptest::prelude::*;

/// bind_transmitter of seed page 000 (system_id "test", empty password, as the page writes it).
const BIND: &[u8] = &[
    0x00, 0x00, 0x00, 0x1C, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
];
/// unbind of seed page 000.
const UNBIND: &[u8] = &[
    0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
];
/// submit_sm of seed page 004 (51 bytes; it declares 0x2F = 47).
const SUBMIT: &[u8] = &[
    0x00, 0x00, 0x00, 0x2F, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x01, 0x31, 0x32, 0x33, 0x34, 0x00, 0x01, 0x01, 0x39, 0x38, 0x37, 0x36, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x48, 0x65,
    0x6C, 0x6C, 0x6F,
];
/// submit_sm_resp with ESME_RTHROTTLED of seed page 004.
const RESP: &[u8] = &[
    0x00, 0x00, 0x00, 0x10, 0x80, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x58, 0x00, 0x00, 0x00, 0x01,
];

/// The input must give exactly one record with these bytes.
#[track_caller]
fn one(text: &str, bytes: &[u8]) {
    let records = parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    assert_eq!(
        records,
        vec![Record {
            line: records.first().map_or(1, |r| r.line),
            bytes: bytes.to_vec()
        }],
        "input {text:?}"
    );
}

#[track_caller]
fn err(text: &str) -> InputError {
    match parse(text) {
        Ok(r) => panic!("{text:?} parsed as {r:?}"),
        Err(e) => e,
    }
}

fn rec(line: usize, bytes: &[u8]) -> Record {
    Record {
        line,
        bytes: bytes.to_vec(),
    }
}

// ---- free-text shapes ----

#[test]
fn plain_hex_any_case() {
    one(
        "0000001000000006000000000000000200",
        &[UNBIND, &[0]].concat(),
    );
    one(
        "0000001c000000020000000000000001746573740000000000 00",
        BIND,
    );
    one(
        "0000001C000000020000000000000001746573740000000000\t00\r\n",
        BIND,
    );
}

#[test]
fn separators() {
    let want = [0x00, 0x1C, 0xAB, 0xFF];
    for text in [
        "00 1c ab ff",
        "00\t1c\tab\tff",
        "00:1c:ab:ff",
        "00,1c,ab,ff",
        "00, 1c, ab, ff",
        "00-1c-ab-ff",
        "00;1c;ab;ff",
        "001c\nabff",
        "  001C ABFF  ",
        "00\u{a0}1c\u{200b}abff",
        "\u{feff}001cabff",
    ] {
        one(text, &want);
    }
}

#[test]
fn prefixes_and_escapes() {
    let want = [0x00, 0x00, 0x00, 0x1C, 0x00, 0x00, 0x00, 0x02];
    for text in [
        "0x0000001C 0x00000002",
        "0x0000001c,0x00000002",
        "0X00 0X00 0X00 0X1C 0x00 0x00 0x00 0x02",
        "0x00,0x00,0x00,0x1c,0x00,0x00,0x00,0x02",
        "0x0 0x0 0x0 0x1c 0x0 0x0 0x0 0x2",
        "\\x00\\x00\\x00\\x1c\\x00\\x00\\x00\\x02",
        "\"\\x00\\x00\\x00\\x1c\" \"\\x00\\x00\\x00\\x02\"",
        "b'\\x00\\x00\\x00\\x1c\\x00\\x00\\x00\\x02'",
        "data = b\"\\x00\\x00\\x00\\x1c\\x00\\x00\\x00\\x02\"",
        "{0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x02}",
        "[0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x02]",
        "static const uint8_t pdu[] = {0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x02};",
        "const pdu = Buffer.from([0x00, 0x00, 0x00, 0x1c,\n  0x00, 0x00, 0x00, 0x02]);",
        "\"0000001c00000002\"",
        "'0000001c' '00000002'",
    ] {
        one(text, &want);
    }
}

#[test]
fn comments_and_annotations() {
    one(
        "00000010 # length\n00000006 // unbind\n00000000 (status) 00000002 (seq: 0x1234 \"a)b\" (nested 00))",
        UNBIND,
    );
    // A comment-only or annotation-only line splits nothing.
    one(
        "00000010 00000006\n# just a note\n(annotation 0xff)\n00000000 00000002",
        UNBIND,
    );
    // Annotation glued to the hex, hex-looking words and an odd quote inside.
    one(
        "0000001C(Length)00000002 (Command ID 0xdeadbeef \"x)",
        &[0, 0, 0, 0x1c, 0, 0, 0, 2],
    );
}

// ---- the seed pages, verbatim ----

#[test]
fn seed_000_bind_line() {
    let text = "0000001C (Length) 00000002 (Command ID for bind_transmitter) 00000000 (Command Status) 00000001 (Sequence Number) 74657374 000000 (System ID: \"test\") 000000 (Password)";
    one(text, BIND);
    let unbind = "00000010 (Length) 00000006 (Command ID for unbind) 00000000 (Command Status) 00000002 (Sequence Number)";
    one(unbind, UNBIND);
    // Both lines pasted together: one PDU per line, so two records.
    assert_eq!(
        parse(&format!("{text}\n{unbind}\n")).unwrap(),
        vec![rec(1, BIND), rec(2, UNBIND)]
    );
}

const SEED_004_SUBMIT: &str = include_str!("../../tests/fixtures/seeds/004_submit_sm.txt");

const SEED_004_RESP: &str = "00000010 (Length)
80000004 (Command ID for submit_sm_resp)
00000058 (Command Status - ESME_RTHROTTLED)
00000001 (Sequence Number)
";

#[test]
fn seed_004_multi_line() {
    one(SEED_004_SUBMIT, SUBMIT);
    one(SEED_004_RESP, RESP);
    // Two blocks, each starting with a plausible header: two records.
    let both = format!("{SEED_004_SUBMIT}\n{SEED_004_RESP}");
    assert_eq!(parse(&both).unwrap(), vec![rec(1, SUBMIT), rec(22, RESP)]);
    // Without the blank line: one record (the decoder splits by command_length).
    let joined = format!("{SEED_004_SUBMIT}{SEED_004_RESP}");
    assert_eq!(
        parse(&joined).unwrap(),
        vec![rec(1, &[SUBMIT, RESP].concat())]
    );
}

// ---- dumps (pasted from the real tools) ----

#[test]
fn xxd() {
    // xxd s.bin
    let text = "00000000: 0000 002f 0000 0004 0000 0000 0000 0001  .../............
00000010: 0001 0131 3233 3400 0101 3938 3736 0000  ...1234...9876..
00000020: 0000 0000 0000 0000 0000 0000 0005 4865  ..............He
00000030: 6c6c 6f                                  llo
";
    one(text, SUBMIT);
    // xxd -g1 s.bin
    let text = "00000000: 00 00 00 2f 00 00 00 04 00 00 00 00 00 00 00 01  .../............
00000010: 00 01 01 31 32 33 34 00 01 01 39 38 37 36 00 00  ...1234...9876..
00000020: 00 00 00 00 00 00 00 00 00 00 00 00 00 05 48 65  ..............He
00000030: 6c 6c 6f                                         llo
";
    one(text, SUBMIT);
    // ASCII column that looks like hex words, and no ASCII column at all.
    one("00000000: 6162 6364  abcd\n", b"abcd");
    one("00000000: 3030 2031  00 1\n", b"00 1");
    one(
        "00000000: 0000 0010 0000 0006\n00000008: 0000 0000 0000 0002\n",
        UNBIND,
    );
}

#[test]
fn hexdump_c() {
    // hexdump -C s.bin
    let text = "00000000  00 00 00 2f 00 00 00 04  00 00 00 00 00 00 00 01  |.../............|
00000010  00 01 01 31 32 33 34 00  01 01 39 38 37 36 00 00  |...1234...9876..|
00000020  00 00 00 00 00 00 00 00  00 00 00 00 00 05 48 65  |..............He|
00000030  6c 6c 6f                                          |llo|
00000033
";
    one(text, SUBMIT);
    // The bind of seed 000, hexdump -C; and without the ASCII column (middle gap kept).
    let text = "00000000  00 00 00 1c 00 00 00 02  00 00 00 00 00 00 00 01  |................|
00000010  74 65 73 74 00 00 00 00  00 00                    |test......|
0000001a
";
    one(text, BIND);
    let text = "00000000  00 00 00 1c 00 00 00 02  00 00 00 00 00 00 00 01
00000010  74 65 73 74 00 00 00 00  00 00
";
    one(text, BIND);
    // ASCII column holding pipes.
    one(
        "00000000  7c 61 7c                                          ||a||\n",
        b"|a|",
    );
}

#[test]
fn repeat_lines() {
    let want: Vec<u8> = [vec![0u8; 48], b"ABCD".to_vec()].concat();
    // (head -c 48 /dev/zero; printf ABCD) | hexdump -C
    let text = "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00000030  41 42 43 44                                       |ABCD|
00000034
";
    one(text, &want);
    // ... | xxd -a
    let text = "00000000: 0000 0000 0000 0000 0000 0000 0000 0000  ................
*
00000030: 4142 4344                                ABCD
";
    one(text, &want);
    // A repeat up to the final offset line.
    let text = "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00000030
";
    one(text, &[0u8; 48]);
}

/// `tshark -r t.pcap -x` of a frame carrying the seed bind (its ASCII column holds a `|`).
const TSHARK: &str = "0000  20 52 45 43 56 00 20 53 45 4e 44 00 08 00 45 00    RECV. SEND...E.
0010  00 42 12 34 00 00 ff 06 92 7c 0a 01 01 01 0a 02   .B.4.....|......
0020  02 02 03 e8 0a d7 00 00 00 00 00 00 00 00 50 00   ..............P.
0030  20 00 82 0d 00 00 00 00 00 1c 00 00 00 02 00 00    ...............
0040  00 00 00 00 00 01 74 65 73 74 00 00 00 00 00 00   ......test......
";

fn tshark_frame() -> Vec<u8> {
    let headers: &[u8] = &[
        0x20, 0x52, 0x45, 0x43, 0x56, 0x00, 0x20, 0x53, 0x45, 0x4e, 0x44, 0x00, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x42, 0x12, 0x34, 0x00, 0x00, 0xff, 0x06, 0x92, 0x7c, 0x0a, 0x01, 0x01, 0x01,
        0x0a, 0x02, 0x02, 0x02, 0x03, 0xe8, 0x0a, 0xd7, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x50, 0x00, 0x20, 0x00, 0x82, 0x0d, 0x00, 0x00,
    ];
    [headers, BIND].concat()
}

#[test]
fn tshark_and_wireshark() {
    one(TSHARK, &tshark_frame());
    // Wireshark "Copy as Hex Dump": three spaces after the offset, a short last line.
    let text = "0000   00 00 00 10 80 00 00 04 00 00 00 58 00 00 00 01   ...........X....\n";
    one(text, RESP);
    let text = "0000   00 00 00 10 80 00 00 04 00 00 00 58   ...........X\n0000   00 00 00 10\n";
    // An offset back at 0 starts a new dump: two records.
    assert_eq!(
        parse(text).unwrap(),
        vec![rec(1, &RESP[..12]), rec(2, &RESP[..4])]
    );
    // Several data sources, as tshark prints them.
    let text = format!("Frame (80 bytes):\n{TSHARK}\nReassembled TCP (16 bytes):\n0000  00 00 00 10 00 00 00 06 00 00 00 00 00 00 00 02   ................\n");
    assert_eq!(
        parse(&text).unwrap(),
        vec![rec(2, &tshark_frame()), rec(9, UNBIND)]
    );
}

// ---- record splitting ----

#[test]
fn one_pdu_per_line() {
    let text = "00000010000000060000000000000002\n\n0000001c000000020000000000000001746573740000000000 00\n# resp\n00000010800000040000005800000001\n";
    assert_eq!(
        parse(text).unwrap(),
        vec![rec(1, UNBIND), rec(3, BIND), rec(5, RESP)]
    );
    // A malformed PDU (declared 0x2F, 51 bytes present) still gets its own line.
    let text = format!("{}\n{}\n", hex::encode(SUBMIT), hex::encode(RESP));
    assert_eq!(parse(&text).unwrap(), vec![rec(1, SUBMIT), rec(2, RESP)]);
}

#[test]
fn wrapped_pdu_is_one_record() {
    let h = hex::encode(SUBMIT);
    let wrapped: Vec<&str> = h
        .as_bytes()
        .chunks(32)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    one(&wrapped.join("\n"), SUBMIT);
    // A line shorter than a header keeps the whole input together.
    let text = format!("{}\n00000010\n", hex::encode(BIND));
    one(&text, &[BIND, &[0, 0, 0, 0x10]].concat());
    // Blocks where one does not start with a header are joined.
    let text = format!("{}\n\n{}\n", &h[..40], &h[40..]);
    one(&text, SUBMIT);
}

#[test]
fn plausible_headers() {
    assert!(plausible_header(UNBIND));
    assert!(plausible_header(RESP));
    assert!(plausible_header(&[
        0, 0, 0, 0x10, 0, 1, 0x02, 0xff, 0, 0, 0xff, 0xff, 0, 0, 0, 0
    ]));
    assert!(!plausible_header(&UNBIND[..15]));
    assert!(!plausible_header(&[
        0, 0, 0, 0x0f, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 2
    ]));
    assert!(!plausible_header(&[
        0, 0x10, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 2
    ]));
    assert!(!plausible_header(&[
        0, 0, 0, 0x10, 0, 1, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 2
    ]));
    assert!(!plausible_header(&[
        0, 0, 0, 0x10, 0, 0, 0, 6, 0, 1, 0, 0, 0, 0, 0, 2
    ]));
}

// ---- errors, with their positions ----

#[test]
fn empty_inputs() {
    for text in [
        "",
        "   \n\t\n",
        "# nothing\n// here",
        "(only an annotation)",
    ] {
        assert_eq!(err(text), InputError::Empty, "{text:?}");
    }
}

#[test]
fn not_hex_positions() {
    assert_eq!(
        err("00 1c\n00 1g"),
        InputError::NotHex {
            line: 2,
            column: 5,
            found: 'g'
        }
    );
    // Columns count characters, not bytes (é is two bytes in UTF-8).
    assert_eq!(
        err("00 (é) zz"),
        InputError::NotHex {
            line: 1,
            column: 8,
            found: 'z'
        }
    );
    assert_eq!(
        err("0x"),
        InputError::NotHex {
            line: 1,
            column: 2,
            found: 'x'
        }
    );
    assert_eq!(
        err("00 ) 01"),
        InputError::NotHex {
            line: 1,
            column: 4,
            found: ')'
        }
    );
    assert_eq!(
        err("\\n00"),
        InputError::NotHex {
            line: 1,
            column: 1,
            found: '\\'
        }
    );
    assert_eq!(
        err("00 / 01"),
        InputError::NotHex {
            line: 1,
            column: 4,
            found: '/'
        }
    );
    assert_eq!(
        err("00 ü"),
        InputError::NotHex {
            line: 1,
            column: 4,
            found: 'ü'
        }
    );
    // An xxd line whose hex area is broken.
    assert_eq!(
        err("00000000: 0000 00zz 0000  ......"),
        InputError::NotHex {
            line: 1,
            column: 18,
            found: 'z'
        }
    );
}

#[test]
fn odd_digits_positions() {
    assert_eq!(
        err("0000001C 0000002\n"),
        InputError::OddDigits {
            line: 1,
            column: 10,
            digits: 7
        }
    );
    assert_eq!(
        err("00 1c\n  0x123"),
        InputError::OddDigits {
            line: 2,
            column: 3,
            digits: 3
        }
    );
    assert_eq!(
        err("00000000: 000 0010  ...."),
        InputError::OddDigits {
            line: 1,
            column: 11,
            digits: 3
        }
    );
}

#[test]
fn dash_only_between_bytes() {
    let bad = |line, column| InputError::BadSeparator {
        line,
        column,
        found: '-',
    };
    assert_eq!(err("00 - 1c"), bad(1, 4));
    assert_eq!(err("0000-001c"), bad(1, 5));
    assert_eq!(err("00-001c"), bad(1, 3));
    assert_eq!(err("00--1c"), bad(1, 3));
    assert_eq!(err("00-"), bad(1, 3));
    assert_eq!(err("-00"), bad(1, 1));
}

#[test]
fn unclosed_annotation() {
    assert_eq!(
        err("00000010 (Length\n00000006"),
        InputError::UnclosedAnnotation {
            line: 1,
            column: 10
        }
    );
}

#[test]
fn dump_errors() {
    // A missing line in the middle of a dump.
    let text = "00000000: 0000 002f 0000 0004 0000 0000 0000 0001  .../............
00000020: 0000 0000 0000 0000 0000 0000 0000 0005  ................
";
    assert_eq!(
        err(text),
        InputError::OffsetMismatch {
            line: 2,
            column: 1,
            expected: 0x10,
            found: 0x20
        }
    );
    // A `*` with nothing telling how often to repeat.
    let text =
        "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n *\n";
    assert_eq!(
        err(text),
        InputError::UnresolvedRepeat { line: 2, column: 2 }
    );
    let text = "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n00000038  00  |.|\n";
    assert_eq!(
        err(text),
        InputError::UnresolvedRepeat { line: 2, column: 1 }
    );
    // `od -An` squeezes repeats without offsets.
    let text = " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n*\n 01\n";
    assert_eq!(
        err(text),
        InputError::UnresolvedRepeat { line: 2, column: 1 }
    );
    // hexdump without -C.
    let text = "0000000 0000 1c00 0000 0200 0000 0000 0000 0100\n";
    assert!(matches!(
        err(text),
        InputError::Unsupported {
            line: 1,
            column: 1,
            ..
        }
    ));
}

#[test]
fn error_messages_and_positions() {
    let e = err("00 1g");
    assert_eq!(e.to_string(), "line 1, column 5: 'g' is not a hex digit");
    assert_eq!(e.position(), Some((1, 5)));
    assert_eq!(InputError::Empty.position(), None);
}

// ---- properties ----

/// Formats like the real tools (checked against them in the tests above).
fn fmt_xxd(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (n, chunk) in bytes.chunks(16).enumerate() {
        let mut hex = String::new();
        for (i, b) in chunk.iter().enumerate() {
            if i > 0 && i % 2 == 0 {
                hex.push(' ');
            }
            hex.push_str(&format!("{b:02x}"));
        }
        out.push_str(&format!("{:08x}: {hex:<40} {}\n", n * 16, ascii(chunk)));
    }
    out
}

fn fmt_hexdump_c(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut prev: Option<&[u8]> = None;
    let mut starred = false;
    for (n, chunk) in bytes.chunks(16).enumerate() {
        if chunk.len() == 16 && prev == Some(chunk) {
            if !starred {
                out.push_str("*\n");
                starred = true;
            }
            continue;
        }
        starred = false;
        prev = Some(chunk);
        let mut hex = String::new();
        for (i, b) in chunk.iter().enumerate() {
            if i == 8 {
                hex.push(' ');
            }
            hex.push_str(&format!("{b:02x} "));
        }
        out.push_str(&format!("{:08x}  {hex:<49} |{}|\n", n * 16, ascii(chunk)));
    }
    out.push_str(&format!("{:08x}\n", bytes.len()));
    out
}

fn ascii(chunk: &[u8]) -> String {
    chunk
        .iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '.'
            }
        })
        .collect()
}

#[test]
fn formatters_match_the_tools() {
    assert_eq!(
        fmt_xxd(SUBMIT),
        "00000000: 0000 002f 0000 0004 0000 0000 0000 0001  .../............
00000010: 0001 0131 3233 3400 0101 3938 3736 0000  ...1234...9876..
00000020: 0000 0000 0000 0000 0000 0000 0005 4865  ..............He
00000030: 6c6c 6f                                  llo
"
    );
    assert_eq!(
        fmt_hexdump_c(&[vec![0u8; 48], b"ABCD".to_vec()].concat()),
        "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00000030  41 42 43 44                                       |ABCD|
00000034
"
    );
}

fn concat(records: &[Record]) -> Vec<u8> {
    records
        .iter()
        .flat_map(|r| r.bytes.iter().copied())
        .collect()
}

fn bytes_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop_oneof![Just(0u8), any::<u8>()], 1..200)
}

proptest! {
    #[test]
    fn never_panics(text in "\\PC*") {
        let _ = parse(&text);
    }

    #[test]
    fn never_panics_near_misses(text in "[0-9a-fxX \\t\\n:,|*()\"#/\\\\{}=-]{0,120}") {
        let _ = parse(&text);
    }

    #[test]
    fn plain_round_trip(bytes in bytes_strategy()) {
        let r = parse(&hex::encode(&bytes)).unwrap();
        prop_assert_eq!(r, vec![rec(1, &bytes)]);
    }

    #[test]
    fn spaced_round_trip(bytes in bytes_strategy()) {
        let text: Vec<String> = bytes.iter().map(|b| format!("{b:02X}")).collect();
        prop_assert_eq!(parse(&text.join(" ")).unwrap(), vec![rec(1, &bytes)]);
    }

    #[test]
    fn xxd_round_trip(bytes in bytes_strategy()) {
        let r = parse(&fmt_xxd(&bytes)).unwrap();
        prop_assert_eq!(r, vec![rec(1, &bytes)]);
    }

    #[test]
    fn hexdump_c_round_trip(bytes in bytes_strategy()) {
        let r = parse(&fmt_hexdump_c(&bytes)).unwrap();
        prop_assert_eq!(r, vec![rec(1, &bytes)]);
    }

    #[test]
    fn wrapped_lines_keep_every_byte(bytes in bytes_strategy(), width in 1usize..40) {
        let h = hex::encode(&bytes);
        let lines: Vec<&str> = h.as_bytes().chunks(width * 2).filter_map(|c| std::str::from_utf8(c).ok()).collect();
        let r = parse(&lines.join("\n")).unwrap();
        prop_assert_eq!(concat(&r), bytes);
    }
}
