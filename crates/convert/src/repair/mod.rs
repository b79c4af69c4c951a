//! Repairs a Responses stream from a server that is not OpenAI: [`ResponsesRepair`].
//!
//! Native `/v1/responses` servers (vLLM, llama.cpp, Ollama, SGLang, LM Studio, LlamaStack, …)
//! stream the Responses API with gaps that strict clients do not forgive. Codex CLI, for one,
//! runs a tool on its `response.output_item.done` and takes the answer from a complete
//! `response.completed`; without them it ends the turn with "no last agent message". The
//! repairer is fed the upstream's decoded events one by one and yields the events to send:
//!
//! | what the upstream does | what the client gets | [`Repair`] |
//! | --- | --- | --- |
//! | leaves out `response.output_text.done`, `response.content_part.done`, `response.reasoning_summary_text.done`, `response.reasoning_summary_part.done`, `response.reasoning_text.done`, `response.refusal.done`, `response.function_call_arguments.done`, `response.custom_tool_call_input.done` or `response.output_item.done` | the missing done events, with the full accumulated value, in protocol order, before the next item (or part) opens or before the terminal event (an item done here is not done again: the upstream's late `output_item.done` for it is dropped) | [`Repair::DoneAdded`] |
//! | streams an item under one id and finishes it (or lists it in `response.completed`) under another, or gives it no id | the id the item was first streamed with, everywhere (see *Ids* below) | [`Repair::IdAligned`] |
//! | sends `ping`, `keepalive` and similar housekeeping events | nothing: they are dropped (other unknown events pass) | [`Repair::HousekeepingDropped`] |
//! | sends `response.created` / `in_progress` / `completed` whose `response` lacks its id, `created_at`, status or model | the object completed from the stream's earlier objects (and the template, see below) | [`Repair::SnapshotCompleted`] |
//! | ends with a `response.completed` whose `output` is empty, or lists other items than it streamed and finished | `output` = the items as they were streamed and finished (their `output_item.done`; opaque fields such as `encrypted_content`, which OpenAI seals anew, do not count as a difference) | [`Repair::OutputFilled`] |
//! | gives usage without `total_tokens` | `total_tokens` = input + output | [`Repair::UsageCompleted`] |
//! | starts without `response.created` | `response.created` first | [`Repair::CreatedAdded`] |
//! | streams a delta for a part (or finishes an item) it never announced | the `content_part.added` (or `output_item.added`) first | [`Repair::PartAdded`], [`Repair::ItemAdded`] |
//! | sends a done event whose value no delta carried | one delta with the value, then the done event | [`Repair::DeltaAdded`] |
//! | finishes an item with empty content although its deltas had some | the done item with what was streamed | [`Repair::DoneItemFilled`] |
//! | sends events after its terminal event | nothing: they are dropped | [`Repair::AfterTerminalDropped`] |
//!
//! OpenAI's own deviation is left as it is: with several MCP servers, only the last
//! `mcp_list_tools` item gets its `output_item.done` and the earlier ones are whole only in
//! `response.completed` (the checker warns, `nesting.mcp-list-tools-backfill`; fold takes them
//! from there). No done event is made up for them, and the terminal output keeps their tools.
//!
//! Usage details need no repair: the typed [`ResponseUsage`](openai_wire_events::ResponseUsage)
//! reads an absent `input_tokens_details.cached_tokens` or
//! `output_tokens_details.reasoning_tokens` as 0 and always writes both.
//!
//! What the repairer always does, to every stream (the relay's behaviour before the repairer
//! existed, kept): events are numbered again from 0 (`sequence_number`), so that synthesized
//! events fit and the stream is gapless; the `response` of every lifecycle event gets, for each
//! field it leaves out (or sets to `null`), the template's value (what the request asked, or
//! OpenAI's default).
//!
//! A correct stream passes through unchanged, event for event (apart from the numbering, which
//! is the identity on a stream numbered from 0 without gaps, and the template's fields): the
//! test suite feeds it every OpenAI recording of the corpus.
//!
//! # Ids
//!
//! One policy: **an item keeps the id it was streamed with**, the id of its
//! `response.output_item.added`. Later events of the item (found by `output_index`) that name it
//! otherwise are rewritten to that id, so is the item of its `response.output_item.done`, and a
//! terminal `response` whose output item at the same position has another id (or `call_id`:
//! Codex pairs calls by it) gets the streamed item in its place. An item added without an id
//! gets one from the [`IdSource`] (`msg_`, `rs_`, `fc_`, `ctc_`, `item_`). The response keeps
//! the id of its first lifecycle event in the same way.
//!
//! Every repair is counted ([`ResponsesRepair::repairs`]) so that a server can log what it fixed;
//! each [`Repair`] names the `openai-wire check` rules it makes pass ([`Repair::rules`]).
//!
//! # Example
//!
//! ```
//! use openai_wire_convert::repair::{Repair, ResponsesRepair};
//! use openai_wire_emit::SequentialIds;
//! use openai_wire_events::{Response, ResponseStreamEvent, StreamEvent};
//!
//! // What a native server may send: no done events at all, and a keepalive.
//! let upstream = [
//!     r#"{"type":"response.created","response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","model":"qwen3","output":[]}}"#,
//!     r#"{"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","status":"in_progress","content":[]}}"#,
//!     r#"{"type":"response.content_part.added","item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}"#,
//!     r#"{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hello"}"#,
//!     r#"{"type":"keepalive"}"#,
//!     r#"{"type":"response.completed","response":{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"qwen3","output":[]}}"#,
//! ];
//! let mut repair = ResponsesRepair::new(Response::default(), SequentialIds::default());
//! let mut events = Vec::new();
//! for json in upstream {
//!     events.extend(repair.push(ResponseStreamEvent::from_json(json)?));
//! }
//! let types: Vec<&str> = events.iter().map(|e| e.wire_type()).collect();
//! assert_eq!(types, [
//!     "response.created",
//!     "response.output_item.added",
//!     "response.content_part.added",
//!     "response.output_text.delta",
//!     "response.output_text.done",
//!     "response.content_part.done",
//!     "response.output_item.done",
//!     "response.completed",
//! ]);
//! let ResponseStreamEvent::ResponseCompleted(completed) = &events[7] else { unreachable!() };
//! assert_eq!(completed.response.output.len(), 1); // the streamed message
//! let fixed: Vec<Repair> = repair.repairs().map(|(repair, _count)| repair).collect();
//! assert!(fixed.contains(&Repair::DoneAdded) && fixed.contains(&Repair::HousekeepingDropped));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod items;
mod parts;
mod snapshot;

