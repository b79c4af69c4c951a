//! The serve loop: accepting client connections and serving each with hyper, bounded.
//!
//! - **Header timeout** ([`Config::client_header_timeout`]): hyper's HTTP/1 header-read timer
//!   runs whenever a connection waits for a request head: from the connection's start and
//!   again after each response. So a silent connection, a half-sent header and an idle
//!   keep-alive connection are all closed once it passes. HTTP/2 connections are pinged at that
//!   interval and closed when a ping goes unanswered.
//! - **Connection limit** ([`Config::max_connections`], lowered to what the file-descriptor
//!   limit allows): a connection holds its slot until its socket closes, WebSocket connections
//!   included (the slot travels with the socket through the upgrade). One more connection is
//!   answered `503` `server_is_overloaded` in OpenAI's error JSON and closed; past a few dozen
//!   such answers at once, further connections are closed unanswered.
//! - **File descriptors**: [`raise_fd_limit`] raises the soft `RLIMIT_NOFILE` to the hard limit
//!   at start.
//! - **Workers**: each connection is served on one of the [`Workers`], the one serving the
//!   fewest connections when it arrives.
//! - **Writes**: the events made from one upstream event are one body frame, and hyper writes
//!   the frames that are ready together in one `writev`, so the events of one upstream read
//!   leave in one write; a lone event is written at once (`write_tests` proves both on a
//!   logged socket).
//! - **TCP_NODELAY** on every connection; **graceful shutdown**: no new connection, idle ones
//!   closed, requests in flight (streams included) finish.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::error::ApiError;
use crate::workers::{WorkerSlot, Workers};

/// Connections answered `503` at once; past this, an extra connection is closed unanswered.
const MAX_REFUSALS: usize = 64;

/// How long a refused connection may take to send its request head before it is closed.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(5);

/// File descriptors kept for everything but client connections (the store, logs, …).
const RESERVED_FDS: u64 = 128;

/// Raises the process's soft `RLIMIT_NOFILE` to its hard limit (on macOS, to what the kernel
/// allows) and returns the soft limit in force, `None` where there is none to read.
pub fn raise_fd_limit() -> Option<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => Some(limit),
        Err(error) => {
            tracing::warn!(%error, "cannot raise the file-descriptor limit");
            current_fd_limit()
        }
    }
}

#[cfg(unix)]
fn current_fd_limit() -> Option<u64> {
    rlimit::getrlimit(rlimit::Resource::NOFILE)
        .ok()
        .map(|(soft, _)| soft)
}

#[cfg(not(unix))]
fn current_fd_limit() -> Option<u64> {
    None
}

/// The connection limit the file-descriptor limit allows: each client connection may need a
/// second descriptor for its upstream request.
fn connection_limit(configured: usize, fd_limit: Option<u64>) -> usize {
    let Some(fds) = fd_limit else {
        return configured;
    };
    let allowed = usize::try_from(fds.saturating_sub(RESERVED_FDS) / 2)
        .unwrap_or(usize::MAX)
        .max(1);
    if configured > allowed {
        tracing::warn!(
            max_connections = configured,
            fd_limit = fds,
            allowed,
            "max_connections lowered to what the file-descriptor limit allows"
        );
        allowed
    } else {
        configured
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, each connection on one of `workers`;
/// then `stopping` is cancelled, idle connections close, and this returns once every
/// connection served here has closed.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    config: &Config,
    workers: &Workers,
    stopping: CancellationToken,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let fd_limit = raise_fd_limit();
    let max = connection_limit(config.max_connections, fd_limit);
    tracing::info!(
        max_connections = max,
        fd_limit,
        "accepting client connections"
    );
    let slots = Arc::new(Semaphore::new(max));
    let refusals = Arc::new(Semaphore::new(MAX_REFUSALS));
    let connection = ConnectionSettings::new(config);
    let connections = TaskTracker::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let tcp = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => tcp,
                Err(error) => {
                    accept_failed(&error).await;
                    continue;
                }
            },
        };
        // Events are small writes that must go out at once: without TCP_NODELAY, Nagle's
        // algorithm holds one back until the client acknowledges the previous one.
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        match slots.clone().try_acquire_owned() {
            Ok(slot) => {
                // The socket leaves this runtime's reactor and joins the worker's.
                let tcp = match tcp.into_std() {
                    Ok(tcp) => tcp,
                    Err(error) => {
                        tracing::debug!(%error, "cannot hand the connection to a worker");
                        continue;
                    }
                };
                let (worker, worker_slot) = workers.assign();
                let served = connection.serve(
                    tcp,
                    (slot, worker_slot),
                    TowerToHyperService::new(app.clone()),
                    stopping.clone(),
                );
                connections.spawn_on(served, &worker);
            }
            Err(_) => {
                tracing::warn!(max_connections = max, "connection limit reached: 503");
                crate::telemetry::connection_refused();
                if let Ok(refusal) = refusals.clone().try_acquire_owned() {
                    connections.spawn(refuse(tcp, refusal));
                }
            }
        }
    }
    stopping.cancel();
    connections.close();
    connections.wait().await;
    Ok(())
}

/// How every client connection is served: hyper's builder and the header timeout.
#[derive(Clone)]
struct ConnectionSettings {
    builder: Arc<auto::Builder<TokioExecutor>>,
    header_timeout: Option<Duration>,
}

