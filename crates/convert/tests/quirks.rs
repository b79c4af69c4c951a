//! One test per named quirk, each built from the corpus file the quirk table cites (or, where no
//! recording shows the quirk, from a real stream changed the way the quirk changes it).

#[path = "common/chat_stream.rs"]
mod chat_stream;

use chat_stream::{
    chat_facts, convert, fold_chat, fold_sse, load, response_facts, terminal, to_sse, types,
};
use openai_wire_check::check_bytes;
use openai_wire_convert::envelope::{EnvelopeKey, ReasoningField, open};
use openai_wire_convert::provider::{Handling, KINDS, ProviderKind, QUIRKS, Quirk, Quirks};
use openai_wire_convert::stream::chat_to_responses::{
    ChatToResponses, ReasoningMode, ReasoningOutput, StreamEnd, StreamOptions,
};
use openai_wire_decode::{Format, Protocol};
use openai_wire_emit::SequentialIds;
use openai_wire_events::{
    ChatCompletionStreamEvent, ChatCompletionStreamResponseDeltaContent, OutputItem, Response,
    ResponseStreamEvent,
};

fn options(quirks: Quirks) -> StreamOptions {
    StreamOptions {
        quirks,
        ..StreamOptions::default()
    }
}

/// Converts, checks with zero errors, and returns (events, folded response).
fn run(
    events: &[ChatCompletionStreamEvent],
    end: StreamEnd,
    options: StreamOptions,
) -> (Vec<ResponseStreamEvent>, Response) {
    let (out, response) = convert(events, end, options);
    let bytes = to_sse(&out);
    let report = check_bytes(Protocol::Responses, Format::Sse, &bytes);
    let errors: Vec<_> = report.findings.iter().filter(|f| f.is_error()).collect();
    assert!(errors.is_empty(), "checker errors: {errors:?}");
    let folded = fold_sse(&bytes)
        .terminal()
        .cloned()
        .expect("a terminal event");
    assert_eq!(folded, response);
    (out, folded)
}

fn chunks_mut(
    events: &mut [ChatCompletionStreamEvent],
) -> impl Iterator<Item = &mut openai_wire_events::ChatCompletionChunk> {
    events.iter_mut().filter_map(|e| match e {
        ChatCompletionStreamEvent::ChatCompletionChunk(chunk) => Some(&mut **chunk),
        _ => None,
    })
}

fn chunks(
    events: &[ChatCompletionStreamEvent],
) -> impl Iterator<Item = &openai_wire_events::ChatCompletionChunk> {
    events.iter().filter_map(|e| match e {
        ChatCompletionStreamEvent::ChatCompletionChunk(chunk) => Some(&**chunk),
        _ => None,
    })
}

fn function_calls(response: &Response) -> Vec<(String, String, String)> {
    response
        .output
        .iter()
        .filter_map(|item| match item {
            OutputItem::FunctionCall(call) => Some((
                call.call_id.clone(),
                call.name.clone(),
                call.arguments.clone(),
            )),
            _ => None,
        })
        .collect()
}

fn usage(response: &Response) -> (i64, i64, i64, i64, i64) {
    let u = response.usage.as_ref().expect("usage");
    (
        u.input_tokens,
        u.input_tokens_details.cached_tokens,
        u.output_tokens,
        u.output_tokens_details.reasoning_tokens,
        u.total_tokens,
    )
}

#[test]
fn the_table_names_every_quirk_once_with_evidence_in_the_corpus() {
    let corpus = chat_stream::corpus_dir();
    let mut names = std::collections::HashSet::new();
    for info in QUIRKS {
        assert!(names.insert(info.name), "{} twice", info.name);
        assert_eq!(Quirk::from_name(info.name), Some(info.quirk));
        assert_eq!(info.quirk.name(), info.name);
        let file = info
            .evidence
            .strip_prefix("derived from ")
            .unwrap_or(info.evidence);
        assert!(
            corpus.join(file).is_file(),
            "{}: evidence {file} is not in the corpus",
            info.name
        );
    }
    let opt_in: Vec<_> = QUIRKS
        .iter()
        .filter(|i| i.handling == Handling::OptIn)
        .map(|i| i.quirk)
        .collect();
    assert_eq!(
        opt_in,
        [
            Quirk::MissingFinishReason,
            Quirk::CumulativeToolArguments,
            Quirk::CumulativeContent,
            Quirk::ThinkTagsInContent
        ]
    );
}

