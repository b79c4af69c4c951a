//! Property tests: any sequence of writer calls gives a stream the conformance checker finds no
//! error in, and folding that stream gives back the writer's final object.
//!
//! Calls are generated at random: items of every kind, opened while others are open, deltas
//! interleaved across items, unicode and empty deltas, summary parts, encrypted content,
//! finishes in any order, misuse (wrong kind, after finish, foreign handles), all three
//! terminals with random usage.

use openai_wire_check::check_bytes;
use openai_wire_decode::{Decoder, Format, Item, Protocol};
use openai_wire_emit::{
    ChatChunkWriter, ChatOptions, EmitError, ItemHandle, ItemKind, ResponseWriter, SequentialIds,
    ToolCallHandle, write_chat_done, write_chat_sse, write_response_sse,
};
use openai_wire_events::{
    ChatCompletionChunkChoiceFinishReason, ChatCompletionStreamEvent, CompletionUsage,
    CompletionUsageCompletionTokensDetails, CompletionUsagePromptTokensDetails, MessagePhase,
    Response, ResponseError2, ResponseErrorCode, ResponseIncompleteDetailsReason,
    ResponseStreamEvent, ResponseUsage, ResponseUsageInputTokensDetails,
    ResponseUsageOutputTokensDetails,
};
use openai_wire_fold::{ChatFold, ResponseFold};
use proptest::prelude::*;

fn delta() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "\\PC{0,6}",
        1 => Just(String::new()),
        1 => Just("line\nbreak \"quoted\" \\ \r\t".to_owned()),
        1 => Just("日本語 🦀 é".to_owned()),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    Open(u8),
    Push {
        item: usize,
        variant: bool,
        delta: String,
    },
    EndSummary(usize),
    Encrypted(usize, String),
    Finish(usize),
    WrongKind(usize),
    Foreign,
}

#[derive(Debug, Clone)]
enum End {
    Complete(ResponseUsage),
    Fail(ResponseError2),
    Incomplete(ResponseIncompleteDetailsReason, ResponseUsage),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0u8..8).prop_map(Op::Open),
        6 => (any::<usize>(), any::<bool>(), delta())
            .prop_map(|(item, variant, delta)| Op::Push { item, variant, delta }),
        1 => any::<usize>().prop_map(Op::EndSummary),
        1 => (any::<usize>(), "[A-Za-z0-9_-]{1,12}").prop_map(|(i, s)| Op::Encrypted(i, s)),
        2 => any::<usize>().prop_map(Op::Finish),
        1 => any::<usize>().prop_map(Op::WrongKind),
        1 => Just(Op::Foreign),
    ]
}

fn usage() -> impl Strategy<Value = ResponseUsage> {
    (0i64..100_000, 0i64..100_000, 0i64..50_000, 0i64..50_000).prop_map(
        |(input, output, cached, reasoning)| ResponseUsage {
            input_tokens: input,
            input_tokens_details: ResponseUsageInputTokensDetails {
                cached_tokens: cached.min(input),
                ..Default::default()
            },
            output_tokens: output,
            output_tokens_details: ResponseUsageOutputTokensDetails {
                reasoning_tokens: reasoning.min(output),
            },
            total_tokens: input + output,
            compute_units: None,
        },
    )
}

fn end() -> impl Strategy<Value = End> {
    prop_oneof![
        usage().prop_map(End::Complete),
        "\\PC{0,20}".prop_map(|message| End::Fail(ResponseError2 {
            code: ResponseErrorCode::ServerError,
            message,
        })),
        (prop::bool::ANY, usage()).prop_map(|(filter, usage)| End::Incomplete(
            if filter {
                ResponseIncompleteDetailsReason::ContentFilter
            } else {
                ResponseIncompleteDetailsReason::MaxOutputTokens
            },
            usage
        )),
    ]
}

