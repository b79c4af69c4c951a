//! Provider habits the gateway takes care of by the provider's `kind` (the presets of
//! `openai_wire_convert::provider`): Groq's `<think>` block at the start of the text becomes
//! reasoning (and stays text with `disable_quirks`), and Perplexity's cumulative text reaches the
//! client once. Every streamed body checks clean.

mod support;

use openai_wire_gateway::{Config, ProviderKind};
use serde_json::{Value, json};
use support::gateway::{config_for, start};
use support::upstream::{CUMULATIVE_CONTENT_TEXT, Upstream};

/// Streams `model` through a gateway whose provider has `kind` (and `tune`), and returns the
/// terminal event's response, after checking the stream with zero errors.
async fn answer(kind: ProviderKind, model: &str, tune: impl FnOnce(&mut Config)) -> Value {
    let upstream = Upstream::start().await;
    let config = config_for(&upstream, 5, |config| {
        let provider = config.providers.get_mut("scripted").expect("the provider");
        provider.kind = Some(kind);
        tune(config);
    });
    let gateway = start(config).await;
    let body = reqwest::Client::new()
        .post(format!("{}/v1/responses", gateway.base))
        .json(&json!({"model": model, "input": "Say hello.", "stream": true}))
        .send()
        .await
        .expect("the request")
        .text()
        .await
        .expect("the body");
    support::assert_responses_conformant(&body);
    let terminal = body
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .filter_map(|data| serde_json::from_str::<Value>(data).ok())
        .find(|event| event["type"] == "response.completed")
        .unwrap_or_else(|| panic!("no response.completed in {body}"));
    // The upstream got the client's question, as a Chat request.
    let requests = upstream.requests();
    assert_eq!(requests.len(), 1);
    let messages = requests[0]["messages"].as_array().expect("Chat messages");
    let last = messages.last().expect("a message");
    assert_eq!(
        (last["role"].as_str(), last["content"].as_str()),
        (Some("user"), Some("Say hello."))
    );
    terminal["response"].clone()
}

fn text_of(response: &Value) -> String {
    response["output"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|item| item["type"] == "message")
        .flat_map(|item| item["content"].as_array().cloned().unwrap_or_default())
        .filter_map(|part| part["text"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn groq_think_block_becomes_reasoning() {
    let response = answer(ProviderKind::Groq, "turns:think_groq", |_| {}).await;
    let output = response["output"].as_array().expect("output");
    assert_eq!(output[0]["type"], "reasoning", "{output:?}");
    let reasoning = serde_json::to_string(&output[0]).expect("JSON");
    assert!(reasoning.contains("wants a short greeting."), "{reasoning}");
    assert_eq!(text_of(&response), "Hello!");
}

#[tokio::test]
async fn disable_quirks_keeps_the_think_block_as_text() {
    let response = answer(ProviderKind::Groq, "turns:think_groq", |config| {
        let provider = config.providers.get_mut("scripted").expect("the provider");
        provider.disable_quirks = vec!["think_tags_in_content".into()];
    })
    .await;
    let text = text_of(&response);
    assert!(text.starts_with("<think>\nThe user wants"), "{text}");
    assert!(text.ends_with("</think>\n\nHello!"), "{text}");
}

#[tokio::test]
async fn perplexity_cumulative_text_reaches_the_client_once() {
    let response = answer(ProviderKind::Perplexity, "cumulative-content", |_| {}).await;
    assert_eq!(text_of(&response), CUMULATIVE_CONTENT_TEXT);
    // A short answer is below what detection without the preset can tell from an ordinary
    // stream that repeats itself: a generic provider's client gets the repeats.
    let response = answer(ProviderKind::Generic, "cumulative-content", |_| {}).await;
    assert!(
        text_of(&response).starts_with("ParisParis"),
        "{}",
        text_of(&response)
    );
}
