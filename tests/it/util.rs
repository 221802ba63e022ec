//! Helpers shared by several test modules: our own `smppdiag serve` as a child process
//! ([`serve`]) and one-shot runs of the smppdiag binary with a time limit ([`run`], [`run_on`]).

// Not every module uses every helper.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::peers::smppdiag_bin;

// ------------------------------------------------------------------ smppdiag serve

/// A running `smppdiag serve`. Killed when dropped.
pub struct Serve {
    child: Child,
    /// The port of its first listener.
    pub port: u16,
    lines: Receiver<String>,
    seen: Vec<String>,
}

/// How long to wait for serve's first line and for any awaited event.
const SERVE_WAIT: Duration = Duration::from_secs(20);

/// `smppdiag --color never serve --listen 127.0.0.1:0 ARGS`, once it printed its first line.
pub fn serve(args: &[&str]) -> Serve {
    let mut all = vec!["--listen", "127.0.0.1:0"];
    all.extend_from_slice(args);
    serve_raw(&all)
}

/// `smppdiag --color never serve ARGS` (no listener added: give `--listen` or `--listen-tls`);
/// the port is read from the first line, `listening on ADDR` or the JSON `listening` event.
pub fn serve_raw(args: &[&str]) -> Serve {
    listening("serve", args)
}

/// `smppdiag --color never proxy ARGS` (give `--listen` and `--upstream`), once it printed its
/// first line (the listener).
pub fn proxy(args: &[&str]) -> Serve {
    listening("proxy", args)
}

/// `smppdiag --color never CMD ARGS` for a command that listens and prints `listening` first.
fn listening(cmd: &str, args: &[&str]) -> Serve {
    let mut child = Command::new(smppdiag_bin())
        .args(["--color", "never", cmd])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("start smppdiag {cmd}: {e}"));
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = match rx.recv_timeout(SERVE_WAIT) {
        Ok(l) => l,
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("serve {args:?} printed nothing within {SERVE_WAIT:?}");
        }
    };
    let port = match serde_json::from_str::<Value>(&first) {
        Ok(v) => {
            assert_eq!(v["event"], "listening", "{first}");
            v["port"].as_u64().expect("port") as u16
        }
        Err(_) => first
            .strip_prefix("listening on ")
            .and_then(|a| a.split_whitespace().next())
            .and_then(|a| a.rsplit_once(':'))
            .and_then(|(_, p)| p.parse().ok())
            .unwrap_or_else(|| panic!("first line is not `listening on ADDR`: {first}")),
    };
    Serve {
        child,
        port,
        lines: rx,
        seen: vec![first],
    }
}

impl Serve {
    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Wait (up to 20 s) for a line satisfying `pred`; panic with the output so far if none.
    pub fn wait_line(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + SERVE_WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    self.seen.push(l.clone());
                    if pred(&l) {
                        return l;
                    }
                }
                Err(_) => panic!("serve: no {what}; output so far:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// Wait (up to 20 s) for a JSON event satisfying `pred`.
    pub fn wait_json(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let line = self.wait_line(what, |l| {
            serde_json::from_str::<Value>(l).is_ok_and(|v| pred(&v))
        });
        serde_json::from_str(&line).expect("checked above")
    }

    /// Every line printed so far (the ones not yet awaited included).
    pub fn lines(&mut self) -> &[String] {
        while let Ok(l) = self.lines.try_recv() {
            self.seen.push(l);
        }
        &self.seen
    }

    /// Every JSON event printed so far.
    pub fn json_events(&mut self) -> Vec<Value> {
        self.lines()
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Wait for the process to end (after --max-seconds or a signal); every line it printed.
    pub fn finish(mut self) -> (Vec<String>, ExitStatus) {
        let deadline = Instant::now() + SERVE_WAIT;
        let status = loop {
            if let Ok(Some(s)) = self.child.try_wait() {
                break s;
            }
            assert!(
                Instant::now() < deadline,
                "serve did not exit; output:\n{}",
                self.seen.join("\n")
            );
            thread::sleep(Duration::from_millis(20));
        };
        while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(2)) {
            self.seen.push(l);
        }
        (std::mem::take(&mut self.seen), status)
    }

    /// SIGINT (Ctrl-C), then [`Serve::finish`].
    pub fn interrupt(self) -> (Vec<String>, ExitStatus) {
        let ok = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "kill -INT failed");
        self.finish()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ------------------------------------------------------------------ one-shot smppdiag runs

/// The longest any one-shot smppdiag run may take before the test kills it and fails.
pub const RUN_LIMIT: Duration = Duration::from_secs(60);

/// A `smppdiag --color never ARGS` command with a clean environment (no colour or credential
/// variables), stdin closed.
pub fn smppdiag(args: &[&str]) -> Command {
    let mut cmd = Command::new(smppdiag_bin());
    cmd.env_remove("NO_COLOR")
        .env_remove("SMPP_SYSTEM_ID")
        .env_remove("SMPP_PASSWORD")
        .env_remove("SMPPDIAG_CONFIG")
        .args(["--color", "never"])
        .args(args)
        .stdin(Stdio::null());
    cmd
}

/// Run `cmd` to its end, killing it (and failing) after `limit`: exit code (-1 when killed by a
/// signal) and stdout followed by stderr.
pub fn run_cmd(mut cmd: Command, limit: Duration) -> (i32, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run smppdiag");
    let drain = |mut r: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut b = Vec::new();
            let _ = r.read_to_end(&mut b);
            b
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let err = drain(Box::new(child.stderr.take().expect("piped stderr")));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Ok(Some(s)) = child.try_wait() {
            break s;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            let o = out.join().unwrap_or_default();
            let e = err.join().unwrap_or_default();
            panic!(
                "{cmd:?} still running after {limit:?}; output:\n{}{}",
                String::from_utf8_lossy(&o),
                String::from_utf8_lossy(&e)
            );
        }
        thread::sleep(Duration::from_millis(10));
    };
    let o = out.join().unwrap_or_default();
    let e = err.join().unwrap_or_default();
    let text = String::from_utf8_lossy(&o).into_owned() + &String::from_utf8_lossy(&e);
    (status.code().unwrap_or(-1), text)
}

/// `smppdiag --color never ARGS`, at most [`RUN_LIMIT`]: exit code and stdout + stderr.
pub fn run(args: &[&str]) -> (i32, String) {
    run_cmd(smppdiag(args), RUN_LIMIT)
}

/// `smppdiag CMD --port PORT ARGS...`
pub fn run_on(port: u16, cmd: &str, args: &[&str]) -> (i32, String) {
    let p = port.to_string();
    let mut all: Vec<&str> = vec![cmd, "--port", &p];
    all.extend_from_slice(args);
    run(&all)
}

/// `smppdiag --color never` as a snapbox command (for output snapshots), colour variables removed.
pub fn snap() -> snapbox::cmd::Command {
    snapbox::cmd::Command::new(snapbox::cmd::cargo_bin!("smppdiag"))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .arg("--color")
        .arg("never")
}
