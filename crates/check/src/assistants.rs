//! The Assistants run stream checker.

use std::collections::BTreeMap;

use openai_wire_decode::Summary;
use openai_wire_events::{AssistantStreamEvent, StreamEvent};
use serde_json::Value;

use crate::util::{self, str_field};
use crate::{Finding, Rule, StreamChecker, rules};

/// The objects of a run stream, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Run,
    Step,
    Message,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Step => "run step",
            Kind::Message => "message",
        }
    }
}

/// What an event does to its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Create,
    Progress,
    End,
}

fn classify(event: &str) -> Option<(Kind, Action)> {
    let (kind, state) = if let Some(state) = event.strip_prefix("thread.run.step.") {
        (Kind::Step, state)
    } else if let Some(state) = event.strip_prefix("thread.run.") {
        (Kind::Run, state)
    } else if let Some(state) = event.strip_prefix("thread.message.") {
        (Kind::Message, state)
    } else {
        return None;
    };
    let action = match state {
        "created" => Action::Create,
        "completed" | "incomplete" | "failed" | "cancelled" | "expired" => Action::End,
        _ => Action::Progress,
    };
    Some((kind, action))
}

/// A streaming checker of the Assistants run stream ([`AssistantStreamEvent`]).
///
/// Rules: `assistants.*`, `decode.unknown-event`, `lifecycle.truncated` (see
/// [`crate::RULES`]). Runs, steps and messages are created before they progress, do not move
/// after they end, and all end before the run completes; `done` comes last.
///
/// ```
/// use openai_wire_check::{AssistantsChecker, StreamChecker};
/// use openai_wire_events::{AssistantStreamEvent, StreamEvent};
///
/// let delta = AssistantStreamEvent::decode(
///     Some("thread.message.delta"),
///     r#"{"id":"msg_1","object":"thread.message.delta","delta":{"content":[]}}"#,
/// )?;
/// let mut checker = AssistantsChecker::new();
/// checker.push(0, &delta);
/// let ids: Vec<_> = checker.finish(None).iter().map(|f| f.rule.id).collect();
/// assert_eq!(ids, ["assistants.first-event", "assistants.event-order", "assistants.done"]);
/// # Ok::<(), openai_wire_events::DecodeError>(())
/// ```
#[derive(Debug, Default)]
pub struct AssistantsChecker {
    findings: Vec<Finding>,
    events: usize,
    /// Whether each object has ended, by kind and id.
    objects: BTreeMap<(Kind, String), bool>,
    done: Option<usize>,
    after_done_reported: bool,
    /// The stream continues a run (after `submit_tool_outputs`): runs and steps it did not
    /// create existed before it.
    continuation: bool,
}

impl AssistantsChecker {
    /// A checker at the start of a run stream.
    pub fn new() -> Self {
        Self::default()
    }

    fn report(&mut self, rule: &'static Rule, index: usize, message: impl Into<String>) {
        self.findings.push(Finding::new(rule, Some(index), message));
    }

    fn object_event(&mut self, index: usize, name: &str, kind: Kind, action: Action, data: &Value) {
        let id = str_field(data, "id").unwrap_or_default().to_owned();
        let key = (kind, id);
        if self.continuation
            && kind != Kind::Message
            && action != Action::Create
            && !self.objects.contains_key(&key)
        {
            // Created in the stream this one continues.
            self.objects.insert(key.clone(), false);
        }
        let message = match (action, self.objects.get(&key).copied()) {
            (Action::Create, None) => {
                self.objects.insert(key, false);
                None
            }
            (Action::Create, Some(_)) => Some(format!(
                "`{name}`: {} {} was already created",
                kind.name(),
                key.1
            )),
            (_, None) => Some(format!(
                "`{name}` for {} {}, which was never created",
                kind.name(),
                key.1
            )),
            (_, Some(true)) => Some(format!(
                "`{name}` for {} {} after it ended",
                kind.name(),
                key.1
            )),
            (Action::Progress, Some(false)) => None,
            (Action::End, Some(false)) => {
                self.objects.insert(key.clone(), true);
                if kind == Kind::Run && name == "thread.run.completed" {
                    let open: Vec<String> = self
                        .objects
                        .iter()
                        .filter(|((k, _), ended)| *k != Kind::Run && !**ended)
                        .map(|((k, id), _)| format!("{} {id}", k.name()))
                        .collect();
                    (!open.is_empty()).then(|| {
                        format!(
                            "run {} completed while {} had not ended",
                            key.1,
                            open.join(", ")
                        )
                    })
                } else {
                    None
                }
            }
        };
        if let Some(message) = message {
            self.report(&rules::ASSISTANTS_EVENT_ORDER, index, message);
        }
    }
}

impl StreamChecker for AssistantsChecker {
    type Event = AssistantStreamEvent;

    fn push(&mut self, index: usize, event: &AssistantStreamEvent) {
        let name = event.wire_type().to_owned();
        let first = self.events == 0;
        self.events += 1;
        if let Some(done) = self.done
            && !self.after_done_reported
        {
            self.after_done_reported = true;
            self.report(
                &rules::ASSISTANTS_DONE,
                index,
                format!("`{name}` after `done` at {done}"),
            );
        }
        if first {
            match name.as_str() {
                "thread.created" | "thread.run.created" => {}
                // After `submit_tool_outputs`, the stream resumes the paused run: the step
                // that required action completes first.
                "thread.run.step.completed" => self.continuation = true,
                _ => {
                    let message =
                        format!("the stream starts with `{name}`, not `thread.run.created`");
                    self.report(&rules::ASSISTANTS_FIRST_EVENT, index, message);
                }
            }
        }
        if event.is_unknown() {
            util::unknown_event(&mut self.findings, index, event);
            return;
        }
        if matches!(event, AssistantStreamEvent::Done) {
            self.done.get_or_insert(index);
            return;
        }
        if let Some((kind, action)) = classify(&name) {
            let value = util::to_value(event);
            let data = value.get("data").unwrap_or(&Value::Null);
            self.object_event(index, &name, kind, action, data);
        }
    }

    fn push_done_marker(&mut self, index: usize) {
        // A bare `data: [DONE]` without `event: done` ends the stream the same way.
        if self.done.is_none() {
            self.done = Some(index);
        }
    }

    fn finish(mut self, summary: Option<&Summary>) -> Vec<Finding> {
        if self.done.is_none() {
            self.findings.push(Finding::new(
                &rules::ASSISTANTS_DONE,
                None,
                "the stream ends without the `done` event",
            ));
        }
        util::truncated(&mut self.findings, summary);
        util::sort(&mut self.findings);
        self.findings
    }
}
