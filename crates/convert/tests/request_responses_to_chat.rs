//! Responses request → Chat request: every field and item type of the mapping table, custom and
//! namespace tools, the reasoning round trip (DeepSeek-style tool-call turns) and the 400 errors.
//! Expected bodies are written by hand from the mapping table.

use openai_wire_convert::envelope::{EnvelopeKey, ReasoningCarry, ReasoningField, seal};
use openai_wire_convert::request::{
    ChatRequestOptions, DeveloperRole, MaxTokensField, OriginalTool, RequestError, ToolKind,
    responses_to_chat,
};
use openai_wire_events::InputItem;
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/request/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn deepseek() -> ChatRequestOptions {
    ChatRequestOptions {
        model: Some("deepseek-chat".into()),
        reasoning_round_trip: Some(ReasoningField::ReasoningContent),
        developer_role: DeveloperRole::System,
        max_tokens_field: MaxTokensField::MaxTokens,
        send_reasoning_effort: false,
        ..ChatRequestOptions::default()
    }
}

fn convert(request: Value) -> Value {
    responses_to_chat(&request, &[], &ChatRequestOptions::default())
        .unwrap()
        .body
}

fn messages(body: &Value) -> &Vec<Value> {
    body["messages"].as_array().unwrap()
}

fn err(request: Value) -> RequestError {
    responses_to_chat(&request, &[], &ChatRequestOptions::default()).unwrap_err()
}

#[test]
fn codex_turn_two_becomes_the_deepseek_request() {
    let mut request = fixture("codex_turn2.json");
    request["max_output_tokens"] = json!(4096);
    let out = responses_to_chat(&request, &[], &deepseek()).unwrap();
    assert_eq!(out.body, fixture("codex_turn2.deepseek.json"));
    assert!(out.include_encrypted_reasoning);
    // The client's tool_search is offered as a function; web_search (no search backend) is
    // dropped, and said so.
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert!(out.warnings[0].contains("web_search"));
}

#[test]
fn tool_names_map_flattened_and_custom_tools_back() {
    let out = responses_to_chat(&fixture("codex_turn2.json"), &[], &deepseek()).unwrap();
    let names = &out.tool_names;
    assert_eq!(
        names.original("multi_agent_v1__spawn_agent"),
        Some(&OriginalTool {
            namespace: Some("multi_agent_v1".into()),
            name: "spawn_agent".into(),
            kind: ToolKind::Function,
        })
    );
    assert_eq!(
        names.original("apply_patch").map(|t| t.kind),
        Some(ToolKind::Custom)
    );
    assert_eq!(
        names.original("exec_command").map(|t| t.kind),
        Some(ToolKind::Function)
    );
    assert_eq!(names.original("web_search"), None);
    assert_eq!(names.original("spawn_agent"), None);
    assert_eq!(
        names.chat_name(Some("multi_agent_v1"), "spawn_agent"),
        Some("multi_agent_v1__spawn_agent")
    );
    assert_eq!(
        names.original("tool_search").map(|t| t.kind),
        Some(ToolKind::ToolSearch)
    );
    assert_eq!(names.iter().count(), 4);
}

#[test]
fn colliding_and_long_namespace_names_stay_unique_and_reversible() {
    let long_ns = "n".repeat(40);
    let long_fn = "f".repeat(40);
    let request = json!({
        "model": "m", "input": "hi",
        "tools": [
            {"type": "function", "name": "crm__find"},
            {"type": "namespace", "name": "crm", "description": "", "tools": [{"type": "function", "name": "find"}]},
            {"type": "namespace", "name": long_ns, "description": "", "tools": [{"type": "custom", "name": long_fn}]}
        ]
    });
    let out = responses_to_chat(&request, &[], &ChatRequestOptions::default()).unwrap();
    let sent: Vec<&str> = out.body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(sent[0], "crm__find");
    assert_eq!(sent[1], "crm__find_2");
    assert!(sent[2].len() <= 64, "{}", sent[2]);
    assert!(sent[2].starts_with("nnnn"));
    let back = out.tool_names.original(sent[1]).unwrap();
    assert_eq!(
        (back.namespace.as_deref(), back.name.as_str()),
        (Some("crm"), "find")
    );
    let back = out.tool_names.original(sent[2]).unwrap();
    assert_eq!(back.namespace.as_deref(), Some(long_ns.as_str()));
    assert_eq!(back.name, long_fn);
    assert_eq!(back.kind, ToolKind::Custom);
    assert_eq!(
        out.tool_names.original("crm__find").unwrap().namespace,
        None
    );
}

