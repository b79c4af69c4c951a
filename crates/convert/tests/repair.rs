//! The Responses repairer (`openai_wire_convert::repair`): OpenAI's own recordings pass
//! unchanged; broken streams (scripted after public reports, `fixtures/repair/README.md`, and
//! real recordings of other servers) come out checking clean, with the expected fold.

#[path = "common/responses_stream.rs"]
mod responses_stream;

use openai_wire_check::check_bytes;
use openai_wire_convert::repair::{Repair, ResponsesRepair};
use openai_wire_decode::{Format, Protocol};
use openai_wire_emit::{SequentialIds, fill_response_defaults, write_response_sse};
use openai_wire_events::{Response, ResponseStreamEvent, StreamEvent};
use openai_wire_fold::fold_responses;
use proptest::prelude::*;
use responses_stream::{decode_file, decode_responses, is_terminal, responses_entries, segments};
use serde_json::{Value, json};

/// Repairs a whole stream; returns what the client gets and the repairs made.
fn repair(
    events: &[ResponseStreamEvent],
    template: Response,
) -> (Vec<ResponseStreamEvent>, Vec<(Repair, usize)>) {
    let mut repairer = ResponsesRepair::new(template, SequentialIds::new(1_767_225_999));
    let mut out = Vec::new();
    for event in events {
        out.extend(repairer.push(event.clone()));
    }
    (out, repairer.repairs().collect())
}

/// The template a gateway would give: the request's model and OpenAI's defaults.
fn gateway_template() -> Response {
    let mut template: Response =
        serde_json::from_value(json!({"model": "gateway-model", "temperature": 0.2})).unwrap();
    fill_response_defaults(&mut template);
    template
}

fn fixture(name: &str) -> Vec<ResponseStreamEvent> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/repair")
        .join(format!("{name}.sse"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    decode_responses(&bytes, Format::Sse).0
}

fn sse(events: &[ResponseStreamEvent]) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_response_sse(&mut bytes, events).unwrap();
    bytes
}

/// The check errors of a stream (and its `response.all-fields` warnings when `all_fields`).
fn findings(events: &[ResponseStreamEvent], all_fields: bool) -> Vec<String> {
    check_bytes(Protocol::Responses, Format::Sse, &sse(events))
        .findings
        .iter()
        .filter(|f| f.is_error() || (all_fields && f.rule.id == "response.all-fields"))
        .map(ToString::to_string)
        .collect()
}

fn types(events: &[ResponseStreamEvent]) -> Vec<&str> {
    events.iter().map(|e| e.wire_type()).collect()
}

fn count(repairs: &[(Repair, usize)], repair: Repair) -> usize {
    repairs
        .iter()
        .find(|(r, _)| *r == repair)
        .map_or(0, |(_, n)| *n)
}

