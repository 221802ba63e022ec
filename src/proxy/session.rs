//! One ESME connection through the proxy: its upstream connection, the two pumps (ESME→SMSC,
//! SMSC→ESME) and their writers, shaping, close propagation and the summary.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::codec::{self, Decoded, Header, Pdu, MAX_PDU_LEN};
use crate::session::SessionError;
use crate::spec::commands;
use crate::spec::ids::cmd;
use crate::spec::status;
use crate::wire::framed::{FrameBuf, FrameError};
use crate::wire::{Direction, Event, PduEvent, Tone};

use super::stats::SessionStats;
use super::{next_id, Shared};

/// How long the peers get to answer the unbinds sent at stop.
pub(crate) const UNBIND_GRACE: Duration = Duration::from_secs(2);

/// Batches queued per direction before the pump stops reading (backpressure).
const QUEUE: usize = 16;

/// Sequence number of the unbinds the proxy sends at stop (the top of the range, where an
/// ESME's or SMSC's own counter is least likely to be).
const STOP_SEQ: u32 = crate::session::seq::MAX_SEQUENCE;

/// Octets to write, not before `at`.
struct Batch {
    at: Option<Instant>,
    bytes: Vec<u8>,
}

/// What happens to a PDU read from one side.
enum Verdict {
    /// Pass it on.
    Forward,
    /// Do not pass it on; send these octets back to its sender instead.
    Answer(Vec<u8>),
    /// Swallow it.
    Drop,
}

/// Why a pump stopped.
#[derive(Debug)]
enum End {
    /// Its side closed the connection.
    Eof,
    /// Reading failed.
    Error(String),
    /// The other side's writer is gone.
    Gone,
    /// The stream cannot be framed and malformed PDUs are refused.
    Refused,
}

/// One session's state, shared by its pumps.
struct Ctx {
    shared: Arc<Shared>,
    id: u64,
    esme: SocketAddr,
    stats: Mutex<SessionStats>,
    start: Instant,
    start_wall: Duration,
    stopping: AtomicBool,
}

impl Ctx {
    fn now(&self) -> Duration {
        self.start_wall + self.start.elapsed()
    }

    fn stats(&self) -> MutexGuard<'_, SessionStats> {
        self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Show and record one PDU.
    #[allow(clippy::too_many_arguments)]
    fn emit(
        &self,
        dir: Direction,
        bytes: &[u8],
        decoded: Option<&Decoded>,
        rtt: Option<Duration>,
        injected: bool,
        note: Option<&str>,
        time: Duration,
    ) {
        let out = &self.shared.out;
        if !out.wants_pdus() {
            return;
        }
        let system_id = self.stats().system_id.clone();
        let ev = PduEvent {
            session: Some(self.id),
            direction: Some(dir),
            esme: Some(self.esme),
            smsc: Some(self.shared.smsc),
            time: Some(time),
            bytes,
            decoded,
            rtt,
            note,
            injected,
            ..PduEvent::default()
        };
        out.pdu(&ev, system_id.as_deref());
    }

    fn note(&self, kind: &str, text: &str, tone: Tone) {
        self.shared.out.note(&Event::Note {
            session: Some(self.id),
            kind,
            text,
            elapsed: Some(self.start.elapsed()),
            tone,
            fields: serde_json::json!({}),
        });
    }

