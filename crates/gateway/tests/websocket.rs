//! WebSocket mode (`GET /v1/responses` upgraded) against the real gateway in front of the
//! scripted Chat upstream (`support/upstream.rs`), with a real client (tokio-tungstenite).
//! Every stream of frames is checked with `openai_wire_check` (zero errors).

mod support;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};

use openai_wire_gateway::Config;
use serde_json::{Value, json};
use support::gateway::{Running, start};
use support::upstream::Upstream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

fn config_for(upstream: &Upstream, tune: impl FnOnce(&mut Config)) -> Config {
    support::gateway::config_for(upstream, 5, tune)
}

async fn connect(gateway: &Running) -> Socket {
    connect_with(gateway, None).await.unwrap()
}

async fn connect_with(
    gateway: &Running,
    key: Option<&str>,
) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let mut request = gateway.ws_url().into_client_request().unwrap();
    request.headers_mut().insert(
        "OpenAI-Beta",
        "responses_websockets=2026-02-06".parse().unwrap(),
    );
    if let Some(key) = key {
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {key}").parse().unwrap());
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

/// The tool the `turns:codex_exec_command` script calls: a real provider's model calls only
/// the tools it was offered, and the scripted upstream refuses a request that lacks it.
fn exec_tools() -> Value {
    json!([{"type": "function", "name": "exec_command", "description": "Runs a shell command.",
        "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}, "required": ["cmd"]}}])
}

async fn send(socket: &mut Socket, event: Value) {
    socket
        .send(Message::Text(event.to_string().into()))
        .await
        .unwrap();
}

/// The next text frame, as JSON (panics on a close or the end).
async fn next_event(socket: &mut Socket) -> Value {
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => return serde_json::from_str(&text).unwrap(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("expected an event, got {other:?}"),
        }
    }
}

fn is_terminal(event: &Value) -> bool {
    matches!(
        event["type"].as_str(),
        Some("response.completed" | "response.failed" | "response.incomplete" | "error")
    )
}

/// The frames of one answer, up to its terminal event (or `error` event).
async fn answer(socket: &mut Socket) -> Vec<Value> {
    let mut events = Vec::new();
    loop {
        let event = next_event(socket).await;
        let done = is_terminal(&event);
        events.push(event);
        if done {
            return events;
        }
    }
}

/// `response.create` with `body`, and its answer.
async fn create(socket: &mut Socket, body: Value) -> Vec<Value> {
    let mut event = body;
    event["type"] = json!("response.create");
    send(socket, event).await;
    answer(socket).await
}

/// The close frame that ends the connection (skipping nothing but control frames).
async fn close_code(socket: &mut Socket) -> CloseCode {
    loop {
        match socket.next().await {
            Some(Ok(Message::Close(Some(frame)))) => return frame.code,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["type"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Checks the frames as one Responses stream.
fn assert_conformant(events: &[Value]) {
    let mut body = String::new();
    for event in events {
        body.push_str(&format!(
            "event: {}\ndata: {event}\n\n",
            event["type"].as_str().unwrap()
        ));
    }
    support::assert_responses_conformant(&body);
}

fn response_id(events: &[Value]) -> String {
    events[0]["response"]["id"].as_str().unwrap().to_owned()
}

async fn sse_types(base: &str, body: Value) -> Vec<String> {
    let text = reqwest::Client::new()
        .post(format!("{base}/v1/responses"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|data| {
            let event: Value = serde_json::from_str(data).unwrap();
            event["type"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// The value of a Prometheus counter with this label text (0 when absent).
async fn counter(base: &str, name: &str, label: &str) -> f64 {
    let text = reqwest::Client::new()
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|line| line.starts_with(name) && line.contains(label))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// The messages of the `n`th request the upstream received.
fn messages(upstream: &Upstream, n: usize) -> Vec<Value> {
    upstream.requests()[n]["messages"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn frames_are_the_sse_events_of_the_same_request_and_conformant() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let request = json!({"model": "turns:codex_exec_command", "tools": exec_tools(), "input": "list files", "store": false});
    let mut http = request.clone();
    http["stream"] = json!(true);
    let over_http = sse_types(&gateway.base, http).await;

    let mut socket = connect(&gateway).await;
    // `stream` and `stream_options` are ignored if a client sends them.
    let mut sent = request.clone();
    sent["stream"] = json!(false);
    sent["stream_options"] = json!({"include_obfuscation": false});
    let events = create(&mut socket, sent).await;
    assert_eq!(types(&events), over_http);
    assert_eq!(events.last().unwrap()["type"], "response.completed");
    assert_eq!(events[0]["sequence_number"], 0);
    assert_conformant(&events);
    let output = &events.last().unwrap()["response"]["output"];
    assert_eq!(output[0]["type"], "function_call", "{output}");

    // The gateway's side: a WebSocket connection and a completed WebSocket response.
    let name = "openai_wire_websocket_connections_total";
    assert!(counter(&gateway.base, name, "").await >= 1.0);
    let name = "openai_wire_websocket_responses_total";
    assert!(counter(&gateway.base, name, "status=\"completed\"").await >= 1.0);
}

#[tokio::test]
async fn responses_run_one_at_a_time_in_the_order_asked() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let mut socket = connect(&gateway).await;
    // Both asked at once; the first is slow (a pause mid-stream).
    for (model, input) in [("slow", "first"), ("scripted", "second")] {
        let event =
            json!({"type": "response.create", "model": model, "input": input, "store": false});
        send(&mut socket, event).await;
    }
    let first = answer(&mut socket).await;
    let second = answer(&mut socket).await;
    assert_eq!(first.last().unwrap()["type"], "response.completed");
    assert_eq!(second.last().unwrap()["type"], "response.completed");
    assert_ne!(response_id(&first), response_id(&second));
    // Each answer is whole: every event of the first carries its id, then the second's.
    for event in &first {
        if let Some(id) = event["response"]["id"].as_str() {
            assert_eq!(id, response_id(&first));
        }
    }
    assert_conformant(&first);
    assert_conformant(&second);
    let requests = upstream.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0]["model"], "slow");
    assert_eq!(requests[1]["model"], "scripted");
}

/// The first turn of the recorded tool call, `store: false`: its response id and call id.
async fn tool_call_turn(socket: &mut Socket) -> (String, String) {
    let events = create(
        socket,
        json!({"model": "turns:codex_exec_command", "tools": exec_tools(), "input": "list files", "store": false}),
    )
    .await;
    let last = events.last().unwrap();
    assert_eq!(last["type"], "response.completed", "{last}");
    let call_id = last["response"]["output"][0]["call_id"]
        .as_str()
        .unwrap()
        .to_owned();
    (response_id(&events), call_id)
}

#[tokio::test]
async fn a_store_false_response_is_continued_on_the_connection_with_the_whole_history() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let mut socket = connect(&gateway).await;
    let (id, call_id) = tool_call_turn(&mut socket).await;
    // Nothing was stored: only the connection knows the response.
    assert!(gateway.store.get(&id).await.unwrap().is_none());

    let events = create(
        &mut socket,
        json!({
            "model": "turns:codex_exec_command", "tools": exec_tools(),
            "previous_response_id": id,
            "store": false,
            "input": [{"type": "function_call_output", "call_id": call_id, "output": "a.txt"}],
        }),
    )
    .await;
    assert_eq!(events.last().unwrap()["type"], "response.completed");
    assert_eq!(events[0]["response"]["previous_response_id"], id.as_str());
    assert_conformant(&events);
    // The upstream got the whole conversation: the user's message, the call, its result.
    let sent = messages(&upstream, 1);
    let roles: Vec<&str> = sent.iter().filter_map(|m| m["role"].as_str()).collect();
    assert_eq!(roles, ["user", "assistant", "tool"], "{sent:?}");
    assert_eq!(sent[1]["tool_calls"][0]["id"], call_id.as_str());
    assert_eq!(sent[2]["tool_call_id"], call_id.as_str());
    assert_eq!(sent[2]["content"], "a.txt");
}

#[tokio::test]
async fn an_unknown_previous_response_id_is_an_error_event_and_the_connection_stays_usable() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let mut socket = connect(&gateway).await;
    let events = create(
        &mut socket,
        json!({"model": "scripted", "input": "hi", "previous_response_id": "resp_nobody"}),
    )
    .await;
    assert_eq!(events.len(), 1);
    let error = &events[0];
    assert_eq!(error["type"], "error");
    assert_eq!(error["status"], 400);
    assert_eq!(error["error"]["code"], "previous_response_not_found");
    assert_eq!(error["error"]["param"], "previous_response_id");
    assert!(upstream.requests().is_empty());
    let events = create(&mut socket, json!({"model": "scripted", "input": "hi"})).await;
    assert_eq!(events.last().unwrap()["type"], "response.completed");
}

#[tokio::test]
async fn a_failed_continuation_drops_the_response_it_continued() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let mut socket = connect(&gateway).await;
    let (id, _call_id) = tool_call_turn(&mut socket).await;
    let orphan = json!([{"type": "function_call_output", "call_id": "call_nobody", "output": "x"}]);
    let events = create(
        &mut socket,
        json!({"model": "turns:codex_exec_command", "tools": exec_tools(), "previous_response_id": id, "store": false, "input": orphan}),
    )
    .await;
    let error = &events[0];
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["status"], 400);
    assert_eq!(error["error"]["type"], "invalid_request_error");
    assert_eq!(error["error"]["param"], "input");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("No tool call found") && message.contains("call_nobody"),
        "{message}"
    );
    // Continuing it again: it is gone.
    let events = create(
        &mut socket,
        json!({"model": "scripted", "previous_response_id": id, "store": false, "input": "again"}),
    )
    .await;
    assert_eq!(
        events[0]["error"]["code"], "previous_response_not_found",
        "{events:?}"
    );
    assert_eq!(upstream.requests().len(), 1);

    // Over HTTP, the same orphan is the same 400.
    let answer = reqwest::Client::new()
        .post(format!("{}/v1/responses", gateway.base))
        .json(&json!({"model": "scripted", "input": orphan}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["error"]["param"], "input", "{body}");
    assert_eq!(body["error"]["message"], message);
}

#[tokio::test]
async fn generate_false_warms_up_without_the_upstream_and_can_be_continued() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let mut socket = connect(&gateway).await;
    let events = create(
        &mut socket,
        json!({"model": "scripted", "input": "warm", "instructions": "be brief", "store": false, "generate": false}),
    )
    .await;
    assert_eq!(types(&events), ["response.created", "response.completed"]);
    assert_eq!(events[0]["sequence_number"], 0);
    assert_eq!(events[1]["sequence_number"], 1);
    let response = &events[1]["response"];
    assert_eq!(response["status"], "completed");
    assert_eq!(response["output"], json!([]));
    assert_eq!(response["usage"]["total_tokens"], 0);
    assert_eq!(response["instructions"], "be brief");
    assert_conformant(&events);
    assert!(upstream.requests().is_empty(), "{:?}", upstream.requests());
    let name = "openai_wire_websocket_responses_total";
    assert!(counter(&gateway.base, name, "status=\"warmup\"").await >= 1.0);

    let id = response_id(&events);
    let events = create(
        &mut socket,
        json!({"model": "scripted", "input": "now", "store": false, "previous_response_id": id}),
    )
    .await;
    assert_eq!(events.last().unwrap()["type"], "response.completed");
    let sent = messages(&upstream, 0);
    let user: Vec<&Value> = sent.iter().filter(|m| m["role"] == "user").collect();
    assert_eq!(user.len(), 2, "{sent:?}");
    assert_eq!(user[0]["content"], "warm");
    assert_eq!(user[1]["content"], "now");
}

#[tokio::test]
async fn client_errors_are_error_events_and_binary_frames_close_the_connection() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let mut socket = connect(&gateway).await;
    socket.send(Message::Text("not json".into())).await.unwrap();
    let error = next_event(&mut socket).await;
    assert_eq!(error["type"], "error");
    assert_eq!(error["status"], 400);
    // The key set (serde_json keeps insertion order when a workspace crate turns on
    // `preserve_order`, so compare sorted).
    let mut fields: Vec<&String> = error["error"].as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(fields, ["code", "message", "param", "type"], "{error}");
    assert_eq!(error["error"]["type"], "invalid_request_error");

    send(&mut socket, json!({"type": "response.cancel"})).await;
    let error = next_event(&mut socket).await;
    assert_eq!(error["error"]["param"], "type", "{error}");
    send(
        &mut socket,
        json!({"type": "response.create", "model": "scripted", "input": [{"type": "nonsense"}]}),
    )
    .await;
    let error = next_event(&mut socket).await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["status"], 400);

    // Still usable.
    let events = create(&mut socket, json!({"model": "scripted", "input": "hi"})).await;
    assert_eq!(events.last().unwrap()["type"], "response.completed");

    socket
        .send(Message::Binary(Bytes::from_static(b"\x00")))
        .await
        .unwrap();
    assert_eq!(close_code(&mut socket).await, CloseCode::Unsupported);
}

#[tokio::test]
async fn a_message_past_the_size_limit_closes_the_connection() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |c| {
        c.websocket_max_message_bytes = 1000
    }))
    .await;
    let mut socket = connect(&gateway).await;
    let big = "x".repeat(2000);
    send(
        &mut socket,
        json!({"type": "response.create", "model": "scripted", "input": big}),
    )
    .await;
    assert_eq!(close_code(&mut socket).await, CloseCode::Size);
}

