//! The catalogue of rules: every rule the checker can report, with its id, severity and doc line.

use std::fmt;

use openai_wire_decode::Protocol;
use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The stream breaks the protocol: a client following the spec may misread it.
    Error,
    /// A deviation seen in real traffic (often from third-party servers) that clients tolerate.
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One rule of the catalogue.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Dotted, stable id (`lifecycle.first-event`, `delta.text-matches-done`, `chat.single-id`).
    pub id: &'static str,
    /// The severity of every finding of this rule.
    pub severity: Severity,
    /// The protocol the rule applies to; `None` for rules that apply to every protocol.
    pub protocol: Option<Protocol>,
    /// One line saying what the rule requires.
    pub doc: &'static str,
}

impl Rule {
    /// The rule's protocol as written in `CHECKS.md`: the protocol's CLI name, or `any`.
    pub fn protocol_name(&self) -> &'static str {
        self.protocol.map_or("any", Protocol::name)
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut s = serializer.serialize_struct("Rule", 4)?;
        s.serialize_field("id", self.id)?;
        s.serialize_field("severity", &self.severity)?;
        s.serialize_field("protocol", self.protocol_name())?;
        s.serialize_field("doc", self.doc)?;
        s.end()
    }
}

/// No rule of the catalogue has this id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no rule `{0}` in the catalogue (see CHECKS.md)")]
pub struct UnknownRule(pub String);

/// The rule with this id.
///
/// ```
/// use openai_wire_check::{Severity, rule};
///
/// assert_eq!(rule("sequence.missing")?.severity, Severity::Warning);
/// assert!(rule("no.such-rule").is_err());
/// # Ok::<(), openai_wire_check::UnknownRule>(())
/// ```
pub fn rule(id: &str) -> Result<&'static Rule, UnknownRule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.id == id)
        .ok_or_else(|| UnknownRule(id.to_owned()))
}

macro_rules! catalogue {
    ($($name:ident = $id:literal, $severity:ident, $protocol:expr, $doc:literal;)*) => {
        /// Every rule as a `static`, so that code can name a rule without a string lookup.
        pub mod rules {
            use super::{Rule, Severity};
            #[allow(unused_imports)]
            use openai_wire_decode::Protocol;
            $(
                #[doc = concat!("`", $id, "`: ", $doc)]
                pub static $name: Rule = Rule {
                    id: $id,
                    severity: Severity::$severity,
                    protocol: $protocol,
                    doc: $doc,
                };
            )*
        }

        /// The catalogue: every rule, in the order of `CHECKS.md`.
        pub static RULES: &[&Rule] = &[$(&rules::$name),*];
    };
}

