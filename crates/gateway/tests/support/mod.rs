#![allow(dead_code)]

pub mod e2e;
pub mod postgres;
pub mod responses_upstream;
pub mod upstream;

use std::net::SocketAddr;

use tokio::sync::oneshot;

/// Serves `app` on a free loopback port, in the background, until the returned sender fires
/// or is dropped (the requests in flight finish first).
pub async fn serve_local(app: axum::Router) -> (SocketAddr, oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    (addr, stop)
}
