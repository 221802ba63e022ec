//! The SMPP tables. Data only: one row per command id, command_status, TLV tag and value.
//! Decode, encode, render, `--help` and the generated docs all read these rows.

pub mod commands;
pub mod ids;
pub mod retry;
pub mod status;
pub mod status_query;
pub mod tlv;
pub mod values;

/// The SMPP version that introduced an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Since {
    /// SMPP 3.3 (and only there, for the few PDUs 3.4 dropped).
    V33,
    /// SMPP 3.4.
    V34,
    /// SMPP 5.0.
    V50,
}

impl Since {
    /// "3.4" style label.
    pub fn label(self) -> &'static str {
        match self {
            Since::V33 => "3.3",
            Since::V34 => "3.4",
            Since::V50 => "5.0",
        }
    }
}

/// Look a value up in a `(value, name)` table.
pub fn table_name(table: &[(u32, &'static str)], v: u32) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == v).map(|(_, n)| *n)
}
