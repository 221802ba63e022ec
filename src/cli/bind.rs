//! `smppdiag bind`: connect, bind, show both PDUs, report success or the explained failure,
//! optionally hold the session (answering and sending enquire_link, acknowledging deliveries),
//! then unbind cleanly.

use std::time::Duration;

use serde_json::json;
use tokio::time::Instant;

use crate::codec::Pdu;
use crate::exit::Exit;
use crate::render::Role;
use crate::session::{fmt_dur, BindMode, Event, SessionError};
use crate::spec::status;

use super::connect::{self, ConnectArgs, OutHandle};

/// Arguments of `bind`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  SMPP_PASSWORD=secret smppdiag bind --host smsc.example.com --system-id acme\n  smppdiag bind --tls --port 3550 --system-id acme --password-file pw.txt --hold 60\n  smppdiag bind --system-id acme --password wrong --expect ESME_RINVPASWD --junit bind.xml --quiet"
)]
pub struct BindArgs {
    /// Connection and bind options.
    #[command(flatten)]
    pub conn: ConnectArgs,
    /// Keep the session up this many seconds (answering enquire_link, acknowledging deliveries).
    #[arg(long, value_name = "SECS")]
    pub hold: Option<f64>,
    /// While holding, send enquire_link every SECS seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub enquire_link: f64,
    /// `--expect STATUS` and `--junit FILE`.
    #[command(flatten)]
    pub report: super::report::ReportArgs,
}

const ENQUIRE_LINK: u32 = 0x15;

/// Run `bind`.
pub fn run(args: BindArgs, ctx: &super::Ctx) -> anyhow::Result<Exit> {
    let params = args.conn.bind_params(BindMode::Trx)?;
    let overall = args.conn.overall()?;
    let hold = args
        .hold
        .map(|h| super::secs_in("--hold", h, 0.0))
        .transpose()?;
    let el = super::secs_in("--enquire-link", args.enquire_link, 0.001)?;
    let out = OutHandle::new(&args.conn, ctx.style)?;
    let rt = connect::runtime()?;
    let mut checks = Vec::new();
    let exit = rt.block_on(async {
        let expect = (args.report.expected(), &mut checks, &args.report);
        let work = session_body(&args.conn, &params, hold, el, &out, expect);
        match overall {
            Some(t) => match tokio::time::timeout(t, work).await {
                Ok(e) => e,
                Err(_) => out.with(|o| {
                    o.failure(&SessionError::Timeout {
                        what: "bind".into(),
                        after: t,
                    })
                }),
            },
            None => work.await,
        }
    });
    out.with(|o| o.flush());
    let suite = format!("smppdiag bind {}:{}", args.conn.host, args.conn.port);
    Ok(args
        .report
        .finish(&suite, "smppdiag.bind", &checks, false)?
        .unwrap_or(exit))
}

/// The bind expectation: the status expected, where its check goes, and `--expect`/`--junit`.
type BindExpect<'a> = (
    u32,
    &'a mut Vec<crate::expect::Check>,
    &'a super::report::ReportArgs,
);

