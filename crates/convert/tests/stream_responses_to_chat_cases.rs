//! Responses → Chat, case by case: failures, incomplete responses, cut-off streams, custom tool
//! calls, reasoning, usage, several tool calls, the non-streaming path, and arbitrary event
//! sequences (never an error, never a wrong Chat stream).

#[path = "common/responses_stream.rs"]
mod responses_stream;

use openai_wire_check::{Severity, check_bytes};
use openai_wire_convert::stream::responses_to_chat::{
    CustomToolCallMode, Outcome, ReasoningMode, ResponsesToChat, ResponsesToChatError,
    ResponsesToChatOptions, response_to_chat_completion,
};
use openai_wire_decode::{Format, Protocol};
use openai_wire_emit::SequentialIds;
use openai_wire_events::{
    ChatCompletionMessageToolCall2, ChatCompletionStreamEvent, OutputItem, ResponseStreamEvent,
};
use openai_wire_fold::{ResponseFold, output_text};
use proptest::prelude::*;
use responses_stream::{
    Converted, chunk_json, convert, decode_file, events, read_chat, responses_entries, segments,
};
use serde_json::{Value, json};

fn corpus(file: &str) -> (Vec<ResponseStreamEvent>, bool) {
    let entry = responses_entries()
        .into_iter()
        .find(|e| e.file == format!("responses/{file}"))
        .unwrap_or_else(|| panic!("{file} is not in the corpus"));
    decode_file(&entry)
}

fn chat_errors(converted: &Converted) -> Vec<String> {
    check_bytes(Protocol::Chat, Format::Sse, &converted.sse)
        .findings
        .iter()
        .filter(|f| f.rule.severity == Severity::Error)
        .map(ToString::to_string)
        .collect()
}

fn finish_reasons(converted: &Converted) -> Vec<String> {
    chunk_json(&converted.chunks)
        .iter()
        .flat_map(|c| c["choices"].as_array().cloned().unwrap_or_default())
        .filter_map(|choice| choice["finish_reason"].as_str().map(str::to_owned))
        .collect()
}

const CREATED: &str = r#"{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1700000000,"model":"gpt-test","status":"in_progress","output":[]}}"#;
const MESSAGE_ADDED: &str = r#"{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","status":"in_progress","content":[]}}"#;

fn text_delta(delta: &str) -> String {
    json!({"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":delta}).to_string()
}

fn terminal(kind: &str, response: Value) -> String {
    let mut base = json!({"id":"resp_1","object":"response","created_at":1700000000,"model":"gpt-test","output":[]});
    if let (Some(base), Some(extra)) = (base.as_object_mut(), response.as_object()) {
        base.extend(extra.clone());
    }
    json!({"type": kind, "response": base}).to_string()
}

// ---- failures -------------------------------------------------------------------------------

