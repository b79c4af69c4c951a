//! The configuration's tests: files, environment overrides, presets, validation.

use super::*;
use openai_wire_convert::envelope::ReasoningField;
use openai_wire_convert::quirks::Quirks;
use openai_wire_convert::request::{DeveloperRole, MaxTokensField};

#[test]
fn reads_a_file_with_routes_and_applies_env_overrides() {
    let mut config = Config::from_toml(
        r#"
            listen = "127.0.0.1:9000"
            store = "memory"
            [providers.groq]
            base_url = "https://api.groq.com/openai/v1"
            api_key_env = "GROQ_API_KEY"
            models = ["llama-3.3-70b-versatile"]
            [[routes]]
            model = "llama-*"
            provider = "groq"
            "#,
    )
    .unwrap();
    assert_eq!(config.store, StoreConfig::Memory);
    assert!(config.routes[0].matches_model("llama-3"));
    config
        .apply_vars([
            (
                "OPENAI_WIRE_PROVIDER_GROQ_BASE_URL".into(),
                "http://127.0.0.1:1/v1".into(),
            ),
            ("OPENAI_WIRE_CLIENT_API_KEYS".into(), "a, b".into()),
            ("HOME".into(), "/x".into()),
        ])
        .unwrap();
    assert_eq!(config.providers["groq"].base_url, "http://127.0.0.1:1/v1");
    assert_eq!(config.client_api_keys, ["a", "b"]);
}

#[test]
fn env_overrides_reach_every_provider_setting_and_can_add_a_provider() {
    let mut config = Config::from_toml(
        r#"
            [providers.my-ds]
            base_url = "https://api.deepseek.com/v1"
            "#,
    )
    .unwrap();
    let vars = [
        ("OPENAI_WIRE_PROVIDER_MY_DS_KIND", "deepseek"),
        ("OPENAI_WIRE_PROVIDER_MY_DS_DEVELOPER_ROLE", "developer"),
        ("OPENAI_WIRE_PROVIDER_MY_DS_IDLE_TIMEOUT_SECS", "42"),
        ("OPENAI_WIRE_PROVIDER_MY_DS_SEND_REASONING_EFFORT", "true"),
        (
            "OPENAI_WIRE_PROVIDER_MY_DS_MODELS",
            "deepseek-chat, deepseek-reasoner",
        ),
        (
            "OPENAI_WIRE_PROVIDER_MY_DS_MODEL_MAP",
            "gpt-5=deepseek-chat,o3=deepseek-reasoner",
        ),
        ("OPENAI_WIRE_PROVIDER_MY_DS_HEADERS", "X-Title=codex"),
        (
            "OPENAI_WIRE_PROVIDER_MY_DS_EXTRA_QUIRKS",
            "missing_finish_reason",
        ),
        (
            "OPENAI_WIRE_PROVIDER_LOCAL_VLLM_BASE_URL",
            "http://127.0.0.1:8000/v1",
        ),
        ("OPENAI_WIRE_PROVIDER_LOCAL_VLLM_API", "responses"),
        ("OPENAI_WIRE_MAX_REPLAY_BYTES", "1024"),
        ("OPENAI_WIRE_RETENTION_DAYS", "7"),
        (
            "OPENAI_WIRE_PROVIDER_MY_DS_COMPACTION_PROMPT",
            "Summarize, briefly.",
        ),
    ];
    config
        .apply_vars(vars.map(|(k, v)| (k.to_owned(), v.to_owned())))
        .unwrap();
    let ds = &config.providers["my-ds"];
    assert_eq!(ds.kind, Some(ProviderKind::DeepSeek));
    let settings = ds.request_settings("my-ds");
    assert_eq!(settings.developer_role, DeveloperRole::Developer);
    assert!(settings.send_reasoning_effort);
    assert_eq!(ds.idle_timeout(), Duration::from_secs(42));
    assert_eq!(ds.models, ["deepseek-chat", "deepseek-reasoner"]);
    assert_eq!(ds.upstream_model("o3"), "deepseek-reasoner");
    assert_eq!(ds.headers["X-Title"], "codex");
    assert_eq!(ds.extra_quirks, ["missing_finish_reason"]);
    assert_eq!(ds.base_url, "https://api.deepseek.com/v1", "untouched");
    let vllm = &config.providers["local_vllm"];
    assert_eq!(vllm.base_url, "http://127.0.0.1:8000/v1");
    assert_eq!(vllm.api, UpstreamApi::Responses);
    assert_eq!(config.max_replay_bytes, 1024);
    assert_eq!(config.retention_days, 7);
    assert_eq!(ds.compaction_prompt.as_deref(), Some("Summarize, briefly."));
}

