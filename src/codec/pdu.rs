//! The PDU value: header fields, the mandatory body fields by spec name, and TLVs. Encoding walks
//! the body layout in [`crate::spec::commands`]; derived fields (sm_length, number_of_dests,
//! no_unsuccess, command_length) are computed, never stored.

use crate::spec::commands::{self, FieldKind};

use super::header::{Header, HEADER_LEN};

/// A mandatory field value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// An integer field (one or four octets on the wire).
    Int(u32),
    /// A C-Octet string's content, without its NUL.
    Str(Vec<u8>),
    /// An octet string (short_message, or the raw body of an unknown command).
    Octets(Vec<u8>),
    /// submit_multi destinations.
    Dests(Vec<Dest>),
    /// submit_multi_resp unsuccessful destinations.
    Unsuccess(Vec<UnsuccessSme>),
}

/// One submit_multi destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dest {
    /// dest_flag 1: an SME address.
    Sme {
        /// dest_addr_ton.
        ton: u8,
        /// dest_addr_npi.
        npi: u8,
        /// destination_addr.
        addr: Vec<u8>,
    },
    /// dest_flag 2: a distribution list name.
    List(Vec<u8>),
}

/// One unsuccess_sme entry of submit_multi_resp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsuccessSme {
    /// dest_addr_ton.
    pub ton: u8,
    /// dest_addr_npi.
    pub npi: u8,
    /// destination_addr.
    pub addr: Vec<u8>,
    /// error_status_code.
    pub status: u32,
}

/// A TLV (optional parameter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tlv {
    /// The tag.
    pub tag: u16,
    /// The value octets.
    pub value: Vec<u8>,
}

/// Name of the raw-body pseudo field of commands whose layout is unknown.
pub const RAW_BODY: &str = "body";

/// An SMPP PDU.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pdu {
    /// command_id.
    pub command_id: u32,
    /// command_status.
    pub command_status: u32,
    /// sequence_number.
    pub sequence_number: u32,
    /// Mandatory body fields by spec name. Absent fields encode as 0 / empty.
    pub fields: Fields,
    /// TLVs in wire order.
    pub tlvs: Vec<Tlv>,
}

/// Body fields by spec name: a small map (a PDU has a couple of dozen fields at most), kept in
/// the order the fields were set and compared as a map.
#[derive(Clone, Default)]
pub struct Fields(Vec<(&'static str, Value)>);

impl Fields {
    /// Set `name`, returning the value it replaces.
    pub fn insert(&mut self, name: &'static str, v: Value) -> Option<Value> {
        match self.0.iter_mut().find(|(k, _)| *k == name) {
            Some((_, old)) => Some(std::mem::replace(old, v)),
            None => {
                self.0.push((name, v));
                None
            }
        }
    }

    /// Set `name`, dropping the value it replaces (what the decoder needs: no old value handed
    /// back for the caller to drop).
    #[inline]
    pub fn set(&mut self, name: &'static str, v: Value) {
        match self.0.iter_mut().find(|(k, _)| *k == name) {
            Some((_, old)) => *old = v,
            None => self.0.push((name, v)),
        }
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of fields set.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The fields in the order they were set.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Value)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }

    /// Make room for `n` more fields.
    pub fn reserve(&mut self, n: usize) {
        self.0.reserve(n);
    }

    /// Take the values out, leaving no field set (the list keeps its capacity).
    pub(crate) fn drain_values(&mut self) -> impl Iterator<Item = Value> + '_ {
        self.0.drain(..).map(|(_, v)| v)
    }
}

impl PartialEq for Fields {
    fn eq(&self, other: &Fields) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl Eq for Fields {}

/// As a map sorted by name.
impl std::fmt::Debug for Fields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut sorted: Vec<_> = self.iter().collect();
        sorted.sort_by_key(|(k, _)| *k);
        f.debug_map().entries(sorted).finish()
    }
}

