//! `openai-wire check`, `fold`, `convert`, `serve` and `codex-config` as a user runs them, on
//! corpus files and on broken copies of them. Expected values come from an independent reading
//! of the files (see `common`), not from the libraries under test.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{corpus_file, corpus_frames, run, run_with, temp_file};
use serde_json::Value;

/// A real OpenAI Responses stream with a function call.
const RESPONSES_TOOL: &str =
    "responses/openai-dotnet__ResponsesTests__FunctionCallStreamingWorks__e0.sse";
/// A real OpenAI Responses stream with text.
const RESPONSES_TEXT: &str =
    "responses/crewai__openai__test_openai_responses_api_streaming__i0.sse";
/// A real DeepSeek Chat stream with a tool call.
const CHAT_TOOL: &str = "chat/ruby_llm__vcr_cassettes__chat_function_calling_deepseek_deepseek-chat_can_use_tools_with_multi-turn_streaming_conversations__i0.sse";
/// A real DeepSeek Chat stream with text.
const CHAT_TEXT: &str = "chat/ruby-openai__cassettes__deepseek_deepseek-chat_streamed_chat__i0.sse";

fn path(name: &str) -> String {
    corpus_file(name).display().to_string()
}

/// The text of a Chat stream: its content deltas, concatenated.
fn chat_text(name: &str) -> String {
    corpus_frames(name)
        .iter()
        .filter_map(|frame| frame.json())
        .filter_map(|json| {
            json["choices"][0]["delta"]["content"]
                .as_str()
                .map(str::to_owned)
        })
        .collect()
}

/// The `response` object of a Responses stream's `response.completed` event.
fn completed_response(name: &str) -> Value {
    corpus_frames(name)
        .iter()
        .filter_map(|frame| frame.json())
        .find(|json| json["type"] == "response.completed")
        .map(|json| json["response"].clone())
        .expect("the stream completes")
}