#[test]
fn websocket_bounds_have_defaults_and_come_from_the_file_and_the_environment() {
    let config = Config::default();
    assert_eq!(config.websocket_lifetime, Duration::from_secs(3600));
    assert_eq!(
        config.websocket_max_message_bytes,
        crate::server::MAX_REQUEST_BYTES
    );
    assert_eq!(config.websocket_max_cached_bytes, 32 << 20);
    let mut config = Config::from_toml(
        r#"
            websocket_lifetime_secs = 60
            websocket_max_message_bytes = 1000
            websocket_max_cached_bytes = 2000
            "#,
    )
    .unwrap();
    assert_eq!(config.websocket_lifetime, Duration::from_secs(60));
    assert_eq!(config.websocket_max_message_bytes, 1000);
    assert_eq!(config.websocket_max_cached_bytes, 2000);
    let vars = [
        ("OPENAI_WIRE_WEBSOCKET_LIFETIME_SECS", "5"),
        ("OPENAI_WIRE_WEBSOCKET_MAX_MESSAGE_BYTES", "10"),
        ("OPENAI_WIRE_WEBSOCKET_MAX_CACHED_BYTES", "20"),
    ];
    config
        .apply_vars(vars.map(|(k, v)| (k.to_owned(), v.to_owned())))
        .unwrap();
    assert_eq!(config.websocket_lifetime, Duration::from_secs(5));
    assert_eq!(config.websocket_max_message_bytes, 10);
    assert_eq!(config.websocket_max_cached_bytes, 20);
    let error = config
        .apply_vars([(
            "OPENAI_WIRE_WEBSOCKET_LIFETIME_SECS".to_owned(),
            "soon".to_owned(),
        )])
        .unwrap_err();
    assert!(error.to_string().contains("WEBSOCKET_LIFETIME_SECS"));
}

#[test]
fn env_overrides_with_a_wrong_field_or_value_say_which_variable() {
    let base =
        Config::from_toml("[providers.groq]\nbase_url = \"http://127.0.0.1:1/v1\"\n").unwrap();
    for (var, value, says) in [
        ("OPENAI_WIRE_PROVIDER_GROQ_TIMEOUT", "5", "FIELD among"),
        ("OPENAI_WIRE_PROVIDER_GROQ_KIND", "nonsense", "nonsense"),
        (
            "OPENAI_WIRE_PROVIDER_GROQ_IDLE_TIMEOUT_SECS",
            "soon",
            "soon",
        ),
        ("OPENAI_WIRE_PROVIDER_GROQ_MODEL_MAP", "gpt-5", "KEY=VALUE"),
        ("OPENAI_WIRE_PROVIDER_NEW_KIND", "groq", "base_url"),
        ("OPENAI_WIRE_MAX_REPLAY_BYTES", "lots", "byte count"),
    ] {
        let mut config = base.clone();
        let error = config
            .apply_vars([(var.to_owned(), value.to_owned())])
            .unwrap_err()
            .to_string();
        assert!(error.contains(says), "{var}={value}: {error}");
        if var != "OPENAI_WIRE_PROVIDER_NEW_KIND" {
            assert!(error.contains(var), "{var}={value}: {error}");
        }
    }
}

