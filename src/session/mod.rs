//! Real SMPP sessions over TCP and TLS (tokio): bind, submit, unbind, enquire_link, windowing,
//! rate limiting and retry. Every PDU goes through the shared codec.
