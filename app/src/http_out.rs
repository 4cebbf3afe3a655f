//! Outbound HTTP: one POST (or GET) with a deadline, over plain TCP or
//! rustls (Mozilla's roots). Enough for webhooks and provider APIs; every
//! failure comes back as words a person can act on, stored with the job.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// What came back.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    /// The body as text (cut at 64 KiB).
    pub body: String,
}

/// The deadline for connect + request + response.
pub const TIMEOUT: Duration = Duration::from_secs(10);

fn tls() -> tokio_rustls::TlsConnector {
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config = tokio_rustls::rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
    io: S,
    req: hyper::Request<Full<Bytes>>,
) -> Result<Reply, String> {
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(TokioIo::new(io)).await.map_err(|e| format!("HTTP handshake: {e}"))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let res = sender.send_request(req).await.map_err(|e| format!("request failed: {e}"))?;
    let status = res.status().as_u16();
    let body = Limited::new(res.into_body(), 64 * 1024)
        .collect()
        .await
        .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
        .unwrap_or_default();
    Ok(Reply { status, body })
}

/// POSTs `body` to `url` with `headers`; an error says what went wrong
/// (bad URL, connection refused, TLS, timeout).
pub async fn post(url: &str, headers: &[(&str, String)], body: Vec<u8>) -> Result<Reply, String> {
    request(hyper::Method::POST, url, headers, body).await
}

/// GETs `url` with `headers` (a provider's health check); errors as [`post`].
pub async fn get(url: &str, headers: &[(&str, String)]) -> Result<Reply, String> {
    request(hyper::Method::GET, url, headers, vec![]).await
}

async fn request(method: hyper::Method, url: &str, headers: &[(&str, String)], body: Vec<u8>) -> Result<Reply, String> {
    let uri: hyper::Uri = url.parse().map_err(|_| format!("{url} is not a URL"))?;
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err(format!("{url}: only http and https URLs can be called")),
    };
    let host = uri.host().ok_or_else(|| format!("{url} has no host"))?.to_string();
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let path = uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
    let mut req = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header(hyper::header::HOST, &host)
        .header("user-agent", "Parley");
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let req = req.body(Full::new(Bytes::from(body))).map_err(|e| format!("bad request: {e}"))?;
    let work = async {
        let tcp = TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
        if https {
            let name = tokio_rustls::rustls::pki_types::ServerName::try_from(host.clone())
                .map_err(|_| format!("{host} is not a valid TLS name"))?;
            let stream = tls().connect(name, tcp).await.map_err(|e| format!("TLS with {host} failed: {e}"))?;
            exchange(stream, req).await
        } else {
            exchange(tcp, req).await
        }
    };
    tokio::time::timeout(TIMEOUT, work)
        .await
        .map_err(|_| format!("{host} did not answer within {}s", TIMEOUT.as_secs()))?
}
