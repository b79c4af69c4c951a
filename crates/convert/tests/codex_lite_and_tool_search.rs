//! Codex 0.171's Responses Lite models and client-executed tool search, through the conversion,
//! on requests recorded from the real Codex (`fixtures/request/README.md`):
//!
//! - a Lite model's tools come only in an `additional_tools` input item; they must reach the
//!   Chat model as functions, and its call of the code-mode `exec` must come back as the
//!   `custom_tool_call` (namespace `functions`) Codex runs;
//! - Codex defers MCP tools behind `tool_search` (`execution: "client"`): the model's call must
//!   come back as a `tool_search_call`, and the tools Codex's `tool_search_output` loads must be
//!   callable on the next request.

use openai_wire_check::check_bytes;
use openai_wire_convert::request::ToolNames;
use openai_wire_convert::request::{ChatRequestOptions, ToolKind, responses_to_chat};
use openai_wire_convert::stream::chat_to_responses::{ChatToResponses, StreamEnd, StreamOptions};
use openai_wire_decode::{Format, Protocol};
use openai_wire_emit::{SequentialIds, write_response_sse};
use openai_wire_events::{ChatCompletionStreamEvent, Response, StreamEvent};
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/request/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn function_names(body: &Value) -> Vec<String> {
    body["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| t["function"]["name"].as_str().unwrap().to_owned())
        .collect()
}

fn function<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["function"]["name"] == name)
        .unwrap_or_else(|| panic!("no function {name}: {:?}", function_names(body)))
}

/// A Chat stream (OpenAI's chunk shapes) whose one tool call is `name` with `arguments`, sent in
/// two pieces.
fn chat_stream_calling(
    name: &str,
    call_id: &str,
    arguments: &str,
) -> Vec<ChatCompletionStreamEvent> {
    let chunk = |delta: Value, finish: Value| {
        json!({
            "id": "chatcmpl-lite", "object": "chat.completion.chunk", "created": 1_700_000_000,
            "model": "deepseek-chat",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        })
    };
    let cut = arguments.len() / 2;
    let mut chunks = vec![chunk(
        json!({"role": "assistant", "tool_calls": [{"index": 0, "id": call_id, "type": "function",
            "function": {"name": name, "arguments": ""}}]}),
        Value::Null,
    )];
    for piece in [&arguments[..cut], &arguments[cut..]] {
        chunks.push(chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}),
            Value::Null,
        ));
    }
    chunks.push(chunk(json!({}), Value::from("tool_calls")));
    chunks
        .iter()
        .map(|c| ChatCompletionStreamEvent::from_json(&c.to_string()).unwrap())
        .collect()
}

/// Converts a Chat stream with `names`, checks the Responses stream is conformant, and returns
/// the completed response's output items.
fn convert_stream(names: &ToolNames, stream: Vec<ChatCompletionStreamEvent>) -> Vec<Value> {
    let mut converter = ChatToResponses::new(
        Response::default(),
        SequentialIds::default(),
        StreamOptions {
            tool_names: Some(names.clone()),
            ..StreamOptions::default()
        },
    );
    let mut events = converter.start().unwrap();
    for event in stream {
        events.extend(converter.push_event(&event).unwrap());
    }
    events.extend(converter.finish(StreamEnd::DoneMarker));
    let mut sse = Vec::new();
    write_response_sse(&mut sse, &events).unwrap();
    let report = check_bytes(Protocol::Responses, Format::Sse, &sse);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    let completed = events
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .find(|e| e["type"] == "response.completed")
        .unwrap();
    completed["response"]["output"].as_array().unwrap().clone()
}