    /// Decide what happens to a PDU read going `dir`, and show it.
    fn decide(&self, dir: Direction, bytes: &[u8]) -> Verdict {
        let now = self.now();
        let Some(h) = Header::parse(bytes) else {
            return Verdict::Forward;
        };
        let shaping = &self.shared.cfg.shaping;
        let decoded = (shaping.refuse_malformed || self.shared.out.shows_pdus())
            .then(|| codec::decode(bytes));
        let malformed = decoded.as_ref().is_some_and(Decoded::is_malformed);
        if self.stopping.load(Ordering::Relaxed)
            && h.command_id == cmd::UNBIND_RESP
            && h.sequence_number == STOP_SEQ
        {
            let note = "answer to smppdiag's unbind (not forwarded)";
            self.emit(dir, bytes, decoded.as_ref(), None, false, Some(note), now);
            return Verdict::Drop;
        }
        let rtt = {
            let mut st = self.stats();
            if malformed {
                st.malformed();
            }
            st.observe(dir, bytes, now)
        };
        if malformed && shaping.refuse_malformed {
            let note = "malformed: not forwarded (--refuse-malformed)";
            self.emit(dir, bytes, decoded.as_ref(), rtt, false, Some(note), now);
            return Verdict::Drop;
        }
        match dir {
            Direction::EsmeToSmsc => {
                if let Some(answer) = self.fail_rule(&h, bytes, decoded.as_ref(), rtt, now) {
                    return Verdict::Answer(answer);
                }
            }
            Direction::SmscToEsme => {
                if commands::is_response(h.command_id) && self.take_drop() {
                    self.stats().dropped();
                    let note = "swallowed (--drop-responses): the ESME never sees it";
                    self.emit(dir, bytes, decoded.as_ref(), rtt, false, Some(note), now);
                    return Verdict::Drop;
                }
            }
        }
        self.emit(dir, bytes, decoded.as_ref(), rtt, false, None, now);
        Verdict::Forward
    }

    /// One `--drop-responses` token, if any is left.
    fn take_drop(&self) -> bool {
        self.shared
            .drops_left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok()
    }

    /// The injected answer when a `--fail` rule fires for this submit.
    fn fail_rule(
        &self,
        h: &Header,
        bytes: &[u8],
        decoded: Option<&Decoded>,
        rtt: Option<Duration>,
        now: Duration,
    ) -> Option<Vec<u8>> {
        let rules = &self.shared.cfg.shaping.fail;
        let submit = matches!(
            h.command_id,
            cmd::SUBMIT_SM | cmd::DATA_SM | cmd::SUBMIT_MULTI
        );
        if rules.is_empty() || !submit {
            return None;
        }
        let n = self.shared.submits.fetch_add(1, Ordering::Relaxed) + 1;
        let rule = rules.iter().find(|r| {
            let roll = match r.trigger {
                crate::server::config::Trigger::Prob(_) => self.shared.roll(),
                _ => 0.0,
            };
            r.fires(n, roll)
        })?;
        let resp = Pdu {
            command_status: rule.status,
            ..Pdu::new(cmd::resp(h.command_id), h.sequence_number)
        }
        .encode()
        .ok()?;
        let why = format!(
            "--fail {} (submit #{n}): not forwarded, answered by smppdiag",
            status::name_of(rule.status)
        );
        self.emit(
            Direction::EsmeToSmsc,
            bytes,
            decoded,
            rtt,
            false,
            Some(&why),
            now,
        );
        let rtt2 = {
            let mut st = self.stats();
            st.injected();
            st.observe(Direction::SmscToEsme, &resp, now)
        };
        self.emit(
            Direction::SmscToEsme,
            &resp,
            None,
            rtt2,
            true,
            Some(&why),
            now,
        );
        Some(resp)
    }
}