#[test]
fn client_auth_that_yields_no_usable_key_is_an_error_at_start() {
    let env = |var: &str| match var {
        "EMPTY_KEYS" => Some(String::new()),
        "BLANK_KEYS" => Some(" , ".to_owned()),
        "GOOD_KEYS" => Some(" k1 ,k2,".to_owned()),
        _ => None,
    };
    for (file, says) in [
        ("client_api_keys = []", "client_api_keys is empty"),
        (
            "client_api_keys = [\"a\", \"\"]",
            "client_api_keys[1] is empty",
        ),
        ("client_api_keys = [\"  \"]", "client_api_keys[0] is empty"),
        (
            "client_api_keys_env = \"UNSET_KEYS\"",
            "UNSET_KEYS, which is not set",
        ),
        (
            "client_api_keys_env = \"EMPTY_KEYS\"",
            "EMPTY_KEYS, which holds no key",
        ),
        (
            "client_api_keys_env = \"BLANK_KEYS\"",
            "BLANK_KEYS, which holds no key",
        ),
    ] {
        let error = Config::from_toml_with_env(file, env)
            .unwrap_err()
            .to_string();
        assert!(error.contains(says), "{file}: {error}");
    }
    // No key setting at all: no authentication, explicitly the default.
    assert!(
        Config::from_toml_with_env("", env)
            .unwrap()
            .client_api_keys
            .is_empty()
    );
    let config = Config::from_toml_with_env(
        "client_api_keys = [\" k0 \"]\nclient_api_keys_env = \"GOOD_KEYS\"",
        env,
    )
    .unwrap();
    assert_eq!(config.client_api_keys, ["k0", "k1", "k2"]);
    // The real `from_toml` reads the process environment: a name surely unset.
    let error = Config::from_toml("client_api_keys_env = \"OPENAI_WIRE_TEST_SURELY_UNSET_48213\"")
        .unwrap_err();
    assert!(error.to_string().contains("not set"), "{error}");
    // A key added in code is checked too.
    let config = Config {
        client_api_keys: vec!["".into()],
        ..Config::default()
    };
    assert!(config.validate().is_err());
}

#[test]
fn client_api_keys_env_override_with_no_key_is_an_error() {
    for value in ["", " , ", ","] {
        let mut config = Config::default();
        let error = config
            .apply_vars([("OPENAI_WIRE_CLIENT_API_KEYS".to_owned(), value.to_owned())])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("OPENAI_WIRE_CLIENT_API_KEYS is set but holds no key"),
            "{value:?}: {error}"
        );
    }
    let mut config = Config::default();
    config
        .apply_vars([("OPENAI_WIRE_CLIENT_API_KEYS".to_owned(), " a ,b".to_owned())])
        .unwrap();
    assert_eq!(config.client_api_keys, ["a", "b"]);
}

#[test]
fn client_connection_bounds_have_defaults_and_come_from_the_file_and_the_environment() {
    let config = Config::default();
    assert_eq!(config.client_header_timeout, Duration::from_secs(30));
    assert_eq!(config.max_connections, 4096);
    assert_eq!(config.workers, 0, "one per CPU");
    let mut config =
        Config::from_toml("client_header_timeout_secs = 5\nmax_connections = 10\nworkers = 3")
            .unwrap();
    assert_eq!(config.client_header_timeout, Duration::from_secs(5));
    assert_eq!(config.max_connections, 10);
    assert_eq!(config.workers, 3);
    let vars = [
        ("OPENAI_WIRE_CLIENT_HEADER_TIMEOUT_SECS", "7"),
        ("OPENAI_WIRE_MAX_CONNECTIONS", "20"),
        ("OPENAI_WIRE_WORKERS", "2"),
    ];
    config
        .apply_vars(vars.map(|(k, v)| (k.to_owned(), v.to_owned())))
        .unwrap();
    assert_eq!(config.client_header_timeout, Duration::from_secs(7));
    assert_eq!(config.max_connections, 20);
    assert_eq!(config.workers, 2);
    let too_many = Config {
        workers: 1025,
        ..Config::default()
    };
    let error = too_many.validate().unwrap_err().to_string();
    assert!(error.contains("at most 1024"), "{error}");
    for (var, value) in [
        ("OPENAI_WIRE_WORKERS", "-1"),
        ("OPENAI_WIRE_MAX_CONNECTIONS", "0"),
        ("OPENAI_WIRE_MAX_CONNECTIONS", "many"),
        ("OPENAI_WIRE_CLIENT_HEADER_TIMEOUT_SECS", "soon"),
    ] {
        assert!(
            config
                .clone()
                .apply_vars([(var.to_owned(), value.to_owned())])
                .is_err(),
            "{var}={value}"
        );
    }
}

#[test]
fn rejects_a_route_to_an_unknown_provider() {
    let error = Config::from_toml("[[routes]]\nprovider = \"nope\"\n").unwrap_err();
    assert!(error.to_string().contains("nope"), "{error}");
}

