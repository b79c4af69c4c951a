//! The Responses writer, call by call: the events each call gives, in order, with hand-written
//! expectations.

use openai_wire_emit::{
    EmitError, IdSource, ItemKind, RandomIds, ResponseWriter, SequentialIds, write_response_sse,
};
use openai_wire_events::{
    OutputItem, Response, ResponseError2, ResponseErrorCode, ResponseIncompleteDetailsReason,
    ResponseStatus, ResponseStreamEvent, ResponseUsage, ResponseUsageInputTokensDetails,
    ResponseUsageOutputTokensDetails, StreamEvent,
};
use serde_json::{Value, json};

fn writer() -> ResponseWriter<SequentialIds> {
    ResponseWriter::new(Response::default(), SequentialIds::new(1_700_000_000))
}

fn usage(input: i64, cached: i64, output: i64, reasoning: i64) -> ResponseUsage {
    ResponseUsage {
        input_tokens: input,
        input_tokens_details: ResponseUsageInputTokensDetails {
            cached_tokens: cached,
            ..Default::default()
        },
        output_tokens: output,
        output_tokens_details: ResponseUsageOutputTokensDetails {
            reasoning_tokens: reasoning,
        },
        total_tokens: input + output,
        compute_units: None,
    }
}

fn types(events: &[ResponseStreamEvent]) -> Vec<&str> {
    events.iter().map(|e| e.wire_type()).collect()
}

fn json_of(event: &ResponseStreamEvent) -> Value {
    serde_json::to_value(event).unwrap()
}

