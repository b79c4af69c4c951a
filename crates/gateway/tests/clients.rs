//! What any client, careful or hostile, meets before a turn starts: client authentication
//! that cannot switch itself off, bounded client connections (timeouts, a connection limit,
//! the file-descriptor limit), and errors in OpenAI's shape for every request the router
//! refuses. Against the real server (`Gateway::serve`) and the scripted upstream.

mod support;

use serde_json::Value;
use support::gateway::{config_for, start};
use support::upstream::Upstream;

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// Asserts OpenAI's error shape, `{"error": {"message", "type", "param", "code"}}`, and returns
/// the error.
fn openai_error(body: &str) -> Value {
    let value: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body:?}"));
    let error = &value["error"];
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(error["type"].is_string(), "{body}");
    assert!(
        error.get("param").is_some() && error.get("code").is_some(),
        "{body}"
    );
    error.clone()
}

// ---------------------------------------------------------------------------------------------
// Client authentication.

#[tokio::test]
async fn an_empty_key_never_matches_and_the_bearer_scheme_is_case_insensitive() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, 1, |c| {
        c.client_api_keys = vec!["sekret".into()];
    }))
    .await;
    let models = format!("{}/v1/models", gateway.base);
    for (header, value) in [
        ("x-api-key", ""),
        ("x-api-key", "   "),
        ("authorization", "Bearer "),
        ("authorization", "Bearer"),
        ("authorization", "Basic sekret"),
        ("authorization", "Bearer wrong"),
    ] {
        let response = client()
            .get(&models)
            .header(header, value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{header}: {value:?}");
        let error = openai_error(&response.text().await.unwrap());
        assert_eq!(error["code"], "invalid_api_key");
    }
    for (header, value) in [
        ("authorization", "bearer sekret"),
        ("authorization", "BEARER sekret"),
        ("authorization", "  Bearer   sekret  "),
        ("x-api-key", " sekret "),
    ] {
        let response = client()
            .get(&models)
            .header(header, value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{header}: {value:?}");
    }
    gateway.stop().await;
}

#[tokio::test]
async fn a_gateway_with_an_empty_client_key_does_not_start() {
    let upstream = Upstream::start().await;
    let config = config_for(&upstream, 1, |c| {
        c.client_api_keys = vec!["good".into(), String::new()];
    });
    let store = std::sync::Arc::new(openai_wire_gateway::MemoryStore::new());
    let error = openai_wire_gateway::Gateway::with_store(config, store).unwrap_err();
    assert!(
        error.to_string().contains("client_api_keys[1] is empty"),
        "{error}"
    );
}

// ---------------------------------------------------------------------------------------------
// Client connections: timeouts, the connection limit, the file-descriptor limit.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Generous: a connection the gateway should close within a fraction of this.
const CLOSED_WITHIN: std::time::Duration = std::time::Duration::from_secs(15);

fn addr(base: &str) -> String {
    base.trim_start_matches("http://").to_owned()
}

/// Reads until the gateway closes the connection (EOF or reset); what it sent. Panics if it
/// stays open for [`CLOSED_WITHIN`].
async fn read_until_closed(tcp: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let closed = tokio::time::timeout(CLOSED_WITHIN, async {
        let mut buf = [0u8; 4096];
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    let seen = String::from_utf8_lossy(&seen).into_owned();
    assert!(
        closed.is_ok(),
        "still open after {CLOSED_WITHIN:?}; got {seen:?}"
    );
    seen
}

/// Reads one whole HTTP/1.1 response with a `content-length` (head and body).
async fn read_response(tcp: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&seen).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if body.len() >= length {
                return text;
            }
        }
        let n = tokio::time::timeout(CLOSED_WITHIN, tcp.read(&mut buf))
            .await
            .expect("a response")
            .unwrap();
        assert!(n > 0, "closed before a whole response: {text:?}");
        seen.extend_from_slice(&buf[..n]);
    }
}

