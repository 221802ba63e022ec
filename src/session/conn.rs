//! Opening the byte stream: TCP with a connect timeout, optionally TLS (rustls with the system
//! roots, an extra CA file, or no verification at all when asked), SNI from the host name.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};

use super::SessionError;

/// A byte stream a session can run over.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// TLS settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Extra trusted CA certificates (PEM file), besides the system roots.
    pub ca: Option<PathBuf>,
    /// Skip certificate verification entirely.
    pub insecure: bool,
}

impl TlsOptions {
    /// The TLS options of the command-line flags: TLS is on when asked for, or implied by a CA
    /// file or by skipping verification.
    pub fn from_flags(tls: bool, ca: Option<&std::path::Path>, insecure: bool) -> Option<Self> {
        (tls || ca.is_some() || insecure).then(|| TlsOptions {
            ca: ca.map(std::path::Path::to_path_buf),
            insecure,
        })
    }
}

/// Where and how to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// TLS, when wanted.
    pub tls: Option<TlsOptions>,
    /// Limit for TCP connect plus TLS handshake.
    pub timeout: Duration,
}

impl ConnectOptions {
    /// "host:port" for messages.
    pub fn addr(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// A second handle on the TCP socket under a session's stream (TCP or TLS), for the socket
/// options the session adjusts while it runs.
#[derive(Debug)]
pub struct TcpHandle(socket2::Socket);

impl TcpHandle {
    /// A handle on `tcp` (a duplicate of its descriptor).
    pub fn of(tcp: &TcpStream) -> Option<TcpHandle> {
        socket2::SockRef::from(tcp).try_clone().ok().map(TcpHandle)
    }

    /// Acknowledge at once what was received (Linux TCP_QUICKACK; elsewhere nothing).
    ///
    /// An SMSC with Nagle's algorithm on holds a small response while an earlier one is not
    /// acknowledged; when we have nothing more to send, our ACK is delayed (about 40 ms), and
    /// so is the last response of a run.
    pub fn quickack(&self) {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            let _ = self.0.set_tcp_quickack(true);
        }
    }
}

/// Connect (and handshake), within the timeout.
pub async fn connect(opts: &ConnectOptions) -> Result<Box<dyn Stream>, SessionError> {
    connect_with_handle(opts).await.map(|(s, _)| s)
}

/// Like [`connect`], also returning a [`TcpHandle`] on the socket (for [`Session::with_tcp`]).
///
/// [`Session::with_tcp`]: super::Session::with_tcp
pub async fn connect_with_handle(
    opts: &ConnectOptions,
) -> Result<(Box<dyn Stream>, Option<TcpHandle>), SessionError> {
    let addr = opts.addr();
    let deadline = tokio::time::Instant::now() + opts.timeout;
    let tcp = match tokio::time::timeout_at(
        deadline,
        TcpStream::connect((opts.host.as_str(), opts.port)),
    )
    .await
    {
        Err(_) => {
            return Err(SessionError::ConnectTimeout {
                addr,
                after: opts.timeout,
            })
        }
        Ok(Err(source)) => return Err(SessionError::Connect { addr, source }),
        Ok(Ok(s)) => s,
    };
    let _ = tcp.set_nodelay(true);
    let handle = TcpHandle::of(&tcp);
    let Some(tls) = &opts.tls else {
        return Ok((Box::new(tcp), handle));
    };
    let config = client_config(tls)?;
    let name = ServerName::try_from(opts.host.clone())
        .map_err(|e| SessionError::Tls(format!("{} is not a valid server name: {e}", opts.host)))?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    match tokio::time::timeout_at(deadline, connector.connect(name, tcp)).await {
        Err(_) => Err(SessionError::Tls(format!(
            "no TLS handshake with {addr} within {}",
            super::fmt_dur(opts.timeout)
        ))),
        Ok(Err(e)) => Err(SessionError::Tls(format!(
            "handshake with {addr} failed: {e}{}",
            handshake_hint(&e.to_string())
        ))),
        Ok(Ok(s)) => Ok((Box::new(s), handle)),
    }
}

/// What to do about the certificate errors people meet most, by the words rustls uses (its
/// Debug name, and the Display text of the variant that carries context).
const HANDSHAKE_HINTS: &[(&[&str], &str)] = &[
    (
        &[CA_AS_END_ENTITY],
        "the server presents a CA certificate (basicConstraints CA:TRUE, as `openssl req -x509` \
         makes by default) as its own; pass that very certificate (or the CA that signed it) \
         with --ca, re-issue the server certificate without CA:TRUE (openssl: -addext \
         basicConstraints=critical,CA:FALSE), or use --tls-insecure for a test",
    ),
    (
        &["UnknownIssuer"],
        "the certificate is not signed by a CA this client trusts: pass that CA with --ca, or \
         use --tls-insecure for a test",
    ),
    (
        &["NotValidForName", "not valid for name"],
        "the certificate does not name the host given with --host: connect by a name the \
         certificate lists",
    ),
    (
        &["Expired", "certificate expired"],
        "the server certificate has expired (or this machine's clock is wrong)",
    ),
];

/// The hint for a failed handshake's error text, as `"\n  → ..."`, or nothing.
fn handshake_hint(error: &str) -> String {
    HANDSHAKE_HINTS
        .iter()
        .find(|(needles, _)| needles.iter().any(|needle| error.contains(needle)))
        .map_or(String::new(), |(_, hint)| format!("\n  → {hint}"))
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The rustls client configuration for these options.
pub fn client_config(tls: &TlsOptions) -> Result<rustls::ClientConfig, SessionError> {
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| SessionError::Tls(e.to_string()))?;
    if tls.insecure {
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Verifier {
                webpki: None,
                ca: Vec::new(),
                provider: provider(),
            }))
            .with_no_client_auth());
    }
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        let _ = roots.add(cert);
    }
    let ca = match &tls.ca {
        Some(path) => {
            let certs = ca_certs(path)?;
            for cert in &certs {
                roots
                    .add(cert.clone())
                    .map_err(|e| SessionError::Tls(format!("--ca {}: {e}", path.display())))?;
            }
            certs
        }
        None => Vec::new(),
    };
    if roots.is_empty() {
        return Err(SessionError::Tls(
            "no trusted root certificates: give --ca FILE or --tls-insecure".into(),
        ));
    }
    if ca.is_empty() {
        return Ok(builder.with_root_certificates(roots).with_no_client_auth());
    }
    let webpki =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .map_err(|e| SessionError::Tls(e.to_string()))?;
    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Verifier {
            webpki: Some(webpki),
            ca,
            provider: provider(),
        }))
        .with_no_client_auth())
}