/// Runs the calls; returns every event emitted and the writer.
fn run_responses(
    ops: &[Op],
    end: &End,
) -> (Vec<ResponseStreamEvent>, ResponseWriter<SequentialIds>) {
    let mut w = ResponseWriter::new(Response::default(), SequentialIds::new(1_700_000_000));
    let mut events = w.start().unwrap();
    let mut handles: Vec<ItemHandle> = Vec::new();
    let mut finished: Vec<bool> = Vec::new();
    let mut other = ResponseWriter::new(Response::default(), SequentialIds::new(0));
    other.start().unwrap();
    let (foreign, _) = other.open_message().unwrap();

    for op in ops {
        let pick = |i: &usize| (!handles.is_empty()).then(|| i % handles.len());
        let before = w.next_sequence_number();
        let result: Result<Vec<ResponseStreamEvent>, EmitError> = match op {
            Op::Open(kind) => {
                let opened = match kind {
                    0 => w.open_message(),
                    1 => w.open_message_with_phase(Some(MessagePhase::FinalAnswer)),
                    2 => w.open_reasoning(),
                    3 => w.open_function_call("get_weather", None),
                    4 => w.open_custom_tool_call("code_exec", Some("call_custom".into())),
                    5 => w.open_namespaced_custom_tool_call("functions", "exec", None),
                    6 => w.open_tool_search_call(None),
                    _ => w.open_web_search_call(),
                };
                opened.map(|(handle, events)| {
                    handles.push(handle);
                    finished.push(false);
                    events
                })
            }
            Op::Push {
                item,
                variant,
                delta,
            } => match pick(item) {
                None => continue,
                Some(i) => {
                    let h = handles[i];
                    match (h.kind(), variant) {
                        (ItemKind::Message, false) => w.push_text(h, delta),
                        (ItemKind::Message, true) => w.push_refusal(h, delta),
                        (ItemKind::Reasoning, false) => w.push_reasoning_summary(h, delta),
                        (ItemKind::Reasoning, true) => w.push_reasoning_text(h, delta),
                        (ItemKind::FunctionCall, _) => w.push_arguments(h, delta),
                        (ItemKind::CustomToolCall, _) => w.push_custom_input(h, delta),
                        (ItemKind::ToolSearchCall, _) => w.push_tool_search_arguments(h, delta),
                        (ItemKind::WebSearchCall, _) => w.web_search_searching(h, delta),
                    }
                }
            },
            Op::EndSummary(item) => match pick(item) {
                Some(i) if handles[i].kind() == ItemKind::Reasoning => {
                    w.end_summary_part(handles[i])
                }
                _ => continue,
            },
            Op::Encrypted(item, value) => match pick(item) {
                Some(i) if handles[i].kind() == ItemKind::Reasoning => w
                    .set_encrypted_content(handles[i], value.clone())
                    .map(|()| Vec::new()),
                _ => continue,
            },
            Op::Finish(item) => match pick(item) {
                None => continue,
                Some(i) => w.finish_item(handles[i]).inspect(|_| finished[i] = true),
            },
            Op::WrongKind(item) => match pick(item) {
                None => continue,
                Some(i) => {
                    let h = handles[i];
                    let result = match h.kind() {
                        ItemKind::Message => w.push_arguments(h, "x"),
                        _ => w.push_text(h, "x"),
                    };
                    assert!(
                        matches!(
                            result,
                            Err(EmitError::WrongItemKind { .. } | EmitError::ItemFinished { .. })
                        ),
                        "{result:?}"
                    );
                    result
                }
            },
            Op::Foreign => {
                let result = w.push_text(foreign, "x");
                assert!(matches!(result, Err(EmitError::ForeignHandle)));
                result
            }
        };
        match result {
            Ok(new) => events.extend(new),
            Err(EmitError::ItemFinished { output_index }) => {
                assert!(finished[output_index], "refused an open item");
                assert_eq!(w.next_sequence_number(), before);
            }
            Err(EmitError::WrongItemKind { .. } | EmitError::ForeignHandle) => {
                assert_eq!(w.next_sequence_number(), before);
            }
            Err(other) => panic!("unexpected error {other}"),
        }
    }
    let terminal = match end {
        End::Complete(usage) => w.complete(usage.clone()),
        End::Fail(error) => w.fail(error.clone()),
        End::Incomplete(reason, usage) => w.incomplete(reason.clone(), usage.clone()),
    };
    events.extend(terminal.unwrap());
    assert!(w.complete(ResponseUsage::default()).is_err());
    (events, w)
}

fn decode_all<E: openai_wire_events::StreamEvent>(bytes: &[u8]) -> Vec<E> {
    let mut decoder = Decoder::<E>::new(Format::Sse);
    decoder.feed(bytes);
    decoder.finish();
    let mut events = Vec::new();
    while let Some(item) = decoder.next_item() {
        if let Item::Event(decoded) = item.expect("the writer's output decodes") {
            events.push(decoded.event);
        }
    }
    assert!(decoder.summary().ended_properly());
    events
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_response_call_sequence_checks_clean_and_folds_back(
        ops in prop::collection::vec(op(), 0..40),
        end in end(),
    ) {
        let (events, writer) = run_responses(&ops, &end);
        let mut bytes = Vec::new();
        write_response_sse(&mut bytes, &events).unwrap();

        // (1) The checker finds nothing: no error, and no warning either (every response object
        // carries every field, `response.all-fields`).
        let report = check_bytes(Protocol::Responses, Format::Sse, &bytes);
        let findings: Vec<String> = report.findings.iter().map(|f| format!("{f:?}")).collect();
        prop_assert!(findings.is_empty(), "check findings: {findings:#?}");

        // (2) Folding the decoded stream gives back the writer's final object: the snapshot the
        // fold builds from the events, the terminal event's object, and no difference between.
        let decoded: Vec<ResponseStreamEvent> = decode_all(&bytes);
        prop_assert_eq!(decoded.len(), events.len());
        let mut fold = ResponseFold::new();
        for event in &decoded {
            fold.push(event);
        }
        let expected = writer.response();
        prop_assert!(fold.differences().is_empty(), "fold differences: {:?}", fold.differences());
        prop_assert_eq!(fold.response(), &expected);
        prop_assert_eq!(fold.into_response(), expected);
    }
}

