//! Output items and their parts: what each was streamed with, and the events that finish them.

use openai_wire_emit::IdSource;
use openai_wire_events::{OutputItem, ResponseStreamEvent};
use serde_json::{Value, json};

use super::parts::{Family, Part, PartKey, PartKind};
use super::{ItemEnd, Repair, ResponsesRepair};

/// An output item as it was announced, and how far it got.
#[derive(Debug)]
pub(super) struct Tracked {
    pub(super) output_index: i64,
    /// The id it was streamed with.
    pub(super) id: String,
    kind: Kind,
    /// Its content and summary parts, in the order they were added.
    pub(super) parts: Vec<Part>,
    /// The arguments of a function call (the input of a custom tool call).
    arguments: Option<Arguments>,
    /// The item of its `response.output_item.added`.
    added: OutputItem,
    /// Whether the model streams it before the next item (a message, reasoning, a function or
    /// custom tool call), rather than beside others (a hosted tool call).
    sequential: bool,
    pub(super) done: bool,
    /// Whether its `output_item.done` was synthesized here (the upstream's, should it come
    /// late, is then dropped).
    closed_here: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    FunctionCall,
    CustomToolCall,
    Other,
}

#[derive(Debug, Default)]
struct Arguments {
    text: String,
    streamed: bool,
    done: bool,
}

impl<I: IdSource> ResponsesRepair<I> {
    /// Routes an event about an output item (everything but the lifecycle events): what it
    /// implies first, then the event.
    pub(super) fn item_event(
        &mut self,
        event: ResponseStreamEvent,
        out: &mut Vec<ResponseStreamEvent>,
    ) {
        use ResponseStreamEvent as E;
        match &event {
            E::ResponseOutputItemAdded(added) => {
                if is_sequential(&added.item) {
                    self.close_streamed_items(out);
                }
                let event = self.track_item(event);
                return self.emit(event, out);
            }
            E::ResponseOutputItemDone(_) => return self.item_done(event, out),
            E::ResponseFunctionCallArgumentsDelta(e) => {
                self.arguments_delta(e.output_index, &e.delta);
            }
            E::ResponseCustomToolCallInputDelta(e) => {
                self.arguments_delta(e.output_index, &e.delta);
            }
            E::ResponseFunctionCallArgumentsDone(e) => {
                self.arguments_done(e.output_index, &e.arguments, out);
            }
            E::ResponseCustomToolCallInputDone(e) => {
                self.arguments_done(e.output_index, &e.input, out);
            }
            _ => self.part_event(&event, out),
        }
        self.emit(event, out);
    }

    /// OpenAI's own habit with several MCP servers: only the last `mcp_list_tools` item gets its
    /// `output_item.done`, the earlier ones are whole only in `response.completed` (the
    /// checker's `nesting.mcp-list-tools-backfill` warning). Such items are left as OpenAI
    /// sends them, so an OpenAI stream passes unchanged: no done event is made up for them,
    /// and their done item is `output`'s (no tools would be lost to the streamed, empty list).
    pub(super) fn keep_mcp_list_tools_backfill(&mut self, output: &[OutputItem]) {
        let is_list = |tracked: &Tracked| matches!(tracked.added, OutputItem::McpListTools(_));
        let Some(last) = self.items.iter().rposition(is_list) else {
            return;
        };
        if !self.items[last].done {
            return;
        }
        for at in 0..last {
            let tracked = &self.items[at];
            if tracked.done || !is_list(tracked) {
                continue;
            }
            let final_item = output
                .iter()
                .find(|o| matches!(o, OutputItem::McpListTools(list) if list.id == tracked.id));
            if let Some(final_item) = final_item {
                let output_index = tracked.output_index;
                self.items[at].done = true;
                self.done_items.push((output_index, final_item.clone()));
            }
        }
    }

    /// Finishes every item still open, in the order they were added.
    pub(super) fn close_items(&mut self, end: ItemEnd, out: &mut Vec<ResponseStreamEvent>) {
        for at in 0..self.items.len() {
            if !self.items[at].done {
                self.close_item(at, end, out);
            }
        }
    }

