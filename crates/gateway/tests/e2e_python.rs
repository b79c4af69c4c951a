//! End to end with the openai Python SDK (`e2e/python/`, `pip install -r e2e/requirements.txt`):
//! the gateway in front of the scripted upstream replaying recorded provider streams.
//!
//! - `client.responses.stream(...)` gets the text and the tool calls of each recording, as the
//!   recording's own Chat fold has them;
//! - `client.responses.create(previous_response_id=...)` continues a conversation, with the
//!   store on SQLite and on a throwaway PostgreSQL server, and the second upstream request
//!   carries the first turn.
//!
//! `OPENAI_WIRE_E2E_SKIP=1` skips these tests; otherwise a missing SDK fails them.

mod support;

use std::sync::Arc;

use openai_wire_gateway::{SqlStore, Store};
use serde_json::{Value, json};
use support::e2e::{
    config, e2e_dir, event_types, fold_fixture, python, require_python_openai, run_client, skipped,
    start_gateway,
};
use support::postgres::Postgres;
use support::upstream::{Upstream, fixtures_dir};

/// Recordings with tool calls: DeepSeek text then a call without arguments; DeepSeek a call
/// with arguments; OpenAI two parallel calls.
const TOOL_CALL_RECORDINGS: &[&str] = &[
    "ruby_llm__vcr_cassettes__chat_function_calling_deepseek_deepseek-chat_can_use_tools_without_parameters_in_multi-turn_streaming_conversations__i0",
    "ruby_llm__vcr_cassettes__chat_function_calling_deepseek_deepseek-chat_can_use_tools_with_multi-turn_streaming_conversations__i0",
    "openai-python__test_parse_multiple_pydantic_tools__f82268f2fe",
];

