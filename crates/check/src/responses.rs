//! The Responses API checker.

use std::collections::BTreeMap;

use openai_wire_decode::Summary;
use openai_wire_events::{ResponseStreamEvent, StreamEvent};
use serde_json::Value;

use crate::response_object::{RESPONSE_EVENTS, incompleteness};
use crate::util::{self, excerpt, int_field, str_field};
use crate::{Finding, Rule, StreamChecker, rules};

/// Which index inside an item a streamed value belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sub {
    /// The item itself (arguments, input, code).
    Item,
    /// A content part (`content_index`).
    Content,
    /// A reasoning summary part (`summary_index`).
    Summary,
}

/// A streamed value: its delta event, its done event, the done event's field, and the rule that
/// compares them.
struct Streamed {
    name: &'static str,
    delta: &'static str,
    done: &'static str,
    field: &'static str,
    sub: Sub,
    rule: &'static Rule,
}

const STREAMED: &[Streamed] = &[
    Streamed {
        name: "text",
        delta: "response.output_text.delta",
        done: "response.output_text.done",
        field: "text",
        sub: Sub::Content,
        rule: &rules::DELTA_TEXT,
    },
    Streamed {
        name: "refusal",
        delta: "response.refusal.delta",
        done: "response.refusal.done",
        field: "refusal",
        sub: Sub::Content,
        rule: &rules::DELTA_REFUSAL,
    },
    Streamed {
        name: "reasoning_text",
        delta: "response.reasoning_text.delta",
        done: "response.reasoning_text.done",
        field: "text",
        sub: Sub::Content,
        rule: &rules::DELTA_REASONING_TEXT,
    },
    Streamed {
        name: "summary_text",
        delta: "response.reasoning_summary_text.delta",
        done: "response.reasoning_summary_text.done",
        field: "text",
        sub: Sub::Summary,
        rule: &rules::DELTA_SUMMARY_TEXT,
    },
    Streamed {
        name: "arguments",
        delta: "response.function_call_arguments.delta",
        done: "response.function_call_arguments.done",
        field: "arguments",
        sub: Sub::Item,
        rule: &rules::DELTA_ARGUMENTS,
    },
    Streamed {
        name: "arguments",
        delta: "response.mcp_call_arguments.delta",
        done: "response.mcp_call_arguments.done",
        field: "arguments",
        sub: Sub::Item,
        rule: &rules::DELTA_ARGUMENTS,
    },
    Streamed {
        name: "input",
        delta: "response.custom_tool_call_input.delta",
        done: "response.custom_tool_call_input.done",
        field: "input",
        sub: Sub::Item,
        rule: &rules::DELTA_CUSTOM_INPUT,
    },
    Streamed {
        name: "code",
        delta: "response.code_interpreter_call_code.delta",
        done: "response.code_interpreter_call_code.done",
        field: "code",
        sub: Sub::Item,
        rule: &rules::DELTA_CODE,
    },
];

const TERMINALS: &[(&str, &str)] = &[
    ("response.completed", "completed"),
    ("response.failed", "failed"),
    ("response.incomplete", "incomplete"),
];

/// What a streamed value has received so far.
#[derive(Debug, Default)]
struct Stream {
    deltas: String,
    any_delta: bool,
    done: Option<String>,
}

impl Stream {
    /// The value as the stream gave it: the done event's, else the deltas' (if any).
    fn value(&self) -> Option<&str> {
        match &self.done {
            Some(done) => Some(done),
            None if self.any_delta => Some(&self.deltas),
            None => None,
        }
    }
}

enum PartLookup {
    Open(i64),
    Missing {
        key: &'static str,
        at: i64,
        added: usize,
    },
    Done {
        key: &'static str,
        at: i64,
    },
}

#[derive(Debug, Default)]
struct Part {
    done: bool,
}

