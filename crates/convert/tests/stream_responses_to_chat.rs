//! Responses → Chat over the whole corpus: every recorded Responses stream (each response of
//! it, for fixtures that join several) converted, written as SSE as a gateway writes it, and read
//! back as a Chat client reads it.
//!
//! For each one: the Chat conformance checker finds zero errors; the Chat fold has the same text,
//! tool calls (names, arguments, call ids), reasoning and usage as the Responses fold of the
//! upstream events; and the stream ends as the upstream did (a `finish_reason` and `[DONE]` after
//! `response.completed`/`.incomplete`, an error event and no `[DONE]` after a failure or a
//! cut-off stream). The expected values come from `openai-wire-fold`'s `ResponseFold` of the
//! input, never from the converter.

#[path = "common/responses_stream.rs"]
mod responses_stream;

use openai_wire_check::{Severity, check_bytes};
use openai_wire_convert::stream::responses_to_chat::{Outcome, ResponsesToChatOptions};
use openai_wire_decode::{Format, Protocol};
use openai_wire_events::{
    ChatCompletionMessageToolCall2, OutputItem, Response, ResponseIncompleteDetailsReason,
    ResponseStreamEvent,
};
use openai_wire_fold::{ChatFold, ResponseFold, output_text};
use responses_stream::{convert, decode_file, is_terminal, read_chat, responses_entries, segments};
use serde_json::{Value, json};

/// Streams whose converted fold cannot equal the upstream's, each with the reason.
const EXCLUDED: &[(&str, &str)] = &[(
    "responses/vercel-ai.openai__azure-gpt5-reasoning-multi-summary-no-encryption.chunks.txt",
    "anonymized fixture: the deltas were replaced by XXX… and the done events carry other \
     placeholder text; chunks already sent cannot be taken back, so the Chat text is the deltas' \
     and the Responses fold's is the done events'",
)];

/// A tool call as both sides are compared: call id (when the upstream gave one), name, and the
/// arguments as JSON (custom tool input wrapped as `{"input": …}`).
#[derive(Debug, PartialEq)]
struct Call {
    call_id: Option<String>,
    name: String,
    arguments: Value,
}

fn parse(arguments: &str) -> Value {
    serde_json::from_str(arguments).unwrap_or_else(|_| Value::String(arguments.to_owned()))
}

fn expected_calls(response: &Response) -> Vec<Call> {
    response
        .output
        .iter()
        .filter_map(|item| match item {
            OutputItem::FunctionCall(call) => Some(Call {
                call_id: Some(call.call_id.clone()).filter(|id| !id.is_empty()),
                name: call.name.clone(),
                arguments: parse(&call.arguments),
            }),
            OutputItem::CustomToolCall(call) => Some(Call {
                call_id: Some(call.call_id.clone()).filter(|id| !id.is_empty()),
                name: call.name.clone(),
                arguments: json!({ "input": call.input }),
            }),
            _ => None,
        })
        .collect()
}

fn actual_calls(chat: &ChatFold, with_ids: &[bool]) -> Vec<Call> {
    let completion = chat.completion();
    let calls = completion
        .choices
        .first()
        .and_then(|c| c.message.tool_calls.clone())
        .unwrap_or_default();
    calls
        .iter()
        .zip(with_ids.iter().chain(std::iter::repeat(&true)))
        .map(|(call, with_id)| match call {
            ChatCompletionMessageToolCall2::Function(call) => Call {
                call_id: with_id.then(|| call.id.clone()),
                name: call.function.name.clone(),
                arguments: parse(&call.function.arguments),
            },
            other => panic!("a converted call is a function call, not {other:?}"),
        })
        .collect()
}

