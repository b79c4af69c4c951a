//! `openai-wire codex-config`: the Codex CLI configuration for a gateway, in two files.
//!
//! - **`config.toml`** ([`codex_config`]): the provider block that points Codex at the gateway
//!   (`wire_api = "responses"`), the first configured model as `model`, and
//!   `model_catalog_json = "openai-wire-models.json"`, which Codex reads relative to the
//!   directory of `config.toml` (`$CODEX_HOME`, by default `~/.codex`). Codex's own retries
//!   (`request_max_retries`, `stream_max_retries`) are left at its defaults.
//! - **the model catalog** ([`codex_catalog`], [`CODEX_CATALOG_FILE`]): one entry per model the
//!   gateway serves ([`Config::models`]). For a model name it has no entry for, Codex falls
//!   back to generic metadata: no `apply_patch` tool among others. The catalog **replaces**
//!   Codex's built-in one, so a model missing from it (even `gpt-5.5`) gets that fallback.
//!
//! The catalog's format was checked against Codex CLI [`CODEX_VERSION`] (0.171.0), by
//! running it: `codex debug models` shows how it read the file, and the requests it then sent
//! show the effect. What each entry says, and what that Codex does with it:
//!
//! | field | value | effect in Codex 0.171.0 |
//! | --- | --- | --- |
//! | `slug`, `display_name`, `description`, `visibility`, `priority` | the client model name, its upstream and provider, `"list"`, the order of [`Config::models`] | the model picker |
//! | `base_instructions` | openai-wire's own coding-agent prompt | the first developer message; Codex's `model_instructions_file` setting replaces it. Required: Codex refuses an entry without it, and with it empty sends no base prompt at all |
//! | `apply_patch_tool_type` | `"freeform"` | `apply_patch` is offered as a custom (freeform, grammar) tool |
//! | `shell_type` | `"shell_command"`, as Codex's own models | the `exec_command`/`write_stdin` tools |
//! | `context_window` | `model_info.context_window`, the provider's `context_window`, else [`DEFAULT_CONTEXT_WINDOW`](crate::config::DEFAULT_CONTEXT_WINDOW) | context accounting and, at 90% of it, auto-compaction |
//! | `auto_compact_token_limit` | `model_info.auto_compact_token_limit`, only when set | compaction starts there (never above 90% of the window) |
//! | `input_modalities` | `model_info.input_modalities`, else `["text", "image"]` for kind `openai`, `["text"]` otherwise | without `image`, Codex replaces an attached image with a note that the model cannot see it |
//! | `supports_reasoning_summary_parameter`, `default_reasoning_summary` | from `model_info.reasoning_summaries` (default: true for `api = "responses"` upstreams, false for Chat ones): `true`/`"auto"` or `false`/`"none"` | `reasoning.summary` is sent (`"auto"`) or not |
//! | `supported_reasoning_levels`, `default_reasoning_level` | low/medium/high and `"medium"` when the provider reads `reasoning.effort` (`send_reasoning_effort`, or a Responses upstream), else none | `reasoning.effort` is sent or not |
//! | `supports_search_tool` | `model_info.tool_search`, default `false` | `true`: Codex offers its client-executed `tool_search` and holds MCP, app and multi-agent tools back behind it; `false`: every tool is offered in every request |
//! | `use_responses_lite` | `false` | the ordinary request shape, tools in `tools` |
//! | `truncation_policy` | 10,000 tokens, as Codex's own models | how much tool output Codex keeps |
//! | `prefer_websockets` | [`CodexOptions::websockets`] | none: 0.171.0 does not read it (it connects over WebSocket when the provider block says `supports_websockets = true`, which `websockets` also writes); kept for other versions |
//! | `supports_parallel_tool_calls`, `supports_reasoning_summaries` | `model_info.parallel_tool_calls` (default true), as above | none in 0.171.0 (it sends `parallel_tool_calls: true` either way); kept for other versions |
//!
//! A Codex newer than [`CODEX_VERSION`] may read the catalog differently: check with
//! `codex debug models` that it reads every entry.

use std::fmt::Write as _;

use crate::config::Config;

mod catalog;

/// The Codex CLI version the catalog format and the configuration were checked against.
pub const CODEX_VERSION: &str = "0.171.0";

/// The catalog's file name, which the generated `config.toml` names in `model_catalog_json`:
/// Codex reads it from the directory `config.toml` is in.
pub const CODEX_CATALOG_FILE: &str = "openai-wire-models.json";