fn script(name: &str) -> String {
    e2e_dir()
        .join("python")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[tokio::test]
async fn python_sdk_stream_gets_the_recorded_text_and_tool_calls() {
    if skipped("python_sdk_stream_gets_the_recorded_text_and_tool_calls") {
        return;
    }
    require_python_openai();
    let upstream = Upstream::start().await;
    let gateway = start_gateway(
        config(&upstream, &[]),
        Arc::new(openai_wire_gateway::MemoryStore::new()),
    )
    .await;
    for (n, recording) in TOOL_CALL_RECORDINGS.iter().enumerate() {
        let expected = fold_fixture(&fixtures_dir().join(format!("{recording}.sse")));
        assert!(
            !expected.tool_calls.is_empty(),
            "{recording}: the recording has no tool call"
        );
        // One function tool per name the recording calls (the SDK sends them; the gateway
        // forwards them as Chat tools).
        let mut names: Vec<&str> = expected
            .tool_calls
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        names.dedup();
        let tools: Vec<Value> = names
            .iter()
            .map(|name| {
                json!({
                    "type": "function",
                    "name": name,
                    "description": "a tool of the recording",
                    "parameters": {"type": "object", "properties": {}, "additionalProperties": true},
                    "strict": false,
                })
            })
            .collect();
        let tools = serde_json::to_string(&tools).unwrap();
        let model = format!("fixture:{recording}");
        let out = run_client(
            python(),
            &[
                &script("responses_stream.py"),
                &gateway.v1(),
                &model,
                &tools,
            ],
            &[],
            &e2e_dir(),
        )
        .await;
        let got = out.json();
        assert_eq!(got["status"], "completed", "{recording}: {got}");
        assert_eq!(
            got["output_text"],
            expected.text.as_str(),
            "{recording}: {got}"
        );
        assert_eq!(
            got["streamed_text"],
            expected.text.as_str(),
            "{recording}: {got}"
        );
        let calls: Vec<(String, String)> = got["tool_calls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_owned(),
                    c["arguments"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(calls, expected.tool_calls, "{recording}: {got}");
        for call in got["tool_calls"].as_array().unwrap() {
            assert!(
                !call["call_id"].as_str().unwrap_or_default().is_empty(),
                "{recording}: a call without call_id: {got}"
            );
        }
        let types = event_types(&got["event_types"], recording);
        assert_eq!(
            types
                .iter()
                .filter(|t| **t == "response.function_call_arguments.done")
                .count(),
            expected.tool_calls.len(),
            "{recording}: {types:?}"
        );

        // What reached the upstream: this turn's user message and the tools, by name.
        let sent = &upstream.requests()[n];
        assert_eq!(sent["model"], model.as_str());
        assert_eq!(sent["messages"][0]["role"], "user", "{sent}");
        let sent_names: Vec<&str> = sent["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["function"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(sent_names, names, "{sent}");
    }
}

/// Two turns with `previous_response_id`; returns what the script printed.
async fn two_turns(store: Arc<dyn Store>) {
    let upstream = Upstream::start().await;
    let gateway = start_gateway(config(&upstream, &[]), store).await;
    // Both turns replay a DeepSeek text answer.
    let recording = "ruby_llm__vcr_cassettes__chat_function_calling_deepseek_deepseek-chat_can_use_tools_with_multi-turn_streaming_conversations__i1";
    let expected = fold_fixture(&fixtures_dir().join(format!("{recording}.sse")));
    assert!(!expected.text.is_empty());
    let model = format!("fixture:{recording}");
    let out = run_client(
        python(),
        &[&script("responses_previous.py"), &gateway.v1(), &model],
        &[],
        &e2e_dir(),
    )
    .await;
    let got = out.json();
    assert_eq!(got["first"]["status"], "completed", "{got}");
    assert_eq!(got["first"]["text"], expected.text.as_str(), "{got}");
    assert_eq!(got["second"]["status"], "completed", "{got}");
    assert_eq!(got["second"]["text"], expected.text.as_str(), "{got}");
    assert_eq!(
        got["second"]["previous_response_id"], got["first"]["id"],
        "{got}"
    );
    assert_ne!(got["second"]["id"], got["first"]["id"], "{got}");
    // The second response is stored and retrievable, with its link.
    assert_eq!(got["retrieved"]["id"], got["second"]["id"], "{got}");
    assert_eq!(got["retrieved"]["text"], expected.text.as_str(), "{got}");
    assert_eq!(
        got["retrieved"]["previous_response_id"], got["first"]["id"],
        "{got}"
    );

    // The second upstream request carries the first turn: its user message and the answer.
    let requests = upstream.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    let messages = requests[1]["messages"].as_array().unwrap().clone();
    let turns: Vec<(String, String)> = messages
        .iter()
        .map(|m| {
            let content = match &m["content"] {
                Value::String(text) => text.clone(),
                Value::Array(parts) => parts
                    .iter()
                    .filter_map(|p| p["text"].as_str())
                    .collect::<String>(),
                other => other.to_string(),
            };
            (m["role"].as_str().unwrap().to_owned(), content)
        })
        .collect();
    assert_eq!(
        turns,
        [
            ("user".to_owned(), "My name is Ada. Remember it.".to_owned()),
            ("assistant".to_owned(), expected.text.clone()),
            ("user".to_owned(), "What is my name?".to_owned()),
        ],
        "{messages:?}"
    );
    // The first request had only the first turn.
    assert_eq!(requests[0]["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn python_sdk_previous_response_id_on_sqlite() {
    if skipped("python_sdk_previous_response_id_on_sqlite") {
        return;
    }
    require_python_openai();
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::sqlite(&dir.path().join("gateway.db"))
        .await
        .unwrap();
    assert_eq!(store.backend(), "sqlite");
    two_turns(Arc::new(store)).await;
}

#[tokio::test]
async fn python_sdk_previous_response_id_on_postgres() {
    if skipped("python_sdk_previous_response_id_on_postgres") {
        return;
    }
    require_python_openai();
    assert!(
        Postgres::find_bin().is_some(),
        "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin, \
         /usr/local/bin, /usr/bin or $PG_BIN: install them (`apt-get install postgresql`) \
         or set OPENAI_WIRE_E2E_SKIP=1 to skip the end-to-end tests"
    );
    let server = Postgres::start().expect("PostgreSQL binaries found but the server did not start");
    let store = SqlStore::postgres(&server.url()).await.unwrap();
    assert_eq!(store.backend(), "postgres");
    two_turns(Arc::new(store)).await;
}

/// Strict readers: the SDK's typed `Response` validates the raw JSON of a non-streaming
/// answer, and no Response the gateway writes (non-streaming, each lifecycle event of a
/// stream, `retrieve`) lacks a field of OpenAI's own objects; `responses.compact` returns a
/// `response.compaction` whose output ends with exactly one compaction item.
#[tokio::test]
async fn python_sdk_models_read_complete_response_objects_and_compaction() {
    if skipped("python_sdk_models_read_complete_response_objects_and_compaction") {
        return;
    }
    require_python_openai();
    let upstream = Upstream::start().await;
    let gateway = start_gateway(
        config(&upstream, &[]),
        Arc::new(openai_wire_gateway::MemoryStore::new()),
    )
    .await;
    let recording = "ruby_llm__vcr_cassettes__chat_function_calling_deepseek_deepseek-chat_can_use_tools_with_multi-turn_streaming_conversations__i1";
    let model = format!("fixture:{recording}");
    let out = run_client(
        python(),
        &[&script("responses_strict.py"), &gateway.v1(), &model],
        &[],
        &e2e_dir(),
    )
    .await;
    let got = out.json();
    let none: Vec<Value> = Vec::new();
    assert_eq!(got["create"], json!(none), "non-streaming: {got}");
    assert_eq!(got["retrieve"], json!(none), "retrieve: {got}");
    let streamed = got["stream"].as_object().unwrap();
    for kind in [
        "response.created",
        "response.in_progress",
        "response.completed",
    ] {
        assert_eq!(streamed[kind], json!(none), "{kind}: {got}");
    }
    let compact = &got["compact"];
    assert_eq!(compact["lacking"], json!(none), "{got}");
    assert_eq!(compact["object"], "response.compaction", "{got}");
    assert_eq!(compact["created_at_is_int"], true, "{got}");
    let types = compact["output_types"].as_array().unwrap();
    assert_eq!(types.last().unwrap(), "compaction", "{got}");
    assert_eq!(
        types.iter().filter(|t| *t == "compaction").count(),
        1,
        "{got}"
    );
    // The compaction was made from one summary request that carried the conversation.
    let summary_requests: Vec<Value> = upstream
        .requests()
        .into_iter()
        .filter(|r| r["stream"] == false)
        .collect();
    assert_eq!(summary_requests.len(), 1, "{summary_requests:?}");
    let asked = summary_requests[0].to_string();
    assert!(asked.contains("My name is Ada."), "{asked}");
}