    /// Finishes the open items the model streams one after the other (messages, reasoning,
    /// function and custom tool calls) before the next such item opens. Hosted tool calls (web
    /// search, file search, …) may run side by side with them (xAI's search tools do): they
    /// neither close nor are closed by another item, only by their own done event or the
    /// terminal event.
    fn close_streamed_items(&mut self, out: &mut Vec<ResponseStreamEvent>) {
        for at in 0..self.items.len() {
            let item = &self.items[at];
            if !item.done && item.sequential {
                self.close_item(at, ItemEnd::Completed, out);
            }
        }
    }

    /// Notes a `response.output_item.added` (giving its item an id when it has none).
    fn track_item(&mut self, mut event: ResponseStreamEvent) -> ResponseStreamEvent {
        let ResponseStreamEvent::ResponseOutputItemAdded(added) = &mut event else {
            return event;
        };
        if item_id(&added.item).is_none_or(|id| id.is_empty()) {
            let id = self.ids.id(id_prefix(&added.item));
            added.item = with_field(&added.item, "id", Value::from(id));
            self.note(Repair::IdAligned);
        }
        let kind = match &added.item {
            OutputItem::FunctionCall(_) => Kind::FunctionCall,
            OutputItem::CustomToolCall(_) => Kind::CustomToolCall,
            _ => Kind::Other,
        };
        self.items.push(Tracked {
            output_index: added.output_index,
            id: item_id(&added.item).unwrap_or_default(),
            kind,
            parts: Vec::new(),
            arguments: matches!(kind, Kind::FunctionCall | Kind::CustomToolCall)
                .then(Arguments::default),
            added: added.item.clone(),
            sequential: is_sequential(&added.item),
            done: false,
            closed_here: false,
        });
        event
    }

    /// The upstream's `response.output_item.done`: the item's missing done events first, its
    /// content filled from the deltas when it came empty.
    fn item_done(&mut self, mut event: ResponseStreamEvent, out: &mut Vec<ResponseStreamEvent>) {
        let ResponseStreamEvent::ResponseOutputItemDone(done) = &event else {
            return self.emit(event, out);
        };
        let id = item_id(&done.item).unwrap_or_default();
        let found = self
            .position(done.output_index)
            .or_else(|| self.position_by_id(&id));
        let at = match found {
            // Finished here already: the upstream's late done would be a second one.
            Some(at) if self.items[at].closed_here => return,
            Some(at) if self.items[at].done => return self.emit(event, out),
            Some(at) => at,
            None => {
                // Finished but never announced: announce it.
                self.close_streamed_items(out);
                let added = json!({
                    "type": "response.output_item.added",
                    "output_index": done.output_index,
                    "item": with_status(&done.item, "in_progress"),
                });
                let Some(added) = synthesized(added) else {
                    return self.emit(event, out);
                };
                self.note(Repair::ItemAdded);
                let added = self.track_item(added);
                self.emit(added, out);
                match self.position(done.output_index) {
                    Some(at) => at,
                    None => return self.emit(event, out),
                }
            }
        };
        self.close_contents(at, out);
        if let ResponseStreamEvent::ResponseOutputItemDone(done) = &mut event
            && let Some(filled) = self.filled_from_fold(&done.item, at)
        {
            done.item = filled;
            self.note(Repair::DoneItemFilled);
        }
        self.items[at].done = true;
        self.emit(event, out);
    }

    /// Finishes one item: its parts, its arguments, then `response.output_item.done` with the
    /// item as the events built it.
    fn close_item(&mut self, at: usize, end: ItemEnd, out: &mut Vec<ResponseStreamEvent>) {
        self.close_contents(at, out);
        let item = &self.items[at];
        let base = self.folded_item(&item.id).unwrap_or(&item.added);
        let status = match (end, base) {
            (ItemEnd::Completed, _) => "completed",
            (
                ItemEnd::Incomplete,
                OutputItem::Message(_)
                | OutputItem::FunctionCall(_)
                | OutputItem::CustomToolCall(_)
                | OutputItem::Reasoning(_),
            ) => "incomplete",
            (ItemEnd::Incomplete, _) => "failed",
        };
        let done = json!({
            "type": "response.output_item.done",
            "output_index": item.output_index,
            "item": finished(base, status),
        });
        self.items[at].done = true;
        self.items[at].closed_here = true;
        if let Some(done) = synthesized(done) {
            self.note(Repair::DoneAdded);
            self.emit(done, out);
        }
    }

