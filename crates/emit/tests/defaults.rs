//! `fill_response_defaults` against OpenAI's own response objects: an empty response gets the
//! values OpenAI writes for a request that sets none of them, and set values are kept.

use std::path::PathBuf;

use openai_wire_emit::{ResponseWriter, SequentialIds, fill_response_defaults};
use openai_wire_events::Response;
use serde_json::{Value, json};

/// The fields the defaults fill.
const DEFAULTED: &[&str] = &[
    "temperature",
    "top_p",
    "presence_penalty",
    "frequency_penalty",
    "top_logprobs",
    "truncation",
    "tool_choice",
    "text",
    "service_tier",
    "store",
    "background",
    "metadata",
    "reasoning",
];

/// The `response` of the last event of this type in a corpus recording.
fn recorded_response(file: &str, event_type: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/corpus/responses")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    text.lines()
        .rev()
        .filter_map(|line| line.strip_prefix("data: "))
        .filter_map(|data| serde_json::from_str::<Value>(data).ok())
        .find(|event| event["type"] == event_type)
        .map(|event| event["response"].clone())
        .unwrap_or_else(|| panic!("{file}: no {event_type}"))
}

fn filled(response: Response) -> Value {
    let mut response = response;
    fill_response_defaults(&mut response);
    serde_json::to_value(response).unwrap()
}

#[test]
fn an_empty_response_gets_openais_values() {
    // A request that set none of these (file search, default sampling).
    let theirs = recorded_response(
        "openai-dotnet__ResponsesToolTests__FileSearchCallStreamingAsync__e2.sse",
        "response.completed",
    );
    let ours = filled(Response::default());
    for field in DEFAULTED {
        let mut expected = theirs[field].clone();
        if *field == "text" {
            // The model's verbosity, which OpenAI reports; not a default of the request.
            expected.as_object_mut().unwrap().remove("verbosity");
        }
        assert_eq!(ours[field], expected, "{field}");
    }
    // And every field OpenAI's response carries is there, null or not.
    for field in theirs.as_object().unwrap().keys() {
        assert!(ours.get(field).is_some(), "{field} is missing");
    }
}

#[test]
fn set_values_are_kept() {
    let given = json!({
        "temperature": 0.3, "top_p": 0.9, "presence_penalty": 0.5, "frequency_penalty": -0.5,
        "top_logprobs": 5, "truncation": "auto", "tool_choice": "none",
        "text": {"format": {"type": "json_object"}, "verbosity": "high"},
        "service_tier": "flex", "store": false, "background": true,
        "metadata": {"user": "u1"}, "reasoning": {"effort": "high", "summary": "auto"},
    });
    let response: Response = serde_json::from_value(given.clone()).unwrap();
    let ours = filled(response);
    for field in DEFAULTED {
        assert_eq!(ours[field], given[field], "{field}");
    }
}

#[test]
fn a_text_without_format_gets_one_and_keeps_its_verbosity() {
    let response: Response = serde_json::from_value(json!({"text": {"verbosity": "low"}})).unwrap();
    assert_eq!(
        filled(response)["text"],
        json!({"format": {"type": "text"}, "verbosity": "low"})
    );
}

#[test]
fn filling_twice_is_filling_once() {
    let recorded: Response = serde_json::from_value(recorded_response(
        "ruby-openai__cassettes__responses_stream__i0.sse",
        "response.completed",
    ))
    .unwrap();
    let mut once = recorded.clone();
    fill_response_defaults(&mut once);
    let mut twice = once.clone();
    fill_response_defaults(&mut twice);
    assert_eq!(once, twice);
    // The older recording (2025-03) lacks some of the fields: those are filled, the values it
    // has are kept.
    assert_eq!(once.temperature, recorded.temperature);
    assert_eq!(once.text, recorded.text);
    assert_eq!(
        once.service_tier.map(|t| t.as_str().to_owned()),
        Some("default".into())
    );
}

#[test]
fn the_writer_fills_its_template() {
    let template: Response = serde_json::from_value(json!({"temperature": 0.2})).unwrap();
    let writer = ResponseWriter::new(template, SequentialIds::new(1));
    let response = serde_json::to_value(writer.response()).unwrap();
    assert_eq!(response["temperature"], 0.2);
    assert_eq!(response["top_p"], 1.0);
    assert_eq!(
        response["reasoning"],
        json!({"effort": null, "summary": null})
    );
}
