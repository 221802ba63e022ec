//! `smppdiag serve`: an SMSC simulator that reproduces SMPP errors on demand.
//!
//! Built on tokio. Each connection gets a reader (framing with [`crate::codec::frame::check_frame`],
//! strict decoding with [`crate::codec::decode_pdu`], the lenient decoder only to explain a
//! malformed PDU) and a writer task fed by a bounded queue, so a slow or misbehaving client only
//! ever slows itself. Sessions share: the accounts, the fault counters and seeded RNG, the message
//! store (query_sm / cancel_sm / replace_sm), long-message reassembly, the registry of bound
//! sessions (where delivery receipts go) and the per-account throughput buckets.
//!
//! Nothing here prints: events are formatted by [`output::Log`] into a channel of lines.

pub mod config;
mod conn;
pub mod mo;
pub mod output;
mod receipt;
pub mod store;
pub mod validate;

use crate::spec::ids::cmd;
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

pub use config::{Account, Config, DlrMix, FailRule, FailedBind, Latency, OutputMode, Trigger};
pub use output::{Dir, Log, Summary};

use store::{PendingReceipts, Reassembly, Rng, Store};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// Nothing to listen on.
    #[error("no listen address: give --listen ADDR (or --listen-tls ADDR)")]
    NoListener,
    /// A listen address could not be bound.
    #[error("cannot listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
    /// TLS listen addresses given without the certificate and key they need.
    #[error("--listen-tls needs --tls-cert and --tls-key")]
    TlsWithoutCertificate,
    /// TLS listeners without a usable certificate and key.
    #[error("TLS: {0}")]
    Tls(String),
}

/// The bind type of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// bind_transmitter.
    Transmitter,
    /// bind_receiver.
    Receiver,
    /// bind_transceiver.
    Transceiver,
}

impl Mode {
    /// The mode a bind command asks for.
    pub fn of_bind(command_id: u32) -> Option<Mode> {
        match command_id {
            cmd::BIND_RECEIVER => Some(Mode::Receiver),
            cmd::BIND_TRANSMITTER => Some(Mode::Transmitter),
            cmd::BIND_TRANSCEIVER => Some(Mode::Transceiver),
            _ => None,
        }
    }

    /// May submit messages.
    pub fn can_submit(self) -> bool {
        self != Mode::Receiver
    }

    /// May receive deliver_sm.
    pub fn can_receive(self) -> bool {
        self != Mode::Transmitter
    }

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Transmitter => "transmitter",
            Mode::Receiver => "receiver",
            Mode::Transceiver => "transceiver",
        }
    }
}

/// What goes to a session's writer.
#[derive(Debug)]
pub(crate) enum Out {
    /// A PDU to send, with a note for the log line.
    Pdu(Vec<u8>, Option<String>),
    /// A PDU to send once `due` passes (`--latency`).
    Later(tokio::time::Instant, Vec<u8>, Option<String>),
    /// The last PDU (unbind_resp): written after everything held, then the connection closes.
    Final(Vec<u8>, Option<String>),
    /// Flush and close the connection.
    Close,
}

/// A bound session, as other sessions see it (to route receipts).
#[derive(Debug, Clone)]
pub(crate) struct BoundSession {
    pub system_id: String,
    pub mode: Mode,
    pub tx: mpsc::Sender<Out>,
    pub seq: Arc<AtomicU32>,
}

impl BoundSession {
    /// The next sequence number for a request from the server.
    pub fn next_seq(&self) -> u32 {
        next_seq(&self.seq)
    }
}

/// Sequence numbers run 1..=0x7FFFFFFF.
pub(crate) fn next_seq(s: &AtomicU32) -> u32 {
    let v = s.fetch_add(1, Ordering::Relaxed);
    (v % 0x7FFF_FFFF) + 1
}

