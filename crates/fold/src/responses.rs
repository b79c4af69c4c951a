//! The Responses API stream (`response.*` events) folded into a [`Response`].

mod parts;
mod text;
mod tools;
mod unstreamed;

use openai_wire_events::{
    OutputItem, OutputMessageContent, Response, ResponseError2, ResponseErrorCode, ResponseStatus,
    ResponseStreamEvent,
};

use crate::diff::{Difference, diff};
use crate::slots::{Slots, wire_index};
use crate::{ToolCall, ToolCallKind};
use unstreamed::ItemShown;

/// What one event changed, for callers that react as the stream goes (print text as it comes,
/// run a tool when its call is complete).
///
/// Returned by [`ResponseFold::push`] (the event's own update) and
/// [`ResponseFold::push_updates`] (every update, the text no delta gave included); events that
/// only change the snapshot's details (status of a web search, a content part opening, …)
/// return `None`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ResponseUpdate {
    /// Message text arrived (`response.output_text.delta`).
    TextDelta {
        /// The `output_index` of the message.
        output_index: u64,
        /// The `content_index` of the text part.
        content_index: u64,
        /// The new text.
        delta: String,
    },
    /// Refusal text arrived (`response.refusal.delta`).
    RefusalDelta {
        /// The `output_index` of the message.
        output_index: u64,
        /// The `content_index` of the refusal part.
        content_index: u64,
        /// The new text.
        delta: String,
    },
    /// Reasoning arrived: a summary (`response.reasoning_summary_text.delta`) or the reasoning
    /// text itself (`response.reasoning_text.delta`).
    ReasoningDelta {
        /// The `output_index` of the reasoning item.
        output_index: u64,
        /// Which part of the reasoning item the text belongs to.
        part: ReasoningPart,
        /// The new text.
        delta: String,
    },
    /// Arguments of a function, custom tool or MCP call arrived.
    ArgumentsDelta {
        /// The `output_index` of the call.
        output_index: u64,
        /// The new text.
        delta: String,
    },
    /// Text that no delta gave: an event carried it whole (`response.output_text.done`,
    /// `response.refusal.done`, `response.reasoning_summary_text.done`,
    /// `response.reasoning_text.done`, `response.function_call_arguments.done`,
    /// `response.custom_tool_call_input.done`, `response.mcp_call_arguments.done`, a content or
    /// summary part's done event, `response.output_item.done`, or the terminal response), and
    /// the deltas gave none of it or only its beginning. Reported by
    /// [`ResponseFold::push_updates`] only.
    ///
    /// Each text is given once: for every item, its deltas and these pieces, of one kind of
    /// text and in the order they come, add up to the text the server finally sent. When that
    /// text does not start with what the deltas gave (a server that rewrote it), nothing more is
    /// reported: the deltas gave their version.
    UnstreamedText {
        /// The `output_index` of the item (for an item that only the terminal response has, its
        /// position in that response's `output`).
        output_index: u64,
        /// Which text of the item.
        part: TextPart,
        /// The text no update gave before.
        text: String,
    },
    /// A transcript of the model's audio arrived (`response.audio.transcript.delta`).
    TranscriptDelta {
        /// The new text.
        delta: String,
    },
    /// A function or custom tool call is complete (its `response.output_item.done`, or the
    /// terminal response for a call whose done event never came): name, `call_id` and the
    /// whole arguments (or input). Reported once per call, instead of
    /// [`ResponseUpdate::ItemDone`].
    ToolCallDone(ToolCall),
    /// Any other output item is complete (`response.output_item.done`; from
    /// [`ResponseFold::push_updates`], also the terminal response's items whose done event
    /// never came).
    ItemDone {
        /// The item's `output_index`.
        output_index: u64,
        /// The item as the server sent it in `response.output_item.done` (or in the terminal
        /// response).
        item: Box<OutputItem>,
    },
    /// The response ended: `response.completed`, `response.failed` or `response.incomplete`.
    Finished {
        /// The final status (`completed`, `failed`, `incomplete`, …).
        status: Option<ResponseStatus>,
    },
    /// An `error` event arrived (the stream is over).
    Error {
        /// The error code, when the server gave one.
        code: Option<String>,
        /// The error message.
        message: String,
    },
}