    /// The done events an item's parts and arguments still lack.
    fn close_contents(&mut self, at: usize, out: &mut Vec<ResponseStreamEvent>) {
        self.close_parts(at, Family::Summary, None, out);
        self.close_parts(at, Family::Content, None, out);
        let item = &self.items[at];
        let Some(arguments) = item.arguments.as_ref().filter(|a| !a.done) else {
            return;
        };
        let done = match item.kind {
            Kind::FunctionCall => {
                let name = match self.folded_item(&item.id) {
                    Some(OutputItem::FunctionCall(call)) => call.name.clone(),
                    _ => String::new(),
                };
                json!({"type": "response.function_call_arguments.done", "item_id": item.id,
                    "output_index": item.output_index, "arguments": arguments.text, "name": name})
            }
            _ => json!({"type": "response.custom_tool_call_input.done", "item_id": item.id,
                "output_index": item.output_index, "input": arguments.text}),
        };
        if let Some(arguments) = self.items[at].arguments.as_mut() {
            arguments.done = true;
        }
        self.emit_synthesized(done, Repair::DoneAdded, out);
    }

    fn arguments_delta(&mut self, output_index: i64, delta: &str) {
        let Some(at) = self
            .position(output_index)
            .filter(|&at| !self.items[at].done)
        else {
            return;
        };
        if let Some(arguments) = self.items[at].arguments.as_mut() {
            arguments.text.push_str(delta);
            arguments.streamed = true;
        }
    }

    fn arguments_done(
        &mut self,
        output_index: i64,
        value: &str,
        out: &mut Vec<ResponseStreamEvent>,
    ) {
        let Some(at) = self
            .position(output_index)
            .filter(|&at| !self.items[at].done)
        else {
            return;
        };
        let item = &self.items[at];
        let Some(arguments) = item.arguments.as_ref() else {
            return;
        };
        if !arguments.streamed && !value.is_empty() {
            let kind = match item.kind {
                Kind::FunctionCall => "response.function_call_arguments.delta",
                _ => "response.custom_tool_call_input.delta",
            };
            let delta = json!({"type": kind, "item_id": item.id,
                "output_index": item.output_index, "delta": value});
            self.emit_synthesized(delta, Repair::DeltaAdded, out);
        }
        if let Some(arguments) = self.items[at].arguments.as_mut() {
            arguments.text = value.to_owned();
            arguments.streamed = true;
            arguments.done = true;
        }
    }

    /// The open item a part event is about: announced first when the upstream never did (a
    /// message for text and refusals, a reasoning item for reasoning). `None` for an item
    /// already done: its event passes as it is.
    pub(super) fn open_item(
        &mut self,
        key: &PartKey<'_>,
        out: &mut Vec<ResponseStreamEvent>,
    ) -> Option<usize> {
        if let Some(at) = self
            .position(key.output_index)
            .or_else(|| self.position_by_id(key.item_id))
        {
            return (!self.items[at].done).then_some(at);
        }
        let item = match key.kind {
            PartKind::OutputText | PartKind::Refusal => json!({"type": "message",
                "id": key.item_id, "role": "assistant", "status": "in_progress", "content": []}),
            PartKind::ReasoningText | PartKind::SummaryText => {
                json!({"type": "reasoning", "id": key.item_id, "summary": []})
            }
        };
        let added = synthesized(json!({"type": "response.output_item.added",
            "output_index": key.output_index, "item": item}))?;
        self.close_streamed_items(out);
        self.note(Repair::ItemAdded);
        let added = self.track_item(added);
        self.emit(added, out);
        self.position(key.output_index)
    }

    /// The item with this id, among those announced (for events whose index names none).
    pub(super) fn position_by_id(&self, id: &str) -> Option<usize> {
        if id.is_empty() {
            return None;
        }
        self.items.iter().rposition(|item| item.id == id)
    }

    /// The item with this id as the fold of the events sent holds it.
    pub(super) fn folded_item(&self, id: &str) -> Option<&OutputItem> {
        self.fold
            .response()
            .output
            .iter()
            .find(|item| item_id(item).as_deref() == Some(id))
    }

