//! Issue 12, defects 5 and 7, against the real gateway and the scripted Chat upstream:
//!
//! - an upstream error never carries the gateway's upstream key to the client (HTTP body, SSE
//!   stream, Chat Completions pass-through, `/metrics`), an upstream 401 is the gateway's 502
//!   `upstream_authentication_failed`, an HTML error page is one line of text;
//! - a Responses request with a wrong type, a value out of range or an unknown parameter is a
//!   400 `invalid_request_error` naming `param`, and nothing goes upstream; what Codex sends
//!   (its extensions included) still passes.

mod support;

use serde_json::{Value, json};
use support::gateway::{Running, config_for, start};
use support::upstream::Upstream;

/// The gateway's upstream key in these tests (an OpenAI project key's shape).
const KEY: &str = "sk-proj-Zq3vA9LmT0pXw8Yc7Hb6Nd5Kf4Jg3Rs2Qe1";
/// A piece of it that no redacted text may contain.
const KEY_PIECE: &str = "Zq3vA9LmT0";

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// A gateway whose provider sends [`KEY`] upstream (as its `Authorization` header: the
/// workspace forbids the `unsafe` that setting an `api_key_env` variable would take).
async fn gateway_with_key(upstream: &Upstream) -> Running {
    start(config_for(upstream, 5, |config| {
        for provider in config.providers.values_mut() {
            provider
                .headers
                .insert("authorization".into(), format!("Bearer {KEY}"));
        }
    }))
    .await
}

async fn post(base: &str, path: &str, body: Value) -> (u16, String) {
    let response = client()
        .post(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn metrics(base: &str) -> String {
    support::metrics_text(base).await
}

#[tokio::test]
async fn an_upstream_401_is_the_gateways_credential_refused_and_its_key_never_reaches_the_client() {
    let upstream = Upstream::start().await;
    let gateway = gateway_with_key(&upstream).await;
    // The scripted upstream did get the key (and echoes it).
    let (status, body) = post(
        &gateway.base,
        "/v1/responses",
        json!({"model": "fail:401", "input": "hi", "store": false}),
    )
    .await;
    assert_eq!(status, 502, "{body}");
    let error: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        error["error"]["code"], "upstream_authentication_failed",
        "{body}"
    );
    assert_eq!(error["error"]["type"], "server_error", "{body}");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("gateway's upstream credential"),
        "{message}"
    );
    assert!(message.contains("[redacted]"), "{message}");
    assert!(!body.contains(KEY_PIECE), "{body}");
    let seen = upstream.requests();
    assert!(!seen.is_empty());

    // Streaming: whatever the stream says, it does not say the key, and it names the code.
    let (status, body) = post(
        &gateway.base,
        "/v1/responses",
        json!({"model": "fail:401", "input": "hi", "stream": true, "store": false}),
    )
    .await;
    assert!(!body.contains(KEY_PIECE), "{body}");
    assert!(
        body.contains("upstream_authentication_failed"),
        "{status} {body}"
    );

    // Chat Completions pass-through.
    let (status, body) = post(
        &gateway.base,
        "/v1/chat/completions",
        json!({"model": "fail:401", "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    assert_eq!(status, 502, "{body}");
    assert!(!body.contains(KEY_PIECE), "{body}");
    assert!(body.contains("upstream_authentication_failed"), "{body}");

    // Nor do the gateway's metrics.
    assert!(!metrics(&gateway.base).await.contains(KEY_PIECE));
}

#[tokio::test]
async fn a_mid_stream_error_echoing_the_key_is_redacted() {
    let upstream = Upstream::start().await;
    let gateway = gateway_with_key(&upstream).await;
    for stream in [true, false] {
        let (_, body) = post(
            &gateway.base,
            "/v1/responses",
            json!({"model": "fail:stream-key", "input": "hi", "stream": stream, "store": false}),
        )
        .await;
        assert!(!body.contains(KEY_PIECE), "{body}");
        assert!(body.contains("Bearer [redacted]"), "{body}");
    }
    assert!(!metrics(&gateway.base).await.contains(KEY_PIECE));
}

#[tokio::test]
async fn an_html_error_page_becomes_one_line_of_text() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, 5, |_| {})).await;
    let (status, body) = post(
        &gateway.base,
        "/v1/responses",
        json!({"model": "fail:html", "input": "hi", "store": false}),
    )
    .await;
    assert_eq!(status, 500, "{body}");
    let error: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["error"]["code"], "server_error");
    assert_eq!(
        error["error"]["message"],
        "The upstream answered with HTTP status 502 and an HTML page: 502 Bad Gateway"
    );
    assert!(!body.contains('<'), "{body}");
}

