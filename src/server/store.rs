//! In-memory state shared by the sessions: the message store behind query_sm / cancel_sm /
//! replace_sm, the reassembly of long messages, and a small seeded RNG. Everything is bounded.

use crate::spec::ids::tag;
use std::collections::{HashMap, VecDeque};
use std::time::SystemTime;

use crate::codec::udh;
use crate::codec::Pdu;

/// A tiny xorshift64* generator: reproducible from `--seed`, good enough for fault dice.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is replaced by a fixed non-zero value).
    pub fn new(seed: u64) -> Self {
        Rng(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A uniform draw in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One stored message, compact: the system_id, addresses and text share one allocation (the
/// store holds up to `--store-max` of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// system_id, source_addr, destination_addr and text, one after the other.
    bytes: Box<[u8]>,
    /// Lengths of system_id, source_addr and destination_addr in `bytes`.
    lens: [u16; 3],
    /// message_state (1 ENROUTE until a receipt decides, 4 DELETED after cancel_sm ...).
    pub state: u8,
    /// The message's data_coding, to decode the text for the receipt.
    pub data_coding: u8,
    /// Network error code reported with a failed final state.
    pub error: u8,
    /// When it was submitted.
    pub submitted: SystemTime,
    /// When it reached a final state.
    pub done: Option<SystemTime>,
}

/// At most this many octets of each part are kept (addresses are at most 65 octets).
const MAX_PART: usize = u16::MAX as usize;

/// The first `MAX_PART` octets of `b`.
fn capped(b: &[u8]) -> &[u8] {
    b.get(..b.len().min(MAX_PART)).unwrap_or_default()
}

impl Stored {
    /// An ENROUTE message submitted now by `system_id`; `text` is its first octets, UDH removed.
    pub fn new(system_id: &str, source: &[u8], dest: &[u8], text: &[u8], data_coding: u8) -> Self {
        let parts = [capped(system_id.as_bytes()), capped(source), capped(dest)];
        let mut bytes =
            Vec::with_capacity(parts.iter().map(|p| p.len()).sum::<usize>() + text.len());
        let mut lens = [0u16; 3];
        for (len, p) in lens.iter_mut().zip(parts) {
            *len = p.len() as u16;
            bytes.extend_from_slice(p);
        }
        bytes.extend_from_slice(capped(text));
        Stored {
            bytes: bytes.into_boxed_slice(),
            lens,
            state: 1,
            data_coding,
            error: 0,
            submitted: SystemTime::now(),
            done: None,
        }
    }

    /// Part `i` of `bytes` (0 system_id, 1 source, 2 destination, 3 text).
    fn part(&self, i: usize) -> &[u8] {
        let mut start = 0;
        for len in self.lens.iter().take(i) {
            start += usize::from(*len);
        }
        let end = self
            .lens
            .get(i)
            .map_or(self.bytes.len(), |l| start + usize::from(*l));
        self.bytes.get(start..end).unwrap_or_default()
    }

    /// system_id of the session that submitted it.
    pub fn system_id(&self) -> &str {
        std::str::from_utf8(self.part(0)).unwrap_or_default()
    }

    /// source_addr.
    pub fn source(&self) -> &[u8] {
        self.part(1)
    }

    /// destination_addr.
    pub fn dest(&self) -> &[u8] {
        self.part(2)
    }

    /// The message bytes (first octets only, UDH removed).
    pub fn text(&self) -> &[u8] {
        self.part(3)
    }

    /// Replace the text (replace_sm).
    pub fn set_text(&mut self, text: &[u8]) {
        let head =
            usize::from(self.lens[0]) + usize::from(self.lens[1]) + usize::from(self.lens[2]);
        let mut bytes = self.bytes.get(..head).unwrap_or_default().to_vec();
        bytes.extend_from_slice(capped(text));
        self.bytes = bytes.into_boxed_slice();
    }
}

/// The message store: ids are handed out here in order ("00000001", "00000002" ...), so the
/// messages sit in a ring indexed by id; the oldest is dropped beyond `max`.
#[derive(Debug, Default)]
pub struct Store {
    max: usize,
    /// The number of the id of `ring[0]`.
    first: u64,
    ring: VecDeque<Stored>,
}

impl Store {
    /// An empty store keeping at most `max` messages.
    pub fn new(max: usize) -> Self {
        Store {
            max: max.max(1),
            first: 1,
            ring: VecDeque::new(),
        }
    }

    /// The message_id of id number `n`.
    fn id_of(n: u64) -> String {
        format!("{n:08X}")
    }

    /// The slot of a message_id handed out by [`Store::insert`] (exactly as spelled there).
    fn slot(&self, id: &str) -> Option<usize> {
        let n = u64::from_str_radix(id, 16).ok()?;
        if Self::id_of(n) != id {
            return None;
        }
        usize::try_from(n.checked_sub(self.first)?).ok()
    }

    /// Store a message under a new id and return the id.
    pub fn insert(&mut self, m: Stored) -> String {
        if self.ring.len() >= self.max && self.ring.pop_front().is_some() {
            self.first += 1;
        }
        self.ring.push_back(m);
        Self::id_of(self.first + self.ring.len() as u64 - 1)
    }

    /// The message with this id.
    pub fn get(&self, id: &str) -> Option<&Stored> {
        self.ring.get(self.slot(id)?)
    }

    /// The message with this id, to change it.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Stored> {
        let i = self.slot(id)?;
        self.ring.get_mut(i)
    }

    /// How many messages are kept.
    pub fn len(&self) -> usize {
        self.ring.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.ring.is_empty()
    }
}

/// Receipts waiting for a receiver of their system_id to bind, kept encoded (sequence_number
/// set when sent). Bounded per system_id and across all of them; what does not fit is dropped
/// and counted per system_id for the summary.
#[derive(Debug, Default)]
pub struct PendingReceipts {
    queues: HashMap<String, VecDeque<Box<[u8]>>>,
    queued: usize,
    max_total: usize,
    max_per_id: usize,
    dropped: Dropped,
}

/// Receipts dropped for want of a receiver, by system_id (the first [`MAX_NAMED`] system_ids
/// by name, the rest together).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// All of them.
    pub total: u64,
    /// Per system_id, for the first system_ids seen.
    pub by_id: HashMap<String, u64>,
}

