//! A small SMTP server on tokio (RFC 5321's receiving side: EHLO/HELO,
//! MAIL, RCPT, DATA, RSET, NOOP, QUIT), enough for mail relays and mail
//! providers' forwarding to hand Parley its mail. What to accept is the
//! [`MailSink`]'s business; Parley's sink puts mail through the ingest
//! pipeline and answers 250 only after the commit.
//!
//! Limits (README): `SIZE` is advertised and enforced while reading; a
//! command line may be 1000 bytes; 100 recipients per mail; an idle
//! connection is dropped after 5 minutes. No STARTTLS: run it on loopback
//! or behind a relay that terminates TLS.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// An SMTP reply: code and text.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub code: u16,
    pub text: String,
}

impl Reply {
    pub fn new(code: u16, text: impl Into<String>) -> Self {
        Self { code, text: text.into() }
    }
}

/// A mail as the client handed it over.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Decides what the server accepts.
pub trait MailSink: Send + Sync + 'static {
    /// Whether mail for this recipient is taken (an error reply refuses it).
    fn rcpt<'a>(&'a self, addr: &'a str) -> BoxFuture<'a, Result<(), Reply>>;
    /// Takes a whole mail. `raw` holds at most `max_bytes` of it; `total`
    /// is its real size (over the limit means it was cut).
    fn data<'a>(&'a self, env: Envelope, raw: Vec<u8>, total: usize) -> BoxFuture<'a, Reply>;
}

/// The server's settings.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_bytes: usize,
    pub hostname: String,
}

const MAX_LINE: u64 = 1000;
const MAX_DATA_LINE: u64 = 64 * 1024;
const MAX_RCPT: usize = 100;
const IDLE: Duration = Duration::from_secs(300);

/// Accepts connections until the task is dropped.
pub async fn serve(listener: TcpListener, sink: Arc<dyn MailSink>, limits: Limits) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "SMTP accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let sink = sink.clone();
        let limits = limits.clone();
        tokio::spawn(async move {
            if let Err(e) = session(stream, sink, limits).await {
                tracing::debug!(error = %e, %peer, "SMTP session ended");
            }
        });
    }
}

async fn send(w: &mut (impl AsyncWriteExt + Unpin), r: &Reply) -> std::io::Result<()> {
    w.write_all(format!("{} {}\r\n", r.code, r.text).as_bytes()).await?;
    w.flush().await
}

/// `<addr>` (with optional parameters after it) from a MAIL/RCPT argument.
fn path_arg(arg: &str) -> Option<(String, &str)> {
    let arg = arg.trim_start();
    let open = arg.find('<')?;
    let close = arg[open..].find('>')? + open;
    Some((arg[open + 1..close].trim().to_string(), arg[close + 1..].trim()))
}