#[derive(Debug)]
struct ItemState {
    id: String,
    kind: String,
    done: bool,
    parts: Vec<Part>,
    summary: Vec<Part>,
    /// Streamed values by (name, sub index).
    streams: BTreeMap<(&'static str, i64), Stream>,
}

impl ItemState {
    fn streamed(&self, name: &'static str, sub: i64) -> Option<&str> {
        self.streams.get(&(name, sub)).and_then(Stream::value)
    }
}

/// A streaming checker of Responses API events ([`ResponseStreamEvent`]).
///
/// Rules: `lifecycle.*`, `sequence.*`, `index.*`, `nesting.*`, `delta.*`, `item.*`,
/// `response.all-fields`, `usage.totals`, `decode.unknown-event`, `lifecycle.truncated` (see
/// [`crate::RULES`]). `response.all-fields` looks for absent fields in the event's text when it
/// is given ([`push_raw`](StreamChecker::push_raw)); with [`push`](StreamChecker::push) it checks
/// the JSON the typed event writes, which is what a server writing that event sends.
///
/// ```
/// use openai_wire_check::{ResponseChecker, StreamChecker};
/// use openai_wire_events::{ResponseStreamEvent, StreamEvent};
///
/// let mut checker = ResponseChecker::new();
/// let created = ResponseStreamEvent::from_json(
///     r#"{"type":"response.created","sequence_number":0,"response":{"id":"r","status":"in_progress","output":[]}}"#,
/// )?;
/// checker.push(0, &created);
/// checker.push(1, &created); // again
/// let findings = checker.finish(None);
/// // (The cut-down response objects also get `response.all-fields` warnings.)
/// let ids: Vec<_> = findings.iter().filter(|f| f.is_error()).map(|f| f.rule.id).collect();
/// assert_eq!(ids, ["sequence.increasing", "lifecycle.single-created", "lifecycle.missing-terminal"]);
/// # Ok::<(), openai_wire_events::DecodeError>(())
/// ```
#[derive(Debug, Default)]
pub struct ResponseChecker {
    findings: Vec<Finding>,
    events: usize,
    last_index: Option<usize>,
    last_type: String,
    last_seq: Option<i64>,
    seq_missing_reported: bool,
    response_id: Option<String>,
    created: bool,
    terminal: Option<(usize, String)>,
    after_terminal_reported: bool,
    items: BTreeMap<i64, ItemState>,
    /// Done items by output_index.
    done_items: BTreeMap<i64, Value>,
    done_marker: bool,
}

impl ResponseChecker {
    /// A checker at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks one event; `raw` is its JSON text as received, when known.
    fn check(&mut self, index: usize, event: &ResponseStreamEvent, raw: Option<&str>) {
        let value = util::to_value(event);
        let kind = event.wire_type().to_owned();
        let first = self.events == 0;
        self.events += 1;
        self.last_index = Some(index);
        self.last_type.clone_from(&kind);
        if first {
            self.first_event(index, &kind, &value);
        }
        self.sequence(index, &value);
        if let Some((_, terminal)) = &self.terminal
            && !self.after_terminal_reported
        {
            self.after_terminal_reported = true;
            let message = format!("`{kind}` after the terminal event `{terminal}`");
            self.report(&rules::LIFECYCLE_TERMINAL_LAST, index, message);
        }
        if event.is_unknown() {
            util::unknown_event(&mut self.findings, index, event);
            return;
        }
        self.response_object(index, &kind, &value);
        self.response_fields(index, &kind, &value, raw);
        if let Some((_, status)) = TERMINALS.iter().find(|(t, _)| *t == kind) {
            self.terminal(index, &kind, status, &value);
            return;
        }
        self.event_of_type(index, &kind, &value);
    }

    /// The checks of one event type (not a terminal one).
    fn event_of_type(&mut self, index: usize, kind: &str, value: &Value) {
        match kind {
            "response.created" => {
                if self.created {
                    self.report(
                        &rules::LIFECYCLE_SINGLE_CREATED,
                        index,
                        "a second `response.created`",
                    );
                }
                self.created = true;
            }
            "response.output_item.added" => self.item_added(index, value),
            "response.output_item.done" => self.item_done(index, value),
            "response.content_part.added" => self.part_added(index, kind, value, Sub::Content),
            "response.content_part.done" => self.part_done(index, kind, value, Sub::Content),
            "response.reasoning_summary_part.added" => {
                self.part_added(index, kind, value, Sub::Summary);
            }
            "response.reasoning_summary_part.done" => {
                self.part_done(index, kind, value, Sub::Summary);
            }
            // Newer than the spec snapshot (`[[extra_event]]` of spec/codegen.toml): an event
            // about the open compaction item, carrying nothing but its `item_id` and
            // `output_index` (`index.output-known`, `nesting.item-id`, `nesting.item-open`).
            "response.compaction.compacting" => {
                self.open_item(index, kind, value);
            }
            _ => {
                if let Some(spec) = STREAMED.iter().find(|s| s.delta == kind) {
                    self.streamed(index, kind, value, spec, false);
                } else if let Some(spec) = STREAMED.iter().find(|s| s.done == kind) {
                    self.streamed(index, kind, value, spec, true);
                } else if value.get("output_index").is_some() {
                    // Any other event about an item (searching, annotation, partial image, …).
                    self.open_item(index, kind, value);
                }
            }
        }
    }

