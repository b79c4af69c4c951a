//! Real streams are the ground truth: every stream recorded from OpenAI checks with zero errors,
//! the deviations seen in real traffic are warnings of named rules, and the edited fixtures that
//! are excluded are excluded for a reason the checker itself reports.

mod common;

use std::collections::BTreeSet;

use common::{Entry, manifest};
use openai_wire_check::{Report, Severity, check_bytes};
use openai_wire_decode::{Decoder, Item, Protocol};
use openai_wire_events::ResponseStreamEvent;

/// Edited OpenAI fixtures (`*.chunks.txt`, see the MANIFEST notes) that no longer are a real
/// stream, each with why and the error rule that reports the edit.
const EXCLUDED: &[(&str, &str, &str)] = &[
    (
        "responses/vercel-ai.openai__openai-custom-text-tool.1.chunks.txt",
        "trimmed by its author (sequence_number gaps): the first output item was cut out",
        "index.output-contiguous",
    ),
    (
        "responses/vercel-ai.openai__openai-issue-8562-missing-reasoning-summary.1.chunks.txt",
        "trimmed by its author: ends with response.output_item.done, no terminal event",
        "lifecycle.missing-terminal",
    ),
    (
        "responses/vercel-ai.openai__openai-phase.1.chunks.txt",
        "trimmed by its author: most text deltas and one output item were cut out",
        "delta.text-matches-done",
    ),
    (
        "responses/vercel-ai.openai__openai-reasoning-encrypted-content.1.chunks.txt",
        "several response streams concatenated in one fixture (sequence_number restarts)",
        "lifecycle.single-terminal",
    ),
    (
        "responses/vercel-ai.openai__openai-shell-tool.1.chunks.txt",
        "several response streams concatenated in one fixture (sequence_number restarts)",
        "lifecycle.single-terminal",
    ),
    (
        "responses/vercel-ai.openai__issue-18970-programmatic-approval.1.chunks.txt",
        "hand-written from a real stream: output items 0 and 1 and most response fields removed",
        "nesting.item-done",
    ),
];

fn check(entry: &Entry) -> Report {
    check_bytes(
        entry.protocol.expect("a checked protocol"),
        entry.format,
        &entry.bytes(),
    )
}

fn errors(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.rule.severity == Severity::Error)
        .map(ToString::to_string)
        .collect()
}

fn find(file: &str) -> Entry {
    manifest()
        .into_iter()
        .find(|e| e.file == file)
        .unwrap_or_else(|| panic!("{file} is not in the MANIFEST"))
}

fn rule_ids(report: &Report) -> BTreeSet<&'static str> {
    report.findings.iter().map(|f| f.rule.id).collect()
}

