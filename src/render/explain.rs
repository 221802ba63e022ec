//! Rendering of status explanations, the status table (`explain --all`) and retry schedules.
//! Everything is written into strings with an explicit [`Style`], readable at 80 columns.

use std::fmt::Write as _;
use std::time::Duration;

use crate::render::{Role, Style};
use crate::spec::retry::{fmt_secs, Decision, RetryPolicy, Step, SCHEDULE_LIMIT};
use crate::spec::status::{self, Explanation, RetryClass, STATUSES};
use crate::spec::status_query::{Likelier, ReadAs, Reading, Readings};

/// Output width the renderers aim for.
pub const WIDTH: usize = 80;
/// Column where the text after a label ("meaning", "fix" ...) starts.
const LABEL_COL: usize = 11;
/// Schedules longer than this are shown as head, summary line, tail.
const FULL_ROWS: usize = 30;
/// Rows shown before the summary line of a long schedule.
const HEAD_ROWS: usize = 20;
/// Rows shown after it.
const TAIL_ROWS: usize = 3;

/// Greedy word wrap to `width` columns (characters); a word longer than `width` gets a line of
/// its own. Always returns at least one line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = vec![];
    let mut cur = String::new();
    let mut cur_len = 0;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if cur_len > 0 && cur_len + 1 + n > width {
            lines.push(std::mem::take(&mut cur));
            cur_len = 0;
        }
        if cur_len > 0 {
            cur.push(' ');
            cur_len += 1;
        }
        cur.push_str(word);
        cur_len += n;
    }
    lines.push(cur);
    lines
}

/// The role a retry class is painted in.
fn class_role(c: RetryClass) -> Role {
    match c {
        RetryClass::Success => Role::Good,
        RetryClass::Permanent => Role::Error,
        RetryClass::Transient => Role::Note,
        RetryClass::Throttling => Role::Warn,
    }
}

/// Write `label` in the label column and `text` wrapped after it; `first` is an optional
/// painted prefix (already part of `text` for wrapping purposes) for the first line.
fn labelled(out: &mut String, style: &Style, label: &str, lines: &[String]) {
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            let pad = format!("  {label:<w$}", w = LABEL_COL - 2);
            let _ = writeln!(out, "{}{}", style.paint(Role::Field, &pad), line);
        } else {
            let _ = writeln!(out, "{:LABEL_COL$}{}", "", line);
        }
    }
}

/// How one reading is named: `hex 0x58`, `decimal 88`, `name ESME_RTHROTTLED`.
pub fn reading_label(r: &Reading) -> String {
    match r.read_as {
        ReadAs::Hex => format!("hex 0x{:X}", r.value),
        ReadAs::Decimal => format!("decimal {} = 0x{:X}", r.value, r.value),
        ReadAs::Name => format!("name (0x{:X})", r.value),
    }
}

