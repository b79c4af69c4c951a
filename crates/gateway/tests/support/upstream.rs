//! A scripted Chat Completions upstream for tests: it answers `POST /v1/chat/completions` by
//! replaying a recorded provider stream from `fixtures/corpus/chat/`, or by failing on purpose,
//! as the request's `model` says:
//!
//! | model | answer |
//! | --- | --- |
//! | `fixture:NAME` | the recorded stream `fixtures/corpus/chat/NAME.sse`, in small pieces |
//! | `turns:NAME` | `tests/fixtures/NAME.turn1.sse`, then `NAME.turn2.sse` once the request carries one `tool` message, `NAME.turn3.sse` with two, … (the last script once they outnumber the scripts): tool calls, then the answer after their results; as a real provider, it refuses (400) a request that does not offer the tool the script calls, or whose `tool` message answers no earlier call; a script that streams `reasoning_content` is DeepSeek in thinking mode, which also refuses an assistant tool-call message without its `reasoning_content` (DeepSeek's own 400 text) |
//! | `fail:429` | HTTP 429, `Retry-After: 7`, OpenAI's rate-limit body |
//! | `fail:context` | HTTP 400, a context-length body |
//! | `fail:401` | HTTP 401, OpenAI's `invalid_api_key` body echoing the key the request's `Authorization` carried, in full (as some providers do) |
//! | `fail:500` | HTTP 500, OpenAI's `server_error` body ("The server had an error while processing your request.") |
//! | `fail:503` | HTTP 503, OpenAI's overloaded body (`server_error`, "That model is currently overloaded…") |
//! | `fail:html` | HTTP 502, `text/html`: a load balancer's error page (nginx) |
//! | `fail:stream-key` | one chunk of text, then a mid-stream `error` event whose message echoes the request's key |
//! | `drop` | two chunks of text, then the connection breaks |
//! | `stall` | one chunk of text, then nothing, until the client goes away |
//! | `slow` | one chunk, a pause of [`SLOW_PAUSE`], then the rest and `[DONE]` |
//! | `malformed` | one chunk, then a chunk that is not JSON |
//! | `endless` | chunks of text (1 KiB each) without end, as a model stuck in a loop |
//! | `trickle` | a chunk of text every [`TRICKLE_PAUSE`] without end (never silent, never done) |
//! | `hang:headers` | nothing for [`HEADERS_PAUSE`] (no status, no headers), then the short answer |
//! | `hang:forever` | no status and no headers, until the client goes away |
//! | `eof` | two chunks of text, then a clean end: no `finish_reason`, no `[DONE]` |
//! | `huge` | one chunk of text, then one event of [`HUGE_EVENT`] bytes (past the gateway's 4 MiB cap on a single event), then the end |
//! | `cumulative` | Perplexity's way (CRLF lines; each chunk's `message.content` repeats the whole text so far beside its `delta`; the last chunk's delta is empty): [`CUMULATIVE_TEXT`] in pieces |
//! | `cumulative-content` | Perplexity as users report it: as `cumulative`, but each chunk's `delta.content` is the whole text so far ([`CUMULATIVE_CONTENT_TEXT`]) |
//! | `cumulative-args:NAME` | `turns:NAME` (the same scripts and refusals) with each tool call's `arguments` fragment made the whole arguments so far, as some OpenAI-compatible servers stream them ([`cumulative_arguments`]) |
//! | anything else | a short text answer |
//!
//! A request with `"stream": false` (the gateway's summary request, for compaction) gets one
//! `chat.completion` JSON, as a real provider answers it: its text is [`SUMMARY`] followed by
//! how many messages the request had and the tool results it saw; `fail:*` models fail the same
//! way as above. A `turns:` request that carries such a summary counts as carrying the tool
//! result, as a real model would answer from it.
//!
//! Every request body is kept ([`Upstream::requests`]); [`Upstream::disconnects`] counts the
//! streams whose client went away before the end.

#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::Value;
use tokio::sync::oneshot;

/// What the text of a non-streaming answer starts with.
pub const SUMMARY: &str = "Summary by the scripted upstream:";

/// What the scripted summary says when the conversation it summarized had tool results, before
/// quoting them; a later request that carries it counts as carrying those results (as a real
/// model answers from a summary that holds them).
pub const SUMMARY_TOOL_RESULTS: &str = "The tool results were:";