/// Which part of a reasoning item a [`ResponseUpdate::ReasoningDelta`] extends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasoningPart {
    /// `summary[index]`.
    Summary(u64),
    /// `content[index]` (the reasoning text).
    Text(u64),
}

/// Which text of an output item a [`ResponseUpdate::UnstreamedText`] belongs to. Indexes are
/// the events' `content_index` / `summary_index`; a part that only a done item or the terminal
/// response has is named by its position there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TextPart {
    /// A message's `content[index]`: output text.
    OutputText(u64),
    /// A message's `content[index]`: a refusal.
    Refusal(u64),
    /// A reasoning item's `summary[index]`.
    Summary(u64),
    /// A reasoning item's `content[index]`: the reasoning text.
    ReasoningText(u64),
    /// A function call's `arguments`, a custom tool call's `input`, an MCP call's `arguments`.
    Arguments,
}

/// Per-item bookkeeping beside `Response::output`.
#[derive(Debug, Clone, Default)]
struct ItemState {
    /// Wire `content_index` of each message content part (or reasoning text part).
    content: Slots,
    /// Wire `summary_index` of each reasoning summary part.
    summary: Slots,
    /// Whether its `response.output_item.done` arrived.
    done: bool,
    /// The text of each kind the updates gave.
    shown: ItemShown,
    /// Whether its end was reported ([`ResponseUpdate::ToolCallDone`] or
    /// [`ResponseUpdate::ItemDone`]).
    ended: bool,
}

impl ItemState {
    fn for_item(item: &OutputItem) -> Self {
        match item {
            OutputItem::Message(m) => ItemState {
                content: Slots::dense(m.content.len()),
                ..ItemState::default()
            },
            OutputItem::Reasoning(r) => ItemState {
                content: Slots::dense(r.content.as_ref().map_or(0, Vec::len)),
                summary: Slots::dense(r.summary.len()),
                ..ItemState::default()
            },
            _ => ItemState::default(),
        }
    }
}

/// Folds a Responses API event stream into a [`Response`] that is up to date after every event.
///
/// - Output items are kept in `output_index` order, whatever order they arrive in; indices may
///   be sparse and are never used to size anything. An event for an item that was never
///   announced (a trimmed recording) creates the item.
/// - Deltas are appended: message text (with logprobs and annotations), refusals, function
///   call arguments, custom tool input, MCP call arguments, code interpreter code, reasoning
///   summaries and reasoning text, shell commands; the `*.done` events then set the full value.
///   Tool status events (`response.web_search_call.searching`, …) update the item's status;
///   `response.image_generation_call.partial_image` keeps the latest partial image as `result`.
///   `response.compaction.compacting` carries no content and changes nothing.
/// - `response.output_item.done` replaces the item with the server's, except that what the
///   done item leaves empty (message content, reasoning summary or text, arguments, input) but
///   the deltas filled is kept. An `mcp_list_tools` item that never got its done event, before a last one that did, takes
///   `response.completed`'s item of the same id (OpenAI sends the done event only for the last
///   one when a response uses several MCP servers).
/// - `response.created`, `response.in_progress` and `response.queued` update everything but
///   the output (status, model, …). A `response.created` after the end of a response starts a
///   new fold (recordings that join several responses).
/// - `response.completed`, `response.failed` and `response.incomplete` are authoritative: the
///   snapshot takes their status, usage, `error` and `incomplete_details`; their object is kept
///   ([`ResponseFold::terminal`]) and compared with the folded output
///   ([`ResponseFold::differences`]).
/// - An `error` event marks the snapshot `failed` with that error.
///
/// For a caller that shows the stream, [`ResponseFold::push_updates`] reports every text once
/// (the deltas, then what only a done event or the final response carried), and every item's
/// end once; [`ResponseFold::unfinished_calls`] gives the calls a cut-off stream left open.
///
/// # Example
///
/// ```
/// use openai_wire_events::{ResponseStreamEvent, StreamEvent};
/// use openai_wire_fold::{ResponseFold, ResponseUpdate};
///
/// let stream = [
///     r#"{"type":"response.created","response":{"id":"resp_1","status":"in_progress","output":[]}}"#,
///     r#"{"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","content":[]}}"#,
///     r#"{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hel"}"#,
///     r#"{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"lo"}"#,
/// ];
/// let mut fold = ResponseFold::new();
/// let mut printed = String::new();
/// for json in stream {
///     if let Some(ResponseUpdate::TextDelta { delta, .. }) = fold.push(&ResponseStreamEvent::from_json(json)?) {
///         printed.push_str(&delta);
///     }
/// }
/// assert_eq!(printed, "Hello");
/// assert_eq!(fold.final_text(), "Hello");
/// assert!(fold.terminal().is_none()); // no response.completed yet
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ResponseFold {
    snapshot: Response,
    slots: Slots,
    states: Vec<ItemState>,
    terminal: Option<Response>,
    completed: bool,
    differences: Vec<Difference>,
    reported_calls: Vec<u64>,
}

