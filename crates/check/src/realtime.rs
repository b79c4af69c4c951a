//! The Realtime (server events) checker.

use std::collections::BTreeMap;

use openai_wire_decode::Summary;
use openai_wire_events::{RealtimeServerEvent, StreamEvent};
use serde_json::Value;

use crate::util::{self, excerpt, int_field, str_field};
use crate::{Finding, Rule, StreamChecker, rules};

/// Streamed values: (delta type, done type, done field).
const STREAMED: &[(&str, &str, &str)] = &[
    (
        "response.output_text.delta",
        "response.output_text.done",
        "text",
    ),
    (
        "response.output_audio_transcript.delta",
        "response.output_audio_transcript.done",
        "transcript",
    ),
    (
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "arguments",
    ),
];

#[derive(Debug, Default)]
struct Stream {
    deltas: String,
    any_delta: bool,
    done: bool,
}

#[derive(Debug, Default)]
struct Item {
    done: bool,
    /// Content parts by index: whether done.
    parts: BTreeMap<i64, bool>,
    streams: BTreeMap<(&'static str, i64), Stream>,
}

#[derive(Debug, Default)]
struct Response {
    done: bool,
    items: BTreeMap<String, Item>,
}

/// A streaming checker of Realtime server events ([`RealtimeServerEvent`]).
///
/// Rules: `realtime.*`, `usage.totals` (on `response.done`), `decode.unknown-event`,
/// `lifecycle.truncated` (see [`crate::RULES`]). Events of a response (`response_id`) must
/// come between its `response.created` and `response.done`; items and parts open and close
/// once; deltas concatenate to their done value.
///
/// ```
/// use openai_wire_check::{RealtimeChecker, StreamChecker};
/// use openai_wire_events::{RealtimeServerEvent, StreamEvent};
///
/// let done = RealtimeServerEvent::from_json(
///     r#"{"type":"response.done","event_id":"e1","response":{"id":"resp_1","object":"realtime.response","status":"completed","output":[]}}"#,
/// )?;
/// let mut checker = RealtimeChecker::new();
/// checker.push(0, &done);
/// assert_eq!(checker.finish(None)[0].rule.id, "realtime.response-pairing");
/// # Ok::<(), openai_wire_events::DecodeError>(())
/// ```
#[derive(Debug, Default)]
pub struct RealtimeChecker {
    findings: Vec<Finding>,
    responses: BTreeMap<String, Response>,
}

impl RealtimeChecker {
    /// A checker at the start of a session.
    pub fn new() -> Self {
        Self::default()
    }

    fn report(&mut self, rule: &'static Rule, index: usize, message: impl Into<String>) {
        self.findings.push(Finding::new(rule, Some(index), message));
    }

    fn response_created(&mut self, index: usize, event: &Value) {
        let id = event
            .get("response")
            .and_then(|r| str_field(r, "id"))
            .unwrap_or_default()
            .to_owned();
        if self.responses.contains_key(&id) {
            let message = format!("a second `response.created` for response {id}");
            self.report(&rules::REALTIME_RESPONSE_PAIRING, index, message);
        }
        self.responses.insert(id, Response::default());
    }

    fn response_done(&mut self, index: usize, event: &Value) {
        let response = event.get("response").unwrap_or(&Value::Null);
        let id = str_field(response, "id").unwrap_or_default().to_owned();
        if let Some(usage) = response.get("usage").filter(|u| !u.is_null()) {
            util::check_usage(&mut self.findings, index, usage, util::RESPONSES_USAGE);
        }
        let mut findings = Vec::new();
        match self.responses.get_mut(&id) {
            None => findings.push((
                &rules::REALTIME_RESPONSE_PAIRING,
                format!("`response.done` for response {id}, which was never created"),
            )),
            Some(state) if state.done => findings.push((
                &rules::REALTIME_RESPONSE_PAIRING,
                format!("a second `response.done` for response {id}"),
            )),
            Some(state) => {
                state.done = true;
                let open: Vec<&str> = state
                    .items
                    .iter()
                    .filter(|(_, item)| !item.done)
                    .map(|(id, _)| id.as_str())
                    .collect();
                if !open.is_empty() {
                    findings.push((
                        &rules::REALTIME_ITEM_LIFECYCLE,
                        format!(
                            "`response.done` while items {} are not done",
                            open.join(", ")
                        ),
                    ));
                }
            }
        }
        for (rule, message) in findings {
            self.report(rule, index, message);
        }
    }

    /// The open response an event belongs to.
    fn open_response(&mut self, index: usize, kind: &str, event: &Value) -> Option<String> {
        let id = str_field(event, "response_id")?.to_owned();
        let message = match self.responses.get(&id) {
            Some(response) if !response.done => return Some(id),
            Some(_) => format!("`{kind}` for response {id} after its `response.done`"),
            None => format!("`{kind}` for response {id}, which was never created"),
        };
        self.report(&rules::REALTIME_ITEM_LIFECYCLE, index, message);
        None
    }

