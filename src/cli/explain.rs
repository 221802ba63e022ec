//! `smppdiag explain`: what a command_status means, why it happens, how to fix it, how a sender
//! should treat it, and (with `--schedule` or any retry option) the retry schedule.

use std::io::Write;

use crate::cli::retry_args::RetryArgs;
use crate::exit::Exit;
use crate::render::explain::{explanation_block, schedule_json, schedule_table, status_table};
use crate::spec::status::{self, STATUSES};

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  smppdiag explain 0x58\n  smppdiag explain 88\n  \
    smppdiag explain ESME_RTHROTTLED\n  smppdiag explain throttled --schedule\n  \
    smppdiag explain 0xFE --reject-codes FE,All,58\n  smppdiag explain --all"
)]
pub struct ExplainArgs {
    /// The code: 0x58 (hex), 88 (decimal), ESME_RTHROTTLED, RTHROTTLED or THROTTLED.
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
    let Some(value) = status::parse_query(&query) else {
        let mut err = std::io::stderr().lock();
        writeln!(
            err,
            "error: {query:?} is not a command_status value or name"
        )?;
        let close = status::suggest(&query);
        if !close.is_empty() {
            writeln!(err, "  did you mean: {}?", close.join(", "))?;
        }
        writeln!(
            err,
            "  give a value (0x58 hex, 88 decimal) or a name (ESME_RTHROTTLED, RTHROTTLED,\n  \
             THROTTLED); `smppdiag explain --all` lists every code"
        )?;
        return Ok(Exit::Usage);
    };
    let e = status::explain(value);
    let with_schedule = args.schedule || args.retry.any_set();
    if args.json {
        let mut v = serde_json::to_value(&e)?;
        if with_schedule {
            if let Some(obj) = v.as_object_mut() {
                obj.insert("schedule".into(), schedule_json(&policy, value));
            }
        }
        writeln!(out, "{}", serde_json::to_string(&v)?)?;
    } else {
        write!(out, "{}", explanation_block(&e, &ctx.style))?;
        if with_schedule {
            writeln!(out)?;
            write!(out, "{}", schedule_table(&policy, value, &ctx.style))?;
        }
    }
    Ok(Exit::Success)
}
