use serde_json::Value;

use super::*;
use crate::config::{DEFAULT_CONTEXT_WINDOW, SimpleOptions};

const BASE: &str = "http://127.0.0.1:8787/v1";

/// Three providers: DeepSeek (Chat, with per-model settings), OpenAI relayed as Responses, and
/// Groq (Chat, reads `reasoning_effort`).
const FILE: &str = r#"
[providers.deepseek]
kind = "deepseek"
base_url = "https://api.deepseek.com/v1"
models = ["deepseek-chat", "deepseek-reasoner"]
model_map = { "gpt-5.5" = "deepseek-chat" }
context_window = 131072

[providers.deepseek.model_info."deepseek-reasoner"]
context_window = 65536
auto_compact_token_limit = 50000
reasoning_summaries = true
parallel_tool_calls = false
tool_search = true

[providers.openai]
base_url = "https://api.openai.com/v1"
api = "responses"
models = ["gpt-5.4"]

[providers.groq]
base_url = "https://api.groq.com/openai/v1"
models = ["openai/gpt-oss-120b"]
model_info."openai/gpt-oss-120b" = { input_modalities = ["text", "image"] }
"#;

fn simple() -> Config {
    Config::simple(SimpleOptions {
        upstream: "https://api.deepseek.com/v1".into(),
        api_key_env: None,
        model_map: vec![("gpt-5".into(), "deepseek-chat".into())],
    })
    .unwrap()
}

fn toml_of(text: &str) -> toml::Table {
    text.parse()
        .unwrap_or_else(|e| panic!("not TOML: {e}\n{text}"))
}

fn catalog_of(config: &Config, options: &CodexOptions) -> Value {
    let text = codex_catalog(config, options);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON: {e}\n{text}"))
}

fn entry<'a>(catalog: &'a Value, slug: &str) -> &'a Value {
    catalog["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["slug"] == slug)
        .unwrap_or_else(|| panic!("no entry {slug} in {catalog:#}"))
}

#[test]
fn config_toml_names_the_gateway_the_first_model_and_the_catalog_and_keeps_codex_retries() {
    let text = codex_config(&simple(), BASE);
    let toml = toml_of(&text);
    assert_eq!(toml["model"].as_str(), Some("gpt-5"));
    assert_eq!(toml["model_provider"].as_str(), Some("openai-wire"));
    assert_eq!(
        toml["model_catalog_json"].as_str(),
        Some(CODEX_CATALOG_FILE)
    );
    assert!(toml.get("profiles").is_none(), "{text}");
    let provider = toml["model_providers"]["openai-wire"].as_table().unwrap();
    assert_eq!(provider["base_url"].as_str(), Some(BASE));
    assert_eq!(provider["wire_api"].as_str(), Some("responses"));
    assert_eq!(provider["env_key"].as_str(), Some("OPENAI_WIRE_API_KEY"));
    for absent in [
        "request_max_retries",
        "stream_max_retries",
        "supports_websockets",
    ] {
        assert!(!provider.contains_key(absent), "{absent} in {text}");
    }
    assert!(text.contains(CODEX_VERSION), "{text}");
}

#[test]
fn websocket_mode_is_offered_only_when_asked() {
    let options = CodexOptions::default().websockets(true);
    let toml = toml_of(&codex_config_with(&simple(), BASE, &options));
    let provider = &toml["model_providers"]["openai-wire"];
    assert_eq!(provider["supports_websockets"].as_bool(), Some(true));
    assert_eq!(provider["wire_api"].as_str(), Some("responses"));
    let catalog = catalog_of(&simple(), &options);
    assert_eq!(entry(&catalog, "gpt-5")["prefer_websockets"], true);
    let catalog = catalog_of(&simple(), &CodexOptions::default());
    assert_eq!(entry(&catalog, "gpt-5")["prefer_websockets"], false);
}

#[test]
fn names_that_need_escaping_stay_valid_toml() {
    let mut config = simple();
    let provider = config.providers.get_mut("upstream").unwrap();
    provider.model_map.clear();
    provider.models = vec!["we\"ird\\name".into()];
    let toml = toml_of(&codex_config(&config, "http://host/v1?a=\"b\""));
    assert_eq!(toml["model"].as_str(), Some("we\"ird\\name"));
    let catalog = catalog_of(&config, &CodexOptions::default());
    assert_eq!(catalog["models"][0]["slug"], "we\"ird\\name");
}

#[test]
fn no_models_gives_a_config_without_a_model_and_an_empty_catalog() {
    let mut config = simple();
    config
        .providers
        .get_mut("upstream")
        .unwrap()
        .model_map
        .clear();
    let text = codex_config(&config, BASE);
    let toml = toml_of(&text);
    assert!(toml.get("model").is_none(), "{text}");
    assert!(text.contains("No models are configured"), "{text}");
    let catalog = catalog_of(&config, &CodexOptions::default());
    assert_eq!(catalog["models"], serde_json::json!([]));
}

