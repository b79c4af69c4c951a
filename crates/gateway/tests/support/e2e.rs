//! Helpers for the end-to-end tests (`tests/e2e_*.rs`): a gateway on a free port in front of
//! the scripted upstream, the real clients under `e2e/` run as child processes, and the
//! expected answer of a recording computed on its own (the Chat fold of the fixture).
//!
//! The clients are pinned in `e2e/requirements.txt` and `e2e/package-lock.json`. A test that
//! needs one installs it on first use (`npm ci --prefix e2e`; a virtual environment `e2e/.venv`
//! for the Python SDK unless `$PYTHON` or `python3` already has it), so `cargo test` works on a
//! fresh machine that reaches the registries. A client that cannot be installed fails the test
//! with what to do; set
//! `OPENAI_WIRE_E2E_SKIP=1` to skip the end-to-end tests instead (for machines without Python
//! or Node; CI installs both). `OPENAI_WIRE_E2E_VERBOSE=1` prints every client's stdout and
//! stderr (run with `--nocapture`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;

use openai_wire_decode::{Decoder, Format, Item};
use openai_wire_events::{ChatCompletionMessageToolCall2, ChatCompletionStreamEvent};
use openai_wire_fold::ChatFold;
use openai_wire_gateway::{Config, Gateway, ProviderConfig, Store};
use serde_json::Value;
use tokio::sync::oneshot;

use super::upstream::Upstream;

/// How long one client run may take before it is killed (a hang is a failure, not a wait).
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(90);

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The `e2e/` folder (client scripts and their `node_modules`).
pub fn e2e_dir() -> PathBuf {
    repo_root().join("e2e")
}

/// True (after saying so on stderr) when `OPENAI_WIRE_E2E_SKIP=1`.
pub fn skipped(test: &str) -> bool {
    if std::env::var("OPENAI_WIRE_E2E_SKIP").as_deref() == Ok("1") {
        eprintln!("\n!!! SKIPPED {test}: OPENAI_WIRE_E2E_SKIP=1 !!!\n");
        return true;
    }
    false
}

/// The Python interpreter the clients run with: `$PYTHON` when set; else `e2e/.venv`'s, once
/// [`require_python_openai`] has made it; else `python3`.
pub fn python() -> String {
    if let Ok(python) = std::env::var("PYTHON") {
        return python;
    }
    let venv = venv_python();
    if venv.is_file() {
        return venv.display().to_string();
    }
    "python3".into()
}

fn venv_python() -> PathBuf {
    e2e_dir().join(".venv/bin/python")
}

/// Whether `python` imports the openai package.
fn has_openai(python: &str) -> bool {
    std::process::Command::new(python)
        .args(["-c", "import openai"])
        .output()
        .is_ok_and(|output| output.status.success())
}

/// Makes sure the openai Python SDK of `e2e/requirements.txt` imports: when neither `$PYTHON`
/// nor `python3` has it, installs it into a virtual environment `e2e/.venv` (once; later runs
/// reuse it). Panics with what to do when that is impossible.
pub fn require_python_openai() {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if has_openai(&python()) {
        return;
    }
    if std::env::var("PYTHON").is_err() {
        eprintln!(
            "installing the Python clients into e2e/.venv (pip install -r e2e/requirements.txt)"
        );
        let venv = e2e_dir().join(".venv");
        let made = std::process::Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .is_ok_and(|status| status.success());
        let installed = made
            && std::process::Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
                .arg(e2e_dir().join("requirements.txt"))
                .status()
                .is_ok_and(|status| status.success());
        if installed && has_openai(&python()) {
            return;
        }
    }
    panic!(
        "the openai Python SDK is not installed for `{}` and could not be installed: run \
         `pip install -r e2e/requirements.txt` (or set OPENAI_WIRE_E2E_SKIP=1 to skip the \
         end-to-end tests)",
        python()
    );
}

/// Makes sure `e2e/node_modules/PACKAGE` is there (running `npm ci --prefix e2e` once when it
/// is not) and that `node` runs. Panics with what to do when that is impossible.
pub fn require_node_package(package: &str) {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let manifest = e2e_dir()
        .join("node_modules")
        .join(package)
        .join("package.json");
    if !manifest.is_file() {
        eprintln!("installing the Node clients (npm ci --prefix e2e)");
        let _ = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--prefix"])
            .arg(e2e_dir())
            .status();
    }
    assert!(
        manifest.is_file(),
        "the npm package `{package}` is not installed in e2e/node_modules and `npm ci --prefix e2e` \
         did not install it (or set OPENAI_WIRE_E2E_SKIP=1 to skip the end-to-end tests)"
    );
    let node = std::process::Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "`node` does not run: install Node.js 20 or newer (or set OPENAI_WIRE_E2E_SKIP=1 to skip \
         the end-to-end tests)"
    );
}

/// A running gateway, stopped when dropped.
pub struct RunningGateway {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    received: Arc<Mutex<Vec<Value>>>,
    stop: Option<oneshot::Sender<()>>,
}

impl RunningGateway {
    /// The base URL a client SDK takes, `http://127.0.0.1:PORT/v1`.
    pub fn v1(&self) -> String {
        format!("{}/v1", self.base)
    }

    /// The bodies of the `POST /v1/responses` requests the client sent, in order, exactly as
    /// the client sent them.
    pub fn responses_requests(&self) -> Vec<Value> {
        self.received.lock().unwrap().clone()
    }
}

