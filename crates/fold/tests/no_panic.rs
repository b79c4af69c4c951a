//! Any sequence of events, with any indices and ids, folds without panicking and without
//! growing beyond one element per event.

use openai_wire_events::{
    AssistantStreamEvent, ChatCompletionStreamEvent, RealtimeServerEvent, ResponseStreamEvent,
    StreamEvent,
};
use openai_wire_fold::{AssistantsFold, ChatFold, RealtimeFold, ResponseFold};
use proptest::prelude::*;

/// A Responses event from a template, an index and an id.
fn response_event(kind: u8, index: i64, sub: i64, id: u8) -> Option<ResponseStreamEvent> {
    let id = format!("it_{id}");
    let json = match kind % 15 {
        0 => format!(
            r#"{{"type":"response.output_item.added","output_index":{index},"item":{{"type":"message","id":"{id}","content":[]}}}}"#
        ),
        1 => format!(
            r#"{{"type":"response.output_item.done","output_index":{index},"item":{{"type":"function_call","id":"{id}","call_id":"c","name":"f","arguments":"{{}}"}}}}"#
        ),
        2 => format!(
            r#"{{"type":"response.output_text.delta","item_id":"{id}","output_index":{index},"content_index":{sub},"delta":"x"}}"#
        ),
        3 => format!(
            r#"{{"type":"response.function_call_arguments.delta","item_id":"{id}","output_index":{index},"delta":"y"}}"#
        ),
        4 => format!(
            r#"{{"type":"response.reasoning_summary_text.delta","item_id":"{id}","output_index":{index},"summary_index":{sub},"delta":"r"}}"#
        ),
        5 => format!(
            r#"{{"type":"response.content_part.added","item_id":"{id}","output_index":{index},"content_index":{sub},"part":{{"type":"reasoning_text","text":"t"}}}}"#
        ),
        6 => format!(
            r#"{{"type":"response.output_text.annotation.added","item_id":"{id}","output_index":{index},"content_index":{sub},"annotation_index":{sub},"annotation":{{"type":"url_citation","url":"u","title":"t","start_index":0,"end_index":1}}}}"#
        ),
        7 => format!(
            r#"{{"type":"response.shell_call_command.delta","output_index":{index},"command_index":{sub},"delta":"ls"}}"#
        ),
        8 => format!(
            r#"{{"type":"response.web_search_call.searching","item_id":"{id}","output_index":{index}}}"#
        ),
        9 => r#"{"type":"response.created","response":{"id":"r","output":[]}}"#.to_owned(),
        10 => format!(
            r#"{{"type":"response.completed","response":{{"id":"r","status":"completed","output":[{{"type":"message","id":"{id}","content":[]}}]}}}}"#
        ),
        11 => format!(
            r#"{{"type":"response.output_text.done","item_id":"{id}","output_index":{index},"content_index":{sub},"text":"xyz"}}"#
        ),
        12 => format!(
            r#"{{"type":"response.function_call_arguments.done","item_id":"{id}","output_index":{index},"name":"f","arguments":"yy"}}"#
        ),
        13 => format!(
            r#"{{"type":"response.failed","response":{{"id":"r","status":"failed","output":[{{"type":"function_call","id":"{id}","call_id":"c","name":"f","arguments":"y"}},{{"type":"reasoning","id":"rs","summary":[{{"type":"summary_text","text":"r"}}]}}]}}}}"#
        ),
        _ => format!(
            r#"{{"type":"response.refusal.delta","item_id":"{id}","output_index":{index},"content_index":{sub},"delta":"no"}}"#
        ),
    };
    ResponseStreamEvent::from_json(&json).ok()
}

/// The most items one template carries (`response.failed`: a call and a reasoning item).
const MAX_ITEMS_PER_EVENT: usize = 2;

/// The case proptest found: a terminal response with two items, first in the stream, gives
/// each item's unstreamed text and end, then the end of the response.
#[test]
fn a_terminal_response_first_reports_its_items_texts_and_ends() {
    let event = response_event(13, 0, 0, 0).expect("template");
    let updates = ResponseFold::new().push_updates(&event);
    assert_eq!(updates.len(), 5, "{updates:#?}");
}