/// A token bucket for `--max-tps`.
#[derive(Debug)]
pub(crate) struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Counters behind the summary.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub sessions: AtomicU64,
    pub binds: AtomicU64,
    pub binds_refused: AtomicU64,
    pub messages: AtomicU64,
    pub receipts: AtomicU64,
    pub long_messages: AtomicU64,
    pub framing_errors: AtomicU64,
    /// Connections closed at once because `--max-connections` were open.
    pub refused_connections: AtomicU64,
    /// Receipts dropped because the receiver's queue was full (it does not read).
    pub receipts_unread: AtomicU64,
    /// Receipts not made: too many messages were waiting for `--dlr-delay`.
    pub receipts_unscheduled: AtomicU64,
}

/// Receipts kept for the receivers of one system_id, at most.
pub(crate) const MAX_QUEUED_RECEIPTS_PER_ID: usize = 10_000;
/// The system_ids named in the summary's line about receipts dropped for want of a receiver.
const SUMMARY_NAMED_IDS: usize = 10;

/// State shared by every session.
pub(crate) struct Shared {
    pub cfg: Config,
    pub log: Log,
    pub next_session: AtomicU64,
    pub submits: AtomicU64,
    pub rng: Mutex<Rng>,
    pub store: Mutex<Store>,
    pub reassembly: Mutex<Reassembly>,
    pub bound: Mutex<HashMap<u64, BoundSession>>,
    pub pending_dlr: Mutex<PendingReceipts>,
    /// Accepted messages waiting for `--dlr-delay` (see [`receipt`]).
    pub dlr_due: mpsc::Sender<receipt::Due>,
    pub buckets: Mutex<HashMap<String, Bucket>>,
    pub counters: Counters,
    pub pdus: Mutex<output::Counts>,
    pub stop: watch::Receiver<bool>,
    /// Connections being served now.
    pub connections: AtomicUsize,
}

/// Lock a mutex, carrying on with the data if another task panicked while holding it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// A uniform draw in [0, 1) from the seeded RNG.
    pub fn roll(&self) -> f64 {
        lock(&self.rng).next_f64()
    }

    /// Take one token from the system_id's bucket; false when over `--max-tps`.
    pub fn take_token(&self, system_id: &str) -> bool {
        let Some(tps) = self.cfg.max_tps else {
            return true;
        };
        let rate = f64::from(tps.max(1));
        let now = Instant::now();
        let mut b = lock(&self.buckets);
        let bucket = b.entry(system_id.to_string()).or_insert(Bucket {
            tokens: rate,
            last: now,
        });
        let dt = now.duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + dt * rate).min(rate);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Load a PEM certificate chain and key into a TLS acceptor.
