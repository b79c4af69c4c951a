//! `ResponseFold::push_updates` against the event text, on every corpus Responses stream: for
//! every item of each terminal response (`response.completed`, `.failed`, `.incomplete`), the
//! text updates of each kind (the deltas, then `UnstreamedText`) add up to that item's text in
//! the terminal event exactly, so each piece is given once and none is missed; every item ends
//! once (`ToolCallDone` or `ItemDone`). The expectations are read from the raw JSON of the
//! events, not through the typed model.

mod common;

use std::collections::BTreeMap;

use common::{Entry, entries, events};
use openai_wire_events::{OutputItem, ResponseStreamEvent, StreamEvent};
use openai_wire_fold::{ReasoningPart, ResponseFold, ResponseUpdate, TextPart};
use serde_json::Value;

/// Streams whose final text does not start with what their deltas gave, each with the reason:
/// there the deltas give their version and nothing more is reported.
const DISAGREE: &[(&str, &str)] = &[(
    "responses/vercel-ai.openai__azure-gpt5-reasoning-multi-summary-no-encryption.chunks.txt",
    "anonymized fixture: the deltas were replaced by XXX… and the final text by other \
     placeholder text",
)];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Text,
    Refusal,
    Summary,
    Reasoning,
    Arguments,
}

/// What the updates of one response gave: text by (output_index, kind), ends by output_index.
#[derive(Default)]
struct Given {
    text: BTreeMap<(u64, Kind), String>,
    ends: BTreeMap<u64, usize>,
}

impl Given {
    fn record(&mut self, update: ResponseUpdate) {
        let (index, kind, text) = match update {
            ResponseUpdate::TextDelta {
                output_index,
                delta,
                ..
            } => (output_index, Kind::Text, delta),
            ResponseUpdate::RefusalDelta {
                output_index,
                delta,
                ..
            } => (output_index, Kind::Refusal, delta),
            ResponseUpdate::ReasoningDelta {
                output_index,
                part,
                delta,
            } => match part {
                ReasoningPart::Summary(_) => (output_index, Kind::Summary, delta),
                ReasoningPart::Text(_) => (output_index, Kind::Reasoning, delta),
            },
            ResponseUpdate::ArgumentsDelta {
                output_index,
                delta,
            } => (output_index, Kind::Arguments, delta),
            ResponseUpdate::UnstreamedText {
                output_index,
                part,
                text,
            } => (output_index, kind_of(part), text),
            ResponseUpdate::ToolCallDone(call) => {
                *self.ends.entry(call.index).or_default() += 1;
                return;
            }
            ResponseUpdate::ItemDone { output_index, .. } => {
                *self.ends.entry(output_index).or_default() += 1;
                return;
            }
            _ => return,
        };
        self.text.entry((index, kind)).or_default().push_str(&text);
    }
}

fn kind_of(part: TextPart) -> Kind {
    match part {
        TextPart::OutputText(_) => Kind::Text,
        TextPart::Refusal(_) => Kind::Refusal,
        TextPart::Summary(_) => Kind::Summary,
        TextPart::ReasoningText(_) => Kind::Reasoning,
        TextPart::Arguments => Kind::Arguments,
        other => panic!("a text part this test does not know: {other:?}"),
    }
}

/// The texts of an item of the terminal event's raw JSON, by kind (parts one after the other).
fn expected(item: &Value) -> Vec<(Kind, String)> {
    let join = |key: &str, part_type: Option<&str>, field: &str| -> String {
        (item[key].as_array().into_iter().flatten())
            .filter(|p| part_type.is_none_or(|t| p["type"] == t))
            .filter_map(|p| p[field].as_str())
            .collect()
    };
    let field = |key: &str| item[key].as_str().unwrap_or_default().to_owned();
    match item["type"].as_str().unwrap_or_default() {
        "message" => vec![
            (Kind::Text, join("content", Some("output_text"), "text")),
            (Kind::Refusal, join("content", Some("refusal"), "refusal")),
        ],
        "reasoning" => vec![
            (Kind::Summary, join("summary", None, "text")),
            (Kind::Reasoning, join("content", None, "text")),
        ],
        "function_call" | "mcp_call" => vec![(Kind::Arguments, field("arguments"))],
        "custom_tool_call" => vec![(Kind::Arguments, field("input"))],
        _ => Vec::new(),
    }
}

