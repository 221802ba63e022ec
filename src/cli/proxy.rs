//! `smppdiag proxy`: a diagnosing SMPP proxy between an ESME and its SMSC.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use crate::capture::run::Filter;
use crate::capture::PcapConfig;
use crate::exit::Exit;
use crate::proxy::{self, OutputMode, ProxyOutput, Shaping};
use crate::server::config::FailRule;
use crate::session::conn::{ConnectOptions, TlsOptions};
use crate::wire::sink::PcapSink;
use crate::wire::Event;

/// Arguments of `proxy`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
  smppdiag proxy --listen 127.0.0.1:2775 --upstream smsc.example.net:2775\n  \
  smppdiag proxy --listen 127.0.0.1:2775 --upstream smsc.example.net:3550 --upstream-tls --pcap-out plain.pcap\n  \
  smppdiag proxy --listen 127.0.0.1:2775 --upstream 10.0.0.5:2775 --fail ESME_RTHROTTLED:every=10 --quiet\n\n\
Every octet is forwarded as it came, malformed PDUs included (--refuse-malformed drops them).\n\
--fail counts the submit_sm / data_sm / submit_multi of all sessions together; a matching submit\n\
is answered by smppdiag with that status and never reaches the SMSC.")]
pub struct ProxyArgs {
    /// Address to accept ESMEs on (repeatable); port 0 picks a free port (printed first).
    #[arg(long, value_name = "ADDR", help_heading = "Connection")]
    pub listen: Vec<SocketAddr>,
    /// Address to accept ESMEs on with TLS (repeatable); needs --tls-cert and --tls-key.
    #[arg(long, value_name = "ADDR", help_heading = "Connection")]
    pub listen_tls: Vec<SocketAddr>,
    /// PEM certificate chain for --listen-tls.
    #[arg(long, value_name = "FILE", help_heading = "Connection")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --listen-tls.
    #[arg(long, value_name = "FILE", help_heading = "Connection")]
    pub tls_key: Option<PathBuf>,
    /// The SMSC, HOST:PORT; each ESME gets its own connection to it.
    #[arg(long, value_name = "HOST:PORT", help_heading = "Connection")]
    pub upstream: String,
    /// Speak TLS to the SMSC (rustls; system roots plus --ca; SNI from the host).
    #[arg(long, help_heading = "Connection")]
    pub upstream_tls: bool,
    /// Extra CA certificate(s) to trust for the SMSC, PEM (implies --upstream-tls).
    #[arg(long, value_name = "FILE", help_heading = "Connection")]
    pub ca: Option<PathBuf>,
    /// Do not verify the SMSC's certificate (testing only; implies --upstream-tls).
    #[arg(long, help_heading = "Connection")]
    pub tls_insecure: bool,
    /// Seconds allowed for the TCP connect and TLS handshake to the SMSC.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 10.0,
        help_heading = "Connection"
    )]
    pub connect_timeout: f64,
    /// Stop (unbinding every session both ways) after this many seconds.
    #[arg(long, value_name = "SECS", help_heading = "Connection")]
    pub max_seconds: Option<f64>,

    /// Answer a matching submit with CODE without forwarding it: CODE:every=N, CODE:prob=P,
    /// CODE:after=N, CODE:first=N (as `serve --fail`; repeatable, first match wins).
    #[arg(long, value_name = "RULE", help_heading = "Shaping")]
    pub fail: Vec<FailRule>,
    /// Seed of the draws behind prob= rules.
    #[arg(long, default_value_t = 1, help_heading = "Shaping")]
    pub seed: u64,
    /// Delay forwarding by MS milliseconds, both ways.
    #[arg(long, value_name = "MS", default_value_t = 0, help_heading = "Shaping")]
    pub latency: u64,
    /// Swallow the first N responses from the SMSC (the ESME never sees them: test its timeouts).
    #[arg(long, value_name = "N", default_value_t = 0, help_heading = "Shaping")]
    pub drop_responses: u64,
    /// Do not forward malformed PDUs (and close a stream that cannot be framed).
    #[arg(long, help_heading = "Shaping")]
    pub refuse_malformed: bool,

    /// JSON Lines (docs/json.md): every PDU, session start and end, notes, summaries.
    #[arg(long, conflicts_with = "quiet", help_heading = "Output")]
    pub json: bool,
    /// Only the listening lines, failures and the summaries.
    #[arg(long, short = 'q', help_heading = "Output")]
    pub quiet: bool,
    /// Show passwords instead of redacting them.
    #[arg(long, help_heading = "Output")]
    pub show_secrets: bool,
    /// Also record every session into this pcap file, as plaintext SMPP even when a side is TLS.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub pcap_out: Option<PathBuf>,
    /// Only show these commands, e.g. `submit_sm,deliver_sm` (`submit_sm+`: with its _resp).
    #[arg(
        long,
        value_name = "NAMES",
        value_delimiter = ',',
        help_heading = "Output"
    )]
    pub command: Vec<String>,
    /// Only show PDUs with this command_status: `error`, `ok`, a name or a number.
    #[arg(long, value_name = "STATUS", help_heading = "Output")]
    pub status: Option<String>,
    /// Only show sessions bound with this system_id.
    #[arg(long, value_name = "ID", help_heading = "Output")]
    pub system_id: Option<String>,
}

