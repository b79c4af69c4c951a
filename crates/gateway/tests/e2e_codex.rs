//! End to end with Codex CLI (`@openai/codex` from npm, `npm ci --prefix e2e`): `codex exec`
//! with a provider pointing at the gateway completes a turn that runs a shell tool call and
//! then answers. The scripted upstream replays `tests/fixtures/codex_exec_command.turn1.sse`
//! (a DeepSeek tool-call recording, the call changed to `exec_command {"cmd":"echo hello"}`)
//! and, once the request carries the tool output, `...turn2.sse` (the final text).
//!
//! How Codex is driven follows `shared/notes/codex-cli.md`. `OPENAI_WIRE_E2E_SKIP=1` skips
//! this test; otherwise a missing Codex fails it.

mod support;

use std::sync::Arc;

use openai_wire_gateway::MemoryStore;
use serde_json::Value;
use support::codex::{CodexConfig, codex_binary, run_codex};
use support::e2e::{config, fold_fixture, skipped, start_gateway};
use support::upstream::{SUMMARY, Upstream, turns_dir};

/// A model Codex knows, so it sends its real tool set (`exec_command` among them).
const CODEX_MODEL: &str = "gpt-5.5";
const SCRIPT: &str = "codex_exec_command";

/// The prompt of every run: the script runs `echo hello`.
const PROMPT: &str = "run `echo hello` and report what it printed";

/// Codex with its own checks: present, and the script's two turns as recorded.
fn require_codex() -> (String, Vec<(String, String)>) {
    codex_binary();
    let final_text = fold_fixture(&turns_dir().join(format!("{SCRIPT}.turn2.sse"))).text;
    let call = fold_fixture(&turns_dir().join(format!("{SCRIPT}.turn1.sse"))).tool_calls;
    (final_text, call)
}

