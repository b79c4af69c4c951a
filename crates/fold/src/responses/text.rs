//! Text and arguments events: deltas append to their part and are reported; `.done` events and
//! done parts set the whole text, and what of it no delta gave is reported
//! ([`ResponseUpdate::UnstreamedText`], from [`ResponseFold::push_updates`]).

use openai_wire_events::{LogProb, OutputItem, ResponseLogProb, ResponseStreamEvent};

use super::parts::Call;
use super::unstreamed::Kind;
use super::{ReasoningPart, ResponseFold, ResponseUpdate};
use crate::slots::wire_index;

impl ResponseFold {
    /// Folds a message's text event (content part, output text, annotation, refusal); passes
    /// any other to `reasoning_event`.
    pub(super) fn text_event(
        &mut self,
        event: &ResponseStreamEvent,
        extra: &mut Vec<ResponseUpdate>,
    ) -> Option<ResponseUpdate> {
        use ResponseStreamEvent as E;
        let (pos, done) = match event {
            E::ResponseContentPartAdded(e) => {
                self.content_part(e.output_index, &e.item_id, e.content_index, &e.part);
                return None;
            }
            E::ResponseContentPartDone(e) => {
                let pos = self.content_part(e.output_index, &e.item_id, e.content_index, &e.part);
                (pos?, None)
            }
            E::ResponseOutputTextDone(e) => {
                let (pos, text) = self.text_part(e.output_index, &e.item_id, e.content_index)?;
                text.text.clone_from(&e.text);
                if !e.logprobs.is_empty() {
                    text.logprobs = convert_logprobs(&e.logprobs);
                }
                (pos, None)
            }
            E::ResponseOutputTextAnnotationAdded(e) => {
                let annotation = e.annotation.clone()?;
                let index = wire_index(e.annotation_index);
                let (_, text) = self.text_part(e.output_index, &e.item_id, e.content_index)?;
                match index.and_then(|i| usize::try_from(i).ok()) {
                    Some(i) if i < text.annotations.len() => text.annotations[i] = annotation,
                    _ => text.annotations.push(annotation),
                }
                return None;
            }
            E::ResponseRefusalDone(e) => {
                let (pos, refusal) =
                    self.refusal_part(e.output_index, &e.item_id, e.content_index)?;
                refusal.refusal.clone_from(&e.refusal);
                (pos, None)
            }
            event => return self.reasoning_event(event, extra),
        };
        self.catch_up(pos, extra);
        done
    }

    /// Folds a reasoning event that is not a delta; passes any other to `arguments_event`.
    fn reasoning_event(
        &mut self,
        event: &ResponseStreamEvent,
        extra: &mut Vec<ResponseUpdate>,
    ) -> Option<ResponseUpdate> {
        use ResponseStreamEvent as E;
        let pos = match event {
            E::ResponseReasoningSummaryPartAdded(e) => {
                let (_, part) = self.summary_part(e.output_index, &e.item_id, e.summary_index)?;
                if part.text.is_empty() {
                    part.text.clone_from(&e.part.text);
                }
                return None;
            }
            E::ResponseReasoningSummaryPartDone(e) => {
                let (pos, part) = self.summary_part(e.output_index, &e.item_id, e.summary_index)?;
                part.text.clone_from(&e.part.text);
                pos
            }
            E::ResponseReasoningSummaryTextDone(e) => {
                let (pos, part) = self.summary_part(e.output_index, &e.item_id, e.summary_index)?;
                part.text.clone_from(&e.text);
                pos
            }
            E::ResponseReasoningTextDone(e) => {
                let (pos, part) =
                    self.reasoning_text(e.output_index, &e.item_id, e.content_index)?;
                part.text.clone_from(&e.text);
                pos
            }
            event => return self.arguments_event(event, extra),
        };
        self.catch_up(pos, extra);
        None
    }

    /// Folds the arguments (or input) events of function, custom tool and MCP calls; passes
    /// any other to `delta_event`.
    fn arguments_event(
        &mut self,
        event: &ResponseStreamEvent,
        extra: &mut Vec<ResponseUpdate>,
    ) -> Option<ResponseUpdate> {
        use ResponseStreamEvent as E;
        let (index, id, call, whole) = match event {
            E::ResponseFunctionCallArgumentsDone(e) => {
                (e.output_index, &e.item_id, Call::Function, &e.arguments)
            }
            E::ResponseCustomToolCallInputDone(e) => {
                (e.output_index, &e.item_id, Call::Custom, &e.input)
            }
            E::ResponseMcpCallArgumentsDone(e) => {
                (e.output_index, &e.item_id, Call::Mcp, &e.arguments)
            }
            event => return self.delta_event(event),
        };
        let (pos, arguments) = self.arguments(index, id, call)?;
        arguments.clone_from(whole);
        if let E::ResponseFunctionCallArgumentsDone(e) = event {
            if let Some(OutputItem::FunctionCall(call)) = self.snapshot.output.get_mut(pos) {
                if !e.name.is_empty() {
                    call.name.clone_from(&e.name);
                }
            }
        }
        self.catch_up(pos, extra);
        None
    }