/// A `chat.completion` answer to a non-streaming request. Its text summarizes: how many
/// messages the request had and, when their text holds tool results (`[tool result]` entries of
/// the gateway's transcript), those results.
fn completion(request: &Value) -> Response {
    let messages = request["messages"].as_array().map_or(0, Vec::len);
    let text: String = request["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["content"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let results: Vec<&str> = text
        .split("[tool result]\n")
        .skip(1)
        .filter_map(|rest| rest.split("\n\n").next())
        .collect();
    let mut summary = format!("{SUMMARY} {messages} messages were summarized.");
    if !results.is_empty() {
        summary.push_str(&format!(" {SUMMARY_TOOL_RESULTS} {}", results.join("; ")));
    }
    let body = serde_json::json!({
        "id": "chatcmpl-summary",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": request["model"],
        "choices": [{"index": 0, "finish_reason": "stop", "message": {
            "role": "assistant",
            "content": summary,
        }}],
        "usage": {"prompt_tokens": 40, "completion_tokens": 9, "total_tokens": 49},
    });
    axum::Json(body).into_response()
}

/// How long `hang:headers` keeps the answer's headers back.
pub const HEADERS_PAUSE: Duration = Duration::from_millis(2500);

/// How often `trickle` sends a chunk.
pub const TRICKLE_PAUSE: Duration = Duration::from_millis(100);

/// The size of `huge`'s one big event (over the gateway's 4 MiB cap on a single event).
pub const HUGE_EVENT: usize = 5 << 20;

/// What `cumulative` answers (its pieces: every word and every space).
pub const CUMULATIVE_TEXT: &str = "1 2 3";

/// The text the `cumulative-content` model streams, each `delta.content` the whole text so far:
/// shorter than the converter's safe auto-detection needs, so only the `perplexity` preset
/// reads it right.
pub const CUMULATIVE_CONTENT_TEXT: &str = "Paris is the capital.";

/// How long `slow` pauses.
pub const SLOW_PAUSE: Duration = Duration::from_millis(600);

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Value>>,
    disconnects: AtomicUsize,
}

/// A running scripted upstream; stopped when dropped.
pub struct Upstream {
    /// Its address.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
}

