//! smppdiag: makes SMPP (3.3 / 3.4 / 5.0) problems obvious.
//!
//! The library is split by concern, and nothing in it prints:
//! - [`spec`]: the tables (command ids, command_status codes with their retry class, TLV tags,
//!   value tables for TON/NPI/esm_class/data_coding ...). One row per entry, used by decode,
//!   encode, render, `--help` and the generated docs alike.
//! - [`codec`]: one codec shared by every subcommand. Decoding yields field spans (byte range,
//!   spec name, decoded value, meaning) and diagnostics; encoding is driven by the same tables.
//! - [`input`]: turns the hex shapes people paste into bytes.
//! - [`render`]: the annotated hex dump and JSON, written into a buffer with an explicit style.
//! - [`session`]: tokio transport for real sessions against an SMSC.
//! - [`proxy`]: `proxy`, a diagnosing SMPP proxy between an ESME and its SMSC (TLS either side).
//! - [`server`]: `serve`, an SMSC simulator that reproduces SMPP errors on demand.
//! - [`profile`]: named connection profiles from the config file.
//! - [`expect`]: CI expectations (`--expect`, `--expect-dlr`) and their JUnit test cases.
//! - [`wire`]: the wire-event layer: one event type, one JSON schema, the sinks, the framed
//!   connection.
//! - [`exit`]: the exit codes every subcommand shares.

pub mod capture;
pub mod cli;
pub mod codec;
pub mod exit;
pub mod expect;
pub mod input;
pub mod profile;
pub mod proxy;
pub mod render;
pub mod server;
pub mod session;
pub mod spec;
pub mod wire;