proptest! {
    #[test]
    fn responses_fold_never_panics(events in proptest::collection::vec((any::<u8>(), any::<i64>(), any::<i64>(), 0u8..4), 0..60)) {
        let mut fold = ResponseFold::new();
        let n = events.len();
        for (kind, index, sub, id) in events {
            // Small indices half the time, so events meet the same items.
            let (index, sub) = if kind & 0x80 == 0 { (index.rem_euclid(4), sub.rem_euclid(3)) } else { (index, sub) };
            let event = response_event(kind, index, sub, id).expect("every template decodes");
            // At most two updates per item an event carries (a catch-up and the item's end; a
            // terminal response carries up to two items), and the event's own.
            prop_assert!(fold.push_updates(&event).len() <= 2 * MAX_ITEMS_PER_EVENT * n + 1);
        }
        prop_assert!(fold.response().output.len() <= n);
        prop_assert!(fold.unfinished_calls().len() <= n);
        let _ = fold.final_text();
    }

    #[test]
    fn chat_fold_never_panics(chunks in proptest::collection::vec((any::<i64>(), any::<i64>(), proptest::option::of(0u8..3), any::<bool>()), 0..40)) {
        let mut fold = ChatFold::new();
        let n = chunks.len();
        for (choice, call, id, finish) in chunks {
            let id = id.map_or(String::new(), |i| format!(r#""id":"call_{i}","#));
            let finish = if finish { r#","finish_reason":"stop""# } else { "" };
            let json = format!(r#"{{"id":"c","choices":[{{"index":{choice},"delta":{{"content":"a","tool_calls":[{{"index":{call},{id}"function":{{"arguments":"b"}}}}]}}{finish}}}]}}"#);
            let event = ChatCompletionStreamEvent::from_json(&json).expect("the template decodes");
            prop_assert!(fold.push_event(&event).len() <= 4);
        }
        let completion = fold.completion();
        prop_assert!(completion.choices.len() <= n);
        let _ = fold.finish();
    }

    #[test]
    fn realtime_fold_never_panics(events in proptest::collection::vec((0u8..10, any::<i64>(), any::<i64>(), 0u8..3), 0..40)) {
        let mut fold = RealtimeFold::new();
        for (kind, index, sub, id) in events {
            let json = match kind {
                0 => format!(r#"{{"type":"response.output_item.added","event_id":"e","response_id":"r","output_index":{index},"item":{{"id":"i{id}","type":"message","role":"assistant","content":[]}}}}"#),
                1 => format!(r#"{{"type":"response.output_text.delta","event_id":"e","response_id":"r","item_id":"i{id}","output_index":{index},"content_index":{sub},"delta":"t"}}"#),
                2 => format!(r#"{{"type":"response.output_audio.delta","event_id":"e","response_id":"r","item_id":"i{id}","output_index":{index},"content_index":{sub},"delta":"AAAA"}}"#),
                3 => format!(r#"{{"type":"response.function_call_arguments.delta","event_id":"e","response_id":"r","item_id":"i{id}","output_index":{index},"call_id":"c","delta":"{{"}}"#),
                4 => format!(r#"{{"type":"response.output_text.done","event_id":"e","response_id":"r","item_id":"i{id}","output_index":{index},"content_index":{sub},"text":"tt"}}"#),
                5 => format!(r#"{{"type":"conversation.item.added","event_id":"e","item":{{"id":"i{id}","type":"message","role":"user","content":[{{"type":"input_text","text":"hi"}}]}}}}"#),
                6 => format!(r#"{{"type":"conversation.item.input_audio_transcription.delta","event_id":"e","item_id":"i{id}","content_index":{sub},"delta":"h"}}"#),
                7 => format!(r#"{{"type":"conversation.item.input_audio_transcription.completed","event_id":"e","item_id":"i{id}","content_index":{sub},"transcript":"hey"}}"#),
                8 => format!(r#"{{"type":"response.output_item.done","event_id":"e","response_id":"r","output_index":{index},"item":{{"id":"i{id}","type":"function_call","name":"f","call_id":"c","arguments":"{{}}"}}}}"#),
                _ => format!(r#"{{"type":"response.done","event_id":"e","response":{{"id":"r","status":"completed","output":[{{"id":"i{id}","type":"function_call","name":"f","call_id":"c","arguments":"{{}}"}},{{"id":"m{id}","type":"message","role":"assistant","content":[{{"type":"output_text","text":"t"}}]}}]}}}}"#),
            };
            let event = RealtimeServerEvent::from_json(&json).expect("every template decodes");
            prop_assert!(!event.is_unknown());
            fold.push_updates(&event);
        }
        let _ = fold.final_text();
        let _ = fold.unfinished_calls();
    }

    #[test]
    fn assistants_fold_never_panics(events in proptest::collection::vec((0u8..4, any::<i64>(), 0u8..3), 0..40)) {
        let mut fold = AssistantsFold::new();
        for (kind, index, id) in events {
            let (name, json) = match kind {
                0 => ("thread.message.delta", format!(r#"{{"id":"m{id}","object":"thread.message.delta","delta":{{"content":[{{"index":{index},"type":"text","text":{{"value":"a"}}}},{{"index":{index},"type":"refusal","refusal":"b"}}]}}}}"#)),
                1 => ("thread.message.completed", format!(r#"{{"id":"m{id}","object":"thread.message","role":"assistant","content":[{{"type":"text","text":{{"value":"ab","annotations":[]}}}}]}}"#)),
                2 => ("thread.run.step.delta", format!(r#"{{"id":"s{id}","object":"thread.run.step.delta","delta":{{"step_details":{{"type":"tool_calls","tool_calls":[{{"index":{index},"type":"function","function":{{"arguments":"x"}}}}]}}}}}}"#)),
                _ => ("thread.run.step.completed", format!(r#"{{"id":"s{id}","object":"thread.run.step","type":"tool_calls","step_details":{{"type":"tool_calls","tool_calls":[{{"id":"c{id}","type":"function","function":{{"name":"f","arguments":"{{}}"}}}}]}}}}"#)),
            };
            let event = AssistantStreamEvent::decode(Some(name), &json).expect("every template decodes");
            fold.push_updates(&event);
        }
        let _ = fold.final_text();
    }
}
