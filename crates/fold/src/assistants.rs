//! The Assistants run stream (`thread.*` events) folded into the run, its steps and messages.

mod merge;

use std::collections::HashMap;

use openai_wire_events::{
    AssistantStreamEvent, MessageDeltaObject, MessageDeltaObjectDeltaContentItem as DeltaContent,
    MessageObject, MessageObjectContentItem, RunObject, RunObjectStatus, RunStepObject,
};
use serde_json::Value;

use crate::shown::Shown;
use merge::{apply_patch, upsert};

/// What one Assistants event changed.
///
/// Returned by [`AssistantsFold::push`] (the event's own update) and
/// [`AssistantsFold::push_updates`] (every update, the text no delta gave included).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AssistantsUpdate {
    /// Message text arrived (`thread.message.delta`): the text of the delta's text parts.
    TextDelta {
        /// The message's id.
        message_id: String,
        /// The `index` of the (first) text part the delta extends.
        index: u64,
        /// The new text.
        delta: String,
    },
    /// Refusal text arrived (`thread.message.delta`): the text of the delta's refusal parts.
    RefusalDelta {
        /// The message's id.
        message_id: String,
        /// The `index` of the (first) refusal part the delta extends.
        index: u64,
        /// The new text.
        delta: String,
    },
    /// Text of a message that no delta gave: `thread.message.completed` or
    /// `thread.message.incomplete` carried it, and the deltas gave none of it or only its
    /// beginning. Reported by [`AssistantsFold::push_updates`] only; with the deltas, each text
    /// is given once (when the final text does not start with what the deltas gave, nothing more
    /// is reported: the deltas gave their version).
    UnstreamedText {
        /// The message's id.
        message_id: String,
        /// Which part of the message.
        part: MessagePart,
        /// The text no update gave before.
        text: String,
    },
    /// A tool call of the run is complete: one of the calls `thread.run.requires_action` waits
    /// for, or a call of a completed run step (`thread.run.step.completed`). Reported once per
    /// call id, by [`AssistantsFold::push_updates`] only.
    ToolCallDone {
        /// The call's id.
        id: String,
        /// The tool's type: `function`, `code_interpreter`, `file_search`, …
        kind: String,
        /// A function call's name; empty for the other tools.
        name: String,
        /// A function call's arguments, a code interpreter call's input; empty for the others.
        arguments: String,
    },
    /// The run changed status (`thread.run.*`).
    RunStatus {
        /// The new status.
        status: Option<RunObjectStatus>,
    },
    /// The run needs tool outputs (`thread.run.requires_action`): the run's
    /// `required_action` lists the calls.
    RequiresAction,
    /// The stream ended (`done`).
    Done,
    /// An `error` event arrived.
    Error {
        /// The error's message.
        message: String,
    },
}

/// Which part of a message an [`AssistantsUpdate::UnstreamedText`] belongs to: its position in
/// the message's `content`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessagePart {
    /// `content[index]`: text.
    Text(u64),
    /// `content[index]`: a refusal.
    Refusal(u64),
}

/// Where a message's text and its refusals are in [`AssistantsFold`]'s `shown`.
const TEXT: usize = 0;
const REFUSAL: usize = 1;

