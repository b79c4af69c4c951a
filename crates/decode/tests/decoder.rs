//! The decoder's behaviour on whole streams: positions, raw JSON, end markers, errors that do not
//! stop decoding, and how a stream ended.

use std::path::Path;

use openai_wire_decode::{DecodeError, Decoder, ErrorKind, Format, Item};
use openai_wire_events::{
    ChatCompletionStreamEvent, RealtimeServerEvent, ResponseStreamEvent, StreamEvent,
};

fn corpus(file: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/corpus")
            .join(file),
    )
    .expect("corpus file")
}

/// Everything one pass over `bytes` yields, owned.
#[derive(Debug, Default)]
struct Run {
    events: Vec<(u64, u64, String, String)>,
    done: usize,
    comments: Vec<String>,
    errors: Vec<String>,
}

fn decode_all<E: StreamEvent>(
    bytes: &[u8],
    format: Format,
    chunk: usize,
) -> (Run, openai_wire_decode::Summary) {
    let mut decoder = Decoder::<E>::new(format);
    let mut out = Run::default();
    let drain = |decoder: &mut Decoder<E>, out: &mut Run| {
        while let Some(item) = decoder.next_item() {
            match item {
                Ok(Item::Event(d)) => out.events.push((
                    d.position.index,
                    d.position.offset,
                    d.event.wire_type().to_owned(),
                    d.raw.to_owned(),
                )),
                Ok(Item::Done(_)) => out.done += 1,
                Ok(Item::Comment(c)) => out.comments.push(c.to_owned()),
                Err(e) => out.errors.push(e.to_string()),
            }
        }
    };
    for piece in bytes.chunks(chunk.max(1)) {
        decoder.feed(piece);
        drain(&mut decoder, &mut out);
    }
    decoder.finish();
    drain(&mut decoder, &mut out);
    (out, decoder.summary().clone())
}

/// Each decoded event carries its raw JSON exactly as received (unknown fields included), its
/// index and its byte offset.
#[test]
fn raw_json_and_position_are_kept() {
    let bytes = corpus("responses/crewai__openai__test_openai_responses_api_streaming__i0.sse");
    let (run, summary) = decode_all::<ResponseStreamEvent>(&bytes, Format::Sse, 16 * 1024);
    assert!(run.errors.is_empty(), "{:?}", run.errors);
    let text = String::from_utf8(bytes.clone()).expect("utf-8");
    for (index, offset, wire_type, raw) in &run.events {
        // The raw text is the event's data, found at its offset in the file.
        let at = &text[*offset as usize..];
        assert!(
            at.starts_with("event: ") || at.starts_with("data: "),
            "event {index} offset {offset}"
        );
        assert!(
            at.contains(raw.as_str()),
            "event {index}: raw text is in the stream after its offset"
        );
        let value: serde_json::Value = serde_json::from_str(raw).expect("raw is JSON");
        assert_eq!(value["type"], wire_type.as_str());
    }
    // Fields the model does not declare are still in the raw text.
    assert!(
        run.events
            .iter()
            .any(|(_, _, _, raw)| raw.contains("\"obfuscation\""))
    );
    assert!(summary.ended_properly());
    assert_eq!(summary.terminal.as_deref(), Some("response.completed"));
}

/// The same bytes give the same events whatever the chunking.
#[test]
fn chunking_does_not_change_the_events() {
    let bytes = corpus("chat/crewai__azure__test_azure_streaming_completion__i0.sse");
    let (whole, _) = decode_all::<ChatCompletionStreamEvent>(&bytes, Format::Sse, bytes.len());
    for chunk in [1, 2, 3, 7, 64, 1000] {
        let (pieces, _) = decode_all::<ChatCompletionStreamEvent>(&bytes, Format::Sse, chunk);
        assert_eq!(pieces.events, whole.events, "chunk size {chunk}");
        assert_eq!(pieces.done, whole.done);
    }
}

/// `data: [DONE]` is the end marker, and a stream that has it ended properly.
#[test]
fn done_marker_ends_a_chat_stream() {
    let bytes = corpus("chat/crewai__azure__test_azure_streaming_completion__i0.sse");
    let (run, summary) = decode_all::<ChatCompletionStreamEvent>(&bytes, Format::Sse, 4096);
    assert_eq!(run.done, 1);
    assert!(summary.done_marker);
    assert!(summary.ended_properly());
    assert_eq!(summary.events_after_end, 0);
}

/// A stream cut off in the middle of an event is reported as truncated, never as a success.
#[test]
fn a_cut_stream_is_reported_as_truncated() {
    let bytes = corpus("responses/crewai__openai__test_openai_responses_api_streaming__i0.sse");
    let cut = &bytes[..bytes.len() * 2 / 3];
    let (run, summary) = decode_all::<ResponseStreamEvent>(cut, Format::Sse, 512);
    assert!(!summary.ended_properly());
    assert!(summary.terminal.is_none());
    // Cut in the middle of a line: the partial event is reported, not decoded.
    if summary.truncated {
        assert_eq!(run.errors.len(), 1, "{:?}", run.errors);
        assert!(
            run.errors[0].contains("ended inside the event"),
            "{}",
            run.errors[0]
        );
    }
    // A stream cut between events has no error but did not end properly either.
    let text = String::from_utf8(bytes).expect("utf-8");
    let boundary = text[..text.len() / 2]
        .rfind("\n\n")
        .expect("an event boundary")
        + 2;
    let (run, summary) =
        decode_all::<ResponseStreamEvent>(&text.as_bytes()[..boundary], Format::Sse, 512);
    assert!(run.errors.is_empty());
    assert!(!summary.truncated);
    assert!(!summary.ended_properly());
}

