//! Where wire events go: one [`Sink`] interface, three implementations — [`DumpSink`] (the
//! annotated dump for people), [`JsonSink`] (JSON Lines, one whole line flushed per event) and
//! [`PcapSink`] (a pcap file, plaintext SMPP with synthetic TCP/IP framing) — and [`Tee`] to
//! feed several at once. Every subcommand that streams PDUs writes through these.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use crate::capture::writer::MultiRecorder;
use crate::codec::{self, Decoded, Header};
use crate::render::dump::{columns, dump, dump_into, wrap, DumpOptions};
use crate::render::explain::explanation_block;
use crate::render::json::JsonOptions;
use crate::render::{Role, Style};
use crate::spec::{commands, status};

use super::{Direction, Event, PduEvent, Tone};

/// Receives every PDU event and every other event.
pub trait Sink {
    /// One PDU.
    fn pdu(&mut self, ev: &PduEvent<'_>) -> std::io::Result<()>;
    /// Anything else.
    fn event(&mut self, ev: &Event<'_>) -> std::io::Result<()>;
    /// Push out what is buffered (a streaming reader calls it after each chunk of input).
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The explanation block of a non-zero command_status, as every subcommand prints it.
pub fn status_block(code: u32, style: &Style) -> String {
    explanation_block(&status::explain(code), style)
}

/// JSON Lines: each event written whole and flushed.
#[derive(Debug)]
pub struct JsonSink<W> {
    w: W,
    opts: JsonOptions,
    flush_each: bool,
    /// One line buffer reused for every PDU.
    line: Vec<u8>,
    /// Writes the PDU lines, keeping envelope texts that repeat.
    pdus: super::json::PduLines,
}

impl<W: Write> JsonSink<W> {
    /// JSON Lines into `w`, flushed after every line (`send --json | jq` streams).
    pub fn new(w: W, opts: JsonOptions) -> Self {
        JsonSink {
            w,
            opts,
            flush_each: true,
            line: Vec::new(),
            pdus: super::json::PduLines::default(),
        }
    }

    /// Leave flushing to the writer (reading a file as fast as possible: `decode --pcap`).
    pub fn buffered(mut self) -> Self {
        self.flush_each = false;
        self
    }

    /// The writer.
    pub fn writer(&mut self) -> &mut W {
        &mut self.w
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.w
    }
}

impl<W: Write> Sink for JsonSink<W> {
    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }

    fn pdu(&mut self, ev: &PduEvent<'_>) -> std::io::Result<()> {
        self.line.clear();
        self.pdus.push(&mut self.line, ev, &self.opts);
        self.w.write_all(&self.line)?;
        self.flush_if_each()
    }

    fn event(&mut self, ev: &Event<'_>) -> std::io::Result<()> {
        super::json::write_event(&mut self.w, ev, &self.opts)?;
        self.flush_if_each()
    }
}

impl<W: Write> JsonSink<W> {
    fn flush_if_each(&mut self) -> std::io::Result<()> {
        if self.flush_each {
            self.w.flush()?;
        }
        Ok(())
    }
}

/// How the human dump frames each PDU: the subcommands differ in the heading they put above
/// the dump and in when they explain a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `decode` of a paste: the dump, then the status explanation.
    Paste,
    /// `decode --pcap`: a frame line (number, time, endpoints, direction, stream), the dump,
    /// the status explanation.
    Capture,
    /// `bind` / `send` / `unbind`: `→ +0.012s  title  rtt`, explanations once per status.
    Session,
    /// `serve`: one line per PDU (`#3 <- submit_sm seq 7`).
    ServerLines,
    /// `serve --verbose`: `#3 <- note` then the dump, explanations of errors.
    ServerDump,
    /// `proxy`: `#3 12:00:00.123456 ESME→SMSC  title  rtt` then the dump, explanations once
    /// per status; injected PDUs marked.
    Proxy,
}

/// The annotated dump for people.
pub struct DumpSink<W> {
    w: W,
    style: Style,
    opts: DumpOptions,
    layout: Layout,
    /// Rendered explanation blocks by status; `explained` marks those already shown once.
    blocks: HashMap<u32, String>,
    shown: u64,
    /// One buffer reused for every dump (no allocation per PDU).
    buf: Vec<u8>,
    /// The last frame line written, by frame number (several PDUs may end in one frame).
    last_frame: Option<(u64, String)>,
}

impl<W> std::fmt::Debug for DumpSink<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DumpSink")
            .field("layout", &self.layout)
            .finish_non_exhaustive()
    }
}

