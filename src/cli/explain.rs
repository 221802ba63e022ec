//! `smppdiag explain`: what a command_status means, why it happens, how to fix it, how a sender
//! should treat it, and (with `--schedule` or any retry option) the retry schedule.

use std::io::Write;

use crate::cli::retry_args::RetryArgs;
use crate::exit::Exit;
use crate::render::explain::{
    explanation_block, reading_label, readings_note, schedule_json, schedule_table, status_table,
};
use crate::spec::status::{self, STATUSES};
use crate::spec::status_query::{self, Readings};

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  smppdiag explain 0x58\n  smppdiag explain 88\n  \
    smppdiag explain 00000058\n  \
    smppdiag explain 'NegativeResponseException: Negative response 00000058 found'\n  \
    smppdiag explain ESME_RTHROTTLED\n  smppdiag explain throttled --schedule\n  \
    smppdiag explain 0xFE --reject-codes FE,All,58\n  smppdiag explain --all"
)]
pub struct ExplainArgs {
    /// The code as a log prints it: 0x58, 00000058 (hex), 88 (decimal), ESME_RTHROTTLED,
    /// RTHROTTLED or THROTTLED; or a pasted log line or exception message containing one.
    /// Bare digits like 58 are read both ways, the likelier first.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub code: Option<String>,
    /// List every defined code with its retry class.
    #[arg(long)]
    pub all: bool,
    /// Print JSON (one object per line) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also print the retry schedule for the code (implied by any retry option).
    #[arg(long, conflicts_with = "all")]
    pub schedule: bool,
    /// The retry policy used for the schedule.
    #[command(flatten)]
    pub retry: RetryArgs,
}

/// Run `explain`.
pub fn run(args: ExplainArgs, ctx: &super::Ctx) -> anyhow::Result<Exit> {
    let policy = args.retry.policy()?;
    let mut out = std::io::stdout().lock();
    if args.all {
        if args.json {
            for d in STATUSES {
                writeln!(out, "{}", serde_json::to_string(&status::explain(d.value))?)?;
            }
        } else {
            write!(out, "{}", status_table(&ctx.style))?;
        }
        return Ok(Exit::Success);
    }
    let query = args.code.unwrap_or_default();
    let Some(readings) = status_query::readings(&query) else {
        unknown_query(&query)?;
        return Ok(Exit::Usage);
    };
    let with_schedule = args.schedule || args.retry.any_set();
    if args.json {
        for (i, r) in readings.all.iter().enumerate() {
            let mut v = serde_json::to_value(status::explain(r.value))?;
            if let Some(obj) = v.as_object_mut() {
                if is_plain(&readings) {
                    // one plain value or name: the object as it always was
                } else {
                    obj.insert("read_as".into(), serde_json::to_value(r.read_as)?);
                    obj.insert("likeliest".into(), (i == 0).into());
                    if let Some(t) = &readings.found_in_text {
                        obj.insert("found_in_text".into(), t.clone().into());
                    }
                }
                if with_schedule && i == 0 {
                    obj.insert("schedule".into(), schedule_json(&policy, r.value));
                }
            }
            writeln!(out, "{}", serde_json::to_string(&v)?)?;
        }
        return Ok(Exit::Success);
    }
    write!(out, "{}", readings_note(&query, &readings, &ctx.style))?;
    for (i, r) in readings.all.iter().enumerate() {
        if readings.all.len() > 1 {
            if i > 0 {
                writeln!(out)?;
            }
            writeln!(out, "as {}:", reading_label(r))?;
        }
        write!(
            out,
            "{}",
            explanation_block(&status::explain(r.value), &ctx.style)
        )?;
        if with_schedule && i == 0 {
            writeln!(out)?;
            write!(out, "{}", schedule_table(&policy, r.value, &ctx.style))?;
        }
    }
    Ok(Exit::Success)
}

/// One value typed on its own, no second reading: printed exactly as before.
fn is_plain(r: &Readings) -> bool {
    r.all.len() == 1 && r.found_in_text.is_none()
}

/// The usage error for a query that holds no command_status, with close names.
fn unknown_query(query: &str) -> anyhow::Result<()> {
    let mut err = std::io::stderr().lock();
    if query.trim().contains(char::is_whitespace) {
        writeln!(
            err,
            "error: {query:?} holds no command_status value or name"
        )?;
    } else {
        writeln!(
            err,
            "error: {query:?} is not a command_status value or name"
        )?;
    }
    let close = status::suggest(query);
    if !close.is_empty() {
        writeln!(err, "  did you mean: {}?", close.join(", "))?;
    }
    writeln!(
        err,
        "  give a value (0x58 or 00000058 hex, 88 decimal), a name (ESME_RTHROTTLED,\n  \
         RTHROTTLED, THROTTLED) or a log line holding one; `smppdiag explain --all` lists\n  \
         every code"
    )?;
    Ok(())
}
