//! Integration tests of the smppdiag binary and library (one test binary).

mod explain;
mod interop;
mod peers;
mod session;