#[tokio::test]
async fn wrong_types_ranges_and_unknown_parameters_are_400s_naming_the_param() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, 5, |_| {})).await;
    let cases = [
        (
            json!({"model": "scripted", "input": "hi", "store": "no"}),
            "store",
            "expected a boolean",
        ),
        (
            json!({"model": "scripted", "input": "hi", "stream": "yes"}),
            "stream",
            "expected a boolean",
        ),
        (
            json!({"model": "scripted", "input": "hi", "previous_response_id": 5}),
            "previous_response_id",
            "expected a string, but got an integer",
        ),
        (
            json!({"model": 1, "input": "hi"}),
            "model",
            "Invalid type for 'model': expected a string",
        ),
        (
            json!({"model": "scripted", "input": "hi", "temperature": 5}),
            "temperature",
            "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 5 instead.",
        ),
        (
            json!({"model": "scripted", "input": "hi", "temperature": "hot"}),
            "temperature",
            "Invalid type for 'temperature': expected a decimal, but got a string instead.",
        ),
        (
            json!({"model": "scripted", "input": "hi", "max_output_tokens": 0}),
            "max_output_tokens",
            "Expected a value >= 16, but got 0 instead.",
        ),
        (
            json!({"model": "scripted", "input": "hi", "top_p": 1.5}),
            "top_p",
            "Expected a value <= 1",
        ),
        (
            json!({"model": "scripted", "input": "hi", "top_logprobs": 21}),
            "top_logprobs",
            "Expected a value <= 20",
        ),
        (
            json!({"model": "scripted", "input": "hi", "frequency_penalty": -3}),
            "frequency_penalty",
            "Expected a value >= -2",
        ),
        (
            json!({"model": "scripted", "input": "hi", "tempreature": 1}),
            "tempreature",
            "Unknown parameter: 'tempreature'.",
        ),
    ];
    for (body, param, message) in cases {
        for path in ["/v1/responses", "/v1/responses/compact"] {
            let (status, text) = post(&gateway.base, path, body.clone()).await;
            assert_eq!(status, 400, "{path} {body}: {text}");
            let error: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(error["error"]["type"], "invalid_request_error", "{text}");
            assert_eq!(error["error"]["param"], param, "{path} {body}: {text}");
            let got = error["error"]["message"].as_str().unwrap();
            assert!(got.contains(message), "{path} {body}: {got}");
        }
    }
    // Refused before anything went upstream (so nothing was stored either).
    assert!(upstream.requests().is_empty());
}

#[tokio::test]
async fn what_codex_sends_still_passes() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, 5, |_| {})).await;
    let body = json!({
        "model": "scripted", "instructions": null, "stream": false, "store": false,
        "input": [{
            "type": "message", "role": "user", "id": "msg_1",
            "content": [{"type": "input_text", "text": "hi"}],
            "internal_chat_message_metadata_passthrough": {"turn": 1},
        }],
        "tools": [], "tool_choice": "auto", "parallel_tool_calls": true,
        "reasoning": {"effort": "medium", "summary": "auto"}, "text": {"verbosity": "low"},
        "include": ["reasoning.encrypted_content"], "prompt_cache_key": "k",
        "client_metadata": {"originator": "codex_exec"}, "service_tier": "auto",
        "temperature": 0, "max_output_tokens": 16, "presence_penalty": 0.5,
    });
    let (status, text) = post(&gateway.base, "/v1/responses", body).await;
    assert_eq!(status, 200, "{text}");
    let response: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(response["status"], "completed", "{text}");
}
