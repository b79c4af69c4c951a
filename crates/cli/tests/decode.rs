//! `openai-wire decode` on corpus files and on broken input, checked against an independent
//! reading of the files (see `common`).

mod common;

use std::path::PathBuf;

use common::{
    corpus, corpus_file, corpus_frames, frames, manifest, run, run_with, summary_line, temp_file,
};
use serde_json::Value;

/// Files of different protocols and framings, with whether each ends properly.
const SAMPLES: &[(&str, bool)] = &[
    (
        "responses/openai-dotnet__ResponsesTests__FunctionCallStreamingWorks__e0.sse",
        true,
    ),
    (
        "chat/simonw-llm__test_tools_streaming__test_tools_streaming_variant_a__i0.sse",
        true,
    ),
    (
        "chat/openai-python__test_parse_multiple_pydantic_tools__453df473e9.sse",
        true,
    ),
    (
        "realtime/pydantic-ai__test_parity_ws__test_text_tool_round_parity[openai-current].server-events.jsonl",
        false,
    ),
    (
        "assistants/openai-dotnet__AssistantsTests__StreamingToolCall___e2.sse",
        true,
    ),
    (
        "other/openai-dotnet__TranscriptionTests__StreamingDiarizedTranscriptionWorks_UsingFilePath___e0.sse",
        true,
    ),
    (
        "other/vercel-ai.openai__openai-completion-text.chunks.txt",
        false,
    ),
];

/// The lines `decode` should print for a corpus file, from the independent reading.
fn expected_lines(name: &str) -> Vec<String> {
    corpus_frames(name)
        .iter()
        .enumerate()
        .map(|(index, frame)| format!("{index}\t{}", frame.wire_type()))
        .collect()
}

fn event_count(name: &str) -> usize {
    corpus_frames(name)
        .iter()
        .filter(|frame| !frame.is_done_marker())
        .count()
}

