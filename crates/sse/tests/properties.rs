//! Property tests: chunking never changes the result, no input panics, and what the writer
//! writes the parser reads back.

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::{Out, parse_chunks_with, split_at};
use openai_wire_sse::{
    Frame, Item, OwnedFrame, Parser, ParserConfig, PartialEvent, SseError, write_comment,
    write_frame,
};
use proptest::prelude::*;

/// `default` cases, or `PROPTEST_CASES` from the environment for a longer run.
fn config_with_cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig::with_cases(cases)
}

/// Pieces of event streams, tricky ones included, to build stream-like inputs from.
const PIECES: &[&[u8]] = &[
    b"data: {\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}",
    b"data: [DONE]",
    b"data:",
    b"data",
    b"data:  x",
    b"event: response.completed",
    b"event:",
    b"id: 42",
    b"id: a\0b",
    b"id",
    b"retry: 3000",
    b"retry: 3x",
    b": OPENROUTER PROCESSING",
    b": ping - 2025-01-01",
    b":",
    b"foo: bar",
    b"\n",
    b"\n",
    b"\n",
    b"\r",
    b"\r\n",
    b"\r\n",
    b"\xEF\xBB\xBF",
    b"\xEF\xBB",
    "d\u{e9}j\u{e0} \u{20ac} \u{1F600}".as_bytes(),
    b"\xFF",
    b"\xC3",
    b"\x80",
    b"\0",
];

fn stream_like() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|pieces| pieces.concat())
}

fn random_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Bytes from a small alphabet, so that lines, fields and blank lines happen often.
        prop::collection::vec(
            prop::sample::select(&b"data:evnt id ry\r\n\n\n:x\xEF\xBB\xBF\xFF\xC3\xA9\0"[..]),
            0..400
        ),
        prop::collection::vec(any::<u8>(), 0..400),
    ]
}

fn config() -> impl Strategy<Value = ParserConfig> {
    (
        prop_oneof![Just(ParserConfig::DEFAULT_MAX_EVENT_SIZE), 0usize..80],
        any::<bool>(),
    )
        .prop_map(|(max, comments)| {
            ParserConfig::new()
                .with_max_event_size(max)
                .with_comments(comments)
        })
}

/// Sorted cut points inside `len`.
fn cuts(len: usize, raw: Vec<usize>) -> Vec<usize> {
    let mut cuts: Vec<usize> = raw.into_iter().map(|c| c % (len + 1)).collect();
    cuts.sort_unstable();
    cuts
}

/// Every `.sse` file of the corpus, read once.
fn corpus() -> &'static [(PathBuf, Vec<u8>)] {
    static CORPUS: OnceLock<Vec<(PathBuf, Vec<u8>)>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut files = Vec::new();
        let mut dirs =
            vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/corpus")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("corpus folder").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "sse") {
                    let bytes = std::fs::read(&path).expect("corpus file");
                    files.push((path, bytes));
                }
            }
        }
        files.sort();
        files
    })
}

/// Checks what holds for any input: indexes count up from 0, offsets stay inside the stream, a
/// truncation carries every byte from its offset to the end.
fn check_invariants(out: &[Out], len: usize) {
    let mut index = 0;
    for item in out {
        let offset = match item {
            Out::Event(frame) => {
                assert_eq!(frame.index, index);
                index += 1;
                frame.offset
            }
            Out::Comment { offset, .. } => *offset,
            Out::Error(error) => match error {
                openai_wire_sse::SseError::InvalidUtf8 { offset, start } => {
                    assert!(start <= offset);
                    *start
                }
                openai_wire_sse::SseError::EventTooLarge { offset, .. } => *offset,
                openai_wire_sse::SseError::Truncated { offset, partial } => {
                    assert_eq!(partial.raw.len() as u64, len as u64 - offset);
                    *offset
                }
                other => panic!("unexpected error {other:?}"),
            },
        };
        assert!(offset < len as u64, "offset {offset} past the end {len}");
    }
}

