//! Every text given once, every item ended once: what the updates gave of each item's texts
//! ([`ItemShown`]), the catch-ups that report the rest when a done event, a done item or the
//! terminal response carries more ([`ResponseUpdate::UnstreamedText`]), the terminal response's
//! items whose done event never came, and the calls a cut-off stream left open.

use openai_wire_events::{OutputItem, OutputMessageContent, Response};

use super::{ResponseFold, ResponseUpdate, TextPart, item_id, keep_streamed, tool_call};
use crate::shown::Shown;

/// The kinds of text of an output item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A message's output text parts.
    Text,
    /// A message's refusal parts.
    Refusal,
    /// A reasoning item's summary parts.
    Summary,
    /// A reasoning item's text parts.
    Reasoning,
    /// A call's arguments (or a custom tool call's input).
    Arguments,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Text,
        Kind::Refusal,
        Kind::Summary,
        Kind::Reasoning,
        Kind::Arguments,
    ];

    fn part(self, index: u64) -> TextPart {
        match self {
            Kind::Text => TextPart::OutputText(index),
            Kind::Refusal => TextPart::Refusal(index),
            Kind::Summary => TextPart::Summary(index),
            Kind::Reasoning => TextPart::ReasoningText(index),
            Kind::Arguments => TextPart::Arguments,
        }
    }
}

/// What the updates gave of each kind of text of an item.
#[derive(Debug, Clone, Default)]
pub(super) struct ItemShown([Shown; 5]);

impl ItemShown {
    /// What the updates gave of the item's text of `kind`.
    pub(super) fn of(&mut self, kind: Kind) -> &mut Shown {
        &mut self.0[kind as usize]
    }
}

impl ResponseFold {
    /// Reports what the item at `pos` now has of its texts that no update gave.
    pub(super) fn catch_up(&mut self, pos: usize, extra: &mut Vec<ResponseUpdate>) {
        let Some(state) = self.states.get_mut(pos) else {
            return;
        };
        let mut shown = std::mem::take(&mut state.shown);
        let state = &self.states[pos];
        let key = |kind: Kind, at: usize| {
            let slots = match kind {
                Kind::Summary => &state.summary,
                _ => &state.content,
            };
            slots.key(at).unwrap_or(at as u64)
        };
        let output_index = self.slots.key(pos).unwrap_or(pos as u64);
        if let Some(item) = self.snapshot.output.get(pos) {
            report_texts(item, &mut shown, output_index, &key, extra);
        }
        self.states[pos].shown = shown;
    }

    /// The terminal response: reports what its items have that no update gave, and the end of
    /// each item whose end was not reported (no `response.output_item.done` came).
    pub(super) fn settle(&mut self, response: &Response, extra: &mut Vec<ResponseUpdate>) {
        let ids: Vec<&str> = response
            .output
            .iter()
            .filter_map(item_id)
            .filter(|id| !id.is_empty())
            .collect();
        let by_position = |_: Kind, at: usize| at as u64;
        for (position, item) in response.output.iter().enumerate() {
            let Some(pos) = self.counterpart(position, item, &ids) else {
                // An item no event announced.
                let index = position as u64;
                report_texts(item, &mut ItemShown::default(), index, &by_position, extra);
                extra.push(end_of(index, item.clone()));
                continue;
            };
            let output_index = self.slots.key(pos).unwrap_or(pos as u64);
            let Some(state) = self.states.get_mut(pos) else {
                continue;
            };
            report_texts(item, &mut state.shown, output_index, &by_position, extra);
            if std::mem::replace(&mut state.ended, true) {
                continue;
            }
            let mut item = item.clone();
            if let Some(folded) = self.snapshot.output.get(pos) {
                keep_streamed(&mut item, folded);
            }
            let update = end_of(output_index, item);
            if matches!(update, ResponseUpdate::ToolCallDone(_)) {
                self.reported_calls.push(output_index);
            }
            extra.push(update);
        }
    }

    /// The folded item that a terminal response's item (at `position` in its output) is: the
    /// one with its id, or else the one at output index `position` when it is of the same type
    /// and no terminal item has its id (servers that give each event a new id, trimmed
    /// recordings whose positions are not the events' indexes).
    fn counterpart(&self, position: usize, item: &OutputItem, ids: &[&str]) -> Option<usize> {
        if let Some(id) = item_id(item).filter(|id| !id.is_empty()) {
            let same_id = self
                .snapshot
                .output
                .iter()
                .position(|o| item_id(o) == Some(id));
            if same_id.is_some() {
                return same_id;
            }
        }
        let pos = self.slots.find(position as u64)?;
        let folded = self.snapshot.output.get(pos)?;
        let taken = item_id(folded).is_some_and(|id| !id.is_empty() && ids.contains(&id));
        let same_type = std::mem::discriminant(folded) == std::mem::discriminant(item);
        (same_type && !taken).then_some(pos)
    }

