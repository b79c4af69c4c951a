//! Telling a stream's protocol and framing from its first bytes.

use std::fmt;
use std::str::FromStr;

use crate::Format;

/// A protocol direction, as the CLI and [`detect`] name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// Responses API stream events ([`openai_wire_events::ResponseStreamEvent`]).
    Responses,
    /// Chat Completions chunks ([`openai_wire_events::ChatCompletionStreamEvent`]).
    Chat,
    /// Legacy Completions ([`openai_wire_events::CompletionStreamEvent`]).
    Completions,
    /// Realtime server events ([`openai_wire_events::RealtimeServerEvent`]).
    Realtime,
    /// Realtime client events ([`openai_wire_events::RealtimeClientEvent`]).
    RealtimeClient,
    /// The Assistants run stream ([`openai_wire_events::AssistantStreamEvent`]).
    Assistants,
    /// Audio transcription ([`openai_wire_events::TranscriptionStreamEvent`]).
    Transcription,
    /// Speech ([`openai_wire_events::SpeechStreamEvent`]).
    Speech,
    /// Image generation ([`openai_wire_events::ImageGenerationStreamEvent`]).
    ImageGeneration,
    /// Image edit ([`openai_wire_events::ImageEditStreamEvent`]).
    ImageEdit,
    /// Webhook events ([`openai_wire_events::WebhookEvent`]).
    Webhooks,
    /// The Agents session event stream ([`openai_wire_events::AgentSessionStreamEvent`]).
    AgentSessions,
    /// Live API server events ([`openai_wire_events::LiveServerEvent`]).
    Live,
    /// Live API client events ([`openai_wire_events::LiveClientEvent`]).
    LiveClient,
}

