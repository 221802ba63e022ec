//! `smppdiag serve`: an SMSC simulator that reproduces SMPP errors on demand.

use crate::wire::sink::{LineQueue, PcapSink};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;

use super::secs_in;
use crate::exit::Exit;
use crate::server::config::{self, Account, DlrMix, FailRule, FailedBind, Latency, OutputMode};
use crate::server::{self, Config, Log};

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
  smppdiag serve --listen 127.0.0.1:2775 --account test:secret\n  \
  smppdiag serve --listen 0.0.0.0:2775 --accept-any --fail ESME_RTHROTTLED:every=3\n  \
  smppdiag serve --listen 127.0.0.1:2775 --account a:pw:1 --max-tps 50 --dlr-state DELIVRD=90,UNDELIV=10\n  \
  smppdiag serve --listen-tls 127.0.0.1:3550 --tls-cert cert.pem --tls-key key.pem --accept-any\n\n\
Fault counters (--fail every/after/first) count the submit_sm / data_sm requests of all sessions together.\n\
--drop-after and --no-response-after count the submits answered in each session.")]
pub struct ServeArgs {
    /// Also write every session's PDUs, both ways, into one pcap file (opens in Wireshark;
    /// `smppdiag decode --pcap` reads it back).
    #[arg(long, value_name = "FILE")]
    pub pcap_out: Option<std::path::PathBuf>,
    /// Address to listen on (repeatable); port 0 picks a free port (printed first).
    #[arg(long, value_name = "ADDR")]
    pub listen: Vec<SocketAddr>,
    /// Address to listen on with TLS (repeatable); needs --tls-cert and --tls-key.
    #[arg(long, value_name = "ADDR")]
    pub listen_tls: Vec<SocketAddr>,
    /// PEM certificate chain for TLS listeners.
    #[arg(long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for TLS listeners.
    #[arg(long, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// Accepted account SYSTEM_ID:PASSWORD[:MAX_BINDS] (repeatable). Wrong password:
    /// ESME_RINVPASWD; unknown system_id: ESME_RINVSYSID; over MAX_BINDS: ESME_RALYBND.
    #[arg(long, value_name = "ID:PW[:MAX]")]
    pub account: Vec<Account>,
    /// Accept every system_id and password.
    #[arg(long)]
    pub accept_any: bool,
    /// system_id the server answers binds with.
    #[arg(long, default_value = "smppdiag", value_name = "ID")]
    pub system_id: String,
    /// Submits per second allowed per system_id; above it, ESME_RTHROTTLED.
    #[arg(long, value_name = "N")]
    pub max_tps: Option<u32>,
    /// Fault on submit_sm/data_sm: CODE:every=N, CODE:prob=P, CODE:after=N, CODE:first=N
    /// (CODE by name or value; repeatable, first match wins).
    #[arg(long, value_name = "RULE")]
    pub fail: Vec<FailRule>,
    /// Answer every bind with this command_status (name or value).
    #[arg(long, value_name = "CODE", value_parser = config::parse_status)]
    pub reject_bind: Option<u32>,
    /// Delay every response by MS milliseconds, plus up to JITTER.
    #[arg(long, value_name = "MS[:JITTER]")]
    pub latency: Option<Latency>,
    /// Close the connection instead of answering the submit after the first N in a session.
    #[arg(long, value_name = "N")]
    pub drop_after: Option<u64>,
    /// Stop answering anything once N submits have been answered in a session.
    #[arg(long, value_name = "N")]
    pub no_response_after: Option<u64>,
    /// Seed of the RNG behind prob= rules, jitter and receipt states.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Send no delivery receipts (and keep messages ENROUTE).
    #[arg(long)]
    pub no_dlr: bool,
    /// Delay before a message reaches its final state and its receipt is sent (ms).
    #[arg(long, default_value_t = 100, value_name = "MS", value_parser = clap::value_parser!(u64).range(0..=604_800_000))]
    pub dlr_delay: u64,
    /// Final states of messages, weighted: e.g. DELIVRD=90,UNDELIV=10.
    #[arg(long, value_name = "MIX")]
    pub dlr_state: Option<DlrMix>,
    /// Receipts carry the receipted_message_id, message_state and (when not delivered)
    /// network_error_code TLVs besides the text.
    #[arg(long, value_enum, default_value_t = OnOff::On, value_name = "on|off")]
    pub dlr_tlvs: OnOff,
    /// Keep at most N receipts (about 200 octets each) for system_ids with no receiver bound,
    /// delivered when one binds; more are dropped and counted in the summary.
    #[arg(long, default_value_t = 100_000, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=10_000_000))]
    pub receipt_queue: u32,
    /// Send a mobile-originated message FROM,TO,TEXT (deliver_sm) to a bound receiver or
    /// transceiver; repeatable. GSM 03.38 when it fits, else UCS2; long texts split with a UDH.
    #[arg(long, value_name = "FROM,TO,TEXT", help_heading = "MO traffic")]
    pub mo: Vec<crate::codec::craft::MoMessage>,
    /// MO messages from a file, one FROM,TO,TEXT per line (# comments).
    #[arg(long, value_name = "FILE", help_heading = "MO traffic")]
    pub mo_file: Option<PathBuf>,
    /// Pause between MO messages: 500ms, 2s, 1m (default: none).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, help_heading = "MO traffic")]
    pub mo_every: Option<Duration>,
    /// Send this many MO messages in all, going round the list (default: each once).
    #[arg(long, value_name = "N", help_heading = "MO traffic")]
    pub mo_count: Option<u64>,
    /// Send enquire_link when a session has been idle this many seconds (0: never).
    #[arg(long, default_value_t = 60, value_name = "SECS", value_parser = clap::value_parser!(u64).range(0..=604_800))]
    pub enquire_link: u64,
    /// Close a connection that has not bound within SECS (as TLS handshakes have).
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub bind_timeout: f64,
    /// A bound session quiet for SECS gets an enquire_link and is closed unless something comes
    /// back within 5 s (or SECS, when shorter); a client that reads nothing for SECS is closed too (0: never).
    #[arg(long, default_value_t = 120.0, value_name = "SECS")]
    pub idle_timeout: f64,
    /// Serve at most N connections at once; more are closed at once, with a log line.
    #[arg(long, default_value_t = 10_000, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,
    /// After a bind refused for its system_id or password: `close` the connection, or
    /// `delay:MS` before reading the next request.
    #[arg(long, default_value = "close", value_name = "POLICY")]
    pub failed_bind: FailedBind,
    /// Stop (unbinding every session) after this many seconds.
    #[arg(long, value_name = "SECS")]
    pub max_seconds: Option<f64>,
    /// The annotated dump of every PDU and the explanation of every error returned.
    #[arg(long, short = 'v', conflicts_with_all = ["json", "quiet"])]
    pub verbose: bool,
    /// JSON Lines: one event per line.
    #[arg(long, conflicts_with = "quiet")]
    pub json: bool,
    /// Only the listening lines and the summary.
    #[arg(long)]
    pub quiet: bool,
    /// Show passwords in dumps.
    #[arg(long)]
    pub show_secrets: bool,
}