async fn session(stream: TcpStream, sink: Arc<dyn MailSink>, limits: Limits) -> std::io::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    send(&mut w, &Reply::new(220, format!("{} Parley ESMTP ready", limits.hostname))).await?;
    let mut from: Option<String> = None;
    let mut rcpts: Vec<String> = Vec::new();
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        let n = tokio::time::timeout(IDLE, (&mut r).take(MAX_LINE + 1).read_until(b'\n', &mut line))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle"))??;
        if n == 0 {
            return Ok(());
        }
        if !line.ends_with(b"\n") {
            send(&mut w, &Reply::new(500, "5.5.2 Line too long")).await?;
            // Skip the rest of the over-long line.
            let mut rest = Vec::new();
            (&mut r).take(MAX_DATA_LINE).read_until(b'\n', &mut rest).await?;
            continue;
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_string();
        let (verb, arg) = text.split_once(' ').unwrap_or((text.as_str(), ""));
        let verb = verb.to_ascii_uppercase();
        let reply = match verb.as_str() {
            "EHLO" => {
                from = None;
                rcpts.clear();
                let caps = format!(
                    "250-{} greets {}\r\n250-SIZE {}\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n",
                    limits.hostname,
                    arg.trim(),
                    limits.max_bytes
                );
                w.write_all(caps.as_bytes()).await?;
                w.flush().await?;
                continue;
            }
            "HELO" => {
                from = None;
                rcpts.clear();
                Reply::new(250, limits.hostname.clone())
            }
            "MAIL" => {
                match arg.get(..5).filter(|p| p.eq_ignore_ascii_case("FROM:")).and_then(|_| path_arg(&arg[5..])) {
                    None => Reply::new(501, "5.5.4 Syntax: MAIL FROM:<address>"),
                    Some(_) if from.is_some() => Reply::new(503, "5.5.1 Sender already given"),
                    Some((addr, params)) => {
                        let declared = params.split_whitespace().find_map(|p| {
                            p.get(..5)
                                .filter(|k| k.eq_ignore_ascii_case("SIZE="))
                                .and_then(|_| p[5..].parse::<usize>().ok())
                        });
                        if declared.is_some_and(|s| s > limits.max_bytes) {
                            Reply::new(552, format!("5.3.4 Message too big (limit {} bytes)", limits.max_bytes))
                        } else {
                            from = Some(addr);
                            rcpts.clear();
                            Reply::new(250, "2.1.0 OK")
                        }
                    }
                }
            }
            "RCPT" => match arg.get(..3).filter(|p| p.eq_ignore_ascii_case("TO:")).and_then(|_| path_arg(&arg[3..])) {
                None => Reply::new(501, "5.5.4 Syntax: RCPT TO:<address>"),
                Some(_) if from.is_none() => Reply::new(503, "5.5.1 MAIL first"),
                Some(_) if rcpts.len() >= MAX_RCPT => Reply::new(452, "4.5.3 Too many recipients"),
                Some((addr, _)) => match sink.rcpt(&addr).await {
                    Ok(()) => {
                        rcpts.push(addr);
                        Reply::new(250, "2.1.5 OK")
                    }
                    Err(reply) => reply,
                },
            },
            "DATA" if from.is_none() || rcpts.is_empty() => Reply::new(503, "5.5.1 RCPT first"),
            "DATA" => {
                send(&mut w, &Reply::new(354, "End data with <CR><LF>.<CR><LF>")).await?;
                let (raw, total) = read_data(&mut r, limits.max_bytes).await?;
                let env = Envelope { mail_from: from.take().unwrap_or_default(), rcpt_to: std::mem::take(&mut rcpts) };
                sink.data(env, raw, total).await
            }
            "RSET" => {
                from = None;
                rcpts.clear();
                Reply::new(250, "2.0.0 OK")
            }
            "NOOP" => Reply::new(250, "2.0.0 OK"),
            "VRFY" => Reply::new(252, "2.1.5 Cannot verify, but will accept"),
            "QUIT" => {
                send(&mut w, &Reply::new(221, "2.0.0 Bye")).await?;
                return Ok(());
            }
            _ => Reply::new(502, "5.5.1 Command not implemented"),
        };
        send(&mut w, &reply).await?;
    }
}

/// Reads DATA up to the lone `.` line, undoing dot-stuffing. Keeps at most
/// `max` bytes but reads to the end, so the session stays in step.
async fn read_data(r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, max: usize) -> std::io::Result<(Vec<u8>, usize)> {
    let mut out = Vec::new();
    let mut total = 0usize;
    let mut line = Vec::with_capacity(1024);
    loop {
        line.clear();
        let n = tokio::time::timeout(IDLE, (&mut *r).take(MAX_DATA_LINE).read_until(b'\n', &mut line))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle in DATA"))??;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed in DATA"));
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok((out, total));
        }
        let content: &[u8] = if line.starts_with(b"..") { &line[1..] } else { &line };
        total += content.len();
        if out.len() + content.len() <= max {
            out.extend_from_slice(content);
        }
    }
}
