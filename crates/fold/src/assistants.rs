//! The Assistants run stream (`thread.*` events) folded into the run, its steps and messages.

use openai_wire_events::{
    AssistantStreamEvent, MessageDeltaObjectDeltaContentItem, MessageObject, RunObject,
    RunObjectStatus, RunStepObject,
};
use serde_json::Value;

/// What one Assistants event changed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AssistantsUpdate {
    /// Message text arrived (`thread.message.delta`).
    TextDelta {
        /// The message's id.
        message_id: String,
        /// The new text.
        delta: String,
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

/// Folds an Assistants run stream into the run, its steps and its messages.
///
/// - The run is the latest `thread.run.*` object.
/// - Steps and messages are kept in the order they were created; each `thread.run.step.*` /
///   `thread.message.*` object replaces the one with its id, keeping text the deltas gave when
///   the new object has none.
/// - `thread.message.delta` appends text (and annotations) to the message's content part at the
///   delta's `index`; `thread.run.step.delta` appends tool call fragments (`arguments`,
///   `input`, `output`, …) to the step's tool call at the fragment's `index`.
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
}

impl AssistantsFold {
    /// An empty fold.
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds one event and says what it changed.
    pub fn push(&mut self, event: &AssistantStreamEvent) -> Option<AssistantsUpdate> {
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
                Some(AssistantsUpdate::RequiresAction)
            }
            E::ThreadRunStepCreated(step)
            | E::ThreadRunStepInProgress(step)
            | E::ThreadRunStepCompleted(step)
            | E::ThreadRunStepFailed(step)
            | E::ThreadRunStepCancelled(step)
            | E::ThreadRunStepExpired(step) => {
                upsert(&mut self.steps, (**step).clone(), |s| &s.id);
                None
            }
            E::ThreadRunStepDelta(delta) => {
                let step = self.steps.iter_mut().find(|s| s.id == delta.id)?;
                let Ok(patch) = serde_json::to_value(&delta.delta) else {
                    return None;
                };
                apply_patch(step, &patch);
                None
            }
            E::ThreadMessageCreated(message)
            | E::ThreadMessageInProgress(message)
            | E::ThreadMessageCompleted(message)
            | E::ThreadMessageIncomplete(message) => {
                upsert(&mut self.messages, (**message).clone(), |m| &m.id);
                None
            }
            E::ThreadMessageDelta(delta) => {
                let text: String = delta
                    .delta
                    .content
                    .iter()
                    .flatten()
                    .filter_map(|c| match c {
                        MessageDeltaObjectDeltaContentItem::Text(t) => {
                            t.text.as_ref().and_then(|t| t.value.clone())
                        }
                        _ => None,
                    })
                    .collect();
                let message = match self.messages.iter_mut().position(|m| m.id == delta.id) {
                    Some(pos) => &mut self.messages[pos],
                    None => {
                        // A delta for a message never announced (a trimmed recording).
                        let message = serde_json::from_value(serde_json::json!({
                            "id": delta.id, "object": "thread.message", "role": "assistant",
                            "content": [], "created_at": 0, "thread_id": "", "status": "in_progress",
                        }))
                        .ok()?;
                        self.messages.push(message);
                        self.messages.last_mut()?
                    }
                };
                if let Ok(patch) = serde_json::to_value(&delta.delta) {
                    apply_patch(message, &patch);
                }
                (!text.is_empty()).then(|| AssistantsUpdate::TextDelta {
                    message_id: delta.id.clone(),
                    delta: text,
                })
            }
            E::Error(error) => Some(AssistantsUpdate::Error {
                message: error.message.clone(),
            }),
            E::Done => {
                self.done = true;
                Some(AssistantsUpdate::Done)
            }
            _ => None,
        }
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

    /// Whether the `done` event arrived.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The text of the assistant's messages, in order.
    pub fn final_text(&self) -> String {
        let mut out = String::new();
        for message in &self.messages {
            for part in &message.content {
                if let openai_wire_events::MessageObjectContentItem::Text(t) = part {
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

/// Replaces the element with the same id (keeping text the deltas gave when the new one has
/// none), or appends.
fn upsert<T, F>(list: &mut Vec<T>, new: T, id: F)
where
    T: serde::Serialize + serde::de::DeserializeOwned,
    F: Fn(&T) -> &String,
{
    match list.iter().position(|x| id(x) == id(&new)) {
        Some(pos) => {
            let old = serde_json::to_value(&list[pos]).unwrap_or(Value::Null);
            let mut merged = serde_json::to_value(&new).unwrap_or(Value::Null);
            keep_missing(&mut merged, &old);
            list[pos] = serde_json::from_value(merged).unwrap_or(new);
        }
        None => list.push(new),
    }
}

/// Fills empty arrays and null values of `new` from `old`, recursively.
fn keep_missing(new: &mut Value, old: &Value) {
    match (new, old) {
        (Value::Object(n), Value::Object(o)) => {
            for (key, ov) in o {
                match n.get_mut(key) {
                    Some(nv) => keep_missing(nv, ov),
                    None => {
                        n.insert(key.clone(), ov.clone());
                    }
                }
            }
        }
        (n @ Value::Null, o) => *n = o.clone(),
        (Value::Array(n), Value::Array(o)) if n.is_empty() => n.clone_from(o),
        _ => {}
    }
}

/// Applies a delta object (message or step delta) to `target` through their JSON.
fn apply_patch<T>(target: &mut T, patch: &Value)
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let Ok(mut value) = serde_json::to_value(&*target) else {
        return;
    };
    merge_delta(&mut value, patch);
    if let Ok(updated) = serde_json::from_value(value) {
        *target = updated;
    }
}

/// Keys whose string values stream in pieces and are concatenated.
const APPENDED: &[&str] = &["value", "arguments", "input", "output", "logs", "text"];

/// Merges a delta into a value: objects key by key, arrays of objects by their `index`
/// (an index beyond the array appends one element), the strings of [`APPENDED`] keys
/// concatenated, anything else replaced.
fn merge_delta(target: &mut Value, delta: &Value) {
    match (target, delta) {
        (Value::Object(t), Value::Object(d)) => {
            for (key, dv) in d {
                if dv.is_null() {
                    continue;
                }
                match t.get_mut(key) {
                    Some(Value::String(ts)) if APPENDED.contains(&key.as_str()) => {
                        if let Value::String(ds) = dv {
                            ts.push_str(ds);
                        }
                    }
                    Some(tv) if !tv.is_null() => merge_delta(tv, dv),
                    _ => {
                        t.insert(key.clone(), strip_indices(dv));
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(d)) => {
            for dv in d {
                let index = dv
                    .get("index")
                    .and_then(Value::as_u64)
                    .and_then(|i| usize::try_from(i).ok());
                match index {
                    Some(i) if i < t.len() => merge_delta(&mut t[i], dv),
                    _ => t.push(strip_indices(dv)),
                }
            }
        }
        (t, d) => *t = strip_indices(d),
    }
}

/// A delta fragment as a whole value: without the `index` keys the final objects do not have.
fn strip_indices(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != "index")
                .map(|(k, v)| (k.clone(), strip_indices(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_indices).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_by_index_appends_strings() {
        let mut v = json!({"step_details":{"tool_calls":[{"id":"c","function":{"name":"f","arguments":"{"}}]}});
        merge_delta(
            &mut v,
            &json!({"step_details":{"tool_calls":[{"index":0,"function":{"arguments":"}"}},{"index":1,"id":"d"}]}}),
        );
        assert_eq!(
            v["step_details"]["tool_calls"][0]["function"]["arguments"],
            "{}"
        );
        assert_eq!(v["step_details"]["tool_calls"][1], json!({"id":"d"}));
    }
}