#[test]
fn duplicate_top_level_tool_names_are_a_400() {
    let e = err(json!({"model": "m", "input": "hi", "tools": [
        {"type": "function", "name": "a"}, {"type": "custom", "name": "a"}]}));
    assert_eq!(e.param(), "tools[1].name");
}

#[test]
fn custom_tool_without_grammar_is_a_plain_string_function() {
    let body = convert(json!({"model": "m", "input": "hi", "tools": [
        {"type": "custom", "name": "note", "format": {"type": "text"}}]}));
    assert_eq!(
        body["tools"][0],
        json!({"type": "function", "function": {"name": "note", "parameters": {
            "type": "object",
            "properties": {"input": {"type": "string", "description": "The raw input of the tool."}},
            "required": ["input"], "additionalProperties": false}}})
    );
}

#[test]
fn regex_grammar_goes_into_the_description() {
    let body = convert(json!({"model": "m", "input": "hi", "tools": [
        {"type": "custom", "name": "ts", "format": {"type": "grammar", "syntax": "regex", "definition": "^\\d{4}$"}}]}));
    assert_eq!(
        body["tools"][0]["function"]["description"],
        "The `input` argument is raw text (not JSON) that must match this regex grammar:\n```regex\n^\\d{4}$\n```"
    );
}

#[test]
fn instructions_and_string_input() {
    let body = convert(json!({"model": "gpt-x", "instructions": "Be brief.", "input": "Hello"}));
    assert_eq!(
        body,
        json!({
            "model": "gpt-x",
            "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}],
            "stream": true,
            "stream_options": {"include_usage": true},
        })
    );
}

#[test]
fn developer_role_is_kept_or_sent_as_system() {
    let request = json!({"model": "m", "input": [
        {"role": "developer", "content": "rules"},
        {"role": "system", "content": [{"type": "input_text", "text": "a"}, {"type": "input_text", "text": "b"}]},
        {"role": "user", "content": "go"}]});
    let kept = convert(request.clone());
    assert_eq!(
        kept["messages"][0],
        json!({"role": "developer", "content": "rules"})
    );
    assert_eq!(
        kept["messages"][1],
        json!({"role": "system", "content": "a\nb"})
    );
    let options = ChatRequestOptions {
        developer_role: DeveloperRole::System,
        ..Default::default()
    };
    let sys = responses_to_chat(&request, &[], &options).unwrap().body;
    assert_eq!(
        sys["messages"][0],
        json!({"role": "system", "content": "rules"})
    );
}

#[test]
fn user_parts_text_image_file_audio() {
    let body = convert(
        json!({"model": "m", "input": [{"type": "message", "role": "user", "content": [
            {"type": "input_text", "text": "What is in these?"},
            {"type": "input_image", "image_url": "https://example.com/cat.png", "detail": "low"},
            {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo="},
            {"type": "input_file", "filename": "a.pdf", "file_data": "data:application/pdf;base64,JVBERi0="},
            {"type": "input_file", "file_id": "file-123"},
            {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}
        ]}]}),
    );
    assert_eq!(
        body["messages"][0]["content"],
        json!([
            {"type": "text", "text": "What is in these?"},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
            {"type": "file", "file": {"filename": "a.pdf", "file_data": "data:application/pdf;base64,JVBERi0="}},
            {"type": "file", "file": {"file_id": "file-123"}},
            {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}
        ])
    );
}

#[test]
fn a_single_text_part_becomes_a_string() {
    let body = convert(
        json!({"model": "m", "input": [{"role": "user", "content": [{"type": "input_text", "text": "hi"}]}]}),
    );
    assert_eq!(
        body["messages"][0],
        json!({"role": "user", "content": "hi"})
    );
}

#[test]
fn unmappable_parts_are_400s_naming_the_path() {
    let e = err(
        json!({"model": "m", "input": [{"role": "user", "content": "x"},
        {"role": "user", "content": [{"type": "input_text", "text": "a"}, {"type": "input_image", "file_id": "file-9"}]}]}),
    );
    assert_eq!(e.param(), "input[1].content[1].file_id");
    assert_eq!(e.status(), 400);
    let body = e.to_openai_error();
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert_eq!(body["error"]["code"], "unsupported_parameter");
    assert_eq!(body["error"]["param"], "input[1].content[1].file_id");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("image_url")
    );

    let e = err(json!({"model": "m", "input": [{"role": "user", "content": [
        {"type": "input_file", "file_url": "https://example.com/a.pdf"}]}]}));
    assert_eq!(e.param(), "input[0].content[0].file_url");
    let e = err(
        json!({"model": "m", "input": [{"role": "system", "content": [
        {"type": "input_image", "image_url": "https://example.com/a.png"}]}]}),
    );
    assert_eq!(e.param(), "input[0].content[0].type");
}

