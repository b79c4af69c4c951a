//! The checker catches injected faults: real OpenAI streams, mutated one way at a time, are
//! reported by the rule that names the fault, and the untouched streams have zero errors.

mod common;

use std::collections::BTreeSet;

use openai_wire_check::{
    ChatChecker, Finding, ResponseChecker, Severity, StreamChecker, check_bytes,
};
use openai_wire_decode::{Decoder, Item, Protocol};
use openai_wire_events::{ChatCompletionStreamEvent, ResponseStreamEvent, StreamEvent};
use serde_json::{Value, json};

/// OpenAI Responses streams, covering each kind of streamed value.
const RESPONSES: &[&str] = &[
    "responses/openai-dotnet__ResponsesTests__StreamingResponses__e0.sse",
    "responses/openai-dotnet__ResponsesTests__FunctionCallStreamingWorks__e0.sse",
    "responses/openai-dotnet__ResponsesTests__StreamingResponsesWithReasoningSummary__e0.sse",
    "responses/openai-dotnet__ResponsesTests__CustomToolCallStreamingWorks__e0.sse",
    "responses/openai-dotnet__ResponsesToolTests__CodeInterpreterToolStreaming__e0.sse",
    "responses/openai-dotnet__ResponsesToolTests__MCPToolStreamingWorks__e0.sse",
    "responses/ruby-openai__cassettes__responses_stream__i0.sse",
    "responses/vercel-ai.openai__openai-web-search-tool.1.chunks.txt",
];

/// OpenAI Chat streams: text, tool calls, usage.
const CHAT: &[&str] = &[
    "chat/crewai__llms__TestOpenAIToolCallStreaming.test_openai_streaming_emits_tool_call_events__i0.sse",
    "chat/openai-python__test_parse_multiple_pydantic_tools__453df473e9.sse",
    "chat/crewai__openai__test_openai_streaming_returns_usage_metrics__i0.sse",
];

/// A recorded stream as JSON values (the events' raw text) and whether it ended with [DONE].
struct Stream {
    file: &'static str,
    events: Vec<Value>,
    done_marker: bool,
}

fn load<E: StreamEvent>(file: &'static str) -> Stream {
    let entry = common::manifest()
        .into_iter()
        .find(|e| e.file == file)
        .unwrap_or_else(|| panic!("{file} is not in the MANIFEST"));
    assert!(entry.is_openai(), "{file} is not an OpenAI stream");
    let mut decoder = Decoder::<E>::new(entry.format);
    decoder.feed(&entry.bytes());
    decoder.finish();
    let mut events = Vec::new();
    let mut done_marker = false;
    while let Some(item) = decoder.next_item() {
        match item.expect("the corpus decodes") {
            Item::Event(decoded) => events.push(serde_json::from_str(decoded.raw).expect("JSON")),
            Item::Done(_) => done_marker = true,
            Item::Comment(_) => {}
        }
    }
    assert!(events.len() > 3, "{file}");
    Stream {
        file,
        events,
        done_marker,
    }
}

/// Checks the events, each pushed with its text as `check_bytes` pushes it.
fn run<C>(mut checker: C, events: &[Value], done_marker: bool) -> Vec<Finding>
where
    C: StreamChecker,
    C::Event: StreamEvent,
{
    for (index, value) in events.iter().enumerate() {
        let raw = value.to_string();
        let event = C::Event::from_json(&raw).expect("a mutated event still decodes");
        checker.push_raw(index, &event, &raw);
    }
    if done_marker {
        checker.push_done_marker(events.len());
    }
    checker.finish(None)
}

fn responses(events: &[Value]) -> Vec<Finding> {
    run(ResponseChecker::new(), events, false)
}

fn chat(events: &[Value], done_marker: bool) -> Vec<Finding> {
    run(ChatChecker::new(), events, done_marker)
}

fn error_ids(findings: &[Finding]) -> BTreeSet<&'static str> {
    findings
        .iter()
        .filter(|f| f.rule.severity == Severity::Error)
        .map(|f| f.rule.id)
        .collect()
}

