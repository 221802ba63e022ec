//! Third-party SMPP peers for the integration tests: the node-smpp SMSC
//! (`tests/peers/smsc.js`), PDUs encoded by smpplib and by node-smpp, and Debian's
//! tshark as a reference decoder (`tests/peers/tshark_fields.py`).
//!
//! `scripts/install-test-deps.sh` installs all of them (`scripts/test.sh` and
//! `.ci/run` call it). A missing peer makes the calling test panic with a message
//! naming that command: a missing peer never lets a test pass silently.

// Helpers shared by several test modules; not every module uses every helper.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;

/// The command that installs every peer.
pub const INSTALL: &str = "bash scripts/install-test-deps.sh";

/// Root of the repository (where Cargo.toml is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/peers`, where the peer scripts and their installed dependencies live.
pub fn peers_dir() -> PathBuf {
    repo_root().join("tests").join("peers")
}

/// Panic loudly: a peer the test needs is not installed.
fn missing(what: &str, detail: &str) -> ! {
    panic!(
        "\n\n*** interoperability peer missing: {what} ***\n{detail}\n\
         Install the test peers with:\n\n    {INSTALL}\n\n\
         (scripts/test.sh runs it before `cargo test --all-targets`.)\n"
    )
}

fn on_path(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Check that node and node-smpp are installed; panic naming the installer if not.
pub fn require_node_smpp() {
    if !on_path("node") {
        missing("node", "`node` is not on PATH.");
    }
    let pkg = peers_dir()
        .join("node_modules")
        .join("smpp")
        .join("package.json");
    if !pkg.is_file() {
        missing(
            "node-smpp (npm package `smpp`)",
            &format!("{} does not exist.", pkg.display()),
        );
    }
}

/// The virtualenv's python with smpplib; panic naming the installer if absent.
pub fn require_smpplib() -> PathBuf {
    require_python_module("smpplib")
}

/// The virtualenv's python with the PyPI package `module` importable; panic naming the installer
/// if absent.
pub fn require_python_module(module: &str) -> PathBuf {
    let python = peers_dir().join(".venv").join("bin").join("python");
    if !python.is_file() {
        missing(
            &format!("{module} (PyPI) virtualenv"),
            &format!("{} does not exist.", python.display()),
        );
    }
    let ok = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        missing(
            &format!("{module} (PyPI)"),
            &format!("`{} -c 'import {module}'` fails.", python.display()),
        );
    }
    python
}

/// Check that tshark, text2pcap and python3 are on PATH; panic naming the installer if not.
pub fn require_tshark() {
    for tool in ["tshark", "text2pcap", "python3"] {
        if !on_path(tool) {
            missing(tool, &format!("`{tool}` is not on PATH."));
        }
    }
}

// ------------------------------------------------------------------ SMSC

/// A running node-smpp SMSC (`tests/peers/smsc.js`). Killed when dropped; its
/// stdin is a pipe, so it also exits by itself if the test process dies.
pub struct Smsc {
    child: Child,
    _stdin: ChildStdin,
    /// The loopback port it listens on.
    pub port: u16,
    events: Receiver<Value>,
    seen: Vec<Value>,
    stderr: Arc<Mutex<String>>,
}

/// How long to wait for the SMSC to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// Start `node tests/peers/smsc.js ARGS` and wait for its `listening` event.
pub fn node_smsc(args: &[&str]) -> Smsc {
    require_node_smpp();
    let script = peers_dir().join("smsc.js");
    let mut child = Command::new("node")
        .arg(&script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start node {}: {e}", script.display()));
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut stderr_pipe = child.stderr.take().expect("piped stderr");

    // Drain stdout all the time (a full pipe would stall the server) and turn
    // each line into an event.
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let value = serde_json::from_str::<Value>(&line)
                .unwrap_or_else(|_| serde_json::json!({"event": "stdout", "line": line}));
            if tx.send(value).is_err() {
                break;
            }
        }
    });
    let stderr = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&stderr);
    thread::spawn(move || {
        let mut buf = String::new();
        let _ = stderr_pipe.read_to_string(&mut buf);
        if let Ok(mut s) = sink.lock() {
            s.push_str(&buf);
        }
    });

    let mut smsc = Smsc {
        child,
        _stdin: stdin,
        port: 0,
        events: rx,
        seen: Vec::new(),
        stderr,
    };
    let listening = smsc.wait_event("listening", START_TIMEOUT);
    smsc.port = listening["port"]
        .as_u64()
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or_else(|| panic!("smsc.js printed a bad listening event: {listening}"));
    smsc
}

impl Smsc {
    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The next event not yet returned by this method, waiting up to `timeout`.
    pub fn next_event(&mut self, timeout: Duration) -> Option<Value> {
        match self.events.recv_timeout(timeout) {
            Ok(v) => {
                self.seen.push(v.clone());
                Some(v)
            }
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => None,
        }
    }