/// Read PDUs from one side and hand them to the other side's writer (and injected answers to
/// `back`, the writer towards the sender).
async fn pump<R: AsyncRead + Unpin>(
    ctx: Arc<Ctx>,
    dir: Direction,
    mut rd: R,
    fwd: mpsc::Sender<Batch>,
    back: Option<mpsc::Sender<Batch>>,
) -> End {
    let mut fb = FrameBuf::new(MAX_PDU_LEN);
    let mut raw = false;
    let latency = ctx.shared.cfg.shaping.latency;
    let refuse = ctx.shared.cfg.shaping.refuse_malformed;
    loop {
        let mut out: Vec<u8> = Vec::new();
        let mut inj: Vec<u8> = Vec::new();
        if raw {
            let r = fb.take_pending();
            out.extend_from_slice(fb.get(r));
        }
        while !raw {
            match fb.next_frame() {
                Ok(Some(r)) => {
                    let pdu = fb.get(r);
                    match ctx.decide(dir, pdu) {
                        Verdict::Forward => out.extend_from_slice(pdu),
                        Verdict::Answer(a) => inj.extend_from_slice(&a),
                        Verdict::Drop => {}
                    }
                }
                Ok(None) => break,
                Err(FrameError::BadLength { length, .. }) => {
                    ctx.stats().malformed();
                    let what = format!(
                        "{}: command_length {length} cannot be framed; {}",
                        dir.label(),
                        if refuse {
                            "closing (--refuse-malformed)"
                        } else {
                            "the rest of this direction is forwarded as it comes, unframed"
                        }
                    );
                    ctx.note("unframeable", &what, Tone::Bad);
                    if refuse {
                        return End::Refused;
                    }
                    raw = true;
                    let r = fb.take_pending();
                    out.extend_from_slice(fb.get(r));
                }
                Err(_) => break,
            }
        }
        if let (false, Some(b)) = (inj.is_empty(), &back) {
            let batch = Batch {
                at: None,
                bytes: inj,
            };
            if b.send(batch).await.is_err() {
                return End::Gone;
            }
        }
        if !out.is_empty() {
            let at = (!latency.is_zero()).then(|| Instant::now() + latency);
            if fwd.send(Batch { at, bytes: out }).await.is_err() {
                return End::Gone;
            }
        }
        match fb.fill(&mut rd).await {
            Ok(0) => {
                let rest = fb.pending().to_vec();
                if !rest.is_empty() {
                    let what = format!(
                        "{}: the connection closed inside a PDU ({} octets{})",
                        dir.label(),
                        rest.len(),
                        if refuse {
                            ", not forwarded"
                        } else {
                            ", forwarded"
                        }
                    );
                    ctx.note("incomplete", &what, Tone::Bad);
                    if !refuse {
                        let _ = fwd
                            .send(Batch {
                                at: None,
                                bytes: rest,
                            })
                            .await;
                    }
                }
                return End::Eof;
            }
            Ok(_) => {}
            Err(e) => return End::Error(e.to_string()),
        }
    }
}

/// Write what the queue brings, after each batch's delay; shut the side down when every sender
/// is gone (a close on the other side closes this one).
async fn writer<W: AsyncWrite + Unpin>(mut w: W, mut rx: mpsc::Receiver<Batch>) {
    'outer: while let Some(b) = rx.recv().await {
        let mut next = Some(b);
        while let Some(b) = next.take() {
            if let Some(at) = b.at {
                tokio::time::sleep_until(at).await;
            }
            if w.write_all(&b.bytes).await.is_err() {
                break 'outer;
            }
            next = rx.try_recv().ok();
        }
        if w.flush().await.is_err() {
            break;
        }
    }
    let _ = w.shutdown().await;
}

/// An unbind from smppdiag (at stop), shown as injected.
fn stop_unbind(ctx: &Ctx, dir: Direction) -> Vec<u8> {
    let b = Pdu::new(cmd::UNBIND, STOP_SEQ).encode().unwrap_or_default();
    ctx.emit(
        dir,
        &b,
        None,
        None,
        true,
        Some("smppdiag is stopping: unbind"),
        ctx.now(),
    );
    b
}

fn ended(dir: Direction, r: Result<End, tokio::task::JoinError>) -> String {
    let side = match dir {
        Direction::EsmeToSmsc => "ESME",
        Direction::SmscToEsme => "SMSC",
    };
    match r {
        Ok(End::Eof) => format!("the {side} closed the connection"),
        Ok(End::Error(e)) => format!("reading from the {side} failed: {e}"),
        Ok(End::Gone) => "the other side is gone".to_string(),
        Ok(End::Refused) => format!("the {side}'s stream cannot be framed (--refuse-malformed)"),
        Err(_) => "aborted".to_string(),
    }
}

/// An ESME's TLS handshake failed: say so (always shown).
pub(crate) fn tls_refused(shared: &Shared, peer: SocketAddr, local: SocketAddr, why: &str) {
    let text = format!("TLS handshake with the ESME {peer} on {local} failed: {why}");
    shared.out.always(&Event::Note {
        session: None,
        kind: "tls_refused",
        text: &text,
        elapsed: None,
        tone: Tone::Bad,
        fields: serde_json::json!({"esme": peer.to_string()}),
    });
}