#[test]
fn assistant_text_and_calls_of_one_turn_merge_and_outputs_follow() {
    let body = convert(json!({"model": "m", "input": [
        {"role": "user", "content": "weather in Paris and Rome?"},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Checking "}, {"type": "output_text", "text": "both."}]},
        {"type": "function_call", "call_id": "c1", "name": "weather", "arguments": "{\"city\":\"Paris\"}"},
        {"type": "function_call", "call_id": "c2", "name": "weather", "arguments": "{\"city\":\"Rome\"}"},
        {"type": "function_call_output", "call_id": "c1", "output": "18C"},
        {"type": "function_call_output", "call_id": "c2", "output": [{"type": "input_text", "text": "21C"}, {"type": "input_text", "text": "sunny"}]},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Paris 18C, Rome 21C."}]},
        {"type": "message", "role": "assistant", "content": [{"type": "refusal", "refusal": "No more."}]}
    ]}));
    assert_eq!(
        messages(&body)[1..],
        [
            json!({"role": "assistant", "content": "Checking both.", "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Paris\"}"}},
                {"id": "c2", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Rome\"}"}}]}),
            json!({"role": "tool", "tool_call_id": "c1", "content": "18C"}),
            json!({"role": "tool", "tool_call_id": "c2", "content": "21C\nsunny"}),
            json!({"role": "assistant", "content": "Paris 18C, Rome 21C.", "refusal": "No more."}),
        ]
    );
}

#[test]
fn images_from_tool_outputs_follow_the_tool_messages_as_one_user_message() {
    // Codex's view_image answers with an image part in function_call_output.
    let body = convert(json!({"model": "m", "input": [
        {"role": "user", "content": "look at both"},
        {"type": "function_call", "call_id": "a", "name": "view_image", "arguments": "{\"path\":\"a.png\"}"},
        {"type": "function_call", "call_id": "b", "name": "view_image", "arguments": "{\"path\":\"b.png\"}"},
        {"type": "function_call_output", "call_id": "a", "output": [{"type": "input_image", "image_url": "data:image/png;base64,AAAA"}]},
        {"type": "function_call_output", "call_id": "b", "output": [{"type": "input_text", "text": "b.png:"}, {"type": "input_image", "image_url": "data:image/png;base64,BBBB"}]}
    ]}));
    let m = messages(&body);
    assert_eq!(m.len(), 5);
    assert_eq!(
        m[2],
        json!({"role": "tool", "tool_call_id": "a", "content": ""})
    );
    assert_eq!(
        m[3],
        json!({"role": "tool", "tool_call_id": "b", "content": "b.png:"})
    );
    assert_eq!(
        m[4],
        json!({"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,BBBB"}}]})
    );
}

#[test]
fn custom_tool_call_input_is_wrapped_as_json_arguments() {
    let body = convert(json!({"model": "m", "input": [
        {"role": "user", "content": "patch"},
        {"type": "custom_tool_call", "call_id": "p", "name": "apply_patch", "input": "line \"1\"\n"},
        {"type": "custom_tool_call_output", "call_id": "p", "output": [{"type": "input_text", "text": "ok"}]}
    ]}));
    let args = body["messages"][1]["tool_calls"][0]["function"]["arguments"]
        .as_str()
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(args).unwrap(),
        json!({"input": "line \"1\"\n"})
    );
    assert_eq!(
        body["messages"][2],
        json!({"role": "tool", "tool_call_id": "p", "content": "ok"})
    );
}