#[derive(Debug, Clone)]
enum ChatOp {
    Content(usize, String),
    Refusal(usize, String),
    Reasoning(usize, String),
    OpenTool(usize, bool),
    Arguments(usize, String),
    Finish(usize, u8),
}

fn chat_op() -> impl Strategy<Value = ChatOp> {
    prop_oneof![
        4 => (0usize..3, delta()).prop_map(|(c, d)| ChatOp::Content(c, d)),
        1 => (0usize..3, delta()).prop_map(|(c, d)| ChatOp::Refusal(c, d)),
        2 => (0usize..3, delta()).prop_map(|(c, d)| ChatOp::Reasoning(c, d)),
        2 => (0usize..3, any::<bool>()).prop_map(|(c, id)| ChatOp::OpenTool(c, id)),
        4 => (any::<usize>(), delta()).prop_map(|(t, d)| ChatOp::Arguments(t, d)),
        1 => (0usize..3, 0u8..4).prop_map(|(c, r)| ChatOp::Finish(c, r)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_chat_call_sequence_checks_clean_and_folds_back(
        n in 1usize..4,
        include_usage in any::<bool>(),
        ops in prop::collection::vec(chat_op(), 0..40),
        tokens in (0i64..10_000, 0i64..10_000, prop::option::of(0i64..100)),
        with_usage in any::<bool>(),
    ) {
        let options = ChatOptions::new("gpt-4o-mini").with_choices(n).with_usage(include_usage);
        let mut w = ChatChunkWriter::new(options, SequentialIds::new(1_700_000_000));
        let mut chunks: Vec<ChatCompletionStreamEvent> = Vec::new();
        let mut tools: Vec<ToolCallHandle> = Vec::new();
        for op in &ops {
            let result = match op {
                ChatOp::Content(c, d) => w.push_content(*c, d),
                ChatOp::Refusal(c, d) => w.push_refusal(*c, d),
                ChatOp::Reasoning(c, d) => w.push_reasoning(*c, d),
                ChatOp::OpenTool(c, given) => {
                    let id = given.then(|| format!("call_given_{}", tools.len()));
                    w.open_tool_call(*c, "lookup", id).map(|(h, events)| {
                        tools.push(h);
                        events
                    })
                }
                ChatOp::Arguments(t, d) => {
                    if tools.is_empty() { continue; }
                    w.push_tool_arguments(tools[t % tools.len()], d)
                }
                ChatOp::Finish(c, r) => {
                    let reason = match r {
                        0 => ChatCompletionChunkChoiceFinishReason::Stop,
                        1 => ChatCompletionChunkChoiceFinishReason::Length,
                        2 => ChatCompletionChunkChoiceFinishReason::ContentFilter,
                        _ => ChatCompletionChunkChoiceFinishReason::ToolCalls,
                    };
                    w.finish(*c, reason)
                }
            };
            match result {
                Ok(new) => chunks.extend(new),
                Err(EmitError::NoSuchChoice { choice, choices }) => {
                    prop_assert!(choice >= choices);
                }
                Err(EmitError::ChoiceFinished { .. }) => {}
                Err(other) => prop_assert!(false, "unexpected error {}", other),
            }
        }
        let usage = with_usage.then(|| CompletionUsage {
            prompt_tokens: tokens.0,
            completion_tokens: tokens.1,
            total_tokens: tokens.0 + tokens.1,
            prompt_tokens_details: tokens.2.map(|cached| CompletionUsagePromptTokensDetails {
                cached_tokens: Some(cached.min(tokens.0)),
                ..Default::default()
            }),
            completion_tokens_details: Some(CompletionUsageCompletionTokensDetails::default()),
            compute_units: None,
        });
        chunks.extend(w.end(usage).unwrap());

        let mut bytes = Vec::new();
        write_chat_sse(&mut bytes, &chunks).unwrap();
        write_chat_done(&mut bytes);

        let report = check_bytes(Protocol::Chat, Format::Sse, &bytes);
        let errors: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.is_error())
            .map(|f| format!("{f:?}"))
            .collect();
        prop_assert!(errors.is_empty(), "check errors: {errors:#?}");

        let decoded: Vec<ChatCompletionStreamEvent> = decode_all(&bytes);
        prop_assert_eq!(decoded.len(), chunks.len());
        let mut fold = ChatFold::new();
        for event in &decoded {
            fold.push_event(event);
        }
        prop_assert_eq!(fold.completion(), w.completion());
    }
}