impl ConnectionSettings {
    fn new(config: &Config) -> Self {
        let header_timeout =
            (!config.client_header_timeout.is_zero()).then_some(config.client_header_timeout);
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout);
        builder
            .http2()
            .timer(TokioTimer::new())
            .keep_alive_interval(header_timeout);
        ConnectionSettings {
            builder: Arc::new(builder),
            header_timeout,
        }
    }

    /// Serves one connection (to be run on its worker, whose reactor the socket joins) until
    /// it closes, or until `stopping` and its request in flight is answered.
    fn serve(
        &self,
        tcp: std::net::TcpStream,
        (slot, worker): (OwnedSemaphorePermit, WorkerSlot),
        service: TowerToHyperService<Router>,
        stopping: CancellationToken,
    ) -> impl Future<Output = ()> + Send + 'static {
        let settings = self.clone();
        async move {
            let tcp = match TcpStream::from_std(tcp) {
                Ok(tcp) => tcp,
                Err(error) => {
                    tracing::debug!(%error, "a worker cannot take the connection");
                    return;
                }
            };
            let io = TokioIo::new(Counted {
                tcp,
                _slot: slot,
                _worker: worker,
            });
            // hyper's header timer starts once the protocol is known, at the first bytes: a
            // connection that sends nothing is bounded here.
            if let Some(timeout) = settings.header_timeout {
                let mut first = [0u8; 1];
                let peeked = tokio::select! {
                    peeked = tokio::time::timeout(timeout, io.inner().tcp.peek(&mut first)) => peeked,
                    () = stopping.cancelled() => return,
                };
                if !matches!(peeked, Ok(Ok(1..))) {
                    return;
                }
            }
            settings.serve_io(io, service, stopping).await;
        }
    }

    /// Serves one connection on `io` with hyper until it closes, or until `stopping` and its
    /// request in flight is answered.
    async fn serve_io<I>(
        &self,
        io: TokioIo<I>,
        service: TowerToHyperService<Router>,
        stopping: CancellationToken,
    ) where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let connection = self.builder.serve_connection_with_upgrades(io, service);
        let mut connection = std::pin::pin!(connection);
        let served = tokio::select! {
            served = connection.as_mut() => served,
            () = stopping.cancelled() => {
                connection.as_mut().graceful_shutdown();
                connection.await
            }
        };
        if let Err(error) = served {
            tracing::debug!(%error, "client connection ended with an error");
        }
    }
}

/// An accept that failed: a connection gone before it was accepted is nothing; anything else
/// (out of file descriptors) is logged and waited out, so the loop does not spin.
async fn accept_failed(error: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accept error");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// Answers one request on a connection beyond the limit with a `503` in OpenAI's shape, then
/// closes it.
async fn refuse(tcp: TcpStream, _refusal: OwnedSemaphorePermit) {
    let service = hyper::service::service_fn(|_request| async {
        let mut response = overloaded().into_response();
        response.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
        Ok::<Response, std::convert::Infallible>(response)
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(REFUSAL_TIMEOUT)
        .keep_alive(false)
        .serve_connection(TokioIo::new(tcp), service);
    let _ = tokio::time::timeout(REFUSAL_TIMEOUT * 2, connection).await;
}

/// The answer to a connection beyond [`Config::max_connections`].
pub(crate) fn overloaded() -> ApiError {
    let mut error = ApiError::from_code(
        "server_is_overloaded",
        "The gateway is serving as many connections as it may; retry shortly.",
    );
    error.retry_after = Some(1);
    error
}

/// A client socket holding its connection slot and its place on its worker: both are freed
/// when the socket closes, also after a WebSocket upgrade (hyper hands this same IO to the
/// upgraded connection).
struct Counted {
    tcp: TcpStream,
    _slot: OwnedSemaphorePermit,
    _worker: WorkerSlot,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }
}

#[cfg(test)]
mod write_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_connection_is_served_on_the_worker_serving_the_fewest() {
        let app = Router::new().route(
            "/where",
            axum::routing::get(|| async {
                let thread = std::thread::current().name().unwrap_or("").to_owned();
                format!("{:?} {thread}", crate::workers::current_worker())
            }),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/where", listener.local_addr().unwrap());
        let workers = Workers::start(2).unwrap();
        let stop = CancellationToken::new();
        let (config, stopping) = (Config::default(), CancellationToken::new());
        let shutdown = stop.clone().cancelled_owned();
        let server = serve(listener, app, &config, &workers, stopping, shutdown);
        let clients = async {
            // Each client keeps its connection open (keep-alive), so it holds its worker.
            let (first, second) = (reqwest::Client::new(), reqwest::Client::new());
            let get = |client: &reqwest::Client| {
                let request = client.get(&url).send();
                async move { request.await.unwrap().text().await.unwrap() }
            };
            let answers = [get(&first).await, get(&second).await, get(&first).await];
            drop(second);
            // The second connection closes, and its worker counts it gone; the next one goes
            // there (the first still holds worker 0).
            let mut loads = workers.loads();
            for _ in 0..100 {
                if loads == [1, 0] {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
                loads = workers.loads();
            }
            assert_eq!(loads, [1, 0], "a closed connection leaves its worker");
            let third = get(&reqwest::Client::new()).await;
            stop.cancel();
            drop(first);
            (answers, third)
        };
        let (served, (answers, third)) = tokio::join!(server, clients);
        served.unwrap();
        assert_eq!(
            answers,
            [
                "Some(0) openai-wire-worker-0",
                "Some(1) openai-wire-worker-1",
                "Some(0) openai-wire-worker-0",
            ]
        );
        assert_eq!(third, "Some(1) openai-wire-worker-1");
        workers.stop().await;
    }

    #[test]
    fn the_connection_limit_fits_the_file_descriptor_limit() {
        assert_eq!(connection_limit(4096, None), 4096);
        assert_eq!(connection_limit(4096, Some(1024)), (1024 - 128) / 2);
        assert_eq!(connection_limit(100, Some(1024)), 100);
        assert_eq!(connection_limit(4096, Some(10)), 1);
    }
}
