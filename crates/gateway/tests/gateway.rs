//! The gateway in front of the scripted upstream (`support/upstream.rs`): happy paths, the
//! store endpoints, and each failure path. Every streamed body is checked with
//! `openai_wire_check::check_bytes` (zero errors).

mod support;

use std::sync::Arc;
use std::time::Duration;

use openai_wire_decode::{Format, Protocol};
use openai_wire_gateway::{Config, Gateway, MemoryStore, ProviderConfig, SqlStore, Store};
use serde_json::{Value, json};
use support::gateway::{Running, start, start_with_store};
use support::upstream::Upstream;
use tokio::sync::oneshot;

fn config_for(upstream: &Upstream, tune: impl FnOnce(&mut Config)) -> Config {
    support::gateway::config_for(upstream, 1, tune)
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// POSTs a streaming Responses request and returns the status and the whole body.
async fn stream(base: &str, body: Value) -> (u16, String) {
    let response = client()
        .post(format!("{base}/v1/responses"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The `data:` JSON of every event of an SSE body.
fn events(body: &str) -> Vec<Value> {
    body.lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|data| serde_json::from_str(data).unwrap())
        .collect()
}

fn types(body: &str) -> Vec<String> {
    events(body)
        .iter()
        .map(|e| e["type"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn assert_conformant(body: &str) {
    support::assert_responses_conformant(body);
}

fn terminal(body: &str) -> Value {
    events(body)
        .into_iter()
        .rev()
        .find(|e| {
            matches!(
                e["type"].as_str(),
                Some("response.completed" | "response.failed" | "response.incomplete")
            )
        })
        .unwrap_or_else(|| panic!("no terminal event in\n{body}"))
}

async fn assert_healthy(base: &str) {
    let health = client().get(format!("{base}/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn health_models_and_metrics() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    assert_healthy(&gateway.base).await;
    let models: Value = client()
        .get(format!("{}/v1/models", gateway.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(models["data"][0]["id"], "scripted");
    let metrics = client()
        .get(format!("{}/metrics", gateway.base))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    gateway.stop().await;
}

#[tokio::test]
async fn client_keys_are_required_when_configured() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |c| {
        c.client_api_keys = vec!["sekret".into()]
    }))
    .await;
    let denied = client()
        .get(format!("{}/v1/models", gateway.base))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 401);
    let body: Value = denied.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_api_key");
    let allowed = client()
        .get(format!("{}/v1/models", gateway.base))
        .bearer_auth("sekret")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200);
    assert!(allowed.headers().contains_key("x-request-id"));
    // Health stays open for load balancers.
    assert_healthy(&gateway.base).await;
}

#[tokio::test]
async fn bad_json_gets_openai_error_shape() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let response = client()
        .post(format!("{}/v1/responses", gateway.base))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert!(body["error"]["message"].as_str().unwrap().contains("JSON"));
}

#[tokio::test]
async fn streams_a_text_answer_and_stores_it() {
    streams_a_text_answer_and_stores_it_in(Arc::new(MemoryStore::new())).await;
}

/// The same on SQLite, whose first write of a response is one statement and whose final write
/// replaces that row (`SqlStore`).
#[tokio::test]
async fn streams_a_text_answer_and_stores_it_in_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::sqlite(&dir.path().join("gateway.db"))
        .await
        .unwrap();
    streams_a_text_answer_and_stores_it_in(Arc::new(store)).await;
}

async fn streams_a_text_answer_and_stores_it_in(store: Arc<dyn Store>) {
    let upstream = Upstream::start().await;
    let gateway = start_with_store(config_for(&upstream, |_| {}), store).await;
    let (status, body) = stream(
        &gateway.base,
        json!({"model": "scripted", "input": "Say hello", "stream": true}),
    )
    .await;
    assert_eq!(status, 200);
    assert_conformant(&body);
    let done = terminal(&body);
    assert_eq!(done["type"], "response.completed", "{body}");
    let id = done["response"]["id"].as_str().unwrap().to_owned();

    // The upstream got a Chat request with the user message.
    let sent = &upstream.requests()[0];
    assert_eq!(sent["stream"], true);
    assert_eq!(sent["messages"][0]["role"], "user");

    // Stored: retrieve, input items, replay, delete.
    let got: Value = client()
        .get(format!("{}/v1/responses/{id}", gateway.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["id"], id.as_str());
    assert_eq!(got["status"], "completed");
    let items: Value = client()
        .get(format!("{}/v1/responses/{id}/input_items", gateway.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(items["object"], "list");
    assert_eq!(items["data"][0]["content"][0]["text"], "Say hello");
    let replay = client()
        .get(format!("{}/v1/responses/{id}?stream=true", gateway.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(types(&replay), types(&body));
    assert_conformant(&replay);
    let after = client()
        .get(format!(
            "{}/v1/responses/{id}?stream=true&starting_after=2",
            gateway.base
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(events(&after)[0]["sequence_number"], 3);
    let deleted: Value = client()
        .delete(format!("{}/v1/responses/{id}", gateway.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(deleted["deleted"], true);
    let gone = client()
        .get(format!("{}/v1/responses/{id}", gateway.base))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    gateway.stop().await;
}

#[tokio::test]
async fn store_false_writes_nothing() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let (_, body) = stream(
        &gateway.base,
        json!({"model": "scripted", "input": "hi", "stream": true, "store": false}),
    )
    .await;
    let id = terminal(&body)["response"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(gateway.store.get(&id).await.unwrap().is_none());
}

/// A gateway in front of an upstream whose `stall` model sends "thinking", then nothing until
/// the client goes away (with an idle timeout long enough not to end it first), and a streaming
/// request for `stall` with the input "x".
async fn stalled_stream() -> (Upstream, Running, reqwest::Response) {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |c| {
        if let Some(p) = c.providers.get_mut("scripted") {
            p.idle_timeout_secs = 60;
        }
    }))
    .await;
    let response = client()
        .post(format!("{}/v1/responses", gateway.base))
        .json(&json!({"model": "stall", "input": "x", "stream": true}))
        .send()
        .await
        .unwrap();
    (upstream, gateway, response)
}

/// Reads `response` until its first `response.output_text.delta`; what was read.
async fn read_to_first_delta(response: &mut reqwest::Response) -> String {
    let mut seen = String::new();
    while !seen.contains("response.output_text.delta") {
        let chunk = response
            .chunk()
            .await
            .unwrap()
            .expect("the stream ended early");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    seen
}

#[tokio::test]
async fn a_response_is_stored_in_progress_while_it_streams_and_cancelled_when_the_client_leaves() {
    let (upstream, gateway, mut response) = stalled_stream().await;
    let seen = read_to_first_delta(&mut response).await;
    let id = events(&seen)[0]["response"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // While it streams, it is there, in progress.
    let url = format!("{}/v1/responses/{id}", gateway.base);
    let mut stored = Value::Null;
    for _ in 0..200 {
        let answer = client().get(&url).send().await.unwrap();
        if answer.status() == 200 {
            stored = answer.json().await.unwrap();
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(stored["status"], "in_progress", "{stored}");
    assert_eq!(stored["id"], id.as_str());
    // ... and cannot be continued yet.
    let early = client()
        .post(format!("{}/v1/responses", gateway.base))
        .json(&json!({"model": "scripted", "input": "next", "previous_response_id": id}))
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), 400);
    let error: Value = early.json().await.unwrap();
    assert_eq!(error["error"]["param"], "previous_response_id", "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("in progress"),
        "{error}"
    );

    // The client goes away: the upstream is cancelled and the response is kept as cancelled,
    // with what was produced.
    drop(response);
    let mut record = None;
    for _ in 0..200 {
        if let Some(found) = gateway.store.get(&id).await.unwrap()
            && found.response["status"] == "cancelled"
        {
            record = Some(found);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let record = record.expect("the response was not stored as cancelled");
    assert_eq!(upstream.disconnects_seen().await, 1);
    let output = record.output();
    assert_eq!(output.len(), 1, "{output:?}");
    assert_eq!(output[0]["content"][0]["text"], "thinking", "{output:?}");
    assert_eq!(record.input_items[0]["content"][0]["text"], "x");

    // Now it can be continued: the upstream gets the partial answer as history.
    let (status, body) = stream(
        &gateway.base,
        json!({"model": "scripted", "input": "next", "stream": true, "previous_response_id": id}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let sent = upstream.requests().last().unwrap().clone();
    let messages = sent["messages"].as_array().unwrap();
    assert!(
        messages
            .iter()
            .any(|m| m["role"] == "assistant" && m["content"] == "thinking"),
        "{sent}"
    );
    assert_healthy(&gateway.base).await;
}

#[tokio::test]
async fn responses_older_than_the_retention_are_deleted_when_the_gateway_starts() {
    let upstream = Upstream::start().await;
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let stored = |id: &str, age_days: i64| StoredResponse {
        id: id.into(),
        created_at: now - age_days * 86_400,
        previous_response_id: None,
        response: json!({"id": id, "object": "response", "status": "completed", "output": []}),
        input_items: Vec::new(),
        owner: None,
    };
    store.put(stored("resp_old", 8), None).await.unwrap();
    store.put(stored("resp_recent", 6), None).await.unwrap();
    let mut config = config_for(&upstream, |_| {});
    config.retention_days = 7;
    let gateway = Gateway::with_store(config, store.clone()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(gateway.serve(listener, async {
        let _ = stopped.await;
    }));
    for _ in 0..200 {
        if store.get("resp_old").await.unwrap().is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(store.get("resp_old").await.unwrap().is_none());
    assert!(store.get("resp_recent").await.unwrap().is_some());
    let _ = stop.send(());
    served.await.unwrap().unwrap();

    // Zero keeps everything.
    let mut config = config_for(&upstream, |_| {});
    config.retention_days = 0;
    store.put(stored("resp_ancient", 4000), None).await.unwrap();
    let gateway = Gateway::with_store(config, store.clone()).unwrap();
    assert_eq!(gateway.purge_expired().await.unwrap(), 0);
    assert!(store.get("resp_ancient").await.unwrap().is_some());
}

#[tokio::test]
async fn previous_response_id_sends_the_history() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let first: Value = client()
        .post(format!("{}/v1/responses", gateway.base))
        .json(&json!({"model": "scripted", "input": "first question"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["status"], "completed", "{first}");
    let second: Value = client()
        .post(format!("{}/v1/responses", gateway.base))
        .json(&json!({"model": "scripted", "input": "second question", "previous_response_id": first["id"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["status"], "completed", "{second}");
    let messages = upstream.requests()[1]["messages"].clone();
    let roles: Vec<&str> = messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "assistant", "user"], "{messages}");
    let unknown = client()
        .post(format!("{}/v1/responses", gateway.base))
        .json(&json!({"model": "scripted", "input": "x", "previous_response_id": "resp_nope"}))
        .send()
        .await
        .unwrap();
    // OpenAI answers an unknown previous_response_id with 400 and this code, which clients
    // (Codex relays among them) match to start over with the full input.
    assert_eq!(unknown.status(), 400);
    let error: Value = unknown.json().await.unwrap();
    assert_eq!(
        error["error"]["code"], "previous_response_not_found",
        "{error}"
    );
    assert_eq!(error["error"]["param"], "previous_response_id", "{error}");
}

#[tokio::test]
async fn a_recorded_tool_call_turn_converts_conformantly() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let (status, body) = stream(
        &gateway.base,
        json!({
            "model": "fixture:crewai__cassettes__test_handle_streaming_tool_calls__i0",
            "input": "What is the weather in Paris?",
            "stream": true,
            "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}],
        }),
    )
    .await;
    assert_eq!(status, 200);
    assert_conformant(&body);
    let done = terminal(&body);
    assert_eq!(done["type"], "response.completed");
    let call = &done["response"]["output"][0];
    assert_eq!(call["type"], "function_call", "{done}");
    assert_eq!(call["name"], "get_weather");
    assert_eq!(
        upstream.requests()[0]["tools"][0]["function"]["name"],
        "get_weather"
    );
}

/// Not streaming: an upstream's HTTP error is the client's (a streaming client gets it as
/// `response.failed`, `tests/limits.rs`).
#[tokio::test]
async fn upstream_429_keeps_retry_after() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let response = client()
        .post(format!("{}/v1/responses", gateway.base))
        .json(&json!({"model": "fail:429", "input": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limit_exceeded");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("try again in"),
        "{body}"
    );
    assert_healthy(&gateway.base).await;
}

#[tokio::test]
async fn upstream_context_length_is_named() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let response = client()
        .post(format!("{}/v1/responses", gateway.base))
        .json(&json!({"model": "fail:context", "input": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "context_length_exceeded");
    assert_healthy(&gateway.base).await;
}

#[tokio::test]
async fn upstream_dropping_mid_stream_fails_the_response() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let (status, body) = stream(
        &gateway.base,
        json!({"model": "drop", "input": "x", "stream": true}),
    )
    .await;
    assert_eq!(status, 200);
    assert_conformant(&body);
    let done = terminal(&body);
    assert_eq!(done["type"], "response.failed", "{body}");
    assert_eq!(done["response"]["error"]["code"], "server_error");
    assert_healthy(&gateway.base).await;
}

#[tokio::test]
async fn a_stalled_upstream_fails_after_the_idle_timeout_and_is_cancelled() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let (status, body) = stream(
        &gateway.base,
        json!({"model": "stall", "input": "x", "stream": true}),
    )
    .await;
    assert_eq!(status, 200);
    assert_conformant(&body);
    assert_eq!(terminal(&body)["type"], "response.failed", "{body}");
    // The gateway let go of the upstream connection.
    assert_eq!(upstream.disconnects_seen().await, 1);
    assert_healthy(&gateway.base).await;
}

#[tokio::test]
async fn a_malformed_chunk_fails_the_response() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let (status, body) = stream(
        &gateway.base,
        json!({"model": "malformed", "input": "x", "stream": true}),
    )
    .await;
    assert_eq!(status, 200);
    assert_conformant(&body);
    let done = terminal(&body);
    assert_eq!(done["type"], "response.failed", "{body}");
    assert!(
        done["response"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("malformed")
    );
    assert_healthy(&gateway.base).await;
}

#[tokio::test]
async fn heartbeats_while_the_upstream_is_silent() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |c| {
        c.heartbeat = Duration::from_millis(100);
        if let Some(p) = c.providers.get_mut("scripted") {
            p.idle_timeout_secs = 30;
        }
    }))
    .await;
    let (status, body) = stream(
        &gateway.base,
        json!({"model": "slow", "input": "x", "stream": true}),
    )
    .await;
    assert_eq!(status, 200);
    let kinds = types(&body);
    assert!(
        kinds
            .iter()
            .filter(|k| *k == "response.in_progress")
            .count()
            >= 2,
        "{body}"
    );
    assert_eq!(terminal(&body)["type"], "response.completed");
    let report = openai_wire_check::check_bytes(Protocol::Responses, Format::Sse, body.as_bytes());
    assert_eq!(report.errors(), 0, "{:#?}", report.findings);
}

#[tokio::test]
async fn client_disconnect_cancels_the_upstream() {
    let (upstream, gateway, mut response) = stalled_stream().await;
    // Read until the upstream's first chunk came through (the gateway sends
    // `response.created` before the upstream has answered), then go away.
    read_to_first_delta(&mut response).await;
    drop(response);
    assert_eq!(upstream.disconnects_seen().await, 1);
    assert_healthy(&gateway.base).await;
}

#[tokio::test]
async fn chat_completions_pass_through() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let body = client()
        .post(format!("{}/v1/chat/completions", gateway.base))
        .json(&json!({"model": "scripted", "messages": [{"role": "user", "content": "hi"}], "stream": true}))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let report = openai_wire_check::check_bytes(Protocol::Chat, Format::Sse, body.as_bytes());
    assert_eq!(report.errors(), 0, "{:#?}", report.findings);
    assert!(body.ends_with("data: [DONE]\n\n"));
}

#[tokio::test]
async fn routes_by_path_prefix_and_header() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |c| {
        c.default_provider = None;
        let mut other = ProviderConfig::new("http://127.0.0.1:9/v1");
        other.models = vec!["elsewhere".into()];
        c.providers.insert("other".into(), other);
        c.routes = vec![
            openai_wire_gateway::Route {
                provider: "scripted".into(),
                model: None,
                path_prefix: Some("/scripted".into()),
                header: None,
                value: None,
            },
            openai_wire_gateway::Route {
                provider: "scripted".into(),
                model: None,
                path_prefix: None,
                header: Some("x-provider".into()),
                value: Some("scripted".into()),
            },
        ];
    }))
    .await;
    // "elsewhere" belongs to `other`, but the path prefix forces `scripted`.
    let (status, body) = stream(
        &format!("{}/scripted", gateway.base),
        json!({"model": "elsewhere", "input": "x", "stream": true}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(terminal(&body)["type"], "response.completed");
    let by_header = client()
        .post(format!("{}/v1/responses", gateway.base))
        .header("x-provider", "scripted")
        .json(&json!({"model": "elsewhere", "input": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(by_header.status(), 200);
    assert_eq!(upstream.requests().len(), 2);
    // No route, no provider: OpenAI's model_not_found.
    let unknown = client()
        .post(format!("{}/v1/responses", gateway.base))
        .json(&json!({"model": "nobody-serves-this", "input": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["error"]["code"], "model_not_found");
}

#[tokio::test]
async fn graceful_shutdown_drains_a_stream_in_flight() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |c| {
        if let Some(p) = c.providers.get_mut("scripted") {
            p.idle_timeout_secs = 30;
        }
    }))
    .await;
    let mut response = client()
        .post(format!("{}/v1/responses", gateway.base))
        .json(&json!({"model": "slow", "input": "x", "stream": true}))
        .send()
        .await
        .unwrap();
    let mut body = String::from_utf8(response.chunk().await.unwrap().unwrap().to_vec()).unwrap();
    // Shut down while the upstream pauses; the stream still ends properly.
    let stopping = tokio::spawn(gateway.stop());
    while let Some(chunk) = response.chunk().await.unwrap() {
        body.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    stopping.await.unwrap();
    assert_eq!(terminal(&body)["type"], "response.completed", "{body}");
}

// ---------------------------------------------------------------------------------------------
// Heartbeats carry sequence numbers; request settings per provider; a failing store; Chat
// clients in front of a Responses upstream.

use openai_wire_gateway::StoredResponse;
use support::responses_upstream::{self, ResponsesUpstream, responses_fixtures};

#[tokio::test]
async fn heartbeats_are_numbered_and_the_stream_has_no_findings_at_all() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |c| {
        c.heartbeat = Duration::from_millis(100);
        if let Some(p) = c.providers.get_mut("scripted") {
            p.idle_timeout_secs = 30;
        }
    }))
    .await;
    let (status, body) = stream(
        &gateway.base,
        json!({"model": "slow", "input": "x", "stream": true}),
    )
    .await;
    assert_eq!(status, 200);
    let all = events(&body);
    let beats: Vec<&Value> = all
        .iter()
        .skip(2)
        .filter(|e| e["type"] == "response.in_progress")
        .collect();
    assert!(!beats.is_empty(), "no heartbeat in\n{body}");
    for (position, event) in all.iter().enumerate() {
        assert_eq!(event["sequence_number"], position, "{event}");
    }
    let report = openai_wire_check::check_bytes(Protocol::Responses, Format::Sse, body.as_bytes());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    // Heartbeats are part of the stream, so the replay is the same stream.
    let id = terminal(&body)["response"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let replay = client()
        .get(format!("{}/v1/responses/{id}?stream=true", gateway.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(types(&replay), types(&body));
    let report =
        openai_wire_check::check_bytes(Protocol::Responses, Format::Sse, replay.as_bytes());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

/// A request that exercises every per-provider setting: a `developer` message,
/// `max_output_tokens`, `reasoning.effort`, and a tool call of the current turn (which gets the
/// reasoning round-trip field).
fn settings_probe(model: &str) -> Value {
    json!({
        "model": model,
        "input": [
            {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "Be brief."}]},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "List the files."}]},
            {"type": "function_call", "call_id": "call_ls", "name": "exec_command", "arguments": "{\"cmd\":\"ls\"}"},
            {"type": "function_call_output", "call_id": "call_ls", "output": "README.md"},
        ],
        "tools": [{"type": "function", "name": "exec_command", "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}}}],
        "max_output_tokens": 256,
        "reasoning": {"effort": "low"},
        "store": false,
    })
}

#[tokio::test]
async fn per_provider_request_settings_reach_the_upstream() {
    let upstream = Upstream::start().await;
    let base = upstream.base_url();
    let config = Config::from_toml(&format!(
        r#"
        store = "memory"
        [providers.ds]
        kind = "deepseek"
        base_url = "{base}"
        models = ["ds-model"]
        [providers.tuned]
        kind = "deepseek"
        base_url = "{base}"
        models = ["tuned-model"]
        developer_role = "developer"
        max_tokens_field = "max_completion_tokens"
        reasoning_round_trip = "reasoning"
        send_reasoning_effort = true
        [providers.oa]
        kind = "openai"
        base_url = "{base}"
        models = ["oa-model"]
        [providers.local]
        base_url = "{base}"
        models = ["local-model"]
        "#
    ))
    .unwrap();
    let gateway = start(config).await;
    for model in ["ds-model", "tuned-model", "oa-model", "local-model"] {
        let response = client()
            .post(format!("{}/v1/responses", gateway.base))
            .json(&settings_probe(model))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{model}");
    }
    let sent = upstream.requests();
    assert_eq!(sent.len(), 4);
    let assistant = |request: &Value| -> Value {
        request["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["role"] == "assistant")
            .cloned()
            .unwrap_or_else(|| panic!("no assistant message in {request}"))
    };

    // DeepSeek preset: system, max_tokens, no reasoning_effort, reasoning_content back.
    let ds = &sent[0];
    assert_eq!(ds["model"], "ds-model");
    assert_eq!(ds["messages"][0]["role"], "system", "{ds}");
    assert_eq!(ds["max_tokens"], 256, "{ds}");
    assert!(ds.get("max_completion_tokens").is_none(), "{ds}");
    assert!(ds.get("reasoning_effort").is_none(), "{ds}");
    assert_eq!(assistant(ds)["reasoning_content"], "", "{ds}");

    // The same preset with every setting overridden.
    let tuned = &sent[1];
    assert_eq!(tuned["messages"][0]["role"], "developer", "{tuned}");
    assert_eq!(tuned["max_completion_tokens"], 256, "{tuned}");
    assert!(tuned.get("max_tokens").is_none(), "{tuned}");
    assert_eq!(tuned["reasoning_effort"], "low", "{tuned}");
    let message = assistant(tuned);
    assert_eq!(message["reasoning"], "", "{tuned}");
    assert!(message.get("reasoning_content").is_none(), "{tuned}");

    // OpenAI preset: developer, max_completion_tokens, reasoning_effort, no round trip.
    let oa = &sent[2];
    assert_eq!(oa["messages"][0]["role"], "developer", "{oa}");
    assert_eq!(oa["max_completion_tokens"], 256, "{oa}");
    assert_eq!(oa["reasoning_effort"], "low", "{oa}");
    let message = assistant(oa);
    assert!(message.get("reasoning_content").is_none() && message.get("reasoning").is_none());

    // No kind, nothing in its name or host: the generic guess.
    let local = &sent[3];
    assert_eq!(local["messages"][0]["role"], "system", "{local}");
    assert_eq!(local["max_tokens"], 256, "{local}");
    assert!(local.get("reasoning_effort").is_none(), "{local}");
    assert!(assistant(local).get("reasoning_content").is_none());
}

/// A store whose writes all fail (reads find nothing; it answers pings).
struct FailingStore;

impl Store for FailingStore {
    fn put(
        &self,
        _record: StoredResponse,
        _events: Option<Vec<String>>,
    ) -> futures_util::future::BoxFuture<'_, Result<(), openai_wire_gateway::StoreError>> {
        Box::pin(async {
            Err(openai_wire_gateway::StoreError::Io {
                path: "/nowhere/gateway.db".into(),
                source: std::io::Error::other("disk full"),
            })
        })
    }

    fn get<'a>(
        &'a self,
        _id: &'a str,
    ) -> futures_util::future::BoxFuture<
        'a,
        Result<Option<StoredResponse>, openai_wire_gateway::StoreError>,
    > {
        Box::pin(async { Ok(None) })
    }

    fn events<'a>(
        &'a self,
        _id: &'a str,
        _starting_after: Option<i64>,
    ) -> futures_util::future::BoxFuture<
        'a,
        Result<Option<Vec<String>>, openai_wire_gateway::StoreError>,
    > {
        Box::pin(async { Ok(None) })
    }

    fn delete<'a>(
        &'a self,
        _id: &'a str,
    ) -> futures_util::future::BoxFuture<'a, Result<bool, openai_wire_gateway::StoreError>> {
        Box::pin(async { Ok(false) })
    }

    fn purge_created_before(
        &self,
        _before: i64,
    ) -> futures_util::future::BoxFuture<'_, Result<u64, openai_wire_gateway::StoreError>> {
        Box::pin(async { Ok(0) })
    }

    fn ping(
        &self,
    ) -> futures_util::future::BoxFuture<'_, Result<(), openai_wire_gateway::StoreError>> {
        Box::pin(async { Ok(()) })
    }
}

/// The value of a Prometheus counter with these labels (0 when absent).
fn counter(metrics: &str, name: &str, label: &str) -> f64 {
    metrics
        .lines()
        .filter(|line| line.starts_with(name) && line.contains(label))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

async fn metrics_text(base: &str) -> String {
    support::metrics_text(base).await
}

#[tokio::test]
async fn a_failing_store_never_corrupts_the_stream() {
    let upstream = Upstream::start().await;
    let gateway =
        Gateway::with_store(config_for(&upstream, |_| {}), Arc::new(FailingStore)).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(async move {
        gateway
            .serve(listener, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    let label = r#"operation="put""#;
    let before = counter(
        &metrics_text(&base).await,
        "openai_wire_store_errors_total",
        label,
    );

    // Streaming, with a tool call: the whole stream, conformant, with its terminal event.
    let (status, body) = stream(
        &base,
        json!({
            "model": "fixture:crewai__cassettes__test_handle_streaming_tool_calls__i0",
            "input": "What is the weather in Paris?",
            "stream": true,
            "store": true,
            "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}],
        }),
    )
    .await;
    assert_eq!(status, 200);
    let report = openai_wire_check::check_bytes(Protocol::Responses, Format::Sse, body.as_bytes());
    assert_eq!(report.errors(), 0, "{:#?}", report.findings);
    assert!(report.summary.ended_properly(), "{body}");
    assert_eq!(terminal(&body)["type"], "response.completed", "{body}");
    assert_eq!(
        terminal(&body)["response"]["output"][0]["name"],
        "get_weather"
    );

    // Not streaming: the answer all the same.
    let whole = client()
        .post(format!("{base}/v1/responses"))
        .json(&json!({"model": "scripted", "input": "hi", "store": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(whole.status(), 200);
    let whole: Value = whole.json().await.unwrap();
    assert_eq!(whole["status"], "completed", "{whole}");

    // Counted (other tests share the process-wide recorder: at least these two).
    let after = counter(
        &metrics_text(&base).await,
        "openai_wire_store_errors_total",
        label,
    );
    assert!(after - before >= 2.0, "before {before}, after {after}");

    // Still healthy, still serving.
    assert_healthy(&base).await;
    let (status, body) = stream(
        &base,
        json!({"model": "scripted", "input": "again", "stream": true}),
    )
    .await;
    assert_eq!(status, 200);
    assert_conformant(&body);
    assert_eq!(terminal(&body)["type"], "response.completed");
    let _ = stop.send(());
    served.await.unwrap();
}

fn responses_config(upstream: &ResponsesUpstream) -> Config {
    let mut provider = ProviderConfig::new(upstream.base_url());
    provider.api = openai_wire_gateway::UpstreamApi::Responses;
    provider.idle_timeout_secs = 5;
    let mut config = Config::default();
    config.providers.insert("openai".into(), provider);
    config.default_provider = Some("openai".into());
    config
}

/// The text of a recorded Responses stream: its `output_text` deltas (or, for a part that had
/// none, its `output_text.done` text), and the terminal event's type.
fn recorded_text(name: &str) -> (String, Option<String>) {
    let path = responses_upstream::responses_fixtures_dir().join(format!("{name}.sse"));
    let text = std::fs::read_to_string(path).unwrap();
    let events: Vec<Value> = text
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str(data.trim()).ok())
        .collect();
    let mut out = String::new();
    let mut with_deltas = std::collections::HashSet::new();
    for event in &events {
        let key = (
            event["output_index"].as_i64(),
            event["content_index"].as_i64(),
        );
        match event["type"].as_str() {
            Some("response.output_text.delta") => {
                with_deltas.insert(key);
                out.push_str(event["delta"].as_str().unwrap_or_default());
            }
            Some("response.output_text.done") if !with_deltas.contains(&key) => {
                out.push_str(event["text"].as_str().unwrap_or_default());
            }
            _ => {}
        }
    }
    (out, terminal_of(&events))
}

/// The content of a Chat SSE body, and whether it ended with `[DONE]`.
fn chat_text(body: &str) -> (String, bool) {
    let mut text = String::new();
    for data in body.lines().filter_map(|l| l.strip_prefix("data: ")) {
        if data == "[DONE]" {
            continue;
        }
        let chunk: Value = serde_json::from_str(data).unwrap();
        for choice in chunk["choices"].as_array().into_iter().flatten() {
            text.push_str(choice["delta"]["content"].as_str().unwrap_or_default());
        }
    }
    (text, body.ends_with("data: [DONE]\n\n"))
}

#[tokio::test]
async fn chat_completions_in_front_of_a_responses_upstream_replay_every_recording() {
    let upstream = ResponsesUpstream::start().await;
    let gateway = start(responses_config(&upstream)).await;
    let names = responses_fixtures();
    assert!(names.len() >= 20, "{names:?}");
    let mut completed = 0;
    for name in &names {
        let (expected, recorded_terminal) = recorded_text(name);
        let response = client()
            .post(format!("{}/v1/chat/completions", gateway.base))
            .json(&json!({
                "model": format!("fixture:{name}"),
                "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}],
                "stream": true,
                "stream_options": {"include_usage": true},
            }))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        match recorded_terminal.as_deref() {
            Some("response.completed" | "response.incomplete") => {
                assert_eq!(status, 200, "{name}: {body}");
                let report =
                    openai_wire_check::check_bytes(Protocol::Chat, Format::Sse, body.as_bytes());
                assert_eq!(report.errors(), 0, "{name}: {:#?}\n{body}", report.findings);
                let (text, done) = chat_text(&body);
                assert_eq!(text, expected, "{name}");
                assert!(done, "{name}: no [DONE]\n{body}");
                completed += 1;
            }
            // A recording that failed or was cut off never reads as a success: an HTTP error,
            // or an error event and no [DONE].
            _ => {
                if status == 200 {
                    let (_, done) = chat_text(&body);
                    assert!(!done, "{name}: [DONE] after a failure\n{body}");
                    assert!(body.contains(r#"{"error":"#), "{name}: {body}");
                } else {
                    assert!(status >= 400, "{name}: {status}");
                    let error: Value = serde_json::from_str(&body).unwrap();
                    assert!(error["error"]["message"].is_string(), "{name}: {body}");
                }
            }
        }
    }
    assert!(completed >= 20, "only {completed} completed recordings");

    // The upstream got Responses requests: instructions from the system message, the model.
    let first = &upstream.requests()[0];
    assert_eq!(first["instructions"], "Be brief.", "{first}");
    assert_eq!(first["stream"], true);
    assert_eq!(first["store"], false);
    assert_eq!(first["model"], format!("fixture:{}", names[0]));
}

#[tokio::test]
async fn chat_completions_in_front_of_a_responses_upstream_without_streaming() {
    let upstream = ResponsesUpstream::start().await;
    let gateway = start(responses_config(&upstream)).await;
    let name = "openai-dotnet__ResponsesTests__StreamingResponses__e0";
    let (expected, _) = recorded_text(name);
    let completion: Value = client()
        .post(format!("{}/v1/chat/completions", gateway.base))
        .json(&json!({"model": format!("fixture:{name}"), "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(completion["object"], "chat.completion", "{completion}");
    assert_eq!(
        completion["choices"][0]["message"]["content"],
        expected.as_str()
    );
    assert_eq!(completion["choices"][0]["finish_reason"], "stop");
    assert!(completion["usage"]["total_tokens"].as_i64().unwrap() > 0);
    assert_eq!(upstream.requests()[0]["stream"], Value::Null);
}

#[tokio::test]
async fn chat_completions_in_front_of_a_silent_responses_upstream_get_comment_heartbeats() {
    let upstream = ResponsesUpstream::start().await;
    let mut config = responses_config(&upstream);
    config.heartbeat = Duration::from_millis(100);
    let gateway = start(config).await;
    let response = client()
        .post(format!("{}/v1/chat/completions", gateway.base))
        .json(&json!({"model": "slow", "messages": [{"role": "user", "content": "hi"}], "stream": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    let beats = body.matches(": keep-alive\n\n").count();
    // 450 ms of silence, a heartbeat every 100 ms: a few, however the timers fall.
    assert!((2..=5).contains(&beats), "{beats} heartbeats in\n{body}");
    let first_beat = body.find(": keep-alive").unwrap();
    let wait = body.find(r#""content":"Wait""#).unwrap();
    let rest = body.find(r#""content":" for it.""#).unwrap();
    assert!(wait < first_beat && first_beat < rest, "{body}");
    // Comments are part of SSE: the stream is still a conformant Chat stream.
    let report = openai_wire_check::check_bytes(Protocol::Chat, Format::Sse, body.as_bytes());
    assert_eq!(report.errors(), 0, "{:#?}\n{body}", report.findings);
    assert_eq!(chat_text(&body), ("Wait for it.".to_owned(), true));
}

#[tokio::test]
async fn chat_completions_in_front_of_a_failing_responses_upstream() {
    let upstream = ResponsesUpstream::start().await;
    let gateway = start(responses_config(&upstream)).await;
    let post = |model: &str| {
        client()
            .post(format!("{}/v1/chat/completions", gateway.base))
            .json(&json!({"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": true}))
            .send()
    };
    // Failed before anything went out: an HTTP error in OpenAI's shape.
    let failed = post("failed").await.unwrap();
    assert_eq!(failed.status(), 500);
    let body: Value = failed.json().await.unwrap();
    assert_eq!(body["error"]["code"], "server_error", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("crashed on purpose")
    );
    // The upstream's own HTTP error keeps its status and Retry-After.
    let limited = post("fail:429").await.unwrap();
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "3");
    // Cut off after some text: the text, then an error event, never [DONE].
    let cut = post("cut").await.unwrap();
    assert_eq!(cut.status(), 200);
    let body = cut.text().await.unwrap();
    let (text, done) = chat_text(&body);
    assert_eq!(text, "Half an ans");
    assert!(!done, "{body}");
    let last = body
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("data: "))
        .unwrap();
    let last: Value = serde_json::from_str(last).unwrap();
    assert!(last["error"]["message"].is_string(), "{body}");
    assert_healthy(&gateway.base).await;
}

/// The type of the last terminal event among `events`.
fn terminal_of(events: &[Value]) -> Option<String> {
    events
        .iter()
        .rev()
        .filter_map(|e| e["type"].as_str())
        .find(|t| {
            matches!(
                *t,
                "response.completed" | "response.incomplete" | "response.failed" | "error"
            )
        })
        .map(str::to_owned)
}

/// Bedrock streams reasoning under `response.reasoning_part.added`, an event type OpenAI does
/// not have, so its `reasoning_text` deltas name a part the client never saw added. Rewriting
/// such streams is left to the relay's repair work (issue 14).
const RELAY_NOT_REPAIRED: &str = "ruby_llm__vcr_cassettes__providers_bedrock_mantle_responses_chat_streams_through_the_responses_surface__i0";

#[tokio::test]
async fn responses_in_front_of_a_responses_upstream_relay_every_recording_conformantly() {
    let upstream = ResponsesUpstream::start().await;
    let gateway = start(responses_config(&upstream)).await;
    let names = responses_fixtures();
    let mut completed = 0;
    for name in &names {
        let (expected, recorded_terminal) = recorded_text(name);
        let (status, body) = stream(
            &gateway.base,
            json!({"model": format!("fixture:{name}"), "input": "hi", "stream": true}),
        )
        .await;
        assert_eq!(status, 200, "{name}: {body}");
        // Renumbered, started with `response.created` when the recording resumed a stream,
        // ended when it was cut: every stream checks clean, whatever the recorded server sent,
        // except one whose repair is not written yet.
        if name == RELAY_NOT_REPAIRED {
            let report =
                openai_wire_check::check_bytes(Protocol::Responses, Format::Sse, body.as_bytes());
            assert!(
                report.errors() > 0,
                "{name} is conformant now: drop the exception"
            );
        } else {
            assert_conformant(&body);
        }
        let terminal = terminal_of(&events(&body));
        match recorded_terminal.as_deref() {
            Some(kind @ ("response.completed" | "response.incomplete")) => {
                assert_eq!(terminal.as_deref(), Some(kind), "{name}");
                let text: String = events(&body)
                    .iter()
                    .filter(|e| e["type"] == "response.output_text.delta")
                    .filter_map(|e| e["delta"].as_str())
                    .collect();
                if !text.is_empty() {
                    assert_eq!(text, expected, "{name}");
                }
                completed += 1;
            }
            // A recording that failed or was cut off never reads as a success.
            _ => assert!(
                matches!(terminal.as_deref(), Some("response.failed" | "error")),
                "{name}: {terminal:?}\n{body}"
            ),
        }
    }
    assert!(completed >= 20, "only {completed} completed recordings");
    let first = &upstream.requests()[0];
    assert_eq!(first["stream"], true, "{first}");
    assert_eq!(first["input"], "hi", "{first}");
}

#[tokio::test]
async fn a_response_stored_before_complete_objects_is_answered_complete() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    // What an earlier gateway stored: a trimmed object, without the fields added since (made
    // now, so that the retention purge at start leaves it).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let trimmed = json!({
        "id": "resp_old", "object": "response", "created_at": now,
        "status": "completed", "model": "scripted", "output": [], "tools": [],
        "parallel_tool_calls": true, "temperature": 0.5,
    });
    gateway
        .store
        .put(
            openai_wire_gateway::StoredResponse {
                id: "resp_old".into(),
                created_at: now,
                previous_response_id: None,
                response: trimmed,
                input_items: Vec::new(),
                owner: None,
            },
            None,
        )
        .await
        .unwrap();
    let got: Value = client()
        .get(format!("{}/v1/responses/resp_old", gateway.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Every field of OpenAI's objects (shared/notes/responses-server.md), the stored values
    // kept and OpenAI's defaults for the rest.
    for field in "id object created_at status background completed_at error frequency_penalty \
        incomplete_details instructions max_output_tokens max_tool_calls model output \
        parallel_tool_calls presence_penalty previous_response_id prompt_cache_key \
        prompt_cache_retention reasoning safety_identifier service_tier store temperature text \
        tool_choice tools top_logprobs top_p truncation usage user metadata"
        .split_whitespace()
    {
        assert!(got.get(field).is_some(), "{field} missing: {got}");
    }
    assert_eq!(got["temperature"], 0.5);
    assert_eq!(got["top_p"], 1.0);
    assert_eq!(got["truncation"], "disabled");
    assert_eq!(got["text"]["format"]["type"], "text");
}
