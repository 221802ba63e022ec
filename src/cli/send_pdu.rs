//! `send --pdu HEX|@FILE`: after the bind (or, with `--no-bind`, on a fresh connection before
//! any bind) send these exact bytes, show the dump of what was sent and what came back, and
//! explain the answer. The library part is [`crate::session::raw`].

use std::path::Path;

use anyhow::Context;

use crate::codec::Header;
use crate::exit::Exit;
use crate::expect::Check;
use crate::render::Role;
use crate::session::raw::{silence_hint, Answer, RawConn};
use crate::session::{conn, BindMode, BindParams};
use crate::spec::commands;

use super::connect::{self, ConnectArgs, OutHandle};
use super::report::ReportArgs;

/// Options of `send --pdu`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PduArgs {
    /// Send these exact bytes after the bind: hex in any shape `decode` reads, or @FILE
    /// (repeatable; one PDU per value or file, malformed allowed).
    #[arg(long = "pdu", value_name = "HEX|@FILE", help_heading = "Raw PDUs")]
    pub pdus: Vec<String>,
    /// Send the --pdu bytes on a fresh connection before any bind (how does the SMSC treat a
    /// PDU out of state?).
    #[arg(long, requires = "pdus", help_heading = "Raw PDUs")]
    pub no_bind: bool,
    /// Keep the sequence numbers of the --pdu bytes (default: numbered like every request).
    #[arg(long, requires = "pdus", help_heading = "Raw PDUs")]
    pub keep_sequence: bool,
}

/// The bytes of every `--pdu` value: one PDU each, exactly as given (not split by
/// command_length, which may be the thing under test).
pub fn load(values: &[String]) -> anyhow::Result<Vec<Vec<u8>>> {
    values
        .iter()
        .map(|v| {
            let (text, what) = match v.strip_prefix('@') {
                Some(f) => (
                    std::fs::read_to_string(Path::new(f))
                        .with_context(|| format!("reading --pdu {v}"))?,
                    v.as_str(),
                ),
                None => (v.clone(), "--pdu"),
            };
            crate::input::bytes_of(&text)
                .ok_or_else(|| anyhow::anyhow!("{what}: no hex bytes found in {text:?}"))
        })
        .collect()
}

/// Run `send --pdu`.
pub fn run(
    conn: &ConnectArgs,
    args: &PduArgs,
    report: &ReportArgs,
    ctx: &super::Ctx,
) -> anyhow::Result<Exit> {
    let pdus = load(&args.pdus)?;
    let params = (!args.no_bind)
        .then(|| conn.bind_params(BindMode::Trx))
        .transpose()?;
    let out = OutHandle::new(conn, ctx.style)?;
    let rt = connect::runtime()?;
    let mut checks = Vec::new();
    let exit = rt.block_on(exchange_all(
        conn,
        args,
        params.as_ref(),
        &pdus,
        report.expected(),
        &out,
        &mut checks,
    ));
    out.with(|o| o.flush());
    let suite = format!("smppdiag send --pdu {}:{}", conn.host, conn.port);
    Ok(report
        .finish(&suite, "smppdiag.send", &checks, false)?
        .unwrap_or(exit))
}