#[test]
fn namespaced_function_calls_in_history_use_the_flattened_name() {
    let body = convert(json!({"model": "m",
    "tools": [{"type": "namespace", "name": "crm", "description": "", "tools": [{"type": "function", "name": "find"}]}],
    "input": [
        {"role": "user", "content": "x"},
        {"type": "function_call", "call_id": "c", "namespace": "crm", "name": "find", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c", "output": "none"}
    ]}));
    assert_eq!(
        body["messages"][1]["tool_calls"][0]["function"]["name"],
        "crm__find"
    );
}

fn sealed(text: &str) -> String {
    seal(
        &ReasoningCarry {
            field: ReasoningField::ReasoningContent,
            text: text.into(),
            details: None,
        },
        &EnvelopeKey::default(),
    )
}

fn reasoning_item(text: &str) -> Value {
    json!({"type": "reasoning", "id": "rs", "summary": [], "content": null, "encrypted_content": sealed(text)})
}

/// Two user turns; the second has two tool-call steps, each with its own reasoning, as DeepSeek
/// thinking mode produces them.
fn deepseek_history() -> Value {
    json!({"model": "gpt-5.5", "input": [
        {"role": "user", "content": "q1"},
        reasoning_item("r1"),
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "a1"}]},
        {"role": "user", "content": "q2"},
        reasoning_item("r2a"),
        {"type": "function_call", "call_id": "s1", "name": "exec_command", "arguments": "{\"cmd\":\"ls\"}"},
        {"type": "function_call_output", "call_id": "s1", "output": "x"},
        reasoning_item("r2b"),
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "then cat"}]},
        {"type": "function_call", "call_id": "s2", "name": "exec_command", "arguments": "{\"cmd\":\"cat x\"}"},
        {"type": "function_call_output", "call_id": "s2", "output": "y"}
    ]})
}

#[test]
fn reasoning_round_trip_attaches_each_steps_reasoning_to_its_assistant_message() {
    let body = responses_to_chat(&deepseek_history(), &[], &deepseek())
        .unwrap()
        .body;
    let m = messages(&body);
    assert_eq!(m.len(), 7);
    assert_eq!(
        m[1],
        json!({"role": "assistant", "content": "a1", "reasoning_content": "r1"})
    );
    assert_eq!(m[3]["reasoning_content"], "r2a");
    assert_eq!(m[3]["content"], Value::Null);
    assert_eq!(m[3]["tool_calls"][0]["id"], "s1");
    assert_eq!(m[4]["role"], "tool");
    assert_eq!(m[5]["reasoning_content"], "r2b");
    assert_eq!(m[5]["content"], "then cat");
    assert_eq!(m[5]["tool_calls"][0]["id"], "s2");
    assert_eq!(
        m[6],
        json!({"role": "tool", "tool_call_id": "s2", "content": "y"})
    );
}

#[test]
fn current_turn_only_strips_reasoning_before_the_last_user_message() {
    let options = ChatRequestOptions {
        reasoning_current_turn_only: true,
        ..deepseek()
    };
    let body = responses_to_chat(&deepseek_history(), &[], &options)
        .unwrap()
        .body;
    let m = messages(&body);
    assert_eq!(m[1], json!({"role": "assistant", "content": "a1"}));
    assert_eq!(m[3]["reasoning_content"], "r2a");
    assert_eq!(m[5]["reasoning_content"], "r2b");
}

#[test]
fn without_the_round_trip_reasoning_is_dropped() {
    let body = convert(deepseek_history());
    for m in messages(&body) {
        assert!(m.get("reasoning_content").is_none(), "{m}");
        assert!(m.get("reasoning").is_none(), "{m}");
    }
    assert_eq!(messages(&body).len(), 7);
}

