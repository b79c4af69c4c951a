//! The gateway under load: time to first byte, latency added per event, CPU per event and memory
//! per active stream of `openai-wire serve`, measured against calling the same upstream directly
//! in the same run.
//!
//! ```text
//! cargo bench -p openai-wire --bench gateway_load -- [--concurrency 1,100,1000] [--events 40]
//!     [--interval-ms 25] [--rounds 5] [--upstream-port N] [--peer NAME,URL[,PID]]...
//! ```
//!
//! `--peer` measures another Responses front end in the same run, like the gateway: start it
//! in front of `http://127.0.0.1:N/v1` first (`litellm.yaml` next to this file does that for
//! the LiteLLM proxy, with `--upstream-port 18555`).
//!
//! Three processes take part:
//! - the scripted upstream, this binary started again as `gateway_load upstream`: a Chat
//!   Completions server whose every stream is a role chunk, `--events` content chunks
//!   `--interval-ms` apart, a finish chunk, a usage chunk and `[DONE]`. Each content chunk carries
//!   the wall-clock time it was handed to the HTTP server, as `@t<nanoseconds>`;
//! - the gateway, the real `openai-wire serve --upstream ... --store memory` binary;
//! - this process, the load generator: `--concurrency` clients, each running `--rounds` streams
//!   one after the other (the first is a warm-up and is not counted), with their starts spread
//!   over one stream's length.
//!
//! For every content event a client receives it takes the time since the upstream stamped it.
//! "Direct" clients ask the upstream for Chat Completions; "gateway" clients ask the gateway for
//! a Responses stream (`store: false`, as Codex sends; `store: true`, as the OpenAI SDKs send by
//! default, with `--store-responses`) and read `response.output_text.delta`.
//! The difference between the two is what the gateway adds. "gateway-chat" clients ask the
//! gateway for Chat Completions, which it passes through (one read and one write per event, no
//! decoding or conversion): the same transport under the Responses path, so its CPU per event
//! is the floor of the gateway's. Memory is the gateway's VmRSS from
//! `/proc`, sampled every 20 ms; CPU is its utime + stime over the phase.
//!
//! Nothing here asserts on a time: the numbers go in BENCHMARKS.md.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::Response;
use axum::routing::post;
use axum::serve::ListenerExt;
use clap::{Parser as _, Subcommand};
use openai_wire_sse::{Item, Parser};

/// The load generator's options (the upstream's, when started as `upstream`).
#[derive(Debug, clap::Parser)]
#[command(about = "openai-wire serve under load, against the upstream called directly")]
struct Args {
    /// Concurrent streams per phase, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 100, 1000])]
    concurrency: Vec<usize>,
    /// Content chunks per stream.
    #[arg(long, default_value_t = 40)]
    events: u32,
    /// Time between two content chunks, in milliseconds.
    #[arg(long, default_value_t = 25)]
    interval_ms: u64,
    /// Streams each client runs one after the other; the first is a warm-up.
    #[arg(long, default_value_t = 5)]
    rounds: u32,
    /// The `openai-wire` binary to measure.
    #[arg(long, default_value = env!("CARGO_BIN_EXE_openai-wire"))]
    gateway_bin: String,
    /// The scripted upstream's port (0: any free port); fix it to point another front end at
    /// the upstream before the run.
    #[arg(long, default_value_t = 0)]
    upstream_port: u16,
    /// Another Responses front end to measure like the gateway, in the same run:
    /// `NAME,URL[,PID]`, with the URL of its `/v1/responses` and, for its CPU and RSS, its
    /// process id (repeatable).
    #[arg(long, value_parser = parse_peer)]
    peer: Vec<Front>,
    /// Send the Responses requests with `store: true` (as the OpenAI SDKs do by default), so
    /// each front end stores every response and keeps its events for replay; `store: false`
    /// (as Codex sends) without it.
    #[arg(long)]
    store_responses: bool,
    #[command(subcommand)]
    role: Option<Role>,
}

#[derive(Debug, Subcommand)]
enum Role {
    /// Serve the scripted upstream (started by the load generator; prints `PORT n`, exits when
    /// its stdin closes).
    Upstream,
}

fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; it means nothing here.
    let args = Args::parse_from(std::env::args().filter(|a| a != "--bench"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match args.role {
        Some(Role::Upstream) => {
            runtime.block_on(upstream(args.events, args.interval_ms, args.upstream_port))
        }
        None => runtime.block_on(load(args)),
    }
}

// ---------------------------------------------------------------------------------------------
// The scripted upstream

struct Script {
    events: u32,
    interval: Duration,
}

async fn upstream(events: u32, interval_ms: u64, port: u16) -> anyhow::Result<()> {
    let script = Arc::new(Script {
        events,
        interval: Duration::from_millis(interval_ms),
    });
    let app = Router::new()
        .route("/v1/chat/completions", post(chat))
        .with_state(script);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let port = listener.local_addr()?.port();
    println!("PORT {port}");
    std::io::stdout().flush()?;
    // The parent holds our stdin; when it goes away, so do we.
    std::thread::spawn(|| {
        let mut sink = String::new();
        while std::io::stdin().read_line(&mut sink).is_ok_and(|n| n > 0) {}
        std::process::exit(0);
    });
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).await?;
    Ok(())
}

fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos()
}

fn chunk(delta: &str, finish: Option<&str>) -> Bytes {
    let finish = finish.map_or("null".to_owned(), |f| format!("\"{f}\""));
    Bytes::from(format!(
        "data: {{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1795437521,\"model\":\"bench-model\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"finish_reason\":{finish}}}]}}\n\n"
    ))
}