#[test]
fn a_lite_models_additional_tools_become_its_chat_functions() {
    let request = fixture("codex_lite_turn1.json");
    assert!(
        request.get("tools").is_none(),
        "the recording has no top-level tools"
    );
    let chat = responses_to_chat(&request, &[], &ChatRequestOptions::default()).unwrap();
    let sent = function_names(&chat.body);
    assert_eq!(
        sent,
        [
            "functions__exec",
            "functions__wait",
            "functions__request_user_input",
            "collaboration__followup_task",
            "collaboration__interrupt_agent",
            "collaboration__list_agents",
            "collaboration__send_message",
            "collaboration__spawn_agent",
            "collaboration__wait_agent",
        ]
    );
    // `exec` is a freeform tool: one string parameter, its JavaScript.
    let exec = function(&chat.body, "functions__exec");
    assert_eq!(exec["function"]["parameters"]["required"], json!(["input"]));
    assert!(
        exec["function"]["description"]
            .as_str()
            .unwrap()
            .contains("JavaScript")
    );
    let original = chat.tool_names.original("functions__exec").unwrap();
    assert_eq!(
        (
            original.namespace.as_deref(),
            original.name.as_str(),
            original.kind
        ),
        (Some("functions"), "exec", ToolKind::Custom)
    );
    assert_eq!(chat.body["tool_choice"], "auto");
    assert!(chat.warnings.is_empty(), "{:?}", chat.warnings);
    // The item itself is not a message.
    let messages = chat.body["messages"].as_array().unwrap();
    assert!(messages.iter().all(|m| m["role"] != "tool"));
    assert_eq!(messages.last().unwrap()["role"], "user");
}

#[test]
fn the_lite_exec_call_goes_back_to_codex_as_a_namespaced_custom_tool_call() {
    let request = fixture("codex_lite_turn1.json");
    let chat = responses_to_chat(&request, &[], &ChatRequestOptions::default()).unwrap();
    let code = r#"const r = await tools.exec_command({cmd: "echo lite-ok"}); text(r);"#;
    let arguments = json!({"input": code}).to_string();
    let output = convert_stream(
        &chat.tool_names,
        chat_stream_calling("functions__exec", "call_x1", &arguments),
    );
    assert_eq!(output.len(), 1, "{output:#?}");
    let item = &output[0];
    assert_eq!(item["type"], "custom_tool_call");
    assert_eq!(item["namespace"], "functions");
    assert_eq!(item["name"], "exec");
    assert_eq!(item["input"], code);
    assert_eq!(item["call_id"], "call_x1");
}

