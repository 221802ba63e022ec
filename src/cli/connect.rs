//! What `bind`, `send` and `unbind` share: the connection and bind options, the output of a
//! session (every PDU as an annotated dump from the bytes that crossed the wire, or JSON Lines),
//! Ctrl-C handling and the reporting of failures.

use std::collections::HashSet;
use std::io::{BufWriter, Stdout, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use anyhow::Context;
use serde_json::json;

use crate::capture::writer::PcapRecorder;
use crate::capture::Direction as CaptureDirection;
use crate::codec;
use crate::exit::Exit;
use crate::render::dump::{dump, DumpOptions};
use crate::render::json::{pdu_json, JsonOptions};
use crate::render::{Role, Style};
use crate::session::conn::{self, ConnectOptions, Stream, TlsOptions};
use crate::session::{
    fmt_dur, BindMode, BindParams, Direction, Note, Observer, Session, SessionError,
};
use crate::spec::status;

/// Connection, bind and output options shared by `bind`, `send` and `unbind`.
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectArgs {
    /// Take host, port, TLS, system_id, bind mode and the password from this profile of
    /// ~/.config/smppdiag/config.toml (`smppdiag profiles` lists them); options given here win.
    #[arg(long, value_name = "NAME", help_heading = "Connection")]
    pub profile: Option<String>,
    /// The options given on the command line or in the environment (filled in by `cli::parse`),
    /// which a profile does not override.
    #[arg(skip)]
    pub explicit: Vec<String>,
    /// SMSC host name or address.
    #[arg(long, default_value = "127.0.0.1", help_heading = "Connection")]
    pub host: String,
    /// SMSC port.
    #[arg(long, default_value_t = 2775, help_heading = "Connection")]
    pub port: u16,
    /// Use TLS (rustls; system roots plus --ca; SNI from --host).
    #[arg(long, help_heading = "Connection")]
    pub tls: bool,
    /// Extra CA certificate(s) to trust, PEM.
    #[arg(long, value_name = "FILE", help_heading = "Connection")]
    pub ca: Option<PathBuf>,
    /// Do not verify the server certificate (testing only).
    #[arg(long, help_heading = "Connection")]
    pub tls_insecure: bool,
    /// Seconds allowed for TCP connect and TLS handshake.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 10.0,
        help_heading = "Connection"
    )]
    pub connect_timeout: f64,
    /// Seconds to wait for each response.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 10.0,
        help_heading = "Connection"
    )]
    pub response_timeout: f64,
    /// Seconds the whole command may take (default: no limit beyond the other timeouts).
    #[arg(long, value_name = "SECS", help_heading = "Connection")]
    pub timeout: Option<f64>,

    /// system_id to bind with.
    #[arg(
        long,
        env = "SMPP_SYSTEM_ID",
        default_value = "",
        hide_env_values = true,
        help_heading = "Bind"
    )]
    pub system_id: String,
    /// Password (prefer SMPP_PASSWORD or --password-file: argv is visible to other users and CI logs).
    #[arg(
        long,
        env = "SMPP_PASSWORD",
        hide_env_values = true,
        help_heading = "Bind"
    )]
    pub password: Option<String>,
    /// Read the password from this file (first line).
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "password",
        help_heading = "Bind"
    )]
    pub password_file: Option<PathBuf>,
    /// system_type.
    #[arg(long, default_value = "", help_heading = "Bind")]
    pub system_type: String,
    /// interface_version: 3.3, 3.4 or 5.0.
    #[arg(long, default_value = "3.4", value_parser = ["3.3", "3.4", "5.0"], help_heading = "Bind")]
    pub interface_version: String,
    /// addr_ton of the bind.
    #[arg(long, default_value_t = 0, help_heading = "Bind")]
    pub addr_ton: u8,
    /// addr_npi of the bind.
    #[arg(long, default_value_t = 0, help_heading = "Bind")]
    pub addr_npi: u8,
    /// address_range of the bind.
    #[arg(long, default_value = "", help_heading = "Bind")]
    pub address_range: String,
    /// Bind mode (default: tx for send, trx for send --wait-dlr and for bind/unbind).
    #[arg(long, value_enum, help_heading = "Bind")]
    pub bind_mode: Option<BindMode>,

    /// JSON Lines: one object per PDU (as `decode --json`, plus direction and time) and a summary.
    #[arg(long, help_heading = "Output")]
    pub json: bool,
    /// Print the summary only.
    #[arg(long, short = 'q', help_heading = "Output")]
    pub quiet: bool,
    /// Show passwords instead of redacting them.
    #[arg(long, help_heading = "Output")]
    pub show_secrets: bool,
    /// Also write every PDU of the session, both ways, to this pcap file (opens in Wireshark;
    /// `smppdiag decode --pcap` reads it back).
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub pcap_out: Option<PathBuf>,
}

