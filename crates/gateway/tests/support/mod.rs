#![allow(dead_code)]

pub mod codex;
pub mod e2e;
pub mod gateway;
pub mod postgres;
pub mod responses_upstream;
pub mod searxng;
pub mod upstream;

use std::net::SocketAddr;

use tokio::sync::oneshot;

/// Serves `app` on a free loopback port, in the background, until the returned sender fires
/// or is dropped (the requests in flight finish first).
pub async fn serve_local(app: axum::Router) -> (SocketAddr, oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    (addr, stop)
}

/// Asserts that a Responses SSE body is conformant: no error of `openai-wire check`, and no
/// Response object lacking a field OpenAI's carries (`response.all-fields`, a warning for
/// other servers' recordings, a regression for the gateway's own streams).
pub fn assert_responses_conformant(body: &str) {
    use openai_wire_decode::{Format, Protocol};
    let report = openai_wire_check::check_bytes(Protocol::Responses, Format::Sse, body.as_bytes());
    assert_eq!(report.errors(), 0, "{:#?}\n{body}", report.findings);
    let incomplete: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule.id == "response.all-fields")
        .collect();
    assert!(incomplete.is_empty(), "{incomplete:#?}\n{body}");
}

/// The gateway's `/metrics` text (Prometheus exposition) at `base` (`http://127.0.0.1:PORT`).
pub async fn metrics_text(base: &str) -> String {
    reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}