impl<W: Write> DumpSink<W> {
    /// A dump sink writing into `w`.
    pub fn new(w: W, style: Style, opts: DumpOptions, layout: Layout) -> Self {
        DumpSink {
            w,
            style,
            opts,
            layout,
            blocks: HashMap::new(),
            shown: 0,
            buf: Vec::new(),
            last_frame: None,
        }
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.w
    }

    /// The writer, for command-specific lines.
    pub fn writer(&mut self) -> &mut W {
        &mut self.w
    }

    /// The style.
    pub fn style(&self) -> Style {
        self.style
    }

    /// Number of PDUs and notes shown so far.
    pub fn shown(&self) -> u64 {
        self.shown
    }

    /// Write the explanation block of `code` unless it was shown before.
    pub fn explain_once(&mut self, code: u32) -> std::io::Result<()> {
        if let Some(block) = self.block(code).map(str::to_string) {
            self.w.write_all(block.as_bytes())?;
            if !block.ends_with('\n') {
                writeln!(self.w)?;
            }
        }
        Ok(())
    }

    /// The block for `code`, rendered once; `None` when it was already shown and the layout
    /// explains each status once.
    fn block(&mut self, code: u32) -> Option<&str> {
        let once = matches!(self.layout, Layout::Session | Layout::Proxy);
        let style = self.style;
        let fresh = !self.blocks.contains_key(&code);
        let b = self
            .blocks
            .entry(code)
            .or_insert_with(|| status_block(code, &style));
        (fresh || !once).then_some(b.as_str())
    }