#[test]
fn every_openai_stream_checks_with_zero_errors() {
    let excluded: BTreeSet<&str> = EXCLUDED.iter().map(|(file, _, _)| *file).collect();
    let mut failures = Vec::new();
    let mut checked = std::collections::HashMap::<Protocol, usize>::new();
    for entry in manifest() {
        let Some(protocol) = entry.protocol else {
            continue;
        };
        if !entry.is_openai() || excluded.contains(entry.file.as_str()) {
            continue;
        }
        let report = check(&entry);
        *checked.entry(protocol).or_default() += 1;
        assert!(report.summary.events > 0, "{}: no events", entry.file);
        let errors = errors(&report);
        if !errors.is_empty() {
            failures.push(format!("{}:\n    {}", entry.file, errors.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} OpenAI streams have errors:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The whole OpenAI part of the corpus was checked, every protocol with a checker.
    assert!(checked[&Protocol::Responses] >= 70, "{checked:?}");
    assert!(checked[&Protocol::Chat] >= 100, "{checked:?}");
    assert!(checked[&Protocol::Realtime] >= 4, "{checked:?}");
    assert!(checked[&Protocol::Assistants] >= 10, "{checked:?}");
}

/// 2026-01-01T00:00:00Z. OpenAI's responses carry every field from then on; the recordings before
/// lack the fields added in 2025 (`completed_at`, the penalties, `prompt_cache_retention`, …).
const COMPLETE_SINCE: f64 = 1_767_225_600.0;

/// The `created_at` of the stream's first response object.
fn created_at(entry: &Entry) -> Option<f64> {
    let mut decoder = Decoder::<ResponseStreamEvent>::new(entry.format);
    decoder.feed(&entry.bytes());
    decoder.finish();
    while let Some(item) = decoder.next_item() {
        if let Ok(Item::Event(decoded)) = item {
            let event: serde_json::Value = serde_json::from_str(decoded.raw).ok()?;
            if let Some(at) = event["response"]["created_at"].as_f64() {
                return Some(at);
            }
        }
    }
    None
}

#[test]
fn recent_openai_responses_carry_every_field() {
    let excluded: BTreeSet<&str> = EXCLUDED.iter().map(|(file, _, _)| *file).collect();
    let (mut recent, mut older) = (0, 0);
    let mut failures = Vec::new();
    for entry in manifest() {
        if entry.protocol != Some(Protocol::Responses)
            || !entry.is_openai()
            || excluded.contains(entry.file.as_str())
        {
            continue;
        }
        let report = check(&entry);
        let gaps: Vec<String> = report
            .of_rule("response.all-fields")
            .map(ToString::to_string)
            .collect();
        let at = created_at(&entry).unwrap_or_else(|| panic!("{}: no created_at", entry.file));
        if at >= COMPLETE_SINCE {
            recent += 1;
            if !gaps.is_empty() {
                failures.push(format!("{}:\n    {}", entry.file, gaps.join("\n    ")));
            }
        } else {
            // Each older recording lacks some field added since: the rule sees the date line.
            older += 1;
            assert!(
                !gaps.is_empty(),
                "{}: an older recording, complete",
                entry.file
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        recent >= 40 && older >= 25,
        "recent {recent}, older {older}"
    );
}

#[test]
fn excluded_fixtures_are_openai_edits_that_the_checker_reports() {
    for (file, why, rule) in EXCLUDED {
        let entry = find(file);
        assert!(entry.is_openai(), "{file} is not an OpenAI stream");
        assert!(
            file.ends_with(".chunks.txt"),
            "{file}: only edited fixtures are excluded ({why})"
        );
        let report = check(&entry);
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.rule.id == *rule && f.rule.severity == Severity::Error),
            "{file} ({why}) should be reported by {rule}, got {:?}",
            rule_ids(&report)
        );
    }
}

#[test]
fn openai_deviations_are_named_warnings() {
    // Older recordings have no sequence_number, and their responses lack the fields OpenAI
    // added since (2025-03: no background, service_tier, penalties, …).
    let report = check(&find(
        "responses/ruby-openai__cassettes__responses_stream__i0.sse",
    ));
    assert_eq!(
        rule_ids(&report),
        BTreeSet::from(["sequence.missing", "response.all-fields"])
    );
    assert_eq!(report.errors(), 0);
    assert_eq!(report.of_rule("sequence.missing").count(), 1);
    let incomplete: Vec<&str> = report
        .of_rule("response.all-fields")
        .map(|f| f.message.as_str())
        .collect();
    // One finding per response object: created, in_progress, completed.
    assert_eq!(incomplete.len(), 3, "{incomplete:?}");
    assert!(
        incomplete
            .iter()
            .all(|m| m.contains("lacks background, completed_at, frequency_penalty")),
        "{incomplete:?}"
    );

    // With several MCP servers, OpenAI sends output_item.done only for the last mcp_list_tools
    // item; the earlier one is whole only in response.completed: a warning of its own rule, not
    // the two errors of an item never done.
    let report = check(&find(
        "responses/derived.openai-mcp-two-servers-backfill.sse",
    ));
    assert_eq!(report.errors(), 0, "{:?}", report.findings);
    let backfill: Vec<&str> = report
        .of_rule("nesting.mcp-list-tools-backfill")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(backfill.len(), 1, "{:?}", report.findings);
    assert!(backfill[0].contains("0 (mcpl_"), "{backfill:?}");

    // A resumed background stream starts at sequence_number 2 with response.in_progress.
    let report = check(&find(
        "responses/openai-dotnet__ResponsesTests__CanStreamBackgroundResponses__e2.sse",
    ));
    assert!(report.findings.is_empty(), "{:?}", report.findings);

    // OpenAI streams the apply_patch diff with event types the spec does not list yet. (The
    // recording, of 2025-11, predates `completed_at` and the penalties on the response.)
    let report = check(&find(
        "responses/vercel-ai.openai__openai-apply-patch-tool.1.chunks.txt",
    ));
    assert_eq!(
        rule_ids(&report),
        BTreeSet::from(["decode.unknown-event", "response.all-fields"])
    );
    assert!(
        report
            .of_rule("decode.unknown-event")
            .all(|f| f.message.contains("apply_patch_call_operation_diff"))
    );
    assert!(report.of_rule("response.all-fields").all(|f| {
        f.message
            .ends_with("lacks completed_at, frequency_penalty, presence_penalty")
    }));

    // Audio chat streams: no finish_reason at all, and an audio chunk after the usage chunk.
    let report = check(&find(
        "chat/openai-dotnet__ChatTests__ChatWithBasicAudioOutput__e0.sse",
    ));
    assert_eq!(
        rule_ids(&report),
        BTreeSet::from(["chat.finish-reason", "chat.usage-position"])
    );
    assert_eq!(report.errors(), 0);

    // A run stream resumed by submit_tool_outputs starts with the step that required action.
    let report = check(&find(
        "assistants/openai-dotnet__AssistantsTests__StreamingToolCall___e2.sse",
    ));
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

#[test]
fn third_party_deviations_are_named_warnings() {
    // Azure's first chunk: empty id and model, created 0, prompt_filter_results.
    let report = check(&find(
        "chat/crewai__azure__test_azure_streaming_completion__i0.sse",
    ));
    assert_eq!(rule_ids(&report), BTreeSet::from(["chat.placeholder"]));
    assert_eq!(report.findings[0].index, Some(0));

    // Perplexity: usage on every chunk, a created that ticks, its own final event type instead
    // of a finish_reason, and no [DONE].
    let report = check(&find(
        "chat/ruby_llm__vcr_cassettes__chat_citations_with_perplexity_sonar_returns_search_result_citations_when_streaming__i0.sse",
    ));
    assert_eq!(
        rule_ids(&report),
        BTreeSet::from([
            "chat.done-marker",
            "chat.finish-reason",
            "chat.single-created",
            "chat.usage-position",
            "decode.unknown-event"
        ])
    );
    assert_eq!(report.errors(), 0);

    // GPUStack ends without [DONE].
    let report = check(&find(
        "chat/ruby_llm__vcr_cassettes__chat_streaming_responses_gpustack_qwen3_supports_streaming_responses__i0.sse",
    ));
    assert!(
        rule_ids(&report).contains("chat.done-marker"),
        "{:?}",
        report.findings
    );
    assert_eq!(report.errors(), 0);

    // xAI's Responses objects leave out most fields and carry null sampling numbers.
    let report = check(&find(
        "responses/vercel-ai.xai__xai-text-streaming.1.chunks.txt",
    ));
    let incomplete: Vec<&str> = report
        .of_rule("response.all-fields")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(incomplete.len(), 3, "{:?}", report.findings);
    assert!(
        incomplete
            .iter()
            .all(|m| m.starts_with("the response of `response.")
                && m.contains("; has null temperature, top_p")),
        "{incomplete:?}"
    );
    assert_eq!(report.errors(), 0, "{:?}", report.findings);

    // xAI Realtime sends keep-alive pings.
    let report = check(&find(
        "realtime/pydantic-ai__test_parity_ws__test_text_tool_round_parity[xai-current].server-events.jsonl",
    ));
    assert_eq!(rule_ids(&report), BTreeSet::from(["decode.unknown-event"]));
}

#[test]
fn third_party_spec_violations_are_errors() {
    // xAI counts reasoning tokens outside completion_tokens: the totals do not add up.
    let report = check(&find("chat/vercel-ai.xai__xai-text.chunks.txt"));
    let usage: Vec<_> = report.of_rule("usage.totals").collect();
    assert_eq!(usage.len(), 2, "{:?}", report.findings);
    assert!(
        usage[0].message.contains("total_tokens is 303"),
        "{}",
        usage[0].message
    );

    // Bedrock's Responses surface streams reasoning text into a part it never added (its own
    // `response.reasoning_part.added` is not in the spec).
    let report = check(&find(
        "responses/ruby_llm__vcr_cassettes__providers_bedrock_mantle_responses_chat_streams_through_the_responses_surface__i0.sse",
    ));
    let ids = rule_ids(&report);
    assert!(
        ids.contains("index.part-known") && ids.contains("decode.unknown-event"),
        "{ids:?}"
    );

    // xAI's done web search item and the completed response's output disagree on the sources.
    let report = check(&find(
        "responses/vercel-ai.xai__xai-13218-web-search-provider-tool-result.1.chunks.txt",
    ));
    assert_eq!(errors(&report).len(), 1, "{:?}", report.findings);
    assert_eq!(
        report
            .findings
            .iter()
            .find(|f| f.is_error())
            .unwrap()
            .rule
            .id,
        "item.output-matches-done"
    );
}

#[test]
fn every_corpus_stream_checks_without_panicking_and_decodes_cleanly() {
    let mut streams = 0;
    for entry in manifest() {
        let Some(protocol) = entry.protocol else {
            continue;
        };
        let report = check_bytes(protocol, entry.format, &entry.bytes());
        assert_eq!(report.of_rule("decode.error").count(), 0, "{}", entry.file);
        assert!(!report.summary.truncated || report.of_rule("lifecycle.truncated").count() == 1);
        streams += 1;
    }
    assert!(streams > 300);
}
