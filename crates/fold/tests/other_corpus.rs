//! The fold oracle for Chat Completions, Realtime and Assistants over the whole corpus.
//!
//! - Chat: the completion equals, per choice, the concatenated content, reasoning and tool calls
//!   computed here straight from the raw JSON of the chunks (not through the typed model), and
//!   the usage of the last chunk that carried one.
//! - Realtime: each response's fold equals the output of its `response.done`, read from the raw
//!   JSON of that event.
//! - Assistants: the messages' text equals the concatenated `thread.message.delta` values, and
//!   each completed message's text.

mod common;

use std::collections::BTreeMap;

use common::{entries, events};
use openai_wire_events::{
    AssistantStreamEvent, ChatCompletionMessageToolCall2, ChatCompletionStreamEvent,
    MessageObjectContentItem, RealtimeServerEvent,
};
use openai_wire_fold::{AssistantsFold, ChatFold, RealtimeFold};
use serde_json::Value;

/// What the chunks of one choice add up to, computed from the raw JSON.
#[derive(Default, Debug, PartialEq)]
struct Expected {
    content: String,
    reasoning: String,
    /// (id, name, arguments) per call.
    calls: Vec<(String, String, String)>,
    /// The `index` of each call, for fragments without an id.
    call_index: Vec<i64>,
}