#[test]
fn simple_case_guesses_quirks_from_the_host() {
    let config = Config::simple(SimpleOptions {
        upstream: "https://api.deepseek.com/v1/".into(),
        api_key_env: Some("DEEPSEEK_API_KEY".into()),
        model_map: vec![("gpt-5".into(), "deepseek-chat".into())],
    })
    .unwrap();
    let provider = &config.providers["upstream"];
    assert_eq!(provider.base_url, "https://api.deepseek.com/v1");
    assert_eq!(provider.kind("upstream"), ProviderKind::DeepSeek);
    assert_eq!(provider.upstream_model("gpt-5"), "deepseek-chat");
}

#[test]
fn kind_presets_and_explicit_settings() {
    let config = Config::from_toml(
        r#"
            [providers.ds]
            kind = "deepseek"
            base_url = "http://127.0.0.1:1/v1"
            [providers.custom]
            kind = "deepseek"
            base_url = "http://127.0.0.1:2/v1"
            developer_role = "developer"
            max_tokens_field = "max_completion_tokens"
            reasoning_round_trip = "none"
            reasoning_current_turn_only = false
            send_reasoning_effort = true
            extra_quirks = ["missing_finish_reason"]
            [providers.guessed]
            base_url = "https://api.groq.com/openai/v1"
            "#,
    )
    .unwrap();
    let ds = config.providers["ds"].request_settings("ds");
    assert_eq!(ds, ProviderKind::DeepSeek.preset());
    assert_eq!(ds.developer_role, DeveloperRole::System);
    assert_eq!(ds.max_tokens_field, MaxTokensField::MaxTokens);
    assert_eq!(
        ds.reasoning_round_trip,
        Some(ReasoningField::ReasoningContent)
    );
    assert!(ds.reasoning_current_turn_only && !ds.send_reasoning_effort);
    assert_eq!(
        config.providers["ds"].stream_quirks("ds"),
        Quirks::for_kind(ProviderKind::DeepSeek)
    );

    let custom = &config.providers["custom"];
    let settings = custom.request_settings("custom");
    assert_eq!(settings.developer_role, DeveloperRole::Developer);
    assert_eq!(
        settings.max_tokens_field,
        MaxTokensField::MaxCompletionTokens
    );
    assert_eq!(settings.reasoning_round_trip, None);
    assert!(!settings.reasoning_current_turn_only && settings.send_reasoning_effort);
    assert!(
        custom
            .stream_quirks("custom")
            .contains(Quirk::MissingFinishReason)
    );

    let guessed = &config.providers["guessed"];
    assert_eq!(guessed.kind("guessed"), ProviderKind::Groq);
    assert!(guessed.request_settings("guessed").send_reasoning_effort);
}

#[test]
fn rejects_unknown_kinds_and_quirks() {
    let error =
        Config::from_toml("[providers.x]\nbase_url = \"http://h/v1\"\nkind = \"deepsick\"\n")
            .unwrap_err();
    assert!(error.to_string().contains("deepsick"), "{error}");
    let error =
        Config::from_toml("[providers.x]\nbase_url = \"http://h/v1\"\nextra_quirks = [\"nope\"]\n")
            .unwrap_err();
    assert!(error.to_string().contains("extra_quirks"), "{error}");
}

#[test]
fn guesses_match_the_old_host_rules() {
    let cases = [
        (
            "upstream",
            "https://api.openai.com/v1",
            ProviderKind::OpenAi,
        ),
        (
            "upstream",
            "https://api.deepseek.com/v1",
            ProviderKind::DeepSeek,
        ),
        ("kimi", "https://api.moonshot.ai/v1", ProviderKind::Kimi),
        (
            "zhipu",
            "https://open.bigmodel.cn/api/paas/v4",
            ProviderKind::Glm,
        ),
        (
            "openrouter",
            "https://openrouter.ai/api/v1",
            ProviderKind::OpenRouter,
        ),
        ("grok", "https://api.x.ai/v1", ProviderKind::Xai),
        ("local", "http://127.0.0.1:11434/v1", ProviderKind::Generic),
        (
            "pplx",
            "https://api.perplexity.ai",
            ProviderKind::Perplexity,
        ),
        (
            "hf",
            "https://router.huggingface.co/v1",
            ProviderKind::HuggingFace,
        ),
        ("palmyra", "https://api.writer.com/v1", ProviderKind::Writer),
        (
            "llama-server",
            "http://127.0.0.1:8080/v1",
            ProviderKind::LlamaCpp,
        ),
        (
            "local",
            "http://127.0.0.1:8080/openai/v1",
            ProviderKind::Generic,
        ),
    ];
    for (name, url, kind) in cases {
        assert_eq!(ProviderConfig::new(url).kind(name), kind, "{name} {url}");
    }
}

