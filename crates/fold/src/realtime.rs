//! Realtime server events folded into a conversation and its responses.

mod compare;
mod events;
mod unstreamed;

use std::collections::HashMap;

use openai_wire_events::{
    RealtimeConversationItem, RealtimeResponse, RealtimeResponseStatus, RealtimeServerEvent,
};
use serde_json::Value;

use crate::ToolCall;
use crate::diff::Difference;
use crate::shown::Shown;
use crate::slots::{Slots, wire_index};
pub(crate) use compare::base64_len;

/// One item of a Realtime conversation (a message, a function call, a function call output,
/// an MCP item, …), in a shape common to all item types.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct RealtimeItem {
    /// The item's `id`.
    pub id: String,
    /// The item's `type`: `message`, `function_call`, `function_call_output`, `mcp_call`, …
    pub kind: String,
    /// A message's `role` (`user`, `assistant`, `system`).
    pub role: Option<String>,
    /// The item's `status`.
    pub status: Option<String>,
    /// A message's content parts.
    pub content: Vec<RealtimePart>,
    /// A function call's (or its output's) `call_id`.
    pub call_id: Option<String>,
    /// A function or MCP call's `name`.
    pub name: Option<String>,
    /// A function or MCP call's `arguments`.
    pub arguments: Option<String>,
    /// A function call output's `output`.
    pub output: Option<String>,
}

/// One content part of a Realtime message.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RealtimePart {
    /// The part's `type` (`output_text`, `output_audio`, `input_text`, `input_audio`, and the
    /// beta `text` / `audio`), when known.
    pub kind: Option<String>,
    /// The text of a text part.
    pub text: Option<String>,
    /// The transcript of an audio part (the model's audio, or the user's transcribed input).
    pub transcript: Option<String>,
    /// How many bytes of audio the part received (base64-decoded length of the audio deltas, or
    /// of the `audio` field when an item carries it whole).
    pub audio_bytes: u64,
}

