//! Every recorded stream in `fixtures/corpus` decodes with zero errors, and every event survives
//! decode → encode → decode unchanged.

use std::collections::BTreeMap;

mod common;
use common::{Entry, corpus_dir, manifest};

use openai_wire_decode::{Decoder, Format, Item};
use openai_wire_events::{
    AgentSessionStreamEvent, AssistantStreamEvent, ChatCompletionStreamEvent,
    CompletionStreamEvent, LiveServerEvent, RealtimeServerEvent, ResponseStreamEvent,
    SpeechStreamEvent, StreamEvent, TranscriptionStreamEvent,
};

/// Event types seen in real traffic that are not in the spec, with a file that shows each. These
/// are the only events allowed to decode as `Unknown`.
const UNKNOWN_IN_REAL_TRAFFIC: &[(&str, &str)] = &[
    // xAI's Realtime API sends keep-alive pings.
    (
        "ping",
        "realtime/pydantic-ai__test_parity_ws__test_history_seeding_parity[xai-current].server-events.jsonl",
    ),
    // Perplexity ends its chat streams with a final object of this type (with citations).
    (
        "chat.completion.done",
        "chat/vercel-ai.perplexity__perplexity-citations.chunks.txt",
    ),
    // OpenAI streams the apply_patch tool's diff; the spec snapshot does not list these yet.
    (
        "response.apply_patch_call_operation_diff.delta",
        "responses/vercel-ai.openai__openai-apply-patch-tool.1.chunks.txt",
    ),
    (
        "response.apply_patch_call_operation_diff.done",
        "responses/vercel-ai.openai__openai-apply-patch-tool.1.chunks.txt",
    ),
    // Amazon Bedrock's ("mantle") Responses surface names reasoning parts its own way.
    (
        "response.reasoning_part.added",
        "responses/ruby_llm__vcr_cassettes__providers_bedrock_mantle_responses_chat_streams_through_the_responses_surface__i0.sse",
    ),
    (
        "response.reasoning_part.done",
        "responses/ruby_llm__vcr_cassettes__providers_bedrock_mantle_responses_chat_streams_through_the_responses_surface__i0.sse",
    ),
];

/// What decoding one file found.
#[derive(Default)]
struct Outcome {
    events: usize,
    errors: Vec<String>,
    unknown: Vec<String>,
    round_trip_failures: Vec<String>,
}

fn decode_file<E: StreamEvent>(bytes: &[u8], format: Format) -> Outcome {
    let mut outcome = Outcome::default();
    let mut decoder = Decoder::<E>::new(format);
    decoder.feed(bytes);
    decoder.finish();
    while let Some(item) = decoder.next_item() {
        match item {
            Ok(Item::Event(decoded)) => {
                outcome.events += 1;
                if decoded.event.is_unknown() {
                    outcome.unknown.push(decoded.event.wire_type().to_owned());
                }
                if let Err(why) = round_trip(&decoded.event) {
                    outcome.round_trip_failures.push(format!(
                        "event {} ({}): {why}",
                        decoded.position.index,
                        decoded.event.wire_type()
                    ));
                }
            }
            Ok(_) => {}
            Err(error) => {
                let raw: String = error.raw.chars().take(300).collect();
                outcome.errors.push(format!("{error}\n      raw: {raw}"));
            }
        }
    }
    outcome
}

/// decode(encode(event)) == event, through both decode paths: the tag-first `StreamEvent` decoder
/// on the encoded text, and serde's `Deserialize` on the encoded value.
fn round_trip<E: StreamEvent>(event: &E) -> Result<(), String> {
    let value = serde_json::to_value(event).map_err(|e| format!("encode: {e}"))?;
    let (name, text) = match (value.get("event"), value.get("data")) {
        // The Assistants envelope: decode the data under its event name.
        (Some(serde_json::Value::String(name)), Some(data)) if E::PROTOCOL == "assistants" => {
            let text = match data {
                serde_json::Value::String(s) if s == "[DONE]" => s.clone(),
                other => other.to_string(),
            };
            (Some(name.clone()), text)
        }
        _ => (None, value.to_string()),
    };
    let fast = E::decode(name.as_deref(), &text).map_err(|e| format!("re-decode: {e}"))?;
    if fast != *event {
        return Err(format!(
            "re-decoded event differs:\n  before: {event:?}\n  after:  {fast:?}"
        ));
    }
    let generic: E = serde_json::from_value(value).map_err(|e| format!("serde re-decode: {e}"))?;
    if generic != *event {
        return Err(format!(
            "serde re-decoded event differs:\n  before: {event:?}\n  after:  {generic:?}"
        ));
    }
    Ok(())
}

