//! End to end: the files `openai-wire codex-config` writes (`config.toml` and the model catalog,
//! rendered here by the real `codex_config_with` and `codex_catalog`) make the pinned Codex CLI
//! (0.171.0, `e2e/node_modules/.bin/codex`) treat models it does not know (`deepseek-chat`,
//! `deepseek-reasoner`) as the catalog says. Checked on what Codex sent the gateway and what
//! the scripted upstream then received, not on Codex's exit code alone:
//!
//! - without the catalog, Codex gives `deepseek-chat` generic metadata: no `apply_patch` tool,
//!   Codex's generic prompt, `reasoning.summary` asked for;
//! - with it: `apply_patch` as a custom (freeform) tool, the catalog's base instructions, no
//!   summary asked for a Chat model, and an attached image replaced by a note (text-only input);
//! - a model whose `model_info` asks for reasoning summaries and tool search gets
//!   `reasoning.summary` and Codex's `tool_search` (offered upstream as a function), and its
//!   `auto_compact_token_limit` makes Codex compact before its next turn.
//!
//! `OPENAI_WIRE_E2E_SKIP=1` skips these tests; otherwise a missing Codex fails them.

mod support;

use std::path::Path;
use std::sync::Arc;

use openai_wire_gateway::{
    CODEX_CATALOG_FILE, CodexOptions, Config, MemoryStore, ModelInfo, codex_catalog,
    codex_config_with,
};
use serde_json::Value;
use support::e2e::{
    RunningGateway, config, e2e_dir, fold_fixture, require_node_package, run_client, skipped,
    start_gateway,
};
use support::upstream::{Upstream, turns_dir};

/// The scripted tool-call turn (`exec_command {"cmd": "echo hello"}`, then an answer).
const SCRIPT: &str = "codex_exec_command";
/// The scripted upstream's answer to a model it has no script for.
const PLAIN_ANSWER: &str = "Hello from the scripted upstream.";
/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64, 0xf8, 0xcf, 0x50,
    0x0f, 0x00, 0x03, 0x86, 0x01, 0x80, 0x5a, 0x34, 0x7d, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// The gateway in front of the scripted upstream: `deepseek-chat` (no `model_info`: the
/// defaults) runs the tool-call script; `deepseek-reasoner` gets the plain answer, with
/// reasoning summaries and an auto-compaction limit below one turn's usage (7 tokens).
fn gateway_config(upstream: &Upstream) -> Config {
    let mut config = config(
        upstream,
        &[
            ("deepseek-chat", &format!("turns:{SCRIPT}")),
            ("deepseek-reasoner", "plain"),
        ],
    );
    let provider = config.providers.get_mut("scripted").unwrap();
    provider.model_info.insert(
        "deepseek-reasoner".into(),
        ModelInfo {
            reasoning_summaries: Some(true),
            auto_compact_token_limit: Some(2),
            tool_search: Some(true),
            ..ModelInfo::default()
        },
    );
    config
}

/// A `CODEX_HOME` holding `codex-config`'s two files for `config` (or only its `config.toml`,
/// without `model_catalog_json`, when `catalog` is false), plus what keeps a test run hermetic:
/// no update check, no plugin fetch, no analytics, no endless reconnecting.
fn codex_home(config: &Config, gateway: &RunningGateway, catalog: bool) -> tempfile::TempDir {
    let options = CodexOptions::default();
    let home = tempfile::tempdir().unwrap();
    let mut toml: toml::Table = codex_config_with(config, &gateway.v1(), &options)
        .parse()
        .expect("codex-config writes TOML");
    if catalog {
        std::fs::write(
            home.path().join(CODEX_CATALOG_FILE),
            codex_catalog(config, &options),
        )
        .unwrap();
    } else {
        toml.remove("model_catalog_json");
    }
    let extra: toml::Table = "check_for_update_on_startup = false\n\
                              features = { unbounded_connection_retries = false, plugins = false }\n\
                              analytics = { enabled = false }"
        .parse()
        .unwrap();
    toml.extend(extra);
    std::fs::write(
        home.path().join("config.toml"),
        toml::to_string(&toml).unwrap(),
    )
    .unwrap();
    home
}

/// Runs `codex exec --json ARGS...` with `home` as `CODEX_HOME`, in `work`; returns its JSON
/// events, failing the test (with Codex's output) unless the turn completed.
async fn codex(home: &Path, work: &Path, args: &[&str]) -> Vec<Value> {
    require_node_package("@openai/codex");
    let binary = e2e_dir().join("node_modules/.bin/codex");
    let mut all = vec![
        "exec",
        "--skip-git-repo-check",
        "--dangerously-bypass-approvals-and-sandbox",
        "--json",
    ];
    all.extend_from_slice(args);
    let home = home.to_string_lossy().into_owned();
    let out = run_client(
        &binary,
        &all,
        &[("CODEX_HOME", &home), ("OPENAI_WIRE_API_KEY", "e2e-key")],
        work,
    )
    .await;
    let events = out.jsonl();
    let completed = events.iter().any(|e| e["type"] == "turn.completed")
        && !events.iter().any(|e| e["type"] == "turn.failed");
    assert!(
        completed,
        "--- stdout\n{}\n--- stderr\n{}",
        out.stdout, out.stderr
    );
    events
}