#[tokio::test]
async fn client_keys_are_checked_before_the_upgrade() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |c| {
        c.client_api_keys = vec!["sesame".into()];
    }))
    .await;
    for key in [None, Some("wrong")] {
        match connect_with(&gateway, key).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 401);
            }
            other => panic!("expected a 401, got {:?}", other.map(|_| ())),
        }
    }
    let mut socket = connect_with(&gateway, Some("sesame")).await.unwrap();
    let events = create(&mut socket, json!({"model": "scripted", "input": "hi"})).await;
    assert_eq!(events.last().unwrap()["type"], "response.completed");
}

#[tokio::test]
async fn a_connection_lives_its_lifetime_then_finishes_the_response_and_closes() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |c| {
        c.websocket_lifetime = Duration::from_millis(200);
    }))
    .await;
    let mut socket = connect(&gateway).await;
    // `slow` pauses longer than the lifetime: the response still ends whole.
    let events = create(
        &mut socket,
        json!({"model": "slow", "input": "hi", "store": false}),
    )
    .await;
    assert_eq!(events.last().unwrap()["type"], "response.completed");
    assert_conformant(&events);
    let error = next_event(&mut socket).await;
    assert_eq!(error["type"], "error");
    assert_eq!(error["status"], 400);
    assert_eq!(error["error"]["code"], "websocket_connection_limit_reached");
    assert_eq!(close_code(&mut socket).await, CloseCode::Normal);

    // An idle connection gets the same when its time is up.
    let mut idle = connect(&gateway).await;
    let error = next_event(&mut idle).await;
    assert_eq!(error["error"]["code"], "websocket_connection_limit_reached");
    assert_eq!(close_code(&mut idle).await, CloseCode::Normal);
}

