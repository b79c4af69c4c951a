//! The HTTP server: [`Gateway`], its router, client authentication, `/health`, `/v1/models`,
//! `/metrics`.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use openai_wire_convert::envelope::EnvelopeKey;
use serde_json::json;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::error::{ApiError, GatewayError};
use crate::state::{AppState, ForcedProvider};
use crate::store::{self, Store};
use crate::workers::{WorkerClients, Workers};

/// How long an instance's lease lasts without renewal: a response `in_progress` whose writer
/// has not renewed its lease for this long was interrupted.
pub const LEASE: std::time::Duration = std::time::Duration::from_secs(60);

/// How often [`Gateway::serve`] renews its lease ([`Gateway::recover_interrupted`]).
pub const RENEW_LEASE_EVERY: std::time::Duration = std::time::Duration::from_secs(15);

/// How often [`Gateway::serve`] deletes expired responses.
const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Aborts a background task when dropped (when `serve` returns, however it returns).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The largest request body accepted (Codex sends its whole history every turn).
pub const MAX_REQUEST_BYTES: usize = 64 << 20;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A gateway: the Responses API (and Chat Completions) in front of the configured providers.
///
/// Build it with [`Gateway::new`] (opens the configured store) or [`Gateway::with_store`], then
/// either [`serve`](Gateway::serve) it on a listener or take its [`router`](Gateway::router).
#[derive(Clone)]
pub struct Gateway {
    state: Arc<AppState>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field(
                "providers",
                &self.state.config.providers.keys().collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Gateway {
    /// A gateway for `config`, with the store it names (SQLite files and directories are
    /// created and migrated on first use).
    ///
    /// Its keys come from the store's secret ([`Gateway::with_stored_keys`]).
    pub async fn new(config: Config) -> Result<Self, GatewayError> {
        let store = store::open(&config.store).await?;
        Self::with_stored_keys(config, store).await
    }

    /// A gateway for `config` with a store opened by the caller, its keys derived from the
    /// store's secret ([`Store::secret`], generated randomly on first start and kept): every
    /// restart, and every instance sharing the store (PostgreSQL), has the same envelope key
    /// (which seals reasoning carried through the client and compactions) and the same owner
    /// hashes of client keys. `OPENAI_WIRE_ENVELOPE_SECRET`, when set, overrides the envelope
    /// key. A store that keeps no secret gets a random one for this gateway's lifetime.
    pub async fn with_stored_keys(
        config: Config,
        store: Arc<dyn Store>,
    ) -> Result<Self, GatewayError> {
        let secret = match store.secret().await? {
            Some(secret) => secret,
            None => store::random_secret(),
        };
        let (derived, owner_key) = crate::state::keys_from_secret(&secret);
        let envelope_key = envelope_secret_from_env().unwrap_or(derived);
        Self::build(config, store, envelope_key, owner_key)
    }

    /// A gateway for `config` with a store opened by the caller, without reading the store's
    /// secret (a synchronous constructor, for tests and embedding): its envelope key comes
    /// from `OPENAI_WIRE_ENVELOPE_SECRET` when it is set, else it is random for this gateway's
    /// lifetime, and so are its owner hashes. Envelopes it seals open on no other gateway and
    /// not after a restart; use [`Gateway::with_stored_keys`] (as [`Gateway::new`] does) for
    /// keys that the store keeps.
    pub fn with_store(config: Config, store: Arc<dyn Store>) -> Result<Self, GatewayError> {
        let (random, owner_key) = crate::state::keys_from_secret(&store::random_secret());
        let envelope_key = envelope_secret_from_env().unwrap_or(random);
        Self::build(config, store, envelope_key, owner_key)
    }

    /// A gateway for `config` with a store and an envelope key chosen by the caller. Every
    /// instance that must open another's reasoning envelopes and compactions (several
    /// instances behind a load balancer) needs the same key. Its owner hashes are random for
    /// its lifetime, as with [`Gateway::with_store`].
    pub fn with_envelope_key(
        config: Config,
        store: Arc<dyn Store>,
        envelope_key: EnvelopeKey,
    ) -> Result<Self, GatewayError> {
        let (_, owner_key) = crate::state::keys_from_secret(&store::random_secret());
        Self::build(config, store, envelope_key, owner_key)
    }

    fn build(
        config: Config,
        store: Arc<dyn Store>,
        envelope_key: EnvelopeKey,
        owner_key: crate::state::OwnerKey,
    ) -> Result<Self, GatewayError> {
        config.validate()?;
        let workers = crate::workers::worker_count(config.workers);
        let web_search = match &config.web_search {
            Some(search) => Some(Arc::new(
                crate::search::WebSearch::new(search, workers)
                    .map_err(|error| GatewayError::Search(error.to_string()))?,
            )),
            None => None,
        };
        let mut clients = BTreeMap::new();
        for (name, provider) in &config.providers {
            let client = WorkerClients::new(workers, || {
                reqwest::Client::builder()
                    .connect_timeout(provider.connect_timeout())
                    .read_timeout(provider.idle_timeout())
                    .pool_idle_timeout(std::time::Duration::from_secs(90))
                    .build()
            })?;
            clients.insert(name.clone(), client);
        }
        Ok(Gateway {
            state: Arc::new(AppState {
                config,
                store,
                clients,
                workers,
                metrics: metrics_handle(),
                envelope_key,
                owner_key,
                shutdown: tokio_util::sync::CancellationToken::new(),
                connections: tokio_util::task::TaskTracker::new(),
                web_search,
            }),
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.state.config
    }

    /// The store in use.
    pub fn store(&self) -> Arc<dyn Store> {
        self.state.store.clone()
    }

    /// The router: every endpoint, with request ids, tracing and client authentication.
    /// Request bodies sent with `Content-Encoding: zstd`, `gzip`, `br` or `deflate` are
    /// decompressed before they are read; [`MAX_REQUEST_BYTES`] bounds the decompressed body.
    pub fn router(&self) -> Router {
        let api = api_routes();
        let mut app = Router::new()
            .route("/health", get(health))
            .route("/metrics", get(metrics_text))
            .merge(api.clone());
        for route in &self.state.config.routes {
            if let Some(prefix) = &route.path_prefix {
                let forced = ForcedProvider(route.provider.clone());
                app = app.nest(prefix, api.clone().layer(axum::Extension(forced)));
            }
        }
        app.fallback(crate::http::refusals::not_found)
            .layer(middleware::from_fn_with_state(self.state.clone(), authenticate))
            .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
            // Codex with a provider named `OpenAI` may send zstd bodies; the limit above counts
            // the decompressed bytes.
            .layer(RequestDecompressionLayer::new())
            .layer(middleware::from_fn(crate::http::refusals::openai_errors))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(
                TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
                    let id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
                }),
            )
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .with_state(self.state.clone())
    }

    /// Deletes the stored responses older than [`Config::retention_days`] (none when it is
    /// zero); how many went. [`serve`](Gateway::serve) calls it at start and then every hour;
    /// a gateway embedded through [`router`](Gateway::router) schedules it itself.
    pub async fn purge_expired(&self) -> Result<u64, crate::store::StoreError> {
        let days = self.state.config.retention_days;
        if days == 0 {
            return Ok(0);
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let before = now.saturating_sub(days.saturating_mul(86_400));
        let before = i64::try_from(before).unwrap_or(i64::MAX);
        self.state.store.purge_created_before(before).await
    }

    /// Renews this instance's lease in the store and marks `failed` the responses that
    /// stopped gateways left `in_progress` (their writer's lease expired [`LEASE`] ago); how
    /// many. [`serve`](Gateway::serve) calls it every [`RENEW_LEASE_EVERY`] (and, before
    /// accepting requests, [`recover_interrupted_at_start`](Gateway::recover_interrupted_at_start));
    /// a gateway embedded through [`router`](Gateway::router) calls them itself, or its streams
    /// in progress look interrupted to the other instances.
    pub async fn recover_interrupted(&self) -> Result<u64, crate::store::StoreError> {
        let lease = i64::try_from(LEASE.as_secs()).unwrap_or(i64::MAX);
        self.state
            .store
            .recover_interrupted(store::unix_now(), lease)
            .await
    }

    /// [`recover_interrupted`](Gateway::recover_interrupted) for a gateway starting, before
    /// it accepts requests ([`serve`](Gateway::serve) calls it): on SQLite, which one process
    /// owns, every response another instance left `in_progress` is failed at once, however
    /// recent its lease (a restart right after a crash); on PostgreSQL, only those whose
    /// writer's lease has run out ([`Store::recover_interrupted_at_start`]).
    pub async fn recover_interrupted_at_start(&self) -> Result<u64, crate::store::StoreError> {
        let lease = i64::try_from(LEASE.as_secs()).unwrap_or(i64::MAX);
        self.state
            .store
            .recover_interrupted_at_start(store::unix_now(), lease)
            .await
    }

    /// Serves on `listener` until `shutdown` resolves, then stops accepting and waits for the
    /// requests in flight (streams included) to finish; WebSocket connections finish their
    /// running response and are closed with code 1001 (going away). Expired responses are
    /// purged at start and every hour ([`purge_expired`](Gateway::purge_expired)).
    ///
    /// Connections are served on [`Config::workers`] threads, each with its own
    /// single-threaded runtime and its own upstream connections; `listener` is accepted on,
    /// and the store's housekeeping runs on, the caller's runtime.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), GatewayError> {
        let app = self.router();
        let retention = {
            let gateway = self.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(PURGE_EVERY);
                loop {
                    every.tick().await;
                    match gateway.purge_expired().await {
                        Ok(0) => {}
                        Ok(purged) => tracing::info!(purged, "expired responses deleted"),
                        Err(error) => {
                            crate::telemetry::store_error("purge");
                            tracing::error!(%error, "cannot delete expired responses");
                        }
                    }
                }
            })
        };
        let _stop_retention = AbortOnDrop(retention);
        let leases = {
            let gateway = self.clone();
            recover_logged(&gateway, true).await;
            tokio::spawn(async move {
                let start = tokio::time::Instant::now() + RENEW_LEASE_EVERY;
                let mut every = tokio::time::interval_at(start, RENEW_LEASE_EVERY);
                loop {
                    every.tick().await;
                    recover_logged(&gateway, false).await;
                }
            })
        };
        let _stop_leases = AbortOnDrop(leases);
        tracing::info!(address = ?listener.local_addr().ok(), "openai-wire gateway listening");
        if self.state.web_search.is_none() {
            tracing::warn!(
                "no [web_search] backend configured: the hosted web_search tool is dropped for \
                 Chat providers (each such response says so in its openai-wire-warning header), \
                 and POST /v1/alpha/search answers 501"
            );
        }
        let workers = Workers::start(self.state.workers)?;
        tracing::info!(workers = self.state.workers, "connection workers started");
        // Timeouts, the connection limit, TCP_NODELAY and graceful shutdown: `listener`.
        let served = crate::listener::serve(
            listener,
            app,
            &self.state.config,
            &workers,
            self.state.shutdown.clone(),
            shutdown,
        )
        .await;
        // Upgraded connections outlive the HTTP server's graceful shutdown: wait for them
        // (they run on the workers, which stop after them).
        self.state.shutdown.cancel();
        self.state.connections.close();
        self.state.connections.wait().await;
        workers.stop().await;
        served?;
        Ok(())
    }
}