impl Upstream {
    /// Starts one on a free port.
    pub async fn start() -> Upstream {
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route("/v1/chat/completions", post(chat))
            .with_state(shared.clone());
        let (addr, stop) = super::serve_local(app).await;
        Upstream {
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

    /// How many streams were abandoned by their client.
    pub fn disconnects(&self) -> usize {
        self.shared.disconnects.load(Ordering::SeqCst)
    }

    /// [`disconnects`](Upstream::disconnects) once there is one, or after 5 s: the upstream
    /// sees its connection close on its own time, before or after the gateway's other work.
    pub async fn disconnects_seen(&self) -> usize {
        for _ in 0..250 {
            if self.disconnects() > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.disconnects()
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The folder of recorded Chat streams.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/corpus/chat")
}

/// The folder of the scripted multi-turn streams (`turns:NAME`).
pub fn turns_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// What a real provider (or model) would not do with this `turns:` request: call a tool the
/// request does not offer, or take a `tool` message that answers no earlier call (OpenAI's 400).
fn refusal(request: &Value, script: &[u8]) -> Option<Response> {
    let offered: Vec<&str> = request["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["function"]["name"].as_str())
        .collect();
    let text = String::from_utf8_lossy(script);
    let called: Vec<String> = text
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
        .flat_map(|chunk| {
            chunk["choices"][0]["delta"]["tool_calls"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|call| call["function"]["name"].as_str().map(str::to_owned))
        .collect();
    if let Some(missing) = called.iter().find(|name| !offered.contains(&name.as_str())) {
        return Some(invalid(format!(
            "scripted upstream: the script calls `{missing}`, which the request does not offer ({offered:?})"
        )));
    }
    // DeepSeek in thinking mode (a script that streams `reasoning_content`): every assistant
    // message with tool calls must carry its `reasoning_content` back.
    let thinking = text.contains("\"reasoning_content\":\"");
    for (index, message) in request["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        if thinking
            && message["role"] == "assistant"
            && message.get("tool_calls").is_some()
            && !message["reasoning_content"].is_string()
        {
            return Some(invalid(format!(
                "Missing `reasoning_content` field in the assistant message at message index {index}. For more information, please refer to https://api-docs.deepseek.com/guides/thinking_mode#tool-calls"
            )));
        }
    }
    let mut calls = Vec::new();
    for message in request["messages"].as_array().into_iter().flatten() {
        for call in message["tool_calls"].as_array().into_iter().flatten() {
            calls.extend(call["id"].as_str());
        }
        if message["role"] == "tool"
            && !calls.contains(&message["tool_call_id"].as_str().unwrap_or(""))
        {
            return Some(invalid(
                "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.".into(),
            ));
        }
    }
    None
}

/// A 400 in OpenAI's error shape.
fn invalid(message: String) -> Response {
    let body = serde_json::json!({"error": {"message": message, "type": "invalid_request_error",
        "param": "messages", "code": null}});
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

/// How many tool results a Chat request carries: its `role: "tool"` messages, or one for a
/// compaction summary that holds them ([`SUMMARY_TOOL_RESULTS`]).
fn tool_results(request: &Value) -> usize {
    let messages = request["messages"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let tools = messages.iter().filter(|m| m["role"] == "tool").count();
    let summary = messages.iter().any(|m| {
        m["content"]
            .as_str()
            .is_some_and(|text| text.contains(SUMMARY_TOOL_RESULTS))
    });
    tools.max(usize::from(summary))
}

/// The script of a `turns:` request: `STEM.turnN.sse`, where N is one more than the tool
/// results the request carries (the last turn's script once they outnumber the scripts).
fn turn_file(stem: &str, request: &Value) -> PathBuf {
    let mut turn = tool_results(request) + 1;
    while turn > 1 && !turns_dir().join(format!("{stem}.turn{turn}.sse")).exists() {
        turn -= 1;
    }
    turns_dir().join(format!("{stem}.turn{turn}.sse"))
}

fn chunk(text: &str) -> String {
    let delta = serde_json::json!({
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "scripted",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": null}],
    });
    format!("data: {delta}\n\n")
}

fn finish() -> String {
    let last = serde_json::json!({
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "scripted",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
    });
    format!("data: {last}\n\ndata: [DONE]\n\n")
}

/// `text` as Perplexity streams it (`fixtures/corpus/chat/ruby_llm__vcr_cassettes__chat_streaming_responses_perplexity_sonar_supports_streaming_responses__i0.sse`):
/// CRLF line endings, no `[DONE]`; each chunk carries its piece in `delta.content` and the whole
/// text so far in `message.content`, and usage; the last one an empty delta and
/// `finish_reason: "stop"`.
fn perplexity_chunks(text: &str, cumulative_delta: bool) -> Vec<String> {
    let mut pieces: Vec<&str> = Vec::new();
    let mut start = 0;
    for (at, c) in text.char_indices() {
        if c == ' ' {
            pieces.extend([&text[start..at], " "]);
            start = at + 1;
        }
    }
    pieces.push(&text[start..]);
    pieces.push("");
    let mut so_far = String::new();
    let last = pieces.len() - 1;
    pieces
        .iter()
        .enumerate()
        .map(|(n, piece)| {
            so_far.push_str(piece);
            let event = serde_json::json!({
                "id": "aced166e-c42e-42ea-941e-24477b147dac",
                "model": "sonar",
                "created": 1_700_000_000,
                "usage": {"prompt_tokens": 8, "completion_tokens": n + 1, "total_tokens": n + 9},
                "object": "chat.completion.chunk",
                "choices": [{
                    "index": 0,
                    "finish_reason": if n == last { Value::from("stop") } else { Value::Null },
                    "message": {"role": "assistant", "content": so_far},
                    "delta": {
                        "role": "assistant",
                        "content": if cumulative_delta && !piece.is_empty() { so_far.as_str() } else { piece },
                    },
                }],
            });
            format!("data: {event}\r\n\r\n")
        })
        .collect()
}

/// `script` (SSE `data:` lines of Chat chunks) with each tool call's `arguments` fragment
/// replaced by the arguments so far of its call (by `index`): `{"cmd":`, `{"cmd":"echo`, …
/// Other lines stay as they are.
pub fn cumulative_arguments(script: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(script);
    let mut so_far: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let data = line.strip_prefix("data: ").map(str::trim_end);
        let Some(mut chunk) = data.and_then(|d| serde_json::from_str::<Value>(d).ok()) else {
            out.push_str(line);
            continue;
        };
        let calls = chunk["choices"][0]["delta"]["tool_calls"].as_array_mut();
        for call in calls.into_iter().flatten() {
            let index = call["index"].as_i64().unwrap_or(0);
            if let Some(fragment) = call["function"]["arguments"].as_str() {
                let arguments = so_far.entry(index).or_default();
                arguments.push_str(fragment);
                call["function"]["arguments"] = Value::from(arguments.as_str());
            }
        }
        out.push_str(&format!("data: {chunk}\n"));
    }
    out.into_bytes()
}

/// Counts a disconnect when dropped before `done` is set.
struct Watch {
    shared: Arc<Shared>,
    done: bool,
}

impl Drop for Watch {
    fn drop(&mut self) {
        if !self.done {
            self.shared.disconnects.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn sse(
    body: impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
) -> Response {
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from_stream(body))
        .unwrap()
}

/// The key the request's `Authorization: Bearer` carried ("" without one).
fn bearer(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned()
}

/// The nginx page a load balancer answers when the model server behind it is down.
pub const HTML_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n";

async fn chat(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    shared.requests.lock().unwrap().push(request.clone());
    let model = request["model"].as_str().unwrap_or_default().to_owned();
    if request["stream"] == Value::Bool(false) && !model.starts_with("fail:") {
        return completion(&request);
    }
    let shared2 = shared.clone();
    match model.as_str() {
        "fail:429" => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "7"), ("content-type", "application/json")],
            r#"{"error":{"message":"Rate limit reached for requests per minute.","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#,
        )
            .into_response(),
        "fail:401" => (
            StatusCode::UNAUTHORIZED,
            [("content-type", "application/json")],
            serde_json::json!({"error": {
                "message": format!("Incorrect API key provided: {}. You can find your API key at https://platform.openai.com/account/api-keys.", bearer(&headers)),
                "type": "invalid_request_error", "param": null, "code": "invalid_api_key",
            }})
            .to_string(),
        )
            .into_response(),
        // OpenAI's body for a 500 (as its API answers it, `code` null).
        "fail:500" => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [("content-type", "application/json")],
            r#"{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}"#,
        )
            .into_response(),
        // OpenAI's body for a 503 (recorded in node-chatgpt-api issue 34).
        "fail:503" => (
            StatusCode::SERVICE_UNAVAILABLE,
            [("content-type", "application/json")],
            r#"{"error":{"message":"That model is currently overloaded with other requests. You can retry your request, or contact us through our help center at help.openai.com if the error persists. (Please include the request ID 169bee8d in your message.)","type":"server_error","param":null,"code":null}}"#,
        )
            .into_response(),
        "fail:html" => (
            StatusCode::BAD_GATEWAY,
            [("content-type", "text/html")],
            HTML_PAGE,
        )
            .into_response(),
        "fail:stream-key" => {
            let event = serde_json::json!({"error": {
                "message": format!("Authentication failed for Bearer {}", bearer(&headers)),
                "type": "server_error", "param": null, "code": null,
            }});
            sse(async_stream::stream! {
                yield Ok(Bytes::from(chunk("Hel")));
                yield Ok(Bytes::from(format!("data: {event}\n\n")));
            })
        }
        "fail:context" => (
            StatusCode::BAD_REQUEST,
            [("content-type", "application/json")],
            r#"{"error":{"message":"This model's maximum context length is 65536 tokens. However, you requested 70000 tokens.","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}"#,
        )
            .into_response(),
        "drop" => sse(async_stream::stream! {
            yield Ok(Bytes::from(chunk("Hel")));
            yield Ok(Bytes::from(chunk("lo")));
            tokio::time::sleep(Duration::from_millis(50)).await;
            yield Err(std::io::Error::other("connection dropped on purpose"));
        }),
        "stall" => sse(async_stream::stream! {
            let _watch = Watch { shared: shared2, done: false };
            yield Ok::<_, std::io::Error>(Bytes::from(chunk("thinking")));
            std::future::pending::<()>().await;
        }),
        "slow" => sse(async_stream::stream! {
            let mut watch = Watch { shared: shared2, done: false };
            yield Ok::<_, std::io::Error>(Bytes::from(chunk("slow ")));
            tokio::time::sleep(SLOW_PAUSE).await;
            yield Ok(Bytes::from(chunk("answer")));
            yield Ok(Bytes::from(finish()));
            watch.done = true;
        }),
        "malformed" => sse(async_stream::stream! {
            yield Ok::<_, std::io::Error>(Bytes::from(chunk("ok so far")));
            yield Ok(Bytes::from("data: {\"id\":\"chatcmpl-test\",\"choices\":[{\"index\":0,\"delta\":{\"content\": oops}}\n\n"));
            yield Ok(Bytes::from(finish()));
        }),
        "endless" => sse(async_stream::stream! {
            let _watch = Watch { shared: shared2, done: false };
            let piece = Bytes::from(chunk(&"loop ".repeat(200)));
            loop {
                yield Ok::<_, std::io::Error>(piece.clone());
            }
        }),
        "trickle" => sse(async_stream::stream! {
            let _watch = Watch { shared: shared2, done: false };
            loop {
                yield Ok::<_, std::io::Error>(Bytes::from(chunk("drip ")));
                tokio::time::sleep(TRICKLE_PAUSE).await;
            }
        }),
        "hang:headers" => {
            tokio::time::sleep(HEADERS_PAUSE).await;
            sse(futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from(format!(
                "{}{}",
                chunk("Hello after a slow start."),
                finish()
            )))]))
        }
        "hang:forever" => {
            let _watch = Watch { shared: shared2, done: false };
            std::future::pending::<Response>().await
        }
        "huge" => sse(async_stream::stream! {
            yield Ok::<_, std::io::Error>(Bytes::from(chunk("big ")));
            let text = "x".repeat(HUGE_EVENT);
            yield Ok(Bytes::from(chunk(&text)));
            yield Ok(Bytes::from(finish()));
        }),
        "cumulative" => sse(futures_util::stream::iter(
            perplexity_chunks(CUMULATIVE_TEXT, false)
                .into_iter()
                .map(|event| Ok::<_, std::io::Error>(Bytes::from(event))),
        )),
        "cumulative-content" => sse(futures_util::stream::iter(
            perplexity_chunks(CUMULATIVE_CONTENT_TEXT, true)
                .into_iter()
                .map(|event| Ok::<_, std::io::Error>(Bytes::from(event))),
        )),
        "eof" => sse(futures_util::stream::iter([
            Ok::<_, std::io::Error>(Bytes::from(chunk("Hel"))),
            Ok(Bytes::from(chunk("lo"))),
        ])),
        name => {
            let cumulative = name
                .strip_prefix("cumulative-args:")
                .map(|stem| format!("turns:{stem}"));
            let name = cumulative.as_deref().unwrap_or(name);
            let file = match (name.strip_prefix("fixture:"), name.strip_prefix("turns:")) {
                (Some(file), _) => Some(fixtures_dir().join(format!("{file}.sse"))),
                (None, Some(stem)) => Some(turn_file(stem, &request)),
                (None, None) => None,
            };
            let bytes = match file {
                Some(file) => match std::fs::read(&file) {
                    Ok(bytes) => bytes,
                    Err(error) => {
                        return (StatusCode::NOT_FOUND, format!("no fixture {}: {error}", file.display())).into_response();
                    }
                },
                None => format!("{}{}", chunk("Hello from the scripted upstream."), finish()).into_bytes(),
            };
            if name.starts_with("turns:")
                && let Some(refusal) = refusal(&request, &bytes)
            {
                return refusal;
            }
            let bytes = match cumulative {
                Some(_) => cumulative_arguments(&bytes),
                None => bytes,
            };
            // In small pieces, so that events are cut across reads.
            let pieces: Vec<Result<Bytes, Infallible>> =
                bytes.chunks(97).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
            Response::builder()
                .header("content-type", "text/event-stream")
                .body(Body::from_stream(futures_util::stream::iter(pieces)))
                .unwrap()
        }
    }
}