fn ids(findings: &[Finding]) -> BTreeSet<&'static str> {
    findings.iter().map(|f| f.rule.id).collect()
}

/// The findings of the mutated `events` that the untouched stream does not have (older
/// recordings have `response.all-fields` warnings of their own).
fn new_findings(stream: &Stream, events: &[Value], done_marker: bool) -> Vec<Finding> {
    let before = run(ResponseChecker::new(), &stream.events, false);
    run(ResponseChecker::new(), events, done_marker)
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect()
}

fn kind(event: &Value) -> &str {
    event["type"].as_str().unwrap_or_default()
}

fn position(events: &[Value], wanted: &str) -> Option<usize> {
    events.iter().position(|e| kind(e) == wanted)
}

fn positions(events: &[Value], wanted: &str) -> Vec<usize> {
    (0..events.len())
        .filter(|&i| kind(&events[i]) == wanted)
        .collect()
}

/// Applies `mutate` to a copy of the stream and asserts that `rule` reports it as an error.
#[track_caller]
fn assert_caught(stream: &Stream, what: &str, rule: &str, mutate: impl FnOnce(&mut Vec<Value>)) {
    let mut events = stream.events.clone();
    mutate(&mut events);
    assert_ne!(
        events, stream.events,
        "{}: `{what}` changed nothing",
        stream.file
    );
    let findings = responses(&events);
    assert!(
        error_ids(&findings).contains(rule),
        "{}: `{what}` should be reported by {rule}; got:\n{}",
        stream.file,
        findings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn untouched_openai_streams_have_zero_errors() {
    for file in RESPONSES {
        let stream = load::<ResponseStreamEvent>(file);
        let findings = responses(&stream.events);
        assert!(error_ids(&findings).is_empty(), "{file}: {findings:?}");
    }
    for file in CHAT {
        let stream = load::<ChatCompletionStreamEvent>(file);
        assert!(stream.done_marker, "{file}");
        let findings = chat(&stream.events, true);
        assert!(error_ids(&findings).is_empty(), "{file}: {findings:?}");
    }
}

#[test]
fn dropping_an_added_event_is_caught() {
    for file in RESPONSES {
        let s = load::<ResponseStreamEvent>(file);
        let added = position(&s.events, "response.output_item.added").unwrap();
        assert_caught(&s, "drop output_item.added", "nesting.item-done", |e| {
            e.remove(added);
        });
        if let Some(part) = position(&s.events, "response.content_part.added") {
            assert_caught(&s, "drop content_part.added", "index.part-known", |e| {
                e.remove(part);
            });
        }
        if let Some(part) = position(&s.events, "response.reasoning_summary_part.added") {
            assert_caught(
                &s,
                "drop reasoning_summary_part.added",
                "index.part-known",
                |e| {
                    e.remove(part);
                },
            );
        }
    }
}

#[test]
fn dropping_a_done_event_is_caught() {
    for file in RESPONSES {
        let s = load::<ResponseStreamEvent>(file);
        for at in positions(&s.events, "response.output_item.done") {
            assert_caught(&s, "drop output_item.done", "nesting.item-done", |e| {
                e.remove(at);
            });
        }
        if let Some(part) = position(&s.events, "response.content_part.done") {
            assert_caught(&s, "drop content_part.done", "nesting.part-done", |e| {
                e.remove(part);
            });
        }
    }
}

#[test]
fn altering_a_delta_is_caught_by_the_rule_of_its_value() {
    let cases = [
        ("response.output_text.delta", "delta.text-matches-done"),
        (
            "response.function_call_arguments.delta",
            "delta.arguments-matches-done",
        ),
        (
            "response.mcp_call_arguments.delta",
            "delta.arguments-matches-done",
        ),
        (
            "response.reasoning_summary_text.delta",
            "delta.summary-text-matches-done",
        ),
        (
            "response.custom_tool_call_input.delta",
            "delta.custom-input-matches-done",
        ),
        (
            "response.code_interpreter_call_code.delta",
            "delta.code-matches-done",
        ),
    ];
    let mut seen = BTreeSet::new();
    for file in RESPONSES {
        let s = load::<ResponseStreamEvent>(file);
        for (delta, rule) in cases {
            let Some(at) = position(&s.events, delta) else {
                continue;
            };
            seen.insert(delta);
            assert_caught(&s, &format!("alter {delta}"), rule, |e| {
                let text = e[at]["delta"].as_str().unwrap().to_owned();
                e[at]["delta"] = json!(format!("{text}!"));
            });
            // A dropped delta is the same fault.
            assert_caught(&s, &format!("drop {delta}"), rule, |e| {
                e.remove(at);
            });
        }
    }
    assert_eq!(seen.len(), cases.len(), "every delta kind is exercised");
}

#[test]
fn altering_a_done_item_is_caught() {
    let s = load::<ResponseStreamEvent>(RESPONSES[1]);
    let done = position(&s.events, "response.output_item.done").unwrap();
    assert_caught(
        &s,
        "alter done arguments",
        "item.done-matches-streamed",
        |e| {
            e[done]["item"]["arguments"] = json!("{}");
        },
    );
    assert_caught(
        &s,
        "change the done item's id",
        "item.done-matches-added",
        |e| {
            e[done]["item"]["id"] = json!("fc_other");
        },
    );
    let s = load::<ResponseStreamEvent>(RESPONSES[0]);
    let completed = position(&s.events, "response.completed").unwrap();
    assert_caught(
        &s,
        "alter the completed output",
        "item.output-matches-done",
        |e| {
            e[completed]["response"]["output"][0]["content"][0]["text"] = json!("something else");
        },
    );
    assert_caught(
        &s,
        "drop the completed output",
        "item.output-matches-done",
        |e| {
            e[completed]["response"]["output"] = json!([]);
        },
    );
    let part_done = position(&s.events, "response.content_part.done").unwrap();
    assert_caught(&s, "alter a done part", "item.done-matches-streamed", |e| {
        e[part_done]["part"]["text"] = json!("something else");
    });
    assert_caught(&s, "break usage", "usage.totals", |e| {
        let total = e[completed]["response"]["usage"]["total_tokens"]
            .as_i64()
            .unwrap();
        e[completed]["response"]["usage"]["total_tokens"] = json!(total + 1);
    });
}

#[test]
fn swapping_two_events_is_caught() {
    for file in RESPONSES {
        let s = load::<ResponseStreamEvent>(file);
        let has_sequence = s.events[0].get("sequence_number").is_some();
        if has_sequence {
            // Any two events: sequence numbers stop increasing.
            let middle = s.events.len() / 2;
            assert_caught(&s, "swap two events", "sequence.increasing", |e| {
                e.swap(middle, middle + 1)
            });
        }
        // The last text delta after its done event: the done text no longer matches.
        let Some(done) = position(&s.events, "response.output_text.done") else {
            continue;
        };
        assert_eq!(
            kind(&s.events[done - 1]),
            "response.output_text.delta",
            "{file}"
        );
        assert_caught(
            &s,
            "swap the last delta and its done",
            "nesting.after-done",
            |e| {
                e.swap(done - 1, done);
            },
        );
        assert_caught(
            &s,
            "swap the last delta and its done",
            "delta.text-matches-done",
            |e| {
                e.swap(done - 1, done);
            },
        );
        // An item's done before its added.
        let added = position(&s.events, "response.output_item.added").unwrap();
        let item_done = position(&s.events, "response.output_item.done").unwrap();
        assert_caught(
            &s,
            "move output_item.done first",
            "nesting.item-done",
            |e| {
                let event = e.remove(item_done);
                e.insert(added, event);
            },
        );
    }
}

#[test]
fn duplicating_or_removing_the_terminal_event_is_caught() {
    for file in RESPONSES {
        let s = load::<ResponseStreamEvent>(file);
        let last = s.events.len() - 1;
        assert_eq!(kind(&s.events[last]), "response.completed", "{file}");
        assert_caught(
            &s,
            "duplicate the terminal event",
            "lifecycle.single-terminal",
            |e| {
                e.push(e[last].clone());
            },
        );
        assert_caught(
            &s,
            "event after the terminal event",
            "lifecycle.terminal-last",
            |e| {
                e.push(e[last - 1].clone());
            },
        );
        assert_caught(
            &s,
            "remove the terminal event",
            "lifecycle.missing-terminal",
            |e| {
                e.pop();
            },
        );
        // Without response.created, numbered from 0 (a stream that starts above 0 is taken for a
        // resumed one, which may start anywhere).
        assert_caught(&s, "drop response.created", "lifecycle.first-event", |e| {
            e.remove(0);
            for event in e.iter_mut() {
                if let Some(n) = event["sequence_number"].as_i64() {
                    event["sequence_number"] = json!(n - 1);
                }
            }
        });
        assert_caught(
            &s,
            "duplicate response.created",
            "lifecycle.single-created",
            |e| {
                e.insert(1, e[0].clone());
            },
        );
        assert_caught(
            &s,
            "terminal with the wrong status",
            "lifecycle.terminal-status",
            |e| {
                e[last]["response"]["status"] = json!("in_progress");
            },
        );
        assert_caught(&s, "another response's id", "lifecycle.response-id", |e| {
            e[last]["response"]["id"] = json!("resp_other");
        });
    }
}

#[test]
fn truncating_the_stream_is_caught() {
    for file in RESPONSES {
        let s = load::<ResponseStreamEvent>(file);
        for keep in [
            1,
            s.events.len() / 3,
            s.events.len() / 2,
            s.events.len() - 1,
        ] {
            assert_caught(
                &s,
                &format!("keep {keep} events"),
                "lifecycle.missing-terminal",
                |e| {
                    e.truncate(keep);
                },
            );
        }
    }
    // Cut in the middle of an event, as bytes: the decoder's summary says so.
    for (protocol, file) in [
        (Protocol::Responses, RESPONSES[0]),
        (Protocol::Chat, CHAT[0]),
    ] {
        let entry = common::manifest()
            .into_iter()
            .find(|e| e.file == file)
            .unwrap();
        let bytes = entry.bytes();
        let whole = check_bytes(protocol, entry.format, &bytes);
        assert_eq!(whole.errors(), 0, "{file}: {:?}", whole.findings);
        let cut = check_bytes(protocol, entry.format, &bytes[..bytes.len() / 2 + 7]);
        let ids = ids(&cut.findings);
        assert!(ids.contains("lifecycle.truncated"), "{file}: {ids:?}");
        assert!(cut.errors() > 0);
    }
}

#[test]
fn breaking_sequence_numbers_is_caught() {
    for file in RESPONSES.iter().filter(|f| !f.contains("ruby-openai")) {
        let s = load::<ResponseStreamEvent>(file);
        let middle = s.events.len() / 2;
        assert_caught(&s, "repeat a sequence number", "sequence.increasing", |e| {
            e[middle]["sequence_number"] = e[middle - 1]["sequence_number"].clone();
        });
        assert_caught(&s, "restart the sequence", "sequence.increasing", |e| {
            e[middle]["sequence_number"] = json!(0);
        });
        // A gap is a warning (trimmed recordings show them), never an error.
        let mut events = s.events.clone();
        for event in &mut events[middle..] {
            let n = event["sequence_number"].as_i64().unwrap();
            event["sequence_number"] = json!(n + 10);
        }
        let findings = new_findings(&s, &events, false);
        assert_eq!(ids(&findings), BTreeSet::from(["sequence.gap"]), "{file}");
        assert_eq!(findings[0].index, Some(middle));
        // Without sequence numbers at all: one warning.
        let mut events = s.events.clone();
        for event in &mut events {
            event.as_object_mut().unwrap().remove("sequence_number");
        }
        let findings = new_findings(&s, &events, false);
        assert_eq!(
            ids(&findings),
            BTreeSet::from(["sequence.missing"]),
            "{file}"
        );
        assert_eq!(findings.len(), 1);
    }
}

#[test]
fn changing_an_index_is_caught() {
    for file in RESPONSES {
        let s = load::<ResponseStreamEvent>(file);
        let added = position(&s.events, "response.output_item.added").unwrap();
        assert_caught(
            &s,
            "output_item.added at output_index 1",
            "index.output-contiguous",
            |e| {
                e[added]["output_index"] = json!(1);
            },
        );
        let Some(delta) = position(&s.events, "response.output_text.delta") else {
            continue;
        };
        assert_caught(
            &s,
            "delta for an output_index never added",
            "index.output-known",
            |e| {
                e[delta]["output_index"] = json!(1000);
            },
        );
        assert_caught(
            &s,
            "delta for an absurd output_index",
            "index.output-known",
            |e| {
                e[delta]["output_index"] = json!(i64::MAX);
            },
        );
        assert_caught(
            &s,
            "delta for another content_index",
            "index.part-known",
            |e| {
                e[delta]["content_index"] = json!(-1);
            },
        );
        assert_caught(&s, "delta naming another item", "nesting.item-id", |e| {
            e[delta]["item_id"] = json!("msg_other");
        });
        let part = position(&s.events, "response.content_part.added").unwrap();
        assert_caught(
            &s,
            "content_part.added at content_index 1",
            "index.content-contiguous",
            |e| {
                e[part]["content_index"] = json!(1);
            },
        );
        if let Some(summary) = position(&s.events, "response.reasoning_summary_part.added") {
            assert_caught(
                &s,
                "summary part at summary_index 3",
                "index.summary-contiguous",
                |e| {
                    e[summary]["summary_index"] = json!(3);
                },
            );
        }
    }
}

#[test]
fn done_marker_on_a_responses_stream_is_a_warning() {
    let s = load::<ResponseStreamEvent>(RESPONSES[0]);
    let findings = new_findings(&s, &s.events, true);
    assert_eq!(ids(&findings), BTreeSet::from(["lifecycle.done-marker"]));
    assert_eq!(findings[0].rule.severity, Severity::Warning);
}

/// A recent OpenAI stream whose every response object carries every field (the one
/// `shared/notes/responses-server.md` quotes).
const COMPLETE: &str =
    "responses/openai-dotnet__ResponsesToolTests__FileSearchCallStreamingAsync__e2.sse";

/// The positions of the events that carry a response object.
fn response_objects(events: &[Value]) -> Vec<usize> {
    (0..events.len())
        .filter(|&i| events[i]["response"].is_object())
        .collect()
}

/// Asserts that the mutated stream has one new finding, of `response.all-fields` at event `at`,
/// with this message.
#[track_caller]
fn assert_incomplete(s: &Stream, at: usize, message: &str, mutate: impl FnOnce(&mut Vec<Value>)) {
    let mut events = s.events.clone();
    mutate(&mut events);
    let findings = new_findings(s, &events, false);
    let reported: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule.id == "response.all-fields")
        .collect();
    assert!(
        matches!(reported.as_slice(), [f] if f.index == Some(at) && f.message == message),
        "`{message}` should be reported at {at}; got {findings:?}"
    );
    assert_eq!(reported[0].rule.severity, Severity::Warning);
}

#[test]
fn a_response_object_without_a_field_is_caught() {
    let s = load::<ResponseStreamEvent>(COMPLETE);
    assert!(responses(&s.events).is_empty());
    let objects = response_objects(&s.events);
    assert_eq!(objects.len(), 3, "created, in_progress, completed");
    for at in objects {
        let kind = kind(&s.events[at]).to_owned();
        let fields: Vec<String> = s.events[at]["response"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(fields.len(), 33, "{kind}: {fields:?}");
        for field in &fields {
            let message = format!("the response of `{kind}` lacks {field}");
            assert_incomplete(&s, at, &message, |e| {
                e[at]["response"].as_object_mut().unwrap().remove(field);
            });
        }
        for field in [
            "temperature",
            "top_p",
            "presence_penalty",
            "frequency_penalty",
            "top_logprobs",
            "parallel_tool_calls",
        ] {
            let message = format!("the response of `{kind}` has null {field}");
            assert_incomplete(&s, at, &message, |e| {
                e[at]["response"][field] = Value::Null;
            });
        }
    }
    let completed = position(&s.events, "response.completed").unwrap();
    let message = "the response of `response.completed` has usage without \
                   output_tokens_details.reasoning_tokens";
    assert_incomplete(&s, completed, message, |e| {
        e[completed]["response"]["usage"]["output_tokens_details"] = json!({});
    });
}

#[test]
fn typed_events_are_checked_as_they_write() {
    // Without the text, the checker sees the JSON the typed event writes, where an absent field
    // is `null`: a number that is absent is reported as a null one, and a field that may be null
    // (`store`) looks present.
    let s = load::<ResponseStreamEvent>(COMPLETE);
    let created = position(&s.events, "response.created").unwrap();
    let mut events = s.events.clone();
    for field in ["temperature", "store"] {
        events[created]["response"]
            .as_object_mut()
            .unwrap()
            .remove(field);
    }
    let mut checker = ResponseChecker::new();
    for (index, value) in events.iter().enumerate() {
        checker.push(
            index,
            &ResponseStreamEvent::from_json(&value.to_string()).unwrap(),
        );
    }
    let findings = checker.finish(None);
    let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        ["the response of `response.created` has null temperature"]
    );
}

/// Asserts that `mutate`d chat stream is reported by `rule` (with `severity`).
#[track_caller]
fn assert_chat_caught(
    s: &Stream,
    what: &str,
    rule: &str,
    severity: Severity,
    done_marker: bool,
    mutate: impl FnOnce(&mut Vec<Value>),
) {
    let mut events = s.events.clone();
    mutate(&mut events);
    let findings = chat(&events, done_marker);
    assert!(
        findings
            .iter()
            .any(|f| f.rule.id == rule && f.rule.severity == severity),
        "{}: `{what}` should be reported by {rule}; got {findings:?}",
        s.file
    );
}

fn tool_call_chunks(events: &[Value]) -> Vec<usize> {
    (0..events.len())
        .filter(|&i| events[i]["choices"][0]["delta"]["tool_calls"].is_array())
        .collect()
}

#[test]
fn chat_faults_are_caught() {
    use Severity::{Error, Warning};
    for file in CHAT {
        let s = load::<ChatCompletionStreamEvent>(file);
        let middle = s.events.len() / 2;
        assert_chat_caught(&s, "another id", "chat.single-id", Error, true, |e| {
            e[middle]["id"] = json!("chatcmpl-other");
        });
        assert_chat_caught(&s, "another model", "chat.single-model", Error, true, |e| {
            e[middle]["model"] = json!("gpt-other");
        });
        assert_chat_caught(
            &s,
            "another created",
            "chat.single-created",
            Warning,
            true,
            |e| {
                e[middle]["created"] = json!(1);
            },
        );
        assert_chat_caught(&s, "no [DONE]", "chat.done-marker", Warning, false, |_| {});
        let finish = (0..s.events.len())
            .find(|&i| s.events[i]["choices"][0]["finish_reason"].is_string())
            .unwrap();
        assert_chat_caught(
            &s,
            "drop the finish chunk",
            "chat.finish-reason",
            Warning,
            true,
            |e| {
                e.remove(finish);
            },
        );
        assert_chat_caught(
            &s,
            "content after finish",
            "chat.after-finish",
            Error,
            true,
            |e| {
                let mut late = e[finish].clone();
                late["choices"][0]["finish_reason"] = Value::Null;
                late["choices"][0]["delta"] = json!({"content": "late"});
                e.insert(finish + 1, late);
            },
        );
        assert_chat_caught(&s, "truncated", "chat.finish-reason", Warning, false, |e| {
            e.truncate(finish);
        });
    }
    // Tool calls.
    for file in &CHAT[..2] {
        let s = load::<ChatCompletionStreamEvent>(file);
        let calls = tool_call_chunks(&s.events);
        assert!(calls.len() > 1, "{file}");
        assert_chat_caught(
            &s,
            "tool call index skips",
            "chat.tool-call-index",
            Error,
            true,
            |e| {
                for &i in &calls {
                    e[i]["choices"][0]["delta"]["tool_calls"][0]["index"] = json!(2);
                }
            },
        );
        assert_chat_caught(
            &s,
            "drop the tool call's first chunk",
            "chat.tool-call-start",
            Error,
            true,
            |e| {
                e.remove(calls[0]);
            },
        );
    }
    // Usage.
    let s = load::<ChatCompletionStreamEvent>(CHAT[2]);
    let usage = s
        .events
        .iter()
        .position(|e| e["usage"].is_object())
        .unwrap();
    assert_eq!(usage, s.events.len() - 1);
    assert_chat_caught(
        &s,
        "usage that does not add up",
        "usage.totals",
        Error,
        true,
        |e| {
            e[usage]["usage"]["total_tokens"] = json!(0);
        },
    );
    assert_chat_caught(
        &s,
        "usage twice",
        "chat.usage-position",
        Warning,
        true,
        |e| {
            let copy = e[usage].clone();
            e.insert(usage, copy);
        },
    );
    // After [DONE].
    let mut checker = ChatChecker::new();
    let event = ChatCompletionStreamEvent::from_json(&s.events[0].to_string()).unwrap();
    checker.push(0, &event);
    checker.push_done_marker(1);
    checker.push(2, &event);
    assert!(
        checker
            .finish(None)
            .iter()
            .any(|f| f.rule.id == "chat.after-done")
    );
}

/// A compaction turn as OpenAI streams it (no recording in the corpus has one): one
/// `compaction` item, `response.compaction.compacting` between its `output_item.added` and
/// `.done`.
fn compaction_stream() -> Stream {
    let item = json!({"type": "compaction", "id": "cmp_1", "encrypted_content": "gAAAAB"});
    let response = |status: &str, output: Value| {
        json!({"id": "resp_1", "object": "response", "created_at": 1, "status": status,
               "model": "gpt-5", "output": output})
    };
    let events = vec![
        json!({"type": "response.created", "response": response("in_progress", json!([]))}),
        json!({"type": "response.in_progress", "response": response("in_progress", json!([]))}),
        json!({"type": "response.output_item.added", "output_index": 0, "item": item}),
        json!({"type": "response.compaction.compacting", "output_index": 0, "item_id": "cmp_1"}),
        json!({"type": "response.output_item.done", "output_index": 0, "item": item}),
        json!({"type": "response.completed", "response": response("completed", json!([item]))}),
    ];
    let mut stream = Stream {
        file: "a compaction stream",
        events,
        done_marker: false,
    };
    renumber(&mut stream.events);
    stream
}

/// Gives the events the sequence numbers 0, 1, 2, … (a mutation that moves events keeps them in
/// order, so that only the fault it injects is reported).
fn renumber(events: &mut [Value]) {
    for (seq, event) in events.iter_mut().enumerate() {
        event["sequence_number"] = json!(seq);
    }
}

#[test]
fn compacting_events_are_checked_against_their_item() {
    let s = compaction_stream();
    let findings = responses(&s.events);
    assert!(error_ids(&findings).is_empty(), "{findings:?}");
    assert!(
        !ids(&findings).contains("decode.unknown-event"),
        "{findings:?}"
    );
    let compacting = position(&s.events, "response.compaction.compacting").unwrap();
    let added = position(&s.events, "response.output_item.added").unwrap();
    let done = position(&s.events, "response.output_item.done").unwrap();

    assert_caught(
        &s,
        "compacting naming another item",
        "nesting.item-id",
        |e| {
            e[compacting]["item_id"] = json!("cmp_other");
        },
    );
    assert_caught(
        &s,
        "compacting for an output_index never added",
        "index.output-known",
        |e| {
            e[compacting]["output_index"] = json!(1);
        },
    );
    assert_caught(
        &s,
        "compacting before its output_item.added",
        "index.output-known",
        |e| {
            let event = e.remove(compacting);
            e.insert(added, event);
            renumber(e);
        },
    );
    assert_caught(
        &s,
        "compacting after its output_item.done",
        "nesting.item-open",
        |e| {
            let event = e.remove(compacting);
            e.insert(done, event);
            renumber(e);
        },
    );
}