/// Checks one terminal event against what the updates of its response gave; `indexes` maps
/// item ids to the `output_index` the events gave them.
fn check_terminal(
    file: &str,
    raw: &Value,
    given: &Given,
    indexes: &BTreeMap<String, u64>,
) -> Vec<String> {
    let mut failures = Vec::new();
    let output = raw["response"]["output"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (position, item) in output.iter().enumerate() {
        let id = item["id"].as_str().unwrap_or_default();
        // An id the events never named (servers that rotate ids): its position.
        let index = indexes.get(id).copied().unwrap_or(position as u64);
        for (kind, text) in expected(item) {
            let shown = given.text.get(&(index, kind)).map_or("", String::as_str);
            if !text.is_empty() && shown != text {
                failures.push(format!(
                    "{file}: output[{position}] (output_index {index}) {kind:?}: the updates gave\n  {shown:?}\nbut the terminal response has\n  {text:?}"
                ));
            }
        }
        let ends = given.ends.get(&index).copied().unwrap_or(0);
        if ends != 1 {
            failures.push(format!(
                "{file}: output[{position}] (output_index {index}) ended {ends} times"
            ));
        }
    }
    failures
}

/// The item ids an event names, with the `output_index` it gives them.
fn note_index(raw: &Value, indexes: &mut BTreeMap<String, u64>) {
    let Some(index) = raw["output_index"].as_u64() else {
        return;
    };
    for id in [&raw["item_id"], &raw["item"]["id"]] {
        if let Some(id) = id.as_str().filter(|id| !id.is_empty()) {
            indexes.entry(id.to_owned()).or_insert(index);
        }
    }
}

fn check_file(entry: &Entry) -> (usize, Vec<String>) {
    let mut fold = ResponseFold::new();
    let mut given = Given::default();
    let mut indexes = BTreeMap::new();
    let (mut terminals, mut failures) = (0, Vec::new());
    for (event, raw) in events::<ResponseStreamEvent>(entry) {
        let raw: Value = serde_json::from_str(&raw).expect("raw JSON");
        if matches!(event, ResponseStreamEvent::ResponseCreated(_)) && fold.is_finished() {
            (given, indexes) = Default::default();
        }
        note_index(&raw, &mut indexes);
        for update in fold.push_updates(&event) {
            given.record(update);
        }
        let terminal = matches!(
            event,
            ResponseStreamEvent::ResponseCompleted(_)
                | ResponseStreamEvent::ResponseFailed(_)
                | ResponseStreamEvent::ResponseIncomplete(_)
        );
        if terminal {
            terminals += 1;
            failures.extend(check_terminal(&entry.file, &raw, &given, &indexes));
        }
    }
    (terminals, failures)
}

#[test]
fn updates_give_each_text_of_the_terminal_response_once_across_the_corpus() {
    let (mut terminals, mut failures, mut disagreeing) = (0, Vec::new(), 0);
    for entry in entries("responses") {
        let (count, file_failures) = check_file(&entry);
        terminals += count;
        if let Some((_, why)) = DISAGREE.iter().find(|(f, _)| *f == entry.file) {
            assert!(
                !file_failures.is_empty(),
                "{} is listed ({why}) but now passes: remove it",
                entry.file
            );
            disagreeing += 1;
            continue;
        }
        failures.extend(file_failures);
    }
    assert_eq!(
        disagreeing,
        DISAGREE.len(),
        "a listed file is not in the corpus"
    );
    assert!(terminals >= 100, "only {terminals} terminal events");
    assert!(
        failures.is_empty(),
        "{} failures over {terminals} terminal responses:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn push_gives_the_last_of_push_updates_or_nothing_new() {
    for entry in entries("responses") {
        let (mut one, mut all) = (ResponseFold::new(), ResponseFold::new());
        for (event, _) in events::<ResponseStreamEvent>(&entry) {
            let own = one.push(&event);
            let mut updates = all.push_updates(&event);
            if own.is_some() {
                assert_eq!(updates.pop(), own, "{}: {}", entry.file, event.wire_type());
            }
            for extra in updates {
                assert!(
                    matches!(
                        extra,
                        ResponseUpdate::UnstreamedText { .. }
                            | ResponseUpdate::ToolCallDone(_)
                            | ResponseUpdate::ItemDone { .. }
                    ),
                    "{}: {extra:?}",
                    entry.file
                );
            }
            assert_eq!(one.response(), all.response(), "{}", entry.file);
        }
    }
}

#[test]
fn a_call_cut_off_before_its_item_is_done_is_unfinished() {
    let entry = entries("responses")
        .into_iter()
        .find(|e| {
            e.file == "responses/openai-dotnet__ResponsesTests__FunctionCallStreamingWorks__e0.sse"
        })
        .expect("the function call stream");
    let mut fold = ResponseFold::new();
    for (event, raw) in events::<ResponseStreamEvent>(&entry) {
        let raw: Value = serde_json::from_str(&raw).expect("raw JSON");
        if raw["type"] == "response.output_item.done" {
            let calls = fold.unfinished_calls();
            let [OutputItem::FunctionCall(call)] = calls[..] else {
                panic!("{calls:?}");
            };
            assert_eq!(call.name, raw["item"]["name"].as_str().unwrap());
            assert_eq!(call.arguments, raw["item"]["arguments"].as_str().unwrap());
            fold.push(&event);
            assert!(fold.unfinished_calls().is_empty());
            return;
        }
        fold.push(&event);
    }
    panic!("no response.output_item.done");
}

fn event(json: &str) -> ResponseStreamEvent {
    ResponseStreamEvent::from_json(json).expect("test event")
}

#[test]
fn items_only_the_terminal_response_has_are_given_whole_and_end_once() {
    let mut fold = ResponseFold::new();
    fold.push_updates(&event(
        r#"{"type":"response.created","response":{"id":"resp_1","status":"in_progress","output":[]}}"#,
    ));
    let completed = event(
        r#"{"type":"response.completed","response":{"id":"resp_1","status":"completed","output":[
            {"type":"message","id":"msg_1","role":"assistant","content":[{"type":"output_text","text":"Hi","annotations":[]},{"type":"refusal","refusal":"No."}]},
            {"type":"function_call","id":"fc_1","call_id":"call_1","name":"add","arguments":"{}"}]}}"#,
    );
    let updates = fold.push_updates(&completed);
    let text = |output_index, part, text: &str| ResponseUpdate::UnstreamedText {
        output_index,
        part,
        text: text.to_owned(),
    };
    assert_eq!(updates[0], text(0, TextPart::OutputText(0), "Hi"));
    assert_eq!(updates[1], text(0, TextPart::Refusal(1), "No."));
    assert!(matches!(
        &updates[2],
        ResponseUpdate::ItemDone {
            output_index: 0,
            ..
        }
    ));
    assert_eq!(updates[3], text(1, TextPart::Arguments, "{}"));
    assert!(
        matches!(&updates[4], ResponseUpdate::ToolCallDone(call) if call.name == "add" && call.index == 1)
    );
    assert!(matches!(&updates[5], ResponseUpdate::Finished { .. }));
    assert_eq!(updates.len(), 6);
    // The same terminal event again gives only its own update.
    assert_eq!(fold.push_updates(&completed).len(), 1);
}

#[test]
fn refusal_deltas_name_their_part() {
    let mut fold = ResponseFold::new();
    let update = fold.push(&event(
        r#"{"type":"response.refusal.delta","item_id":"msg_1","output_index":0,"content_index":2,"delta":"No"}"#,
    ));
    assert_eq!(
        update,
        Some(ResponseUpdate::RefusalDelta {
            output_index: 0,
            content_index: 2,
            delta: "No".to_owned()
        })
    );
}
