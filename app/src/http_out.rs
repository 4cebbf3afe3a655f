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

/// A file fetched whole (see [`download`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Download {
    pub status: u16,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// The deadline for a whole file: longer than [`TIMEOUT`], as a file of
/// megabytes takes longer than an API answer.
pub const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(120);

/// How much of a body to read, and what to do beyond it.
#[derive(Clone, Copy)]
enum Limit {
    /// Keep the first bytes (an answer to show).
    Cut(usize),
    /// Refuse the whole (a file that must arrive complete).
    Refuse(usize),
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
    io: S,
    req: hyper::Request<Full<Bytes>>,
    limit: Limit,
) -> Result<Download, String> {
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(TokioIo::new(io)).await.map_err(|e| format!("HTTP handshake: {e}"))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let res = sender.send_request(req).await.map_err(|e| format!("request failed: {e}"))?;
    let status = res.status().as_u16();
    let content_type = res.headers().get(hyper::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let bytes = match limit {
        Limit::Cut(max) => {
            Limited::new(res.into_body(), max).collect().await.map(|b| b.to_bytes().to_vec()).unwrap_or_default()
        }
        Limit::Refuse(max) => match Limited::new(res.into_body(), max).collect().await {
            Ok(b) => b.to_bytes().to_vec(),
            Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
                return Err(format!("the file is larger than {} MiB", max >> 20));
            }
            Err(e) => return Err(format!("the download broke off: {e}")),
        },
    };
    Ok(Download { status, content_type, bytes })
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

/// GETs a whole file of at most `max_bytes`; a larger one is an error, not
/// a cut file. Errors as [`post`], with [`DOWNLOAD_TIMEOUT`].
pub async fn download(url: &str, headers: &[(&str, String)], max_bytes: usize) -> Result<Download, String> {
    call(hyper::Method::GET, url, headers, vec![], Limit::Refuse(max_bytes), DOWNLOAD_TIMEOUT).await
}

async fn request(method: hyper::Method, url: &str, headers: &[(&str, String)], body: Vec<u8>) -> Result<Reply, String> {
    let got = call(method, url, headers, body, Limit::Cut(64 * 1024), TIMEOUT).await?;
    Ok(Reply { status: got.status, body: String::from_utf8_lossy(&got.bytes).into_owned() })
}

async fn call(
    method: hyper::Method,
    url: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
    limit: Limit,
    timeout: Duration,
) -> Result<Download, String> {
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
            exchange(stream, req, limit).await
        } else {
            exchange(tcp, req, limit).await
        }
    };
    tokio::time::timeout(timeout, work)
        .await
        .map_err(|_| format!("{host} did not answer within {}s", timeout.as_secs()))?
}
