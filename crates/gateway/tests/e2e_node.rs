//! End to end with Node clients (`e2e/node/`, `npm ci --prefix e2e`): the Vercel AI SDK
//! (`@ai-sdk/openai`'s Responses provider with `streamText`) and the openai Node SDK
//! (`client.responses.stream`) stream recorded provider answers through the gateway without an
//! error and get the recorded text (the recording's own Chat fold).
//!
//! `OPENAI_WIRE_E2E_SKIP=1` skips these tests; otherwise a missing package fails them.

mod support;

use std::sync::Arc;

use openai_wire_gateway::MemoryStore;
use serde_json::Value;
use support::e2e::{
    config, e2e_dir, event_types, fold_fixture, require_node_package, run_client, skipped,
    start_gateway,
};
use support::upstream::{Upstream, fixtures_dir};

/// Text recordings: DeepSeek; DeepSeek's reasoner (reasoning, then text); OpenAI with the
/// usage chunk after an empty `choices`.
const TEXT_RECORDINGS: &[&str] = &[
    "ruby_llm__vcr_cassettes__chat_function_calling_deepseek_deepseek-chat_can_use_tools_with_multi-turn_streaming_conversations__i1",
    "ruby_llm__vcr_cassettes__chat_with_extended_thinking_deepseek_deepseek-reasoner_streams_thinking_content_when_available__i0",
    "crewai__cassettes__test_handle_streaming_tool_calls_no_tools__i0",
];

fn script(name: &str) -> String {
    e2e_dir()
        .join("node")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[tokio::test]
async fn vercel_ai_sdk_stream_text_gets_the_recorded_text() {
    if skipped("vercel_ai_sdk_stream_text_gets_the_recorded_text") {
        return;
    }
    require_node_package("ai");
    require_node_package("@ai-sdk/openai");
    let upstream = Upstream::start().await;
    let gateway = start_gateway(config(&upstream, &[]), Arc::new(MemoryStore::new())).await;
    for recording in TEXT_RECORDINGS {
        let expected = fold_fixture(&fixtures_dir().join(format!("{recording}.sse")));
        assert!(!expected.text.is_empty(), "{recording}");
        let model = format!("fixture:{recording}");
        let out = run_client(
            "node",
            &[&script("ai_sdk_stream.mjs"), &gateway.v1(), &model],
            &[],
            &e2e_dir(),
        )
        .await;
        let got = out.json();
        assert_eq!(got["errors"], Value::Array(vec![]), "{recording}: {got}");
        assert_eq!(got["text"], expected.text.as_str(), "{recording}: {got}");
        assert_eq!(
            got["finalText"],
            expected.text.as_str(),
            "{recording}: {got}"
        );
        assert_eq!(got["finishReason"], "stop", "{recording}: {got}");
        let parts = &got["parts"];
        assert_eq!(parts["finish"], 1, "{recording}: {parts}");
        assert!(parts.get("error").is_none(), "{recording}: {parts}");
        // The provider's reasoning arrives as reasoning parts, whole.
        assert_eq!(
            got["reasoning"],
            expected.reasoning.as_str(),
            "{recording}: {got}"
        );
        if !expected.reasoning.is_empty() {
            assert!(
                parts["reasoning-start"].as_u64() >= Some(1),
                "{recording}: {parts}"
            );
        }
    }
    // Every request reached the upstream as a Chat request for the recording.
    let requests = upstream.requests();
    assert_eq!(requests.len(), TEXT_RECORDINGS.len());
    for (request, recording) in requests.iter().zip(TEXT_RECORDINGS) {
        assert_eq!(request["model"], format!("fixture:{recording}"));
        assert_eq!(request["stream"], true);
    }
}

/// Tool-call recordings: DeepSeek text then a call without arguments; OpenAI two parallel calls.
const TOOL_CALL_RECORDINGS: &[&str] = &[
    "ruby_llm__vcr_cassettes__chat_function_calling_deepseek_deepseek-chat_can_use_tools_without_parameters_in_multi-turn_streaming_conversations__i0",
    "openai-python__test_parse_multiple_pydantic_tools__f82268f2fe",
];

#[tokio::test]
async fn vercel_ai_sdk_stream_text_gets_the_recorded_tool_calls() {
    if skipped("vercel_ai_sdk_stream_text_gets_the_recorded_tool_calls") {
        return;
    }
    require_node_package("ai");
    require_node_package("@ai-sdk/openai");
    let upstream = Upstream::start().await;
    let gateway = start_gateway(config(&upstream, &[]), Arc::new(MemoryStore::new())).await;
    for recording in TOOL_CALL_RECORDINGS {
        let expected = fold_fixture(&fixtures_dir().join(format!("{recording}.sse")));
        assert!(!expected.tool_calls.is_empty(), "{recording}");
        let mut names: Vec<&str> = expected
            .tool_calls
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        names.dedup();
        let model = format!("fixture:{recording}");
        let out = run_client(
            "node",
            &[
                &script("ai_sdk_stream.mjs"),
                &gateway.v1(),
                &model,
                &serde_json::to_string(&names).unwrap(),
            ],
            &[],
            &e2e_dir(),
        )
        .await;
        let got = out.json();
        assert_eq!(got["errors"], Value::Array(vec![]), "{recording}: {got}");
        assert_eq!(got["text"], expected.text.as_str(), "{recording}: {got}");
        assert_eq!(got["finishReason"], "tool-calls", "{recording}: {got}");
        let calls: Vec<(String, Value)> = got["toolCalls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["toolName"].as_str().unwrap().to_owned(),
                    c["input"].clone(),
                )
            })
            .collect();
        let want: Vec<(String, Value)> = expected
            .tool_calls
            .iter()
            .map(|(name, arguments)| (name.clone(), serde_json::from_str(arguments).unwrap()))
            .collect();
        assert_eq!(calls, want, "{recording}: {got}");
    }
}

#[tokio::test]
async fn openai_node_sdk_responses_stream_gets_the_recorded_text() {
    if skipped("openai_node_sdk_responses_stream_gets_the_recorded_text") {
        return;
    }
    require_node_package("openai");
    let upstream = Upstream::start().await;
    let gateway = start_gateway(config(&upstream, &[]), Arc::new(MemoryStore::new())).await;
    for recording in TEXT_RECORDINGS {
        let expected = fold_fixture(&fixtures_dir().join(format!("{recording}.sse")));
        let model = format!("fixture:{recording}");
        let out = run_client(
            "node",
            &[&script("openai_stream.mjs"), &gateway.v1(), &model],
            &[],
            &e2e_dir(),
        )
        .await;
        let got = out.json();
        assert_eq!(got["status"], "completed", "{recording}: {got}");
        assert_eq!(
            got["streamedText"],
            expected.text.as_str(),
            "{recording}: {got}"
        );
        assert_eq!(
            got["outputText"],
            expected.text.as_str(),
            "{recording}: {got}"
        );
        event_types(&got["types"], recording);
    }
    assert_eq!(upstream.requests().len(), TEXT_RECORDINGS.len());
}
