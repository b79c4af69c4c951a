//! End to end with Codex CLI 0.171.0 in the configurations people run beyond the default one
//! (issue 13), each through the gateway in front of a scripted upstream that only calls the
//! tools it was given (`support/upstream.rs`):
//!
//! - a Responses Lite model (`gpt-5.6-sol`), whose only tools come in an `additional_tools`
//!   item: the model runs a command through the code-mode `exec` tool;
//! - a self-hosted reasoning model at `127.0.0.1` (kind `generic`) that streams
//!   `reasoning_content` and, as DeepSeek in thinking mode, refuses turn 2 without it;
//! - an MCP server (stdio, started by Codex from its config) whose tool Codex defers behind
//!   `tool_search`: the model searches, the tool is loaded, then called;
//! - web search answered from a local SearXNG-compatible backend: Codex's hosted `web_search`
//!   tool run by the gateway inside the response, and Codex's standalone web search
//!   (`web.run`, which Codex sends to `POST /v1/alpha/search`).
//!
//! Each asserts on Codex's final answer and on what the upstream received.
//! `OPENAI_WIRE_E2E_SKIP=1` skips them; otherwise a missing Codex fails them.

mod support;

use std::sync::Arc;

use openai_wire_gateway::MemoryStore;
use openai_wire_gateway::{SearchBackendKind, WebSearchConfig};
use serde_json::Value;
use support::codex::{CodexConfig, run_codex, run_codex_with_home};
use support::e2e::{config, python, skipped, start_gateway};
use support::searxng::{Searxng, snippet_for};
use support::upstream::{Upstream, turns_dir};

/// A gateway in front of `upstream`, with `model` mapped to the script `turns:SCRIPT`.
async fn gateway_for(
    upstream: &Upstream,
    model: &str,
    script: &str,
) -> support::e2e::RunningGateway {
    let config = config(upstream, &[(model, &format!("turns:{script}"))]);
    start_gateway(config, Arc::new(MemoryStore::new())).await
}

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
    let gateway = gateway_for(&upstream, "gpt-5.6-sol", "codex_lite_exec").await;
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
    let gateway = gateway_for(&upstream, "gpt-5.5", "codex_exec_thinking").await;
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

