//! The lifecycle events' responses: completed from the stream's earlier ones and the template,
//! the terminal one's output and usage.

use openai_wire_emit::IdSource;
use openai_wire_events::{
    ModelIdsResponses, OutputItem, Response, ResponseStatus, ResponseStreamEvent, ResponseUsage,
};
use serde_json::Value;

use super::{ItemEnd, Repair, ResponsesRepair, items::item_id};

/// What the stream's lifecycle events said so far.
#[derive(Debug, Default)]
pub(super) struct Lifecycle {
    /// The response id (of the first lifecycle event).
    pub(super) id: String,
    pub(super) created_at: f64,
    pub(super) model: Option<ModelIdsResponses>,
    /// The response of the last lifecycle event sent.
    pub(super) last: Option<Response>,
}

/// Fields of the template never copied into an upstream's response: the upstream's own.
const NOT_FROM_TEMPLATE: &[&str] = &[
    "id",
    "created_at",
    "status",
    "output",
    "usage",
    "error",
    "incomplete_details",
    "completed_at",
    "output_text",
];

impl<I: IdSource> ResponsesRepair<I> {
    /// Sends a lifecycle event (`created`, `in_progress`, `queued`) with its response completed.
    pub(super) fn lifecycle_event(
        &mut self,
        mut event: ResponseStreamEvent,
        out: &mut Vec<ResponseStreamEvent>,
    ) {
        if let Some((response, status)) = lifecycle_response(&mut event) {
            self.complete_response(response, status);
        }
        self.emit(event, out);
    }

    /// Sends a terminal event: the open items finished first, then the event with its response
    /// completed, its output the streamed items and its usage whole.
    pub(super) fn terminal(
        &mut self,
        mut event: ResponseStreamEvent,
        end: ItemEnd,
        out: &mut Vec<ResponseStreamEvent>,
    ) {
        if let ResponseStreamEvent::ResponseCompleted(completed) = &event {
            self.keep_mcp_list_tools_backfill(&completed.response.output);
        }
        self.close_items(end, out);
        if let Some((response, status)) = lifecycle_response(&mut event) {
            self.complete_response(response, status);
            self.fill_output(&mut response.output);
            if let Some(usage) = response.usage.as_mut() {
                self.complete_usage(usage);
            }
            self.lifecycle.last = Some(response.clone());
        }
        self.ended = true;
        self.emit(event, out);
    }

    /// Gives a response what it lacks: the stream's id, time and model (or new ones), the
    /// status of its event, and the template's value for every other field left out.
    fn complete_response(&mut self, response: &mut Response, status: ResponseStatus) {
        let mut sparse = false;
        if response.id.is_empty() {
            if self.lifecycle.id.is_empty() {
                self.lifecycle.id = self.ids.id("resp_");
            }
            response.id = self.lifecycle.id.clone();
            sparse = true;
        } else if self.lifecycle.id.is_empty() {
            self.lifecycle.id = response.id.clone();
        } else if response.id != self.lifecycle.id {
            response.id = self.lifecycle.id.clone();
            self.note(Repair::IdAligned);
        }
        if response.created_at == 0.0 {
            if self.lifecycle.created_at == 0.0 {
                self.lifecycle.created_at = self.ids.now() as f64;
            }
            response.created_at = self.lifecycle.created_at;
            sparse = true;
        } else if self.lifecycle.created_at == 0.0 {
            self.lifecycle.created_at = response.created_at;
        }
        if response.status.is_none() {
            response.status = Some(status);
            sparse = true;
        }
        match (&response.model, &self.lifecycle.model) {
            (None, Some(model)) => {
                response.model = Some(model.clone());
                sparse = true;
            }
            (Some(model), None) => self.lifecycle.model = Some(model.clone()),
            _ => {}
        }
        if sparse {
            self.note(Repair::SnapshotCompleted);
        }
        self.fill_from_template(response);
        self.lifecycle.last = Some(response.clone());
    }

