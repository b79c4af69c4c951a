//! The parts of an item (message content, reasoning text and summaries): what each was
//! streamed with, and the events that announce and finish them.

use openai_wire_emit::IdSource;
use openai_wire_events::{OutputContent, OutputItem, ResponseStreamEvent};
use serde_json::{Value, json};

use super::{Repair, ResponsesRepair};

/// Which list of an item a part belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    /// `content` (`content_index`).
    Content,
    /// A reasoning item's `summary` (`summary_index`).
    Summary,
}

/// What a part holds (and so which events stream and finish it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PartKind {
    OutputText,
    Refusal,
    ReasoningText,
    SummaryText,
}

impl PartKind {
    /// The list of its item the part belongs to.
    pub(super) fn family(self) -> Family {
        match self {
            PartKind::SummaryText => Family::Summary,
            _ => Family::Content,
        }
    }
}

/// A part as it was announced, and how far it got.
#[derive(Debug)]
pub(super) struct Part {
    kind: PartKind,
    /// Its `content_index` or `summary_index`.
    index: i64,
    /// The text so far: the deltas, or the done event's value once it came.
    text: String,
    /// Whether a delta (or a done event's value) was sent.
    streamed: bool,
    /// Whether its value's done event (`output_text.done`, …) was sent.
    value_done: bool,
    /// Whether its part done event (`content_part.done`, …) was sent.
    done: bool,
}

/// Where a part event points.
pub(super) struct PartKey<'a> {
    pub(super) output_index: i64,
    pub(super) item_id: &'a str,
    pub(super) kind: PartKind,
    pub(super) index: i64,
}

impl<I: IdSource> ResponsesRepair<I> {
    /// What a part event implies before it is sent: the part (and its item) announced when
    /// the upstream never did, earlier parts finished when a new one opens, a value's done
    /// event before its part's done event.
    pub(super) fn part_event(
        &mut self,
        event: &ResponseStreamEvent,
        out: &mut Vec<ResponseStreamEvent>,
    ) {
        use PartKind::{OutputText, ReasoningText, Refusal, SummaryText};
        use ResponseStreamEvent as E;
        let key = |output_index, item_id, kind, index| PartKey {
            output_index,
            item_id,
            kind,
            index,
        };
        match event {
            E::ResponseContentPartAdded(e) => {
                if let Some(kind) = part_kind(&e.part) {
                    self.part_added(&key(e.output_index, &e.item_id, kind, e.content_index), out);
                }
            }
            E::ResponseReasoningSummaryPartAdded(e) => {
                self.part_added(
                    &key(e.output_index, &e.item_id, SummaryText, e.summary_index),
                    out,
                );
            }
            E::ResponseOutputTextDelta(e) => {
                let at = key(e.output_index, &e.item_id, OutputText, e.content_index);
                self.part_delta(&at, &e.delta, out);
            }
            E::ResponseRefusalDelta(e) => {
                let at = key(e.output_index, &e.item_id, Refusal, e.content_index);
                self.part_delta(&at, &e.delta, out);
            }
            E::ResponseReasoningTextDelta(e) => {
                let at = key(e.output_index, &e.item_id, ReasoningText, e.content_index);
                self.part_delta(&at, &e.delta, out);
            }
            E::ResponseReasoningSummaryTextDelta(e) => {
                let at = key(e.output_index, &e.item_id, SummaryText, e.summary_index);
                self.part_delta(&at, &e.delta, out);
            }
            E::ResponseOutputTextDone(e) => {
                let at = key(e.output_index, &e.item_id, OutputText, e.content_index);
                self.part_value_done(&at, &e.text, out);
            }
            E::ResponseRefusalDone(e) => {
                let at = key(e.output_index, &e.item_id, Refusal, e.content_index);
                self.part_value_done(&at, &e.refusal, out);
            }
            E::ResponseReasoningTextDone(e) => {
                let at = key(e.output_index, &e.item_id, ReasoningText, e.content_index);
                self.part_value_done(&at, &e.text, out);
            }
            E::ResponseReasoningSummaryTextDone(e) => {
                let at = key(e.output_index, &e.item_id, SummaryText, e.summary_index);
                self.part_value_done(&at, &e.text, out);
            }
            E::ResponseContentPartDone(e) => {
                if let Some(kind) = part_kind(&e.part) {
                    let at = key(e.output_index, &e.item_id, kind, e.content_index);
                    self.part_done(&at, part_text(&e.part), out);
                }
            }
            E::ResponseReasoningSummaryPartDone(e) => {
                let at = key(e.output_index, &e.item_id, SummaryText, e.summary_index);
                self.part_done(&at, &e.part.text, out);
            }
            _ => {}
        }
    }

