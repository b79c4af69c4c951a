//! The Responses writer: [`ResponseWriter`].

use openai_wire_events::{
    CustomToolCall, CustomToolCallStatus, FunctionCallStatus, FunctionToolCall,
    FunctionToolCallStatus, MessagePhase, OutputContent, OutputItem, OutputMessage,
    OutputMessageContent, OutputMessageRole, OutputMessageStatus, OutputTextContent, ReasoningItem,
    ReasoningTextContent, RefusalContent, Response, ResponseCompletedEvent,
    ResponseContentPartAddedEvent, ResponseContentPartDoneEvent, ResponseCreatedEvent,
    ResponseCustomToolCallInputDeltaEvent, ResponseCustomToolCallInputDoneEvent, ResponseError2,
    ResponseFailedEvent, ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent, ResponseInProgressEvent, ResponseIncompleteDetails,
    ResponseIncompleteDetailsReason, ResponseIncompleteEvent, ResponseObject,
    ResponseOutputItemAddedEvent, ResponseOutputItemDoneEvent,
    ResponseReasoningSummaryPartAddedEvent, ResponseReasoningSummaryPartAddedEventPart,
    ResponseReasoningSummaryPartDoneEvent, ResponseReasoningSummaryPartDoneEventPart,
    ResponseReasoningSummaryTextDeltaEvent, ResponseReasoningSummaryTextDoneEvent,
    ResponseReasoningTextDeltaEvent, ResponseReasoningTextDoneEvent, ResponseRefusalDeltaEvent,
    ResponseRefusalDoneEvent, ResponseStatus, ResponseStreamEvent, ResponseTextDeltaEvent,
    ResponseTextDoneEvent, ResponseUsage, ResponseWebSearchCallCompletedEvent,
    ResponseWebSearchCallInProgressEvent, ResponseWebSearchCallSearchingEvent, SummaryTextContent,
    ToolSearchCall, ToolSearchExecutionType, WebSearchActionSearch, WebSearchActionSearchSource,
    WebSearchToolCall, WebSearchToolCallAction, WebSearchToolCallStatus,
};

use crate::defaults::fill_response_defaults;
use crate::error::{EmitError, ItemKind};
use crate::ids::IdSource;
use crate::next_writer_id;

/// Names one output item of one [`ResponseWriter`]; returned by the `open_*` calls.
///
/// A handle is only good for the writer that made it: another writer refuses it with
/// [`EmitError::ForeignHandle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ItemHandle {
    writer: u64,
    output_index: usize,
    kind: ItemKind,
}

impl ItemHandle {
    /// The item's `output_index` in the response.
    pub fn output_index(&self) -> usize {
        self.output_index
    }

    /// The item's kind.
    pub fn kind(&self) -> ItemKind {
        self.kind
    }
}

