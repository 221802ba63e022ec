//! What the text looked like, for the message given when it holds no PDU.

use super::Shape;

/// Counts gathered while reading (fixed size).
#[derive(Debug, Default, Clone)]
pub(super) struct Stats {
    pub lines: usize,
    pub found: usize,
    /// Runs of bytes seen, and the longest one: its shape, size and first octets.
    pub runs: usize,
    pub longest: Option<(Shape, usize, [u8; 4])>,
    /// Network frames parsed down to TCP, and how many had no SMPP in their payload.
    pub frames: usize,
    pub frames_without_smpp: usize,
    /// Dumps that start with an IP header but are not TCP.
    pub ip_headers: usize,
    /// Partial headers on their own (not after a PDU).
    pub fragments: usize,
    /// Kannel field dumps that could not be rebuilt.
    pub kannel_failed: usize,
}

impl Stats {
    /// Note a run of bytes.
    pub fn run(&mut self, bytes: &[u8], shape: Option<Shape>) {
        self.runs += 1;
        if self.longest.is_none_or(|(_, n, _)| bytes.len() > n) {
            let mut first = [0u8; 4];
            let k = bytes.len().min(4);
            first[..k].copy_from_slice(&bytes[..k]);
            self.longest = Some((shape.unwrap_or(Shape::Hex), bytes.len(), first));
        }
    }

    /// One sentence: what the text is and how to get a PDU out of it.
    pub fn describe(&self) -> String {
        if self.kannel_failed > 0 {
            return "the text is a Kannel field dump whose fields do not make a PDU (no known \
                    command_id or type_name); paste the dump from `SMPP PDU ... dump:` to `SMPP \
                    PDU dump ends.`, or the octstr_dump `data:` lines of the same PDU"
                .into();
        }
        if self.frames > 0 {
            return format!(
                "the text holds {} network frame(s) whose TCP payload is not SMPP; check the \
                 port, or copy the SMPP layer (Wireshark: right-click Short Message Peer to Peer \
                 → Copy → as Hex Stream)",
                self.frames
            );
        }
        if self.ip_headers > 0 {
            return "the text is a hex dump whose first bytes are an IP header, but not of a TCP \
                    segment; SMPP travels over TCP: copy the SMPP layer instead"
                .into();
        }
        match self.longest {
            None => format!(
                "the text ({} line(s)) holds no hex, byte list or base64 long enough to be a PDU \
                 header (16 octets); paste the PDU's bytes, e.g. a log line with the hex or \
                 `xxd`/`tshark -x` output",
                self.lines
            ),
            Some((shape, n, first)) => {
                let what = match shape {
                    Shape::DecimalList | Shape::JavaByteArray | Shape::NodeBufferJson => {
                        format!("a decimal byte list of {n} values")
                    }
                    Shape::Base64 => format!("base64 of {n} octets"),
                    Shape::KannelOctstrDump => format!("a Kannel octstr_dump of {n} octets"),
                    Shape::Xxd
                    | Shape::HexdumpC
                    | Shape::TsharkX
                    | Shape::TcpdumpX
                    | Shape::FollowTcpStream => {
                        format!("a hex dump ({shape}) of {n} octets")
                    }
                    _ => format!("{n} octets of hex ({shape})"),
                };
                let k = n.min(4);
                let starts = hex::encode_upper(&first[..k]);
                let why = if n < 16 {
                    "too short for the 16-octet SMPP header".to_string()
                } else {
                    format!("it starts with {starts}, which is not an SMPP header (command_length, command_id, command_status, sequence_number)")
                };
                format!(
                    "the longest run of bytes in the text is {what} that is not a PDU: {why}; \
                     paste the whole PDU starting at its command_length"
                )
            }
        }
    }
}