impl RealtimeItem {
    /// The common shape of a typed conversation item. Reads the item's JSON, so that every item
    /// type (and every arm the union decodes a message into) gives the same fields.
    pub fn from_item(item: &RealtimeConversationItem) -> Self {
        let value = serde_json::to_value(item).unwrap_or(Value::Null);
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        let content = value
            .get("content")
            .and_then(Value::as_array)
            .map(|parts| {
                parts
                    .iter()
                    .map(|p| {
                        let s = |key: &str| p.get(key).and_then(Value::as_str).map(str::to_owned);
                        RealtimePart {
                            kind: s("type"),
                            text: s("text"),
                            transcript: s("transcript"),
                            audio_bytes: s("audio").map_or(0, |a| base64_len(&a)),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        RealtimeItem {
            id: text("id").unwrap_or_default(),
            kind: text("type").unwrap_or_default(),
            role: text("role"),
            status: text("status"),
            content,
            call_id: text("call_id"),
            name: text("name"),
            arguments: text("arguments"),
            output: text("output"),
        }
    }

    /// The text of the item: its parts' text, or their transcript when a part has no text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for part in &self.content {
            if let Some(t) = part.text.as_ref().or(part.transcript.as_ref()) {
                out.push_str(t);
            }
        }
        out
    }

    /// Takes `newer` (a done or re-announced item), keeping what it leaves out but the deltas
    /// gave (text, transcripts, audio byte counts, arguments).
    fn merge(&mut self, newer: RealtimeItem) {
        let old = std::mem::replace(self, newer);
        if self.id.is_empty() {
            self.id = old.id;
        }
        if self.arguments.as_deref().is_none_or(str::is_empty) && old.arguments.is_some() {
            self.arguments = old.arguments;
        }
        if self.content.is_empty() {
            self.content = old.content;
            return;
        }
        for (new, old) in self.content.iter_mut().zip(old.content) {
            if new.text.is_none() {
                new.text = old.text;
            }
            if new.transcript.is_none() {
                new.transcript = old.transcript;
            }
            if new.kind.is_none() {
                new.kind = old.kind;
            }
            new.audio_bytes = new.audio_bytes.max(old.audio_bytes);
        }
    }

    /// The part at `content_index`; an index beyond the parts so far appends one part (no
    /// padding).
    fn part(&mut self, content_index: i64) -> Option<&mut RealtimePart> {
        let ci = usize::try_from(content_index).ok()?;
        if ci >= self.content.len() {
            self.content.push(RealtimePart::default());
            return self.content.last_mut();
        }
        self.content.get_mut(ci)
    }
}

/// One response of a Realtime session, as folded from its events, with its `response.done`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct FoldedResponse {
    /// The response's `id`.
    pub id: String,
    /// The status: `in_progress` until `response.done` gives the final one.
    pub status: Option<RealtimeResponseStatus>,
    /// The output items, in `output_index` order.
    pub output: Vec<RealtimeItem>,
    /// The `response` of `response.done`, the reference, once it arrived.
    pub done: Option<RealtimeResponse>,
    /// Where the folded output differs from `response.done`'s (paths like
    /// `output[0].content[0].transcript`). Only what the reference states is compared.
    pub differences: Vec<Difference>,
    #[serde(skip)]
    slots: Slots,
    /// The `output_index` of each item whose end was reported.
    #[serde(skip)]
    ended: Vec<u64>,
}

impl FoldedResponse {
    /// Puts an announced (or done) item at `key` and returns its position. An item already
    /// there under the same id is merged; an index already taken by another item (xAI gives
    /// every item of a response `output_index` 0) puts the item after the last one.
    fn put(&mut self, key: u64, item: RealtimeItem) -> usize {
        let by_id = self
            .output
            .iter()
            .position(|i| !item.id.is_empty() && i.id == item.id);
        match by_id.or_else(|| self.slots.find(key)) {
            Some(pos) if self.output[pos].id.is_empty() || self.output[pos].id == item.id => {
                self.output[pos].merge(item);
                pos
            }
            Some(_) => {
                let next = self
                    .slots
                    .key(self.output.len().saturating_sub(1))
                    .map_or(key, |k| k.saturating_add(1).max(key));
                self.slots.set(&mut self.output, next, item)
            }
            None => self.slots.set(&mut self.output, key, item),
        }
    }

    /// The text (or transcript) of every message of the output, in order.
    pub fn text(&self) -> String {
        self.output
            .iter()
            .filter(|i| i.kind == "message")
            .map(RealtimeItem::text)
            .collect()
    }
}

/// What one Realtime event changed.
///
/// Returned by [`RealtimeFold::push`] (the event's own update) and
/// [`RealtimeFold::push_updates`] (every update, the text no delta gave included).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RealtimeUpdate {
    /// Output text arrived (`response.output_text.delta`, beta `response.text.delta`).
    TextDelta {
        /// The response's id.
        response_id: String,
        /// The item's id.
        item_id: String,
        /// The `content_index` of the part.
        content_index: u64,
        /// The new text.
        delta: String,
    },
    /// A transcript of the model's audio arrived (`response.output_audio_transcript.delta`,
    /// beta `response.audio_transcript.delta`).
    TranscriptDelta {
        /// The response's id.
        response_id: String,
        /// The item's id.
        item_id: String,
        /// The `content_index` of the part.
        content_index: u64,
        /// The new text.
        delta: String,
    },
    /// A transcript of the user's audio arrived
    /// (`conversation.item.input_audio_transcription.delta`).
    InputTranscriptDelta {
        /// The user item's id.
        item_id: String,
        /// The `content_index` of the audio part.
        content_index: u64,
        /// The new text.
        delta: String,
    },
    /// The user's audio could not be transcribed
    /// (`conversation.item.input_audio_transcription.failed`).
    InputTranscriptionFailed {
        /// The user item's id.
        item_id: String,
        /// The error's message.
        message: String,
    },
    /// Text (or a transcript) of a message that no delta gave: an event carried it whole
    /// (`response.output_text.done`, `response.output_audio_transcript.done`,
    /// `response.content_part.done`, `response.output_item.done`, `response.done`,
    /// `conversation.item.added` / `.created` / `.done`,
    /// `conversation.item.input_audio_transcription.completed`), and the deltas gave none of it
    /// or only its beginning. Reported by [`RealtimeFold::push_updates`] only.
    ///
    /// Each text is given once: for every part of every item, its deltas and these pieces add
    /// up to the text the server finally sent (when that text does not start with what the
    /// deltas gave, nothing more is reported: the deltas gave their version).
    UnstreamedText {
        /// The id of the response whose output the item is; `None` for a conversation item of
        /// no response (what the user said, a history the client seeded).
        response_id: Option<String>,
        /// The item's id.
        item_id: String,
        /// The item's `role` (`user`, `assistant`, `system`), when known.
        role: Option<String>,
        /// The `content_index` of the part.
        content_index: u64,
        /// The text no update gave before.
        text: String,
    },
    /// Audio arrived (`response.output_audio.delta`): how many bytes, base64-decoded.
    AudioDelta {
        /// The response's id.
        response_id: String,
        /// The item's id.
        item_id: String,
        /// Decoded length of the delta.
        bytes: u64,
    },
    /// A function call is complete (`response.output_item.done` of a `function_call`; from
    /// [`RealtimeFold::push_updates`], also a call that only `response.done` finished).
    /// Reported once per call.
    ToolCallDone(ToolCall),
    /// A response is done (`response.done`).
    ResponseDone {
        /// The response's id.
        response_id: String,
        /// Its final status.
        status: Option<RealtimeResponseStatus>,
    },
    /// An `error` event arrived.
    Error {
        /// The error's code, when the server gave one.
        code: Option<String>,
        /// The error's message.
        message: String,
    },
}

/// Folds Realtime server events into the conversation and the output of each response.
///
/// - The conversation: items in conversation order (`conversation.item.added` /
///   `.created` after their `previous_item_id`, else at the end; `.done` and
///   `.retrieved` update, `.deleted` removes). Response output items join the conversation
///   when announced. User audio transcripts (`conversation.item.input_audio_transcription.*`)
///   fill the user item's part.
/// - Each response (`response.created` … `response.done`): output items by `output_index`,
///   text and audio transcripts concatenated, audio deltas counted in bytes, function call
///   arguments concatenated. Deltas update the response's item and the conversation's copy.
/// - `response.done` is the reference: its status is taken and its output compared with the
///   fold ([`FoldedResponse::differences`]).
/// - For a caller that shows the session, [`RealtimeFold::push_updates`] reports every text once
///   (the deltas, then what only a done event or an item carried), and every call once;
///   [`RealtimeFold::unfinished_calls`] gives the calls a cut-off recording left open.
/// - GA names and the beta names (`response.text.delta`, `response.audio.delta`, …) alike: the
///   decoder reads beta names as their GA events.
///
/// Items are read through their JSON ([`RealtimeItem::from_item`]), so every item type gives
/// the same fields.
///
/// # Example
///
/// ```
/// use openai_wire_events::{RealtimeServerEvent, StreamEvent};
/// use openai_wire_fold::RealtimeFold;
///
/// let events = [
///     r#"{"type":"response.created","event_id":"e1","response":{"id":"resp_1","status":"in_progress","output":[]}}"#,
///     r#"{"type":"response.output_item.added","event_id":"e2","response_id":"resp_1","output_index":0,"item":{"id":"item_1","type":"message","role":"assistant","content":[]}}"#,
///     r#"{"type":"response.output_text.delta","event_id":"e3","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"Hi!"}"#,
/// ];
/// let mut fold = RealtimeFold::new();
/// for json in events {
///     fold.push(&RealtimeServerEvent::from_json(json)?);
/// }
/// assert_eq!(fold.responses()[0].text(), "Hi!");
/// assert_eq!(fold.conversation()[0].text(), "Hi!");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct RealtimeFold {
    conversation: Vec<RealtimeItem>,
    responses: Vec<FoldedResponse>,
    errors: Vec<String>,
    /// What the updates gave of each part's text, by item id and `content_index`.
    shown: HashMap<(String, u64), Shown>,
}

