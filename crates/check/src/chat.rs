//! The Chat Completions checker.

use std::collections::BTreeMap;

use openai_wire_decode::Summary;
use openai_wire_events::{
    ChatCompletionChunk, ChatCompletionStreamEvent, ChatCompletionStreamResponseDeltaContent,
};

use crate::util;
use crate::{Finding, Rule, StreamChecker, rules};

#[derive(Debug, Default)]
struct Choice {
    first_index: usize,
    finish: Option<usize>,
    finish_repeat_reported: bool,
    after_finish_reported: bool,
    /// The id of each tool call, by its index.
    tool_calls: Vec<String>,
}

/// The first value of a field that must not change across chunks.
#[derive(Debug, Default)]
struct Fixed<T> {
    value: Option<T>,
    changed_reported: bool,
}

/// A streaming checker of Chat Completions chunks ([`ChatCompletionStreamEvent`]).
///
/// Rules: `chat.*`, `usage.totals`, `decode.unknown-event`, `lifecycle.truncated` (see
/// [`crate::RULES`]).
///
/// ```
/// use openai_wire_check::{ChatChecker, StreamChecker};
/// use openai_wire_events::{ChatCompletionStreamEvent, StreamEvent};
///
/// let chunk = |id: &str| ChatCompletionStreamEvent::from_json(&format!(
///     r#"{{"id":"{id}","object":"chat.completion.chunk","created":1,"model":"m","choices":[{{"index":0,"delta":{{}},"finish_reason":"stop"}}]}}"#,
/// ));
/// let mut checker = ChatChecker::new();
/// checker.push(0, &chunk("a")?);
/// checker.push(1, &chunk("b")?);
/// let ids: Vec<_> = checker.finish(None).iter().map(|f| f.rule.id).collect();
/// // A new id, the choice finishing twice, and no `[DONE]`.
/// assert_eq!(ids, ["chat.single-id", "chat.finish-reason", "chat.done-marker"]);
/// # Ok::<(), openai_wire_events::DecodeError>(())
/// ```
#[derive(Debug)]
pub struct ChatChecker {
    findings: Vec<Finding>,
    expect_done_marker: bool,
    chunks: usize,
    id: Fixed<String>,
    created: Fixed<i64>,
    model: Fixed<String>,
    placeholder_reported: bool,
    choices: BTreeMap<i64, Choice>,
    /// Chunks that carried usage: (index, whether the chunk had choices).
    usage_chunks: Vec<(usize, bool)>,
    last_chunk: Option<usize>,
    done_marker: Option<usize>,
    after_done_reported: bool,
}

impl Default for ChatChecker {
    fn default() -> Self {
        Self::new()
    }
}

impl ChatChecker {
    /// A checker at the start of a stream that expects `data: [DONE]` at the end.
    pub fn new() -> Self {
        Self {
            findings: Vec::new(),
            expect_done_marker: true,
            chunks: 0,
            id: Fixed::default(),
            created: Fixed::default(),
            model: Fixed::default(),
            placeholder_reported: false,
            choices: BTreeMap::new(),
            usage_chunks: Vec::new(),
            last_chunk: None,
            done_marker: None,
            after_done_reported: false,
        }
    }

    /// Whether a missing `[DONE]` is reported (`chat.done-marker`); off for recordings that
    /// keep chunks rather than SSE text (JSONL).
    pub fn expect_done_marker(mut self, expect: bool) -> Self {
        self.expect_done_marker = expect;
        self
    }

    fn report(&mut self, rule: &'static Rule, index: usize, message: impl Into<String>) {
        self.findings.push(Finding::new(rule, Some(index), message));
    }

