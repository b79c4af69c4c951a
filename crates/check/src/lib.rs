//! A conformance checker for OpenAI event streams.
//!
//! The checker reads a stream's events and reports where it departs from its protocol, as
//! [`Finding`]s of named rules. The rules live in one catalogue, [`RULES`] (also listed in
//! `CHECKS.md`): each has a stable dotted id (`lifecycle.first-event`, `sequence.increasing`,
//! `delta.text-matches-done`, `chat.single-id`, …), a [`Severity`] and a one-line doc.
//!
//! - **Errors** are spec violations: a client that follows the spec may misread the stream.
//!   Every stream recorded from OpenAI in the project's corpus checks with zero errors.
//! - **Warnings** are deviations seen in real traffic that clients tolerate: no
//!   `sequence_number` (older OpenAI streams), `[DONE]` on a Responses stream (OpenRouter),
//!   chat streams without `[DONE]` or `finish_reason`, usage on every chunk, empty ids, unknown
//!   event types, Response objects without every field OpenAI's now carry.
//!
//! There is one streaming checker per protocol: [`ResponseChecker`], [`ChatChecker`],
//! [`RealtimeChecker`], [`AssistantsChecker`]. Each is a sans-IO state machine: [`push`] events
//! (with their index in the stream) as they arrive, or [`push_raw`] them with their JSON text as
//! received (what the text leaves out is then seen), [`push_done_marker`] for `data: [DONE]`,
//! then [`finish`] with the decoder's [`Summary`] to learn how the stream ended. For whole
//! recordings, [`check_bytes`] decodes and checks in one call; decode errors are findings too
//! (`decode.error`).
//!
//! [`push`]: StreamChecker::push
//! [`push_raw`]: StreamChecker::push_raw
//! [`push_done_marker`]: StreamChecker::push_done_marker
//! [`finish`]: StreamChecker::finish
//!
//! # Example
//!
//! ```
//! use openai_wire_check::{Severity, check_bytes};
//! use openai_wire_decode::{Format, Protocol};
//!
//! // The deltas say "Hello" but the done event says "Help": a broken stream.
//! let stream = br#"data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","output":[]}}
//!
//! data: {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","status":"in_progress","content":[]}}
//!
//! data: {"type":"response.content_part.added","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}
//!
//! data: {"type":"response.output_text.delta","sequence_number":3,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hello"}
//!
//! data: {"type":"response.output_text.done","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"text":"Help"}
//!
//! "#;
//! let report = check_bytes(Protocol::Responses, Format::Sse, stream);
//! let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.id).collect();
//! assert!(rules.contains(&"delta.text-matches-done"));
//! // The stream also stops without `response.completed`.
//! assert!(rules.contains(&"lifecycle.missing-terminal"));
//! let errors: Vec<_> = report.findings.iter().filter(|f| f.is_error()).collect();
//! assert_eq!(errors[0].index, Some(4));
//! assert!(report.errors() >= 2);
//! // The response object, cut down to four fields, lacks the others: a warning.
//! assert_eq!(report.findings[0].rule.id, "response.all-fields");
//! assert_eq!(report.findings[0].rule.severity, Severity::Warning);
//! assert_eq!(report.warnings(), 1);
//! ```
//!
//! Checking events one by one, for instance the output of a stream writer:
//!
//! ```
//! use openai_wire_check::{ChatChecker, StreamChecker};
//! use openai_wire_events::{ChatCompletionStreamEvent, StreamEvent};
//!
//! let mut checker = ChatChecker::new();
//! let lines = [
//!     r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}"#,
//!     r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
//! ];
//! for (index, line) in lines.iter().enumerate() {
//!     checker.push(index, &ChatCompletionStreamEvent::from_json(line).unwrap());
//! }
//! checker.push_done_marker(2);
//! assert!(checker.finish(None).is_empty());
//! ```

mod assistants;
mod catalogue;
mod chat;
pub mod dispositions;
mod realtime;
mod response_object;
mod responses;
mod util;

use std::fmt;

use openai_wire_decode::{Decoder, Format, Item, Protocol, Summary};
use openai_wire_events::{
    AgentSessionStreamEvent, CompletionStreamEvent, ImageEditStreamEvent,
    ImageGenerationStreamEvent, LiveClientEvent, LiveServerEvent, RealtimeClientEvent,
    SpeechStreamEvent, StreamEvent, TranscriptionStreamEvent, WebhookEvent,
};
use serde::Serialize;

pub use assistants::AssistantsChecker;
pub use catalogue::{RULES, Rule, Severity, UnknownRule, rule, rules};
pub use chat::ChatChecker;
pub use realtime::RealtimeChecker;
pub use responses::ResponseChecker;

