//! The exit codes: the README table and `--help` list exactly the codes of `smppdiag::exit::Exit`,
//! and `decode` returns 1 for a well-formed response carrying an error command_status, 3 for a
//! malformed PDU (3 before 1), 0 otherwise.

use smppdiag::exit::Exit;

use crate::util::run;

/// The `| code | meaning | returned by |` rows of the README's "Exit codes" section.
fn readme_rows() -> Vec<(u8, String)> {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("## Exit codes")
        .nth(1)
        .expect("README has an Exit codes section");
    section
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let code = cells.get(1)?.parse::<u8>().ok()?;
            Some((code, cells.get(2)?.to_string()))
        })
        .collect()
}

#[test]
fn readme_table_lists_every_exit_code_once() {
    let ours: Vec<u8> = Exit::ALL.iter().map(|(e, _)| e.code()).collect();
    let readme: Vec<u8> = readme_rows().iter().map(|(c, _)| *c).collect();
    assert_eq!(readme, ours);
}

#[test]
fn help_lists_every_exit_code() {
    let (code, out) = run(&["decode", "--help"]);
    assert_eq!(code, 0);
    for (e, what) in Exit::ALL {
        assert!(
            out.contains(&format!("{:>2}  {what}", e.code())),
            "decode --help lacks exit {}: {out}",
            e.code()
        );
    }
}

#[test]
fn decode_exit_follows_status_and_form() {
    let cases = [
        // enquire_link_resp, clean
        ("00000010800000150000000000000006", 0),
        // submit_sm_resp ESME_RTHROTTLED, well-formed (smppdiag serve's answer in the corpus)
        ("00000010800000040000005800000005", 1),
        // generic_nack ESME_RINVCMDLEN (Kannel's answer in the corpus)
        ("00000010800000000000000200000000", 1),
        // a malformed submit_sm_resp (command_length 20, 16 octets) with an error status: 3 before 1
        ("00000014800000040000005800000005", 3),
        // not hex at all
        ("hello there", 2),
    ];
    for (hex, want) in cases {
        let (code, out) = run(&["decode", hex]);
        assert_eq!(code, want, "decode {hex}: {out}");
        let (code, out) = run(&["decode", "--json", hex]);
        assert_eq!(code, want, "decode --json {hex}: {out}");
    }
}
