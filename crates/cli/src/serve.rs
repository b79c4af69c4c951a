//! `openai-wire serve`: the gateway that puts the Responses API in front of a Chat Completions
//! provider. `openai-wire codex-config` ([`crate::codex_config`]) describes it to Codex CLI.
//!
//! Both read the same configuration: a TOML file (`--config`, see `config/example.toml`), or
//! for the simple case flags only (`--upstream URL --api-key-env VAR --model-map a=b`), or,
//! with neither, the embedded defaults: a local Ollama (`http://127.0.0.1:11434/v1`), SQLite in
//! the user's data directory, listening on `127.0.0.1:8787`. Environment variables
//! (`OPENAI_WIRE_LISTEN`, `OPENAI_WIRE_STORE`, ...) override the file; flags override both.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use openai_wire_gateway::{Config, Gateway, SimpleOptions, StoreConfig};

use tracing_subscriber::Registry;
use tracing_subscriber::filter::{EnvFilter, FilterExt, LevelFilter, Targets};
use tracing_subscriber::layer::{Filter, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

use crate::status::Status;

/// The upstream used when neither `--config` nor `--upstream` is given: a local Ollama, which
/// needs no key.
pub const DEFAULT_UPSTREAM: &str = "http://127.0.0.1:11434/v1";

/// The options that say which configuration to use.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConfigArgs {
    /// A TOML configuration file (providers, routing, store, client keys); see
    /// config/example.toml
    #[arg(long, short = 'c', value_name = "FILE", conflicts_with_all = ["upstream", "api_key_env", "model_map"])]
    pub config: Option<PathBuf>,
    /// The Chat Completions base URL of the one upstream, without a config file
    /// [default: http://127.0.0.1:11434/v1, a local Ollama]
    #[arg(long, value_name = "URL")]
    pub upstream: Option<String>,
    /// The environment variable that holds the upstream's API key
    #[arg(long, value_name = "VAR")]
    pub api_key_env: Option<String>,
    /// Map a model name clients ask for to the upstream's name (repeatable): `gpt-5.5=deepseek-chat`
    #[arg(long, value_name = "CLIENT=UPSTREAM", value_parser = parse_model_map)]
    pub model_map: Vec<(String, String)>,
    /// Where to store responses: `sqlite` (the default, in the user's data directory),
    /// `sqlite:PATH`, `postgres://...`, or `memory`
    #[arg(long, value_name = "STORE")]
    pub store: Option<String>,
    /// The address to listen on [default: 127.0.0.1:8787]
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
}

fn parse_model_map(pair: &str) -> Result<(String, String), String> {
    match pair.split_once('=') {
        Some((client, upstream)) if !client.is_empty() && !upstream.is_empty() => {
            Ok((client.to_owned(), upstream.to_owned()))
        }
        _ => Err(format!(
            "`{pair}` is not CLIENT=UPSTREAM (e.g. gpt-5.5=deepseek-chat)"
        )),
    }
}

impl ConfigArgs {
    /// The configuration: the file or the flags, then the environment, then the flags that
    /// override both.
    pub fn load(&self) -> anyhow::Result<Config> {
        let mut config = match &self.config {
            Some(path) => Config::from_file(path)
                .with_context(|| format!("cannot load the configuration {}", path.display()))?,
            None => Config::simple(SimpleOptions {
                upstream: self
                    .upstream
                    .clone()
                    .unwrap_or_else(|| DEFAULT_UPSTREAM.to_owned()),
                api_key_env: self.api_key_env.clone(),
                model_map: self.model_map.clone(),
            })
            .context("invalid upstream")?,
        };
        config
            .apply_env()
            .context("invalid OPENAI_WIRE_* environment variable")?;
        if let Some(store) = &self.store {
            config.store = StoreConfig::parse(store).context("invalid --store")?;
        }
        if let Some(listen) = self.listen {
            config.listen = listen;
        }
        Ok(config)
    }
}

/// The arguments of `openai-wire serve`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Endpoints: POST /v1/responses (streaming and not), GET /v1/responses upgraded to a WebSocket
(WebSocket mode), POST /v1/responses/compact, GET|DELETE /v1/responses/{id},
GET /v1/responses/{id}/input_items, GET /v1/responses/{id}?stream=true&starting_after=N,
POST /v1/chat/completions, GET /v1/models, GET /health, GET /metrics (Prometheus).

Limits, timeouts and client keys are set in the config file or OPENAI_WIRE_* variables: see
config/example.toml and the README's \"Running it in production\".

Logs go to stderr; set RUST_LOG (e.g. RUST_LOG=openai_wire_gateway=debug) for more. Ctrl-C (or
SIGTERM) stops accepting requests and lets the streams in flight finish.")]
pub struct ServeArgs {
    /// Which configuration to use.
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Runs the gateway until Ctrl-C or SIGTERM.
pub fn run(args: &ServeArgs) -> anyhow::Result<Status> {
    let config = args.config.load()?;
    let log = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        // Colours only on a terminal: a log file or a container's log gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_filter(log_filter(std::env::var("RUST_LOG").ok().as_deref()));
    tracing_subscriber::registry().with(log).init();
    // The acceptor and the store's housekeeping: connections are served on the gateway's own
    // worker threads (`workers`).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listen = config.listen;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let gateway = Gateway::new(config)
            .await
            .context("cannot start the gateway")?;
        eprintln!("openai-wire: serving the Responses API on http://{listen}/v1");
        gateway
            .serve(listener, shutdown_signal())
            .await
            .context("the gateway stopped with an error")
    })?;
    Ok(Status::Clean)
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// The log filter for `RUST_LOG` (`info` when unset, empty or unreadable). A list of plain
/// `target=level` directives becomes a [`Targets`] filter, which does no work when a span is
/// entered: a streamed response's body enters its request span at every event, and
/// [`EnvFilter`] takes a lock there. Span and field directives (`target[span{field}]=level`)
/// need the [`EnvFilter`].
fn log_filter(directives: Option<&str>) -> Box<dyn Filter<Registry> + Send + Sync + 'static> {
    let directives = directives.map(str::trim).unwrap_or_default();
    if directives.is_empty() {
        return FilterExt::boxed(Targets::new().with_default(LevelFilter::INFO));
    }
    if let Some(targets) = plain_targets(directives) {
        return FilterExt::boxed(targets);
    }
    FilterExt::boxed(EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new("info")))
}

/// `directives` as a [`Targets`] filter, when they are plain `target=level` directives.
fn plain_targets(directives: &str) -> Option<Targets> {
    if directives.contains(['[', '{', '"']) {
        return None;
    }
    directives.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_directives_are_read_as_targets_and_span_directives_are_not() {
        let targets = plain_targets("info,openai_wire_gateway=debug").expect("plain directives");
        let [debug, info] =
            [LevelFilter::DEBUG, LevelFilter::INFO].map(|l| l.into_level().unwrap());
        assert!(targets.would_enable("openai_wire_gateway::pump", &debug));
        assert!(!targets.would_enable("hyper", &debug));
        assert!(targets.would_enable("hyper", &info));
        assert!(plain_targets("warn").is_some());
        assert!(plain_targets("openai_wire_gateway[request]=debug").is_none());
        assert!(plain_targets("info,[request{path=\"/v1/responses\"}]=trace").is_none());
        assert!(plain_targets("openai_wire=loud").is_none(), "not a level");
    }
}
