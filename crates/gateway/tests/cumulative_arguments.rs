//! A Chat upstream that streams tool-call arguments cumulatively (each fragment the arguments
//! so far: `{"cmd":`, `{"cmd":"echo`, …; the scripted upstream's `cumulative-args:NAME` mode)
//! behind the gateway (issue 13):
//!
//! - a Responses client sees `response.function_call_arguments.delta`s that add up to the
//!   arguments, valid JSON, the same as with the ordinary script;
//! - Codex CLI 0.171.0 runs the command (`echo wire-ok`) and answers, and the upstream's second
//!   request carries the call with its arguments as valid JSON and the command's output.
//!
//! The Codex test follows `shared/notes/codex-cli.md`; `OPENAI_WIRE_E2E_SKIP=1` skips it.

mod support;

use std::sync::Arc;

use openai_wire_gateway::MemoryStore;
use serde_json::{Value, json};
use support::codex::{CodexConfig, run_codex};
use support::e2e::{config, fold_fixture, skipped, start_gateway};
use support::gateway::{config_for, start};
use support::upstream::{Upstream, cumulative_arguments, turns_dir};

/// The two-turn script: `exec_command {"cmd":"echo wire-ok"}`, then the answer.
const SCRIPT: &str = "codex_wire_ok";
const ARGUMENTS: &str = r#"{"cmd":"echo wire-ok"}"#;

/// The `data:` JSON of every event of an SSE body.
fn events(body: &str) -> Vec<Value> {
    body.lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .filter_map(|data| serde_json::from_str(data).ok())
        .collect()
}

