//! Chat request → Responses request, and the round trips through both converters: each field
//! of the mapping tables survives Responses → Chat → Responses (and Chat → Responses → Chat).

use openai_wire_convert::request::{
    ChatRequestOptions, ResponsesRequestOptions, chat_to_responses, responses_to_chat,
};
use serde_json::{Value, json};

fn to_responses(request: Value) -> Value {
    chat_to_responses(&request, &ResponsesRequestOptions::default()).unwrap()
}

#[test]
fn a_tool_conversation_maps_item_by_item() {
    let body = to_responses(json!({
        "model": "gpt-4.1",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "developer", "content": [{"type": "text", "text": "Use tools."}]},
            {"role": "user", "content": [
                {"type": "text", "text": "Weather?"},
                {"type": "image_url", "image_url": {"url": "https://example.com/sky.jpg", "detail": "high"}},
                {"type": "file", "file": {"filename": "a.pdf", "file_data": "data:application/pdf;base64,JVBE"}}]},
            {"role": "assistant", "content": "Checking.", "reasoning_content": "dropped", "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Paris\"}"}},
                {"id": "c2", "type": "custom", "custom": {"name": "apply_patch", "input": "*** Begin Patch"}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "18C"},
            {"role": "tool", "tool_call_id": "c2", "content": [{"type": "text", "text": "Done"}]},
            {"role": "system", "content": "Late rule."},
            {"role": "assistant", "content": null, "refusal": "I can't."}
        ],
        "stream": true,
        "stream_options": {"include_usage": true}
    }));
    assert_eq!(
        body,
        json!({
            "model": "gpt-4.1",
            "instructions": "Be brief.\n\nUse tools.",
            "input": [
                {"type": "message", "role": "user", "content": [
                    {"type": "input_text", "text": "Weather?"},
                    {"type": "input_image", "image_url": "https://example.com/sky.jpg", "detail": "high"},
                    {"type": "input_file", "filename": "a.pdf", "file_data": "data:application/pdf;base64,JVBE"}]},
                {"type": "message", "role": "assistant", "content": "Checking."},
                {"type": "function_call", "call_id": "c1", "name": "weather", "arguments": "{\"city\":\"Paris\"}"},
                {"type": "custom_tool_call", "call_id": "c2", "name": "apply_patch", "input": "*** Begin Patch"},
                {"type": "function_call_output", "call_id": "c1", "output": "18C"},
                {"type": "custom_tool_call_output", "call_id": "c2", "output": [{"type": "input_text", "text": "Done"}]},
                {"type": "message", "role": "system", "content": "Late rule."},
                {"type": "message", "role": "assistant", "content": "I can't."}
            ],
            "stream": true,
            "store": false
        })
    );
}

#[test]
fn tools_choice_format_and_sampling_fields() {
    let body = to_responses(json!({
        "model": "m",
        "messages": [{"role": "user", "content": "x"}],
        "tools": [
            {"type": "function", "function": {"name": "f", "description": "F.", "parameters": {"type": "object"}, "strict": true}},
            {"type": "custom", "custom": {"name": "c", "description": "C.", "format": {"type": "grammar", "grammar": {"syntax": "lark", "definition": "start: /a+/"}}}}
        ],
        "tool_choice": {"type": "function", "function": {"name": "f"}},
        "parallel_tool_calls": false,
        "response_format": {"type": "json_schema", "json_schema": {"name": "out", "schema": {"type": "object"}, "strict": true}},
        "verbosity": "low",
        "max_tokens": 100,
        "reasoning_effort": "low",
        "temperature": 0.5, "top_p": 0.8, "user": "u", "metadata": {"a": "b"},
        "logprobs": true, "top_logprobs": 2,
        "seed": 7, "n": 1, "stop": [], "frequency_penalty": 0, "presence_penalty": 0.0, "logit_bias": {}
    }));
    assert_eq!(
        body,
        json!({
            "model": "m",
            "input": [{"type": "message", "role": "user", "content": "x"}],
            "tools": [
                {"type": "function", "name": "f", "description": "F.", "parameters": {"type": "object"}, "strict": true},
                {"type": "custom", "name": "c", "description": "C.", "format": {"type": "grammar", "syntax": "lark", "definition": "start: /a+/"}}
            ],
            "tool_choice": {"type": "function", "name": "f"},
            "parallel_tool_calls": false,
            "text": {"format": {"type": "json_schema", "name": "out", "schema": {"type": "object"}, "strict": true}, "verbosity": "low"},
            "max_output_tokens": 100,
            "reasoning": {"effort": "low"},
            "temperature": 0.5, "top_p": 0.8, "user": "u", "metadata": {"a": "b"},
            "top_logprobs": 2, "include": ["message.output_text.logprobs"],
            "store": false
        })
    );
}

#[test]
fn max_completion_tokens_wins_over_max_tokens_and_options_apply() {
    let body = chat_to_responses(
        &json!({"model": "client-name", "messages": [{"role": "user", "content": "x"}],
            "max_tokens": 1, "max_completion_tokens": 2, "store": true,
            "response_format": {"type": "json_object"},
            "tool_choice": {"type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": [{"type": "function", "function": {"name": "f"}}]}}}),
        &ResponsesRequestOptions {
            model: Some("gpt-5".into()),
            store: None,
        },
    )
    .unwrap();
    assert_eq!(body["model"], "gpt-5");
    assert_eq!(body["max_output_tokens"], 2);
    assert_eq!(body["store"], true);
    assert_eq!(body["text"], json!({"format": {"type": "json_object"}}));
    assert_eq!(
        body["tool_choice"],
        json!({"type": "allowed_tools", "mode": "auto", "tools": [{"type": "function", "name": "f"}]})
    );
}