/// Folds an Assistants run stream into the run, its steps and its messages.
///
/// - The run is the latest `thread.run.*` object.
/// - Steps and messages are kept in the order they were created; each `thread.run.step.*` /
///   `thread.message.*` object replaces the one with its id, keeping text the deltas gave when
///   the new object has none.
/// - `thread.message.delta` appends text, refusals (and annotations) to the message's content
///   part at the delta's `index`; `thread.run.step.delta` appends tool call fragments
///   (`arguments`, `input`, `output`, …) to the step's tool call at the fragment's `index`.
/// - For a caller that shows the run, [`AssistantsFold::push_updates`] reports every text once
///   (the deltas, then what only the completed message carried) and every tool call once.
///
/// # Example
///
/// ```
/// use openai_wire_events::{AssistantStreamEvent, StreamEvent};
/// use openai_wire_fold::AssistantsFold;
///
/// let events = [
///     ("thread.message.created", r#"{"id":"msg_1","object":"thread.message","role":"assistant","content":[]}"#),
///     ("thread.message.delta", r#"{"id":"msg_1","object":"thread.message.delta","delta":{"content":[{"index":0,"type":"text","text":{"value":"Hel"}}]}}"#),
///     ("thread.message.delta", r#"{"id":"msg_1","object":"thread.message.delta","delta":{"content":[{"index":0,"type":"text","text":{"value":"lo"}}]}}"#),
/// ];
/// let mut fold = AssistantsFold::new();
/// for (name, json) in events {
///     fold.push(&AssistantStreamEvent::decode(Some(name), json)?);
/// }
/// assert_eq!(fold.final_text(), "Hello");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct AssistantsFold {
    run: Option<RunObject>,
    steps: Vec<RunStepObject>,
    messages: Vec<MessageObject>,
    done: bool,
    errors: Vec<String>,
    /// What the updates gave of each message's text and refusal, by message id.
    shown: HashMap<String, [Shown; 2]>,
    /// The ids of the tool calls reported done.
    calls_done: Vec<String>,
}

impl AssistantsFold {
    /// An empty fold.
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds one event and says what it changed: the event's own update;
    /// [`push_updates`](Self::push_updates) also gives the text no delta streamed and the
    /// finished tool calls.
    pub fn push(&mut self, event: &AssistantStreamEvent) -> Option<AssistantsUpdate> {
        self.apply(event, &mut Vec::new())
    }

