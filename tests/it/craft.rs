//! Issue 11's smaller pieces: `--validity`/`--schedule` checked before connecting, connection
//! profiles, the per-subcommand man pages, the empty-password warning.

use snapbox::str;

use crate::util::snap as smppdiag;

#[test]
fn bad_validity_is_refused_before_connecting() {
    // Port 1: nothing listens there; the error must come from the argument check, exit 2.
    smppdiag()
        .args(["send", "--port", "1", "--to", "447700900123", "--text", "x"])
        .args(["--validity", "261330143000004+"])
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: invalid value '261330143000004+' for '--validity <VALIDITY>': month MM is 13, outside 01-12 (characters 3-4)
  absolute: YYMMDDhhmmsstnn+ (e.g. 261130143000004+ is 14:30 at UTC+1)
  relative: YYMMDDhhmmss000R (e.g. 000001000000000R is one day from now)

For more information, try '--help'.

"#]]);
    smppdiag()
        .args(["send", "--port", "1", "--to", "447700900123", "--text", "x"])
        .args(["--schedule", "000000001000001R"])
        .assert()
        .code(2);
}

#[test]
fn valid_relative_and_absolute_times_reach_the_wire() {
    let serve = crate::util::serve(&["--accept-any"]);
    let (code, out) = crate::util::run_on(
        serve.port,
        "send",
        &[
            "--to",
            "447700900123",
            "--text",
            "x",
            "--validity",
            "000001000000000R",
            "--schedule",
            "261130143000004+",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("000001000000000R") && out.contains("261130143000004+"),
        "{out}"
    );
}

/// A config file with a profile pointing at `port`, its password from a command.
fn config_for(dir: &std::path::Path, port: u16) -> std::path::PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(dir.join("pw"), "filepw\n").unwrap();
    std::fs::write(
        &path,
        format!(
            "[profiles.sim]\nhost = \"127.0.0.1\"\nport = {port}\nsystem_id = \"acme\"\n\
             bind_mode = \"tx\"\npassword_command = \"printf 's3cret\\\\n'\"\n\n\
             [profiles.byfile]\nport = {port}\nsystem_id = \"acme\"\npassword_file = \"pw\"\n"
        ),
    )
    .unwrap();
    path
}

fn with_config(cfg: &std::path::Path, args: &[&str]) -> (i32, String) {
    let mut cmd = crate::util::smppdiag(args);
    cmd.env("SMPPDIAG_CONFIG", cfg);
    crate::util::run_cmd(cmd, crate::util::RUN_LIMIT)
}

