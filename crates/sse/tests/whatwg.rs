//! The WHATWG event-stream interpretation rules, one named test per edge case, plus this crate's
//! own rules for bad input (invalid UTF-8, oversized events, truncated streams).

mod common;

use common::{Out, datas, events, parse, parse_chunks, parse_chunks_with, split_at};
use openai_wire_sse::{Item, OwnedFrame, Parser, ParserConfig, SseError};

fn frame(event: Option<&str>, data: &str, offset: u64, index: u64) -> Out {
    Out::Event(OwnedFrame {
        event: event.map(str::to_owned),
        data: data.to_owned(),
        id: None,
        retry: None,
        offset,
        index,
    })
}

fn comment(text: &str, offset: u64) -> Out {
    Out::Comment {
        text: text.to_owned(),
        offset,
    }
}

/// Every way to cut `bytes` in two gives `expected`, and so does one byte at a time.
fn assert_any_split(bytes: &[u8], expected: &[Out]) {
    for cut in 0..=bytes.len() {
        assert_eq!(
            parse_chunks(&split_at(bytes, &[cut])),
            expected,
            "split at {cut}"
        );
    }
    let bytewise: Vec<&[u8]> = bytes.chunks(1).collect();
    assert_eq!(parse_chunks(&bytewise), expected, "one byte at a time");
}

#[test]
fn lf() {
    let out = parse(b"event: a\ndata: 1\n\ndata: 2\n\n");
    assert_eq!(out, [frame(Some("a"), "1", 0, 0), frame(None, "2", 18, 1)]);
}

#[test]
fn cr() {
    let out = parse(b"event: a\rdata: 1\r\rdata: 2\r\r");
    assert_eq!(out, [frame(Some("a"), "1", 0, 0), frame(None, "2", 18, 1)]);
}

#[test]
fn crlf() {
    let out = parse(b"event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n");
    assert_eq!(out, [frame(Some("a"), "1", 0, 0), frame(None, "2", 21, 1)]);
}

#[test]
fn mixed_line_endings() {
    let out = parse(b"data: 1\rdata: 2\ndata: 3\r\n\ndata: 4\n\r\n");
    assert_eq!(datas(&out), ["1\n2\n3", "4"]);
}

#[test]
fn cr_lf_split_across_chunks() {
    // A CR at the end of one chunk and LF at the start of the next are ONE line ending: if they
    // counted as two, the empty line between them would dispatch "a" alone.
    let out = parse_chunks(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]);
    assert_eq!(out, [frame(None, "a\nb", 0, 0)]);
    assert_any_split(
        b"data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n",
        &[frame(None, "a\nb", 0, 0), frame(None, "c", 20, 1)],
    );
}

#[test]
fn cr_at_chunk_end_dispatches_without_waiting() {
    // "\r\r" is a line ending and a blank line: the event must come out before more bytes arrive.
    let mut parser = Parser::new();
    parser.feed(b"data: a\r");
    assert!(parser.next_item().is_none());
    parser.feed(b"\r");
    match parser.next_item() {
        Some(Ok(Item::Event(frame))) => assert_eq!(frame.data, "a"),
        other => panic!("expected the event, got {other:?}"),
    }
    // A following LF is a blank line of its own, which dispatches nothing.
    parser.feed(b"\n");
    assert!(parser.next_item().is_none());
    parser.finish();
    assert!(parser.next_item().is_none());
}

#[test]
fn bom_at_start() {
    let out = parse(b"\xEF\xBB\xBFdata: x\n\n");
    assert_eq!(out, [frame(None, "x", 3, 0)]);
    // Split inside the BOM.
    assert_any_split(b"\xEF\xBB\xBFdata: x\n\n", &[frame(None, "x", 3, 0)]);
}