    fn decoded<'d>(ev: &'d PduEvent<'_>, owned: &'d mut Option<Decoded>) -> &'d Decoded {
        match ev.decoded {
            Some(d) => d,
            None => owned.insert(codec::decode(ev.bytes)),
        }
    }

    /// `frame 4  2023-11-14 22:13:20.000100  10.0.0.1:40000 → 10.0.0.2:2775  ESME→SMSC  stream 1`
    /// into `out`.
    fn frame_line_into(out: &mut String, ev: &PduEvent<'_>, frame: u64) {
        let (src, dst) = match ev.direction {
            Some(Direction::SmscToEsme) => (ev.smsc, ev.esme),
            _ => (ev.esme, ev.smsc),
        };
        let addr = |out: &mut String, a: Option<std::net::SocketAddr>| match a {
            Some(a) => super::json::addr_into(out, a),
            None => out.push('?'),
        };
        let mut digits = itoa::Buffer::new();
        out.push_str("frame ");
        out.push_str(digits.format(frame));
        out.push_str("  ");
        super::json::utc_into(out, ev.time.unwrap_or_default());
        out.push_str("  ");
        addr(out, src);
        out.push_str(" → ");
        addr(out, dst);
        out.push_str("  ");
        out.push_str(ev.direction.map_or("", Direction::label));
        out.push_str("  stream ");
        out.push_str(digits.format(ev.session.unwrap_or(0)));
    }

    /// The frame line of `frame`, formatted once per frame (into the same string each time).
    fn cached_frame_line(&mut self, ev: &PduEvent<'_>, frame: u64) -> &str {
        let (last, line) = self.last_frame.get_or_insert_with(|| (0, String::new()));
        if *last != frame || line.is_empty() {
            line.clear();
            Self::frame_line_into(line, ev, frame);
            *last = frame;
        }
        line.as_str()
    }

    /// A PDU of a paste or a capture: the blank line between PDUs, the frame or source line,
    /// the dump and the explanation of an error status, composed in one buffer and written
    /// with one call.
    fn paste_or_capture(&mut self, ev: &PduEvent<'_>) -> std::io::Result<()> {
        let mut owned = None;
        let d = Self::decoded(ev, &mut owned);
        let style = self.style;
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        if self.shown > 0 {
            buf.push(b'\n');
        }
        if let (Layout::Capture, Some(frame)) = (self.layout, ev.frame) {
            style.paint_bytes(&mut buf, Role::Note, self.cached_frame_line(ev, frame));
            buf.push(b'\n');
        }
        if let (Layout::Paste, Some(src)) = (self.layout, ev.source) {
            Self::heading_into(&mut buf, &src, &style);
            buf.push(b'\n');
        }
        dump_into(&mut buf, d, &style, &self.opts);
        if let Some(h) = d.header {
            if h.command_status != 0 {
                buf.push(b'\n');
                if let Some(block) = self.block(h.command_status) {
                    buf.extend_from_slice(block.as_bytes());
                }
            }
        }
        let written = self.w.write_all(&buf);
        self.buf = buf;
        written?;
        self.shown += 1;
        Ok(())
    }

    /// The source line of a pasted PDU (`line 3  hex`), painted as a note.
    fn heading_into(buf: &mut Vec<u8>, src: &super::Source<'_>, style: &Style) {
        if !style.color {
            src.heading_into(buf);
            return;
        }
        let mut plain = Vec::new();
        src.heading_into(&mut plain);
        style.paint_bytes(buf, Role::Note, &String::from_utf8_lossy(&plain));
    }

    fn session_pdu(&mut self, ev: &PduEvent<'_>) -> std::io::Result<()> {
        let mut owned = None;
        let d = Self::decoded(ev, &mut owned);
        let text = dump(d, &self.style, &self.opts);
        let mut lines = text.lines();
        let title = lines.next().unwrap_or_default();
        let rtt = ev.rtt.map_or(String::new(), |r| {
            self.style
                .paint(Role::Dim, &format!("  rtt {}", crate::session::fmt_dur(r)))
        });
        let marker = match ev.direction {
            Some(Direction::SmscToEsme) => "←",
            _ => "→",
        };
        let at = ev.elapsed.unwrap_or_default();
        let head = format!(
            "{} {}  {title}{rtt}",
            self.style.paint(Role::Heading, marker),
            self.style
                .paint(Role::Dim, &format!("+{:.3}s", at.as_secs_f64())),
        );
        self.write_headed(&head, lines, d.header)
    }

    /// A live PDU: its heading line, the dump's rows under it, then the explanation of an error
    /// status the first time it is seen.
    fn write_headed(
        &mut self,
        head: &str,
        rows: std::str::Lines<'_>,
        header: Option<Header>,
    ) -> std::io::Result<()> {
        writeln!(self.w, "\n{head}")?;
        for l in rows {
            writeln!(self.w, "{l}")?;
        }
        if let Some(h) = header {
            if h.command_status != 0 && commands::is_response(h.command_id) {
                writeln!(self.w)?;
                self.explain_once(h.command_status)?;
            }
        }
        self.w.flush()
    }

    fn proxy_pdu(&mut self, ev: &PduEvent<'_>) -> std::io::Result<()> {
        let mut owned = None;
        let d = Self::decoded(ev, &mut owned);
        let text = dump(d, &self.style, &self.opts);
        let mut lines = text.lines();
        let title = lines.next().unwrap_or_default();
        let st = self.style;
        let time = super::json::utc(ev.time.unwrap_or_default());
        let mut head = format!(
            "{} {} {}  {title}",
            st.paint(Role::Dim, &format!("#{}", ev.session.unwrap_or(0))),
            st.paint(Role::Dim, time.get(11..).unwrap_or(&time)),
            st.paint(Role::Heading, ev.direction.map_or("", Direction::label)),
        );
        if let Some(r) = ev.rtt {
            let rtt = format!("  rtt {}", crate::session::fmt_dur(r));
            head.push_str(&st.paint(Role::Dim, &rtt));
        }
        if ev.injected {
            head.push_str(&format!(
                "  {}",
                st.paint(Role::Warn, "[injected by smppdiag]")
            ));
        }
        if let Some(n) = ev.note {
            head.push_str(&format!("  {}", st.paint(Role::Note, n)));
        }
        self.write_headed(&head, lines, d.header)
    }

    fn server_pdu(&mut self, ev: &PduEvent<'_>) -> std::io::Result<()> {
        let session = self
            .style
            .paint(Role::Dim, &format!("#{}", ev.session.unwrap_or(0)));
        let dir = ev.direction.unwrap_or(Direction::EsmeToSmsc);
        let arrow = match dir {
            Direction::EsmeToSmsc => "<-",
            Direction::SmscToEsme => "->",
        };
        let injected = if ev.injected { "[injected] " } else { "" };
        let Some(h) = Header::parse(ev.bytes) else {
            writeln!(
                self.w,
                "{session} {arrow} {injected}{} octets that are not a PDU",
                ev.bytes.len()
            )?;
            return self.w.flush();
        };
        if self.layout == Layout::ServerDump {
            let mut owned = None;
            let d = Self::decoded(ev, &mut owned);
            let mut s = format!(
                "{session} {arrow} {injected}{}\n{}",
                ev.note.unwrap_or(""),
                dump(d, &self.style, &self.opts)
            );
            if dir == Direction::SmscToEsme && h.command_status != 0 {
                s.push_str(self.block(h.command_status).unwrap_or_default());
            }
            writeln!(self.w, "{}", s.trim_end())?;
            return self.w.flush();
        }
        let name = commands::name_of(h.command_id);
        let mut s = format!(
            "{session} {arrow} {injected}{} seq {}",
            self.style.paint(Role::Heading, &name),
            h.sequence_number
        );
        if commands::is_response(h.command_id) || h.command_status != 0 {
            let role = if h.command_status == 0 {
                Role::Good
            } else {
                Role::Error
            };
            let st = status::name_of(h.command_status);
            let _ = write!(s, " {}", self.style.paint(role, &st));
            if h.command_status != 0 {
                let _ = write!(s, " (0x{:08X})", h.command_status);
            }
        }
        if let Some(r) = ev.rtt {
            let _ = write!(
                s,
                " {}",
                self.style
                    .paint(Role::Dim, &format!("rtt {}", crate::session::fmt_dur(r)))
            );
        }
        if let Some(n) = ev.note {
            if visible_columns(&s) + 2 + columns(n) <= SERVER_LINE_WIDTH {
                let _ = write!(s, "  {}", self.style.paint(Role::Note, n));
            } else {
                // Too long for one line: the note goes below, indented and wrapped.
                for l in wrap(n, SERVER_LINE_WIDTH - NOTE_INDENT.len()) {
                    let _ = write!(s, "\n{NOTE_INDENT}{}", self.style.paint(Role::Note, &l));
                }
            }
        }
        writeln!(self.w, "{s}")?;
        self.w.flush()
    }

    /// A session's first line in the server and proxy logs: `#N connected from … on …`, wrapped
    /// under the text's start when it would pass [`SERVER_LINE_WIDTH`] (a full IPv6 address on
    /// each side does). Other notes keep their one line: a message's text is shown whole there.
    /// Multi-line or painted text is written as given.
    fn session_start_lines(&mut self, session: u64, text: &str) -> std::io::Result<()> {
        let tag = format!("#{session}");
        let lead = tag.len() + 1;
        let prefix = format!("{} ", self.style.paint(Role::Dim, &tag));
        let fits = lead + visible_columns(text) <= SERVER_LINE_WIDTH;
        if fits || text.contains(['\n', '\x1b']) {
            return writeln!(self.w, "{prefix}{text}");
        }
        let indent = " ".repeat(lead);
        for (k, line) in wrap(text, SERVER_LINE_WIDTH - lead).iter().enumerate() {
            let head = if k == 0 { &prefix } else { &indent };
            writeln!(self.w, "{head}{line}")?;
        }
        Ok(())
    }

    fn note_line(
        &mut self,
        session: Option<u64>,
        elapsed: Option<Duration>,
        text: &str,
        tone: Tone,
    ) -> std::io::Result<()> {
        let role = match tone {
            Tone::Info => Role::Note,
            Tone::Warn => Role::Warn,
            Tone::Bad => Role::Error,
        };
        match self.layout {
            Layout::Session => {
                let t = format!("+{:.3}s", elapsed.unwrap_or_default().as_secs_f64());
                writeln!(
                    self.w,
                    "\n{} {}",
                    self.style.paint(Role::Dim, &t),
                    self.style.paint(role, text)
                )?;
            }
            Layout::ServerLines | Layout::ServerDump | Layout::Proxy => {
                let prefix = session.map_or(String::new(), |s| {
                    format!("{} ", self.style.paint(Role::Dim, &format!("#{s}")))
                });
                writeln!(self.w, "{prefix}{text}")?;
            }
            Layout::Paste | Layout::Capture => {
                // The caller composed the lines (a capture notice carries its frame line).
                let _ = role;
                writeln!(self.w, "{text}")?;
                self.shown += 1;
                return Ok(());
            }
        }
        self.w.flush()
    }
}