    fn report(&mut self, rule: &'static Rule, index: usize, message: impl Into<String>) {
        self.findings.push(Finding::new(rule, Some(index), message));
    }

    fn sequence(&mut self, index: usize, event: &Value) {
        match int_field(event, "sequence_number") {
            None => {
                if !self.seq_missing_reported {
                    self.seq_missing_reported = true;
                    self.report(
                        &rules::SEQUENCE_MISSING,
                        index,
                        "event has no sequence_number (reported once per stream)",
                    );
                }
            }
            Some(seq) => {
                if let Some(last) = self.last_seq {
                    if seq <= last {
                        self.report(
                            &rules::SEQUENCE_INCREASING,
                            index,
                            format!("sequence_number {seq} does not increase (previous {last})"),
                        );
                    } else if seq != last.saturating_add(1) {
                        self.report(
                            &rules::SEQUENCE_GAP,
                            index,
                            format!("sequence_number jumps from {last} to {seq}"),
                        );
                    }
                }
                self.last_seq = Some(self.last_seq.map_or(seq, |last| last.max(seq)));
            }
        }
    }

    fn first_event(&mut self, index: usize, kind: &str, event: &Value) {
        let resumed = int_field(event, "sequence_number").is_some_and(|s| s > 0);
        if !matches!(kind, "response.created" | "response.queued" | "error") && !resumed {
            self.report(
                &rules::LIFECYCLE_FIRST_EVENT,
                index,
                format!("the stream starts with `{kind}`, not `response.created`"),
            );
        }
    }

    fn response_object(&mut self, index: usize, kind: &str, event: &Value) {
        let Some(response) = event.get("response") else {
            return;
        };
        if let Some(id) = str_field(response, "id").filter(|id| !id.is_empty()) {
            match &self.response_id {
                None => self.response_id = Some(id.to_owned()),
                Some(first) if first != id => {
                    let message =
                        format!("`{kind}` is about response {id}, the stream about {first}");
                    self.report(&rules::LIFECYCLE_RESPONSE_ID, index, message);
                }
                Some(_) => {}
            }
        }
    }

    /// `response.all-fields`, on the event's text as received when there is one (the typed
    /// event writes `null` for what the text left out), else on the JSON the event writes.
    fn response_fields(&mut self, index: usize, kind: &str, event: &Value, raw: Option<&str>) {
        if !RESPONSE_EVENTS.contains(&kind) {
            return;
        }
        let received: Option<Value> = raw.and_then(|raw| serde_json::from_str(raw).ok());
        let Some(response) = received.as_ref().unwrap_or(event).get("response") else {
            return;
        };
        if let Some(gaps) = incompleteness(response) {
            let message = format!("the response of `{kind}` {gaps}");
            self.report(&rules::RESPONSE_ALL_FIELDS, index, message);
        }
    }

    fn terminal(&mut self, index: usize, kind: &str, status: &str, event: &Value) {
        if let Some((first, first_kind)) = &self.terminal {
            let message =
                format!("a second terminal event `{kind}` (first: `{first_kind}` at {first})");
            self.report(&rules::LIFECYCLE_SINGLE_TERMINAL, index, message);
            return;
        }
        self.terminal = Some((index, kind.to_owned()));
        let Some(response) = event.get("response") else {
            return;
        };
        if let Some(actual) = str_field(response, "status")
            && actual != status
        {
            let message = format!("`{kind}` carries a response with status `{actual}`");
            self.report(&rules::LIFECYCLE_TERMINAL_STATUS, index, message);
        }
        if let Some(usage) = response.get("usage").filter(|u| !u.is_null()) {
            util::check_usage(&mut self.findings, index, usage, util::RESPONSES_USAGE);
        }
        let output = response.get("output").and_then(Value::as_array);
        let output = output.map(Vec::as_slice).unwrap_or_default();
        if kind == "response.completed" {
            self.backfill_mcp_list_tools(index, output);
            let open: Vec<String> = self
                .items
                .iter()
                .filter(|(_, item)| !item.done)
                .map(|(oi, item)| format!("{oi} ({})", item.id))
                .collect();
            if !open.is_empty() {
                let message = format!(
                    "`response.completed` while output items {} were never done",
                    open.join(", ")
                );
                self.report(&rules::NESTING_ITEM_DONE, index, message);
            }
        }
        // A failed response may drop its output; otherwise the output is the done items.
        if kind == "response.failed" && output.is_empty() {
            return;
        }
        let done: Vec<(&i64, &Value)> = self.done_items.iter().collect();
        let mut message = None;
        if output.len() != done.len() {
            message = Some(format!(
                "response.output has {} items, {} items were done",
                output.len(),
                done.len()
            ));
        } else if let Some(position) = output
            .iter()
            .zip(&done)
            .position(|(a, (_, b))| !same_item(a, b))
        {
            message = Some(format!(
                "response.output[{position}] differs from the item of output_item.done at output_index {}",
                done[position].0
            ));
        }
        if let Some(message) = message {
            self.report(&rules::ITEM_OUTPUT_MATCHES_DONE, index, message);
        }
    }

