//! End to end with Codex CLI 0.171.0 in the configurations people run beyond the default one
//! (issue 13), each through the gateway in front of a scripted upstream that only calls the
//! tools it was given (`support/upstream.rs`):
//!
//! - a Responses Lite model (`gpt-5.6-sol`), whose only tools come in an `additional_tools`
//!   item: the model runs a command through the code-mode `exec` tool;
//! - a self-hosted reasoning model at `127.0.0.1` (kind `generic`) that streams
//!   `reasoning_content` and, as DeepSeek in thinking mode, refuses turn 2 without it.
//!
//! Each asserts on Codex's final answer and on what the upstream received.
//! `OPENAI_WIRE_E2E_SKIP=1` skips them; otherwise a missing Codex fails them.

mod support;

use std::sync::Arc;

use openai_wire_gateway::MemoryStore;
use serde_json::Value;
use support::codex::{CodexConfig, run_codex};
use support::e2e::{config, skipped, start_gateway};
use support::upstream::Upstream;

/// The Chat messages of the upstream's `n`th request.
fn messages(requests: &[Value], n: usize) -> &Vec<Value> {
    requests[n]["messages"].as_array().unwrap()
}

/// The function names the upstream's `n`th request offered.
fn offered(requests: &[Value], n: usize) -> Vec<String> {
    requests[n]["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["function"]["name"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn codex_with_a_lite_model_runs_a_command_through_code_mode_exec() {
    if skipped("codex_with_a_lite_model_runs_a_command_through_code_mode_exec") {
        return;
    }
    let upstream = Upstream::start().await;
    let gateway = start_gateway(
        config(&upstream, &[("gpt-5.6-sol", "turns:codex_lite_exec")]),
        Arc::new(MemoryStore::new()),
    )
    .await;
    let base_url = gateway.v1();
    let run = run_codex(
        &CodexConfig::new("gpt-5.6-sol", &base_url).render(),
        "run `echo lite-ok` and report what it printed",
    )
    .await;
    let context = &run.context;
    // Codex ran the JavaScript cell, which ran the command.
    let commands = run.items("command_execution");
    assert_eq!(commands.len(), 1, "{context}");
    let command = commands[0].1;
    assert!(
        command["command"]
            .as_str()
            .unwrap()
            .contains("echo lite-ok"),
        "{context}"
    );
    assert!(
        command["aggregated_output"]
            .as_str()
            .unwrap()
            .contains("lite-ok"),
        "{context}"
    );
    assert_eq!(
        run.final_text(),
        "The script printed **lite-ok**.",
        "{context}"
    );
    assert!(run.completed(), "{context}");

    // What Codex sent: no top-level tools, the tools in an additional_tools item.
    let sent = gateway.responses_requests();
    assert!(
        sent[0].get("tools").is_none_or(Value::is_null),
        "{}",
        sent[0]
    );
    assert_eq!(sent[0]["input"][0]["type"], "additional_tools");

    // What the upstream got: the Lite tools as functions, then the exec call and its output.
    let requests = upstream.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    for n in 0..2 {
        let tools = offered(&requests, n);
        assert!(tools.contains(&"functions__exec".to_owned()), "{tools:?}");
        assert!(tools.contains(&"functions__wait".to_owned()), "{tools:?}");
    }
    let second = messages(&requests, 1);
    let call = second
        .iter()
        .find_map(|m| m["tool_calls"].as_array().map(|calls| &calls[0]))
        .unwrap_or_else(|| panic!("{second:#?}"));
    assert_eq!(call["function"]["name"], "functions__exec");
    let arguments: Value =
        serde_json::from_str(call["function"]["arguments"].as_str().unwrap()).unwrap();
    assert!(
        arguments["input"]
            .as_str()
            .unwrap()
            .contains(r#"tools.exec_command({cmd: "echo lite-ok"})"#)
    );
    let result = second.iter().find(|m| m["role"] == "tool").unwrap();
    assert_eq!(result["tool_call_id"], call["id"]);
    assert!(
        result["content"].as_str().unwrap().contains("lite-ok"),
        "{result}"
    );
}

#[tokio::test]
async fn codex_with_a_self_hosted_reasoning_model_sends_its_reasoning_back() {
    if skipped("codex_with_a_self_hosted_reasoning_model_sends_its_reasoning_back") {
        return;
    }
    let upstream = Upstream::start().await;
    // An address that names no provider: the kind is guessed `generic`.
    assert!(upstream.base_url().starts_with("http://127.0.0.1:"));
    let gateway = start_gateway(
        config(&upstream, &[("gpt-5.5", "turns:codex_exec_thinking")]),
        Arc::new(MemoryStore::new()),
    )
    .await;
    let base_url = gateway.v1();
    let run = run_codex(
        &CodexConfig::new("gpt-5.5", &base_url).render(),
        "run `echo thinking-ok` and report what it printed",
    )
    .await;
    let context = &run.context;
    let commands = run.items("command_execution");
    assert_eq!(commands.len(), 1, "{context}");
    assert!(
        commands[0].1["aggregated_output"]
            .as_str()
            .unwrap()
            .contains("thinking-ok"),
        "{context}"
    );
    assert_eq!(
        run.final_text(),
        "The command printed **thinking-ok**.",
        "{context}"
    );
    assert!(run.completed(), "{context}");

    // Turn 2 carried the reasoning back in the field it was streamed in; without it the
    // upstream (DeepSeek's rule) would have answered 400 and the turn failed.
    let requests = upstream.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let second = messages(&requests, 1);
    let assistant = second
        .iter()
        .find(|m| m["role"] == "assistant" && m["tool_calls"].is_array())
        .unwrap_or_else(|| panic!("{second:#?}"));
    assert_eq!(
        assistant["reasoning_content"],
        "The user wants me to run echo thinking-ok. I will call exec_command with that command."
    );
    assert!(second.iter().any(|m| m["role"] == "tool"));
}