impl<W: Write> Sink for DumpSink<W> {
    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }

    fn pdu(&mut self, ev: &PduEvent<'_>) -> std::io::Result<()> {
        match self.layout {
            Layout::Paste | Layout::Capture => self.paste_or_capture(ev),
            Layout::Session => self.session_pdu(ev),
            Layout::ServerLines | Layout::ServerDump => self.server_pdu(ev),
            Layout::Proxy => self.proxy_pdu(ev),
        }
    }

    fn event(&mut self, ev: &Event<'_>) -> std::io::Result<()> {
        match ev {
            Event::Listening { addr, tls } => {
                let t = if *tls { " (TLS)" } else { "" };
                writeln!(self.w, "listening on {addr}{t}")?;
                self.w.flush()
            }
            Event::SessionStart { session, text, .. } => match self.layout {
                // "connected from … on …" with full IPv6 addresses passes 80 columns.
                Layout::ServerLines | Layout::ServerDump | Layout::Proxy => {
                    self.session_start_lines(*session, text)?;
                    self.w.flush()
                }
                _ => self.note_line(Some(*session), None, text, Tone::Info),
            },
            Event::SessionEnd { session, text, .. } => {
                self.note_line(Some(*session), None, text, Tone::Info)
            }
            Event::Note {
                session,
                text,
                elapsed,
                tone,
                ..
            } => self.note_line(*session, *elapsed, text, *tone),
            Event::Error {
                cause, received, ..
            } => {
                let line = self.style.paint(Role::Error, &format!("✗ {cause}"));
                writeln!(self.w, "{line}")?;
                if let Some(b) = received {
                    writeln!(self.w, "  what was received ({} octets):", b.len())?;
                    let text = dump(&codec::decode(b), &self.style, &self.opts);
                    for l in text.lines() {
                        writeln!(self.w, "    {l}")?;
                    }
                }
                self.w.flush()
            }
            Event::Summary { text, .. } => {
                self.w.write_all(text.as_bytes())?;
                self.w.flush()
            }
            Event::Explanation { status } => {
                writeln!(self.w)?;
                let b = status_block(*status, &self.style);
                self.w.write_all(b.as_bytes())?;
                self.w.flush()
            }
        }
    }
}