fn expected_chat(raws: &[String]) -> (BTreeMap<i64, Expected>, Option<Value>) {
    let mut choices: BTreeMap<i64, Expected> = BTreeMap::new();
    let mut usage = None;
    for raw in raws {
        let chunk: Value = serde_json::from_str(raw).expect("raw JSON");
        if chunk.get("object").and_then(Value::as_str) != Some("chat.completion.chunk")
            && chunk.get("choices").is_none()
        {
            continue;
        }
        if let Some(u) = chunk.get("usage").filter(|u| !u.is_null()) {
            usage = Some(u.clone());
        }
        for choice in chunk["choices"].as_array().into_iter().flatten() {
            let e = choices
                .entry(choice["index"].as_i64().unwrap_or(0))
                .or_default();
            let delta = &choice["delta"];
            match &delta["content"] {
                Value::String(s) => e.content.push_str(s),
                Value::Array(parts) => {
                    for p in parts {
                        match p["type"].as_str() {
                            Some("text") => e.content.push_str(p["text"].as_str().unwrap_or("")),
                            Some("thinking") => {
                                for t in p["thinking"].as_array().into_iter().flatten() {
                                    e.reasoning.push_str(t["text"].as_str().unwrap_or(""));
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
            for key in ["reasoning_content", "reasoning"] {
                if let Some(s) = delta[key].as_str() {
                    e.reasoning.push_str(s);
                }
            }
            for call in delta["tool_calls"].as_array().into_iter().flatten() {
                let id = call["id"].as_str().unwrap_or("");
                let index = call["index"].as_i64().unwrap_or(0);
                let at = if id.is_empty() {
                    e.call_index.iter().rposition(|&i| i == index)
                } else {
                    e.calls.iter().position(|c| c.0 == id)
                };
                let at = match at {
                    Some(at) => at,
                    None => {
                        e.calls.push((id.to_owned(), String::new(), String::new()));
                        e.call_index.push(index);
                        e.calls.len() - 1
                    }
                };
                if let Some(name) = call["function"]["name"].as_str() {
                    if e.calls[at].1.is_empty() {
                        e.calls[at].1 = name.to_owned();
                    }
                }
                if let Some(args) = call["function"]["arguments"].as_str() {
                    e.calls[at].2.push_str(args);
                }
            }
        }
    }
    (choices, usage)
}

#[test]
fn chat_fold_equals_the_concatenated_chunks() {
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut with_calls = 0;
    let mut with_reasoning = 0;
    for entry in entries("chat") {
        let decoded = events::<ChatCompletionStreamEvent>(&entry);
        let mut fold = ChatFold::new();
        for (event, _) in &decoded {
            fold.push_event(event);
        }
        let raws: Vec<String> = decoded.into_iter().map(|(_, raw)| raw).collect();
        let (expected, usage) = expected_chat(&raws);
        let completion = fold.completion();
        assert_eq!(completion.object.as_str(), "chat.completion");
        let mut got: BTreeMap<i64, Expected> = BTreeMap::new();
        for choice in &completion.choices {
            let m = &choice.message;
            let calls: Vec<(String, String, String)> = m
                .tool_calls
                .iter()
                .flatten()
                .map(|c| match c {
                    ChatCompletionMessageToolCall2::Function(f) => (
                        f.id.clone(),
                        f.function.name.clone(),
                        f.function.arguments.clone(),
                    ),
                    other => panic!("unexpected call {other:?}"),
                })
                .collect();
            with_calls += usize::from(!calls.is_empty());
            let reasoning = format!(
                "{}{}",
                m.reasoning_content.as_deref().unwrap_or(""),
                m.reasoning.as_deref().unwrap_or("")
            );
            with_reasoning += usize::from(!reasoning.is_empty());
            got.insert(
                choice.index,
                Expected {
                    content: m.content.clone().unwrap_or_default(),
                    reasoning,
                    call_index: Vec::new(),
                    calls,
                },
            );
        }
        let mut expected = expected;
        for e in expected.values_mut() {
            e.call_index.clear();
        }
        if got != expected {
            failures.push(format!(
                "{}:\n  folded:   {got:?}\n  expected: {expected:?}",
                entry.file
            ));
        }
        let tokens = |v: &Value| {
            ["prompt_tokens", "completion_tokens", "total_tokens"]
                .map(|k| v[k].as_i64().unwrap_or(0))
        };
        let folded_usage = fold
            .usage()
            .map(|u| [u.prompt_tokens, u.completion_tokens, u.total_tokens]);
        if folded_usage != usage.as_ref().map(tokens) {
            failures.push(format!(
                "{}: usage {folded_usage:?} but the last usage sent is {usage:?}",
                entry.file
            ));
        }
        checked += 1;
    }
    assert!(checked > 150, "{checked} chat streams");
    assert!(
        with_calls > 20 && with_reasoning > 10,
        "{with_calls} with calls, {with_reasoning} with reasoning"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn realtime_fold_equals_each_response_done() {
    let mut failures = Vec::new();
    let mut responses = 0;
    let mut transcripts = 0;
    for entry in entries("realtime") {
        let mut fold = RealtimeFold::new();
        for (event, raw) in events::<RealtimeServerEvent>(&entry) {
            fold.push(&event);
            let RealtimeServerEvent::ResponseDone(done) = &event else {
                continue;
            };
            responses += 1;
            let id = done.response.id.clone().unwrap_or_default();
            let Some(folded) = fold.responses().iter().rev().find(|r| r.id == id) else {
                failures.push(format!("{}: no fold for response {id}", entry.file));
                continue;
            };
            if !folded.differences.is_empty() {
                failures.push(format!("{}: {id}: {:?}", entry.file, folded.differences));
            }
            // The reference, read from the raw JSON (with transcripts and every field).
            let raw: Value = serde_json::from_str(&raw).expect("raw JSON");
            let output = raw["response"]["output"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if output.len() != folded.output.len() {
                failures.push(format!(
                    "{}: {id}: {} items folded, {} in response.done",
                    entry.file,
                    folded.output.len(),
                    output.len()
                ));
                continue;
            }
            for (i, (item, reference)) in folded.output.iter().zip(&output).enumerate() {
                let mut check = |what: &str, a: Option<&str>, b: Option<&str>| {
                    if b.is_some() && a != b {
                        failures.push(format!(
                            "{}: {id}: output[{i}].{what}: folded {a:?}, response.done {b:?}",
                            entry.file
                        ));
                    }
                };
                check("id", Some(&item.id), reference["id"].as_str());
                check(
                    "arguments",
                    item.arguments.as_deref(),
                    reference["arguments"].as_str(),
                );
                check("name", item.name.as_deref(), reference["name"].as_str());
                for (j, part) in reference["content"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let mine = item.content.get(j);
                    check(
                        &format!("content[{j}].text"),
                        mine.and_then(|p| p.text.as_deref()),
                        part["text"].as_str(),
                    );
                    if part["transcript"].as_str().is_some() {
                        transcripts += 1;
                    }
                    check(
                        &format!("content[{j}].transcript"),
                        mine.and_then(|p| p.transcript.as_deref()),
                        part["transcript"].as_str(),
                    );
                }
            }
        }
    }
    assert!(responses >= 20, "{responses} responses");
    assert!(transcripts > 0, "no audio transcript was compared");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn assistants_fold_equals_the_completed_messages() {
    let mut failures = Vec::new();
    let mut messages = 0;
    for entry in entries("assistants") {
        let mut fold = AssistantsFold::new();
        let mut streamed: BTreeMap<String, String> = BTreeMap::new();
        let mut completed: BTreeMap<String, String> = BTreeMap::new();
        for (event, _) in events::<AssistantStreamEvent>(&entry) {
            fold.push(&event);
            match &event {
                AssistantStreamEvent::ThreadMessageDelta(d) => {
                    for c in d.delta.content.iter().flatten() {
                        if let openai_wire_events::MessageDeltaObjectDeltaContentItem::Text(t) = c {
                            let text = t
                                .text
                                .as_ref()
                                .and_then(|t| t.value.as_deref())
                                .unwrap_or("");
                            streamed.entry(d.id.clone()).or_default().push_str(text);
                        }
                    }
                }
                AssistantStreamEvent::ThreadMessageCompleted(m) => {
                    let text: String = m
                        .content
                        .iter()
                        .filter_map(|c| match c {
                            MessageObjectContentItem::Text(t) => Some(t.text.value.as_str()),
                            _ => None,
                        })
                        .collect();
                    completed.insert(m.id.clone(), text);
                }
                _ => {}
            }
        }
        let text = |id: &str| -> String {
            fold.messages()
                .iter()
                .filter(|m| m.id == id)
                .flat_map(|m| &m.content)
                .filter_map(|c| match c {
                    MessageObjectContentItem::Text(t) => Some(t.text.value.as_str()),
                    _ => None,
                })
                .collect()
        };
        for (id, expected) in &completed {
            messages += 1;
            if text(id) != *expected {
                failures.push(format!(
                    "{}: {id}: folded {:?}, completed {expected:?}",
                    entry.file,
                    text(id)
                ));
            }
            if let Some(deltas) = streamed.get(id) {
                if deltas != expected {
                    failures.push(format!("{}: {id}: the deltas give {deltas:?}", entry.file));
                }
            }
        }
        if fold.run().is_none() || !fold.is_done() {
            failures.push(format!("{}: no run or no done", entry.file));
        }
    }
    assert!(messages >= 5, "{messages} messages");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