fn secs(what: &str, v: f64) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(v)
        .map_err(|_| anyhow::anyhow!("{what} must be a number of seconds >= 0, got {v}"))
}

impl ConnectArgs {
    /// Where to connect.
    pub fn connect_options(&self) -> anyhow::Result<ConnectOptions> {
        Ok(ConnectOptions {
            host: self.host.clone(),
            port: self.port,
            tls: (self.tls || self.ca.is_some() || self.tls_insecure).then(|| TlsOptions {
                ca: self.ca.clone(),
                insecure: self.tls_insecure,
            }),
            timeout: secs("--connect-timeout", self.connect_timeout)?,
        })
    }

    /// The response timeout.
    pub fn response_timeout(&self) -> anyhow::Result<Duration> {
        secs("--response-timeout", self.response_timeout)
    }

    /// The overall limit, if any.
    pub fn overall(&self) -> anyhow::Result<Option<Duration>> {
        self.timeout.map(|t| secs("--timeout", t)).transpose()
    }

    /// The bind parameters, with `default_mode` unless --bind-mode was given.
    pub fn bind_params(&self, default_mode: BindMode) -> anyhow::Result<BindParams> {
        let password = match (&self.password, &self.password_file) {
            (Some(p), _) => p.clone(),
            (None, Some(f)) => {
                let t = std::fs::read_to_string(f)
                    .with_context(|| format!("reading --password-file {}", f.display()))?;
                t.lines().next().unwrap_or_default().to_string()
            }
            (None, None) => String::new(),
        };
        if password.is_empty() {
            warn_empty_password();
        }
        let interface_version = match self.interface_version.as_str() {
            "3.3" => 0x33,
            "5.0" => 0x50,
            _ => 0x34,
        };
        Ok(BindParams {
            mode: self.bind_mode.unwrap_or(default_mode),
            system_id: self.system_id.clone(),
            password,
            system_type: self.system_type.clone(),
            interface_version,
            addr_ton: self.addr_ton,
            addr_npi: self.addr_npi,
            address_range: self.address_range.clone(),
        })
    }
}

/// Binding with an empty password is legal but usually a mistake (a missing SMPP_PASSWORD or
/// profile): say so once, on stderr.
fn warn_empty_password() {
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "warning: binding with an empty password (give --password-file, SMPP_PASSWORD or \
             --profile)"
        );
    }
}

/// How a session is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Annotated dumps and notes.
    Human,
    /// JSON Lines.
    Json,
    /// Summary only (human).
    Quiet,
    /// Summary only (one JSON object).
    QuietJson,
}

/// The output of a session: shared by the session (as its [`Observer`]) and the command.
pub struct Out {
    /// Output style.
    pub style: Style,
    /// What to print.
    pub mode: Mode,
    dump: DumpOptions,
    json: JsonOptions,
    explained: HashSet<u32>,
    w: BufWriter<Stdout>,
    pcap: Option<Recording>,
}

/// A `--pcap-out` recording: the session's bytes with synthetic TCP/IP framing.
struct Recording {
    rec: Option<PcapRecorder>,
    start: SystemTime,
}

