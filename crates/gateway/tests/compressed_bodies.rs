//! Request bodies with `Content-Encoding` (issue 13, item 7): Codex with a provider named
//! `OpenAI` may compress its request bodies with zstd. The gateway decodes zstd, gzip, br and
//! deflate before parsing, bounds the body after decompression (a small bomb is a 413 in
//! OpenAI's shape, not 64 MiB of memory), and answers an unknown encoding or a corrupt body
//! with a 400 in OpenAI's shape.

mod support;

use std::io::Write as _;

use serde_json::{Value, json};
use support::gateway::{config_for, start};
use support::upstream::Upstream;

fn request_body() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "model": "gpt-5.5", "stream": false, "store": false,
        "input": "say the compressed word",
    }))
    .unwrap()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        writer.write_all(bytes).unwrap();
    }
    out
}

async fn post(base: &str, encoding: &str, body: Vec<u8>) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/responses"))
        .header("content-type", "application/json")
        .header("content-encoding", encoding)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (status, value)
}

#[tokio::test]
async fn zstd_gzip_br_and_deflate_bodies_are_decoded_before_parsing() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, 5, |_| {})).await;
    let plain = request_body();
    let encoded = [
        ("zstd", zstd(&plain)),
        ("gzip", gzip(&plain)),
        ("br", brotli(&plain)),
        ("deflate", deflate(&plain)),
    ];
    for (encoding, body) in encoded {
        assert_ne!(body, plain);
        let (status, response) = post(&gateway.base, encoding, body).await;
        assert_eq!(status, 200, "{encoding}: {response}");
        assert_eq!(response["status"], "completed", "{encoding}: {response}");
        assert_eq!(
            response["output"][0]["content"][0]["text"], "Hello from the scripted upstream.",
            "{encoding}: {response}"
        );
    }
    // The upstream got each request, decoded.
    let requests = upstream.requests();
    assert_eq!(requests.len(), 4);
    for request in &requests {
        assert_eq!(request["messages"][0]["content"], "say the compressed word");
    }
}

#[tokio::test]
async fn a_body_past_the_limit_after_decompression_is_a_413_and_nothing_goes_upstream() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, 5, |_| {})).await;
    // 80 MiB of JSON whitespace inside a valid request: far past the 64 MiB limit once
    // decompressed, a few KiB on the wire.
    let mut plain = b"{\"model\": \"gpt-5.5\", \"input\": \"hi\"".to_vec();
    plain.extend(std::iter::repeat_n(b' ', 80 << 20));
    plain.push(b'}');
    let bomb = zstd(&plain);
    assert!(bomb.len() < 64 << 10, "{} bytes", bomb.len());
    let (status, body) = post(&gateway.base, "zstd", bomb).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["type"], "invalid_request_error", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("too large"),
        "{body}"
    );
    assert!(upstream.requests().is_empty());
}

#[tokio::test]
async fn an_unknown_encoding_or_a_corrupt_body_is_a_400_in_openais_shape() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, 5, |_| {})).await;
    let (status, body) = post(&gateway.base, "snappy", request_body()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["type"], "invalid_request_error", "{body}");
    let (status, body) = post(&gateway.base, "zstd", b"not zstd at all".to_vec()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["type"], "invalid_request_error", "{body}");
    assert!(upstream.requests().is_empty());
}