/// Proxy one ESME connection until either side closes or the proxy stops.
pub(crate) async fn run<S>(shared: Arc<Shared>, esme: S, peer: SocketAddr, local: SocketAddr)
where
    S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let id = next_id(&shared);
    let start = Instant::now();
    let start_wall = crate::wire::now();
    let upstream = match crate::session::conn::connect(&shared.cfg.upstream).await {
        Ok(s) => s,
        Err(e) => return upstream_failed(&shared, id, peer, &e),
    };
    let text = format!(
        "ESME {peer} connected on {local}; forwarding to the SMSC {}",
        shared.smsc
    );
    shared.out.session(&Event::SessionStart {
        session: id,
        esme: Some(peer),
        smsc: Some(shared.smsc),
        text: &text,
    });
    let ctx = Arc::new(Ctx {
        stats: Mutex::new(SessionStats::new(id, peer, shared.smsc, start_wall)),
        shared: Arc::clone(&shared),
        id,
        esme: peer,
        start,
        start_wall,
        stopping: AtomicBool::new(false),
    });
    let (er, ew) = tokio::io::split(esme);
    let (ur, uw) = tokio::io::split(upstream);
    let (to_esme, esme_rx) = mpsc::channel::<Batch>(QUEUE);
    let (to_smsc, smsc_rx) = mpsc::channel::<Batch>(QUEUE);
    let w_esme = tokio::spawn(writer(ew, esme_rx));
    let w_smsc = tokio::spawn(writer(uw, smsc_rx));
    let mut a = tokio::spawn(pump(
        Arc::clone(&ctx),
        Direction::EsmeToSmsc,
        er,
        to_smsc.clone(),
        Some(to_esme.clone()),
    ));
    let mut b = tokio::spawn(pump(
        Arc::clone(&ctx),
        Direction::SmscToEsme,
        ur,
        to_esme.clone(),
        None,
    ));
    let mut stop = shared.stop.clone();
    let stopping_already = *stop.borrow();
    let closed = tokio::select! {
        r = &mut a => { b.abort(); ended(Direction::EsmeToSmsc, r) }
        r = &mut b => { a.abort(); ended(Direction::SmscToEsme, r) }
        _ = async { if !stopping_already { let _ = stop.changed().await; } } => {
            let bound = ctx.stats().bound;
            if bound {
                ctx.stopping.store(true, Ordering::Relaxed);
                let _ = to_smsc.send(Batch { at: None, bytes: stop_unbind(&ctx, Direction::EsmeToSmsc) }).await;
                let _ = to_esme.send(Batch { at: None, bytes: stop_unbind(&ctx, Direction::SmscToEsme) }).await;
            }
            let both = async { let _ = (&mut a).await; let _ = (&mut b).await; };
            let _ = tokio::time::timeout(if bound { UNBIND_GRACE } else { Duration::ZERO }, both).await;
            a.abort();
            b.abort();
            if bound {
                "smppdiag stopped: unbound both ways".to_string()
            } else {
                "smppdiag stopped".to_string()
            }
        }
    };
    drop(to_esme);
    drop(to_smsc);
    let _ = tokio::time::timeout(Duration::from_secs(2), w_esme).await;
    let _ = tokio::time::timeout(Duration::from_secs(2), w_smsc).await;
    let end_text = format!("closed: {closed}");
    shared.out.session(&Event::SessionEnd {
        session: id,
        reason: &closed,
        text: &end_text,
    });
    let (fields, text) = {
        let st = ctx.stats();
        st.add_to(&mut shared.totals.lock().unwrap_or_else(|e| e.into_inner()));
        st.report(id, &closed)
    };
    shared.out.always(&Event::Summary {
        session: Some(id),
        fields,
        text: &text,
    });
}

/// The SMSC could not be reached: report, count, and close the ESME's connection.
fn upstream_failed(shared: &Shared, id: u64, peer: SocketAddr, e: &SessionError) {
    {
        let mut t = shared.totals.lock().unwrap_or_else(|e| e.into_inner());
        t.sessions += 1;
        t.upstream_failures += 1;
        if matches!(e, SessionError::Tls(_)) {
            t.tls_failures += 1;
        }
    }
    let text = format!("ESME {peer}: cannot reach the SMSC ({e}); closing the ESME's connection");
    shared.out.always(&Event::Note {
        session: Some(id),
        kind: "upstream_failed",
        text: &text,
        elapsed: None,
        tone: Tone::Bad,
        fields: serde_json::json!({"esme": peer.to_string(), "cause": e.to_string(), "exit_code": e.exit().code()}),
    });
}
