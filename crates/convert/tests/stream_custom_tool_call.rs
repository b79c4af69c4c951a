//! A custom tool call streamed in Chat chunks (`type: "custom"`, `custom.name`, then
//! `custom.input` in pieces): the converter makes it a `custom_tool_call` item whose input is the
//! pieces as sent (free text, not JSON), the checker accepts the stream, and `ChatFold` folds it
//! into a custom call. The fixture is an OpenAI recording's function call rewritten as a custom
//! call (`tests/fixtures/stream/custom_tool_call.sse`).

#[path = "common/chat_stream.rs"]
mod chat_stream;

use chat_stream::{convert, fold_sse, to_sse};
use openai_wire_check::check_bytes;
use openai_wire_convert::stream::chat_to_responses::{StreamEnd, StreamOptions};
use openai_wire_decode::{Decoder, Format, Item, Protocol};
use openai_wire_events::{ChatCompletionMessageToolCall2, ChatCompletionStreamEvent, OutputItem};
use openai_wire_fold::ChatFold;
use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/stream/custom_tool_call.sse";

fn fixture() -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE)).expect("fixture")
}

/// The call's name and input as the fixture's JSON says them (read without the code under
/// test).
fn expected() -> (String, String, String) {
    let (mut id, mut name, mut input) = (String::new(), String::new(), String::new());
    for line in String::from_utf8(fixture()).expect("utf-8").lines() {
        let Some(data) = line.strip_prefix("data: ") else {
            continue;
        };
        let Ok(chunk) = serde_json::from_str::<Value>(data) else {
            continue;
        };
        for call in chunk["choices"][0]["delta"]["tool_calls"]
            .as_array()
            .into_iter()
            .flatten()
        {
            id.push_str(call["id"].as_str().unwrap_or_default());
            name.push_str(call["custom"]["name"].as_str().unwrap_or_default());
            input.push_str(call["custom"]["input"].as_str().unwrap_or_default());
        }
    }
    (id, name, input)
}

fn events() -> Vec<ChatCompletionStreamEvent> {
    let mut decoder = Decoder::<ChatCompletionStreamEvent>::new(Format::Sse);
    decoder.feed(&fixture());
    decoder.finish();
    let mut events = Vec::new();
    while let Some(item) = decoder.next_item() {
        if let Item::Event(decoded) = item.expect("the fixture decodes") {
            events.push(decoded.event);
        }
    }
    events
}

#[test]
fn the_stream_checks_clean() {
    let report = check_bytes(Protocol::Chat, Format::Sse, &fixture());
    assert_eq!(report.errors(), 0, "{:?}", report.findings);
}

#[test]
fn it_converts_to_a_custom_tool_call_item_with_the_input_as_sent() {
    let (id, name, input) = expected();
    assert_eq!(name, "apply_patch");
    assert!(input.starts_with("*** Begin Patch\n") && input.ends_with("*** End Patch"));
    let (out, response) = convert(&events(), StreamEnd::DoneMarker, StreamOptions::default());
    let bytes = to_sse(&out);
    let report = check_bytes(Protocol::Responses, Format::Sse, &bytes);
    assert_eq!(report.errors(), 0, "{:?}", report.findings);
    let deltas = out
        .iter()
        .filter(|e| {
            openai_wire_events::StreamEvent::wire_type(*e)
                == "response.custom_tool_call_input.delta"
        })
        .count();
    assert!(
        deltas >= 5,
        "the input streams as it comes: {deltas} deltas"
    );
    let folded = fold_sse(&bytes)
        .terminal()
        .cloned()
        .expect("a terminal event");
    assert_eq!(folded, response);
    match folded.output.as_slice() {
        [OutputItem::CustomToolCall(call)] => {
            assert_eq!(
                (call.call_id.as_str(), call.name.as_str()),
                (id.as_str(), name.as_str())
            );
            assert_eq!(call.input, input);
        }
        other => panic!("output: {other:?}"),
    }
}

#[test]
fn chat_fold_folds_it_into_a_custom_call() {
    let (id, name, input) = expected();
    let mut fold = ChatFold::new();
    for event in events() {
        fold.push_event(&event);
    }
    let completion = fold.completion();
    let calls = completion.choices[0]
        .message
        .tool_calls
        .clone()
        .unwrap_or_default();
    match calls.as_slice() {
        [ChatCompletionMessageToolCall2::Custom(call)] => {
            assert_eq!(call.id, id);
            assert_eq!(
                (call.custom.name.as_str(), call.custom.input.as_str()),
                (name.as_str(), input.as_str())
            );
        }
        other => panic!("tool calls: {other:?}"),
    }
}