/// The lines printed before the explanation(s) when the query was not plain: the token taken
/// out of a pasted text, and for digits that read two ways, both readings and why the first is
/// the likelier. Empty for a plain value or name.
pub fn readings_note(query: &str, r: &Readings, style: &Style) -> String {
    let mut out = String::new();
    if let Some(tok) = &r.found_in_text {
        let _ = writeln!(
            out,
            "{}",
            style.paint(Role::Note, &format!("found {tok:?} in the text"))
        );
    }
    if let (Some(why), [first, second]) = (r.why, r.all.as_slice()) {
        let reason = match why {
            Likelier::ZeroPadded => "zero-padded digits, as logs print hex",
            Likelier::OnlyDefined => "only that reading is a defined code",
            Likelier::Literal => "both readings are defined codes; the literal one first",
        };
        let shown = r.found_in_text.as_deref().unwrap_or(query.trim());
        let text = format!(
            "{shown:?} reads two ways: as {} ({reason}), or as {}. Both follow.",
            reading_label(first),
            reading_label(second)
        );
        for line in wrap(&text, WIDTH) {
            let _ = writeln!(out, "{}", style.paint(Role::Note, &line));
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// The explanation block: name, value, aliases, meaning, causes, fix and retry class with what
/// a sender should do.
pub fn explanation_block(e: &Explanation, style: &Style) -> String {
    let mut out = String::new();
    let name_role = if e.retry == RetryClass::Success {
        Role::Good
    } else {
        Role::Error
    };
    let detail = match e.since {
        Some(v) => format!("0x{:08X} = {}, SMPP {}", e.value, e.value, v.label()),
        None => format!("= {}", e.value),
    };
    let _ = writeln!(
        out,
        "{}  {}",
        style.paint(name_role, &e.name),
        style.paint(Role::Dim, &detail)
    );
    let text_w = WIDTH - LABEL_COL;
    if !e.aliases.is_empty() {
        labelled(&mut out, style, "aka", &wrap(&e.aliases.join(", "), text_w));
    }
    labelled(&mut out, style, "meaning", &wrap(&e.meaning, text_w));
    if !e.causes.is_empty() {
        let mut lines = vec![];
        for c in &e.causes {
            for (i, l) in wrap(c, text_w - 2).into_iter().enumerate() {
                lines.push(if i == 0 {
                    format!("- {l}")
                } else {
                    format!("  {l}")
                });
            }
        }
        labelled(&mut out, style, "causes", &lines);
    }
    labelled(&mut out, style, "fix", &wrap(&e.fix, text_w));
    let label = e.retry.label();
    let mut lines = wrap(&format!("{label}: {}", e.retry.advice()), text_w);
    if let Some(first) = lines.first_mut() {
        if let Some(rest) = first.strip_prefix(label) {
            *first = format!("{}{rest}", style.paint(class_role(e.retry), label));
        }
    }
    labelled(&mut out, style, "retry", &lines);
    out
}

/// The table of every defined code (`explain --all`): value, name, retry class, short meaning,
/// followed by the ranges of values without a row.
pub fn status_table(style: &Style) -> String {
    let name_w = STATUSES.iter().map(|d| d.name.len()).max().unwrap_or(4);
    let class_w = "throttling".len();
    let mut out = String::new();
    let head = format!(
        "{:<10}  {:<name_w$}  {:<class_w$}  MEANING",
        "VALUE", "NAME", "RETRY"
    );
    let _ = writeln!(out, "{}", style.paint(Role::Heading, &head));
    for d in STATUSES {
        let _ = writeln!(
            out,
            "{}  {}  {}  {}",
            style.paint(Role::Bytes, &format!("0x{:08X}", d.value)),
            style.paint(Role::Field, &format!("{:<name_w$}", d.name)),
            style.paint(
                class_role(d.retry),
                &format!("{:<class_w$}", d.retry.label())
            ),
            d.short
        );
    }
    out.push('\n');
    let note = "Values without a row: the gaps below 0x00000100 are reserved (SMPP 3.4 and \
                5.0); 0x00000113-0x000003FF is reserved for extensions; \
                0x00000400-0x000004FF is vendor-specific (ask the provider); 0x00000500 and \
                above is reserved. All of them are retried as transient unless listed in \
                --reject-codes. `smppdiag explain <code>` explains any value.";
    for l in wrap(note, WIDTH) {
        let _ = writeln!(out, "{}", style.paint(Role::Dim, &l));
    }
    out
}

/// A duration as `h:mm:ss` (with fractional seconds when there are any).
fn fmt_clock(d: Duration) -> String {
    let s = d.as_secs();
    let frac = fmt_secs(Duration::from_nanos(u64::from(d.subsec_nanos())));
    let frac = frac
        .strip_prefix('0')
        .filter(|f| !f.is_empty())
        .unwrap_or("");
    format!("{}:{:02}:{:02}{frac}", s / 3600, (s / 60) % 60, s % 60)
}

fn schedule_row(out: &mut String, style: &Style, s: &Step) {
    let tail = match s.decision {
        Decision::RetryAfter(d) => format!(
            "{:>9}   {}",
            format!("{} s", fmt_secs(d)),
            fmt_clock(s.at.saturating_add(d))
        ),
        Decision::GiveUp(r) => style.paint(Role::Error, &format!("give up: {}", r.describe())),
    };
    let _ = writeln!(out, "{:>7}   {:>10}   {tail}", s.attempt, fmt_clock(s.at));
}

/// The retry schedule of `status` under `policy`: attempt, when it fails, the wait, when the
/// next attempt happens, and the give-up point. Long schedules are summarised.
pub fn schedule_table(policy: &RetryPolicy, status: u32, style: &Style) -> String {
    let mut out = String::new();
    let class = policy.class(status);
    let table_class = status::explain(status).retry;
    let why = if class != table_class {
        format!(
            " (by --reject-codes; the table says {})",
            table_class.label()
        )
    } else {
        String::new()
    };
    let head = format!(
        "Retry schedule for {} (0x{status:08X}): {}{why}",
        status::name_of(status),
        class.label()
    );
    for l in wrap(&head, WIDTH) {
        let _ = writeln!(out, "{}", style.paint(Role::Heading, &l));
    }
    for l in wrap(&format!("policy: {}", policy.summary()), WIDTH) {
        let _ = writeln!(out, "{}", style.paint(Role::Dim, &l));
    }
    let _ = writeln!(
        out,
        "{}",
        style.paint(
            Role::Dim,
            "(times count from the first attempt; answers assumed instant)"
        )
    );
    out.push('\n');
    let head = format!(
        "{:>7}   {:>10}   {:>9}   {}",
        "attempt", "fails at", "wait", "next attempt at"
    );
    let _ = writeln!(out, "{}", style.paint(Role::Heading, &head));
    let steps = policy.schedule(status);
    if steps.len() <= FULL_ROWS {
        for s in &steps {
            schedule_row(&mut out, style, s);
        }
    } else {
        let tail_from = steps.len() - TAIL_ROWS;
        for s in steps.iter().take(HEAD_ROWS) {
            schedule_row(&mut out, style, s);
        }
        let hidden = steps.get(HEAD_ROWS..tail_from).unwrap_or(&[]);
        let waits: Vec<Duration> = hidden.iter().filter_map(Step::delay).collect();
        if let (Some(lo), Some(hi)) = (waits.iter().min(), waits.iter().max()) {
            let what = if lo == hi {
                format!("wait {} s each", fmt_secs(*lo))
            } else {
                format!("waits from {} s to {} s", fmt_secs(*lo), fmt_secs(*hi))
            };
            let line = format!("    ... {} more attempts, {what} ...", hidden.len());
            let _ = writeln!(out, "{}", style.paint(Role::Dim, &line));
        }
        for s in steps.iter().skip(tail_from) {
            schedule_row(&mut out, style, s);
        }
    }
    out.push('\n');
    let end = match steps.last() {
        Some(Step {
            attempt,
            at,
            decision: Decision::GiveUp(r),
        }) => format!(
            "Gives up after attempt {attempt}, {} after the first ({}).",
            fmt_clock(*at),
            r.describe()
        ),
        _ => format!(
            "Shown up to attempt {SCHEDULE_LIMIT}; retries go on until the maximum age ({} min).",
            policy.max_age.as_secs() / 60
        ),
    };
    for l in wrap(&end, WIDTH) {
        let _ = writeln!(out, "{l}");
    }
    out
}

/// The schedule as JSON: class, policy settings, steps (`attempt`, `at_secs`, `delay_secs` or
/// null, `give_up` reason or null) and whether it was cut at [`SCHEDULE_LIMIT`].
pub fn schedule_json(policy: &RetryPolicy, status: u32) -> serde_json::Value {
    let steps = policy.schedule(status);
    let truncated = !matches!(steps.last().map(|s| s.decision), Some(Decision::GiveUp(_)));
    let rows: Vec<serde_json::Value> = steps
        .iter()
        .map(|s| {
            serde_json::json!({
                "attempt": s.attempt,
                "at_secs": s.at.as_secs_f64(),
                "delay_secs": s.delay().map(|d| d.as_secs_f64()),
                "give_up": match s.decision {
                    Decision::GiveUp(r) => Some(r),
                    Decision::RetryAfter(_) => None,
                },
            })
        })
        .collect();
    serde_json::json!({
        "class": policy.class(status),
        "policy": {
            "delay_secs": policy.delay.as_secs_f64(),
            "multiplier": policy.multiplier,
            "after_attempts": policy.after_attempts,
            "max_delay_secs": policy.max_delay.map(|d| d.as_secs_f64()),
            "max_attempts": policy.max_attempts,
            "max_age_minutes": policy.max_age.as_secs() / 60,
            "reject_all": policy.reject.all,
            "reject_codes": policy.reject.codes,
        },
        "steps": rows,
        "truncated": truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::status::explain;

    fn max_width(s: &str) -> usize {
        s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
    }

    #[test]
    fn wrap_respects_width() {
        assert_eq!(wrap("a bb ccc dddd", 6), vec!["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("", 10), vec![""]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcdefghij"]);
    }

    #[test]
    fn block_of_a_defined_code() {
        let b = explanation_block(&explain(0x58), &Style::PLAIN);
        let first = b.lines().next().unwrap();
        assert_eq!(first, "ESME_RTHROTTLED  0x00000058 = 88, SMPP 3.4");
        assert!(b.contains("\n  meaning  The SMSC refused the request"));
        assert!(b.contains("\n  causes   - Submitting faster"));
        assert!(b.contains("\n  fix      Cap the rate"));
        assert!(b.contains("\n  retry    throttling: Slow down"));
        assert!(max_width(&b) <= WIDTH, "{b}");
    }

    #[test]
    fn block_shows_aliases_and_synthesized_names() {
        let b = explanation_block(&explain(0xC0), &Style::PLAIN);
        assert!(b.contains("\n  aka      ESME_RINVOPTPARSTREAM\n"), "{b}");
        let b = explanation_block(&explain(0x401), &Style::PLAIN);
        assert!(
            b.starts_with("vendor-specific (0x00000401)  = 1025\n"),
            "{b}"
        );
        for v in [0x09, 0x401, 0x5800_0000, 0x0E, 0x105] {
            assert!(max_width(&explanation_block(&explain(v), &Style::PLAIN)) <= WIDTH);
        }
    }

    #[test]
    fn colour_only_with_colour() {
        let plain = explanation_block(&explain(0x0B), &Style::PLAIN);
        assert!(!plain.contains('\x1b'));
    }

    #[test]
    fn table_fits_and_lists_every_code() {
        let t = status_table(&Style::PLAIN);
        assert!(max_width(&t) <= WIDTH, "{t}");
        for d in STATUSES {
            assert!(
                t.contains(&format!("0x{:08X}  {}", d.value, d.name)),
                "{}",
                d.name
            );
        }
        assert!(t.contains("0x00000058  ESME_RTHROTTLED           throttling  Throttled"));
        assert!(t.contains("vendor-specific"));
    }

    #[test]
    fn default_schedule_of_a_transient_code() {
        let t = schedule_table(&RetryPolicy::default(), 0x08, &Style::PLAIN);
        assert!(
            t.contains("      1      0:00:00         0 s   0:00:00\n"),
            "{t}"
        );
        assert!(
            t.contains("      2      0:00:00        30 s   0:00:30\n"),
            "{t}"
        );
        assert!(
            t.contains("      3      0:00:30        60 s   0:01:30\n"),
            "{t}"
        );
        assert!(
            t.contains("     20      1:25:30   give up: attempt limit reached\n"),
            "{t}"
        );
        assert!(t.contains("Gives up after attempt 20, 1:25:30 after the first"));
        assert!(max_width(&t) <= WIDTH, "{t}");
    }

    #[test]
    fn throttling_schedule_is_summarised() {
        let t = schedule_table(&RetryPolicy::default(), 0x58, &Style::PLAIN);
        assert!(t.contains("more attempts, waits from"), "{t}");
        assert!(t.contains("give up: maximum age reached"), "{t}");
        assert!(t.lines().count() < 45, "{t}");
        let zero = RetryPolicy {
            delay: Duration::ZERO,
            ..Default::default()
        };
        let t = schedule_table(&zero, 0x58, &Style::PLAIN);
        assert!(t.contains("wait 0 s each"), "{t}");
        assert!(t.contains("Shown up to attempt 500"), "{t}");
    }

    #[test]
    fn reject_list_shows_in_schedule() {
        let p = RetryPolicy {
            reject: "FE".parse().unwrap(),
            ..Default::default()
        };
        let t = schedule_table(&p, 0xFE, &Style::PLAIN);
        assert!(
            t.contains("): permanent (by\n--reject-codes; the table says transient)"),
            "{t}"
        );
        assert!(
            t.contains("      1      0:00:00   give up: permanent error"),
            "{t}"
        );
    }

    #[test]
    fn schedule_json_shape() {
        let v = schedule_json(&RetryPolicy::default(), 0x08);
        assert_eq!(v["class"], "transient");
        assert_eq!(v["steps"][1]["delay_secs"], 30.0);
        assert_eq!(v["steps"][19]["give_up"], "attempts_exhausted");
        assert_eq!(v["truncated"], false);
    }

    #[test]
    fn clock_format() {
        assert_eq!(fmt_clock(Duration::from_secs(5130)), "1:25:30");
        assert_eq!(fmt_clock(Duration::from_millis(1500)), "0:00:01.5");
        let _ = fmt_clock(Duration::MAX);
    }
}