#[test]
fn store_urls() {
    assert_eq!(
        StoreConfig::parse("sqlite").unwrap(),
        StoreConfig::SqliteDefault
    );
    assert_eq!(
        StoreConfig::parse("sqlite:///tmp/x.db").unwrap(),
        StoreConfig::Sqlite("/tmp/x.db".into())
    );
    assert!(matches!(
        StoreConfig::parse("postgres://u@h/db").unwrap(),
        StoreConfig::Postgres(_)
    ));
    assert!(StoreConfig::parse("redis://x").is_err());
}

mod example {
    #[test]
    fn the_example_config_is_valid() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/example.toml");
        let config = super::Config::from_file(&path).unwrap();
        for name in ["deepseek", "groq", "openrouter", "ollama", "vllm"] {
            let provider = &config.providers[name];
            // Each names its kind, and its written-out settings agree with the preset or
            // say why not.
            assert_eq!(provider.kind.map(|k| k.as_str()), Some(name));
        }
        assert_eq!(
            config.providers["deepseek"].request_settings("deepseek"),
            super::ProviderKind::DeepSeek.preset()
        );
        assert_eq!(config.routes.len(), 3);
    }
}

#[test]
fn unknown_self_hosted_servers_send_reasoning_back_as_streamed_unless_turned_off() {
    let config = Config::from_toml(
        r#"
            [providers.local]
            base_url = "http://127.0.0.1:8000/v1"
            [providers.off]
            base_url = "http://10.0.0.7:30000/v1"
            reasoning_round_trip = "none"
            [providers.ds]
            kind = "deepseek"
            base_url = "http://127.0.0.1:1/v1"
            reasoning_round_trip = "as_streamed"
            "#,
    )
    .unwrap();
    let local = config.providers["local"].request_settings("local");
    assert_eq!(
        config.providers["local"].kind("local"),
        ProviderKind::Generic
    );
    assert!(local.reasoning_as_streamed);
    assert_eq!(local.reasoning_round_trip, None);
    assert!(ProviderKind::Vllm.preset().reasoning_as_streamed);
    let off = config.providers["off"].request_settings("off");
    assert!(!off.reasoning_as_streamed && off.reasoning_round_trip.is_none());
    let ds = config.providers["ds"].request_settings("ds");
    assert!(ds.reasoning_as_streamed && ds.reasoning_round_trip.is_none());
    assert!(!ProviderKind::DeepSeek.preset().reasoning_as_streamed);
}

#[test]
fn quirks_follow_the_kind_unless_named_added_or_turned_off() {
    let config = Config::from_toml(
        r#"
            [providers.router]
            kind = "openrouter"
            quirks = "kimi"
            base_url = "https://openrouter.ai/api/v1"
            [providers.local]
            kind = "vllm"
            base_url = "http://127.0.0.1:8000/v1"
            disable_quirks = ["think_tags_in_content"]
            [providers.groq]
            base_url = "https://api.groq.com/openai/v1"
            "#,
    )
    .unwrap();
    let router = &config.providers["router"];
    assert_eq!(router.kind("router"), ProviderKind::OpenRouter);
    assert!(router.request_settings("router").native_web_search);
    assert_eq!(
        router.stream_quirks("router"),
        Quirks::for_kind(ProviderKind::Kimi)
    );
    let local = config.providers["local"].stream_quirks("local");
    assert!(!local.contains(Quirk::ThinkTagsInContent));
    assert!(local.contains(Quirk::ReasoningContentField));
    assert!(
        config.providers["groq"]
            .stream_quirks("groq")
            .contains(Quirk::ThinkTagsInContent)
    );
    let error = Config::from_toml(
        "[providers.x]\nbase_url = \"http://h/v1\"\ndisable_quirks = [\"nope\"]\n",
    )
    .unwrap_err();
    assert!(error.to_string().contains("disable_quirks"), "{error}");
    let error = Config::from_toml("[providers.x]\nbase_url = \"http://h/v1\"\nquirks = \"nope\"\n")
        .unwrap_err();
    assert!(
        error.to_string().contains("unknown provider kind"),
        "{error}"
    );
}
