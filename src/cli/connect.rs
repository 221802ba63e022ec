//! What `bind`, `send` and `unbind` share: the connection and bind options, the output of a
//! session (every PDU as an annotated dump from the bytes that crossed the wire, or JSON Lines),
//! Ctrl-C handling and the reporting of failures.

use std::io::{BufWriter, Stdout, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use serde_json::json;

use crate::exit::Exit;
use crate::render::dump::DumpOptions;
use crate::render::json::JsonOptions;
use crate::render::{Role, Style};
use crate::session::conn::{self, ConnectOptions, Stream, TlsOptions};
use crate::session::{
    fmt_dur, BindMode, BindParams, Direction, Note, Observer, Session, SessionError,
};
use crate::spec::status;
use crate::wire::sink::{DumpSink, JsonSink, Layout, PcapSink, Sink};
use crate::wire::{Event, PduEvent, Tone};

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
    pub bind_mode: Option<BindModeArg>,

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

/// `--bind-mode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BindModeArg {
    /// bind_transmitter: send only.
    Tx,
    /// bind_receiver: receive only.
    Rx,
    /// bind_transceiver: both.
    Trx,
}

impl BindModeArg {
    /// The session's bind mode.
    pub fn mode(self) -> BindMode {
        match self {
            BindModeArg::Tx => BindMode::Tx,
            BindModeArg::Rx => BindMode::Rx,
            BindModeArg::Trx => BindMode::Trx,
        }
    }
}

/// The shortest `--response-timeout` and `--timeout`, in seconds.
const MIN_WAIT: f64 = 0.001;

fn secs(what: &str, v: f64) -> anyhow::Result<Duration> {
    super::secs_in(what, v, 0.0)
}

impl ConnectArgs {
    /// Where to connect.
    pub fn connect_options(&self) -> anyhow::Result<ConnectOptions> {
        Ok(ConnectOptions {
            host: self.host.clone(),
            port: self.port,
            tls: TlsOptions::from_flags(self.tls, self.ca.as_deref(), self.tls_insecure),
            timeout: secs("--connect-timeout", self.connect_timeout)?,
        })
    }

    /// The response timeout (at least a millisecond: with none, every response would be late).
    pub fn response_timeout(&self) -> anyhow::Result<Duration> {
        super::secs_in("--response-timeout", self.response_timeout, MIN_WAIT)
    }

