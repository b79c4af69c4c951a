//! The chat chunk writer, call by call, with hand-written expectations.

use openai_wire_emit::{
    ChatChunkWriter, ChatOptions, EmitError, SequentialIds, write_chat_done, write_chat_sse,
};
use openai_wire_events::{
    ChatCompletionChunkChoiceFinishReason as Finish, ChatCompletionStreamEvent, CompletionUsage,
    StreamEvent,
};
use serde_json::{Value, json};

fn json_of(event: &ChatCompletionStreamEvent) -> Value {
    serde_json::to_value(event).unwrap()
}

#[test]
fn text_then_finish_then_usage_chunk_as_openai_sends_them() {
    let mut w = ChatChunkWriter::new(
        ChatOptions::new("gpt-4o-mini").with_usage(true),
        SequentialIds::new(1_770_747_154),
    );
    let mut chunks = w.push_content(0, "Hello").unwrap();
    chunks.extend(w.push_content(0, "!").unwrap());
    chunks.extend(w.finish(0, Finish::Stop).unwrap());
    chunks.extend(
        w.end(Some(CompletionUsage {
            prompt_tokens: 10,
            completion_tokens: 2,
            total_tokens: 12,
            ..CompletionUsage::default()
        }))
        .unwrap(),
    );
    let head = json!({"id": "chatcmpl-0001", "object": "chat.completion.chunk", "created": 1_770_747_154, "model": "gpt-4o-mini"});
    let with = |extra: Value| {
        let mut v = head.clone();
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    assert_eq!(
        json_of(&chunks[0]),
        with(
            json!({"choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hello"}}]})
        )
    );
    assert_eq!(
        json_of(&chunks[1]),
        with(json!({"choices": [{"index": 0, "delta": {"content": "!"}}]}))
    );
    assert_eq!(
        json_of(&chunks[2]),
        with(json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    );
    assert_eq!(
        json_of(&chunks[3]),
        with(json!({"choices": [], "usage": {
            "prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12,
            "prompt_tokens_details": {"cached_tokens": 0}, "completion_tokens_details": {"reasoning_tokens": 0}}}))
    );
    assert_eq!(chunks.len(), 4);

    let completion = serde_json::to_value(w.completion()).unwrap();
    assert_eq!(
        completion,
        json!({"id": "chatcmpl-0001", "object": "chat.completion", "created": 1_770_747_154, "model": "gpt-4o-mini",
               "choices": [{"index": 0, "finish_reason": "stop", "logprobs": null,
                            "message": {"role": "assistant", "content": "Hello!", "refusal": null}}],
               "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12,
                         "prompt_tokens_details": {"cached_tokens": 0}, "completion_tokens_details": {"reasoning_tokens": 0}}})
    );
}

#[test]
fn tool_calls_carry_index_id_and_name_first_then_arguments_and_may_interleave() {
    let mut w = ChatChunkWriter::new(ChatOptions::new("m"), SequentialIds::new(1));
    let (a, first) = w
        .open_tool_call(0, "get_weather", Some("call_a".into()))
        .unwrap();
    let (b, second) = w.open_tool_call(0, "get_time", None).unwrap();
    assert_eq!((a.index(), b.index()), (0, 1));
    assert_eq!(
        json_of(&first[0])["choices"][0]["delta"],
        json!({"role": "assistant", "tool_calls": [{"index": 0, "id": "call_a", "type": "function",
                                                     "function": {"name": "get_weather", "arguments": ""}}]})
    );
    assert_eq!(
        json_of(&second[0])["choices"][0]["delta"],
        json!({"tool_calls": [{"index": 1, "id": "call_0002", "type": "function",
                               "function": {"name": "get_time", "arguments": ""}}]})
    );
    let args = w.push_tool_arguments(b, "{}").unwrap();
    assert_eq!(
        json_of(&args[0])["choices"][0]["delta"],
        json!({"tool_calls": [{"index": 1, "type": "function", "function": {"arguments": "{}"}}]})
    );
    w.push_tool_arguments(a, "{\"city\":").unwrap();
    w.push_tool_arguments(a, "\"Paris\"}").unwrap();
    // end() finishes the open choice with tool_calls; no usage chunk without include_usage.
    let end = w.end(None).unwrap();
    assert_eq!(end.len(), 1);
    assert_eq!(
        json_of(&end[0])["choices"][0]["finish_reason"],
        "tool_calls"
    );
    let completion = serde_json::to_value(w.completion()).unwrap();
    assert_eq!(
        completion["choices"][0]["message"],
        json!({"role": "assistant", "content": null, "refusal": null, "tool_calls": [
            {"type": "function", "id": "call_a", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}},
            {"type": "function", "id": "call_0002", "function": {"name": "get_time", "arguments": "{}"}}]})
    );
    assert!(completion.get("usage").is_none());
}

