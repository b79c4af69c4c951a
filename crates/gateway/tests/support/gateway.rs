//! The real gateway, served on a free loopback port for a test: [`start`], and the
//! configuration in front of the scripted upstream: [`config_for`].

use std::sync::Arc;
use std::time::Duration;

use openai_wire_gateway::{Config, Gateway, MemoryStore, ProviderConfig, Store};
use tokio::sync::oneshot;

use super::upstream::Upstream;

/// A running gateway (`Gateway::serve`, with its graceful shutdown), stopped when dropped.
pub struct Running {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its store (in memory).
    pub store: Arc<dyn Store>,
    stop: Option<oneshot::Sender<()>>,
    done: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// The WebSocket-mode URL, `ws://127.0.0.1:PORT/v1/responses`.
    pub fn ws_url(&self) -> String {
        format!("{}/v1/responses", self.base.replacen("http", "ws", 1))
    }

    /// Fires the shutdown; [`stopped`](Self::stopped) waits for `serve` to return.
    pub fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Waits for `serve` to return (after [`shut_down`](Self::shut_down)).
    pub async fn stopped(&mut self) {
        if let Some(done) = self.done.take() {
            done.await.unwrap();
        }
    }

    /// Shuts down and waits for the requests in flight to finish.
    pub async fn stop(mut self) {
        self.shut_down();
        self.stopped().await;
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// One provider, `scripted`, in front of `upstream` (idle timeout `idle_secs`, heartbeats every
/// 30 s), tuned by `tune`.
pub fn config_for(upstream: &Upstream, idle_secs: u64, tune: impl FnOnce(&mut Config)) -> Config {
    let mut provider = ProviderConfig::new(upstream.base_url());
    provider.models = vec!["scripted".into()];
    provider.idle_timeout_secs = idle_secs;
    let mut config = Config::default();
    config.providers.insert("scripted".into(), provider);
    config.default_provider = Some("scripted".into());
    config.heartbeat = Duration::from_secs(30);
    tune(&mut config);
    config
}

/// Serves a gateway for `config`, with a memory store, until the returned [`Running`] stops.
pub async fn start(config: Config) -> Running {
    start_with_store(config, Arc::new(MemoryStore::new())).await
}

/// Serves a gateway for `config` on `store` (a test's own, e.g. one that records what it is
/// given), until the returned [`Running`] stops.
pub async fn start_with_store(config: Config, store: Arc<dyn Store>) -> Running {
    let gateway = Gateway::with_store(config, store.clone()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(async move {
        gateway
            .serve(listener, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    Running {
        base,
        store,
        stop: Some(stop),
        done: Some(done),
    }
}