    /// Finishes the open parts of one family of an item, but the one at `except`.
    pub(super) fn close_parts(
        &mut self,
        at: usize,
        family: Family,
        except: Option<i64>,
        out: &mut Vec<ResponseStreamEvent>,
    ) {
        for p in 0..self.items[at].parts.len() {
            let part = &self.items[at].parts[p];
            if part.done || part.kind.family() != family || Some(part.index) == except {
                continue;
            }
            if !part.value_done {
                let text = part.text.clone();
                self.value_done(at, p, &text, out);
            }
            let done = self.part_done_event(at, p);
            self.items[at].parts[p].done = true;
            self.emit_synthesized(done, Repair::DoneAdded, out);
        }
    }

    /// `content_part.added` / `reasoning_summary_part.added`: earlier open parts of the same
    /// family are finished first.
    fn part_added(&mut self, key: &PartKey<'_>, out: &mut Vec<ResponseStreamEvent>) {
        let Some(at) = self.open_item(key, out) else {
            return;
        };
        self.close_parts(at, key.kind.family(), Some(key.index), out);
        if self.part_position(at, key).is_none() {
            self.items[at].parts.push(Part {
                kind: key.kind,
                index: key.index,
                text: String::new(),
                streamed: false,
                value_done: false,
                done: false,
            });
        }
    }

    fn part_delta(&mut self, key: &PartKey<'_>, delta: &str, out: &mut Vec<ResponseStreamEvent>) {
        let Some((at, p)) = self.open_part(key, out) else {
            return;
        };
        let part = &mut self.items[at].parts[p];
        part.text.push_str(delta);
        part.streamed = true;
    }

    /// A value's done event (`output_text.done`, …) from the upstream.
    fn part_value_done(
        &mut self,
        key: &PartKey<'_>,
        value: &str,
        out: &mut Vec<ResponseStreamEvent>,
    ) {
        let Some((at, p)) = self.open_part(key, out) else {
            return;
        };
        self.stream_if_silent(at, p, value, out);
        let part = &mut self.items[at].parts[p];
        part.text = value.to_owned();
        part.value_done = true;
    }

    /// A part's done event (`content_part.done`, …) from the upstream: the value's done event
    /// first when it was left out (with the part's text when no delta carried any).
    fn part_done(&mut self, key: &PartKey<'_>, text: &str, out: &mut Vec<ResponseStreamEvent>) {
        let Some((at, p)) = self.open_part(key, out) else {
            return;
        };
        if !self.items[at].parts[p].value_done {
            let part = &self.items[at].parts[p];
            let value = if part.text.is_empty() {
                text.to_owned()
            } else {
                part.text.clone()
            };
            self.value_done(at, p, &value, out);
        }
        self.items[at].parts[p].done = true;
    }

    /// Sends a value's done event the upstream left out.
    fn value_done(&mut self, at: usize, p: usize, value: &str, out: &mut Vec<ResponseStreamEvent>) {
        self.stream_if_silent(at, p, value, out);
        let (item, part) = (&self.items[at], &self.items[at].parts[p]);
        let mut done = json!({"item_id": item.id, "output_index": item.output_index});
        let (kind, field, index) = match part.kind {
            PartKind::OutputText => ("response.output_text.done", "text", "content_index"),
            PartKind::Refusal => ("response.refusal.done", "refusal", "content_index"),
            PartKind::ReasoningText => ("response.reasoning_text.done", "text", "content_index"),
            PartKind::SummaryText => (
                "response.reasoning_summary_text.done",
                "text",
                "summary_index",
            ),
        };
        done["type"] = kind.into();
        done[field] = value.into();
        done[index] = part.index.into();
        if part.kind == PartKind::OutputText {
            done["logprobs"] = json!([]);
        }
        let part = &mut self.items[at].parts[p];
        part.text = value.to_owned();
        part.value_done = true;
        self.emit_synthesized(done, Repair::DoneAdded, out);
    }

