//! The events of `spec/additions/` (newer than the spec snapshot) decode to their typed variants:
//! the Agents session stream and the Live API fixtures of `fixtures/corpus/` (built from the
//! openai-python 3.63.0 types, see the MANIFEST), and the Responses WebSocket steer events,
//! misalignment errors, `configuration_update` items and prompt-cache diagnostics, whose JSON
//! below was validated against the same SDK's types.

mod common;
use common::corpus_dir;

use openai_wire_decode::{Decoder, Format, Item, decode_message};
use openai_wire_events::{
    AgentSessionStreamEvent, ItemResource, LiveServerEvent, PromptCacheDiagnostics,
    ResponseStreamEvent, ResponsesClientEvent, StreamEvent,
};

/// Every event of a file, decoded, with its SSE event name (if any).
fn decode_all<E: StreamEvent>(file: &str, format: Format) -> Vec<(Option<String>, E)> {
    let bytes = std::fs::read(corpus_dir().join(file)).expect("fixture");
    let mut decoder = Decoder::<E>::new(format);
    decoder.feed(&bytes);
    decoder.finish();
    let mut events = Vec::new();
    while let Some(item) = decoder.next_item() {
        match item {
            Ok(Item::Event(decoded)) => {
                events.push((decoded.event_name.map(str::to_owned), decoded.event.clone()))
            }
            Ok(_) => {}
            Err(error) => panic!("{file}: {error}"),
        }
    }
    events
}

#[test]
fn the_agent_session_fixture_decodes_to_typed_events() {
    let events = decode_all::<AgentSessionStreamEvent>(
        "agent_sessions/sdk-types__agent_session_turn.sse",
        Format::Sse,
    );
    assert_eq!(events.len(), 23);
    let mut deltas = String::new();
    let mut done = None;
    for (name, event) in &events {
        assert!(!event.is_unknown(), "{event:?}");
        // The SSE event name and the payload's type agree.
        assert_eq!(name.as_deref(), Some(event.wire_type()));
        match event {
            AgentSessionStreamEvent::AgentSessionTurnOutputTextDelta(delta) => {
                assert_eq!(delta.item_id, "msg_01HZX5");
                deltas.push_str(&delta.delta);
            }
            AgentSessionStreamEvent::AgentSessionTurnOutputTextDone(text) => {
                done = Some(text.text.clone());
            }
            _ => {}
        }
    }
    assert_eq!(done.as_deref(), Some("The repository has 3 crates."));
    assert_eq!(deltas, "The repository has 3 crates.");
    let (_, first) = &events[0];
    let AgentSessionStreamEvent::AgentSessionCreated(created) = first else {
        panic!("first event is {first:?}");
    };
    assert_eq!(created.session.id, "sess_01HZX3");
    let (_, completed) = &events[events.len() - 2];
    let AgentSessionStreamEvent::AgentSessionTurnCompleted(completed) = completed else {
        panic!("{completed:?}");
    };
    let usage = completed.usage.as_ref().expect("usage");
    assert_eq!(usage.total_tokens, 853);
}

