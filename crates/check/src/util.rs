//! Small helpers shared by the checkers.

use openai_wire_decode::Summary;
use openai_wire_events::StreamEvent;
use serde_json::Value;

use crate::{Finding, rules};

/// A decoder index as `usize`, saturating on 32-bit targets.
pub(crate) fn index(index: u64) -> usize {
    usize::try_from(index).unwrap_or(usize::MAX)
}

/// The event as JSON, the way the model writes it (`Null` if it cannot be written).
pub(crate) fn to_value<E: serde::Serialize>(event: &E) -> Value {
    serde_json::to_value(event).unwrap_or(Value::Null)
}

/// Reports an unknown event type.
pub(crate) fn unknown_event<E: StreamEvent>(findings: &mut Vec<Finding>, index: usize, event: &E) {
    if event.is_unknown() {
        findings.push(Finding::new(
            &rules::DECODE_UNKNOWN_EVENT,
            Some(index),
            format!("unknown event type `{}`", event.wire_type()),
        ));
    }
}

/// Reports a stream cut off in the middle of an event.
pub(crate) fn truncated(findings: &mut Vec<Finding>, summary: Option<&Summary>) {
    if summary.is_some_and(|s| s.truncated) {
        findings.push(Finding::new(
            &rules::LIFECYCLE_TRUNCATED,
            None,
            "the stream ends in the middle of an event",
        ));
    }
}

pub(crate) fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

pub(crate) fn int_field(value: &Value, key: &str) -> Option<i64> {
    value.get(key).and_then(Value::as_i64)
}

/// A string shortened for a message.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        format!("{text:?}")
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{head:?}… ({} chars)", text.chars().count())
    }
}

/// Checks that token usage adds up. `input`/`output` are the field names of the protocol
/// (`input_tokens`/`output_tokens` or `prompt_tokens`/`completion_tokens`).
pub(crate) fn check_usage(
    findings: &mut Vec<Finding>,
    index: usize,
    usage: &Value,
    names: UsageNames,
) {
    let (Some(input), Some(output), Some(total)) = (
        int_field(usage, names.input),
        int_field(usage, names.output),
        int_field(usage, "total_tokens"),
    ) else {
        return;
    };
    let mut report = |message: String| {
        findings.push(Finding::new(&rules::USAGE_TOTALS, Some(index), message));
    };
    if input.checked_add(output) != Some(total) {
        report(format!(
            "total_tokens is {total}, but {} {input} + {} {output} = {}",
            names.input,
            names.output,
            i128::from(input) + i128::from(output)
        ));
    }
    if input < 0 || output < 0 || total < 0 {
        report(format!(
            "negative token count (input {input}, output {output}, total {total})"
        ));
    }
    let detail = |details: &str, key: &str| {
        usage
            .get(details)
            .and_then(|d| int_field(d, key))
            .unwrap_or(0)
    };
    let cached = detail(names.input_details, "cached_tokens");
    if cached > input {
        report(format!(
            "{}.cached_tokens {cached} exceeds {} {input}",
            names.input_details, names.input
        ));
    }
    let reasoning = detail(names.output_details, "reasoning_tokens");
    if reasoning > output {
        report(format!(
            "{}.reasoning_tokens {reasoning} exceeds {} {output}",
            names.output_details, names.output
        ));
    }
}

/// The usage field names of one protocol.
#[derive(Clone, Copy)]
pub(crate) struct UsageNames {
    pub input: &'static str,
    pub output: &'static str,
    pub input_details: &'static str,
    pub output_details: &'static str,
}

pub(crate) const RESPONSES_USAGE: UsageNames = UsageNames {
    input: "input_tokens",
    output: "output_tokens",
    input_details: "input_tokens_details",
    output_details: "output_tokens_details",
};

pub(crate) const CHAT_USAGE: UsageNames = UsageNames {
    input: "prompt_tokens",
    output: "completion_tokens",
    input_details: "prompt_tokens_details",
    output_details: "completion_tokens_details",
};

/// Orders findings by event index, stably; findings about the whole stream last.
pub(crate) fn sort(findings: &mut [Finding]) {
    findings.sort_by_key(|f| f.index.unwrap_or(usize::MAX));
}
