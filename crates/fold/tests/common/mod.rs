//! The corpus of recorded streams (`fixtures/corpus`) and its MANIFEST, for the fold tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use openai_wire_decode::{Decoder, Format, Item};
use openai_wire_events::StreamEvent;

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/corpus")
}

/// One row of `MANIFEST.tsv`.
pub struct Entry {
    pub file: String,
    pub protocol: String,
    pub format: Format,
    pub notes: String,
}

pub fn manifest() -> Vec<Entry> {
    let text = std::fs::read_to_string(corpus_dir().join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let format = match cols[2] {
                "sse" => Format::Sse,
                "jsonl" => Format::Jsonl,
                other => panic!("unknown format {other} in {line}"),
            };
            Entry {
                file: cols[0].to_owned(),
                protocol: cols[1].to_owned(),
                format,
                notes: cols.get(6).copied().unwrap_or("").to_owned(),
            }
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