    /// OpenAI's MCP backfill: `mcp_list_tools` items never done, before a last one that was,
    /// whose final form is in `response.completed`'s output (same id) are taken from there,
    /// with a warning of their own rule instead of the errors of an item never done.
    fn backfill_mcp_list_tools(&mut self, index: usize, output: &[Value]) {
        // Only items before the last `mcp_list_tools` item, which was done: a lone list that
        // never got its done event is still an error.
        let last_done = self
            .items
            .iter()
            .rfind(|(_, item)| item.kind == "mcp_list_tools")
            .filter(|(_, item)| item.done)
            .map(|(output_index, _)| *output_index);
        let Some(last_done) = last_done else {
            return;
        };
        let mut backfilled = Vec::new();
        for (output_index, item) in &mut self.items {
            if item.done || item.kind != "mcp_list_tools" || *output_index >= last_done {
                continue;
            }
            let Some(final_item) = output
                .iter()
                .find(|o| str_field(o, "id") == Some(item.id.as_str()))
            else {
                continue;
            };
            item.done = true;
            self.done_items.insert(*output_index, final_item.clone());
            backfilled.push(format!("{output_index} ({})", item.id));
        }
        if !backfilled.is_empty() {
            let message = format!(
                "`mcp_list_tools` items {} had no output_item.done; taken from `response.completed` \
                 (OpenAI does this with several MCP servers)",
                backfilled.join(", ")
            );
            self.report(&rules::NESTING_MCP_LIST_TOOLS_BACKFILL, index, message);
        }
    }

    fn item_added(&mut self, index: usize, event: &Value) {
        let output_index = int_field(event, "output_index").unwrap_or(-1);
        let expected = self.items.len() as i64;
        if output_index != expected {
            let message =
                format!("output_item.added with output_index {output_index}, expected {expected}");
            self.report(&rules::INDEX_OUTPUT_CONTIGUOUS, index, message);
        }
        let item = event.get("item").unwrap_or(&Value::Null);
        let state = ItemState {
            id: str_field(item, "id").unwrap_or_default().to_owned(),
            kind: str_field(item, "type").unwrap_or_default().to_owned(),
            done: false,
            parts: Vec::new(),
            summary: Vec::new(),
            streams: BTreeMap::new(),
        };
        if self.items.contains_key(&output_index) {
            // Reported above (not contiguous); the new item replaces the old one.
            self.done_items.remove(&output_index);
        }
        self.items.insert(output_index, state);
    }

    /// The open item an event is about, after checking its `output_index` and `item_id`.
    fn open_item(&mut self, index: usize, kind: &str, event: &Value) -> Option<i64> {
        let output_index = int_field(event, "output_index")?;
        let Some(item) = self.items.get(&output_index) else {
            let message = format!(
                "`{kind}` for output_index {output_index}, which no output_item.added opened"
            );
            self.report(&rules::INDEX_OUTPUT_KNOWN, index, message);
            return None;
        };
        let mut findings = Vec::new();
        if let Some(item_id) = str_field(event, "item_id")
            && !item.id.is_empty()
            && item_id != item.id
        {
            findings.push((
                &rules::NESTING_ITEM_ID,
                format!(
                    "`{kind}` names item {item_id}, but output_index {output_index} is item {}",
                    item.id
                ),
            ));
        }
        let open = !item.done;
        if !open {
            findings.push((
                &rules::NESTING_ITEM_OPEN,
                format!("`{kind}` for output_index {output_index} after its output_item.done"),
            ));
        }
        for (rule, message) in findings {
            self.report(rule, index, message);
        }
        open.then_some(output_index)
    }

