//! Cumulative tool arguments and content (`stream::cumulative`), end to end through
//! `ChatToResponses`:
//!
//! - an ordinary stream (random JSON arguments split at random points, random text split into
//!   random chunks) is never rewritten: the deltas, the done event and the item are exactly the
//!   concatenation, and no cumulative quirk is detected;
//! - a cumulative stream (each fragment the arguments so far, cut at random points) ends with
//!   exactly the arguments, in deltas that add up to them;
//! - the issue's stream, and the last resort (a last fragment in full replaces arguments that
//!   are not JSON).

use openai_wire_check::check_bytes;
use openai_wire_convert::quirks::{Quirk, Quirks};
use openai_wire_convert::stream::chat_to_responses::{ChatToResponses, StreamEnd, StreamOptions};
use openai_wire_decode::{Format, Protocol};
use openai_wire_emit::{SequentialIds, write_response_sse};
use openai_wire_events::{
    ChatCompletionStreamEvent, OutputItem, OutputMessageContent, Response, ResponseStreamEvent,
    StreamEvent,
};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};

/// What a client saw of a converted stream.
struct Seen {
    events: Vec<ResponseStreamEvent>,
    response: Response,
    detected: Quirks,
}

impl Seen {
    fn deltas(&self) -> String {
        self.events
            .iter()
            .filter_map(|e| match e {
                ResponseStreamEvent::ResponseFunctionCallArgumentsDelta(d) => {
                    Some(d.delta.as_str())
                }
                _ => None,
            })
            .collect()
    }

    fn done_arguments(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ResponseStreamEvent::ResponseFunctionCallArgumentsDone(d) => {
                    Some(d.arguments.clone())
                }
                _ => None,
            })
            .collect()
    }

    fn item_arguments(&self) -> Vec<String> {
        self.response
            .output
            .iter()
            .filter_map(|item| match item {
                OutputItem::FunctionCall(call) => Some(call.arguments.clone()),
                _ => None,
            })
            .collect()
    }

    fn text_deltas(&self) -> String {
        self.events
            .iter()
            .filter_map(|e| match e {
                ResponseStreamEvent::ResponseOutputTextDelta(d) => Some(d.delta.as_str()),
                _ => None,
            })
            .collect()
    }

    fn text(&self) -> String {
        let mut text = String::new();
        for item in &self.response.output {
            if let OutputItem::Message(message) = item {
                for part in &message.content {
                    if let OutputMessageContent::OutputText(part) = part {
                        text.push_str(&part.text);
                    }
                }
            }
        }
        text
    }

    fn checker_errors(&self) -> Vec<String> {
        let mut bytes = Vec::new();
        write_response_sse(&mut bytes, &self.events).expect("sse");
        check_bytes(Protocol::Responses, Format::Sse, &bytes)
            .findings
            .iter()
            .filter(|f| f.is_error())
            .map(|f| format!("{}: {}", f.id(), f.message))
            .collect()
    }
}

fn chunk(delta: Value, finish: Option<&str>) -> ChatCompletionStreamEvent {
    let json = json!({
        "id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    });
    ChatCompletionStreamEvent::from_json(&json.to_string()).expect("a chunk")
}

fn run(chunks: &[ChatCompletionStreamEvent], quirks: Quirks) -> Seen {
    let options = StreamOptions {
        quirks,
        ..StreamOptions::default()
    };
    let mut converter =
        ChatToResponses::new(Response::default(), SequentialIds::default(), options);
    let mut events = converter.start().expect("start");
    for event in chunks {
        events.extend(converter.push_event(event).expect("push"));
    }
    events.extend(converter.finish(StreamEnd::DoneMarker));
    Seen {
        events,
        response: converter.response(),
        detected: converter.detected_quirks(),
    }
}

/// A call to `exec_command` whose arguments come in `fragments`.
fn call_stream(fragments: &[String]) -> Vec<ChatCompletionStreamEvent> {
    let mut chunks = vec![chunk(
        json!({"role": "assistant", "tool_calls": [{"index": 0, "id": "call_1", "type": "function",
            "function": {"name": "exec_command", "arguments": ""}}]}),
        None,
    )];
    for fragment in fragments {
        chunks.push(chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": fragment}}]}),
            None,
        ));
    }
    chunks.push(chunk(json!({}), Some("tool_calls")));
    chunks
}

/// A message whose content comes in `deltas`.
fn text_stream(deltas: &[String]) -> Vec<ChatCompletionStreamEvent> {
    let mut chunks: Vec<_> = deltas
        .iter()
        .map(|delta| chunk(json!({"content": delta}), None))
        .collect();
    chunks.push(chunk(json!({}), Some("stop")));
    chunks
}

/// `text` cut at `cuts` (moved down to char boundaries), in order.
fn cut_points(text: &str, cuts: &[Index]) -> Vec<usize> {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|i| {
            let mut at = i.index(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        })
        .collect();
    points.sort_unstable();
    points
}

/// `text` split at `cuts`: pieces that add up to it (some may be empty).
fn split(text: &str, cuts: &[Index]) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for at in cut_points(text, cuts) {
        pieces.push(text[start..at].to_owned());
        start = at;
    }
    pieces.push(text[start..].to_owned());
    pieces
}

