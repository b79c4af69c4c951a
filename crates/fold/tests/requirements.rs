//! One test per requirement of the fold layer, on real corpus streams where the corpus has the
//! case and on small hand-written streams where it does not.

mod common;

use common::{Entry, events};
use openai_wire_decode::Format;
use openai_wire_events::{
    Annotation, AssistantStreamEvent, ChatCompletionChunk, ChatCompletionMessageToolCall2,
    ChatCompletionStreamEvent, OutputItem, OutputMessageContent, RealtimeServerEvent,
    ResponseStatus, ResponseStreamEvent, StreamEvent,
};
use openai_wire_fold::{
    AssistantsFold, ChatFold, ChatUpdate, RealtimeFold, RealtimeUpdate, ReasoningPart,
    ResponseFold, ResponseUpdate, ToolCallKind, fold_responses,
};

fn corpus(file: &str) -> Entry {
    Entry {
        file: file.to_owned(),
        protocol: String::new(),
        format: if file.ends_with(".sse") {
            Format::Sse
        } else {
            Format::Jsonl
        },
        notes: String::new(),
    }
}

fn responses(jsons: &[&str]) -> Vec<ResponseStreamEvent> {
    jsons
        .iter()
        .map(|j| ResponseStreamEvent::from_json(j).expect("test event"))
        .collect()
}

fn chunk(json: &str) -> ChatCompletionChunk {
    match ChatCompletionStreamEvent::from_json(json).expect("test chunk") {
        ChatCompletionStreamEvent::ChatCompletionChunk(c) => *c,
        other => panic!("not a chunk: {other:?}"),
    }
}

fn fold_corpus_chat(file: &str) -> ChatFold {
    let mut fold = ChatFold::new();
    for (event, _) in events::<ChatCompletionStreamEvent>(&corpus(file)) {
        fold.push_event(&event);
    }
    fold
}

// ---------------------------------------------------------------- Responses

#[test]
fn responses_failed_status_and_error_come_from_response_failed() {
    let mut fold = ResponseFold::new();
    let mut finished = None;
    for (event, _) in events::<ResponseStreamEvent>(&corpus(
        "responses/vercel-ai.openai__openai-error.1.chunks.txt",
    )) {
        if let Some(ResponseUpdate::Finished { status }) = fold.push(&event) {
            finished = Some(status);
        }
    }
    assert_eq!(finished, Some(Some(ResponseStatus::Failed)));
    let response = fold.response();
    assert_eq!(response.status, Some(ResponseStatus::Failed));
    let error = response.error.as_ref().expect("error kept");
    assert_eq!(error.code.as_str(), "insufficient_quota");
    assert!(error.message.starts_with("You exceeded your current quota"));
    assert!(fold.completed().is_none(), "failed is not completed");
    assert!(fold.terminal().is_some());
}

#[test]
fn responses_incomplete_status_and_details() {
    let fold = fold_responses(responses(&[
        r#"{"type":"response.created","response":{"id":"r","status":"in_progress","output":[]}}"#,
        r#"{"type":"response.output_text.delta","item_id":"m","output_index":0,"content_index":0,"delta":"Once upon"}"#,
        r#"{"type":"response.incomplete","response":{"id":"r","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"output":[{"type":"message","id":"m","role":"assistant","content":[{"type":"output_text","text":"Once upon","annotations":[]}]}]}}"#,
    ]));
    let response = fold.response();
    assert_eq!(response.status, Some(ResponseStatus::Incomplete));
    let reason = response
        .incomplete_details
        .as_ref()
        .and_then(|d| d.reason.as_ref());
    assert_eq!(reason.map(|r| r.as_str()), Some("max_output_tokens"));
    assert_eq!(fold.final_text(), "Once upon");
    assert!(fold.differences().is_empty(), "{:?}", fold.differences());
}

#[test]
fn responses_error_event_marks_the_snapshot_failed() {
    let mut fold = ResponseFold::new();
    let update = fold.push(&responses(&[
        r#"{"type":"error","error":{"type":"invalid_request_error","code":"context_length_exceeded","message":"Too long","param":"input"},"sequence_number":2}"#,
    ])[0]);
    assert_eq!(
        update,
        Some(ResponseUpdate::Error {
            code: Some("context_length_exceeded".into()),
            message: "Too long".into()
        })
    );
    assert_eq!(fold.response().status, Some(ResponseStatus::Failed));
    assert_eq!(
        fold.response().error.as_ref().map(|e| e.code.as_str()),
        Some("context_length_exceeded")
    );
}

