//! Integration tests of the smppdiag binary and library (one test binary).

mod capture;
mod explain;
mod interop;
mod peers;