#[test]
fn a_tool_call_message_without_reasoning_gets_an_empty_reasoning_content() {
    let request = json!({"model": "m", "input": [
        {"role": "user", "content": "q"},
        {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c", "output": "r"}]});
    let body = responses_to_chat(&request, &[], &deepseek()).unwrap().body;
    assert_eq!(body["messages"][1]["reasoning_content"], "");
}

#[test]
fn openrouter_reasoning_goes_back_as_reasoning_with_details() {
    let key = EnvelopeKey::new(b"cluster secret");
    let details = json!([{"type": "reasoning.encrypted", "data": "abc"}]);
    let enc = seal(
        &ReasoningCarry {
            field: ReasoningField::Reasoning,
            text: "hmm".into(),
            details: Some(details.clone()),
        },
        &key,
    );
    let request = json!({"model": "m", "input": [
        {"role": "user", "content": "q"},
        {"type": "reasoning", "id": "rs", "summary": [], "encrypted_content": enc},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "a"}]},
        {"role": "user", "content": "q2"}]});
    let options = ChatRequestOptions {
        reasoning_round_trip: Some(ReasoningField::Reasoning),
        envelope_key: key,
        ..Default::default()
    };
    let out = responses_to_chat(&request, &[], &options).unwrap();
    assert_eq!(
        out.body["messages"][1],
        json!({"role": "assistant", "content": "a", "reasoning": "hmm", "reasoning_details": details})
    );
    assert!(out.warnings.is_empty());
}

#[test]
fn unreadable_or_foreign_reasoning_is_dropped_not_fatal() {
    let mut tampered = sealed("secret plan");
    tampered.replace_range(10..11, if &tampered[10..11] == "A" { "B" } else { "A" });
    let request = json!({"model": "m", "input": [
        {"role": "user", "content": "q"},
        {"type": "reasoning", "id": "rs_bad", "summary": [], "encrypted_content": tampered},
        {"type": "message", "role": "assistant", "content": "a"},
        {"role": "user", "content": "q2"},
        // Real OpenAI content (a Fernet token): not ours, silently ignored.
        {"type": "reasoning", "id": "rs_openai", "summary": [], "encrypted_content": "gAAAAABpPDIUph8czEXzDePCV2lJ27wm7TsbCvazrvHS"},
        {"type": "message", "role": "assistant", "content": "b"}]});
    let out = responses_to_chat(&request, &[], &deepseek()).unwrap();
    assert_eq!(
        out.body["messages"][1],
        json!({"role": "assistant", "content": "a"})
    );
    assert_eq!(
        out.body["messages"][3],
        json!({"role": "assistant", "content": "b"})
    );
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert!(out.warnings[0].contains("rs_bad"));
}

#[test]
fn plain_reasoning_text_is_used_when_there_is_no_envelope() {
    let request = json!({"model": "m", "input": [
        {"role": "user", "content": "q"},
        {"type": "reasoning", "id": "rs", "summary": [{"type": "summary_text", "text": "not this"}],
         "content": [{"type": "reasoning_text", "text": "think "}, {"type": "reasoning_text", "text": "more"}]},
        {"type": "message", "role": "assistant", "content": "a"}]});
    let body = responses_to_chat(&request, &[], &deepseek()).unwrap().body;
    assert_eq!(body["messages"][1]["reasoning_content"], "think more");
}

#[test]
fn history_items_come_before_input() {
    let history: Vec<InputItem> = serde_json::from_value(json!([
        {"type": "message", "role": "user", "content": "earlier"},
        {"type": "function_call", "call_id": "h", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "h", "output": "done"}
    ]))
    .unwrap();
    let request = json!({"model": "m", "instructions": "sys", "input": "now"});
    let body = responses_to_chat(&request, &history, &ChatRequestOptions::default())
        .unwrap()
        .body;
    let roles: Vec<&str> = messages(&body)
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "user", "assistant", "tool", "user"]);
    assert_eq!(body["messages"][4]["content"], "now");
    assert_eq!(body["messages"][2]["tool_calls"][0]["id"], "h");
}

