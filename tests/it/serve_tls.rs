//! `--ca` with the certificate `openssl req -x509` makes (self-signed, basicConstraints CA:TRUE)
//! presented by `serve --listen-tls` (issue 10): trusted when the server presents exactly that
//! certificate and its name matches; refused otherwise. The certificates are made at test time
//! by the openssl CLI.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{run_on, serve_raw};

/// `openssl req -x509` for `name` into DIR/NAME.{crt,key}: (certificate, key).
fn openssl_self_signed(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let cert = dir.join(format!("{name}.crt"));
    let key = dir.join(format!("{name}.key"));
    let out = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .args(["-subj", &format!("/CN={name}")])
        .args(["-addext", &format!("subjectAltName=DNS:{name}")])
        .output()
        .expect("the openssl CLI (apt-get install openssl) must be installed for this test");
    assert!(out.status.success(), "openssl: {out:?}");
    // What makes rustls refuse it as a server certificate.
    let text = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in"])
        .arg(&cert)
        .output()
        .expect("openssl x509");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("CA:TRUE"), "{text}");
    (cert, key)
}

fn bind_tls(port: u16, host: &str, ca: &Path) -> (i32, String) {
    let ca = ca.to_str().unwrap();
    let args = [
        "--host",
        host,
        "--tls",
        "--ca",
        ca,
        "--system-id",
        "acme",
        "--password",
        "secret",
    ];
    run_on(port, "bind", &args)
}

#[test]
fn ca_flag_trusts_an_openssl_self_signed_server_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = openssl_self_signed(dir.path(), "localhost");
    let (other, _) = openssl_self_signed(dir.path(), "other.example");
    let s = serve_raw(&[
        "--listen-tls",
        "127.0.0.1:0",
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
        "--account",
        "acme:secret",
        "--quiet",
    ]);
    let (code, out) = bind_tls(s.port, "localhost", &cert);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("✓ bound"), "{out}");
    // Another certificate given with --ca: not trusted (exit 5, TLS), with the advice.
    let (code, out) = bind_tls(s.port, "localhost", &other);
    assert_eq!(code, 5, "{out}");
    assert!(out.contains("CaUsedAsEndEntity"), "{out}");
    assert!(out.contains("pass that very certificate"), "{out}");
    // The right certificate, the wrong name: still refused.
    let (code, out) = bind_tls(s.port, "127.0.0.1", &cert);
    assert_eq!(code, 5, "{out}");
    assert!(out.contains("not valid for name"), "{out}");
    assert!(
        out.contains("connect by a name the certificate lists"),
        "{out}"
    );
}