    fn item_event(&mut self, index: usize, kind: &str, event: &Value) {
        let Some(response_id) = self.open_response(index, kind, event) else {
            return;
        };
        let item_id = match kind {
            "response.output_item.added" | "response.output_item.done" => event
                .get("item")
                .and_then(|i| str_field(i, "id"))
                .unwrap_or_default(),
            _ => match str_field(event, "item_id") {
                Some(id) => id,
                None => return,
            },
        }
        .to_owned();
        let Some(response) = self.responses.get_mut(&response_id) else {
            return;
        };
        let mut problem: Option<(&'static Rule, String)> = None;
        if kind == "response.output_item.added" {
            if response.items.contains_key(&item_id) {
                problem = Some((
                    &rules::REALTIME_ITEM_LIFECYCLE,
                    format!("item {item_id} added twice"),
                ));
            }
            response.items.insert(item_id, Item::default());
        } else {
            match response.items.get_mut(&item_id) {
                None => {
                    problem = Some((
                        &rules::REALTIME_ITEM_LIFECYCLE,
                        format!(
                            "`{kind}` for item {item_id}, which response {response_id} never added"
                        ),
                    ));
                }
                Some(item) if item.done => {
                    problem = Some((
                        &rules::REALTIME_ITEM_LIFECYCLE,
                        format!(
                            "`{kind}` for item {item_id} after its `response.output_item.done`"
                        ),
                    ));
                }
                Some(item) => problem = item_sub_event(item, &item_id, kind, event),
            }
        }
        if let Some((rule, message)) = problem {
            self.report(rule, index, message);
        }
    }
}

/// An event inside an open item: parts, deltas, dones, and the item's own done.
fn item_sub_event(
    item: &mut Item,
    item_id: &str,
    kind: &str,
    event: &Value,
) -> Option<(&'static Rule, String)> {
    let content_index = int_field(event, "content_index").unwrap_or(0);
    let lifecycle = |message: String| Some((&rules::REALTIME_ITEM_LIFECYCLE, message));
    match kind {
        "response.output_item.done" => {
            item.done = true;
            let open = item.parts.values().filter(|done| !**done).count();
            if open > 0 {
                return lifecycle(format!(
                    "item {item_id} done while {open} of its parts are not done"
                ));
            }
        }
        "response.content_part.added" => {
            if item.parts.insert(content_index, false).is_some() {
                return lifecycle(format!(
                    "part {content_index} of item {item_id} added twice"
                ));
            }
        }
        "response.content_part.done" => match item.parts.get_mut(&content_index) {
            None => {
                return lifecycle(format!(
                    "part {content_index} of item {item_id} done, never added"
                ));
            }
            Some(true) => {
                return lifecycle(format!("part {content_index} of item {item_id} done twice"));
            }
            Some(done) => *done = true,
        },
        _ => {
            let (spec, is_done) = match STREAMED.iter().find(|(d, _, _)| *d == kind) {
                Some(spec) => (spec, false),
                None => match STREAMED.iter().find(|(_, d, _)| *d == kind) {
                    Some(spec) => (spec, true),
                    None => return None,
                },
            };
            let stream = item.streams.entry((spec.0, content_index)).or_default();
            if stream.done {
                return lifecycle(format!(
                    "`{kind}` for item {item_id} after its `{}`",
                    spec.1
                ));
            }
            if !is_done {
                stream.any_delta = true;
                stream
                    .deltas
                    .push_str(str_field(event, "delta").unwrap_or_default());
                return None;
            }
            stream.done = true;
            let done = str_field(event, spec.2).unwrap_or_default();
            if stream.any_delta && stream.deltas != done {
                return Some((
                    &rules::REALTIME_DELTA_MATCHES_DONE,
                    format!(
                        "`{kind}` {} is {}, the deltas concatenate to {}",
                        spec.2,
                        excerpt(done),
                        excerpt(&stream.deltas)
                    ),
                ));
            }
        }
    }
    None
}

impl StreamChecker for RealtimeChecker {
    type Event = RealtimeServerEvent;

    fn push(&mut self, index: usize, event: &RealtimeServerEvent) {
        if event.is_unknown() {
            util::unknown_event(&mut self.findings, index, event);
            return;
        }
        let kind = event.wire_type();
        let value = util::to_value(event);
        match kind {
            "response.created" => self.response_created(index, &value),
            "response.done" => self.response_done(index, &value),
            _ if kind.starts_with("response.") && value.get("response_id").is_some() => {
                self.item_event(index, kind, &value);
            }
            _ => {}
        }
    }

    fn push_done_marker(&mut self, _index: usize) {}

    fn finish(mut self, summary: Option<&Summary>) -> Vec<Finding> {
        for (id, response) in &self.responses {
            if !response.done {
                self.findings.push(Finding::new(
                    &rules::REALTIME_RESPONSE_UNFINISHED,
                    None,
                    format!("response {id} was created but never done"),
                ));
            }
        }
        util::truncated(&mut self.findings, summary);
        util::sort(&mut self.findings);
        self.findings
    }
}
