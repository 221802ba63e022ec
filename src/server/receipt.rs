//! Delivery receipts: scheduled `--dlr-delay` after each accepted message by one task (not one
//! task per message), sent to a receiver of the submitting system_id (the submitting session
//! first when it can receive), or kept encoded until one binds, within the bounds of
//! [`super::store::PendingReceipts`].

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::json;
use tokio::sync::mpsc;

use crate::codec::receipt::StatInfo;
use crate::codec::{Pdu, Value};
use crate::spec::ids::{cmd, tag};

use super::store::Stored;
use super::{lock, BoundSession, Out, Shared};

/// Messages waiting for their `--dlr-delay` at most; past that the receipt is not made (the
/// message stays ENROUTE) and is counted.
pub(crate) const MAX_SCHEDULED: usize = 100_000;

/// A message whose final state is decided at `at`.
#[derive(Debug)]
pub(crate) struct Due {
    at: tokio::time::Instant,
    /// The submitting session.
    session: u64,
    /// Its message_id.
    id: String,
    /// registered_delivery & 3: which outcomes want a receipt.
    registered_delivery: u32,
}

/// The queue of messages waiting for `--dlr-delay`, and the task that empties it.
pub(crate) fn channel() -> (mpsc::Sender<Due>, mpsc::Receiver<Due>) {
    mpsc::channel(MAX_SCHEDULED)
}

/// Decide message `id`'s final state after `--dlr-delay` (and send its receipt if wanted).
pub(crate) fn schedule(shared: &Shared, session: u64, id: String, registered_delivery: u32) {
    let due = Due {
        at: tokio::time::Instant::now() + shared.cfg.dlr_delay,
        session,
        id,
        registered_delivery,
    };
    if shared.dlr_due.try_send(due).is_err() {
        shared
            .counters
            .receipts_unscheduled
            .fetch_add(1, Ordering::Relaxed);
    }
}

/// Messages finalized in one go before other tasks get their turn.
const BATCH: usize = 1024;

/// Finalize each message when its time comes (the delay is the same for all: first in, first
/// due), many at a time so that the one task keeps up with every session together.
pub(crate) async fn run(shared: Arc<Shared>, mut rx: mpsc::Receiver<Due>) {
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        let mut done = 0;
        while let Some(due) = next.take() {
            if due.at > tokio::time::Instant::now() {
                tokio::time::sleep_until(due.at).await;
            }
            finalize(&shared, due);
            done += 1;
            if done < BATCH {
                next = rx.try_recv().ok();
            }
        }
    }
}

/// Set the sequence_number of an encoded PDU.
pub(crate) fn set_seq(pdu: &mut [u8], seq: u32) {
    if let Some(field) = pdu.get_mut(crate::codec::header::field::SEQUENCE_NUMBER) {
        field.copy_from_slice(&seq.to_be_bytes());
    }
}

