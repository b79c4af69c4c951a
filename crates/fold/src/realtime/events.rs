//! The Realtime server events, folded: the conversation's items and the user's transcripts,
//! then each response's items, deltas and done events.

use openai_wire_events::{RealtimeConversationItem, RealtimeServerEvent};

use super::compare::compare;
use super::{FoldedResponse, RealtimeFold, RealtimeItem, RealtimePart, RealtimeUpdate, base64_len};
use crate::slots::wire_index;

/// A wire `content_index` as an update's (a negative one is read as 0).
fn part_index(index: i64) -> u64 {
    wire_index(index).unwrap_or_default()
}

impl RealtimeFold {
    /// Folds a conversation event (items, the user's transcripts); passes any other to
    /// `response_event`. Pushes to `extra` the updates beside the event's own, which it returns.
    pub(super) fn conversation_event(
        &mut self,
        event: &RealtimeServerEvent,
        extra: &mut Vec<RealtimeUpdate>,
    ) -> Option<RealtimeUpdate> {
        use RealtimeServerEvent as E;
        let id = match event {
            E::ConversationItemAdded(e) => self.add_item(e.previous_item_id.as_deref(), &e.item),
            E::ConversationItemCreated(e) => self.add_item(e.previous_item_id.as_deref(), &e.item),
            E::ConversationItemDone(e) => self.update_item(&e.item),
            E::ConversationItemRetrieved(e) => {
                self.update_item(&e.item);
                return None;
            }
            E::ConversationItemDeleted(e) => {
                self.conversation.retain(|i| i.id != e.item_id);
                return None;
            }
            E::ConversationItemInputAudioTranscriptionDelta(e) => {
                let delta = e.delta.as_deref()?;
                let content_index = e.content_index.unwrap_or(0);
                self.with_user_part(&e.item_id, content_index, |part| {
                    part.transcript
                        .get_or_insert_with(String::new)
                        .push_str(delta);
                });
                let content_index = part_index(content_index);
                self.given(&e.item_id, content_index, delta);
                return Some(RealtimeUpdate::InputTranscriptDelta {
                    item_id: e.item_id.clone(),
                    content_index,
                    delta: delta.to_owned(),
                });
            }
            E::ConversationItemInputAudioTranscriptionCompleted(e) => {
                self.with_user_part(&e.item_id, e.content_index, |part| {
                    part.transcript = Some(e.transcript.clone());
                });
                let content_index = part_index(e.content_index);
                let user = Some("user");
                self.report(&e.item_id, content_index, &e.transcript, None, user, extra);
                return None;
            }
            E::ConversationItemInputAudioTranscriptionFailed(e) => {
                return Some(RealtimeUpdate::InputTranscriptionFailed {
                    item_id: e.item_id.clone(),
                    message: e.error.message.clone().unwrap_or_default(),
                });
            }
            event => return self.response_event(event, extra),
        };
        // An item added or done: what its text has that no update gave.
        if let Some(item) = self.conversation.iter().find(|i| i.id == id).cloned() {
            let response_id = self.response_of(&item.id);
            self.report_item(response_id.as_deref(), &item, extra);
        }
        None
    }