#[test]
fn the_lite_turn_two_history_becomes_a_tool_call_and_its_result() {
    // Recorded: Codex sends the custom_tool_call back (namespace `functions`) with its output,
    // an array of input_text parts.
    let request = fixture("codex_lite_turn2.json");
    let chat = responses_to_chat(&request, &[], &ChatRequestOptions::default()).unwrap();
    let messages = chat.body["messages"].as_array().unwrap();
    let n = messages.len();
    let call = &messages[n - 2];
    assert_eq!(call["role"], "assistant");
    assert_eq!(call["tool_calls"][0]["id"], "call_x1");
    assert_eq!(call["tool_calls"][0]["function"]["name"], "functions__exec");
    let arguments: Value = serde_json::from_str(
        call["tool_calls"][0]["function"]["arguments"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert!(
        arguments["input"]
            .as_str()
            .unwrap()
            .contains("echo lite-ok")
    );
    let result = &messages[n - 1];
    assert_eq!(result["role"], "tool");
    assert_eq!(result["tool_call_id"], "call_x1");
    assert!(result["content"].as_str().unwrap().contains("lite-ok"));
}

#[test]
fn client_tool_search_is_a_function_with_codexs_parameters() {
    let request = fixture("codex_tool_search_turn2.json");
    let chat = responses_to_chat(&request, &[], &ChatRequestOptions::default()).unwrap();
    let search = function(&chat.body, "tool_search");
    let parameters = &search["function"]["parameters"];
    assert_eq!(parameters["required"], json!(["query"]));
    assert!(
        parameters["properties"]["limit"].is_object(),
        "{parameters}"
    );
    assert!(
        search["function"]["description"]
            .as_str()
            .unwrap()
            .contains("deferred")
    );
    assert_eq!(
        chat.tool_names.original("tool_search").map(|t| t.kind),
        Some(ToolKind::ToolSearch)
    );
}

#[test]
fn the_tools_a_tool_search_output_loaded_are_callable_on_the_next_request() {
    let request = fixture("codex_tool_search_turn2.json");
    let chat = responses_to_chat(&request, &[], &ChatRequestOptions::default()).unwrap();
    let loaded = function(&chat.body, "mcp__weather__get_forecast");
    assert_eq!(
        loaded["function"]["parameters"]["required"],
        json!(["city"])
    );
    assert!(loaded["function"].get("defer_loading").is_none());
    let original = chat
        .tool_names
        .original("mcp__weather__get_forecast")
        .unwrap();
    assert_eq!(original.namespace.as_deref(), Some("mcp__weather"));
    assert_eq!(original.name, "get_forecast");
    // History: the search call and its output are a tool call and its tool message.
    let messages = chat.body["messages"].as_array().unwrap();
    let n = messages.len();
    let call = &messages[n - 2]["tool_calls"][0];
    assert_eq!(call["id"], "call_ts1");
    assert_eq!(call["function"]["name"], "tool_search");
    assert_eq!(
        serde_json::from_str::<Value>(call["function"]["arguments"].as_str().unwrap()).unwrap(),
        json!({"query": "weather forecast"})
    );
    let result = &messages[n - 1];
    assert_eq!(result["role"], "tool");
    assert_eq!(result["tool_call_id"], "call_ts1");
    let text = result["content"].as_str().unwrap();
    assert!(
        text.contains("mcp__weather__get_forecast: Weather forecast for a city"),
        "{text}"
    );
    assert!(
        chat.warnings.iter().all(|w| !w.contains("tool_search")),
        "{:?}",
        chat.warnings
    );
}

#[test]
fn a_tool_search_call_from_the_model_is_a_client_tool_search_call_item() {
    let request = fixture("codex_tool_search_turn2.json");
    let chat = responses_to_chat(&request, &[], &ChatRequestOptions::default()).unwrap();
    let output = convert_stream(
        &chat.tool_names,
        chat_stream_calling(
            "tool_search",
            "call_ts2",
            r#"{"query":"calendar","limit":3}"#,
        ),
    );
    assert_eq!(output.len(), 1, "{output:#?}");
    let item = &output[0];
    assert_eq!(item["type"], "tool_search_call");
    assert_eq!(item["execution"], "client");
    assert_eq!(item["call_id"], "call_ts2");
    assert_eq!(item["status"], "completed");
    assert_eq!(item["arguments"], json!({"query": "calendar", "limit": 3}));
    assert!(item["id"].as_str().unwrap().starts_with("tsc_"));
}

#[test]
fn a_loaded_mcp_tool_call_goes_back_with_its_namespace() {
    let request = fixture("codex_tool_search_turn2.json");
    let chat = responses_to_chat(&request, &[], &ChatRequestOptions::default()).unwrap();
    let output = convert_stream(
        &chat.tool_names,
        chat_stream_calling("mcp__weather__get_forecast", "call_w", r#"{"city":"Oslo"}"#),
    );
    let item = &output[0];
    assert_eq!(item["type"], "function_call");
    assert_eq!(item["namespace"], "mcp__weather");
    assert_eq!(item["name"], "get_forecast");
    assert_eq!(item["arguments"], r#"{"city":"Oslo"}"#);
}

#[test]
fn a_tool_loaded_twice_is_sent_once() {
    let mut request = fixture("codex_tool_search_turn2.json");
    let input = request["input"].as_array_mut().unwrap();
    let output = input.last().unwrap().clone();
    let mut again = output.clone();
    again["call_id"] = json!("call_ts9");
    let mut call = input[input.len() - 2].clone();
    call["call_id"] = json!("call_ts9");
    input.push(call);
    input.push(again);
    let chat = responses_to_chat(&request, &[], &ChatRequestOptions::default()).unwrap();
    let sent = function_names(&chat.body);
    let count = sent
        .iter()
        .filter(|n| n.as_str() == "mcp__weather__get_forecast")
        .count();
    assert_eq!(count, 1, "{sent:?}");
}

#[test]
fn server_executed_tool_search_stays_a_dropped_hosted_tool() {
    let request = json!({
        "model": "m", "input": "hi",
        "tools": [{"type": "tool_search"}, {"type": "function", "name": "f"}],
    });
    let chat = responses_to_chat(&request, &[], &ChatRequestOptions::default()).unwrap();
    assert_eq!(function_names(&chat.body), ["f"]);
    assert!(
        chat.warnings[0].contains("tool_search"),
        "{:?}",
        chat.warnings
    );
}