#[tokio::test]
async fn silent_half_sent_and_idle_keep_alive_connections_are_closed_after_the_header_timeout() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, 1, |c| {
        c.client_header_timeout = std::time::Duration::from_millis(300);
    }))
    .await;
    // Silent: connected, nothing sent.
    let mut silent = TcpStream::connect(addr(&gateway.base)).await.unwrap();
    read_until_closed(&mut silent).await;
    // Half-sent: a request head without its end.
    let mut half = TcpStream::connect(addr(&gateway.base)).await.unwrap();
    half.write_all(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let said = read_until_closed(&mut half).await;
    assert!(!said.contains("200 OK"), "{said}");
    // Idle keep-alive: one whole request answered, then nothing.
    let mut idle = TcpStream::connect(addr(&gateway.base)).await.unwrap();
    idle.write_all(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = read_response(&mut idle).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(read_until_closed(&mut idle).await, "");
    // The gateway still serves.
    let models = client()
        .get(format!("{}/v1/models", gateway.base))
        .send()
        .await
        .unwrap();
    assert_eq!(models.status(), 200);
    gateway.stop().await;
}

#[tokio::test]
async fn one_connection_past_the_limit_gets_a_503_in_openai_shape_and_the_gateway_recovers() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, 1, |c| {
        c.max_connections = 2;
        c.client_header_timeout = std::time::Duration::from_secs(60);
    }))
    .await;
    let mut held = Vec::new();
    for _ in 0..2 {
        held.push(TcpStream::connect(addr(&gateway.base)).await.unwrap());
    }
    let mut extra = TcpStream::connect(addr(&gateway.base)).await.unwrap();
    extra
        .write_all(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut extra).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(
        head.to_ascii_lowercase().contains("retry-after: 1"),
        "{head}"
    );
    let error = openai_error(body);
    assert_eq!(error["code"], "server_is_overloaded");
    assert_eq!(error["type"], "server_error");
    // Once the held connections close, their slots are free again.
    drop(held);
    let served = tokio::time::timeout(CLOSED_WITHIN, async {
        loop {
            let response = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap()
                .get(format!("{}/v1/models", gateway.base))
                .send()
                .await
                .unwrap();
            if response.status() == 200 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(served.is_ok(), "the gateway did not serve again");
    // The refusal is counted, and the connection serving this request shows on its worker.
    let metrics = support::metrics_text(&gateway.base).await;
    let sum = |name: &str| -> f64 {
        let lines = metrics.lines().filter(|line| line.starts_with(name));
        lines
            .map(|line| line.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
            .sum()
    };
    assert!(
        sum("openai_wire_connections_refused_total ") >= 1.0,
        "{metrics}"
    );
    assert!(
        sum("openai_wire_worker_connections{worker=") >= 1.0,
        "{metrics}"
    );
    gateway.stop().await;
}

#[cfg(unix)]
#[tokio::test]
async fn serving_raises_the_soft_file_descriptor_limit_to_the_hard_one() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, 1, |_| {})).await;
    // Serving has started once a request is answered.
    let models = client()
        .get(format!("{}/v1/models", gateway.base))
        .send()
        .await
        .unwrap();
    assert_eq!(models.status(), 200);
    let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap();
    if cfg!(target_os = "linux") {
        assert_eq!(soft, hard);
    } else {
        assert!(soft >= 1024.min(hard), "{soft} of {hard}");
    }
    gateway.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Every refusal in OpenAI's shape.

#[tokio::test]
async fn every_error_the_router_writes_is_openai_error_json() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, 1, |_| {})).await;
    let base = &gateway.base;
    let http = client();
    let long = "a".repeat(20_000);
    let cases = [
        (
            http.get(format!("{base}/v1/nope")),
            404,
            "Invalid URL (GET /v1/nope)",
        ),
        (http.post(format!("{base}/nope")), 404, "Invalid URL"),
        (
            http.delete(format!("{base}/v1/chat/completions")),
            405,
            "Invalid method",
        ),
        (
            http.put(format!("{base}/v1/responses")),
            405,
            "Invalid method",
        ),
        (
            http.get(format!("{base}/v1/responses/resp_1?stream=maybe")),
            400,
            "stream",
        ),
        (
            http.get(format!(
                "{base}/v1/responses/resp_1?stream=true&starting_after=x"
            )),
            400,
            "starting_after",
        ),
        (
            http.get(format!("{base}/v1/responses/resp_1/input_items?limit=many")),
            400,
            "limit",
        ),
        (http.get(format!("{base}/v1/models?q={long}")), 414, "URL"),
        (
            http.post(format!("{base}/v1/responses"))
                .header("content-type", "application/json")
                .body(vec![b' '; openai_wire_gateway::MAX_REQUEST_BYTES + 1]),
            413,
            "too large",
        ),
    ];
    for (request, status, says) in cases {
        let response = request.send().await.unwrap();
        let got = response.status().as_u16();
        let allow = response.headers().get("allow").cloned();
        let body = response.text().await.unwrap();
        assert_eq!(got, status, "{body}");
        let error = openai_error(&body);
        assert!(error["message"].as_str().unwrap().contains(says), "{body}");
        assert_eq!(error["type"], "invalid_request_error", "{body}");
        if status == 405 {
            assert!(allow.is_some(), "405 without Allow");
        }
    }
    gateway.stop().await;
}

#[tokio::test]
async fn a_malformed_chunked_body_is_an_openai_error() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, 1, |_| {})).await;
    let mut tcp = TcpStream::connect(addr(&gateway.base)).await.unwrap();
    tcp.write_all(
        b"POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    )
    .await
    .unwrap();
    let answer = read_until_closed(&mut tcp).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    let (_, body) = answer.split_once("\r\n\r\n").unwrap();
    openai_error(body);
    gateway.stop().await;
}