/// A reference reader, written for clarity and not speed, straight from the WHATWG steps (plus
/// this crate's rules for invalid UTF-8 and truncation), over the whole input at once. The parser
/// must agree with it on any input and any chunking (with the default size limit).
fn reference(bytes: &[u8], comments: bool) -> Vec<Out> {
    #[derive(Default)]
    struct Block {
        start: usize,
        event: Option<Vec<u8>>,
        data: Option<Vec<Vec<u8>>>,
        id: Option<Vec<u8>>,
        retry: Option<u64>,
        /// The first invalid byte in the value of an `event`, `data` or `id` line.
        bad: Option<usize>,
    }
    let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let utf8 = |b: &[u8]| String::from_utf8(b.to_vec()).expect("checked");

    // Lines, with CR, LF and CRLF endings; the last one may be unterminated.
    let mut i = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut lines = Vec::new();
    let mut start = i;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push((start, i));
                i += 1;
                start = i;
            }
            b'\r' => {
                lines.push((start, i));
                i += 1;
                if bytes.get(i) == Some(&b'\n') {
                    i += 1;
                }
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < bytes.len() {
        lines.push((start, bytes.len()));
    }

    let mut out = Vec::new();
    let mut block: Option<Block> = None;
    let mut index = 0;
    for (start, end) in lines {
        let line = &bytes[start..end];
        if line.is_empty() {
            let Some(b) = block.take() else { continue };
            if let Some(bad) = b.bad {
                out.push(Out::Error(SseError::InvalidUtf8 {
                    offset: bad as u64,
                    start: b.start as u64,
                }));
            } else if let Some(data) = b.data {
                out.push(Out::Event(OwnedFrame {
                    event: b.event.as_deref().map(utf8),
                    data: utf8(&data.join(&b'\n')),
                    id: b.id.as_deref().map(utf8),
                    retry: b.retry,
                    offset: b.start as u64,
                    index,
                }));
                index += 1;
            }
            continue;
        }
        if line[0] == b':' {
            if comments {
                out.push(match std::str::from_utf8(&line[1..]) {
                    Ok(text) => Out::Comment {
                        text: text.to_owned(),
                        offset: start as u64,
                    },
                    Err(e) => Out::Error(SseError::InvalidUtf8 {
                        offset: (start + 1 + e.valid_up_to()) as u64,
                        start: start as u64,
                    }),
                });
            }
            continue;
        }
        let b = block.get_or_insert_with(|| Block {
            start,
            ..Block::default()
        });
        let (name, mut value_at) = match line.iter().position(|&c| c == b':') {
            Some(colon) => (&line[..colon], colon + 1),
            None => (line, line.len()),
        };
        if line.get(value_at) == Some(&b' ') {
            value_at += 1;
        }
        let value = &line[value_at..];
        if matches!(name, b"data" | b"event" | b"id")
            && let Err(e) = std::str::from_utf8(value)
        {
            let at = start + value_at + e.valid_up_to();
            b.bad = Some(b.bad.map_or(at, |bad| bad.min(at)));
        }
        match name {
            b"data" => b.data.get_or_insert_with(Vec::new).push(value.to_vec()),
            b"event" => b.event = Some(value.to_vec()),
            b"id" if !value.contains(&0) => b.id = Some(value.to_vec()),
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                if let Ok(retry) = std::str::from_utf8(value).expect("digits").parse() {
                    b.retry = Some(retry);
                }
            }
            _ => {}
        }
    }
    if let Some(b) = block {
        let data = b
            .data
            .as_ref()
            .map(|d| d.iter().map(|l| lossy(l)).collect::<Vec<_>>().join("\n"));
        out.push(Out::Error(SseError::Truncated {
            offset: b.start as u64,
            partial: Box::new(PartialEvent {
                frame: OwnedFrame {
                    event: b.event.as_deref().map(lossy),
                    data: data.clone().unwrap_or_default(),
                    id: b.id.as_deref().map(lossy),
                    retry: b.retry,
                    offset: b.start as u64,
                    index,
                },
                has_data: data.is_some(),
                raw: bytes[b.start..].to_vec(),
            }),
        }));
    }
    out
}

proptest! {
    #![proptest_config(config_with_cases(1024))]

    #[test]
    fn parser_agrees_with_reference_stream_like(
        bytes in stream_like(),
        raw_cuts in prop::collection::vec(any::<usize>(), 0..12),
        comments in any::<bool>(),
    ) {
        let config = ParserConfig::new().with_comments(comments);
        let expected = reference(&bytes, comments);
        prop_assert_eq!(&parse_chunks_with(config.clone(), &[&bytes]), &expected);
        let chunked = parse_chunks_with(config, &split_at(&bytes, &cuts(bytes.len(), raw_cuts)));
        prop_assert_eq!(&chunked, &expected);
    }

    #[test]
    fn parser_agrees_with_reference_random(
        bytes in random_bytes(),
        raw_cuts in prop::collection::vec(any::<usize>(), 0..12),
        comments in any::<bool>(),
    ) {
        let config = ParserConfig::new().with_comments(comments);
        let expected = reference(&bytes, comments);
        prop_assert_eq!(&parse_chunks_with(config.clone(), &[&bytes]), &expected);
        let chunked = parse_chunks_with(config, &split_at(&bytes, &cuts(bytes.len(), raw_cuts)));
        prop_assert_eq!(&chunked, &expected);
    }
}