#[test]
fn kind_presets_come_from_the_table() {
    let mistral = Quirks::for_kind(ProviderKind::Mistral);
    assert!(mistral.contains(Quirk::ToolCallWithoutIndex));
    assert!(mistral.contains(Quirk::ContentPartsWithThinking));
    assert!(!mistral.contains(Quirk::ReasoningContentField));
    assert!(Quirks::for_kind(ProviderKind::Azure).contains(Quirk::AzurePromptFilterChunk));
    assert!(Quirks::for_kind(ProviderKind::DeepSeek).contains(Quirk::ReasoningContentField));
    assert!(Quirks::for_kind(ProviderKind::Kimi).contains(Quirk::MissingFinishReason));
    assert_eq!(ProviderKind::guess("moonshot"), ProviderKind::Kimi);
    assert_eq!(ProviderKind::guess("azure-openai"), ProviderKind::Azure);
    for kind in [
        ProviderKind::Groq,
        ProviderKind::Together,
        ProviderKind::HuggingFace,
        ProviderKind::Vllm,
        ProviderKind::LlamaCpp,
    ] {
        assert!(
            Quirks::for_kind(kind).contains(Quirk::ThinkTagsInContent),
            "{kind}"
        );
    }
    assert!(Quirks::for_kind(ProviderKind::Perplexity).contains(Quirk::CumulativeContent));
    assert!(Quirks::for_kind(ProviderKind::Generic).is_empty());
    for info in QUIRKS {
        for kind in info.providers {
            assert!(
                Quirks::for_kind(*kind).contains(info.quirk),
                "{kind}: {}",
                info.name
            );
        }
    }
    for kind in KINDS {
        assert_eq!(kind.kind.info().name, kind.name);
        assert_eq!(ProviderKind::from_name(kind.name), Some(kind.kind));
        for alias in kind.aliases {
            assert_eq!(ProviderKind::from_name(alias), Some(kind.kind), "{alias}");
        }
    }
}

// Quirk::UsageOnLastChoiceChunk, Quirk::ToolCallWithoutIndex — vercel-ai.mistral__mistral-tool-call.chunks.txt
#[test]
fn usage_on_the_last_chunk_with_choices_and_tool_calls_without_index() {
    let stream = load("vercel-ai.mistral__mistral-tool-call.chunks.txt");
    let last = chunks(&stream.events).last().unwrap();
    assert!(last.usage.is_some() && !last.choices.is_empty());
    let detected = Quirks::detect_from_chunk(last);
    assert!(detected.contains(Quirk::UsageOnLastChoiceChunk));
    assert!(detected.contains(Quirk::ToolCallWithoutIndex));
    assert!(detected.contains(Quirk::WholeToolCallInOneChunk));

    let (events, response) = run(
        &stream.events,
        stream.end(),
        options(Quirks::for_kind(ProviderKind::Mistral)),
    );
    assert_eq!(terminal(&events), "response.completed");
    assert_eq!(usage(&response), (124, 0, 22, 0, 146));
    assert_eq!(
        function_calls(&response),
        [(
            "gSIMJiOkT".into(),
            "weather".into(),
            r#"{"location": "San Francisco"}"#.into()
        )]
    );
}

