//! command_status codes of SMPP 3.4 and 5.0: one row per code with its meaning, likely causes,
//! suggested fix and how a sender should treat it (retry class). Used by decode, explain, the
//! sessions and the generated docs/status-codes.md.
//!
//! SKELETON: the full table is being written (see issue 2).

use std::borrow::Cow;

use super::Since;

/// How a sender should treat a status (the NowSMS-style model, see [`super::retry`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryClass {
    /// Not an error (ESME_ROK).
    Success,
    /// Do not retry: the same request will fail again.
    Permanent,
    /// Retry on the delayed schedule, up to the attempt limit.
    Transient,
    /// Throttling or queue full: back off, slow down, retry past the attempt limit until the maximum age.
    Throttling,
}

impl RetryClass {
    /// Short label used in output.
    pub fn label(self) -> &'static str {
        match self {
            RetryClass::Success => "success",
            RetryClass::Permanent => "permanent",
            RetryClass::Transient => "transient",
            RetryClass::Throttling => "throttling",
        }
    }
}

/// One command_status code.
#[derive(Debug)]
pub struct StatusDef {
    /// The value.
    pub value: u32,
    /// The spec name (5.0 name where 3.4 and 5.0 differ).
    pub name: &'static str,
    /// Other names users search for (3.4 names of 0xC0-0xC4, common misspellings).
    pub aliases: &'static [&'static str],
    /// Version that defines it.
    pub since: Since,
    /// What it means.
    pub meaning: &'static str,
    /// Likely causes.
    pub causes: &'static [&'static str],
    /// Suggested fix.
    pub fix: &'static str,
    /// How a sender should treat it.
    pub retry: RetryClass,
}

/// Every defined code, in value order.
pub static STATUSES: &[StatusDef] = &[
    StatusDef {
        value: 0x00,
        name: "ESME_ROK",
        aliases: &[],
        since: Since::V34,
        meaning: "No error.",
        causes: &[],
        fix: "Nothing to fix.",
        retry: RetryClass::Success,
    },
    StatusDef {
        value: 0x58,
        name: "ESME_RTHROTTLED",
        aliases: &[],
        since: Since::V34,
        meaning: "Throttling error: the ESME exceeded its allowed message rate.",
        causes: &["Submitting faster than the SMSC allows for this account."],
        fix: "Slow down and retry with back-off.",
        retry: RetryClass::Throttling,
    },
];

/// The explanation of any u32 status: a table row, or a synthesized one for reserved and vendor ranges.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Explanation {
    /// The value.
    pub value: u32,
    /// Spec name, or a label like "reserved (0x00000009)" / "vendor-specific (0x00000401)".
    pub name: Cow<'static, str>,
    /// Alternative names.
    pub aliases: Vec<&'static str>,
    /// What it means.
    pub meaning: Cow<'static, str>,
    /// Likely causes.
    pub causes: Vec<Cow<'static, str>>,
    /// Suggested fix.
    pub fix: Cow<'static, str>,
    /// How a sender should treat it.
    pub retry: RetryClass,
}

/// Find the row of a value.
pub fn lookup(value: u32) -> Option<&'static StatusDef> {
    STATUSES.iter().find(|d| d.value == value)
}

/// Explain any status value.
pub fn explain(value: u32) -> Explanation {
    match lookup(value) {
        Some(d) => Explanation {
            value,
            name: Cow::Borrowed(d.name),
            aliases: d.aliases.to_vec(),
            meaning: Cow::Borrowed(d.meaning),
            causes: d.causes.iter().map(|c| Cow::Borrowed(*c)).collect(),
            fix: Cow::Borrowed(d.fix),
            retry: d.retry,
        },
        None => Explanation {
            value,
            name: Cow::Owned(format!("unknown (0x{value:08X})")),
            aliases: vec![],
            meaning: Cow::Borrowed("Not a defined command_status."),
            causes: vec![],
            fix: Cow::Borrowed("Ask the SMSC operator."),
            retry: RetryClass::Transient,
        },
    }
}

/// Parse what a user typed: `0x58`, `88` (decimal), `ESME_RTHROTTLED`, `RTHROTTLED`, `throttled`.
pub fn parse_query(q: &str) -> Option<u32> {
    let q = q.trim();
    if let Some(h) = q.strip_prefix("0x").or_else(|| q.strip_prefix("0X")) {
        return u32::from_str_radix(h, 16).ok();
    }
    if let Ok(v) = q.parse::<u32>() {
        return Some(v);
    }
    let up = q.to_ascii_uppercase();
    STATUSES
        .iter()
        .find(|d| {
            std::iter::once(d.name)
                .chain(d.aliases.iter().copied())
                .any(|n| {
                    n == up
                        || n.strip_prefix("ESME_")
                            .is_some_and(|s| s == up || s.strip_prefix('R') == Some(&up))
                })
        })
        .map(|d| d.value)
}
