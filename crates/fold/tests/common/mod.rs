//! The corpus of recorded streams (`fixtures/corpus`) and its MANIFEST, for the fold tests.

#![allow(dead_code)]

use openai_wire_decode::{Decoder, Format, Item};
use openai_wire_events::StreamEvent;

pub use openai_wire_test_support::corpus_dir;

/// One row of `MANIFEST.tsv`.
pub struct Entry {
    pub file: String,
    pub protocol: String,
    pub format: Format,
    pub notes: String,
}

pub fn manifest() -> Vec<Entry> {
    openai_wire_test_support::manifest()
        .into_iter()
        .map(|row| Entry {
            format: if row.is_jsonl() {
                Format::Jsonl
            } else {
                Format::Sse
            },
            file: row.file,
            protocol: row.protocol,
            notes: row.notes,
        })
        .collect()
}

/// The entries of one protocol.
pub fn entries(protocol: &str) -> Vec<Entry> {
    manifest()
        .into_iter()
        .filter(|e| e.protocol == protocol)
        .collect()
}

/// Every event of a corpus file with its raw JSON (decode errors fail the test: the decoder's
/// own corpus test guarantees there are none).
pub fn events<E: StreamEvent>(entry: &Entry) -> Vec<(E, String)> {
    let bytes = std::fs::read(corpus_dir().join(&entry.file)).expect("corpus file");
    let mut decoder = Decoder::<E>::new(entry.format);
    decoder.feed(&bytes);
    decoder.finish();
    let mut out = Vec::new();
    while let Some(item) = decoder.next_item() {
        match item {
            Ok(Item::Event(decoded)) => out.push((decoded.event, decoded.raw.to_owned())),
            Ok(_) => {}
            Err(error) => panic!("{}: {error}", entry.file),
        }
    }
    out
}