#[test]
fn tool_choice_forms() {
    let tools = json!([
        {"type": "function", "name": "f"},
        {"type": "custom", "name": "c"},
        {"type": "namespace", "name": "ns", "description": "", "tools": [{"type": "function", "name": "g"}]},
        {"type": "web_search"}
    ]);
    let choice = |c: Value| {
        convert(json!({"model": "m", "input": "x", "tools": tools, "tool_choice": c}))["tool_choice"].clone()
    };
    assert_eq!(choice(json!("auto")), json!("auto"));
    assert_eq!(choice(json!("none")), json!("none"));
    assert_eq!(choice(json!("required")), json!("required"));
    assert_eq!(
        choice(json!({"type": "function", "name": "f"})),
        json!({"type": "function", "function": {"name": "f"}})
    );
    assert_eq!(
        choice(json!({"type": "custom", "name": "c"})),
        json!({"type": "function", "function": {"name": "c"}})
    );
    assert_eq!(
        choice(json!({"type": "function", "namespace": "ns", "name": "g"})),
        json!({"type": "function", "function": {"name": "ns__g"}})
    );
    assert_eq!(
        choice(
            json!({"type": "allowed_tools", "mode": "required", "tools": [
            {"type": "function", "name": "f"}, {"type": "web_search"}, {"type": "custom", "name": "c"}]})
        ),
        json!({"type": "allowed_tools", "allowed_tools": {"mode": "required", "tools": [
            {"type": "function", "function": {"name": "f"}},
            {"type": "function", "function": {"name": "c"}}]}})
    );
    let e = err(
        json!({"model": "m", "input": "x", "tools": tools, "tool_choice": {"type": "web_search"}}),
    );
    assert_eq!(e.param(), "tool_choice.type");
    let e = err(
        json!({"model": "m", "input": "x", "tools": tools, "tool_choice": {"type": "function", "name": "nope"}}),
    );
    assert_eq!(e.param(), "tool_choice.name");
    let e = err(
        json!({"model": "m", "input": "x", "tools": [{"type": "web_search"}], "tool_choice": "required"}),
    );
    assert_eq!(e.param(), "tool_choice");
}

#[test]
fn parallel_tool_calls_and_tool_choice_only_with_tools() {
    // Only hosted tools: nothing a Chat provider can run, so no tools, no choice, no parallel flag.
    let body = convert(
        json!({"model": "m", "input": "x", "tools": [{"type": "web_search"}],
        "tool_choice": "auto", "parallel_tool_calls": true}),
    );
    assert!(body.get("tools").is_none());
    assert!(body.get("tool_choice").is_none());
    assert!(body.get("parallel_tool_calls").is_none());
    let body = convert(
        json!({"model": "m", "input": "x", "tools": [{"type": "function", "name": "f"}],
        "parallel_tool_calls": false}),
    );
    assert_eq!(body["parallel_tool_calls"], false);
}

#[test]
fn text_format_becomes_response_format() {
    let schema = json!({"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"], "additionalProperties": false});
    let body = convert(json!({"model": "m", "input": "x", "text": {"format": {
        "type": "json_schema", "name": "answer", "schema": schema, "strict": true, "description": "The answer."}}}));
    assert_eq!(
        body["response_format"],
        json!({"type": "json_schema", "json_schema": {"name": "answer", "schema": schema, "strict": true, "description": "The answer."}})
    );
    let body =
        convert(json!({"model": "m", "input": "x", "text": {"format": {"type": "json_object"}}}));
    assert_eq!(body["response_format"], json!({"type": "json_object"}));
    let body = convert(
        json!({"model": "m", "input": "x", "text": {"format": {"type": "text"}, "verbosity": "low"}}),
    );
    assert!(body.get("response_format").is_none());
    assert!(body.get("verbosity").is_none());
    let e = err(
        json!({"model": "m", "input": "x", "text": {"format": {"type": "json_schema", "schema": {}}}}),
    );
    assert_eq!(e.param(), "text.format.name");
    assert_eq!(e.code(), "missing_required_parameter");
}

#[test]
fn sampling_limits_and_identity_fields() {
    let request = json!({"model": "m", "input": "x", "max_output_tokens": 300,
        "reasoning": {"effort": "high", "summary": "auto"}, "temperature": 0.2, "top_p": 0.9,
        "presence_penalty": 0.5, "frequency_penalty": -0.25,
        "user": "u-1", "metadata": {"k": "v"}, "top_logprobs": 3, "service_tier": "flex",
        "store": false, "previous_response_id": null, "truncation": "auto", "prompt_cache_key": "pk",
        "safety_identifier": "s", "background": false, "max_tool_calls": 4,
        "stream_options": {"include_obfuscation": false}});
    let body = convert(request.clone());
    assert_eq!(
        body,
        json!({"model": "m", "messages": [{"role": "user", "content": "x"}],
            "max_completion_tokens": 300, "reasoning_effort": "high", "temperature": 0.2,
            "top_p": 0.9, "presence_penalty": 0.5, "frequency_penalty": -0.25,
            "user": "u-1", "metadata": {"k": "v"}, "logprobs": true,
            "top_logprobs": 3, "service_tier": "flex", "stream": true,
            "stream_options": {"include_usage": true}})
    );
    let options = ChatRequestOptions {
        model: Some("qwen3".into()),
        max_tokens_field: MaxTokensField::MaxTokens,
        send_reasoning_effort: false,
        stream: false,
        ..Default::default()
    };
    let body = responses_to_chat(&request, &[], &options).unwrap().body;
    assert_eq!(body["model"], "qwen3");
    assert_eq!(body["max_tokens"], 300);
    assert!(body.get("max_completion_tokens").is_none());
    assert!(body.get("reasoning_effort").is_none());
    assert_eq!(body["stream"], false);
    assert!(body.get("stream_options").is_none());
    let options = ChatRequestOptions {
        include_usage: false,
        ..Default::default()
    };
    let body = responses_to_chat(&request, &[], &options).unwrap().body;
    assert!(body.get("stream_options").is_none());
}