/// Records PDUs into a pcap file, one TCP connection per session (opened by
/// [`Event::SessionStart`], closed by [`Event::SessionEnd`]). Clones share the file.
#[derive(Debug, Clone)]
pub struct PcapSink {
    rec: Arc<Mutex<Option<MultiRecorder>>>,
}

impl PcapSink {
    /// Create the file.
    pub fn create(path: &std::path::Path) -> Result<Self, crate::capture::CaptureError> {
        Ok(PcapSink {
            rec: Arc::new(Mutex::new(Some(MultiRecorder::create(path)?))),
        })
    }

    fn with(&self, f: impl FnOnce(&mut MultiRecorder) -> Result<(), crate::capture::CaptureError>) {
        let mut g = self.rec.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = g.as_mut() {
            if f(r).is_err() {
                // A failing file stops recording, never the session.
                *g = None;
            }
        }
    }

    /// Close every connection and flush the file.
    pub fn finish(&self) -> Result<(), crate::capture::CaptureError> {
        let taken = self.rec.lock().unwrap_or_else(|e| e.into_inner()).take();
        match taken {
            Some(r) => r.finish().map(|_| ()),
            None => Ok(()),
        }
    }
}

impl Sink for PcapSink {
    fn pdu(&mut self, ev: &PduEvent<'_>) -> std::io::Result<()> {
        let time = UNIX_EPOCH + ev.time.unwrap_or_else(super::now);
        let dir = ev.direction.unwrap_or(Direction::EsmeToSmsc);
        self.with(|r| r.record(ev.session.unwrap_or(0), dir, ev.bytes, time));
        Ok(())
    }

