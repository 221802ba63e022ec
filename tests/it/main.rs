//! Integration tests of the smppdiag binary and library (one test binary).

mod capture;
mod codec_golden;
mod codec_negative;
mod codec_props;
mod craft;
mod decode;
mod e2e;
mod encode;
mod exit_codes;
mod explain;
mod finder_props;
mod interop;
mod junit;
mod paste_props;
mod paste_stream;
mod pastes;
mod peers;
mod proxy;
mod readme;
mod schema;
mod serve;
mod session;
mod text_diag;
mod util;