/// `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

/// A duration: a number with `ms`, `s` or `m` (seconds when bare).
fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, scale) = [("ms", 0.001), ("s", 1.0), ("m", 60.0)]
        .iter()
        .find_map(|(u, k)| t.strip_suffix(u).map(|n| (n, *k)))
        .unwrap_or((t, 1.0));
    num.trim()
        .parse::<f64>()
        .ok()
        .and_then(|v| Duration::try_from_secs_f64(v * scale).ok())
        .ok_or_else(|| format!("{s:?} is not a duration (500ms, 2s, 1m)"))
}

impl ServeArgs {
    /// The MO plan: `--mo` messages, then those of `--mo-file`.
    fn mo_plan(&self) -> anyhow::Result<crate::server::mo::MoPlan> {
        let mut messages = self.mo.clone();
        if let Some(f) = &self.mo_file {
            let text = std::fs::read_to_string(f)
                .with_context(|| format!("reading --mo-file {}", f.display()))?;
            let more = crate::server::mo::MoPlan::parse_file(&text)
                .map_err(|e| anyhow::anyhow!("--mo-file {}: {e}", f.display()))?;
            messages.extend(more);
        }
        Ok(crate::server::mo::MoPlan {
            messages,
            every: self.mo_every,
            count: self.mo_count,
        })
    }

