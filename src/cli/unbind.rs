//! `smppdiag unbind`: bind, then unbind and check the teardown: unbind_resp status, matching
//! sequence number, who closed the connection. `--rebind` then binds again with the same
//! system_id to prove the SMSC released the session.

use std::time::Duration;

use serde_json::json;

use crate::exit::Exit;
use crate::render::Role;
use crate::session::{fmt_dur, BindMode, BindParams, SessionError};
use crate::spec::status;

use super::connect::{self, ConnectArgs, OutHandle};

/// Arguments of `unbind`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  smppdiag unbind --system-id acme --password-file pw.txt\n  smppdiag unbind --system-id acme --rebind   # does the SMSC release the bind?\n  smppdiag unbind --system-id acme --rebind --junit unbind.xml --quiet"
)]
pub struct UnbindArgs {
    /// Connection and bind options.
    #[command(flatten)]
    pub conn: ConnectArgs,
    /// Bind again with the same system_id right after, and report whether the SMSC accepts it.
    #[arg(long)]
    pub rebind: bool,
    /// Seconds to wait for the SMSC to close the connection after unbind_resp.
    #[arg(long, value_name = "SECS", default_value_t = 2.0)]
    pub linger: f64,
    /// `--expect STATUS` (the unbind_resp's) and `--junit FILE` (one test case each for the
    /// bind, the unbind_resp and, with --rebind, the second bind).
    #[command(flatten)]
    pub report: super::report::ReportArgs,
}

use crate::expect::Check;

/// Run `unbind`.
pub fn run(args: UnbindArgs, ctx: &super::Ctx) -> anyhow::Result<Exit> {
    let params = args.conn.bind_params(BindMode::Trx)?;
    let linger = super::secs_in("--linger", args.linger, 0.0)?;
    let overall = args.conn.overall()?;
    let out = OutHandle::new(&args.conn, ctx.style)?;
    let rt = connect::runtime()?;
    let started = std::time::Instant::now();
    let mut checks = Vec::new();
    let exit = rt.block_on(async {
        let work = body(&args, &params, linger, &out, &mut checks);
        match overall {
            Some(t) => match tokio::time::timeout(t, work).await {
                Ok(e) => e,
                Err(_) => out.with(|o| {
                    o.failure(&SessionError::Timeout {
                        what: "unbind".into(),
                        after: t,
                    })
                }),
            },
            None => work.await,
        }
    });
    out.with(|o| o.flush());
    if checks.is_empty() {
        // The overall timeout struck before the bind was answered.
        checks.push(Check::status(
            "bind",
            0,
            Err(format!("no bind within --timeout (exit {})", exit.code())),
            String::new(),
            started.elapsed(),
        ));
    }
    let suite = format!("smppdiag unbind {}:{}", args.conn.host, args.conn.port);
    Ok(args
        .report
        .finish(&suite, "smppdiag.unbind", &checks, false)?
        .unwrap_or(exit))
}

/// Bind once; `Ok(None)` when refused (already reported).
async fn bind_once(
    args: &ConnectArgs,
    params: &BindParams,
    out: &OutHandle,
    label: &str,
    checks: &mut Vec<Check>,
) -> Result<Option<crate::session::Session<Box<dyn crate::session::conn::Stream>>>, Exit> {
    let started = std::time::Instant::now();
    let subject = format!(
        "{label}: {}",
        crate::spec::commands::name_of(params.mode.command_id())
    );
    let failed = |e: &SessionError, checks: &mut Vec<Check>| {
        let detail = e.received().map(super::report::dump_bytes);
        let check = Check::status(
            &subject,
            0,
            Err(e.to_string()),
            String::new(),
            started.elapsed(),
        );
        checks.push(Check {
            detail: detail.unwrap_or_default(),
            ..check
        });
        out.with(|o| o.failure(e))
    };
    let mut s = match connect::open(args, out).await {
        Ok(s) => s,
        Err(e) => return Err(failed(&e, checks)),
    };
    let (resp, rtt) = match s.bind(params).await {
        Ok(r) => r,
        Err(e) => return Err(failed(&e, checks)),
    };
    let st = resp.command_status;
    checks.push(Check::status(
        &subject,
        0,
        Ok(st),
        super::report::dump_of(&resp),
        rtt,
    ));
    out.with(|o| {
        let name = status::explain(st).name;
        if o.is_json() {
            o.json_line(
                &json!({"event": "note", "kind": "bind", "session": 1, "which": label, "status": st,
                "text": format!("{label}: {name}"),
                "status_name": name, "rtt_ms": rtt.as_secs_f64() * 1000.0}),
            );
        } else if st == 0 {
            let l = o.paint(
                Role::Good,
                &format!("✓ {label}: accepted in {}", fmt_dur(rtt)),
            );
            o.line(&format!("\n{l}"));
        } else {
            let l = o.paint(
                Role::Error,
                &format!("✗ {label}: refused with {name} (0x{st:08X})"),
            );
            o.line(&format!("\n{l}"));
            o.explain(st);
            if st == crate::spec::ids::status::ESME_RALYBND {
                o.line(&connect::already_bound_advice(&params.system_id));
            }
        }
    });
    if st != 0 {
        s.shutdown().await;
        return Ok(None);
    }
    Ok(Some(s))
}