    fn item_done(&mut self, index: usize, event: &Value) {
        let output_index = int_field(event, "output_index").unwrap_or(-1);
        let done_item = event.get("item").cloned().unwrap_or(Value::Null);
        let mut findings: Vec<(&'static Rule, String)> = Vec::new();
        let Some(item) = self.items.get_mut(&output_index) else {
            let message =
                format!("output_item.done for output_index {output_index}, which was never added");
            self.report(&rules::NESTING_ITEM_DONE, index, message);
            return;
        };
        if item.done {
            findings.push((
                &rules::NESTING_ITEM_DONE,
                format!("a second output_item.done for output_index {output_index}"),
            ));
        }
        item.done = true;
        let done_id = str_field(&done_item, "id").unwrap_or_default();
        let done_kind = str_field(&done_item, "type").unwrap_or_default();
        if done_id != item.id || done_kind != item.kind {
            findings.push((
                &rules::ITEM_DONE_MATCHES_ADDED,
                format!(
                    "done item is {done_kind} {done_id}, added item was {} {}",
                    item.kind, item.id
                ),
            ));
        }
        let open_parts = item.parts.iter().filter(|p| !p.done).count()
            + item.summary.iter().filter(|p| !p.done).count();
        if open_parts > 0 {
            findings.push((
                &rules::NESTING_PART_DONE,
                format!("output_item.done for output_index {output_index} while {open_parts} of its parts are not done"),
            ));
        }
        compare_done_item(item, &done_item, &mut findings);
        for (rule, message) in findings {
            self.report(rule, index, message);
        }
        self.done_items.insert(output_index, done_item);
    }

    fn part_added(&mut self, index: usize, kind: &str, event: &Value, sub: Sub) {
        let Some(oi) = self.open_item(index, kind, event) else {
            return;
        };
        let (key, rule) = match sub {
            Sub::Summary => ("summary_index", &rules::INDEX_SUMMARY_CONTIGUOUS),
            _ => ("content_index", &rules::INDEX_CONTENT_CONTIGUOUS),
        };
        let Some(item) = self.items.get_mut(&oi) else {
            return;
        };
        let parts = if sub == Sub::Summary {
            &mut item.summary
        } else {
            &mut item.parts
        };
        let at = int_field(event, key).unwrap_or(-1);
        let expected = parts.len() as i64;
        parts.push(Part::default());
        if at != expected {
            self.report(
                rule,
                index,
                format!("`{kind}` with {key} {at}, expected {expected}"),
            );
        }
    }

    /// Finds the part named by the event: its index when it is open.
    fn lookup_part(&self, event: &Value, oi: i64, sub: Sub) -> PartLookup {
        let key = match sub {
            Sub::Item => return PartLookup::Open(0),
            Sub::Content => "content_index",
            Sub::Summary => "summary_index",
        };
        let at = int_field(event, key).unwrap_or(-1);
        let Some(item) = self.items.get(&oi) else {
            return PartLookup::Missing { key, at, added: 0 };
        };
        let parts = if sub == Sub::Summary {
            &item.summary
        } else {
            &item.parts
        };
        match usize::try_from(at).ok().and_then(|i| parts.get(i)) {
            None => PartLookup::Missing {
                key,
                at,
                added: parts.len(),
            },
            Some(part) if part.done => PartLookup::Done { key, at },
            Some(_) => PartLookup::Open(at),
        }
    }

    /// The open part an event is about; reports when it was never added or is already done.
    fn open_part(
        &mut self,
        index: usize,
        kind: &str,
        event: &Value,
        oi: i64,
        sub: Sub,
    ) -> Option<i64> {
        match self.lookup_part(event, oi, sub) {
            PartLookup::Open(at) => Some(at),
            PartLookup::Missing { key, at, added } => {
                let message = format!(
                    "`{kind}` for {key} {at} of output_index {oi}, which has {added} parts added"
                );
                self.report(&rules::INDEX_PART_KNOWN, index, message);
                None
            }
            PartLookup::Done { key, at } => {
                let message =
                    format!("`{kind}` for {key} {at} of output_index {oi} after its part was done");
                self.report(&rules::NESTING_PART_OPEN, index, message);
                None
            }
        }
    }

    fn part_done(&mut self, index: usize, kind: &str, event: &Value, sub: Sub) {
        let Some(oi) = self.open_item(index, kind, event) else {
            return;
        };
        let at = match self.lookup_part(event, oi, sub) {
            PartLookup::Open(at) => at,
            PartLookup::Done { key, at } => {
                let message = format!("a second `{kind}` for {key} {at} of output_index {oi}");
                self.report(&rules::NESTING_PART_DONE, index, message);
                return;
            }
            PartLookup::Missing { key, at, added } => {
                let message = format!(
                    "`{kind}` for {key} {at} of output_index {oi}, which has {added} parts added"
                );
                self.report(&rules::INDEX_PART_KNOWN, index, message);
                return;
            }
        };
        let Some(item) = self.items.get_mut(&oi) else {
            return;
        };
        let parts = if sub == Sub::Summary {
            &mut item.summary
        } else {
            &mut item.parts
        };
        if let Some(part) = usize::try_from(at).ok().and_then(|i| parts.get_mut(i)) {
            part.done = true;
        }
        // The done part holds what was streamed into it.
        let part = event.get("part").unwrap_or(&Value::Null);
        let mut mismatch = None;
        let checks: &[(&str, &'static str)] = if sub == Sub::Summary {
            &[("text", "summary_text")]
        } else {
            &[
                ("text", "text"),
                ("refusal", "refusal"),
                ("text", "reasoning_text"),
            ]
        };
        for (field, name) in checks {
            if let (Some(streamed), Some(actual)) =
                (item.streamed(name, at), str_field(part, field))
                && streamed != actual
                && part_kind_matches(part, name)
            {
                mismatch = Some(format!(
                    "`{kind}` {field} {} differs from the streamed {}",
                    excerpt(actual),
                    excerpt(streamed)
                ));
            }
        }
        if let Some(message) = mismatch {
            self.report(&rules::ITEM_DONE_MATCHES_STREAMED, index, message);
        }
    }

    fn streamed(
        &mut self,
        index: usize,
        kind: &str,
        event: &Value,
        spec: &Streamed,
        is_done: bool,
    ) {
        let Some(oi) = self.open_item(index, kind, event) else {
            return;
        };
        let Some(at) = self.open_part(index, kind, event, oi, spec.sub) else {
            return;
        };
        let Some(item) = self.items.get_mut(&oi) else {
            return;
        };
        let stream = item.streams.entry((spec.name, at)).or_default();
        if stream.done.is_some() {
            let message = format!("`{kind}` after `{}` for the same value", spec.done);
            self.report(&rules::NESTING_AFTER_DONE, index, message);
            return;
        }
        if !is_done {
            stream.any_delta = true;
            stream
                .deltas
                .push_str(str_field(event, "delta").unwrap_or_default());
            return;
        }
        let done = str_field(event, spec.field).unwrap_or_default().to_owned();
        let mismatch = (stream.deltas != done).then(|| {
            format!(
                "`{kind}` {} is {}, the deltas concatenate to {}",
                spec.field,
                excerpt(&done),
                excerpt(&stream.deltas)
            )
        });
        stream.done = Some(done);
        if let Some(message) = mismatch {
            self.report(spec.rule, index, message);
        }
    }
}

/// Fields that hold ciphertext: OpenAI encrypts them afresh each time it writes an item, so the
/// done item's and the final output's differ byte-wise while meaning the same.
const OPAQUE_FIELDS: &[&str] = &["encrypted_content", "fingerprint"];

/// Whether two items are equal, opaque (re-encrypted) fields aside.
fn same_item(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            let keys = |m: &serde_json::Map<String, Value>| {
                m.keys()
                    .filter(|k| !OPAQUE_FIELDS.contains(&k.as_str()))
                    .count()
            };
            keys(a) == keys(b)
                && a.iter()
                    .filter(|(k, _)| !OPAQUE_FIELDS.contains(&k.as_str()))
                    .all(|(k, v)| b.get(k).is_some_and(|w| same_item(v, w)))
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(v, w)| same_item(v, w))
        }
        _ => a == b,
    }
}