/// Reasoning as the converter documents it: per reasoning item its summary parts (or, without
/// a summary, its reasoning text parts), every non-empty part, joined by a blank line.
fn expected_reasoning(response: &Response) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for item in &response.output {
        if let OutputItem::Reasoning(reasoning) = item {
            let summary: Vec<&str> = reasoning
                .summary
                .iter()
                .map(|p| p.text.as_str())
                .filter(|t| !t.is_empty())
                .collect();
            if summary.is_empty() {
                parts.extend(
                    reasoning
                        .content
                        .iter()
                        .flatten()
                        .map(|p| p.text.as_str())
                        .filter(|t| !t.is_empty()),
                );
            } else {
                parts.extend(summary);
            }
        }
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// Checks one converted response; the error says what differs.
fn check_response(events: &[ResponseStreamEvent], ended_properly: bool) -> Result<(), String> {
    let options = ResponsesToChatOptions::default().with_usage(true);
    let converted = convert(events, ended_properly, options);

    let report = check_bytes(Protocol::Chat, Format::Sse, &converted.sse);
    let errors: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.rule.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    if !errors.is_empty() {
        return Err(format!("chat check errors: {errors:?}"));
    }

    let (chat, done) = read_chat(&converted.sse);
    let mut upstream = ResponseFold::new();
    for event in events {
        upstream.push(event);
    }
    let response = upstream.response();

    let text = output_text(response);
    if chat.final_text() != text {
        return Err(format!(
            "text differs: chat {:?}, responses {text:?}",
            chat.final_text()
        ));
    }
    let expected = expected_calls(response);
    let with_ids: Vec<bool> = expected.iter().map(|c| c.call_id.is_some()).collect();
    let actual = actual_calls(&chat, &with_ids);
    if actual != expected {
        return Err(format!(
            "tool calls differ: chat {actual:?}, responses {expected:?}"
        ));
    }
    let completion = chat.completion();
    let choice = completion.choices.first();
    let reasoning = choice.and_then(|c| c.message.reasoning_content.clone());
    if reasoning != expected_reasoning(response) {
        return Err(format!(
            "reasoning differs: chat {reasoning:?}, responses {:?}",
            expected_reasoning(response)
        ));
    }
    let finish = choice
        .and_then(|c| c.finish_reason.as_ref())
        .map(|r| r.as_str().to_owned());

    match events.iter().find(|e| is_terminal(e)) {
        Some(ResponseStreamEvent::ResponseCompleted(completed)) => {
            let want = if expected.is_empty() {
                "stop"
            } else {
                "tool_calls"
            };
            if converted.outcome != Outcome::Completed || !done || finish.as_deref() != Some(want) {
                return Err(format!(
                    "completed upstream: outcome {:?}, [DONE] {done}, finish {finish:?} (want {want})",
                    converted.outcome
                ));
            }
            check_usage(&completed.response, &chat)?;
        }
        Some(ResponseStreamEvent::ResponseIncomplete(incomplete)) => {
            let want = match incomplete
                .response
                .incomplete_details
                .as_ref()
                .and_then(|d| d.reason.as_ref())
            {
                Some(ResponseIncompleteDetailsReason::ContentFilter) => "content_filter",
                _ => "length",
            };
            if converted.outcome != Outcome::Incomplete || !done || finish.as_deref() != Some(want)
            {
                return Err(format!(
                    "incomplete upstream: outcome {:?}, finish {finish:?} (want {want})",
                    converted.outcome
                ));
            }
            check_usage(&incomplete.response, &chat)?;
        }
        Some(_) => {
            if converted.outcome != Outcome::Failed || done || chat.error().is_none() {
                return Err(format!(
                    "failed upstream: outcome {:?}, [DONE] {done}, error {:?}",
                    converted.outcome,
                    chat.error()
                ));
            }
        }
        None => {
            let code = chat.error().and_then(|e| e.error.code.clone());
            if converted.outcome != Outcome::Truncated
                || done
                || code.as_deref() != Some("stream_truncated")
            {
                return Err(format!(
                    "cut-off upstream: outcome {:?}, [DONE] {done}, error code {code:?}",
                    converted.outcome
                ));
            }
        }
    }
    Ok(())
}

fn check_usage(response: &Response, chat: &ChatFold) -> Result<(), String> {
    let Some(usage) = &response.usage else {
        return match chat.usage() {
            None => Ok(()),
            Some(usage) => Err(format!("usage {usage:?} made up: the upstream had none")),
        };
    };
    // A usage without `total_tokens` (an edited fixture) reads as 0; Chat's total is
    // prompt + completion by definition.
    let total = match usage.total_tokens {
        0 => usage.input_tokens + usage.output_tokens,
        total => total,
    };
    let want = json!({
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": total,
        "cached_tokens": usage.input_tokens_details.cached_tokens,
        "reasoning_tokens": usage.output_tokens_details.reasoning_tokens,
    });
    let got = chat.usage().map(|u| {
        json!({
            "prompt_tokens": u.prompt_tokens,
            "completion_tokens": u.completion_tokens,
            "total_tokens": u.total_tokens,
            "cached_tokens": u.prompt_tokens_details.as_ref().and_then(|d| d.cached_tokens),
            "reasoning_tokens": u.completion_tokens_details.as_ref().and_then(|d| d.reasoning_tokens),
        })
    });
    if got.as_ref() != Some(&want) {
        return Err(format!("usage: chat {got:?}, want {want}"));
    }
    Ok(())
}

#[test]
fn every_corpus_response_converts_to_a_correct_chat_stream_with_the_same_answer() {
    let mut failures = Vec::new();
    let mut responses = 0;
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for entry in responses_entries() {
        if EXCLUDED.iter().any(|(file, _)| *file == entry.file) {
            continue;
        }
        let (events, ended_properly) = decode_file(&entry);
        let segments = segments(events);
        let last = segments.len() - 1;
        for (i, segment) in segments.iter().enumerate() {
            responses += 1;
            let ended = i < last || ended_properly;
            let outcome = convert(segment, ended, ResponsesToChatOptions::default()).outcome;
            *outcomes.entry(format!("{outcome:?}")).or_default() += 1;
            if let Err(message) = check_response(segment, ended) {
                failures.push(format!("{} (response {i}): {message}", entry.file));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {responses} responses:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The corpus has 124 Responses recordings, several joining more than one response; among
    // them completed, failed and cut-off streams.
    assert!(responses > 124, "only {responses} responses converted");
    assert!(
        outcomes.get("Completed").copied().unwrap_or(0) > 100,
        "{outcomes:?}"
    );
    assert!(outcomes.contains_key("Failed"), "{outcomes:?}");
    assert!(outcomes.contains_key("Truncated"), "{outcomes:?}");
}

#[test]
fn exclusions_name_corpus_files() {
    let files: Vec<String> = responses_entries().into_iter().map(|e| e.file).collect();
    for (file, reason) in EXCLUDED {
        assert!(
            files.contains(&file.to_string()),
            "{file} ({reason}) is not in the corpus"
        );
    }
}

/// The excluded fixture really is one whose done events contradict its deltas (so the
/// exclusion is for the reason it states): its deltas alone give other text than its fold.
#[test]
fn the_excluded_fixture_contradicts_its_own_deltas() {
    let entry = responses_entries()
        .into_iter()
        .find(|e| e.file == EXCLUDED[0].0)
        .expect("excluded fixture");
    let (events, _) = decode_file(&entry);
    let deltas: String = events
        .iter()
        .filter_map(|e| match e {
            ResponseStreamEvent::ResponseOutputTextDelta(d) => Some(d.delta.as_str()),
            _ => None,
        })
        .collect();
    let mut fold = ResponseFold::new();
    for event in &events {
        fold.push(event);
    }
    let text = output_text(fold.response());
    assert!(
        !text.starts_with(&deltas),
        "deltas {deltas:?} vs text {text:?}"
    );
}