impl ResponseFold {
    /// An empty fold.
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds one event into the snapshot and says what it changed, if anything a caller would
    /// react to. Never fails: events that cannot apply (a negative index, a delta for an item of
    /// another type) change nothing.
    ///
    /// This is the event's own update; [`push_updates`](Self::push_updates) also gives the
    /// text that no delta streamed and the items only the terminal response finished.
    pub fn push(&mut self, event: &ResponseStreamEvent) -> Option<ResponseUpdate> {
        self.apply(event, &mut Vec::new())
    }

    /// Folds one event, like [`push`](Self::push), and returns every update it makes, in order:
    /// first the text that no delta gave ([`ResponseUpdate::UnstreamedText`]) and, for a
    /// terminal event, the calls and items whose done event never came, then the event's own
    /// update.
    ///
    /// A caller that shows these updates shows every text once, whether the server streamed
    /// it, sent it only whole, or put it at other indexes in the final response.
    ///
    /// ```
    /// use openai_wire_events::{ResponseStreamEvent, StreamEvent};
    /// use openai_wire_fold::{ResponseFold, ResponseUpdate, TextPart};
    ///
    /// let stream = [
    ///     r#"{"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","content":[]}}"#,
    ///     r#"{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hel"}"#,
    ///     // The deltas stop early; the done event has the whole text.
    ///     r#"{"type":"response.output_text.done","item_id":"msg_1","output_index":0,"content_index":0,"text":"Hello!"}"#,
    ///     r#"{"type":"response.output_item.done","output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","content":[{"type":"output_text","text":"Hello!","annotations":[]}]}}"#,
    /// ];
    /// let mut fold = ResponseFold::new();
    /// let mut shown = String::new();
    /// for json in stream {
    ///     for update in fold.push_updates(&ResponseStreamEvent::from_json(json)?) {
    ///         match update {
    ///             ResponseUpdate::TextDelta { delta, .. } => shown.push_str(&delta),
    ///             ResponseUpdate::UnstreamedText { part: TextPart::OutputText(0), text, .. } => {
    ///                 shown.push_str(&text)
    ///             }
    ///             _ => {}
    ///         }
    ///     }
    /// }
    /// assert_eq!(shown, "Hello!");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn push_updates(&mut self, event: &ResponseStreamEvent) -> Vec<ResponseUpdate> {
        let mut updates = Vec::new();
        let own = self.apply(event, &mut updates);
        updates.extend(own);
        updates
    }

    /// Folds one event; pushes to `extra` the updates beside the event's own, which it returns.
    fn apply(
        &mut self,
        event: &ResponseStreamEvent,
        extra: &mut Vec<ResponseUpdate>,
    ) -> Option<ResponseUpdate> {
        use ResponseStreamEvent as E;
        match event {
            E::ResponseCreated(e) => {
                self.created(&e.response);
                None
            }
            E::ResponseInProgress(e) => {
                self.adopt(&e.response);
                None
            }
            E::ResponseQueued(e) => {
                self.adopt(&e.response);
                None
            }
            E::ResponseCompleted(e) => self.end(&e.response, true, extra),
            E::ResponseFailed(e) => self.end(&e.response, false, extra),
            E::ResponseIncomplete(e) => self.end(&e.response, false, extra),
            E::Error(e) => Some(self.error(e.error_code(), e.error_message())),
            E::ResponseOutputItemAdded(e) => {
                self.item_added(e.output_index, &e.item);
                None
            }
            E::ResponseOutputItemDone(e) => self.item_done(e.output_index, &e.item, extra),
            E::ResponseAudioTranscriptDelta(e) => Some(ResponseUpdate::TranscriptDelta {
                delta: e.delta.clone(),
            }),
            // Text and arguments, then tool progress (`text_event` passes on what is not text).
            event => self.text_event(event, extra),
        }
    }

    /// Starts a response: a `response.created` after the end of the last one (or of another
    /// id) starts a new fold.
    fn created(&mut self, response: &Response) {
        let restart = self.terminal.is_some()
            || (!self.snapshot.id.is_empty()
                && !response.id.is_empty()
                && self.snapshot.id != response.id);
        if restart {
            *self = Self::new();
        }
        self.adopt(response);
    }

    /// An `error` event: the snapshot is `failed` with its error.
    fn error(&mut self, code: Option<&str>, message: &str) -> ResponseUpdate {
        self.snapshot.status = Some(ResponseStatus::Failed);
        self.snapshot.error = Some(ResponseError2 {
            code: ResponseErrorCode::from(code.unwrap_or("")),
            message: message.to_owned(),
        });
        ResponseUpdate::Error {
            code: code.map(str::to_owned),
            message: message.to_owned(),
        }
    }

    /// The terminal event: the response it carries is authoritative.
    fn end(
        &mut self,
        response: &Response,
        completed: bool,
        extra: &mut Vec<ResponseUpdate>,
    ) -> Option<ResponseUpdate> {
        let first = self.terminal.is_none();
        self.finish(response, completed);
        if first {
            self.settle(response, extra);
        }
        Some(ResponseUpdate::Finished {
            status: self.snapshot.status.clone(),
        })
    }

    /// The snapshot: the response as the events so far describe it, status included. After a
    /// terminal event its status, usage, `error` and `incomplete_details` are the terminal
    /// event's; its output stays the fold of the events (compare with
    /// [`terminal`](Self::terminal), or see [`differences`](Self::differences)).
    pub fn response(&self) -> &Response {
        &self.snapshot
    }

    /// The `response` of `response.completed`, once it arrived.
    pub fn completed(&self) -> Option<&Response> {
        self.terminal.as_ref().filter(|_| self.completed)
    }

    /// The `response` of the terminal event (`response.completed`, `response.failed` or
    /// `response.incomplete`), once it arrived.
    pub fn terminal(&self) -> Option<&Response> {
        self.terminal.as_ref()
    }

    /// Where the folded output and usage differ from the terminal event's response (empty
    /// before a terminal event, and when they agree). Paths are like `output[1].arguments`.
    pub fn differences(&self) -> &[Difference] {
        &self.differences
    }

    /// Whether a terminal event (`response.completed`, `.failed`, `.incomplete`) arrived.
    pub fn is_finished(&self) -> bool {
        self.terminal.is_some()
    }

    /// The text of every `output_text` part of every message, in output order: the terminal
    /// response's when one arrived, the snapshot's otherwise.
    pub fn final_text(&self) -> String {
        output_text(self.terminal.as_ref().unwrap_or(&self.snapshot))
    }

    /// The final object: the terminal event's response if one arrived (authoritative),
    /// otherwise the snapshot.
    pub fn into_response(self) -> Response {
        self.terminal.unwrap_or(self.snapshot)
    }

    /// Takes everything but the output from a lifecycle event's response.
    fn adopt(&mut self, response: &Response) {
        let output = std::mem::take(&mut self.snapshot.output);
        self.snapshot = response.clone();
        if self.snapshot.output.is_empty() {
            self.snapshot.output = output;
        } else {
            self.slots = Slots::dense(self.snapshot.output.len());
            self.states = self
                .snapshot
                .output
                .iter()
                .map(ItemState::for_item)
                .collect();
        }
    }

    fn finish(&mut self, response: &Response, completed: bool) {
        if completed {
            self.backfill_mcp_list_tools(response);
        }
        let mut differences = diff("output", &self.snapshot.output, &response.output);
        differences.extend(
            diff("usage", &self.snapshot.usage, &response.usage)
                .into_iter()
                .filter(
                    // The snapshot has no usage until the terminal event; only a usage that was
                    // folded and disagrees is a difference.
                    |d| !d.folded.is_null(),
                ),
        );
        self.differences = differences;
        // Everything but the output is the terminal event's; the output stays the fold's.
        let output = std::mem::take(&mut self.snapshot.output);
        self.snapshot = response.clone();
        self.snapshot.output = output;
        self.terminal = Some(response.clone());
        self.completed = completed;
    }

    /// OpenAI's MCP backfill: with several MCP servers, only the last `mcp_list_tools` item
    /// gets an `output_item.done`; the others are whole only in `response.completed`. When the
    /// last one was done, each earlier `mcp_list_tools` item never done takes the completed
    /// output's item of the same id.
    fn backfill_mcp_list_tools(&mut self, response: &Response) {
        let is_list = |item: &OutputItem| matches!(item, OutputItem::McpListTools(_));
        let Some(last) = self.snapshot.output.iter().rposition(is_list) else {
            return;
        };
        let done = |pos: usize| self.states.get(pos).is_some_and(|state| state.done);
        if !done(last) {
            return;
        }
        let open: Vec<usize> = (0..last).filter(|&pos| !done(pos)).collect();
        for pos in open {
            let Some(OutputItem::McpListTools(list)) = self.snapshot.output.get(pos) else {
                continue;
            };
            let final_item = response
                .output
                .iter()
                .find(|o| matches!(o, OutputItem::McpListTools(done) if done.id == list.id));
            if let Some(final_item) = final_item.cloned() {
                self.snapshot.output[pos] = final_item;
            }
        }
    }

    /// Inserts or replaces the item at `key`; returns its position.
    fn put_item(&mut self, key: u64, item: OutputItem) -> usize {
        let state = ItemState::for_item(&item);
        let before = self.snapshot.output.len();
        self.states.resize_with(before, ItemState::default);
        let pos = self.slots.set(&mut self.snapshot.output, key, item);
        if self.snapshot.output.len() > before {
            self.states.insert(pos, state);
        } else {
            self.states[pos] = state;
        }
        pos
    }

    /// An `output_item.added`: the item takes its index. The same item announced again (an id
    /// that agrees) keeps what the updates gave of it.
    fn item_added(&mut self, output_index: i64, item: &OutputItem) {
        let Some(key) = wire_index(output_index) else {
            return;
        };
        let shown = self.slots.find(key).and_then(|pos| {
            let old = self.snapshot.output.get(pos)?;
            let agree = match (item_id(old), item_id(item)) {
                (Some(a), Some(b)) => a.is_empty() || b.is_empty() || a == b,
                _ => true,
            };
            let state = self.states.get_mut(pos).filter(|_| agree)?;
            Some(std::mem::take(&mut state.shown))
        });
        let pos = self.put_item(key, item.clone());
        if let (Some(state), Some(shown)) = (self.states.get_mut(pos), shown) {
            state.shown = shown;
        }
    }

    /// An `output_item.done`: the server's item replaces the fold's (keeping what it leaves
    /// empty), the text no delta gave is reported, then the call or the item.
    fn item_done(
        &mut self,
        output_index: i64,
        item: &OutputItem,
        extra: &mut Vec<ResponseUpdate>,
    ) -> Option<ResponseUpdate> {
        let key = wire_index(output_index)?;
        let mut item = item.clone();
        let mut shown = ItemShown::default();
        if let Some(pos) = self.slots.find(key) {
            if let Some(folded) = self.snapshot.output.get(pos) {
                keep_streamed(&mut item, folded);
            }
            if let Some(state) = self.states.get_mut(pos) {
                shown = std::mem::take(&mut state.shown);
            }
        }
        let pos = self.put_item(key, item.clone());
        if let Some(state) = self.states.get_mut(pos) {
            state.done = true;
            state.ended = true;
            state.shown = shown;
        }
        self.catch_up(pos, extra);
        match tool_call(key, &item) {
            Some(call) if !self.reported_calls.contains(&key) => {
                self.reported_calls.push(key);
                Some(ResponseUpdate::ToolCallDone(call))
            }
            _ => Some(ResponseUpdate::ItemDone {
                output_index: key,
                item: Box::new(item),
            }),
        }
    }
}