/// After `--dlr-delay`: decide the final state and send the receipt if one was asked for.
fn finalize(shared: &Shared, due: Due) {
    let Some((m, stat)) = decide(shared, &due.id) else {
        return;
    };
    if !wanted(due.registered_delivery, stat.message_state == DELIVERED) {
        return;
    }
    let sid = m.system_id();
    let Some(t) = receiver(shared, due.session, sid) else {
        // Built only when it can be kept: most receipts for a system_id that never binds a
        // receiver are dropped, and building them would cost more than the rest of serving.
        let kept = lock(&shared.pending_dlr)
            .push_with(sid, || receipt_pdu(shared, &m, &due.id, stat).encode().ok());
        if kept {
            shared.log.event(
                due.session,
                "receipt_queued",
                &format!("receipt for {} kept until a receiver binds", due.id),
                json!({"message_id": due.id}),
            );
        }
        return;
    };
    let mut dlr = receipt_pdu(shared, &m, &due.id, stat);
    dlr.sequence_number = t.next_seq();
    if let Ok(b) = dlr.encode() {
        // Never wait for a client that does not read: a full queue drops the receipt.
        let note = Some(format!("receipt for {}: {}", due.id, stat.code));
        match t.tx.try_send(Out::Pdu(b, note)) {
            Ok(()) => {
                shared.counters.receipts.fetch_add(1, Ordering::Relaxed);
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                shared
                    .counters
                    .receipts_unread
                    .fetch_add(1, Ordering::Relaxed);
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }
}

/// message_state DELIVERED.
const DELIVERED: u8 = 2;

/// Pick message `id`'s final state (`--dlr-mix`) and record it; the message as it is then, or
/// `None` when it is gone, already final, or the mix sends no receipt.
fn decide(shared: &Shared, id: &str) -> Option<(Stored, &'static StatInfo)> {
    let stat = shared.cfg.dlr_mix.pick(shared.roll())?;
    let mut store = lock(&shared.store);
    let m = store.get_mut(id)?;
    if m.state != 1 {
        return None; // cancelled meanwhile
    }
    m.state = stat.message_state;
    m.done = Some(SystemTime::now());
    m.error = if stat.message_state == DELIVERED {
        0
    } else {
        1
    };
    Some((m.clone(), stat))
}

/// Whether registered_delivery (its low two bits) asks for a receipt of this outcome.
fn wanted(registered_delivery: u32, delivered: bool) -> bool {
    match registered_delivery {
        1 => true,
        2 => !delivered,
        3 => delivered,
        _ => false,
    }
}

/// Where a receipt for `sid` goes: the submitting session when it can receive, else the
/// oldest receiver of the same system_id.
fn receiver(shared: &Shared, session: u64, sid: &str) -> Option<BoundSession> {
    let bound = lock(&shared.bound);
    let receives = |b: &&BoundSession| b.system_id == sid && b.mode.can_receive();
    bound.get(&session).filter(receives).cloned().or_else(|| {
        bound
            .iter()
            .filter(|(_, b)| receives(b))
            .min_by_key(|(k, _)| **k)
            .map(|(_, b)| b.clone())
    })
}

/// The deliver_sm receipt of message `id` (sequence_number 0).
fn receipt_pdu(shared: &Shared, m: &Stored, id: &str, stat: &'static StatInfo) -> Pdu {
    let delivered = stat.message_state == DELIVERED;
    let date = |t: SystemTime| {
        crate::codec::time::format_absolute(t, 0)
            .ok()
            .and_then(|s| s.get(..10).map(str::to_string))
            .unwrap_or_default()
    };
    let text = crate::codec::receipt::text_excerpt(m.text(), m.data_coding);
    let body = format!(
        "id:{id} sub:001 dlvrd:{} submit date:{} done date:{} stat:{} err:{:03} text:{text}",
        if delivered { "001" } else { "000" },
        date(m.submitted),
        date(m.done.unwrap_or_else(SystemTime::now)),
        stat.code,
        m.error
    );
    let (data_coding, body) = crate::codec::receipt::encode_text(&body);
    let mut rid = id.as_bytes().to_vec();
    rid.push(0);
    let mut dlr = Pdu::new(cmd::DELIVER_SM, 0)
        .with_int("source_addr_ton", 1)
        .with_int("source_addr_npi", 1)
        .with_str("source_addr", m.dest())
        .with_int("dest_addr_ton", 1)
        .with_int("dest_addr_npi", 1)
        .with_str("destination_addr", m.source())
        .with_int("esm_class", 0x04)
        .with_int("data_coding", u32::from(data_coding))
        .with("short_message", Value::Octets(body));
    if shared.cfg.dlr_tlvs {
        dlr = dlr
            .with_tlv(tag::RECEIPTED_MESSAGE_ID, rid)
            .with_tlv(tag::MESSAGE_STATE, vec![stat.message_state]);
        if !delivered {
            dlr = dlr.with_tlv(tag::NETWORK_ERROR_CODE, vec![3, 0, 1]);
        }
    }
    dlr
}
