//! The client against a peer that misbehaves on purpose (tests/peers/hostile_smsc.py, issue 10):
//! each case asserts the documented exit code, a one-line cause, the summary counts and that
//! the run ends within a bound.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::peers::peers_dir;
use crate::util::{run_cmd, smppdiag};

/// A running hostile_smsc.py. Killed when dropped.
struct Hostile {
    child: Child,
    port: u16,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn hostile(mode: &str, extra: &[&str]) -> Hostile {
    let script = peers_dir().join("hostile_smsc.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .args(["--mode", mode])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("python3 {} cannot start: {e}", script.display()));
    let mut line = String::new();
    let stdout = child.stdout.take().expect("piped stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let port = line
        .trim()
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or_else(|| panic!("hostile_smsc.py printed {line:?}"));
    Hostile { child, port }
}

/// Run `smppdiag CMD --port P ARGS` against the peer; exit code, output, seconds taken.
fn against(peer: &Hostile, cmd: &str, args: &[&str], limit: Duration) -> (i32, String, f64) {
    let p = peer.port.to_string();
    let mut all = vec![cmd, "--port", p.as_str()];
    all.extend_from_slice(args);
    let t0 = Instant::now();
    let (code, out) = run_cmd(smppdiag(&all), limit);
    (code, out, t0.elapsed().as_secs_f64())
}

fn summary_json(out: &str) -> Value {
    out.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["event"] == "summary")
        .unwrap_or_else(|| panic!("no summary line in:\n{out}"))
}

fn error_json(out: &str) -> Value {
    out.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["event"] == "error")
        .unwrap_or_else(|| panic!("no error line in:\n{out}"))
}

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn bind_never_answered_times_out() {
    let peer = hostile("no-bind-resp", &[]);
    let (code, out, secs) = against(&peer, "bind", &["--response-timeout", "1"], LIMIT);
    assert_eq!(code, 4, "{out}");
    assert!(
        out.contains("no bind_transceiver_resp (sequence 1) within 1 s"),
        "{out}"
    );
    assert!(secs < 5.0, "{secs}");
}

#[test]
fn bind_answered_with_submit_sm_resp_is_not_bound() {
    let peer = hostile("bind-wrong-id", &[]);
    let (code, out, secs) = against(&peer, "bind", &[], LIMIT);
    assert_eq!(code, 3, "{out}");
    assert!(!out.contains("bound as"), "{out}");
    assert!(
        out.contains(
            "the peer answered bind_transceiver (sequence 1) with submit_sm_resp; \
             expected bind_transceiver_resp or generic_nack"
        ),
        "{out}"
    );
    assert!(secs < 5.0, "{secs}");
}

#[test]
fn submit_answered_with_enquire_link_resp_is_not_accepted() {
    let peer = hostile("submit-wrong-id", &[]);
    let (code, out, secs) = against(
        &peer,
        "send",
        &["--to", "1555", "--text", "hi", "--json", "--quiet"],
        LIMIT,
    );
    assert_eq!(code, 3, "{out}");
    let err = error_json(&out);
    assert_eq!(
        err["cause"],
        "the peer answered submit_sm (sequence 2) with enquire_link_resp; \
         expected submit_sm_resp or generic_nack",
        "{out}"
    );
    let s = summary_json(&out);
    assert_eq!(
        (
            &s["sent"],
            &s["accepted"],
            &s["unanswered"],
            &s["exit_code"]
        ),
        (
            &Value::from(1),
            &Value::from(0),
            &Value::from(1),
            &Value::from(3)
        ),
        "{out}"
    );
    assert!(secs < 5.0, "{secs}");
}

#[test]
fn flood_without_reading_does_not_hang_send() {
    let peer = hostile("flood", &[]);
    let (code, out, secs) = against(
        &peer,
        "send",
        &[
            "--to",
            "1555",
            "--text",
            "hi",
            "--quiet",
            "--response-timeout",
            "2",
        ],
        LIMIT,
    );
    assert_eq!(code, 4, "{out}");
    assert!(
        out.contains("the peer stopped reading") || out.contains("no submit_sm_resp"),
        "{out}"
    );
    assert!(
        out.contains("sent 1, accepted 0, rejected 0, unanswered 1"),
        "{out}"
    );
    assert!(secs < 15.0, "{secs}");
}

#[test]
fn flood_without_reading_does_not_hang_bind_hold() {
    let peer = hostile("flood", &[]);
    let (code, out, secs) = against(
        &peer,
        "bind",
        &["--quiet", "--hold", "5", "--response-timeout", "2"],
        LIMIT,
    );
    // --hold ends on time; the unbind that follows is never answered (the peer does not read),
    // or our writes stop first: either way a network failure within the timeouts.
    assert_eq!(code, 4, "{out}");
    assert!(
        out.contains("no unbind_resp (sequence 2) within 2 s")
            || out.contains("the peer stopped reading:"),
        "{out}"
    );
    assert!(secs < 15.0, "{secs}");
}

/// 10,000 messages to a peer that drops every 100th response: the run goes on to the end, each
/// silence counted unanswered once its response timeout passes (its window slot freed), and the
/// summary counts are exact. Bounded: 100 silences of 0.2 s over a window of 10.
#[test]
fn dropped_responses_are_counted_as_unanswered() {
    let peer = hostile("drop-every", &["--n", "100"]);
    let args = [
        "--to",
        "1555",
        "--text",
        "hi",
        "--count",
        "10000",
        "--window",
        "10",
        "--response-timeout",
        "0.2",
        "--quiet",
    ];
    let cause = "100 submit_sm unanswered: no submit_sm_resp within 200.0 ms (first: sequence 101)";
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let (code, out, secs) = against(&peer, "send", &json_args, LIMIT);
    assert_eq!(code, 4, "{out}");
    assert_eq!(error_json(&out)["cause"], cause, "{out}");
    let s = summary_json(&out);
    let counts = [
        "sent",
        "accepted",
        "unanswered",
        "timed_out",
        "late",
        "failed",
    ]
    .map(|k| &s[k]);
    assert_eq!(
        counts,
        [10000, 9900, 100, 100, 0, 0].map(Value::from).each_ref(),
        "{out}"
    );
    assert_eq!(s["rejected"], serde_json::json!({}), "{out}");
    assert_eq!(
        (&s["exit_code"], &s["ok"]),
        (&Value::from(4), &Value::from(false))
    );
    assert!(secs < 20.0, "{secs}");

    let (code, out, secs) = against(&peer, "send", &args, LIMIT);
    assert_eq!(code, 4, "{out}");
    let failures: Vec<&str> = out.lines().filter(|l| l.starts_with('✗')).collect();
    assert_eq!(
        failures,
        [format!("✗ {cause}").as_str(), "✗ failed"],
        "{out}"
    );
    assert!(
        out.contains("  sent 10000, accepted 9900, rejected 0, unanswered 100, retries 0,"),
        "{out}"
    );
    assert!(secs < 20.0, "{secs}");
}

/// Without --quiet every silence is a note, and the summary is the same.
#[test]
fn dropped_responses_are_noted_one_by_one() {
    let peer = hostile("drop-every", &["--n", "10"]);
    let (code, out, _) = against(
        &peer,
        "send",
        &[
            "--to",
            "1555",
            "--text",
            "hi",
            "--count",
            "30",
            "--response-timeout",
            "0.2",
        ],
        LIMIT,
    );
    assert_eq!(code, 4, "{out}");
    let notes: Vec<&str> = out.lines().filter(|l| l.contains("⌛")).collect();
    assert_eq!(notes.len(), 3, "{out}");
    assert!(
        notes[0].contains("no submit_sm_resp (sequence 11) within 200.0 ms: counted unanswered"),
        "{out}"
    );
    assert!(
        out.contains("sent 30, accepted 27, rejected 0, unanswered 3, retries 0,"),
        "{out}"
    );
}

/// `--timeout` ends the run where it is, and the summary of what was done still comes.
#[test]
fn overall_timeout_prints_the_partial_summary() {
    let peer = hostile("drop-every", &["--n", "100"]);
    let (code, out, secs) = against(
        &peer,
        "send",
        &[
            "--to",
            "1555",
            "--text",
            "hi",
            "--count",
            "100000000",
            "--window",
            "10",
            "--response-timeout",
            "0.2",
            "--timeout",
            "1",
            "--json",
            "--quiet",
        ],
        LIMIT,
    );
    assert_eq!(code, 4, "{out}");
    assert_eq!(
        error_json(&out)["cause"],
        "send did not finish within 1 s",
        "{out}"
    );
    let s = summary_json(&out);
    let n = |k: &str| s[k].as_u64().unwrap_or_else(|| panic!("{k}: {out}"));
    assert!(n("sent") > 0 && n("accepted") > 0, "{out}");
    assert_eq!(n("sent"), n("accepted") + n("unanswered"), "{out}");
    assert!(n("unanswered") >= n("timed_out"), "{out}");
    assert!(n("unanswered") <= n("timed_out") + 10, "{out}");
    assert_eq!(s["exit_code"], 4, "{out}");
    assert!(secs < 6.0, "{secs}");
}

#[test]
fn close_mid_window_prints_summary() {
    let peer = hostile("close-mid-window", &["--n", "5"]);
    let (code, out, secs) = against(
        &peer,
        "send",
        &[
            "--to", "1555", "--text", "hi", "--count", "20", "--window", "5", "--quiet",
        ],
        LIMIT,
    );
    assert_eq!(code, 4, "{out}");
    assert!(
        out.contains("the peer closed the connection while we waited for submit_sm_resp"),
        "{out}"
    );
    assert!(
        out.contains("sent 5, accepted 0, rejected 0, unanswered 5"),
        "{out}"
    );
    assert!(out.contains("✗ failed"), "{out}");
    assert!(secs < 5.0, "{secs}");
}

#[test]
fn trickled_bind_response_times_out() {
    let peer = hostile("trickle", &["--delay", "0.2"]);
    let (code, out, secs) = against(&peer, "bind", &["--response-timeout", "1"], LIMIT);
    assert_eq!(code, 4, "{out}");
    assert!(
        out.contains("no bind_transceiver_resp (sequence 1) within 1 s"),
        "{out}"
    );
    assert!(secs < 5.0, "{secs}");
}

#[test]
fn giant_length_is_a_frame_error() {
    let peer = hostile("giant-length", &[]);
    let (code, out, secs) = against(&peer, "bind", &["--hold", "5"], LIMIT);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains(
            "the peer sent a command_length of 4294967280 (0xFFFFFFF0), beyond any legal PDU size"
        ),
        "{out}"
    );
    assert!(secs < 5.0, "{secs}");
}