    /// Folds one event, like [`push`](Self::push), and returns every update it makes, in order:
    /// first the text that no delta gave ([`AssistantsUpdate::UnstreamedText`]) and the tool
    /// calls the event finished ([`AssistantsUpdate::ToolCallDone`]), then the event's own
    /// update.
    ///
    /// ```
    /// use openai_wire_events::{AssistantStreamEvent, StreamEvent};
    /// use openai_wire_fold::{AssistantsFold, AssistantsUpdate};
    ///
    /// let completed = r#"{"id":"msg_1","object":"thread.message","role":"assistant","status":"completed",
    ///     "content":[{"type":"text","text":{"value":"Hello","annotations":[]}}]}"#;
    /// let mut fold = AssistantsFold::new();
    /// let updates = fold.push_updates(&AssistantStreamEvent::decode(Some("thread.message.completed"), completed)?);
    /// assert!(matches!(&updates[..], [AssistantsUpdate::UnstreamedText { text, .. }] if text == "Hello"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn push_updates(&mut self, event: &AssistantStreamEvent) -> Vec<AssistantsUpdate> {
        let mut updates = Vec::new();
        let own = self.apply(event, &mut updates);
        updates.extend(own);
        updates
    }

    /// Folds one event; pushes to `extra` the updates beside the event's own, which it returns.
    fn apply(
        &mut self,
        event: &AssistantStreamEvent,
        extra: &mut Vec<AssistantsUpdate>,
    ) -> Option<AssistantsUpdate> {
        use AssistantStreamEvent as E;
        match event {
            E::ThreadRunCreated(run)
            | E::ThreadRunQueued(run)
            | E::ThreadRunInProgress(run)
            | E::ThreadRunCompleted(run)
            | E::ThreadRunIncomplete(run)
            | E::ThreadRunFailed(run)
            | E::ThreadRunCancelling(run)
            | E::ThreadRunCancelled(run)
            | E::ThreadRunExpired(run) => {
                self.run = Some((**run).clone());
                Some(AssistantsUpdate::RunStatus {
                    status: run.status.clone(),
                })
            }
            E::ThreadRunRequiresAction(run) => {
                self.run = Some((**run).clone());
                for call in run
                    .required_action
                    .iter()
                    .flat_map(|a| &a.submit_tool_outputs.tool_calls)
                {
                    let (name, arguments) = (&call.function.name, &call.function.arguments);
                    self.call_done(&call.id, "function", name, arguments, extra);
                }
                Some(AssistantsUpdate::RequiresAction)
            }
            E::ThreadRunStepCompleted(step) => {
                upsert(&mut self.steps, (**step).clone(), |s| &s.id);
                self.step_calls_done(&step.id, extra);
                None
            }
            E::ThreadRunStepCreated(step)
            | E::ThreadRunStepInProgress(step)
            | E::ThreadRunStepFailed(step)
            | E::ThreadRunStepCancelled(step)
            | E::ThreadRunStepExpired(step) => {
                upsert(&mut self.steps, (**step).clone(), |s| &s.id);
                None
            }
            E::ThreadRunStepDelta(delta) => {
                let step = self.steps.iter_mut().find(|s| s.id == delta.id)?;
                apply_patch(step, &serde_json::to_value(&delta.delta).ok()?);
                None
            }
            event => self.message_event(event, extra),
        }
    }

    /// Folds a message event, `error` or `done`.
    fn message_event(
        &mut self,
        event: &AssistantStreamEvent,
        extra: &mut Vec<AssistantsUpdate>,
    ) -> Option<AssistantsUpdate> {
        use AssistantStreamEvent as E;
        match event {
            E::ThreadMessageCompleted(message) | E::ThreadMessageIncomplete(message) => {
                upsert(&mut self.messages, (**message).clone(), |m| &m.id);
                self.catch_up(&message.id, extra);
                None
            }
            E::ThreadMessageCreated(message) | E::ThreadMessageInProgress(message) => {
                upsert(&mut self.messages, (**message).clone(), |m| &m.id);
                None
            }
            E::ThreadMessageDelta(delta) => self.message_delta(delta, extra),
            E::Error(error) => {
                self.errors.push(error.message.clone());
                Some(AssistantsUpdate::Error {
                    message: error.message.clone(),
                })
            }
            E::Done => {
                self.done = true;
                Some(AssistantsUpdate::Done)
            }
            _ => None,
        }
    }

    /// A `thread.message.delta`: its text and refusals are appended and reported.
    fn message_delta(
        &mut self,
        delta: &MessageDeltaObject,
        extra: &mut Vec<AssistantsUpdate>,
    ) -> Option<AssistantsUpdate> {
        let (mut text, mut refusal) = (None::<(u64, String)>, None::<(u64, String)>);
        for content in delta.delta.content.iter().flatten() {
            let (found, index, value) = match content {
                DeltaContent::Text(t) => (
                    &mut text,
                    t.index,
                    t.text.as_ref().and_then(|t| t.value.as_deref()),
                ),
                DeltaContent::Refusal(r) => (&mut refusal, r.index, r.refusal.as_deref()),
                _ => continue,
            };
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                let index = u64::try_from(index).unwrap_or_default();
                found
                    .get_or_insert_with(|| (index, String::new()))
                    .1
                    .push_str(value);
            }
        }
        let message = self.message_mut(&delta.id)?;
        if let Ok(patch) = serde_json::to_value(&delta.delta) {
            apply_patch(message, &patch);
        }
        let shown = self.shown.entry(delta.id.clone()).or_default();
        let message_id = delta.id.clone();
        let refusal = refusal.map(|(index, delta)| {
            shown[REFUSAL].push(&delta);
            AssistantsUpdate::RefusalDelta {
                message_id: message_id.clone(),
                index,
                delta,
            }
        });
        let text = text.map(|(index, delta)| {
            shown[TEXT].push(&delta);
            AssistantsUpdate::TextDelta {
                message_id,
                index,
                delta,
            }
        });
        match (text, refusal) {
            (Some(text), Some(refusal)) => {
                extra.push(refusal);
                Some(text)
            }
            (text, refusal) => text.or(refusal),
        }
    }

    /// The message with this id; a delta for a message never announced (a trimmed recording)
    /// makes it.
    fn message_mut(&mut self, id: &str) -> Option<&mut MessageObject> {
        if let Some(pos) = self.messages.iter().position(|m| m.id == id) {
            return self.messages.get_mut(pos);
        }
        let message = serde_json::from_value(serde_json::json!({
            "id": id, "object": "thread.message", "role": "assistant",
            "content": [], "created_at": 0, "thread_id": "", "status": "in_progress",
        }))
        .ok()?;
        self.messages.push(message);
        self.messages.last_mut()
    }

    /// Reports what the message `id` has of text and refusals that no update gave.
    fn catch_up(&mut self, id: &str, extra: &mut Vec<AssistantsUpdate>) {
        let Some(message) = self.messages.iter().find(|m| m.id == id) else {
            return;
        };
        let (mut texts, mut refusals) = (Vec::new(), Vec::new());
        for (index, part) in (0u64..).zip(&message.content) {
            match part {
                MessageObjectContentItem::Text(t) => texts.push((index, t.text.value.as_str())),
                MessageObjectContentItem::Refusal(r) => refusals.push((index, r.refusal.as_str())),
                _ => {}
            }
        }
        let shown = self.shown.entry(id.to_owned()).or_default();
        for (kind, parts) in [(TEXT, texts), (REFUSAL, refusals)] {
            if parts.iter().all(|(_, text)| text.is_empty()) {
                continue;
            }
            for (index, text) in shown[kind].catch_up(&parts) {
                let part = match kind {
                    TEXT => MessagePart::Text(index),
                    _ => MessagePart::Refusal(index),
                };
                extra.push(AssistantsUpdate::UnstreamedText {
                    message_id: id.to_owned(),
                    part,
                    text: text.to_owned(),
                });
            }
        }
    }

    /// Reports the tool calls of the completed step `id` (as its deltas and its completed
    /// object give them) that were not reported yet.
    fn step_calls_done(&mut self, id: &str, extra: &mut Vec<AssistantsUpdate>) {
        let Some(step) = self.steps.iter().find(|s| s.id == id) else {
            return;
        };
        let Ok(step) = serde_json::to_value(step) else {
            return;
        };
        let calls = step
            .pointer("/step_details/tool_calls")
            .and_then(Value::as_array);
        for call in calls.into_iter().flatten() {
            let text = |pointer: &str| call.pointer(pointer).and_then(Value::as_str).unwrap_or("");
            let kind = text("/type");
            let (name, arguments) = match kind {
                "function" => (text("/function/name"), text("/function/arguments")),
                "code_interpreter" => ("", text("/code_interpreter/input")),
                _ => ("", ""),
            };
            self.call_done(text("/id"), kind, name, arguments, extra);
        }
    }

    /// Reports a finished tool call, unless its id was reported already.
    fn call_done(
        &mut self,
        id: &str,
        kind: &str,
        name: &str,
        arguments: &str,
        extra: &mut Vec<AssistantsUpdate>,
    ) {
        if self.calls_done.iter().any(|done| done == id) {
            return;
        }
        self.calls_done.push(id.to_owned());
        extra.push(AssistantsUpdate::ToolCallDone {
            id: id.to_owned(),
            kind: kind.to_owned(),
            name: name.to_owned(),
            arguments: arguments.to_owned(),
        });
    }

    /// The run, as its latest event gave it.
    pub fn run(&self) -> Option<&RunObject> {
        self.run.as_ref()
    }

    /// The run's steps, in the order they were created.
    pub fn steps(&self) -> &[RunStepObject] {
        &self.steps
    }

    /// The messages, in the order they were created.
    pub fn messages(&self) -> &[MessageObject] {
        &self.messages
    }

    /// The messages of the `error` events so far.
    pub fn errors(&self) -> &[String] {
        &self.errors
    }

    /// Whether the `done` event arrived.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The text of the assistant's messages, in order.
    pub fn final_text(&self) -> String {
        let mut out = String::new();
        for message in &self.messages {
            for part in &message.content {
                if let MessageObjectContentItem::Text(t) = part {
                    out.push_str(&t.text.value);
                }
            }
        }
        out
    }
}

/// Folds a whole Assistants run stream.
pub fn fold_assistants(events: impl IntoIterator<Item = AssistantStreamEvent>) -> AssistantsFold {
    let mut fold = AssistantsFold::new();
    for event in events {
        fold.push(&event);
    }
    fold
}