impl Recording {
    /// Start recording to `path`. The capture's addresses are the SMSC's (when the host is an
    /// address; a documentation address otherwise) and a made-up client port: only labels.
    fn create(path: &std::path::Path, host: &str, port: u16) -> anyhow::Result<Self> {
        let server_ip: IpAddr = host
            .parse()
            .unwrap_or(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1)));
        let client_ip = match server_ip {
            IpAddr::V4(a) if a.is_loopback() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)),
            IpAddr::V6(a) if a.is_loopback() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 10)),
        };
        let rec = PcapRecorder::create(
            path,
            SocketAddr::new(client_ip, 40000),
            SocketAddr::new(server_ip, port),
        )
        .with_context(|| format!("creating {}", path.display()))?;
        Ok(Recording {
            rec: Some(rec),
            start: SystemTime::now(),
        })
    }

    fn record(&mut self, dir: Direction, bytes: &[u8], at: Duration) {
        let d = match dir {
            Direction::Sent => CaptureDirection::ClientToServer,
            Direction::Received => CaptureDirection::ServerToClient,
        };
        if let Some(r) = self.rec.as_mut() {
            if r.record(d, bytes, self.start + at).is_err() {
                self.rec = None; // a failing file stops recording, never the session
            }
        }
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        if let Some(r) = self.rec.take() {
            let _ = r.finish();
        }
    }
}

/// A handle on the shared output.
#[derive(Clone)]
pub struct OutHandle(pub Arc<Mutex<Out>>);

impl OutHandle {
    /// New output for these options.
    pub fn new(args: &ConnectArgs, style: Style) -> anyhow::Result<Self> {
        let mode = match (args.json, args.quiet) {
            (false, false) => Mode::Human,
            (true, false) => Mode::Json,
            (false, true) => Mode::Quiet,
            (true, true) => Mode::QuietJson,
        };
        Ok(OutHandle(Arc::new(Mutex::new(Out {
            style,
            mode,
            dump: DumpOptions {
                show_secrets: args.show_secrets,
                ..DumpOptions::default()
            },
            json: JsonOptions {
                show_secrets: args.show_secrets,
            },
            explained: HashSet::new(),
            w: BufWriter::new(std::io::stdout()),
            pcap: match &args.pcap_out {
                Some(p) => Some(Recording::create(p, &args.host, args.port)?),
                None => None,
            },
        }))))
    }

    /// Run `f` on the output.
    pub fn with<R>(&self, f: impl FnOnce(&mut Out) -> R) -> R {
        match self.0.lock() {
            Ok(mut g) => f(&mut g),
            Err(p) => f(&mut p.into_inner()),
        }
    }
}

impl Out {
    /// True for JSON modes.
    pub fn is_json(&self) -> bool {
        matches!(self.mode, Mode::Json | Mode::QuietJson)
    }

    /// True when every PDU is printed.
    pub fn verbose(&self) -> bool {
        matches!(self.mode, Mode::Human | Mode::Json)
    }

    /// Write a line of human text (ignored in JSON modes).
    pub fn line(&mut self, s: &str) {
        if !self.is_json() {
            let _ = writeln!(self.w, "{s}");
        }
    }

    /// Write a JSON object as one line (ignored in human modes).
    pub fn json_line(&mut self, v: &serde_json::Value) {
        if self.is_json() {
            let _ = serde_json::to_writer(&mut self.w, v);
            let _ = writeln!(self.w);
        }
    }

    /// Paint with the style.
    pub fn paint(&self, role: Role, s: &str) -> String {
        self.style.paint(role, s)
    }

    /// The explanation block of a status, once per status per run (human modes).
    pub fn explain(&mut self, status: u32) {
        if status != 0 && !self.is_json() && self.explained.insert(status) {
            let block = super::status_block(status, &self.style);
            let _ = write!(self.w, "{block}");
            if !block.ends_with('\n') {
                let _ = writeln!(self.w);
            }
        }
    }

    /// Flush stdout.
    pub fn flush(&mut self) {
        let _ = self.w.flush();
    }