#[test]
fn errors_have_openais_shape_and_name_the_parameter() {
    let cases = [
        (json!({"input": "x"}), "model", "missing_required_parameter"),
        (json!({"model": "m"}), "input", "missing_required_parameter"),
        (
            json!({"model": "m", "input": "x", "prompt": {"id": "pmpt_1"}}),
            "prompt",
            "unsupported_parameter",
        ),
        (
            json!({"model": "m", "input": [{"type": "item_reference", "id": "msg_1"}]}),
            "input[0]",
            "unsupported_parameter",
        ),
        (
            json!({"model": "m", "input": [{"type": "teleport"}]}),
            "input[0].type",
            "unsupported_parameter",
        ),
        (
            json!({"model": "m", "input": [{"role": "robot", "content": "x"}]}),
            "input[0].role",
            "invalid_value",
        ),
        (
            json!({"model": "m", "input": [{"type": "function_call", "name": "f"}]}),
            "input[0].call_id",
            "missing_required_parameter",
        ),
        (json!({"model": "m", "input": 5}), "input", "invalid_value"),
        (
            json!({"model": "m", "input": "x", "temperature": "hot"}),
            "temperature",
            "invalid_value",
        ),
        (
            json!({"model": "m", "input": "x", "max_output_tokens": -1}),
            "max_output_tokens",
            "invalid_value",
        ),
        (
            json!({"model": "m", "input": "x", "tools": [{"type": "teleporter"}]}),
            "tools[0].type",
            "unsupported_parameter",
        ),
        (json!([1, 2]), "", "invalid_value"),
    ];
    for (request, param, code) in cases {
        let e = err(request.clone());
        let body = e.to_openai_error();
        assert_eq!(body["error"]["param"], param, "{request}");
        assert_eq!(body["error"]["code"], code, "{request}");
        assert_eq!(body["error"]["type"], "invalid_request_error");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
        assert_eq!(e.status(), 400);
    }
}

#[test]
fn hosted_tool_items_are_dropped_with_a_warning() {
    let out = responses_to_chat(
        &json!({"model": "m", "input": [
            {"role": "user", "content": "q"},
            {"type": "web_search_call", "id": "ws", "status": "completed", "action": {"type": "search", "query": "x"}},
            {"type": "compaction_trigger"},
            {"type": "message", "role": "assistant", "content": "a"}]}),
        &[],
        &ChatRequestOptions::default(),
    )
    .unwrap();
    assert_eq!(messages(&out.body).len(), 2);
    assert_eq!(out.warnings.len(), 2);
}