/// Why a PDU cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// short_message longer than sm_length can say.
    #[error("short_message is {0} octets; sm_length holds at most 255 (use message_payload)")]
    ShortMessageTooLong(usize),
    /// A list with more than 255 entries.
    #[error("{0} has {1} entries; at most 255 fit")]
    TooMany(&'static str, usize),
    /// A C-Octet string containing a NUL.
    #[error("{0} contains a NUL octet, which would end the C-Octet string early")]
    NulInString(&'static str),
    /// A TLV value over 65535 octets.
    #[error("TLV 0x{0:04X} value is {1} octets; at most 65535 fit")]
    TlvTooLong(u16, usize),
    /// A field set with a value of the wrong shape.
    #[error("field {0} has the wrong type of value")]
    WrongType(&'static str),
}

impl Pdu {
    /// A PDU with no body fields set.
    pub fn new(command_id: u32, sequence_number: u32) -> Self {
        Pdu {
            command_id,
            sequence_number,
            ..Default::default()
        }
    }

    /// The spec name of the command.
    pub fn name(&self) -> String {
        commands::name_of(self.command_id)
    }

    /// Set a field (builder style). Unknown names are kept and ignored by encode.
    pub fn with(mut self, name: &'static str, v: Value) -> Self {
        self.fields.insert(name, v);
        self
    }

    /// Set an integer field.
    pub fn with_int(self, name: &'static str, v: u32) -> Self {
        self.with(name, Value::Int(v))
    }

    /// Set a C-Octet string field.
    pub fn with_str(self, name: &'static str, s: impl AsRef<[u8]>) -> Self {
        self.with(name, Value::Str(s.as_ref().to_vec()))
    }

    /// Set an octet-string field (short_message).
    pub fn with_octets(self, name: &'static str, b: impl AsRef<[u8]>) -> Self {
        self.with(name, Value::Octets(b.as_ref().to_vec()))
    }

    /// Add a TLV.
    pub fn with_tlv(mut self, tag: u16, value: impl Into<Vec<u8>>) -> Self {
        self.tlvs.push(Tlv {
            tag,
            value: value.into(),
        });
        self
    }

    /// Integer field value.
    pub fn int(&self, name: &str) -> Option<u32> {
        match self.fields.get(name)? {
            Value::Int(v) => Some(*v),
            _ => None,
        }
    }

    /// String or octet field value.
    pub fn bytes(&self, name: &str) -> Option<&[u8]> {
        match self.fields.get(name)? {
            Value::Str(v) | Value::Octets(v) => Some(v),
            _ => None,
        }
    }

    /// String field value as text (lossy).
    pub fn string(&self, name: &str) -> Option<String> {
        self.bytes(name)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    /// First TLV with this tag.
    pub fn tlv(&self, tag: u16) -> Option<&Tlv> {
        self.tlvs.iter().find(|t| t.tag == tag)
    }

    /// True for responses.
    pub fn is_response(&self) -> bool {
        commands::is_response(self.command_id)
    }

    /// Encode to wire bytes (command_length computed).
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(64);
        Header {
            command_length: 0,
            command_id: self.command_id,
            command_status: self.command_status,
            sequence_number: self.sequence_number,
        }
        .emit(&mut out);
        // An error response with no body field set is written the spec's way: header only.
        let bodiless_error =
            self.is_response() && self.command_status != 0 && self.fields.is_empty();
        match commands::lookup(self.command_id) {
            Some(_) if bodiless_error => {}
            Some(def) => {
                for fd in def.body {
                    self.encode_field(fd.name, fd.kind, &mut out)?;
                }
            }
            None => {
                if let Some(b) = self.bytes(RAW_BODY) {
                    out.extend_from_slice(b);
                }
            }
        }
        for t in &self.tlvs {
            let len = u16::try_from(t.value.len())
                .map_err(|_| EncodeError::TlvTooLong(t.tag, t.value.len()))?;
            out.extend_from_slice(&t.tag.to_be_bytes());
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(&t.value);
        }
        let len = out.len() as u32;
        out[0..4].copy_from_slice(&len.to_be_bytes());
        debug_assert!(out.len() >= HEADER_LEN);
        Ok(out)
    }

    fn encode_field(
        &self,
        name: &'static str,
        kind: FieldKind,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        let v = self.fields.get(name);
        match kind {
            FieldKind::U8(_) => out.push(int_or_zero(name, v)? as u8),
            FieldKind::U32(_) => out.extend_from_slice(&int_or_zero(name, v)?.to_be_bytes()),
            FieldKind::CStr { .. } => put_cstr(name, str_or_empty(name, v)?, out)?,
            FieldKind::SmLength => {
                let n = self.bytes("short_message").map_or(0, <[u8]>::len);
                out.push(u8::try_from(n).map_err(|_| EncodeError::ShortMessageTooLong(n))?);
            }
            FieldKind::ShortMessage => out.extend_from_slice(str_or_empty(name, v)?),
            FieldKind::DestList => {
                let dests: &[Dest] = match v {
                    None => &[],
                    Some(Value::Dests(d)) => d,
                    Some(_) => return Err(EncodeError::WrongType(name)),
                };
                out.push(
                    u8::try_from(dests.len())
                        .map_err(|_| EncodeError::TooMany("number_of_dests", dests.len()))?,
                );
                for d in dests {
                    match d {
                        Dest::Sme { ton, npi, addr } => {
                            out.extend_from_slice(&[1, *ton, *npi]);
                            put_cstr("destination_addr", addr, out)?;
                        }
                        Dest::List(n) => {
                            out.push(2);
                            put_cstr("dl_name", n, out)?;
                        }
                    }
                }
            }
            FieldKind::UnsuccessList => {
                let list: &[UnsuccessSme] = match v {
                    None => &[],
                    Some(Value::Unsuccess(d)) => d,
                    Some(_) => return Err(EncodeError::WrongType(name)),
                };
                out.push(
                    u8::try_from(list.len())
                        .map_err(|_| EncodeError::TooMany("no_unsuccess", list.len()))?,
                );
                for u in list {
                    out.extend_from_slice(&[u.ton, u.npi]);
                    put_cstr("destination_addr", &u.addr, out)?;
                    out.extend_from_slice(&u.status.to_be_bytes());
                }
            }
        }
        Ok(())
    }
}

fn int_or_zero(name: &'static str, v: Option<&Value>) -> Result<u32, EncodeError> {
    match v {
        None => Ok(0),
        Some(Value::Int(i)) => Ok(*i),
        Some(_) => Err(EncodeError::WrongType(name)),
    }
}

fn str_or_empty<'a>(name: &'static str, v: Option<&'a Value>) -> Result<&'a [u8], EncodeError> {
    match v {
        None => Ok(&[]),
        Some(Value::Str(s)) | Some(Value::Octets(s)) => Ok(s),
        Some(_) => Err(EncodeError::WrongType(name)),
    }
}

fn put_cstr(name: &'static str, s: &[u8], out: &mut Vec<u8>) -> Result<(), EncodeError> {
    if s.contains(&0) {
        return Err(EncodeError::NulInString(name));
    }
    out.extend_from_slice(s);
    out.push(0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_behave_as_a_map() {
        let mut a = Fields::default();
        assert_eq!(a.insert("esm_class", Value::Int(1)), None);
        assert_eq!(a.insert("data_coding", Value::Int(8)), None);
        assert_eq!(a.insert("esm_class", Value::Int(4)), Some(Value::Int(1)));
        assert_eq!(a.len(), 2);
        assert_eq!(a.get("esm_class"), Some(&Value::Int(4)));
        assert_eq!(a.get("short_message"), None);
        // Equal whatever the order the fields were set in; a missing or different field differs.
        let mut b = Fields::default();
        b.insert("data_coding", Value::Int(8));
        b.insert("esm_class", Value::Int(4));
        assert_eq!(a, b);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        b.insert("esm_class", Value::Int(5));
        assert_ne!(a, b);
        b.insert("esm_class", Value::Int(4));
        b.insert("priority_flag", Value::Int(0));
        assert_ne!(a, b);
    }
}
