//! Every corpus file decodes through every adapter (the sans-IO decoder, the `futures::Stream`
//! over byte chunks, the tokio `AsyncRead` reader) with the same result.

mod common;

use common::{Entry, corpus_dir, manifest};
use futures::StreamExt;
use openai_wire_decode::{
    DecodeStream, Decoder, Format, OwnedItem, StreamError, Summary, decode_reader,
};
use openai_wire_events::{
    AgentSessionStreamEvent, AssistantStreamEvent, ChatCompletionStreamEvent,
    CompletionStreamEvent, LiveServerEvent, RealtimeServerEvent, ResponseStreamEvent,
    SpeechStreamEvent, StreamEvent, TranscriptionStreamEvent,
};

/// An adapter's output, comparable: items (errors as their message) and the summary.
type Outcome<E> = (Vec<Result<OwnedItem<E>, String>>, Summary);

fn sync<E: StreamEvent>(bytes: &[u8], format: Format) -> Outcome<E> {
    let mut decoder = Decoder::<E>::new(format);
    let mut items = Vec::new();
    decoder.feed(bytes);
    decoder.finish();
    while let Some(item) = decoder.next_item() {
        items.push(item.map(OwnedItem::from).map_err(|e| e.to_string()));
    }
    (items, decoder.summary().clone())
}

/// Splits `bytes` at pseudo-random points (a fixed seed per file, so failures reproduce).
fn chunks(bytes: &[u8], seed: u64) -> Vec<Result<Vec<u8>, std::io::Error>> {
    let mut state = seed | 1;
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let size = (state % 700) as usize + 1;
        let (head, tail) = rest.split_at(size.min(rest.len()));
        out.push(Ok(head.to_vec()));
        rest = tail;
    }
    out
}

fn via_stream<E: StreamEvent>(bytes: &[u8], format: Format, seed: u64) -> Outcome<E> {
    let mut stream = DecodeStream::<_, E>::new(futures::stream::iter(chunks(bytes, seed)), format);
    let items = futures::executor::block_on(async {
        let mut items = Vec::new();
        while let Some(item) = stream.next().await {
            items.push(item.map_err(|e| match e {
                StreamError::Decode(e) => e.to_string(),
                StreamError::Transport(e) => panic!("transport error {e}"),
            }));
        }
        items
    });
    (items, stream.summary().clone())
}

fn via_reader<E: StreamEvent>(bytes: &[u8], format: Format) -> Outcome<E> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        // A reader that hands out at most 333 bytes per read, to exercise chunk boundaries.
        let reader = tokio::io::BufReader::with_capacity(333, bytes);
        let mut stream = decode_reader::<_, E>(reader, format);
        let mut items = Vec::new();
        while let Some(item) = stream.next().await {
            items.push(item.map_err(|e| e.to_string()));
        }
        (items, stream.summary().clone())
    })
}

fn compare<E: StreamEvent>(entry: &Entry, bytes: &[u8], seed: u64) -> Vec<String> {
    let reference = sync::<E>(bytes, entry.format);
    let mut problems = Vec::new();
    for (name, outcome) in [
        (
            "futures::Stream",
            via_stream::<E>(bytes, entry.format, seed),
        ),
        ("tokio AsyncRead", via_reader::<E>(bytes, entry.format)),
    ] {
        if outcome.0 != reference.0 {
            let first = outcome.0.iter().zip(&reference.0).position(|(a, b)| a != b);
            problems.push(format!(
                "{}: {name} gives {} items, the decoder {} (first difference at {first:?})",
                entry.file,
                outcome.0.len(),
                reference.0.len()
            ));
        }
        if outcome.1 != reference.1 {
            problems.push(format!(
                "{}: {name} summary {:?} != {:?}",
                entry.file, outcome.1, reference.1
            ));
        }
    }
    problems
}

/// The futures and tokio adapters give exactly the decoder's items and summary on every corpus
/// file, under random chunking.
#[test]
fn every_corpus_file_decodes_the_same_through_every_adapter() {
    let mut problems = Vec::new();
    for (i, entry) in manifest().iter().enumerate() {
        let bytes = std::fs::read(corpus_dir().join(&entry.file)).expect("corpus file");
        let seed = 0x9e37_79b9_7f4a_7c15 ^ i as u64;
        problems.extend(match entry.protocol.as_str() {
            "responses" => compare::<ResponseStreamEvent>(entry, &bytes, seed),
            "chat" => compare::<ChatCompletionStreamEvent>(entry, &bytes, seed),
            "realtime" => compare::<RealtimeServerEvent>(entry, &bytes, seed),
            "assistants" => compare::<AssistantStreamEvent>(entry, &bytes, seed),
            "audio_speech" => compare::<SpeechStreamEvent>(entry, &bytes, seed),
            "audio_transcription" => compare::<TranscriptionStreamEvent>(entry, &bytes, seed),
            "completions_legacy" => compare::<CompletionStreamEvent>(entry, &bytes, seed),
            "agent_sessions" => compare::<AgentSessionStreamEvent>(entry, &bytes, seed),
            "live_server" => compare::<LiveServerEvent>(entry, &bytes, seed),
            other => panic!("{other}"),
        });
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A transport error is passed on as is, and the stream can go on afterwards.
#[test]
fn transport_errors_are_passed_on() {
    let chunks: Vec<Result<&[u8], &str>> = vec![
        Ok(b"data: {\"type\":\"response.in_progress\",\"response\":{}}\n"),
        Err("reset"),
        Ok(b"\n"),
    ];
    let mut stream =
        DecodeStream::<_, ResponseStreamEvent>::new(futures::stream::iter(chunks), Format::Sse);
    let items: Vec<_> = futures::executor::block_on(async {
        let mut items = Vec::new();
        while let Some(item) = stream.next().await {
            items.push(item);
        }
        items
    });
    assert!(matches!(items[0], Err(StreamError::Transport("reset"))));
    assert!(items.len() == 2, "{items:?}");
    assert!(!stream.summary().ended_properly());
}
