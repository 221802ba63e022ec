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

/// One stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// system_id of the session that submitted it.
    pub system_id: String,
    /// source_addr.
    pub source: Vec<u8>,
    /// destination_addr.
    pub dest: Vec<u8>,
    /// message_state (1 ENROUTE until a receipt decides, 4 DELETED after cancel_sm ...).
    pub state: u8,
    /// The message bytes (first octets only, UDH removed).
    pub text: Vec<u8>,
    /// The message's data_coding, to decode `text` for the receipt.
    pub data_coding: u8,
    /// When it was submitted.
    pub submitted: SystemTime,
    /// When it reached a final state.
    pub done: Option<SystemTime>,
    /// Network error code reported with a failed final state.
    pub error: u8,
}

/// The message store: ids are handed out here, old entries dropped beyond `max`.
#[derive(Debug, Default)]
pub struct Store {
    max: usize,
    next: u64,
    map: HashMap<String, Stored>,
    order: VecDeque<String>,
}

impl Store {
    /// An empty store keeping at most `max` messages.
    pub fn new(max: usize) -> Self {
        Store {
            max: max.max(1),
            ..Default::default()
        }
    }

    /// Store a message under a new id and return the id.
    pub fn insert(&mut self, m: Stored) -> String {
        self.next += 1;
        let id = format!("{:08X}", self.next);
        if self.order.len() >= self.max {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
        self.order.push_back(id.clone());
        self.map.insert(id.clone(), m);
        id
    }

    /// The message with this id.
    pub fn get(&self, id: &str) -> Option<&Stored> {
        self.map.get(id)
    }

    /// The message with this id, to change it.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Stored> {
        self.map.get_mut(id)
    }

    /// How many messages are kept.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
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
        let m = Stored {
            data_coding: 0,
            system_id: "a".into(),
            source: vec![],
            dest: vec![],
            state: 1,
            text: vec![],
            submitted: SystemTime::UNIX_EPOCH,
            done: None,
            error: 0,
        };
        let a = s.insert(m.clone());
        let b = s.insert(m.clone());
        assert_eq!((a.as_str(), b.as_str()), ("00000001", "00000002"));
        let _c = s.insert(m);
        assert_eq!(s.len(), 2);
        assert!(s.get(&a).is_none());
        assert!(s.get(&b).is_some());
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