/// One departure from the protocol: which rule, where, and what was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule that is broken (its id and severity are [`Finding::id`] and [`Finding::severity`]).
    pub rule: &'static Rule,
    /// The index of the event in the stream (as [`openai_wire_decode::Position::index`]), when
    /// the finding is about one event; `None` for findings about the stream as a whole.
    pub index: Option<usize>,
    /// What was seen, in words.
    pub message: String,
}

impl Finding {
    /// A finding of `rule` at event `index`.
    pub fn new(rule: &'static Rule, index: Option<usize>, message: impl Into<String>) -> Self {
        Self {
            rule,
            index,
            message: message.into(),
        }
    }

    /// The rule's id.
    pub fn id(&self) -> &'static str {
        self.rule.id
    }

    /// The rule's severity.
    pub fn severity(&self) -> Severity {
        self.rule.severity
    }

    /// Whether this finding is an error.
    pub fn is_error(&self) -> bool {
        self.rule.severity == Severity::Error
    }
}

/// `INDEX: error RULE message` (or `-` for the index of a finding about the whole stream).
impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(index) => write!(f, "{index}: ")?,
            None => f.write_str("-: ")?,
        }
        write!(
            f,
            "{} {} {}",
            self.rule.severity, self.rule.id, self.message
        )
    }
}

/// Serialized flat: `{"rule": id, "severity": "error", "index": 4, "message": "…"}`.
impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut s = serializer.serialize_struct("Finding", 4)?;
        s.serialize_field("rule", self.rule.id)?;
        s.serialize_field("severity", &self.rule.severity)?;
        s.serialize_field("index", &self.index)?;
        s.serialize_field("message", &self.message)?;
        s.end()
    }
}

/// A streaming checker of one protocol.
pub trait StreamChecker {
    /// The protocol's event enum.
    type Event;

    /// Checks the next event; `index` is its index in the stream (decoder frames, `[DONE]`
    /// included, as [`openai_wire_decode::Position::index`]).
    fn push(&mut self, index: usize, event: &Self::Event);

    /// Checks the next event as [`push`](Self::push) does, given also its JSON text as received
    /// (as [`openai_wire_decode::Decoded::raw`]). A typed event writes `null` for a field the
    /// text left out, so the rules about absent fields (`response.all-fields`) see the absence
    /// only here; [`push`](Self::push) checks the JSON the event writes. By default the text is
    /// not looked at.
    fn push_raw(&mut self, index: usize, event: &Self::Event, raw: &str) {
        let _ = raw;
        self.push(index, event);
    }

    /// Notes the `data: [DONE]` marker at `index`.
    fn push_done_marker(&mut self, index: usize);

    /// Ends the stream and returns every finding, in the order of the events they are about
    /// (findings about the whole stream last). `summary` is the decoder's, when there is one: it
    /// tells whether the input was cut off in the middle of an event.
    fn finish(self, summary: Option<&Summary>) -> Vec<Finding>;
}

/// Checks a whole sequence of events (indices 0, 1, 2, …) with a fresh checker.
///
/// ```
/// use openai_wire_check::{ResponseChecker, check_events};
/// use openai_wire_events::{ResponseStreamEvent, StreamEvent};
///
/// let events = [ResponseStreamEvent::from_json(
///     r#"{"type":"response.created","sequence_number":0,"response":{"id":"r","status":"in_progress","output":[]}}"#,
/// )?];
/// let findings = check_events(ResponseChecker::new(), &events);
/// let ids: Vec<&str> = findings.iter().map(|f| f.rule.id).collect();
/// // The response, cut down to three fields, writes `null` sampling numbers: a warning.
/// assert_eq!(ids, ["response.all-fields", "lifecycle.missing-terminal"]);
/// # Ok::<(), openai_wire_events::DecodeError>(())
/// ```
pub fn check_events<'a, C>(
    mut checker: C,
    events: impl IntoIterator<Item = &'a C::Event>,
) -> Vec<Finding>
where
    C: StreamChecker,
    C::Event: 'a,
{
    for (index, event) in events.into_iter().enumerate() {
        checker.push(index, event);
    }
    checker.finish(None)
}

/// What [`check_bytes`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Every finding, in stream order (findings about the whole stream last).
    pub findings: Vec<Finding>,
    /// The decoder's summary of the stream.
    #[serde(skip)]
    pub summary: Summary,
}