    fn event(&mut self, ev: &Event<'_>) -> std::io::Result<()> {
        match ev {
            Event::SessionStart {
                session,
                esme: Some(esme),
                smsc: Some(smsc),
                ..
            } => self.with(|r| r.open(*session, *esme, *smsc, std::time::SystemTime::now())),
            Event::SessionEnd { session, .. } => self.with(|r| r.close(*session)),
            _ => {}
        }
        Ok(())
    }
}

/// Several sinks fed the same events, in order.
#[derive(Default)]
pub struct Tee {
    sinks: Vec<Box<dyn Sink + Send>>,
}

impl std::fmt::Debug for Tee {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tee")
            .field("sinks", &self.sinks.len())
            .finish()
    }
}

impl Tee {
    /// No sinks yet.
    pub fn new() -> Self {
        Tee::default()
    }

    /// Add a sink.
    pub fn push(&mut self, s: Box<dyn Sink + Send>) {
        self.sinks.push(s);
    }

    /// True when nothing listens (callers skip building events).
    pub fn is_empty(&self) -> bool {
        self.sinks.is_empty()
    }
}

impl Sink for Tee {
    fn pdu(&mut self, ev: &PduEvent<'_>) -> std::io::Result<()> {
        for s in &mut self.sinks {
            s.pdu(ev)?;
        }
        Ok(())
    }

    fn event(&mut self, ev: &Event<'_>) -> std::io::Result<()> {
        for s in &mut self.sinks {
            s.event(ev)?;
        }
        Ok(())
    }
}

/// Where [`ChannelLines`] hands its lines.
pub trait LineSend {
    /// Hand over one line (it may be dropped, see [`LineQueue`]).
    fn send_line(&self, line: String);
}

impl LineSend for std::sync::mpsc::Sender<String> {
    fn send_line(&self, line: String) {
        let _ = self.send(line);
    }
}