/// Dropped receipts are counted by name for at most this many system_ids.
const MAX_NAMED: usize = 1000;

impl Dropped {
    /// Count one receipt for `system_id` dropped.
    pub fn add(&mut self, system_id: &str) {
        self.total += 1;
        if let Some(n) = self.by_id.get_mut(system_id) {
            *n += 1;
        } else if self.by_id.len() < MAX_NAMED {
            self.by_id.insert(system_id.to_string(), 1);
        }
    }

    /// The system_ids with the most dropped receipts, most first (ties by name).
    pub fn top(&self) -> Vec<(&str, u64)> {
        let mut v: Vec<(&str, u64)> = self.by_id.iter().map(|(k, n)| (k.as_str(), *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v
    }
}

impl PendingReceipts {
    /// At most `max_total` receipts kept, at most `max_per_id` for one system_id.
    pub fn new(max_total: usize, max_per_id: usize) -> Self {
        PendingReceipts {
            max_total,
            max_per_id,
            ..Default::default()
        }
    }

    /// Keep an encoded receipt until a receiver of `system_id` binds; false (and counted) when
    /// it does not fit.
    pub fn push(&mut self, system_id: &str, receipt: Vec<u8>) -> bool {
        self.push_with(system_id, || Some(receipt))
    }

    /// [`PendingReceipts::push`] a receipt made by `make` only when it fits (`make` giving
    /// nothing keeps nothing).
    pub fn push_with(&mut self, system_id: &str, make: impl FnOnce() -> Option<Vec<u8>>) -> bool {
        let fits = self.queued < self.max_total
            && self.queues.get(system_id).map_or(0, VecDeque::len) < self.max_per_id;
        if !fits {
            self.dropped.add(system_id);
            return false;
        }
        let Some(receipt) = make() else {
            return false;
        };
        self.queues
            .entry(system_id.to_string())
            .or_default()
            .push_back(receipt.into_boxed_slice());
        self.queued += 1;
        true
    }

    /// Every receipt kept for `system_id`, oldest first.
    pub fn take(&mut self, system_id: &str) -> VecDeque<Box<[u8]>> {
        let q = self.queues.remove(system_id).unwrap_or_default();
        self.queued -= q.len();
        q
    }

    /// Receipts kept now.
    pub fn queued(&self) -> usize {
        self.queued
    }

    /// Receipts dropped for want of room.
    pub fn dropped(&self) -> &Dropped {
        &self.dropped
    }
}

/// Which part of which long message a PDU carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartInfo {
    /// Reference number.
    pub reference: u16,
    /// Total parts.
    pub total: u8,
    /// This part (1-based).
    pub seq: u8,
    /// Octets of UDH to strip from the payload.
    pub udh_len: usize,
}

/// The part information of a submit: from the UDH (esm_class 0x40) or the SAR TLVs.
pub fn part_info(p: &Pdu, payload: &[u8]) -> Option<PartInfo> {
    let esm = p.int("esm_class").unwrap_or(0);
    if esm & 0x40 != 0 {
        if let Ok(u) = udh::parse(payload) {
            if let Some((reference, total, seq)) = u.concat() {
                return Some(PartInfo {
                    reference,
                    total,
                    seq,
                    udh_len: u.len,
                });
            }
        }
    }
    let r = p.tlv(tag::SAR_MSG_REF_NUM)?;
    let total = p.tlv(tag::SAR_TOTAL_SEGMENTS)?.value.first().copied()?;
    let seq = p.tlv(tag::SAR_SEGMENT_SEQNUM)?.value.first().copied()?;
    let reference = match r.value.as_slice() {
        [a, b] => u16::from_be_bytes([*a, *b]),
        [a] => u16::from(*a),
        _ => return None,
    };
    Some(PartInfo {
        reference,
        total,
        seq,
        udh_len: 0,
    })
}

/// A long message put back together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Whole {
    /// The message bytes, UDHs stripped, parts in order.
    pub data: Vec<u8>,
    /// How many parts it had.
    pub parts: u8,
    /// The message ids given to the parts, in part order.
    pub ids: Vec<String>,
}