proptest! {
    #![proptest_config(config_with_cases(512))]

    #[test]
    fn any_chunking_gives_the_same_items_stream_like(
        bytes in stream_like(),
        raw_cuts in prop::collection::vec(any::<usize>(), 0..12),
        config in config(),
    ) {
        let whole = parse_chunks_with(config.clone(), &[&bytes]);
        let chunked = parse_chunks_with(config, &split_at(&bytes, &cuts(bytes.len(), raw_cuts)));
        prop_assert_eq!(&chunked, &whole);
        check_invariants(&whole, bytes.len());
    }

    #[test]
    fn any_chunking_gives_the_same_items_random(
        bytes in random_bytes(),
        raw_cuts in prop::collection::vec(any::<usize>(), 0..12),
        config in config(),
    ) {
        let whole = parse_chunks_with(config.clone(), &[&bytes]);
        let chunked = parse_chunks_with(config, &split_at(&bytes, &cuts(bytes.len(), raw_cuts)));
        prop_assert_eq!(&chunked, &whole);
        check_invariants(&whole, bytes.len());
    }

    #[test]
    fn one_byte_at_a_time_gives_the_same_items(bytes in stream_like(), config in config()) {
        let whole = parse_chunks_with(config.clone(), &[&bytes]);
        let bytewise: Vec<&[u8]> = bytes.chunks(1).collect();
        prop_assert_eq!(parse_chunks_with(config, &bytewise), whole);
    }

    #[test]
    fn random_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..2000),
        raw_cuts in prop::collection::vec(any::<usize>(), 0..20),
        max in 0usize..300,
        comments in any::<bool>(),
    ) {
        let config = ParserConfig::new().with_max_event_size(max).with_comments(comments);
        let out = parse_chunks_with(config, &split_at(&bytes, &cuts(bytes.len(), raw_cuts)));
        check_invariants(&out, bytes.len());
    }
}

proptest! {
    #![proptest_config(config_with_cases(48))]

    #[test]
    fn any_chunking_of_corpus_files_gives_the_same_items(
        pick in any::<prop::sample::Index>(),
        raw_cuts in prop::collection::vec(any::<usize>(), 0..40),
    ) {
        let (path, bytes) = pick.get(corpus());
        let config = ParserConfig::new();
        let whole = parse_chunks_with(config.clone(), &[bytes]);
        let chunked = parse_chunks_with(config, &split_at(bytes, &cuts(bytes.len(), raw_cuts)));
        prop_assert!(chunked == whole, "{}", path.display());
    }
}

/// A frame the writer accepts: no line break in the name or id, no NUL in the id, no CR in data.
fn writable_frame() -> impl Strategy<Value = OwnedFrame> {
    (
        prop::option::of("[^\r\n]{0,12}"),
        "[^\r]{0,40}",
        prop::option::of("[^\r\n\0]{0,12}"),
        prop::option::of(any::<u64>()),
    )
        .prop_map(|(event, data, id, retry)| OwnedFrame {
            event,
            data,
            id,
            retry,
            offset: 0,
            index: 0,
        })
}

#[derive(Debug, Clone)]
enum Written {
    Frame(OwnedFrame),
    Comment(String),
}

fn written() -> impl Strategy<Value = Written> {
    prop_oneof![
        4 => writable_frame().prop_map(Written::Frame),
        1 => "[^\r\n]{0,20}".prop_map(Written::Comment),
    ]
}

proptest! {
    #![proptest_config(config_with_cases(512))]

    #[test]
    fn writer_then_parser_round_trip(frame in writable_frame()) {
        let mut out = Vec::new();
        write_frame(&mut out, &frame.as_frame()).expect("writable");
        let mut parser = Parser::new();
        parser.feed(&out);
        parser.finish();
        match parser.next_item() {
            Some(Ok(Item::Event(read))) => prop_assert_eq!(read, frame.as_frame()),
            other => prop_assert!(false, "expected the frame back, got {:?}", other),
        }
        prop_assert!(parser.next_item().is_none());
    }

    #[test]
    fn writer_then_parser_round_trip_streams(
        items in prop::collection::vec(written(), 0..20),
        raw_cuts in prop::collection::vec(any::<usize>(), 0..10),
    ) {
        let mut bytes = Vec::new();
        let mut expected = Vec::new();
        let mut index = 0;
        for item in &items {
            let offset = bytes.len() as u64;
            match item {
                Written::Frame(frame) => {
                    write_frame(&mut bytes, &frame.as_frame()).expect("writable");
                    expected.push(Out::Event(OwnedFrame { offset, index, ..frame.clone() }));
                    index += 1;
                }
                Written::Comment(text) => {
                    write_comment(&mut bytes, text).expect("writable");
                    expected.push(Out::Comment { text: text.clone(), offset });
                }
            }
        }
        let out = parse_chunks_with(ParserConfig::new(), &split_at(&bytes, &cuts(bytes.len(), raw_cuts)));
        prop_assert_eq!(out, expected);
    }

    #[test]
    fn writer_refuses_what_it_cannot_carry(
        event in prop::option::of(".{0,8}"),
        data in ".{0,16}",
        id in prop::option::of(".{0,8}"),
    ) {
        let frame = Frame { event: event.as_deref(), data: &data, id: id.as_deref(), retry: None, offset: 0, index: 0 };
        let carriable = !event.as_deref().is_some_and(|e| e.contains(['\r', '\n']))
            && !id.as_deref().is_some_and(|i| i.contains(['\r', '\n', '\0']))
            && !data.contains('\r');
        let mut out = Vec::new();
        let result = write_frame(&mut out, &frame);
        prop_assert_eq!(result.is_ok(), carriable);
        if result.is_err() {
            prop_assert!(out.is_empty(), "nothing is written on error");
        }
    }
}