/// Keeps the body of every `POST …/responses` request, then passes the request on.
async fn record(
    State(received): State<Arc<Mutex<Vec<Value>>>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    if parts.method == axum::http::Method::POST
        && parts.uri.path().ends_with("/responses")
        && let Ok(value) = serde_json::from_slice(&bytes)
    {
        received.lock().unwrap().push(value);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

impl Drop for RunningGateway {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The gateway's configuration in front of `upstream`: one provider, the default one, with
/// `model_map` (client model → upstream model, e.g. `gpt-5.5` → `turns:NAME`).
pub fn config(upstream: &Upstream, model_map: &[(&str, &str)]) -> Config {
    let mut provider = ProviderConfig::new(upstream.base_url());
    provider.models = vec!["scripted".into()];
    provider.idle_timeout_secs = 10;
    for (from, to) in model_map {
        provider.model_map.insert((*from).into(), (*to).into());
    }
    let mut config = Config::default();
    config.providers.insert("scripted".into(), provider);
    config.default_provider = Some("scripted".into());
    config.heartbeat = Duration::from_secs(30);
    config
}

/// Starts a gateway with `store` on a free port, keeping what clients send to
/// `POST /v1/responses` ([`RunningGateway::responses_requests`]).
pub async fn start_gateway(config: Config, store: Arc<dyn Store>) -> RunningGateway {
    let gateway = Gateway::with_store(config, store).unwrap();
    let received = Arc::new(Mutex::new(Vec::new()));
    let app = gateway
        .router()
        .layer(middleware::from_fn_with_state(received.clone(), record));
    let (addr, stop) = super::serve_local(app).await;
    let base = format!("http://{addr}");
    RunningGateway {
        base,
        received,
        stop: Some(stop),
    }
}

/// The event types a client script reported (a JSON array of strings), after checking that
/// they make a whole Responses stream: `response.created` first, `response.completed` last.
pub fn event_types<'a>(types: &'a Value, context: &str) -> Vec<&'a str> {
    let types: Vec<&str> = types
        .as_array()
        .unwrap_or_else(|| panic!("{context}: no event types in {types}"))
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(
        types.first(),
        Some(&"response.created"),
        "{context}: {types:?}"
    );
    assert_eq!(
        types.last(),
        Some(&"response.completed"),
        "{context}: {types:?}"
    );
    types
}

/// What a client run printed.
pub struct ClientOutput {
    pub stdout: String,
    pub stderr: String,
}

impl ClientOutput {
    /// The last line of stdout that is a JSON object (the scripts print exactly one).
    pub fn json(&self) -> Value {
        self.stdout
            .lines()
            .rev()
            .find_map(|line| {
                serde_json::from_str::<Value>(line.trim())
                    .ok()
                    .filter(Value::is_object)
            })
            .unwrap_or_else(|| {
                panic!(
                    "no JSON object on stdout\n--- stdout\n{}\n--- stderr\n{}",
                    self.stdout, self.stderr
                )
            })
    }

    /// Every stdout line that is a JSON object (Codex's `--json` events).
    pub fn jsonl(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line.trim()).ok())
            .filter(Value::is_object)
            .collect()
    }
}

/// Runs a client to the end (stdin from /dev/null, killed after [`CLIENT_TIMEOUT`]) and
/// panics with its output unless it exits 0.
pub async fn run_client(
    program: impl AsRef<std::ffi::OsStr>,
    args: &[&str],
    envs: &[(&str, &str)],
    cwd: &Path,
) -> ClientOutput {
    let program = program.as_ref().to_owned();
    let mut command = tokio::process::Command::new(&program);
    command
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = command
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {program:?}: {error}"));
    let output = match tokio::time::timeout(CLIENT_TIMEOUT, child.wait_with_output()).await {
        Ok(output) => output.unwrap(),
        Err(_) => panic!("{program:?} {args:?} did not finish within {CLIENT_TIMEOUT:?}"),
    };
    let out = ClientOutput {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    if std::env::var("OPENAI_WIRE_E2E_VERBOSE").as_deref() == Ok("1") {
        eprintln!(
            "=== {program:?} {args:?}\n--- stdout\n{}\n--- stderr\n{}",
            out.stdout, out.stderr
        );
    }
    assert!(
        output.status.success(),
        "{program:?} {args:?} failed ({})\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        out.stdout,
        out.stderr
    );
    out
}

/// The answer a recorded Chat stream gives, folded here from the file (not from the gateway):
/// the text, the provider's reasoning text and the tool calls as `(name, arguments)`.
pub struct Expected {
    pub text: String,
    pub reasoning: String,
    pub tool_calls: Vec<(String, String)>,
}

/// Folds `fixtures/corpus/chat/NAME.sse` (or any Chat SSE file) with `ChatFold`.
pub fn fold_fixture(path: &Path) -> Expected {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut decoder = Decoder::<ChatCompletionStreamEvent>::new(Format::Sse);
    decoder.feed(&bytes);
    decoder.finish();
    let mut fold = ChatFold::new();
    while let Some(item) = decoder.next_item() {
        if let Item::Event(decoded) = item.unwrap() {
            fold.push_event(&decoded.event);
        }
    }
    let completion = fold.completion();
    let tool_calls = completion.choices[0]
        .message
        .tool_calls
        .iter()
        .flatten()
        .filter_map(|call| match call {
            ChatCompletionMessageToolCall2::Function(call) => {
                Some((call.function.name.clone(), call.function.arguments.clone()))
            }
            _ => None,
        })
        .collect();
    let message = &completion.choices[0].message;
    let reasoning = message
        .reasoning_content
        .clone()
        .or_else(|| message.reasoning.clone())
        .unwrap_or_default();
    Expected {
        text: fold.final_text(),
        reasoning,
        tool_calls,
    }
}