#[test]
fn ctrl_c_unbinds_prints_the_partial_summary_and_exits_130() {
    let mut serve = crate::util::serve(&["--accept-any", "--latency", "100"]);
    let p = serve.port.to_string();
    let mut cmd = smppdiag(&[
        "send", "--port", &p, "--to", "1555", "--text", "hi", "--count", "1000", "--quiet",
    ]);
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start send");
    std::thread::sleep(Duration::from_millis(1500));
    let t0 = Instant::now();
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "kill -INT failed");
    let out = child.wait_with_output().expect("wait for send");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{text}");
    assert!(t0.elapsed() < Duration::from_secs(5));
    assert!(text.contains("✗ interrupted\n"), "{text}");
    assert!(text.contains("summary\n  messages 1000"), "{text}");
    assert!(text.contains("✗ interrupted (partial summary)"), "{text}");
    serve.wait_line("the client's unbind", |l| l.contains("unbind"));
}

#[test]
fn extreme_option_values_are_usage_errors() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["send", "--to", "1", "--text", "x", "--rate", "1e-20"],
            "error: --rate must be between 0.01 and 1000000 messages per second, got 1e-20",
        ),
        (
            &[
                "send",
                "--to",
                "1",
                "--text",
                "x",
                "--connect-timeout",
                "1e30",
            ],
            "error: --connect-timeout must be between 0 and 604800 seconds, got 1e30",
        ),
        (
            &["bind", "--response-timeout", "NaN"],
            "error: --response-timeout must be between 0.001 and 604800 seconds, got NaN",
        ),
        (
            &[
                "send",
                "--to",
                "1",
                "--text",
                "x",
                "--response-timeout",
                "0",
            ],
            "error: --response-timeout must be between 0.001 and 604800 seconds, got 0",
        ),
        (
            &["send", "--to", "1", "--text", "x", "--timeout", "0"],
            "error: --timeout must be between 0.001 and 604800 seconds, got 0",
        ),
        (
            &["send", "--to", "1", "--text", "x", "--count", "0"],
            "error: invalid value '0' for '--count <COUNT>': 0 is not in 1..18446744073709551615",
        ),
        (
            &["unbind", "--linger", "1e30"],
            "error: --linger must be between 0 and 604800 seconds, got 1e30",
        ),
        (
            &["send", "--to", "1", "--text", "x", "--retry-delay", "1e30"],
            "error: --retry-delay must be between 0 and 604800 seconds, got 1e30",
        ),
        (
            &["send", "--to", "1", "--text", "x", "--wait-dlr", "1e300"],
            "error: --wait-dlr must be between 0 and 604800 seconds, got 1e300",
        ),
        (
            &[
                "serve",
                "--accept-any",
                "--listen",
                "127.0.0.1:0",
                "--max-seconds",
                "1e30",
            ],
            "error: --max-seconds must be between 0.001 and 604800 seconds, got 1e30",
        ),
        (
            &[
                "serve",
                "--accept-any",
                "--listen",
                "127.0.0.1:0",
                "--bind-timeout",
                "0",
            ],
            "error: --bind-timeout must be between 0.001 and 604800 seconds, got 0",
        ),
        (
            &[
                "serve",
                "--accept-any",
                "--listen",
                "127.0.0.1:0",
                "--latency",
                "99999999999",
            ],
            "expected MS or MS:JITTER (milliseconds, each at most 3600000)",
        ),
    ];
    for (args, want) in cases {
        let (code, out) = run_cmd(smppdiag(args), LIMIT);
        assert_eq!(code, 2, "{args:?}: {out}");
        assert!(out.contains(want), "{args:?}: {out}");
        assert!(!out.contains("TLS") && !out.contains("panicked"), "{out}");
    }
}