/// The call a function or custom tool call item makes, at `index`.
fn tool_call(index: u64, item: &OutputItem) -> Option<ToolCall> {
    let (kind, id, call_id, name, arguments) = match item {
        OutputItem::FunctionCall(c) => (
            ToolCallKind::Function,
            &c.id,
            &c.call_id,
            &c.name,
            &c.arguments,
        ),
        OutputItem::CustomToolCall(c) => {
            (ToolCallKind::Custom, &c.id, &c.call_id, &c.name, &c.input)
        }
        _ => return None,
    };
    Some(ToolCall {
        kind,
        index,
        item_id: id.clone(),
        call_id: call_id.clone(),
        name: name.clone(),
        arguments: arguments.clone(),
    })
}

/// Folds a whole Responses stream; the fold holds the final object
/// ([`ResponseFold::into_response`]), the snapshot and the differences. For a recording that
/// joins several responses, the fold is of the last one.
///
/// ```
/// use openai_wire_events::{ResponseStreamEvent, StreamEvent};
///
/// let events = [
///     r#"{"type":"response.output_item.added","output_index":0,"item":{"type":"function_call","id":"fc_1","call_id":"call_1","name":"add","arguments":""}}"#,
///     r#"{"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":0,"delta":"{\"a\":1}"}"#,
/// ]
/// .map(|json| ResponseStreamEvent::from_json(json).unwrap());
/// let fold = openai_wire_fold::fold_responses(events);
/// let openai_wire_events::OutputItem::FunctionCall(call) = &fold.response().output[0] else { panic!() };
/// assert_eq!(call.arguments, r#"{"a":1}"#);
/// ```
pub fn fold_responses(events: impl IntoIterator<Item = ResponseStreamEvent>) -> ResponseFold {
    let mut fold = ResponseFold::new();
    for event in events {
        fold.push(&event);
    }
    fold
}