    /// Wait for the next event that satisfies `pred`; panic with everything seen
    /// (and the server's stderr) when none comes within `timeout`.
    pub fn wait_for(
        &mut self,
        timeout: Duration,
        what: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next_event(left) {
                Some(v) if pred(&v) => return v,
                Some(_) => {}
                None => panic!(
                    "smsc.js: no {what} within {timeout:?}.\nevents so far:\n{}\nstderr:\n{}",
                    self.seen
                        .iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .join("\n"),
                    self.stderr()
                ),
            }
        }
    }

    /// Wait for the next event named `name` (`bind`, `submit`, `message`, ...).
    pub fn wait_event(&mut self, name: &str, timeout: Duration) -> Value {
        self.wait_for(timeout, &format!("`{name}` event"), |v| v["event"] == name)
    }

    /// Every event received so far, including those already returned.
    pub fn events(&mut self) -> &[Value] {
        while let Ok(v) = self.events.try_recv() {
            self.seen.push(v);
        }
        &self.seen
    }

    /// Events named `name` received so far.
    pub fn events_named(&mut self, name: &str) -> Vec<Value> {
        self.events()
            .iter()
            .filter(|v| v["event"] == name)
            .cloned()
            .collect()
    }

    /// What the server wrote on stderr (complete only once it has exited).
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for Smsc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ------------------------------------------------------------------ encoded PDUs

/// One PDU encoded by a third-party library.
#[derive(Debug, Clone, Deserialize)]
pub struct Pdu {
    /// What the encoder script calls it (e.g. `submit_sm_ucs2_emoji`).
    pub name: String,
    /// The PDU as lowercase hex.
    pub hex: String,
}

fn run_json_lines<T: for<'de> Deserialize<'de>>(
    mut cmd: Command,
    what: &str,
    input: Option<&str>,
) -> Vec<T> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    if input.is_some() {
        cmd.stdin(Stdio::piped());
    } else {
        cmd.stdin(Stdio::null());
    }
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    if let Some(text) = input {
        let mut stdin = child.stdin.take().expect("piped stdin");
        let text = text.to_owned();
        // Write from a thread so a large input cannot deadlock against stdout.
        thread::spawn(move || {
            let _ = stdin.write_all(text.as_bytes());
        });
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("{what} did not finish: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{what} printed a bad line ({e}): {l}"))
        })
        .collect()
}

/// PDUs encoded by PyPI smpplib (`tests/peers/encode_smpplib.py`).
pub fn smpplib_pdus() -> Vec<Pdu> {
    let python = require_smpplib();
    let mut cmd = Command::new(python);
    cmd.arg(peers_dir().join("encode_smpplib.py"));
    run_json_lines(cmd, "encode_smpplib.py", None)
}

/// PDUs encoded by npm node-smpp (`tests/peers/encode_node.js`).
pub fn node_pdus() -> Vec<Pdu> {
    require_node_smpp();
    let mut cmd = Command::new("node");
    cmd.arg(peers_dir().join("encode_node.js"));
    run_json_lines(cmd, "encode_node.js", None)
}

// ------------------------------------------------------------------ tshark

/// One field tshark shows, with its position relative to the start of the PDU.
#[derive(Debug, Clone, Deserialize)]
pub struct TsharkField {
    /// tshark's field name, e.g. `smpp.source_addr`.
    pub name: String,
    /// What tshark displays as the value.
    #[serde(default)]
    pub show: Option<String>,
    /// The field's bytes as hex (for a bit field: the masked, shifted value).
    #[serde(default)]
    pub value: Option<String>,
    /// Byte offset in the PDU.
    pub pos: usize,
    /// Length in bytes.
    pub size: usize,
    /// tshark's field type, e.g. `FT_UINT8`, `FT_STRINGZ`.
    #[serde(default, rename = "type")]
    pub ftype: Option<String>,
    /// Mask of a bit field, e.g. `0x3c`.
    #[serde(default)]
    pub bitmask: Option<String>,
    /// For a bit field: the whole byte(s) as hex.
    #[serde(default)]
    pub unmaskedvalue: Option<String>,
    /// tshark's one-line description.
    #[serde(default)]
    pub showname: Option<String>,
    /// Hidden field.
    #[serde(default)]
    pub hidden: bool,
}

/// What tshark made of one PDU.
#[derive(Debug, Clone, Deserialize)]
pub struct TsharkPdu {
    /// Frame number (1-based, input order).
    pub frame: usize,
    /// The name given in the input, if any.
    #[serde(default)]
    pub name: Option<String>,
    /// The PDU as hex.
    pub hex: String,
    /// How many SMPP PDUs tshark found in the frame.
    pub smpp_frames: usize,
    /// Dissection problems tshark flagged (malformed, bound errors).
    pub errors: Vec<String>,
    /// Every field, in tshark's order.
    pub fields: Vec<TsharkField>,
}

/// Run PDUs (hex) through tshark; one result per PDU, in order.
pub fn tshark_fields(hexes: &[&str]) -> Vec<TsharkPdu> {
    require_tshark();
    let mut input = String::new();
    for h in hexes {
        input.push_str(h);
        input.push('\n');
    }
    let mut cmd = Command::new("python3");
    cmd.arg(peers_dir().join("tshark_fields.py"));
    let out: Vec<TsharkPdu> = run_json_lines(cmd, "tshark_fields.py", Some(&input));
    assert_eq!(
        out.len(),
        hexes.len(),
        "tshark_fields.py returned {} results for {} PDUs",
        out.len(),
        hexes.len()
    );
    out
}

/// The path of the smppdiag binary built for the integration tests.
pub fn smppdiag_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_smppdiag"))
}