async fn session_body(
    conn: &ConnectArgs,
    params: &crate::session::BindParams,
    hold: Option<Duration>,
    el: Duration,
    out: &OutHandle,
    (expected, checks, report): BindExpect<'_>,
) -> Exit {
    let bind_cmd = crate::spec::commands::name_of(params.mode.command_id());
    let started = std::time::Instant::now();
    let unmet = |why: String| {
        crate::expect::Check::status(
            &bind_cmd,
            expected,
            Err(why),
            String::new(),
            started.elapsed(),
        )
    };
    let mut session = match connect::open(conn, out).await {
        Ok(s) => s,
        Err(e) => {
            checks.push(unmet(e.to_string()));
            return out.with(|o| o.failure(&e));
        }
    };
    let (resp, rtt) = match session.bind(params).await {
        Ok(r) => r,
        Err(e) => {
            checks.push(unmet(e.to_string()));
            let exit = out.with(|o| o.failure(&e));
            if matches!(e, SessionError::Interrupted) {
                connect::unbind_briefly(&mut session).await;
            }
            return exit;
        }
    };
    let st = resp.command_status;
    let name = status::explain(st).name;
    checks.push(crate::expect::Check::status(
        &bind_cmd,
        expected,
        Ok(st),
        super::report::dump_of(&resp),
        rtt,
    ));
    if st != 0 {
        // With --expect, the process ends with the expectation's verdict.
        let shown = report.final_exit(checks, false, Exit::SmppError);
        out.with(|o| {
            if o.is_json() {
                o.json_line(&json!({"event": "summary", "command": "bind",
                    "ok": shown == Exit::Success,
                    "bind": bind_cmd, "status": st, "status_name": name,
                    "rtt_ms": rtt.as_secs_f64() * 1000.0,
                    "exit_code": shown.code()}));
            } else {
                let msg = format!("✗ {bind_cmd} refused: {name} (0x{st:08X})");
                let line = o.paint(Role::Error, &msg);
                o.line(&format!("\n{line}"));
                o.explain(st);
                if st == crate::spec::ids::status::ESME_RALYBND {
                    o.line(&connect::already_bound_advice(&params.system_id));
                }
            }
        });
        session.shutdown().await;
        return Exit::SmppError;
    }
    let smsc_id = resp.string("system_id").unwrap_or_default();
    out.with(|o| {
        let msg = format!("✓ bound as {bind_cmd} to \"{smsc_id}\" in {}", fmt_dur(rtt));
        let line = o.paint(Role::Good, &msg);
        o.line(&format!("\n{line}"));
    });

    let mut exit = Exit::Success;
    if let Some(hold) = hold {
        if let Err(e) = hold_session(&mut session, hold, el).await {
            exit = out.with(|o| o.failure(&e));
            if matches!(e, SessionError::Interrupted) {
                connect::unbind_briefly(&mut session).await;
            }
            return exit;
        }
    }
    match session.unbind(Duration::from_secs(1)).await {
        Ok(r) => {
            let own = if r.status != 0 {
                Exit::SmppError
            } else if session.malformed > 0 {
                Exit::Malformed
            } else {
                Exit::Success
            };
            let shown = report.final_exit(checks, false, own);
            out.with(|o| {
                if o.is_json() {
                    o.json_line(&json!({"event": "summary", "command": "bind",
                        "ok": shown == Exit::Success, "exit_code": shown.code(),
                        "bind": bind_cmd, "status": 0, "status_name": "ESME_ROK",
                        "smsc_system_id": smsc_id, "rtt_ms": rtt.as_secs_f64() * 1000.0,
                        "unbind_status": r.status, "closed_by_peer": r.closed_by_peer,
                        "malformed": session.malformed}));
                } else {
                    let msg = format!(
                        "unbound: unbind_resp {}{}",
                        status::explain(r.status).name,
                        if r.closed_by_peer {
                            ", connection closed by the SMSC"
                        } else {
                            ""
                        }
                    );
                    let role = if r.status == 0 {
                        Role::Good
                    } else {
                        Role::Error
                    };
                    let line = o.paint(role, &msg);
                    o.line(&line);
                }
            });
            if r.status != 0 {
                exit = Exit::SmppError;
            }
        }
        Err(e) => exit = out.with(|o| o.failure(&e)),
    }
    if exit == Exit::Success && session.malformed > 0 {
        exit = Exit::Malformed;
    }
    exit
}

/// Keep the session up: answer what comes (the session does), send enquire_link every `el`.
async fn hold_session<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    session: &mut crate::session::Session<S>,
    hold: Duration,
    el: Duration,
) -> Result<(), SessionError> {
    let end = Instant::now() + hold;
    let mut next_el = Instant::now() + el;
    loop {
        let now = Instant::now();
        if now >= end {
            return Ok(());
        }
        if now >= next_el {
            session.send(&Pdu::new(ENQUIRE_LINK, 0), 0)?;
            next_el = now + el;
        }
        match session.next_event(Some(end.min(next_el))).await? {
            Event::PeerUnbound => {
                return Err(SessionError::Closed {
                    during: "(it sent unbind) while the session was held".into(),
                    partial: vec![],
                })
            }
            Event::Response { pdu, .. } if pdu.command_status != 0 => {}
            _ => {}
        }
    }
}
