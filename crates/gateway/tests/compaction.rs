//! Compaction against the real gateway and the scripted Chat upstream (`support/upstream.rs`,
//! which answers the gateway's non-streaming summary request with a `chat.completion` whose
//! text starts with [`SUMMARY`], and keeps every request it received).

mod support;

use std::sync::Arc;

use openai_wire_convert::compaction::{DEFAULT_PROMPT, RESTORE_PREFIX};

use openai_wire_gateway::{Config, EnvelopeKey, Gateway, MemoryStore, ProviderConfig};
use serde_json::{Value, json};
use support::upstream::{SUMMARY, Upstream};
use tokio::sync::oneshot;

/// A gateway in front of `upstream` with `key`; stopped when the sender drops.
async fn gateway(
    upstream: &Upstream,
    key: EnvelopeKey,
    tune: impl FnOnce(&mut ProviderConfig),
) -> (String, oneshot::Sender<()>) {
    let mut provider = ProviderConfig::new(upstream.base_url());
    provider.models = vec!["scripted".into()];
    tune(&mut provider);
    let mut config = Config::default();
    config.providers.insert("scripted".into(), provider);
    let gateway = Gateway::with_envelope_key(config, Arc::new(MemoryStore::new()), key).unwrap();
    let (addr, stop) = support::serve_local(gateway.router()).await;
    (format!("http://{addr}"), stop)
}

fn key() -> EnvelopeKey {
    EnvelopeKey::new(b"shared by the instances")
}

/// A conversation with a tool call, as Codex sends it.
fn history() -> Vec<Value> {
    vec![
        json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": "fix the parser"}]}),
        json!({"type": "function_call", "call_id": "c1", "name": "exec_command", "arguments": "{\"cmd\":\"cargo test\"}"}),
        json!({"type": "function_call_output", "call_id": "c1", "output": "OLD TOOL OUTPUT: 3 failed"}),
        json!({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "OLD ANSWER: fixed"}]}),
        json!({"type": "message", "role": "user", "content": "and the lexer"}),
    ]
}

async fn post(base: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn post_sse(base: &str, body: &Value) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/responses"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

fn events(body: &str) -> Vec<Value> {
    body.lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|data| serde_json::from_str(data).unwrap())
        .collect()
}

