//! What every request shares: [`AppState`] (the configuration, the store, one HTTP client per
//! provider, the envelope key, the shutdown signal of long-lived connections) and routing a
//! request to its provider ([`AppState::route`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use metrics_exporter_prometheus::PrometheusHandle;
use openai_wire_convert::envelope::EnvelopeKey;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::{Config, ProviderConfig};
use crate::error::ApiError;
use crate::store::Store;
use crate::workers::WorkerClients;

/// Shared state of one gateway.
pub(crate) struct AppState {
    pub(crate) config: Config,
    pub(crate) store: Arc<dyn Store>,
    /// Each provider's HTTP clients, one per connection worker ([`WorkerClients::here`]).
    pub(crate) clients: BTreeMap<String, WorkerClients>,
    /// How many connection workers [`Gateway::serve`](crate::Gateway::serve) runs.
    pub(crate) workers: usize,
    pub(crate) metrics: Option<PrometheusHandle>,
    pub(crate) envelope_key: EnvelopeKey,
    /// The HMAC key of owner hashes ([`Owner`]), derived from the store's secret.
    pub(crate) owner_key: OwnerKey,
    /// Fired when the server shuts down: upgraded (WebSocket) connections, which the HTTP
    /// server's graceful shutdown does not end, finish their running response and close.
    pub(crate) shutdown: CancellationToken,
    /// The upgraded connections still open, which `serve` waits for after the shutdown.
    pub(crate) connections: TaskTracker,
    /// The web search backend (`[web_search]`), if one is configured.
    pub(crate) web_search: Option<Arc<crate::search::WebSearch>>,
}

/// The provider a path prefix forces (set by the nested router of a `path_prefix` route).
#[derive(Debug, Clone)]
pub(crate) struct ForcedProvider(pub(crate) String);

/// What a request is routed by besides its model: a forced provider and the headers. An axum
/// extractor: handlers take it as an argument.
#[derive(Debug, Clone, Default)]
pub(crate) struct RouteHints {
    pub(crate) forced: Option<ForcedProvider>,
    pub(crate) headers: HeaderMap,
    /// Whose request it is (the turn stores and reads responses as this owner's).
    pub(crate) owner: Owner,
}

impl<S: Send + Sync> FromRequestParts<S> for RouteHints {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(RouteHints {
            forced: parts.extensions.get::<ForcedProvider>().cloned(),
            headers: parts.headers.clone(),
            owner: Owner::of(parts),
        })
    }
}

/// The client key a request came with, as a keyed hash (hex HMAC-SHA256 under
/// [`OwnerKey`]), never the key: whose stored responses it may read. `Owner(None)` on a
/// gateway without client keys. Client authentication puts it in the request's extensions; an
/// axum extractor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Owner(pub(crate) Option<String>);

impl Owner {
    fn of(parts: &Parts) -> Self {
        parts.extensions.get::<Owner>().cloned().unwrap_or_default()
    }

    /// The hash, as stored.
    pub(crate) fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Owner {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Owner::of(parts))
    }
}

/// The key owner hashes are made with. `Debug` never shows it.
#[derive(Clone)]
pub(crate) struct OwnerKey(hmac::Hmac<sha2::Sha256>);

impl OwnerKey {
    /// A key from a secret.
    pub(crate) fn new(secret: &[u8]) -> Self {
        use hmac::Mac;
        // HMAC takes keys of any length: this cannot fail.
        let mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(secret)
            .unwrap_or_else(|_| <hmac::Hmac<sha2::Sha256> as Mac>::new(&Default::default()));
        OwnerKey(mac)
    }

    /// The owner a client key stands for.
    pub(crate) fn owner(&self, client_key: &str) -> Owner {
        Owner(Some(derive(&self.0, client_key.as_bytes())))
    }
}

impl std::fmt::Debug for OwnerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnerKey(..)")
    }
}

/// Hex HMAC of `data` under `mac`'s key.
pub(crate) fn derive(mac: &hmac::Hmac<sha2::Sha256>, data: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = mac.clone();
    mac.update(data);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The keys a gateway derives from its secret ([`crate::Store::secret`]): the envelope key
/// (unless `OPENAI_WIRE_ENVELOPE_SECRET` is set) and the owner key, each an HMAC of a label
/// under the secret, so that neither reveals the other.
pub(crate) fn keys_from_secret(secret: &str) -> (EnvelopeKey, OwnerKey) {
    let root = OwnerKey::new(secret.as_bytes());
    let envelope = derive(&root.0, b"openai-wire envelope key");
    let owner = derive(&root.0, b"openai-wire owner key");
    (
        EnvelopeKey::new(envelope.as_bytes()),
        OwnerKey::new(owner.as_bytes()),
    )
}

/// The provider a request goes to.
#[derive(Debug, Clone)]
pub(crate) struct Routed {
    /// The provider's name in the configuration.
    pub(crate) name: String,
    /// Its settings.
    pub(crate) provider: ProviderConfig,
}

impl AppState {
    /// The provider for a request: a path-prefix route, then header routes, then model routes,
    /// then a provider that lists the model, then the default (or the only) provider.
    pub(crate) fn route(&self, hints: &RouteHints, model: &str) -> Result<Routed, ApiError> {
        let (name, provider) = self.pick_route(hints, model)?;
        Ok(Routed {
            name: name.to_owned(),
            provider: provider.clone(),
        })
    }

    fn pick_route(
        &self,
        hints: &RouteHints,
        model: &str,
    ) -> Result<(&str, &ProviderConfig), ApiError> {
        let pick = |name: &str| {
            self.config
                .providers
                .get_key_value(name)
                .map(|(k, v)| (k.as_str(), v))
        };
        if let Some(ForcedProvider(name)) = &hints.forced
            && let Some(found) = pick(name)
        {
            return Ok(found);
        }
        for route in &self.config.routes {
            if route.path_prefix.is_some() {
                continue;
            }
            if let Some(name) = &route.header {
                let Some(value) = hints
                    .headers
                    .get(name.as_str())
                    .and_then(|v| v.to_str().ok())
                else {
                    continue;
                };
                if route.value.as_deref().is_some_and(|want| want != value) {
                    continue;
                }
            }
            if route.matches_model(model)
                && let Some(found) = pick(&route.provider)
            {
                return Ok(found);
            }
        }
        if let Some((name, provider)) = self.config.providers.iter().find(|(_, p)| p.serves(model))
        {
            return Ok((name.as_str(), provider));
        }
        if let Some(found) = self.config.default_provider.as_deref().and_then(pick) {
            return Ok(found);
        }
        if self.config.providers.len() == 1
            && let Some((name, provider)) = self.config.providers.iter().next()
        {
            return Ok((name.as_str(), provider));
        }
        Err(ApiError::model_not_found(model))
    }
}