#[tokio::test]
async fn a_conversation_past_the_cache_limit_is_not_kept() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |c| c.websocket_max_cached_bytes = 10)).await;
    let mut socket = connect(&gateway).await;
    let events = create(
        &mut socket,
        json!({"model": "scripted", "input": "hi", "store": false}),
    )
    .await;
    assert_eq!(events.last().unwrap()["type"], "response.completed");
    let id = response_id(&events);
    let events = create(
        &mut socket,
        json!({"model": "scripted", "input": "more", "store": false, "previous_response_id": id}),
    )
    .await;
    assert_eq!(
        events[0]["error"]["code"], "previous_response_not_found",
        "{events:?}"
    );

    // A stored response can still be continued: from the store.
    let events = create(
        &mut socket,
        json!({"model": "scripted", "input": "hi", "store": true}),
    )
    .await;
    let id = response_id(&events);
    let events = create(
        &mut socket,
        json!({"model": "scripted", "input": "more", "store": false, "previous_response_id": id}),
    )
    .await;
    assert_eq!(
        events.last().unwrap()["type"],
        "response.completed",
        "{events:?}"
    );
}

#[tokio::test]
async fn a_client_that_goes_away_cancels_the_response() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |c| {
        if let Some(p) = c.providers.get_mut("scripted") {
            p.idle_timeout_secs = 60;
        }
    }))
    .await;
    let mut socket = connect(&gateway).await;
    send(
        &mut socket,
        json!({"type": "response.create", "model": "stall", "input": "x"}),
    )
    .await;
    let mut id = String::new();
    loop {
        let event = next_event(&mut socket).await;
        if event["type"] == "response.created" {
            id = event["response"]["id"].as_str().unwrap().to_owned();
        }
        if event["type"] == "response.output_text.delta" {
            break;
        }
    }
    drop(socket);
    let mut status = Value::Null;
    for _ in 0..250 {
        if let Some(found) = gateway.store.get(&id).await.unwrap() {
            status = found.response["status"].clone();
            if status == "cancelled" {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, "cancelled");
    assert_eq!(upstream.disconnects_seen().await, 1);
}

#[tokio::test]
async fn shutdown_finishes_the_running_response_then_closes_with_1001() {
    let upstream = Upstream::start().await;
    let mut gateway = start(config_for(&upstream, |_| {})).await;
    let mut socket = connect(&gateway).await;
    let mut idle = connect(&gateway).await;
    send(
        &mut socket,
        json!({"type": "response.create", "model": "slow", "input": "x", "store": false}),
    )
    .await;
    let created = next_event(&mut socket).await;
    assert_eq!(created["type"], "response.created");
    gateway.shut_down();
    let mut events = vec![created];
    events.extend(answer(&mut socket).await);
    assert_eq!(events.last().unwrap()["type"], "response.completed");
    assert_conformant(&events);
    assert_eq!(close_code(&mut socket).await, CloseCode::Away);
    assert_eq!(close_code(&mut idle).await, CloseCode::Away);
    // `serve` returns once the connections are closed.
    gateway.stopped().await;
}

/// Issue 12, defect 7: a `response.create` is validated like a POST body (after `type` and
/// `generate` are taken off): a value out of range is a 400 error event naming `param`, nothing
/// goes upstream, and the connection stays usable.
#[tokio::test]
async fn a_wrong_type_or_range_is_an_error_event_naming_the_param() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let mut socket = connect(&gateway).await;
    for (body, param) in [
        (
            json!({"model": "scripted", "input": "hi", "temperature": 5}),
            "temperature",
        ),
        (
            json!({"model": "scripted", "input": "hi", "store": "no"}),
            "store",
        ),
        (
            json!({"model": "scripted", "input": "hi", "previous_response_id": 5}),
            "previous_response_id",
        ),
        (
            json!({"model": "scripted", "input": "hi", "nonsense": true}),
            "nonsense",
        ),
    ] {
        let events = create(&mut socket, body.clone()).await;
        let error = events.last().unwrap();
        assert_eq!(error["type"], "error", "{body}: {error}");
        assert_eq!(error["status"], 400, "{error}");
        assert_eq!(error["error"]["type"], "invalid_request_error", "{error}");
        assert_eq!(error["error"]["param"], param, "{error}");
    }
    assert!(upstream.requests().is_empty());
    // `generate: false` is the transport's, not an unknown parameter.
    let events = create(
        &mut socket,
        json!({"model": "scripted", "input": "hi", "generate": false, "client_metadata": {}}),
    )
    .await;
    assert_eq!(events.last().unwrap()["type"], "response.completed");
}