use std::collections::BTreeMap;

use openai_wire_emit::IdSource;
use openai_wire_events::{OutputItem, Response, ResponseStreamEvent, StreamEvent};
use openai_wire_fold::ResponseFold;
use serde_json::{Map, Value};

use items::Tracked;
use snapshot::Lifecycle;

/// One kind of repair the [`ResponsesRepair`] makes (the table of the [module docs](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Repair {
    /// `response.created` was sent first: the upstream started with another event.
    CreatedAdded,
    /// An `ping` / `keepalive` (or similar) housekeeping event was dropped.
    HousekeepingDropped,
    /// An event after the terminal event was dropped.
    AfterTerminalDropped,
    /// `response.output_item.added` was sent for an item the upstream finished unannounced.
    ItemAdded,
    /// `response.content_part.added` (or `reasoning_summary_part.added`) was sent for a part
    /// the upstream streamed unannounced.
    PartAdded,
    /// A delta carrying a done event's whole value was sent before it: no delta had.
    DeltaAdded,
    /// A done event the upstream left out was sent (text, part, arguments, item).
    DoneAdded,
    /// An item id (or the response id) was made the one the item (or response) was first
    /// streamed with, or given one when the upstream gave none.
    IdAligned,
    /// A done item the upstream left empty was given the content its deltas streamed.
    DoneItemFilled,
    /// The terminal response's `output` was made the streamed items.
    OutputFilled,
    /// A lifecycle response was given the id, `created_at`, status or model it lacked.
    SnapshotCompleted,
    /// Usage was given the `total_tokens` it lacked.
    UsageCompleted,
}

impl Repair {
    /// The `openai-wire check` rules (CHECKS.md) the repair makes pass.
    pub fn rules(self) -> &'static [&'static str] {
        match self {
            Repair::CreatedAdded => &["lifecycle.first-event"],
            Repair::HousekeepingDropped => &["decode.unknown-event"],
            Repair::AfterTerminalDropped => &["lifecycle.terminal-last"],
            Repair::ItemAdded => &["nesting.item-open", "index.output-known"],
            Repair::PartAdded => &["nesting.part-open", "index.part-known"],
            Repair::DeltaAdded => &[
                "delta.text-matches-done",
                "delta.arguments-matches-done",
                "delta.summary-text-matches-done",
            ],
            Repair::DoneAdded => &["nesting.part-done", "nesting.item-done"],
            Repair::IdAligned => &[
                "nesting.item-id",
                "item.done-matches-added",
                "item.output-matches-done",
                "lifecycle.response-id",
            ],
            Repair::DoneItemFilled => &["item.done-matches-streamed"],
            Repair::OutputFilled => &["item.output-matches-done"],
            Repair::SnapshotCompleted => &[
                "response.all-fields",
                "lifecycle.response-id",
                "lifecycle.terminal-status",
            ],
            Repair::UsageCompleted => &["usage.totals"],
        }
    }

    /// What was done, in words (for logs).
    pub fn describe(self) -> &'static str {
        match self {
            Repair::CreatedAdded => "sent response.created first",
            Repair::HousekeepingDropped => "dropped a housekeeping event (ping, keepalive)",
            Repair::AfterTerminalDropped => "dropped an event after the terminal event",
            Repair::ItemAdded => "announced an item the upstream never added",
            Repair::PartAdded => "announced a part the upstream never added",
            Repair::DeltaAdded => "sent a done event's value as a delta first",
            Repair::DoneAdded => "sent a done event the upstream left out",
            Repair::IdAligned => "gave an item or the response the id it was streamed with",
            Repair::DoneItemFilled => "filled a done item with what its deltas streamed",
            Repair::OutputFilled => "made the terminal output the streamed items",
            Repair::SnapshotCompleted => "completed a sparse lifecycle response",
            Repair::UsageCompleted => "completed the usage totals",
        }
    }
}