impl Report {
    /// How many findings are errors.
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.is_error()).count()
    }

    /// How many findings are warnings.
    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }

    /// Whether the stream has no error (warnings allowed).
    pub fn is_ok(&self) -> bool {
        self.errors() == 0
    }

    /// The findings of the rule with this id.
    pub fn of_rule<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| f.rule.id == id)
    }
}

/// Decodes a whole recorded stream and checks it.
///
/// Decode errors are findings of `decode.error` (decoding goes on after them), event types the
/// model does not know are `decode.unknown-event` warnings, and a stream cut off in the middle
/// of an event is `lifecycle.truncated`. Protocols without a checker of their own (legacy
/// Completions, audio, images, webhooks, Realtime client events) get those three checks only.
pub fn check_bytes(protocol: Protocol, format: Format, bytes: &[u8]) -> Report {
    match protocol {
        Protocol::Responses => run(ResponseChecker::new(), format, bytes),
        Protocol::Chat => {
            let checker = match format {
                Format::Sse => ChatChecker::new(),
                // JSONL recordings store chunks, not the SSE text: there is no `[DONE]` to see.
                Format::Jsonl => ChatChecker::new().expect_done_marker(false),
            };
            run(checker, format, bytes)
        }
        Protocol::Realtime => run(RealtimeChecker::new(), format, bytes),
        Protocol::Assistants => run(AssistantsChecker::new(), format, bytes),
        Protocol::Completions => run(DecodeOnly::<CompletionStreamEvent>::new(), format, bytes),
        Protocol::RealtimeClient => run(DecodeOnly::<RealtimeClientEvent>::new(), format, bytes),
        Protocol::Transcription => {
            run(DecodeOnly::<TranscriptionStreamEvent>::new(), format, bytes)
        }
        Protocol::Speech => run(DecodeOnly::<SpeechStreamEvent>::new(), format, bytes),
        Protocol::ImageGeneration => run(
            DecodeOnly::<ImageGenerationStreamEvent>::new(),
            format,
            bytes,
        ),
        Protocol::ImageEdit => run(DecodeOnly::<ImageEditStreamEvent>::new(), format, bytes),
        Protocol::Webhooks => run(DecodeOnly::<WebhookEvent>::new(), format, bytes),
        // New protocols (spec/additions/): decoded, no protocol rules yet.
        Protocol::AgentSessions => run(DecodeOnly::<AgentSessionStreamEvent>::new(), format, bytes),
        Protocol::Live => run(DecodeOnly::<LiveServerEvent>::new(), format, bytes),
        Protocol::LiveClient => run(DecodeOnly::<LiveClientEvent>::new(), format, bytes),
    }
}

fn run<C>(mut checker: C, format: Format, bytes: &[u8]) -> Report
where
    C: StreamChecker,
    C::Event: StreamEvent,
{
    let mut decoder = Decoder::<C::Event>::new(format);
    decoder.feed(bytes);
    decoder.finish();
    let mut decode_findings = Vec::new();
    while let Some(item) = decoder.next_item() {
        match item {
            Ok(Item::Event(decoded)) => {
                let index = util::index(decoded.position.index);
                checker.push_raw(index, &decoded.event, decoded.raw);
            }
            Ok(Item::Done(position)) => checker.push_done_marker(util::index(position.index)),
            Ok(Item::Comment(_)) => {}
            Err(error) => decode_findings.push(Finding::new(
                &rules::DECODE_ERROR,
                Some(util::index(error.position.index)),
                error.to_string(),
            )),
        }
    }
    let summary = decoder.summary().clone();
    let mut findings = checker.finish(Some(&summary));
    findings.extend(decode_findings);
    // Stable: findings about one event in event order, whole-stream findings last.
    findings.sort_by_key(|f| f.index.unwrap_or(usize::MAX));
    Report { findings, summary }
}

/// The checks every protocol gets: unknown event types and truncation.
#[derive(Debug)]
struct DecodeOnly<E> {
    findings: Vec<Finding>,
    _event: std::marker::PhantomData<fn(&E)>,
}

impl<E> DecodeOnly<E> {
    fn new() -> Self {
        Self {
            findings: Vec::new(),
            _event: std::marker::PhantomData,
        }
    }
}

impl<E: StreamEvent> StreamChecker for DecodeOnly<E> {
    type Event = E;

    fn push(&mut self, index: usize, event: &E) {
        util::unknown_event(&mut self.findings, index, event);
    }

    fn push_done_marker(&mut self, _index: usize) {}

    fn finish(mut self, summary: Option<&Summary>) -> Vec<Finding> {
        util::truncated(&mut self.findings, summary);
        self.findings
    }
}