async fn exchange_all(
    conn: &ConnectArgs,
    args: &PduArgs,
    params: Option<&BindParams>,
    pdus: &[Vec<u8>],
    expected: u32,
    out: &OutHandle,
    checks: &mut Vec<Check>,
) -> Exit {
    let copts = match conn.connect_options() {
        Ok(c) => c,
        Err(e) => {
            out.with(|o| o.line(&format!("✗ {e}")));
            return Exit::Usage;
        }
    };
    let stream = match conn::connect(&copts).await {
        Ok(s) => s,
        Err(e) => return out.with(|o| o.failure(&e)),
    };
    let timeout = conn
        .response_timeout()
        .unwrap_or(std::time::Duration::from_secs(10));
    let mut raw = RawConn::new(stream, Box::new(out.clone()), timeout);
    if let Some(p) = params {
        if let Err(exit) = bind(&mut raw, p, out).await {
            return exit;
        }
    }
    let mut exit = Exit::Success;
    let mut tally = Tally::default();
    for (i, pdu) in pdus.iter().enumerate() {
        if raw.is_closed() {
            out.with(|o| o.line(&format!("PDU {} not sent: the connection is closed", i + 1)));
            break;
        }
        let (sent, answer) = raw.exchange(pdu, args.keep_sequence).await;
        let subject = format!("PDU {} ({})", i + 1, name_of(&sent));
        out.with(|o| {
            explain_answer(o, &subject, &sent, &answer);
            o.json_line(&answer_event(Some(i + 1), &subject, &sent, &answer));
        });
        tally.add(&answer);
        report_late(&mut raw, out);
        exit = worse(exit, exit_of(&answer));
        let got = answer.status().ok_or_else(|| answer.describe());
        let detail = answer_dump(&answer);
        let rtt = match &answer {
            Answer::Response { rtt, .. } => *rtt,
            _ => timeout,
        };
        checks.push(Check::status(subject, expected, got, detail, rtt));
    }
    if params.is_some() && !raw.is_closed() {
        let unbind = crate::codec::Pdu::new(crate::spec::ids::cmd::UNBIND, 0);
        if let Ok(b) = unbind.encode() {
            let (sent, answer) = raw.exchange(&b, false).await;
            let subject = format!("the closing {}", name_of(&sent));
            out.with(|o| o.json_line(&answer_event(None, &subject, &sent, &answer)));
            report_late(&mut raw, out);
        }
    }
    out.with(|o| o.json_line(&tally.summary(pdus.len(), exit)));
    exit
}

/// A line (and a `note` of kind `late_answer`) per response that came after its PDU was given
/// up as silent.
fn report_late<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    raw: &mut RawConn<S>,
    out: &OutHandle,
) {
    for (seq, bytes) in raw.take_late() {
        let h = Header::parse(&bytes).unwrap_or_default();
        let status = crate::spec::status::name_of(h.command_status);
        let text = format!(
            "a late answer to the PDU with sequence {seq}: {} {status}",
            commands::name_of(h.command_id)
        );
        out.with(|o| {
            o.line(&text);
            o.json_line(&serde_json::json!({"event": "note", "kind": "late_answer",
                "session": 1, "text": text, "sequence_number": seq,
                "response": commands::name_of(h.command_id), "status": h.command_status,
                "status_name": status}));
        });
    }
}

/// What came back for the `--pdu` values, for the JSON summary.
#[derive(Debug, Default)]
struct Tally {
    sent: u64,
    answered: u64,
    unanswered: u64,
    closed: u64,
}

impl Tally {
    fn add(&mut self, answer: &Answer) {
        self.sent += 1;
        match answer {
            Answer::Response { .. } => self.answered += 1,
            Answer::Silence(_) => self.unanswered += 1,
            _ => self.closed += 1,
        }
    }

    fn summary(&self, given: usize, exit: Exit) -> serde_json::Value {
        serde_json::json!({"event": "summary", "command": "send", "mode": "pdu",
            "pdus": given, "sent": self.sent, "answered": self.answered,
            "unanswered": self.unanswered, "connection_lost": self.closed,
            "ok": exit == Exit::Success, "exit_code": exit.code()})
    }
}