/// Renders Codex CLI's `config.toml` for this gateway: `model` (the first configured model),
/// `model_provider`, `model_catalog_json` ([`CODEX_CATALOG_FILE`]) and the provider block
/// `[model_providers.openai-wire]` (`wire_api = "responses"`, Codex's retries at its defaults).
/// The catalog it names is [`codex_catalog`].
///
/// `base_url` is where Codex reaches the gateway (`http://127.0.0.1:8787/v1`); the key
/// variable is `OPENAI_WIRE_API_KEY` (any value when the gateway has no client keys).
///
/// ```
/// use openai_wire_gateway::{Config, SimpleOptions, codex_config};
///
/// let config = Config::simple(SimpleOptions {
///     upstream: "https://api.deepseek.com/v1".into(),
///     api_key_env: Some("DEEPSEEK_API_KEY".into()),
///     model_map: vec![("deepseek-chat".into(), "deepseek-chat".into())],
/// })?;
/// let text = codex_config(&config, "http://127.0.0.1:8787/v1");
/// let toml: toml::Table = text.parse().unwrap();
/// assert_eq!(toml["model"].as_str(), Some("deepseek-chat"));
/// assert_eq!(toml["model_catalog_json"].as_str(), Some("openai-wire-models.json"));
/// let provider = &toml["model_providers"]["openai-wire"];
/// assert_eq!(provider["wire_api"].as_str(), Some("responses"));
/// assert!(provider.get("request_max_retries").is_none()); // Codex's own retries
/// # Ok::<(), openai_wire_gateway::ConfigError>(())
/// ```
pub fn codex_config(config: &Config, base_url: &str) -> String {
    codex_config_with(config, base_url, &CodexOptions::default())
}

/// Choices of [`codex_config_with`] and [`codex_catalog`] beyond the gateway's configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodexOptions {
    /// Let Codex use WebSocket mode (`GET /v1/responses` upgraded): the provider block gets
    /// `supports_websockets = true` and the catalog's entries `prefer_websockets: true`.
    pub websockets: bool,
}

impl CodexOptions {
    /// The options with WebSocket mode on or off.
    pub fn websockets(mut self, on: bool) -> Self {
        self.websockets = on;
        self
    }
}

/// [`codex_config`] with `options`.
///
/// ```
/// use openai_wire_gateway::{CodexOptions, Config, SimpleOptions, codex_config_with};
///
/// let config = Config::simple(SimpleOptions {
///     upstream: "https://api.deepseek.com/v1".into(),
///     ..SimpleOptions::default()
/// })?;
/// let options = CodexOptions::default().websockets(true);
/// let text = codex_config_with(&config, "http://127.0.0.1:8787/v1", &options);
/// assert!(text.contains("supports_websockets = true"));
/// # Ok::<(), openai_wire_gateway::ConfigError>(())
/// ```
pub fn codex_config_with(config: &Config, base_url: &str, options: &CodexOptions) -> String {
    let models = config.models();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Codex CLI configuration for openai-wire, written by `openai-wire codex-config`\n\
         # (checked against Codex CLI {CODEX_VERSION}). It goes in $CODEX_HOME/config.toml\n\
         # (~/.codex/config.toml), with the model catalog next to it:\n\
         #   openai-wire codex-config --catalog > ~/.codex/{CODEX_CATALOG_FILE}\n\
         # (`openai-wire codex-config --out DIR` writes both files into DIR.)\n\
         # Set OPENAI_WIRE_API_KEY to one of the gateway's client keys (any value if it has none)."
    );
    match models.first() {
        Some((model, _)) => {
            let _ = writeln!(out, "model = {}", quote(model));
        }
        None => {
            out.push_str("# No models are configured: list them under providers.<name>.models.\n")
        }
    }
    out.push_str("model_provider = \"openai-wire\"\n");
    out.push_str("# The gateway's models: context windows, tools, reasoning settings.\n");
    let _ = writeln!(out, "model_catalog_json = {}", quote(CODEX_CATALOG_FILE));
    out.push_str("\n[model_providers.openai-wire]\n");
    out.push_str("name = \"openai-wire\"\n");
    let _ = writeln!(out, "base_url = {}", quote(base_url));
    out.push_str("env_key = \"OPENAI_WIRE_API_KEY\"\n");
    out.push_str("wire_api = \"responses\"\n");
    if options.websockets {
        out.push_str("# WebSocket mode: one connection per session, GET /v1/responses upgraded.\n");
        out.push_str("supports_websockets = true\n");
    }
    out
}

/// Renders the model catalog that [`codex_config`]'s `model_catalog_json` names
/// ([`CODEX_CATALOG_FILE`]): JSON `{"models": [...]}`, one entry per model of
/// [`Config::models`], from each provider's `model_info`, `context_window`, kind and API, as the
/// [module docs](self) describe.
///
/// ```
/// use openai_wire_gateway::{CodexOptions, Config, SimpleOptions, codex_catalog};
///
/// let config = Config::simple(SimpleOptions {
///     upstream: "https://api.deepseek.com/v1".into(),
///     api_key_env: Some("DEEPSEEK_API_KEY".into()),
///     model_map: vec![("deepseek-chat".into(), "deepseek-chat".into())],
/// })?;
/// let text = codex_catalog(&config, &CodexOptions::default());
/// let catalog: serde_json::Value = serde_json::from_str(&text).unwrap();
/// let entry = &catalog["models"][0];
/// assert_eq!(entry["slug"], "deepseek-chat");
/// assert_eq!(entry["apply_patch_tool_type"], "freeform");
/// assert_eq!(entry["context_window"], 128_000); // the default
/// # Ok::<(), openai_wire_gateway::ConfigError>(())
/// ```
pub fn codex_catalog(config: &Config, options: &CodexOptions) -> String {
    let mut text = serde_json::to_string_pretty(&catalog::catalog(config, options))
        .expect("a JSON value always serializes");
    text.push('\n');
    text
}

fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests;
