//! `RealtimeFold::push_updates` against the event text, on every corpus Realtime session: for
//! every part of every message the session ends with (the output of each `response.done`, and
//! the user's items: their text, or the transcript of their audio), the text updates (deltas,
//! then `UnstreamedText`) add up to the part's text exactly; every function call of a
//! `response.done` is reported done once. Expectations are read from the raw JSON.

mod common;

use std::collections::BTreeMap;

use common::{Entry, entries, events};
use openai_wire_events::{RealtimeServerEvent, StreamEvent};
use openai_wire_fold::{RealtimeFold, RealtimeUpdate};
use serde_json::Value;

/// What the updates gave: text by (item id, content index), calls done by call id.
#[derive(Default)]
struct Given {
    text: BTreeMap<(String, u64), String>,
    calls: BTreeMap<String, usize>,
}

impl Given {
    fn record(&mut self, update: RealtimeUpdate) {
        let (item_id, content_index, text) = match update {
            RealtimeUpdate::TextDelta {
                item_id,
                content_index,
                delta,
                ..
            }
            | RealtimeUpdate::TranscriptDelta {
                item_id,
                content_index,
                delta,
                ..
            }
            | RealtimeUpdate::InputTranscriptDelta {
                item_id,
                content_index,
                delta,
            } => (item_id, content_index, delta),
            RealtimeUpdate::UnstreamedText {
                item_id,
                content_index,
                text,
                ..
            } => (item_id, content_index, text),
            RealtimeUpdate::ToolCallDone(call) => {
                *self.calls.entry(call.call_id).or_default() += 1;
                return;
            }
            _ => return,
        };
        let key = (item_id, content_index);
        self.text.entry(key).or_default().push_str(&text);
    }
}

/// The text (or transcript) of each part of a raw item, by content index.
fn parts(item: &Value) -> Vec<(u64, String)> {
    let content = item["content"].as_array().into_iter().flatten();
    (0..)
        .zip(content)
        .filter_map(|(index, part)| {
            let text = part["text"].as_str().or(part["transcript"].as_str())?;
            Some((index, text.to_owned()))
        })
        .collect()
}

/// What the session ends with, from the raw events: each message part's final text by (item id,
/// content index), and the call ids of the function calls of every `response.done`.
fn expected(raws: &[Value]) -> (BTreeMap<(String, u64), String>, Vec<String>) {
    let (mut text, mut calls) = (BTreeMap::new(), Vec::new());
    let mut put = |id: &str, index: u64, part: String| {
        if !part.is_empty() {
            text.insert((id.to_owned(), index), part);
        }
    };
    for raw in raws {
        match raw["type"].as_str().unwrap_or_default() {
            "conversation.item.added" | "conversation.item.created" | "conversation.item.done" => {
                let id = raw["item"]["id"].as_str().unwrap_or_default();
                for (index, part) in parts(&raw["item"]) {
                    put(id, index, part);
                }
            }
            "conversation.item.input_audio_transcription.completed" => {
                let id = raw["item_id"].as_str().unwrap_or_default();
                let index = raw["content_index"].as_u64().unwrap_or_default();
                put(
                    id,
                    index,
                    raw["transcript"].as_str().unwrap_or_default().to_owned(),
                );
            }
            "response.done" => {
                for item in raw["response"]["output"].as_array().into_iter().flatten() {
                    let id = item["id"].as_str().unwrap_or_default();
                    for (index, part) in parts(item) {
                        put(id, index, part);
                    }
                    if item["type"] == "function_call" {
                        calls.push(item["call_id"].as_str().unwrap_or_default().to_owned());
                    }
                }
            }
            _ => {}
        }
    }
    (text, calls)
}

fn check_file(entry: &Entry) -> (usize, Vec<String>) {
    let mut fold = RealtimeFold::new();
    let mut given = Given::default();
    let mut raws = Vec::new();
    for (event, raw) in events::<RealtimeServerEvent>(entry) {
        raws.push(serde_json::from_str::<Value>(&raw).expect("raw JSON"));
        for update in fold.push_updates(&event) {
            given.record(update);
        }
    }
    let (text, calls) = expected(&raws);
    let mut failures = Vec::new();
    for ((id, index), part) in &text {
        let shown = given
            .text
            .get(&(id.clone(), *index))
            .map_or("", String::as_str);
        if shown != part {
            failures.push(format!(
                "{}: {id} content[{index}]: the updates gave {shown:?} but the session ends with {part:?}",
                entry.file
            ));
        }
    }
    for call in &calls {
        let done = given.calls.get(call).copied().unwrap_or(0);
        if done != 1 {
            failures.push(format!("{}: call {call} done {done} times", entry.file));
        }
    }
    (text.len() + calls.len(), failures)
}

#[test]
fn updates_give_each_text_of_a_session_once_across_the_corpus() {
    let (mut checked, mut failures) = (0, Vec::new());
    for entry in entries("realtime") {
        let (count, file_failures) = check_file(&entry);
        checked += count;
        failures.extend(file_failures);
    }
    assert!(checked >= 50, "only {checked} texts and calls");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn event(json: &str) -> RealtimeServerEvent {
    RealtimeServerEvent::from_json(json).expect("test event")
}

#[test]
fn a_call_only_response_done_finishes_is_done_once_and_an_open_one_is_unfinished() {
    let mut fold = RealtimeFold::new();
    for json in [
        r#"{"type":"response.created","event_id":"e1","response":{"id":"resp_1","status":"in_progress","output":[]}}"#,
        r#"{"type":"response.output_item.added","event_id":"e2","response_id":"resp_1","output_index":0,"item":{"id":"fc_1","type":"function_call","name":"get_weather","call_id":"call_1","arguments":""}}"#,
        r#"{"type":"response.function_call_arguments.delta","event_id":"e3","response_id":"resp_1","item_id":"fc_1","output_index":0,"call_id":"call_1","delta":"{\"city\":"}"#,
    ] {
        fold.push_updates(&event(json));
    }
    let open = fold.unfinished_calls();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].arguments.as_deref(), Some(r#"{"city":"#));
    let done = event(
        r#"{"type":"response.done","event_id":"e4","response":{"id":"resp_1","status":"completed","output":[{"id":"fc_1","type":"function_call","name":"get_weather","call_id":"call_1","arguments":"{\"city\":\"Paris\"}"}]}}"#,
    );
    let updates = fold.push_updates(&done);
    assert!(matches!(
        &updates[..],
        [RealtimeUpdate::ToolCallDone(call), RealtimeUpdate::ResponseDone { .. }]
            if call.arguments == r#"{"city":"Paris"}"# && call.name == "get_weather"
    ));
    assert!(fold.unfinished_calls().is_empty());
    // Done once: the same response.done again reports only itself.
    assert_eq!(fold.push_updates(&done).len(), 1);
}