async fn body(
    args: &UnbindArgs,
    params: &BindParams,
    linger: Duration,
    out: &OutHandle,
    checks: &mut Vec<Check>,
) -> Exit {
    let expected = args.report.expected();
    let unbind_check = |got: Result<u32, String>, detail: String, time: Duration| {
        Check::status("unbind", expected, got, detail, time)
    };
    let mut s = match bind_once(&args.conn, params, out, "bind", checks).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            checks.push(unbind_check(
                Err("no unbind: the bind was refused".into()),
                String::new(),
                Duration::ZERO,
            ));
            return Exit::SmppError;
        }
        Err(e) => return e,
    };
    let started = std::time::Instant::now();
    let report = match s.unbind(linger).await {
        Ok(r) => r,
        Err(e) => {
            let detail = e.received().map(super::report::dump_bytes);
            checks.push(unbind_check(
                Err(e.to_string()),
                detail.unwrap_or_default(),
                started.elapsed(),
            ));
            return out.with(|o| o.failure(&e));
        }
    };
    checks.push(match &report.response {
        Some(resp) => unbind_check(Ok(report.status), super::report::dump_of(resp), report.rtt),
        None => unbind_check(
            Err("the SMSC sent its own unbind instead of unbind_resp".into()),
            String::new(),
            started.elapsed(),
        ),
    });
    let clean = report.status == 0;
    out.with(|o| {
        let name = status::explain(report.status).name;
        if o.is_json() {
            o.json_line(
                &json!({"event": "note", "kind": "unbind", "session": 1, "status": report.status, "status_name": name,
                "text": format!("unbind: {name}"),
                "sequence_number": report.sequence, "sequence_matches": true,
                "rtt_ms": report.rtt.as_secs_f64() * 1000.0,
                "closed_by_peer": report.closed_by_peer}),
            );
        } else {
            let role = if clean { Role::Good } else { Role::Error };
            let l = o.paint(
                role,
                &format!(
                    "{} unbind_resp {name}, sequence {} matches, in {}",
                    if clean { "✓" } else { "✗" },
                    report.sequence,
                    fmt_dur(report.rtt)
                ),
            );
            o.line(&format!("\n{l}"));
            o.explain(report.status);
            if report.closed_by_peer {
                o.line(
                    "✓ the SMSC closed the connection after unbind_resp: it released the session",
                );
            } else {
                o.line(&format!(
                    "• the SMSC kept the connection open for {} after unbind_resp; we closed it \
                     (allowed by the spec: either side may close after unbind_resp)",
                    fmt_dur(linger)
                ));
            }
        }
    });
    let mut exit = if clean {
        Exit::Success
    } else {
        Exit::SmppError
    };
    if args.rebind {
        match bind_once(
            &args.conn,
            params,
            out,
            "rebind with the same system_id",
            checks,
        )
        .await
        {
            Ok(Some(mut s2)) => {
                out.with(|o| {
                    o.line("✓ the SMSC released the first session: a new bind is accepted")
                });
                let _ = s2.unbind(Duration::from_millis(500)).await;
            }
            Ok(None) => exit = Exit::SmppError,
            Err(e) => exit = e,
        }
    }
    if exit == Exit::Success && s.malformed > 0 {
        exit = Exit::Malformed;
    }
    let shown = args.report.final_exit(checks, false, exit);
    out.with(|o| {
        o.json_line(
            &json!({"event": "summary", "command": "unbind", "ok": shown == Exit::Success,
            "exit_code": shown.code()}),
        );
    });
    exit
}