/// How items still open are finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemEnd {
    /// Before the next item or `response.completed`: status `completed`.
    Completed,
    /// Before `response.incomplete` or `response.failed`: status `incomplete`.
    Incomplete,
}

/// Repairs a Responses event stream as it goes: push each upstream event, send what comes out.
///
/// Sans-IO: no clock, no randomness; ids and the time for what the upstream left out come from
/// the [`IdSource`]. Never fails and never panics: an event it cannot place passes as it is.
/// See the [module docs](self) for what it repairs and its id policy.
#[derive(Debug)]
pub struct ResponsesRepair<I> {
    ids: I,
    /// The template as JSON: what fills a field a lifecycle response leaves out.
    template: Map<String, Value>,
    /// The fold of the events sent so far.
    fold: ResponseFold,
    /// Every item announced, in the order added.
    items: Vec<Tracked>,
    /// The done items sent, with their `output_index`.
    done_items: Vec<(i64, OutputItem)>,
    lifecycle: Lifecycle,
    /// The next `sequence_number`.
    sequence: i64,
    started: bool,
    /// Whether a terminal event was sent: what follows is dropped.
    ended: bool,
    /// Whether an `error` event was sent (OpenAI may send `response.failed` after it).
    errored: bool,
    counts: BTreeMap<Repair, usize>,
}

impl<I: IdSource> ResponsesRepair<I> {
    /// A repairer for one response. `template` holds what the response echoes from the request
    /// (model, tools, sampling, …, as the gateway builds it): a field a lifecycle response
    /// leaves out takes the template's value. `Response::default()` adds nothing.
    pub fn new(template: Response, ids: I) -> Self {
        let template = match serde_json::to_value(&template) {
            Ok(Value::Object(object)) => object,
            _ => Map::new(),
        };
        ResponsesRepair {
            ids,
            template,
            fold: ResponseFold::new(),
            items: Vec::new(),
            done_items: Vec::new(),
            lifecycle: Lifecycle::default(),
            sequence: 0,
            started: false,
            ended: false,
            errored: false,
            counts: BTreeMap::new(),
        }
    }

    /// Takes one upstream event; returns the events to send for it (none, it, or it with the
    /// events it implies before it).
    pub fn push(&mut self, event: ResponseStreamEvent) -> Vec<ResponseStreamEvent> {
        let mut out = Vec::new();
        if self.ended {
            self.note(Repair::AfterTerminalDropped);
            return out;
        }
        if is_housekeeping(&event) {
            self.note(Repair::HousekeepingDropped);
            return out;
        }
        if !self.started {
            self.started = true;
            self.open_stream(&event, &mut out);
        }
        self.route(event, &mut out);
        out
    }

    /// Whether the stream is over for the client: a terminal event or an `error` was sent. (An
    /// upstream may still send `response.failed` after its `error`, as OpenAI does: pushed, it
    /// passes.)
    pub fn is_ended(&self) -> bool {
        self.ended || self.errored
    }

    /// The response as the last lifecycle event sent carried it (before any, the template with
    /// the response's id), for a server that must end the stream itself: set its status (and
    /// error) and [`push`](Self::push) it as the terminal event; the repairer finishes the open
    /// items and fills its output.
    pub fn response(&mut self) -> Response {
        match self.lifecycle.last.clone() {
            Some(response) => response,
            None => self.template_response(),
        }
    }

