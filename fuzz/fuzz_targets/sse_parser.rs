//! Feeds arbitrary bytes to the SSE parser, split at an arbitrary point, with an arbitrary size
//! limit, and checks that it never panics, that splitting changes nothing, and that what it
//! reports stays inside the stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openai_wire_sse::{Item, Parser, ParserConfig, SseError};

/// Everything the parser yields, owned, for comparison.
fn run(config: &ParserConfig, chunks: &[&[u8]]) -> Vec<String> {
    let mut parser = Parser::with_config(config.clone());
    let mut out = Vec::new();
    let drain = |parser: &mut Parser, out: &mut Vec<String>| {
        while let Some(item) = parser.next_item() {
            out.push(match item {
                Ok(Item::Event(frame)) => format!("{:?}", frame.into_owned()),
                Ok(Item::Comment(comment)) => format!("{comment:?}"),
                Err(error) => format!("{error:?}"),
            });
        }
    };
    for chunk in chunks {
        parser.feed(chunk);
        drain(&mut parser, &mut out);
    }
    parser.finish();
    drain(&mut parser, &mut out);
    assert!(parser.next_item().is_none());
    out
}

fuzz_target!(|input: &[u8]| {
    // The first bytes choose the split point, the size limit and whether comments are reported.
    let [a, b, c, bytes @ ..] = input else {
        return;
    };
    let cut = usize::from(u16::from_le_bytes([*a, *b])) % (bytes.len() + 1);
    let max = if c & 0x80 == 0 {
        ParserConfig::DEFAULT_MAX_EVENT_SIZE
    } else {
        usize::from(c & 0x3F)
    };
    let config = ParserConfig::new()
        .with_max_event_size(max)
        .with_comments(c & 0x40 == 0);

    let whole = run(&config, &[bytes]);
    let split = run(&config, &[&bytes[..cut], &bytes[cut..]]);
    assert_eq!(whole, split, "splitting at {cut} changed the items");

    // Offsets stay inside the stream.
    let mut parser = Parser::with_config(config);
    parser.feed(bytes);
    parser.finish();
    while let Some(item) = parser.next_item() {
        let offset = match item {
            Ok(Item::Event(frame)) => frame.offset,
            Ok(Item::Comment(comment)) => comment.offset,
            Err(SseError::InvalidUtf8 { offset, .. })
            | Err(SseError::EventTooLarge { offset, .. })
            | Err(SseError::Truncated { offset, .. }) => offset,
            Err(other) => panic!("unexpected error {other:?}"),
        };
        assert!(offset < bytes.len() as u64);
    }
});