    /// Folds a response's lifecycle and item event; passes any other to `part_event`.
    fn response_event(
        &mut self,
        event: &RealtimeServerEvent,
        extra: &mut Vec<RealtimeUpdate>,
    ) -> Option<RealtimeUpdate> {
        use RealtimeServerEvent as E;
        match event {
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
                self.item_done(&e.response_id, wire_index(e.output_index)?, item, extra)
            }
            E::ResponseDone(e) => {
                let id = e.response.id.clone().unwrap_or_default();
                let response = self.response(&id);
                response.status = e.response.status.clone();
                let reference: Vec<RealtimeItem> = (e.response.output.iter().flatten())
                    .map(RealtimeItem::from_item)
                    .collect();
                response.differences = compare(&response.output, &reference);
                response.done = Some(e.response.clone());
                self.settle(&id, &reference, extra);
                Some(RealtimeUpdate::ResponseDone {
                    response_id: id,
                    status: e.response.status.clone(),
                })
            }
            E::Error(e) => {
                self.errors.push(e.error.message.clone());
                Some(RealtimeUpdate::Error {
                    code: e.error.code.clone(),
                    message: e.error.message.clone(),
                })
            }
            event => self.part_event(event, extra),
        }
    }

    /// Folds the events of a content part and of a call's arguments.
    fn part_event(
        &mut self,
        event: &RealtimeServerEvent,
        extra: &mut Vec<RealtimeUpdate>,
    ) -> Option<RealtimeUpdate> {
        use RealtimeServerEvent as E;
        let (response_id, item_id, content_index, whole) = match event {
            E::ResponseContentPartAdded(e) => {
                let part = new_part(
                    e.part.r#type.as_ref().map(|t| t.as_str()),
                    &e.part.text,
                    &e.part.transcript,
                );
                let (rid, oi, id, ci) =
                    (&e.response_id, e.output_index, &e.item_id, e.content_index);
                self.with_part(rid, oi, id, ci, |p| set_part(p, &part, false));
                return None;
            }
            E::ResponseContentPartDone(e) => {
                let part = new_part(
                    e.part.r#type.as_ref().map(|t| t.as_str()),
                    &e.part.text,
                    &e.part.transcript,
                );
                let (rid, oi, id, ci) =
                    (&e.response_id, e.output_index, &e.item_id, e.content_index);
                self.with_part(rid, oi, id, ci, |p| set_part(p, &part, true));
                let whole = part.text.or(part.transcript).unwrap_or_default();
                (&e.response_id, &e.item_id, e.content_index, whole)
            }
            E::ResponseOutputTextDone(e) => {
                let (rid, oi, id, ci) =
                    (&e.response_id, e.output_index, &e.item_id, e.content_index);
                self.with_part(rid, oi, id, ci, |p| p.text = Some(e.text.clone()));
                (&e.response_id, &e.item_id, e.content_index, e.text.clone())
            }
            E::ResponseOutputAudioTranscriptDone(e) => {
                let (rid, oi, id, ci) =
                    (&e.response_id, e.output_index, &e.item_id, e.content_index);
                self.with_part(rid, oi, id, ci, |p| {
                    p.transcript = Some(e.transcript.clone())
                });
                (
                    &e.response_id,
                    &e.item_id,
                    e.content_index,
                    e.transcript.clone(),
                )
            }
            event => return self.delta_event(event),
        };
        let role = self.role_of(response_id, item_id);
        let (content_index, rid) = (part_index(content_index), Some(response_id.as_str()));
        self.report(item_id, content_index, &whole, rid, role.as_deref(), extra);
        None
    }

    /// Folds a delta: text, audio transcript, audio, a function call's arguments.
    fn delta_event(&mut self, event: &RealtimeServerEvent) -> Option<RealtimeUpdate> {
        use RealtimeServerEvent as E;
        match event {
            E::ResponseOutputTextDelta(e) => {
                let (rid, oi, id, ci) =
                    (&e.response_id, e.output_index, &e.item_id, e.content_index);
                self.with_part(rid, oi, id, ci, |p| {
                    p.text.get_or_insert_with(String::new).push_str(&e.delta);
                });
                self.given(id, part_index(ci), &e.delta);
                Some(RealtimeUpdate::TextDelta {
                    response_id: rid.clone(),
                    item_id: id.clone(),
                    content_index: part_index(ci),
                    delta: e.delta.clone(),
                })
            }
            E::ResponseOutputAudioTranscriptDelta(e) => {
                let (rid, oi, id, ci) =
                    (&e.response_id, e.output_index, &e.item_id, e.content_index);
                self.with_part(rid, oi, id, ci, |p| {
                    p.transcript
                        .get_or_insert_with(String::new)
                        .push_str(&e.delta);
                });
                self.given(id, part_index(ci), &e.delta);
                Some(RealtimeUpdate::TranscriptDelta {
                    response_id: rid.clone(),
                    item_id: id.clone(),
                    content_index: part_index(ci),
                    delta: e.delta.clone(),
                })
            }
            E::ResponseOutputAudioDelta(e) => {
                let bytes = base64_len(&e.delta);
                let (rid, oi, id, ci) =
                    (&e.response_id, e.output_index, &e.item_id, e.content_index);
                self.with_part(rid, oi, id, ci, |p| {
                    p.audio_bytes = p.audio_bytes.saturating_add(bytes);
                });
                Some(RealtimeUpdate::AudioDelta {
                    response_id: rid.clone(),
                    item_id: id.clone(),
                    bytes,
                })
            }
            event => self.arguments_event(event),
        }
    }

    /// Folds a function call's arguments events; none is reported (the call is, when done).
    fn arguments_event(&mut self, event: &RealtimeServerEvent) -> Option<RealtimeUpdate> {
        use RealtimeServerEvent as E;
        match event {
            E::ResponseFunctionCallArgumentsDelta(e) => {
                self.with_item(&e.response_id, e.output_index, &e.item_id, |item| {
                    item.arguments
                        .get_or_insert_with(String::new)
                        .push_str(&e.delta);
                    if item.call_id.is_none() && !e.call_id.is_empty() {
                        item.call_id = Some(e.call_id.clone());
                    }
                });
            }
            E::ResponseFunctionCallArgumentsDone(e) => {
                self.with_item(&e.response_id, e.output_index, &e.item_id, |item| {
                    item.arguments = Some(e.arguments.clone());
                    if !e.name.is_empty() {
                        item.name = Some(e.name.clone());
                    }
                });
            }
            _ => {}
        }
        None
    }

    /// Adds a conversation item after `previous` (or at the end); returns its id.
    fn add_item(&mut self, previous: Option<&str>, item: &RealtimeConversationItem) -> String {
        let item = RealtimeItem::from_item(item);
        let id = item.id.clone();
        if let Some(existing) = self
            .conversation
            .iter_mut()
            .find(|i| !item.id.is_empty() && i.id == item.id)
        {
            existing.merge(item);
            return id;
        }
        let at = previous
            .and_then(|p| self.conversation.iter().position(|i| i.id == p))
            .map_or(self.conversation.len(), |p| p + 1);
        self.conversation.insert(at, item);
        id
    }

    /// Updates a conversation item (or adds it at the end); returns its id.
    fn update_item(&mut self, item: &RealtimeConversationItem) -> String {
        let item = RealtimeItem::from_item(item);
        let id = item.id.clone();
        match self
            .conversation
            .iter_mut()
            .find(|i| !item.id.is_empty() && i.id == item.id)
        {
            Some(existing) => existing.merge(item),
            None => self.conversation.push(item),
        }
        id
    }

    /// Applies `f` to the part of a conversation item (a user's audio), when both are there.
    fn with_user_part(
        &mut self,
        item_id: &str,
        content_index: i64,
        f: impl FnOnce(&mut RealtimePart),
    ) {
        let item = self.conversation.iter_mut().find(|i| i.id == item_id);
        if let Some(part) = item.and_then(|item| item.part(content_index)) {
            f(part);
        }
    }
}

/// A part as a `content_part` event gives it.
fn new_part(
    kind: Option<&str>,
    text: &Option<String>,
    transcript: &Option<String>,
) -> RealtimePart {
    RealtimePart {
        kind: kind.map(str::to_owned),
        text: text.clone(),
        transcript: transcript.clone(),
        audio_bytes: 0,
    }
}

/// Sets a part from a `content_part` event: `done` gives the part's final fields (where it
/// states them); `added` fills only what the part does not have yet.
fn set_part(part: &mut RealtimePart, from: &RealtimePart, done: bool) {
    let pick = |old: &mut Option<String>, new: &Option<String>| {
        if new.is_some() && (done || old.is_none()) {
            old.clone_from(new);
        }
    };
    pick(&mut part.kind, &from.kind);
    pick(&mut part.text, &from.text);
    pick(&mut part.transcript, &from.transcript);
}
