//! The Chat Completions chunk writer: [`ChatChunkWriter`].

use openai_wire_events::{
    ChatCompletion, ChatCompletionChoice, ChatCompletionChoiceFinishReason, ChatCompletionChunk,
    ChatCompletionChunkChoice, ChatCompletionChunkChoiceFinishReason, ChatCompletionChunkObject,
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCall2,
    ChatCompletionMessageToolCallChunk, ChatCompletionMessageToolCallChunkFunction,
    ChatCompletionMessageToolCallFunction, ChatCompletionObject, ChatCompletionResponseMessage,
    ChatCompletionResponseMessageRole, ChatCompletionStreamEvent,
    ChatCompletionStreamResponseDelta, ChatCompletionStreamResponseDeltaContent,
    ChatCompletionStreamResponseDeltaRole, CompletionUsage, CompletionUsageCompletionTokensDetails,
    CompletionUsagePromptTokensDetails, ServiceTier2,
};

use crate::error::EmitError;
use crate::ids::IdSource;
use crate::next_writer_id;

/// What a [`ChatChunkWriter`] echoes from the request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChatOptions {
    /// The `model` every chunk carries.
    pub model: String,
    /// How many choices the stream has (the request's `n`; 0 is read as 1).
    pub n: usize,
    /// The request's `stream_options.include_usage`: when set, the stream ends with a chunk
    /// whose `choices` is empty and whose `usage` is set.
    pub include_usage: bool,
    /// The `system_fingerprint` every chunk carries, if any.
    pub system_fingerprint: Option<String>,
    /// The `service_tier` every chunk carries, if any.
    pub service_tier: Option<ServiceTier2>,
}

impl ChatOptions {
    /// Options for `model`, one choice, no usage chunk.
    pub fn new(model: impl Into<String>) -> Self {
        ChatOptions {
            model: model.into(),
            n: 1,
            ..ChatOptions::default()
        }
    }

    /// Sets the number of choices.
    #[must_use]
    pub fn with_choices(mut self, n: usize) -> Self {
        self.n = n;
        self
    }

    /// Sets `stream_options.include_usage`.
    #[must_use]
    pub fn with_usage(mut self, include_usage: bool) -> Self {
        self.include_usage = include_usage;
        self
    }
}

/// Names one tool call of one choice of one [`ChatChunkWriter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ToolCallHandle {
    writer: u64,
    choice: usize,
    index: usize,
}

impl ToolCallHandle {
    /// The choice the call belongs to.
    pub fn choice(&self) -> usize {
        self.choice
    }

    /// The call's `index` within its choice's `tool_calls`.
    pub fn index(&self) -> usize {
        self.index
    }
}

/// Writes a correct Chat Completions chunk stream from high-level calls.
///
/// Every call gives the chunk it implies (one per call), all with the same `id`, `created`
/// and `model`. The first chunk of each choice carries `role: "assistant"`. Tool calls carry
/// their `index`, and on their first chunk their `id`, `type` and `function.name` (with empty
/// `arguments`); later chunks carry arguments only. [`finish`](Self::finish) gives a choice its
/// `finish_reason`; [`end`](Self::end) finishes the rest and, with `include_usage`, adds the
/// final chunk with empty `choices` and the usage. The `data: [DONE]` line that closes an SSE
/// stream is written by [`write_chat_done`](crate::write_chat_done).
///
/// ```
/// use openai_wire_emit::{ChatChunkWriter, ChatOptions, SequentialIds, write_chat_done, write_chat_sse};
/// use openai_wire_events::ChatCompletionChunkChoiceFinishReason as Finish;
///
/// let mut writer = ChatChunkWriter::new(ChatOptions::new("gpt-4o").with_usage(true), SequentialIds::default());
/// let mut chunks = writer.push_content(0, "Hello")?;
/// chunks.extend(writer.finish(0, Finish::Stop)?);
/// chunks.extend(writer.end(None)?);
///
/// let mut sse = Vec::new();
/// write_chat_sse(&mut sse, &chunks)?;
/// write_chat_done(&mut sse);
/// let text = String::from_utf8(sse).unwrap();
/// assert!(text.starts_with(r#"data: {"id":"chatcmpl-0001""#));
/// assert!(text.ends_with("data: [DONE]\n\n"));
/// assert_eq!(writer.completion().choices[0].message.content.as_deref(), Some("Hello"));
/// # Ok::<(), openai_wire_emit::EmitError>(())
/// ```
#[derive(Debug)]
pub struct ChatChunkWriter<I> {
    writer: u64,
    ids: I,
    id: String,
    created: i64,
    options: ChatOptions,
    choices: Vec<Choice>,
    usage: Option<CompletionUsage>,
    ended: bool,
}

