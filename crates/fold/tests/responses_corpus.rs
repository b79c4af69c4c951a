//! The fold oracle for the Responses API: for every corpus stream that reaches
//! `response.completed`, the fold of the events before it equals `completed.response` in its
//! output items (text, refusals, arguments and input, reasoning) and, once folded, in usage.

mod common;

use common::{Entry, entries, events};
use openai_wire_events::{OutputItem, Response, ResponseStreamEvent};
use openai_wire_fold::ResponseFold;
use serde_json::{Value, json};

/// Streams whose fold cannot equal their `response.completed`, each with the reason.
const EXCLUDED: &[(&str, &str)] = &[
    (
        "responses/vercel-ai.openai__github-copilot-id-rotation.1.chunks.txt",
        "GitHub Copilot gives every event a new item id; the ids in response.completed are \
         none of the streamed ones (MANIFEST notes: Copilot id rotation)",
    ),
    (
        "responses/vercel-ai.openai__issue-18970-programmatic-approval.1.chunks.txt",
        "edited fixture: its response.completed was cut down to usage and has no `output`",
    ),
];

/// Streams whose *deltas alone* cannot add up to `response.completed`, each with the reason.
/// (The full fold of these streams, `*.done` events included, is checked as usual.)
const EXCLUDED_DELTAS: &[(&str, &str)] = &[
    (
        "responses/vercel-ai.openai__openai-phase.1.chunks.txt",
        "edited fixture: text deltas trimmed by the author (sequence_number gaps, MANIFEST notes)",
    ),
    (
        "responses/vercel-ai.openai__azure-gpt5-reasoning-multi-summary-no-encryption.chunks.txt",
        "anonymized fixture: the deltas were replaced by XXX… and the final text by other \
         placeholder text",
    ),
    (
        "responses/vercel-ai.open-responses__lmstudio-tool-call.1.chunks.txt",
        "LM Studio sends a function call's arguments only in function_call_arguments.done, \
         never as deltas",
    ),
    (
        "responses/vercel-ai.open-responses__lmstudio-tool-call.2.chunks.txt",
        "LM Studio sends a function call's arguments only in function_call_arguments.done, \
         never as deltas",
    ),
];

/// Output item types whose text is streamed as deltas; other items (web search, tool search,
/// programs, …) arrive whole in `response.output_item.done`.
const STREAMED: &[&str] = &[
    "message",
    "reasoning",
    "function_call",
    "custom_tool_call",
    "mcp_call",
    "code_interpreter_call",
];

/// What the oracle compares of one output item: its type and id, and the text it carries.
fn project(item: &OutputItem) -> Value {
    let v = serde_json::to_value(item).expect("item serializes");
    let s = |key: &str| v.get(key).cloned().unwrap_or(Value::Null);
    let texts = |key: &str, field: &str| -> Value {
        v.get(key)
            .and_then(Value::as_array)
            .map(|parts| {
                parts
                    .iter()
                    .map(|p| {
                        p.get(field)
                            .or_else(|| p.get("refusal"))
                            .cloned()
                            .unwrap_or(Value::Null)
                    })
                    .collect::<Vec<_>>()
            })
            .filter(|parts| !parts.is_empty())
            .map_or(Value::Null, Value::Array)
    };
    json!({
        "type": s("type"),
        "id": s("id"),
        "content": texts("content", "text"),
        "summary": texts("summary", "text"),
        "name": s("name"),
        "call_id": s("call_id"),
        "arguments": s("arguments"),
        "input": s("input"),
        "code": s("code"),
    })
}

fn project_all(response: &Response) -> Vec<Value> {
    response.output.iter().map(project).collect()
}

/// The projection of the items whose text is streamed.
fn project_streamed(response: &Response) -> Vec<Value> {
    project_all(response)
        .into_iter()
        .filter(|v| STREAMED.iter().any(|t| v["type"] == *t))
        .collect()
}

/// The `*.done` events that restate what the deltas built; a fold without them shows that the
/// deltas alone add up.
fn is_restatement(event: &ResponseStreamEvent) -> bool {
    use ResponseStreamEvent as E;
    matches!(
        event,
        E::ResponseOutputItemDone(_)
            | E::ResponseContentPartDone(_)
            | E::ResponseOutputTextDone(_)
            | E::ResponseRefusalDone(_)
            | E::ResponseFunctionCallArgumentsDone(_)
            | E::ResponseCustomToolCallInputDone(_)
            | E::ResponseMcpCallArgumentsDone(_)
            | E::ResponseCodeInterpreterCallCodeDone(_)
            | E::ResponseReasoningSummaryPartDone(_)
            | E::ResponseReasoningSummaryTextDone(_)
            | E::ResponseReasoningTextDone(_)
    )
}