    /// The overall limit, if any. Checks every duration option first, so that a value out of
    /// range is a usage error before anything connects.
    pub fn overall(&self) -> anyhow::Result<Option<Duration>> {
        self.connect_options()?;
        self.response_timeout()?;
        self.timeout
            .map(|t| super::secs_in("--timeout", t, MIN_WAIT))
            .transpose()
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
            mode: self.bind_mode.map_or(default_mode, BindModeArg::mode),
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

/// The session number the client's events carry (one session per command).
const SESSION: u64 = 1;

/// The output of a session: shared by the session (as its [`Observer`]) and the command. PDUs
/// and notes go through the wire sinks: the human dump or JSON Lines, and `--pcap-out`.
pub struct Out {
    /// Output style.
    pub style: Style,
    /// What to print.
    pub mode: Mode,
    human: DumpSink<BufWriter<Stdout>>,
    json: JsonSink<Stdout>,
    pcap: Option<PcapSink>,
    /// Wall-clock time the session started (since the Unix epoch).
    start: Duration,
    smsc: Option<SocketAddr>,
}

/// The addresses a `--pcap-out` recording is labelled with: the SMSC's (when the host is an
/// address; a documentation address otherwise) and a made-up client port.
fn pcap_endpoints(host: &str, port: u16) -> (SocketAddr, SocketAddr) {
    let server_ip: IpAddr = host
        .parse()
        .unwrap_or(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1)));
    let client_ip = match server_ip {
        IpAddr::V4(a) if a.is_loopback() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)),
        IpAddr::V6(a) if a.is_loopback() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 10)),
    };
    (
        SocketAddr::new(client_ip, 40000),
        SocketAddr::new(server_ip, port),
    )
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
        let pcap = match &args.pcap_out {
            Some(p) => {
                let mut sink =
                    PcapSink::create(p).with_context(|| format!("creating {}", p.display()))?;
                let (esme, smsc) = pcap_endpoints(&args.host, args.port);
                let _ = sink.event(&Event::SessionStart {
                    session: SESSION,
                    esme: Some(esme),
                    smsc: Some(smsc),
                    text: "",
                });
                Some(sink)
            }
            None => None,
        };
        let dump = DumpOptions {
            show_secrets: args.show_secrets,
            ..DumpOptions::default()
        };
        Ok(OutHandle(Arc::new(Mutex::new(Out {
            style,
            mode,
            human: DumpSink::new(
                BufWriter::new(std::io::stdout()),
                style,
                dump,
                Layout::Session,
            ),
            json: JsonSink::new(
                std::io::stdout(),
                JsonOptions {
                    show_secrets: args.show_secrets,
                },
            ),
            pcap,
            start: crate::wire::now(),
            smsc: format!("{}:{}", args.host, args.port).parse().ok(),
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

impl Drop for Out {
    fn drop(&mut self) {
        if let Some(p) = self.pcap.take() {
            let _ = p.finish();
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
            let _ = writeln!(self.human.writer(), "{s}");
        }
    }

    /// Write a JSON object as one line, with the schema version first (ignored in human modes).
    pub fn json_line(&mut self, v: &serde_json::Value) {
        if self.is_json() {
            let mut o = serde_json::Map::new();
            o.insert("schema".into(), json!(crate::wire::SCHEMA));
            if let Some(m) = v.as_object() {
                o.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            let mut line = serde_json::to_vec(&o).unwrap_or_default();
            line.push(b'\n');
            let mut w = std::io::stdout().lock();
            let _ = w.write_all(&line);
            let _ = w.flush();
        }
    }

    /// Paint with the style.
    pub fn paint(&self, role: Role, s: &str) -> String {
        self.style.paint(role, s)
    }

    /// The explanation block of a status, once per status per run (human modes).
    pub fn explain(&mut self, status: u32) {
        if status != 0 && !self.is_json() {
            let _ = self.human.explain_once(status);
        }
    }

    /// Flush stdout.
    pub fn flush(&mut self) {
        let _ = self.human.writer().flush();
    }

    /// Report a failure: one line with the cause, the dump of what was received, the exit code.
    pub fn failure(&mut self, err: &SessionError) -> Exit {
        let exit = err.exit();
        let cause = err.to_string();
        let ev = Event::Error {
            cause: &cause,
            exit_code: exit.code(),
            received: err.received(),
        };
        let _ = if self.is_json() {
            self.json.event(&ev)
        } else {
            self.human.event(&ev)
        };
        exit
    }

    fn pdu_event(&mut self, dir: Direction, bytes: &[u8], at: Duration, rtt: Option<Duration>) {
        let ev = PduEvent {
            session: Some(SESSION),
            direction: Some(dir),
            smsc: self.smsc,
            time: Some(self.start + at),
            elapsed: Some(at),
            bytes,
            rtt,
            ..PduEvent::default()
        };
        if let Some(p) = self.pcap.as_mut() {
            let _ = p.pdu(&ev);
        }
        let _ = match self.mode {
            Mode::Human => self.human.pdu(&ev),
            Mode::Json => self.json.pdu(&ev),
            Mode::Quiet | Mode::QuietJson => Ok(()),
        };
    }

    fn note_event(&mut self, at: Duration, note: &Note) {
        if !self.verbose() {
            return;
        }
        let (kind, text, extra) = note_parts(note);
        let tone = match kind {
            "give_up" | "malformed" => Tone::Bad,
            "retry" | "slow_down" | "unmatched" | "unanswered" => Tone::Warn,
            _ => Tone::Info,
        };
        let ev = Event::Note {
            session: Some(SESSION),
            kind,
            text: &text,
            elapsed: Some(at),
            tone,
            fields: extra,
        };
        let _ = if self.is_json() {
            self.json.event(&ev)
        } else {
            self.human.event(&ev)
        };
    }
}

/// A note's kind, human text and JSON keys.
fn note_parts(note: &Note) -> (&'static str, String, serde_json::Value) {
    match note {
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
        Note::Unanswered { request, after } => {
            let command = crate::spec::commands::name_of(request.command_id);
            (
                "unanswered",
                format!(
                    "⌛ no {command}_resp (sequence {}) within {}: counted unanswered, going on",
                    request.sequence,
                    fmt_dur(*after)
                ),
                json!({"command": command, "sequence_number": request.sequence,
                       "timeout_ms": after.as_secs_f64() * 1000.0}),
            )
        }
        Note::Malformed(m) => ("malformed", format!("⚠ {m}"), json!({})),
        Note::Unmatched(m) => ("unmatched", format!("⚠ {m}"), json!({})),
        Note::Info(m) => ("info", m.clone(), json!({})),
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