/// [`Gateway::recover_interrupted`] (or, when the gateway `starting`,
/// [`Gateway::recover_interrupted_at_start`]), its outcome logged.
async fn recover_logged(gateway: &Gateway, starting: bool) {
    let recovered = if starting {
        gateway.recover_interrupted_at_start().await
    } else {
        gateway.recover_interrupted().await
    };
    match recovered {
        Ok(0) => {}
        Ok(failed) => tracing::warn!(
            failed,
            "responses left in progress by a stopped gateway marked failed"
        ),
        Err(error) => {
            crate::telemetry::store_error("recover");
            tracing::error!(%error, "cannot renew the lease or recover interrupted responses");
        }
    }
}

/// The envelope key `OPENAI_WIRE_ENVELOPE_SECRET` sets, if it is set and not empty.
fn envelope_secret_from_env() -> Option<EnvelopeKey> {
    match std::env::var("OPENAI_WIRE_ENVELOPE_SECRET") {
        Ok(secret) if !secret.is_empty() => Some(EnvelopeKey::new(secret.as_bytes())),
        _ => None,
    }
}

fn api_routes() -> Router<Arc<AppState>> {
    use crate::http::{chat, compact, responses, search, stored, websocket};
    Router::new()
        .route("/v1/models", get(models))
        .route(
            "/v1/responses",
            post(responses::create).get(websocket::upgrade),
        )
        .route("/v1/responses/compact", post(compact::compact))
        .route(
            "/v1/responses/{id}",
            get(stored::retrieve).delete(stored::delete),
        )
        .route("/v1/responses/{id}/input_items", get(stored::input_items))
        .route("/v1/chat/completions", post(chat::create))
        .route("/v1/alpha/search", post(search::search))
}