fn decode_entry(entry: &Entry) -> Outcome {
    let bytes = std::fs::read(corpus_dir().join(&entry.file)).expect("corpus file");
    match entry.protocol.as_str() {
        "responses" => decode_file::<ResponseStreamEvent>(&bytes, entry.format),
        "chat" => decode_file::<ChatCompletionStreamEvent>(&bytes, entry.format),
        "realtime" => decode_file::<RealtimeServerEvent>(&bytes, entry.format),
        "assistants" => decode_file::<AssistantStreamEvent>(&bytes, entry.format),
        "audio_speech" => decode_file::<SpeechStreamEvent>(&bytes, entry.format),
        "audio_transcription" => decode_file::<TranscriptionStreamEvent>(&bytes, entry.format),
        "completions_legacy" => decode_file::<CompletionStreamEvent>(&bytes, entry.format),
        "agent_sessions" => decode_file::<AgentSessionStreamEvent>(&bytes, entry.format),
        "live_server" => decode_file::<LiveServerEvent>(&bytes, entry.format),
        other => panic!("no decoder for protocol {other} ({})", entry.file),
    }
}

/// Every corpus file decodes with zero errors, and the only `Unknown` events are the documented
/// types that are not in the spec.
#[test]
fn every_corpus_stream_decodes_without_errors() {
    let entries = manifest();
    assert!(
        entries.len() > 300,
        "the corpus has {} files",
        entries.len()
    );
    let mut failures = Vec::new();
    let mut unknown_seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut total = 0;
    for entry in &entries {
        let outcome = decode_entry(entry);
        assert!(
            outcome.events > 0 || !outcome.errors.is_empty(),
            "{}: no events",
            entry.file
        );
        total += outcome.events;
        for error in outcome.errors {
            failures.push(format!("{}: {error}", entry.file));
        }
        for unknown in outcome.unknown {
            unknown_seen
                .entry(unknown)
                .or_default()
                .push(entry.file.clone());
        }
    }
    for (event_type, files) in &unknown_seen {
        if !UNKNOWN_IN_REAL_TRAFFIC.iter().any(|(t, _)| t == event_type) {
            failures.push(format!(
                "`{event_type}` decoded as Unknown in {} file(s), e.g. {}",
                files.len(),
                files[0]
            ));
        }
    }
    for (event_type, file) in UNKNOWN_IN_REAL_TRAFFIC {
        match unknown_seen.get(*event_type) {
            Some(files) if files.iter().any(|f| f == file) => {}
            _ => failures.push(format!(
                "documented unknown `{event_type}` is not seen in {file}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems over {total} events:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// decode → encode → decode is the identity for every event in the corpus.
#[test]
fn every_corpus_event_round_trips() {
    let mut failures = Vec::new();
    let mut total = 0;
    for entry in manifest() {
        let outcome = decode_entry(&entry);
        total += outcome.events;
        for failure in outcome.round_trip_failures {
            failures.push(format!("{}: {failure}", entry.file));
        }
    }
    let shown: Vec<&String> = failures.iter().take(40).collect();
    assert!(
        failures.is_empty(),
        "{} of {total} events do not round-trip; first ones:\n{}",
        failures.len(),
        shown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// `detect` tells the protocol and framing of every corpus file from its first 8 KiB, as the
/// MANIFEST records them.
#[test]
fn detect_agrees_with_the_manifest() {
    use openai_wire_decode::{Protocol, detect};
    let mut wrong = Vec::new();
    for entry in manifest() {
        let bytes = std::fs::read(corpus_dir().join(&entry.file)).expect("corpus file");
        let expected = match entry.protocol.as_str() {
            "responses" => Protocol::Responses,
            "chat" => Protocol::Chat,
            "realtime" => Protocol::Realtime,
            "assistants" => Protocol::Assistants,
            "audio_speech" => Protocol::Speech,
            "audio_transcription" => Protocol::Transcription,
            "completions_legacy" => Protocol::Completions,
            "agent_sessions" => Protocol::AgentSessions,
            "live_server" => Protocol::Live,
            other => panic!("{other}"),
        };
        let found = detect(&bytes[..bytes.len().min(8192)]);
        if found != Some((expected, entry.format)) {
            wrong.push(format!(
                "{}: detected {found:?}, manifest says {expected:?}/{:?}",
                entry.file, entry.format
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
