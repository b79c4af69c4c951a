//! End to end with Codex CLI (`@openai/codex` from npm, `npm ci --prefix e2e`) and a native
//! Responses upstream (`api = "responses"`) whose streams are broken as native servers' were
//! reported to be (the scripted upstream's `repair:NAME` models, the repairer's fixtures:
//! `crates/convert/tests/fixtures/repair/README.md`). Pointed straight at the upstream, Codex
//! ends the turn without an agent message ("no last agent message"); through the gateway,
//! which repairs the streams, it gets the answer.
//!
//! How Codex is driven follows `shared/notes/codex-cli.md`. `OPENAI_WIRE_E2E_SKIP=1` skips
//! this test; otherwise a missing Codex fails it.

mod support;

use openai_wire_gateway::{Config, ProviderConfig, UpstreamApi};
use support::codex::{CodexConfig, codex_binary, run_codex};
use support::e2e::skipped;
use support::gateway::start;
use support::responses_upstream::ResponsesUpstream;

const PROMPT: &str = "What is 2 + 2? Answer in one line.";

fn config(upstream: &ResponsesUpstream) -> Config {
    let mut provider = ProviderConfig::new(upstream.base_url());
    provider.api = UpstreamApi::Responses;
    provider.idle_timeout_secs = 10;
    let mut config = Config::default();
    config.providers.insert("native".into(), provider);
    config.default_provider = Some("native".into());
    config
}

/// The broken streams with a text answer, and that answer.
const ANSWERS: &[(&str, &str)] = &[
    // No done events at all, and `response.completed` with an empty output.
    ("missing_done_events", "2 + 2 = 4."),
    // Text deltas for an item that was never announced, no done events.
    ("unannounced_item", "pong"),
];

#[tokio::test]
async fn codex_gets_the_answer_of_a_broken_native_stream_only_through_the_gateway() {
    if skipped("codex_gets_the_answer_of_a_broken_native_stream_only_through_the_gateway") {
        return;
    }
    codex_binary();
    let upstream = ResponsesUpstream::start().await;
    let gateway = start(config(&upstream)).await;
    for (name, answer) in ANSWERS {
        let model = format!("repair:{name}");
        let direct = run_codex(
            &CodexConfig::new(&model, &upstream.base_url()).render(),
            PROMPT,
        )
        .await;
        // The turn ends without an agent message: what Codex reports as "no last agent
        // message" (its `--json` output just has none).
        assert!(
            direct.items("agent_message").is_empty(),
            "{name} direct: {}",
            direct.context
        );

        let repaired = run_codex(
            &CodexConfig::new(&model, &format!("{}/v1", gateway.base)).render(),
            PROMPT,
        )
        .await;
        assert!(repaired.completed(), "{name}: {}", repaired.context);
        assert_eq!(
            repaired.final_text(),
            *answer,
            "{name}: {}",
            repaired.context
        );
    }
}
