//! Properties over arbitrary damage to real streams: the checker never panics (indices from the
//! wire may be absurd), every finding points inside the stream, and index faults are always
//! errors.

mod common;

use openai_wire_check::{ChatChecker, ResponseChecker, StreamChecker};
use openai_wire_decode::{Decoder, Item};
use openai_wire_events::{ChatCompletionStreamEvent, ResponseStreamEvent, StreamEvent};
use proptest::prelude::*;
use serde_json::{Value, json};

fn load(file: &str) -> Vec<Value> {
    let entry = common::manifest()
        .into_iter()
        .find(|e| e.file == file)
        .unwrap();
    let mut decoder = Decoder::<ResponseStreamEvent>::new(entry.format);
    decoder.feed(&entry.bytes());
    decoder.finish();
    let mut events = Vec::new();
    while let Some(item) = decoder.next_item() {
        if let Ok(Item::Event(decoded)) = item {
            events.push(serde_json::from_str(decoded.raw).unwrap());
        }
    }
    events
}

fn load_chat(file: &str) -> Vec<Value> {
    let entry = common::manifest()
        .into_iter()
        .find(|e| e.file == file)
        .unwrap();
    let mut decoder = Decoder::<ChatCompletionStreamEvent>::new(entry.format);
    decoder.feed(&entry.bytes());
    decoder.finish();
    let mut events = Vec::new();
    while let Some(item) = decoder.next_item() {
        if let Ok(Item::Event(decoded)) = item {
            events.push(serde_json::from_str(decoded.raw).unwrap());
        }
    }
    events
}

const FILES: &[&str] = &[
    "responses/openai-dotnet__ResponsesTests__FunctionCallStreamingWorks__e0.sse",
    "responses/openai-dotnet__ResponsesTests__StreamingResponses__e0.sse",
    "responses/openai-dotnet__ResponsesToolTests__FileSearchCallStreaming__e2.sse",
];

#[derive(Debug, Clone)]
enum Damage {
    Remove(usize),
    Duplicate(usize),
    Swap(usize, usize),
    SetNumber(usize, &'static str, i64),
}

fn damage() -> impl Strategy<Value = Damage> {
    let field = prop::sample::select(vec![
        "output_index",
        "content_index",
        "summary_index",
        "sequence_number",
        "index",
    ]);
    prop_oneof![
        any::<usize>().prop_map(Damage::Remove),
        any::<usize>().prop_map(Damage::Duplicate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Damage::Swap(a, b)),
        (any::<usize>(), field, prop_oneof![any::<i64>(), -2i64..8])
            .prop_map(|(i, f, n)| Damage::SetNumber(i, f, n)),
    ]
}

fn apply(events: &mut Vec<Value>, damage: &Damage) {
    let n = events.len();
    if n == 0 {
        return;
    }
    match *damage {
        Damage::Remove(i) => {
            events.remove(i % n);
        }
        Damage::Duplicate(i) => events.insert(i % n, events[i % n].clone()),
        Damage::Swap(a, b) => events.swap(a % n, b % n),
        Damage::SetNumber(i, field, value) => {
            if let Some(object) = events[i % n].as_object_mut() {
                object.insert(field.to_owned(), json!(value));
            }
        }
    }
}

fn check<C: StreamChecker>(checker: C, events: &[Value]) -> Vec<openai_wire_check::Finding>
where
    C::Event: StreamEvent,
{
    let mut checker = checker;
    for (i, value) in events.iter().enumerate() {
        // A damaged event may no longer fit its type; the decoder would report it.
        if let Ok(event) = C::Event::from_json(&value.to_string()) {
            checker.push(i, &event);
        }
    }
    checker.finish(None)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn damaged_streams_never_panic_and_findings_point_inside(
        file in prop::sample::select(FILES),
        damages in prop::collection::vec(damage(), 1..6),
    ) {
        let mut events = load(file);
        for d in &damages {
            apply(&mut events, d);
        }
        let findings = check(ResponseChecker::new(), &events);
        for f in &findings {
            prop_assert!(f.index.is_none_or(|i| i < events.len()), "{f}");
        }
        let mut chat = load_chat("chat/crewai__llms__TestOpenAIToolCallStreaming.test_openai_streaming_emits_tool_call_events__i0.sse");
        for d in &damages {
            apply(&mut chat, d);
        }
        let findings = check(ChatChecker::new(), &chat);
        for f in &findings {
            prop_assert!(f.index.is_none_or(|i| i < chat.len()), "{f}");
        }
    }

    #[test]
    fn a_changed_output_index_is_always_an_error(
        file in prop::sample::select(FILES),
        at in any::<usize>(),
        value in prop_oneof![any::<i64>(), -2i64..8],
    ) {
        let mut events = load(file);
        let with_index: Vec<usize> = (0..events.len())
            .filter(|&i| events[i].get("output_index").is_some())
            .collect();
        let i = with_index[at % with_index.len()];
        prop_assume!(events[i]["output_index"] != json!(value));
        events[i]["output_index"] = json!(value);
        let findings = check(ResponseChecker::new(), &events);
        prop_assert!(findings.iter().any(|f| f.is_error() && f.index == Some(i)), "{findings:?}");
    }
}