/// Asserts that every field of `expected` is in `actual` with the same value (objects are
/// compared field by field, arrays item by item and must have the same length).
fn assert_contains(actual: &Value, expected: &Value, path: &str) {
    match (actual, expected) {
        (Value::Object(actual), Value::Object(expected)) => {
            for (key, value) in expected {
                let here = format!("{path}.{key}");
                let found = actual.get(key).unwrap_or(&Value::Null);
                assert_contains(found, value, &here);
            }
        }
        (Value::Array(actual), Value::Array(expected)) => {
            assert_eq!(actual.len(), expected.len(), "{path}: {actual:?}");
            for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
                assert_contains(a, e, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(actual, expected, "{path}"),
    }
}

/// The sequence numbers of a stream, as sent.
fn sequence_numbers(events: &[ResponseStreamEvent]) -> Vec<Value> {
    events
        .iter()
        .map(|e| serde_json::to_value(e).unwrap()["sequence_number"].clone())
        .collect()
}

/// Events numbered again from 0 (to compare a stream that got one more event first).
fn renumbered_from_zero(events: Vec<ResponseStreamEvent>) -> Vec<ResponseStreamEvent> {
    events
        .into_iter()
        .enumerate()
        .map(|(i, event)| {
            let mut json = serde_json::to_value(&event).unwrap();
            json["sequence_number"] = i.into();
            serde_json::from_value(json).unwrap()
        })
        .collect()
}

fn without_sequence(event: &ResponseStreamEvent) -> Value {
    let mut json = serde_json::to_value(event).unwrap();
    if let Value::Object(object) = &mut json {
        object.remove("sequence_number");
    }
    json
}

#[test]
fn every_openai_recording_that_ends_properly_passes_unchanged() {
    let mut streams = 0;
    for entry in responses_entries() {
        if !entry
            .notes
            .split(';')
            .any(|n| n.trim() == "provider=openai")
        {
            continue;
        }
        let (events, ended) = decode_file(&entry);
        if !ended {
            continue;
        }
        for segment in segments(events) {
            // A correct stream: it ends with its terminal event and checks clean (a few
            // recordings were trimmed by their authors; those are repaired, not passed).
            if !segment.last().is_some_and(is_terminal) || !findings(&segment, false).is_empty() {
                continue;
            }
            let (mut out, repairs) = repair(&segment, Response::default());
            let file = &entry.file;
            if let ResponseStreamEvent::ResponseInProgress(first) = &segment[0] {
                // A background response read from the middle starts with `in_progress`: the
                // client gets `response.created` (the same response) first, as it always did.
                assert_eq!(repairs, [(Repair::CreatedAdded, 1)], "{file}");
                let ResponseStreamEvent::ResponseCreated(created) = out.remove(0) else {
                    panic!("{file}: no response.created first");
                };
                assert_eq!(created.response, first.response, "{file}");
                out = renumbered_from_zero(out);
            } else {
                assert!(repairs.is_empty(), "{file}: {repairs:?}");
            }
            assert_eq!(types(&out), types(&segment), "{file}");
            let numbered: Vec<Value> = (0..segment.len()).map(Value::from).collect();
            if sequence_numbers(&segment) == numbered {
                // Numbered from 0 without gaps: the very same events.
                assert_eq!(out, segment, "{file}");
            } else {
                // Renumbered (the one change a relay always makes), nothing else.
                assert_eq!(sequence_numbers(&out), numbered, "{file}");
                for (sent, received) in out.iter().zip(&segment) {
                    assert_eq!(without_sequence(sent), without_sequence(received), "{file}");
                }
            }
            streams += 1;
        }
    }
    assert!(streams >= 40, "only {streams} OpenAI streams were checked");
}

#[test]
fn every_repair_names_rules_of_the_checker() {
    let all = [
        Repair::CreatedAdded,
        Repair::HousekeepingDropped,
        Repair::AfterTerminalDropped,
        Repair::ItemAdded,
        Repair::PartAdded,
        Repair::DeltaAdded,
        Repair::DoneAdded,
        Repair::IdAligned,
        Repair::DoneItemFilled,
        Repair::OutputFilled,
        Repair::SnapshotCompleted,
        Repair::UsageCompleted,
    ];
    for repair in all {
        assert!(!repair.rules().is_empty(), "{repair:?}");
        for id in repair.rules() {
            assert!(
                openai_wire_check::rule(id).is_ok(),
                "{repair:?}: no rule {id}"
            );
        }
        assert!(!repair.describe().is_empty());
    }
}

/// A broken fixture: the checker finds errors in it as sent, none once repaired.
fn repaired_fixture(name: &str) -> (Vec<ResponseStreamEvent>, Vec<(Repair, usize)>) {
    let events = fixture(name);
    assert!(!findings(&events, false).is_empty(), "{name} is not broken");
    let (out, repairs) = repair(&events, gateway_template());
    let left = findings(&out, true);
    assert!(left.is_empty(), "{name}: {left:#?}");
    let numbered: Vec<Value> = (0..out.len()).map(Value::from).collect();
    assert_eq!(sequence_numbers(&out), numbered, "{name}");
    (out, repairs)
}

/// The final response a client folds from `events`, as JSON.
fn folded(events: &[ResponseStreamEvent]) -> Value {
    let fold = fold_responses(events.iter().cloned());
    assert!(fold.differences().is_empty(), "{:?}", fold.differences());
    serde_json::to_value(fold.into_response()).unwrap()
}

#[test]
fn missing_done_events_are_sent_with_the_whole_values() {
    let (out, repairs) = repaired_fixture("missing_done_events");
    assert_eq!(
        types(&out),
        [
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.reasoning_summary_part.added",
            "response.reasoning_summary_text.delta",
            "response.reasoning_summary_text.delta",
            "response.reasoning_summary_text.done",
            "response.reasoning_summary_part.done",
            "response.output_item.done",
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.completed",
        ]
    );
    let json = serde_json::to_value(&out[6]).unwrap();
    assert_eq!(json["text"], "The user asks 2 + 2. Answer 4.");
    let json = serde_json::to_value(&out[13]).unwrap();
    assert_eq!(json["text"], "2 + 2 = 4.");
    assert_eq!(count(&repairs, Repair::DoneAdded), 5);
    assert_eq!(count(&repairs, Repair::OutputFilled), 1);
    let response = folded(&out);
    assert_contains(
        &response,
        &json!({
            "id": "resp_llamastack_1", "status": "completed", "model": "gpt-oss:20b",
            "temperature": 0.2, "top_p": 1.0, "truncation": "disabled",
            "output": [
                {"type": "reasoning", "id": "rs_1",
                 "summary": [{"type": "summary_text", "text": "The user asks 2 + 2. Answer 4."}]},
                {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
                 "content": [{"type": "output_text", "text": "2 + 2 = 4.", "annotations": []}]},
            ],
            "usage": {"input_tokens": 20, "output_tokens": 12, "total_tokens": 32,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens_details": {"reasoning_tokens": 0}},
        }),
        "response",
    );
}

#[test]
fn a_call_keeps_its_streamed_id_and_call_id_in_the_final_output() {
    let (out, repairs) = repaired_fixture("vllm_id_drift");
    assert_eq!(
        types(&out),
        [
            "response.created",
            "response.output_item.added",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.done",
            "response.output_item.done",
            "response.completed",
        ]
    );
    let done = serde_json::to_value(&out[4]).unwrap();
    assert_eq!(done["arguments"], r#"{"cmd":"ls -la"}"#);
    assert_eq!(done["name"], "exec_command");
    assert_eq!(count(&repairs, Repair::IdAligned), 1);
    let response = folded(&out);
    assert_contains(
        &response,
        &json!({"output": [{"type": "function_call", "id": "9b1c2d3e4f",
            "call_id": "call_9b1c2d3e4f", "name": "exec_command",
            "arguments": "{\"cmd\":\"ls -la\"}", "status": "completed"}]}),
        "response",
    );
}

#[test]
fn rotating_ids_become_the_streamed_ones() {
    let (out, repairs) = repaired_fixture("id_rotation");
    for event in &out[1..out.len() - 1] {
        let json = serde_json::to_value(event).unwrap();
        let id = json.get("item_id").unwrap_or(&json["item"]["id"]);
        assert_eq!(id, "msg_a", "{json}");
    }
    // Six events named the item otherwise, and the final output did; the response id too.
    assert_eq!(count(&repairs, Repair::IdAligned), 8);
    let response = folded(&out);
    assert_contains(
        &response,
        &json!({"id": "resp_rot_1", "output": [{"id": "msg_a",
            "content": [{"text": "Done: 3 files."}]}]}),
        "response",
    );
}

#[test]
fn housekeeping_events_are_dropped() {
    let events = fixture("housekeeping");
    let (out, repairs) = repaired_fixture("housekeeping");
    let kept: Vec<&str> = types(&events)
        .into_iter()
        .filter(|t| !matches!(*t, "keepalive" | "ping"))
        .collect();
    assert_eq!(types(&out), kept);
    assert_eq!(count(&repairs, Repair::HousekeepingDropped), 2);
    assert_eq!(count(&repairs, Repair::AfterTerminalDropped), 1);
    // Nothing else changed but the numbering: the known events are the upstream's.
    let (out, _) = repair(&events, Response::default());
    let known: Vec<Value> = events
        .iter()
        .filter(|e| !e.is_unknown())
        .map(without_sequence)
        .collect();
    let sent: Vec<Value> = out.iter().map(without_sequence).collect();
    assert_eq!(sent, known);
}

#[test]
fn sparse_lifecycle_objects_are_completed() {
    let (out, repairs) = repaired_fixture("sparse_lifecycle");
    assert!(
        count(&repairs, Repair::SnapshotCompleted) >= 2,
        "{repairs:?}"
    );
    assert_eq!(count(&repairs, Repair::UsageCompleted), 1);
    assert_eq!(count(&repairs, Repair::OutputFilled), 1);
    for event in [&out[0], &out[1], out.last().unwrap()] {
        let json = serde_json::to_value(event).unwrap();
        let response = &json["response"];
        assert_eq!(response["id"], "resp_sparse_1", "{json}");
        assert_eq!(response["model"], "qwen3-coder", "{json}");
        assert_eq!(response["created_at"], 1_767_225_999.0, "{json}");
        assert_eq!(response["temperature"], 0.2, "{json}");
    }
    let response = folded(&out);
    assert_contains(
        &response,
        &json!({"status": "completed", "object": "response",
            "output": [{"type": "message", "id": "msg_1", "content": [{"text": "Hi!"}]}],
            "usage": {"input_tokens": 9, "output_tokens": 2, "total_tokens": 11,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens_details": {"reasoning_tokens": 0}}}),
        "response",
    );
}

#[test]
fn an_unannounced_item_is_announced() {
    let (out, repairs) = repaired_fixture("unannounced_item");
    assert_eq!(
        types(&out),
        [
            "response.created",
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.completed",
        ]
    );
    assert_eq!(count(&repairs, Repair::ItemAdded), 1);
    assert_eq!(count(&repairs, Repair::PartAdded), 1);
    let response = folded(&out);
    assert_contains(
        &response,
        &json!({"output": [{"type": "message", "id": "msg_x", "status": "completed",
            "content": [{"text": "pong"}]}]}),
        "response",
    );
}

/// A stream cut off before its end: the server pushes the terminal event itself.
#[test]
fn a_server_ended_stream_finishes_its_open_items_incomplete() {
    let events = fixture("missing_done_events");
    let mut repairer = ResponsesRepair::new(gateway_template(), SequentialIds::default());
    let mut out = Vec::new();
    for event in &events[..9] {
        out.extend(repairer.push(event.clone()));
    }
    let mut response = repairer.response();
    response.status = Some(openai_wire_events::ResponseStatus::Incomplete);
    let incomplete = openai_wire_events::ResponseIncompleteEvent {
        response,
        ..Default::default()
    };
    out.extend(
        repairer.push(ResponseStreamEvent::ResponseIncomplete(Box::new(
            incomplete,
        ))),
    );
    assert!(repairer.is_ended());
    let left = findings(&out, true);
    assert!(left.is_empty(), "{left:#?}");
    let response = folded(&out);
    assert_contains(
        &response,
        &json!({"status": "incomplete", "output": [
            {"type": "reasoning", "id": "rs_1"},
            {"type": "message", "id": "msg_1", "status": "incomplete",
             "content": [{"text": "2 + 2"}]}]}),
        "response",
    );
}

/// Other servers' recordings in the corpus that end properly check clean once repaired (the
/// Copilot one rotates its ids; LM Studio's sends function arguments only in the done event).
#[test]
fn other_servers_recordings_check_clean_once_repaired() {
    let mut repaired = Vec::new();
    let mut failures = Vec::new();
    for entry in responses_entries() {
        if entry
            .notes
            .split(';')
            .any(|n| n.trim() == "provider=openai")
        {
            continue;
        }
        // Bedrock's numbers its only content part 1 (the repairer does not renumber indices);
        // the Azure one had its texts replaced by its recorder, so that its deltas and done
        // texts disagree (the repairer does not arbitrate between them).
        if entry.file.contains("bedrock_mantle") || entry.file.contains("no-encryption") {
            continue;
        }
        let (events, ended) = decode_file(&entry);
        if !ended {
            continue;
        }
        for segment in segments(events) {
            if !segment.last().is_some_and(is_terminal) {
                continue;
            }
            let (out, repairs) = repair(&segment, Response::default());
            let left = findings(&out, false);
            if !left.is_empty() {
                failures.push(format!("{}: {left:#?}", entry.file));
            }
            if !repairs.is_empty() {
                repaired.push(entry.file.clone());
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    for name in [
        "github-copilot-id-rotation",
        "lmstudio-tool-call.1",
        "lmstudio-tool-call.2",
    ] {
        assert!(
            repaired.iter().any(|file| file.contains(name)),
            "{name} needed no repair: {repaired:?}"
        );
    }
}

/// Events no server sends but a library user can build: never a panic, and they pass.
#[test]
fn events_that_are_not_objects_pass_without_a_panic() {
    let odd = ResponseStreamEvent::Unknown(openai_wire_events::UnknownEvent {
        event_type: "response.odd".into(),
        raw: json!([1, 2]),
    });
    let added = json!({"type": "response.output_item.added", "output_index": 0,
        "item": {"type": "new_kind_of_item"}});
    let events = [
        ResponseStreamEvent::from_json(r#"{"type":"response.created","response":{}}"#).unwrap(),
        serde_json::from_value(added).unwrap(),
        odd.clone(),
        ResponseStreamEvent::from_json(r#"{"type":"response.completed","response":{}}"#).unwrap(),
    ];
    let (out, _) = repair(&events, Response::default());
    assert!(out.contains(&odd));
    assert_eq!(
        out.last().map(|e| e.wire_type()),
        Some("response.completed")
    );
}

/// Which events a property test may drop from a correct stream: the done events.
fn is_done_event(event: &ResponseStreamEvent) -> bool {
    matches!(
        event.wire_type(),
        "response.output_text.done"
            | "response.content_part.done"
            | "response.output_item.done"
            | "response.reasoning_summary_text.done"
            | "response.reasoning_summary_part.done"
            | "response.function_call_arguments.done"
            | "response.custom_tool_call_input.done"
    )
}

/// Correct OpenAI streams with text, reasoning summaries, function and custom tool calls.
fn correct_streams() -> Vec<(String, Vec<ResponseStreamEvent>)> {
    let wanted = [
        "openai-dotnet__ResponsesTests__StreamingResponsesWithReasoningSummary__e0.sse",
        "openai-dotnet__ResponsesTests__FunctionCallStreamingWorks__e0.sse",
        "openai-dotnet__ResponsesTests__CustomToolCallStreamingWorks__e0.sse",
        "openai-dotnet__ResponsesTests__StreamingResponses__e0.sse",
    ];
    responses_entries()
        .into_iter()
        .filter(|entry| wanted.iter().any(|w| entry.file.ends_with(w)))
        .map(|entry| (entry.file.clone(), decode_file(&entry).0))
        .collect()
}

/// Every event of the broken fixtures and of two correct recordings: a pool to draw from.
fn event_pool() -> Vec<ResponseStreamEvent> {
    let mut pool: Vec<ResponseStreamEvent> = [
        "missing_done_events",
        "vllm_id_drift",
        "id_rotation",
        "housekeeping",
        "sparse_lifecycle",
        "unannounced_item",
    ]
    .into_iter()
    .flat_map(fixture)
    .collect();
    for (_, events) in correct_streams().into_iter().take(2) {
        pool.extend(events);
    }
    pool
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Events in any order, repeated or missing: the repairer never panics, numbers what it
    /// sends from 0, and sends nothing after a terminal event.
    #[test]
    fn any_sequence_of_events_is_repaired_without_a_panic(
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 0..80),
    ) {
        let pool = event_pool();
        let events: Vec<ResponseStreamEvent> =
            picks.iter().map(|pick| pool[pick.index(pool.len())].clone()).collect();
        let (out, _) = repair(&events, gateway_template());
        let numbered: Vec<Value> = (0..out.len()).map(Value::from).collect();
        prop_assert_eq!(sequence_numbers(&out), numbered);
        let terminals = out.iter().filter(|e| is_terminal(e) && e.wire_type() != "error").count();
        prop_assert!(terminals <= 1);
        if terminals == 1 {
            prop_assert!(is_terminal(out.last().unwrap()));
        }
    }

    /// Any done events dropped from a correct stream, keepalives put in and the final output
    /// emptied: the repaired stream checks clean and folds to the original output.
    #[test]
    fn a_correct_stream_with_its_done_events_dropped_is_repaired(
        drops in proptest::collection::vec(any::<bool>(), 64),
        keepalives in proptest::collection::vec(any::<bool>(), 64),
        empty_output in any::<bool>(),
    ) {
        for (file, events) in correct_streams() {
            let original = fold_responses(events.iter().cloned());
            let expected = original.terminal().expect("a terminal event").output.clone();
            let mut broken = Vec::new();
            let mut dones = 0;
            for (i, event) in events.iter().enumerate() {
                if keepalives[i % keepalives.len()] && i > 0 {
                    broken.push(ResponseStreamEvent::from_json(r#"{"type":"keepalive"}"#).unwrap());
                }
                if is_done_event(event) {
                    dones += 1;
                    if drops[dones % drops.len()] {
                        continue;
                    }
                }
                let mut event = event.clone();
                if empty_output && let ResponseStreamEvent::ResponseCompleted(done) = &mut event {
                    done.response.output.clear();
                }
                broken.push(event);
            }
            let (out, _) = repair(&broken, Response::default());
            let left = findings(&out, false);
            prop_assert!(left.is_empty(), "{}: {:#?}", file, left);
            let fold = fold_responses(out.iter().cloned());
            prop_assert_eq!(&fold.response().output, &expected, "{}", file);
            prop_assert_eq!(&fold.terminal().expect("terminal").output, &expected, "{}", file);
        }
    }
}

/// The text deltas of a fixture, read from its JSON (not by the code under test).
fn streamed_text(name: &str) -> String {
    fixture(name)
        .iter()
        .filter(|e| e.wire_type() == "response.output_text.delta")
        .map(|e| {
            serde_json::to_value(e).unwrap()["delta"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// A Chat client behind a broken Responses upstream (the gateway's `ChatOverResponses`, which
/// does not go through the repairer) gets the same completion as from the repaired stream: the
/// Chat conversion reads deltas and call fragments, so missing done events, drifting ids,
/// housekeeping events and sparse lifecycle objects do not reach it.
#[test]
fn the_chat_conversion_of_each_broken_kind_equals_that_of_its_repair() {
    use openai_wire_convert::stream::responses_to_chat::{Outcome, ResponsesToChatOptions};
    let names = [
        "missing_done_events",
        "vllm_id_drift",
        "id_rotation",
        "housekeeping",
        "sparse_lifecycle",
        "unannounced_item",
    ];
    for name in names {
        let raw = fixture(name);
        let (repaired, _) = repair(&raw, gateway_template());
        let chat = |events: &[ResponseStreamEvent]| {
            let options = ResponsesToChatOptions::default().with_usage(true);
            let converted = responses_stream::convert(events, true, options);
            assert_eq!(converted.outcome, Outcome::Completed, "{name}");
            let (fold, done) = responses_stream::read_chat(&converted.sse);
            assert!(done, "{name}: [DONE]");
            let completion = fold.completion();
            json!({"choices": completion.choices, "usage": completion.usage})
        };
        let direct = chat(&raw);
        assert_eq!(direct, chat(&repaired), "{name}");
        let message = &direct["choices"][0]["message"];
        let text = streamed_text(name);
        if text.is_empty() {
            assert_eq!(message["tool_calls"][0]["function"]["name"], "exec_command");
        } else {
            assert_eq!(message["content"], text.as_str(), "{name}");
        }
        assert!(
            direct["usage"]["total_tokens"].as_i64().unwrap() > 0,
            "{name}"
        );
    }
}