    /// Report a failure: one line with the cause, the dump of what was received, the exit code.
    pub fn failure(&mut self, err: &SessionError) -> Exit {
        let exit = err.exit();
        if self.is_json() {
            let mut o = json!({
                "event": "error",
                "cause": err.to_string(),
                "exit_code": exit.code(),
            });
            if let Some(b) = err.received() {
                o["received_hex"] = json!(hex::encode_upper(b));
                o["received"] = pdu_json(&codec::decode(b), 0, &self.json);
            }
            self.json_line(&o);
        } else {
            let cause = self.paint(Role::Error, &format!("✗ {err}"));
            self.line(&cause);
            if let Some(b) = err.received() {
                self.line(&format!("  what was received ({} octets):", b.len()));
                let d = codec::decode(b);
                let text = dump(&d, &self.style, &self.dump);
                for l in text.lines() {
                    self.line(&format!("    {l}"));
                }
            }
        }
        exit
    }

    fn pdu_event(&mut self, dir: Direction, bytes: &[u8], at: Duration, rtt: Option<Duration>) {
        if let Some(p) = self.pcap.as_mut() {
            p.record(dir, bytes, at);
        }
        match self.mode {
            Mode::Human => {
                let d = codec::decode(bytes);
                let text = dump(&d, &self.style, &self.dump);
                let mut lines = text.lines();
                let title = lines.next().unwrap_or_default();
                let rtt = rtt.map_or(String::new(), |r| {
                    self.paint(Role::Dim, &format!("  rtt {}", fmt_dur(r)))
                });
                let head = format!(
                    "{} {}  {title}{rtt}",
                    self.paint(Role::Heading, dir.marker()),
                    self.paint(Role::Dim, &format!("+{:.3}s", at.as_secs_f64())),
                );
                let _ = writeln!(self.w, "\n{head}");
                for l in lines {
                    let _ = writeln!(self.w, "{l}");
                }
                if let Some(h) = d.header {
                    if h.command_status != 0 && crate::spec::commands::is_response(h.command_id) {
                        let _ = writeln!(self.w);
                        self.explain(h.command_status);
                    }
                }
            }
            Mode::Json => {
                let d = codec::decode(bytes);
                let mut j = pdu_json(&d, 0, &self.json);
                if !self.json.show_secrets {
                    redact_hex(&mut j);
                }
                if let Some(o) = j.as_object_mut() {
                    o.insert("event".into(), json!("pdu"));
                    o.insert("direction".into(), json!(dir.word()));
                    o.insert("time_s".into(), json!(at.as_secs_f64()));
                    if let Some(r) = rtt {
                        o.insert("rtt_ms".into(), json!(r.as_secs_f64() * 1000.0));
                    }
                }
                self.json_line(&j);
            }
            Mode::Quiet | Mode::QuietJson => {}
        }
    }

    fn note_event(&mut self, at: Duration, note: &Note) {
        if !self.verbose() {
            return;
        }
        let t = format!("+{:.3}s", at.as_secs_f64());
        let (kind, text, extra) = match note {
            Note::Retry {
                message,
                part,
                status,
                failures,
                delay,
            } => (
                "retry",
                format!(
                    "↻ message {} part {part}: {} ({}), failure {failures}: retrying in {}",
                    message + 1,
                    status::explain(*status).name,
                    status::explain(*status).retry.label(),
                    fmt_dur(*delay)
                ),
                json!({"message": message + 1, "part": part, "status": status,
                       "status_name": status::explain(*status).name,
                       "failures": failures, "delay_ms": delay.as_secs_f64() * 1000.0}),
            ),
            Note::GiveUp {
                message,
                part,
                status,
                reason,
            } => (
                "give_up",
                format!(
                    "✗ message {} part {part}: {} — not sent again ({reason})",
                    message + 1,
                    status::explain(*status).name
                ),
                json!({"message": message + 1, "part": part, "status": status,
                       "status_name": status::explain(*status).name, "reason": reason}),
            ),
            Note::SlowDown { rate } => (
                "slow_down",
                format!("⏬ the SMSC asks us to slow down: send rate lowered to {rate:.1}/s"),
                json!({"rate": rate}),
            ),
            Note::Receipt {
                message_id,
                state,
                ours,
            } => (
                "receipt",
                format!(
                    "✉ receipt for {message_id}: {state}{}",
                    if *ours { "" } else { " (not one of ours)" }
                ),
                json!({"message_id": message_id, "state": state, "ours": ours}),
            ),
            Note::Malformed(m) => ("malformed", format!("⚠ {m}"), json!({})),
            Note::Unmatched(m) => ("unmatched", format!("⚠ {m}"), json!({})),
            Note::Info(m) => ("info", m.clone(), json!({})),
        };
        if self.is_json() {
            let mut o =
                json!({"event": "note", "kind": kind, "time_s": at.as_secs_f64(), "text": text});
            if let (Some(o), Some(e)) = (o.as_object_mut(), extra.as_object()) {
                for (k, v) in e {
                    o.insert(k.clone(), v.clone());
                }
            }
            self.json_line(&o);
        } else {
            let role = match kind {
                "give_up" | "malformed" => Role::Error,
                "retry" | "slow_down" | "unmatched" => Role::Warn,
                _ => Role::Note,
            };
            let _ = writeln!(
                self.w,
                "\n{} {}",
                self.paint(Role::Dim, &t),
                self.paint(role, &text)
            );
        }
    }
}

