//! `openai-wire codex-config`: the Codex CLI configuration for a gateway.

use std::fmt::Write as _;

use crate::config::Config;

/// Renders the `config.toml` block that points Codex CLI at this gateway
/// (`[model_providers.openai-wire]`, `wire_api = "responses"`, no retries that would hide a
/// dead gateway), followed by a model catalog: one commented profile per configured model.
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
/// assert!(text.contains("wire_api = \"responses\""));
/// assert!(text.contains("[profiles.deepseek-chat]"));
/// # Ok::<(), openai_wire_gateway::ConfigError>(())
/// ```
pub fn codex_config(config: &Config, base_url: &str) -> String {
    codex_config_with(config, base_url, &CodexOptions::default())
}

/// Choices of [`codex_config_with`] beyond the gateway's configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodexOptions {
    /// Let Codex use WebSocket mode (`GET /v1/responses` upgraded): the provider block gets
    /// `supports_websockets = true`.
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
    out.push_str("# Codex CLI configuration for openai-wire (add to $CODEX_HOME/config.toml).\n");
    out.push_str("# Set OPENAI_WIRE_API_KEY to one of the gateway's client keys (any value if it has none).\n");
    if let Some((model, _)) = models.first() {
        let _ = writeln!(out, "model = {}", quote(model));
    }
    out.push_str("model_provider = \"openai-wire\"\n\n");
    out.push_str("[model_providers.openai-wire]\n");
    out.push_str("name = \"openai-wire\"\n");
    let _ = writeln!(out, "base_url = {}", quote(base_url));
    out.push_str("env_key = \"OPENAI_WIRE_API_KEY\"\n");
    out.push_str("wire_api = \"responses\"\n");
    out.push_str("request_max_retries = 0\n");
    out.push_str("stream_max_retries = 0\n");
    if options.websockets {
        out.push_str("# WebSocket mode: one connection per session, GET /v1/responses upgraded.\n");
        out.push_str("supports_websockets = true\n");
    }
    if models.is_empty() {
        out.push_str("\n# No models are configured: list them under providers.<name>.models.\n");
        return out;
    }
    out.push_str("\n# Model catalog: `codex --profile NAME` picks one.\n");
    for (model, provider) in &models {
        let _ = writeln!(out, "\n[profiles.{}]", key(model));
        let _ = writeln!(out, "model = {}", quote(model));
        out.push_str("model_provider = \"openai-wire\"\n");
        if let Some(window) = config
            .providers
            .get(provider)
            .and_then(|p| p.context_window)
        {
            let _ = writeln!(out, "model_context_window = {window}");
        }
        let _ = writeln!(out, "# served by provider `{provider}`");
    }
    out
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

fn key(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        text.to_owned()
    } else {
        quote(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SimpleOptions;

    fn config() -> Config {
        Config::simple(SimpleOptions {
            upstream: "https://api.deepseek.com/v1".into(),
            api_key_env: None,
            model_map: vec![("gpt-5".into(), "deepseek-chat".into())],
        })
        .unwrap()
    }

    #[test]
    fn websocket_mode_is_offered_only_when_asked() {
        let base = "http://127.0.0.1:8787/v1";
        assert!(!codex_config(&config(), base).contains("supports_websockets"));
        let options = CodexOptions::default().websockets(true);
        let text = codex_config_with(&config(), base, &options);
        let block = text
            .split("[model_providers.openai-wire]")
            .nth(1)
            .and_then(|rest| rest.split("\n[").next())
            .unwrap();
        assert!(block.contains("\nsupports_websockets = true\n"), "{text}");
        assert!(block.contains("wire_api = \"responses\""), "{text}");
    }
}