/// Each piece the text so far: `text` cut at `cuts`, then the whole.
fn cumulative(text: &str, cuts: &[Index]) -> Vec<String> {
    let mut pieces: Vec<String> = cut_points(text, cuts)
        .into_iter()
        .filter(|&at| at > 0)
        .map(|at| text[..at].to_owned())
        .collect();
    pieces.push(text.to_owned());
    pieces
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1.0e6f64..1.0e6).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        // Strings full of what JSON is made of, and of what the arguments start with.
        "[\"\\\\{}\\[\\]:, a-z\n]{0,10}".prop_map(Value::String),
        Just(Value::String(r#"{"cmd": "echo"#.to_owned())),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z_]{1,8}", "[\"{}:a-z ]{0,6}", Just("cmd".to_owned())]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..5)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Tool arguments: an object, serialized compact or pretty.
fn arguments() -> impl Strategy<Value = String> {
    (
        prop::collection::btree_map(key(), value(), 0..6),
        any::<bool>(),
    )
        .prop_map(|(map, pretty)| {
            let object = Value::Object(map.into_iter().collect());
            if pretty {
                serde_json::to_string_pretty(&object).expect("json")
            } else {
                object.to_string()
            }
        })
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof!["\\PC{0,120}", "[ab \n]{0,80}", "[a-z .,\n]{0,200}"]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn ordinary_arguments_are_never_rewritten(
        arguments in arguments(),
        cuts in prop::collection::vec(any::<Index>(), 0..12),
    ) {
        let seen = run(&call_stream(&split(&arguments, &cuts)), Quirks::none());
        prop_assert_eq!(seen.deltas(), arguments.clone());
        prop_assert_eq!(seen.done_arguments(), vec![arguments.clone()]);
        prop_assert_eq!(seen.item_arguments(), vec![arguments]);
        prop_assert!(!seen.detected.contains(Quirk::CumulativeToolArguments));
        prop_assert_eq!(seen.checker_errors(), Vec::<String>::new());
    }

    #[test]
    fn cumulative_arguments_end_whole_in_deltas_that_add_up(
        arguments in arguments(),
        cuts in prop::collection::vec(any::<Index>(), 0..12),
    ) {
        let fragments = cumulative(&arguments, &cuts);
        let seen = run(&call_stream(&fragments), Quirks::none());
        prop_assert_eq!(seen.deltas(), arguments.clone());
        prop_assert_eq!(seen.done_arguments(), vec![arguments.clone()]);
        prop_assert_eq!(seen.item_arguments(), vec![arguments.clone()]);
        if fragments.len() > 1 {
            prop_assert!(seen.detected.contains(Quirk::CumulativeToolArguments));
        }
        prop_assert_eq!(seen.checker_errors(), Vec::<String>::new());
        // With the quirk set, the same.
        let seen = run(
            &call_stream(&fragments),
            Quirks::none().with(Quirk::CumulativeToolArguments),
        );
        prop_assert_eq!(seen.deltas(), arguments.clone());
        prop_assert_eq!(seen.item_arguments(), vec![arguments]);
    }

    #[test]
    fn ordinary_text_is_never_rewritten(
        text in text(),
        cuts in prop::collection::vec(any::<Index>(), 0..24),
    ) {
        let seen = run(&text_stream(&split(&text, &cuts)), Quirks::none());
        prop_assert_eq!(seen.text_deltas(), text.clone());
        prop_assert_eq!(seen.text(), text);
        prop_assert!(!seen.detected.contains(Quirk::CumulativeContent));
        prop_assert_eq!(seen.checker_errors(), Vec::<String>::new());
    }

    #[test]
    fn cumulative_text_with_the_quirk_is_the_text(
        text in text(),
        cuts in prop::collection::vec(any::<Index>(), 0..24),
    ) {
        let seen = run(
            &text_stream(&cumulative(&text, &cuts)),
            Quirks::none().with(Quirk::CumulativeContent),
        );
        prop_assert_eq!(seen.text_deltas(), text.clone());
        prop_assert_eq!(seen.text(), text);
    }
}

#[test]
fn the_issue_s_stream_ends_with_its_arguments() {
    let fragments: Vec<String> = [
        r#"{"cmd": "echo"#,
        r#"{"cmd": "echo wire-ok", "l"#,
        r#"{"cmd": "echo wire-ok", "login": false"#,
        r#"{"cmd": "echo wire-ok", "login": false}"#,
    ]
    .map(String::from)
    .into();
    let seen = run(&call_stream(&fragments), Quirks::none());
    let expected = r#"{"cmd": "echo wire-ok", "login": false}"#;
    assert_eq!(seen.deltas(), expected);
    assert_eq!(seen.done_arguments(), [expected]);
    assert!(seen.detected.contains(Quirk::CumulativeToolArguments));
    assert!(
        seen.checker_errors().is_empty(),
        "{:?}",
        seen.checker_errors()
    );
}

#[test]
fn a_later_call_of_a_cumulative_stream_is_read_cumulatively() {
    let mut chunks = call_stream(&[r#"{"a": "x"#.into(), r#"{"a": "x"}"#.into()]);
    chunks.pop();
    chunks.push(chunk(
        json!({"tool_calls": [{"index": 1, "id": "call_2", "type": "function",
            "function": {"name": "exec_command", "arguments": "[\""}}]}),
        None,
    ));
    for fragment in ["[\"a", "[\"a\"]"] {
        chunks.push(chunk(
            json!({"tool_calls": [{"index": 1, "function": {"arguments": fragment}}]}),
            None,
        ));
    }
    chunks.push(chunk(json!({}), Some("tool_calls")));
    let seen = run(&chunks, Quirks::none());
    assert_eq!(seen.item_arguments(), [r#"{"a": "x"}"#, r#"["a"]"#]);
    assert_eq!(seen.deltas(), r#"{"a": "x"}["a"]"#);
}

#[test]
fn a_last_fragment_in_full_replaces_arguments_that_are_not_json() {
    // Incremental fragments, then the arguments in full (respaced): added up they are not
    // JSON; the last fragment is, so the call ends with it. The deltas sent before do not add
    // up to it, which the checker reports; arguments that are not JSON would be worse.
    let fragments: Vec<String> = [r#"{"cmd":"#, r#""ls""#, r#"{"cmd": "ls"}"#]
        .map(String::from)
        .into();
    let seen = run(&call_stream(&fragments), Quirks::none());
    assert_eq!(seen.done_arguments(), [r#"{"cmd": "ls"}"#]);
    assert_eq!(seen.item_arguments(), [r#"{"cmd": "ls"}"#]);
    assert_eq!(seen.deltas(), r#"{"cmd":"ls"{"cmd": "ls"}"#);
    assert!(seen.detected.contains(Quirk::CumulativeToolArguments));
    let errors = seen.checker_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("delta.arguments-matches-done"),
        "{errors:?}"
    );
}

#[test]
fn held_content_comes_out_before_a_tool_call() {
    // "I" then "I think" (a repeat of the whole text, held), then a tool call: the held text is
    // ordinary after all and goes out first, in its message.
    let mut chunks = vec![
        chunk(json!({"role": "assistant", "content": "I"}), None),
        chunk(json!({"content": "I think"}), None),
    ];
    chunks.extend(call_stream(&[r#"{"cmd":"ls"}"#.into()]));
    let seen = run(&chunks, Quirks::none());
    assert_eq!(seen.text(), "II think");
    assert!(matches!(seen.response.output[0], OutputItem::Message(_)));
    assert!(matches!(
        seen.response.output[1],
        OutputItem::FunctionCall(_)
    ));
    assert!(
        seen.checker_errors().is_empty(),
        "{:?}",
        seen.checker_errors()
    );
}

#[test]
fn held_content_comes_out_before_reasoning_or_a_refusal() {
    // "I" then "I think" (held: it may repeat the whole text), then reasoning or a refusal: the
    // held text goes out first, so the message is whole and comes before what follows it.
    let held = |other: Value| {
        let chunks = vec![
            chunk(json!({"role": "assistant", "content": "I"}), None),
            chunk(json!({"content": "I think"}), None),
            chunk(other, None),
            chunk(json!({}), Some("stop")),
        ];
        run(&chunks, Quirks::none())
    };
    let seen = held(json!({"reasoning_content": "hmm"}));
    assert_eq!(seen.text(), "II think");
    assert_eq!(seen.response.output.len(), 2, "{:?}", seen.response.output);
    assert!(matches!(seen.response.output[0], OutputItem::Message(_)));
    assert!(matches!(seen.response.output[1], OutputItem::Reasoning(_)));
    assert!(
        seen.checker_errors().is_empty(),
        "{:?}",
        seen.checker_errors()
    );

    let seen = held(json!({"refusal": "no"}));
    let OutputItem::Message(message) = &seen.response.output[0] else {
        panic!("{:?}", seen.response.output)
    };
    assert_eq!(seen.response.output.len(), 1);
    assert_eq!(message.content.len(), 2, "{:?}", message.content);
    assert!(matches!(
        message.content[0],
        OutputMessageContent::OutputText(_)
    ));
    assert!(matches!(
        message.content[1],
        OutputMessageContent::Refusal(_)
    ));
    assert!(
        seen.checker_errors().is_empty(),
        "{:?}",
        seen.checker_errors()
    );
}