catalogue! {
    // Any protocol.
    DECODE_ERROR = "decode.error", Error, None,
        "Every event decodes: the framing is valid and a known event type's JSON fits its type.";
    DECODE_UNKNOWN_EVENT = "decode.unknown-event", Warning, None,
        "An event type the spec does not define (kept, not an error; real servers send a few).";
    LIFECYCLE_TRUNCATED = "lifecycle.truncated", Error, None,
        "The stream does not end in the middle of an event.";
    USAGE_TOTALS = "usage.totals", Error, None,
        "Token usage adds up: total = input + output, and cached/reasoning details do not exceed their totals.";

    // Responses.
    LIFECYCLE_FIRST_EVENT = "lifecycle.first-event", Error, Some(Protocol::Responses),
        "The first event is `response.created` (or `response.queued`, or `error`); a resumed stream (first sequence_number > 0) may start anywhere.";
    LIFECYCLE_SINGLE_CREATED = "lifecycle.single-created", Error, Some(Protocol::Responses),
        "`response.created` appears at most once.";
    LIFECYCLE_SINGLE_TERMINAL = "lifecycle.single-terminal", Error, Some(Protocol::Responses),
        "Exactly one terminal event (`response.completed`, `response.failed`, `response.incomplete`) is sent.";
    LIFECYCLE_TERMINAL_LAST = "lifecycle.terminal-last", Error, Some(Protocol::Responses),
        "Nothing follows the terminal event.";
    LIFECYCLE_MISSING_TERMINAL = "lifecycle.missing-terminal", Error, Some(Protocol::Responses),
        "The stream ends with a terminal event (or an `error` event), not just stops.";
    LIFECYCLE_RESPONSE_ID = "lifecycle.response-id", Error, Some(Protocol::Responses),
        "Every response object in the stream (created, in_progress, terminal, …) has the same id.";
    LIFECYCLE_TERMINAL_STATUS = "lifecycle.terminal-status", Error, Some(Protocol::Responses),
        "The terminal event's response has the matching status (`completed`, `failed`, `incomplete`).";
    LIFECYCLE_DONE_MARKER = "lifecycle.done-marker", Warning, Some(Protocol::Responses),
        "A Responses stream has no `[DONE]` marker (OpenRouter sends one).";
    SEQUENCE_INCREASING = "sequence.increasing", Error, Some(Protocol::Responses),
        "`sequence_number` strictly increases from one event to the next.";
    SEQUENCE_GAP = "sequence.gap", Warning, Some(Protocol::Responses),
        "`sequence_number` increases by exactly one (gaps appear in trimmed recordings).";
    SEQUENCE_MISSING = "sequence.missing", Warning, Some(Protocol::Responses),
        "Every event carries a `sequence_number` (older OpenAI recordings have none).";
    INDEX_OUTPUT_CONTIGUOUS = "index.output-contiguous", Error, Some(Protocol::Responses),
        "`output_item.added` numbers items 0, 1, 2, … in the order they are added.";
    INDEX_OUTPUT_KNOWN = "index.output-known", Error, Some(Protocol::Responses),
        "An event's `output_index` names an item that was added.";
    INDEX_CONTENT_CONTIGUOUS = "index.content-contiguous", Error, Some(Protocol::Responses),
        "`content_part.added` numbers an item's parts 0, 1, 2, … in order.";
    INDEX_SUMMARY_CONTIGUOUS = "index.summary-contiguous", Error, Some(Protocol::Responses),
        "`reasoning_summary_part.added` numbers an item's summary parts 0, 1, 2, … in order.";
    INDEX_PART_KNOWN = "index.part-known", Error, Some(Protocol::Responses),
        "An event's `content_index` / `summary_index` names a part that was added.";
    NESTING_ITEM_OPEN = "nesting.item-open", Error, Some(Protocol::Responses),
        "Events of an output item come after its `output_item.added` and before its `output_item.done`.";
    NESTING_ITEM_DONE = "nesting.item-done", Error, Some(Protocol::Responses),
        "Exactly one `output_item.done` per `output_item.added`, all before `response.completed`.";
    NESTING_MCP_LIST_TOOLS_BACKFILL = "nesting.mcp-list-tools-backfill", Warning, Some(Protocol::Responses),
        "OpenAI's own deviation: with several MCP servers it sends `output_item.done` only for the last `mcp_list_tools` item; the earlier ones are complete only in `response.completed` (fold and convert take them from there).";
    NESTING_ITEM_ID = "nesting.item-id", Error, Some(Protocol::Responses),
        "An event's `item_id` is the id of the item at its `output_index`.";
    NESTING_PART_OPEN = "nesting.part-open", Error, Some(Protocol::Responses),
        "Deltas and dones of a part come after its `*part.added` and before its `*part.done`.";
    NESTING_PART_DONE = "nesting.part-done", Error, Some(Protocol::Responses),
        "Exactly one `*part.done` per `*part.added`, all before the item's `output_item.done`.";
    NESTING_AFTER_DONE = "nesting.after-done", Error, Some(Protocol::Responses),
        "No delta and no second done follow a `*.done` for the same value.";
    DELTA_TEXT = "delta.text-matches-done", Error, Some(Protocol::Responses),
        "The `output_text` deltas concatenated equal `response.output_text.done`'s `text`.";
    DELTA_REFUSAL = "delta.refusal-matches-done", Error, Some(Protocol::Responses),
        "The `refusal` deltas concatenated equal `response.refusal.done`'s `refusal`.";
    DELTA_ARGUMENTS = "delta.arguments-matches-done", Error, Some(Protocol::Responses),
        "The function / MCP call argument deltas concatenated equal the `arguments` of their done event.";
    DELTA_REASONING_TEXT = "delta.reasoning-text-matches-done", Error, Some(Protocol::Responses),
        "The `reasoning_text` deltas concatenated equal `response.reasoning_text.done`'s `text`.";
    DELTA_SUMMARY_TEXT = "delta.summary-text-matches-done", Error, Some(Protocol::Responses),
        "The reasoning summary deltas concatenated equal `response.reasoning_summary_text.done`'s `text`.";
    DELTA_CUSTOM_INPUT = "delta.custom-input-matches-done", Error, Some(Protocol::Responses),
        "The custom tool call input deltas concatenated equal `response.custom_tool_call_input.done`'s `input`.";
    DELTA_CODE = "delta.code-matches-done", Error, Some(Protocol::Responses),
        "The code interpreter code deltas concatenated equal `response.code_interpreter_call_code.done`'s `code`.";
    ITEM_DONE_MATCHES_ADDED = "item.done-matches-added", Error, Some(Protocol::Responses),
        "The item of `output_item.done` has the id and type of the item of `output_item.added`.";
    ITEM_DONE_MATCHES_STREAMED = "item.done-matches-streamed", Error, Some(Protocol::Responses),
        "The done item (and each done part) holds what was streamed: text, refusal, arguments, input, code, summaries.";
    ITEM_OUTPUT_MATCHES_DONE = "item.output-matches-done", Error, Some(Protocol::Responses),
        "`response.completed`'s `response.output` equals the done items, in order.";
    RESPONSE_ALL_FIELDS = "response.all-fields", Warning, Some(Protocol::Responses),
        "Every response object (of `response.created`, `in_progress`, `queued` and the terminal events) carries every field OpenAI's carries, `null` when unset; the sampling numbers and `parallel_tool_calls` are not `null`; usage has `cached_tokens` and `reasoning_tokens` (strict clients reject such a response; OpenAI's recordings before 2026 lack fields added since).";

    // Chat Completions.
    CHAT_SINGLE_ID = "chat.single-id", Error, Some(Protocol::Chat),
        "Every chunk has the same `id`.";
    CHAT_SINGLE_CREATED = "chat.single-created", Warning, Some(Protocol::Chat),
        "Every chunk has the same `created`, as the spec says (many servers stamp each chunk with its own second; clients ignore it).";
    CHAT_SINGLE_MODEL = "chat.single-model", Error, Some(Protocol::Chat),
        "Every chunk has the same `model`.";
    CHAT_PLACEHOLDER = "chat.placeholder", Warning, Some(Protocol::Chat),
        "A chunk has an empty `id` or `model`, or `created` 0 (Azure's first chunk, some third parties).";
    CHAT_TOOL_CALL_INDEX = "chat.tool-call-index", Error, Some(Protocol::Chat),
        "Tool calls of a choice are numbered 0, 1, 2, … in the order they start.";
    CHAT_TOOL_CALL_START = "chat.tool-call-start", Error, Some(Protocol::Chat),
        "The first chunk of a tool call carries its `id` and `function.name` (`custom.name` for a custom tool call).";
    CHAT_TOOL_CALL_ID = "chat.tool-call-id", Warning, Some(Protocol::Chat),
        "Later chunks of a tool call repeat its `id` or omit it (a new id at an old index means the index was missing).";
    CHAT_TOOL_CALL_NO_INDEX = "chat.tool-call-no-index", Warning, Some(Protocol::Chat),
        "Every tool call chunk carries its `index` (Mistral leaves it out; a new `id` then starts the next call).";
    CHAT_FINISH_REASON = "chat.finish-reason", Warning, Some(Protocol::Chat),
        "Every choice ends with exactly one `finish_reason`.";
    CHAT_AFTER_FINISH = "chat.after-finish", Error, Some(Protocol::Chat),
        "No content, refusal or tool call arrives for a choice after its `finish_reason`.";
    CHAT_USAGE_POSITION = "chat.usage-position", Warning, Some(Protocol::Chat),
        "Usage comes once, on the last chunk, whose `choices` is empty (some servers put it on every chunk or on the last one with choices).";
    CHAT_DONE_MARKER = "chat.done-marker", Warning, Some(Protocol::Chat),
        "An SSE chat stream ends with `data: [DONE]` (some servers omit it).";
    CHAT_AFTER_DONE = "chat.after-done", Error, Some(Protocol::Chat),
        "Nothing follows `[DONE]`.";

    // Realtime.
    REALTIME_RESPONSE_PAIRING = "realtime.response-pairing", Error, Some(Protocol::Realtime),
        "Every `response.done` closes a `response.created` with the same response id, once.";
    REALTIME_RESPONSE_UNFINISHED = "realtime.response-unfinished", Warning, Some(Protocol::Realtime),
        "Every `response.created` is closed by a `response.done` before the session or recording ends.";
    REALTIME_ITEM_LIFECYCLE = "realtime.item-lifecycle", Error, Some(Protocol::Realtime),
        "A response's output items go added → parts/deltas → done, once each, all before its `response.done`.";
    REALTIME_DELTA_MATCHES_DONE = "realtime.delta-matches-done", Error, Some(Protocol::Realtime),
        "Text, audio transcript and argument deltas concatenated equal their done value.";

    // Assistants.
    ASSISTANTS_FIRST_EVENT = "assistants.first-event", Error, Some(Protocol::Assistants),
        "The first event is `thread.created` or `thread.run.created` (or, resuming a run after `submit_tool_outputs`, `thread.run.step.completed`).";
    ASSISTANTS_EVENT_ORDER = "assistants.event-order", Error, Some(Protocol::Assistants),
        "Runs, steps and messages are created before they progress, are not touched after they end, and all end before the run completes.";
    ASSISTANTS_DONE = "assistants.done", Error, Some(Protocol::Assistants),
        "The stream ends with the `done` event, and nothing follows it.";
}