#[test]
fn the_live_fixture_decodes_to_typed_events_and_ends_with_its_terminal_event() {
    let events = decode_all::<LiveServerEvent>(
        "live/sdk-types__live_session.server-events.jsonl",
        Format::Jsonl,
    );
    assert_eq!(events.len(), 10);
    assert!(events.iter().all(|(_, e)| !e.is_unknown()));
    let transcript: String = events
        .iter()
        .filter_map(|(_, event)| match event {
            LiveServerEvent::SessionOutputTranscriptDelta(delta) => Some(delta.delta.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(transcript, "It is sunny in Paris.");
    let (_, last) = events.last().expect("events");
    assert!(last.is_terminal());
    let LiveServerEvent::SessionClosed(closed) = last else {
        panic!("{last:?}");
    };
    assert_eq!(closed.session.id, "live_sess_01HZY1");
    assert!(
        events[..events.len() - 1]
            .iter()
            .all(|(_, e)| !e.is_terminal())
    );
}

#[test]
fn steer_events_decode_on_both_sides_of_the_responses_websocket() {
    let accepted = r#"{"type":"response.steer.accepted","sequence_number":12,"steer":{"id":"str_1","previous_response_id":"resp_1"},"stream_id":"lane_a"}"#;
    let pending = r#"{"type":"response.steer.pending","sequence_number":13,"reason":"waiting_for_required_input","required_input":[{"type":"function_call_output","call_id":"call_1","name":"get_weather"}],"steer":{"id":"str_2","previous_response_id":"resp_1"}}"#;
    let failed = r#"{"type":"response.steer.failed","sequence_number":14,"error":{"type":"invalid_request_error","code":"response_already_completed","message":"The response has already completed."},"steer":{"input":"Use metric units.","previous_response_id":"resp_1"}}"#;
    let steer =
        r#"{"type":"response.steer","previous_response_id":"resp_1","input":"Use metric units."}"#;

    let event: ResponseStreamEvent = decode_message(accepted).expect("accepted");
    let ResponseStreamEvent::ResponseSteerAccepted(accepted) = event else {
        panic!("{event:?}");
    };
    assert_eq!(accepted.steer.id, "str_1");
    assert_eq!(accepted.stream_id.as_deref(), Some("lane_a"));

    let event: ResponseStreamEvent = decode_message(pending).expect("pending");
    let ResponseStreamEvent::ResponseSteerPending(pending) = event else {
        panic!("{event:?}");
    };
    assert_eq!(pending.required_input.len(), 1);
    assert_eq!(pending.sequence_number, Some(13));

    let event: ResponseStreamEvent = decode_message(failed).expect("failed");
    let ResponseStreamEvent::ResponseSteerFailed(failed) = &event else {
        panic!("{event:?}");
    };
    assert_eq!(failed.error.message, "The response has already completed.");
    assert!(!event.is_terminal());

    let event: ResponsesClientEvent = decode_message(steer).expect("steer");
    let ResponsesClientEvent::ResponseSteer(steer) = event else {
        panic!("{event:?}");
    };
    assert_eq!(steer.previous_response_id, "resp_1");
}

#[test]
fn a_websocket_error_keeps_its_headers_and_misalignment() {
    let json = r#"{"type":"error","status":400,"stream_id":"lane_a","error":{"type":"invalid_request_error","code":"misalignment_policy_violation","message":"The request was stopped by a misalignment policy.","param":null,"headers":{"x-request-id":"req_123"},"misalignment":{"error_type":"potentially_unintended_data_transfer","review_target":"tool_call","steer":{"message":"Ask the user before sending files."}}}}"#;
    let event: ResponseStreamEvent = decode_message(json).expect("error event");
    let ResponseStreamEvent::Error(error) = &event else {
        panic!("{event:?}");
    };
    let payload = error.error.as_ref().expect("nested error");
    assert_eq!(
        payload
            .headers
            .as_ref()
            .and_then(|h| h.get("x-request-id"))
            .map(String::as_str),
        Some("req_123")
    );
    let misalignment = payload.misalignment.as_ref().expect("misalignment");
    assert_eq!(misalignment.review_target.as_deref(), Some("tool_call"));
    let written = serde_json::to_value(&event).expect("serializes");
    assert_eq!(
        written["error"]["misalignment"]["steer"]["message"],
        "Ask the user before sending files."
    );
}

#[test]
fn configuration_update_items_and_cache_diagnostics_are_typed() {
    let item = r#"{"id":"cu_1","type":"configuration_update","reasoning":{"effort":"high"},"text":{"format":{"type":"text"}}}"#;
    let item: ItemResource = serde_json::from_str(item).expect("item");
    let ItemResource::ConfigurationUpdate(update) = item else {
        panic!("{item:?}");
    };
    assert_eq!(update.id, "cu_1");

    let diagnostics = r#"{"type":"cache_miss","reason":"tools_changed","cache_missed_tokens":2048,"comparison_reusable_tokens":1024}"#;
    let diagnostics: PromptCacheDiagnostics =
        serde_json::from_str(diagnostics).expect("diagnostics");
    let PromptCacheDiagnostics::CacheMiss(miss) = diagnostics else {
        panic!("{diagnostics:?}");
    };
    assert_eq!(miss.cache_missed_tokens, 2048);
}
