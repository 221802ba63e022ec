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
