//! `smppdiag proxy`: sits between an ESME and its SMSC, forwards every octet both ways, and shows
//! the session — the annotated dump with direction, session, time and response latency, JSON
//! Lines, a plaintext pcap even when both sides speak TLS, and a summary per session.
//!
//! - Each ESME connection (plain TCP or TLS) gets its own upstream connection (plain TCP or TLS,
//!   [`crate::session::conn`]). Two pumps read PDUs with the shared [`FrameBuf`] and hand them
//!   to two writers through bounded queues: a slow side stalls the queue, the pump stops
//!   reading, and TCP pushes back on the other side. Forwarding is byte-exact: a PDU is sent on
//!   as its octets arrived, malformed or not (`refuse_malformed` drops those instead); once a
//!   command_length cannot be framed the rest of that direction is passed on unframed.
//! - Shaping ([`Shaping`]): `--fail` rules (the syntax of `serve`) answer a matching submit
//!   towards the ESME without forwarding it, `--latency` delays forwarding, `--drop-responses`
//!   swallows responses from the SMSC. Injected answers are marked in every output.
//! - A close on either side closes the other and is reported; on stop (Ctrl-C) every bound
//!   session is unbound both ways, then closed, each with its summary ([`stats`]).
//!
//! [`FrameBuf`]: crate::wire::framed::FrameBuf

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::exit::Exit;
use crate::server::config::FailRule;
use crate::server::store::Rng;
use crate::session::conn::ConnectOptions;

mod output;
mod session;
pub mod stats;

pub use output::{OutputMode, ProxyOutput};
pub use stats::Totals;

/// How the proxy shapes traffic.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shaping {
    /// Fault rules on submit_sm / data_sm / submit_multi (counted over every session).
    pub fail: Vec<FailRule>,
    /// Seed of the draws behind `prob=` rules.
    pub seed: u64,
    /// Delay before forwarding, both ways.
    pub latency: Duration,
    /// Swallow this many responses from the SMSC (over every session).
    pub drop_responses: u64,
    /// Do not forward malformed PDUs.
    pub refuse_malformed: bool,
}

/// Everything `proxy` needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Plain TCP listeners.
    pub listen: Vec<SocketAddr>,
    /// TLS listeners.
    pub listen_tls: Vec<SocketAddr>,
    /// Certificate chain for TLS listeners (PEM).
    pub tls_cert: Option<PathBuf>,
    /// Private key for TLS listeners (PEM).
    pub tls_key: Option<PathBuf>,
    /// The SMSC (with TLS options).
    pub upstream: ConnectOptions,
    /// Shaping.
    pub shaping: Shaping,
    /// Stop after this long.
    pub max_seconds: Option<Duration>,
}

/// Why the proxy could not run.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// Bad configuration.
    #[error("{0}")]
    Config(String),
    /// A listener could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// TLS setup failed.
    #[error("TLS: {0}")]
    Tls(String),
}

impl From<crate::server::ServerError> for ProxyError {
    fn from(e: crate::server::ServerError) -> Self {
        use crate::server::ServerError as S;
        match e {
            S::NoListener | S::TlsWithoutCertificate => ProxyError::Config(e.to_string()),
            S::Bind(addr, source) => ProxyError::Listen { addr, source },
            S::Tls(m) => ProxyError::Tls(m),
        }
    }
}

impl ProxyError {
    /// The exit code.
    pub fn exit(&self) -> Exit {
        match self {
            ProxyError::Config(_) => Exit::Usage,
            ProxyError::Listen { .. } => Exit::Network,
            ProxyError::Tls(_) => Exit::Tls,
        }
    }
}

/// State shared by every session.
pub(crate) struct Shared {
    cfg: Config,
    /// The SMSC's address (resolved once), for events and the pcap.
    smsc: SocketAddr,
    out: ProxyOutput,
    next_session: AtomicU64,
    /// Submits seen from every ESME (the `--fail` counters).
    submits: AtomicU64,
    /// Responses still to swallow (`--drop-responses`).
    drops_left: AtomicU64,
    rng: Mutex<Rng>,
    stop: watch::Receiver<bool>,
    totals: Mutex<Totals>,
}

impl Shared {
    fn roll(&self) -> f64 {
        self.rng
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .next_f64()
    }
}

/// Run until `shutdown` completes or `max_seconds` pass; then end every session cleanly and
/// return the totals (their exit code says how the sessions went).
pub async fn run(
    cfg: Config,
    out: ProxyOutput,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<Totals, ProxyError> {
    let (acceptor, listeners) = crate::server::bind_listeners(
        &cfg.listen,
        &cfg.listen_tls,
        cfg.tls_cert.as_deref(),
        cfg.tls_key.as_deref(),
    )?;
    for (_, local, tls) in &listeners {
        out.listening(*local, *tls);
    }
    let target = cfg.upstream.addr();
    let smsc = tokio::net::lookup_host(target.as_str())
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| {
            ProxyError::Config(format!("--upstream {target}: cannot resolve the host"))
        })?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let shared = Arc::new(Shared {
        smsc,
        out,
        next_session: AtomicU64::new(0),
        submits: AtomicU64::new(0),
        drops_left: AtomicU64::new(cfg.shaping.drop_responses),
        rng: Mutex::new(Rng::new(cfg.shaping.seed)),
        stop: stop_rx,
        totals: Mutex::new(Totals::default()),
        cfg,
    });
    let mut tasks = tokio::task::JoinSet::new();
    for (l, _, tls) in listeners {
        let acc = if tls { acceptor.clone() } else { None };
        tasks.spawn(accept_loop(Arc::clone(&shared), l, acc));
    }
    let limit = async {
        match shared.cfg.max_seconds {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = shutdown => {}
        _ = limit => {}
    }
    let _ = stop_tx.send(true);
    // Sessions unbind both ways (at most UNBIND_GRACE) and report; the accept loops end.
    let deadline = tokio::time::Instant::now() + session::UNBIND_GRACE + Duration::from_secs(2);
    while tokio::time::timeout_at(deadline, tasks.join_next())
        .await
        .ok()
        .flatten()
        .is_some()
    {}
    tasks.abort_all();
    let totals = shared
        .totals
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    Ok(totals)
}

/// Accept connections until stop; each gets a session task (tracked so stop waits for them).
async fn accept_loop(shared: Arc<Shared>, listener: TcpListener, tls: Option<TlsAcceptor>) {
    let mut stop = shared.stop.clone();
    let mut sessions = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            r = listener.accept() => {
                let Ok((tcp, peer)) = r else { continue };
                let _ = tcp.set_nodelay(true);
                let local = tcp.local_addr().unwrap_or(peer);
                let shared = Arc::clone(&shared);
                let tls = tls.clone();
                sessions.spawn(async move {
                    match tls {
                        None => session::run(shared, tcp, peer, local).await,
                        Some(acc) => match acc.accept(tcp).await {
                            Ok(s) => session::run(shared, s, peer, local).await,
                            Err(e) => session::tls_refused(&shared, peer, local, &e.to_string()),
                        },
                    }
                });
            }
            _ = stop.changed() => break,
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
    while sessions.join_next().await.is_some() {}
}

/// The session counter shared by every listener.
fn next_id(shared: &Shared) -> u64 {
    shared.next_session.fetch_add(1, Ordering::Relaxed) + 1
}
