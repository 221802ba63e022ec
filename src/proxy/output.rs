//! Where the proxy's events go: one shared sink (the dump with [`Layout::Proxy`], or JSON
//! Lines) writing whole lines to a channel the command prints from, the pcap recording, and the
//! decode filters (`--command`, `--status`, `--system-id`) in front of the PDU events.

use std::net::SocketAddr;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

use crate::capture::run::Filter;
use crate::codec::Header;
use crate::render::dump::DumpOptions;
use crate::render::json::JsonOptions;
use crate::render::Style;
use crate::wire::sink::{ChannelLines, DumpSink, JsonSink, Layout, PcapSink, Sink};
use crate::wire::{Event, PduEvent};

/// What the proxy prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputMode {
    /// The annotated dump of every PDU, notes and summaries.
    #[default]
    Dump,
    /// JSON Lines.
    Json,
    /// Listening lines, errors and summaries only.
    Quiet,
}

/// The proxy's output: cheap to share between sessions.
#[derive(Clone)]
pub struct ProxyOutput {
    mode: OutputMode,
    sink: Arc<Mutex<Box<dyn Sink + Send>>>,
    pcap: Option<PcapSink>,
    filter: Option<Arc<Filter>>,
}

impl std::fmt::Debug for ProxyOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyOutput")
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl ProxyOutput {
    /// Lines to `tx` in `mode`; `pcap` records every PDU; `filter` narrows the PDUs shown.
    pub fn new(
        mode: OutputMode,
        style: Style,
        show_secrets: bool,
        tx: Sender<String>,
        pcap: Option<PcapSink>,
        filter: Option<Filter>,
    ) -> Self {
        let w = ChannelLines::new(tx);
        let sink: Box<dyn Sink + Send> = match mode {
            OutputMode::Json => Box::new(JsonSink::new(w, JsonOptions { show_secrets })),
            _ => Box::new(DumpSink::new(
                w,
                style,
                DumpOptions {
                    show_secrets,
                    ..DumpOptions::default()
                },
                Layout::Proxy,
            )),
        };
        ProxyOutput {
            mode,
            sink: Arc::new(Mutex::new(sink)),
            pcap,
            filter: filter.map(Arc::new),
        }
    }

    fn with(&self, f: impl FnOnce(&mut dyn Sink) -> std::io::Result<()>) {
        let mut g = self.sink.lock().unwrap_or_else(|e| e.into_inner());
        let _ = f(g.as_mut());
    }

    /// True when PDU events are printed (not `--quiet`).
    pub fn shows_pdus(&self) -> bool {
        self.mode != OutputMode::Quiet
    }

    /// True when anything needs a PDU event (printing or recording).
    pub fn wants_pdus(&self) -> bool {
        self.shows_pdus() || self.pcap.is_some()
    }

    /// A listener is ready (always printed).
    pub fn listening(&self, addr: SocketAddr, tls: bool) {
        self.with(|s| s.event(&Event::Listening { addr, tls }));
    }

    /// A session started or ended (the pcap recording too).
    pub fn session(&self, ev: &Event<'_>) {
        if let Some(p) = &self.pcap {
            let _ = p.clone().event(ev);
        }
        if self.shows_pdus() {
            self.with(|s| s.event(ev));
        }
    }

    /// A PDU, recorded and (unless filtered out or `--quiet`) shown. `system_id` is the
    /// session's bind system_id, for `--system-id`.
    pub fn pdu(&self, ev: &PduEvent<'_>, system_id: Option<&str>) {
        if let Some(p) = &self.pcap {
            let _ = p.clone().pdu(ev);
        }
        if !self.shows_pdus() {
            return;
        }
        if let Some(f) = &self.filter {
            let shown = f.stream(system_id) && Header::parse(ev.bytes).is_some_and(|h| f.pdu(&h));
            if !shown {
                return;
            }
        }
        self.with(|s| s.pdu(ev));
    }

    /// A note (hidden by `--quiet` and by filters).
    pub fn note(&self, ev: &Event<'_>) {
        if self.shows_pdus() && self.filter.is_none() {
            self.with(|s| s.event(ev));
        }
    }

    /// A summary or an error: always printed.
    pub fn always(&self, ev: &Event<'_>) {
        self.with(|s| s.event(ev));
    }

    /// Close the pcap recording.
    pub fn finish(&self) -> Result<(), crate::capture::CaptureError> {
        match &self.pcap {
            Some(p) => p.finish(),
            None => Ok(()),
        }
    }
}