/// Mask the octets of redacted fields in the object's whole-PDU "hex" too.
fn redact_hex(j: &mut serde_json::Value) {
    let ranges: Vec<(usize, usize)> = j["fields"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .filter(|f| f["redacted"] == true)
                .filter_map(|f| {
                    Some((
                        f["offset"].as_u64()? as usize,
                        f["length"].as_u64()? as usize,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    if ranges.is_empty() {
        return;
    }
    if let Some(h) = j["hex"].as_str() {
        let mut chars: Vec<char> = h.chars().collect();
        for (off, len) in ranges {
            for c in chars.iter_mut().skip(off * 2).take(len * 2) {
                *c = '*';
            }
        }
        j["hex"] = json!(chars.into_iter().collect::<String>());
    }
}

impl Observer for OutHandle {
    fn pdu(&mut self, dir: Direction, bytes: &[u8], at: Duration, rtt: Option<Duration>) {
        self.with(|o| o.pdu_event(dir, bytes, at, rtt));
    }

    fn note(&mut self, at: Duration, note: &Note) {
        self.with(|o| o.note_event(at, note));
    }
}

/// A watch channel that turns true on Ctrl-C.
pub fn ctrl_c() -> tokio::sync::watch::Receiver<bool> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = tx.send(true);
        }
    });
    rx
}

/// Connect and set up a session printing to `out`.
pub async fn open(
    args: &ConnectArgs,
    out: &OutHandle,
) -> Result<Session<Box<dyn Stream>>, SessionError> {
    let copts = args
        .connect_options()
        .map_err(|e| SessionError::Tls(e.to_string()))?;
    let (stream, tcp) = conn::connect_with_handle(&copts).await?;
    let rt = args.response_timeout().unwrap_or(Duration::from_secs(10));
    Ok(Session::new(stream, Box::new(out.clone()))
        .with_tcp(tcp)
        .with_response_timeout(rt)
        .with_interrupt(ctrl_c()))
}

/// After Ctrl-C or an overall timeout: unbind and wait briefly for the answer.
pub async fn unbind_briefly<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    session: &mut Session<S>,
) {
    session.clear_interrupt();
    let _ = tokio::time::timeout(
        Duration::from_secs(2),
        session.unbind(Duration::from_millis(200)),
    )
    .await;
}

/// The tokio runtime for a session command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// What ESME_RALYBND means for this system_id, and what to do.
pub fn already_bound_advice(system_id: &str) -> String {
    format!(
        "The SMSC still counts a session of system_id \"{system_id}\" as bound, so it refuses \
         another one. Usually a previous session was not unbound cleanly (the process was killed \
         or the connection dropped without unbind) and the SMSC has not noticed yet, or a second \
         instance of the client is running with the same account. Stop the other instance or wait \
         for the SMSC to drop the old session (often its enquire_link timeout), check your \
         client's teardown with `smppdiag unbind --rebind`, and ask the provider how many \
         simultaneous binds this account allows."
    )
}
