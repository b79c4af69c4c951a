//! The gateway in front of the scripted upstream (`support/upstream.rs`): happy paths, the
//! store endpoints, and each failure path. Every streamed body is checked with
//! `openai_wire_check::check_bytes` (zero errors).

mod support;

use std::sync::Arc;
use std::time::Duration;

use openai_wire_decode::{Format, Protocol};
use openai_wire_gateway::{Config, Gateway, MemoryStore, ProviderConfig, Store};
use serde_json::{Value, json};
use support::upstream::Upstream;
use tokio::sync::oneshot;

/// A running gateway, stopped (gracefully) when dropped.
struct Running {
    base: String,
    store: Arc<dyn Store>,
    stop: Option<oneshot::Sender<()>>,
    done: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(done) = self.done.take() {
            done.await.unwrap();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn config_for(upstream: &Upstream, tune: impl FnOnce(&mut Config)) -> Config {
    let mut provider = ProviderConfig::new(upstream.base_url());
    provider.models = vec!["scripted".into()];
    provider.idle_timeout_secs = 1;
    let mut config = Config::default();
    config.providers.insert("scripted".into(), provider);
    config.default_provider = Some("scripted".into());
    config.heartbeat = Duration::from_secs(30);
    tune(&mut config);
    config
}

async fn start(config: Config) -> Running {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let gateway = Gateway::with_store(config, store.clone()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(async move {
        gateway
            .serve(listener, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    Running {
        base,
        store,
        stop: Some(stop),
        done: Some(done),
    }
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
    let report = openai_wire_check::check_bytes(Protocol::Responses, Format::Sse, body.as_bytes());
    assert_eq!(report.errors(), 0, "{:#?}\n{body}", report.findings);
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
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
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
    assert_eq!(unknown.status(), 404);
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

#[tokio::test]
async fn upstream_429_keeps_retry_after() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |_| {})).await;
    let response = client()
        .post(format!("{}/v1/responses", gateway.base))
        .json(&json!({"model": "fail:429", "input": "x", "stream": true}))
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
        .json(&json!({"model": "fail:context", "input": "x", "stream": true}))
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
    for _ in 0..100 {
        if upstream.disconnects() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(upstream.disconnects(), 1);
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
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, |c| {
        if let Some(p) = c.providers.get_mut("scripted") {
            p.idle_timeout_secs = 60;
        }
    }))
    .await;
    let mut response = client()
        .post(format!("{}/v1/responses", gateway.base))
        .json(&json!({"model": "stall", "input": "x", "stream": true}))
        .send()
        .await
        .unwrap();
    // Read the first bytes, then go away.
    let first = response.chunk().await.unwrap();
    assert!(first.is_some());
    drop(response);
    for _ in 0..200 {
        if upstream.disconnects() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(upstream.disconnects(), 1);
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