#[test]
fn bom_not_at_start_is_data() {
    // Inside a value it is kept.
    let out = parse("data: \u{FEFF}x\n\n".as_bytes());
    assert_eq!(datas(&out), ["\u{FEFF}x"]);
    // At the start of a later line it is part of the field name, which is then unknown.
    let out = parse("data: a\n\n\u{FEFF}data: b\n\n".as_bytes());
    assert_eq!(datas(&out), ["a"]);
    // Only one BOM is skipped.
    let out = parse("\u{FEFF}\u{FEFF}data: b\n\ndata: c\n\n".as_bytes());
    assert_eq!(datas(&out), ["c"]);
}

#[test]
fn bom_prefix_only_at_eof() {
    // The first two bytes of a BOM and then the end: not a BOM, a broken line (not UTF-8, but a
    // line that is neither a field we know nor an event: nothing to report but a truncation).
    let out = parse(b"\xEF\xBB");
    assert!(matches!(
        out.as_slice(),
        [Out::Error(SseError::Truncated { offset: 0, .. })]
    ));
}

#[test]
fn comment_lines() {
    let input = b": OPENROUTER PROCESSING\n: ping - 2025-01-01\n\ndata: x\n\n";
    let out = parse(input);
    assert_eq!(
        out,
        [
            comment(" OPENROUTER PROCESSING", 0),
            comment(" ping - 2025-01-01", 24),
            frame(None, "x", 45, 0),
        ]
    );
    assert_any_split(input, &out);
}

#[test]
fn comment_inside_event() {
    let out = parse(b"data: a\n:keep-alive\ndata: b\n\n");
    assert_eq!(out, [comment("keep-alive", 8), frame(None, "a\nb", 0, 0)]);
}

#[test]
fn empty_comment() {
    let out = parse(b":\n\n");
    assert_eq!(out, [comment("", 0)]);
}

#[test]
fn comments_can_be_turned_off() {
    let config = ParserConfig::new().with_comments(false);
    let out = parse_chunks_with(config, &[b": ping\ndata: a\n: x\xFF\n\n"]);
    // Not reported, and their bytes are not checked.
    assert_eq!(out, [frame(None, "a", 7, 0)]);
}

#[test]
fn multi_line_data_joined() {
    let out = parse(b"data: a\ndata:\ndata: b\ndata\n\n");
    assert_eq!(datas(&out), ["a\n\nb\n"]);
}

#[test]
fn data_without_space() {
    let out = parse(b"data:x\n\n");
    assert_eq!(datas(&out), ["x"]);
}

#[test]
fn field_without_colon() {
    // `data` alone is a data line with an empty value: the event is dispatched with empty data.
    let out = parse(b"data\n\n");
    assert_eq!(out, [frame(None, "", 0, 0)]);
    // `event` alone sets an empty name (which WHATWG reads as "message").
    let out = parse(b"event\ndata: x\n\n");
    assert_eq!(out, [frame(Some(""), "x", 0, 0)]);
}

#[test]
fn only_one_leading_space_stripped() {
    let out = parse(b"data:  two spaces\ndata:\ttab\nevent:  e\n\n");
    let frames = events(&out);
    assert_eq!(frames[0].data, " two spaces\n\ttab");
    assert_eq!(frames[0].event.as_deref(), Some(" e"));
}

#[test]
fn trailing_spaces_kept() {
    let out = parse(b"data: x \n\n");
    assert_eq!(datas(&out), ["x "]);
}

#[test]
fn colon_in_value_kept() {
    let out = parse(b"data: {\"a\":\"b: c\"}\n\n");
    assert_eq!(datas(&out), ["{\"a\":\"b: c\"}"]);
}

#[test]
fn field_names_are_case_sensitive() {
    let out = parse(b"Data: x\nEVENT: y\n\n");
    assert!(out.is_empty());
}

#[test]
fn unknown_field_ignored() {
    let out = parse(b"foo: bar\ndata: x\nbaz\n\n");
    assert_eq!(out, [frame(None, "x", 0, 0)]);
    // A block of unknown fields dispatches nothing.
    let out = parse(b"foo: bar\n\n");
    assert!(out.is_empty());
}