/// Writes a correct Responses event stream from high-level calls.
///
/// The writer keeps the whole state of the response and emits, for each call, the events it
/// implies, in the order the protocol requires:
///
/// - `start` → `response.created`, `response.in_progress`;
/// - `open_*` → `response.output_item.added` (with a fresh `output_index` and item id);
/// - the first text, refusal or reasoning text of a part → `response.content_part.added`, the
///   first summary text of a part → `response.reasoning_summary_part.added`, then the deltas;
/// - `finish_item` → the part's done events with the accumulated values (`output_text.done`,
///   `content_part.done`, `reasoning_summary_text.done`, …) and `response.output_item.done`;
/// - `complete`, `fail`, `incomplete` → finish every open item, then the terminal event carrying
///   the full [`Response`], with full usage.
///
/// Every event has the next `sequence_number`, from 0. Items may be open at the same time and
/// their deltas may interleave, but done events always come in `output_index` order: an item
/// finished while an earlier one is still open has its done events held until the earlier ones
/// are finished. A refused call ([`EmitError`]) emits nothing and changes nothing.
///
/// Ids (`resp_`, `msg_`, `rs_`, `fc_`, `ctc_`, `call_`) and timestamps come from the
/// [`IdSource`].
///
/// ```
/// use openai_wire_emit::{ResponseWriter, SequentialIds};
/// use openai_wire_events::{Response, ResponseUsage, StreamEvent};
///
/// let mut writer = ResponseWriter::new(Response::default(), SequentialIds::new(1_700_000_000));
/// let mut events = writer.start()?;
/// let (call, opened) = writer.open_function_call("get_weather", Some("call_1".into()))?;
/// events.extend(opened);
/// events.extend(writer.push_arguments(call, r#"{"city":"Paris"}"#)?);
/// events.extend(writer.complete(ResponseUsage::default())?);
///
/// let types: Vec<&str> = events.iter().map(|e| e.wire_type()).collect();
/// assert_eq!(types, [
///     "response.created",
///     "response.in_progress",
///     "response.output_item.added",
///     "response.function_call_arguments.delta",
///     "response.function_call_arguments.done",
///     "response.output_item.done",
///     "response.completed",
/// ]);
/// # Ok::<(), openai_wire_emit::EmitError>(())
/// ```
#[derive(Debug)]
pub struct ResponseWriter<I> {
    writer: u64,
    ids: I,
    template: Response,
    items: Vec<Item>,
    /// Items before this index have had their done events emitted.
    released: usize,
    sequence: i64,
    phase: Phase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    NotStarted,
    Streaming,
    Ended(Terminal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Terminal {
    Completed,
    Failed,
    Incomplete,
}

impl Terminal {
    fn wire_type(self) -> &'static str {
        match self {
            Terminal::Completed => "response.completed",
            Terminal::Failed => "response.failed",
            Terminal::Incomplete => "response.incomplete",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    InProgress,
    Completed,
    Incomplete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Deltas are accepted.
    Open,
    /// Finished by the caller, done events held until earlier items are released.
    Finishing(Status),
    /// Done events emitted.
    Done(Status),
}

#[derive(Debug)]
struct Item {
    id: String,
    body: Body,
    state: State,
}

#[derive(Debug)]
enum Body {
    Message {
        phase: Option<MessagePhase>,
        parts: Vec<Part>,
        /// Whether the last part still takes deltas.
        part_open: bool,
    },
    Reasoning {
        summary: Vec<String>,
        /// Whether the last summary part still takes deltas.
        summary_open: bool,
        /// The reasoning text part (content index 0), once text was pushed.
        text: Option<String>,
        encrypted_content: Option<String>,
    },
    FunctionCall {
        call_id: String,
        namespace: Option<String>,
        name: String,
        arguments: String,
    },
    CustomToolCall {
        call_id: String,
        namespace: Option<String>,
        name: String,
        input: String,
    },
    /// A client-executed `tool_search_call`: its arguments are collected as JSON text and
    /// shown parsed.
    ToolSearchCall { call_id: String, arguments: String },
    /// A `web_search_call` the server runs (a gateway with a search backend).
    WebSearchCall {
        query: Option<String>,
        sources: Option<Vec<String>>,
        searching: bool,
        failed: bool,
    },
}

#[derive(Debug)]
struct Part {
    refusal: bool,
    text: String,
}

impl Body {
    fn kind(&self) -> ItemKind {
        match self {
            Body::Message { .. } => ItemKind::Message,
            Body::Reasoning { .. } => ItemKind::Reasoning,
            Body::FunctionCall { .. } => ItemKind::FunctionCall,
            Body::CustomToolCall { .. } => ItemKind::CustomToolCall,
            Body::ToolSearchCall { .. } => ItemKind::ToolSearchCall,
            Body::WebSearchCall { .. } => ItemKind::WebSearchCall,
        }
    }
}

impl Item {
    /// The item as the wire shows it with the given status.
    fn output(&self, status: Status) -> OutputItem {
        let id = self.id.clone();
        match &self.body {
            Body::Message { phase, parts, .. } => OutputItem::Message(OutputMessage {
                id,
                role: OutputMessageRole::Assistant,
                content: parts.iter().map(Part::message_content).collect(),
                phase: phase.clone(),
                status: Some(match status {
                    Status::InProgress => OutputMessageStatus::InProgress,
                    Status::Completed => OutputMessageStatus::Completed,
                    Status::Incomplete => OutputMessageStatus::Incomplete,
                }),
                ..OutputMessage::default()
            }),
            // OpenAI sends reasoning items without a status (the spec makes it optional); the
            // writer does the same.
            Body::Reasoning {
                summary,
                text,
                encrypted_content,
                ..
            } => OutputItem::Reasoning(ReasoningItem {
                id,
                encrypted_content: encrypted_content.clone(),
                summary: summary
                    .iter()
                    .map(|text| SummaryTextContent { text: text.clone() })
                    .collect(),
                content: text
                    .as_ref()
                    .map(|text| vec![ReasoningTextContent { text: text.clone() }]),
                status: None,
                agent: None,
            }),
            Body::FunctionCall {
                call_id,
                namespace,
                name,
                arguments,
            } => OutputItem::FunctionCall(FunctionToolCall {
                id: Some(id),
                call_id: call_id.clone(),
                namespace: namespace.clone(),
                name: name.clone(),
                arguments: arguments.clone(),
                status: Some(match status {
                    Status::InProgress => FunctionToolCallStatus::InProgress,
                    Status::Completed => FunctionToolCallStatus::Completed,
                    Status::Incomplete => FunctionToolCallStatus::Incomplete,
                }),
                ..FunctionToolCall::default()
            }),
            // The spec's `CustomToolCall` has no `status`; OpenAI sends one, and so do we
            // (`spec/codegen.toml` adds the field).
            Body::CustomToolCall {
                call_id,
                namespace,
                name,
                input,
            } => OutputItem::CustomToolCall(CustomToolCall {
                id: Some(id),
                call_id: call_id.clone(),
                namespace: namespace.clone(),
                name: name.clone(),
                input: input.clone(),
                status: Some(match status {
                    Status::InProgress => CustomToolCallStatus::InProgress,
                    Status::Completed => CustomToolCallStatus::Completed,
                    Status::Incomplete => CustomToolCallStatus::Incomplete,
                }),
                ..CustomToolCall::default()
            }),
            Body::ToolSearchCall { call_id, arguments } => {
                OutputItem::ToolSearchCall(ToolSearchCall {
                    id,
                    call_id: Some(call_id.clone()),
                    execution: ToolSearchExecutionType::Client,
                    arguments: tool_search_arguments(arguments),
                    status: Some(match status {
                        Status::InProgress => FunctionCallStatus::InProgress,
                        Status::Completed => FunctionCallStatus::Completed,
                        Status::Incomplete => FunctionCallStatus::Incomplete,
                    }),
                    created_by: None,
                    agent: None,
                })
            }
            Body::WebSearchCall {
                query,
                sources,
                searching,
                failed,
            } => OutputItem::WebSearchCall(WebSearchToolCall {
                id,
                status: Some(match status {
                    Status::InProgress if *searching => WebSearchToolCallStatus::Searching,
                    Status::InProgress => WebSearchToolCallStatus::InProgress,
                    Status::Completed if !*failed => WebSearchToolCallStatus::Completed,
                    Status::Completed | Status::Incomplete => WebSearchToolCallStatus::Failed,
                }),
                action: Some(WebSearchToolCallAction::Search(WebSearchActionSearch {
                    query: query.clone(),
                    queries: query.as_ref().map(|q| vec![q.clone()]),
                    sources: sources.as_ref().map(|urls| {
                        urls.iter()
                            .map(|url| WebSearchActionSearchSource { url: url.clone() })
                            .collect()
                    }),
                })),
                agent: None,
            }),
        }
    }

    fn status(&self) -> Status {
        match self.state {
            State::Open | State::Finishing(_) => Status::InProgress,
            State::Done(status) => status,
        }
    }
}

impl Part {
    fn empty(refusal: bool) -> OutputContent {
        Part {
            refusal,
            text: String::new(),
        }
        .content()
    }

    fn content(&self) -> OutputContent {
        if self.refusal {
            OutputContent::Refusal(RefusalContent {
                refusal: self.text.clone(),
            })
        } else {
            OutputContent::OutputText(OutputTextContent {
                text: self.text.clone(),
                ..OutputTextContent::default()
            })
        }
    }

    fn message_content(&self) -> OutputMessageContent {
        if self.refusal {
            OutputMessageContent::Refusal(RefusalContent {
                refusal: self.text.clone(),
            })
        } else {
            OutputMessageContent::OutputText(OutputTextContent {
                text: self.text.clone(),
                ..OutputTextContent::default()
            })
        }
    }
}

/// Hands out sequence numbers.
#[derive(Debug)]
struct Sequence<'a>(&'a mut i64);

impl Sequence<'_> {
    fn next(&mut self) -> Option<i64> {
        let number = *self.0;
        *self.0 += 1;
        Some(number)
    }
}

fn index(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl<I: IdSource> ResponseWriter<I> {
    /// A writer for one response, echoing `template`.
    ///
    /// The template holds what a server echoes from the request (`model`, `instructions`,
    /// `tools`, `tool_choice`, `temperature`, `top_p`, `metadata`, `reasoning`, `text`, …). Its
    /// `id` and `created_at` are kept when set (non-empty, non-zero); otherwise they are taken
    /// from `ids` now. The writer owns `object`, `status`, `output`, `usage`, `error`,
    /// `incomplete_details`, `completed_at` and `output_text`, whatever the template says. What
    /// the template leaves unset gets OpenAI's default ([`fill_response_defaults`]), so that the
    /// response of every event carries every field OpenAI's carries.
    pub fn new(template: Response, mut ids: I) -> Self {
        let mut template = template;
        fill_response_defaults(&mut template);
        if template.id.is_empty() {
            template.id = ids.id("resp_");
        }
        if template.created_at == 0.0 {
            template.created_at = ids.now() as f64;
        }
        template.object = ResponseObject::Response;
        template.status = Some(ResponseStatus::InProgress);
        template.output = Vec::new();
        template.usage = None;
        template.error = None;
        template.incomplete_details = None;
        template.completed_at = None;
        template.output_text = None;
        ResponseWriter {
            writer: next_writer_id(),
            ids,
            template,
            items: Vec::new(),
            released: 0,
            sequence: 0,
            phase: Phase::NotStarted,
        }
    }

    /// The response id (`resp_…`), known from construction on.
    pub fn response_id(&self) -> &str {
        &self.template.id
    }

    /// Whether a terminal call (`complete`, `fail`, `incomplete`) has been made.
    pub fn is_ended(&self) -> bool {
        matches!(self.phase, Phase::Ended(_))
    }

    /// The sequence number the next event will carry (the number of events emitted so far).
    pub fn next_sequence_number(&self) -> i64 {
        self.sequence
    }

    /// The full response as of now: after a terminal call, exactly what the terminal event
    /// carries. Items not yet done are shown with the content they have so far, `in_progress`.
    pub fn response(&self) -> Response {
        let mut response = self.template.clone();
        response.output = self
            .items
            .iter()
            .map(|item| item.output(item.status()))
            .collect();
        response
    }

    /// Starts the stream: `response.created` and `response.in_progress`, both carrying the
    /// response with status `in_progress` and no output.
    pub fn start(&mut self) -> Result<Vec<ResponseStreamEvent>, EmitError> {
        match self.phase {
            Phase::NotStarted => {}
            Phase::Streaming => return Err(EmitError::AlreadyStarted),
            Phase::Ended(terminal) => {
                return Err(EmitError::Ended {
                    terminal: terminal.wire_type(),
                });
            }
        }
        self.phase = Phase::Streaming;
        let response = self.response();
        let mut seq = Sequence(&mut self.sequence);
        Ok(vec![
            ResponseStreamEvent::ResponseCreated(Box::new(ResponseCreatedEvent {
                response: response.clone(),
                sequence_number: seq.next(),
                ..ResponseCreatedEvent::default()
            })),
            ResponseStreamEvent::ResponseInProgress(Box::new(ResponseInProgressEvent {
                response,
                sequence_number: seq.next(),
                ..ResponseInProgressEvent::default()
            })),
        ])
    }

    /// A `response.in_progress` event carrying the response as it stands, with the next
    /// `sequence_number`: a heartbeat for a server to send while it has nothing else to say
    /// (a gateway whose upstream is silent), which keeps the stream fully conformant. Items not
    /// yet done appear `in_progress` with what they have so far. Refused before
    /// [`start`](Self::start) and after the end.
    ///
    /// ```
    /// use openai_wire_emit::{ResponseWriter, SequentialIds};
    /// use openai_wire_events::{Response, ResponseStreamEvent};
    ///
    /// let mut writer = ResponseWriter::new(Response::default(), SequentialIds::default());
    /// writer.start()?;
    /// let beat = writer.in_progress()?;
    /// assert!(matches!(
    ///     &beat,
    ///     ResponseStreamEvent::ResponseInProgress(event) if event.sequence_number == Some(2)
    /// ));
    /// assert_eq!(writer.next_sequence_number(), 3);
    /// # Ok::<(), openai_wire_emit::EmitError>(())
    /// ```
    pub fn in_progress(&mut self) -> Result<ResponseStreamEvent, EmitError> {
        self.check_streaming()?;
        let response = self.response();
        let mut seq = Sequence(&mut self.sequence);
        Ok(ResponseStreamEvent::ResponseInProgress(Box::new(
            ResponseInProgressEvent {
                response,
                sequence_number: seq.next(),
                ..ResponseInProgressEvent::default()
            },
        )))
    }

    /// Opens an assistant `message` item. Text and refusals are pushed to it with
    /// [`push_text`](Self::push_text) and [`push_refusal`](Self::push_refusal).
    pub fn open_message(&mut self) -> Result<(ItemHandle, Vec<ResponseStreamEvent>), EmitError> {
        self.open_message_with_phase(None)
    }

    /// Opens an assistant `message` item with a `phase`: `commentary` (a preamble before tool
    /// calls) or `final_answer`, as newer OpenAI models label their messages.
    pub fn open_message_with_phase(
        &mut self,
        phase: Option<MessagePhase>,
    ) -> Result<(ItemHandle, Vec<ResponseStreamEvent>), EmitError> {
        self.open(
            "msg_",
            Body::Message {
                phase,
                parts: Vec::new(),
                part_open: false,
            },
        )
    }

    /// Opens a `reasoning` item. Summary text, reasoning text and encrypted content are given with
    /// [`push_reasoning_summary`](Self::push_reasoning_summary),
    /// [`push_reasoning_text`](Self::push_reasoning_text) and
    /// [`set_encrypted_content`](Self::set_encrypted_content).
    pub fn open_reasoning(&mut self) -> Result<(ItemHandle, Vec<ResponseStreamEvent>), EmitError> {
        self.open(
            "rs_",
            Body::Reasoning {
                summary: Vec::new(),
                summary_open: false,
                text: None,
                encrypted_content: None,
            },
        )
    }

    /// Opens a `function_call` item calling `name`. Its `call_id` is `call_id`, or a fresh
    /// `call_…` id when `None`. Arguments are pushed with [`push_arguments`](Self::push_arguments).
    pub fn open_function_call(
        &mut self,
        name: impl Into<String>,
        call_id: Option<String>,
    ) -> Result<(ItemHandle, Vec<ResponseStreamEvent>), EmitError> {
        self.open_function(None, name.into(), call_id)
    }

    /// Opens a `function_call` item calling `name` inside the `namespace` tool `namespace`: the
    /// item carries both (`"namespace": "multi_agent_v1", "name": "spawn_agent"`), as OpenAI
    /// sends calls of functions declared in a `namespace` tool, and as a client such as Codex
    /// needs them to dispatch the call. Otherwise the same as
    /// [`open_function_call`](Self::open_function_call).
    ///
    /// ```
    /// use openai_wire_emit::{ResponseWriter, SequentialIds};
    /// use openai_wire_events::{OutputItem, Response};
    ///
    /// let mut writer = ResponseWriter::new(Response::default(), SequentialIds::default());
    /// writer.start()?;
    /// let (call, _) = writer.open_namespaced_function_call("multi_agent_v1", "spawn_agent", None)?;
    /// writer.push_arguments(call, "{}")?;
    /// writer.finish_item(call)?;
    /// let response = writer.response();
    /// assert!(matches!(
    ///     &response.output[0],
    ///     OutputItem::FunctionCall(item)
    ///         if item.namespace.as_deref() == Some("multi_agent_v1") && item.name == "spawn_agent"
    /// ));
    /// # Ok::<(), openai_wire_emit::EmitError>(())
    /// ```
    pub fn open_namespaced_function_call(
        &mut self,
        namespace: impl Into<String>,
        name: impl Into<String>,
        call_id: Option<String>,
    ) -> Result<(ItemHandle, Vec<ResponseStreamEvent>), EmitError> {
        self.open_function(Some(namespace.into()), name.into(), call_id)
    }

    fn open_function(
        &mut self,
        namespace: Option<String>,
        name: String,
        call_id: Option<String>,
    ) -> Result<(ItemHandle, Vec<ResponseStreamEvent>), EmitError> {
        self.check_streaming()?;
        let call_id = call_id.unwrap_or_else(|| self.ids.id("call_"));
        self.open(
            "fc_",
            Body::FunctionCall {
                call_id,
                namespace,
                name,
                arguments: String::new(),
            },
        )
    }

    /// Opens a `custom_tool_call` item calling the custom tool `name`. Its `call_id` is
    /// `call_id`, or a fresh `call_…` id when `None`. Input is pushed with
    /// [`push_custom_input`](Self::push_custom_input).
    pub fn open_custom_tool_call(
        &mut self,
        name: impl Into<String>,
        call_id: Option<String>,
    ) -> Result<(ItemHandle, Vec<ResponseStreamEvent>), EmitError> {
        self.open_custom(None, name.into(), call_id)
    }

    /// Opens a `custom_tool_call` item calling the custom tool `name` of the `namespace` tool
    /// `namespace` (Codex's code-mode `exec` in the `functions` namespace of a Responses Lite
    /// model): the item carries both, as OpenAI sends it. Otherwise the same as
    /// [`open_custom_tool_call`](Self::open_custom_tool_call).
    pub fn open_namespaced_custom_tool_call(
        &mut self,
        namespace: impl Into<String>,
        name: impl Into<String>,
        call_id: Option<String>,
    ) -> Result<(ItemHandle, Vec<ResponseStreamEvent>), EmitError> {
        self.open_custom(Some(namespace.into()), name.into(), call_id)
    }

    fn open_custom(
        &mut self,
        namespace: Option<String>,
        name: String,
        call_id: Option<String>,
    ) -> Result<(ItemHandle, Vec<ResponseStreamEvent>), EmitError> {
        self.check_streaming()?;
        let call_id = call_id.unwrap_or_else(|| self.ids.id("call_"));
        self.open(
            "ctc_",
            Body::CustomToolCall {
                call_id,
                namespace,
                name,
                input: String::new(),
            },
        )
    }

    /// Opens a client-executed `tool_search_call` item (`execution: "client"`): the model asks
    /// the client to search its deferred tools. Its `call_id` is `call_id`, or a fresh `call_…`
    /// id when `None`. The arguments (JSON text) are added with
    /// [`push_tool_search_arguments`](Self::push_tool_search_arguments); the item shows them
    /// parsed. The Responses stream has no delta event for them: the client sees the item on
    /// `response.output_item.done`.
    ///
    /// ```
    /// use openai_wire_emit::{ResponseWriter, SequentialIds};
    /// use openai_wire_events::{OutputItem, Response};
    ///
    /// let mut writer = ResponseWriter::new(Response::default(), SequentialIds::default());
    /// writer.start()?;
    /// let (call, _) = writer.open_tool_search_call(Some("call_1".into()))?;
    /// writer.push_tool_search_arguments(call, r#"{"query":"weather"}"#)?;
    /// writer.finish_item(call)?;
    /// let response = writer.response();
    /// assert!(matches!(
    ///     &response.output[0],
    ///     OutputItem::ToolSearchCall(item) if item.arguments["query"] == "weather"
    /// ));
    /// # Ok::<(), openai_wire_emit::EmitError>(())
    /// ```
    pub fn open_tool_search_call(
        &mut self,
        call_id: Option<String>,
    ) -> Result<(ItemHandle, Vec<ResponseStreamEvent>), EmitError> {
        self.check_streaming()?;
        let call_id = call_id.unwrap_or_else(|| self.ids.id("call_"));
        self.open(
            "tsc_",
            Body::ToolSearchCall {
                call_id,
                arguments: String::new(),
            },
        )
    }

    /// Opens a `web_search_call` item that the server runs (OpenAI's hosted web search, or a
    /// gateway's own search backend): `response.output_item.added` (status `in_progress`,
    /// action `{type: "search"}`) and `response.web_search_call.in_progress`. Then
    /// [`web_search_searching`](Self::web_search_searching) when the search starts and
    /// [`finish_web_search_call`](Self::finish_web_search_call) when it is over, as OpenAI
    /// streams them.
    ///
    /// ```
    /// use openai_wire_emit::{ResponseWriter, SequentialIds, WebSearchOutcome};
    /// use openai_wire_events::{OutputItem, Response};
    ///
    /// let mut writer = ResponseWriter::new(Response::default(), SequentialIds::default());
    /// writer.start()?;
    /// let (search, _) = writer.open_web_search_call()?;
    /// writer.web_search_searching(search, "rust 2024 edition")?;
    /// let outcome = WebSearchOutcome {
    ///     sources: Some(vec!["https://doc.rust-lang.org/edition-guide/".into()]),
    ///     failed: false,
    /// };
    /// let events = writer.finish_web_search_call(search, outcome)?;
    /// assert_eq!(events.len(), 2); // web_search_call.completed, output_item.done
    /// assert!(matches!(&writer.response().output[0], OutputItem::WebSearchCall(_)));
    /// # Ok::<(), openai_wire_emit::EmitError>(())
    /// ```
    pub fn open_web_search_call(
        &mut self,
    ) -> Result<(ItemHandle, Vec<ResponseStreamEvent>), EmitError> {
        let (handle, mut events) = self.open(
            "ws_",
            Body::WebSearchCall {
                query: None,
                sources: None,
                searching: false,
                failed: false,
            },
        )?;
        let item_id = self.items[handle.output_index].id.clone();
        events.push(ResponseStreamEvent::ResponseWebSearchCallInProgress(
            ResponseWebSearchCallInProgressEvent {
                output_index: index(handle.output_index),
                item_id,
                sequence_number: Sequence(&mut self.sequence).next(),
                ..ResponseWebSearchCallInProgressEvent::default()
            },
        ));
        Ok((handle, events))
    }

    /// The web search of `handle` starts, for `query`: `response.web_search_call.searching`.
    pub fn web_search_searching(
        &mut self,
        handle: ItemHandle,
        query: &str,
    ) -> Result<Vec<ResponseStreamEvent>, EmitError> {
        let (item, mut seq) =
            self.open_item(handle, ItemKind::WebSearchCall, "web_search_searching")?;
        if let Body::WebSearchCall {
            query: q,
            searching,
            ..
        } = &mut item.body
        {
            *q = Some(query.to_owned());
            *searching = true;
        }
        Ok(vec![ResponseStreamEvent::ResponseWebSearchCallSearching(
            ResponseWebSearchCallSearchingEvent {
                output_index: index(handle.output_index),
                item_id: item.id.clone(),
                sequence_number: seq.next(),
                ..ResponseWebSearchCallSearchingEvent::default()
            },
        )])
    }

    /// Finishes a web search call with its outcome: `response.web_search_call.completed` and
    /// `response.output_item.done` (status `completed`, or `failed`), held like
    /// [`finish_item`](Self::finish_item)'s while an earlier item is open.
    pub fn finish_web_search_call(
        &mut self,
        handle: ItemHandle,
        outcome: WebSearchOutcome,
    ) -> Result<Vec<ResponseStreamEvent>, EmitError> {
        let (item, _) =
            self.open_item(handle, ItemKind::WebSearchCall, "finish_web_search_call")?;
        if let Body::WebSearchCall {
            sources, failed, ..
        } = &mut item.body
        {
            *sources = outcome.sources;
            *failed = outcome.failed;
        }
        self.finish_item(handle)
    }

    /// Appends JSON text to a tool search call's arguments. No event: the Responses stream
    /// shows the arguments only in the item.
    pub fn push_tool_search_arguments(
        &mut self,
        handle: ItemHandle,
        delta: &str,
    ) -> Result<Vec<ResponseStreamEvent>, EmitError> {
        let (item, _) = self.open_item(
            handle,
            ItemKind::ToolSearchCall,
            "push_tool_search_arguments",
        )?;
        if let Body::ToolSearchCall { arguments, .. } = &mut item.body {
            arguments.push_str(delta);
        }
        Ok(Vec::new())
    }

    /// Appends output text to a message: `response.output_text.delta`, preceded by
    /// `response.content_part.added` when the message has no open text part (a refusal part
    /// open before it is finished first). An empty delta opens the part but emits no delta.
    pub fn push_text(
        &mut self,
        handle: ItemHandle,
        delta: &str,
    ) -> Result<Vec<ResponseStreamEvent>, EmitError> {
        self.push_message(handle, delta, false, "push_text")
    }

    /// Appends refusal text to a message: `response.refusal.delta`, preceded by
    /// `response.content_part.added` when the message has no open refusal part (a text part open
    /// before it is finished first). An empty delta opens the part but emits no delta.
    pub fn push_refusal(
        &mut self,
        handle: ItemHandle,
        delta: &str,
    ) -> Result<Vec<ResponseStreamEvent>, EmitError> {
        self.push_message(handle, delta, true, "push_refusal")
    }

    /// Appends to the reasoning item's current summary part:
    /// `response.reasoning_summary_text.delta`, preceded by
    /// `response.reasoning_summary_part.added` when no summary part is open (the first one, or
    /// the one after [`end_summary_part`](Self::end_summary_part)). An empty delta opens the
    /// part but emits no delta.
    pub fn push_reasoning_summary(
        &mut self,
        handle: ItemHandle,
        delta: &str,
    ) -> Result<Vec<ResponseStreamEvent>, EmitError> {
        let (item, mut seq) =
            self.open_item(handle, ItemKind::Reasoning, "push_reasoning_summary")?;
        let output_index = index(handle.output_index);
        let Body::Reasoning {
            summary,
            summary_open,
            ..
        } = &mut item.body
        else {
            return Ok(Vec::new());
        };
        let mut events = Vec::new();
        if !*summary_open {
            summary.push(String::new());
            *summary_open = true;
            events.push(ResponseStreamEvent::ResponseReasoningSummaryPartAdded(
                ResponseReasoningSummaryPartAddedEvent {
                    item_id: item.id.clone(),
                    output_index,
                    summary_index: index(summary.len() - 1),
                    sequence_number: seq.next(),
                    part: ResponseReasoningSummaryPartAddedEventPart {
                        text: String::new(),
                    },
                    ..ResponseReasoningSummaryPartAddedEvent::default()
                },
            ));
        }
        if !delta.is_empty() {
            let summary_index = index(summary.len() - 1);
            if let Some(text) = summary.last_mut() {
                text.push_str(delta);
            }
            events.push(ResponseStreamEvent::ResponseReasoningSummaryTextDelta(
                ResponseReasoningSummaryTextDeltaEvent {
                    item_id: item.id.clone(),
                    output_index,
                    summary_index,
                    delta: delta.to_owned(),
                    sequence_number: seq.next(),
                    ..ResponseReasoningSummaryTextDeltaEvent::default()
                },
            ));
        }
        Ok(events)
    }

    /// Finishes the reasoning item's current summary part, if one is open:
    /// `response.reasoning_summary_text.done` and `response.reasoning_summary_part.done`. The
    /// next [`push_reasoning_summary`](Self::push_reasoning_summary) opens a new part.
    pub fn end_summary_part(
        &mut self,
        handle: ItemHandle,
    ) -> Result<Vec<ResponseStreamEvent>, EmitError> {
        let (item, mut seq) = self.open_item(handle, ItemKind::Reasoning, "end_summary_part")?;
        let mut events = Vec::new();
        close_summary_part(item, handle.output_index, &mut seq, &mut events);
        Ok(events)
    }

    /// Appends reasoning text (the reasoning item's `content`, one `reasoning_text` part):
    /// `response.reasoning_text.delta`, preceded by `response.content_part.added` on the first
    /// call. An empty delta opens the part but emits no delta.
    pub fn push_reasoning_text(
        &mut self,
        handle: ItemHandle,
        delta: &str,
    ) -> Result<Vec<ResponseStreamEvent>, EmitError> {
        let (item, mut seq) = self.open_item(handle, ItemKind::Reasoning, "push_reasoning_text")?;
        let output_index = index(handle.output_index);
        let Body::Reasoning { text, .. } = &mut item.body else {
            return Ok(Vec::new());
        };
        let mut events = Vec::new();
        let text = match text {
            Some(text) => text,
            None => {
                events.push(ResponseStreamEvent::ResponseContentPartAdded(
                    ResponseContentPartAddedEvent {
                        item_id: item.id.clone(),
                        output_index,
                        content_index: 0,
                        part: OutputContent::ReasoningText(ReasoningTextContent::default()),
                        sequence_number: seq.next(),
                        agent: None,
                        stream_id: None,
                    },
                ));
                text.insert(String::new())
            }
        };
        if !delta.is_empty() {
            text.push_str(delta);
            events.push(ResponseStreamEvent::ResponseReasoningTextDelta(
                ResponseReasoningTextDeltaEvent {
                    item_id: item.id.clone(),
                    output_index,
                    content_index: 0,
                    delta: delta.to_owned(),
                    sequence_number: seq.next(),
                    ..ResponseReasoningTextDeltaEvent::default()
                },
            ));
        }
        Ok(events)
    }

    /// Sets (or replaces) the reasoning item's `encrypted_content`, which its
    /// `response.output_item.done` and the final response carry. Emits nothing.
    pub fn set_encrypted_content(
        &mut self,
        handle: ItemHandle,
        encrypted_content: String,
    ) -> Result<(), EmitError> {
        let (item, _) = self.open_item(handle, ItemKind::Reasoning, "set_encrypted_content")?;
        if let Body::Reasoning {
            encrypted_content: slot,
            ..
        } = &mut item.body
        {
            *slot = Some(encrypted_content);
        }
        Ok(())
    }

    /// Appends to a function call's arguments: `response.function_call_arguments.delta` (none
    /// for an empty delta).
    pub fn push_arguments(
        &mut self,
        handle: ItemHandle,
        delta: &str,
    ) -> Result<Vec<ResponseStreamEvent>, EmitError> {
        let (item, mut seq) = self.open_item(handle, ItemKind::FunctionCall, "push_arguments")?;
        let Body::FunctionCall { arguments, .. } = &mut item.body else {
            return Ok(Vec::new());
        };
        if delta.is_empty() {
            return Ok(Vec::new());
        }
        arguments.push_str(delta);
        Ok(vec![
            ResponseStreamEvent::ResponseFunctionCallArgumentsDelta(
                ResponseFunctionCallArgumentsDeltaEvent {
                    item_id: item.id.clone(),
                    output_index: index(handle.output_index),
                    sequence_number: seq.next(),
                    delta: delta.to_owned(),
                    ..ResponseFunctionCallArgumentsDeltaEvent::default()
                },
            ),
        ])
    }

    /// Replaces a function call's arguments, without an event: `response.function_call_arguments.done`
    /// and the item carry `arguments` from now on. The deltas sent before then no longer add up
    /// to them; this is for a converter that learns only at the end that its upstream's
    /// fragments meant something else (a cumulative upstream whose arguments are not JSON when
    /// added up).
    ///
    /// ```
    /// use openai_wire_emit::{ResponseWriter, SequentialIds};
    /// use openai_wire_events::{OutputItem, Response};
    ///
    /// let mut writer = ResponseWriter::new(Response::default(), SequentialIds::default());
    /// writer.start()?;
    /// let (call, _) = writer.open_function_call("exec_command", None)?;
    /// writer.push_arguments(call, r#"{"cmd":"#)?;
    /// writer.replace_arguments(call, r#"{"cmd":"ls"}"#)?;
    /// writer.complete(Default::default())?;
    /// let OutputItem::FunctionCall(item) = &writer.response().output[0] else { panic!() };
    /// assert_eq!(item.arguments, r#"{"cmd":"ls"}"#);
    /// # Ok::<(), openai_wire_emit::EmitError>(())
    /// ```
    pub fn replace_arguments(
        &mut self,
        handle: ItemHandle,
        replacement: &str,
    ) -> Result<(), EmitError> {
        let (item, _) = self.open_item(handle, ItemKind::FunctionCall, "replace_arguments")?;
        if let Body::FunctionCall { arguments, .. } = &mut item.body {
            replacement.clone_into(arguments);
        }
        Ok(())
    }

    /// Appends to a custom tool call's input: `response.custom_tool_call_input.delta` (none for
    /// an empty delta).
    pub fn push_custom_input(
        &mut self,
        handle: ItemHandle,
        delta: &str,
    ) -> Result<Vec<ResponseStreamEvent>, EmitError> {
        let (item, mut seq) =
            self.open_item(handle, ItemKind::CustomToolCall, "push_custom_input")?;
        let Body::CustomToolCall { input, .. } = &mut item.body else {
            return Ok(Vec::new());
        };
        if delta.is_empty() {
            return Ok(Vec::new());
        }
        input.push_str(delta);
        Ok(vec![ResponseStreamEvent::ResponseCustomToolCallInputDelta(
            ResponseCustomToolCallInputDeltaEvent {
                item_id: item.id.clone(),
                output_index: index(handle.output_index),
                sequence_number: seq.next(),
                delta: delta.to_owned(),
                ..ResponseCustomToolCallInputDeltaEvent::default()
            },
        )])
    }

    /// Finishes an item, status `completed`: its open part's done events and
    /// `response.output_item.done`, with the accumulated values. A message that never had a
    /// part gets an empty `output_text` part first. When an earlier item is still open, the done
    /// events are held (nothing is returned) and come out when the earlier items are finished.
    pub fn finish_item(
        &mut self,
        handle: ItemHandle,
    ) -> Result<Vec<ResponseStreamEvent>, EmitError> {
        let kind = handle.kind;
        let (item, _) = self.open_item(handle, kind, "finish_item")?;
        item.state = State::Finishing(Status::Completed);
        let mut events = Vec::new();
        self.release(&mut events);
        Ok(events)
    }

    /// Ends the response as `completed` with `usage`: every open item is finished (status
    /// `completed`) in `output_index` order, then `response.completed` carries the full
    /// response, `completed_at` set from the [`IdSource`].
    pub fn complete(
        &mut self,
        usage: ResponseUsage,
    ) -> Result<Vec<ResponseStreamEvent>, EmitError> {
        self.check_streaming()?;
        let mut events = self.finish_all(Status::Completed);
        self.template.status = Some(ResponseStatus::Completed);
        self.template.usage = Some(usage);
        self.template.completed_at = Some(self.ids.now() as f64);
        self.end(Terminal::Completed, &mut events);
        Ok(events)
    }

    /// Ends the response as `failed` with `error`: every open item is finished with status
    /// `incomplete` in `output_index` order, then `response.failed` carries the response with
    /// its `error` (and no usage).
    pub fn fail(&mut self, error: ResponseError2) -> Result<Vec<ResponseStreamEvent>, EmitError> {
        self.check_streaming()?;
        let mut events = self.finish_all(Status::Incomplete);
        self.template.status = Some(ResponseStatus::Failed);
        self.template.error = Some(error);
        self.end(Terminal::Failed, &mut events);
        Ok(events)
    }

    /// Ends the response as `incomplete` for `reason` (`max_output_tokens`, `content_filter`)
    /// with `usage`: every open item is finished with status `incomplete` in `output_index`
    /// order, then `response.incomplete` carries the response with its `incomplete_details`.
    pub fn incomplete(
        &mut self,
        reason: ResponseIncompleteDetailsReason,
        usage: ResponseUsage,
    ) -> Result<Vec<ResponseStreamEvent>, EmitError> {
        self.check_streaming()?;
        let mut events = self.finish_all(Status::Incomplete);
        self.template.status = Some(ResponseStatus::Incomplete);
        self.template.incomplete_details = Some(ResponseIncompleteDetails {
            reason: Some(reason),
        });
        self.template.usage = Some(usage);
        self.end(Terminal::Incomplete, &mut events);
        Ok(events)
    }

    fn check_streaming(&self) -> Result<(), EmitError> {
        match self.phase {
            Phase::NotStarted => Err(EmitError::NotStarted),
            Phase::Streaming => Ok(()),
            Phase::Ended(terminal) => Err(EmitError::Ended {
                terminal: terminal.wire_type(),
            }),
        }
    }

    fn open(
        &mut self,
        prefix: &str,
        body: Body,
    ) -> Result<(ItemHandle, Vec<ResponseStreamEvent>), EmitError> {
        self.check_streaming()?;
        let handle = ItemHandle {
            writer: self.writer,
            output_index: self.items.len(),
            kind: body.kind(),
        };
        let item = Item {
            id: self.ids.id(prefix),
            body,
            state: State::Open,
        };
        let event =
            ResponseStreamEvent::ResponseOutputItemAdded(Box::new(ResponseOutputItemAddedEvent {
                output_index: index(handle.output_index),
                sequence_number: Sequence(&mut self.sequence).next(),
                item: item.output(Status::InProgress),
                agent: None,
                stream_id: None,
            }));
        self.items.push(item);
        Ok((handle, vec![event]))
    }

    /// The open item `handle` names, if it is of kind `expected`, and the sequence counter.
    fn open_item(
        &mut self,
        handle: ItemHandle,
        expected: ItemKind,
        operation: &'static str,
    ) -> Result<(&mut Item, Sequence<'_>), EmitError> {
        if handle.writer != self.writer {
            return Err(EmitError::ForeignHandle);
        }
        self.check_streaming()?;
        let item = self
            .items
            .get_mut(handle.output_index)
            .ok_or(EmitError::ForeignHandle)?;
        let found = item.body.kind();
        if found != expected {
            return Err(EmitError::WrongItemKind {
                operation,
                expected,
                found,
                output_index: handle.output_index,
            });
        }
        if item.state != State::Open {
            return Err(EmitError::ItemFinished {
                output_index: handle.output_index,
            });
        }
        Ok((item, Sequence(&mut self.sequence)))
    }

    fn push_message(
        &mut self,
        handle: ItemHandle,
        delta: &str,
        refusal: bool,
        operation: &'static str,
    ) -> Result<Vec<ResponseStreamEvent>, EmitError> {
        let (item, mut seq) = self.open_item(handle, ItemKind::Message, operation)?;
        let output_index = index(handle.output_index);
        let mut events = Vec::new();
        let same_part_open = matches!(
            &item.body,
            Body::Message { parts, part_open: true, .. } if parts.last().is_some_and(|p| p.refusal == refusal)
        );
        if !same_part_open {
            close_message_part(item, handle.output_index, &mut seq, &mut events);
            open_message_part(item, handle.output_index, refusal, &mut seq, &mut events);
        }
        let Body::Message { parts, .. } = &mut item.body else {
            return Ok(events);
        };
        let content_index = index(parts.len() - 1);
        if delta.is_empty() {
            return Ok(events);
        }
        if let Some(part) = parts.last_mut() {
            part.text.push_str(delta);
        }
        let item_id = item.id.clone();
        let delta = delta.to_owned();
        events.push(if refusal {
            ResponseStreamEvent::ResponseRefusalDelta(ResponseRefusalDeltaEvent {
                item_id,
                output_index,
                content_index,
                delta,
                sequence_number: seq.next(),
                ..ResponseRefusalDeltaEvent::default()
            })
        } else {
            ResponseStreamEvent::ResponseOutputTextDelta(ResponseTextDeltaEvent {
                item_id,
                output_index,
                content_index,
                delta,
                sequence_number: seq.next(),
                ..ResponseTextDeltaEvent::default()
            })
        });
        Ok(events)
    }

    /// Marks every open item finished with `status` and releases all done events.
    fn finish_all(&mut self, status: Status) -> Vec<ResponseStreamEvent> {
        for item in &mut self.items {
            if item.state == State::Open {
                item.state = State::Finishing(status);
            }
        }
        let mut events = Vec::new();
        self.release(&mut events);
        events
    }

    /// Emits the done events of every finished item that no open item precedes.
    fn release(&mut self, events: &mut Vec<ResponseStreamEvent>) {
        let mut seq = Sequence(&mut self.sequence);
        while let Some(item) = self.items.get_mut(self.released) {
            let State::Finishing(status) = item.state else {
                break;
            };
            let output_index = self.released;
            emit_item_done(item, output_index, status, &mut seq, events);
            item.state = State::Done(status);
            self.released += 1;
        }
    }

    fn end(&mut self, terminal: Terminal, events: &mut Vec<ResponseStreamEvent>) {
        self.phase = Phase::Ended(terminal);
        let response = self.response();
        let sequence_number = Sequence(&mut self.sequence).next();
        events.push(match terminal {
            Terminal::Completed => {
                ResponseStreamEvent::ResponseCompleted(Box::new(ResponseCompletedEvent {
                    response,
                    sequence_number,
                    ..ResponseCompletedEvent::default()
                }))
            }
            Terminal::Failed => {
                ResponseStreamEvent::ResponseFailed(Box::new(ResponseFailedEvent {
                    response,
                    sequence_number,
                    ..ResponseFailedEvent::default()
                }))
            }
            Terminal::Incomplete => {
                ResponseStreamEvent::ResponseIncomplete(Box::new(ResponseIncompleteEvent {
                    response,
                    sequence_number,
                    ..ResponseIncompleteEvent::default()
                }))
            }
        });
    }
}

fn open_message_part(
    item: &mut Item,
    output_index: usize,
    refusal: bool,
    seq: &mut Sequence<'_>,
    events: &mut Vec<ResponseStreamEvent>,
) {
    let Body::Message {
        parts, part_open, ..
    } = &mut item.body
    else {
        return;
    };
    parts.push(Part {
        refusal,
        text: String::new(),
    });
    *part_open = true;
    events.push(ResponseStreamEvent::ResponseContentPartAdded(
        ResponseContentPartAddedEvent {
            item_id: item.id.clone(),
            output_index: index(output_index),
            content_index: index(parts.len() - 1),
            part: Part::empty(refusal),
            sequence_number: seq.next(),
            agent: None,
            stream_id: None,
        },
    ));
}

fn close_message_part(
    item: &mut Item,
    output_index: usize,
    seq: &mut Sequence<'_>,
    events: &mut Vec<ResponseStreamEvent>,
) {
    let Body::Message {
        parts, part_open, ..
    } = &mut item.body
    else {
        return;
    };
    if !*part_open {
        return;
    }
    *part_open = false;
    let Some(part) = parts.last() else {
        return;
    };
    let item_id = item.id.clone();
    let output_index = index(output_index);
    let content_index = index(parts.len() - 1);
    events.push(if part.refusal {
        ResponseStreamEvent::ResponseRefusalDone(ResponseRefusalDoneEvent {
            item_id: item_id.clone(),
            output_index,
            content_index,
            refusal: part.text.clone(),
            sequence_number: seq.next(),
            ..ResponseRefusalDoneEvent::default()
        })
    } else {
        ResponseStreamEvent::ResponseOutputTextDone(ResponseTextDoneEvent {
            item_id: item_id.clone(),
            output_index,
            content_index,
            text: part.text.clone(),
            sequence_number: seq.next(),
            ..ResponseTextDoneEvent::default()
        })
    });
    events.push(ResponseStreamEvent::ResponseContentPartDone(
        ResponseContentPartDoneEvent {
            item_id,
            output_index,
            content_index,
            sequence_number: seq.next(),
            part: part.content(),
            agent: None,
            stream_id: None,
        },
    ));
}

fn close_summary_part(
    item: &mut Item,
    output_index: usize,
    seq: &mut Sequence<'_>,
    events: &mut Vec<ResponseStreamEvent>,
) {
    let Body::Reasoning {
        summary,
        summary_open,
        ..
    } = &mut item.body
    else {
        return;
    };
    if !*summary_open {
        return;
    }
    *summary_open = false;
    let Some(text) = summary.last() else {
        return;
    };
    let summary_index = index(summary.len() - 1);
    events.push(ResponseStreamEvent::ResponseReasoningSummaryTextDone(
        ResponseReasoningSummaryTextDoneEvent {
            item_id: item.id.clone(),
            output_index: index(output_index),
            summary_index,
            text: text.clone(),
            sequence_number: seq.next(),
            ..ResponseReasoningSummaryTextDoneEvent::default()
        },
    ));
    events.push(ResponseStreamEvent::ResponseReasoningSummaryPartDone(
        ResponseReasoningSummaryPartDoneEvent {
            item_id: item.id.clone(),
            output_index: index(output_index),
            summary_index,
            sequence_number: seq.next(),
            part: ResponseReasoningSummaryPartDoneEventPart { text: text.clone() },
            ..ResponseReasoningSummaryPartDoneEvent::default()
        },
    ));
}

/// How a web search ended ([`ResponseWriter::finish_web_search_call`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebSearchOutcome {
    /// The URLs of the results, shown as `action.sources` (OpenAI shows them when the request's
    /// `include` asks for `web_search_call.action.sources`); `None` shows none.
    pub sources: Option<Vec<String>>,
    /// Whether the search failed (status `failed`).
    pub failed: bool,
}

/// A tool search call's arguments as the item shows them: the JSON object they spell, or
/// `{}` while they are not (yet) JSON.
fn tool_search_arguments(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::Object(Default::default()))
}

