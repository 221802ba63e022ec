//! Property test of the PDU finder: any golden PDU (tests/fixtures/pdus), written in any of the
//! shapes of the paste corpus (tests/fixtures/pastes: the format strings of smpplib, cloudhopper,
//! jsmpp, Jasmin, SMPPSim, Kannel (a dump without command_length), node-smpp, Java, Python, hexdump -C, xxd, Wireshark's escaped
//! string, base64 in JSON) and dropped among random log lines, is found exactly once, on the line
//! of its first octet, with exactly its octets (so the same fields as the clean hex).

use std::fmt::Write as _;

use base64::Engine as _;
use proptest::prelude::*;

use smppdiag::input::{find_all, Item};

use crate::codec_golden::load;

/// Every golden vector (tests/fixtures/pdus/*.hex).
fn goldens() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pdus");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("tests/fixtures/pdus")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".hex").map(str::to_string))
        .collect();
    names.sort();
    names.iter().map(|n| load(n)).collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn ascii(b: &[u8]) -> String {
    b.iter()
        .map(|&c| {
            if (0x20..0x7F).contains(&c) {
                c as char
            } else {
                '.'
            }
        })
        .collect()
}

/// The PDU written in shape `shape`: (lines, index of the line holding the first octet).
fn render(shape: usize, pdu: &[u8]) -> (Vec<String>, usize) {
    let ts = "2026-11-30 08:05:49,663";
    let one = |l: String| (vec![l], 0);
    match shape {
        // smpplib, Python 3 (client.py '>>%s (%d bytes)')
        0 => one(format!(
            "DEBUG:smpp.Client:>>b'{}' ({} bytes)",
            hex(pdu),
            pdu.len()
        )),
        // cloudhopper-smpp SmppSessionLogger 'write bytes: [{}]'
        1 => one(format!(
            "{ts} [main] INFO  c.c.smpp.impl.DefaultSmppSession - write bytes: [{}]",
            hex(pdu)
        )),
        // jsmpp before 2020: 'Sending SMPP message {}', a space after every octet
        2 => one(format!(
            "{ts} [main] DEBUG o.jsmpp.session.SMPPSession - Sending SMPP message {}",
            pdu.iter().map(|x| format!("{x:02x} ")).collect::<String>()
        )),
        // Jasmin on Python 3: 'Sending data [%s]' with binascii.b2a_hex
        3 => one(format!(
            "{ts} DEBUG    21345 Sending data [b'{}']",
            hex(pdu)
        )),
        // node-smpp: JSON.stringify(buffer)
        4 => one(format!(
            "sent submit_sm {{\"type\":\"Buffer\",\"data\":[{}]}}",
            pdu.iter().map(u8::to_string).collect::<Vec<_>>().join(",")
        )),
        // Java Arrays.toString(byte[]): signed decimals
        5 => one(format!(
            "bytes={:?}",
            pdu.iter().map(|&x| x as i8).collect::<Vec<_>>()
        )),
        // Python list(bytes)
        6 => one(format!("pdu = {:?}", pdu.to_vec())),
        // base64 in a JSON log line
        7 => one(format!(
            "{{\"level\":20,\"msg\":\"smpp out\",\"pdu\":\"{}\"}}",
            base64::engine::general_purpose::STANDARD.encode(pdu)
        )),
        // hexdump -C
        8 => {
            let mut v: Vec<String> = pdu
                .chunks(16)
                .enumerate()
                .map(|(i, c)| {
                    let mut h = String::new();
                    for (j, x) in c.iter().enumerate() {
                        let _ = write!(h, "{}{x:02x} ", if j == 8 { " " } else { "" });
                    }
                    format!("{:08x}  {h:<49} |{}|", i * 16, ascii(c))
                })
                .collect();
            v.push(format!("{:08x}", pdu.len()));
            (v, 0)
        }
        // xxd
        9 => (
            pdu.chunks(16)
                .enumerate()
                .map(|(i, c)| {
                    let words: Vec<String> = c.chunks(2).map(hex).collect();
                    format!("{:08x}: {:<40} {}", i * 16, words.join(" "), ascii(c))
                })
                .collect(),
            0,
        ),
        // SMPPSim LoggingUtilities.hexDump
        10 => {
            let pre = "08:05:49.702 [Thread-3] INFO  c.s.SMPPSim.util.LoggingUtilities - ";
            let mut v = vec![
                format!("{pre}: Standard SUBMIT_SM:"),
                format!("{pre}Hex dump ({}) bytes:", pdu.len()),
            ];
            for c in pdu.chunks(16) {
                let words: Vec<String> = c.chunks(4).map(|w| hex(w).to_uppercase()).collect();
                let mut l = words.join(":");
                if c.len() % 4 == 0 {
                    l.push(':');
                }
                v.push(format!("{pre}{l}"));
            }
            (v, 2)
        }
        // Wireshark Copy as Escaped String (data_printer.cpp)
        11 => {
            let mut s = String::from("\"");
            for (i, x) in pdu.iter().enumerate() {
                if i % 16 == 0 && i != 0 && i != pdu.len() - 1 {
                    s.push_str("\" \\\n\"");
                }
                let _ = write!(s, "\\x{x:02x}");
            }
            s.push('"');
            (s.split('\n').map(str::to_string).collect(), 0)
        }
        // Kannel's octstr_dump of a PDU without its command_length (smsc_smpp.c read_pdu's
        // "Failed PDU follows.", as in tests/fixtures/pastes/kannel): the finder puts it back
        12 => {
            let pre = "2026-11-30 08:06:02 [14616] [6] DEBUG: ";
            let body = &pdu[4..];
            let mut v = vec![
                format!("{pre}SMPP[serve]: Failed PDU follows."),
                format!("{pre}Octet string at 0x7fd738002370:"),
                format!("{pre}  len:  {}", body.len()),
                format!("{pre}  size: {}", body.len() + 1),
                format!("{pre}  immutable: 0"),
            ];
            for c in body.chunks(16) {
                let h: Vec<String> = c.iter().map(|x| format!("{x:02x}")).collect();
                v.push(format!("{pre}  data: {:<48}  {}", h.join(" "), ascii(c)));
            }
            v.push(format!("{pre}Octet string dump ends."));
            (v, 5)
        }
        // spaced uppercase hex after a time prefix
        _ => one(format!(
            "[12:00:01.123] {}",
            pdu.iter()
                .map(|x| format!("{x:02X}"))
                .collect::<Vec<_>>()
                .join(" ")
        )),
    }
}

