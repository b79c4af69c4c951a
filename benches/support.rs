//! Bench inputs shared by the crates' benchmarks (included with `#[path]`): the synthetic
//! Responses stream and the largest recorded streams of the corpus.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use openai_wire_sse::{Frame, write_frame};

/// The chunk size the benchmarks feed: what an HTTP client typically hands over.
pub const CHUNK: usize = 16 * 1024;

/// 100,000 `response.output_text.delta` events (~250 bytes each), with a ~2 KB
/// `response.output_item.done` every 1000th event, framed as OpenAI frames them.
pub fn synthetic_responses_stream() -> Vec<u8> {
    let words = [
        "Hello", " world", ",", " the", " quick", " brown", " fox", " jumps", " over", " lazy",
    ];
    let item_id = "msg_68c1f0a7e9d48193a5b2c4d6e8f0a1b20a4b6c8d0e2f4a6b";
    let long_text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(30);
    let mut out = Vec::with_capacity(30 * 1024 * 1024);
    let mut data = String::new();
    for seq in 0..100_000u32 {
        data.clear();
        let name = if seq % 1000 == 999 {
            data.push_str(&format!(
                r#"{{"type":"response.output_item.done","sequence_number":{seq},"output_index":0,"item":{{"id":"{item_id}","type":"message","status":"completed","content":[{{"type":"output_text","annotations":[],"logprobs":[],"text":"{long_text}"}}],"role":"assistant"}}}}"#
            ));
            "response.output_item.done"
        } else {
            let delta = words[seq as usize % words.len()];
            data.push_str(&format!(
                r#"{{"type":"response.output_text.delta","sequence_number":{seq},"item_id":"{item_id}","output_index":0,"content_index":0,"delta":"{delta}","logprobs":[],"obfuscation":"Xy7Qp2"}}"#
            ));
            "response.output_text.delta"
        };
        write_frame(&mut out, &Frame::new(&data).with_event(name)).expect("valid frame");
    }
    out
}

/// The `n` largest `.sse` files of the repository's corpus.
pub fn largest_corpus_files(n: usize) -> Vec<(PathBuf, Vec<u8>)> {
    largest_corpus_files_in("", n)
}

/// The `n` largest `.sse` files under `fixtures/corpus/<folder>`.
pub fn largest_corpus_files_in(folder: &str, n: usize) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/corpus")
        .join(folder);
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "sse") {
                let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
                files.push((len, path));
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .rev()
        .take(n)
        .filter_map(|(_, path)| std::fs::read(&path).ok().map(|bytes| (path, bytes)))
        .collect()
}