#[derive(Debug, Default)]
struct Choice {
    started: bool,
    content: Option<String>,
    refusal: Option<String>,
    reasoning: Option<String>,
    tool_calls: Vec<ToolCall>,
    finish_reason: Option<ChatCompletionChunkChoiceFinishReason>,
}

#[derive(Debug)]
struct ToolCall {
    id: String,
    name: String,
    arguments: String,
}

fn index(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl<I: IdSource> ChatChunkWriter<I> {
    /// A writer for one chat completion; its `id` (`chatcmpl-…`) and `created` come from `ids`.
    pub fn new(options: ChatOptions, mut ids: I) -> Self {
        let id = ids.id("chatcmpl-");
        let created = ids.now();
        let n = options.n.max(1);
        ChatChunkWriter {
            writer: next_writer_id(),
            ids,
            id,
            created,
            options,
            choices: (0..n).map(|_| Choice::default()).collect(),
            usage: None,
            ended: false,
        }
    }

    /// The completion id (`chatcmpl-…`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether [`end`](Self::end) was called.
    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// Appends text to a choice's `content`. An empty delta is sent as is (`"content": ""`).
    pub fn push_content(
        &mut self,
        choice: usize,
        delta: &str,
    ) -> Result<Vec<ChatCompletionStreamEvent>, EmitError> {
        let state = self.open_choice(choice)?;
        state
            .content
            .get_or_insert_with(String::new)
            .push_str(delta);
        let delta = ChatCompletionStreamResponseDelta {
            content: Some(ChatCompletionStreamResponseDeltaContent::Text(
                delta.to_owned(),
            )),
            ..ChatCompletionStreamResponseDelta::default()
        };
        Ok(vec![self.choice_chunk(choice, delta, None)])
    }

    /// Appends text to a choice's `refusal`.
    pub fn push_refusal(
        &mut self,
        choice: usize,
        delta: &str,
    ) -> Result<Vec<ChatCompletionStreamEvent>, EmitError> {
        let state = self.open_choice(choice)?;
        state
            .refusal
            .get_or_insert_with(String::new)
            .push_str(delta);
        let delta = ChatCompletionStreamResponseDelta {
            refusal: Some(delta.to_owned()),
            ..ChatCompletionStreamResponseDelta::default()
        };
        Ok(vec![self.choice_chunk(choice, delta, None)])
    }

    /// Appends reasoning text to a choice, as `reasoning_content` (the field DeepSeek, Qwen,
    /// GLM, Kimi, xAI and vLLM use; OpenAI's own Chat API streams no reasoning).
    pub fn push_reasoning(
        &mut self,
        choice: usize,
        delta: &str,
    ) -> Result<Vec<ChatCompletionStreamEvent>, EmitError> {
        let state = self.open_choice(choice)?;
        state
            .reasoning
            .get_or_insert_with(String::new)
            .push_str(delta);
        let delta = ChatCompletionStreamResponseDelta {
            reasoning_content: Some(delta.to_owned()),
            ..ChatCompletionStreamResponseDelta::default()
        };
        Ok(vec![self.choice_chunk(choice, delta, None)])
    }

    /// Starts a function tool call in a choice: a chunk with the call's `index` (the next one of
    /// that choice), `id` (`call_id`, or a fresh `call_…` id when `None`), `type` and
    /// `function.name`, with empty `arguments`.
    pub fn open_tool_call(
        &mut self,
        choice: usize,
        name: impl Into<String>,
        call_id: Option<String>,
    ) -> Result<(ToolCallHandle, Vec<ChatCompletionStreamEvent>), EmitError> {
        self.open_choice(choice)?;
        let id = call_id.unwrap_or_else(|| self.ids.id("call_"));
        let name = name.into();
        let state = &mut self.choices[choice];
        let handle = ToolCallHandle {
            writer: self.writer,
            choice,
            index: state.tool_calls.len(),
        };
        state.tool_calls.push(ToolCall {
            id: id.clone(),
            name: name.clone(),
            arguments: String::new(),
        });
        let delta = ChatCompletionStreamResponseDelta {
            tool_calls: Some(vec![ChatCompletionMessageToolCallChunk {
                index: Some(index(handle.index)),
                id: Some(id),
                function: Some(ChatCompletionMessageToolCallChunkFunction {
                    name: Some(name),
                    arguments: Some(String::new()),
                }),
                custom: None,
            }]),
            ..ChatCompletionStreamResponseDelta::default()
        };
        Ok((handle, vec![self.choice_chunk(choice, delta, None)]))
    }

    /// Appends to a tool call's `function.arguments`: a chunk with the call's `index` and the
    /// delta.
    pub fn push_tool_arguments(
        &mut self,
        handle: ToolCallHandle,
        delta: &str,
    ) -> Result<Vec<ChatCompletionStreamEvent>, EmitError> {
        if handle.writer != self.writer {
            return Err(EmitError::ForeignHandle);
        }
        let state = self.open_choice(handle.choice)?;
        let call = state
            .tool_calls
            .get_mut(handle.index)
            .ok_or(EmitError::ForeignHandle)?;
        call.arguments.push_str(delta);
        let delta = ChatCompletionStreamResponseDelta {
            tool_calls: Some(vec![ChatCompletionMessageToolCallChunk {
                index: Some(index(handle.index)),
                id: None,
                function: Some(ChatCompletionMessageToolCallChunkFunction {
                    name: None,
                    arguments: Some(delta.to_owned()),
                }),
                custom: None,
            }]),
            ..ChatCompletionStreamResponseDelta::default()
        };
        Ok(vec![self.choice_chunk(handle.choice, delta, None)])
    }

    /// Ends a choice with `reason`: a chunk with an empty delta and the `finish_reason`.
    pub fn finish(
        &mut self,
        choice: usize,
        reason: ChatCompletionChunkChoiceFinishReason,
    ) -> Result<Vec<ChatCompletionStreamEvent>, EmitError> {
        let state = self.open_choice(choice)?;
        state.finish_reason = Some(reason.clone());
        Ok(vec![self.choice_chunk(
            choice,
            ChatCompletionStreamResponseDelta::default(),
            Some(reason),
        )])
    }

    /// Ends the stream. Choices not yet finished get `finish_reason` `tool_calls` when they
    /// made tool calls, `stop` otherwise. With `include_usage`, a last chunk with empty
    /// `choices` carries `usage` (zeros when `None`), with `prompt_tokens_details.cached_tokens`
    /// and `completion_tokens_details.reasoning_tokens` always present; without it, `usage` is
    /// not sent and the completion has none.
    pub fn end(
        &mut self,
        usage: Option<CompletionUsage>,
    ) -> Result<Vec<ChatCompletionStreamEvent>, EmitError> {
        if self.ended {
            return Err(EmitError::Ended { terminal: "end" });
        }
        let mut chunks = Vec::new();
        for choice in 0..self.choices.len() {
            if self.choices[choice].finish_reason.is_none() {
                let reason = if self.choices[choice].tool_calls.is_empty() {
                    ChatCompletionChunkChoiceFinishReason::Stop
                } else {
                    ChatCompletionChunkChoiceFinishReason::ToolCalls
                };
                chunks.extend(self.finish(choice, reason)?);
            }
        }
        if self.options.include_usage {
            let usage = full_usage(usage.unwrap_or_default());
            self.usage = Some(usage.clone());
            let mut chunk = self.chunk(Vec::new());
            chunk.usage = Some(usage);
            chunks.push(ChatCompletionStreamEvent::ChatCompletionChunk(Box::new(
                chunk,
            )));
        }
        self.ended = true;
        Ok(chunks)
    }

    /// The completion as of now: after [`end`](Self::end), what folding the chunks gives.
    pub fn completion(&self) -> ChatCompletion {
        ChatCompletion {
            id: self.id.clone(),
            choices: self
                .choices
                .iter()
                .enumerate()
                .map(|(i, choice)| ChatCompletionChoice {
                    finish_reason: choice
                        .finish_reason
                        .as_ref()
                        .map(|reason| ChatCompletionChoiceFinishReason::from(reason.as_str())),
                    index: index(i),
                    message: ChatCompletionResponseMessage {
                        content: choice.content.clone(),
                        refusal: choice.refusal.clone(),
                        tool_calls: (!choice.tool_calls.is_empty()).then(|| {
                            choice
                                .tool_calls
                                .iter()
                                .map(|call| {
                                    ChatCompletionMessageToolCall2::Function(
                                        ChatCompletionMessageToolCall {
                                            id: call.id.clone(),
                                            function: ChatCompletionMessageToolCallFunction {
                                                name: call.name.clone(),
                                                arguments: call.arguments.clone(),
                                            },
                                        },
                                    )
                                })
                                .collect()
                        }),
                        role: ChatCompletionResponseMessageRole::Assistant,
                        reasoning_content: choice.reasoning.clone(),
                        ..ChatCompletionResponseMessage::default()
                    },
                    logprobs: None,
                })
                .collect(),
            created: self.created,
            model: self.options.model.clone(),
            service_tier: self.options.service_tier.clone(),
            system_fingerprint: self.options.system_fingerprint.clone(),
            object: ChatCompletionObject::ChatCompletion,
            usage: self.usage.clone(),
            ..ChatCompletion::default()
        }
    }

    /// The state of a choice that still takes deltas.
    fn open_choice(&mut self, choice: usize) -> Result<&mut Choice, EmitError> {
        if self.ended {
            return Err(EmitError::Ended { terminal: "end" });
        }
        let choices = self.choices.len();
        let state = self
            .choices
            .get_mut(choice)
            .ok_or(EmitError::NoSuchChoice { choice, choices })?;
        if state.finish_reason.is_some() {
            return Err(EmitError::ChoiceFinished { choice });
        }
        Ok(state)
    }

    /// One chunk for one choice; the choice's first carries the role.
    fn choice_chunk(
        &mut self,
        choice: usize,
        mut delta: ChatCompletionStreamResponseDelta,
        finish_reason: Option<ChatCompletionChunkChoiceFinishReason>,
    ) -> ChatCompletionStreamEvent {
        if let Some(state) = self.choices.get_mut(choice)
            && !state.started
        {
            state.started = true;
            delta.role = Some(ChatCompletionStreamResponseDeltaRole::Assistant);
        }
        ChatCompletionStreamEvent::ChatCompletionChunk(Box::new(self.chunk(vec![
            ChatCompletionChunkChoice {
                delta,
                logprobs: None,
                finish_reason,
                index: index(choice),
            },
        ])))
    }

    fn chunk(&self, choices: Vec<ChatCompletionChunkChoice>) -> ChatCompletionChunk {
        ChatCompletionChunk {
            id: self.id.clone(),
            choices,
            created: self.created,
            model: self.options.model.clone(),
            service_tier: self.options.service_tier.clone(),
            system_fingerprint: self.options.system_fingerprint.clone(),
            object: ChatCompletionChunkObject::ChatCompletionChunk,
            ..ChatCompletionChunk::default()
        }
    }
}

/// Usage with the details every client reads present (zeros when not known).
fn full_usage(mut usage: CompletionUsage) -> CompletionUsage {
    let prompt = usage
        .prompt_tokens_details
        .get_or_insert_with(CompletionUsagePromptTokensDetails::default);
    prompt.cached_tokens.get_or_insert(0);
    let completion = usage
        .completion_tokens_details
        .get_or_insert_with(CompletionUsageCompletionTokensDetails::default);
    completion.reasoning_tokens.get_or_insert(0);
    usage
}