/// The text of every `output_text` part of every message of `response`, in order (what SDKs
/// call `output_text`).
pub fn output_text(response: &Response) -> String {
    let mut text = String::new();
    for item in &response.output {
        if let OutputItem::Message(m) = item {
            for part in &m.content {
                if let OutputMessageContent::OutputText(t) = part {
                    text.push_str(&t.text);
                }
            }
        }
    }
    text
}

/// What a `response.output_item.done` item leaves empty but the deltas filled is kept.
fn keep_streamed(done: &mut OutputItem, folded: &OutputItem) {
    match (done, folded) {
        (OutputItem::Message(d), OutputItem::Message(f)) if d.content.is_empty() => {
            d.content.clone_from(&f.content);
        }
        (OutputItem::Reasoning(d), OutputItem::Reasoning(f)) => {
            if d.summary.is_empty() {
                d.summary.clone_from(&f.summary);
            }
            if d.content.as_ref().is_none_or(Vec::is_empty)
                && f.content.as_ref().is_some_and(|c| !c.is_empty())
            {
                d.content.clone_from(&f.content);
            }
        }
        (OutputItem::FunctionCall(d), OutputItem::FunctionCall(f)) if d.arguments.is_empty() => {
            d.arguments.clone_from(&f.arguments);
        }
        (OutputItem::CustomToolCall(d), OutputItem::CustomToolCall(f)) if d.input.is_empty() => {
            d.input.clone_from(&f.input);
        }
        (OutputItem::McpCall(d), OutputItem::McpCall(f)) if d.arguments.is_empty() => {
            d.arguments.clone_from(&f.arguments);
        }
        _ => {}
    }
}

/// The `id` of an output item, for the item types that have one.
pub(crate) fn item_id(item: &OutputItem) -> Option<&str> {
    match item {
        OutputItem::Message(i) => Some(&i.id),
        OutputItem::FileSearchCall(i) => Some(&i.id),
        OutputItem::FunctionCall(i) => i.id.as_deref(),
        OutputItem::WebSearchCall(i) => Some(&i.id),
        OutputItem::Reasoning(i) => Some(&i.id),
        OutputItem::ImageGenerationCall(i) => Some(&i.id),
        OutputItem::CodeInterpreterCall(i) => Some(&i.id),
        OutputItem::ShellCall(i) => Some(&i.id),
        OutputItem::McpCall(i) => Some(&i.id),
        OutputItem::McpListTools(i) => Some(&i.id),
        OutputItem::CustomToolCall(i) => i.id.as_deref(),
        OutputItem::Unknown(v) => v.get("id").and_then(serde_json::Value::as_str),
        _ => None,
    }
}
