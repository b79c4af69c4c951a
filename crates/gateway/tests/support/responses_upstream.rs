//! A scripted Responses API upstream for tests: it answers `POST /v1/responses` by replaying a
//! recorded stream from `fixtures/corpus/responses/`, or by failing on purpose, as the
//! request's `model` says:
//!
//! | model | answer |
//! | --- | --- |
//! | `fixture:NAME` | `stream: true`: the recorded stream `fixtures/corpus/responses/NAME.sse`, in small pieces; otherwise the response of its terminal event, as JSON |
//! | `repair:NAME` | the broken stream `crates/convert/tests/fixtures/repair/NAME.sse` (what native servers were reported to send: missing done events, id drift, keepalives, sparse objects; see its README), in small pieces |
//! | `fail:429` | HTTP 429, `Retry-After: 3`, OpenAI's rate-limit body |
//! | `failed` | `response.created`, then `response.failed` (`server_error`) before any output |
//! | `cut` | `response.created`, a message with some text, then the connection breaks |
//! | `slow` | a message `Wait for it.` whose second half comes after 450 ms of silence |
//!
//! `POST /v1/responses/compact` answers as OpenAI does: the user messages of `input`, then one
//! `compaction` item whose `encrypted_content` is opaque (a Fernet-like `gAAAAA…` token, as
//! OpenAI's are), and usage; without `model` it is a 400 in OpenAI's error shape.
//!
//! Every request body is kept ([`ResponsesUpstream::requests`]).

#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::sync::oneshot;

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Value>>,
}

/// A running scripted Responses upstream; stopped when dropped.
pub struct ResponsesUpstream {
    /// Its address.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
}

impl ResponsesUpstream {
    /// Starts one on a free port.
    pub async fn start() -> ResponsesUpstream {
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route("/v1/responses", post(responses))
            .route("/v1/responses/compact", post(compact))
            .with_state(shared.clone());
        let (addr, stop) = super::serve_local(app).await;
        ResponsesUpstream {
            addr,
            shared,
            stop: Some(stop),
        }
    }

    /// Its base URL, `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Every request body received, in order.
    pub fn requests(&self) -> Vec<Value> {
        self.shared.requests.lock().unwrap().clone()
    }
}

impl Drop for ResponsesUpstream {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The folder of recorded Responses streams.
pub fn responses_fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/corpus/responses")
}

/// The folder of broken Responses streams (the repairer's fixtures, in the convert crate).
pub fn repair_fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../convert/tests/fixtures/repair")
}

/// The names (without `.sse`) of every recorded Responses stream in SSE framing.
pub fn responses_fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(responses_fixtures_dir())
        .unwrap()
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".sse").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

fn frame(event: &Value) -> String {
    format!(
        "event: {}\ndata: {event}\n\n",
        event["type"].as_str().unwrap_or_default()
    )
}

fn created() -> Value {
    json!({"type": "response.created", "sequence_number": 0, "response": {
        "id": "resp_scripted", "object": "response", "created_at": 1_700_000_000,
        "status": "in_progress", "model": "scripted", "output": []}})
}

/// The `response` of the last terminal event of a recorded stream.
fn final_response(bytes: &[u8]) -> Option<Value> {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .rev()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
        .find(|event| {
            matches!(
                event["type"].as_str(),
                Some("response.completed" | "response.incomplete" | "response.failed")
            )
        })
        .map(|event| event["response"].clone())
}