#[test]
fn retry_digits_only() {
    let out = parse(b"retry: 1500\ndata: x\n\n");
    assert_eq!(events(&out)[0].retry, Some(1500));
    for bad in [
        "retry: 10a",
        "retry: -1",
        "retry: 1.5",
        "retry: +7",
        "retry:",
        "retry",
        "retry:  15",
        "retry: 99999999999999999999999",
    ] {
        let input = format!("{bad}\ndata: x\n\n");
        let out = parse(input.as_bytes());
        assert_eq!(events(&out)[0].retry, None, "{bad:?}");
    }
    // The last valid one wins, and the parser remembers it.
    let mut parser = Parser::new();
    parser.feed(b"retry: 1\nretry: 2\nretry: x\ndata: a\n\n");
    match parser.next_item() {
        Some(Ok(Item::Event(frame))) => assert_eq!(frame.retry, Some(2)),
        other => panic!("{other:?}"),
    }
    assert_eq!(parser.retry(), Some(2));
}

#[test]
fn id_with_nul_ignored() {
    let mut parser = Parser::new();
    let mut out = Vec::new();
    parser.feed(b"id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n");
    common::drain(&mut parser, &mut out);
    let frames = events(&out);
    assert_eq!(frames[0].id.as_deref(), Some("1"));
    assert_eq!(frames[1].id, None);
    assert_eq!(parser.last_event_id(), "1");
}

#[test]
fn last_event_id_persists_and_empty_id_resets() {
    let mut parser = Parser::new();
    let mut out = Vec::new();
    assert_eq!(parser.last_event_id(), "");
    parser.feed(b"id: 7\ndata: a\n\ndata: b\n\n");
    common::drain(&mut parser, &mut out);
    assert_eq!(parser.last_event_id(), "7");
    // The second frame had no id line of its own.
    assert_eq!(events(&out)[1].id, None);
    parser.feed(b"id\ndata: c\n\n");
    common::drain(&mut parser, &mut out);
    assert_eq!(events(&out)[2].id.as_deref(), Some(""));
    assert_eq!(parser.last_event_id(), "");
}

#[test]
fn empty_data_not_dispatched() {
    // WHATWG: a block without a data line is not dispatched, even with an event name.
    let mut parser = Parser::new();
    let mut out = Vec::new();
    parser.feed(b"event: ping\n\nid: 5\n\nretry: 10\n\nevent: x\nid: 6\n\n");
    common::drain(&mut parser, &mut out);
    assert!(out.is_empty(), "{out:?}");
    // ... but its id and retry are taken.
    assert_eq!(parser.last_event_id(), "6");
    assert_eq!(parser.retry(), Some(10));
    // The next dispatched frame is index 0.
    parser.feed(b"data: y\n\n");
    common::drain(&mut parser, &mut out);
    assert_eq!(out, [frame(None, "y", 47, 0)]);
}

#[test]
fn empty_data_line_is_dispatched() {
    // `data:` with an empty value still makes a data buffer ("\n"), so the event goes out.
    let out = parse(b"event: e\ndata:\n\n");
    assert_eq!(out, [frame(Some("e"), "", 0, 0)]);
}

#[test]
fn event_field_last_wins() {
    let out = parse(b"event: a\nevent: b\ndata: x\n\n");
    assert_eq!(events(&out)[0].event.as_deref(), Some("b"));
}

#[test]
fn event_name_does_not_carry_over() {
    let out = parse(b"event: a\ndata: 1\n\ndata: 2\n\n");
    assert_eq!(events(&out)[1].event, None);
}

#[test]
fn blank_lines_between_events_ignored() {
    let out = parse(b"\n\r\n\rdata: x\n\n\n\n");
    assert_eq!(out, [frame(None, "x", 4, 0)]);
}

#[test]
fn utf8_split_across_chunks() {
    let input = "event: d\u{e9}j\u{e0}\ndata: h\u{e9}llo \u{20ac} \u{1F600}\n\n".as_bytes();
    let expected = [frame(
        Some("d\u{e9}j\u{e0}"),
        "h\u{e9}llo \u{20ac} \u{1F600}",
        0,
        0,
    )];
    assert_any_split(input, &expected);
}