#[test]
fn an_error_event_then_response_failed_gives_one_error_and_no_done() {
    // OpenAI: `error` (insufficient_quota), then `response.failed`.
    let (events, ended) = corpus("vercel-ai.openai__openai-error.1.chunks.txt");
    let converted = convert(&events, ended, ResponsesToChatOptions::default());
    assert_eq!(converted.outcome, Outcome::Failed);
    assert!(!converted.outcome.sends_done());
    assert_eq!(converted.chunks.len(), 1, "{:?}", converted.chunks);
    let ChatCompletionStreamEvent::Error(body) = &converted.chunks[0] else {
        panic!("not an error event: {:?}", converted.chunks[0]);
    };
    assert_eq!(body.error.code.as_deref(), Some("insufficient_quota"));
    assert_eq!(body.error.r#type, "insufficient_quota");
    assert!(
        body.error
            .message
            .starts_with("You exceeded your current quota")
    );
    // Nothing went out before the error: a gateway can still answer with an HTTP error.
    assert!(!converted.converter.started());
    assert_eq!(converted.converter.error().map(|e| e.status), Some(429));
    let sse = String::from_utf8(converted.sse.clone()).unwrap();
    assert!(sse.starts_with("data: {\"error\":{"), "{sse}");
    assert!(!sse.contains("[DONE]"));
    assert!(chat_errors(&converted).is_empty());
}

#[test]
fn response_failed_after_text_keeps_the_text_and_ends_with_an_error_not_a_finish() {
    let events = events(&[
        CREATED,
        MESSAGE_ADDED,
        &text_delta("Partial an"),
        &terminal(
            "response.failed",
            json!({"status":"failed","error":{"code":"server_error","message":"The model crashed."}}),
        ),
    ]);
    let converted = convert(
        &events,
        true,
        ResponsesToChatOptions::default().with_usage(true),
    );
    assert_eq!(converted.outcome, Outcome::Failed);
    assert!(
        finish_reasons(&converted).is_empty(),
        "a failure is not a finish"
    );
    let last = converted.chunks.last().expect("chunks");
    let ChatCompletionStreamEvent::Error(body) = last else {
        panic!("last event is not an error: {last:?}");
    };
    assert_eq!(body.error.code.as_deref(), Some("server_error"));
    assert_eq!(body.error.message, "The model crashed.");
    assert!(converted.converter.started());
    assert_eq!(converted.converter.error().map(|e| e.status), Some(500));
    let (chat, done) = read_chat(&converted.sse);
    assert!(!done);
    assert_eq!(chat.final_text(), "Partial an");
    assert!(chat.usage().is_none());
    assert!(chat_errors(&converted).is_empty());
}

#[test]
fn a_rate_limited_failure_is_a_429_with_the_upstream_message() {
    let events = events(&[
        CREATED,
        &terminal(
            "response.failed",
            json!({"status":"failed","error":{"code":"rate_limit_exceeded","message":"Rate limit reached. Please try again in 20s."}}),
        ),
    ]);
    let converted = convert(&events, true, ResponsesToChatOptions::default());
    let error = converted.converter.error().expect("an error");
    assert_eq!(error.status, 429);
    assert_eq!(error.error.code.as_deref(), Some("rate_limit_exceeded"));
    assert_eq!(
        error.error.message,
        "Rate limit reached. Please try again in 20s."
    );
}

// ---- incomplete -----------------------------------------------------------------------------

#[test]
fn incomplete_for_max_output_tokens_finishes_with_length() {
    let events = events(&[
        CREATED,
        MESSAGE_ADDED,
        &text_delta("Once upon a"),
        &terminal(
            "response.incomplete",
            json!({"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},
                   "usage":{"input_tokens":9,"output_tokens":3,"total_tokens":12}}),
        ),
    ]);
    let converted = convert(
        &events,
        true,
        ResponsesToChatOptions::default().with_usage(true),
    );
    assert_eq!(converted.outcome, Outcome::Incomplete);
    assert!(converted.outcome.sends_done());
    assert_eq!(finish_reasons(&converted), ["length"]);
    let (chat, done) = read_chat(&converted.sse);
    assert!(done);
    assert_eq!(chat.final_text(), "Once upon a");
    assert_eq!(chat.usage().map(|u| u.total_tokens), Some(12));
    assert!(chat_errors(&converted).is_empty());
}

#[test]
fn incomplete_for_content_filter_finishes_with_content_filter() {
    let events = events(&[
        CREATED,
        MESSAGE_ADDED,
        &text_delta("I will"),
        &terminal(
            "response.incomplete",
            json!({"status":"incomplete","incomplete_details":{"reason":"content_filter"}}),
        ),
    ]);
    let converted = convert(&events, true, ResponsesToChatOptions::default());
    assert_eq!(finish_reasons(&converted), ["content_filter"]);
    assert!(read_chat(&converted.sse).1, "ends with [DONE]");
    assert!(chat_errors(&converted).is_empty());
}

// ---- cut-off streams ------------------------------------------------------------------------

#[test]
fn a_real_stream_cut_in_the_middle_ends_with_an_error_and_no_done() {
    let (events, _) = corpus("openai-dotnet__ResponsesTests__StreamingResponses__e0.sse");
    let deltas = events
        .iter()
        .filter(|e| matches!(e, ResponseStreamEvent::ResponseOutputTextDelta(_)))
        .count();
    assert!(deltas >= 2);
    let cut = events
        .iter()
        .position(|e| matches!(e, ResponseStreamEvent::ResponseOutputTextDone(_)))
        .expect("text done");
    let head = &events[..cut];
    let converted = convert(
        head,
        false,
        ResponsesToChatOptions::default().with_usage(true),
    );
    assert_eq!(converted.outcome, Outcome::Truncated);
    assert!(finish_reasons(&converted).is_empty(), "no finish_reason");
    let error = converted.converter.error().expect("error");
    assert_eq!(error.error.code.as_deref(), Some("stream_truncated"));
    assert_eq!(error.status, 502);
    assert!(matches!(
        converted.chunks.last(),
        Some(ChatCompletionStreamEvent::Error(_))
    ));
    let (chat, done) = read_chat(&converted.sse);
    assert!(!done, "a cut-off stream must not end with [DONE]");
    let mut fold = ResponseFold::new();
    head.iter().for_each(|e| {
        fold.push(e);
    });
    assert!(!chat.final_text().is_empty());
    assert_eq!(chat.final_text(), output_text(fold.response()));
    // The checker sees a stream without [DONE] and without a finish_reason: warnings, which is
    // what a client that checks for them learns.
    let report = check_bytes(Protocol::Chat, Format::Sse, &converted.sse);
    assert_eq!(report.errors(), 0);
    assert!(report.of_rule("chat.done-marker").count() == 1);
}

#[test]
fn a_fixture_that_ends_without_a_terminal_event_is_truncated_even_if_it_ended_cleanly() {
    let (events, _) =
        corpus("vercel-ai.openai__openai-issue-8562-missing-reasoning-summary.1.chunks.txt");
    let converted = convert(&events, true, ResponsesToChatOptions::default());
    assert_eq!(converted.outcome, Outcome::Truncated);
    assert!(!read_chat(&converted.sse).1);
}

#[test]
fn finish_after_a_terminal_event_adds_nothing_and_later_events_are_ignored() {
    let mut converter =
        ResponsesToChat::new(ResponsesToChatOptions::default(), SequentialIds::default());
    for json in [CREATED, MESSAGE_ADDED, &text_delta("Hi")] {
        converter.push(&event(json)).unwrap();
    }
    let end = converter
        .push(&event(&terminal(
            "response.completed",
            json!({"status":"completed"}),
        )))
        .unwrap();
    assert_eq!(end.len(), 1);
    assert!(converter.finish(false).unwrap().is_empty());
    assert!(
        converter
            .push(&event(&text_delta("late")))
            .unwrap()
            .is_empty()
    );
    assert_eq!(converter.outcome(), Outcome::Completed);
    assert_eq!(
        converter.completion().choices[0].message.content.as_deref(),
        Some("Hi")
    );
}

fn event(json: &str) -> ResponseStreamEvent {
    events(&[json]).remove(0)
}

// ---- streaming as soon as possible, model --------------------------------------------------

#[test]
fn each_delta_gives_its_chunk_at_once_with_the_upstream_model() {
    let mut converter =
        ResponsesToChat::new(ResponsesToChatOptions::default(), SequentialIds::default());
    assert!(converter.push(&event(CREATED)).unwrap().is_empty());
    assert!(converter.push(&event(MESSAGE_ADDED)).unwrap().is_empty());
    let chunks = converter.push(&event(&text_delta("Hel"))).unwrap();
    let json = chunk_json(&chunks);
    assert_eq!(json.len(), 1);
    assert_eq!(json[0]["model"], "gpt-test");
    assert_eq!(
        json[0]["choices"][0]["delta"],
        json!({"role":"assistant","content":"Hel"})
    );
    let chunks = converter.push(&event(&text_delta("lo"))).unwrap();
    assert_eq!(
        chunk_json(&chunks)[0]["choices"][0]["delta"],
        json!({"content":"lo"})
    );
}

#[test]
fn the_model_option_overrides_the_upstream_model() {
    let events = events(&[CREATED, MESSAGE_ADDED, &text_delta("x")]);
    let converted = convert(
        &events,
        false,
        ResponsesToChatOptions::default().with_model("my-alias"),
    );
    assert!(
        chunk_json(&converted.chunks)
            .iter()
            .all(|c| c["model"] == "my-alias")
    );
}

// ---- tool calls -----------------------------------------------------------------------------

#[test]
fn a_real_custom_tool_call_becomes_a_function_call_with_an_input_object() {
    let (events, ended) =
        corpus("openai-dotnet__ResponsesTests__CustomToolCallStreamingWorks__e0.sse");
    let converted = convert(&events, ended, ResponsesToChatOptions::default());
    let calls: Vec<Value> = chunk_json(&converted.chunks)
        .iter()
        .filter_map(|c| c["choices"][0]["delta"].get("tool_calls").cloned())
        .collect();
    // First the call's index, id and name, before any input.
    assert_eq!(calls[0][0]["index"], 0);
    assert_eq!(calls[0][0]["function"]["name"], "code_exec");
    assert_eq!(calls[0][0]["function"]["arguments"], "");
    assert!(
        calls[0][0]["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("call_"))
    );
    let (chat, _) = read_chat(&converted.sse);
    let completion = chat.completion();
    let choice = &completion.choices[0];
    assert_eq!(
        choice.finish_reason.as_ref().map(|r| r.as_str()),
        Some("tool_calls")
    );
    let Some(ChatCompletionMessageToolCall2::Function(call)) =
        choice.message.tool_calls.as_ref().and_then(|c| c.first())
    else {
        panic!("no function call");
    };
    let arguments: Value = serde_json::from_str(&call.function.arguments).expect("JSON arguments");
    assert_eq!(arguments, json!({"input": "print(\"hello world\")\n"}));
    assert!(chat_errors(&converted).is_empty());
}

#[test]
fn raw_input_mode_passes_custom_input_as_is() {
    let (events, ended) =
        corpus("openai-dotnet__ResponsesTests__CustomToolCallStreamingWorks__e0.sse");
    let options =
        ResponsesToChatOptions::default().with_custom_tool_calls(CustomToolCallMode::RawInput);
    let converted = convert(&events, ended, options);
    let completion = read_chat(&converted.sse).0.completion();
    let Some(ChatCompletionMessageToolCall2::Function(call)) = completion.choices[0]
        .message
        .tool_calls
        .as_ref()
        .and_then(|c| c.first())
    else {
        panic!("no function call");
    };
    assert_eq!(call.function.arguments, "print(\"hello world\")\n");
}

#[test]
fn custom_input_that_needs_escaping_streams_as_valid_json() {
    let events = events(&[
        CREATED,
        r#"{"type":"response.output_item.added","output_index":0,"item":{"type":"custom_tool_call","id":"ctc_1","call_id":"call_x","name":"patch","input":""}}"#,
        r#"{"type":"response.custom_tool_call_input.delta","output_index":0,"item_id":"ctc_1","delta":"a \"quoted\"\n\\"}"#,
        r#"{"type":"response.custom_tool_call_input.delta","output_index":0,"item_id":"ctc_1","delta":"\t€ done"}"#,
        r#"{"type":"response.custom_tool_call_input.done","output_index":0,"item_id":"ctc_1","input":"a \"quoted\"\n\\\t€ done"}"#,
        &terminal("response.completed", json!({"status":"completed"})),
    ]);
    let converted = convert(&events, true, ResponsesToChatOptions::default());
    let completion = read_chat(&converted.sse).0.completion();
    let Some(ChatCompletionMessageToolCall2::Function(call)) = completion.choices[0]
        .message
        .tool_calls
        .as_ref()
        .and_then(|c| c.first())
    else {
        panic!("no function call");
    };
    assert_eq!(call.id, "call_x");
    let arguments: Value = serde_json::from_str(&call.function.arguments).expect("JSON arguments");
    assert_eq!(arguments, json!({"input": "a \"quoted\"\n\\\t€ done"}));
}

#[test]
fn parallel_function_calls_get_indices_in_order_and_their_own_arguments() {
    let events = events(&[
        CREATED,
        r#"{"type":"response.output_item.added","output_index":0,"item":{"type":"function_call","id":"fc_a","call_id":"call_a","name":"get_weather","arguments":""}}"#,
        r#"{"type":"response.output_item.added","output_index":1,"item":{"type":"function_call","id":"fc_b","call_id":"call_b","name":"get_time","arguments":""}}"#,
        r#"{"type":"response.function_call_arguments.delta","output_index":1,"item_id":"fc_b","delta":"{\"tz\":"}"#,
        r#"{"type":"response.function_call_arguments.delta","output_index":0,"item_id":"fc_a","delta":"{\"city\":\"Paris\"}"}"#,
        r#"{"type":"response.function_call_arguments.delta","output_index":1,"item_id":"fc_b","delta":"\"CET\"}"}"#,
        r#"{"type":"response.function_call_arguments.done","output_index":0,"item_id":"fc_a","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}"#,
        r#"{"type":"response.function_call_arguments.done","output_index":1,"item_id":"fc_b","name":"get_time","arguments":"{\"tz\":\"CET\"}"}"#,
        &terminal("response.completed", json!({"status":"completed"})),
    ]);
    let converted = convert(&events, true, ResponsesToChatOptions::default());
    assert!(
        chat_errors(&converted).is_empty(),
        "{:?}",
        chat_errors(&converted)
    );
    let completion = read_chat(&converted.sse).0.completion();
    let calls: Vec<(String, String, String)> = completion.choices[0]
        .message
        .tool_calls
        .iter()
        .flatten()
        .map(|call| match call {
            ChatCompletionMessageToolCall2::Function(f) => (
                f.id.clone(),
                f.function.name.clone(),
                f.function.arguments.clone(),
            ),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        calls,
        [
            (
                "call_a".into(),
                "get_weather".into(),
                r#"{"city":"Paris"}"#.into()
            ),
            ("call_b".into(), "get_time".into(), r#"{"tz":"CET"}"#.into()),
        ]
    );
    assert_eq!(finish_reasons(&converted), ["tool_calls"]);
}

#[test]
fn arguments_sent_only_in_the_done_event_still_arrive() {
    // LM Studio sends a function call's arguments only in function_call_arguments.done.
    let (events, ended) = corpus("vercel-ai.open-responses__lmstudio-tool-call.1.chunks.txt");
    assert!(!events.iter().any(|e| matches!(
        e,
        ResponseStreamEvent::ResponseFunctionCallArgumentsDelta(_)
    )));
    let converted = convert(&events, ended, ResponsesToChatOptions::default());
    let completion = read_chat(&converted.sse).0.completion();
    let Some(ChatCompletionMessageToolCall2::Function(call)) = completion.choices[0]
        .message
        .tool_calls
        .as_ref()
        .and_then(|c| c.first())
    else {
        panic!("no function call");
    };
    assert_eq!(call.function.arguments, r#"{"location":"San Francisco"}"#);
}

#[test]
fn hosted_tool_items_are_skipped_and_the_answer_finishes_with_stop() {
    let (events, ended) =
        corpus("openai-dotnet__ResponsesToolTests__WebSearchCallStreaming__e0.sse");
    assert!(events.iter().any(|e| matches!(
        e,
        ResponseStreamEvent::ResponseOutputItemAdded(added) if matches!(added.item, OutputItem::WebSearchCall(_))
    )));
    let converted = convert(&events, ended, ResponsesToChatOptions::default());
    assert!(
        chunk_json(&converted.chunks)
            .iter()
            .all(|c| c["choices"][0]["delta"].get("tool_calls").is_none())
    );
    assert_eq!(finish_reasons(&converted), ["stop"]);
    assert!(!read_chat(&converted.sse).0.final_text().is_empty());
}

// ---- reasoning ------------------------------------------------------------------------------

#[test]
fn reasoning_summaries_stream_as_reasoning_content_before_the_text() {
    let (events, ended) =
        corpus("openai-dotnet__ResponsesTests__StreamingResponsesWithReasoningSummary__e0.sse");
    let converted = convert(&events, ended, ResponsesToChatOptions::default());
    let deltas: Vec<Value> = chunk_json(&converted.chunks)
        .iter()
        .map(|c| c["choices"][0]["delta"].clone())
        .collect();
    let first_reasoning = deltas
        .iter()
        .position(|d| d.get("reasoning_content").is_some());
    let first_text = deltas.iter().position(|d| d.get("content").is_some());
    assert!(first_reasoning.is_some() && first_text.is_some());
    assert!(first_reasoning < first_text);
    let mut fold = ResponseFold::new();
    events.iter().for_each(|e| {
        fold.push(e);
    });
    let summaries: Vec<String> = fold
        .response()
        .output
        .iter()
        .filter_map(|item| match item {
            OutputItem::Reasoning(r) => {
                Some(r.summary.iter().map(|s| s.text.clone()).collect::<Vec<_>>())
            }
            _ => None,
        })
        .flatten()
        .collect();
    assert!(summaries.len() > 1, "several summary parts");
    let completion = read_chat(&converted.sse).0.completion();
    assert_eq!(
        completion.choices[0].message.reasoning_content,
        Some(summaries.join("\n\n"))
    );
}

#[test]
fn reasoning_can_be_dropped_without_touching_the_text() {
    let (events, ended) = corpus("vercel-ai.deepseek__deepseek-reasoning.chunks.txt");
    let kept = convert(&events, ended, ResponsesToChatOptions::default());
    let dropped = convert(
        &events,
        ended,
        ResponsesToChatOptions::default().with_reasoning(ReasoningMode::Drop),
    );
    let has_reasoning = |c: &Converted| {
        chunk_json(&c.chunks)
            .iter()
            .any(|c| c["choices"][0]["delta"].get("reasoning_content").is_some())
    };
    assert!(
        has_reasoning(&kept),
        "DeepSeek's reasoning_text streams as reasoning_content"
    );
    assert!(!has_reasoning(&dropped));
    assert_eq!(
        read_chat(&kept.sse).0.final_text(),
        read_chat(&dropped.sse).0.final_text()
    );
    assert!(chat_errors(&dropped).is_empty());
}

// ---- usage ----------------------------------------------------------------------------------

#[test]
fn usage_maps_token_counts_and_details_on_a_last_chunk_without_choices() {
    let events = events(&[
        CREATED,
        MESSAGE_ADDED,
        &text_delta("ok"),
        &terminal(
            "response.completed",
            json!({"status":"completed","usage":{"input_tokens":100,"input_tokens_details":{"cached_tokens":40},
                   "output_tokens":30,"output_tokens_details":{"reasoning_tokens":12},"total_tokens":130}}),
        ),
    ]);
    let converted = convert(
        &events,
        true,
        ResponsesToChatOptions::default().with_usage(true),
    );
    let chunks = chunk_json(&converted.chunks);
    let last = chunks.last().expect("chunks");
    assert_eq!(last["choices"], json!([]));
    assert_eq!(
        last["usage"],
        json!({"prompt_tokens":100,"completion_tokens":30,"total_tokens":130,
               "prompt_tokens_details":{"cached_tokens":40},
               "completion_tokens_details":{"reasoning_tokens":12}})
    );
    assert!(
        chunks[..chunks.len() - 1]
            .iter()
            .all(|c| c.get("usage").is_none())
    );
    assert!(chat_errors(&converted).is_empty());

    // Without include_usage: no usage chunk, but the completion still knows the usage.
    let quiet = convert(&events, true, ResponsesToChatOptions::default());
    assert!(
        chunk_json(&quiet.chunks)
            .iter()
            .all(|c| c.get("usage").is_none())
    );
    assert_eq!(
        quiet.converter.completion().usage.map(|u| u.prompt_tokens),
        Some(100)
    );
}

#[test]
fn no_usage_chunk_is_made_up_when_the_upstream_reported_none() {
    let events = events(&[
        CREATED,
        MESSAGE_ADDED,
        &text_delta("ok"),
        &terminal("response.completed", json!({"status":"completed"})),
    ]);
    let converted = convert(
        &events,
        true,
        ResponsesToChatOptions::default().with_usage(true),
    );
    assert!(
        chunk_json(&converted.chunks)
            .iter()
            .all(|c| c.get("usage").is_none())
    );
}

// ---- non-streaming --------------------------------------------------------------------------

#[test]
fn every_real_completed_response_converts_without_streaming_to_the_same_answer() {
    let mut checked = 0;
    for entry in responses_entries() {
        let (events, _) = decode_file(&entry);
        for segment in segments(events) {
            for event in &segment {
                let ResponseStreamEvent::ResponseCompleted(completed) = event else {
                    continue;
                };
                let response = &completed.response;
                let completion =
                    response_to_chat_completion(response, &ResponsesToChatOptions::default())
                        .unwrap_or_else(|e| panic!("{}: {e}", entry.file));
                let message = &completion.choices[0].message;
                assert_eq!(
                    message.content.clone().unwrap_or_default(),
                    output_text(response),
                    "{}",
                    entry.file
                );
                let want: Vec<(String, String)> = response
                    .output
                    .iter()
                    .filter_map(|item| match item {
                        OutputItem::FunctionCall(c) => Some((c.name.clone(), c.arguments.clone())),
                        OutputItem::CustomToolCall(c) => {
                            Some((c.name.clone(), json!({"input": c.input}).to_string()))
                        }
                        _ => None,
                    })
                    .collect();
                let got: Vec<(String, String)> = message
                    .tool_calls
                    .iter()
                    .flatten()
                    .map(|call| match call {
                        ChatCompletionMessageToolCall2::Function(f) => {
                            (f.function.name.clone(), f.function.arguments.clone())
                        }
                        other => panic!("{other:?}"),
                    })
                    .collect();
                assert_eq!(got, want, "{}", entry.file);
                let finish = completion.choices[0]
                    .finish_reason
                    .as_ref()
                    .map(|r| r.as_str().to_owned());
                let want_finish = if want.is_empty() {
                    "stop"
                } else {
                    "tool_calls"
                };
                assert_eq!(finish.as_deref(), Some(want_finish), "{}", entry.file);
                if let Some(usage) = &response.usage {
                    assert_eq!(
                        completion.usage.as_ref().map(|u| u.prompt_tokens),
                        Some(usage.input_tokens)
                    );
                }
                if let Some(id) = response.id.strip_prefix("resp_") {
                    assert_eq!(completion.id, format!("chatcmpl-{id}"));
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} completed responses");
}

#[test]
fn a_failed_response_is_an_upstream_error_not_a_completion() {
    let (events, _) = corpus("vercel-ai.openai__openai-error.1.chunks.txt");
    let failed = events
        .iter()
        .find_map(|e| match e {
            ResponseStreamEvent::ResponseFailed(f) => Some(f.response.clone()),
            _ => None,
        })
        .expect("response.failed");
    match response_to_chat_completion(&failed, &ResponsesToChatOptions::default()) {
        Err(ResponsesToChatError::Upstream(error)) => {
            assert_eq!(error.status, 429);
            assert_eq!(error.error.code.as_deref(), Some("insufficient_quota"));
        }
        other => panic!("expected an upstream error, got {other:?}"),
    }
}

#[test]
fn an_incomplete_response_without_streaming_finishes_with_length() {
    let response = serde_json::from_value(json!({
        "id":"resp_9","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},
        "output":[{"type":"message","id":"msg_1","role":"assistant","content":[{"type":"output_text","text":"Once","annotations":[]}]}]
    }))
    .unwrap();
    let completion =
        response_to_chat_completion(&response, &ResponsesToChatOptions::default()).unwrap();
    assert_eq!(
        completion.choices[0]
            .finish_reason
            .as_ref()
            .map(|r| r.as_str()),
        Some("length")
    );
    assert_eq!(
        completion.choices[0].message.content.as_deref(),
        Some("Once")
    );
}

// ---- arbitrary input ------------------------------------------------------------------------

fn arb_event() -> impl Strategy<Value = String> {
    let index = 0_i64..3;
    let text = "[a-z\"\\\\ \n€]{0,6}";
    prop_oneof![
        (index.clone(), 0_i64..2, text).prop_map(|(o, c, d)| json!({"type":"response.output_text.delta","item_id":"m","output_index":o,"content_index":c,"delta":d}).to_string()),
        (index.clone(), text).prop_map(|(o, d)| json!({"type":"response.output_text.done","item_id":"m","output_index":o,"content_index":0,"text":d}).to_string()),
        (index.clone(), text).prop_map(|(o, d)| json!({"type":"response.refusal.delta","item_id":"m","output_index":o,"content_index":0,"delta":d}).to_string()),
        (index.clone(), 0_i64..2, text).prop_map(|(o, s, d)| json!({"type":"response.reasoning_summary_text.delta","item_id":"r","output_index":o,"summary_index":s,"delta":d}).to_string()),
        (index.clone(), text).prop_map(|(o, d)| json!({"type":"response.reasoning_text.delta","item_id":"r","output_index":o,"content_index":0,"delta":d}).to_string()),
        (index.clone(), "[a-z]{0,3}", "[a-z_]{0,3}").prop_map(|(o, n, c)| json!({"type":"response.output_item.added","output_index":o,"item":{"type":"function_call","id":"f","call_id":c,"name":n,"arguments":""}}).to_string()),
        (index.clone(), "[a-z]{0,3}").prop_map(|(o, n)| json!({"type":"response.output_item.added","output_index":o,"item":{"type":"custom_tool_call","id":"c","call_id":"call","name":n,"input":""}}).to_string()),
        (index.clone(), text).prop_map(|(o, d)| json!({"type":"response.function_call_arguments.delta","item_id":"f","output_index":o,"delta":d}).to_string()),
        (index.clone(), "[a-z]{0,3}", text).prop_map(|(o, n, d)| json!({"type":"response.function_call_arguments.done","item_id":"f","output_index":o,"name":n,"arguments":d}).to_string()),
        (index.clone(), text).prop_map(|(o, d)| json!({"type":"response.custom_tool_call_input.delta","item_id":"c","output_index":o,"delta":d}).to_string()),
        (index.clone(), text).prop_map(|(o, d)| json!({"type":"response.custom_tool_call_input.done","item_id":"c","output_index":o,"input":d}).to_string()),
        (index.clone(), text).prop_map(|(o, d)| json!({"type":"response.output_item.done","output_index":o,"item":{"type":"message","id":"m","role":"assistant","content":[{"type":"output_text","text":d,"annotations":[]}]}}).to_string()),
        (index, text).prop_map(|(o, d)| json!({"type":"response.output_item.done","output_index":o,"item":{"type":"reasoning","id":"r","summary":[{"type":"summary_text","text":d}]}}).to_string()),
        Just(terminal("response.completed", json!({"status":"completed","usage":{"input_tokens":3,"output_tokens":2,"total_tokens":5}}))),
        Just(terminal("response.incomplete", json!({"status":"incomplete","incomplete_details":{"reason":"content_filter"}}))),
        Just(terminal("response.failed", json!({"status":"failed","error":{"code":"server_error","message":"boom"}}))),
        Just(r#"{"type":"error","code":"x","message":"bad"}"#.to_owned()),
        Just(r#"{"type":"response.web_search_call.searching","output_index":0,"item_id":"w"}"#.to_owned()),
        Just(r#"{"type":"response.teleport.done"}"#.to_owned()),
        Just(CREATED.to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Whatever the upstream sends, the converter neither errs nor panics, and its output is a
    /// Chat stream with zero check errors that ends with `[DONE]` exactly when it finished
    /// with a finish reason, and with an error event otherwise.
    #[test]
    fn any_event_sequence_gives_a_correct_chat_stream(
        lines in prop::collection::vec(arb_event(), 0..24),
        ended in any::<bool>(),
        usage in any::<bool>(),
    ) {
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let converted = convert(&events(&lines), ended, ResponsesToChatOptions::default().with_usage(usage));
        prop_assert!(converted.outcome.is_finished());
        prop_assert!(chat_errors(&converted).is_empty(), "{:?}", chat_errors(&converted));
        let (_, done) = read_chat(&converted.sse);
        prop_assert_eq!(done, converted.outcome.sends_done());
        let ends_with_error = matches!(converted.chunks.last(), Some(ChatCompletionStreamEvent::Error(_)));
        prop_assert_eq!(ends_with_error, !converted.outcome.sends_done());
        if converted.outcome.sends_done() {
            prop_assert_eq!(finish_reasons(&converted).len(), 1);
        } else {
            prop_assert!(finish_reasons(&converted).is_empty());
        }
    }
}