#[test]
fn a_text_message_is_the_sequence_openai_sends_with_exact_fields() {
    let mut w = writer();
    let mut events = w.start().unwrap();
    let (msg, opened) = w.open_message().unwrap();
    events.extend(opened);
    events.extend(w.push_text(msg, "Hi").unwrap());
    events.extend(w.push_text(msg, " there").unwrap());
    events.extend(w.finish_item(msg).unwrap());
    events.extend(w.complete(usage(5, 0, 2, 0)).unwrap());

    let seqs: Vec<i64> = events
        .iter()
        .map(|e| json_of(e)["sequence_number"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (0..10).collect::<Vec<_>>());

    // Every field of OpenAI's response object (as in
    // responses/openai-dotnet__ResponsesToolTests__FileSearchCallStreamingAsync__e2.sse, plus the
    // `moderation` OpenAI writes since 2026-04), with OpenAI's defaults where the (empty)
    // template is silent. `parallel_tool_calls` and `model` are the template's own: unset.
    assert_eq!(
        json_of(&events[0]),
        json!({"type": "response.created", "sequence_number": 0, "response": {
            "id": "resp_0001", "object": "response", "created_at": 1_700_000_000,
            "status": "in_progress", "background": false, "completed_at": null, "error": null,
            "frequency_penalty": 0.0, "incomplete_details": null, "instructions": null,
            "max_output_tokens": null, "max_tool_calls": null, "model": null, "output": [],
            "parallel_tool_calls": false, "presence_penalty": 0.0, "previous_response_id": null,
            "prompt_cache_key": null, "prompt_cache_retention": null,
            "reasoning": {"effort": null, "summary": null}, "safety_identifier": null,
            "service_tier": "default", "store": true, "temperature": 1.0,
            "text": {"format": {"type": "text"}}, "tool_choice": "auto", "tools": [],
            "top_logprobs": 0, "top_p": 1.0, "truncation": "disabled", "usage": null,
            "user": null, "metadata": {}, "moderation": null,
        }})
    );
    assert_eq!(
        json_of(&events[2]),
        json!({"type": "response.output_item.added", "output_index": 0, "sequence_number": 2,
               "item": {"type": "message", "id": "msg_0002", "role": "assistant", "content": [],
                        "status": "in_progress"}})
    );
    assert_eq!(
        json_of(&events[3]),
        json!({"type": "response.content_part.added", "item_id": "msg_0002", "output_index": 0,
               "content_index": 0, "sequence_number": 3,
               "part": {"type": "output_text", "text": "", "annotations": [], "logprobs": []}})
    );
    assert_eq!(
        json_of(&events[5]),
        json!({"type": "response.output_text.delta", "item_id": "msg_0002", "output_index": 0,
               "content_index": 0, "delta": " there", "sequence_number": 5, "logprobs": []})
    );
    assert_eq!(
        json_of(&events[6]),
        json!({"type": "response.output_text.done", "item_id": "msg_0002", "output_index": 0,
               "content_index": 0, "text": "Hi there", "sequence_number": 6, "logprobs": []})
    );
    assert_eq!(
        json_of(&events[7])["part"],
        json!({"type": "output_text", "text": "Hi there", "annotations": [], "logprobs": []})
    );
    assert_eq!(
        json_of(&events[8])["item"],
        json!({"type": "message", "id": "msg_0002", "role": "assistant", "status": "completed",
               "content": [{"type": "output_text", "text": "Hi there", "annotations": [], "logprobs": []}]})
    );
    let completed = json_of(&events[9]);
    assert_eq!(completed["type"], "response.completed");
    assert_eq!(completed["response"]["status"], "completed");
    assert_eq!(completed["response"]["completed_at"], 1_700_000_000);
    assert_eq!(
        completed["response"]["output"][0],
        json_of(&events[8])["item"]
    );
    assert_eq!(
        completed["response"]["usage"],
        json!({"input_tokens": 5, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
               "output_tokens": 2, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 7})
    );
    assert_eq!(
        serde_json::to_value(w.response()).unwrap(),
        completed["response"]
    );
}

#[test]
fn the_template_is_echoed_and_the_writer_owns_status_output_and_usage() {
    let template: Response = serde_json::from_value(json!({
        "id": "resp_given", "created_at": 42, "model": "gpt-4o", "instructions": "Be brief.",
        "temperature": 0.5, "status": "completed", "output_text": "stale",
        "output": [{"type": "message", "id": "msg_stale", "role": "assistant", "content": []}],
        "usage": {"input_tokens": 99}, "tools": [{"type": "function", "name": "f", "parameters": {}}],
    }))
    .unwrap();
    let mut w = ResponseWriter::new(template, SequentialIds::new(7));
    assert_eq!(w.response_id(), "resp_given");
    let events = w.start().unwrap();
    let created = json_of(&events[0]);
    let response = &created["response"];
    assert_eq!(response["id"], "resp_given");
    assert_eq!(response["created_at"], 42.0);
    assert_eq!(response["model"], "gpt-4o");
    assert_eq!(response["instructions"], "Be brief.");
    assert_eq!(response["temperature"], 0.5);
    assert_eq!(response["tools"][0]["name"], "f");
    assert_eq!(response["status"], "in_progress");
    assert_eq!(response["output"], json!([]));
    // No usage yet: `null`, as OpenAI writes it until the end.
    assert_eq!(response.get("usage"), Some(&Value::Null));
    assert!(response.get("output_text").is_none());
    assert_eq!(json_of(&events[1])["response"], *response);
}

#[test]
fn done_events_wait_for_earlier_items_and_come_in_output_index_order() {
    let mut w = writer();
    w.start().unwrap();
    let (msg, _) = w.open_message().unwrap();
    let (call, _) = w.open_function_call("f", Some("call_x".into())).unwrap();
    let (custom, _) = w.open_custom_tool_call("g", None).unwrap();
    assert_eq!(
        (
            msg.output_index(),
            call.output_index(),
            custom.output_index()
        ),
        (0, 1, 2)
    );

    let args = w.push_arguments(call, "{}").unwrap();
    assert_eq!(types(&args), ["response.function_call_arguments.delta"]);
    // The call finishes first, but the message before it is still open: held.
    assert!(w.finish_item(call).unwrap().is_empty());
    assert!(matches!(
        w.push_arguments(call, "more"),
        Err(EmitError::ItemFinished { output_index: 1 })
    ));
    // The message still streams, then finishes: its done events, then the call's.
    let text = w.push_text(msg, "a").unwrap();
    assert_eq!(
        types(&text),
        ["response.content_part.added", "response.output_text.delta"]
    );
    let done = w.finish_item(msg).unwrap();
    assert_eq!(
        types(&done),
        [
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.function_call_arguments.done",
            "response.output_item.done",
        ]
    );
    let indices: Vec<i64> = done
        .iter()
        .map(|e| json_of(e)["output_index"].as_i64().unwrap())
        .collect();
    assert_eq!(indices, [0, 0, 0, 1, 1]);
    let fc_done = json_of(&done[3]);
    assert_eq!(fc_done["arguments"], "{}");
    assert_eq!(fc_done["name"], "f");
    assert_eq!(json_of(&done[4])["item"]["call_id"], "call_x");
    assert_eq!(json_of(&done[4])["item"]["status"], "completed");

    // The custom tool call is still open; complete() finishes it before the terminal event.
    w.push_custom_input(custom, "x = 1").unwrap();
    let end = w.complete(usage(1, 0, 1, 0)).unwrap();
    assert_eq!(
        types(&end),
        [
            "response.custom_tool_call_input.done",
            "response.output_item.done",
            "response.completed"
        ]
    );
    assert_eq!(json_of(&end[0])["input"], "x = 1");
    let item = &json_of(&end[1])["item"];
    assert_eq!(item["type"], "custom_tool_call");
    assert_eq!(item["name"], "g");
    // Ids in the order drawn: resp, msg, fc, then the call id before the item id.
    assert_eq!(item["call_id"], "call_0004");
    assert_eq!(item["id"], "ctc_0005");
}

#[test]
fn reasoning_streams_summary_parts_text_and_encrypted_content() {
    let mut w = writer();
    w.start().unwrap();
    let (rs, added) = w.open_reasoning().unwrap();
    assert_eq!(
        json_of(&added[0])["item"],
        json!({"type": "reasoning", "id": "rs_0002", "summary": []})
    );
    let first = w.push_reasoning_summary(rs, "**Plan**").unwrap();
    assert_eq!(
        types(&first),
        [
            "response.reasoning_summary_part.added",
            "response.reasoning_summary_text.delta"
        ]
    );
    assert_eq!(
        json_of(&first[0])["part"],
        json!({"type": "summary_text", "text": ""})
    );
    let closed = w.end_summary_part(rs).unwrap();
    assert_eq!(
        types(&closed),
        [
            "response.reasoning_summary_text.done",
            "response.reasoning_summary_part.done"
        ]
    );
    assert_eq!(json_of(&closed[0])["text"], "**Plan**");
    assert!(w.end_summary_part(rs).unwrap().is_empty());
    let second = w.push_reasoning_summary(rs, "Two").unwrap();
    assert_eq!(json_of(&second[0])["summary_index"], 1);
    let text = w.push_reasoning_text(rs, "think").unwrap();
    assert_eq!(
        types(&text),
        [
            "response.content_part.added",
            "response.reasoning_text.delta"
        ]
    );
    assert_eq!(
        json_of(&text[0])["part"],
        json!({"type": "reasoning_text", "text": ""})
    );
    w.push_reasoning_text(rs, "ing").unwrap();
    w.set_encrypted_content(rs, "gAAA".into()).unwrap();
    let done = w.finish_item(rs).unwrap();
    assert_eq!(
        types(&done),
        [
            "response.reasoning_summary_text.done",
            "response.reasoning_summary_part.done",
            "response.reasoning_text.done",
            "response.content_part.done",
            "response.output_item.done",
        ]
    );
    assert_eq!(json_of(&done[0])["summary_index"], 1);
    assert_eq!(json_of(&done[2])["text"], "thinking");
    assert_eq!(
        json_of(&done[4])["item"],
        json!({"type": "reasoning", "id": "rs_0002", "encrypted_content": "gAAA",
               "summary": [{"type": "summary_text", "text": "**Plan**"}, {"type": "summary_text", "text": "Two"}],
               "content": [{"type": "reasoning_text", "text": "thinking"}]})
    );
}

#[test]
fn a_message_switching_between_text_and_refusal_gets_one_part_each() {
    let mut w = writer();
    w.start().unwrap();
    let (msg, _) = w.open_message().unwrap();
    w.push_text(msg, "I ").unwrap();
    let switch = w.push_refusal(msg, "can't").unwrap();
    assert_eq!(
        types(&switch),
        [
            "response.output_text.done",
            "response.content_part.done",
            "response.content_part.added",
            "response.refusal.delta"
        ]
    );
    assert_eq!(json_of(&switch[2])["content_index"], 1);
    assert_eq!(
        json_of(&switch[2])["part"],
        json!({"type": "refusal", "refusal": ""})
    );
    let done = w.finish_item(msg).unwrap();
    assert_eq!(
        types(&done),
        [
            "response.refusal.done",
            "response.content_part.done",
            "response.output_item.done"
        ]
    );
    assert_eq!(json_of(&done[0])["refusal"], "can't");
    assert_eq!(
        json_of(&done[2])["item"]["content"],
        json!([{"type": "output_text", "text": "I ", "annotations": [], "logprobs": []},
               {"type": "refusal", "refusal": "can't"}])
    );
}

#[test]
fn empty_deltas_emit_no_delta_and_an_empty_message_still_gets_a_text_part() {
    let mut w = writer();
    w.start().unwrap();
    let (msg, _) = w.open_message().unwrap();
    let (call, _) = w.open_function_call("f", None).unwrap();
    assert!(w.push_arguments(call, "").unwrap().is_empty());
    assert!(w.finish_item(call).unwrap().is_empty());
    let done = w.finish_item(msg).unwrap();
    assert_eq!(
        types(&done),
        [
            "response.content_part.added",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.function_call_arguments.done",
            "response.output_item.done",
        ]
    );
    assert_eq!(json_of(&done[1])["text"], "");
    assert_eq!(json_of(&done[4])["arguments"], "");

    let mut w = writer();
    w.start().unwrap();
    let (msg, _) = w.open_message().unwrap();
    // An empty delta opens the part, and only that.
    assert_eq!(
        types(&w.push_text(msg, "").unwrap()),
        ["response.content_part.added"]
    );
    assert!(w.push_text(msg, "").unwrap().is_empty());
}

#[test]
fn failing_finishes_open_items_as_incomplete_and_carries_the_error() {
    let mut w = writer();
    w.start().unwrap();
    let (msg, _) = w.open_message().unwrap();
    w.push_text(msg, "partial").unwrap();
    let end = w
        .fail(ResponseError2 {
            code: ResponseErrorCode::RateLimitExceeded,
            message: "Rate limit reached. Please try again in 2s.".into(),
        })
        .unwrap();
    assert_eq!(
        types(&end),
        [
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.failed"
        ]
    );
    assert_eq!(json_of(&end[2])["item"]["status"], "incomplete");
    let failed = json_of(&end[3]);
    assert_eq!(failed["response"]["status"], "failed");
    assert_eq!(
        failed["response"]["error"],
        json!({"code": "rate_limit_exceeded", "message": "Rate limit reached. Please try again in 2s."})
    );
    // As OpenAI's response.failed (responses/vercel-ai.openai__openai-error.1.chunks.txt).
    assert_eq!(failed["response"].get("usage"), Some(&Value::Null));
    assert_eq!(failed["response"].get("completed_at"), Some(&Value::Null));
    assert!(w.is_ended());
}

#[test]
fn incomplete_carries_the_reason_and_full_usage_and_keeps_finished_items_completed() {
    let mut w = writer();
    w.start().unwrap();
    let (call, _) = w.open_function_call("f", Some("c".into())).unwrap();
    w.push_arguments(call, "{\"a\":").unwrap();
    let (msg, _) = w.open_message().unwrap();
    w.push_text(msg, "x").unwrap();
    w.finish_item(msg).unwrap();
    let end = w
        .incomplete(
            ResponseIncompleteDetailsReason::MaxOutputTokens,
            usage(0, 0, 0, 0),
        )
        .unwrap();
    assert_eq!(
        types(&end),
        [
            "response.function_call_arguments.done",
            "response.output_item.done",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.incomplete",
        ]
    );
    assert_eq!(json_of(&end[1])["item"]["status"], "incomplete");
    assert_eq!(json_of(&end[4])["item"]["status"], "completed");
    let response = &json_of(&end[5])["response"];
    assert_eq!(response["status"], "incomplete");
    assert_eq!(
        response["incomplete_details"],
        json!({"reason": "max_output_tokens"})
    );
    // Zero usage is still written in full.
    assert_eq!(
        response["usage"],
        json!({"input_tokens": 0, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
               "output_tokens": 0, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 0})
    );
    let final_response = w.response();
    assert_eq!(final_response.status, Some(ResponseStatus::Incomplete));
    assert!(
        matches!(&final_response.output[0], OutputItem::FunctionCall(c) if c.arguments == "{\"a\":")
    );
}

#[test]
fn misuse_is_a_typed_error_that_emits_nothing_and_changes_nothing() {
    let mut w = writer();
    assert!(matches!(w.open_message(), Err(EmitError::NotStarted)));
    assert!(matches!(
        w.complete(usage(0, 0, 0, 0)),
        Err(EmitError::NotStarted)
    ));
    w.start().unwrap();
    assert!(matches!(w.start(), Err(EmitError::AlreadyStarted)));

    let (call, _) = w.open_function_call("f", Some("c".into())).unwrap();
    let (rs, _) = w.open_reasoning().unwrap();
    let before = w.next_sequence_number();
    let snapshot = w.response();
    match w.push_text(call, "x") {
        Err(EmitError::WrongItemKind {
            operation,
            expected,
            found,
            output_index,
        }) => {
            assert_eq!(
                (operation, expected, found, output_index),
                ("push_text", ItemKind::Message, ItemKind::FunctionCall, 0)
            );
        }
        other => panic!("expected WrongItemKind, got {other:?}"),
    }
    assert!(matches!(
        w.push_arguments(rs, "x"),
        Err(EmitError::WrongItemKind { .. })
    ));
    assert!(matches!(
        w.push_custom_input(call, "x"),
        Err(EmitError::WrongItemKind { .. })
    ));
    assert!(matches!(
        w.set_encrypted_content(call, "e".into()),
        Err(EmitError::WrongItemKind { .. })
    ));
    assert!(matches!(
        w.push_reasoning_text(call, "x"),
        Err(EmitError::WrongItemKind { .. })
    ));

    let mut other = writer();
    other.start().unwrap();
    let (foreign, _) = other.open_function_call("f", Some("c".into())).unwrap();
    assert!(matches!(
        w.push_arguments(foreign, "x"),
        Err(EmitError::ForeignHandle)
    ));
    assert!(matches!(
        w.finish_item(foreign),
        Err(EmitError::ForeignHandle)
    ));

    assert_eq!(w.next_sequence_number(), before);
    assert_eq!(w.response(), snapshot);

    w.finish_item(call).unwrap();
    assert!(matches!(
        w.finish_item(call),
        Err(EmitError::ItemFinished { output_index: 0 })
    ));
    w.complete(usage(0, 0, 0, 0)).unwrap();
    let ended = |r: Result<Vec<ResponseStreamEvent>, EmitError>| {
        matches!(
            r,
            Err(EmitError::Ended {
                terminal: "response.completed"
            })
        )
    };
    assert!(ended(w.complete(usage(0, 0, 0, 0))));
    assert!(ended(w.incomplete(
        ResponseIncompleteDetailsReason::ContentFilter,
        usage(0, 0, 0, 0)
    )));
    assert!(ended(w.push_reasoning_summary(rs, "x")));
    assert!(ended(w.open_message().map(|(_, e)| e)));
    assert!(ended(w.start()));
    let error = w.complete(usage(0, 0, 0, 0)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the stream has already ended with response.completed"
    );
}

#[test]
fn sse_bytes_are_event_and_data_lines_per_event() {
    let mut w = writer();
    let mut events = w.start().unwrap();
    let (msg, opened) = w.open_message().unwrap();
    events.extend(opened);
    events.extend(w.push_text(msg, "line 1\nline 2\r\n").unwrap());
    let mut out = Vec::new();
    write_response_sse(&mut out, &events).unwrap();
    let text = String::from_utf8(out).unwrap();
    let frames: Vec<&str> = text.split_terminator("\n\n").collect();
    assert_eq!(frames.len(), 5);
    for (frame, event) in frames.iter().zip(&events) {
        let (event_line, data_line) = frame.split_once('\n').unwrap();
        assert_eq!(event_line, format!("event: {}", event.wire_type()));
        let data = data_line.strip_prefix("data: ").unwrap();
        assert!(!data.contains('\n'));
        assert_eq!(ResponseStreamEvent::from_json(data).unwrap(), *event);
    }
    assert!(frames[4].contains(r#""delta":"line 1\nline 2\r\n""#));
}

#[test]
fn random_ids_are_prefixed_unique_and_the_clock_is_real() {
    let mut ids = RandomIds::new();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..1000 {
        let id = ids.id("fc_");
        assert!(id.starts_with("fc_"));
        assert_eq!(id.len(), 3 + 32);
        assert!(id[3..].bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(seen.insert(id));
    }
    let mut other = RandomIds::new();
    assert!(!seen.contains(&other.id("fc_")));
    let now = ids.now();
    let std_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - std_now).abs() <= 2);
}

#[test]
fn one_id_source_can_serve_several_writers() {
    let mut ids = SequentialIds::new(5);
    let first = ResponseWriter::new(Response::default(), &mut ids);
    assert_eq!(first.response_id(), "resp_0001");
    drop(first);
    let second = ResponseWriter::new(Response::default(), &mut ids);
    assert_eq!(second.response_id(), "resp_0002");
    drop(second);
    assert_eq!(ids.issued(), 2);
}