#[test]
fn several_choices_refusal_and_reasoning_content() {
    let mut w = ChatChunkWriter::new(ChatOptions::new("m").with_choices(2), SequentialIds::new(1));
    let r = w.push_reasoning(1, "hmm").unwrap();
    assert_eq!(
        json_of(&r[0])["choices"][0],
        json!({"index": 1, "delta": {"role": "assistant", "reasoning_content": "hmm"}})
    );
    let refusal = w.push_refusal(0, "No.").unwrap();
    assert_eq!(
        json_of(&refusal[0])["choices"][0],
        json!({"index": 0, "delta": {"role": "assistant", "refusal": "No."}})
    );
    w.push_content(1, "").unwrap();
    w.finish(1, Finish::Length).unwrap();
    w.end(None).unwrap();
    let completion = w.completion();
    assert_eq!(completion.choices.len(), 2);
    assert_eq!(
        completion.choices[0].message.refusal.as_deref(),
        Some("No.")
    );
    assert_eq!(completion.choices[0].message.content, None);
    assert_eq!(
        completion.choices[1].message.reasoning_content.as_deref(),
        Some("hmm")
    );
    assert_eq!(completion.choices[1].message.content.as_deref(), Some(""));
    assert_eq!(
        completion.choices[1]
            .finish_reason
            .as_ref()
            .map(|r| r.as_str()),
        Some("length")
    );
    assert_eq!(
        completion.choices[0]
            .finish_reason
            .as_ref()
            .map(|r| r.as_str()),
        Some("stop")
    );
}

#[test]
fn chat_misuse_is_a_typed_error() {
    let mut w = ChatChunkWriter::new(ChatOptions::new("m"), SequentialIds::new(1));
    assert!(matches!(
        w.push_content(1, "x"),
        Err(EmitError::NoSuchChoice {
            choice: 1,
            choices: 1
        })
    ));
    let (call, _) = w.open_tool_call(0, "f", None).unwrap();
    let mut other = ChatChunkWriter::new(ChatOptions::new("m"), SequentialIds::new(1));
    assert!(matches!(
        other.push_tool_arguments(call, "x"),
        Err(EmitError::ForeignHandle)
    ));
    w.finish(0, Finish::ToolCalls).unwrap();
    assert!(matches!(
        w.push_tool_arguments(call, "x"),
        Err(EmitError::ChoiceFinished { choice: 0 })
    ));
    assert!(matches!(
        w.finish(0, Finish::Stop),
        Err(EmitError::ChoiceFinished { choice: 0 })
    ));
    w.end(None).unwrap();
    assert!(matches!(
        w.end(None),
        Err(EmitError::Ended { terminal: "end" })
    ));
    assert!(matches!(
        w.push_content(0, "x"),
        Err(EmitError::Ended { .. })
    ));
}

#[test]
fn chat_sse_is_data_lines_and_done() {
    let mut w = ChatChunkWriter::new(ChatOptions::new("m"), SequentialIds::new(1));
    let mut chunks = w.push_content(0, "a\nb").unwrap();
    chunks.extend(w.end(None).unwrap());
    let mut out = Vec::new();
    write_chat_sse(&mut out, &chunks).unwrap();
    write_chat_done(&mut out);
    let text = String::from_utf8(out).unwrap();
    let frames: Vec<&str> = text.split_terminator("\n\n").collect();
    assert_eq!(frames.len(), 3);
    for (frame, chunk) in frames.iter().zip(&chunks) {
        let data = frame.strip_prefix("data: ").unwrap();
        assert!(!data.contains('\n'));
        assert_eq!(ChatCompletionStreamEvent::from_json(data).unwrap(), *chunk);
    }
    assert_eq!(frames[2], "data: [DONE]");
}