/// A Chat error sent mid-stream as `event: error` (as Groq does) decodes as the error variant, and
/// a broken event in the middle is an error with its position and raw text, after which decoding
/// goes on.
#[test]
fn errors_mid_stream_are_reported_and_decoding_goes_on() {
    let chunk = r#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"llama","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}],"x_groq":{"id":"req_1"}}"#;
    let broken =
        r#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":"soon","choices":[]}"#;
    let error = r#"{"error":{"message":"Service Unavailable","type":"internal_server_error"}}"#;
    let stream = format!("data: {chunk}\n\ndata: {broken}\n\nevent: error\ndata: {error}\n\n");
    let mut decoder = Decoder::<ChatCompletionStreamEvent>::new(Format::Sse);
    decoder.feed(stream.as_bytes());
    decoder.finish();
    let mut kinds = Vec::new();
    let mut failures: Vec<DecodeError> = Vec::new();
    while let Some(item) = decoder.next_item() {
        match item {
            Ok(Item::Event(d)) => kinds.push(d.event.wire_type().to_owned()),
            Ok(_) => {}
            Err(e) => failures.push(e),
        }
    }
    assert_eq!(kinds, ["chat.completion.chunk", "error"]);
    assert_eq!(failures.len(), 1);
    let failure = &failures[0];
    assert_eq!(failure.position.index, 1);
    assert_eq!(failure.position.offset, (chunk.len() + 8) as u64);
    assert_eq!(failure.raw, broken);
    assert!(matches!(failure.kind, ErrorKind::Event(_)));
    let summary = decoder.summary();
    assert_eq!(summary.errors, 1);
    assert_eq!(summary.terminal.as_deref(), Some("error"));
}

/// JSONL streams (one event per line) decode the same way, blank lines skipped.
#[test]
fn jsonl_streams_decode() {
    let bytes = corpus(
        "realtime/pydantic-ai__test_parity_ws__test_text_tool_round_parity[openai-current].server-events.jsonl",
    );
    let lines = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .count();
    for chunk in [1, 13, 4096] {
        let (run, summary) = decode_all::<RealtimeServerEvent>(&bytes, Format::Jsonl, chunk);
        assert!(run.errors.is_empty(), "{:?}", run.errors);
        assert_eq!(run.events.len(), lines, "chunk {chunk}");
        assert_eq!(summary.unknown, 0);
    }
}

/// An event larger than the configured maximum is an error, and memory stays bounded.
#[test]
fn events_over_the_size_limit_are_refused() {
    let big = format!(
        "data: {{\"type\":\"response.output_text.delta\",\"delta\":\"{}\"}}\n\n",
        "x".repeat(4096)
    );
    let small = "data: {\"type\":\"response.output_text.delta\",\"delta\":\"y\"}\n\n";
    for format in [Format::Sse, Format::Jsonl] {
        let input = match format {
            Format::Sse => format!("{big}{small}"),
            Format::Jsonl => format!(
                "{}\n{}\n",
                &big[6..big.len() - 2],
                &small[6..small.len() - 2]
            ),
        };
        let mut decoder = Decoder::<ResponseStreamEvent>::with_max_event_size(format, 1024);
        decoder.feed(input.as_bytes());
        decoder.finish();
        let mut results = Vec::new();
        while let Some(item) = decoder.next_item() {
            results.push(
                item.map(|i| matches!(i, Item::Event(_)))
                    .map_err(|e| e.to_string()),
            );
        }
        assert_eq!(results.len(), 2, "{format:?}: {results:?}");
        assert!(
            results[0].as_ref().is_err_and(|e| e.contains("1024")),
            "{format:?}: {results:?}"
        );
        assert_eq!(results[1], Ok(true), "{format:?}");
    }
}

#[test]
fn broken_frames_take_their_place_in_the_index_order() {
    // Event 0 reads, event 1 is not UTF-8, event 2 reads, and event 3 is cut off by the end.
    let mut bytes = b"data: {\"type\":\"response.output_text.delta\",\"delta\":\"a\"}\n\n".to_vec();
    bytes.extend_from_slice(b"data: {\"delta\":\"\xff\"}\n\n");
    bytes.extend_from_slice(b"data: {\"type\":\"response.output_text.delta\",\"delta\":\"b\"}\n\n");
    bytes.extend_from_slice(b"data: {\"type\":\"response.output_text.delta\"");
    let mut decoder = Decoder::<ResponseStreamEvent>::new(Format::Sse);
    decoder.feed(&bytes);
    decoder.finish();
    let mut seen = Vec::new();
    while let Some(item) = decoder.next_item() {
        match item {
            Ok(Item::Event(d)) => seen.push(("event", d.position.index)),
            Ok(other) => panic!("unexpected {other:?}"),
            Err(e) => seen.push(("error", e.position.index)),
        }
    }
    assert_eq!(
        seen,
        [("event", 0), ("error", 1), ("event", 2), ("error", 3)]
    );
    assert!(decoder.summary().truncated);
}