/// The JUnit report of a run with silences: each unanswered message is a failed case carrying
/// the request nobody answered; a run cut short ends with a failed case naming the cause.
#[test]
fn junit_names_unanswered_messages_and_a_run_cut_short() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("send.xml");
    let junit = report.to_str().unwrap();
    let peer = hostile("drop-every", &["--n", "3"]);
    let (code, out, _) = against(
        &peer,
        "send",
        &[
            "--to",
            "1555",
            "--text",
            "hi",
            "--count",
            "6",
            "--window",
            "2",
            "--response-timeout",
            "0.2",
            "--quiet",
            "--junit",
            junit,
        ],
        LIMIT,
    );
    assert_eq!(code, 4, "{out}");
    let j = crate::junit::junitparser_reads_file(&report);
    let cases = j["suites"][0]["cases"].as_array().unwrap();
    let failed: Vec<&Value> = cases
        .iter()
        .filter(|c| c["result"]["kind"] == "failure")
        .collect();
    assert_eq!(cases.len(), 7, "{j}");
    assert_eq!(failed.len(), 2, "{j}");
    assert_eq!(
        failed[0]["name"],
        "message 3: submit_sm to 1555 answers ESME_ROK"
    );
    assert_eq!(
        failed[0]["result"]["message"],
        "expected ESME_ROK, got no response within 200.0 ms"
    );
    let text = failed[0]["result"]["text"].as_str().unwrap();
    assert!(
        text.starts_with("no response within 200.0 ms to this request (sequence number as sent aside):\nsubmit_sm  ESME_ROK  seq 0  "),
        "{text}"
    );
    assert!(text.contains("destination_addr        \"1555\""), "{text}");

    let peer = hostile("close-mid-window", &["--n", "3"]);
    let (code, out, _) = against(
        &peer,
        "send",
        &[
            "--to", "1555", "--text", "hi", "--count", "5", "--window", "5", "--quiet", "--junit",
            junit,
        ],
        LIMIT,
    );
    assert_eq!(code, 4, "{out}");
    let j = crate::junit::junitparser_reads_file(&report);
    let cases = j["suites"][0]["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 7, "{j}");
    assert_eq!(
        cases[1]["result"]["message"],
        "expected ESME_ROK, got no answer before the run stopped"
    );
    let last = &cases[6];
    assert_eq!(last["name"], "the send run answers a complete run");
    assert!(
        last["result"]["message"]
            .as_str()
            .unwrap()
            .starts_with("expected a complete run, got the peer closed the connection"),
        "{j}"
    );
}