#[test]
fn every_entry_has_what_codex_requires() {
    let config = Config::from_toml(FILE).unwrap();
    let catalog = catalog_of(&config, &CodexOptions::default());
    assert_eq!(catalog["codex_version"], CODEX_VERSION);
    let entries = catalog["models"].as_array().unwrap();
    // Config::models: providers by name (deepseek, groq, openai), each its models then its map.
    let slugs: Vec<&str> = entries
        .iter()
        .map(|e| e["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        slugs,
        [
            "deepseek-chat",
            "deepseek-reasoner",
            "gpt-5.5",
            "openai/gpt-oss-120b",
            "gpt-5.4"
        ]
    );
    for (i, entry) in entries.iter().enumerate() {
        // The fields Codex 0.171.0 refuses an entry without.
        for field in [
            "display_name",
            "supported_reasoning_levels",
            "shell_type",
            "visibility",
            "supported_in_api",
            "priority",
            "support_verbosity",
            "truncation_policy",
            "experimental_supported_tools",
        ] {
            assert!(entry.get(field).is_some(), "{field} missing in {entry:#}");
        }
        assert!(
            entry["base_instructions"]
                .as_str()
                .is_some_and(|text| text.len() > 500),
            "{entry:#}"
        );
        assert_eq!(entry["priority"], i + 1);
        assert_eq!(entry["apply_patch_tool_type"], "freeform");
        assert_eq!(entry["shell_type"], "shell_command");
        assert_eq!(entry["use_responses_lite"], false);
        assert_eq!(entry["truncation_policy"]["mode"], "tokens");
    }
}

#[test]
fn entries_follow_the_provider_settings_and_their_defaults() {
    let config = Config::from_toml(FILE).unwrap();
    let catalog = catalog_of(&config, &CodexOptions::default());

    // The provider's window, Chat defaults: text only, no summaries, no efforts.
    let chat = entry(&catalog, "deepseek-chat");
    assert_eq!(chat["context_window"], 131072);
    assert!(chat.get("auto_compact_token_limit").is_none(), "{chat:#}");
    assert_eq!(chat["input_modalities"], serde_json::json!(["text"]));
    assert_eq!(chat["supports_reasoning_summary_parameter"], false);
    assert_eq!(chat["default_reasoning_summary"], "none");
    assert_eq!(chat["supports_reasoning_summaries"], false);
    assert_eq!(chat["supported_reasoning_levels"], serde_json::json!([]));
    assert!(chat.get("default_reasoning_level").is_none(), "{chat:#}");
    assert_eq!(chat["supports_parallel_tool_calls"], true);
    assert_eq!(chat["supports_search_tool"], false);
    // A mapped name says what it is sent as.
    let mapped = entry(&catalog, "gpt-5.5");
    assert!(
        mapped["description"]
            .as_str()
            .unwrap()
            .contains("deepseek-chat"),
        "{mapped:#}"
    );

    // model_info wins over the provider's settings.
    let reasoner = entry(&catalog, "deepseek-reasoner");
    assert_eq!(reasoner["context_window"], 65536);
    assert_eq!(reasoner["auto_compact_token_limit"], 50000);
    assert_eq!(reasoner["supports_reasoning_summary_parameter"], true);
    assert_eq!(reasoner["default_reasoning_summary"], "auto");
    assert_eq!(reasoner["supports_parallel_tool_calls"], false);
    assert_eq!(reasoner["supports_search_tool"], true);

    // Groq reads reasoning_effort: efforts offered; images as its model_info says; the
    // default window.
    let groq = entry(&catalog, "openai/gpt-oss-120b");
    assert_eq!(groq["context_window"], DEFAULT_CONTEXT_WINDOW);
    assert_eq!(
        groq["input_modalities"],
        serde_json::json!(["text", "image"])
    );
    assert_eq!(groq["default_reasoning_level"], "medium");
    let efforts: Vec<&str> = groq["supported_reasoning_levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["effort"].as_str().unwrap())
        .collect();
    assert_eq!(efforts, ["low", "medium", "high"]);
    assert_eq!(groq["default_reasoning_summary"], "none");

    // OpenAI relayed as Responses: images, summaries and efforts.
    let openai = entry(&catalog, "gpt-5.4");
    assert_eq!(
        openai["input_modalities"],
        serde_json::json!(["text", "image"])
    );
    assert_eq!(openai["supports_reasoning_summary_parameter"], true);
    assert_eq!(openai["default_reasoning_summary"], "auto");
    assert_eq!(openai["default_reasoning_level"], "medium");
}

#[test]
fn model_info_for_a_model_the_provider_does_not_serve_is_refused() {
    let file = r#"
[providers.deepseek]
base_url = "https://api.deepseek.com/v1"
models = ["deepseek-chat"]
model_info."deepseek-chta" = { context_window = 1000 }
"#;
    let error = Config::from_toml(file).unwrap_err().to_string();
    assert!(error.contains("model_info.\"deepseek-chta\""), "{error}");
    let file = r#"
[providers.deepseek]
base_url = "https://api.deepseek.com/v1"
models = ["deepseek-chat"]
model_info."deepseek-chat" = { context_windw = 1000 }
"#;
    let error = Config::from_toml(file).unwrap_err().to_string();
    assert!(error.contains("context_windw"), "{error}");
    let file = r#"
[providers.deepseek]
base_url = "https://api.deepseek.com/v1"
models = ["deepseek-chat"]
model_info."deepseek-chat" = { input_modalities = ["audio"] }
"#;
    assert!(Config::from_toml(file).is_err());
}