    /// Folds a delta (text, refusal, reasoning, arguments) and reports it; passes any other
    /// event to `tool_event`.
    fn delta_event(&mut self, event: &ResponseStreamEvent) -> Option<ResponseUpdate> {
        use ResponseStreamEvent as E;
        let (pos, kind, index, delta) = match event {
            E::ResponseOutputTextDelta(e) => {
                let (pos, text) = self.text_part(e.output_index, &e.item_id, e.content_index)?;
                text.text.push_str(&e.delta);
                text.logprobs.extend(convert_logprobs(&e.logprobs));
                (pos, Kind::Text, e.output_index, &e.delta)
            }
            E::ResponseRefusalDelta(e) => {
                let (pos, refusal) =
                    self.refusal_part(e.output_index, &e.item_id, e.content_index)?;
                refusal.refusal.push_str(&e.delta);
                (pos, Kind::Refusal, e.output_index, &e.delta)
            }
            E::ResponseReasoningSummaryTextDelta(e) => {
                let (pos, part) = self.summary_part(e.output_index, &e.item_id, e.summary_index)?;
                part.text.push_str(&e.delta);
                (pos, Kind::Summary, e.output_index, &e.delta)
            }
            E::ResponseReasoningTextDelta(e) => {
                let (pos, part) =
                    self.reasoning_text(e.output_index, &e.item_id, e.content_index)?;
                part.text.push_str(&e.delta);
                (pos, Kind::Reasoning, e.output_index, &e.delta)
            }
            event => return self.arguments_delta(event),
        };
        let output_index = self.reported(pos, index, kind, delta)?;
        let delta = delta.clone();
        // The part indexes were checked when the part was found.
        let part_index = |index: i64| wire_index(index).unwrap_or_default();
        Some(match event {
            E::ResponseOutputTextDelta(e) => ResponseUpdate::TextDelta {
                output_index,
                content_index: part_index(e.content_index),
                delta,
            },
            E::ResponseRefusalDelta(e) => ResponseUpdate::RefusalDelta {
                output_index,
                content_index: part_index(e.content_index),
                delta,
            },
            E::ResponseReasoningSummaryTextDelta(e) => ResponseUpdate::ReasoningDelta {
                output_index,
                part: ReasoningPart::Summary(part_index(e.summary_index)),
                delta,
            },
            E::ResponseReasoningTextDelta(e) => ResponseUpdate::ReasoningDelta {
                output_index,
                part: ReasoningPart::Text(part_index(e.content_index)),
                delta,
            },
            _ => return None,
        })
    }

    /// Folds an arguments (or input) delta and reports it; passes any other event to
    /// `tool_event`.
    fn arguments_delta(&mut self, event: &ResponseStreamEvent) -> Option<ResponseUpdate> {
        use ResponseStreamEvent as E;
        let (index, id, call, delta) = match event {
            E::ResponseFunctionCallArgumentsDelta(e) => {
                (e.output_index, &e.item_id, Call::Function, &e.delta)
            }
            E::ResponseCustomToolCallInputDelta(e) => {
                (e.output_index, &e.item_id, Call::Custom, &e.delta)
            }
            E::ResponseMcpCallArgumentsDelta(e) => {
                (e.output_index, &e.item_id, Call::Mcp, &e.delta)
            }
            event => return self.tool_event(event),
        };
        let (pos, arguments) = self.arguments(index, id, call)?;
        arguments.push_str(delta);
        let output_index = self.reported(pos, index, Kind::Arguments, delta)?;
        Some(ResponseUpdate::ArgumentsDelta {
            output_index,
            delta: delta.clone(),
        })
    }

    /// A delta of the item at `pos` is reported: it counts as given. Returns the
    /// `output_index` to report: the event's, or the item's when the event's is not one.
    fn reported(&mut self, pos: usize, output_index: i64, kind: Kind, delta: &str) -> Option<u64> {
        let output_index = wire_index(output_index).or_else(|| self.slots.key(pos))?;
        if let Some(state) = self.states.get_mut(pos) {
            state.shown.of(kind).push(delta);
        }
        Some(output_index)
    }
}

fn convert_logprobs(logprobs: &[ResponseLogProb]) -> Vec<LogProb> {
    logprobs
        .iter()
        .filter_map(|lp| {
            let value = serde_json::to_value(lp).ok()?;
            serde_json::from_value(value).ok()
        })
        .collect()
}