    fn fixed_fields(&mut self, index: usize, chunk: &ChatCompletionChunk) {
        let mut placeholders = Vec::new();
        if chunk.id.is_empty() {
            placeholders.push("empty id");
        }
        if chunk.model.is_empty() {
            placeholders.push("empty model");
        }
        if chunk.created == 0 {
            placeholders.push("created 0");
        }
        if !placeholders.is_empty() && !self.placeholder_reported {
            self.placeholder_reported = true;
            let message = format!(
                "chunk with {} (reported once per stream)",
                placeholders.join(", ")
            );
            self.report(&rules::CHAT_PLACEHOLDER, index, message);
        }
        let mut changed = Vec::new();
        if !chunk.id.is_empty() {
            check_fixed(
                &mut self.id,
                chunk.id.clone(),
                "id",
                &rules::CHAT_SINGLE_ID,
                &mut changed,
            );
        }
        if chunk.created != 0 {
            check_fixed(
                &mut self.created,
                chunk.created,
                "created",
                &rules::CHAT_SINGLE_CREATED,
                &mut changed,
            );
        }
        if !chunk.model.is_empty() {
            check_fixed(
                &mut self.model,
                chunk.model.clone(),
                "model",
                &rules::CHAT_SINGLE_MODEL,
                &mut changed,
            );
        }
        for (rule, message) in changed {
            self.report(rule, index, message);
        }
    }