/// The `note` event of kind `answer`: what came back for one PDU sent (a response, or the
/// silence, close or error instead), with the sent PDU's command and sequence number.
fn answer_event(
    index: Option<usize>,
    subject: &str,
    sent: &[u8],
    answer: &Answer,
) -> serde_json::Value {
    use serde_json::json;
    let header = Header::parse(sent);
    let mut v = json!({"event": "note", "kind": "answer", "session": 1,
        "text": format!("{subject}: {}", answer.describe()),
        "pdu_index": index, "command": name_of(sent),
        "sequence_number": header.map(|h| h.sequence_number), "octets": sent.len()});
    let extra = match answer {
        Answer::Response { bytes, rtt } => {
            let h = Header::parse(bytes).unwrap_or_default();
            json!({"answer": "response", "response": commands::name_of(h.command_id),
                "status": h.command_status,
                "status_name": crate::spec::status::name_of(h.command_status),
                "response_sequence_number": h.sequence_number,
                "rtt_ms": rtt.as_secs_f64() * 1000.0})
        }
        Answer::Silence(d) => json!({"answer": "silence",
            "timeout_ms": d.as_secs_f64() * 1000.0, "hint": silence_hint(sent)}),
        Answer::Closed { partial } => json!({"answer": "closed",
            "partial_octets": partial.len(), "hint": silence_hint(sent)}),
        Answer::Unframeable(n) => json!({"answer": "unframeable", "command_length": n}),
        Answer::Io(e) => json!({"answer": "connection_error", "error": e}),
    };
    if let (Some(m), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        m.extend(e.clone());
    }
    v
}

/// Bind on the raw connection; on failure the exit status to end with.
async fn bind<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    raw: &mut RawConn<S>,
    params: &BindParams,
    out: &OutHandle,
) -> Result<(), Exit> {
    let bytes = params.pdu().encode().map_err(|_| Exit::Internal)?;
    let (sent, answer) = raw.exchange(&bytes, false).await;
    let subject = format!("the {}", name_of(&sent));
    out.with(|o| o.json_line(&answer_event(None, &subject, &sent, &answer)));
    match answer.status() {
        Some(0) => Ok(()),
        _ => {
            out.with(|o| {
                let msg = format!("✗ bind failed: {}", answer.describe());
                let line = o.paint(Role::Error, &msg);
                o.line(&format!("\n{line}"));
                if let Some(st) = answer.status() {
                    o.explain(st);
                }
            });
            Err(exit_of(&answer))
        }
    }
}

fn name_of(bytes: &[u8]) -> String {
    Header::parse(bytes).map_or_else(
        || format!("{} octets, no whole header", bytes.len()),
        |h| commands::name_of(h.command_id),
    )
}

/// One line per answer, and the status explanation or a reason for the silence.
fn explain_answer(o: &mut connect::Out, subject: &str, sent: &[u8], answer: &Answer) {
    let role = match answer.status() {
        Some(0) => Role::Good,
        _ => Role::Error,
    };
    let line = o.paint(role, &format!("{subject}: {}", answer.describe()));
    o.line(&format!("\n{line}"));
    match answer {
        Answer::Response { .. } => {
            if let Some(st) = answer.status() {
                o.explain(st);
            }
        }
        Answer::Silence(_) | Answer::Closed { .. } => {
            if let Some(h) = silence_hint(sent) {
                for l in crate::render::explain::wrap(&h, 76) {
                    o.line(&format!("  {l}"));
                }
            }
        }
        _ => {}
    }
}

fn exit_of(answer: &Answer) -> Exit {
    match answer.status() {
        Some(0) => Exit::Success,
        Some(_) => Exit::SmppError,
        None => Exit::Network,
    }
}

/// The more serious of two exit statuses (network beats an SMPP error beats success).
fn worse(a: Exit, b: Exit) -> Exit {
    let rank = |e: Exit| match e {
        Exit::Success => 0,
        Exit::SmppError => 1,
        _ => 2,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

fn answer_dump(answer: &Answer) -> String {
    match answer {
        Answer::Response { bytes, .. } => crate::render::dump::dump(
            &crate::codec::decode(bytes),
            &crate::render::Style { color: false },
            &crate::render::dump::DumpOptions::default(),
        ),
        other => other.describe(),
    }
}
