//! Integration tests of the smppdiag binary and library (one test binary).

mod capture;
mod codec_golden;
mod codec_negative;
mod codec_props;
mod decode;
mod e2e;
mod exit_codes;
mod explain;
mod interop;
mod paste_props;
mod pastes;
mod peers;
mod serve;
mod session;
mod text_diag;
mod util;
