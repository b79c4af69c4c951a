//! Failures are never reported as success: one test per failure mapping of the Chat → Responses
//! stream conversion, each from a corpus stream (changed where no recording shows the failure).

#[path = "common/chat_stream.rs"]
mod chat_stream;

use chat_stream::{convert, load, response_facts, terminal, to_sse, types};
use openai_wire_check::check_bytes;
use openai_wire_convert::request::{OriginalTool, ToolKind, ToolNames};
use openai_wire_convert::stream::chat_to_responses::{ChatToResponses, StreamEnd, StreamOptions};
use openai_wire_convert::upstream_error::{UpstreamError, from_http};
use openai_wire_decode::{Format, Protocol};
use openai_wire_emit::SequentialIds;
use openai_wire_events::{
    ChatCompletionChunkChoiceFinishReason, ChatCompletionStreamEvent, OutputItem, Response,
    ResponseStreamEvent, StreamEvent,
};

fn assert_conformant(events: &[ResponseStreamEvent]) {
    let report = check_bytes(Protocol::Responses, Format::Sse, &to_sse(events));
    let errors: Vec<_> = report.findings.iter().filter(|f| f.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

fn set_finish_reason(events: &mut [ChatCompletionStreamEvent], reason: &str) {
    for event in events {
        if let ChatCompletionStreamEvent::ChatCompletionChunk(chunk) = event {
            for choice in &mut chunk.choices {
                if choice.finish_reason.is_some() {
                    choice.finish_reason =
                        Some(ChatCompletionChunkChoiceFinishReason::from(reason));
                }
            }
        }
    }
}

fn crewai_text() -> chat_stream::ChatStream {
    load("crewai__cassettes__test_crew_kickoff_streaming_usage_metrics__i1.sse")
}

#[test]
fn finish_reason_length_is_incomplete_max_output_tokens() {
    let stream = load("vercel-ai.deepseek__deepseek-text.chunks.txt");
    let (events, response) = convert(&stream.events, stream.end(), StreamOptions::default());
    assert_conformant(&events);
    assert_eq!(terminal(&events), "response.incomplete");
    let reason = response.incomplete_details.and_then(|d| d.reason).unwrap();
    assert_eq!(reason.as_str(), "max_output_tokens");
    assert!(response.usage.is_some_and(|u| u.output_tokens > 0));
}

// Derived: an OpenAI stream whose finish_reason is changed to content_filter.
#[test]
fn finish_reason_content_filter_is_incomplete_content_filter() {
    let mut stream = crewai_text();
    set_finish_reason(&mut stream.events, "content_filter");
    let (events, response) = convert(&stream.events, stream.end(), StreamOptions::default());
    assert_conformant(&events);
    assert_eq!(terminal(&events), "response.incomplete");
    let reason = response.incomplete_details.and_then(|d| d.reason).unwrap();
    assert_eq!(reason.as_str(), "content_filter");
}

// Derived: finish_reason "error" (OpenRouter) and "insufficient_system_resource" (DeepSeek).
#[test]
fn finish_reason_error_and_insufficient_resource_are_failed() {
    for (reason, code) in [
        ("error", "server_error"),
        ("insufficient_system_resource", "server_is_overloaded"),
    ] {
        let mut stream = crewai_text();
        set_finish_reason(&mut stream.events, reason);
        let (events, response) = convert(&stream.events, stream.end(), StreamOptions::default());
        assert_conformant(&events);
        assert_eq!(terminal(&events), "response.failed", "{reason}");
        assert_eq!(response.error.unwrap().code.as_str(), code);
    }
}

#[test]
fn a_cut_stream_is_never_completed() {
    let stream = crewai_text();
    // Even with every chunk there, a broken connection is a failure.
    let (events, response) = convert(&stream.events, StreamEnd::Cut, StreamOptions::default());
    assert_conformant(&events);
    assert_eq!(terminal(&events), "response.failed");
    assert_eq!(response.error.unwrap().code.as_str(), "server_error");
    // Cut in the middle, closed cleanly or not: failed, the text so far kept, incomplete.
    let half = &stream.events[..stream.events.len() / 2];
    for end in [StreamEnd::Eof, StreamEnd::Cut] {
        let (events, response) = convert(half, end, StreamOptions::default());
        assert_conformant(&events);
        assert_eq!(terminal(&events), "response.failed");
        assert!(!response_facts(&response).text.is_empty());
        let OutputItem::Message(message) = &response.output[0] else {
            panic!()
        };
        assert_eq!(message.status.as_ref().unwrap().as_str(), "incomplete");
    }
    // [DONE] without finish_reason is the upstream's own word: completed.
    let (events, _) = convert(half, StreamEnd::DoneMarker, StreamOptions::default());
    assert_eq!(terminal(&events), "response.completed");
}

// An HTTP error before any chunk (https://github.com/chathub-dev/chathub/issues/126): after
// `start` a gateway has already sent created/in_progress, so it ends the stream failed.
#[test]
fn http_error_after_start_is_response_failed_with_the_code() {
    let body = br#"{"error":{"message":"This model's maximum context length is 4097 tokens. However, your messages resulted in 4294 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#;
    let mut converter = ChatToResponses::new(
        Response::default(),
        SequentialIds::default(),
        StreamOptions::default(),
    );
    let mut events = converter.start().unwrap();
    events.extend(converter.fail(from_http(400, None, body)));
    assert_conformant(&events);
    assert_eq!(
        types(&events),
        [
            "response.created",
            "response.in_progress",
            "response.failed"
        ]
    );
    let error = converter.response().error.unwrap();
    assert_eq!(error.code.as_str(), "context_length_exceeded");
    assert!(
        error
            .message
            .starts_with("This model's maximum context length")
    );
    // Nothing after the end.
    assert!(converter.finish(StreamEnd::DoneMarker).is_empty());
    assert!(
        converter
            .fail(UpstreamError::stream_cut("again"))
            .is_empty()
    );
    assert!(converter.heartbeat().is_none());
}

// A rate-limit error event in the middle of a stream (Groq's body from
// https://github.com/mindcraft-bots/mindcraft/pull/188, as an `error` event).
#[test]
fn mid_stream_rate_limit_keeps_try_again_in() {
    let stream = crewai_text();
    let mut events_in = stream.events[..stream.events.len() / 2].to_vec();
    let json = r#"{"error":{"message":"Rate limit reached for model `llama3-70b-8192` in organization `[nah]` on tokens per minute (TPM): Limit 6000, Used 5914, Requested 1822. Please try again in 17.359s. Visit https://console.groq.com/docs/rate-limits for more information.","type":"tokens","code":"rate_limit_exceeded"}}"#;
    events_in.push(ChatCompletionStreamEvent::from_json(json).unwrap());
    events_in.extend(stream.events[stream.events.len() / 2..].iter().cloned());
    let (events, response) = convert(&events_in, stream.end(), StreamOptions::default());
    assert_conformant(&events);
    assert_eq!(terminal(&events), "response.failed");
    let error = response.error.unwrap();
    assert_eq!(error.code.as_str(), "rate_limit_exceeded");
    assert!(error.message.contains("Please try again in 17.359s."));
}

#[test]
fn heartbeats_between_events_keep_the_stream_conformant() {
    let stream = crewai_text();
    let mut converter = ChatToResponses::new(
        Response::default(),
        SequentialIds::default(),
        StreamOptions::default(),
    );
    assert!(converter.heartbeat().is_none(), "nothing before the start");
    let mut events = converter.start().unwrap();
    for event in &stream.events {
        events.extend(converter.heartbeat());
        events.extend(converter.push_event(event).unwrap());
    }
    events.extend(converter.finish(stream.end()));
    let report = check_bytes(Protocol::Responses, Format::Sse, &to_sse(&events));
    assert_eq!(report.errors(), 0, "{:?}", report.findings);
    assert!(
        types(&events)
            .iter()
            .filter(|t| **t == "response.in_progress")
            .count()
            > 2
    );
    assert_eq!(terminal(&events), "response.completed");
}

/// The crewai tool-call stream with its function renamed and its argument fragments replaced.
fn tool_stream(name: &str, fragments: &[&str]) -> chat_stream::ChatStream {
    let mut stream = load("crewai__cassettes__test_handle_streaming_tool_calls__i0.sse");
    let mut next = fragments.iter();
    for event in &mut stream.events {
        if let ChatCompletionStreamEvent::ChatCompletionChunk(chunk) = event {
            for choice in &mut chunk.choices {
                for call in choice.delta.tool_calls.iter_mut().flatten() {
                    let function = call.function.as_mut().unwrap();
                    if function.name.is_some() {
                        function.name = Some(name.to_owned());
                    }
                    if let Some(arguments) = &mut function.arguments {
                        *arguments = next.next().map(|s| (*s).to_owned()).unwrap_or_default();
                    }
                }
            }
        }
    }
    stream
}

// The tool-name map of the request conversion: a custom tool wrapped as a function with one
// `input` parameter comes back as a custom_tool_call; a flattened namespace name comes back as
// the tool's own name.
#[test]
fn custom_and_namespace_tools_map_back() {
    let mut names = ToolNames::new();
    let patch = names.insert(OriginalTool {
        namespace: None,
        name: "apply_patch".into(),
        kind: ToolKind::Custom,
    });
    let spawn = names.insert(OriginalTool {
        namespace: Some("multi_agent_v1".into()),
        name: "spawn".into(),
        kind: ToolKind::Function,
    });
    let options = StreamOptions {
        tool_names: Some(names),
        ..StreamOptions::default()
    };

    let stream = tool_stream(
        &patch,
        &[
            "",
            r#"{"input":""#,
            "*** Begin Patch\\n",
            "*** End Patch",
            r#""}"#,
        ],
    );
    let (events, response) = convert(&stream.events, stream.end(), options.clone());
    assert_conformant(&events);
    let OutputItem::CustomToolCall(call) = &response.output[0] else {
        panic!("{:?}", response.output)
    };
    assert_eq!(call.name, "apply_patch");
    assert_eq!(call.input, "*** Begin Patch\n*** End Patch");
    assert_eq!(call.call_id, "call_bCEixqN8Y40SUyius8ZfVErH");
    assert!(types(&events).contains(&"response.custom_tool_call_input.done"));

    let stream = tool_stream(&spawn, &["", r#"{"task":"#, r#""x"}"#]);
    let (events, response) = convert(&stream.events, stream.end(), options);
    assert_conformant(&events);
    let OutputItem::FunctionCall(call) = &response.output[0] else {
        panic!()
    };
    assert_eq!(call.name, "spawn");
    assert_eq!(call.arguments, r#"{"task":"x"}"#);
}