#[test]
fn a_compaction_of_ours_is_restored_in_place_of_the_history_it_summarized() {
    use openai_wire_convert::compaction::{Compaction, RESTORE_PREFIX, seal};
    use openai_wire_convert::envelope::EnvelopeKey;
    let key = EnvelopeKey::new(b"shared");
    let sealed = seal(
        &Compaction {
            summary: "We fixed the parser.".into(),
            items: 7,
        },
        &key,
    );
    let options = ChatRequestOptions {
        envelope_key: key,
        ..ChatRequestOptions::default()
    };
    let out = responses_to_chat(
        &json!({"model": "m", "instructions": "sys", "input": [
            {"role": "user", "content": "fix the parser"},
            {"type": "compaction", "id": "cmpi_1", "encrypted_content": sealed},
            {"role": "user", "content": "now the lexer"}]}),
        &[],
        &options,
    )
    .unwrap();
    let messages = messages(&out.body);
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[2]["role"], "user");
    assert_eq!(
        messages[2]["content"],
        format!("{RESTORE_PREFIX}We fixed the parser.")
    );
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn a_compaction_that_is_not_ours_is_a_400_that_says_why() {
    use openai_wire_convert::compaction::{Compaction, seal};
    use openai_wire_convert::envelope::EnvelopeKey;
    let sealed = seal(
        &Compaction {
            summary: "s".into(),
            items: 1,
        },
        &EnvelopeKey::new(b"a"),
    );
    let mut altered = sealed.clone().into_bytes();
    let at = "owc1.".len() + 2;
    altered[at] = if altered[at] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    let cases = [
        ("gAAAAABnOpenAI", "OpenAI"),
        ("owc1.forged", "forged"),
        (altered.as_str(), "altered"),
        (sealed.as_str(), "another key"),
        ("owc9.x.y", "version"),
    ];
    let options = ChatRequestOptions {
        envelope_key: EnvelopeKey::new(b"b"),
        ..ChatRequestOptions::default()
    };
    for (content, says) in cases {
        let options = if content == altered {
            ChatRequestOptions {
                envelope_key: EnvelopeKey::new(b"a"),
                ..options.clone()
            }
        } else {
            options.clone()
        };
        let error = responses_to_chat(
            &json!({"model": "m", "input": [
                {"role": "user", "content": "q"},
                {"type": "compaction", "encrypted_content": content}]}),
            &[],
            &options,
        )
        .unwrap_err();
        assert_eq!(error.status(), 400);
        assert_eq!(error.param(), "input[1].encrypted_content");
        assert!(error.to_string().contains(says), "{content}: {error}");
    }
}

/// A two-step turn whose first step's reasoning was streamed in `field` (our envelope), the
/// second step's in none, converted with `options`.
fn as_streamed_turn(field: ReasoningField, options: &ChatRequestOptions) -> Vec<Value> {
    let carry = ReasoningCarry {
        field,
        text: "Need ls first.".into(),
        details: None,
    };
    let request = json!({"model": "m", "input": [
        {"role": "user", "content": "list and then count"},
        {"type": "reasoning", "id": "rs_1", "summary": [],
            "encrypted_content": seal(&carry, &options.envelope_key)},
        {"type": "function_call", "call_id": "call_1", "name": "sh", "arguments": "{\"cmd\":\"ls\"}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "a b"},
        {"type": "function_call", "call_id": "call_2", "name": "sh", "arguments": "{\"cmd\":\"wc\"}"},
        {"type": "function_call_output", "call_id": "call_2", "output": "2"},
    ]});
    responses_to_chat(&request, &[], options).unwrap().body["messages"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn as_streamed_reasoning_goes_back_in_the_field_the_upstream_used() {
    let options = ChatRequestOptions {
        reasoning_as_streamed: true,
        envelope_key: EnvelopeKey::new(b"as-streamed test key"),
        ..ChatRequestOptions::default()
    };
    for field in [ReasoningField::ReasoningContent, ReasoningField::Reasoning] {
        let messages = as_streamed_turn(field, &options);
        let assistants: Vec<&Value> = messages
            .iter()
            .filter(|m| m["role"] == "assistant")
            .collect();
        assert_eq!(assistants.len(), 2, "{messages:#?}");
        assert_eq!(assistants[0][field.as_str()], "Need ls first.");
        // The step without reasoning carries the field empty (DeepSeek's thinking mode).
        assert_eq!(assistants[1][field.as_str()], "");
        let other = match field {
            ReasoningField::ReasoningContent => "reasoning",
            _ => "reasoning_content",
        };
        assert!(
            assistants.iter().all(|m| m.get(other).is_none()),
            "{messages:#?}"
        );
    }
}

#[test]
fn without_as_streamed_or_a_field_reasoning_is_not_sent_back() {
    let options = ChatRequestOptions {
        envelope_key: EnvelopeKey::new(b"as-streamed test key"),
        ..ChatRequestOptions::default()
    };
    let messages = as_streamed_turn(ReasoningField::ReasoningContent, &options);
    for m in &messages {
        assert!(m.get("reasoning_content").is_none(), "{m}");
        assert!(m.get("reasoning").is_none(), "{m}");
    }
}
