//! Realtime and Assistants rules on real OpenAI sessions and run streams, untouched and damaged.

mod common;

use std::collections::BTreeSet;

use openai_wire_check::{AssistantsChecker, Finding, RealtimeChecker, StreamChecker};
use openai_wire_decode::{Decoder, Item};
use openai_wire_events::{AssistantStreamEvent, RealtimeServerEvent, StreamEvent};
use serde_json::{Value, json};

const REALTIME: &str = "realtime/pydantic-ai__test_parity_ws__test_text_tool_round_parity[openai-current].server-events.jsonl";
const ASSISTANTS: &str = "assistants/openai-dotnet__AssistantsTests__StreamingRunWorks__e2.sse";

fn realtime_events() -> Vec<Value> {
    let entry = common::manifest()
        .into_iter()
        .find(|e| e.file == REALTIME)
        .unwrap();
    assert!(entry.is_openai());
    let mut decoder = Decoder::<RealtimeServerEvent>::new(entry.format);
    decoder.feed(&entry.bytes());
    decoder.finish();
    let mut events = Vec::new();
    while let Some(item) = decoder.next_item() {
        if let Item::Event(decoded) = item.unwrap() {
            events.push(serde_json::from_str(decoded.raw).unwrap());
        }
    }
    events
}

fn realtime(events: &[Value]) -> Vec<Finding> {
    let mut checker = RealtimeChecker::new();
    for (i, value) in events.iter().enumerate() {
        checker.push(
            i,
            &RealtimeServerEvent::from_json(&value.to_string()).unwrap(),
        );
    }
    checker.finish(None)
}

/// The Assistants stream as (event name, data) pairs.
fn assistants_events() -> Vec<(String, String)> {
    let entry = common::manifest()
        .into_iter()
        .find(|e| e.file == ASSISTANTS)
        .unwrap();
    assert!(entry.is_openai());
    let mut decoder = Decoder::<AssistantStreamEvent>::new(entry.format);
    decoder.feed(&entry.bytes());
    decoder.finish();
    let mut events = Vec::new();
    while let Some(item) = decoder.next_item() {
        if let Item::Event(decoded) = item.unwrap() {
            events.push((
                decoded.event_name.unwrap().to_owned(),
                decoded.raw.to_owned(),
            ));
        }
    }
    events
}

fn assistants(events: &[(String, String)]) -> Vec<Finding> {
    let mut checker = AssistantsChecker::new();
    for (i, (name, data)) in events.iter().enumerate() {
        checker.push(i, &AssistantStreamEvent::decode(Some(name), data).unwrap());
    }
    checker.finish(None)
}

fn ids(findings: &[Finding]) -> BTreeSet<&'static str> {
    findings.iter().map(|f| f.rule.id).collect()
}

fn at(events: &[Value], kind: &str) -> usize {
    events.iter().position(|e| e["type"] == kind).unwrap()
}

#[test]
fn realtime_faults_are_caught() {
    let events = realtime_events();
    assert!(realtime(&events).is_empty());

    let done = at(&events, "response.done");
    let mut e = events.clone();
    e.remove(done);
    // The recording ends with the response open: a warning, the items are fine.
    assert_eq!(
        ids(&realtime(&e)),
        BTreeSet::from(["realtime.response-unfinished"])
    );

    let mut e = events.clone();
    e.insert(done, events[done].clone());
    assert_eq!(
        ids(&realtime(&e)),
        BTreeSet::from(["realtime.response-pairing"])
    );

    let mut e = events.clone();
    e.remove(at(&events, "response.created"));
    assert!(ids(&realtime(&e)).contains("realtime.response-pairing"));

    let delta = at(&events, "response.output_text.delta");
    let mut e = events.clone();
    e[delta]["delta"] = json!("changed");
    assert_eq!(
        ids(&realtime(&e)),
        BTreeSet::from(["realtime.delta-matches-done"])
    );

    let args = at(&events, "response.function_call_arguments.delta");
    let mut e = events.clone();
    e.remove(args);
    assert_eq!(
        ids(&realtime(&e)),
        BTreeSet::from(["realtime.delta-matches-done"])
    );

    let mut e = events.clone();
    e.remove(at(&events, "response.output_item.added"));
    assert!(ids(&realtime(&e)).contains("realtime.item-lifecycle"));

    let mut e = events.clone();
    e.remove(at(&events, "response.output_item.done"));
    assert!(ids(&realtime(&e)).contains("realtime.item-lifecycle"));

    let mut e = events.clone();
    e.remove(at(&events, "response.content_part.done"));
    assert!(ids(&realtime(&e)).contains("realtime.item-lifecycle"));
}

#[test]
fn assistants_faults_are_caught() {
    let events = assistants_events();
    assert!(assistants(&events).is_empty());
    let find = |name: &str| events.iter().position(|(n, _)| n == name).unwrap();

    let mut e = events.clone();
    e.remove(find("thread.message.created"));
    assert_eq!(
        ids(&assistants(&e)),
        BTreeSet::from(["assistants.event-order"])
    );

    let mut e = events.clone();
    e.remove(find("thread.run.step.created"));
    assert_eq!(
        ids(&assistants(&e)),
        BTreeSet::from(["assistants.event-order"])
    );

    // The run completes before its message does.
    let mut e = events.clone();
    let completed = e.remove(find("thread.run.completed"));
    e.insert(find("thread.message.completed"), completed);
    assert!(ids(&assistants(&e)).contains("assistants.event-order"));

    let mut e = events.clone();
    e.remove(0);
    assert!(ids(&assistants(&e)).contains("assistants.first-event"));

    let mut e = events.clone();
    let done = e.pop().unwrap();
    assert_eq!(done.0, "done");
    assert_eq!(ids(&assistants(&e)), BTreeSet::from(["assistants.done"]));
    e.push(done.clone());
    e.push(done);
    assert_eq!(ids(&assistants(&e)), BTreeSet::from(["assistants.done"]));
}
