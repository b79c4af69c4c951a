//! Driving the pinned Codex CLI (`e2e/node_modules/.bin/codex`) in a test, as
//! `shared/notes/codex-cli.md` describes: a temporary `CODEX_HOME` with a `config.toml`, an
//! empty working directory, `codex exec --json` with stdin closed.

use std::path::Path;

use serde_json::Value;

use super::e2e::{e2e_dir, require_node_package, run_client};

/// A Codex configuration pointing at a gateway.
pub struct CodexConfig<'a> {
    /// The model Codex asks for (`gpt-5.5`: one it knows, so it sends its real tool set).
    pub model: &'a str,
    /// The gateway's `/v1` URL.
    pub base_url: &'a str,
    /// The provider's display name (`OpenAI` changes what Codex does: remote compaction).
    pub provider_name: &'a str,
    /// Added to the top-level settings.
    pub top: &'a str,
    /// Added to the provider's settings.
    pub provider: &'a str,
    /// Added to `[features]`.
    pub features: &'a str,
    /// Added at the end (tables such as `[mcp_servers.NAME]`).
    pub tables: &'a str,
}

impl<'a> CodexConfig<'a> {
    /// `model` through the gateway at `base_url`, nothing else set.
    pub fn new(model: &'a str, base_url: &'a str) -> Self {
        CodexConfig {
            model,
            base_url,
            provider_name: "openai-wire",
            top: "",
            provider: "",
            features: "",
            tables: "",
        }
    }

    /// The `config.toml` text.
    pub fn render(&self) -> String {
        let CodexConfig {
            model,
            base_url,
            provider_name,
            top,
            provider,
            features,
            tables,
        } = self;
        format!(
            r#"model = "{model}"
model_provider = "wire"
check_for_update_on_startup = false
{top}

[model_providers.wire]
name = "{provider_name}"
base_url = "{base_url}"
env_key = "WIRE_API_KEY"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0
{provider}

[features]
unbounded_connection_retries = false
plugins = false
{features}

[analytics]
enabled = false

{tables}
"#
        )
    }
}

/// What a `codex exec` run printed.
pub struct CodexRun {
    /// Its `--json` events.
    pub events: Vec<Value>,
    /// Its stdout and stderr, for failure messages.
    pub context: String,
}

impl CodexRun {
    /// The completed items of type `kind`, with their position among the events.
    pub fn items(&self, kind: &str) -> Vec<(usize, &Value)> {
        self.events
            .iter()
            .enumerate()
            .filter(|(_, e)| e["type"] == "item.completed" && e["item"]["type"] == kind)
            .map(|(i, e)| (i, &e["item"]))
            .collect()
    }

    /// The text of the last `agent_message`, or "" when there is none.
    pub fn final_text(&self) -> String {
        self.items("agent_message")
            .last()
            .and_then(|(_, item)| item["text"].as_str())
            .unwrap_or_default()
            .to_owned()
    }

    /// Whether the turn completed without a `turn.failed` or `error` event.
    pub fn completed(&self) -> bool {
        self.events.iter().any(|e| e["type"] == "turn.completed")
            && !self
                .events
                .iter()
                .any(|e| e["type"] == "turn.failed" || e["type"] == "error")
    }
}

/// The pinned Codex binary; fails the test when it is not installed.
pub fn codex_binary() -> std::path::PathBuf {
    require_node_package("@openai/codex");
    let codex = e2e_dir().join("node_modules/.bin/codex");
    assert!(
        codex.exists(),
        "{} is missing: run `npm ci --prefix e2e`",
        codex.display()
    );
    codex
}

/// Runs `codex exec --json PROMPT` with `config` as its `config.toml`, in an empty directory.
pub async fn run_codex(config: &str, prompt: &str) -> CodexRun {
    run_codex_with_home(config, prompt, |_| {}).await
}

/// [`run_codex`], after `prepare` has written what else the run needs into `CODEX_HOME`.
pub async fn run_codex_with_home(
    config: &str,
    prompt: &str,
    prepare: impl FnOnce(&Path),
) -> CodexRun {
    let codex = codex_binary();
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("config.toml"), config).unwrap();
    prepare(home.path());
    let work = tempfile::tempdir().unwrap();
    let home_path = home.path().to_string_lossy().into_owned();
    let out = run_client(
        &codex,
        &[
            "exec",
            "--skip-git-repo-check",
            "--dangerously-bypass-approvals-and-sandbox",
            "--ephemeral",
            "--json",
            prompt,
        ],
        &[("CODEX_HOME", &home_path), ("WIRE_API_KEY", "e2e-key")],
        work.path(),
    )
    .await;
    CodexRun {
        events: out.jsonl(),
        context: format!("--- stdout\n{}\n--- stderr\n{}", out.stdout, out.stderr),
    }
}
