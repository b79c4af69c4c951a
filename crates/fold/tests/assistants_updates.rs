//! `AssistantsFold::push_updates` against the event text, on every corpus Assistants stream:
//! for every completed (or incomplete) message, the text updates of each kind (deltas, then
//! `UnstreamedText`) add up to its text and its refusals exactly; every tool call that
//! `thread.run.requires_action` or a completed run step lists is reported done once.
//! Expectations are read from the raw JSON.

mod common;

use std::collections::BTreeMap;

use common::{entries, events};
use openai_wire_events::{AssistantStreamEvent, StreamEvent};
use openai_wire_fold::{AssistantsFold, AssistantsUpdate, MessagePart};
use serde_json::Value;

/// Text by (message id, refusal?), and how many times each call id was reported done.
#[derive(Default)]
struct Given {
    text: BTreeMap<(String, bool), String>,
    calls: BTreeMap<String, usize>,
}

impl Given {
    fn record(&mut self, update: AssistantsUpdate) {
        let (id, refusal, text) = match update {
            AssistantsUpdate::TextDelta {
                message_id, delta, ..
            } => (message_id, false, delta),
            AssistantsUpdate::RefusalDelta {
                message_id, delta, ..
            } => (message_id, true, delta),
            AssistantsUpdate::UnstreamedText {
                message_id,
                part,
                text,
            } => (message_id, matches!(part, MessagePart::Refusal(_)), text),
            AssistantsUpdate::ToolCallDone { id, .. } => {
                *self.calls.entry(id).or_default() += 1;
                return;
            }
            _ => return,
        };
        self.text.entry((id, refusal)).or_default().push_str(&text);
    }
}

/// The concatenated text and refusals of a raw message.
fn message_text(message: &Value) -> [(bool, String); 2] {
    let parts = || message["content"].as_array().into_iter().flatten();
    let text = parts()
        .filter_map(|p| p.pointer("/text/value")?.as_str())
        .collect();
    let refusal = parts().filter_map(|p| p["refusal"].as_str()).collect();
    [(false, text), (true, refusal)]
}

#[test]
fn updates_give_each_message_text_and_each_call_once_across_the_corpus() {
    let (mut checked, mut failures) = (0, Vec::new());
    for entry in entries("assistants") {
        let mut fold = AssistantsFold::new();
        let mut given = Given::default();
        let (mut final_text, mut calls) = (BTreeMap::new(), Vec::new());
        for (event, raw) in events::<AssistantStreamEvent>(&entry) {
            // `event: done` carries `[DONE]`.
            let raw: Value = serde_json::from_str(&raw).unwrap_or(Value::Null);
            for update in fold.push_updates(&event) {
                given.record(update);
            }
            let id = raw["id"].as_str().unwrap_or_default().to_owned();
            match event.wire_type() {
                "thread.message.completed" | "thread.message.incomplete" => {
                    for (refusal, text) in message_text(&raw) {
                        final_text.insert((id.clone(), refusal), text);
                    }
                }
                "thread.run.step.completed" | "thread.run.requires_action" => {
                    let listed = (raw.pointer("/step_details/tool_calls"))
                        .or(raw.pointer("/required_action/submit_tool_outputs/tool_calls"))
                        .and_then(Value::as_array);
                    for call in listed.into_iter().flatten() {
                        calls.push(call["id"].as_str().unwrap_or_default().to_owned());
                    }
                }
                _ => {}
            }
        }
        for (key, text) in final_text.into_iter().filter(|(_, t)| !t.is_empty()) {
            checked += 1;
            let shown = given.text.get(&key).map_or("", String::as_str);
            if shown != text {
                failures.push(format!(
                    "{}: {key:?}: gave {shown:?}, not {text:?}",
                    entry.file
                ));
            }
        }
        for call in calls {
            checked += 1;
            if given.calls.get(&call) != Some(&1) {
                failures.push(format!("{}: call {call} not reported once", entry.file));
            }
        }
    }
    assert!(checked >= 10, "only {checked} texts and calls");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_message_that_only_completes_is_given_whole_and_a_refusal_streams() {
    let decode = |name, json| AssistantStreamEvent::decode(Some(name), json).expect("test event");
    let mut fold = AssistantsFold::new();
    let delta = decode(
        "thread.message.delta",
        r#"{"id":"msg_1","object":"thread.message.delta","delta":{"content":[{"index":1,"type":"refusal","refusal":"I can"}]}}"#,
    );
    assert_eq!(
        fold.push_updates(&delta),
        [AssistantsUpdate::RefusalDelta {
            message_id: "msg_1".to_owned(),
            index: 1,
            delta: "I can".to_owned()
        }]
    );
    let completed = decode(
        "thread.message.completed",
        r#"{"id":"msg_1","object":"thread.message","role":"assistant","status":"completed","content":[
            {"type":"text","text":{"value":"Hi.","annotations":[]}},{"type":"refusal","refusal":"I can't."}]}"#,
    );
    let text = |part, text: &str| AssistantsUpdate::UnstreamedText {
        message_id: "msg_1".to_owned(),
        part,
        text: text.to_owned(),
    };
    assert_eq!(
        fold.push_updates(&completed),
        [
            text(MessagePart::Text(0), "Hi."),
            text(MessagePart::Refusal(1), "'t.")
        ]
    );
    assert!(fold.push_updates(&completed).is_empty());
}
