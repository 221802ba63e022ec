//! Spare buffers carried from one decode to the next.
//!
//! A decode fills a Vec or a String for most fields (the octets kept in the [`Pdu`], the text
//! shown in a [`Span`], a meaning built from numbers). Decoding a stream PDU after PDU, the
//! previous result is dropped just as the next one is built: the [`Pool`] takes the emptied
//! buffers of the one and hands them to the other, so that the allocator is called only while
//! the buffers grow to the sizes the stream needs.

use std::borrow::Cow;

use super::pdu::{Pdu, Tlv, Value};
use super::receipt::{Receipt, ReceiptField};
use super::span::{Diagnostic, Span, Val};

/// Buffers kept per kind: more than the largest PDU of a usual stream uses at once.
const MAX_KEPT: usize = 64;

/// A buffer that grew past this many octets (a long message_payload) is freed, not kept: the
/// pool stays small whatever went through it.
const MAX_CAPACITY: usize = 4096;

/// Emptied Strings and octet buffers for the next decode. Spare capacity, not part of any
/// value: every pool equals every other, and a clone starts empty.
#[derive(Default)]
pub(crate) struct Pool {
    strings: Vec<String>,
    octets: Vec<Vec<u8>>,
    /// The field list of the last receipt.
    receipt_fields: Vec<ReceiptField>,
}

impl Pool {
    /// An empty String, with capacity when one is spare.
    pub fn string(&mut self) -> String {
        self.strings.pop().unwrap_or_default()
    }

    /// `s`, copied into a spare String.
    pub fn string_from(&mut self, s: &str) -> String {
        let mut out = self.string();
        out.push_str(s);
        out
    }

    /// `b`, copied into a spare Vec.
    pub fn octets_from(&mut self, b: &[u8]) -> Vec<u8> {
        let mut out = self.octets.pop().unwrap_or_default();
        out.extend_from_slice(b);
        out
    }

    /// An empty receipt field list, with capacity when one is spare.
    pub fn receipt_fields(&mut self) -> Vec<ReceiptField> {
        std::mem::take(&mut self.receipt_fields)
    }

    /// Keep `s` (emptied) for a later value.
    #[inline(always)]
    pub fn keep_string(&mut self, mut s: String) {
        if (1..=MAX_CAPACITY).contains(&s.capacity()) && self.strings.len() < MAX_KEPT {
            s.clear();
            self.strings.push(s);
        }
    }

    /// Keep `v` (emptied) for a later value.
    pub fn keep_octets(&mut self, mut v: Vec<u8>) {
        if (1..=MAX_CAPACITY).contains(&v.capacity()) && self.octets.len() < MAX_KEPT {
            v.clear();
            self.octets.push(v);
        }
    }

    #[inline(always)]
    fn keep_cow(&mut self, c: Cow<'static, str>) {
        if let Cow::Owned(s) = c {
            self.keep_string(s);
        }
    }

    /// Keep the Strings a span owns. Inlined into the loop over a decode's spans, whose parts
    /// are then moved out one by one with nothing left for a drop.
    #[inline(always)]
    pub fn keep_span(&mut self, s: Span) {
        let Span {
            name,
            value,
            meaning,
            ..
        } = s;
        self.keep_cow(name);
        if let Some(Val::Str(c) | Val::Name(c)) = value {
            self.keep_cow(c);
        }
        if let Some(m) = meaning {
            self.keep_cow(m);
        }
    }

    /// Keep the Strings a diagnostic owns.
    pub fn keep_diag(&mut self, d: Diagnostic) {
        self.keep_string(d.message);
        if let Some(h) = d.hint {
            self.keep_string(h);
        }
    }

    /// Keep the octet buffers of `p`'s fields and TLVs, leaving its lists empty (with their
    /// capacity) for the next PDU.
    pub fn keep_pdu(&mut self, p: &mut Pdu) {
        for v in p.fields.drain_values() {
            match v {
                Value::Str(b) | Value::Octets(b) => self.keep_octets(b),
                Value::Int(_) | Value::Dests(_) | Value::Unsuccess(_) => {}
            }
        }
        for Tlv { value, .. } in p.tlvs.drain(..) {
            self.keep_octets(value);
        }
    }

    /// Keep a receipt's text and field list.
    pub fn keep_receipt(&mut self, r: Receipt) {
        let (text, fields) = r.into_buffers();
        self.keep_string(text);
        self.keep_receipt_fields(fields);
    }

    /// Keep a receipt field list (emptied).
    pub fn keep_receipt_fields(&mut self, mut fields: Vec<ReceiptField>) {
        fields.clear();
        if fields.capacity() <= MAX_KEPT {
            self.receipt_fields = fields;
        }
    }
}

impl Clone for Pool {
    /// Spare capacity is not copied: the clone starts empty.
    fn clone(&self) -> Pool {
        Pool::default()
    }
}

impl PartialEq for Pool {
    /// Pools hold no value: two decodes are equal whatever spare buffers they carry.
    fn eq(&self, _: &Pool) -> bool {
        true
    }
}

impl Eq for Pool {}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("strings", &self.strings.len())
            .field("octets", &self.octets.len())
            .finish()
    }
}