/// Streams one Responses request for `model` offering `exec_command`; returns the body.
async fn stream_call(base: &str, model: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/responses"))
        .json(&json!({
            "model": model,
            "input": "run `echo wire-ok`",
            "stream": true,
            "tools": [{"type": "function", "name": "exec_command", "parameters": {
                "type": "object", "properties": {"cmd": {"type": "string"}}, "required": ["cmd"]}}],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// The argument deltas, the done event's arguments and the completed item's arguments.
fn arguments_seen(body: &str) -> (Vec<String>, String, String) {
    let events = events(body);
    let of = |kind: &'static str| events.iter().filter(move |e| e["type"] == kind);
    let deltas = of("response.function_call_arguments.delta")
        .map(|e| e["delta"].as_str().unwrap().to_owned())
        .collect();
    let done = of("response.function_call_arguments.done")
        .map(|e| e["arguments"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(done.len(), 1, "{body}");
    let completed = of("response.completed").next().expect("completed");
    let item = &completed["response"]["output"][0];
    assert_eq!(item["type"], "function_call", "{body}");
    let argued = item["arguments"].as_str().unwrap().to_owned();
    (deltas, done[0].clone(), argued)
}

#[test]
fn the_mode_makes_each_fragment_the_arguments_so_far() {
    let script = std::fs::read(turns_dir().join(format!("{SCRIPT}.turn1.sse"))).unwrap();
    let ordinary = fold_fixture(&turns_dir().join(format!("{SCRIPT}.turn1.sse"))).tool_calls;
    assert_eq!(
        ordinary,
        [("exec_command".to_owned(), ARGUMENTS.to_owned())]
    );
    let cumulative = String::from_utf8(cumulative_arguments(&script)).unwrap();
    let fragments: Vec<String> = events(&cumulative)
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"].as_str())
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect();
    assert_eq!(
        fragments,
        [
            r#"{"cmd":"#,
            r#"{"cmd":"echo"#,
            r#"{"cmd":"echo wire"#,
            r#"{"cmd":"echo wire-ok""#,
            ARGUMENTS
        ]
    );
}

#[tokio::test]
async fn cumulative_arguments_reach_the_client_as_deltas_that_add_up() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, 10, |_| {})).await;

    let body = stream_call(&gateway.base, &format!("cumulative-args:{SCRIPT}")).await;
    support::assert_responses_conformant(&body);
    let (deltas, done, item) = arguments_seen(&body);
    let added: String = deltas.concat();
    assert_eq!(added, ARGUMENTS, "{deltas:?}");
    assert!(serde_json::from_str::<Value>(&added).is_ok());
    assert_eq!((done.as_str(), item.as_str()), (ARGUMENTS, ARGUMENTS));
    // `{"cmd":{"cmd":"echo` could still be a nested object: that fragment waited for the next.
    assert_eq!(deltas[0], r#"{"cmd":"#, "{deltas:?}");

    // The ordinary script gives the same arguments, in its own pieces, untouched.
    let body = stream_call(&gateway.base, &format!("turns:{SCRIPT}")).await;
    support::assert_responses_conformant(&body);
    let (deltas, done, item) = arguments_seen(&body);
    assert_eq!(deltas, [r#"{"cmd":"#, r#""echo"#, " wire", r#"-ok""#, "}"]);
    assert_eq!((done.as_str(), item.as_str()), (ARGUMENTS, ARGUMENTS));
    // The upstream saw both requests (the tool offered, so neither was refused).
    assert_eq!(upstream.requests().len(), 2);
}

#[tokio::test]
async fn codex_runs_a_command_whose_arguments_came_cumulatively() {
    if skipped("codex_runs_a_command_whose_arguments_came_cumulatively") {
        return;
    }
    let final_text = fold_fixture(&turns_dir().join(format!("{SCRIPT}.turn2.sse"))).text;
    assert_eq!(final_text, "The command printed **wire-ok**.");
    let upstream = Upstream::start().await;
    let model = format!("cumulative-args:{SCRIPT}");
    let gateway = start_gateway(
        config(&upstream, &[("gpt-5.5", &model)]),
        Arc::new(MemoryStore::new()),
    )
    .await;
    let base_url = gateway.v1();
    let codex = CodexConfig::new("gpt-5.5", &base_url).render();
    let run = run_codex(&codex, "run `echo wire-ok` and report what it printed").await;
    let context = &run.context;

    // Codex ran the command, with its output, then answered with the script's text.
    let commands = run.items("command_execution");
    assert_eq!(commands.len(), 1, "{context}");
    let (command_at, command) = commands[0];
    assert_eq!(command["exit_code"], 0, "{context}");
    assert!(
        command["aggregated_output"]
            .as_str()
            .unwrap_or_default()
            .contains("wire-ok"),
        "{context}"
    );
    let messages = run.items("agent_message");
    assert!(
        messages.last().is_some_and(|(at, _)| *at > command_at),
        "{context}"
    );
    assert_eq!(run.final_text(), final_text, "{context}");
    assert!(run.completed(), "{context}");

    // The upstream's second request: the assistant's call with its arguments as valid JSON,
    // and the tool message with the command's output.
    let requests = upstream.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    assert!(requests.iter().all(|r| r["model"] == model.as_str()));
    let second = requests[1]["messages"].as_array().unwrap();
    let assistant = second
        .iter()
        .find(|m| m["role"] == "assistant" && m["tool_calls"].is_array())
        .unwrap_or_else(|| panic!("no assistant tool call in {second:#?}"));
    let call = &assistant["tool_calls"][0];
    assert_eq!(call["function"]["name"], "exec_command");
    let arguments: Value = serde_json::from_str(call["function"]["arguments"].as_str().unwrap())
        .unwrap_or_else(|e| panic!("arguments are not JSON ({e}): {call}"));
    assert_eq!(arguments, json!({"cmd": "echo wire-ok"}));
    let result = second
        .iter()
        .find(|m| m["role"] == "tool")
        .unwrap_or_else(|| panic!("no tool message in {second:#?}"));
    assert_eq!(result["tool_call_id"], call["id"]);
    let output = match &result["content"] {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    assert!(output.contains("wire-ok"), "{result}");
}