    fn config(self, color: bool) -> anyhow::Result<Config> {
        if self.account.is_empty() && !self.accept_any {
            anyhow::bail!("give at least one --account SYSTEM_ID:PASSWORD, or --accept-any");
        }
        if self.listen.is_empty() && self.listen_tls.is_empty() {
            anyhow::bail!("give --listen ADDR (e.g. --listen 127.0.0.1:2775)");
        }
        let mo = self.mo_plan()?;
        let output = if self.json {
            OutputMode::Json
        } else if self.quiet {
            OutputMode::Quiet
        } else if self.verbose {
            OutputMode::Verbose
        } else {
            OutputMode::Lines
        };
        Ok(Config {
            listen: self.listen,
            listen_tls: self.listen_tls,
            tls_cert: self.tls_cert,
            tls_key: self.tls_key,
            accounts: self.account,
            accept_any: self.accept_any,
            system_id: self.system_id,
            max_tps: self.max_tps,
            fail: self.fail,
            reject_bind: self.reject_bind,
            latency: self.latency.unwrap_or_default(),
            drop_after: self.drop_after,
            no_response_after: self.no_response_after,
            seed: self.seed,
            no_dlr: self.no_dlr,
            dlr_delay: Duration::from_millis(self.dlr_delay),
            dlr_mix: self.dlr_state.unwrap_or_default(),
            enquire_link: (self.enquire_link > 0).then(|| Duration::from_secs(self.enquire_link)),
            max_seconds: self
                .max_seconds
                .map(|s| secs_in("--max-seconds", s, 0.001))
                .transpose()?,
            output,
            color,
            show_secrets: self.show_secrets,
            dlr_tlvs: self.dlr_tlvs == OnOff::On,
            receipt_queue: self.receipt_queue as usize,
            mo,
            bind_timeout: secs_in("--bind-timeout", self.bind_timeout, 0.001)?,
            idle_timeout: (self.idle_timeout != 0.0)
                .then(|| secs_in("--idle-timeout", self.idle_timeout, 0.001))
                .transpose()?,
            max_connections: self.max_connections as usize,
            failed_bind: self.failed_bind,
            ..Config::default()
        })
    }
}

/// Ctrl-C, or SIGTERM on Unix.
pub(crate) async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// A thread that prints every line received, flushing whenever the queue is momentarily empty
/// (`serve` and `proxy` format lines in their session tasks).
pub(crate) fn spawn_printer(
    rx: std::sync::mpsc::Receiver<String>,
) -> std::thread::JoinHandle<std::io::Result<()>> {
    std::thread::spawn(move || -> std::io::Result<()> {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
        while let Ok(line) = rx.recv() {
            writeln!(out, "{line}")?;
            while let Ok(more) = rx.try_recv() {
                writeln!(out, "{more}")?;
            }
            out.flush()?;
        }
        out.flush()
    })
}

/// An unbounded line channel and its printer thread (`proxy`).
pub(crate) fn line_printer() -> (
    std::sync::mpsc::Sender<String>,
    std::thread::JoinHandle<std::io::Result<()>>,
) {
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    (tx, spawn_printer(rx))
}

/// Log lines (whole events: a line, or a verbose dump) waiting for stdout at most.
const LOG_QUEUE: usize = 8192;

/// Run `serve`.
pub fn run(args: ServeArgs, ctx: &super::Ctx) -> anyhow::Result<Exit> {
    let pcap = match &args.pcap_out {
        Some(p) => Some(PcapSink::create(p).with_context(|| format!("creating {}", p.display()))?),
        None => None,
    };
    let cfg = args.config(ctx.style.color)?;
    let json = cfg.output == OutputMode::Json;
    let (tx, rx) = LineQueue::new(LOG_QUEUE);
    let printer = spawn_printer(rx);
    let log = Log::new(cfg.output, ctx.style, cfg.show_secrets, tx.clone()).with_pcap(pcap.clone());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let result = rt.block_on(server::run(cfg, log, stop_signal()));
    rt.shutdown_timeout(Duration::from_secs(1));
    if let Some(rec) = pcap {
        rec.finish().context("finishing the --pcap-out file")?;
    }
    let summary = match result {
        Ok(s) => server::Summary {
            log_dropped: tx.dropped(),
            ..s
        },
        Err(e) => {
            drop(tx);
            let _ = join_by(printer, Instant::now() + STDOUT_GRACE);
            return Err(e.into());
        }
    };
    let text = if json {
        summary.json().to_string()
    } else {
        summary.render(&ctx.style).trim_end().to_string()
    };
    // Stdout may be a pipe nobody reads: give it a little time, never hang on it.
    let deadline = Instant::now() + STDOUT_GRACE;
    let queued = tx.send_by(text, deadline);
    drop(tx);
    match join_by(printer, deadline) {
        Some(Ok(r)) if queued => r.context("writing to standard output")?,
        Some(Err(_)) => anyhow::bail!("the output thread panicked"),
        _ => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("serve: standard output is blocked (nothing reads it); the summary was not printed");
            }
        }
    }
    Ok(Exit::Success)
}

/// How long `serve` waits at the end for standard output to take the summary.
const STDOUT_GRACE: Duration = Duration::from_secs(2);

/// The thread's result if it ends by `deadline`; `None` when it is still running (blocked
/// writing, say): the process exits without it.
fn join_by<T>(h: std::thread::JoinHandle<T>, deadline: Instant) -> Option<std::thread::Result<T>> {
    while !h.is_finished() {
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Some(h.join())
}
