//! The README's ```` ```console ```` blocks are run as written, in order, in one scratch directory,
//! against the `smppdiag serve` the README itself starts. Rules a README example follows:
//! - `$ COMMAND` (a trailing `\` continues it) runs in bash with `pipefail`, the smppdiag under
//!   test first on PATH; the lines up to the next `$` are its expected output, compared after
//!   durations (`800 µs`, `1.2 ms`, `3 s`) are replaced by `[TIME]`; a line `...` stands for any
//!   number of lines. No output lines: the output is not compared.
//! - It must exit 0, unless the line ends with `# exit N`.
//! - The first `smppdiag serve --listen HOST:2775 ...` is started in the background (its port
//!   replaced by a free one, then `2775` in later commands by that port) and stopped at the end.
//! - ```` ```sh ```` blocks are illustrations (a real SMSC's host) and are not run.

use std::path::Path;
use std::process::Command;

use crate::peers::{repo_root, smppdiag_bin};

/// One example: the command and what it prints.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Example {
    line: usize,
    command: String,
    output: Vec<String>,
}

/// The examples of every console block, in order.
fn examples(readme: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_block = false;
    let mut continued = false;
    for (i, line) in readme.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_block = line.trim() == "```console";
            continued = false;
            continue;
        }
        if !in_block {
            continue;
        }
        match (continued, line.strip_prefix("$ "), out.last_mut()) {
            (true, _, Some(ex)) => {
                ex.command.push(' ');
                ex.command.push_str(line.trim());
            }
            (false, Some(cmd), _) => out.push(Example {
                line: i + 1,
                command: cmd.to_string(),
                output: vec![],
            }),
            (false, None, Some(ex)) => ex.output.push(line.to_string()),
            _ => panic!(
                "README.md:{}: console block output before any `$` line",
                i + 1
            ),
        }
        if let Some(ex) = out.last_mut() {
            continued = ex.command.ends_with('\\');
            if continued {
                ex.command.pop();
            }
        }
    }
    out
}

/// `# exit N` at the end of a command: N, else 0.
fn expected_code(command: &str) -> i32 {
    command
        .rsplit_once("# exit ")
        .and_then(|(_, n)| n.trim().parse().ok())
        .unwrap_or(0)
}

/// Replace durations like `800 µs`, `1.2 ms`, `12ms`, `3 s`, `0.5s` by `[TIME]`.
fn normalize(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let starts_number =
            chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_alphanumeric());
        if starts_number {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                j += 1;
            }
            let mut k = j;
            if k < chars.len() && chars[k] == ' ' {
                k += 1;
            }
            let rest: String = chars[k..].iter().take(3).collect();
            let unit = ["µs", "ms", "s"].into_iter().find(|u| {
                rest.starts_with(u)
                    && chars
                        .get(k + u.chars().count())
                        .is_none_or(|c| !c.is_alphanumeric())
            });
            if let Some(u) = unit {
                out.push_str("[TIME]");
                i = k + u.chars().count();
                continue;
            }
            out.extend(&chars[i..j]);
            i = j;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Does `got` match `want` (normalised; a `...` line in `want` matches any lines)?
fn matches(want: &[String], got: &[String]) -> bool {
    match want.split_first() {
        None => got.is_empty(),
        Some((w, rest)) if w.trim() == "..." => {
            (0..=got.len()).any(|skip| matches(rest, &got[skip..]))
        }
        Some((w, rest)) => got
            .split_first()
            .is_some_and(|(g, grest)| normalize(w) == normalize(g) && matches(rest, grest)),
    }
}

fn shell(command: &str, dir: &Path) -> Command {
    let bin_dir = smppdiag_bin().parent().expect("binary directory");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut c = Command::new("bash");
    c.args(["-o", "pipefail", "-c", command])
        .current_dir(dir)
        .env("PATH", path)
        .env("HOME", dir)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("SMPPDIAG_CONFIG")
        .env_remove("SMPP_SYSTEM_ID")
        .env_remove("SMPP_PASSWORD")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    c
}

/// Start the README's serve command in the background on a free port.
fn start_serve(command: &str) -> crate::util::Serve {
    let words: Vec<String> = command
        .split_whitespace()
        .skip(2) // smppdiag serve
        .map(|w| w.trim_matches('\'').to_string())
        .collect();
    let mut args: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if words[i] == "--listen" {
            args.extend(["--listen", "127.0.0.1:0"]);
            i += 2;
            continue;
        }
        args.push(&words[i]);
        i += 1;
    }
    crate::util::serve_raw(&args)
}

#[test]
fn readme_console_examples_run_as_written() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let all = examples(&readme);
    assert!(all.len() >= 5, "too few README examples: {all:?}");
    let dir = tempfile::tempdir().unwrap();
    let mut serve = None;
    let mut failures = Vec::new();
    for ex in &all {
        if serve.is_none() && ex.command.starts_with("smppdiag serve ") {
            serve = Some(start_serve(&ex.command));
            continue;
        }
        let command = match &serve {
            Some(s) => ex.command.replace("2775", &s.port.to_string()),
            None => ex.command.clone(),
        };
        let (code, text) =
            crate::util::run_cmd(shell(&command, dir.path()), crate::util::RUN_LIMIT);
        let got: Vec<String> = text.lines().map(str::to_string).collect();
        let want_code = expected_code(&ex.command);
        if code != want_code || (!ex.output.is_empty() && !matches(&ex.output, &got)) {
            failures.push(format!(
                "README.md:{}: $ {}\nexit {code} (want {want_code}); output:\n{text}\nwanted:\n{}\n",
                ex.line,
                ex.command,
                ex.output.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn harness_parts() {
    let md = "```console\n$ a \\\n  b\nout 1\n...\n$ c # exit 1\n```\n```sh\n$ not run\n```\n";
    let ex = examples(md);
    assert_eq!(ex.len(), 2);
    assert_eq!(ex[0].command, "a  b");
    assert_eq!(ex[0].output, ["out 1", "..."]);
    assert_eq!(expected_code(&ex[1].command), 1);
    assert_eq!(
        normalize("bound in 800 µs, p50 1.2ms, 3 s, seq 7"),
        "bound in [TIME], p50 [TIME], [TIME], seq 7"
    );
    let lines = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(matches(
        &lines(&["a", "...", "d"]),
        &lines(&["a", "b", "c", "d"])
    ));
    assert!(!matches(&lines(&["a", "d"]), &lines(&["a", "b", "d"])));
}
