//! Page rendering on single-threaded runtimes.
//!
//! Why: Leptos' reactive graph (0.8, reactive_graph 0.2) takes its
//! `RwLock`s in different orders in a `<Suspense>`'s effect and in a
//! resource completing (upstream leptos-rs/leptos#4673, open). When one
//! page's render runs on two tokio worker threads at once, those two can
//! lock each other out: both workers then block forever and the whole
//! server stops answering, static files included. (Pages that are merely
//! slow to resolve a `<Suspense>` are a separate, still open problem.)
//!
//! So each page render runs, start to finish, on one thread: a small pool
//! of current-thread runtimes. Resources the render spawns
//! (`tokio::spawn` through Leptos' executor) land on that same runtime.
//! The HTML streams back to the connection through a channel, so the
//! multi-threaded runtime that serves the socket never polls a reactive
//! future. Server functions, REST, websockets and ingest stay on the
//! multi-threaded runtime: they do not render.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use tokio::sync::{mpsc, oneshot};

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Chunks of HTML in flight per response: enough to keep the socket busy,
/// small enough that a slow client holds little memory.
const BODY_BUFFER: usize = 8;

struct Pool {
    threads: Vec<mpsc::UnboundedSender<Job>>,
    next: AtomicUsize,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(1, 8);
        let threads = (0..n).map(spawn_thread).collect();
        Pool { threads, next: AtomicUsize::new(0) }
    })
}

fn spawn_thread(i: usize) -> mpsc::UnboundedSender<Job> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
    std::thread::Builder::new()
        .name(format!("parley-render-{i}"))
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    tracing::error!(error = %e, "could not start a render runtime");
                    return;
                }
            };
            let local = tokio::task::LocalSet::new();
            local.block_on(&rt, async move {
                // Local tasks, so a `spawn_local` during a render works too.
                while let Some(job) = rx.recv().await {
                    tokio::task::spawn_local(job);
                }
            });
        })
        .map(|_| ())
        .unwrap_or_else(|e| tracing::error!(error = %e, "could not start a render thread"));
    tx
}

/// Middleware for the page routes: runs the rest of the stack (the Leptos
/// render) on a render thread and streams its body back. Bodies are
/// streamed, not collected: out-of-order streaming still sends the shell
/// before slow parts resolve.
pub async fn on_render_thread(req: Request, next: Next) -> Response {
    // Server functions (registered with the pages) and the bundle's files
    // do not render.
    let path = req.uri().path();
    if path.starts_with("/api/") || path.starts_with("/pkg/") {
        return next.run(req).await;
    }
    let pool = pool();
    let i = pool.next.fetch_add(1, Ordering::Relaxed) % pool.threads.len();
    let (head_tx, head_rx) = oneshot::channel();
    let job: Job = Box::pin(async move {
        let (parts, body) = next.run(req).await.into_parts();
        let (chunks, rx) = mpsc::channel::<Result<Bytes, axum::Error>>(BODY_BUFFER);
        if head_tx.send((parts, rx)).is_err() {
            return;
        }
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            // The client went away: stop rendering.
            if chunks.send(chunk).await.is_err() {
                return;
            }
        }
    });
    if pool.threads[i].send(job).is_err() {
        return (StatusCode::SERVICE_UNAVAILABLE, "The page renderer is not running.").into_response();
    }
    match head_rx.await {
        Ok((parts, mut rx)) => {
            // `poll_recv` keeps answering None after the end, which the
            // compression layer relies on (it polls once more).
            let body = futures::stream::poll_fn(move |cx| rx.poll_recv(cx));
            Response::from_parts(parts, Body::from_stream(body))
        }
        // The render panicked before it had a response (the panic is logged).
        Err(_) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side; it has been logged.").into_response()
        }
    }
}
