//! `smppdiag explain`: real output, colour off.

use snapbox::cmd::Command;
use snapbox::str;

use crate::util::snap as smppdiag;

fn stdout_of(args: &[&str]) -> String {
    let out = smppdiag().args(args).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

#[test]
fn throttled_by_hex() {
    smppdiag()
        .args(["explain", "0x58"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
ESME_RTHROTTLED  0x00000058 = 88, SMPP 3.4
  meaning  The SMSC refused the request because the ESME exceeds its allowed
           rate (messages per second) or its number of outstanding requests.
  causes   - Submitting faster than the throughput agreed for the account.
           - Too many requests in flight without a response (window too large).
           - Several sessions or application instances sharing one account's
             limit.
           - Congestion at the SMSC temporarily lowering the allowed rate.
  fix      Cap the rate at the agreed TPS across all sessions of the account,
           keep the window within the provider's limit, and on this code pause
           briefly, then retry with growing delays. Retrying is safe: the
           message was not accepted.
  retry    throttling: Slow down, then retry with growing delays; keep retrying
           past the attempt limit until the maximum age (24 h by default).

"#]]);
}

#[test]
fn throttled_by_names_and_log_forms_give_the_same_block() {
    let hex = stdout_of(&["explain", "0x58"]);
    for q in [
        "00000058",
        "ESME_RTHROTTLED",
        "RTHROTTLED",
        "throttled",
        "0x00000058",
    ] {
        assert_eq!(stdout_of(&["explain", q]), hex, "{q}");
    }
}

#[test]
fn already_bound_is_0x05() {
    smppdiag()
        .args(["explain", "0x05"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
ESME_RALYBND  0x00000005 = 5, SMPP 3.4
  meaning  The SMSC refused a bind because it considers this ESME already bound:
           either this very connection is bound, or (at many SMSCs) another
           session with the same system_id is still open and the account allows
           only one.
  causes   - A second bind on the same connection, e.g. a reconnect routine that
             reuses the socket, or a bind retried after a slow bind_resp
             although the first one succeeded.
           - A previous session was not closed cleanly (no unbind, or the TCP
             connection dropped) and the SMSC still holds it until its own
             timeout.
           - A second instance of the application (a deploy overlap, a test run,
             another host) is bound with the same system_id.
           - The account allows fewer concurrent binds than the client opens
             (e.g. one transmitter and one receiver instead of a transceiver).
  fix      Bind once per TCP connection. Before reconnecting, send unbind and
           wait for unbind_resp (smppdiag unbind shows whether the SMSC releases
           the session). Make sure only one instance uses the system_id, or ask
           the provider how many binds it allows. When a stale session is the
           cause, rebinding succeeds once the SMSC times it out: retry the bind
           after a delay, not in a tight loop.
  retry    transient: Retry on the delayed schedule (by default immediately,
           then after 30 s, 60 s, 90 s ...) and give up after the attempt limit
           (20 by default).

"#]]);
}

#[test]
fn invalid_password_by_short_name() {
    smppdiag()
        .args(["explain", "RINVPASWD"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
ESME_RINVPASWD  0x0000000E = 14, SMPP 3.4
  meaning  The password in the bind is wrong for this system_id. Binding again
           with the same password cannot succeed, so it is treated as permanent.
  causes   - Wrong password, or the password of another environment (test
             instead of production).
           - A password longer than 8 characters: 3.4 allows 8 plus the NUL, and
             libraries truncate it silently (or the SMSC expects the truncated
             form).
           - Trailing spaces or a newline copied from a configuration file.
  fix      Check the credentials with the provider and look at the bytes
           actually sent (`smppdiag decode --show-secrets`). Do not rebind in a
           loop: many SMSCs lock the account after a few failures.
  retry    permanent: Do not retry: sending the same request again will fail the
           same way; fix the cause first.

"#]]);
}

#[test]
fn tlv_alias_from_3_4() {
    let out = stdout_of(&["explain", "ESME_RINVOPTPARSTREAM"]);
    assert!(
        out.starts_with("ESME_RINVTLVSTREAM  0x000000C0 = 192, SMPP 3.4\n"),
        "{out}"
    );
    assert!(
        out.contains("\n  aka      ESME_RINVOPTPARSTREAM\n"),
        "{out}"
    );
}

#[test]
fn reserved_code() {
    smppdiag()
        .args(["explain", "0x09"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
reserved (0x00000009)  = 9
  meaning  Reserved: this value lies in the block of standard errors
           (0x00000000-0x000000FF) but neither SMPP 3.4 nor SMPP 5.0 assigns it.
  causes   - The SMSC uses an unassigned value for a proprietary error.
           - The header was read at the wrong offset or the SMSC has a bug.
  fix      Ask the provider what this value means on their platform and check
           their documentation. It is retried as transient; if they say it is
           final, add it to --reject-codes.
  retry    transient: Retry on the delayed schedule (by default immediately,
           then after 30 s, 60 s, 90 s ...) and give up after the attempt limit
           (20 by default).

"#]]);
}

#[test]
fn vendor_code() {
    smppdiag()
        .args(["explain", "0x401"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
vendor-specific (0x00000401)  = 1025
  meaning  Vendor-specific: SMPP 3.4 and 5.0 leave 0x00000400-0x000004FF to SMSC
           vendors, so only the SMSC vendor or your provider can say what it
           means.
  causes   - A provider-defined error; common ones are no credit, a blocked or
             ported number, a routing failure or a content filter.
           - The same value can mean different things at different providers.
  fix      Ask the provider for their error code list or check their
           documentation. It is retried as transient; if the provider says it is
           final, list it in --reject-codes (hex, e.g. --reject-codes 401).
  retry    transient: Retry on the delayed schedule (by default immediately,
           then after 30 s, 60 s, 90 s ...) and give up after the attempt limit
           (20 by default).

"#]]);
}

#[test]
fn json_object() {
    let out = stdout_of(&["explain", "0x58", "--json"]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["name"], "ESME_RTHROTTLED");
    assert_eq!(v["value"], 88);
    assert_eq!(v["retry"], "throttling");
    assert!(v["meaning"].as_str().unwrap().contains("rate"));
    assert!(v["fix"].as_str().is_some_and(|f| !f.is_empty()));
    assert_eq!(v["causes"].as_array().map(Vec::len), Some(4));
    assert!(v.get("schedule").is_none());

    let out = stdout_of(&["explain", "0x401", "--json"]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["name"], "vendor-specific (0x00000401)");
    assert_eq!(v["retry"], "transient");
}

#[test]
fn json_with_schedule_and_all() {
    let out = stdout_of(&["explain", "0x08", "--json", "--retry-max-attempts", "3"]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let steps = v["schedule"]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[1]["delay_secs"], 30.0);
    assert_eq!(steps[2]["give_up"], "attempts_exhausted");

    let out = stdout_of(&["explain", "--all", "--json"]);
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 67);
    assert!(rows
        .iter()
        .any(|r| r["name"] == "ESME_RALYBND" && r["value"] == 5));
}

#[test]
fn default_schedule_shows_0_30_60() {
    smppdiag()
        .args(["explain", "ESME_RSYSERR", "--schedule"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
ESME_RSYSERR  0x00000008 = 8, SMPP 3.4
  meaning  A generic internal error in the SMSC (or the ESME) while processing
           the request; the PDU itself is not necessarily wrong.
  causes   - A database, routing, billing or downstream network (SS7/HLR)
             failure inside the SMSC.
           - The SMSC is overloaded or one of its components is restarting.
           - A field value that trips the SMSC's handler (then it repeats for
             the same message only).
  fix      Retry on the delayed schedule. If one message always gets it while
           others pass, keep that PDU's hex and send it to the provider with the
           time and sequence_number.
  retry    transient: Retry on the delayed schedule (by default immediately,
           then after 30 s, 60 s, 90 s ...) and give up after the attempt limit
           (20 by default).

Retry schedule for ESME_RSYSERR (0x00000008): transient
policy: delay 30 s, multiplier 1, delays after 2 attempts, no max delay, max 20
attempts, max age 1440 min, reject codes none
(times count from the first attempt; answers assumed instant)

attempt     fails at        wait   next attempt at
      1      0:00:00         0 s   0:00:00
      2      0:00:00        30 s   0:00:30
      3      0:00:30        60 s   0:01:30
      4      0:01:30        90 s   0:03:00
      5      0:03:00       120 s   0:05:00
      6      0:05:00       150 s   0:07:30
      7      0:07:30       180 s   0:10:30
      8      0:10:30       210 s   0:14:00
      9      0:14:00       240 s   0:18:00
     10      0:18:00       270 s   0:22:30
     11      0:22:30       300 s   0:27:30
     12      0:27:30       330 s   0:33:00
     13      0:33:00       360 s   0:39:00
     14      0:39:00       390 s   0:45:30
     15      0:45:30       420 s   0:52:30
     16      0:52:30       450 s   1:00:00
     17      1:00:00       480 s   1:08:00
     18      1:08:00       510 s   1:16:30
     19      1:16:30       540 s   1:25:30
     20      1:25:30   give up: attempt limit reached

Gives up after attempt 20, 1:25:30 after the first (attempt limit reached).

"#]]);
}

#[test]
fn reject_list_makes_a_code_permanent() {
    let out = stdout_of(&["explain", "0xFE", "--reject-codes", "FE,All,58"]);
    assert!(
        out.contains("      1      0:00:00   give up: permanent error\n"),
        "{out}"
    );
    let out = stdout_of(&["explain", "0x58", "--reject-codes", "All"]);
    assert!(out.contains("): throttling\n"), "{out}");
}

#[test]
fn all_lists_the_table() {
    let out = stdout_of(&["explain", "--all"]);
    assert!(out.starts_with("VALUE       NAME"), "{out}");
    assert!(out.contains("\n0x00000005  ESME_RALYBND              transient   Already bound\n"));
    assert!(out.contains("\n0x0000000B  ESME_RINVDSTADR           permanent "));
    assert!(out.lines().all(|l| l.chars().count() <= 80));
}

#[test]
fn unknown_name_is_a_usage_error_with_suggestions() {
    smppdiag()
        .args(["explain", "THROTLED"])
        .assert()
        .code(2)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: "THROTLED" is not a command_status value or name
  did you mean: ESME_RTHROTTLED?
  give a value (0x58 or 00000058 hex, 88 decimal), a name (ESME_RTHROTTLED,
  RTHROTTLED, THROTTLED) or a log line holding one; `smppdiag explain --all` lists
  every code

"#]]);
}

#[test]
fn bad_retry_option_is_a_usage_error() {
    smppdiag()
        .args(["explain", "0x58", "--reject-codes", "FE,nope"])
        .assert()
        .code(2);
    smppdiag().args(["explain"]).assert().code(2);
}

#[test]
fn colour_always_paints_and_never_does_not() {
    let out = Command::new(snapbox::cmd::cargo_bin!("smppdiag"))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .args(["--color", "always", "explain", "0x0B"])
        .assert()
        .success();
    assert!(out.get_output().stdout.contains(&0x1b));
    assert!(!stdout_of(&["explain", "0x0B"]).contains('\x1b'));
}

// ---- what logs and exceptions print (issue 8) ----

/// The first `n` lines of stdout.
fn head(args: &[&str], n: usize) -> String {
    stdout_of(args)
        .lines()
        .take(n)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn bare_58_reads_both_ways_hex_first() {
    // 0x58 is ESME_RTHROTTLED; decimal 58 (0x3A) is reserved: the hex reading comes first.
    let out = stdout_of(&["explain", "58"]);
    assert_eq!(
        head(&["explain", "58"], 5),
        r#""58" reads two ways: as hex 0x58 (only that reading is a defined code), or as
decimal 58 = 0x3A. Both follow.

as hex 0x58:
ESME_RTHROTTLED  0x00000058 = 88, SMPP 3.4"#
    );
    let second = out.find("as decimal 58 = 0x3A:").expect("second reading");
    assert!(out[second..].contains("reserved (0x0000003A)"), "{out}");
}

#[test]
fn bare_88_reads_both_ways_decimal_first() {
    let out = stdout_of(&["explain", "88"]);
    assert_eq!(
        head(&["explain", "88"], 5),
        r#""88" reads two ways: as decimal 88 = 0x58 (only that reading is a defined code),
or as hex 0x88. Both follow.

as decimal 88 = 0x58:
ESME_RTHROTTLED  0x00000058 = 88, SMPP 3.4"#
    );
    assert!(out.contains("as hex 0x88:\nreserved (0x00000088)"), "{out}");
}

#[test]
fn eight_digit_word_is_hex_not_reserved_0x3a() {
    let out = stdout_of(&["explain", "00000058"]);
    assert!(out.starts_with("ESME_RTHROTTLED  0x00000058"), "{out}");
    assert!(!out.contains("0x3A"), "{out}");
}

#[test]
fn jsmpp_negative_response_exception_text() {
    // jsmpp NegativeResponseException: String.format("Negative response %s found", hex) with
    // IntUtil.toHexString (8 digits); and the "(%s)" form with the description.
    for text in [
        "org.jsmpp.extra.NegativeResponseException: Negative response 00000058 found",
        "Caused by: org.jsmpp.extra.NegativeResponseException: Negative response 00000058 (Throttling error) found",
    ] {
        smppdiag()
            .args(["explain", text])
            .assert()
            .success()
            .stdout_eq(str![[r#"
found "00000058" in the text

ESME_RTHROTTLED  0x00000058 = 88, SMPP 3.4
...
"#]]);
    }
}

#[test]
fn kannel_error_line() {
    // A real line of Kannel 1.4.5's smsc log (tests/fixtures/pastes/kannel/smsc-log-session.txt).
    let log = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/pastes/kannel/smsc-log-session.txt"),
    )
    .unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("SMSC returned error code"))
        .expect("Kannel's error line");
    let out = stdout_of(&["explain", line]);
    assert!(
        out.starts_with("found \"0x00000058\" in the text\n\nESME_RTHROTTLED  0x00000058"),
        "{out}"
    );
}

#[test]
fn json_readings_say_how_they_were_read() {
    let out = stdout_of(&["explain", "58", "--json"]);
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["value"], 0x58);
    assert_eq!(rows[0]["read_as"], "hex");
    assert_eq!(rows[0]["likeliest"], true);
    assert_eq!(rows[1]["value"], 58);
    assert_eq!(rows[1]["read_as"], "decimal");
    let out = stdout_of(&["explain", "--json", "Negative response 00000058 found"]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["found_in_text"], "00000058");
    assert_eq!(v["name"], "ESME_RTHROTTLED");
}

#[test]
fn text_without_a_status_is_a_usage_error() {
    smppdiag()
        .args(["explain", "the SMSC said no"])
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: "the SMSC said no" holds no command_status value or name
  give a value (0x58 or 00000058 hex, 88 decimal), a name (ESME_RTHROTTLED,
  RTHROTTLED, THROTTLED) or a log line holding one; `smppdiag explain --all` lists
  every code

"#]]);
}
