//! An HTTP gateway that puts OpenAI's Responses API in front of any Chat Completions provider
//! (DeepSeek, Qwen, GLM, Kimi, Groq, Mistral, OpenRouter, Ollama, vLLM), for Codex CLI and
//! every Responses client.
//!
//! | endpoint | what it does |
//! | --- | --- |
//! | `POST /v1/responses` | converts the request to Chat Completions, the upstream's stream back to Responses events (streaming or not); `store` and `previous_response_id` work through the [store] |
//! | `GET /v1/responses/{id}` | a stored response; `?stream=true&starting_after=N` replays its events |
//! | `DELETE /v1/responses/{id}` | deletes it |
//! | `GET /v1/responses/{id}/input_items` | its input items (`order`, `limit`, `after`) |
//! | `POST /v1/chat/completions` | forwarded to a Chat upstream as it is (model mapped); for a Responses-only upstream, converted to a Responses request and the answer converted back (streaming or not) |
//! | `GET /v1/models`, `GET /health`, `GET /metrics` | the model list, liveness and store health, Prometheus metrics ([`telemetry`]) |
//!
//! Errors come in OpenAI's shape (`{"error": {"message", "type", "param", "code"}}`) with
//! OpenAI's status codes; an upstream 429 keeps its `Retry-After`. A streamed response always
//! ends with a terminal event: an upstream that breaks off, stalls past its idle timeout or
//! sends a malformed chunk ends it as `response.failed`, never `completed`. While the upstream
//! is silent, the client gets a `response.in_progress` heartbeat every
//! [`Config::heartbeat`] (a Chat client in front of a Responses upstream gets a `: keep-alive`
//! comment). A client that goes away cancels the upstream request. A `store: true` response is
//! stored `in_progress` from `response.created` on, then final; one whose client went away is
//! stored `cancelled`, with the output produced so far.
//!
//! # Example
//!
//! ```no_run
//! use openai_wire_gateway::{Config, Gateway, SimpleOptions};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let mut config = Config::simple(SimpleOptions {
//!     upstream: "https://api.deepseek.com/v1".into(),
//!     api_key_env: Some("DEEPSEEK_API_KEY".into()),
//!     model_map: vec![("gpt-5".into(), "deepseek-chat".into())],
//! })?;
//! config.apply_env()?;
//! let listener = tokio::net::TcpListener::bind(config.listen).await?;
//! let gateway = Gateway::new(config).await?;
//! gateway
//!     .serve(listener, async {
//!         let _ = tokio::signal::ctrl_c().await;
//!     })
//!     .await?;
//! # Ok(())
//! # }
//! ```

pub mod codex;
pub mod config;
mod conversions;
pub mod error;
mod http;
mod pump;
mod server;
mod state;
pub mod store;
pub mod telemetry;
mod turn;
mod upstream;

pub use codex::codex_config;
pub use config::{
    Config, ConfigError, ProviderConfig, ProviderKind, ReasoningRoundTrip, RequestSettings, Route,
    SimpleOptions, StoreConfig, UpstreamApi,
};
pub use error::{ApiError, GatewayError};
pub use server::{Gateway, MAX_REQUEST_BYTES};
pub use store::{MemoryStore, SqlStore, Store, StoreError, StoredResponse};
