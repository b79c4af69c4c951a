//! `open_namespaced_function_call` (a function of a `namespace` tool carries its namespace on
//! every item the stream shows) and `in_progress` (a numbered heartbeat the checker accepts
//! without a finding).

use openai_wire_emit::{EmitError, ResponseWriter, SequentialIds, write_response_sse};
use openai_wire_events::{Response, ResponseUsage, StreamEvent};
use serde_json::Value;

fn json_of(events: &[openai_wire_events::ResponseStreamEvent]) -> Vec<Value> {
    events
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect()
}

#[test]
fn a_namespaced_call_shows_its_namespace_everywhere_and_heartbeats_are_numbered() {
    let mut writer = ResponseWriter::new(Response::default(), SequentialIds::new(1_700_000_000));
    assert!(matches!(writer.in_progress(), Err(EmitError::NotStarted)));
    let mut events = writer.start().unwrap();
    events.push(writer.in_progress().unwrap());
    let (call, opened) = writer
        .open_namespaced_function_call("multi_agent_v1", "spawn_agent", Some("call_1".into()))
        .unwrap();
    events.extend(opened);
    events.extend(writer.push_arguments(call, r#"{"task":"#).unwrap());
    // A heartbeat while the call is open shows it in progress, with its namespace.
    events.push(writer.in_progress().unwrap());
    events.extend(writer.push_arguments(call, r#""x"}"#).unwrap());
    let (plain, opened) = writer.open_function_call("exec_command", None).unwrap();
    events.extend(opened);
    events.extend(writer.push_arguments(plain, "{}").unwrap());
    events.extend(writer.complete(ResponseUsage::default()).unwrap());
    assert!(writer.in_progress().is_err(), "no heartbeat after the end");

    let wire = json_of(&events);
    for (position, event) in wire.iter().enumerate() {
        assert_eq!(event["sequence_number"], position, "{event}");
    }
    let beat = &wire[5];
    assert_eq!(beat["type"], "response.in_progress");
    assert_eq!(beat["response"]["output"][0]["namespace"], "multi_agent_v1");
    assert_eq!(beat["response"]["output"][0]["status"], "in_progress");
    for kind in ["response.output_item.added", "response.output_item.done"] {
        let items: Vec<&Value> = wire
            .iter()
            .filter(|e| e["type"] == kind)
            .map(|e| &e["item"])
            .collect();
        assert_eq!(items.len(), 2, "{kind}");
        assert_eq!(items[0]["namespace"], "multi_agent_v1", "{kind}");
        assert_eq!(items[0]["name"], "spawn_agent", "{kind}");
        // A plain function call has no namespace field at all.
        assert!(items[1].get("namespace").is_none(), "{kind}: {}", items[1]);
    }
    let completed = wire.last().unwrap();
    assert_eq!(
        completed["response"]["output"][0]["namespace"],
        "multi_agent_v1"
    );
    assert_eq!(
        events.last().map(|e| e.wire_type()),
        Some("response.completed")
    );

    let mut sse = Vec::new();
    write_response_sse(&mut sse, &events).unwrap();
    let report = openai_wire_check::check_bytes(
        openai_wire_decode::Protocol::Responses,
        openai_wire_decode::Format::Sse,
        &sse,
    );
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}