#[test]
fn invalid_utf8_reports_offset_and_continues() {
    let input = b"data: ok\n\ndata: b\xFFad\ndata: more\n\ndata: next\n\n";
    let out = parse(input);
    assert_eq!(
        out,
        [
            frame(None, "ok", 0, 0),
            Out::Error(SseError::InvalidUtf8 {
                offset: 17,
                start: 10
            }),
            frame(None, "next", 33, 1),
        ]
    );
    assert_any_split(input, &out);
    let message = out[1].clone();
    if let Out::Error(error) = message {
        assert_eq!(
            error.to_string(),
            "invalid UTF-8 at byte 17 of the stream; the event or comment that starts at byte 10 was skipped"
        );
    }
}

#[test]
fn invalid_utf8_offset_is_first_bad_byte_in_stream_order() {
    // The data line comes first in the stream, the bad event name second.
    let out = parse(b"data: \xC3\nevent: \xFF\n\n");
    assert_eq!(
        out,
        [Out::Error(SseError::InvalidUtf8 {
            offset: 6,
            start: 0
        })]
    );
}

#[test]
fn invalid_utf8_in_event_name_or_id() {
    let out = parse(b"event: \xFE\ndata: x\n\n");
    assert_eq!(
        out,
        [Out::Error(SseError::InvalidUtf8 {
            offset: 7,
            start: 0
        })]
    );
    let mut parser = Parser::new();
    let mut out = Vec::new();
    parser.feed(b"id: 1\ndata: a\n\nid: \x80\ndata: b\n\nid: \x80\n\n");
    common::drain(&mut parser, &mut out);
    assert_eq!(
        out[1..],
        [
            Out::Error(SseError::InvalidUtf8 {
                offset: 19,
                start: 15
            }),
            Out::Error(SseError::InvalidUtf8 {
                offset: 34,
                start: 30
            }),
        ]
    );
    // The skipped events did not change the last event id.
    assert_eq!(parser.last_event_id(), "1");
}

#[test]
fn invalid_utf8_in_ignored_lines_is_not_an_error() {
    // Unknown field names and values are ignored, so their bytes do not matter.
    let out = parse(b"x\xFF: 1\nfoo: \xFF\ndata: x\n\n");
    assert_eq!(out, [frame(None, "x", 0, 0)]);
}

#[test]
fn invalid_utf8_in_comment_reported() {
    let out = parse(b": \xFF\ndata: x\n\n");
    assert_eq!(
        out,
        [
            Out::Error(SseError::InvalidUtf8 {
                offset: 2,
                start: 0
            }),
            frame(None, "x", 4, 0),
        ]
    );
}

#[test]
fn max_event_size_error_and_continues() {
    let config = ParserConfig::new().with_max_event_size(32);
    let mut input = b"data: small\n\ndata: ".to_vec();
    input.extend_from_slice(&[b'x'; 100]);
    input.extend_from_slice(b"\ndata: more\n: c\n\ndata: after\n\n");
    let expected = [
        frame(None, "small", 0, 0),
        Out::Error(SseError::EventTooLarge {
            offset: 13,
            limit: 32,
        }),
        frame(None, "after", 136, 1),
    ];
    assert_eq!(parse_chunks_with(config.clone(), &[&input]), expected);
    // Chunked: the parser notices before the line ends, and holds no more than that.
    for size in [1, 2, 7, 16, 64] {
        let chunks: Vec<&[u8]> = input.chunks(size).collect();
        assert_eq!(
            parse_chunks_with(config.clone(), &chunks),
            expected,
            "chunks of {size}"
        );
    }
}

#[test]
fn max_event_size_counts_all_lines_of_an_event() {
    let config = ParserConfig::new().with_max_event_size(24);
    // Each line fits; together they do not (27 bytes). The next event is exactly 24 bytes: the
    // last line ending and the blank line do not count.
    let input = b"data: 0123456789\ndata: 0123\n\ndata: 0123456789\ndata: 0\n\n";
    let out = parse_chunks_with(config, &[input]);
    assert_eq!(
        out,
        [
            Out::Error(SseError::EventTooLarge {
                offset: 0,
                limit: 24,
            }),
            frame(None, "0123456789\n0", 29, 0),
        ]
    );
}