    fn chunk(&mut self, index: usize, chunk: &ChatCompletionChunk) {
        self.chunks += 1;
        self.last_chunk = Some(index);
        self.fixed_fields(index, chunk);
        if let Some(usage) = &chunk.usage {
            self.usage_chunks.push((index, !chunk.choices.is_empty()));
            let usage = util::to_value(usage);
            util::check_usage(&mut self.findings, index, &usage, util::CHAT_USAGE);
        }
        let mut findings: Vec<(&'static Rule, String)> = Vec::new();
        for choice in &chunk.choices {
            let state = self.choices.entry(choice.index).or_insert_with(|| Choice {
                first_index: index,
                ..Choice::default()
            });
            let delta = &choice.delta;
            let has_content = match &delta.content {
                Some(ChatCompletionStreamResponseDeltaContent::Text(text)) => !text.is_empty(),
                Some(ChatCompletionStreamResponseDeltaContent::List(list)) => !list.is_empty(),
                Some(ChatCompletionStreamResponseDeltaContent::Unknown(_)) | None => false,
            };
            let has_output = has_content
                || delta.refusal.as_ref().is_some_and(|r| !r.is_empty())
                || delta.tool_calls.as_ref().is_some_and(|t| !t.is_empty());
            if let Some(finished) = state.finish
                && has_output
                && !state.after_finish_reported
            {
                state.after_finish_reported = true;
                findings.push((
                    &rules::CHAT_AFTER_FINISH,
                    format!(
                        "choice {} streams output after its finish_reason at {finished}",
                        choice.index
                    ),
                ));
            }
            for call in delta.tool_calls.iter().flatten() {
                let known = state.tool_calls.len();
                let id = call.id.as_deref().unwrap_or_default();
                // A custom tool call's fragments carry `custom.name` in place of `function`.
                let name = call
                    .function
                    .as_ref()
                    .and_then(|f| f.name.as_deref())
                    .or_else(|| call.custom.as_ref().and_then(|c| c.name.as_deref()))
                    .unwrap_or_default();
                let index = match call.index {
                    Some(index) => index,
                    None => {
                        findings.push((
                            &rules::CHAT_TOOL_CALL_NO_INDEX,
                            format!("a tool call chunk of choice {} has no index", choice.index),
                        ));
                        // A new id starts the next call; a known id (or none) continues its call.
                        let at = if id.is_empty() {
                            known.checked_sub(1)
                        } else {
                            state.tool_calls.iter().position(|known_id| known_id == id)
                        };
                        at.unwrap_or(known) as i64
                    }
                };
                match usize::try_from(index) {
                    Ok(at) if at == known => {
                        if id.is_empty() || name.is_empty() {
                            findings.push((
                                &rules::CHAT_TOOL_CALL_START,
                                format!(
                                    "tool call {at} of choice {} starts without {}",
                                    choice.index,
                                    if id.is_empty() {
                                        "an id"
                                    } else {
                                        "a function (or custom tool) name"
                                    }
                                ),
                            ));
                        }
                        state.tool_calls.push(id.to_owned());
                    }
                    Ok(at) if at < known => {
                        if !id.is_empty() && state.tool_calls[at] != id {
                            findings.push((
                                &rules::CHAT_TOOL_CALL_ID,
                                format!(
                                    "tool call index {at} of choice {} had id {}, now {id}",
                                    choice.index, state.tool_calls[at]
                                ),
                            ));
                            state.tool_calls[at] = id.to_owned();
                        }
                    }
                    _ => findings.push((
                        &rules::CHAT_TOOL_CALL_INDEX,
                        format!(
                            "tool call index {index} of choice {}, expected at most {known}",
                            choice.index
                        ),
                    )),
                }
            }
            if choice.finish_reason.is_some() {
                match state.finish {
                    None => state.finish = Some(index),
                    Some(first) if !state.finish_repeat_reported => {
                        state.finish_repeat_reported = true;
                        findings.push((
                            &rules::CHAT_FINISH_REASON,
                            format!(
                                "choice {} has a second finish_reason (first at {first})",
                                choice.index
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
        for (rule, message) in findings {
            self.report(rule, index, message);
        }
    }
}

fn check_fixed<T: PartialEq + std::fmt::Display>(
    fixed: &mut Fixed<T>,
    value: T,
    name: &str,
    rule: &'static Rule,
    findings: &mut Vec<(&'static Rule, String)>,
) {
    match &fixed.value {
        None => fixed.value = Some(value),
        Some(first) if *first != value && !fixed.changed_reported => {
            fixed.changed_reported = true;
            findings.push((
                rule,
                format!("chunk {name} {value} differs from the first chunk's {first}"),
            ));
        }
        Some(_) => {}
    }
}

impl StreamChecker for ChatChecker {
    type Event = ChatCompletionStreamEvent;

    fn push(&mut self, index: usize, event: &ChatCompletionStreamEvent) {
        if let Some(done) = self.done_marker
            && !self.after_done_reported
        {
            self.after_done_reported = true;
            self.report(
                &rules::CHAT_AFTER_DONE,
                index,
                format!("an event after `[DONE]` at {done}"),
            );
        }
        match event {
            ChatCompletionStreamEvent::ChatCompletionChunk(chunk) => self.chunk(index, chunk),
            ChatCompletionStreamEvent::Unknown(_) => {
                util::unknown_event(&mut self.findings, index, event);
            }
            ChatCompletionStreamEvent::ChatCompletion(_) | ChatCompletionStreamEvent::Error(_) => {}
        }
    }

    fn push_done_marker(&mut self, index: usize) {
        match self.done_marker {
            None => self.done_marker = Some(index),
            Some(first) if !self.after_done_reported => {
                self.after_done_reported = true;
                self.report(
                    &rules::CHAT_AFTER_DONE,
                    index,
                    format!("a second `[DONE]` (first at {first})"),
                );
            }
            Some(_) => {}
        }
    }

    fn finish(mut self, summary: Option<&Summary>) -> Vec<Finding> {
        let unfinished: Vec<(i64, usize)> = self
            .choices
            .iter()
            .filter(|(_, c)| c.finish.is_none())
            .map(|(i, c)| (*i, c.first_index))
            .collect();
        for (choice, first) in unfinished {
            let message =
                format!("choice {choice} (first seen at {first}) never gets a finish_reason");
            self.findings
                .push(Finding::new(&rules::CHAT_FINISH_REASON, None, message));
        }
        match self.usage_chunks.as_slice() {
            [] => {}
            [(at, with_choices)] => {
                if *with_choices {
                    let message = "usage on a chunk that has choices (expected on a last chunk with `choices: []`)";
                    self.findings.push(Finding::new(
                        &rules::CHAT_USAGE_POSITION,
                        Some(*at),
                        message,
                    ));
                } else if self.last_chunk != Some(*at) {
                    let message = "chunks follow the usage chunk";
                    self.findings.push(Finding::new(
                        &rules::CHAT_USAGE_POSITION,
                        Some(*at),
                        message,
                    ));
                }
            }
            [(first, _), rest @ ..] => {
                let message = format!(
                    "usage on {} chunks (expected once, on the last)",
                    rest.len() + 1
                );
                self.findings.push(Finding::new(
                    &rules::CHAT_USAGE_POSITION,
                    Some(*first),
                    message,
                ));
            }
        }
        if self.expect_done_marker && self.done_marker.is_none() {
            self.findings.push(Finding::new(
                &rules::CHAT_DONE_MARKER,
                None,
                "the stream ends without `data: [DONE]`",
            ));
        }
        util::truncated(&mut self.findings, summary);
        util::sort(&mut self.findings);
        self.findings
    }
}
