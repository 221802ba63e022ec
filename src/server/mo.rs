//! Mobile-originated traffic (`serve --mo`, `--mo-file`, `--mo-every`, `--mo-count`): the
//! simulator sends deliver_sm to a bound receiver or transceiver, in GSM 03.38 when the text
//! fits, else UCS2, long texts split with a concatenation UDH ([`crate::codec::craft::mo_deliver_sms`]).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::codec::craft::{mo_deliver_sms, MoMessage};

use super::{lock, BoundSession, Out, Shared};

/// What to originate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MoPlan {
    /// The messages, sent in order (and round again while `count` asks for more).
    pub messages: Vec<MoMessage>,
    /// Pause between two messages (none: one after the other).
    pub every: Option<Duration>,
    /// How many to send in all (default: each message once).
    pub count: Option<u64>,
}

impl MoPlan {
    /// Read `--mo-file`: one `FROM,TO,TEXT` per line; blank lines and `#` comments skipped.
    pub fn parse_file(text: &str) -> Result<Vec<MoMessage>, String> {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .map(|(i, l)| l.parse().map_err(|e| format!("line {}: {e}", i + 1)))
            .collect()
    }

    fn total(&self) -> u64 {
        self.count.unwrap_or(self.messages.len() as u64)
    }
}

/// A newly bound receiver gets a moment for its bind_resp to be written first.
const SETTLE: Duration = Duration::from_millis(200);
/// How often to look for a receiver while none is bound.
const POLL: Duration = Duration::from_millis(50);

/// The receiver with the lowest session number, if any is bound.
fn receiver(shared: &Shared) -> Option<(u64, BoundSession)> {
    lock(&shared.bound)
        .iter()
        .filter(|(_, b)| b.mode.can_receive())
        .min_by_key(|(k, _)| **k)
        .map(|(k, b)| (*k, b.clone()))
}

/// Send the plan's messages as receivers come and go; ends when all are sent or on stop.
pub(crate) async fn run(shared: Arc<Shared>) {
    let plan = &shared.cfg.mo;
    if plan.messages.is_empty() {
        return;
    }
    let mut seen = HashSet::new();
    let mut sent = 0u64;
    while sent < plan.total() && !*shared.stop.borrow() {
        let Some((session, target)) = receiver(&shared) else {
            tokio::time::sleep(POLL).await;
            continue;
        };
        if seen.insert(session) {
            tokio::time::sleep(SETTLE).await;
        }
        let m = &plan.messages[(sent % plan.messages.len() as u64) as usize];
        if send_one(&shared, session, &target, m, sent).await {
            sent += 1;
            if sent < plan.total() {
                tokio::time::sleep(plan.every.unwrap_or_default()).await;
            }
        } else {
            tokio::time::sleep(POLL).await;
        }
    }
}

/// Queue the deliver_sm parts of one message on `target`; false when its session is gone.
async fn send_one(
    shared: &Shared,
    session: u64,
    target: &BoundSession,
    m: &MoMessage,
    number: u64,
) -> bool {
    let parts = match mo_deliver_sms(m, (number & 0xFFFF) as u16) {
        Ok(p) => p,
        Err(e) => {
            shared.log.event(
                session,
                "mo",
                &format!("MO {} not sent: {e}", number + 1),
                json!({}),
            );
            return true;
        }
    };
    let n = parts.len();
    for (i, mut pdu) in parts.into_iter().enumerate() {
        pdu.sequence_number = target.next_seq();
        let Ok(bytes) = pdu.encode() else { return true };
        let note = format!("MO {} part {}/{n} from {}", number + 1, i + 1, m.from);
        if target.tx.send(Out::Pdu(bytes, Some(note))).await.is_err() {
            return false;
        }
    }
    shared.log.event(
        session,
        "mo",
        &format!(
            "MO {} from {} to {} ({n} part{})",
            number + 1,
            m.from,
            m.to,
            if n == 1 { "" } else { "s" }
        ),
        json!({"from": m.from, "to": m.to, "parts": n}),
    );
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mo_file_lines() {
        let got =
            MoPlan::parse_file("# from,to,text\n447700900123,12345,Hi, you\n\n12,34,€\n").unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].text, "Hi, you");
        let e = MoPlan::parse_file("1,2,ok\nbroken\n").unwrap_err();
        assert!(e.starts_with("line 2:"), "{e}");
    }
}