#[test]
fn responses_annotations_are_folded_into_the_text_part() {
    let file = "responses/openai-dotnet__ResponsesToolTests__CodeInterpreterToolStreamingWithFiles__e1.sse";
    let all = events::<ResponseStreamEvent>(&corpus(file));
    let mut fold = ResponseFold::new();
    let mut added = 0;
    for (event, _) in &all {
        if matches!(event, ResponseStreamEvent::ResponseCompleted(_)) {
            break;
        }
        added += usize::from(matches!(
            event,
            ResponseStreamEvent::ResponseOutputTextAnnotationAdded(_)
        ));
        fold.push(event);
    }
    assert!(added > 0);
    let annotations: Vec<&Annotation> = fold
        .response()
        .output
        .iter()
        .filter_map(|i| match i {
            OutputItem::Message(m) => Some(m),
            _ => None,
        })
        .flat_map(|m| &m.content)
        .filter_map(|c| match c {
            OutputMessageContent::OutputText(t) => Some(&t.annotations),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(annotations.len(), added);
    assert!(
        matches!(annotations[0], Annotation::ContainerFileCitation(c) if c.file_id == "cfile_68d5f31200208191afd3130709930804")
    );
}

#[test]
fn responses_refusal_is_folded() {
    let mut fold = ResponseFold::new();
    let mut deltas = String::new();
    for event in responses(&[
        r#"{"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"m","role":"assistant","content":[]}}"#,
        r#"{"type":"response.content_part.added","item_id":"m","output_index":0,"content_index":0,"part":{"type":"refusal","refusal":""}}"#,
        r#"{"type":"response.refusal.delta","item_id":"m","output_index":0,"content_index":0,"delta":"I can't "}"#,
        r#"{"type":"response.refusal.delta","item_id":"m","output_index":0,"content_index":0,"delta":"help with that."}"#,
    ]) {
        if let Some(ResponseUpdate::RefusalDelta { delta, .. }) = fold.push(&event) {
            deltas.push_str(&delta);
        }
    }
    assert_eq!(deltas, "I can't help with that.");
    let OutputItem::Message(m) = &fold.response().output[0] else {
        panic!()
    };
    assert!(
        matches!(&m.content[0], OutputMessageContent::Refusal(r) if r.refusal == "I can't help with that.")
    );
    assert_eq!(fold.final_text(), "");
}

#[test]
fn responses_custom_tool_call_is_reported_done_with_its_input() {
    let file = "responses/openai-dotnet__ResponsesTests__CustomToolCallStreamingWorks__e0.sse";
    let mut fold = ResponseFold::new();
    let mut calls = Vec::new();
    let mut streamed = String::new();
    let mut expected = None;
    for (event, _) in events::<ResponseStreamEvent>(&corpus(file)) {
        if let ResponseStreamEvent::ResponseCustomToolCallInputDone(done) = &event {
            expected = Some(done.input.clone());
        }
        match fold.push(&event) {
            Some(ResponseUpdate::ToolCallDone(call)) => calls.push(call),
            Some(ResponseUpdate::ArgumentsDelta { delta, .. }) => streamed.push_str(&delta),
            _ => {}
        }
    }
    assert_eq!(calls.len(), 1, "{calls:?}");
    let call = &calls[0];
    assert_eq!(call.kind, ToolCallKind::Custom);
    assert!(!call.name.is_empty() && call.call_id.starts_with("call_"));
    assert_eq!(Some(&call.arguments), expected.as_ref());
    assert_eq!(call.arguments, streamed);
}

#[test]
fn responses_reasoning_deltas_and_summary() {
    let file =
        "responses/openai-dotnet__ResponsesTests__StreamingResponsesWithReasoningSummary__e0.sse";
    let mut fold = ResponseFold::new();
    let mut reasoning = String::new();
    let mut text = String::new();
    for (event, _) in events::<ResponseStreamEvent>(&corpus(file)) {
        match fold.push(&event) {
            Some(ResponseUpdate::ReasoningDelta {
                part: ReasoningPart::Summary(_),
                delta,
                ..
            }) => reasoning.push_str(&delta),
            Some(ResponseUpdate::TextDelta { delta, .. }) => text.push_str(&delta),
            _ => {}
        }
    }
    assert!(!reasoning.is_empty());
    let summary: String = fold
        .response()
        .output
        .iter()
        .filter_map(|i| match i {
            OutputItem::Reasoning(r) => Some(
                r.summary
                    .iter()
                    .map(|s| s.text.as_str())
                    .collect::<String>(),
            ),
            _ => None,
        })
        .collect();
    assert_eq!(summary, reasoning);
    assert_eq!(fold.final_text(), text);
    assert!(fold.completed().is_some());
    assert!(fold.differences().is_empty(), "{:?}", fold.differences());
}

#[test]
fn responses_differences_name_the_path_and_the_final_object_wins() {
    let fold = fold_responses(responses(&[
        r#"{"type":"response.output_item.added","output_index":0,"item":{"type":"function_call","id":"fc","call_id":"c","name":"f","arguments":""}}"#,
        r#"{"type":"response.function_call_arguments.delta","item_id":"fc","output_index":0,"delta":"{\"a\":"}"#,
        r#"{"type":"response.completed","response":{"id":"r","status":"completed","output":[{"type":"function_call","id":"fc","call_id":"c","name":"f","arguments":"{\"a\":1}"}]}}"#,
    ]));
    let paths: Vec<&str> = fold.differences().iter().map(|d| d.path.as_str()).collect();
    assert_eq!(paths, ["output[0].arguments"]);
    assert_eq!(fold.differences()[0].folded, "{\"a\":");
    assert_eq!(fold.differences()[0].authoritative, "{\"a\":1}");
    let OutputItem::FunctionCall(call) = &fold.clone().into_response().output[0] else {
        panic!()
    };
    assert_eq!(call.arguments, "{\"a\":1}");
    let OutputItem::FunctionCall(call) = &fold.response().output[0] else {
        panic!()
    };
    assert_eq!(call.arguments, "{\"a\":", "the snapshot stays the fold");
}

#[test]
fn responses_items_are_kept_in_output_index_order_and_absurd_indices_cost_nothing() {
    let fold = fold_responses(responses(&[
        r#"{"type":"response.output_item.added","output_index":4000000000,"item":{"type":"message","id":"late","role":"assistant","content":[]}}"#,
        r#"{"type":"response.output_text.delta","item_id":"late","output_index":4000000000,"content_index":3000000000,"delta":"B"}"#,
        r#"{"type":"response.output_item.added","output_index":1,"item":{"type":"message","id":"early","role":"assistant","content":[]}}"#,
        r#"{"type":"response.output_text.delta","item_id":"early","output_index":1,"content_index":0,"delta":"A"}"#,
        r#"{"type":"response.output_text.delta","item_id":"x","output_index":-1,"content_index":0,"delta":"ignored"}"#,
    ]));
    assert_eq!(fold.response().output.len(), 2);
    assert_eq!(fold.final_text(), "AB");
}

#[test]
fn responses_new_response_created_after_the_end_starts_a_new_fold() {
    let fold = fold_responses(responses(&[
        r#"{"type":"response.created","response":{"id":"r1","status":"in_progress","output":[]}}"#,
        r#"{"type":"response.output_text.delta","item_id":"m","output_index":0,"content_index":0,"delta":"first"}"#,
        r#"{"type":"response.completed","response":{"id":"r1","status":"completed","output":[]}}"#,
        r#"{"type":"response.created","response":{"id":"r2","status":"in_progress","output":[]}}"#,
        r#"{"type":"response.output_text.delta","item_id":"m","output_index":0,"content_index":0,"delta":"second"}"#,
    ]));
    assert_eq!(fold.response().id, "r2");
    assert_eq!(fold.final_text(), "second");
    assert!(!fold.is_finished());
}

#[test]
fn responses_compaction_compacting_changes_nothing() {
    let with = [
        r#"{"type":"response.created","sequence_number":0,"response":{"id":"r","status":"in_progress","output":[]}}"#,
        r#"{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"compaction","id":"cmp_1","encrypted_content":"x"}}"#,
        r#"{"type":"response.compaction.compacting","sequence_number":2,"output_index":0,"item_id":"cmp_1"}"#,
        r#"{"type":"response.output_item.done","sequence_number":3,"output_index":0,"item":{"type":"compaction","id":"cmp_1","encrypted_content":"x"}}"#,
        r#"{"type":"response.completed","sequence_number":4,"response":{"id":"r","status":"completed","output":[{"type":"compaction","id":"cmp_1","encrypted_content":"x"}]}}"#,
    ];
    let events = responses(&with);
    assert!(matches!(
        events[2],
        ResponseStreamEvent::ResponseCompactionCompacting(_)
    ));
    // Folded up to the compacting event and just after it: the same snapshot, no update.
    let mut fold = ResponseFold::new();
    fold.push(&events[0]);
    fold.push(&events[1]);
    let before = fold.response().clone();
    assert_eq!(fold.push(&events[2]), None);
    assert_eq!(fold.response(), &before);
    // The whole stream folds as it does without the event, with no differences.
    let without: Vec<_> = events
        .iter()
        .filter(|e| e.wire_type() != "response.compaction.compacting")
        .cloned()
        .collect();
    let folded = fold_responses(events.clone());
    assert_eq!(folded.response(), fold_responses(without).response());
    assert!(
        folded.differences().is_empty(),
        "{:?}",
        folded.differences()
    );
    assert_eq!(folded.response().output.len(), 1);
}

// ---------------------------------------------------------------- Chat

#[test]
fn chat_several_choices() {
    let fold = fold_corpus_chat(
        "chat/openai-python__test_parse_pydantic_model_multiple_choices__07fc6368a4.sse",
    );
    let completion = fold.completion();
    assert_eq!(completion.choices.len(), 3);
    let indices: Vec<i64> = completion.choices.iter().map(|c| c.index).collect();
    assert_eq!(indices, [0, 1, 2]);
    for choice in &completion.choices {
        let content = choice.message.content.as_deref().unwrap_or("");
        assert!(
            content.starts_with('{') && content.ends_with('}'),
            "{content}"
        );
        assert_eq!(
            choice.finish_reason.as_ref().map(|r| r.as_str()),
            Some("stop")
        );
    }
    assert_eq!(
        fold.final_text(),
        completion.choices[0].message.content.clone().unwrap()
    );
}

#[test]
fn chat_refusal() {
    let fold =
        fold_corpus_chat("chat/openai-python__test_parse_pydantic_model_refusal__173417d553.sse");
    let message = &fold.completion().choices[0].message;
    assert_eq!(
        message.refusal.as_deref(),
        Some("I'm sorry, I can't assist with that request.")
    );
    assert_eq!(message.content, None);
}

#[test]
fn chat_logprobs_are_appended() {
    let fold = fold_corpus_chat(
        "chat/openai-dotnet__ChatTests__TokenLogProbabilitiesStreaming_True___e0.sse",
    );
    let choice = &fold.completion().choices[0];
    let tokens: String = choice
        .logprobs
        .as_ref()
        .and_then(|l| l.content.as_ref())
        .into_iter()
        .flatten()
        .map(|t| t.token.as_str())
        .collect();
    assert_eq!(Some(tokens.as_str()), choice.message.content.as_deref());
}

#[test]
fn chat_tool_calls_without_index_are_told_apart_by_id() {
    // Mistral: every call reads as index 0; each has its own id, and comes whole.
    let mut fold = ChatFold::new();
    let mut done = Vec::new();
    for json in [
        r#"{"id":"a","choices":[{"index":0,"delta":{"tool_calls":[{"id":"call_A","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]}}]}"#,
        r#"{"id":"a","choices":[{"index":0,"delta":{"tool_calls":[{"id":"call_B","function":{"name":"time","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}"#,
    ] {
        for update in fold.push(&chunk(json)) {
            if let ChatUpdate::ToolCallDone { call, .. } = update {
                done.push((call.index, call.call_id, call.name, call.arguments));
            }
        }
    }
    assert_eq!(
        done,
        [
            (
                0,
                "call_A".into(),
                "weather".into(),
                r#"{"city":"Paris"}"#.into()
            ),
            (1, "call_B".into(), "time".into(), "{}".into())
        ]
    );
    let calls = fold.completion().choices[0]
        .message
        .tool_calls
        .clone()
        .unwrap();
    assert_eq!(calls.len(), 2);
}

#[test]
fn chat_mistral_corpus_tool_calls_and_thinking() {
    // A whole call in one chunk (id, name and arguments at once), with the finish reason.
    let fold = fold_corpus_chat(
        "chat/ruby_llm__vcr_cassettes__chat_function_calling_mistral_mistral-small-latest_can_use_tools_with_multi-turn_streaming_conversations__i0.sse",
    );
    let calls = fold.completion().choices[0]
        .message
        .tool_calls
        .clone()
        .unwrap();
    let calls: Vec<(String, String, String)> = calls
        .iter()
        .map(|c| match c {
            ChatCompletionMessageToolCall2::Function(f) => (
                f.id.clone(),
                f.function.name.clone(),
                f.function.arguments.clone(),
            ),
            _ => Default::default(),
        })
        .collect();
    assert_eq!(
        calls,
        [(
            "g6fVbXS8K".into(),
            "weather".into(),
            r#"{"latitude": "52.5200", "longitude": "13.4050"}"#.into()
        )]
    );
    let thinking =
        fold_corpus_chat("chat/vercel-ai.mistral__mistral-reasoning.chunks.txt").completion();
    let message = &thinking.choices[0].message;
    assert_eq!(message.content.as_deref(), Some("2 + 2 = 4"));
    assert_eq!(
        message.reasoning.as_deref(),
        Some("The user is asking for 2+2. This is basic arithmetic. 2+2=4.")
    );
}

#[test]
fn chat_streamed_tool_call_is_done_when_the_choice_finishes() {
    let mut fold = ChatFold::new();
    let mut done = Vec::new();
    for json in [
        r#"{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"add","arguments":""}}]}}]}"#,
        r#"{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":"}}]}}]}"#,
        r#"{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]}}]}"#,
    ] {
        done.extend(fold.push(&chunk(json)));
    }
    assert!(done.is_empty(), "not done before the finish: {done:?}");
    let updates = fold.push(&chunk(
        r#"{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
    ));
    assert!(
        matches!(&updates[0], ChatUpdate::ToolCallDone { call, .. } if call.arguments == r#"{"a":1}"# && call.name == "add")
    );
    assert!(matches!(&updates[1], ChatUpdate::Finished { .. }));
    assert!(fold.finish().is_empty(), "reported once");
}

#[test]
fn chat_legacy_function_call_and_details_reasoning_are_reported() {
    let mut fold = ChatFold::new();
    let mut updates = Vec::new();
    for json in [
        r#"{"id":"c","choices":[{"index":0,"delta":{"reasoning_details":[{"type":"reasoning.text","text":"Think."}]}}]}"#,
        r#"{"id":"c","choices":[{"index":0,"delta":{"function_call":{"name":"add","arguments":"{\"a\":"}}}]}"#,
        r#"{"id":"c","choices":[{"index":0,"delta":{"function_call":{"arguments":"1}"}},"finish_reason":"function_call"}]}"#,
    ] {
        updates.extend(fold.push(&chunk(json)));
    }
    assert!(matches!(&updates[0], ChatUpdate::ReasoningDelta { delta, .. } if delta == "Think."));
    assert!(
        matches!(&updates[1], ChatUpdate::ToolCallDone { call, .. } if call.name == "add" && call.arguments == r#"{"a":1}"#),
        "{updates:?}"
    );
    assert!(matches!(&updates[2], ChatUpdate::Finished { .. }));
    assert_eq!(updates.len(), 3);
    assert!(fold.finish().is_empty(), "reported once");
    let message = &fold.completion().choices[0].message;
    assert_eq!(
        message.function_call.as_ref().map(|c| c.arguments.as_str()),
        Some(r#"{"a":1}"#)
    );
    assert_eq!(message.reasoning_details.as_ref().map(Vec::len), Some(1));
}

#[test]
fn chat_whole_completion_folds_as_one_chunk() {
    // A server that ignored `stream` answers with the whole object.
    let json = r#"{"id":"c","object":"chat.completion","created":5,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi","reasoning_content":"Greet.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"add","arguments":"{}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"#;
    let event = ChatCompletionStreamEvent::from_json(json).unwrap();
    let mut fold = ChatFold::new();
    let updates = fold.push_event(&event);
    assert!(matches!(&updates[0], ChatUpdate::ReasoningDelta { delta, .. } if delta == "Greet."));
    assert!(matches!(&updates[1], ChatUpdate::TextDelta { delta, .. } if delta == "Hi"));
    assert!(
        matches!(&updates[2], ChatUpdate::ToolCallDone { call, .. } if call.call_id == "call_1")
    );
    let ChatCompletionStreamEvent::ChatCompletion(original) = event else {
        panic!("not a completion")
    };
    let folded = fold.completion();
    assert_eq!(
        (folded.choices, folded.usage, folded.id, folded.created),
        (
            original.choices,
            original.usage,
            original.id,
            original.created
        )
    );
}

#[test]
fn chat_provider_reasoning_is_kept_in_its_field() {
    let deepseek = fold_corpus_chat(
        "chat/ruby_llm__vcr_cassettes__chat_with_extended_thinking_deepseek_deepseek-reasoner_streams_thinking_content_when_available__i0.sse",
    );
    let m = &deepseek.completion().choices[0].message;
    assert!(
        m.reasoning_content
            .as_deref()
            .is_some_and(|r| !r.is_empty())
    );
    assert_eq!(m.reasoning, None);
    let ollama = fold_corpus_chat(
        "chat/ruby_llm__vcr_cassettes__chat_function_calling_ollama_cloud_gpt-oss_120b_can_use_tools_with_multi-turn_streaming_conversations__i0.sse",
    );
    let m = &ollama.completion().choices[0].message;
    assert!(m.reasoning.as_deref().is_some_and(|r| !r.is_empty()));
    assert_eq!(m.reasoning_content, None);
    let json = serde_json::to_value(ollama.completion()).unwrap();
    assert_eq!(json["object"], "chat.completion");
    assert!(json["choices"][0]["message"]["reasoning"].is_string());
}

#[test]
fn chat_usage_from_its_own_chunk() {
    let mut fold = ChatFold::new();
    fold.push(&chunk(
        r#"{"id":"c","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}"#,
    ));
    assert!(fold.usage().is_none());
    fold.push(&chunk(r#"{"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"#));
    assert_eq!(fold.usage().map(|u| u.total_tokens), Some(4));
    assert_eq!(fold.completion().usage.map(|u| u.prompt_tokens), Some(3));
}

// ---------------------------------------------------------------- Realtime

#[test]
fn realtime_text_tool_round() {
    let file = "realtime/pydantic-ai__test_parity_ws__test_text_tool_round_parity[openai-current].server-events.jsonl";
    let mut fold = RealtimeFold::new();
    let mut calls = Vec::new();
    for (event, _) in events::<RealtimeServerEvent>(&corpus(file)) {
        if let Some(RealtimeUpdate::ToolCallDone(call)) = fold.push(&event) {
            calls.push(call);
        }
    }
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (calls[0].name.as_str(), calls[0].arguments.as_str()),
        ("get_weather", r#"{"city":"London"}"#)
    );
    assert_eq!(fold.responses().len(), 2);
    assert!(
        fold.responses()
            .iter()
            .all(|r| r.done.is_some() && r.differences.is_empty())
    );
    assert_eq!(fold.final_text(), "It’s foggy and 12 degrees in London.");
    let kinds: Vec<&str> = fold
        .conversation()
        .iter()
        .map(|i| i.kind.as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "message",
            "message",
            "function_call",
            "function_call_output",
            "message"
        ]
    );
}

#[test]
fn realtime_audio_bytes_and_transcripts() {
    let file = "realtime/pydantic-ai__test_azure_voice_live_ws__test_text_in_audio_out_turn.server-events.jsonl";
    let mut fold = RealtimeFold::new();
    let mut bytes = 0;
    let mut transcript = String::new();
    for (event, _) in events::<RealtimeServerEvent>(&corpus(file)) {
        match fold.push(&event) {
            Some(RealtimeUpdate::AudioDelta { bytes: b, .. }) => bytes += b,
            Some(RealtimeUpdate::TranscriptDelta { delta, .. }) => transcript.push_str(&delta),
            _ => {}
        }
    }
    assert!(bytes > 0 && !transcript.is_empty());
    let part = &fold.responses()[0].output[0].content[0];
    assert_eq!(part.audio_bytes, bytes);
    assert_eq!(part.transcript.as_deref(), Some(transcript.as_str()));
}

// ---------------------------------------------------------------- Assistants

#[test]
fn assistants_run_steps_and_messages() {
    let file = "assistants/openai-dotnet__AssistantsTests__StreamingRunWorks__e2.sse";
    let mut fold = AssistantsFold::new();
    let mut text = String::new();
    for (event, _) in events::<AssistantStreamEvent>(&corpus(file)) {
        if let Some(openai_wire_fold::AssistantsUpdate::TextDelta { delta, .. }) = fold.push(&event)
        {
            text.push_str(&delta);
        }
    }
    let run = fold.run().expect("run");
    assert_eq!(run.status.as_ref().map(|s| s.as_str()), Some("completed"));
    assert!(!fold.steps().is_empty());
    assert_eq!(fold.messages().len(), 1);
    assert!(!text.is_empty());
    assert_eq!(fold.final_text(), text);
    assert!(fold.is_done());
}