impl RealtimeFold {
    /// An empty fold.
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds one server event and says what it changed: the event's own update;
    /// [`push_updates`](Self::push_updates) also gives the text that no delta streamed.
    pub fn push(&mut self, event: &RealtimeServerEvent) -> Option<RealtimeUpdate> {
        self.conversation_event(event, &mut Vec::new())
    }

    /// Folds one event, like [`push`](Self::push), and returns every update it makes, in order:
    /// first the text that no delta gave ([`RealtimeUpdate::UnstreamedText`]) and, for
    /// `response.done`, the calls whose done event never came, then the event's own update.
    ///
    /// ```
    /// use openai_wire_events::{RealtimeServerEvent, StreamEvent};
    /// use openai_wire_fold::{RealtimeFold, RealtimeUpdate};
    ///
    /// let events = [
    ///     r#"{"type":"conversation.item.added","event_id":"e1","item":{"id":"item_1","type":"message","role":"user","content":[{"type":"input_text","text":"Hi"}]}}"#,
    ///     r#"{"type":"response.output_item.added","event_id":"e2","response_id":"resp_1","output_index":0,"item":{"id":"item_2","type":"message","role":"assistant","content":[]}}"#,
    ///     // No deltas: the text comes whole.
    ///     r#"{"type":"response.output_text.done","event_id":"e3","response_id":"resp_1","item_id":"item_2","output_index":0,"content_index":0,"text":"Hello!"}"#,
    /// ];
    /// let mut fold = RealtimeFold::new();
    /// let mut said = Vec::new();
    /// for json in events {
    ///     for update in fold.push_updates(&RealtimeServerEvent::from_json(json)?) {
    ///         if let RealtimeUpdate::UnstreamedText { role, text, .. } = update {
    ///             said.push((role.unwrap_or_default(), text));
    ///         }
    ///     }
    /// }
    /// assert_eq!(said, [("user".to_owned(), "Hi".to_owned()), ("assistant".to_owned(), "Hello!".to_owned())]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn push_updates(&mut self, event: &RealtimeServerEvent) -> Vec<RealtimeUpdate> {
        let mut updates = Vec::new();
        let own = self.conversation_event(event, &mut updates);
        updates.extend(own);
        updates
    }

    /// The conversation's items, in conversation order.
    pub fn conversation(&self) -> &[RealtimeItem] {
        &self.conversation
    }

    /// Every response so far, in the order they were created.
    pub fn responses(&self) -> &[FoldedResponse] {
        &self.responses
    }

    /// The messages of the `error` events so far.
    pub fn errors(&self) -> &[String] {
        &self.errors
    }

    /// The text (or transcript) of the last response's messages.
    pub fn final_text(&self) -> String {
        self.responses
            .last()
            .map(FoldedResponse::text)
            .unwrap_or_default()
    }

    /// The response with this id; the last one when the id is unknown or empty (a stream that
    /// never announced it gets one).
    pub(super) fn response(&mut self, id: &str) -> &mut FoldedResponse {
        let found = self
            .responses
            .iter()
            .rposition(|r| !id.is_empty() && r.id == id);
        let pos = match found {
            Some(pos) => pos,
            None if self
                .responses
                .last()
                .is_some_and(|r| id.is_empty() || r.id.is_empty()) =>
            {
                self.responses.len() - 1
            }
            None => {
                self.responses.push(FoldedResponse {
                    id: id.to_owned(),
                    ..Default::default()
                });
                self.responses.len() - 1
            }
        };
        &mut self.responses[pos]
    }

    /// Applies `f` to the response's output item and to the conversation's copy.
    pub(super) fn with_item(
        &mut self,
        response_id: &str,
        output_index: i64,
        item_id: &str,
        mut f: impl FnMut(&mut RealtimeItem),
    ) {
        if let Some(key) = wire_index(output_index) {
            let response = self.response(response_id);
            let by_id = response
                .output
                .iter()
                .position(|i| !item_id.is_empty() && i.id == item_id);
            let pos = match by_id.or_else(|| response.slots.find(key)) {
                Some(pos) => Some(pos),
                None => {
                    let item = RealtimeItem {
                        id: item_id.to_owned(),
                        ..Default::default()
                    };
                    Some(response.slots.set(&mut response.output, key, item))
                }
            };
            if let Some(item) = pos.and_then(|p| response.output.get_mut(p)) {
                if item.id.is_empty() || item_id.is_empty() || item.id == item_id {
                    f(item);
                }
            }
        }
        if !item_id.is_empty() {
            if let Some(item) = self.conversation.iter_mut().find(|i| i.id == item_id) {
                f(item);
            }
        }
    }

    /// Applies `f` to a part of the response's output item and of the conversation's copy.
    pub(super) fn with_part(
        &mut self,
        response_id: &str,
        output_index: i64,
        item_id: &str,
        content_index: i64,
        mut f: impl FnMut(&mut RealtimePart),
    ) {
        self.with_item(response_id, output_index, item_id, |item| {
            if let Some(part) = item.part(content_index) {
                f(part);
            }
        });
    }
}

/// Folds a whole Realtime session.
pub fn fold_realtime(events: impl IntoIterator<Item = RealtimeServerEvent>) -> RealtimeFold {
    let mut fold = RealtimeFold::new();
    for event in events {
        fold.push(&event);
    }
    fold
}