    /// A done value no delta carried is sent as one delta first.
    fn stream_if_silent(
        &mut self,
        at: usize,
        p: usize,
        value: &str,
        out: &mut Vec<ResponseStreamEvent>,
    ) {
        let (item, part) = (&self.items[at], &self.items[at].parts[p]);
        if part.streamed || value.is_empty() {
            return;
        }
        let (kind, index) = match part.kind {
            PartKind::OutputText => ("response.output_text.delta", "content_index"),
            PartKind::Refusal => ("response.refusal.delta", "content_index"),
            PartKind::ReasoningText => ("response.reasoning_text.delta", "content_index"),
            PartKind::SummaryText => ("response.reasoning_summary_text.delta", "summary_index"),
        };
        let mut delta = json!({"type": kind, "item_id": item.id, "output_index": item.output_index,
            "delta": value});
        delta[index] = part.index.into();
        if part.kind == PartKind::OutputText {
            delta["logprobs"] = json!([]);
        }
        self.items[at].parts[p].streamed = true;
        self.emit_synthesized(delta, Repair::DeltaAdded, out);
    }

    /// The part done event of a part, with its text (and what the fold has beside it).
    fn part_done_event(&self, at: usize, p: usize) -> Value {
        let (item, part) = (&self.items[at], &self.items[at].parts[p]);
        let mut done = json!({"item_id": item.id, "output_index": item.output_index});
        if part.kind == PartKind::SummaryText {
            done["type"] = "response.reasoning_summary_part.done".into();
            done["summary_index"] = part.index.into();
            done["part"] = json!({"type": "summary_text", "text": part.text});
            return done;
        }
        done["type"] = "response.content_part.done".into();
        done["content_index"] = part.index.into();
        done["part"] = match part.kind {
            PartKind::Refusal => json!({"type": "refusal", "refusal": part.text}),
            PartKind::ReasoningText => json!({"type": "reasoning_text", "text": part.text}),
            _ => {
                let position = item.parts[..p]
                    .iter()
                    .filter(|other| other.kind.family() == Family::Content)
                    .count();
                let mut text = self.folded_part(&item.id, position).unwrap_or_else(
                    || json!({"type": "output_text", "annotations": [], "logprobs": []}),
                );
                text["text"] = part.text.clone().into();
                text
            }
        };
        done
    }

    /// The open part a part event is about, announced first when the upstream never did.
    fn open_part(
        &mut self,
        key: &PartKey<'_>,
        out: &mut Vec<ResponseStreamEvent>,
    ) -> Option<(usize, usize)> {
        let at = self.open_item(key, out)?;
        if let Some(p) = self.part_position(at, key) {
            return (!self.items[at].parts[p].done).then_some((at, p));
        }
        self.part_added(key, out);
        let p = self.part_position(at, key)?;
        let item = &self.items[at];
        let added = match key.kind {
            PartKind::SummaryText => json!({"type": "response.reasoning_summary_part.added",
                "item_id": item.id, "output_index": item.output_index, "summary_index": key.index,
                "part": {"type": "summary_text", "text": ""}}),
            kind => json!({"type": "response.content_part.added", "item_id": item.id,
                "output_index": item.output_index, "content_index": key.index,
                "part": empty_part(kind)}),
        };
        self.emit_synthesized(added, Repair::PartAdded, out);
        Some((at, p))
    }

    fn part_position(&self, at: usize, key: &PartKey<'_>) -> Option<usize> {
        self.items[at]
            .parts
            .iter()
            .position(|part| part.kind.family() == key.kind.family() && part.index == key.index)
    }

    /// The message content part at `position` as the fold holds it, as JSON.
    fn folded_part(&self, id: &str, position: usize) -> Option<Value> {
        let OutputItem::Message(message) = self.folded_item(id)? else {
            return None;
        };
        let part = serde_json::to_value(message.content.get(position)?).ok()?;
        (part["type"] == "output_text").then_some(part)
    }
}

/// The kind of a content part, for the kinds that stream.
fn part_kind(part: &OutputContent) -> Option<PartKind> {
    match part {
        OutputContent::OutputText(_) => Some(PartKind::OutputText),
        OutputContent::Refusal(_) => Some(PartKind::Refusal),
        OutputContent::ReasoningText(_) => Some(PartKind::ReasoningText),
        _ => None,
    }
}

/// The text of a content part.
fn part_text(part: &OutputContent) -> &str {
    match part {
        OutputContent::OutputText(text) => &text.text,
        OutputContent::Refusal(refusal) => &refusal.refusal,
        OutputContent::ReasoningText(text) => &text.text,
        _ => "",
    }
}

/// An empty content part of a kind, as `content_part.added` carries it.
fn empty_part(kind: PartKind) -> Value {
    match kind {
        PartKind::Refusal => json!({"type": "refusal", "refusal": ""}),
        PartKind::ReasoningText => json!({"type": "reasoning_text", "text": ""}),
        _ => json!({"type": "output_text", "text": "", "annotations": [], "logprobs": []}),
    }
}