/// A bounded queue of lines: when the reader (the thread printing to stdout) falls behind, say
/// because stdout is a pipe nobody reads, lines that do not fit are dropped and counted instead
/// of piling up in memory.
#[derive(Debug, Clone)]
pub struct LineQueue {
    tx: std::sync::mpsc::SyncSender<String>,
    dropped: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl LineQueue {
    /// A queue of at most `capacity` lines, and its receiving end.
    pub fn new(capacity: usize) -> (LineQueue, std::sync::mpsc::Receiver<String>) {
        let (tx, rx) = std::sync::mpsc::sync_channel(capacity);
        let q = LineQueue {
            tx,
            dropped: std::sync::Arc::default(),
        };
        (q, rx)
    }

    /// Queue a line, waiting for room until `deadline` (for the few lines that must not be
    /// lost: the summary); false when the queue stayed full or its reader is gone.
    pub fn send_by(&self, mut line: String, deadline: std::time::Instant) -> bool {
        loop {
            match self.tx.try_send(line) {
                Ok(()) => return true,
                Err(std::sync::mpsc::TrySendError::Full(l))
                    if std::time::Instant::now() < deadline =>
                {
                    line = l;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(_) => return false,
            }
        }
    }

    /// Lines dropped so far because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl LineSend for LineQueue {
    fn send_line(&self, line: String) {
        if let Err(std::sync::mpsc::TrySendError::Full(_)) = self.tx.try_send(line) {
            self.dropped
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// A writer that hands each flushed chunk, without its last newline, to a channel (`serve`
/// formats lines in its session tasks and prints them on one thread).
#[derive(Debug, Clone)]
pub struct ChannelLines<T: LineSend = std::sync::mpsc::Sender<String>> {
    buf: Vec<u8>,
    tx: T,
}

impl<T: LineSend> ChannelLines<T> {
    /// Lines to `tx`.
    pub fn new(tx: T) -> Self {
        ChannelLines {
            buf: Vec::new(),
            tx,
        }
    }
}

impl<T: LineSend> Write for ChannelLines<T> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        }
        let s = String::from_utf8_lossy(&self.buf).into_owned();
        self.buf.clear();
        self.tx.send_line(s);
        Ok(())
    }
}

/// `serve`'s one-line-per-PDU log keeps within this many columns.
const SERVER_LINE_WIDTH: usize = 80;
/// The indent of a note wrapped below its PDU line.
const NOTE_INDENT: &str = "    ";

/// Display columns of `s` without its colour escape sequences (ESC [ ... m).
fn visible_columns(s: &str) -> usize {
    let mut plain = String::with_capacity(s.len());
    let mut in_escape = false;
    for c in s.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (false, c) => plain.push(c),
            (true, 'm') => in_escape = false,
            (true, _) => {}
        }
    }
    columns(&plain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::style::Style;

    /// The server log line of a session that opened between two full IPv6 addresses.
    fn session_start_lines(text: &str) -> String {
        let mut out = Vec::new();
        let mut sink = DumpSink::new(
            &mut out,
            Style::PLAIN,
            DumpOptions::default(),
            Layout::ServerLines,
        );
        let ev = Event::SessionStart {
            session: 4_294_967_295,
            esme: None,
            smsc: None,
            text,
        };
        sink.event(&ev).expect("writes to a Vec");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn a_long_session_note_is_wrapped_to_80_columns_under_its_start() {
        let text = "connected from [2001:db8:ffff:ffff:ffff:ffff:ffff:fffe]:65535 \
                    on [2001:db8:ffff:ffff:ffff:ffff:ffff:ffff]:2775";
        let shown = session_start_lines(text);
        let lines: Vec<&str> = shown.lines().collect();
        assert!(lines.len() > 1, "{shown}");
        assert!(
            lines.iter().all(|l| columns(l) <= SERVER_LINE_WIDTH),
            "{shown}"
        );
        assert!(
            lines[0].starts_with("#4294967295 connected from "),
            "{shown}"
        );
        assert!(
            lines[1..].iter().all(|l| l.starts_with("            ")),
            "{shown}"
        );
        let words: Vec<&str> = lines.iter().flat_map(|l| l.split_whitespace()).collect();
        let mut expected = vec!["#4294967295"];
        expected.extend(text.split_whitespace());
        assert_eq!(words, expected);
    }

    #[test]
    fn a_short_session_note_stays_on_one_line() {
        let shown = session_start_lines("connected from 127.0.0.1:40000 on 127.0.0.1:2775");
        assert_eq!(
            shown,
            "#4294967295 connected from 127.0.0.1:40000 on 127.0.0.1:2775\n"
        );
    }
}