/// One Prometheus recorder per process: installed by the first gateway, shared by the others.
fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| match PrometheusBuilder::new().install_recorder() {
            Ok(handle) => {
                crate::telemetry::describe();
                Some(handle)
            }
            Err(error) => {
                tracing::warn!(%error, "metrics recorder not installed; /metrics will be empty");
                None
            }
        })
        .clone()
}

async fn authenticate(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let open = path == "/health" || path == "/metrics";
    if open || state.config.client_api_keys.is_empty() {
        return next.run(request).await;
    }
    let presented = presented_key(request.headers());
    let ok = presented.is_some_and(|key| {
        !key.is_empty()
            && state
                .config
                .client_api_keys
                .iter()
                .any(|k| constant_time_eq(k.trim().as_bytes(), key.as_bytes()))
    });
    if ok {
        // Whose stored responses the request may read: a keyed hash of its key.
        let owner = presented.map(|key| state.owner_key.owner(key));
        request.extensions_mut().insert(owner.unwrap_or_default());
        next.run(request).await
    } else {
        ApiError::unauthorized().into_response()
    }
}

/// The key a client presents: `Authorization: Bearer KEY` (the scheme in any case, RFC 7235)
/// or `x-api-key: KEY`, trimmed.
fn presented_key(headers: &axum::http::HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, key) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then_some(key)
        });
    bearer
        .or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok()))
        .map(str::trim)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn health(State(state): State<Arc<AppState>>) -> Response {
    match state.store.ping().await {
        Ok(()) => axum::Json(json!({"status": "ok", "store": "ok"})).into_response(),
        Err(error) => {
            tracing::error!(%error, "health: the store does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(json!({"status": "degraded", "store": error.to_string()})),
            )
                .into_response()
        }
    }
}

async fn models(State(state): State<Arc<AppState>>) -> Response {
    let data: Vec<_> = state
        .config
        .models()
        .into_iter()
        .map(|(id, provider)| json!({"id": id, "object": "model", "created": 0, "owned_by": provider}))
        .collect();
    axum::Json(json!({"object": "list", "data": data})).into_response()
}

async fn metrics_text(State(state): State<Arc<AppState>>) -> Response {
    let body = state
        .metrics
        .as_ref()
        .map(|h| h.render())
        .unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}
