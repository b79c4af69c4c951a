//! Every recorded stream in `fixtures/corpus` parses without an error, into the events a simple,
//! independent reading of the file expects.

mod common;

use std::path::PathBuf;

use common::{Out, parse_chunks};

fn corpus_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/corpus")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "sse") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// What a file should give, worked out without the parser: normalise line endings, split into
/// blocks at blank lines, and in each block take the `data` lines' values.
struct Expected {
    /// The data of each block that has a data line.
    data: Vec<String>,
    /// The number of comment lines.
    comments: usize,
}

fn expected(text: &str) -> Expected {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut data = Vec::new();
    let mut comments = 0;
    for block in text.split("\n\n") {
        let mut values: Vec<&str> = Vec::new();
        for line in block.split('\n') {
            if line.starts_with(':') {
                comments += 1;
            } else if line == "data" {
                values.push("");
            } else if let Some(value) = line.strip_prefix("data:") {
                values.push(value.strip_prefix(' ').unwrap_or(value));
            }
        }
        if !values.is_empty() {
            data.push(values.join("\n"));
        }
    }
    Expected { data, comments }
}

#[test]
fn corpus_parses_without_errors_into_the_expected_events() {
    let files = corpus_files();
    assert!(
        files.len() > 100,
        "the corpus is there ({} files)",
        files.len()
    );
    let (mut total_frames, mut total_comments, mut crlf_files) = (0, 0, 0);
    for path in &files {
        let bytes = std::fs::read(path).expect("corpus file");
        let text = std::str::from_utf8(&bytes).expect("corpus files are UTF-8");
        crlf_files += usize::from(text.contains("\r\n"));
        let expected = expected(text);
        for chunk_size in [bytes.len().max(1), 16 * 1024, 1000, 7] {
            let chunks: Vec<&[u8]> = bytes.chunks(chunk_size).collect();
            let out = parse_chunks(&chunks);
            let name = path.display();
            let errors: Vec<_> = out.iter().filter(|o| matches!(o, Out::Error(_))).collect();
            assert!(errors.is_empty(), "{name}: {errors:?}");
            let data: Vec<&str> = out
                .iter()
                .filter_map(|o| o.frame().map(|f| f.data.as_str()))
                .collect();
            assert_eq!(data.len(), expected.data.len(), "{name}: frame count");
            assert_eq!(data, expected.data, "{name}: data");
            let comments = out
                .iter()
                .filter(|o| matches!(o, Out::Comment { .. }))
                .count();
            assert_eq!(comments, expected.comments, "{name}: comments");
            if chunk_size == 16 * 1024 {
                total_frames += data.len();
                total_comments += comments;
            }
        }
    }
    // The corpus has what this test means to cover.
    assert!(total_frames > 10_000, "{total_frames} frames");
    assert!(total_comments > 10, "{total_comments} comments");
    assert!(crlf_files > 5, "{crlf_files} CRLF files");
}

#[test]
fn corpus_event_names_match_event_lines() {
    // Responses and Assistants recordings name each event on an `event:` line; the frame carries
    // exactly the names found in the file, in order.
    for path in corpus_files() {
        let bytes = std::fs::read(&path).expect("corpus file");
        let text = String::from_utf8(bytes.clone()).expect("UTF-8");
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let names: Vec<&str> = text
            .lines()
            .filter_map(|line| line.strip_prefix("event:"))
            .map(|name| name.strip_prefix(' ').unwrap_or(name))
            .collect();
        let out = parse_chunks(&[&bytes]);
        let parsed: Vec<&str> = out
            .iter()
            .filter_map(|o| o.frame().and_then(|f| f.event.as_deref()))
            .collect();
        assert_eq!(parsed, names, "{}", path.display());
    }
}