#[test]
fn prints_index_and_type_of_every_event_and_a_summary() {
    for (name, ended) in SAMPLES {
        let path = corpus_file(name);
        let run = run([PathBuf::from("decode"), path.clone()]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let lines: Vec<&str> = run.stdout.lines().collect();
        let expected = expected_lines(name);
        assert!(expected.len() > 3, "{name}: a sample with a few events");
        assert_eq!(
            lines.first().copied(),
            expected.first().map(String::as_str),
            "{name}"
        );
        assert_eq!(
            lines.last().copied(),
            expected.last().map(String::as_str),
            "{name}"
        );
        assert_eq!(lines, expected, "{name}");
        let summary = summary_line(&path.display().to_string(), event_count(name), 0, 0, *ended);
        assert_eq!(run.stderr, format!("{summary}\n"), "{name}");
    }
}

#[test]
fn the_done_marker_has_its_own_line() {
    let name = "chat/simonw-llm__test_tools_streaming__test_tools_streaming_variant_a__i0.sse";
    let run = run([PathBuf::from("decode"), corpus_file(name)]);
    let last = run.stdout.lines().last().unwrap();
    assert_eq!(last, format!("{}\t[DONE]", corpus_frames(name).len() - 1));
}

#[test]
fn json_output_is_one_event_per_line_with_its_type() {
    for (name, _) in SAMPLES {
        let run = run([PathBuf::from("decode"), "--json".into(), corpus_file(name)]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let expected: Vec<String> = corpus_frames(name)
            .iter()
            .filter(|frame| !frame.is_done_marker())
            .map(|frame| frame.wire_type())
            .collect();
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines.len(), expected.len(), "{name}");
        for (line, wire_type) in lines.iter().zip(&expected) {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{name}: not JSON ({e}): {line}"));
            // Responses, Realtime, audio: `type`; Chat and Completions: `object`; Assistants: the
            // `{"event", "data"}` envelope.
            let found = match (value.get("event"), value.get("data")) {
                (Some(event), Some(_)) => event.as_str(),
                _ => value
                    .get("type")
                    .or_else(|| value.get("object"))
                    .and_then(Value::as_str),
            };
            assert_eq!(found, Some(wire_type.as_str()), "{name}: {line}");
        }
    }
}

#[test]
fn reads_standard_input_as_dash() {
    let name = SAMPLES[0].0;
    let bytes = std::fs::read(corpus_file(name)).unwrap();
    let run = run_with(["decode", "-"], Some(&bytes), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().collect::<Vec<_>>(), expected_lines(name));
    assert_eq!(
        run.stderr,
        format!("{}\n", summary_line("-", event_count(name), 0, 0, true))
    );
}

#[test]
fn reads_a_large_stream_from_standard_input_in_chunks() {
    // Half a megabyte: several reads, and events cut across them.
    let name =
        "responses/openai-dotnet__ResponsesTests__StreamingResponsesWithReasoningSummary__e0.sse";
    let bytes = std::fs::read(corpus_file(name)).unwrap();
    assert!(bytes.len() > 256 * 1024);
    let run = run_with(["decode", "-"], Some(&bytes), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().collect::<Vec<_>>(), expected_lines(name));
    assert_eq!(
        run.stderr,
        format!("{}\n", summary_line("-", event_count(name), 0, 0, true))
    );
}

#[test]
fn quiet_prints_only_the_summaries() {
    let paths: Vec<PathBuf> = SAMPLES.iter().map(|(name, _)| corpus_file(name)).collect();
    let mut args = vec![PathBuf::from("decode"), "--quiet".into()];
    args.extend(paths.iter().cloned());
    let run = run(args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let expected: Vec<String> = SAMPLES
        .iter()
        .zip(&paths)
        .map(|((name, ended), path)| {
            summary_line(&path.display().to_string(), event_count(name), 0, 0, *ended)
        })
        .collect();
    assert_eq!(run.stderr.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn format_and_protocol_can_be_named() {
    let name = "realtime/pydantic-ai__test_parity_ws__test_text_tool_round_parity[openai-current].server-events.jsonl";
    let run = run([
        PathBuf::from("decode"),
        "--protocol".into(),
        "realtime".into(),
        "--format".into(),
        "jsonl".into(),
        corpus_file(name),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().collect::<Vec<_>>(), expected_lines(name));
    // Read as SSE, a JSONL file has no events at all.
    let run = common::run([
        PathBuf::from("decode"),
        "--protocol".into(),
        "realtime".into(),
        "--format".into(),
        "sse".into(),
        corpus_file(name),
    ]);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains(": 0 events, "), "{}", run.stderr);
}

/// Types seen in real traffic that the spec does not list (see `UNKNOWN_IN_REAL_TRAFFIC` in
/// `crates/decode/tests/corpus.rs`), as they appear in a file's text.
const UNKNOWN_TYPE_MARKS: &[&str] = &[
    "\"type\":\"ping\"",
    "chat.completion.done",
    "response.apply_patch_call_operation_diff.",
    "response.reasoning_part.",
];

fn has_unknown_types(name: &str) -> bool {
    let bytes = std::fs::read(corpus_file(name)).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    UNKNOWN_TYPE_MARKS.iter().any(|mark| text.contains(mark))
}

#[test]
fn deny_unknown_passes_on_every_corpus_file_of_spec_types() {
    let (known, unknown): (Vec<_>, Vec<_>) = manifest()
        .into_iter()
        .partition(|entry| !has_unknown_types(&entry.file));
    assert!(known.len() > 300, "{} files", known.len());
    assert!(!unknown.is_empty());

    let mut args = vec![
        PathBuf::from("decode"),
        "--quiet".into(),
        "--deny-unknown".into(),
    ];
    args.extend(known.iter().map(|entry| corpus().join(&entry.file)));
    let run = run(args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let summaries: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(summaries.len(), known.len(), "{}", run.stderr);
    for (entry, summary) in known.iter().zip(summaries) {
        let name = corpus().join(&entry.file).display().to_string();
        let bytes = std::fs::read(corpus().join(&entry.file)).unwrap();
        let events = frames(&bytes, entry.jsonl)
            .iter()
            .filter(|frame| !frame.is_done_marker())
            .count();
        let expected = format!("{name}: {events} events, 0 unknown, 0 errors, ended: ");
        assert!(
            summary.starts_with(&expected),
            "expected `{expected}…`, got `{summary}`"
        );
        assert!(
            summary.ends_with("yes") || summary.ends_with("no"),
            "{summary}"
        );
    }
}

#[test]
fn deny_unknown_fails_on_files_with_unknown_types() {
    let unknown: Vec<_> = manifest()
        .into_iter()
        .filter(|entry| has_unknown_types(&entry.file))
        .collect();
    let mut args = vec![
        PathBuf::from("decode"),
        "--quiet".into(),
        "--deny-unknown".into(),
    ];
    args.extend(unknown.iter().map(|entry| corpus().join(&entry.file)));
    let run = run(args.clone());
    assert_eq!(run.code, 1, "{}", run.stderr);
    for summary in run.stderr.lines() {
        assert!(
            !summary.contains(" 0 unknown,") && summary.contains(" 0 errors,"),
            "{summary}"
        );
    }
    // Without --deny-unknown, unknown events are not a failure.
    args.remove(2);
    assert_eq!(common::run(args).code, 0);
}

/// A Responses stream whose second event is of a known type with a field of the wrong type.
const BROKEN: &str = concat!(
    "event: response.created\n",
    "data: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1,\"status\":\"in_progress\",\"output\":[]}}\n\n",
    "event: response.output_text.delta\n",
    "data: {\"type\":\"response.output_text.delta\",\"sequence_number\":1,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":42}\n\n",
    "event: response.completed\n",
    "data: {\"type\":\"response.completed\",\"sequence_number\":2,\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1,\"status\":\"completed\",\"output\":[]}}\n\n",
);

#[test]
fn a_broken_event_is_an_error_with_its_position() {
    let path = temp_file("broken.sse", BROKEN.as_bytes());
    let name = path.display().to_string();
    let run = run([PathBuf::from("decode"), path]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "0\tresponse.created\n2\tresponse.completed\n");
    let offset = BROKEN.find("event: response.output_text.delta").unwrap();
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains(": error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(
        errors[0].starts_with(&format!(
            "{name}:1: error: `response.output_text.delta` event does not match its schema"
        )),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].contains(&format!("byte {offset}")),
        "{}",
        errors[0]
    );
    assert!(
        run.stderr.contains("\"delta\":42"),
        "the raw text is shown: {}",
        run.stderr
    );
    assert!(
        run.stderr
            .ends_with(&format!("{}\n", summary_line(&name, 2, 0, 1, true))),
        "{}",
        run.stderr
    );
    // Quiet: the summary only, and still a failure.
    let run = common::run([PathBuf::from("decode"), "-q".into(), PathBuf::from(&name)]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        format!("{}\n", summary_line(&name, 2, 0, 1, true))
    );
}

#[test]
fn a_stream_cut_inside_an_event_is_an_error_and_did_not_end() {
    let cut = &BROKEN.as_bytes()[..BROKEN.find("\"status\":\"completed\"").unwrap()];
    let run = run_with(["decode", "-"], Some(cut), &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("-:2: error: "), "{}", run.stderr);
    assert!(
        run.stderr
            .ends_with(&format!("{}\n", summary_line("-", 1, 0, 2, false))),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_file_is_an_io_error_and_the_others_are_still_read() {
    let missing = corpus().join("no-such-stream.sse");
    let good = corpus_file(SAMPLES[0].0);
    let run = run([
        PathBuf::from("decode"),
        "-q".into(),
        missing.clone(),
        good.clone(),
    ]);
    assert_eq!(run.code, 2);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert_eq!(
        lines[0],
        format!(
            "openai-wire: error: {}: cannot open: No such file or directory (os error 2)",
            missing.display()
        )
    );
    assert!(lines[1].starts_with(&format!("{}: ", good.display())));
}

#[test]
fn an_input_whose_protocol_cannot_be_told_is_a_usage_error() {
    let run = run_with(["decode", "-"], Some(b"hello, world\n"), &[]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .starts_with("openai-wire: error: -: cannot tell the protocol of this stream"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--protocol"), "{}", run.stderr);

    let run = run_with(["decode", "-"], Some(b""), &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("-: the input is empty"),
        "{}",
        run.stderr
    );

    // Named, the protocol is used: the line is then a broken event.
    let run = run_with(
        ["decode", "--protocol", "chat", "-"],
        Some(b"hello, world\n"),
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("-:0: error: not a JSON event object"),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(run(["decode"]).code, 2);
    let run = run(["decode", "--protocol", "smoke-signals", "-"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("smoke-signals"), "{}", run.stderr);
}