/// The done events of one item: its open part's, then its own, then `output_item.done`.
fn emit_item_done(
    item: &mut Item,
    output_index: usize,
    status: Status,
    seq: &mut Sequence<'_>,
    events: &mut Vec<ResponseStreamEvent>,
) {
    let item_id = item.id.clone();
    match &item.body {
        Body::Message { parts, .. } => {
            if parts.is_empty() {
                open_message_part(item, output_index, false, seq, events);
            }
            close_message_part(item, output_index, seq, events);
        }
        Body::Reasoning { .. } => {
            close_summary_part(item, output_index, seq, events);
            if let Body::Reasoning {
                text: Some(text), ..
            } = &item.body
            {
                events.push(ResponseStreamEvent::ResponseReasoningTextDone(
                    ResponseReasoningTextDoneEvent {
                        item_id: item_id.clone(),
                        output_index: index(output_index),
                        content_index: 0,
                        text: text.clone(),
                        sequence_number: seq.next(),
                        ..ResponseReasoningTextDoneEvent::default()
                    },
                ));
                events.push(ResponseStreamEvent::ResponseContentPartDone(
                    ResponseContentPartDoneEvent {
                        item_id: item_id.clone(),
                        output_index: index(output_index),
                        content_index: 0,
                        sequence_number: seq.next(),
                        part: OutputContent::ReasoningText(ReasoningTextContent {
                            text: text.clone(),
                        }),
                        agent: None,
                        stream_id: None,
                    },
                ));
            }
        }
        Body::FunctionCall {
            name, arguments, ..
        } => events.push(ResponseStreamEvent::ResponseFunctionCallArgumentsDone(
            ResponseFunctionCallArgumentsDoneEvent {
                item_id: item_id.clone(),
                name: name.clone(),
                output_index: index(output_index),
                sequence_number: seq.next(),
                arguments: arguments.clone(),
                ..ResponseFunctionCallArgumentsDoneEvent::default()
            },
        )),
        Body::ToolSearchCall { .. } => {}
        Body::WebSearchCall { .. } => {
            events.push(ResponseStreamEvent::ResponseWebSearchCallCompleted(
                ResponseWebSearchCallCompletedEvent {
                    output_index: index(output_index),
                    item_id: item_id.clone(),
                    sequence_number: seq.next(),
                    ..ResponseWebSearchCallCompletedEvent::default()
                },
            ));
        }
        Body::CustomToolCall { input, .. } => {
            events.push(ResponseStreamEvent::ResponseCustomToolCallInputDone(
                ResponseCustomToolCallInputDoneEvent {
                    output_index: index(output_index),
                    item_id: item_id.clone(),
                    input: input.clone(),
                    sequence_number: seq.next(),
                    ..ResponseCustomToolCallInputDoneEvent::default()
                },
            ));
        }
    }
    events.push(ResponseStreamEvent::ResponseOutputItemDone(Box::new(
        ResponseOutputItemDoneEvent {
            output_index: index(output_index),
            sequence_number: seq.next(),
            item: item.output(status),
            agent: None,
            stream_id: None,
        },
    )));
}
