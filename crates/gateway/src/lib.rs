//! An HTTP gateway that puts OpenAI's Responses API in front of any Chat Completions provider
//! (DeepSeek, Qwen, GLM, Kimi, Groq, Mistral, OpenRouter, Ollama, vLLM), for Codex CLI and
//! every Responses client.
//!
//! | endpoint | what it does |
//! | --- | --- |
//! | `POST /v1/responses` | converts the request to Chat Completions, the upstream's stream back to Responses events (streaming or not); `store` and `previous_response_id` work through the [store] |
//! | `POST /v1/responses/compact` | compacts a conversation into `{id, object: "response.compaction", created_at, output: [...the user messages kept..., {type: "compaction", id, encrypted_content}], usage}`: for a Chat provider the gateway writes the summary with one summary request and seals it (see below); a Responses upstream's own `/responses/compact` answers otherwise |
//! | `GET /v1/responses` (WebSocket upgrade) | WebSocket mode: one `{"type": "response.create", ...}` text frame per response, its events back as text frames (the SSE `data:` JSON), one response at a time; the connection keeps the last conversation for `store: false` continuation, `generate: false` warms up without the model; bounded by [`Config::websocket_lifetime`], [`Config::websocket_max_message_bytes`] and [`Config::websocket_max_cached_bytes`] (see below) |
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
//! stored `in_progress` before `response.created` goes out (waiting for the store at most 2 s),
//! so a client that saw it created finds it even after a crash; then final; one whose client
//! went away is stored `cancelled`, with the output produced so far.
//!
//! # Bounds and the first seconds of a stream
//!
//! - A streaming response opens at once: `response.created` and `response.in_progress` go out
//!   before the upstream has answered, then heartbeats while its headers are awaited (clients
//!   with an idle timeout, such as Codex, survive a slow upstream). An upstream that then
//!   refuses the request ends the stream as `response.failed` with the error's code
//!   (`rate_limit_exceeded`, …); a non-streaming request still gets the HTTP error. An
//!   upstream that does not answer within its `idle_timeout_secs` is `upstream_timeout` (504).
//! - One response is bounded whatever the upstream does: past
//!   [`Config::max_response_bytes`] of upstream stream (64 MiB) it ends `incomplete`, reason
//!   `max_output_tokens` (OpenAI's end for an output that reached its length limit); past
//!   [`Config::max_response_duration`] (30 minutes) it ends `failed`, `upstream_timeout`.
//!   This holds for every stream path, the Chat pass-through included. A stored record that
//!   the store refuses (too big) is stored `failed`, saying why, never left `in_progress`.
//! - `POST /v1/chat/completions` passed through to a Chat upstream is watched as it passes
//!   (the bytes are unchanged): a stream that ends before `[DONE]` or a `finish_reason`
//!   ends with an error chunk, `data: {"error": {…}}`, as OpenAI sends a mid-stream error.
//! - Streamed answers are counted in `/metrics` when they end, by how they ended
//!   (`openai_wire_streams_total{outcome}`; a failed stream is not a `200`).
//!
//! # Request validation and upstream errors
//!
//! Every Responses request (HTTP, WebSocket `response.create`, compaction) is checked before
//! anything else ([`validate_request`], the table in
//! [`openai_wire_convert::request::validate`]): a wrong type, a value out of the spec's range
//! (`temperature` 0..=2, `top_p` 0..=1, `max_output_tokens` >= 16, `top_logprobs` 0..=20, …) or
//! an unknown top-level parameter is a 400 `invalid_request_error` naming `param`, in OpenAI's
//! words. Known client extensions (`client_metadata`; `presence_penalty`, `frequency_penalty`)
//! are accepted, as is anything inside `input` items and tools.
//!
//! An upstream's error reaches the client in OpenAI's terms
//! ([`openai_wire_convert::upstream_error`]) and without secrets: key-like text (`sk-…`,
//! `Bearer …`, `key=…`, long random words) is `[redacted]`, an HTML error page becomes one line,
//! and an upstream 401/403 (the gateway's own provider key refused) is a 502
//! `upstream_authentication_failed`, not the client's `invalid_api_key`.
//!
//! Every error the gateway writes is in that shape, also those no endpoint writes: an unknown
//! URL (404 `Invalid URL (METHOD /path)`), an unknown method (405, with `Allow`), a body past
//! [`MAX_REQUEST_BYTES`] (413), a malformed chunked body or query string (400), a URL past
//! 16 KiB (414). Only what hyper refuses before routing keeps hyper's empty answer: a request
//! line past 64 KiB (414), headers past hyper's buffer (431), bytes that are not HTTP (400).
//!
//! # Clients and connections
//!
//! - Client keys ([`Config::client_api_keys`]): `Authorization: Bearer KEY` (the scheme in any
//!   case) or `x-api-key: KEY`. No key setting at all means no authentication; a key setting
//!   that yields no usable key is a [`ConfigError`] at start ([`config`]).
//! - A connection must send a whole request head within [`Config::client_header_timeout`] (30 s)
//!   of opening or of its previous response: silent, half-sent and idle keep-alive connections
//!   are closed.
//! - At most [`Config::max_connections`] (4096) connections at once, WebSocket ones included;
//!   one more gets a `503` `server_is_overloaded` (with `Retry-After: 1`) and is closed.
//!   [`Gateway::serve`] raises the soft file-descriptor limit to the hard one at start and
//!   lowers the connection limit to what the descriptors allow.
//! - Connections are served on [`Config::workers`] threads (one per CPU by default), each a
//!   single-threaded runtime with its own upstream connections: a stream's events never cross
//!   threads. A new connection goes to the worker serving the fewest.
//!
//! # WebSocket mode
//!
//! `GET /v1/responses` upgraded to a WebSocket (client keys are checked before the upgrade: a
//! wrong key is a 401). Each client text frame is `{"type": "response.create", ...the fields of
//! a POST body...}` (`stream` and `stream_options` are ignored); each event goes back as one
//! text frame, exactly the JSON of the SSE `data:` line, ending with the terminal event.
//!
//! - Responses run one at a time, in the order asked; frames received meanwhile wait.
//! - The connection keeps the last response's conversation in memory (completed or
//!   incomplete ones), so `previous_response_id` with only the new input works for
//!   `store: false`. Past [`Config::websocket_max_cached_bytes`] it is not kept: continuing it
//!   then works only if it was stored, else it is `previous_response_not_found`.
//! - `generate: false` (Codex's warm-up) is validated, routed and its history resolved, but no
//!   upstream request is made: `response.created` and `response.completed` (no output, zero
//!   usage) answer it, and its conversation is kept for the next `response.create`. It is not
//!   stored, even with `store: true`.
//! - Errors are `{"type": "error", "status": N, "error": {"type", "code", "message", "param"}}`
//!   frames ([`ApiError::to_websocket_event`]); the connection stays open. An unknown
//!   `previous_response_id` is `previous_response_not_found`; a continuation that fails drops
//!   the response it continued. A binary frame closes the connection with 1003, a message past
//!   [`Config::websocket_max_message_bytes`] with 1009.
//! - A client that closes or goes away cancels the running response (stored `cancelled`).
//! - After [`Config::websocket_lifetime`] (60 minutes) the running response finishes, then an
//!   error `websocket_connection_limit_reached` and a close (1000). On shutdown the running
//!   response finishes, then a close with 1001; [`Gateway::serve`] returns once every
//!   connection is closed.
//! - A silent upstream without heartbeat events gets the client a WebSocket ping.
//! - `openai_wire_websocket_connections_total` and `openai_wire_websocket_responses_total`
//!   count them ([`telemetry`]).
//!
//! # Compaction
//!
//! A Chat provider cannot compact, so the gateway does, through the turn (HTTP
//! SSE, HTTP JSON and WebSocket mode alike):
//!
//! - a `POST /v1/responses` whose last input item is `{"type": "compaction_trigger"}` (Codex's
//!   remote compaction) is answered with exactly one output item `{type: "compaction", id,
//!   encrypted_content}` (`response.output_item.added` / `.done`, then `response.completed`
//!   with the summary request's usage); `POST /v1/responses/compact` answers the same item
//!   after the user messages it keeps;
//! - the summary comes from one non-streaming Chat request to the routed provider, with the
//!   prompt [`ProviderConfig::compaction_prompt`] (`OPENAI_WIRE_PROVIDER_<NAME>_COMPACTION_PROMPT`)
//!   or [`openai_wire_convert::compaction::DEFAULT_PROMPT`];
//! - `encrypted_content` is `owc1.<payload>.<mac>`: the summary as base64url JSON, **not
//!   encrypted** (whoever holds the item can read it) but integrity-protected by HMAC-SHA256
//!   with the envelope key; in a later request the item is restored as a `user` message
//!   holding the summary, in place of the history it summarized, and one that is foreign
//!   (OpenAI's `gAAAA…`), forged, altered or sealed with another key is a 400 naming
//!   `input[i].encrypted_content`;
//! - the envelope key is derived from a random secret generated on first start and kept in
//!   the store ([`Store::secret`]; [`Gateway::new`], [`Gateway::with_stored_keys`]), so a
//!   restart and every instance sharing a PostgreSQL store open each other's compactions;
//!   `OPENAI_WIRE_ENVELOPE_SECRET` (or [`Gateway::with_envelope_key`]) overrides it, and
//!   [`Gateway::with_store`] without the variable uses a random key for its lifetime.
//!
//! # Stored responses: owners and interrupted streams
//!
//! - With client keys, each stored response records the key that made it as a keyed hash
//!   (HMAC-SHA256 under a key derived from the store's secret; never the key). Any other key
//!   gets what an unknown id gets: 404 on `GET` (and replay), `input_items` and `DELETE`,
//!   `previous_response_not_found` when continuing it (HTTP, WebSocket mode, compaction).
//!   Responses stored before the gateway had keys have no owner and are visible only to a
//!   gateway without keys. Without client keys nothing changes.
//! - A crash leaves streamed responses `in_progress`. Each store opening is an instance with a
//!   lease (renewed every [`RENEW_LEASE_EVERY`], valid for
//!   [`LEASE`]); [`Gateway::serve`] marks `failed` (`server_error`) the
//!   responses in progress whose writer's lease expired, before accepting requests and then
//!   periodically ([`Gateway::recover_interrupted`]), so instances sharing PostgreSQL never
//!   touch each other's live streams. A SQLite file belongs to one process: a gateway starting
//!   on it fails every response left `in_progress` at once, however recently its writer's
//!   lease was renewed ([`Gateway::recover_interrupted_at_start`]), so a restart right after a
//!   crash leaves nothing `in_progress`. (Two gateways on one SQLite file are not supported:
//!   the one starting would mark the other's live streams failed until they finish.)
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
mod listener;
mod pump;
mod search;
mod server;
mod state;
pub mod store;
pub mod telemetry;
mod turn;
mod upstream;
mod workers;

pub use codex::{
    CODEX_CATALOG_FILE, CODEX_VERSION, CodexOptions, codex_catalog, codex_config, codex_config_with,
};
pub use config::{
    Config, ConfigError, InputModality, ModelInfo, ProviderConfig, ProviderKind,
    ReasoningRoundTrip, RequestSettings, Route, SearchBackendKind, SimpleOptions, StoreConfig,
    UpstreamApi, WebSearchConfig,
};
pub use error::{ApiError, GatewayError};
pub use openai_wire_convert::envelope::EnvelopeKey;
pub use server::{Gateway, LEASE, MAX_REQUEST_BYTES, RENEW_LEASE_EVERY};
pub use store::{MemoryStore, SqlStore, Store, StoreError, StoredResponse};
pub use turn::request::validate_request;
