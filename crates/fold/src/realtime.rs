//! Realtime server events folded into a conversation and its responses.

use openai_wire_events::{
    RealtimeConversationItem, RealtimeResponse, RealtimeResponseStatus, RealtimeServerEvent,
};
use serde_json::Value;

use crate::diff::{Difference, MAX_DIFFERENCES};
use crate::slots::{Slots, wire_index};
use crate::{ToolCall, ToolCallKind};

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
}

impl FoldedResponse {
    /// Puts an announced (or done) item at `key` and returns the merged item. An item already
    /// there under the same id is merged; an index already taken by another item (xAI gives
    /// every item of a response `output_index` 0) puts the item after the last one.
    fn put(&mut self, key: u64, item: RealtimeItem) -> RealtimeItem {
        let by_id = self
            .output
            .iter()
            .position(|i| !item.id.is_empty() && i.id == item.id);
        let pos = match by_id.or_else(|| self.slots.find(key)) {
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
        };
        self.output[pos].clone()
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
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RealtimeUpdate {
    /// Output text arrived (`response.output_text.delta`, beta `response.text.delta`).
    TextDelta {
        /// The response's id.
        response_id: String,
        /// The item's id.
        item_id: String,
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
        /// The new text.
        delta: String,
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
    /// A function call is complete (`response.output_item.done` of a `function_call`).
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
}

impl RealtimeFold {
    /// An empty fold.
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds one server event and says what it changed.
    pub fn push(&mut self, event: &RealtimeServerEvent) -> Option<RealtimeUpdate> {
        use RealtimeServerEvent as E;
        match event {
            E::ConversationItemAdded(e) => {
                self.add_item(e.previous_item_id.as_deref(), &e.item);
                None
            }
            E::ConversationItemCreated(e) => {
                self.add_item(e.previous_item_id.as_deref(), &e.item);
                None
            }
            E::ConversationItemDone(e) => {
                self.update_item(&e.item);
                None
            }
            E::ConversationItemRetrieved(e) => {
                self.update_item(&e.item);
                None
            }
            E::ConversationItemDeleted(e) => {
                self.conversation.retain(|i| i.id != e.item_id);
                None
            }
            E::ConversationItemInputAudioTranscriptionDelta(e) => {
                let item = self.conversation.iter_mut().find(|i| i.id == e.item_id)?;
                let part = item.part(e.content_index.unwrap_or(0))?;
                if let Some(delta) = &e.delta {
                    part.transcript
                        .get_or_insert_with(String::new)
                        .push_str(delta);
                }
                None
            }
            E::ConversationItemInputAudioTranscriptionCompleted(e) => {
                let item = self.conversation.iter_mut().find(|i| i.id == e.item_id)?;
                let part = item.part(e.content_index)?;
                part.transcript = Some(e.transcript.clone());
                None
            }
            E::ResponseCreated(e) => {
                self.responses.push(FoldedResponse {
                    id: e.response.id.clone().unwrap_or_default(),
                    status: e.response.status.clone(),
                    ..Default::default()
                });
                None
            }
            E::ResponseOutputItemAdded(e) => {
                let item = RealtimeItem::from_item(&e.item);
                let key = wire_index(e.output_index)?;
                if !item.id.is_empty() && !self.conversation.iter().any(|i| i.id == item.id) {
                    self.conversation.push(item.clone());
                }
                self.response(&e.response_id).put(key, item);
                None
            }
            E::ResponseOutputItemDone(e) => {
                let item = RealtimeItem::from_item(&e.item);
                let key = wire_index(e.output_index)?;
                let merged = self.response(&e.response_id).put(key, item);
                match self.conversation.iter_mut().find(|i| i.id == merged.id) {
                    Some(existing) => existing.merge(merged.clone()),
                    None if !merged.id.is_empty() => self.conversation.push(merged.clone()),
                    None => {}
                }
                (merged.kind == "function_call").then(|| {
                    RealtimeUpdate::ToolCallDone(ToolCall {
                        kind: ToolCallKind::Function,
                        index: key,
                        item_id: Some(merged.id.clone()).filter(|s| !s.is_empty()),
                        call_id: merged.call_id.clone().unwrap_or_default(),
                        name: merged.name.clone().unwrap_or_default(),
                        arguments: merged.arguments.clone().unwrap_or_default(),
                    })
                })
            }
            E::ResponseContentPartAdded(e) => {
                let kind = e.part.r#type.as_ref().map(|t| t.as_str().to_owned());
                let (text, transcript) = (e.part.text.clone(), e.part.transcript.clone());
                self.with_part(
                    &e.response_id,
                    e.output_index,
                    &e.item_id,
                    e.content_index,
                    |p| {
                        if p.kind.is_none() {
                            p.kind.clone_from(&kind);
                        }
                        if p.text.is_none() {
                            p.text.clone_from(&text);
                        }
                        if p.transcript.is_none() {
                            p.transcript.clone_from(&transcript);
                        }
                    },
                );
                None
            }
            E::ResponseContentPartDone(e) => {
                let kind = e.part.r#type.as_ref().map(|t| t.as_str().to_owned());
                let (text, transcript) = (e.part.text.clone(), e.part.transcript.clone());
                self.with_part(
                    &e.response_id,
                    e.output_index,
                    &e.item_id,
                    e.content_index,
                    |p| {
                        if kind.is_some() {
                            p.kind.clone_from(&kind);
                        }
                        if text.is_some() {
                            p.text.clone_from(&text);
                        }
                        if transcript.is_some() {
                            p.transcript.clone_from(&transcript);
                        }
                    },
                );
                None
            }
            E::ResponseOutputTextDelta(e) => {
                self.with_part(
                    &e.response_id,
                    e.output_index,
                    &e.item_id,
                    e.content_index,
                    |p| {
                        p.text.get_or_insert_with(String::new).push_str(&e.delta);
                    },
                );
                Some(RealtimeUpdate::TextDelta {
                    response_id: e.response_id.clone(),
                    item_id: e.item_id.clone(),
                    delta: e.delta.clone(),
                })
            }
            E::ResponseOutputTextDone(e) => {
                self.with_part(
                    &e.response_id,
                    e.output_index,
                    &e.item_id,
                    e.content_index,
                    |p| {
                        p.text = Some(e.text.clone());
                    },
                );
                None
            }
            E::ResponseOutputAudioTranscriptDelta(e) => {
                self.with_part(
                    &e.response_id,
                    e.output_index,
                    &e.item_id,
                    e.content_index,
                    |p| {
                        p.transcript
                            .get_or_insert_with(String::new)
                            .push_str(&e.delta);
                    },
                );
                Some(RealtimeUpdate::TranscriptDelta {
                    response_id: e.response_id.clone(),
                    item_id: e.item_id.clone(),
                    delta: e.delta.clone(),
                })
            }
            E::ResponseOutputAudioTranscriptDone(e) => {
                self.with_part(
                    &e.response_id,
                    e.output_index,
                    &e.item_id,
                    e.content_index,
                    |p| {
                        p.transcript = Some(e.transcript.clone());
                    },
                );
                None
            }
            E::ResponseOutputAudioDelta(e) => {
                let bytes = base64_len(&e.delta);
                self.with_part(
                    &e.response_id,
                    e.output_index,
                    &e.item_id,
                    e.content_index,
                    |p| {
                        p.audio_bytes = p.audio_bytes.saturating_add(bytes);
                    },
                );
                Some(RealtimeUpdate::AudioDelta {
                    response_id: e.response_id.clone(),
                    item_id: e.item_id.clone(),
                    bytes,
                })
            }
            E::ResponseFunctionCallArgumentsDelta(e) => {
                self.with_item(&e.response_id, e.output_index, &e.item_id, |item| {
                    item.arguments
                        .get_or_insert_with(String::new)
                        .push_str(&e.delta);
                    if item.call_id.is_none() && !e.call_id.is_empty() {
                        item.call_id = Some(e.call_id.clone());
                    }
                });
                None
            }
            E::ResponseFunctionCallArgumentsDone(e) => {
                self.with_item(&e.response_id, e.output_index, &e.item_id, |item| {
                    item.arguments = Some(e.arguments.clone());
                    if !e.name.is_empty() {
                        item.name = Some(e.name.clone());
                    }
                });
                None
            }
            E::ResponseDone(e) => {
                let id = e.response.id.clone().unwrap_or_default();
                let response = self.response(&id);
                response.status = e.response.status.clone();
                let reference: Vec<RealtimeItem> = e
                    .response
                    .output
                    .iter()
                    .flatten()
                    .map(RealtimeItem::from_item)
                    .collect();
                response.differences = compare(&response.output, &reference);
                response.done = Some(e.response.clone());
                Some(RealtimeUpdate::ResponseDone {
                    response_id: id,
                    status: e.response.status.clone(),
                })
            }
            E::Error(e) => {
                let message = serde_json::to_value(&e.error)
                    .ok()
                    .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
                    .unwrap_or_default();
                self.errors.push(message.clone());
                Some(RealtimeUpdate::Error { message })
            }
            _ => None,
        }
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
    fn response(&mut self, id: &str) -> &mut FoldedResponse {
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

    fn add_item(&mut self, previous: Option<&str>, item: &RealtimeConversationItem) {
        let item = RealtimeItem::from_item(item);
        if let Some(existing) = self
            .conversation
            .iter_mut()
            .find(|i| !item.id.is_empty() && i.id == item.id)
        {
            existing.merge(item);
            return;
        }
        let at = previous
            .and_then(|p| self.conversation.iter().position(|i| i.id == p))
            .map_or(self.conversation.len(), |p| p + 1);
        self.conversation.insert(at, item);
    }

    fn update_item(&mut self, item: &RealtimeConversationItem) {
        let item = RealtimeItem::from_item(item);
        match self
            .conversation
            .iter_mut()
            .find(|i| !item.id.is_empty() && i.id == item.id)
        {
            Some(existing) => existing.merge(item),
            None => self.conversation.push(item),
        }
    }

    /// Applies `f` to the response's output item and to the conversation's copy.
    fn with_item(
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

    fn with_part(
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

/// Compares the folded output with `response.done`'s, on what the reference states.
fn compare(folded: &[RealtimeItem], reference: &[RealtimeItem]) -> Vec<Difference> {
    let mut out = Vec::new();
    let s = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
    if folded.len() != reference.len() {
        out.push(Difference {
            path: "output.length".to_owned(),
            folded: folded.len().into(),
            authoritative: reference.len().into(),
        });
    }
    let empty = RealtimeItem::default();
    for (i, r) in reference.iter().enumerate() {
        let f = folded.get(i).unwrap_or(&empty);
        let mut check = |path: String, a: Value, b: Value| {
            if a != b && out.len() < MAX_DIFFERENCES {
                out.push(Difference {
                    path,
                    folded: a,
                    authoritative: b,
                });
            }
        };
        check(
            format!("output[{i}].id"),
            f.id.clone().into(),
            r.id.clone().into(),
        );
        check(
            format!("output[{i}].type"),
            f.kind.clone().into(),
            r.kind.clone().into(),
        );
        for (field, a, b) in [
            ("call_id", &f.call_id, &r.call_id),
            ("name", &f.name, &r.name),
            ("arguments", &f.arguments, &r.arguments),
            ("output", &f.output, &r.output),
        ] {
            if b.is_some() {
                check(format!("output[{i}].{field}"), s(a), s(b));
            }
        }
        let none = RealtimePart::default();
        for (j, rp) in r.content.iter().enumerate() {
            let fp = f.content.get(j).unwrap_or(&none);
            if rp.text.is_some() {
                check(
                    format!("output[{i}].content[{j}].text"),
                    s(&fp.text),
                    s(&rp.text),
                );
            }
            if rp.transcript.is_some() {
                check(
                    format!("output[{i}].content[{j}].transcript"),
                    s(&fp.transcript),
                    s(&rp.transcript),
                );
            }
        }
    }
    out
}

/// The decoded length of base64 text, without decoding it.
pub(crate) fn base64_len(text: &str) -> u64 {
    let symbols = text
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'))
        .count() as u64;
    symbols * 3 / 4
}

#[cfg(test)]
mod tests {
    use super::base64_len;

    #[test]
    fn base64_lengths() {
        assert_eq!(base64_len(""), 0);
        assert_eq!(base64_len("AAAA"), 3);
        assert_eq!(base64_len("AAA="), 2);
        assert_eq!(base64_len("AA=="), 1);
        assert_eq!(base64_len("AAAAAA=="), 4);
    }
}