    /// The calls (function, custom tool and MCP calls) that the events announced or streamed
    /// but that never ended: no `response.output_item.done` came for them, and the terminal
    /// response, if one came, does not have them. What a stream cut off in the middle of a call
    /// leaves: each call as folded so far (its name, the arguments streamed so far).
    ///
    /// ```
    /// use openai_wire_events::{OutputItem, ResponseStreamEvent, StreamEvent};
    ///
    /// let events = [
    ///     r#"{"type":"response.output_item.added","output_index":0,"item":{"type":"function_call","id":"fc_1","call_id":"call_1","name":"add","arguments":""}}"#,
    ///     r#"{"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":0,"delta":"{\"a\":"}"#,
    /// ]
    /// .map(|json| ResponseStreamEvent::from_json(json).unwrap());
    /// let fold = openai_wire_fold::fold_responses(events);
    /// let [OutputItem::FunctionCall(call)] = fold.unfinished_calls()[..] else { panic!() };
    /// assert_eq!((call.name.as_str(), call.arguments.as_str()), ("add", r#"{"a":"#));
    /// ```
    pub fn unfinished_calls(&self) -> Vec<&OutputItem> {
        self.snapshot
            .output
            .iter()
            .zip(&self.states)
            .filter(|(item, state)| {
                !state.ended
                    && matches!(
                        item,
                        OutputItem::FunctionCall(_)
                            | OutputItem::CustomToolCall(_)
                            | OutputItem::McpCall(_)
                    )
            })
            .map(|(item, _)| item)
            .collect()
    }
}

/// The end of an item, reported at `output_index`: its call, or the item.
fn end_of(output_index: u64, item: OutputItem) -> ResponseUpdate {
    match tool_call(output_index, &item) {
        Some(call) => ResponseUpdate::ToolCallDone(call),
        None => ResponseUpdate::ItemDone {
            output_index,
            item: Box::new(item),
        },
    }
}

/// Reports, as the item at `output_index`, what `item`'s texts have that `shown` lacks; `key`
/// names each part by its kind and position.
fn report_texts(
    item: &OutputItem,
    shown: &mut ItemShown,
    output_index: u64,
    key: &dyn Fn(Kind, usize) -> u64,
    extra: &mut Vec<ResponseUpdate>,
) {
    for kind in Kind::ALL {
        let parts = texts(item, kind, key);
        // An item without text of this kind says nothing about it.
        if parts.iter().all(|(_, text)| text.is_empty()) {
            continue;
        }
        for (index, text) in shown.of(kind).catch_up(&parts) {
            extra.push(ResponseUpdate::UnstreamedText {
                output_index,
                part: kind.part(index),
                text: text.to_owned(),
            });
        }
    }
}

/// The texts of `kind` that `item` has, in order, each with the index `key` gives it.
fn texts<'a>(
    item: &'a OutputItem,
    kind: Kind,
    key: &dyn Fn(Kind, usize) -> u64,
) -> Vec<(u64, &'a str)> {
    let index = |(at, text): (usize, &'a str)| (key(kind, at), text);
    match (item, kind) {
        (OutputItem::Message(m), Kind::Text | Kind::Refusal) => (m.content.iter().enumerate())
            .filter_map(|(at, part)| match (part, kind) {
                (OutputMessageContent::OutputText(t), Kind::Text) => Some((at, t.text.as_str())),
                (OutputMessageContent::Refusal(r), Kind::Refusal) => Some((at, r.refusal.as_str())),
                _ => None,
            })
            .map(index)
            .collect(),
        (OutputItem::Reasoning(r), Kind::Summary) => (r.summary.iter().enumerate())
            .map(|(at, part)| index((at, part.text.as_str())))
            .collect(),
        (OutputItem::Reasoning(r), Kind::Reasoning) => (r.content.iter().flatten().enumerate())
            .map(|(at, part)| index((at, part.text.as_str())))
            .collect(),
        (OutputItem::FunctionCall(c), Kind::Arguments) => vec![(0, c.arguments.as_str())],
        (OutputItem::CustomToolCall(c), Kind::Arguments) => vec![(0, c.input.as_str())],
        (OutputItem::McpCall(c), Kind::Arguments) => vec![(0, c.arguments.as_str())],
        _ => Vec::new(),
    }
}