impl Protocol {
    /// Every protocol, in the order the CLI lists them.
    pub const ALL: &'static [Protocol] = &[
        Protocol::Responses,
        Protocol::Chat,
        Protocol::Completions,
        Protocol::Realtime,
        Protocol::RealtimeClient,
        Protocol::Assistants,
        Protocol::Transcription,
        Protocol::Speech,
        Protocol::ImageGeneration,
        Protocol::ImageEdit,
        Protocol::Webhooks,
        Protocol::AgentSessions,
        Protocol::Live,
        Protocol::LiveClient,
    ];

    /// The protocol's name on the command line (`responses`, `chat`, `realtime-client`, …).
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Responses => "responses",
            Protocol::Chat => "chat",
            Protocol::Completions => "completions",
            Protocol::Realtime => "realtime",
            Protocol::RealtimeClient => "realtime-client",
            Protocol::Assistants => "assistants",
            Protocol::Transcription => "transcription",
            Protocol::Speech => "speech",
            Protocol::ImageGeneration => "image-generation",
            Protocol::ImageEdit => "image-edit",
            Protocol::Webhooks => "webhooks",
            Protocol::AgentSessions => "agent-sessions",
            Protocol::Live => "live",
            Protocol::LiveClient => "live-client",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A protocol name that is not one of [`Protocol::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown protocol `{0}` (one of: responses, chat, completions, realtime, realtime-client, assistants, transcription, speech, image-generation, image-edit, webhooks, agent-sessions, live, live-client)"
)]
pub struct UnknownProtocol(pub String);

impl FromStr for Protocol {
    type Err = UnknownProtocol;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Protocol::ALL
            .iter()
            .copied()
            .find(|p| p.name() == s)
            .ok_or_else(|| UnknownProtocol(s.to_owned()))
    }
}

/// Guesses the framing and protocol of a stream from its first bytes (a few KiB are plenty).
///
/// SSE when the first meaningful line is an SSE field or comment, JSONL otherwise. The protocol
/// comes from the first event that tells: its SSE event name (`thread.*` is Assistants), its
/// `object` (`chat.completion.chunk`, `text_completion`), or its `type` and the fields around
/// it (Realtime events carry `event_id`; `agent.*` types are the Agents session stream unless
/// the object is a webhook's; Live API server events are told by the types only Live has, such
/// as `session.started` or `decision.*`). Returns `None` when nothing tells. Client event
/// streams (Realtime's, Live's) are not detected: name them.
///
/// ```
/// use openai_wire_decode::{Format, Protocol, detect};
///
/// let sse = b"event: response.created\ndata: {\"type\":\"response.created\",\"response\":{}}\n\n";
/// assert_eq!(detect(sse), Some((Protocol::Responses, Format::Sse)));
/// let jsonl = b"{\"type\":\"session.created\",\"event_id\":\"e1\",\"session\":{}}\n";
/// assert_eq!(detect(jsonl), Some((Protocol::Realtime, Format::Jsonl)));
/// ```
pub fn detect(head: &[u8]) -> Option<(Protocol, Format)> {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let is_sse = first.starts_with("data:")
        || first.starts_with("event:")
        || first.starts_with(':')
        || first.starts_with("id:")
        || first.starts_with("retry:");
    let format = if is_sse { Format::Sse } else { Format::Jsonl };
    let mut event_name: Option<&str> = None;
    for line in text.lines().map(|l| l.trim_end_matches('\r')) {
        let json = if is_sse {
            if let Some(name) = line.strip_prefix("event:") {
                event_name = Some(name.trim());
                if let Some(protocol) = by_event_name(name.trim()) {
                    return Some((protocol, format));
                }
                continue;
            }
            match line.strip_prefix("data:") {
                Some(data) => data.trim(),
                None => continue,
            }
        } else {
            line.trim()
        };
        if let Some(protocol) = by_json(json, event_name) {
            return Some((protocol, format));
        }
    }
    None
}

fn by_event_name(name: &str) -> Option<Protocol> {
    name.starts_with("thread.").then_some(Protocol::Assistants)
}

fn by_json(json: &str, _event_name: Option<&str>) -> Option<Protocol> {
    // A head cut inside a long first event does not parse: then read the fields from the text.
    let (object, kind, has_choices, has_event_id, has_data) =
        match serde_json::from_str::<serde_json::Value>(json) {
            Ok(value) => (
                value
                    .get("object")
                    .and_then(|o| o.as_str())
                    .unwrap_or("")
                    .to_owned(),
                value
                    .get("type")
                    .and_then(|t| t.as_str())
                    .unwrap_or("")
                    .to_owned(),
                value.get("choices").is_some(),
                value.get("event_id").is_some(),
                value.get("data").is_some(),
            ),
            Err(_) if json.starts_with('{') => (
                scan_string_field(json, "object").unwrap_or_default(),
                scan_string_field(json, "type").unwrap_or_default(),
                json.contains("\"choices\""),
                json.contains("\"event_id\""),
                false,
            ),
            Err(_) => return None,
        };
    let (object, kind) = (object.as_str(), kind.as_str());
    if object.starts_with("chat.completion") || (has_choices && object != "text_completion") {
        return Some(Protocol::Chat);
    }
    if object == "text_completion" {
        return Some(Protocol::Completions);
    }
    if object.starts_with("thread.") {
        return Some(Protocol::Assistants);
    }
    if kind.starts_with("transcript.text.") {
        return Some(Protocol::Transcription);
    }
    if kind.starts_with("speech.audio.") {
        return Some(Protocol::Speech);
    }
    if kind.starts_with("image_generation.") {
        return Some(Protocol::ImageGeneration);
    }
    if kind.starts_with("image_edit.") {
        return Some(Protocol::ImageEdit);
    }
    if has_data && object == "event" {
        return Some(Protocol::Webhooks);
    }
    if kind.starts_with("agent.") {
        return Some(Protocol::AgentSessions);
    }
    if is_live_only(kind) {
        return Some(Protocol::Live);
    }
    if has_event_id || kind.starts_with("session.") || kind.starts_with("conversation.") {
        return Some(Protocol::Realtime);
    }
    if kind.starts_with("response.") || kind == "error" {
        return Some(Protocol::Responses);
    }
    None
}

/// Whether `kind` is a Live API server event type that no other protocol has (Live shares
/// `session.updated`, `session.closed`, `error` and others with Realtime).
fn is_live_only(kind: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "decision.",
        "transport.",
        "session.output_audio.",
        "session.input_transcript.",
        "session.output_transcript.",
        "session.instructions.",
        "session.thinking.",
        "session.commentary.",
        "session.delegation.",
        "session.usage.",
    ];
    const TYPES: &[&str] = &[
        "session.started",
        "session.input_audio.muted",
        "session.input_audio.unmuted",
        "response.event",
        "info",
    ];
    TYPES.contains(&kind) || PREFIXES.iter().any(|p| kind.starts_with(p))
}

/// The first string value of `"field"` in `json` (a heuristic for text that does not parse).
fn scan_string_field(json: &str, field: &str) -> Option<String> {
    let key = format!("\"{field}\"");
    let rest = &json[json.find(&key)? + key.len()..];
    let rest = rest
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_owned())
}