#[test]
fn check_passes_real_openai_streams_and_exits_0() {
    for name in [RESPONSES_TOOL, RESPONSES_TEXT] {
        let out = run(["check", &path(name)]);
        assert_eq!(out.code, 0, "{name}: {out:?}");
        assert!(
            out.stdout.lines().all(|line| line.contains(" warning ")),
            "{name}: only warnings, if anything: {}",
            out.stdout
        );
        let events = corpus_frames(name)
            .iter()
            .filter(|f| !f.is_done_marker())
            .count();
        assert!(
            out.stderr.contains(&format!(
                "{}: responses, {events} events, 0 errors",
                path(name)
            )),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn check_reports_a_missing_terminal_event_and_exits_1() {
    // The stream without its `response.completed` frame.
    let text = std::fs::read_to_string(corpus_file(RESPONSES_TEXT)).expect("corpus");
    let cut = text
        .split("\n\n")
        .filter(|frame| !frame.contains("\"type\":\"response.completed\""))
        .collect::<Vec<_>>()
        .join("\n\n");
    assert_ne!(cut.len(), text.len(), "the frame was there to drop");
    let file = temp_file("no-terminal.sse", cut.as_bytes());
    let out = run(["check", file.to_str().expect("utf-8")]);
    assert_eq!(out.code, 1, "{out:?}");
    let line = format!("{}:-: error lifecycle.missing-terminal ", file.display());
    assert!(out.stdout.contains(&line), "{}", out.stdout);

    // The same as JSON: one object per file.
    let out = run(["check", "--json", file.to_str().expect("utf-8")]);
    assert_eq!(out.code, 1);
    let report: Value = serde_json::from_str(out.stdout.trim()).expect("one JSON object");
    assert_eq!(report["protocol"], "responses");
    assert!(report["errors"].as_u64() >= Some(1));
    assert!(
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["rule"] == "lifecycle.missing-terminal" && f["severity"] == "error"),
        "{report}"
    );
}

#[test]
fn check_lists_its_rules_as_checks_md_does() {
    let out = run(["check", "--rules"]);
    assert_eq!(out.code, 0);
    let checks_md = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../CHECKS.md"),
    )
    .expect("CHECKS.md");
    let ids: Vec<&str> = out
        .stdout
        .lines()
        .map(|line| line.split('\t').next().expect("id"))
        .collect();
    assert!(ids.len() >= 50, "{ids:?}");
    for id in &ids {
        assert!(
            checks_md.contains(&format!("`{id}`")),
            "{id} not in CHECKS.md"
        );
    }
}

#[test]
fn fold_prints_the_completed_response_of_a_responses_stream() {
    let out = run(["fold", "--compact", &path(RESPONSES_TOOL)]);
    assert_eq!(out.code, 0, "{out:?}");
    let folded: Value = serde_json::from_str(out.stdout.trim()).expect("JSON");
    let completed = completed_response(RESPONSES_TOOL);
    assert_eq!(folded["id"], completed["id"]);
    assert_eq!(folded["status"], "completed");
    let call = &folded["output"][0];
    assert_eq!(call["type"], "function_call");
    assert_eq!(call["name"], completed["output"][0]["name"]);
    assert_eq!(call["arguments"], completed["output"][0]["arguments"]);
    // Every usage field of the recording, with its value (the writer also writes the fields the
    // current spec requires that this older recording lacks, such as `cache_write_tokens`).
    assert_contains(&folded["usage"], &completed["usage"]);
}

/// Whether every field of `part` is in `whole` with the same value, recursively.
fn assert_contains(whole: &Value, part: &Value) {
    match part {
        Value::Object(fields) => {
            for (key, value) in fields {
                assert_contains(&whole[key], value);
            }
        }
        _ => assert_eq!(whole, part),
    }
}

#[test]
fn fold_text_of_a_chat_stream_is_its_deltas() {
    let out = run(["fold", "--text", &path(CHAT_TEXT)]);
    assert_eq!(out.code, 0, "{out:?}");
    let want = chat_text(CHAT_TEXT);
    assert!(!want.is_empty());
    assert_eq!(out.stdout.trim_end_matches('\n'), want);

    let out = run(["fold", &path(CHAT_TOOL)]);
    let folded: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(folded["object"], "chat.completion");
    let call = &folded["choices"][0]["message"]["tool_calls"][0];
    assert!(
        call["function"]["name"]
            .as_str()
            .is_some_and(|n| !n.is_empty()),
        "{folded}"
    );
}

#[test]
fn fold_refuses_a_protocol_without_a_final_object() {
    let name = "other/openai-dotnet__TranscriptionTests__StreamingDiarizedTranscriptionWorks_UsingFilePath___e0.sse";
    let out = run(["fold", &path(name)]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("no final object to fold"),
        "{}",
        out.stderr
    );
}

#[test]
fn convert_chat_to_responses_checks_clean_and_keeps_the_text_and_tool_call() {
    for name in [CHAT_TEXT, CHAT_TOOL] {
        let out = run(["convert", "--to", "responses", &path(name)]);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        assert!(out.stdout.ends_with("\n\n"));
        // The converted stream passes the checker with zero errors ...
        let checked = run_with(["check", "-"], Some(out.stdout.as_bytes()), &[]);
        assert_eq!(checked.code, 0, "{name}: {}", checked.stdout);
        assert!(checked.stderr.contains("responses,"), "{}", checked.stderr);
        // ... ends with response.completed, and carries the chat stream's text.
        assert!(out.stdout.contains("event: response.completed\n"));
        let folded = run_with(["fold", "--text", "-"], Some(out.stdout.as_bytes()), &[]);
        assert_eq!(folded.stdout.trim_end_matches('\n'), chat_text(name));
    }
}

#[test]
fn convert_a_cut_chat_stream_never_reports_success() {
    let text = std::fs::read_to_string(corpus_file(CHAT_TEXT)).expect("corpus");
    // Keep the first two frames only, the second one cut in half.
    let frames: Vec<&str> = text.split("\n\n").collect();
    let cut = format!("{}\n\n{}", frames[0], &frames[1][..frames[1].len() / 2]);
    let file = temp_file("cut-chat.sse", cut.as_bytes());
    let out = run([
        "convert",
        "--to",
        "responses",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.contains("event: response.failed\n"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("response.completed"));
}

/// A real GPUStack (Qwen3) Chat stream that ends after its `finish_reason` without `[DONE]`.
const CHAT_NO_DONE: &str = "chat/ruby_llm__vcr_cassettes__chat_streaming_responses_gpustack_qwen3_supports_streaming_responses__i0.sse";

#[test]
fn convert_a_chat_stream_that_ends_without_done_after_its_finish_reason_succeeds() {
    let text = std::fs::read_to_string(corpus_file(CHAT_NO_DONE)).expect("corpus");
    assert!(!text.contains("[DONE]") && text.contains("\"finish_reason\":\"stop\""));
    let out = run(["convert", "--to", "responses", &path(CHAT_NO_DONE)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("event: response.completed\n"));
    assert!(!out.stdout.contains("response.failed"));
    // A stream with neither `finish_reason` nor `[DONE]` is cut off: still a failure.
    let frames: Vec<&str> = text
        .split("\n\n")
        .filter(|f| !f.contains("finish_reason\":\""))
        .collect();
    let cut = temp_file("no-finish.sse", frames.join("\n\n").as_bytes());
    let out = run(["convert", "--to", "responses", cut.to_str().expect("utf-8")]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("event: response.failed\n"));
}

#[test]
fn convert_applies_a_providers_quirks_and_named_quirks() {
    // A reasoning model whose template leaves <think>…</think> in the text (vLLM without a
    // reasoning parser): chunks in OpenAI's shape.
    let chunk = |delta: &str, finish: &str| {
        format!(
            "data: {{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"qwen3\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":{delta}}},\"finish_reason\":{finish}}}]}}\n\n"
        )
    };
    let stream = [
        chunk("\"<think>The user says hi.\"", "null"),
        chunk("\"</think>Hello!\"", "null"),
        chunk("\"\"", "\"stop\""),
        "data: [DONE]\n\n".to_owned(),
    ]
    .concat();
    let file = temp_file("think.sse", stream.as_bytes());
    let file = file.to_str().expect("utf-8");
    let text_of = |args: &[&str]| {
        let out = run(args.iter().copied());
        assert_eq!(out.code, 0, "{out:?}");
        run_with(["fold", "--text", "-"], Some(out.stdout.as_bytes()), &[]).stdout
    };
    // Without a provider the text is kept as sent; with one whose preset splits <think>, or
    // with the quirk named, the reasoning leaves the answer.
    let plain = text_of(&["convert", "--to", "responses", file]);
    assert!(plain.contains("<think>"), "{plain}");
    for args in [
        &["--provider", "vllm"][..],
        &["--provider", "groq"],
        &["--quirk", "think_tags_in_content"],
    ] {
        let mut all = vec!["convert", "--to", "responses"];
        all.extend(args);
        all.push(file);
        assert_eq!(text_of(&all).trim_end(), "Hello!", "{args:?}");
    }
    // The preset's splitting can be turned off.
    let kept = text_of(&[
        "convert",
        "--to",
        "responses",
        "--provider",
        "groq",
        "--no-quirk",
        "think_tags_in_content",
        file,
    ]);
    assert!(kept.contains("<think>"), "{kept}");
    // Unknown names are usage errors.
    for args in [
        ["--provider", "nope"],
        ["--quirk", "nope"],
        ["--no-quirk", "nope"],
    ] {
        let out = run(["convert", "--to", "responses", args[0], args[1], file]);
        assert_eq!(out.code, 2, "{out:?}");
        assert!(out.stderr.contains("unknown"), "{}", out.stderr);
    }
}

#[test]
fn convert_responses_to_chat_checks_clean_and_ends_with_done() {
    let out = run(["convert", "--to", "chat", &path(RESPONSES_TOOL)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.ends_with("data: [DONE]\n\n"));
    let checked = run_with(["check", "-"], Some(out.stdout.as_bytes()), &[]);
    assert_eq!(checked.code, 0, "{}", checked.stdout);
    let folded = run_with(["fold", "-"], Some(out.stdout.as_bytes()), &[]);
    let completion: Value = serde_json::from_str(&folded.stdout).expect("JSON");
    let completed = completed_response(RESPONSES_TOOL);
    let call = &completion["choices"][0]["message"]["tool_calls"][0];
    assert_eq!(call["function"]["name"], completed["output"][0]["name"]);
    assert_eq!(
        call["function"]["arguments"],
        completed["output"][0]["arguments"]
    );
    assert_eq!(completion["choices"][0]["finish_reason"], "tool_calls");
}

#[test]
fn codex_config_points_codex_at_the_gateway() {
    let deepseek = [
        "codex-config",
        "--upstream",
        "https://api.deepseek.com/v1",
        "--api-key-env",
        "DEEPSEEK_API_KEY",
        "--model-map",
        "gpt-5.5=deepseek-chat",
        "--listen",
        "127.0.0.1:9911",
    ];
    let out = run(deepseek);
    assert_eq!(out.code, 0, "{out:?}");
    let config: toml_like::Doc = toml_like::parse(&out.stdout);
    assert_eq!(config.get("", "model"), Some("\"gpt-5.5\""));
    assert_eq!(
        config.get("", "model_catalog_json"),
        Some("\"openai-wire-models.json\"")
    );
    let provider = "model_providers.openai-wire";
    assert_eq!(config.get(provider, "wire_api"), Some("\"responses\""));
    assert_eq!(
        config.get(provider, "base_url"),
        Some("\"http://127.0.0.1:9911/v1\"")
    );
    // Codex's own retries stay at its defaults; no profiles.
    assert_eq!(config.get(provider, "request_max_retries"), None);
    assert_eq!(config.get(provider, "stream_max_retries"), None);
    assert!(!out.stdout.contains("[profiles"), "{}", out.stdout);
    assert_eq!(config.get(provider, "supports_websockets"), None);

    // --catalog: the catalog config.toml names.
    let catalog = run(deepseek.iter().copied().chain(["--catalog"]));
    assert_eq!(catalog.code, 0, "{catalog:?}");
    let catalog: Value = serde_json::from_str(&catalog.stdout).expect("JSON");
    assert_eq!(catalog["models"][0]["slug"], "gpt-5.5");
    assert_eq!(catalog["models"][0]["apply_patch_tool_type"], "freeform");

    // --out: both files, an existing config.toml kept unless --force.
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("codex-home");
    let home_arg = home.to_str().unwrap();
    let written = run(deepseek.iter().copied().chain(["--out", home_arg]));
    assert_eq!(written.code, 0, "{written:?}");
    let toml = std::fs::read_to_string(home.join("config.toml")).unwrap();
    assert_eq!(toml, out.stdout);
    let json = std::fs::read_to_string(home.join("openai-wire-models.json")).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&json).unwrap(), catalog);
    let again = run(deepseek.iter().copied().chain(["--out", home_arg]));
    assert_eq!(again.code, 2, "{again:?}");
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    let forced = run(deepseek
        .iter()
        .copied()
        .chain(["--out", home_arg, "--force"]));
    assert_eq!(forced.code, 0, "{forced:?}");

    let websockets = run([
        "codex-config",
        "--upstream",
        "https://api.deepseek.com/v1",
        "--websockets",
    ]);
    assert_eq!(websockets.code, 0, "{websockets:?}");
    let config: toml_like::Doc = toml_like::parse(&websockets.stdout);
    assert_eq!(config.get(provider, "supports_websockets"), Some("true"));

    let bad = run(["codex-config", "--model-map", "no-equals-sign"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("CLIENT=UPSTREAM"), "{}", bad.stderr);
}

#[test]
fn serve_answers_health_and_stops_on_sigterm() {
    // A free port: bind, read it, let go.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_openai-wire"))
        .args(["serve", "--store", "memory", "--listen", &listen])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    let health = loop {
        match get(&listen, "/health") {
            Ok(reply) => break reply,
            Err(error) if Instant::now() > deadline => {
                let _ = child.kill();
                panic!("the gateway did not answer on {listen}: {error}");
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let models = get(&listen, "/v1/models").expect("models");
    assert!(models.starts_with("HTTP/1.1 200"), "{models}");
    assert!(models.contains("\"object\":\"list\""), "{models}");

    // SIGTERM: a graceful stop, exit status 0.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let status = child.wait().expect("serve exits");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(stderr.contains("serving the Responses API"), "{stderr}");
    // Logs to a pipe are plain text, without colour codes.
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    // No [web_search] backend: said once at start.
    assert_eq!(
        stderr.matches("no [web_search] backend configured").count(),
        1,
        "{stderr}"
    );
}

/// `GET path` over plain HTTP/1.1; the whole reply.
fn get(address: &str, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply)?;
    Ok(reply)
}

/// Just enough TOML reading to find `key = value` under a `[table]` header, so that the test
/// does not depend on the gateway's own TOML code.
mod toml_like {
    pub struct Doc(Vec<(String, String, String)>);

    pub fn parse(text: &str) -> Doc {
        let mut table = String::new();
        let mut entries = Vec::new();
        for line in text.lines().map(str::trim) {
            if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                table = header.to_owned();
            } else if let Some((key, value)) = line.split_once(" = ") {
                if !line.starts_with('#') {
                    entries.push((table.clone(), key.to_owned(), value.to_owned()));
                }
            }
        }
        Doc(entries)
    }

    impl Doc {
        pub fn get(&self, table: &str, key: &str) -> Option<&str> {
            self.0
                .iter()
                .find(|(t, k, _)| t == table && k == key)
                .map(|(_, _, v)| v.as_str())
        }
    }
}

/// OpenAI with several MCP servers: only the last `mcp_list_tools` item gets its
/// `output_item.done`; the earlier one is whole only in `response.completed`.
const RESPONSES_MCP_BACKFILL: &str = "responses/derived.openai-mcp-two-servers-backfill.sse";

#[test]
fn openai_mcp_backfill_is_a_warning_and_fold_and_convert_take_the_items_from_completed() {
    let file = path(RESPONSES_MCP_BACKFILL);
    let checked = run(["check", &file]);
    assert_eq!(checked.code, 0, "{checked:?}");
    assert!(
        checked
            .stdout
            .contains("warning nesting.mcp-list-tools-backfill"),
        "{}",
        checked.stdout
    );
    let folded = run(["fold", &file]);
    assert_eq!(folded.code, 0, "{folded:?}");
    let response: serde_json::Value = serde_json::from_str(&folded.stdout).expect("JSON");
    assert_eq!(response["output"][0]["tools"][0]["name"], "search_rules");
    let converted = run(["convert", "--to", "chat", &file]);
    assert_eq!(converted.code, 0, "{converted:?}");
    assert!(
        !converted.stderr.contains("difference"),
        "{}",
        converted.stderr
    );
}