async fn responses(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    shared.requests.lock().unwrap().push(request.clone());
    let model = request["model"].as_str().unwrap_or_default().to_owned();
    let streaming = request["stream"].as_bool().unwrap_or(false);
    match model.as_str() {
        "fail:429" => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "3"), ("content-type", "application/json")],
            r#"{"error":{"message":"Rate limit reached for requests per minute.","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#,
        )
            .into_response(),
        "failed" => {
            let failed = json!({"type": "response.failed", "sequence_number": 1, "response": {
                "id": "resp_scripted", "object": "response", "created_at": 1_700_000_000,
                "status": "failed", "model": "scripted", "output": [],
                "error": {"code": "server_error", "message": "The model crashed on purpose."}}});
            let body = format!("{}{}", frame(&created()), frame(&failed));
            ([("content-type", "text/event-stream")], body).into_response()
        }
        "cut" => {
            let events = [
                created(),
                json!({"type": "response.output_item.added", "sequence_number": 1, "output_index": 0,
                    "item": {"type": "message", "id": "msg_1", "role": "assistant", "status": "in_progress", "content": []}}),
                json!({"type": "response.output_text.delta", "sequence_number": 2, "item_id": "msg_1",
                    "output_index": 0, "content_index": 0, "delta": "Half an ans"}),
            ];
            let head: String = events.iter().map(frame).collect();
            let body = async_stream::stream! {
                yield Ok::<_, std::io::Error>(Bytes::from(head));
                tokio::time::sleep(Duration::from_millis(50)).await;
                yield Err(std::io::Error::other("connection dropped on purpose"));
            };
            Response::builder()
                .header("content-type", "text/event-stream")
                .body(Body::from_stream(body))
                .unwrap()
        }
        "slow" => {
            let message = |status: &str, text: &str| {
                json!({"type": "message", "id": "msg_1", "role": "assistant", "status": status,
                    "content": if text.is_empty() { json!([]) } else { json!([{"type": "output_text", "text": text, "annotations": []}]) }})
            };
            let part = json!({"type": "output_text", "text": "", "annotations": []});
            let head = [
                created(),
                json!({"type": "response.output_item.added", "sequence_number": 1, "output_index": 0, "item": message("in_progress", "")}),
                json!({"type": "response.content_part.added", "sequence_number": 2, "item_id": "msg_1", "output_index": 0, "content_index": 0, "part": part}),
                json!({"type": "response.output_text.delta", "sequence_number": 3, "item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": "Wait"}),
            ];
            let done_part = json!({"type": "output_text", "text": "Wait for it.", "annotations": []});
            let tail = [
                json!({"type": "response.output_text.delta", "sequence_number": 4, "item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": " for it."}),
                json!({"type": "response.output_text.done", "sequence_number": 5, "item_id": "msg_1", "output_index": 0, "content_index": 0, "text": "Wait for it."}),
                json!({"type": "response.content_part.done", "sequence_number": 6, "item_id": "msg_1", "output_index": 0, "content_index": 0, "part": done_part}),
                json!({"type": "response.output_item.done", "sequence_number": 7, "output_index": 0, "item": message("completed", "Wait for it.")}),
                json!({"type": "response.completed", "sequence_number": 8, "response": {
                    "id": "resp_scripted", "object": "response", "created_at": 1_700_000_000,
                    "status": "completed", "model": "scripted", "output": [message("completed", "Wait for it.")],
                    "usage": {"input_tokens": 3, "output_tokens": 4, "total_tokens": 7,
                        "input_tokens_details": {"cached_tokens": 0}, "output_tokens_details": {"reasoning_tokens": 0}}}}),
            ];
            let head: String = head.iter().map(frame).collect();
            let tail: String = tail.iter().map(frame).collect();
            let body = async_stream::stream! {
                yield Ok::<_, Infallible>(Bytes::from(head));
                tokio::time::sleep(Duration::from_millis(450)).await;
                yield Ok(Bytes::from(tail));
            };
            Response::builder()
                .header("content-type", "text/event-stream")
                .body(Body::from_stream(body))
                .unwrap()
        }
        name => {
            let (dir, file, streaming) = if let Some(file) = name.strip_prefix("fixture:") {
                (responses_fixtures_dir(), file, streaming)
            } else if let Some(file) = name.strip_prefix("repair:") {
                (repair_fixtures_dir(), file, true)
            } else {
                return (StatusCode::NOT_FOUND, format!("unknown scripted model {name}"))
                    .into_response();
            };
            let bytes = match std::fs::read(dir.join(format!("{file}.sse"))) {
                Ok(bytes) => bytes,
                Err(error) => {
                    return (StatusCode::NOT_FOUND, format!("no fixture {file}: {error}"))
                        .into_response();
                }
            };
            if !streaming {
                return match final_response(&bytes) {
                    Some(response) => axum::Json(response).into_response(),
                    None => (StatusCode::NOT_FOUND, "no terminal event").into_response(),
                };
            }
            // In small pieces, so that events are cut across reads.
            let pieces: Vec<Result<Bytes, Infallible>> = bytes
                .chunks(97)
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect();
            Response::builder()
                .header("content-type", "text/event-stream")
                .body(Body::from_stream(futures_util::stream::iter(pieces)))
                .unwrap()
        }
    }
}

/// The opaque `encrypted_content` this upstream's compactions carry.
pub const UPSTREAM_COMPACTION: &str = "gAAAAABpscripted-upstream-compaction";

/// `POST /v1/responses/compact`, as OpenAI answers it.
async fn compact(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    shared.requests.lock().unwrap().push(request.clone());
    if !request["model"].is_string() {
        let error = json!({"error": {"message": "Missing required parameter: 'model'.",
            "type": "invalid_request_error", "param": "model", "code": "missing_required_parameter"}});
        return (StatusCode::BAD_REQUEST, axum::Json(error)).into_response();
    }
    let mut output: Vec<Value> = request["input"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|item| item["role"] == "user")
        .cloned()
        .collect();
    output.push(json!({"type": "compaction", "id": "cmp_upstream_1", "encrypted_content": UPSTREAM_COMPACTION}));
    axum::Json(json!({
        "id": "resp_compaction_upstream", "object": "response.compaction",
        "created_at": 1_790_000_000, "output": output,
        "usage": {"input_tokens": 30, "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 12, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 42},
    }))
    .into_response()
}