#[tokio::test]
async fn codex_exec_runs_a_shell_tool_call_and_answers() {
    if skipped("codex_exec_runs_a_shell_tool_call_and_answers") {
        return;
    }
    let (final_text, call) = require_codex();
    assert_eq!(
        call,
        [(
            "exec_command".to_owned(),
            r#"{"cmd": "echo hello"}"#.to_owned()
        )]
    );

    let upstream = Upstream::start().await;
    let gateway = start_gateway(
        config(&upstream, &[(CODEX_MODEL, &format!("turns:{SCRIPT}"))]),
        Arc::new(MemoryStore::new()),
    )
    .await;
    let base_url = gateway.v1();
    let codex_run = run_codex(&CodexConfig::new(CODEX_MODEL, &base_url).render(), PROMPT).await;
    let (events, context) = (&codex_run.events, &codex_run.context);
    // The shell tool ran: `echo hello`, exit code 0, output `hello`.
    let commands = codex_run.items("command_execution");
    assert_eq!(commands.len(), 1, "{context}");
    let (command_at, command) = commands[0];
    assert_eq!(command["exit_code"], 0, "{context}");
    assert!(
        command["command"]
            .as_str()
            .unwrap_or_default()
            .contains("echo hello"),
        "{context}"
    );
    assert!(
        command["aggregated_output"]
            .as_str()
            .unwrap_or_default()
            .contains("hello"),
        "{context}"
    );
    // Then the final answer, the recorded text.
    let messages = codex_run.items("agent_message");
    assert_eq!(messages.len(), 1, "{context}");
    let (message_at, message) = messages[0];
    assert!(message_at > command_at, "{context}");
    assert_eq!(message["text"], final_text.as_str(), "{context}");
    assert!(
        events.iter().any(|e| e["type"] == "turn.completed"),
        "{context}"
    );
    assert!(
        !events
            .iter()
            .any(|e| e["type"] == "turn.failed" || e["type"] == "error"),
        "{context}"
    );

    // What Codex sent, as shared/notes/codex-cli.md describes it: streaming, nothing stored,
    // encrypted reasoning asked for, no `instructions` (the base prompt is the first developer
    // message), and turn 2 repeating turn 1's input, then the call and its output.
    let sent = gateway.responses_requests();
    assert_eq!(sent.len(), 2, "{sent:#?}");
    for request in &sent {
        assert_eq!(request["model"], CODEX_MODEL);
        assert_eq!(request["stream"], true);
        assert_eq!(request["store"], false);
        assert!(
            request.get("instructions").is_none_or(Value::is_null),
            "{request}"
        );
        assert!(
            request["include"]
                .as_array()
                .is_some_and(|i| i.iter().any(|v| v == "reasoning.encrypted_content")),
            "{request}"
        );
        let exec = request["tools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "exec_command")
            .unwrap_or_else(|| panic!("no exec_command tool in {request}"));
        assert_eq!(exec["type"], "function");
        assert!(
            exec["parameters"]["required"]
                .as_array()
                .is_some_and(|r| r.iter().any(|v| v == "cmd")),
            "{exec}"
        );
        assert_eq!(request["input"][0]["role"], "developer", "{request}");
    }
    let (first_input, second_input) = (
        sent[0]["input"].as_array().unwrap(),
        sent[1]["input"].as_array().unwrap(),
    );
    assert_eq!(&second_input[..first_input.len()], &first_input[..]);
    let added: Vec<&str> = second_input[first_input.len()..]
        .iter()
        .filter_map(|item| item["type"].as_str())
        .collect();
    assert_eq!(
        added,
        ["function_call", "function_call_output"],
        "{second_input:#?}"
    );
    let call = &second_input[first_input.len()];
    let call_output = &second_input[first_input.len() + 1];
    assert_eq!(call["name"], "exec_command");
    assert_eq!(call_output["call_id"], call["call_id"]);
    assert!(call_output["output"].is_string(), "{call_output}");

    // What the upstream got: turn 1 with Codex's tools, no tool result; turn 2 with the call
    // and its output.
    let requests = upstream.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let first = &requests[0];
    assert_eq!(first["model"], format!("turns:{SCRIPT}"));
    let tool_names: Vec<&str> = first["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["function"]["name"].as_str())
        .collect();
    assert!(tool_names.contains(&"exec_command"), "{tool_names:?}");
    assert!(
        !first["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["role"] == "tool")
    );
    let second = requests[1]["messages"].as_array().unwrap();
    let assistant = second
        .iter()
        .find(|m| m["role"] == "assistant" && m["tool_calls"].is_array())
        .unwrap_or_else(|| panic!("no assistant tool call in {second:#?}"));
    let sent_call = &assistant["tool_calls"][0];
    assert_eq!(sent_call["function"]["name"], "exec_command");
    let arguments: Value =
        serde_json::from_str(sent_call["function"]["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(arguments["cmd"], "echo hello");
    let result = second
        .iter()
        .find(|m| m["role"] == "tool")
        .unwrap_or_else(|| panic!("no tool message in {second:#?}"));
    assert_eq!(result["tool_call_id"], sent_call["id"]);
    let output = match &result["content"] {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    assert!(output.contains("hello"), "{result}");
}

/// Codex 0.171 with the provider named `OpenAI` compacts remotely (remote compaction v2) when
/// its context fills: a stream request whose last input item is `compaction_trigger`, which
/// must be answered with exactly one `compaction` item; the next request carries that item back.
/// A tiny auto-compact limit makes the one-tool-call turn compact in the middle
/// (shared/notes/codex-cli.md).
#[tokio::test]
async fn codex_compacts_remotely_through_the_gateway_when_the_provider_is_named_openai() {
    if skipped("codex_compacts_remotely_through_the_gateway_when_the_provider_is_named_openai") {
        return;
    }
    let (final_text, _) = require_codex();
    let upstream = Upstream::start().await;
    let gateway = start_gateway(
        config(&upstream, &[(CODEX_MODEL, &format!("turns:{SCRIPT}"))]),
        Arc::new(MemoryStore::new()),
    )
    .await;
    let base_url = gateway.v1();
    let config = CodexConfig {
        provider_name: "OpenAI",
        top: "model_auto_compact_token_limit = 20\nmodel_context_window = 4000",
        ..CodexConfig::new(CODEX_MODEL, &base_url)
    };
    let codex_run = run_codex(&config.render(), PROMPT).await;
    let (events, context) = (&codex_run.events, &codex_run.context);

    // The turn ran the tool, compacted, and answered, with no error.
    assert_eq!(codex_run.items("command_execution").len(), 1, "{context}");
    let messages = codex_run.items("agent_message");
    assert_eq!(messages.len(), 1, "{context}");
    assert_eq!(messages[0].1["text"], final_text.as_str(), "{context}");
    assert!(
        events.iter().any(|e| e["type"] == "turn.completed"),
        "{context}"
    );
    assert!(
        !events
            .iter()
            .any(|e| e["type"] == "turn.failed" || e["type"] == "error"),
        "{context}"
    );

    // Codex asked for one compaction, after the tool call, and carried the compaction item
    // back in place of the history it stands for.
    let sent = gateway.responses_requests();
    let kinds = |request: &Value| -> Vec<String> {
        request["input"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["type"].as_str().unwrap_or("message").to_owned())
            .collect()
    };
    let triggers: Vec<usize> = (0..sent.len())
        .filter(|&n| kinds(&sent[n]).last().map(String::as_str) == Some("compaction_trigger"))
        .collect();
    assert_eq!(triggers.len(), 1, "{sent:#?}");
    let trigger = triggers[0];
    assert!(
        kinds(&sent[trigger]).contains(&"function_call_output".to_owned()),
        "{:?}",
        kinds(&sent[trigger])
    );
    let after = sent
        .get(trigger + 1)
        .expect("no request after the compaction");
    let compactions: Vec<&Value> = after["input"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["type"] == "compaction")
        .collect();
    assert_eq!(compactions.len(), 1, "{after}");
    assert!(
        compactions[0]["encrypted_content"]
            .as_str()
            .is_some_and(|blob| blob.starts_with("owc1.")),
        "{after}"
    );
    assert!(!kinds(after).contains(&"function_call_output".to_owned()));

    // Upstream: the turn, one summary request holding the tool result, then the turn again
    // with the summary in place of the call and its output.
    let requests = upstream.requests();
    assert_eq!(requests.len(), 3, "{requests:#?}");
    assert_eq!(requests[1]["stream"], false, "{:#}", requests[1]);
    assert!(
        requests[1].to_string().contains("[tool result]"),
        "{:#}",
        requests[1]
    );
    let last = requests[2]["messages"].as_array().unwrap();
    assert!(!last.iter().any(|m| m["role"] == "tool"), "{last:#?}");
    assert!(
        last.iter()
            .any(|m| m["content"].as_str().is_some_and(|t| t.contains(SUMMARY))),
        "{last:#?}"
    );
}

/// Codex with `supports_websockets = true` runs its turn over the gateway's WebSocket mode:
/// the gateway counts the connection and the responses on it, and no turn came over HTTP.
#[tokio::test]
async fn codex_runs_its_turn_over_the_gateways_websocket() {
    if skipped("codex_runs_its_turn_over_the_gateways_websocket") {
        return;
    }
    let (final_text, _) = require_codex();
    let upstream = Upstream::start().await;
    let gateway = start_gateway(
        config(&upstream, &[(CODEX_MODEL, &format!("turns:{SCRIPT}"))]),
        Arc::new(MemoryStore::new()),
    )
    .await;
    let metric = |text: &str, name: &str| -> f64 {
        text.lines()
            .filter(|l| l.starts_with(name))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    };
    let metrics = || async {
        reqwest::get(format!("{}/metrics", gateway.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let before = metrics().await;
    let base_url = gateway.v1();
    let config = CodexConfig {
        provider: "supports_websockets = true",
        ..CodexConfig::new(CODEX_MODEL, &base_url)
    };
    let codex_run = run_codex(&config.render(), PROMPT).await;
    let (events, context) = (&codex_run.events, &codex_run.context);
    assert_eq!(codex_run.items("command_execution").len(), 1, "{context}");
    let messages = codex_run.items("agent_message");
    assert_eq!(messages.len(), 1, "{context}");
    assert_eq!(messages[0].1["text"], final_text.as_str(), "{context}");
    assert!(
        !events
            .iter()
            .any(|e| e["type"] == "turn.failed" || e["type"] == "error"),
        "{context}"
    );

    // The gateway's side: WebSocket connections and responses were counted, and no turn came
    // as POST /v1/responses.
    let after = metrics().await;
    let connections = "openai_wire_websocket_connections_total";
    let responses = "openai_wire_websocket_responses_total";
    assert!(
        metric(&after, connections) > metric(&before, connections),
        "{after}"
    );
    let completed = |text: &str| {
        text.lines()
            .filter(|l| l.starts_with(responses) && l.contains("status=\"completed\""))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>()
    };
    assert!(completed(&after) - completed(&before) >= 2.0, "{after}");
    assert!(
        gateway.responses_requests().is_empty(),
        "{:#?}",
        gateway.responses_requests()
    );
    // Both turns reached the upstream: the call, then the answer after its output.
    let requests = upstream.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    assert!(
        requests[1]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["role"] == "tool"),
        "{:#}",
        requests[1]
    );
}