/// The PEM certificates of a `--ca` file (at least one).
fn ca_certs(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, SessionError> {
    let pem = std::fs::read(path)
        .map_err(|e| SessionError::Tls(format!("cannot read --ca {}: {e}", path.display())))?;
    let certs = rustls_pemfile::certs(&mut pem.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| SessionError::Tls(format!("--ca {}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(SessionError::Tls(format!(
            "--ca {} holds no PEM certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// The rustls (webpki) words for a CA certificate presented as the server's own.
const CA_AS_END_ENTITY: &str = "CaUsedAsEndEntity";

/// The server certificate check when it is not rustls' own: with `webpki`, verifies as webpki
/// does with the `--ca` certificates as trust anchors, and also accepts a server that presents
/// exactly one of those certificates although it is a CA (basicConstraints CA:TRUE, what
/// `openssl req -x509` makes by default): trusting that certificate is what the user asked. Its
/// name is still checked, and webpki has checked its validity period before it objects to the
/// CA flag. Without (`--tls-insecure`): any certificate. Handshake signatures are always checked.
#[derive(Debug)]
struct Verifier {
    webpki: Option<Arc<rustls::client::WebPkiServerVerifier>>,
    ca: Vec<CertificateDer<'static>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl rustls::client::danger::ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        let Some(webpki) = &self.webpki else {
            return Ok(rustls::client::danger::ServerCertVerified::assertion());
        };
        let verdict =
            webpki.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now);
        match verdict {
            Err(e)
                if format!("{e:?}").contains(CA_AS_END_ENTITY)
                    && self.ca.iter().any(|c| c.as_ref() == end_entity.as_ref()) =>
            {
                let cert = rustls::server::ParsedCertificate::try_from(end_entity)?;
                rustls::client::verify_server_name(&cert, server_name)?;
                Ok(rustls::client::danger::ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod hint_tests {
    use super::handshake_hint;

    #[test]
    fn a_ca_used_as_the_server_certificate_gets_advice() {
        let h = handshake_hint("invalid peer certificate: Other(OtherError(CaUsedAsEndEntity))");
        assert!(h.contains("CA:TRUE") && h.contains("--ca"), "{h}");
        assert_eq!(handshake_hint("connection reset"), "");
    }
}