    /// Every field `response` leaves out (or sets to `null`) takes the template's value.
    fn fill_from_template(&self, response: &mut Response) {
        let missing = |json: &serde_json::Map<String, Value>| {
            self.template.iter().any(|(field, value)| {
                !value.is_null()
                    && !NOT_FROM_TEMPLATE.contains(&field.as_str())
                    && json.get(field).is_none_or(Value::is_null)
            })
        };
        let Ok(Value::Object(mut json)) = serde_json::to_value(&*response) else {
            return;
        };
        if !missing(&json) {
            return;
        }
        for (field, value) in &self.template {
            if value.is_null() || NOT_FROM_TEMPLATE.contains(&field.as_str()) {
                continue;
            }
            let slot = json.entry(field.clone()).or_insert(Value::Null);
            if slot.is_null() {
                *slot = value.clone();
            }
        }
        if let Ok(filled) = serde_json::from_value(Value::Object(json)) {
            *response = filled;
        }
    }

    /// The terminal output: the items as streamed and finished (their `output_item.done`), in
    /// `output_index` order, wherever the upstream's differs (an empty output, other ids or
    /// `call_id`s, other content; not an item sealed anew). When nothing was
    /// streamed, the upstream's output stays.
    fn fill_output(&mut self, output: &mut Vec<OutputItem>) {
        if self.done_items.is_empty() {
            return;
        }
        let mut streamed = self.done_items.clone();
        streamed.sort_by_key(|(index, _)| *index);
        let streamed: Vec<OutputItem> = streamed.into_iter().map(|(_, item)| item).collect();
        if output.len() != streamed.len() {
            *output = streamed;
            self.note(Repair::OutputFilled);
            return;
        }
        for (slot, item) in output.iter_mut().zip(streamed) {
            if same_item(slot, &item) {
                continue;
            }
            let other = item_id(slot) != item_id(&item) || call_id(slot) != call_id(&item);
            *slot = item;
            self.note(if other {
                Repair::IdAligned
            } else {
                Repair::OutputFilled
            });
        }
    }

    /// `total_tokens` when the upstream left it out (0 with tokens counted).
    fn complete_usage(&mut self, usage: &mut ResponseUsage) {
        let sum = usage.input_tokens.saturating_add(usage.output_tokens);
        if usage.total_tokens == 0 && sum > 0 {
            usage.total_tokens = sum;
            self.note(Repair::UsageCompleted);
        }
    }
}

/// The response a lifecycle event carries, and the status its event implies.
fn lifecycle_response(event: &mut ResponseStreamEvent) -> Option<(&mut Response, ResponseStatus)> {
    use ResponseStreamEvent as E;
    match event {
        E::ResponseCreated(e) => Some((&mut e.response, ResponseStatus::InProgress)),
        E::ResponseInProgress(e) => Some((&mut e.response, ResponseStatus::InProgress)),
        E::ResponseQueued(e) => Some((&mut e.response, ResponseStatus::Queued)),
        E::ResponseCompleted(e) => Some((&mut e.response, ResponseStatus::Completed)),
        E::ResponseFailed(e) => Some((&mut e.response, ResponseStatus::Failed)),
        E::ResponseIncomplete(e) => Some((&mut e.response, ResponseStatus::Incomplete)),
        _ => None,
    }
}

/// Whether two items are the same but for their opaque fields (`encrypted_content`,
/// `fingerprint`: OpenAI seals them anew for `response.completed`), as the checker's
/// `item.output-matches-done` compares them.
fn same_item(a: &OutputItem, b: &OutputItem) -> bool {
    fn without_opaque(value: &mut Value) {
        match value {
            Value::Object(object) => {
                object
                    .retain(|key, _| !matches!(key.as_str(), "encrypted_content" | "fingerprint"));
                object.values_mut().for_each(without_opaque);
            }
            Value::Array(values) => values.iter_mut().for_each(without_opaque),
            _ => {}
        }
    }
    if a == b {
        return true;
    }
    let opened = |item: &OutputItem| {
        let mut json = serde_json::to_value(item).unwrap_or(Value::Null);
        without_opaque(&mut json);
        json
    };
    opened(a) == opened(b)
}

/// The `call_id` of a call item.
fn call_id(item: &OutputItem) -> Option<&str> {
    match item {
        OutputItem::FunctionCall(call) => Some(&call.call_id),
        OutputItem::CustomToolCall(call) => Some(&call.call_id),
        _ => None,
    }
}
