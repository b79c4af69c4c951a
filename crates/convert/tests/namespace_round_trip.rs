//! A function of a `namespace` tool, end to end through the conversion: the Codex request
//! (`fixtures/request/codex_turn2.json`, with the `multi_agent_v1` namespace tool) becomes a
//! Chat request with the flattened function name; a Chat stream calling that name becomes a
//! Responses `function_call` item with `namespace` and the tool's own `name`, as OpenAI sends it
//! and as Codex needs it to dispatch the call; and that item, sent back on the next turn, becomes
//! the flattened name again.

use openai_wire_check::check_bytes;
use openai_wire_convert::request::{ChatRequestOptions, ToolKind, responses_to_chat};
use openai_wire_convert::stream::chat_to_responses::{ChatToResponses, StreamEnd, StreamOptions};
use openai_wire_decode::{Format, Protocol};
use openai_wire_emit::{SequentialIds, write_response_sse};
use openai_wire_events::{ChatCompletionStreamEvent, Response, StreamEvent};
use serde_json::{Value, json};

const FLAT: &str = "multi_agent_v1__spawn_agent";

fn codex_request() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/request/codex_turn2.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A Chat stream (OpenAI's chunk shapes) that calls `name` with its arguments in pieces.
fn chat_stream_calling(name: &str) -> Vec<ChatCompletionStreamEvent> {
    let chunk = |delta: Value, finish: Value| {
        json!({
            "id": "chatcmpl-ns", "object": "chat.completion.chunk", "created": 1_700_000_000,
            "model": "deepseek-chat",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        })
    };
    let mut chunks = vec![
        chunk(json!({"role": "assistant", "content": null}), Value::Null),
        chunk(
            json!({"tool_calls": [{"index": 0, "id": "call_spawn", "type": "function",
                "function": {"name": name, "arguments": ""}}]}),
            Value::Null,
        ),
    ];
    for piece in [r#"{"task":"#, r#""write the README"}"#] {
        chunks.push(chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}),
            Value::Null,
        ));
    }
    let mut last = chunk(json!({}), Value::from("tool_calls"));
    last["usage"] = json!({"prompt_tokens": 120, "completion_tokens": 14, "total_tokens": 134});
    chunks.push(last);
    chunks
        .iter()
        .map(|c| ChatCompletionStreamEvent::from_json(&c.to_string()).unwrap())
        .collect()
}

#[test]
fn a_namespace_tool_call_comes_back_with_its_namespace() {
    // Request: the namespace tool is flattened for the Chat provider.
    let request = codex_request();
    let chat = responses_to_chat(&request, &[], &ChatRequestOptions::default()).unwrap();
    let sent: Vec<&str> = chat.body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["function"]["name"].as_str())
        .collect();
    assert!(sent.contains(&FLAT), "{sent:?}");
    let original = chat.tool_names.original(FLAT).unwrap();
    assert_eq!(original.namespace.as_deref(), Some("multi_agent_v1"));
    assert_eq!(original.kind, ToolKind::Function);

    // Stream: the provider calls the flattened name; the client sees namespace + name.
    let mut converter = ChatToResponses::new(
        Response::default(),
        SequentialIds::default(),
        StreamOptions {
            tool_names: Some(chat.tool_names.clone()),
            ..StreamOptions::default()
        },
    );
    let mut events = converter.start().unwrap();
    for event in chat_stream_calling(FLAT) {
        events.extend(converter.push_event(&event).unwrap());
    }
    events.extend(converter.finish(StreamEnd::DoneMarker));
    let mut sse = Vec::new();
    write_response_sse(&mut sse, &events).unwrap();
    let report = check_bytes(Protocol::Responses, Format::Sse, &sse);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);

    let wire: Vec<Value> = events
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect();
    let of_type =
        |kind: &str| -> Vec<&Value> { wire.iter().filter(|e| e["type"] == kind).collect() };
    for kind in ["response.output_item.added", "response.output_item.done"] {
        let found = of_type(kind);
        assert_eq!(found.len(), 1, "{kind}: {wire:#?}");
        let item = &found[0]["item"];
        assert_eq!(item["type"], "function_call", "{item}");
        assert_eq!(item["namespace"], "multi_agent_v1", "{item}");
        assert_eq!(item["name"], "spawn_agent", "{item}");
        assert_eq!(item["call_id"], "call_spawn", "{item}");
    }
    let done = of_type("response.function_call_arguments.done");
    assert_eq!(done[0]["name"], "spawn_agent");
    assert_eq!(done[0]["arguments"], r#"{"task":"write the README"}"#);
    let completed = of_type("response.completed");
    let item = &completed[0]["response"]["output"][0];
    assert_eq!(
        (&item["namespace"], &item["name"]),
        (&json!("multi_agent_v1"), &json!("spawn_agent"))
    );

    // Next turn: the item comes back as the client received it, plus its output; the Chat
    // request names the flattened function again.
    let mut next = request.clone();
    let input = next["input"].as_array_mut().unwrap();
    input.push(item.clone());
    input.push(
        json!({"type": "function_call_output", "call_id": "call_spawn", "output": "agent started"}),
    );
    let chat = responses_to_chat(&next, &[], &ChatRequestOptions::default()).unwrap();
    let messages = chat.body["messages"].as_array().unwrap();
    let call = messages
        .iter()
        .flat_map(|m| m["tool_calls"].as_array().into_iter().flatten())
        .find(|c| c["id"] == "call_spawn")
        .unwrap_or_else(|| panic!("{messages:#?}"));
    assert_eq!(call["function"]["name"], FLAT);
    assert_eq!(
        messages.last().unwrap()["tool_call_id"],
        "call_spawn",
        "{messages:#?}"
    );
}
