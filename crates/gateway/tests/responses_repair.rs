//! The gateway in front of a Responses upstream that streams the broken streams native servers
//! were reported to send (the scripted upstream's `repair:NAME` models, the repairer's
//! fixtures: `crates/convert/tests/fixtures/repair/README.md`): what clients receive over HTTP
//! SSE, HTTP JSON and WebSocket mode is a correct stream (`openai-wire check`: no error, every
//! Response field), with every item finished and the final output under the streamed ids.

mod support;

use futures_util::{SinkExt, StreamExt};
use openai_wire_gateway::{Config, ProviderConfig, UpstreamApi};
use serde_json::{Value, json};
use support::gateway::start;
use support::responses_upstream::ResponsesUpstream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Every broken stream, with the ids its items were streamed with (first announced) and the
/// `call_id` of its call, if any.
const BROKEN: &[(&str, &[&str], Option<&str>)] = &[
    ("missing_done_events", &["rs_1", "msg_1"], None),
    ("vllm_id_drift", &["9b1c2d3e4f"], Some("call_9b1c2d3e4f")),
    ("id_rotation", &["msg_a"], None),
    ("housekeeping", &["msg_1"], None),
    ("sparse_lifecycle", &["msg_1"], None),
    ("unannounced_item", &["msg_x"], None),
];

fn config(upstream: &ResponsesUpstream) -> Config {
    let mut provider = ProviderConfig::new(upstream.base_url());
    provider.api = UpstreamApi::Responses;
    provider.idle_timeout_secs = 5;
    let mut config = Config::default();
    config.providers.insert("native".into(), provider);
    config.default_provider = Some("native".into());
    config
}

fn events(body: &str) -> Vec<Value> {
    body.lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|data| serde_json::from_str(data).unwrap())
        .collect()
}

fn frames_as_sse(events: &[Value]) -> String {
    events
        .iter()
        .map(|e| format!("event: {}\ndata: {e}\n\n", e["type"].as_str().unwrap()))
        .collect()
}

fn of_type<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

/// What a client needs from a repaired stream: every item announced is finished under the
/// same id, the stream ends `completed` with those items as its output, with whole usage.
fn assert_finished(name: &str, events: &[Value], ids: &[&str], call_id: Option<&str>) {
    let added: Vec<&Value> = of_type(events, "response.output_item.added")
        .into_iter()
        .map(|e| &e["item"]["id"])
        .collect();
    let done: Vec<&Value> = of_type(events, "response.output_item.done")
        .into_iter()
        .map(|e| &e["item"]["id"])
        .collect();
    assert_eq!(added, ids, "{name}");
    assert_eq!(done, ids, "{name}");
    let last = events.last().unwrap();
    assert_eq!(last["type"], "response.completed", "{name}");
    assert_finished_response(name, &last["response"], ids, call_id);
    assert!(
        events
            .iter()
            .all(|e| !matches!(e["type"].as_str(), Some("keepalive" | "ping"))),
        "{name}"
    );
}

fn assert_finished_response(name: &str, response: &Value, ids: &[&str], call_id: Option<&str>) {
    assert_eq!(response["status"], "completed", "{name}");
    let output_ids: Vec<&Value> = response["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| &item["id"])
        .collect();
    assert_eq!(output_ids, ids, "{name}: {response}");
    if let Some(call_id) = call_id {
        assert_eq!(response["output"][0]["call_id"], call_id, "{name}");
    }
    let usage = &response["usage"];
    assert_eq!(
        usage["total_tokens"].as_i64(),
        Some(usage["input_tokens"].as_i64().unwrap() + usage["output_tokens"].as_i64().unwrap()),
        "{name}: {usage}"
    );
    assert!(
        usage["input_tokens_details"]["cached_tokens"].is_i64(),
        "{name}: {usage}"
    );
    assert!(
        usage["output_tokens_details"]["reasoning_tokens"].is_i64(),
        "{name}: {usage}"
    );
}

#[tokio::test]
async fn sse_clients_get_every_broken_stream_repaired() {
    let upstream = ResponsesUpstream::start().await;
    let gateway = start(config(&upstream)).await;
    for (name, ids, call_id) in BROKEN {
        let body = reqwest::Client::new()
            .post(format!("{}/v1/responses", gateway.base))
            .json(&json!({"model": format!("repair:{name}"), "input": "hi", "stream": true}))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        support::assert_responses_conformant(&body);
        let events = events(&body);
        assert_finished(name, &events, ids, *call_id);
    }
    // The texts the done events carry are the accumulated deltas.
    let body = reqwest::Client::new()
        .post(format!("{}/v1/responses", gateway.base))
        .json(&json!({"model": "repair:missing_done_events", "input": "2 + 2?", "stream": true}))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let events = events(&body);
    let text = of_type(&events, "response.output_text.done");
    assert_eq!(text[0]["text"], "2 + 2 = 4.");
    let summary = of_type(&events, "response.reasoning_summary_text.done");
    assert_eq!(summary[0]["text"], "The user asks 2 + 2. Answer 4.");
}

#[tokio::test]
async fn a_non_streaming_answer_is_built_from_the_repaired_stream() {
    let upstream = ResponsesUpstream::start().await;
    let gateway = start(config(&upstream)).await;
    for (name, ids, call_id) in BROKEN {
        let response = reqwest::Client::new()
            .post(format!("{}/v1/responses", gateway.base))
            .json(&json!({"model": format!("repair:{name}"), "input": "hi"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{name}");
        let response: Value = response.json().await.unwrap();
        assert_finished_response(name, &response, ids, *call_id);
    }
}

#[tokio::test]
async fn websocket_clients_get_every_broken_stream_repaired() {
    let upstream = ResponsesUpstream::start().await;
    let gateway = start(config(&upstream)).await;
    let mut request = gateway.ws_url().into_client_request().unwrap();
    request.headers_mut().insert(
        "OpenAI-Beta",
        "responses_websockets=2026-02-06".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    for (name, ids, call_id) in BROKEN {
        let create =
            json!({"type": "response.create", "model": format!("repair:{name}"), "input": "hi"});
        socket
            .send(Message::Text(create.to_string().into()))
            .await
            .unwrap();
        let mut frames = Vec::new();
        while !frames.last().is_some_and(|e: &Value| {
            matches!(
                e["type"].as_str(),
                Some("response.completed" | "response.failed" | "response.incomplete" | "error")
            )
        }) {
            match socket.next().await {
                Some(Ok(Message::Text(text))) => frames.push(serde_json::from_str(&text).unwrap()),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                other => panic!("{name}: expected an event, got {other:?}"),
            }
        }
        support::assert_responses_conformant(&frames_as_sse(&frames));
        assert_finished(name, &frames, ids, *call_id);
    }
}
