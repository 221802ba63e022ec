//! Integration tests of the smppdiag binary and library (one test binary).

mod interop;
mod peers;