    /// A done item with what the deltas streamed where the upstream left it empty (`content`,
    /// `summary`, `arguments`, `input`); `None` when it lacks nothing.
    fn filled_from_fold(&self, done: &OutputItem, at: usize) -> Option<OutputItem> {
        let folded = serde_json::to_value(self.folded_item(&self.items[at].id)?).ok()?;
        let mut json = serde_json::to_value(done).ok()?;
        let object = json.as_object_mut()?;
        let mut filled = false;
        for field in ["content", "summary", "arguments", "input"] {
            let empty = |value: Option<&Value>| match value {
                None | Some(Value::Null) => true,
                Some(Value::String(text)) => text.is_empty(),
                Some(Value::Array(values)) => values.is_empty(),
                Some(_) => false,
            };
            if empty(object.get(field)) && !empty(folded.get(field)) {
                object.insert(field.to_owned(), folded[field].clone());
                filled = true;
            }
        }
        filled.then(|| serde_json::from_value(json).ok()).flatten()
    }

    /// Sends a synthesized event (built as JSON), noting `repair`.
    pub(super) fn emit_synthesized(
        &mut self,
        json: Value,
        repair: Repair,
        out: &mut Vec<ResponseStreamEvent>,
    ) {
        if let Some(event) = synthesized(json) {
            self.note(repair);
            self.emit(event, out);
        }
    }
}

/// Whether the model streams an item of this type before the next one (rather than beside
/// others, as hosted tool calls may run).
fn is_sequential(item: &OutputItem) -> bool {
    matches!(
        item,
        OutputItem::Message(_)
            | OutputItem::Reasoning(_)
            | OutputItem::FunctionCall(_)
            | OutputItem::CustomToolCall(_)
    )
}

/// A synthesized event, from its JSON.
fn synthesized(json: Value) -> Option<ResponseStreamEvent> {
    serde_json::from_value(json).ok()
}

/// The item with `field` set to `value` (through JSON: the item types have no common setter).
fn with_field(item: &OutputItem, field: &str, value: Value) -> OutputItem {
    let Ok(Value::Object(mut json)) = serde_json::to_value(item) else {
        return item.clone();
    };
    json.insert(field.to_owned(), value);
    let json = Value::Object(json);
    serde_json::from_value(json).unwrap_or_else(|_| item.clone())
}

/// The item with `status`, for the item types that carry one.
fn with_status(item: &OutputItem, status: &str) -> Value {
    let mut json = serde_json::to_value(item).unwrap_or(Value::Null);
    let has_status = json.get("status").is_some_and(|s| !s.is_null());
    let always = matches!(
        json.get("type").and_then(Value::as_str),
        Some("message" | "function_call" | "custom_tool_call")
    );
    if has_status || always {
        json["status"] = status.into();
    }
    json
}

/// The item as its synthesized done event carries it: a status still in progress becomes
/// `status`, a final one stays.
fn finished(item: &OutputItem, status: &str) -> Value {
    let json = serde_json::to_value(item).unwrap_or(Value::Null);
    match json.get("status").and_then(Value::as_str) {
        Some("completed" | "failed" | "incomplete") => json,
        _ => with_status(item, status),
    }
}

/// The id prefix OpenAI gives an item of this type.
fn id_prefix(item: &OutputItem) -> &'static str {
    match item {
        OutputItem::Message(_) => "msg_",
        OutputItem::Reasoning(_) => "rs_",
        OutputItem::FunctionCall(_) => "fc_",
        OutputItem::CustomToolCall(_) => "ctc_",
        _ => "item_",
    }
}

/// The `id` of an output item, for the item types that have one.
pub(super) fn item_id(item: &OutputItem) -> Option<String> {
    let id = match item {
        OutputItem::Message(i) => Some(&i.id),
        OutputItem::FunctionCall(i) => i.id.as_ref(),
        OutputItem::Reasoning(i) => Some(&i.id),
        OutputItem::CustomToolCall(i) => i.id.as_ref(),
        // The other types, through JSON (they have no common getter).
        _ => {
            let json = serde_json::to_value(item).ok()?;
            return json.get("id").and_then(Value::as_str).map(str::to_owned);
        }
    };
    id.cloned()
}