#[test]
fn max_event_size_oversized_comment_skips_only_that_line() {
    let config = ParserConfig::new().with_max_event_size(8);
    let input = b": a very long comment line\ndata: ok\n\n";
    let expected = [
        Out::Error(SseError::EventTooLarge {
            offset: 0,
            limit: 8,
        }),
        frame(None, "ok", 27, 0),
    ];
    assert_eq!(parse_chunks_with(config.clone(), &[input]), expected);
    let chunks: Vec<&[u8]> = input.chunks(3).collect();
    assert_eq!(parse_chunks_with(config, &chunks), expected);
}

#[test]
fn max_event_size_memory_stays_bounded() {
    // 8 MiB of one endless line against a 1 KiB limit, fed in 4 KiB chunks: one error, and the
    // parser never keeps more than the limit plus a chunk.
    let mut parser = Parser::with_config(ParserConfig::new().with_max_event_size(1024));
    let mut errors = 0;
    parser.feed(b"data: ");
    let chunk = [b'x'; 4096];
    for _ in 0..2048 {
        parser.feed(&chunk);
        while let Some(item) = parser.next_item() {
            assert!(matches!(
                item,
                Err(SseError::EventTooLarge {
                    offset: 0,
                    limit: 1024
                })
            ));
            errors += 1;
        }
    }
    parser.feed(b"\n\ndata: fine\n\n");
    let mut out = Vec::new();
    common::drain(&mut parser, &mut out);
    assert_eq!(errors, 1);
    assert_eq!(datas(&out), ["fine"]);
    assert_eq!(parser.bytes_fed(), 6 + 2048 * 4096 + 14);
}

#[test]
fn truncated_at_eof_reported() {
    let input = b"data: complete\n\nevent: response.output_text.delta\ndata: {\"delta\":\"Hel";
    let out = parse(input);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0], frame(None, "complete", 0, 0));
    let Out::Error(SseError::Truncated { offset, partial }) = &out[1] else {
        panic!("expected a truncation, got {:?}", out[1]);
    };
    assert_eq!(*offset, 16);
    assert!(partial.has_data);
    assert_eq!(
        partial.frame.event.as_deref(),
        Some("response.output_text.delta")
    );
    assert_eq!(partial.frame.data, "{\"delta\":\"Hel");
    assert_eq!(partial.frame.offset, 16);
    assert_eq!(partial.frame.index, 1);
    assert_eq!(partial.raw, &input[16..]);
    assert_any_split(input, &out);
}