/// A Responses upstream relayed over WebSocket mode has no heartbeat event of its own: while it
/// is silent, the client gets WebSocket pings, and then the rest of the response.
#[tokio::test]
async fn a_silent_upstream_without_heartbeat_events_gets_the_client_pings() {
    use support::responses_upstream::ResponsesUpstream;
    let upstream = ResponsesUpstream::start().await;
    let mut config = config_for(&Upstream::start().await, |_| {});
    let mut provider = openai_wire_gateway::ProviderConfig::new(upstream.base_url());
    provider.api = openai_wire_gateway::UpstreamApi::Responses;
    provider.idle_timeout_secs = 5;
    config.providers.clear();
    config.providers.insert("relay".into(), provider);
    config.default_provider = Some("relay".into());
    config.heartbeat = Duration::from_millis(100);
    let gateway = start(config).await;
    let mut socket = connect(&gateway).await;
    // `slow` goes silent for 450 ms in the middle of its message.
    send(
        &mut socket,
        json!({"type": "response.create", "model": "slow", "input": "hi"}),
    )
    .await;
    let (mut pings, mut last) = (0, Value::Null);
    while !is_terminal(&last) {
        match socket.next().await {
            Some(Ok(Message::Ping(_))) => pings += 1,
            Some(Ok(Message::Text(text))) => last = serde_json::from_str(&text).unwrap(),
            Some(Ok(Message::Pong(_))) => {}
            other => panic!("expected events and pings, got {other:?}"),
        }
    }
    assert_eq!(last["type"], "response.completed", "{last}");
    assert!(pings >= 1, "no ping while the upstream was silent");
}
