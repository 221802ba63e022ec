//! Integration tests of the smppdiag binary and library (one test binary).

mod capture;
mod codec_golden;
mod codec_negative;
mod codec_props;
mod decode;
mod e2e;
mod explain;
mod hostile;
mod interop;
mod peers;
mod proxy;
mod schema;
mod serve;
mod serve_abuse;
mod serve_load;
mod session;
mod util;