    /// The number of repairs of each kind made so far, by kind.
    pub fn repairs(&self) -> impl Iterator<Item = (Repair, usize)> + '_ {
        self.counts.iter().map(|(repair, count)| (*repair, *count))
    }

    /// The fold of the events sent so far (what the client's fold holds).
    pub fn fold(&self) -> &ResponseFold {
        &self.fold
    }

    fn note(&mut self, repair: Repair) {
        *self.counts.entry(repair).or_default() += 1;
    }

    /// `response.created` before a stream's first event when that is something else.
    fn open_stream(&mut self, first: &ResponseStreamEvent, out: &mut Vec<ResponseStreamEvent>) {
        let response = match first {
            ResponseStreamEvent::ResponseCreated(_)
            | ResponseStreamEvent::ResponseQueued(_)
            | ResponseStreamEvent::Error(_) => return,
            // A resumed stream (a background response read from the middle) starts with
            // `in_progress`: the client still gets `response.created` first.
            ResponseStreamEvent::ResponseInProgress(e) => e.response.clone(),
            _ => self.template_response(),
        };
        self.note(Repair::CreatedAdded);
        let created = openai_wire_events::ResponseCreatedEvent {
            response,
            ..Default::default()
        };
        self.lifecycle_event(ResponseStreamEvent::ResponseCreated(Box::new(created)), out);
    }

    /// Routes one event to what it implies.
    fn route(&mut self, event: ResponseStreamEvent, out: &mut Vec<ResponseStreamEvent>) {
        use ResponseStreamEvent as E;
        match &event {
            E::ResponseCreated(_) | E::ResponseInProgress(_) | E::ResponseQueued(_) => {
                self.lifecycle_event(event, out);
            }
            E::ResponseCompleted(_) => self.terminal(event, ItemEnd::Completed, out),
            E::ResponseIncomplete(_) | E::ResponseFailed(_) => {
                self.terminal(event, ItemEnd::Incomplete, out);
            }
            E::Error(_) => {
                self.errored = true;
                self.emit(event, out);
            }
            _ => self.item_event(event, out),
        }
    }

    /// The template as a response of its own: the template's fields, an id and a time.
    fn template_response(&mut self) -> Response {
        let mut response: Response =
            serde_json::from_value(Value::Object(self.template.clone())).unwrap_or_default();
        if response.id.is_empty() {
            response.id = if self.lifecycle.id.is_empty() {
                self.ids.id("resp_")
            } else {
                self.lifecycle.id.clone()
            };
        }
        if response.created_at == 0.0 {
            response.created_at = self.ids.now() as f64;
        }
        response.status = Some(openai_wire_events::ResponseStatus::InProgress);
        response
    }

    /// Sends `event`: its ids made the streamed ones, numbered, folded.
    fn emit(&mut self, event: ResponseStreamEvent, out: &mut Vec<ResponseStreamEvent>) {
        let sequence = self.sequence;
        self.sequence += 1;
        let mut event = match serde_json::to_value(&event) {
            Ok(mut json) if json.is_object() => {
                let aligned = self.align_ids(&mut json);
                let renumbered = json.get("sequence_number") != Some(&Value::from(sequence));
                if aligned || renumbered {
                    json["sequence_number"] = sequence.into();
                    serde_json::from_value(json).unwrap_or(event)
                } else {
                    event
                }
            }
            // An event that is not a JSON object (an `UnknownEvent` built by hand) has no number.
            Ok(_) => event,
            Err(_) => event,
        };
        if let ResponseStreamEvent::ResponseOutputItemDone(done) = &mut event {
            // One item per index: an upstream that finishes an item twice has its last word.
            self.done_items
                .retain(|(index, _)| *index != done.output_index);
            self.done_items.push((done.output_index, done.item.clone()));
        }
        self.fold.push(&event);
        out.push(event);
    }

    /// Makes an event's `item_id` (and an item's `id`) the id its item was streamed with.
    /// Returns whether anything changed.
    fn align_ids(&mut self, json: &mut Value) -> bool {
        let Some(output_index) = json.get("output_index").and_then(Value::as_i64) else {
            return false;
        };
        let Some(at) = self.position(output_index) else {
            return false;
        };
        let id = self.items[at].id.clone();
        if id.is_empty() {
            return false;
        }
        let mut changed = false;
        for pointer in ["/item_id", "/item/id"] {
            if let Some(slot) = json.pointer_mut(pointer)
                && slot.as_str() != Some(id.as_str())
            {
                *slot = Value::from(id.clone());
                changed = true;
            }
        }
        if changed {
            self.note(Repair::IdAligned);
        }
        changed
    }

    /// The position in `items` of the item at `output_index` (the latest one, should the
    /// upstream reuse an index).
    fn position(&self, output_index: i64) -> Option<usize> {
        self.items
            .iter()
            .rposition(|item| item.output_index == output_index)
    }
}

/// Whether an event is housekeeping: an unknown event named like a keep-alive (`ping`,
/// `keepalive`, `keep_alive`, `heartbeat`, with or without a `response.` prefix).
fn is_housekeeping(event: &ResponseStreamEvent) -> bool {
    if !event.is_unknown() {
        return false;
    }
    let name = event.wire_type().to_ascii_lowercase();
    let name = name.strip_prefix("response.").unwrap_or(&name);
    matches!(
        name,
        "ping" | "keepalive" | "keep_alive" | "keep-alive" | "heartbeat"
    )
}