/// The tool of `request` called `name`.
fn tool<'a>(request: &'a Value, name: &str) -> Option<&'a Value> {
    request["tools"]
        .as_array()?
        .iter()
        .find(|t| t["name"] == name)
}

/// The text of `request`'s first input item (Codex's base instructions).
fn first_text(request: &Value) -> &str {
    request["input"][0]["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
}

/// The texts of the user messages of `request`, each as one string.
fn user_texts(request: &Value) -> Vec<String> {
    request["input"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["role"] == "user")
        .map(|item| item["content"].to_string())
        .collect()
}

/// `deepseek-chat`, a name Codex 0.171.0 does not know: generic metadata without the catalog,
/// the catalog's settings with it. The turn runs `echo hello` and answers either way.
#[tokio::test]
async fn codex_treats_an_unknown_model_as_the_catalog_says() {
    if skipped("codex_treats_an_unknown_model_as_the_catalog_says") {
        return;
    }
    let final_text = fold_fixture(&turns_dir().join(format!("{SCRIPT}.turn2.sse"))).text;
    let upstream = Upstream::start().await;
    let config = gateway_config(&upstream);
    let gateway = start_gateway(config.clone(), Arc::new(MemoryStore::new())).await;
    let prompt = "run `echo hello` and report what it printed";
    let work = tempfile::tempdir().unwrap();
    let args = ["--ephemeral", "-m", "deepseek-chat"];

    // Without the catalog: Codex's generic fallback.
    let home = codex_home(&config, &gateway, false);
    let events = codex(home.path(), work.path(), &[&args[..], &[prompt]].concat()).await;
    let fallback = gateway.responses_requests();
    assert_eq!(fallback.len(), 2, "{fallback:#?}");
    assert!(
        tool(&fallback[0], "apply_patch").is_none(),
        "{:#}",
        fallback[0]
    );
    assert_eq!(fallback[0]["reasoning"]["summary"], "auto");
    assert!(
        events
            .iter()
            .any(|e| e["item"]["text"] == final_text.as_str())
    );

    // With it, and an image attached.
    let home = codex_home(&config, &gateway, true);
    std::fs::write(work.path().join("pixel.png"), PNG).unwrap();
    let with_image = ["--image", "pixel.png", "--", prompt];
    let events = codex(home.path(), work.path(), &[&args[..], &with_image].concat()).await;
    assert!(
        events
            .iter()
            .any(|e| e["item"]["type"] == "command_execution"
                && e["item"]["aggregated_output"]
                    .as_str()
                    .is_some_and(|out| out.contains("hello"))),
        "{events:#?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e["item"]["text"] == final_text.as_str())
    );
    let sent = &gateway.responses_requests()[fallback.len()..];
    assert_eq!(sent.len(), 2, "{sent:#?}");
    let entry = catalog_entry(home.path(), "deepseek-chat");
    for request in sent {
        assert_follows_the_entry(request, &entry);
    }
    let requests = upstream.requests();
    let chat = &requests[fallback.len()..];
    assert_eq!(chat.len(), 2, "{requests:#?}");
    assert_upstream_got_the_tools_and_no_image(chat);
}

/// The catalog entry of `slug` in `home`'s catalog file.
fn catalog_entry(home: &Path, slug: &str) -> Value {
    let text = std::fs::read_to_string(home.join(CODEX_CATALOG_FILE)).unwrap();
    let catalog: Value = serde_json::from_str(&text).unwrap();
    catalog["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["slug"] == slug)
        .cloned()
        .unwrap_or_else(|| panic!("no {slug} in {catalog:#}"))
}

/// What Codex sent for `deepseek-chat` with the catalog `entry` (the defaults of a Chat model),
/// a `pixel.png` attached.
fn assert_follows_the_entry(request: &Value, entry: &Value) {
    assert_eq!(request["model"], "deepseek-chat");
    // apply_patch_tool_type = "freeform": a custom tool with its grammar.
    let patch = tool(request, "apply_patch").unwrap_or_else(|| panic!("{request:#}"));
    assert_eq!(patch["type"], "custom", "{patch:#}");
    assert_eq!(patch["format"]["type"], "grammar", "{patch:#}");
    assert_eq!(tool(request, "exec_command").unwrap()["type"], "function");
    // base_instructions: the first developer message.
    assert_eq!(request["input"][0]["role"], "developer");
    assert_eq!(
        first_text(request),
        entry["base_instructions"].as_str().unwrap()
    );
    // A Chat model: no reasoning summary asked for, no effort (the provider reads none).
    let reasoning = &request["reasoning"];
    assert!(reasoning.get("summary").is_none(), "{reasoning:#}");
    assert!(reasoning.get("effort").is_none(), "{reasoning:#}");
    // input_modalities = ["text"]: the image stays out, replaced by a note.
    let input = request["input"].to_string();
    assert!(!input.contains("input_image"), "{input}");
    let texts = user_texts(request);
    assert!(
        texts
            .iter()
            .any(|text| text.contains("pixel.png") && text.contains("image content omitted")),
        "{texts:#?}"
    );
}

/// What the upstream got for the two requests of the turn: `apply_patch` and `exec_command`
/// among the tools, no image, and the call's result in the second.
fn assert_upstream_got_the_tools_and_no_image(chat: &[Value]) {
    for request in chat {
        let names: Vec<&str> = request["tools"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t["function"]["name"].as_str())
            .collect();
        assert!(names.contains(&"apply_patch"), "{names:?}");
        assert!(names.contains(&"exec_command"), "{names:?}");
        let messages = request["messages"].to_string();
        assert!(!messages.contains("image_url"), "{messages}");
    }
    let messages = chat[1]["messages"].as_array().unwrap();
    assert!(
        messages
            .iter()
            .any(|m| m["role"] == "tool" && m["content"].to_string().contains("hello")),
        "{messages:#?}"
    );
}

/// `deepseek-reasoner`, whose `model_info` asks for reasoning summaries, tool search and
/// compaction at 2 tokens: Codex asks for `reasoning.summary`, offers `tool_search` and, before the session's second turn, compacts
/// (locally: a summary turn through the gateway), then sends the summary in place of the
/// first turn's answer. With the default window (128k) one turn (7 tokens) never compacts.
#[tokio::test]
async fn codex_follows_the_catalogs_reasoning_summaries_and_compaction_limit() {
    if skipped("codex_follows_the_catalogs_reasoning_summaries_and_compaction_limit") {
        return;
    }
    let upstream = Upstream::start().await;
    let config = gateway_config(&upstream);
    let gateway = start_gateway(config.clone(), Arc::new(MemoryStore::new())).await;
    let home = codex_home(&config, &gateway, true);
    let work = tempfile::tempdir().unwrap();
    let first = "say hi";
    let second = "say it again";
    let model = ["-m", "deepseek-reasoner"];
    codex(home.path(), work.path(), &[&model[..], &[first]].concat()).await;
    let resume = ["resume", "--last", second];
    let events = codex(home.path(), work.path(), &[&model[..], &resume].concat()).await;
    assert!(
        events.iter().any(|e| e["item"]["text"] == PLAIN_ANSWER),
        "{events:#?}"
    );

    let sent = gateway.responses_requests();
    assert_eq!(sent.len(), 3, "turn, compaction, turn: {sent:#?}");
    for request in &sent {
        assert_eq!(request["model"], "deepseek-reasoner");
        assert_eq!(
            request["reasoning"]["summary"], "auto",
            "{:#}",
            request["reasoning"]
        );
    }
    // tool_search: Codex offers its client-executed tool_search and holds the multi-agent
    // tools back behind it; the upstream is offered tool_search as a function.
    let turn = &sent[0];
    let search = turn["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "tool_search");
    assert_eq!(
        search.map(|t| &t["execution"]),
        Some(&Value::from("client"))
    );
    assert!(
        tool(turn, "multi_agent_v1").is_none(),
        "{:#}",
        turn["tools"]
    );
    let offered: Vec<String> = upstream.requests()[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["function"]["name"].as_str().map(str::to_owned))
        .collect();
    assert!(
        offered.iter().any(|name| name == "tool_search"),
        "{offered:?}"
    );
    let says = |request: &Value, text: &str| {
        user_texts(request)
            .iter()
            .any(|t| t.contains(&format!("\"text\":\"{text}\"")))
    };
    let answers = |request: &Value| {
        request["input"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|item| item["role"] == "assistant")
            .count()
    };
    // The compaction request: the first turn and its answer, then Codex's summary prompt.
    let compaction = &sent[1];
    assert!(says(compaction, first), "{compaction:#}");
    assert!(!says(compaction, second), "{compaction:#}");
    assert_eq!(answers(compaction), 1, "{compaction:#}");
    // The second turn: the summary (the upstream's answer to the compaction request) in place
    // of the first turn's answer; Codex keeps the user's messages.
    let after = &sent[2];
    assert!(says(after, second), "{after:#}");
    assert_eq!(answers(after), 0, "{after:#}");
    assert!(
        user_texts(after).iter().any(|t| t.contains(PLAIN_ANSWER)),
        "{after:#}"
    );
    assert_eq!(upstream.requests().len(), 3);
}