#[derive(Default)]
struct Outcome {
    completed: usize,
    failures: Vec<String>,
    delta_failures: Vec<String>,
}

fn check_file(entry: &Entry) -> Outcome {
    let mut outcome = Outcome::default();
    let mut full = ResponseFold::new();
    let mut deltas = ResponseFold::new();
    for (event, _) in events::<ResponseStreamEvent>(entry) {
        if let ResponseStreamEvent::ResponseCompleted(done) = &event {
            outcome.completed += 1;
            let expected = project_all(&done.response);
            let folded = project_all(full.response());
            if folded != expected {
                outcome.failures.push(format!(
                    "{}: fold != response.completed\n  folded:    {}\n  completed: {}",
                    entry.file,
                    Value::from(folded),
                    Value::from(expected.clone())
                ));
            }
            let expected = project_streamed(&done.response);
            let from_deltas = project_streamed(deltas.response());
            if from_deltas != expected {
                outcome.delta_failures.push(format!(
                    "{}: fold of the deltas alone != response.completed\n  folded:    {}\n  completed: {}",
                    entry.file,
                    Value::from(from_deltas),
                    Value::from(expected)
                ));
            }
            full.push(&event);
            if full.response().usage != done.response.usage {
                outcome
                    .failures
                    .push(format!("{}: usage differs after the fold", entry.file));
            }
            if full.completed() != Some(&done.response) {
                outcome
                    .failures
                    .push(format!("{}: completed() is not the event's", entry.file));
            }
            deltas.push(&event);
            continue;
        }
        full.push(&event);
        if !is_restatement(&event) {
            deltas.push(&event);
        }
    }
    outcome
}

fn check_exclusion(
    file: &str,
    failures: &[String],
    list: &[(&str, &str)],
    seen: &mut usize,
) -> bool {
    let Some((_, why)) = list.iter().find(|(f, _)| *f == file) else {
        return false;
    };
    assert!(
        !failures.is_empty(),
        "{file} is excluded ({why}) but now passes: remove the exclusion"
    );
    *seen += 1;
    true
}

#[test]
fn fold_equals_response_completed_across_the_corpus() {
    let mut completed = 0;
    let mut files = 0;
    let mut failures = Vec::new();
    let (mut seen, mut seen_deltas) = (0, 0);
    for entry in entries("responses") {
        let outcome = check_file(&entry);
        if outcome.completed > 0 {
            files += 1;
        }
        completed += outcome.completed;
        // A stream excluded from the full fold is excluded from the deltas-only fold too.
        if check_exclusion(&entry.file, &outcome.failures, EXCLUDED, &mut seen) {
            continue;
        }
        failures.extend(outcome.failures);
        if !check_exclusion(
            &entry.file,
            &outcome.delta_failures,
            EXCLUDED_DELTAS,
            &mut seen_deltas,
        ) {
            failures.extend(outcome.delta_failures);
        }
    }
    assert_eq!(
        seen,
        EXCLUDED.len(),
        "an excluded file is not in the corpus"
    );
    assert_eq!(
        seen_deltas,
        EXCLUDED_DELTAS.len(),
        "an excluded file is not in the corpus"
    );
    assert!(
        files >= 100,
        "only {files} streams reach response.completed"
    );
    assert!(
        failures.is_empty(),
        "{} failures over {completed} completed responses:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn mcp_list_tools_items_are_backfilled_from_response_completed() {
    let entry = entries("responses")
        .into_iter()
        .find(|e| e.file == "responses/derived.openai-mcp-two-servers-backfill.sse")
        .expect("the derived MCP backfill stream");
    let mut fold = ResponseFold::new();
    let mut completed = None;
    for (event, _) in events::<ResponseStreamEvent>(&entry) {
        if let ResponseStreamEvent::ResponseCompleted(done) = &event {
            completed = Some(done.response.clone());
            // Before the terminal event the first server's list is as added: no tools.
            match &fold.response().output[0] {
                OutputItem::McpListTools(list) => assert!(list.tools.is_empty()),
                other => panic!("output[0] is {other:?}"),
            }
        }
        fold.push(&event);
    }
    let completed = completed.expect("response.completed");
    assert!(fold.differences().is_empty(), "{:?}", fold.differences());
    assert_eq!(fold.response().output, completed.output);
    match &fold.response().output[0] {
        OutputItem::McpListTools(list) => {
            assert_eq!(list.server_label, "docs");
            assert_eq!(list.tools.len(), 1);
        }
        other => panic!("output[0] is {other:?}"),
    }
}