/// Whether a content part of this type holds the streamed value `name`.
fn part_kind_matches(part: &Value, name: &str) -> bool {
    let kind = str_field(part, "type").unwrap_or_default();
    match name {
        "text" => kind == "output_text",
        "refusal" => kind == "refusal",
        "reasoning_text" => kind == "reasoning_text",
        _ => true,
    }
}

/// Compares the item of `output_item.done` with what was streamed into it.
fn compare_done_item(item: &ItemState, done: &Value, findings: &mut Vec<(&'static Rule, String)>) {
    let mismatch = |findings: &mut Vec<(&'static Rule, String)>,
                    what: String,
                    actual: &str,
                    streamed: &str| {
        if actual != streamed {
            findings.push((
                &rules::ITEM_DONE_MATCHES_STREAMED,
                format!(
                    "done item {} {what} is {}, the stream gave {}",
                    item.id,
                    excerpt(actual),
                    excerpt(streamed)
                ),
            ));
        }
    };
    let field = |key: &str| str_field(done, key).unwrap_or_default().to_owned();
    match item.kind.as_str() {
        "function_call" | "mcp_call" => {
            if let Some(streamed) = item.streamed("arguments", 0) {
                mismatch(findings, "arguments".into(), &field("arguments"), streamed);
            }
        }
        "custom_tool_call" => {
            if let Some(streamed) = item.streamed("input", 0) {
                mismatch(findings, "input".into(), &field("input"), streamed);
            }
        }
        "code_interpreter_call" => {
            if let Some(streamed) = item.streamed("code", 0) {
                mismatch(findings, "code".into(), &field("code"), streamed);
            }
        }
        _ => {}
    }
    let list = |key: &str| -> Vec<Value> {
        done.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    if item.kind == "message" || item.kind == "reasoning" {
        let content = list("content");
        if !item.parts.is_empty() && content.len() != item.parts.len() {
            findings.push((
                &rules::ITEM_DONE_MATCHES_STREAMED,
                format!(
                    "done item {} has {} content parts, {} were added",
                    item.id,
                    content.len(),
                    item.parts.len()
                ),
            ));
        }
        for (i, part) in content.iter().enumerate() {
            let at = i as i64;
            for (key, name) in [
                ("text", "text"),
                ("refusal", "refusal"),
                ("text", "reasoning_text"),
            ] {
                if let (Some(streamed), Some(actual)) =
                    (item.streamed(name, at), str_field(part, key))
                    && part_kind_matches(part, name)
                {
                    mismatch(findings, format!("content[{i}].{key}"), actual, streamed);
                }
            }
        }
    }
    if item.kind == "reasoning" {
        let summary = list("summary");
        if !item.summary.is_empty() && summary.len() != item.summary.len() {
            findings.push((
                &rules::ITEM_DONE_MATCHES_STREAMED,
                format!(
                    "done item {} has {} summary parts, {} were added",
                    item.id,
                    summary.len(),
                    item.summary.len()
                ),
            ));
        }
        for (i, part) in summary.iter().enumerate() {
            if let (Some(streamed), Some(actual)) = (
                item.streamed("summary_text", i as i64),
                str_field(part, "text"),
            ) {
                mismatch(findings, format!("summary[{i}].text"), actual, streamed);
            }
        }
    }
}

impl StreamChecker for ResponseChecker {
    type Event = ResponseStreamEvent;

    fn push(&mut self, index: usize, event: &ResponseStreamEvent) {
        self.check(index, event, None);
    }

    fn push_raw(&mut self, index: usize, event: &ResponseStreamEvent, raw: &str) {
        self.check(index, event, Some(raw));
    }

    fn push_done_marker(&mut self, index: usize) {
        if !self.done_marker {
            self.done_marker = true;
            self.report(
                &rules::LIFECYCLE_DONE_MARKER,
                index,
                "`data: [DONE]` on a Responses stream (the spec ends it with its terminal event)",
            );
        }
    }

    fn finish(mut self, summary: Option<&Summary>) -> Vec<Finding> {
        if self.terminal.is_none() && self.last_type != "error" {
            let message = if self.events == 0 {
                "the stream has no events".to_owned()
            } else {
                format!(
                    "the stream ends with `{}`, without a terminal event",
                    self.last_type
                )
            };
            self.findings.push(Finding::new(
                &rules::LIFECYCLE_MISSING_TERMINAL,
                None,
                message,
            ));
        }
        util::truncated(&mut self.findings, summary);
        util::sort(&mut self.findings);
        self.findings
    }
}