#[test]
fn truncated_after_complete_line_without_blank_line() {
    // Every line is complete, but the blank line never came: still not dispatched.
    let out = parse(b"data: {\"done\":true}\n");
    match out.as_slice() {
        [Out::Error(SseError::Truncated { offset: 0, partial })] => {
            assert_eq!(partial.frame.data, "{\"done\":true}");
            assert_eq!(partial.raw, b"data: {\"done\":true}\n");
        }
        other => panic!("{other:?}"),
    }
    // A block without data is reported too: nothing is lost silently.
    let out = parse(b"event: ping\r\n");
    match out.as_slice() {
        [Out::Error(SseError::Truncated { partial, .. })] => {
            assert!(!partial.has_data);
            assert_eq!(partial.frame.event.as_deref(), Some("ping"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn truncated_display_message() {
    let out = parse(b"data: abc");
    let Some(Out::Error(error)) = out.first() else {
        panic!("{out:?}")
    };
    assert_eq!(
        error.to_string(),
        "the stream ended inside the event that starts at byte 0 (no blank line after its 9 bytes); it was not dispatched"
    );
}

#[test]
fn unterminated_comment_at_eof_is_a_comment() {
    let out = parse(b"data: a\n\n: bye");
    assert_eq!(out, [frame(None, "a", 0, 0), comment(" bye", 9)]);
}

#[test]
fn clean_end_reports_nothing() {
    for input in [
        &b""[..],
        b"data: a\n\n",
        b"data: a\r\n\r\n",
        b"data: a\r\r",
        b"\n\n",
        b": c\n",
    ] {
        let out = parse(input);
        assert!(
            out.iter().all(|o| !matches!(o, Out::Error(_))),
            "{input:?}: {out:?}"
        );
    }
}

#[test]
fn feed_after_finish_is_ignored() {
    let mut parser = Parser::new();
    parser.feed(b"data: a\n\n");
    parser.finish();
    parser.feed(b"data: b\n\n");
    let mut out = Vec::new();
    common::drain(&mut parser, &mut out);
    assert_eq!(datas(&out), ["a"]);
    assert!(parser.is_finished());
}

#[test]
fn frames_borrow_until_next_call() {
    // The lending API: a frame is usable until the next call, then the parser moves on.
    let mut parser = Parser::new();
    parser.feed(b"data: one\n\ndata: two\n\n");
    let first = match parser.next_item() {
        Some(Ok(Item::Event(frame))) => frame.into_owned(),
        other => panic!("{other:?}"),
    };
    let second = match parser.next_item() {
        Some(Ok(Item::Event(frame))) => frame.data.to_owned(),
        other => panic!("{other:?}"),
    };
    assert_eq!((first.data.as_str(), second.as_str()), ("one", "two"));
}

#[test]
fn offsets_are_absolute_across_chunks() {
    let out = parse_chunks(&[b"data: a\n", b"\n: c\n", b"event: e\n", b"data: b\n\n"]);
    assert_eq!(
        out,
        [
            frame(None, "a", 0, 0),
            comment(" c", 9),
            frame(Some("e"), "b", 13, 1)
        ]
    );
}

#[test]
fn invalid_utf8_split_across_chunks() {
    // A character's first byte at the end of one chunk, then something that does not continue it.
    let input = b"data: \xE2\x82Z\n\ndata: \xE2\x82\xAC\n\n";
    let expected = [
        Out::Error(SseError::InvalidUtf8 {
            offset: 6,
            start: 0,
        }),
        frame(None, "\u{20ac}", 11, 0),
    ];
    assert_eq!(parse(input), expected);
    assert_any_split(input, &expected);
}

#[test]
fn incomplete_character_at_eof_is_invalid() {
    // The stream stops inside a character: those bytes are invalid, and kept as received.
    let out = parse_chunks(&[b"data: a\n\n", b"data: \xF0\x9F"]);
    assert_eq!(out[0], frame(None, "a", 0, 0));
    let Out::Error(SseError::Truncated { offset, partial }) = &out[1] else {
        panic!("{out:?}");
    };
    assert_eq!(*offset, 9);
    assert_eq!(partial.raw, b"data: \xF0\x9F");
    assert_eq!(partial.frame.data, "\u{FFFD}");
}

#[test]
fn truncated_keeps_invalid_bytes_raw() {
    let out = parse(b"event: e\xFF\ndata: a\xC3b");
    let Some(Out::Error(SseError::Truncated { partial, .. })) = out.first() else {
        panic!("{out:?}");
    };
    assert_eq!(partial.raw, b"event: e\xFF\ndata: a\xC3b");
    assert_eq!(partial.frame.event.as_deref(), Some("e\u{FFFD}"));
    assert_eq!(partial.frame.data, "a\u{FFFD}b");
}

#[test]
fn real_nul_in_data_is_kept() {
    // U+0000 is valid UTF-8: only `id` cares about it.
    let out = parse(b"data: a\0b\n\n");
    assert_eq!(datas(&out), ["a\0b"]);
}

#[test]
fn invalid_utf8_in_id_is_an_error_not_a_nul() {
    // An invalid byte is not a NUL: the event is reported, not dispatched without its id.
    let out = parse(b"id: 1\xFF\ndata: x\n\n");
    assert_eq!(
        out,
        [Out::Error(SseError::InvalidUtf8 {
            offset: 5,
            start: 0
        })]
    );
}