#[test]
fn what_the_responses_api_cannot_do_is_a_400() {
    let base = || json!({"model": "m", "messages": [{"role": "user", "content": "x"}]});
    let cases = [
        ("n", json!(2), "n"),
        ("stop", json!(["\n"]), "stop"),
        ("frequency_penalty", json!(0.5), "frequency_penalty"),
        ("logit_bias", json!({"50256": -100}), "logit_bias"),
        ("modalities", json!(["text", "audio"]), "modalities"),
        (
            "prediction",
            json!({"type": "content", "content": "x"}),
            "prediction",
        ),
        ("functions", json!([{"name": "f"}]), "functions"),
        ("web_search_options", json!({}), "web_search_options"),
    ];
    for (key, value, param) in cases {
        let mut request = base();
        request[key] = value;
        let e = chat_to_responses(&request, &ResponsesRequestOptions::default()).unwrap_err();
        assert_eq!(e.param(), param);
        assert_eq!(
            e.to_openai_error()["error"]["code"],
            "unsupported_parameter"
        );
    }
    let e = chat_to_responses(
        &json!({"model": "m", "messages": [{"role": "function", "name": "f", "content": "x"}]}),
        &ResponsesRequestOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.param(), "messages[0].role");
    let e = chat_to_responses(
        &json!({"model": "m", "messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "", "format": "wav"}}]}]}),
        &ResponsesRequestOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.param(), "messages[0].content[0].type");
    let e = chat_to_responses(
        &json!({"model": "m", "messages": []}),
        &ResponsesRequestOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.param(), "messages");
}

/// Responses → Chat → Responses keeps every field both APIs share.
#[test]
fn responses_fields_survive_a_round_trip_through_chat() {
    let schema = json!({"type": "object", "properties": {"a": {"type": "string"}}});
    let original = json!({
        "model": "m",
        "instructions": "Rules.",
        "input": [
            {"type": "message", "role": "user", "content": [
                {"type": "input_text", "text": "see"},
                {"type": "input_image", "image_url": "https://example.com/x.png", "detail": "low"},
                {"type": "input_file", "filename": "f.txt", "file_data": "data:text/plain;base64,aGk="}]},
            {"type": "message", "role": "assistant", "content": "calling"},
            {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{\"x\":1}"},
            {"type": "custom_tool_call", "call_id": "c2", "name": "p", "input": "raw\ntext"},
            {"type": "function_call_output", "call_id": "c1", "output": "one"},
            {"type": "custom_tool_call_output", "call_id": "c2", "output": "two"},
            {"type": "message", "role": "user", "content": "thanks"}
        ],
        "tools": [
            {"type": "function", "name": "f", "description": "F.", "parameters": {"type": "object"}, "strict": false}
        ],
        "tool_choice": {"type": "function", "name": "f"},
        "parallel_tool_calls": true,
        "text": {"format": {"type": "json_schema", "name": "o", "schema": schema, "strict": true}},
        "max_output_tokens": 50,
        "reasoning": {"effort": "minimal"},
        "temperature": 1.0,
        "top_p": 0.5,
        "user": "u",
        "metadata": {"k": "v"},
        "stream": true,
        "store": false
    });
    let chat = responses_to_chat(&original, &[], &ChatRequestOptions::default()).unwrap();
    let back = to_responses(chat.body);
    // Custom tool calls come back as Chat function calls (`{"input": …}` arguments): the stream
    // converter maps them to custom items with `tool_names`; on the request path they read as
    // function calls with that argument object, which is what this checks.
    let mut expected = original.clone();
    expected["input"][3] = json!({"type": "function_call", "call_id": "c2", "name": "p", "arguments": "{\"input\":\"raw\\ntext\"}"});
    expected["input"][5]["type"] = json!("function_call_output");
    expected["input"][4]["type"] = json!("function_call_output");
    assert_eq!(back, expected);
}

/// Chat → Responses → Chat keeps every field both APIs share.
#[test]
fn chat_fields_survive_a_round_trip_through_responses() {
    let original = json!({
        "model": "m",
        "messages": [
            {"role": "system", "content": "Rules."},
            {"role": "user", "content": [
                {"type": "text", "text": "a"},
                {"type": "image_url", "image_url": {"url": "https://example.com/y.png", "detail": "auto"}}]},
            {"role": "assistant", "content": "ok", "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "r"},
            {"role": "assistant", "content": "done"}
        ],
        "tools": [{"type": "function", "function": {"name": "f", "description": "F.", "parameters": {"type": "object"}}}],
        "tool_choice": "required",
        "parallel_tool_calls": false,
        "response_format": {"type": "json_object"},
        "max_completion_tokens": 10,
        "reasoning_effort": "high",
        "temperature": 0.0,
        "top_p": 1.0,
        "user": "u",
        "metadata": {"x": "y"},
        "stream": true,
        "stream_options": {"include_usage": true}
    });
    let responses = to_responses(original.clone());
    let back = responses_to_chat(&responses, &[], &ChatRequestOptions::default())
        .unwrap()
        .body;
    assert_eq!(back, original);
}
