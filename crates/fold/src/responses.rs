//! The Responses API stream (`response.*` events) folded into a [`Response`].

use openai_wire_events::{
    CodeInterpreterToolCall, CustomToolCall, FunctionShellAction, FunctionShellCall,
    FunctionToolCall, ImageGenToolCall, LogProb, MCPToolCall, OutputContent, OutputItem,
    OutputMessage, OutputMessageContent, OutputTextContent, ReasoningItem, ReasoningTextContent,
    RefusalContent, Response, ResponseError2, ResponseErrorCode, ResponseLogProb, ResponseStatus,
    ResponseStreamEvent, SummaryTextContent,
};

use crate::diff::{Difference, diff};
use crate::slots::{Slots, wire_index};
use crate::{ToolCall, ToolCallKind};

/// What one event changed, for callers that react as the stream goes (print text as it comes,
/// run a tool when its call is complete).
///
/// Returned by [`ResponseFold::push`]; events that only change the snapshot's details (status
/// of a web search, a content part opening, …) return `None`.
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
    /// A function or custom tool call is complete (its `response.output_item.done`): name,
    /// `call_id` and the whole arguments (or input). Reported once per call, instead of
    /// [`ResponseUpdate::ItemDone`].
    ToolCallDone(ToolCall),
    /// Any other output item is complete (`response.output_item.done`).
    ItemDone {
        /// The item's `output_index`.
        output_index: u64,
        /// The item as the server sent it in `response.output_item.done`.
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

/// Per-item bookkeeping beside `Response::output`.
#[derive(Debug, Clone, Default)]
struct ItemState {
    /// Wire `content_index` of each message content part (or reasoning text part).
    content: Slots,
    /// Wire `summary_index` of each reasoning summary part.
    summary: Slots,
    /// Whether its `response.output_item.done` arrived.
    done: bool,
}

impl ItemState {
    fn for_item(item: &OutputItem) -> Self {
        match item {
            OutputItem::Message(m) => ItemState {
                content: Slots::dense(m.content.len()),
                summary: Slots::default(),
                done: false,
            },
            OutputItem::Reasoning(r) => ItemState {
                content: Slots::dense(r.content.as_ref().map_or(0, Vec::len)),
                summary: Slots::dense(r.summary.len()),
                done: false,
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
    pub fn push(&mut self, event: &ResponseStreamEvent) -> Option<ResponseUpdate> {
        use ResponseStreamEvent as E;
        match event {
            E::ResponseCreated(e) => {
                let restart = self.terminal.is_some()
                    || (!self.snapshot.id.is_empty()
                        && !e.response.id.is_empty()
                        && self.snapshot.id != e.response.id);
                if restart {
                    *self = Self::new();
                }
                self.adopt(&e.response);
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
            E::ResponseCompleted(e) => {
                self.finish(&e.response, true);
                Some(ResponseUpdate::Finished {
                    status: self.snapshot.status.clone(),
                })
            }
            E::ResponseFailed(e) => {
                self.finish(&e.response, false);
                Some(ResponseUpdate::Finished {
                    status: self.snapshot.status.clone(),
                })
            }
            E::ResponseIncomplete(e) => {
                self.finish(&e.response, false);
                Some(ResponseUpdate::Finished {
                    status: self.snapshot.status.clone(),
                })
            }
            E::Error(e) => {
                let code = e.error_code().map(str::to_owned);
                let message = e.error_message().to_owned();
                self.snapshot.status = Some(ResponseStatus::Failed);
                self.snapshot.error = Some(ResponseError2 {
                    code: ResponseErrorCode::from(code.as_deref().unwrap_or("")),
                    message: message.clone(),
                });
                Some(ResponseUpdate::Error { code, message })
            }
            E::ResponseOutputItemAdded(e) => {
                let key = wire_index(e.output_index)?;
                self.put_item(key, e.item.clone());
                None
            }
            E::ResponseOutputItemDone(e) => self.item_done(e.output_index, &e.item),
            E::ResponseContentPartAdded(e) => {
                self.content_part(e.output_index, &e.item_id, e.content_index, &e.part);
                None
            }
            E::ResponseContentPartDone(e) => {
                self.content_part(e.output_index, &e.item_id, e.content_index, &e.part);
                None
            }
            E::ResponseOutputTextDelta(e) => {
                let text = self.text_part(e.output_index, &e.item_id, e.content_index)?;
                text.text.push_str(&e.delta);
                text.logprobs.extend(convert_logprobs(&e.logprobs));
                Some(ResponseUpdate::TextDelta {
                    output_index: wire_index(e.output_index)?,
                    content_index: wire_index(e.content_index)?,
                    delta: e.delta.clone(),
                })
            }
            E::ResponseOutputTextDone(e) => {
                let text = self.text_part(e.output_index, &e.item_id, e.content_index)?;
                text.text.clone_from(&e.text);
                if !e.logprobs.is_empty() {
                    text.logprobs = convert_logprobs(&e.logprobs);
                }
                None
            }
            E::ResponseOutputTextAnnotationAdded(e) => {
                let annotation = e.annotation.clone()?;
                let index = wire_index(e.annotation_index);
                let text = self.text_part(e.output_index, &e.item_id, e.content_index)?;
                match index.and_then(|i| usize::try_from(i).ok()) {
                    Some(i) if i < text.annotations.len() => text.annotations[i] = annotation,
                    _ => text.annotations.push(annotation),
                }
                None
            }
            E::ResponseRefusalDelta(e) => {
                let refusal = self.refusal_part(e.output_index, &e.item_id, e.content_index)?;
                refusal.refusal.push_str(&e.delta);
                Some(ResponseUpdate::RefusalDelta {
                    output_index: wire_index(e.output_index)?,
                    delta: e.delta.clone(),
                })
            }
            E::ResponseRefusalDone(e) => {
                let refusal = self.refusal_part(e.output_index, &e.item_id, e.content_index)?;
                refusal.refusal.clone_from(&e.refusal);
                None
            }
            E::ResponseReasoningSummaryPartAdded(e) => {
                let part = self.summary_part(e.output_index, &e.item_id, e.summary_index)?;
                if part.text.is_empty() {
                    part.text.clone_from(&e.part.text);
                }
                None
            }
            E::ResponseReasoningSummaryPartDone(e) => {
                let part = self.summary_part(e.output_index, &e.item_id, e.summary_index)?;
                part.text.clone_from(&e.part.text);
                None
            }
            E::ResponseReasoningSummaryTextDelta(e) => {
                let part = self.summary_part(e.output_index, &e.item_id, e.summary_index)?;
                part.text.push_str(&e.delta);
                Some(ResponseUpdate::ReasoningDelta {
                    output_index: wire_index(e.output_index)?,
                    part: ReasoningPart::Summary(wire_index(e.summary_index)?),
                    delta: e.delta.clone(),
                })
            }
            E::ResponseReasoningSummaryTextDone(e) => {
                let part = self.summary_part(e.output_index, &e.item_id, e.summary_index)?;
                part.text.clone_from(&e.text);
                None
            }
            E::ResponseReasoningTextDelta(e) => {
                let part = self.reasoning_text(e.output_index, &e.item_id, e.content_index)?;
                part.text.push_str(&e.delta);
                Some(ResponseUpdate::ReasoningDelta {
                    output_index: wire_index(e.output_index)?,
                    part: ReasoningPart::Text(wire_index(e.content_index)?),
                    delta: e.delta.clone(),
                })
            }
            E::ResponseReasoningTextDone(e) => {
                let part = self.reasoning_text(e.output_index, &e.item_id, e.content_index)?;
                part.text.clone_from(&e.text);
                None
            }
            E::ResponseFunctionCallArgumentsDelta(e) => {
                let call = self.function_call(e.output_index, &e.item_id)?;
                call.arguments.push_str(&e.delta);
                Some(ResponseUpdate::ArgumentsDelta {
                    output_index: wire_index(e.output_index)?,
                    delta: e.delta.clone(),
                })
            }
            E::ResponseFunctionCallArgumentsDone(e) => {
                let call = self.function_call(e.output_index, &e.item_id)?;
                call.arguments.clone_from(&e.arguments);
                if !e.name.is_empty() {
                    call.name.clone_from(&e.name);
                }
                None
            }
            E::ResponseCustomToolCallInputDelta(e) => {
                let call = self.custom_call(e.output_index, &e.item_id)?;
                call.input.push_str(&e.delta);
                Some(ResponseUpdate::ArgumentsDelta {
                    output_index: wire_index(e.output_index)?,
                    delta: e.delta.clone(),
                })
            }
            E::ResponseCustomToolCallInputDone(e) => {
                let call = self.custom_call(e.output_index, &e.item_id)?;
                call.input.clone_from(&e.input);
                None
            }
            E::ResponseMcpCallArgumentsDelta(e) => {
                let call = self.mcp_call(e.output_index, &e.item_id)?;
                call.arguments.push_str(&e.delta);
                Some(ResponseUpdate::ArgumentsDelta {
                    output_index: wire_index(e.output_index)?,
                    delta: e.delta.clone(),
                })
            }
            E::ResponseMcpCallArgumentsDone(e) => {
                let call = self.mcp_call(e.output_index, &e.item_id)?;
                call.arguments.clone_from(&e.arguments);
                None
            }
            E::ResponseCodeInterpreterCallCodeDelta(e) => {
                let call = self.code_call(e.output_index, &e.item_id)?;
                call.code.get_or_insert_with(String::new).push_str(&e.delta);
                None
            }
            E::ResponseCodeInterpreterCallCodeDone(e) => {
                let call = self.code_call(e.output_index, &e.item_id)?;
                call.code = Some(e.code.clone());
                None
            }
            E::ResponseImageGenerationCallPartialImage(e) => {
                let pos = self.locate(e.output_index, &e.item_id, Some(new_image_call))?;
                if let OutputItem::ImageGenerationCall(call) = &mut self.snapshot.output[pos] {
                    call.result = Some(e.partial_image_b64.clone());
                }
                None
            }
            E::ResponseShellCallCommandAdded(e) => {
                let command = self.shell_command(e.output_index, e.command_index)?;
                command.clone_from(&e.command);
                None
            }
            E::ResponseShellCallCommandDelta(e) => {
                let command = self.shell_command(e.output_index, e.command_index)?;
                command.push_str(&e.delta);
                None
            }
            E::ResponseShellCallCommandDone(e) => {
                let command = self.shell_command(e.output_index, e.command_index)?;
                command.clone_from(&e.command);
                None
            }
            E::ResponseWebSearchCallInProgress(e) => {
                self.set_status(e.output_index, &e.item_id, "in_progress")
            }
            E::ResponseWebSearchCallSearching(e) => {
                self.set_status(e.output_index, &e.item_id, "searching")
            }
            E::ResponseWebSearchCallCompleted(e) => {
                self.set_status(e.output_index, &e.item_id, "completed")
            }
            E::ResponseFileSearchCallInProgress(e) => {
                self.set_status(e.output_index, &e.item_id, "in_progress")
            }
            E::ResponseFileSearchCallSearching(e) => {
                self.set_status(e.output_index, &e.item_id, "searching")
            }
            E::ResponseFileSearchCallCompleted(e) => {
                self.set_status(e.output_index, &e.item_id, "completed")
            }
            E::ResponseCodeInterpreterCallInProgress(e) => {
                self.set_status(e.output_index, &e.item_id, "in_progress")
            }
            E::ResponseCodeInterpreterCallInterpreting(e) => {
                self.set_status(e.output_index, &e.item_id, "interpreting")
            }
            E::ResponseCodeInterpreterCallCompleted(e) => {
                self.set_status(e.output_index, &e.item_id, "completed")
            }
            E::ResponseImageGenerationCallInProgress(e) => {
                self.set_status(e.output_index, &e.item_id, "in_progress")
            }
            E::ResponseImageGenerationCallGenerating(e) => {
                self.set_status(e.output_index, &e.item_id, "generating")
            }
            E::ResponseImageGenerationCallCompleted(e) => {
                self.set_status(e.output_index, &e.item_id, "completed")
            }
            E::ResponseMcpCallInProgress(e) => {
                self.set_status(e.output_index, &e.item_id, "in_progress")
            }
            E::ResponseMcpCallCompleted(e) => {
                self.set_status(e.output_index, &e.item_id, "completed")
            }
            E::ResponseMcpCallFailed(e) => self.set_status(e.output_index, &e.item_id, "failed"),
            // A compaction item's progress (newer than the spec snapshot: `[[extra_event]]` of
            // spec/codegen.toml): it carries no content, so the item stays as added.
            E::ResponseCompactionCompacting(_) => None,
            // Audio (the Responses audio events), MCP list-tools progress, shell output
            // streaming (the output item's done event carries it), injections and unknown
            // events do not change the snapshot.
            _ => None,
        }
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

    fn item_done(&mut self, output_index: i64, item: &OutputItem) -> Option<ResponseUpdate> {
        let key = wire_index(output_index)?;
        let mut item = item.clone();
        if let Some(pos) = self.slots.find(key) {
            if let Some(folded) = self.snapshot.output.get(pos) {
                keep_streamed(&mut item, folded);
            }
        }
        let pos = self.put_item(key, item.clone());
        if let Some(state) = self.states.get_mut(pos) {
            state.done = true;
        }
        let call = match &item {
            OutputItem::FunctionCall(call) => Some(ToolCall {
                kind: ToolCallKind::Function,
                index: key,
                item_id: call.id.clone(),
                call_id: call.call_id.clone(),
                name: call.name.clone(),
                arguments: call.arguments.clone(),
            }),
            OutputItem::CustomToolCall(call) => Some(ToolCall {
                kind: ToolCallKind::Custom,
                index: key,
                item_id: call.id.clone(),
                call_id: call.call_id.clone(),
                name: call.name.clone(),
                arguments: call.input.clone(),
            }),
            _ => None,
        };
        match call {
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

    /// The position of the item an event is about: by `output_index`, checked against (or
    /// else found by) `item_id`. When there is none and `make` is given, the item is created.
    fn locate(
        &mut self,
        output_index: i64,
        wanted_id: &str,
        make: Option<fn(&str) -> OutputItem>,
    ) -> Option<usize> {
        let key = wire_index(output_index);
        let at_index = key.and_then(|k| self.slots.find(k));
        if let Some(pos) = at_index {
            let found = self.snapshot.output.get(pos).and_then(item_id);
            if wanted_id.is_empty() || found.is_none_or(|id| id.is_empty() || id == wanted_id) {
                return Some(pos);
            }
        }
        if !wanted_id.is_empty() {
            if let Some(pos) = self
                .snapshot
                .output
                .iter()
                .position(|item| item_id(item) == Some(wanted_id))
            {
                return Some(pos);
            }
        }
        if at_index.is_some() {
            // No item has this id, and the index has an item: the index wins (some servers,
            // e.g. GitHub Copilot's, give each event of an item a new id).
            return at_index;
        }
        Some(self.put_item(key?, make?(wanted_id)))
    }

    fn content_part(
        &mut self,
        output_index: i64,
        id: &str,
        content_index: i64,
        part: &OutputContent,
    ) {
        let Some(ci) = wire_index(content_index) else {
            return;
        };
        let make = match part {
            OutputContent::ReasoningText(_) => new_reasoning,
            _ => new_message,
        };
        let Some(pos) = self.locate(output_index, id, Some(make)) else {
            return;
        };
        let state = &mut self.states[pos];
        match (&mut self.snapshot.output[pos], part) {
            (OutputItem::Message(m), OutputContent::OutputText(p)) => {
                let p = OutputMessageContent::OutputText(p.clone());
                set_part(&mut state.content, &mut m.content, ci, p, |old, new| {
                    keep_text(old, new)
                });
            }
            (OutputItem::Message(m), OutputContent::Refusal(p)) => {
                let p = OutputMessageContent::Refusal(p.clone());
                set_part(&mut state.content, &mut m.content, ci, p, |old, new| {
                    keep_text(old, new)
                });
            }
            (OutputItem::Message(m), OutputContent::Unknown(v)) => {
                let p = OutputMessageContent::Unknown(v.clone());
                set_part(&mut state.content, &mut m.content, ci, p, |_, _| {});
            }
            (OutputItem::Reasoning(r), OutputContent::ReasoningText(p)) => {
                let content = r.content.get_or_insert_with(Vec::new);
                set_part(&mut state.content, content, ci, p.clone(), |old, new| {
                    if new.text.is_empty() {
                        new.text.clone_from(&old.text);
                    }
                });
            }
            _ => {}
        }
    }

    /// The message content part at `content_index`, made with `make` when it is not there yet.
    fn message_part(
        &mut self,
        output_index: i64,
        id: &str,
        content_index: i64,
        make: fn() -> OutputMessageContent,
    ) -> Option<&mut OutputMessageContent> {
        let ci = wire_index(content_index)?;
        let pos = self.locate(output_index, id, Some(new_message))?;
        let OutputItem::Message(m) = &mut self.snapshot.output[pos] else {
            return None;
        };
        let at = self.states[pos]
            .content
            .find_or_insert(&mut m.content, ci, make);
        m.content.get_mut(at)
    }

    fn text_part(
        &mut self,
        output_index: i64,
        id: &str,
        content_index: i64,
    ) -> Option<&mut OutputTextContent> {
        let make = || OutputMessageContent::OutputText(OutputTextContent::default());
        match self.message_part(output_index, id, content_index, make)? {
            OutputMessageContent::OutputText(text) => Some(text),
            _ => None,
        }
    }

    fn refusal_part(
        &mut self,
        output_index: i64,
        id: &str,
        content_index: i64,
    ) -> Option<&mut RefusalContent> {
        let make = || OutputMessageContent::Refusal(RefusalContent::default());
        match self.message_part(output_index, id, content_index, make)? {
            OutputMessageContent::Refusal(refusal) => Some(refusal),
            _ => None,
        }
    }

    fn summary_part(
        &mut self,
        output_index: i64,
        id: &str,
        summary_index: i64,
    ) -> Option<&mut SummaryTextContent> {
        let si = wire_index(summary_index)?;
        let pos = self.locate(output_index, id, Some(new_reasoning))?;
        let OutputItem::Reasoning(r) = &mut self.snapshot.output[pos] else {
            return None;
        };
        let at = self.states[pos].summary.find_or_insert(
            &mut r.summary,
            si,
            SummaryTextContent::default,
        );
        r.summary.get_mut(at)
    }

    fn reasoning_text(
        &mut self,
        output_index: i64,
        id: &str,
        content_index: i64,
    ) -> Option<&mut ReasoningTextContent> {
        let ci = wire_index(content_index)?;
        let pos = self.locate(output_index, id, Some(new_reasoning))?;
        let OutputItem::Reasoning(r) = &mut self.snapshot.output[pos] else {
            return None;
        };
        let content = r.content.get_or_insert_with(Vec::new);
        let at =
            self.states[pos]
                .content
                .find_or_insert(content, ci, ReasoningTextContent::default);
        content.get_mut(at)
    }

    fn function_call(&mut self, output_index: i64, id: &str) -> Option<&mut FunctionToolCall> {
        let pos = self.locate(output_index, id, Some(new_function_call))?;
        match &mut self.snapshot.output[pos] {
            OutputItem::FunctionCall(call) => Some(call),
            _ => None,
        }
    }

    fn custom_call(&mut self, output_index: i64, id: &str) -> Option<&mut CustomToolCall> {
        let pos = self.locate(output_index, id, Some(new_custom_call))?;
        match &mut self.snapshot.output[pos] {
            OutputItem::CustomToolCall(call) => Some(call),
            _ => None,
        }
    }

    fn mcp_call(&mut self, output_index: i64, id: &str) -> Option<&mut MCPToolCall> {
        let pos = self.locate(output_index, id, Some(new_mcp_call))?;
        match &mut self.snapshot.output[pos] {
            OutputItem::McpCall(call) => Some(call),
            _ => None,
        }
    }

    fn code_call(&mut self, output_index: i64, id: &str) -> Option<&mut CodeInterpreterToolCall> {
        let pos = self.locate(output_index, id, Some(new_code_call))?;
        match &mut self.snapshot.output[pos] {
            OutputItem::CodeInterpreterCall(call) => Some(call),
            _ => None,
        }
    }

    /// `action.commands[command_index]` of the shell call at `output_index`. Command indices
    /// beyond the commands so far append one command (no padding).
    fn shell_command(&mut self, output_index: i64, command_index: i64) -> Option<&mut String> {
        let ci = usize::try_from(command_index).ok()?;
        let pos = self.locate(output_index, "", Some(new_shell_call))?;
        let OutputItem::ShellCall(call) = &mut self.snapshot.output[pos] else {
            return None;
        };
        let commands = &mut call
            .action
            .get_or_insert_with(FunctionShellAction::default)
            .commands;
        if ci >= commands.len() {
            commands.push(String::new());
            return commands.last_mut();
        }
        commands.get_mut(ci)
    }

    fn set_status(&mut self, output_index: i64, id: &str, status: &str) -> Option<ResponseUpdate> {
        let pos = self.locate(output_index, id, None)?;
        match &mut self.snapshot.output[pos] {
            OutputItem::WebSearchCall(c) => c.status = Some(status.into()),
            OutputItem::FileSearchCall(c) => c.status = Some(status.into()),
            OutputItem::CodeInterpreterCall(c) => c.status = Some(status.into()),
            OutputItem::ImageGenerationCall(c) => c.status = Some(status.into()),
            OutputItem::McpCall(c) => c.status = Some(status.into()),
            _ => {}
        }
        None
    }
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

/// Puts `part` at wire index `ci`; when one is there, `merge(old, &mut part)` first.
fn set_part<T>(
    slots: &mut Slots,
    values: &mut Vec<T>,
    ci: u64,
    mut part: T,
    merge: impl FnOnce(&T, &mut T),
) {
    slots.sync(values.len());
    if let Some(pos) = slots.find(ci) {
        if let Some(old) = values.get(pos) {
            merge(old, &mut part);
        }
    }
    slots.set(values, ci, part);
}

/// A `content_part.added`/`.done` part with empty text does not erase text the deltas gave.
fn keep_text(old: &OutputMessageContent, new: &mut OutputMessageContent) {
    match (old, new) {
        (OutputMessageContent::OutputText(old), OutputMessageContent::OutputText(new)) => {
            if new.text.is_empty() {
                new.text.clone_from(&old.text);
            }
            if new.annotations.is_empty() {
                new.annotations.clone_from(&old.annotations);
            }
            if new.logprobs.is_empty() {
                new.logprobs.clone_from(&old.logprobs);
            }
        }
        (OutputMessageContent::Refusal(old), OutputMessageContent::Refusal(new))
            if new.refusal.is_empty() =>
        {
            new.refusal.clone_from(&old.refusal);
        }
        _ => {}
    }
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
        _ => {}
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

fn new_message(id: &str) -> OutputItem {
    OutputItem::Message(OutputMessage {
        id: id.to_owned(),
        ..Default::default()
    })
}

fn new_reasoning(id: &str) -> OutputItem {
    OutputItem::Reasoning(ReasoningItem {
        id: id.to_owned(),
        ..Default::default()
    })
}

fn new_function_call(id: &str) -> OutputItem {
    OutputItem::FunctionCall(FunctionToolCall {
        id: Some(id.to_owned()).filter(|s| !s.is_empty()),
        ..Default::default()
    })
}

fn new_custom_call(id: &str) -> OutputItem {
    OutputItem::CustomToolCall(CustomToolCall {
        id: Some(id.to_owned()).filter(|s| !s.is_empty()),
        ..Default::default()
    })
}

fn new_mcp_call(id: &str) -> OutputItem {
    OutputItem::McpCall(MCPToolCall {
        id: id.to_owned(),
        ..Default::default()
    })
}

fn new_code_call(id: &str) -> OutputItem {
    OutputItem::CodeInterpreterCall(CodeInterpreterToolCall {
        id: id.to_owned(),
        ..Default::default()
    })
}

fn new_image_call(id: &str) -> OutputItem {
    OutputItem::ImageGenerationCall(ImageGenToolCall {
        id: id.to_owned(),
        ..Default::default()
    })
}

fn new_shell_call(id: &str) -> OutputItem {
    OutputItem::ShellCall(FunctionShellCall {
        id: id.to_owned(),
        ..Default::default()
    })
}