pub fn tls_acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, ServerError> {
    let open = |p: &Path| {
        std::fs::File::open(p)
            .map(std::io::BufReader::new)
            .map_err(|e| ServerError::Tls(format!("{}: {e}", p.display())))
    };
    let certs = rustls_pemfile::certs(&mut open(cert)?)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ServerError::Tls(format!("{}: {e}", cert.display())))?;
    if certs.is_empty() {
        return Err(ServerError::Tls(format!(
            "{}: no certificate found",
            cert.display()
        )));
    }
    let key_der = rustls_pemfile::private_key(&mut open(key)?)
        .map_err(|e| ServerError::Tls(format!("{}: {e}", key.display())))?
        .ok_or_else(|| ServerError::Tls(format!("{}: no private key found", key.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServerError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .map_err(|e| ServerError::Tls(e.to_string()))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// How long sessions get to answer the server's unbind at shutdown.
pub(crate) const UNBIND_GRACE: Duration = Duration::from_secs(2);

/// Run the simulator until `shutdown` completes (Ctrl-C) or `--max-seconds` passes; then unbind
/// every bound session, wait for the sessions to end, and return the summary.
pub async fn run(
    cfg: Config,
    log: Log,
    shutdown: impl Future<Output = ()>,
) -> Result<Summary, ServerError> {
    let (acceptor, listeners) = bind_listeners(
        &cfg.listen,
        &cfg.listen_tls,
        cfg.tls_cert.as_deref(),
        cfg.tls_key.as_deref(),
    )?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let (dlr_due, dlr_rx) = receipt::channel();
    let pending_dlr = PendingReceipts::new(cfg.receipt_queue, MAX_QUEUED_RECEIPTS_PER_ID);
    let shared = Arc::new(Shared {
        rng: Mutex::new(Rng::new(cfg.seed)),
        store: Mutex::new(Store::new(cfg.store_max)),
        reassembly: Mutex::new(Reassembly::default()),
        cfg,
        log,
        next_session: AtomicU64::new(0),
        submits: AtomicU64::new(0),
        bound: Mutex::new(HashMap::new()),
        pending_dlr: Mutex::new(pending_dlr),
        dlr_due,
        buckets: Mutex::new(HashMap::new()),
        counters: Counters::default(),
        pdus: Mutex::new(output::Counts::new()),
        stop: stop_rx,
        connections: AtomicUsize::new(0),
    });
    // Every session task holds a clone of `alive`; when all are gone, recv() returns None.
    let (alive, mut all_done) = mpsc::channel::<()>(1);
    for (l, local, tls) in listeners {
        shared.log.listening(local, tls);
        let acc = if tls { acceptor.clone() } else { None };
        tokio::spawn(accept_loop(
            Arc::clone(&shared),
            l,
            local,
            acc,
            alive.clone(),
        ));
    }
    drop(alive);
    tokio::spawn(mo::run(Arc::clone(&shared)));
    tokio::spawn(receipt::run(Arc::clone(&shared), dlr_rx));
    let limit = shared.cfg.max_seconds;
    tokio::select! {
        _ = shutdown => {}
        _ = async {
            match limit {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending::<()>().await,
            }
        } => {}
    }
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(UNBIND_GRACE + Duration::from_secs(3), all_done.recv()).await;
    let c = &shared.counters;
    let mut summary = Summary {
        sessions: c.sessions.load(Ordering::Relaxed),
        binds: c.binds.load(Ordering::Relaxed),
        binds_refused: c.binds_refused.load(Ordering::Relaxed),
        messages: c.messages.load(Ordering::Relaxed),
        receipts: c.receipts.load(Ordering::Relaxed),
        long_messages: c.long_messages.load(Ordering::Relaxed),
        framing_errors: c.framing_errors.load(Ordering::Relaxed),
        refused_connections: c.refused_connections.load(Ordering::Relaxed),
        log_dropped: 0,
        receipts_unread: c.receipts_unread.load(Ordering::Relaxed),
        receipts_unscheduled: c.receipts_unscheduled.load(Ordering::Relaxed),
        pdus: output::Counts::new(),
        ..Summary::default()
    };
    {
        let pending = lock(&shared.pending_dlr);
        summary.receipts_waiting = pending.queued() as u64;
        summary.receipts_no_receiver = pending.dropped().total;
        summary.receipts_no_receiver_by_id = pending
            .dropped()
            .top()
            .into_iter()
            .take(SUMMARY_NAMED_IDS)
            .map(|(k, n)| (k.to_string(), n))
            .collect();
    }
    summary.merge(&lock(&shared.pdus));
    Ok(summary)
}

/// Connections the kernel queues before we accept them (clients arriving in bursts of
/// thousands must not be dropped at the door; the kernel caps it at net.core.somaxconn).
const LISTEN_BACKLOG: u32 = 4096;

/// A listening socket on `addr` with [`LISTEN_BACKLOG`].
/// Listeners bound by [`bind_listeners`]: each with its local address and whether it speaks TLS.
pub(crate) type Listeners = Vec<(TcpListener, SocketAddr, bool)>;

/// Bind every plain and TLS listen address (of `serve` or `proxy`), and make the TLS acceptor
/// when there is a TLS address.
pub(crate) fn bind_listeners(
    plain: &[SocketAddr],
    tls: &[SocketAddr],
    cert: Option<&Path>,
    key: Option<&Path>,
) -> Result<(Option<TlsAcceptor>, Listeners), ServerError> {
    if plain.is_empty() && tls.is_empty() {
        return Err(ServerError::NoListener);
    }
    let acceptor = match (tls.is_empty(), cert, key) {
        (true, _, _) => None,
        (false, Some(c), Some(k)) => Some(tls_acceptor(c, k)?),
        (false, _, _) => return Err(ServerError::TlsWithoutCertificate),
    };
    let mut listeners = Vec::new();
    let addrs = plain.iter().map(|a| (*a, false));
    for (addr, is_tls) in addrs.chain(tls.iter().map(|a| (*a, true))) {
        let l = listen(addr).map_err(|e| ServerError::Bind(addr, e))?;
        let local = l.local_addr().map_err(|e| ServerError::Bind(addr, e))?;
        listeners.push((l, local, is_tls));
    }
    Ok((acceptor, listeners))
}

fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let sock = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    sock.set_reuseaddr(true)?;
    sock.bind(addr)?;
    sock.listen(LISTEN_BACKLOG)
}

async fn accept_loop(
    shared: Arc<Shared>,
    listener: TcpListener,
    local: SocketAddr,
    tls: Option<TlsAcceptor>,
    alive: mpsc::Sender<()>,
) {
    let mut stop = shared.stop.clone();
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = stop.changed() => break,
        };
        let Ok((stream, peer)) = accepted else {
            // Out of file descriptors and the like: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        if !admit(&shared, peer) {
            drop(stream);
            continue;
        }
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        let token = Slot {
            _alive: alive.clone(),
            shared: Arc::clone(&shared),
        };
        match &tls {
            None => {
                tokio::spawn(async move {
                    conn::serve(shared, stream, peer, local).await;
                    drop(token);
                });
            }
            Some(acc) => {
                let acc = acc.clone();
                tokio::spawn(async move {
                    let hs = tokio::time::timeout(Duration::from_secs(10), acc.accept(stream));
                    match hs.await {
                        Ok(Ok(s)) => conn::serve(shared, s, peer, local).await,
                        Ok(Err(e)) => shared.log.event(
                            0,
                            "tls_error",
                            &format!("TLS handshake with {peer} failed: {e}"),
                            serde_json::json!({"peer": peer.to_string(), "error": e.to_string()}),
                        ),
                        Err(_) => shared.log.event(
                            0,
                            "tls_error",
                            &format!("TLS handshake with {peer} timed out"),
                            serde_json::json!({"peer": peer.to_string(), "error": "timeout"}),
                        ),
                    }
                    drop(token);
                });
            }
        }
    }
}

