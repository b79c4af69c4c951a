//! `compute_units` in usage (openai-node 7.8.0, `spec/additions/usage.yaml`): read from a Chat
//! or Responses stream, kept on re-encoding, and carried across a conversion either way. The
//! streams are real recordings whose final usage gets a `compute_units` added, as a server that
//! sends it would.

#[path = "common/chat_stream.rs"]
mod chat_stream;
#[path = "common/responses_stream.rs"]
mod responses_stream;

use openai_wire_convert::stream::chat_to_responses::{StreamEnd, StreamOptions};
use openai_wire_convert::stream::responses_to_chat::ResponsesToChatOptions;
use openai_wire_decode::{Decoder, Format, Item};
use openai_wire_events::{ChatCompletionStreamEvent, ResponseStreamEvent, StreamEvent};
use serde_json::Value;

const CHAT: &str = "chat/crewai__cassettes__test_crew_kickoff_streaming_usage_metrics__i1.sse";
const RESPONSES: &str =
    "responses/openai-dotnet__ResponsesTests__CanStreamBackgroundResponsesAsync__e0.sse";
const UNITS: f64 = 0.125;

/// A corpus recording with `"compute_units":0.125` after the `total_tokens` of `usage_start`.
fn with_compute_units(file: &str, usage_start: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(openai_wire_test_support::corpus_dir().join(file))
        .expect("corpus file");
    let at = text.rfind(usage_start).expect("the recording has a usage");
    let total = at + text[at..].find("\"total_tokens\":").expect("total_tokens");
    let end = total + text[total..].find(['}', ',']).expect("end of the number");
    let mut out = text[..end].to_owned();
    out.push_str(&format!(",\"compute_units\":{UNITS}"));
    out.push_str(&text[end..]);
    out.into_bytes()
}

fn decode<E: StreamEvent>(bytes: &[u8]) -> Vec<E> {
    let mut decoder = Decoder::<E>::new(Format::Sse);
    decoder.feed(bytes);
    decoder.finish();
    let mut events = Vec::new();
    while let Some(item) = decoder.next_item() {
        if let Item::Event(decoded) = item.expect("the stream decodes") {
            events.push(decoded.event);
        }
    }
    events
}

#[test]
fn a_chat_usage_keeps_compute_units_when_read_and_written_back() {
    let events: Vec<ChatCompletionStreamEvent> =
        decode(&with_compute_units(CHAT, "\"usage\":{\"prompt_tokens\""));
    let last = events.last().expect("events");
    let json: Value = serde_json::to_value(last).expect("serializes");
    assert_eq!(json["usage"]["compute_units"], UNITS);
}

#[test]
fn chat_compute_units_reach_the_converted_response() {
    let events: Vec<ChatCompletionStreamEvent> =
        decode(&with_compute_units(CHAT, "\"usage\":{\"prompt_tokens\""));
    let (out, response) =
        chat_stream::convert(&events, StreamEnd::DoneMarker, StreamOptions::default());
    assert_eq!(chat_stream::terminal(&out), "response.completed");
    let usage = response.usage.expect("usage");
    assert_eq!(usage.compute_units, Some(UNITS));
    assert_eq!(usage.input_tokens, 176);
}

#[test]
fn responses_compute_units_reach_the_converted_chat_usage() {
    let bytes = with_compute_units(RESPONSES, "\"usage\":{\"input_tokens\"");
    let events: Vec<ResponseStreamEvent> = decode(&bytes);
    let options = ResponsesToChatOptions::default().with_usage(true);
    let converted = responses_stream::convert(&events, true, options);
    let (fold, done) = responses_stream::read_chat(&converted.sse);
    assert!(done);
    let usage = fold.usage().expect("usage");
    assert_eq!(usage.compute_units, Some(UNITS));
    assert_eq!(usage.prompt_tokens, 13);
}

#[test]
fn a_usage_without_compute_units_writes_none() {
    let events: Vec<ChatCompletionStreamEvent> =
        decode(&std::fs::read(openai_wire_test_support::corpus_dir().join(CHAT)).expect("file"));
    let json: Value = serde_json::to_value(events.last().expect("events")).expect("serializes");
    assert!(json["usage"].get("compute_units").is_none(), "{json}");
}
