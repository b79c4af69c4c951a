//! Every text given once, every call ended once: what the updates gave of each part's text,
//! the catch-ups that report the rest ([`RealtimeUpdate::UnstreamedText`]), the calls that only
//! `response.done` finished, and the calls a cut-off recording left open.

use super::{RealtimeFold, RealtimeItem, RealtimeUpdate};
use crate::{ToolCall, ToolCallKind};

impl RealtimeFold {
    /// A delta of a part's text was reported: it counts as given.
    pub(super) fn given(&mut self, item_id: &str, content_index: u64, delta: &str) {
        let key = (item_id.to_owned(), content_index);
        self.shown.entry(key).or_default().push(delta);
    }

    /// Reports what `whole`, the text of an item's part, has that no update gave.
    pub(super) fn report(
        &mut self,
        item_id: &str,
        content_index: u64,
        whole: &str,
        response_id: Option<&str>,
        role: Option<&str>,
        extra: &mut Vec<RealtimeUpdate>,
    ) {
        if whole.is_empty() {
            return;
        }
        let shown = (self.shown)
            .entry((item_id.to_owned(), content_index))
            .or_default();
        for (_, text) in shown.catch_up(&[(content_index, whole)]) {
            extra.push(RealtimeUpdate::UnstreamedText {
                response_id: response_id.map(str::to_owned),
                item_id: item_id.to_owned(),
                role: role.map(str::to_owned),
                content_index,
                text: text.to_owned(),
            });
        }
    }

    /// Reports what the parts of `item` (their text, or their transcript) have that no update
    /// gave.
    pub(super) fn report_item(
        &mut self,
        response_id: Option<&str>,
        item: &RealtimeItem,
        extra: &mut Vec<RealtimeUpdate>,
    ) {
        for (at, part) in (0u64..).zip(&item.content) {
            if let Some(whole) = part.text.as_ref().or(part.transcript.as_ref()) {
                let role = item.role.as_deref();
                self.report(&item.id, at, whole, response_id, role, extra);
            }
        }
    }

    /// The id of the response whose output has the item `item_id`.
    pub(super) fn response_of(&self, item_id: &str) -> Option<String> {
        let has = |r: &&super::FoldedResponse| r.output.iter().any(|i| i.id == item_id);
        let response = self.responses.iter().rev().find(has);
        response
            .filter(|_| !item_id.is_empty())
            .map(|r| r.id.clone())
    }

    /// The role of a response's output item, when known.
    pub(super) fn role_of(&self, response_id: &str, item_id: &str) -> Option<String> {
        let response = (self.responses.iter().rev())
            .find(|r| r.id == response_id)
            .or(self.responses.last())?;
        let item = response.output.iter().find(|i| i.id == item_id)?;
        item.role.clone()
    }

    /// A response's output item is done (`response.output_item.done`): it is merged into the
    /// response and the conversation, what its text has that no update gave is reported, then
    /// its call, the first time it ends.
    pub(super) fn item_done(
        &mut self,
        response_id: &str,
        key: u64,
        item: RealtimeItem,
        extra: &mut Vec<RealtimeUpdate>,
    ) -> Option<RealtimeUpdate> {
        let response = self.response(response_id);
        let pos = response.put(key, item);
        let merged = response.output.get(pos)?.clone();
        let slot = response.slots.key(pos).unwrap_or(key);
        let first = !response.ended.contains(&slot);
        if first {
            response.ended.push(slot);
        }
        match self.conversation.iter_mut().find(|i| i.id == merged.id) {
            Some(existing) => existing.merge(merged.clone()),
            None if !merged.id.is_empty() => self.conversation.push(merged.clone()),
            None => {}
        }
        self.report_item(Some(response_id), &merged, extra);
        (first && merged.kind == "function_call")
            .then(|| RealtimeUpdate::ToolCallDone(tool_call(key, &merged)))
    }

    /// `response.done`: reports what the text of its output items (`reference`) has that no
    /// update gave, and the calls whose `response.output_item.done` never came.
    pub(super) fn settle(
        &mut self,
        response_id: &str,
        reference: &[RealtimeItem],
        extra: &mut Vec<RealtimeUpdate>,
    ) {
        for (position, item) in (0u64..).zip(reference) {
            self.report_item(Some(response_id), item, extra);
            if item.kind != "function_call" {
                continue;
            }
            let response = self.response(response_id);
            let pos = (response.output.iter())
                .position(|i| !item.id.is_empty() && i.id == item.id)
                .or_else(|| response.slots.find(position));
            let slot = pos.and_then(|p| response.slots.key(p)).unwrap_or(position);
            if response.ended.contains(&slot) {
                continue;
            }
            response.ended.push(slot);
            let mut call = item.clone();
            if let Some(folded) = pos.and_then(|p| response.output.get(p)) {
                call.arguments = call.arguments.or_else(|| folded.arguments.clone());
                call.name = call.name.or_else(|| folded.name.clone());
                call.call_id = call.call_id.or_else(|| folded.call_id.clone());
            }
            extra.push(RealtimeUpdate::ToolCallDone(tool_call(slot, &call)));
        }
    }

    /// The function calls of every response that never ended: no `response.output_item.done`
    /// came for them, and no `response.done` had them. What a recording cut off in the middle
    /// of a call leaves: each call as folded so far (its name, the arguments streamed so far).
    pub fn unfinished_calls(&self) -> Vec<&RealtimeItem> {
        let mut calls = Vec::new();
        for response in &self.responses {
            for (pos, item) in response.output.iter().enumerate() {
                let ended = (response.slots.key(pos)).is_some_and(|k| response.ended.contains(&k));
                if item.kind == "function_call" && !ended {
                    calls.push(item);
                }
            }
        }
        calls
    }
}

/// The call a function call item makes, at `index`.
fn tool_call(index: u64, item: &RealtimeItem) -> ToolCall {
    ToolCall {
        kind: ToolCallKind::Function,
        index,
        item_id: Some(item.id.clone()).filter(|s| !s.is_empty()),
        call_id: item.call_id.clone().unwrap_or_default(),
        name: item.name.clone().unwrap_or_default(),
        arguments: item.arguments.clone().unwrap_or_default(),
    }
}