#[test]
fn profile_supplies_connection_and_password_and_options_override_it() {
    let serve = crate::util::serve(&["--account", "acme:s3cret"]);
    let dir = tempfile::tempdir().unwrap();
    let cfg = config_for(dir.path(), serve.port);
    let (code, out) = with_config(&cfg, &["bind", "--profile", "sim", "-q"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("bound as bind_transmitter"), "{out}");
    assert!(!out.contains("empty password"), "{out}");
    // An explicit password wins over the profile's: the simulator refuses it.
    let (code, out) = with_config(
        &cfg,
        &["bind", "--profile", "sim", "--password", "nope", "-q"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ESME_RINVPASWD"), "{out}");
    // An explicit bind mode wins too.
    let (code, out) = with_config(
        &cfg,
        &["bind", "--profile", "sim", "--bind-mode", "rx", "-q"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("bound as bind_receiver"), "{out}");
    // password_file relative to the config file: "filepw" is wrong for this account.
    let (code, out) = with_config(&cfg, &["bind", "--profile", "byfile", "-q"]);
    assert_eq!(code, 1, "{out}");
    let (code, out) = with_config(&cfg, &["bind", "--profile", "missing"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("no profile \"missing\"") && out.contains("byfile, sim"),
        "{out}"
    );
}

#[test]
fn profiles_lists_without_secrets_and_follows_xdg() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("smppdiag");
    std::fs::create_dir_all(&sub).unwrap();
    config_for(&sub, 2775);
    let mut cmd = crate::util::smppdiag(&["profiles"]);
    cmd.env("XDG_CONFIG_HOME", dir.path());
    let (code, out) = crate::util::run_cmd(cmd, crate::util::RUN_LIMIT);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("sim: 127.0.0.1:2775") && out.contains("byfile:"),
        "{out}"
    );
    assert!(
        out.contains("from command") && out.contains("from file"),
        "{out}"
    );
    assert!(
        !out.contains("filepw\n") && !out.contains("s3cret\n"),
        "{out}"
    );
    let cfg = sub.join("config.toml");
    let (code, out) = with_config(&cfg, &["profiles", "--json"]);
    assert_eq!(code, 0, "{out}");
    let names: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["name"].to_string())
        .collect();
    assert_eq!(names, ["\"byfile\"", "\"sim\""]);
}

#[test]
fn empty_password_warns_once() {
    let serve = crate::util::serve(&["--accept-any"]);
    let (code, out) =
        crate::util::run_on(serve.port, "send", &["--to", "1234", "--text", "a", "-q"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out.matches("warning: binding with an empty password")
            .count(),
        1,
        "{out}"
    );
    let (code, out) = crate::util::run_on(serve.port, "bind", &["--password", "pw", "-q"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("empty password"), "{out}");
}

/// `man -l` (man-db + groff, installed by scripts/install-test-deps.sh) renders `page` at 80
/// columns; warnings go to the returned stderr.
fn render_man(page: &std::path::Path) -> (String, String) {
    let out = std::process::Command::new("man")
        .arg("-l")
        .arg(page)
        .env("MANWIDTH", "80")
        .env_remove("MAN_KEEP_FORMATTING")
        .env_remove("MANPAGER")
        .env("PAGER", "cat")
        .output()
        .expect("man is missing: run scripts/install-test-deps.sh");
    assert!(out.status.success(), "man -l {}: {:?}", page.display(), out);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn man_dir_installs_one_page_per_subcommand_with_examples_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("man1");
    let (code, out) = crate::util::run(&["man", "--dir", target.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let mut files: Vec<String> = std::fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    for want in [
        "smppdiag.1",
        "smppdiag-decode.1",
        "smppdiag-encode.1",
        "smppdiag-serve.1",
    ] {
        assert!(
            files.iter().any(|f| f == want),
            "{want} missing from {files:?}"
        );
    }
    assert!(!files.iter().any(|f| f == "smppdiag-help.1"), "{files:?}");
    for f in &files {
        let (text, warnings) = render_man(&target.join(f));
        assert!(warnings.trim().is_empty(), "{f}: {warnings}");
        assert!(!text.contains('\u{2010}'), "{f} hyphenates a word:\n{text}");
    }
    let (serve, _) = render_man(&target.join("smppdiag-serve.1"));
    let example =
        "smppdiag serve --listen 0.0.0.0:2775 --accept-any --fail ESME_RTHROTTLED:every=3";
    assert!(
        serve.lines().any(|l| l.trim() == example),
        "example not on one line:\n{serve}"
    );
    let (send, _) = render_man(&target.join("smppdiag-send.1"));
    assert!(
        send.contains("EXIT CODES") || send.contains("EXAMPLES"),
        "{send}"
    );
}

use crate::junit::junitparser_reads_file as junit_of;

#[test]
fn bind_expect_makes_a_negative_test_one_command() {
    let serve = crate::util::serve(&["--account", "acme:secret"]);
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("bind.xml");
    let junit = report.to_str().unwrap();
    let bind = ["--system-id", "acme", "-q", "--junit", junit];
    let (code, out) = crate::util::run_on(
        serve.port,
        "bind",
        &[
            &bind[..],
            &["--password", "wrong", "--expect", "ESME_RINVPASWD"],
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{out}");
    let j = junit_of(&report);
    assert_eq!(
        (j["tests"].as_u64(), j["failures"].as_u64()),
        (Some(1), Some(0)),
        "{j}"
    );
    let (code, out) = crate::util::run_on(
        serve.port,
        "bind",
        &[&bind[..], &["--password", "secret", "--expect", "invpaswd"]].concat(),
    );
    assert_eq!(code, 1, "{out}");
    let line = "bind_transceiver: expected ESME_RINVPASWD (0x0000000E), got ESME_ROK";
    assert_eq!(out.matches(line).count(), 1, "{out}");
    let j = junit_of(&report);
    let failure = &j["suites"][0]["cases"][0]["result"];
    assert_eq!(failure["kind"], "failure", "{j}");
    assert_eq!(
        failure["message"],
        "expected ESME_RINVPASWD (0x0000000E), got ESME_ROK"
    );
    // The failure's text is the answer's dump.
    let text = failure["text"].as_str().unwrap();
    assert!(
        text.contains("bind_transceiver_resp") && text.contains("\"smppdiag\""),
        "{text}"
    );
    let (code, out) = crate::util::run_on(serve.port, "bind", &["--expect", "ESME_RTHROTLED"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("did you mean ESME_RTHROTTLED"), "{out}");
}

#[test]
fn send_expect_status_and_receipt_state() {
    let serve = crate::util::serve(&["--accept-any", "--fail", "ESME_RTHROTTLED:first=1"]);
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("send.xml");
    let msg = [
        "--password",
        "pw",
        "--to",
        "447700900123",
        "--text",
        "hi",
        "-q",
    ];
    let (code, out) = crate::util::run_on(
        serve.port,
        "send",
        &[&msg[..], &["--expect", "ESME_RTHROTTLED"]].concat(),
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = crate::util::run_on(
        serve.port,
        "send",
        &[
            &msg[..],
            &["--wait-dlr", "10", "--expect-dlr", "DELIVRD"],
            &["--junit", report.to_str().unwrap()],
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{out}");
    let j = junit_of(&report);
    let names: Vec<&str> = j["suites"][0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "bind_transceiver answers ESME_ROK",
            "message 1: submit_sm to 447700900123 answers ESME_ROK",
            "message 1: receipt to 447700900123 answers DELIVRD"
        ]
    );
    assert_eq!(j["failures"], 0);
    let (code, out) = crate::util::run_on(
        serve.port,
        "send",
        &[&msg[..], &["--wait-dlr", "10", "--expect-dlr", "UNDELIV"]].concat(),
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("message 1: receipt to 447700900123: expected UNDELIV, got DELIVRD"),
        "{out}"
    );
}

#[test]
fn send_set_udh_and_binary_reach_the_wire() {
    let serve = crate::util::serve(&["--accept-any"]);
    let (code, out) = crate::util::run_on(
        serve.port,
        "send",
        &[
            "--password",
            "pw",
            "--to",
            "447700900123",
            "--binary",
            "0102",
            "--udh",
            "050003CC0201",
            "--set",
            "esm_class=0x43",
            "--set",
            "data_coding=0xF5",
            "--set",
            "protocol_id=0x7F",
            "--set",
            "tlv:0x1403=AB",
        ],
    );
    assert_eq!(code, 0, "{out}");
    for want in [
        "esm_class               0x43",
        "data_coding             0xF5",
        "protocol_id             0x7F",
        "sm_length               8",
        "0x1403",
    ] {
        assert!(out.contains(want), "{want} missing:\n{out}");
    }
    // The UDH and body octets as sent.
    assert!(out.contains("udh_length            5"), "{out}");
    assert!(out.contains("00 03 cc 02 01       ie 0x00"), "{out}");
    assert!(out.contains("01 02                text"), "{out}");
    let (code, out) = crate::util::run_on(
        serve.port,
        "send",
        &["--to", "1", "--text", "x", "--set", "sequence_number=5"],
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("--set: sequence_number cannot be set here"),
        "{out}"
    );
}

/// The seed pages' two example PDUs (tests/fixtures/seeds), sent as they are.
const SEED_BIND: &str = "@../fixtures/seeds/000_bind_transmitter.txt";
const SEED_SUBMIT: &str = "@../fixtures/seeds/004_submit_sm.txt";

/// The seed bind_transmitter, sent before any bind, gets no answer: the peer waits for the 2
/// octets its command_length promises, and smppdiag says so.
fn seed_bind_goes_unanswered(port: u16) {
    let args = [
        "--no-bind",
        "--pdu",
        SEED_BIND,
        "--response-timeout",
        "1",
        "-q",
    ];
    let (code, out) = send_pdu(port, &args);
    assert_eq!(code, 4, "{out}");
    assert!(
        out.contains("PDU 1 (bind_transmitter): no answer within 1 s"),
        "{out}"
    );
    let hint = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(hint.contains("command_length says 28 octets but 26 were sent: the peer is most likely still waiting for the other 2"), "{out}");
}

/// `send --pdu` with the seed files given by path relative to tests/it.
fn send_pdu(port: u16, args: &[&str]) -> (i32, String) {
    let dir = crate::peers::repo_root().join("tests").join("it");
    let p = port.to_string();
    let mut cmd =
        crate::util::smppdiag(&[&["send", "--port", &p, "--password", "pw"], args].concat());
    cmd.current_dir(dir);
    crate::util::run_cmd(cmd, crate::util::RUN_LIMIT)
}

#[test]
fn seed_pdus_sent_as_they_are_to_serve() {
    let serve = crate::util::serve(&["--accept-any"]);
    // The seed submit_sm says command_length 47 but has 51 octets (NULL times written as four
    // zero octets): serve reads the 47 and cannot parse what follows the mandatory fields.
    let (code, out) = send_pdu(serve.port, &["--pdu", SEED_SUBMIT, "-q"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("PDU 1 (submit_sm): submit_sm_resp ESME_RINVTLVSTREAM in "),
        "{out}"
    );
    assert!(
        out.contains("meaning  The optional parameters (TLVs)"),
        "{out}"
    );
    let (code, out) = send_pdu(
        serve.port,
        &["--pdu", SEED_SUBMIT, "-q", "--expect", "ESME_RINVTLVSTREAM"],
    );
    assert_eq!(code, 0, "{out}");
    // The seed bind_transmitter promises 28 octets and has 26: nobody answers it.
    seed_bind_goes_unanswered(serve.port);
    // Sequence numbers are rewritten unless kept; the dump shows what was sent.
    let (code, out) = send_pdu(
        serve.port,
        &[
            "--no-bind",
            "--pdu",
            "00000010000000150000000000000063",
            "--keep-sequence",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("enquire_link_resp  ESME_ROK  seq 99"), "{out}");
}

#[test]
fn seed_pdus_sent_as_they_are_to_node_smpp() {
    let mut smsc = crate::peers::node_smsc(&[]);
    // node-smpp reads the first 47 octets and accepts the submit_sm...
    let (code, out) = send_pdu(smsc.port, &["--pdu", SEED_SUBMIT, "-q"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("PDU 1 (submit_sm): submit_sm_resp ESME_ROK in "),
        "{out}"
    );
    let submit = smsc.wait_event("submit", std::time::Duration::from_secs(10));
    assert_eq!(submit["status"], 0, "{submit}");
    // ... then takes the 4 octets after it as the next PDU's command_length and gives up.
    let err = smsc.wait_event("error", std::time::Duration::from_secs(10));
    assert!(
        err["message"]
            .as_str()
            .unwrap_or_default()
            .contains("PDU length was too large"),
        "{err}"
    );
    // Before any bind, node-smpp refuses the submit_sm with ESME_RINVBNDSTS.
    let (code, out) = send_pdu(smsc.port, &["--no-bind", "--pdu", SEED_SUBMIT, "-q"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("submit_sm_resp ESME_RINVBNDSTS"), "{out}");
    // And waits for the 2 octets the seed bind_transmitter promises.
    seed_bind_goes_unanswered(smsc.port);
}

// ------------------------------------------------------------------ serve --mo and receipts

const LONG: &str = "Long message, part of a long GSM text. Long message, part of a long GSM text. Long message, part of a long GSM text. Long message, part of a long GSM text. Long message, part of a long GSM text. ";

/// A simulator originating three messages: GSM with an escape, UCS2, and a long GSM text.
fn mo_serve() -> crate::util::Serve {
    let long = format!("ACME,12345,{LONG}");
    crate::util::serve(&[
        "--accept-any",
        "--mo",
        "447700900123,12345,Hello €",
        "--mo",
        "447700900124,12345,Привет мир",
        "--mo",
        &long,
    ])
}

/// The texts of the deliver_sm a receiver printed, long messages joined part after part.
fn texts(events: &[serde_json::Value], key: &str) -> Vec<String> {
    let parts: Vec<String> = events
        .iter()
        .filter(|e| e["event"] == "deliver_sm")
        .map(|e| e[key].as_str().unwrap_or_default().to_string())
        .collect();
    match parts.as_slice() {
        [a, b, rest @ ..] => [vec![a.clone(), b.clone()], vec![rest.concat()]].concat(),
        _ => parts,
    }
}

#[test]
fn mo_messages_reach_an_smpplib_receiver_with_the_exact_text() {
    let serve = mo_serve();
    let ev = crate::serve::smpplib(
        serve.port,
        &["--mode", "rx", "--receipts", "4", "--timeout", "15"],
    );
    assert_eq!(
        texts(&ev, "decoded"),
        ["Hello €", "Привет мир", LONG],
        "{ev:?}"
    );
    let dcs: Vec<u64> = ev
        .iter()
        .filter_map(|e| e["data_coding"].as_u64())
        .collect();
    assert_eq!(dcs, [0, 8, 0, 0]);
}

#[test]
fn mo_messages_reach_a_node_smpp_receiver_with_the_exact_text() {
    let serve = mo_serve();
    let ev = crate::serve::node(
        serve.port,
        &["--mode", "rx", "--receipts", "4", "--timeout", "15000"],
    );
    assert_eq!(
        texts(&ev, "text"),
        ["Hello €", "Привет мир", LONG],
        "{ev:?}"
    );
}

/// A transceiver submits `text` asking for a receipt, and prints the receipt it gets.
fn receipt_via(client: &str, port: u16, text: &str) -> serde_json::Value {
    let args = [
        "--mode",
        "trx",
        "--submit",
        "1",
        "--text",
        text,
        "--registered-delivery",
        "1",
        "--receipts",
        "1",
    ];
    // smpplib encodes with smpplib.gsm.make_parts (GSM, else UCS2); node-smpp is told UCS2
    // for text outside the GSM alphabet.
    let ucs2 = !text.chars().all(|c| c.is_ascii() || c == '€');
    let ev = match client {
        "smpplib" => {
            crate::serve::smpplib(port, &[&args[..], &["--long", "--timeout", "10"]].concat())
        }
        _ if ucs2 => crate::serve::node(
            port,
            &[&args[..], &["--data-coding", "8", "--timeout", "10000"]].concat(),
        ),
        _ => crate::serve::node(port, &[&args[..], &["--timeout", "10000"]].concat()),
    };
    let submit = ev
        .iter()
        .find(|e| e["event"] == "submit_resp")
        .cloned()
        .unwrap_or_default();
    let receipt = ev
        .iter()
        .find(|e| e["event"] == "deliver_sm")
        .cloned()
        .unwrap_or_default();
    serde_json::json!({"message_id": submit["message_id"], "receipt": receipt})
}

#[test]
fn receipts_carry_tlvs_and_the_text_decoded_for_smpplib_and_node_smpp() {
    let serve = crate::util::serve(&["--accept-any", "--dlr-delay", "10"]);
    for client in ["smpplib", "node"] {
        let r = receipt_via(client, serve.port, "Hello €");
        let d = &r["receipt"];
        assert_eq!(d["esm_class"], 4, "{client}: {r}");
        assert_eq!(d["receipted_message_id"], r["message_id"], "{client}: {r}");
        assert_eq!(d["message_state"], 2, "{client}: {r}");
        let text = if client == "smpplib" {
            &d["decoded"]
        } else {
            &d["text"]
        };
        assert!(
            text.as_str()
                .unwrap_or_default()
                .ends_with("stat:DELIVRD err:000 text:Hello €"),
            "{client}: {r}"
        );
        let r = receipt_via(client, serve.port, "Привет мир");
        let d = &r["receipt"];
        let text = if client == "smpplib" {
            &d["decoded"]
        } else {
            &d["text"]
        };
        assert!(
            text.as_str()
                .unwrap_or_default()
                .ends_with("text:Привет мир"),
            "{client}: {r}"
        );
    }
    let off = crate::util::serve(&["--accept-any", "--dlr-delay", "10", "--dlr-tlvs", "off"]);
    let r = receipt_via("smpplib", off.port, "Hello");
    assert_eq!(
        r["receipt"]["receipted_message_id"],
        serde_json::Value::Null,
        "{r}"
    );
    assert!(
        r["receipt"]["decoded"]
            .as_str()
            .unwrap_or_default()
            .starts_with("id:"),
        "{r}"
    );
}

#[test]
fn unbind_junit_reports_the_teardown() {
    let serve = crate::util::serve(&["--account", "acme:secret:1"]);
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("unbind.xml");
    let junit = report.to_str().unwrap();
    let (code, out) = crate::util::run_on(
        serve.port,
        "unbind",
        &[
            "--system-id",
            "acme",
            "--password",
            "secret",
            "--rebind",
            "-q",
            "--junit",
            junit,
        ],
    );
    assert_eq!(code, 0, "{out}");
    let j = junit_of(&report);
    let names: Vec<&str> = j["suites"][0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "bind: bind_transceiver answers ESME_ROK",
            "unbind answers ESME_ROK",
            "rebind with the same system_id: bind_transceiver answers ESME_ROK"
        ]
    );
    assert_eq!(j["failures"], 0, "{j}");
    let (code, out) = crate::util::run_on(
        serve.port,
        "unbind",
        &[
            "--system-id",
            "acme",
            "--password",
            "wrong",
            "-q",
            "--junit",
            junit,
        ],
    );
    assert_eq!(code, 1, "{out}");
    let j = junit_of(&report);
    let f = &j["suites"][0]["cases"][0]["result"];
    assert_eq!(f["kind"], "failure", "{j}");
    assert_eq!(
        f["message"], "expected ESME_ROK, got ESME_RINVPASWD (0x0000000E)",
        "{j}"
    );
    assert!(
        f["text"]
            .as_str()
            .unwrap()
            .starts_with("bind_transceiver_resp  ESME_RINVPASWD  seq 1  16 octets"),
        "{j}"
    );
    let f = &j["suites"][0]["cases"][1]["result"];
    assert_eq!(
        f["message"], "expected ESME_ROK, got no unbind: the bind was refused",
        "{j}"
    );
}

#[test]
fn unbind_expect_checks_the_unbind_resp() {
    let serve = crate::util::serve(&["--account", "acme:secret:1"]);
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("unbind.xml");
    let creds = ["--system-id", "acme", "--password", "secret", "-q"];
    let junit = ["--junit", report.to_str().unwrap()];
    let (code, out) = crate::util::run_on(
        serve.port,
        "unbind",
        &[&creds[..], &["--expect", "ESME_ROK"], &junit[..]].concat(),
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = crate::util::run_on(
        serve.port,
        "unbind",
        &[&creds[..], &["--expect", "RINVBNDSTS"], &junit[..]].concat(),
    );
    assert_eq!(code, 1, "{out}");
    let line = "unbind: expected ESME_RINVBNDSTS (0x00000004), got ESME_ROK";
    assert_eq!(out.matches(line).count(), 1, "{out}");
    let j = junit_of(&report);
    let f = &j["suites"][0]["cases"][1]["result"];
    assert_eq!(f["kind"], "failure", "{j}");
    // The failure's text is the unbind_resp's dump, as it came.
    assert!(
        f["text"].as_str().unwrap().starts_with(
            "unbind_resp  ESME_ROK  seq 2  16 octets\n   0  00 00 00 10        command_length"
        ),
        "{j}"
    );
}

/// `send --pdu --json`: every PDU both ways is a `pdu` event, and every PDU sent gets one
/// `note` of kind `answer` (a response, or the silence with its hint), all in the one schema.
#[test]
fn send_pdu_json_has_an_event_for_every_answer_and_silence() {
    use crate::schema::{parse_lines, Direction, Line};
    use serde_json::{json, Value};
    let serve = crate::util::serve(&["--accept-any"]);
    let p = serve.port.to_string();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "send",
            "--port",
            &p,
            "--password",
            "pw",
            "--json",
            "--response-timeout",
            "0.5",
            "--pdu",
            "00000010000000150000000000000001",
            "--pdu",
            // command_length 28, 22 octets: the peer waits for the rest.
            "0000001C000000040000000000000001746573740000",
        ];
        args.extend_from_slice(extra);
        let out = crate::util::smppdiag(&args).output().expect("run send");
        assert_eq!(out.status.code(), Some(4), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let out = run(&[]);
    let lines = parse_lines("send --pdu --json", &out);
    let sent = lines
        .iter()
        .filter(|l| matches!(l, Line::Pdu(p) if matches!(p.direction, Some(Direction::EsmeToSmsc))))
        .count();
    // bind, the two --pdu values, unbind.
    assert_eq!(sent, 4, "{out}");
    let events: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let answers: Vec<&Value> = events.iter().filter(|e| e["kind"] == "answer").collect();
    assert_eq!(answers.len(), 4, "{out}");
    let first = answers[1];
    assert_eq!(
        (&first["pdu_index"], &first["answer"], &first["response"]),
        (&json!(1), &json!("response"), &json!("enquire_link_resp")),
        "{out}"
    );
    assert_eq!(first["sequence_number"], first["response_sequence_number"]);
    let silent = answers[2];
    assert_eq!(
        (
            &silent["pdu_index"],
            &silent["answer"],
            &silent["timeout_ms"]
        ),
        (&json!(2), &json!("silence"), &json!(500.0)),
        "{out}"
    );
    assert_eq!(
        silent["text"], "PDU 2 (submit_sm): no answer within 500.0 ms",
        "{out}"
    );
    assert!(
        silent["hint"]
            .as_str()
            .unwrap_or_default()
            .contains("still waiting for the other 6"),
        "{out}"
    );
    let summary = events.last().unwrap();
    assert_eq!(
        (
            &summary["event"],
            &summary["sent"],
            &summary["answered"],
            &summary["unanswered"]
        ),
        (&json!("summary"), &json!(2), &json!(1), &json!(1)),
        "{out}"
    );
    assert_eq!(summary["exit_code"], 4, "{out}");
    // --quiet leaves out the dumps, not the answers.
    let out = run(&["--quiet"]);
    let lines = parse_lines("send --pdu --json --quiet", &out);
    assert!(!lines.iter().any(|l| matches!(l, Line::Pdu(_))), "{out}");
    assert_eq!(out.matches("\"kind\":\"answer\"").count(), 4, "{out}");
}

/// With --expect, the JSON summary's `ok` and `exit_code` are the process's: the verdict on the
/// expectation, not the SMSC's status.
#[test]
fn json_summary_exit_code_is_the_expectations_verdict() {
    use serde_json::Value;
    let serve = crate::util::serve(&["--account", "acme:secret"]);
    let p = serve.port.to_string();
    let summary = |args: &[&str], code: i32| -> Value {
        let conn = ["--port", p.as_str(), "--system-id", "acme", "--json", "-q"];
        let all = [&args[..1], &conn[..], &args[1..]].concat();
        let out = crate::util::smppdiag(&all).output().expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stdout}");
        stdout
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|v| v["event"] == "summary")
            .unwrap_or_else(|| panic!("no summary: {stdout}"))
    };
    let cases: &[(&[&str], i32)] = &[
        (
            &["bind", "--password", "wrong", "--expect", "ESME_RINVPASWD"],
            0,
        ),
        (
            &["bind", "--password", "secret", "--expect", "ESME_RINVPASWD"],
            1,
        ),
        (&["bind", "--password", "wrong"], 1),
        (&["bind", "--password", "secret"], 0),
        (
            &[
                "send",
                "--password",
                "wrong",
                "--to",
                "1",
                "--text",
                "x",
                "--expect",
                "ESME_ROK",
            ],
            1,
        ),
        (
            &["unbind", "--password", "secret", "--expect", "RINVBNDSTS"],
            1,
        ),
        (&["unbind", "--password", "secret"], 0),
    ];
    for (args, code) in cases {
        let s = summary(args, *code);
        assert_eq!(s["exit_code"], *code, "{args:?}: {s}");
        assert_eq!(s["ok"], *code == 0, "{args:?}: {s}");
    }
}