#[tokio::test]
async fn codex_finds_a_deferred_mcp_tool_through_tool_search_and_calls_it() {
    if skipped("codex_finds_a_deferred_mcp_tool_through_tool_search_and_calls_it") {
        return;
    }
    let upstream = Upstream::start().await;
    let gateway = gateway_for(&upstream, "gpt-5.5", "codex_tool_search").await;
    let base_url = gateway.v1();
    let logs = tempfile::tempdir().unwrap();
    let call_log = logs.path().join("mcp-calls.jsonl");
    let server = turns_dir().join("mcp_weather_server.py");
    let tables = format!(
        "[mcp_servers.weather]\ncommand = {:?}\nargs = [{:?}]\nenv = {{ MCP_CALL_LOG = {:?} }}\n",
        python(),
        server.display().to_string(),
        call_log.display().to_string(),
    );
    let config = CodexConfig {
        tables: &tables,
        ..CodexConfig::new("gpt-5.5", &base_url)
    };
    let run = run_codex_with_home(&config.render(), "what is the weather in Oslo?", |_| {}).await;
    let context = &run.context;
    assert_eq!(
        run.final_text(),
        "The forecast for Oslo: sunny, 21C.",
        "{context}"
    );
    assert!(run.completed(), "{context}");
    // The MCP server ran the call the model made.
    let calls = std::fs::read_to_string(&call_log).unwrap_or_default();
    assert!(calls.contains(r#""city": "Oslo""#), "{calls}\n{context}");

    // What Codex sent: the tool deferred (not in `tools`), then the search call and the output
    // loading it, then the call of the loaded tool with its namespace.
    let sent = gateway.responses_requests();
    assert_eq!(sent.len(), 3, "{sent:#?}");
    let tools = sent[0]["tools"].as_array().unwrap();
    assert!(tools.iter().any(|t| t["type"] == "tool_search"));
    assert!(!sent[0].to_string().contains("\"get_forecast\""));
    let input = sent[2]["input"].as_array().unwrap();
    let search = input
        .iter()
        .find(|i| i["type"] == "tool_search_call")
        .unwrap();
    assert_eq!(search["execution"], "client");
    assert_eq!(search["arguments"]["query"], "weather forecast");
    let output = input
        .iter()
        .find(|i| i["type"] == "tool_search_output")
        .unwrap();
    assert_eq!(output["call_id"], search["call_id"]);
    assert_eq!(output["tools"][0]["name"], "mcp__weather");
    let call = input.iter().find(|i| i["type"] == "function_call").unwrap();
    assert_eq!(
        (&call["namespace"], &call["name"]),
        (&Value::from("mcp__weather"), &Value::from("get_forecast"))
    );

    // What the upstream got: tool_search offered; the loaded tool offered once the output
    // came back (the scripted upstream refuses a call of a tool it was not offered); the MCP
    // result in the last request.
    let requests = upstream.requests();
    assert_eq!(requests.len(), 3, "{requests:#?}");
    assert!(offered(&requests, 0).contains(&"tool_search".to_owned()));
    assert!(!offered(&requests, 0).contains(&"mcp__weather__get_forecast".to_owned()));
    for n in 1..3 {
        let tools = offered(&requests, n);
        assert!(
            tools.contains(&"mcp__weather__get_forecast".to_owned()),
            "{tools:?}"
        );
    }
    let last = messages(&requests, 2);
    let results: Vec<&str> = last
        .iter()
        .filter(|m| m["role"] == "tool")
        .filter_map(|m| m["content"].as_str())
        .collect();
    assert!(
        results[0].contains("mcp__weather__get_forecast"),
        "{results:?}"
    );
    assert!(
        results[1].contains("forecast for Oslo: sunny, 21C"),
        "{results:?}"
    );
}

/// The text every web search script answers with.
const SEARCH_ANSWER: &str = "The search says openai-wire ships a Responses gateway.";
const SEARCH_QUERY: &str = "openai-wire release notes";

/// A gateway with a SearXNG backend, `gpt-5.5` mapped to the script `turns:SCRIPT`.
async fn gateway_with_search(
    upstream: &Upstream,
    searxng: &Searxng,
    script: &str,
) -> support::e2e::RunningGateway {
    let mut config = config(upstream, &[("gpt-5.5", &format!("turns:{script}"))]);
    config.web_search = Some(WebSearchConfig::new(
        SearchBackendKind::Searxng,
        Some(searxng.url()),
    ));
    start_gateway(config, Arc::new(MemoryStore::new())).await
}

/// The tool message the upstream's second request carries: the search results.
fn search_result_sent(upstream: &Upstream) -> String {
    let requests = upstream.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let second = messages(&requests, 1);
    let result = second.iter().rev().find(|m| m["role"] == "tool").unwrap();
    result["content"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn codex_web_search_runs_in_the_gateway_against_a_local_backend() {
    if skipped("codex_web_search_runs_in_the_gateway_against_a_local_backend") {
        return;
    }
    let upstream = Upstream::start().await;
    let searxng = Searxng::start().await;
    let gateway = gateway_with_search(&upstream, &searxng, "web_search").await;
    let base_url = gateway.v1();
    let config = CodexConfig {
        top: "web_search = \"live\"",
        ..CodexConfig::new("gpt-5.5", &base_url)
    };
    let run = run_codex(
        &config.render(),
        "what is new in openai-wire? search the web",
    )
    .await;
    let context = &run.context;
    // Codex shows the gateway's search as its own web search item, then the answer.
    let searches = run.items("web_search");
    assert_eq!(searches.len(), 1, "{context}");
    assert_eq!(searches[0].1["query"], SEARCH_QUERY, "{context}");
    assert_eq!(run.final_text(), SEARCH_ANSWER, "{context}");
    assert!(run.completed(), "{context}");
    // Codex sent the hosted tool; the backend ran the query; the upstream got the results.
    let sent = gateway.responses_requests();
    assert_eq!(
        sent.len(),
        1,
        "one response, the search inside it: {sent:#?}"
    );
    assert!(
        sent[0]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["type"] == "web_search")
    );
    assert_eq!(searxng.queries(), [SEARCH_QUERY]);
    let result = search_result_sent(&upstream);
    assert!(result.contains(&snippet_for(SEARCH_QUERY)), "{result}");
}

#[tokio::test]
async fn codex_standalone_web_search_is_served_by_alpha_search() {
    if skipped("codex_standalone_web_search_is_served_by_alpha_search") {
        return;
    }
    let upstream = Upstream::start().await;
    let searxng = Searxng::start().await;
    let gateway = gateway_with_search(&upstream, &searxng, "codex_web_run").await;
    let base_url = gateway.v1();
    let config = CodexConfig {
        top: "web_search = \"live\"",
        provider: "supports_standalone_web_search = true",
        features: "standalone_web_search = true",
        ..CodexConfig::new("gpt-5.5", &base_url)
    };
    let run = run_codex(
        &config.render(),
        "what is new in openai-wire? search the web",
    )
    .await;
    let context = &run.context;
    assert_eq!(run.final_text(), SEARCH_ANSWER, "{context}");
    assert!(run.completed(), "{context}");
    // Codex offered web.run (namespace web); the model's call went to /v1/alpha/search, which
    // the backend answered; Codex gave that output back as the function's result.
    let requests = upstream.requests();
    assert!(offered(&requests, 0).contains(&"web__run".to_owned()));
    assert_eq!(searxng.queries(), [SEARCH_QUERY]);
    let result = search_result_sent(&upstream);
    assert!(result.contains(&snippet_for(SEARCH_QUERY)), "{result}");
}
