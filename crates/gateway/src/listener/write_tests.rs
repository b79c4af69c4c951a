//! How the gateway's events reach the client socket: the events of one upstream read leave in
//! one write, and a lone event leaves at once, not held back for company.
//!
//! The gateway is served as [`serve`](super::serve) serves it ([`ConnectionSettings`], hyper's
//! auto builder) on a real TCP socket whose writes are logged: each `poll_write`/
//! `poll_write_vectored` that succeeds is one `write`/`writev` system call on the socket.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::*;
use crate::config::{ProviderConfig, StoreConfig};

/// A socket that keeps the bytes of each write it made, one entry per system call.
struct WriteLog {
    tcp: TcpStream,
    writes: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl WriteLog {
    fn log(&self, written: &Poll<io::Result<usize>>, bufs: &[io::IoSlice<'_>]) {
        let Poll::Ready(Ok(mut left)) = *written else {
            return;
        };
        let mut bytes = Vec::with_capacity(left);
        for buf in bufs {
            let take = left.min(buf.len());
            bytes.extend_from_slice(&buf[..take]);
            left -= take;
        }
        self.writes.lock().unwrap().push(bytes);
    }
}

impl AsyncRead for WriteLog {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for WriteLog {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.tcp).poll_write(cx, buf);
        self.log(&written, &[io::IoSlice::new(buf)]);
        written
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs);
        self.log(&written, bufs);
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

/// A Chat Completions upstream streaming what the test hands it: each message on `chunks` is
/// one write of its response body. It refuses a request that does not ask for a stream, as
/// OpenAI would answer a client that cannot read one, and keeps every request it received.
struct ChatUpstream {
    base_url: String,
    chunks: mpsc::UnboundedSender<Bytes>,
    received: Arc<Mutex<Vec<Value>>>,
}

impl ChatUpstream {
    async fn start() -> Self {
        let (chunks, body) = mpsc::unbounded_channel::<Bytes>();
        let body = Arc::new(Mutex::new(Some(body)));
        let received = Arc::new(Mutex::new(Vec::new()));
        let kept = received.clone();
        let app = Router::new().route(
            "/v1/chat/completions",
            axum::routing::post(move |axum::Json(request): axum::Json<Value>| {
                kept.lock().unwrap().push(request.clone());
                let body = body.lock().unwrap().take();
                async move { chat_answer(&request, body) }
            }),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        ChatUpstream {
            base_url,
            chunks,
            received,
        }
    }

    /// Sends `contents` as Chat chunks in one write.
    fn send(&self, contents: &[&str]) {
        let frames: String = contents.iter().map(|text| chat_chunk(text)).collect();
        self.chunks.send(Bytes::from(frames)).unwrap();
    }
}

/// The upstream's answer: `400` in OpenAI's shape for a request that is not a stream (or a
/// second request), else the test's chunks as `text/event-stream`.
fn chat_answer(request: &Value, body: Option<mpsc::UnboundedReceiver<Bytes>>) -> Response {
    let (true, Some(mut body)) = (request["stream"] == json!(true), body) else {
        let error = json!({"error": {"message": "stream must be true", "type": "invalid_request_error", "param": "stream", "code": null}});
        return (StatusCode::BAD_REQUEST, axum::Json(error)).into_response();
    };
    let frames = async_stream::stream! {
        while let Some(frame) = body.recv().await {
            yield Ok::<_, io::Error>(frame);
        }
    };
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from_stream(frames))
        .unwrap()
}

/// One Chat chunk as OpenAI streams it: `content` as the delta, or, for `""`, the finishing
/// chunk and `[DONE]`.
fn chat_chunk(content: &str) -> String {
    let (delta, finish) = if content.is_empty() {
        (json!({}), json!("stop"))
    } else {
        (json!({"content": content}), Value::Null)
    };
    let chunk = json!({
        "id": "chatcmpl-writes", "object": "chat.completion.chunk", "created": 1_765_000_000,
        "model": "gpt-4.1-mini-2025-04-14", "system_fingerprint": "fp_writes",
        "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}],
    });
    let done = if content.is_empty() {
        "data: [DONE]\n\n"
    } else {
        ""
    };
    format!("data: {chunk}\n\n{done}")
}

/// The gateway's client: a raw HTTP/1.1 connection that reads the response as it comes.
struct Client {
    tcp: TcpStream,
    seen: String,
}

impl Client {
    /// Reads until `needle` has arrived; fails if it has not within 10 s (an event held back
    /// would never arrive: the upstream sends nothing more until it has).
    async fn read_until(&mut self, needle: &str) {
        let mut buf = [0u8; 4096];
        while !self.seen.contains(needle) {
            let read = tokio::time::timeout(Duration::from_secs(10), self.tcp.read(&mut buf));
            let read = read
                .await
                .unwrap_or_else(|_| panic!("{needle:?} held back: {}", self.seen));
            let read = read.unwrap();
            assert!(
                read > 0,
                "the stream ended before {needle:?}: {}",
                self.seen
            );
            self.seen.push_str(&String::from_utf8_lossy(&buf[..read]));
        }
    }
}

/// The logged writes that carry `delta` as an `output_text.delta` event.
fn writes_with_delta(writes: &Mutex<Vec<Vec<u8>>>, delta: &str) -> Vec<String> {
    let needle = format!("\"delta\":{}", json!(delta));
    writes
        .lock()
        .unwrap()
        .iter()
        .map(|write| String::from_utf8_lossy(write).into_owned())
        .filter(|write| write.contains(&needle))
        .collect()
}

/// The gateway in front of `upstream`, serving one connection as `serve` does, on a socket
/// whose writes are logged: the client's end, the log, and the connection's task.
async fn gateway_on_a_logged_socket(
    upstream: &ChatUpstream,
) -> (
    Client,
    Arc<Mutex<Vec<Vec<u8>>>>,
    tokio::task::JoinHandle<()>,
) {
    let mut config = Config {
        store: StoreConfig::Memory,
        ..Config::default()
    };
    config
        .providers
        .insert("openai".into(), ProviderConfig::new(&upstream.base_url));
    config.default_provider = Some("openai".into());
    let gateway = crate::Gateway::new(config.clone()).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = Client {
        tcp: TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap(),
        seen: String::new(),
    };
    let (tcp, _) = listener.accept().await.unwrap();
    tcp.set_nodelay(true).unwrap();
    let writes = Arc::new(Mutex::new(Vec::new()));
    let io = TokioIo::new(WriteLog {
        tcp,
        writes: writes.clone(),
    });
    let service = TowerToHyperService::new(gateway.router());
    let settings = ConnectionSettings::new(&config);
    let served = tokio::spawn(async move {
        settings
            .serve_io(io, service, CancellationToken::new())
            .await;
    });
    (client, writes, served)
}

/// The upstream got one streamed Chat request for `model`, ending with the user's `text`.
fn assert_one_streamed_request(received: &[Value], model: &str, text: &str) {
    assert_eq!(received.len(), 1, "one upstream request: {received:?}");
    assert_eq!(received[0]["stream"], json!(true));
    assert_eq!(received[0]["model"], json!(model));
    let messages = received[0]["messages"].as_array().unwrap();
    let last = messages.last().unwrap();
    assert_eq!(last["role"], json!("user"));
    assert!(last["content"].to_string().contains(text), "{last}");
}

#[tokio::test]
async fn the_events_of_one_upstream_read_leave_in_one_write_and_a_lone_event_at_once() {
    let upstream = ChatUpstream::start().await;
    let (mut client, writes, served) = gateway_on_a_logged_socket(&upstream).await;
    let request = json!({"model": "gpt-4.1-mini", "input": "Say hello there", "stream": true});
    let request = request.to_string();
    let head = format!(
        "POST /v1/responses HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        request.len()
    );
    client.tcp.write_all(head.as_bytes()).await.unwrap();
    client.tcp.write_all(request.as_bytes()).await.unwrap();

    // A lone event leaves at once: the client reads it before the upstream sends anything else.
    upstream.send(&["Hel"]);
    client.read_until(r#""delta":"Hel""#).await;
    // Three chunks in one upstream write: their three deltas leave in one write.
    upstream.send(&["lo", " the", "re"]);
    client.read_until(r#""delta":"re""#).await;
    upstream.send(&[""]);
    client.read_until("event: response.completed").await;
    served.await.unwrap();

    let lone = writes_with_delta(&writes, "Hel");
    assert_eq!(lone.len(), 1, "{lone:?}");
    assert_eq!(lone[0].matches("response.output_text.delta").count(), 2); // event: + type
    let together = writes_with_delta(&writes, "lo");
    assert_eq!(together.len(), 1, "the three deltas went in {together:?}");
    for delta in [" the", "re"] {
        assert!(together[0].contains(&format!("\"delta\":{}", json!(delta))));
    }
    let deltas = together[0].matches("\"type\":\"response.output_text.delta\"");
    assert_eq!(deltas.count(), 3);
    let seen = &client.seen;
    assert!(seen.contains(r#""text":"Hello there""#), "{seen}");
    let received = upstream.received.lock().unwrap().clone();
    assert_one_streamed_request(&received, "gpt-4.1-mini", "Say hello there");
}