const SHAPES: usize = 14;

/// A log line without any PDU: timestamps, levels, threads, ids, pointers and numbers around words.
fn prose_line() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "connected",
        "bind ok",
        "window full, waiting",
        "retrying submit",
        "queue size",
        "took",
        "ms",
        "msgid",
        "session",
        "closed by peer",
        "reconnect in",
        "seconds",
        "status",
        "OK",
        "delivered",
        "GET /health 200",
        "user=acme",
        "tps",
        "free heap",
    ]);
    let token = prop_oneof![
        words.prop_map(str::to_string),
        any::<u32>().prop_map(|n| n.to_string()),
        any::<u32>().prop_map(|n| format!("0x{n:08x}")),
        any::<u64>().prop_map(|n| format!("0x{n:x}")),
        any::<u128>().prop_map(|n| {
            let h = format!("{n:032x}");
            format!(
                "{}-{}-{}-{}-{}",
                &h[..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..]
            )
        }),
        any::<[u8; 6]>().prop_map(|m| {
            m.iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(":")
        }),
    ];
    (
        0u8..24,
        0u8..60,
        prop::sample::select(vec!["INFO", "DEBUG", "WARN", "ERROR"]),
        prop::collection::vec(token, 1..8),
    )
        .prop_map(|(h, m, level, toks)| {
            format!(
                "2026-11-30 {h:02}:{m:02}:41,207 {level} [pool-1-thread-2] {} done",
                toks.join(" ")
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn a_pdu_among_log_lines_is_found_once_with_its_octets(
        which in any::<prop::sample::Index>(),
        shape in 0..SHAPES,
        before in prop::collection::vec(prose_line(), 0..6),
        after in prop::collection::vec(prose_line(), 0..6),
    ) {
        let all = goldens();
        let pdu = which.get(&all);
        let (lines, first) = render(shape, pdu);
        let text = before
            .iter()
            .chain(&lines)
            .chain(&after)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        let found: Vec<_> = find_all(&text)
            .into_iter()
            .filter_map(|i| match i {
                Item::Pdu(f) => Some(f),
                _ => None,
            })
            .collect();
        prop_assert_eq!(found.len(), 1, "shape {}:\n{}\nfound {:?}", shape, text, found);
        prop_assert_eq!(&found[0].bytes, pdu, "shape {}:\n{}", shape, text);
        prop_assert_eq!(found[0].source.line, before.len() + first + 1, "shape {}:\n{}", shape, text);
    }

    #[test]
    fn log_lines_alone_hold_no_pdu(lines in prop::collection::vec(prose_line(), 1..40)) {
        let text = lines.join("\n");
        let found = find_all(&text)
            .into_iter()
            .filter(|i| matches!(i, Item::Pdu(_)))
            .count();
        prop_assert_eq!(found, 0, "{}", text);
    }
}