async fn compact(base: &str) -> Value {
    let body = json!({"model": "scripted", "instructions": "You are Codex.", "input": history()});
    let (status, answer) = post(base, "/v1/responses/compact", &body).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

/// The last item of a compact answer: the compaction.
fn compaction_of(answer: &Value) -> Value {
    answer["output"].as_array().unwrap().last().unwrap().clone()
}

#[tokio::test]
async fn the_compact_endpoint_keeps_the_user_messages_and_ends_with_one_compaction() {
    let upstream = Upstream::start().await;
    let (base, _stop) = gateway(&upstream, key(), |_| {}).await;
    let answer = compact(&base).await;
    assert!(
        answer["id"].as_str().unwrap().starts_with("cmp_"),
        "{answer}"
    );
    assert_eq!(answer["object"], "response.compaction");
    assert!(answer["created_at"].is_u64(), "an integer: {answer}");
    let output = answer["output"].as_array().unwrap();
    let kinds: Vec<_> = output.iter().map(|i| i["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["message", "message", "compaction"]);
    assert!(output[..2].iter().all(|m| m["role"] == "user"));
    assert_eq!(output[1]["content"], "and the lexer", "kept as sent");
    let item = &output[2];
    assert!(item["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(
        item["encrypted_content"]
            .as_str()
            .unwrap()
            .starts_with("owc1.")
    );
    assert_eq!(answer["usage"]["input_tokens"], 40);
    assert_eq!(answer["usage"]["output_tokens"], 9);
    // One summary request, not streamed, with the default prompt and the whole conversation.
    let requests = upstream.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request["stream"], false);
    assert_eq!(request["messages"][0]["content"], DEFAULT_PROMPT);
    let transcript = request["messages"][1]["content"].as_str().unwrap();
    for text in [
        "fix the parser",
        "cargo test",
        "OLD TOOL OUTPUT",
        "OLD ANSWER",
        "and the lexer",
    ] {
        assert!(
            transcript.contains(text),
            "{text} missing from {transcript}"
        );
    }
}

#[tokio::test]
async fn the_summary_prompt_is_configured_per_provider() {
    let upstream = Upstream::start().await;
    let (base, _stop) = gateway(&upstream, key(), |p| {
        p.compaction_prompt = Some("Summarize in three bullet points.".into());
    })
    .await;
    compact(&base).await;
    assert_eq!(
        upstream.requests()[0]["messages"][0]["content"],
        "Summarize in three bullet points."
    );
}

#[tokio::test]
async fn compact_without_a_model_is_a_400_in_openai_shape() {
    let upstream = Upstream::start().await;
    let (base, _stop) = gateway(&upstream, key(), |_| {}).await;
    let (status, answer) = post(&base, "/v1/responses/compact", &json!({"input": history()})).await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["type"], "invalid_request_error");
    assert_eq!(answer["error"]["param"], "model");
    assert!(upstream.requests().is_empty());
}

#[tokio::test]
async fn a_compaction_trigger_streams_exactly_one_compaction_item() {
    let upstream = Upstream::start().await;
    let (base, _stop) = gateway(&upstream, key(), |_| {}).await;
    let mut input = history();
    input.push(json!({"type": "compaction_trigger"}));
    let body = json!({"model": "scripted", "stream": true, "store": false, "input": input});
    let (status, sse) = post_sse(&base, &body).await;
    assert_eq!(status, 200);
    support::assert_responses_conformant(&sse);
    let events = events(&sse);
    let done: Vec<_> = events
        .iter()
        .filter(|e| e["type"] == "response.output_item.done")
        .collect();
    assert_eq!(done.len(), 1, "{sse}");
    assert_eq!(done[0]["item"]["type"], "compaction");
    // After the item's `output_item.added`, its first event is `response.compaction.compacting`
    // (the item's id and output_index, the next sequence number), before its `.done`.
    let added = events
        .iter()
        .position(|e| e["type"] == "response.output_item.added")
        .expect("output_item.added");
    let item_events: Vec<&Value> = events[added + 1..]
        .iter()
        .filter(|e| e["output_index"] == 0)
        .collect();
    assert_eq!(
        item_events[0]["type"], "response.compaction.compacting",
        "{sse}"
    );
    assert_eq!(item_events[0]["item_id"], done[0]["item"]["id"]);
    assert_eq!(item_events[0]["item_id"], events[added]["item"]["id"]);
    assert_eq!(
        item_events[0]["sequence_number"].as_i64(),
        events[added]["sequence_number"].as_i64().map(|n| n + 1)
    );
    assert_eq!(item_events[1]["type"], "response.output_item.done");
    assert_eq!(
        events
            .iter()
            .filter(|e| e["type"] == "response.compaction.compacting")
            .count(),
        1,
        "{sse}"
    );
    assert!(
        done[0]["item"]["encrypted_content"]
            .as_str()
            .unwrap()
            .starts_with("owc1.")
    );
    let last = events.last().unwrap();
    assert_eq!(last["type"], "response.completed");
    let output = last["response"]["output"].as_array().unwrap();
    assert_eq!(output.len(), 1);
    assert_eq!(output[0], done[0]["item"]);
    assert_eq!(last["response"]["usage"]["total_tokens"], 49);
    let requests = upstream.requests();
    assert_eq!(requests.len(), 1, "only the summary request");
    assert_eq!(requests[0]["stream"], false);
}

#[tokio::test]
async fn a_compaction_trigger_answers_json_too() {
    let upstream = Upstream::start().await;
    let (base, _stop) = gateway(&upstream, key(), |_| {}).await;
    let mut input = history();
    input.push(json!({"type": "compaction_trigger"}));
    let (status, response) = post(
        &base,
        "/v1/responses",
        &json!({"model": "scripted", "store": false, "input": input}),
    )
    .await;
    assert_eq!(status, 200, "{response}");
    assert_eq!(response["status"], "completed");
    let output = response["output"].as_array().unwrap();
    assert_eq!(output.len(), 1);
    assert_eq!(output[0]["type"], "compaction");
}

/// A later turn: the kept user messages, the compaction, a new question.
fn later_turn(compaction: Value) -> Value {
    json!({"model": "scripted", "stream": true, "store": false, "input": [
        {"type": "message", "role": "user", "content": "fix the parser"},
        compaction,
        {"type": "message", "role": "user", "content": "what next?"},
    ]})
}

#[tokio::test]
async fn a_later_request_sends_the_summary_in_place_of_the_old_history() {
    let upstream = Upstream::start().await;
    let (base, _stop) = gateway(&upstream, key(), |_| {}).await;
    let compaction = compaction_of(&compact(&base).await);
    let (status, sse) = post_sse(&base, &later_turn(compaction)).await;
    assert_eq!(status, 200, "{sse}");
    assert_eq!(events(&sse).last().unwrap()["type"], "response.completed");
    let requests = upstream.requests();
    assert_eq!(requests.len(), 2);
    let messages = requests[1]["messages"].as_array().unwrap();
    let contents: Vec<&str> = messages
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents.len(), 3, "{contents:?}");
    assert_eq!(contents[0], "fix the parser");
    assert_eq!(messages[1]["role"], "user");
    assert!(
        contents[1].starts_with(&format!("{RESTORE_PREFIX}{SUMMARY}")),
        "{}",
        contents[1]
    );
    assert_eq!(contents[2], "what next?");
    // The old history is gone: only the summary (which quotes the tool result it saw) stands
    // for it.
    let outside_summary = format!("{} {}", contents[0], contents[2]);
    assert!(
        !outside_summary.contains("OLD TOOL OUTPUT")
            && !requests[1].to_string().contains("OLD ANSWER"),
        "{}",
        requests[1]
    );
    assert!(
        !messages
            .iter()
            .any(|m| m["role"] == "tool" || m["role"] == "assistant")
    );
}

#[tokio::test]
async fn forged_altered_and_foreign_compactions_are_400s_that_say_so() {
    let upstream = Upstream::start().await;
    let (base, _stop) = gateway(&upstream, key(), |_| {}).await;
    let compaction = compaction_of(&compact(&base).await);
    let sealed = compaction["encrypted_content"].as_str().unwrap().to_owned();
    let mut altered = sealed.clone().into_bytes();
    let at = "owc1.".len() + 3;
    altered[at] = if altered[at] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    let cases = [
        ("gAAAAABoFernetTokenFromOpenAI", "OpenAI"),
        ("owc1.eyJzIjoiaGkiLCJuIjoxfQ", "forged"),
        ("owc1.eyJzIjoiaGkiLCJuIjoxfQ.AAAA", "forged"),
        (altered.as_str(), "altered"),
        ("owc7.x.y", "version"),
    ];
    for (content, says) in cases {
        let item = json!({"type": "compaction", "id": "cmpi_x", "encrypted_content": content});
        for stream in [true, false] {
            let mut body = later_turn(item.clone());
            body["stream"] = json!(stream);
            let (status, answer) = post(&base, "/v1/responses", &body).await;
            assert_eq!(status, 400, "{content}: {answer}");
            assert_eq!(answer["error"]["param"], "input[1].encrypted_content");
            let message = answer["error"]["message"].as_str().unwrap();
            assert!(message.contains(says), "{content}: {message}");
        }
    }
    assert_eq!(
        upstream.requests().len(),
        1,
        "only the compaction reached the upstream"
    );
}

#[tokio::test]
async fn instances_sharing_the_key_open_each_others_compactions_and_others_refuse_them() {
    let upstream = Upstream::start().await;
    let (a, _stop_a) = gateway(&upstream, key(), |_| {}).await;
    let (b, _stop_b) = gateway(&upstream, key(), |_| {}).await;
    let (c, _stop_c) = gateway(&upstream, EnvelopeKey::new(b"another key"), |_| {}).await;
    let from_a = compaction_of(&compact(&a).await);
    let (status, sse) = post_sse(&b, &later_turn(from_a.clone())).await;
    assert_eq!(status, 200, "{sse}");
    assert_eq!(events(&sse).last().unwrap()["type"], "response.completed");
    let from_b = compaction_of(&compact(&b).await);
    let (status, _) = post_sse(&a, &later_turn(from_b)).await;
    assert_eq!(status, 200);
    let (status, answer) = post(&c, "/v1/responses", &later_turn(from_a)).await;
    assert_eq!(status, 400);
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("another key"), "{message}");
}