async fn chat(State(script): State<Arc<Script>>, _body: Bytes) -> Response {
    let started = tokio::time::Instant::now();
    let total = script.events;
    let stream = futures_util::stream::unfold(0u32, move |step| {
        let script = script.clone();
        async move {
            let frame = match step {
                0 => chunk(r#"{"role":"assistant","content":""}"#, None),
                n if n <= total => {
                    tokio::time::sleep_until(started + script.interval * n).await;
                    chunk(&format!(r#"{{"content":"@t{} "}}"#, now_ns()), None)
                }
                n if n == total + 1 => chunk("{}", Some("stop")),
                n if n == total + 2 => Bytes::from(format!(
                    "data: {{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1795437521,\"model\":\"bench-model\",\"choices\":[],\"usage\":{{\"prompt_tokens\":12,\"completion_tokens\":{total},\"total_tokens\":{}}}}}\n\n",
                    total + 12
                )),
                n if n == total + 3 => Bytes::from_static(b"data: [DONE]\n\n"),
                _ => return None,
            };
            Some((Ok::<_, std::convert::Infallible>(frame), step + 1))
        }
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .body(Body::from_stream(stream))
        .expect("static response parts")
}

// ---------------------------------------------------------------------------------------------
// The processes

/// A child process killed when dropped.
struct Process(Child);

impl Process {
    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_upstream(args: &Args) -> anyhow::Result<(Process, u16)> {
    let mut child = Command::new(std::env::current_exe()?)
        .args([
            "--events",
            &args.events.to_string(),
            "--interval-ms",
            &args.interval_ms.to_string(),
            "--upstream-port",
            &args.upstream_port.to_string(),
            "upstream",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start the scripted upstream")?;
    let stdout = child.stdout.take().context("upstream stdout")?;
    let process = Process(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let port = line
        .trim()
        .strip_prefix("PORT ")
        .and_then(|p| p.parse().ok())
        .with_context(|| format!("the upstream said {line:?}, not its port"))?;
    Ok((process, port))
}

async fn start_gateway(args: &Args, upstream_port: u16) -> anyhow::Result<(Process, SocketAddr)> {
    let address = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let child = Command::new(&args.gateway_bin)
        .args([
            "serve",
            "--upstream",
            &format!("http://127.0.0.1:{upstream_port}/v1"),
            "--store",
            "memory",
            "--listen",
            &address.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", args.gateway_bin))?;
    let process = Process(child);
    let client = reqwest::Client::builder().no_proxy().build()?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let health = client.get(format!("http://{address}/health")).send().await;
        if health.is_ok_and(|r| r.status().is_success()) {
            return Ok((process, address));
        }
        if Instant::now() > deadline {
            bail!("the gateway did not answer /health within 20 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// VmRSS of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// User + system CPU time of a process, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name (field 2) may hold spaces; the fields after its `)` are plain.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of stat: 12 and 13 after the `)`.
    (ticks(11) + ticks(12)) as f64 / 100.0
}

// ---------------------------------------------------------------------------------------------
// The load

/// The API a front end speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    /// Chat Completions chunks (the upstream called directly).
    Chat,
    /// Responses events (the gateway, and the peers).
    Responses,
}

/// Something the clients stream from.
#[derive(Debug, Clone)]
struct Front {
    name: String,
    url: String,
    api: Api,
    /// Its process, for CPU and RSS.
    pid: Option<u32>,
}

fn parse_peer(text: &str) -> Result<Front, String> {
    let mut parts = text.split(',');
    let (Some(name), Some(url)) = (parts.next(), parts.next()) else {
        return Err(format!("`{text}` is not NAME,URL[,PID]"));
    };
    let pid = parts
        .next()
        .map(|pid| {
            pid.parse()
                .map_err(|_| format!("`{pid}` is not a process id"))
        })
        .transpose()?;
    Ok(Front {
        name: name.to_owned(),
        url: url.to_owned(),
        api: Api::Responses,
        pid,
    })
}

/// The `type` of a Responses event: its SSE event name, or the `type` in its data for servers
/// that send no event names.
fn responses_type<'a>(event: Option<&'a str>, data: &str) -> Option<std::borrow::Cow<'a, str>> {
    #[derive(serde::Deserialize)]
    struct Typed {
        r#type: String,
    }
    match event {
        Some(name) => Some(std::borrow::Cow::Borrowed(name)),
        None => serde_json::from_str::<Typed>(data)
            .ok()
            .map(|t| std::borrow::Cow::Owned(t.r#type)),
    }
}

/// What one phase's clients saw.
#[derive(Debug, Default)]
struct Samples {
    /// Request sent to first body byte, in microseconds.
    ttfb_us: Vec<u64>,
    /// Request sent to first content event, in microseconds.
    first_token_us: Vec<u64>,
    /// Upstream stamp to the client reading the event, in microseconds.
    event_us: Vec<u64>,
    streams_ok: u64,
    streams_bad: u64,
    first_error: Option<String>,
}

impl Samples {
    fn merge(&mut self, other: Samples) {
        self.ttfb_us.extend(other.ttfb_us);
        self.first_token_us.extend(other.first_token_us);
        self.event_us.extend(other.event_us);
        self.streams_ok += other.streams_ok;
        self.streams_bad += other.streams_bad;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// The `@t<ns>` stamp in an event's data.
fn stamp(data: &str) -> Option<u128> {
    let at = data.find("@t")? + 2;
    let digits = data[at..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(&data[at..], |end| &data[at..at + end]);
    digits.parse().ok()
}

struct Stream {
    ttfb_us: u64,
    first_token_us: Option<u64>,
    event_us: Vec<u64>,
    ended: bool,
}

async fn one_stream(
    client: &reqwest::Client,
    url: &str,
    body: &Bytes,
    api: Api,
    events: u32,
) -> anyhow::Result<Stream> {
    let sent = Instant::now();
    let mut response = client
        .post(url)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.clone())
        .send()
        .await?;
    if !response.status().is_success() {
        bail!(
            "{}: {}",
            response.status(),
            response.text().await.unwrap_or_default()
        );
    }
    let mut parser = Parser::new();
    let mut stream = Stream {
        ttfb_us: 0,
        first_token_us: None,
        event_us: Vec::with_capacity(events as usize),
        ended: false,
    };
    let mut first = true;
    while let Some(bytes) = response.chunk().await? {
        if first {
            stream.ttfb_us = sent.elapsed().as_micros() as u64;
            first = false;
        }
        parser.feed(&bytes);
        while let Some(item) = parser.next_item() {
            let Item::Event(frame) = item? else { continue };
            let content = match api {
                Api::Chat if frame.data == "[DONE]" => {
                    stream.ended = true;
                    continue;
                }
                Api::Chat => true,
                Api::Responses => match responses_type(frame.event, frame.data).as_deref() {
                    Some("response.output_text.delta") => true,
                    Some("response.completed") => {
                        stream.ended = true;
                        false
                    }
                    Some("response.failed" | "response.incomplete" | "error") => {
                        bail!("the stream ended with {}", frame.data)
                    }
                    _ => false,
                },
            };
            if content && let Some(stamped) = stamp(frame.data) {
                let now = now_ns();
                stream
                    .event_us
                    .push((now.saturating_sub(stamped) / 1000) as u64);
                stream
                    .first_token_us
                    .get_or_insert(sent.elapsed().as_micros() as u64);
            }
        }
    }
    if !stream.ended || stream.event_us.len() != events as usize {
        bail!(
            "the stream ended early: {} of {events} content events, terminal event seen: {}",
            stream.event_us.len(),
            stream.ended
        );
    }
    Ok(stream)
}

const CHAT_BODY: &str = r#"{"model":"bench-model","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"system","content":"You are a coding agent."},{"role":"user","content":"Say something."}]}"#;
const RESPONSES_BODY: &str = r#"{"model":"bench-model","stream":true,"store":false,"instructions":"You are a coding agent.","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"Say something."}]}]}"#;

/// The request body a client sends to `api`, its Responses requests stored or not.
fn request_body(api: Api, store_responses: bool) -> Bytes {
    match api {
        Api::Chat => CHAT_BODY.into(),
        Api::Responses if store_responses => RESPONSES_BODY
            .replace(r#""store":false"#, r#""store":true"#)
            .into(),
        Api::Responses => RESPONSES_BODY.into(),
    }
}

async fn client_loop(
    client: reqwest::Client,
    url: String,
    (api, body): (Api, Bytes),
    start_delay: Duration,
    rounds: u32,
    events: u32,
) -> Samples {
    tokio::time::sleep(start_delay).await;
    let mut samples = Samples::default();
    for round in 0..rounds {
        match one_stream(&client, &url, &body, api, events).await {
            Ok(stream) if round > 0 => {
                samples.ttfb_us.push(stream.ttfb_us);
                samples.first_token_us.extend(stream.first_token_us);
                samples.event_us.extend(stream.event_us);
                samples.streams_ok += 1;
            }
            Ok(_) => {}
            Err(error) => {
                samples.streams_bad += 1;
                samples.first_error.get_or_insert(format!("{error:#}"));
            }
        }
    }
    samples
}

/// One phase's result.
struct Phase {
    front: String,
    concurrency: usize,
    samples: Samples,
    events_per_second: f64,
    /// The front end's process: RSS before the phase and at its peak, CPU per event.
    rss_idle_kib: Option<u64>,
    rss_peak_kib: Option<u64>,
    cpu_us_per_event: Option<f64>,
    upstream_cpu_us_per_event: f64,
}

async fn phase(
    args: &Args,
    front: &Front,
    concurrency: usize,
    upstream_pid: u32,
) -> anyhow::Result<Phase> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(usize::MAX)
        .build()?;
    let stream_length = Duration::from_millis(args.interval_ms * u64::from(args.events));
    let pid = front.pid;
    let rss_idle = pid.map(rss_kib);
    let cpu_before = pid.map(cpu_seconds);
    let upstream_cpu_before = cpu_seconds(upstream_pid);
    let started = Instant::now();

    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        tokio::spawn(async move {
            let mut peak = 0;
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(pid.map_or(0, rss_kib));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            peak
        })
    };
    let clients: Vec<_> = (0..concurrency)
        .map(|i| {
            let delay = stream_length.mul_f64(i as f64 / concurrency as f64);
            tokio::spawn(client_loop(
                client.clone(),
                front.url.clone(),
                (front.api, request_body(front.api, args.store_responses)),
                delay,
                args.rounds,
                args.events,
            ))
        })
        .collect();
    let mut samples = Samples::default();
    for client in clients {
        samples.merge(client.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let rss_peak = sampler.await?;
    let upstream_cpu = cpu_seconds(upstream_pid) - upstream_cpu_before;
    let counted = samples.event_us.len() as f64;
    // Every round's events (the warm-up's too) went through the front end.
    let all_events = counted * f64::from(args.rounds) / f64::from(args.rounds - 1).max(1.0);
    Ok(Phase {
        front: front.name.clone(),
        concurrency,
        events_per_second: all_events / elapsed,
        rss_idle_kib: rss_idle,
        rss_peak_kib: pid.map(|_| rss_peak),
        cpu_us_per_event: pid
            .zip(cpu_before)
            .map(|(pid, before)| per_event(cpu_seconds(pid) - before, all_events)),
        upstream_cpu_us_per_event: per_event(upstream_cpu, all_events),
        samples,
    })
}

/// CPU seconds per event, in microseconds.
fn per_event(cpu_seconds: f64, events: f64) -> f64 {
    if events > 0.0 {
        cpu_seconds * 1e6 / events
    } else {
        0.0
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64
}

struct Summary {
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
}

fn summary(values: &mut [u64]) -> Summary {
    values.sort_unstable();
    Summary {
        p50: percentile(values, 50.0),
        p90: percentile(values, 90.0),
        p99: percentile(values, 99.0),
        max: values.last().copied().unwrap_or(0) as f64,
    }
}

fn ms(us: f64) -> String {
    format!("{:.2}", us / 1000.0)
}

async fn load(args: Args) -> anyhow::Result<()> {
    if args.rounds < 2 {
        bail!("--rounds must be at least 2 (the first is a warm-up)");
    }
    let (upstream, upstream_port) = start_upstream(&args)?;
    let (gateway, gateway_address) = start_gateway(&args, upstream_port).await?;
    let mut fronts = vec![
        Front {
            name: "direct".into(),
            url: format!("http://127.0.0.1:{upstream_port}/v1/chat/completions"),
            api: Api::Chat,
            pid: None,
        },
        Front {
            name: "gateway".into(),
            url: format!("http://{gateway_address}/v1/responses"),
            api: Api::Responses,
            pid: Some(gateway.pid()),
        },
        // The gateway's Chat Completions passthrough: the same transport (client connection,
        // upstream connection, one read and one write per event) without decoding or
        // converting, the floor under the Responses path's cost.
        Front {
            name: "gateway-chat".into(),
            url: format!("http://{gateway_address}/v1/chat/completions"),
            api: Api::Chat,
            pid: Some(gateway.pid()),
        },
    ];
    fronts.extend(args.peer.iter().cloned());
    eprintln!(
        "gateway_load: {} events {} ms apart per stream, {} rounds per client; upstream pid {} on port {upstream_port}, gateway pid {} ({})",
        args.events,
        args.interval_ms,
        args.rounds,
        upstream.pid(),
        gateway.pid(),
        args.gateway_bin
    );
    let rss_start = rss_kib(gateway.pid());
    let mut phases = Vec::new();
    for &concurrency in &args.concurrency {
        for front in &fronts {
            let result = phase(&args, front, concurrency, upstream.pid()).await?;
            eprintln!(
                "  {:>8} x{concurrency}: {} streams ok, {} failed{}",
                front.name,
                result.samples.streams_ok,
                result.samples.streams_bad,
                result
                    .samples
                    .first_error
                    .as_deref()
                    .map(|e| format!(" (first: {e})"))
                    .unwrap_or_default()
            );
            phases.push(result);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    println!(
        "\nGateway RSS before any load: {:.1} MiB\n",
        rss_start as f64 / 1024.0
    );
    println!(
        "| streams | path | streams measured | events/s | TTFB p50 / p99 ms | first token p50 / p99 ms | per-event latency p50 / p90 / p99 / max ms |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|");
    for phase in &mut phases {
        let s = &mut phase.samples;
        let ttfb = summary(&mut s.ttfb_us);
        let first = summary(&mut s.first_token_us);
        let event = summary(&mut s.event_us);
        println!(
            "| {} | {} | {}{} | {:.0} | {} / {} | {} / {} | {} / {} / {} / {} |",
            phase.concurrency,
            phase.front,
            s.streams_ok,
            if s.streams_bad > 0 {
                format!(" ({} failed)", s.streams_bad)
            } else {
                String::new()
            },
            phase.events_per_second,
            ms(ttfb.p50),
            ms(ttfb.p99),
            ms(first.p50),
            ms(first.p99),
            ms(event.p50),
            ms(event.p90),
            ms(event.p99),
            ms(event.max),
        );
    }
    println!(
        "\n| streams | path | added TTFB p50 / p99 ms | added per-event latency p50 / p99 ms | CPU per event µs, front end (upstream) | RSS before / peak MiB | RSS per active stream KiB |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|");
    for group in phases.chunks(fronts.len()) {
        let [direct, others @ ..] = group else {
            continue;
        };
        let (d_ttfb, d_event) = (
            summary(&mut direct.samples.ttfb_us.clone()),
            summary(&mut direct.samples.event_us.clone()),
        );
        for front in others {
            let ttfb = summary(&mut front.samples.ttfb_us.clone());
            let event = summary(&mut front.samples.event_us.clone());
            let mib = |kib: Option<u64>| {
                kib.map_or("—".to_owned(), |k| format!("{:.1}", k as f64 / 1024.0))
            };
            let per_stream = front.rss_idle_kib.zip(front.rss_peak_kib).map_or(
                "—".to_owned(),
                |(idle, peak)| {
                    format!(
                        "{:.1}",
                        peak.saturating_sub(idle) as f64 / front.concurrency as f64
                    )
                },
            );
            println!(
                "| {} | {} | {} / {} | {} / {} | {} ({:.1}) | {} / {} | {} |",
                front.concurrency,
                front.front,
                ms(ttfb.p50 - d_ttfb.p50),
                ms(ttfb.p99 - d_ttfb.p99),
                ms(event.p50 - d_event.p50),
                ms(event.p99 - d_event.p99),
                front
                    .cpu_us_per_event
                    .map_or("—".to_owned(), |c| format!("{c:.1}")),
                front.upstream_cpu_us_per_event,
                mib(front.rss_idle_kib),
                mib(front.rss_peak_kib),
                per_stream,
            );
        }
    }
    drop(gateway);
    drop(upstream);
    Ok(())
}
