//! The peer of `openai-wire decode`, as a whole process: `eventsource-stream` framing feeding
//! `async-openai` 0.43's `ResponseStreamEvent` through `serde_json`, the pipeline Rust users of
//! async-openai run, reading each file in 64 KiB chunks as `openai-wire decode` does. Prints one
//! summary line per file, like `openai-wire decode --quiet`.
//!
//! Used by `benches/decode_process.sh` (a benchmark, not a test):
//! `cargo run --release -p openai-wire-decode --example peer_decode -- FILE...`

use std::io::Read;

use futures::StreamExt;

const CHUNK: usize = 64 * 1024;

fn main() -> std::io::Result<()> {
    for path in std::env::args().skip(1) {
        let mut file = std::fs::File::open(&path)?;
        let mut chunks = Vec::new();
        loop {
            let mut buffer = vec![0; CHUNK];
            let n = file.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            buffer.truncate(n);
            chunks.push(Ok::<_, std::io::Error>(bytes::Bytes::from(buffer)));
        }
        let (events, errors) = decode(chunks);
        eprintln!("{path}: {events} events, {errors} errors");
    }
    Ok(())
}

fn decode(chunks: Vec<Result<bytes::Bytes, std::io::Error>>) -> (u64, u64) {
    use eventsource_stream::Eventsource;
    futures::executor::block_on(async {
        let mut stream = futures::stream::iter(chunks).eventsource();
        let (mut events, mut errors) = (0, 0);
        while let Some(event) = stream.next().await {
            let Ok(event) = event else {
                errors += 1;
                continue;
            };
            if event.data == "[DONE]" {
                continue;
            }
            match serde_json::from_str::<async_openai::types::responses::ResponseStreamEvent>(
                &event.data,
            ) {
                Ok(parsed) => {
                    std::hint::black_box(&parsed);
                    events += 1;
                }
                Err(_) => errors += 1,
            }
        }
        (events, errors)
    })
}
