//! The bounds of one response and the stream's first seconds (issue 12, defects 4, 9, 10),
//! against the real gateway and the scripted upstream's fault modes (`support/upstream.rs`):
//! an endless upstream is cut by `max_response_bytes` with the process's memory bounded, a
//! lively one by `max_response_secs`; a slow upstream's client gets `response.created` and
//! heartbeats at once; a silent one ends `upstream_timeout`; a cut Chat pass-through ends with
//! an error chunk; failed streams count as failed in `/metrics`.

mod support;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use openai_wire_gateway::Config;
use serde_json::{Value, json};
use support::gateway::{Running, start};
use support::upstream::{HEADERS_PAUSE, Upstream};

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn gateway_for(
    upstream: &Upstream,
    idle_secs: u64,
    tune: impl FnOnce(&mut Config),
) -> Running {
    start(support::gateway::config_for(upstream, idle_secs, tune)).await
}

async fn post(base: &str, path: &str, body: Value) -> reqwest::Response {
    client()
        .post(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The `data:` JSON of every event of an SSE body.
fn events(body: &str) -> Vec<Value> {
    body.lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .filter(|data| *data != "[DONE]")
        .map(|data| serde_json::from_str(data).unwrap())
        .collect()
}

fn last(body: &str) -> Value {
    events(body)
        .pop()
        .unwrap_or_else(|| panic!("no event in\n{body}"))
}

/// The resident memory of this process (the gateway runs in it), in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

async fn metrics(base: &str) -> String {
    support::metrics_text(base).await
}

/// Whether `/metrics` has a sample of `name` with all of `labels` and a value of 1 or more.
fn counted(metrics: &str, name: &str, labels: &[&str]) -> bool {
    metrics.lines().any(|line| {
        line.starts_with(name)
            && labels.iter().all(|label| line.contains(label))
            && line
                .rsplit(' ')
                .next()
                .and_then(|v| v.parse::<f64>().ok())
                .is_some_and(|v| v >= 1.0)
    })
}

#[tokio::test]
async fn an_endless_upstream_is_ended_by_the_size_limit_with_memory_bounded() {
    const MAX: usize = 16 << 20;
    let upstream = Upstream::start().await;
    let gateway = gateway_for(&upstream, 30, |c| c.max_response_bytes = MAX).await;
    let before = rss();

    // Streaming, stored: `incomplete` (max_output_tokens), and the record is final.
    let body = post(
        &gateway.base,
        "/v1/responses",
        json!({"model": "endless", "input": "x", "stream": true, "store": true}),
    )
    .await
    .text()
    .await
    .unwrap();
    let done = last(&body);
    assert_eq!(
        done["type"],
        "response.incomplete",
        "{}",
        &body[body.len().saturating_sub(2000)..]
    );
    assert_eq!(
        done["response"]["incomplete_details"]["reason"],
        "max_output_tokens"
    );
    // Nothing much past the bound went out: the deltas, then the text again in the `.done`
    // events and the final response (as every Responses stream repeats it).
    assert!(body.len() < 6 * MAX, "{} bytes", body.len());
    support::assert_responses_conformant(&body);
    let id = done["response"]["id"].as_str().unwrap();
    let stored = gateway.store.get(id).await.unwrap().unwrap();
    assert_eq!(stored.response["status"], "incomplete");

    // Not streaming: the same end, as a 200 `incomplete` response.
    let response = post(
        &gateway.base,
        "/v1/responses",
        json!({"model": "endless", "input": "x", "store": true}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let response: Value = response.json().await.unwrap();
    assert_eq!(response["status"], "incomplete");
    assert_eq!(
        response["incomplete_details"]["reason"],
        "max_output_tokens"
    );
    let stored = gateway
        .store
        .get(response["id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.response["status"], "incomplete");

    // The Chat pass-through too: an error chunk after the bound, no [DONE].
    let body = post(
        &gateway.base,
        "/v1/chat/completions",
        json!({"model": "endless", "messages": [{"role": "user", "content": "x"}], "stream": true}),
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(!body.contains("data: [DONE]"));
    assert!(
        last(&body)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("max_response_bytes")
    );

    // Generous: an unbounded stream grew the gateway by gigabytes.
    let grown = rss().saturating_sub(before);
    assert!(grown < 600 << 20, "the process grew by {} MiB", grown >> 20);
}

#[tokio::test]
async fn a_lively_upstream_is_ended_by_the_duration_limit() {
    let upstream = Upstream::start().await;
    let gateway = gateway_for(&upstream, 30, |c| {
        c.max_response_duration = Duration::from_secs(1);
    })
    .await;
    let started = Instant::now();
    let body = post(
        &gateway.base,
        "/v1/responses",
        json!({"model": "trickle", "input": "x", "stream": true, "store": true}),
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(started.elapsed() < Duration::from_secs(20));
    support::assert_responses_conformant(&body);
    let done = last(&body);
    assert_eq!(done["type"], "response.failed", "{body}");
    assert_eq!(done["response"]["error"]["code"], "upstream_timeout");
    assert!(
        body.contains("drip"),
        "the stream got the upstream's text first"
    );
    let stored = gateway
        .store
        .get(done["response"]["id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.response["status"], "failed");

    let response = post(
        &gateway.base,
        "/v1/responses",
        json!({"model": "trickle", "input": "x"}),
    )
    .await;
    assert_eq!(response.status(), 504);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "upstream_timeout");
}

#[tokio::test]
async fn a_slow_upstream_gets_the_stream_opened_at_once_with_heartbeats() {
    let upstream = Upstream::start().await;
    let gateway = gateway_for(&upstream, 30, |c| c.heartbeat = Duration::from_millis(300)).await;
    let started = Instant::now();
    let response = post(
        &gateway.base,
        "/v1/responses",
        json!({"model": "hang:headers", "input": "x", "stream": true}),
    )
    .await;
    // The headers come at once, not after the upstream's.
    assert_eq!(response.status(), 200);
    let mut chunks = response.bytes_stream();
    let first = chunks.next().await.unwrap().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(String::from_utf8_lossy(&first).contains("response.created"));
    let mut body = String::from_utf8_lossy(&first).into_owned();
    while let Some(chunk) = chunks.next().await {
        body.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
    }
    assert!(started.elapsed() >= HEADERS_PAUSE);
    support::assert_responses_conformant(&body);
    let types: Vec<String> = events(&body)
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types[0], "response.created");
    let heartbeats = types
        .iter()
        .filter(|t| *t == "response.in_progress")
        .count();
    assert!(heartbeats >= 4, "{types:?}");
    assert_eq!(types.last().unwrap(), "response.completed");
    assert!(body.contains("Hello after a slow start."));
}

#[tokio::test]
async fn an_upstream_that_never_answers_is_upstream_timeout() {
    let upstream = Upstream::start().await;
    let gateway = gateway_for(&upstream, 1, |_| {}).await;
    let body = post(
        &gateway.base,
        "/v1/responses",
        json!({"model": "hang:forever", "input": "x", "stream": true}),
    )
    .await
    .text()
    .await
    .unwrap();
    support::assert_responses_conformant(&body);
    let done = last(&body);
    assert_eq!(done["type"], "response.failed", "{body}");
    assert_eq!(done["response"]["error"]["code"], "upstream_timeout");

    let response = post(
        &gateway.base,
        "/v1/responses",
        json!({"model": "hang:forever", "input": "x"}),
    )
    .await;
    assert_eq!(response.status(), 504);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "upstream_timeout", "{error}");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(!message.contains("could not be reached"), "{message}");
}

#[tokio::test]
async fn an_upstream_error_after_the_stream_opened_is_response_failed_with_its_code() {
    let upstream = Upstream::start().await;
    let gateway = gateway_for(&upstream, 5, |_| {}).await;
    let response = post(
        &gateway.base,
        "/v1/responses",
        json!({"model": "fail:429", "input": "x", "stream": true}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    support::assert_responses_conformant(&body);
    let done = last(&body);
    assert_eq!(done["type"], "response.failed", "{body}");
    assert_eq!(done["response"]["error"]["code"], "rate_limit_exceeded");
    let metrics = metrics(&gateway.base).await;
    assert!(
        counted(
            &metrics,
            "openai_wire_streams_total",
            &["endpoint=\"responses\"", "outcome=\"failed\""]
        ),
        "{metrics}"
    );
    assert!(
        counted(
            &metrics,
            "openai_wire_requests_total",
            &["endpoint=\"responses\"", "status=\"429\""]
        ),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_cut_chat_pass_through_ends_with_an_error_chunk_and_counts_as_failed() {
    let upstream = Upstream::start().await;
    let gateway = gateway_for(&upstream, 5, |_| {}).await;
    for model in ["eof", "drop"] {
        let response = post(
            &gateway.base,
            "/v1/chat/completions",
            json!({"model": model, "messages": [{"role": "user", "content": "x"}], "stream": true}),
        )
        .await;
        assert_eq!(response.status(), 200);
        let body = response.text().await.unwrap();
        assert!(!body.contains("data: [DONE]"), "{body}");
        let chunks = events(&body);
        assert_eq!(chunks[0]["choices"][0]["delta"]["content"], "Hel", "{body}");
        let error = &chunks.last().unwrap()["error"];
        assert_eq!(error["code"], "server_error", "{body}");
        assert!(error["message"].as_str().unwrap().len() > 10);
    }
    // A whole stream passes unchanged and counts as completed.
    let body = post(
        &gateway.base,
        "/v1/chat/completions",
        json!({"model": "plain", "messages": [{"role": "user", "content": "x"}], "stream": true}),
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(body.ends_with("data: [DONE]\n\n"), "{body}");
    assert!(!body.contains("\"error\""));
    let metrics = metrics(&gateway.base).await;
    for outcome in ["failed", "completed"] {
        let label = format!("outcome=\"{outcome}\"");
        assert!(
            counted(
                &metrics,
                "openai_wire_streams_total",
                &["endpoint=\"chat\"", &label]
            ),
            "{metrics}"
        );
    }
    assert!(
        counted(
            &metrics,
            "openai_wire_requests_total",
            &["endpoint=\"chat\"", "status=\"500\""]
        ),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_failed_responses_stream_counts_as_failed() {
    let upstream = Upstream::start().await;
    let gateway = gateway_for(&upstream, 5, |_| {}).await;
    let body = post(
        &gateway.base,
        "/v1/responses",
        json!({"model": "drop", "input": "x", "stream": true}),
    )
    .await
    .text()
    .await
    .unwrap();
    assert_eq!(last(&body)["type"], "response.failed");
    let metrics = metrics(&gateway.base).await;
    assert!(
        counted(
            &metrics,
            "openai_wire_streams_total",
            &["endpoint=\"responses\"", "outcome=\"failed\""]
        ),
        "{metrics}"
    );
    assert!(
        counted(
            &metrics,
            "openai_wire_requests_total",
            &["endpoint=\"responses\"", "status=\"500\""]
        ),
        "{metrics}"
    );
}