/// A Responses upstream compacts for itself: the compact request is forwarded to its
/// `/responses/compact` (model mapped) and its answer comes back as it is; its opaque
/// compaction item, carried back in a later request, reaches it untouched (the gateway opens
/// only its own).
#[tokio::test]
async fn a_responses_upstream_compacts_for_itself() {
    use support::responses_upstream::{ResponsesUpstream, UPSTREAM_COMPACTION};
    let upstream = ResponsesUpstream::start().await;
    let mut provider = ProviderConfig::new(upstream.base_url());
    provider.api = openai_wire_gateway::UpstreamApi::Responses;
    provider
        .model_map
        .insert("gpt-5.5".into(), "fixture:upstream-model".into());
    let mut config = Config::default();
    config.providers.insert("openai".into(), provider);
    let gateway = Gateway::with_envelope_key(config, Arc::new(MemoryStore::new()), key()).unwrap();
    let (addr, _stop) = support::serve_local(gateway.router()).await;
    let base = format!("http://{addr}");

    let body = json!({"model": "gpt-5.5", "input": history()});
    let (status, answer) = post(&base, "/v1/responses/compact", &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["object"], "response.compaction", "{answer}");
    let output = answer["output"].as_array().unwrap();
    assert_eq!(
        output.last().unwrap()["encrypted_content"],
        UPSTREAM_COMPACTION
    );
    let sent = &upstream.requests()[0];
    assert_eq!(sent["model"], "fixture:upstream-model", "{sent}");
    assert_eq!(sent["input"], json!(history()), "{sent}");

    // The upstream's own compaction goes back to it untouched in a later request.
    let mut input = output.clone();
    input.push(json!({"type": "message", "role": "user", "content": "what next?"}));
    let name = support::responses_upstream::responses_fixtures()[0].clone();
    let later = json!({"model": format!("fixture:{name}"), "input": input, "stream": true});
    let (status, sse) = post_sse(&base, &later).await;
    assert_eq!(status, 200, "{sse}");
    let relayed = &upstream.requests()[1];
    let compactions: Vec<&Value> = relayed["input"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["type"] == "compaction")
        .collect();
    assert_eq!(compactions.len(), 1, "{relayed}");
    assert_eq!(compactions[0]["encrypted_content"], UPSTREAM_COMPACTION);
}
