//! Helpers shared by the integration tests.
#![allow(dead_code)]

use openai_wire_sse::{Item, OwnedFrame, Parser, ParserConfig, SseError};

/// One item the parser yielded, owned so that it outlives the parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Out {
    Event(OwnedFrame),
    Comment { text: String, offset: u64 },
    Error(SseError),
}

impl Out {
    /// The frame, if this is an event.
    pub fn frame(&self) -> Option<&OwnedFrame> {
        match self {
            Out::Event(frame) => Some(frame),
            _ => None,
        }
    }
}

/// Drains the parser into `out`.
pub fn drain(parser: &mut Parser, out: &mut Vec<Out>) {
    while let Some(item) = parser.next_item() {
        out.push(match item {
            Ok(Item::Event(frame)) => Out::Event(frame.into_owned()),
            Ok(Item::Comment(comment)) => Out::Comment {
                text: comment.text.to_owned(),
                offset: comment.offset,
            },
            Err(error) => Out::Error(error),
        });
    }
}

/// Feeds each chunk in turn (draining after each), then finishes the stream.
pub fn parse_chunks_with(config: ParserConfig, chunks: &[&[u8]]) -> Vec<Out> {
    let mut parser = Parser::with_config(config);
    let mut out = Vec::new();
    for chunk in chunks {
        parser.feed(chunk);
        drain(&mut parser, &mut out);
    }
    parser.finish();
    drain(&mut parser, &mut out);
    // Once finished and drained, the parser stays quiet.
    assert!(parser.next_item().is_none());
    out
}

/// [`parse_chunks_with`] with the default configuration.
pub fn parse_chunks(chunks: &[&[u8]]) -> Vec<Out> {
    parse_chunks_with(ParserConfig::default(), chunks)
}

/// The whole input as one chunk.
pub fn parse(bytes: &[u8]) -> Vec<Out> {
    parse_chunks(&[bytes])
}

/// Only the events.
pub fn events(out: &[Out]) -> Vec<OwnedFrame> {
    out.iter().filter_map(|o| o.frame().cloned()).collect()
}

/// Only the data of the events.
pub fn datas(out: &[Out]) -> Vec<String> {
    out.iter()
        .filter_map(|o| o.frame().map(|f| f.data.clone()))
        .collect()
}

/// Splits `bytes` at the given (sorted, in-range) cut points.
pub fn split_at<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut chunks = Vec::new();
    let mut last = 0;
    for &cut in cuts {
        chunks.push(&bytes[last..cut]);
        last = cut;
    }
    chunks.push(&bytes[last..]);
    chunks
}