/// Count a new connection in, or refuse it (a log line; the caller closes it) when
/// `--max-connections` are already being served. Never waits: the accept loop goes on.
fn admit(shared: &Shared, peer: SocketAddr) -> bool {
    let max = shared.cfg.max_connections;
    let n = shared.connections.fetch_add(1, Ordering::Relaxed);
    if n < max {
        return true;
    }
    shared.connections.fetch_sub(1, Ordering::Relaxed);
    shared
        .counters
        .refused_connections
        .fetch_add(1, Ordering::Relaxed);
    shared.log.event(
        0,
        "connection_refused",
        &format!("connection from {peer} closed: --max-connections {max} reached"),
        serde_json::json!({"peer": peer.to_string(), "max_connections": max}),
    );
    false
}

/// A connection's place: keeps the server alive while held, and counts the connection out
/// when dropped.
struct Slot {
    _alive: mpsc::Sender<()>,
    shared: Arc<Shared>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.shared.connections.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_wraps_within_range() {
        let s = AtomicU32::new(0x7FFF_FFFE);
        assert_eq!(next_seq(&s), 0x7FFF_FFFF);
        assert_eq!(next_seq(&s), 1);
        let s = AtomicU32::new(0);
        assert_eq!(next_seq(&s), 1);
    }

    #[test]
    fn modes() {
        assert_eq!(Mode::of_bind(0x09), Some(Mode::Transceiver));
        assert!(!Mode::Receiver.can_submit());
        assert!(!Mode::Transmitter.can_receive());
        assert_eq!(Mode::of_bind(0x04), None);
    }
}