type Key = (String, Vec<u8>, Vec<u8>, u16);
/// Received parts of one message: payload and message id per slot.
type Slots = Vec<Option<(Vec<u8>, String)>>;

/// Long messages being reassembled, keyed by (system_id, source, destination, reference).
#[derive(Debug, Default)]
pub struct Reassembly {
    pending: HashMap<Key, Slots>,
    order: VecDeque<Key>,
}

/// At most this many long messages are reassembled at once (the oldest is dropped).
const MAX_PENDING: usize = 10_000;

impl Reassembly {
    /// Add a part; the whole message once every part has arrived.
    pub fn add(
        &mut self,
        system_id: &str,
        source: &[u8],
        dest: &[u8],
        info: PartInfo,
        data: &[u8],
        id: &str,
    ) -> Option<Whole> {
        if info.total == 0 || info.seq == 0 || info.seq > info.total {
            return None;
        }
        let key: Key = (
            system_id.to_string(),
            source.to_vec(),
            dest.to_vec(),
            info.reference,
        );
        if !self.pending.contains_key(&key) {
            if self.order.len() >= MAX_PENDING {
                if let Some(old) = self.order.pop_front() {
                    self.pending.remove(&old);
                }
            }
            self.order.push_back(key.clone());
        }
        let slots = self
            .pending
            .entry(key.clone())
            .or_insert_with(|| vec![None; usize::from(info.total)]);
        if slots.len() != usize::from(info.total) {
            *slots = vec![None; usize::from(info.total)];
        }
        let body = data.get(info.udh_len..).unwrap_or_default().to_vec();
        if let Some(slot) = slots.get_mut(usize::from(info.seq) - 1) {
            *slot = Some((body, id.to_string()));
        }
        if slots.iter().any(Option::is_none) {
            return None;
        }
        let slots = self.pending.remove(&key)?;
        self.order.retain(|k| k != &key);
        let mut whole = Whole {
            data: Vec::new(),
            parts: info.total,
            ids: Vec::new(),
        };
        for (b, id) in slots.into_iter().flatten() {
            whole.data.extend_from_slice(&b);
            whole.ids.push(id);
        }
        Some(whole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Value;

    #[test]
    fn rng_is_reproducible_and_uniformish() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        let xs: Vec<f64> = (0..1000).map(|_| a.next_f64()).collect();
        let ys: Vec<f64> = (0..1000).map(|_| b.next_f64()).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        let below = xs.iter().filter(|&&x| x < 0.5).count();
        assert!((400..600).contains(&below), "{below}");
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn store_ids_and_bound() {
        let mut s = Store::new(2);
        let m = Stored::new("a", b"1", b"22", b"hi", 0);
        assert_eq!(
            (m.system_id(), m.source(), m.dest(), m.text()),
            ("a", &b"1"[..], &b"22"[..], &b"hi"[..])
        );
        let a = s.insert(m.clone());
        let b = s.insert(m.clone());
        assert_eq!((a.as_str(), b.as_str()), ("00000001", "00000002"));
        let c = s.insert(m);
        assert_eq!(c, "00000003");
        assert_eq!(s.len(), 2);
        assert!(s.get(&a).is_none());
        assert!(s.get(&b).is_some());
        // Only the spelling handed out finds a message.
        assert!(s.get("2").is_none() && s.get("00000002").is_some());
        assert!(s.get("00000004").is_none() && s.get("zz").is_none() && s.get("").is_none());
        let m = s.get_mut(&c).unwrap();
        m.set_text(b"replaced");
        assert_eq!((m.dest(), m.text()), (&b"22"[..], &b"replaced"[..]));
    }

    #[test]
    fn pending_receipts_are_bounded_per_id_and_in_total() {
        let mut q = PendingReceipts::new(3, 2);
        assert!(q.push("a", vec![1]));
        assert!(q.push("a", vec![2]));
        assert!(!q.push("a", vec![3]), "per system_id");
        assert!(q.push("b", vec![4]));
        assert!(!q.push("c", vec![5]), "in total");
        assert_eq!(q.queued(), 3);
        assert_eq!(q.dropped().total, 2);
        assert_eq!(q.dropped().top(), [("a", 1), ("c", 1)]);
        let a: Vec<_> = q.take("a").into_iter().map(|b| b[0]).collect();
        assert_eq!(a, [1, 2]);
        assert_eq!(q.queued(), 1);
        assert!(q.take("a").is_empty());
        assert!(q.push("c", vec![6]));
    }

    #[test]
    fn reassembles_udh_parts_in_any_order() {
        let mut r = Reassembly::default();
        let part = |seq: u8, text: &[u8]| {
            let mut d = udh::encode_concat8(7, 2, seq);
            d.extend_from_slice(text);
            d
        };
        let p = Pdu::new(4, 1).with_int("esm_class", 0x40);
        let d2 = part(2, b"world");
        let i2 = part_info(&p, &d2).unwrap();
        assert_eq!((i2.reference, i2.total, i2.seq), (7, 2, 2));
        assert!(r.add("s", b"1", b"2", i2, &d2, "B").is_none());
        let d1 = part(1, b"hello ");
        let i1 = part_info(&p, &d1).unwrap();
        let w = r.add("s", b"1", b"2", i1, &d1, "A").unwrap();
        assert_eq!(w.data, b"hello world");
        assert_eq!(w.ids, ["A", "B"]);
        assert!(r.pending.is_empty() && r.order.is_empty());
    }

    #[test]
    fn sar_tlvs() {
        let p = Pdu::new(4, 1)
            .with("short_message", Value::Octets(b"x".to_vec()))
            .with_tlv(0x020C, vec![0x01, 0x02])
            .with_tlv(0x020E, vec![3])
            .with_tlv(0x020F, vec![2]);
        let i = part_info(&p, b"x").unwrap();
        assert_eq!((i.reference, i.total, i.seq, i.udh_len), (0x0102, 3, 2, 0));
        assert!(part_info(&Pdu::new(4, 1), b"x").is_none());
    }
}