fn upstream(s: &str) -> anyhow::Result<(String, u16)> {
    let (host, port) = s
        .rsplit_once(':')
        .ok_or_else(|| anyhow::anyhow!("--upstream {s}: give HOST:PORT"))?;
    let port = port
        .parse()
        .map_err(|_| anyhow::anyhow!("--upstream {s}: bad port"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok((host.to_string(), port))
}

impl ProxyArgs {
    fn config(&self) -> anyhow::Result<proxy::Config> {
        let (host, port) = upstream(&self.upstream)?;
        Ok(proxy::Config {
            listen: self.listen.clone(),
            listen_tls: self.listen_tls.clone(),
            tls_cert: self.tls_cert.clone(),
            tls_key: self.tls_key.clone(),
            upstream: ConnectOptions {
                host,
                port,
                tls: TlsOptions::from_flags(
                    self.upstream_tls,
                    self.ca.as_deref(),
                    self.tls_insecure,
                ),
                timeout: super::secs_in("--connect-timeout", self.connect_timeout, 0.0)?,
            },
            shaping: Shaping {
                fail: self.fail.clone(),
                seed: self.seed,
                latency: Duration::from_millis(self.latency),
                drop_responses: self.drop_responses,
                refuse_malformed: self.refuse_malformed,
            },
            max_seconds: self
                .max_seconds
                .filter(|s| s.is_finite() && *s > 0.0)
                .map(Duration::from_secs_f64),
        })
    }

    fn filter(&self) -> anyhow::Result<Option<Filter>> {
        if self.command.is_empty() && self.status.is_none() && self.system_id.is_none() {
            return Ok(None);
        }
        let cfg = PcapConfig {
            command: self.command.clone(),
            status: self.status.clone(),
            system_id: self.system_id.clone(),
            ..PcapConfig::default()
        };
        Ok(Some(Filter::parse(&cfg)?))
    }
}

/// Run `proxy`.
pub fn run(args: ProxyArgs, ctx: &super::Ctx) -> anyhow::Result<Exit> {
    let cfg = args.config()?;
    let filter = args.filter()?;
    let pcap = match &args.pcap_out {
        Some(p) => Some(PcapSink::create(p).with_context(|| format!("creating {}", p.display()))?),
        None => None,
    };
    let mode = if args.json {
        OutputMode::Json
    } else if args.quiet {
        OutputMode::Quiet
    } else {
        OutputMode::Dump
    };
    let (tx, printer) = super::serve::line_printer();
    let out = ProxyOutput::new(mode, ctx.style, args.show_secrets, tx, pcap, filter);
    // One thread: the proxy waits on sockets; a single-threaded runtime saves the cross-thread
    // wake-ups between each pump and its writer (benches/proxy.sh: CPU per PDU).
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let result = rt.block_on(proxy::run(cfg, out.clone(), super::serve::stop_signal()));
    rt.shutdown_timeout(Duration::from_secs(1));
    out.finish().context("finishing the --pcap-out file")?;
    let exit = match result {
        Ok(totals) => {
            let (fields, text) = totals.report();
            out.always(&Event::Summary {
                session: None,
                fields,
                text: &text,
            });
            totals.exit()
        }
        Err(e) => {
            let cause = e.to_string();
            out.always(&Event::Error {
                cause: &cause,
                exit_code: e.exit().code(),
                received: None,
            });
            e.exit()
        }
    };
    drop(out);
    match printer.join() {
        Ok(r) => r.context("writing to standard output")?,
        Err(_) => anyhow::bail!("the output thread panicked"),
    }
    Ok(exit)
}
