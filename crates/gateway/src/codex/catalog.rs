//! Codex CLI's model catalog (`model_catalog_json`): one entry per model the gateway serves.

use serde_json::{Value, json};

use super::{CODEX_VERSION, CodexOptions};
use crate::config::{
    Config, DEFAULT_CONTEXT_WINDOW, InputModality, ProviderConfig, ProviderKind, UpstreamApi,
};

/// The base instructions of every entry: Codex sends them as the first developer message.
const INSTRUCTIONS: &str = include_str!("instructions.md");

/// What one entry says, resolved from the provider's settings and their defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Resolved {
    context_window: u64,
    auto_compact_token_limit: Option<u64>,
    input_modalities: Vec<InputModality>,
    reasoning_summaries: bool,
    parallel_tool_calls: bool,
    tool_search: bool,
    /// Whether the provider reads `reasoning.effort` (then Codex offers and sends efforts).
    reasoning_effort: bool,
}

/// `model`'s settings at `provider` (called `name` in the config): its `model_info`, then the
/// provider's settings, then the defaults [`ModelInfo`](crate::ModelInfo) documents.
fn resolve(provider: &ProviderConfig, name: &str, model: &str) -> Resolved {
    let info = provider.model_info.get(model).cloned().unwrap_or_default();
    let kind = provider.kind(name);
    let responses = provider.api == UpstreamApi::Responses;
    let input_modalities = info.input_modalities.unwrap_or_else(|| {
        if kind == ProviderKind::OpenAi {
            vec![InputModality::Text, InputModality::Image]
        } else {
            vec![InputModality::Text]
        }
    });
    Resolved {
        context_window: info
            .context_window
            .or(provider.context_window)
            .unwrap_or(DEFAULT_CONTEXT_WINDOW),
        auto_compact_token_limit: info.auto_compact_token_limit,
        input_modalities,
        reasoning_summaries: info.reasoning_summaries.unwrap_or(responses),
        parallel_tool_calls: info.parallel_tool_calls.unwrap_or(true),
        tool_search: info.tool_search.unwrap_or(false),
        reasoning_effort: responses || provider.request_settings(name).send_reasoning_effort,
    }
}

/// The reasoning efforts offered for a model whose provider reads `reasoning.effort`.
fn reasoning_levels() -> Value {
    json!([
        {"effort": "low", "description": "Faster answers, less reasoning"},
        {"effort": "medium", "description": "Balanced speed and reasoning"},
        {"effort": "high", "description": "More reasoning for harder problems"},
    ])
}

/// The catalog entry of `model`, served by the provider called `name`; `priority` orders
/// Codex's model picker (1 first).
fn entry(
    model: &str,
    name: &str,
    provider: &ProviderConfig,
    priority: usize,
    websockets: bool,
) -> Value {
    let settings = resolve(provider, name, model);
    let upstream = provider.upstream_model(model);
    let mut entry = json!({
        "slug": model,
        "display_name": model,
        "description": format!("{upstream} at provider `{name}`, through openai-wire"),
        "visibility": "list",
        "supported_in_api": true,
        "priority": priority,
        "base_instructions": INSTRUCTIONS,
        "context_window": settings.context_window,
        "input_modalities": settings.input_modalities.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
        "apply_patch_tool_type": "freeform",
        "shell_type": "shell_command",
        "supports_parallel_tool_calls": settings.parallel_tool_calls,
        "supports_reasoning_summaries": settings.reasoning_summaries,
        "supports_reasoning_summary_parameter": settings.reasoning_summaries,
        "default_reasoning_summary": if settings.reasoning_summaries { "auto" } else { "none" },
        "supported_reasoning_levels": [],
        "support_verbosity": false,
        "default_verbosity": null,
        "truncation_policy": {"mode": "tokens", "limit": 10_000},
        "experimental_supported_tools": [],
        "supports_search_tool": settings.tool_search,
        "use_responses_lite": false,
        "prefer_websockets": websockets,
    });
    if let Some(limit) = settings.auto_compact_token_limit {
        entry["auto_compact_token_limit"] = json!(limit);
    }
    if settings.reasoning_effort {
        entry["supported_reasoning_levels"] = reasoning_levels();
        entry["default_reasoning_level"] = json!("medium");
    }
    entry
}

/// The catalog: every model of [`Config::models`], in that order.
pub(super) fn catalog(config: &Config, options: &CodexOptions) -> Value {
    let models: Vec<Value> = config
        .models()
        .iter()
        .enumerate()
        .filter_map(|(i, (model, name))| {
            let provider = config.providers.get(name)?;
            Some(entry(model, name, provider, i + 1, options.websockets))
        })
        .collect();
    json!({
        "_comment": format!(
            "Codex CLI model catalog (model_catalog_json) written by `openai-wire codex-config`; \
             format checked against Codex CLI {CODEX_VERSION}"
        ),
        "codex_version": CODEX_VERSION,
        "models": models,
    })
}