// Quirk::ToolCallWithoutIndex with two calls — the same file's chunk, twice with two ids, must
// give two calls, as ChatFold groups them.
#[test]
fn calls_without_index_are_told_apart_by_id() {
    let mut stream = load("vercel-ai.mistral__mistral-tool-call.chunks.txt");
    for chunk in chunks_mut(&mut stream.events) {
        for choice in &mut chunk.choices {
            if let Some(calls) = &mut choice.delta.tool_calls {
                let mut second = calls[0].clone();
                second.id = Some("second".into());
                calls.push(second);
            }
        }
    }
    let (_, response) = run(&stream.events, stream.end(), StreamOptions::default());
    let calls = function_calls(&response);
    assert_eq!(calls.len(), 2);
    assert_eq!(
        (calls[0].0.as_str(), calls[1].0.as_str()),
        ("gSIMJiOkT", "second")
    );
    assert_eq!(calls[1].2, r#"{"location": "San Francisco"}"#);
    assert_eq!(chat_facts(&fold_chat(&stream.events)).calls, calls);
}

// Quirk::UsageOnEveryChunk — vercel-ai.perplexity__perplexity-text.chunks.txt (its last chunk is
// `"object": "chat.completion.done"`, an unknown name for a chunk)
#[test]
fn usage_on_every_chunk_the_last_one_counts() {
    let stream = load("vercel-ai.perplexity__perplexity-text.chunks.txt");
    assert!(matches!(
        stream.events.last(),
        Some(ChatCompletionStreamEvent::Unknown(_))
    ));
    let first_usage = chunks(&stream.events)
        .next()
        .and_then(|c| c.usage.clone())
        .unwrap();
    assert_ne!(first_usage.completion_tokens, 434);
    let (events, response) = run(
        &stream.events,
        stream.end(),
        options(Quirks::for_kind(ProviderKind::Perplexity)),
    );
    assert_eq!(terminal(&events), "response.completed");
    assert_eq!(usage(&response), (11, 0, 434, 0, 445));
    assert_eq!(response_facts(&response).text, "**EcoVista Day**[1][5]");
}

// Quirk::UsageInOwnChunk — openai-python__test_parse_max_tokens_reached__4cc50a6135.sse
#[test]
fn usage_in_its_own_chunk_after_finish_reason() {
    let stream = load("openai-python__test_parse_max_tokens_reached__4cc50a6135.sse");
    let last = chunks(&stream.events).last().unwrap();
    assert!(last.choices.is_empty() && last.usage.is_some());
    let (events, response) = run(
        &stream.events,
        stream.end(),
        options(Quirks::for_kind(ProviderKind::OpenAi)),
    );
    assert_eq!(terminal(&events), "response.incomplete");
    assert_eq!(usage(&response).0, 79);
    assert_eq!(usage(&response).2, 1);
}

// Quirk::NoDoneMarker — GPUStack closes the stream after the finish_reason chunk, no [DONE].
#[test]
fn no_done_marker_after_finish_reason_completes() {
    let stream = load(
        "ruby_llm__vcr_cassettes__chat_streaming_responses_gpustack_qwen3_supports_streaming_responses__i0.sse",
    );
    assert!(!stream.done_marker);
    let (events, response) = run(
        &stream.events,
        StreamEnd::Eof,
        options(Quirks::for_kind(ProviderKind::GpuStack)),
    );
    assert_eq!(terminal(&events), "response.completed");
    let chat = chat_facts(&fold_chat(&stream.events));
    assert_eq!(response_facts(&response).text, chat.text);
    assert!(!chat.reasoning.is_empty());
    assert_eq!(response_facts(&response).reasoning, chat.reasoning);
}

// Quirk::MissingFinishReason, Quirk::ToolNameLater (the name repeated) —
// simonw-llm__test_tools_streaming__test_tools_streaming_variant_a__i0.sse (Kimi K2)
#[test]
fn missing_finish_reason() {
    let stream = load("simonw-llm__test_tools_streaming__test_tools_streaming_variant_a__i0.sse");
    assert!(stream.done_marker);
    assert!(chunks(&stream.events).all(|c| c.choices.iter().all(|ch| ch.finish_reason.is_none())));

    // [DONE] is the upstream's own end: completed, the call whole, its name not doubled.
    let (events, response) = run(
        &stream.events,
        StreamEnd::DoneMarker,
        StreamOptions::default(),
    );
    assert_eq!(terminal(&events), "response.completed");
    assert_eq!(
        function_calls(&response),
        [("0".into(), "llm_version".into(), "{}".into())]
    );

    // Without [DONE] nor finish_reason, the stream looks cut off: failed, unless the quirk says
    // this provider ends that way.
    let (events, _) = run(&stream.events, StreamEnd::Eof, StreamOptions::default());
    assert_eq!(terminal(&events), "response.failed");
    let (events, response) = run(
        &stream.events,
        StreamEnd::Eof,
        options(Quirks::for_kind(ProviderKind::Kimi)),
    );
    assert_eq!(terminal(&events), "response.completed");
    assert_eq!(function_calls(&response).len(), 1);
}

/// The tool-call stream of `crewai__cassettes__test_handle_streaming_tool_calls__i0.sse`.
fn crewai_tool_call() -> chat_stream::ChatStream {
    load("crewai__cassettes__test_handle_streaming_tool_calls__i0.sse")
}

// Quirk::CumulativeToolArguments — derived: each fragment repeats the arguments so far.
#[test]
fn cumulative_tool_arguments() {
    let original = crewai_tool_call();
    let expected = chat_facts(&fold_chat(&original.events)).calls;
    assert_eq!(expected[0].2, r#"{"location":"New York, NY"}"#);

    let mut stream = crewai_tool_call();
    let mut so_far = String::new();
    for chunk in chunks_mut(&mut stream.events) {
        for choice in &mut chunk.choices {
            for call in choice.delta.tool_calls.iter_mut().flatten() {
                if let Some(arguments) = call.function.as_mut().and_then(|f| f.arguments.as_mut()) {
                    so_far.push_str(arguments);
                    *arguments = so_far.clone();
                }
            }
        }
    }
    let quirks = Quirks::none().with(Quirk::CumulativeToolArguments);
    let (_, response) = run(&stream.events, stream.end(), options(quirks));
    assert_eq!(function_calls(&response), expected);
    // Without the quirk, detection reads it the same way: adding `{"location":"New` to
    // `{"location":` can no longer become JSON, and the deltas add up to the arguments.
    let mut converter = ChatToResponses::new(
        Response::default(),
        SequentialIds::default(),
        StreamOptions::default(),
    );
    let mut out = converter.start().unwrap();
    for event in &stream.events {
        out.extend(converter.push_event(event).unwrap());
    }
    out.extend(converter.finish(stream.end()));
    let quirks = converter.detected_quirks();
    assert!(quirks.contains(Quirk::CumulativeToolArguments));
    assert_eq!(function_calls(&converter.response()), expected);
    let deltas: String = out
        .iter()
        .filter_map(|e| match e {
            ResponseStreamEvent::ResponseFunctionCallArgumentsDelta(d) => Some(d.delta.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(deltas, expected[0].2);
    let report = check_bytes(Protocol::Responses, Format::Sse, &to_sse(&out));
    assert_eq!(report.errors(), 0, "{:?}", report.findings);
}

/// `vercel-ai.perplexity__perplexity-citations.chunks.txt` with each chunk's `delta.content`
/// made the text so far, as a cumulative server would send it.
fn cumulative_perplexity() -> (chat_stream::ChatStream, String) {
    let mut stream = load("vercel-ai.perplexity__perplexity-citations.chunks.txt");
    let text = chat_facts(&fold_chat(&stream.events)).text;
    let mut so_far = String::new();
    for chunk in chunks_mut(&mut stream.events) {
        for choice in &mut chunk.choices {
            if let Some(ChatCompletionStreamResponseDeltaContent::Text(delta)) =
                &mut choice.delta.content
            {
                so_far.push_str(delta);
                delta.clone_from(&so_far);
            }
        }
    }
    (stream, text)
}

// Quirk::CumulativeContent — derived from vercel-ai.perplexity__perplexity-citations.chunks.txt
// (Perplexity's own deltas add up; its full text rides in `message.content`, not here).
#[test]
fn cumulative_content() {
    let (stream, text) = cumulative_perplexity();
    assert_eq!(text, "The current population of **[2][3]");
    for quirks in [
        Quirks::none(),
        Quirks::none().with(Quirk::CumulativeContent),
    ] {
        let mut converter = ChatToResponses::new(
            Response::default(),
            SequentialIds::default(),
            options(quirks),
        );
        let mut out = converter.start().unwrap();
        for event in &stream.events {
            out.extend(converter.push_event(event).unwrap());
        }
        out.extend(converter.finish(stream.end()));
        assert_eq!(response_facts(&converter.response()).text, text);
        assert!(
            converter
                .detected_quirks()
                .contains(Quirk::CumulativeContent)
                || !quirks.is_empty()
        );
        let report = check_bytes(Protocol::Responses, Format::Sse, &to_sse(&out));
        assert_eq!(report.errors(), 0, "{:?}", report.findings);
    }
    // The recorded stream, with or without the quirk, is read as it is.
    let original = load("vercel-ai.perplexity__perplexity-citations.chunks.txt");
    for quirks in [
        Quirks::for_kind(ProviderKind::Perplexity),
        Quirks::none().with(Quirk::CumulativeContent),
    ] {
        let (_, response) = run(&original.events, original.end(), options(quirks));
        assert_eq!(response_facts(&response).text, text);
    }
}

// Quirk::CumulativeToolArguments, detected safely: a provider that sends the arguments in full
// once more after they are complete.
#[test]
fn arguments_repeated_in_full_are_detected() {
    let mut stream = crewai_tool_call();
    let expected = chat_facts(&fold_chat(&stream.events)).calls;
    // Append one more fragment, the whole arguments again, to the chunk before finish_reason.
    let position = stream
        .events
        .iter()
        .rposition(|e| matches!(e, ChatCompletionStreamEvent::ChatCompletionChunk(c) if c.choices.iter().any(|ch| ch.delta.tool_calls.is_some())))
        .unwrap();
    if let ChatCompletionStreamEvent::ChatCompletionChunk(chunk) = &stream.events[position] {
        let mut repeat = chunk.clone();
        let call = &mut repeat.choices[0].delta.tool_calls.as_mut().unwrap()[0];
        call.function.as_mut().unwrap().arguments = Some(expected[0].2.clone());
        stream.events.insert(
            position + 1,
            ChatCompletionStreamEvent::ChatCompletionChunk(repeat),
        );
    }
    let mut converter = ChatToResponses::new(
        Response::default(),
        SequentialIds::default(),
        StreamOptions::default(),
    );
    let mut out = converter.start().unwrap();
    for event in &stream.events {
        out.extend(converter.push_event(event).unwrap());
    }
    out.extend(converter.finish(stream.end()));
    assert!(
        converter
            .detected_quirks()
            .contains(Quirk::CumulativeToolArguments)
    );
    assert_eq!(function_calls(&converter.response()), expected);
    assert!(check_bytes(Protocol::Responses, Format::Sse, &to_sse(&out)).is_ok());
}

// Quirk::WholeToolCallInOneChunk, Quirk::VendorExtras (x_groq) — vercel-ai.groq__groq-tool-call.chunks.txt
#[test]
fn whole_tool_call_in_one_chunk() {
    let stream = load("vercel-ai.groq__groq-tool-call.chunks.txt");
    let (events, response) = run(
        &stream.events,
        stream.end(),
        options(Quirks::for_kind(ProviderKind::Groq)),
    );
    assert_eq!(terminal(&events), "response.completed");
    assert_eq!(
        function_calls(&response),
        [("tk85n1k4m".into(), "weather".into(), "{}".into())]
    );
    assert_eq!(usage(&response), (210, 0, 15, 0, 225));
    // The call's item is added and finished without waiting for more.
    let kinds = types(&events);
    let added = kinds
        .iter()
        .position(|t| *t == "response.output_item.added")
        .unwrap();
    assert_eq!(kinds[added + 1], "response.function_call_arguments.delta");
}

// Quirk::ToolCallWithoutId — derived: the same stream without any tool-call id.
#[test]
fn tool_call_without_id_gets_a_call_id() {
    let mut stream = crewai_tool_call();
    let expected = chat_facts(&fold_chat(&stream.events)).calls;
    for chunk in chunks_mut(&mut stream.events) {
        for choice in &mut chunk.choices {
            for call in choice.delta.tool_calls.iter_mut().flatten() {
                call.id = None;
            }
        }
    }
    let (_, response) = run(&stream.events, stream.end(), StreamOptions::default());
    let calls = function_calls(&response);
    assert_eq!(calls.len(), 1);
    assert!(calls[0].0.starts_with("call_"), "{}", calls[0].0);
    assert_eq!((&calls[0].1, &calls[0].2), (&expected[0].1, &expected[0].2));
}

// Quirk::ToolNameLater — vercel-ai.mistral__mistral-incremental-tool-call.chunks.txt sends
// `"name": ""` after the real name; and, derived, the name arriving only in the second fragment.
#[test]
fn tool_name_empty_or_late() {
    let stream = load("vercel-ai.mistral__mistral-incremental-tool-call.chunks.txt");
    let (_, response) = run(
        &stream.events,
        stream.end(),
        options(Quirks::for_kind(ProviderKind::Mistral)),
    );
    let expected = (
        "chatcmpl-tool-9f149c74c42f265b".to_owned(),
        "webSearchTool".to_owned(),
        r#"{"query": "current Berlin weather"}"#.to_owned(),
    );
    assert_eq!(function_calls(&response), std::slice::from_ref(&expected));

    // Swap the names: empty first, real later.
    let mut late = load("vercel-ai.mistral__mistral-incremental-tool-call.chunks.txt");
    let mut names = Vec::new();
    for chunk in chunks_mut(&mut late.events) {
        for choice in &mut chunk.choices {
            for call in choice.delta.tool_calls.iter_mut().flatten() {
                names.push(call.function.as_mut().unwrap());
            }
        }
    }
    let (first, second) = (names[0].name.take(), names[1].name.take());
    names[0].name = second;
    names[1].name = first;
    let (events, response) = run(&late.events, late.end(), StreamOptions::default());
    assert_eq!(function_calls(&response), [expected]);
    let added = events.iter().find_map(|e| match e {
        ResponseStreamEvent::ResponseOutputItemAdded(added) => Some(added.item.clone()),
        _ => None,
    });
    match added {
        Some(OutputItem::FunctionCall(call)) => assert_eq!(call.name, "webSearchTool"),
        other => panic!("{other:?}"),
    }
}

// Quirk::AzurePromptFilterChunk, Quirk::PlaceholderIdAndCreated — crewai__azure__test_azure_streaming_completion__i0.sse
#[test]
fn azure_prompt_filter_chunk_and_placeholders() {
    let stream = load("crewai__azure__test_azure_streaming_completion__i0.sse");
    let first = chunks(&stream.events).next().unwrap();
    assert!(first.choices.is_empty() && first.id.is_empty() && first.created == 0);
    let detected = Quirks::detect_from_chunk(first);
    assert!(detected.contains(Quirk::AzurePromptFilterChunk));
    assert!(detected.contains(Quirk::PlaceholderIdAndCreated));

    let mut converter = ChatToResponses::new(
        Response::default(),
        SequentialIds::new(1_750_000_000),
        options(Quirks::for_kind(ProviderKind::Azure)),
    );
    let started = converter.start().unwrap();
    assert_eq!(started.len(), 2);
    let ChatCompletionStreamEvent::ChatCompletionChunk(first) = &stream.events[0] else {
        panic!()
    };
    assert!(
        converter.push_chunk(first).unwrap().is_empty(),
        "nothing to say for the filter chunk"
    );

    let (events, response) = run(
        &stream.events,
        stream.end(),
        options(Quirks::for_kind(ProviderKind::Azure)),
    );
    assert_eq!(terminal(&events), "response.completed");
    assert!(response.id.starts_with("resp_"));
    assert!(response.created_at > 0.0);
    assert_eq!(
        response_facts(&response).text,
        "Hello! How can I assist you today?"
    );
}

// Quirk::ContentPartsWithThinking — vercel-ai.mistral__mistral-reasoning.chunks.txt
#[test]
fn mistral_content_parts_with_thinking() {
    let stream = load("vercel-ai.mistral__mistral-reasoning.chunks.txt");
    assert!(
        chunks(&stream.events).any(|c| c.choices.iter().any(|ch| matches!(
            ch.delta.content,
            Some(ChatCompletionStreamResponseDeltaContent::List(_))
        )))
    );
    let (_, response) = run(
        &stream.events,
        stream.end(),
        options(Quirks::for_kind(ProviderKind::Mistral)),
    );
    let facts = response_facts(&response);
    assert_eq!(
        facts.reasoning,
        "The user is asking for 2+2. This is basic arithmetic. 2+2=4."
    );
    assert_eq!(facts.text, "2 + 2 = 4");
    assert!(matches!(response.output[0], OutputItem::Reasoning(_)));
    assert!(matches!(response.output[1], OutputItem::Message(_)));
}

// Quirk::VendorExtras, Quirk::ReasoningField — vercel-ai.groq__groq-reasoning.chunks.txt
#[test]
fn groq_reasoning_field_and_x_groq() {
    let stream = load("vercel-ai.groq__groq-reasoning.chunks.txt");
    let chat = chat_facts(&fold_chat(&stream.events));
    let summary = StreamOptions {
        quirks: Quirks::for_kind(ProviderKind::Groq),
        reasoning: ReasoningMode {
            output: ReasoningOutput::Summary,
            carry: false,
        },
        ..StreamOptions::default()
    };
    let (events, response) = run(&stream.events, stream.end(), summary);
    assert!(types(&events).contains(&"response.reasoning_summary_text.delta"));
    assert!(!types(&events).contains(&"response.reasoning_text.delta"));
    let OutputItem::Reasoning(reasoning) = &response.output[0] else {
        panic!()
    };
    assert_eq!(reasoning.summary[0].text, chat.reasoning);
    assert_eq!(usage(&response), (17, 0, 1107, 963, 1124));
}

// Quirk::ErrorMidStream — the GPUStack stream whose error line is not SSE data: the stream just
// stops, without finish_reason: failed, with the text so far kept (items incomplete).
#[test]
fn error_mid_stream_ends_failed() {
    let stream = load(
        "ruby_llm__vcr_cassettes__chat_with_extended_thinking_gpustack_qwen3_streams_thinking_content_when_available__i0.sse",
    );
    assert!(!stream.done_marker);
    let (events, response) = run(
        &stream.events,
        stream.end(),
        options(Quirks::for_kind(ProviderKind::GpuStack)),
    );
    assert_eq!(terminal(&events), "response.failed");
    let error = response.error.as_ref().unwrap();
    assert_eq!(error.code.as_str(), "server_error");
    assert!(response_facts(&response).text.ends_with(" revelation of"));
    for item in &response.output {
        if let OutputItem::Message(message) = item {
            assert_eq!(
                message.status.as_ref().map(|s| s.as_str()),
                Some("incomplete")
            );
        }
    }

    // The error itself, as an `error` event (how Groq and OpenRouter send it), fails with its message.
    let json = r#"{"detail":"failed to decode, try again, increasing context size or reducing parallel","error":{"message":"failed to decode, try again, increasing context size or reducing parallel"}}"#;
    let mut with_event = stream.events.clone();
    with_event.push(
        <ChatCompletionStreamEvent as openai_wire_events::StreamEvent>::from_json(json).unwrap(),
    );
    let (events, response) = run(&with_event, StreamEnd::Eof, StreamOptions::default());
    assert_eq!(terminal(&events), "response.failed");
    assert_eq!(
        response.error.unwrap().message,
        "failed to decode, try again, increasing context size or reducing parallel"
    );
}

// Quirk::ReasoningContentField — vercel-ai.deepseek__deepseek-reasoning.chunks.txt, carried in
// encrypted_content for the next turn.
#[test]
fn deepseek_reasoning_content_is_carried() {
    let stream = load("vercel-ai.deepseek__deepseek-reasoning.chunks.txt");
    let chat = chat_facts(&fold_chat(&stream.events));
    let key = EnvelopeKey::new(b"test secret");
    let carry = StreamOptions {
        quirks: Quirks::for_kind(ProviderKind::DeepSeek),
        reasoning: ReasoningMode {
            output: ReasoningOutput::Text,
            carry: true,
        },
        envelope_key: Some(key.clone()),
        ..StreamOptions::default()
    };
    let (_, response) = run(&stream.events, stream.end(), carry);
    let OutputItem::Reasoning(reasoning) = &response.output[0] else {
        panic!()
    };
    let sealed = reasoning
        .encrypted_content
        .as_deref()
        .expect("encrypted_content");
    let opened = open(sealed, &key).expect("our envelope");
    assert_eq!(opened.field, ReasoningField::ReasoningContent);
    assert_eq!(opened.text, chat.reasoning);
    assert_eq!(response_facts(&response).reasoning, chat.reasoning);

    // Hidden: the item carries the reasoning but shows none.
    let hidden = StreamOptions {
        reasoning: ReasoningMode {
            output: ReasoningOutput::Hidden,
            carry: true,
        },
        envelope_key: Some(key.clone()),
        ..StreamOptions::default()
    };
    let (_, response) = run(&stream.events, stream.end(), hidden);
    let OutputItem::Reasoning(reasoning) = &response.output[0] else {
        panic!()
    };
    assert!(reasoning.content.is_none() && reasoning.summary.is_empty());
    assert_eq!(
        open(reasoning.encrypted_content.as_deref().unwrap(), &key)
            .unwrap()
            .text,
        chat.reasoning
    );
}

// Quirk::ReasoningDetails — OpenRouter's reasoning_details are carried verbatim.
#[test]
fn openrouter_reasoning_details_are_carried() {
    let stream = load(
        "ruby_llm__vcr_cassettes__chat_openrouter_reasoning_details_round-trip_accumulates_reasoning_details_while_streaming_tool_calls__i0.sse",
    );
    let completion = fold_chat(&stream.events);
    let details = completion.choices[0]
        .message
        .reasoning_details
        .clone()
        .expect("details");
    let carry = StreamOptions {
        quirks: Quirks::for_kind(ProviderKind::OpenRouter),
        reasoning: ReasoningMode {
            output: ReasoningOutput::Text,
            carry: true,
        },
        ..StreamOptions::default()
    };
    let (_, response) = run(&stream.events, stream.end(), carry);
    let OutputItem::Reasoning(reasoning) = &response.output[0] else {
        panic!()
    };
    let opened = open(
        reasoning.encrypted_content.as_deref().unwrap(),
        &EnvelopeKey::default(),
    )
    .unwrap();
    assert_eq!(opened.field, ReasoningField::Reasoning);
    assert_eq!(opened.details, Some(serde_json::Value::Array(details)));
    assert_eq!(
        response_facts(&response).calls,
        chat_facts(&completion).calls
    );
}

// Quirk::ThinkTagsInContent — derived from vercel-ai.groq__groq-reasoning.chunks.txt: the
// reasoning moved into `content` between tags, as Groq's `reasoning_format: "raw"` sends it,
// with the tags cut across chunks.
#[test]
fn think_tags_in_content() {
    let stream = load("vercel-ai.groq__groq-reasoning.chunks.txt");
    let chat = chat_facts(&fold_chat(&stream.events));
    let mut raw = stream.events.clone();
    let mut first_reasoning = true;
    let mut first_content = true;
    for chunk in chunks_mut(&mut raw) {
        for choice in &mut chunk.choices {
            let delta = &mut choice.delta;
            if let Some(reasoning) = delta.reasoning.take() {
                let text = if first_reasoning {
                    format!("<th|ink>{reasoning}")
                } else {
                    reasoning
                };
                first_reasoning = false;
                delta.content = Some(ChatCompletionStreamResponseDeltaContent::Text(text));
            } else if let Some(ChatCompletionStreamResponseDeltaContent::Text(text)) =
                &mut delta.content
            {
                if first_content && !text.is_empty() && !first_reasoning {
                    *text = format!("</thi|nk>\n\n{text}");
                    first_content = false;
                }
            }
        }
    }
    // Cut the tags: "|" marks a chunk boundary.
    let mut cut = Vec::new();
    for event in raw {
        match &event {
            ChatCompletionStreamEvent::ChatCompletionChunk(chunk)
                if chunk.choices.iter().any(|c| matches!(&c.delta.content, Some(ChatCompletionStreamResponseDeltaContent::Text(t)) if t.contains('|'))) =>
            {
                let Some(ChatCompletionStreamResponseDeltaContent::Text(text)) = &chunk.choices[0].delta.content else { unreachable!() };
                for piece in text.split('|') {
                    let mut part = chunk.clone();
                    part.choices[0].delta.content = Some(ChatCompletionStreamResponseDeltaContent::Text(piece.to_owned()));
                    part.choices[0].finish_reason = None;
                    cut.push(ChatCompletionStreamEvent::ChatCompletionChunk(part));
                }
            }
            _ => cut.push(event),
        }
    }
    let (_, response) = run(
        &cut,
        stream.end(),
        options(Quirks::for_kind(ProviderKind::Vllm)),
    );
    let facts = response_facts(&response);
    assert_eq!(facts.reasoning, chat.reasoning);
    assert_eq!(facts.text, chat.text);
    // Without the quirk, the tags stay in the text.
    let (_, response) = run(&cut, stream.end(), StreamOptions::default());
    assert!(response_facts(&response).text.starts_with("<think>"));
}

/// Rewrites (with `UPDATE_QUIRKS=1`) or checks the generated table between `begin` and
/// `//! <!-- NAME:end -->` in `file` (under `src/`).
fn generated_table(file: &str, name: &str, table: String) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("the source file");
    let begin = format!("//! <!-- {name}:begin");
    let start = text.find(&begin).expect("the begin marker");
    let start = start + text[start..].find('\n').expect("a line end") + 1;
    let end = text
        .find(&format!("//! <!-- {name}:end -->"))
        .expect("the end marker");
    let expected: String = table.lines().map(|line| format!("//! {line}\n")).collect();
    if std::env::var_os("UPDATE_QUIRKS").is_some() {
        let updated = format!("{}{expected}{}", &text[..start], &text[end..]);
        std::fs::write(&path, updated).expect("write the source file");
        return;
    }
    assert_eq!(
        &text[start..end],
        expected,
        "the {name} table in src/{file} disagrees with the code; rerun with UPDATE_QUIRKS=1"
    );
}

#[test]
fn the_module_docs_show_the_quirk_table_generated_from_the_code() {
    generated_table(
        "provider/quirks.rs",
        "quirks",
        openai_wire_convert::quirks::doc_table(),
    );
}

#[test]
fn the_module_docs_show_the_kinds_table_generated_from_the_code() {
    generated_table(
        "provider/mod.rs",
        "kinds",
        openai_wire_convert::provider::doc_table(),
    );
}

/// Every quirk that chunks show by their shape is detected on its own evidence recording
/// (`Quirks::detect_from_chunk`, which reads deltas through the one Chat-delta reader).
#[test]
fn quirks_seen_in_chunks_are_detected_on_their_evidence() {
    let detectable = [
        Quirk::PlaceholderIdAndCreated,
        Quirk::AzurePromptFilterChunk,
        Quirk::UsageOnLastChoiceChunk,
        Quirk::UsageInOwnChunk,
        Quirk::ContentPartsWithThinking,
        Quirk::ReasoningContentField,
        Quirk::ReasoningField,
        Quirk::ReasoningDetails,
        Quirk::ToolCallWithoutIndex,
        Quirk::WholeToolCallInOneChunk,
    ];
    for quirk in detectable {
        let info = QUIRKS
            .iter()
            .find(|i| i.quirk == quirk)
            .expect("in the table");
        let Some(name) = info.evidence.strip_prefix("chat/") else {
            panic!(
                "{}: evidence {} is not a chat recording",
                info.name, info.evidence
            );
        };
        let stream = chat_stream::load(name);
        let mut detected = Quirks::none();
        for event in &stream.events {
            if let ChatCompletionStreamEvent::ChatCompletionChunk(chunk) = event {
                detected = detected.union(Quirks::detect_from_chunk(chunk));
            }
        }
        assert!(
            detected.contains(quirk),
            "{} not detected on {}",
            info.name,
            info.evidence
        );
    }
}
