//! The connection workers: [`Gateway::serve`](crate::Gateway::serve) serves client connections
//! on a pool of threads, each running its own single-threaded tokio runtime, and hands each new
//! connection to the worker serving the fewest.
//!
//! Why not one multi-threaded runtime: a stream's event crosses two tasks, the upstream
//! connection's (reqwest runs each HTTP connection in a task of its own) and the client
//! connection's. On a work-stealing runtime the two often run on different threads, so an event
//! costs a cross-thread wake-up (a `futex`, and on a virtual machine the wake-up of a halted
//! vCPU). On a worker, the client connection, everything its requests spawn and the upstream
//! connections they open (each worker has its own HTTP clients: [`WorkerClients`]) live on
//! one thread. Measured in BENCHMARKS.md ("One runtime per worker thread"): 15–20% less CPU per
//! event than the work-stealing runtime, and at 1,000 streams a fifth of its p99 lateness.
//!
//! The price is that a worker's connections share one thread: a request that computes for long
//! (a very large body to parse) delays the other streams of its worker, not those of the others.

use std::cell::Cell;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::runtime::Handle;
use tokio_util::sync::CancellationToken;

thread_local! {
    /// The index of the worker this thread is, `None` outside a pool.
    static WORKER_INDEX: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The index of the worker the calling thread is, `None` on any other thread.
pub(crate) fn current_worker() -> Option<usize> {
    WORKER_INDEX.with(Cell::get)
}

/// The number of workers `configured` asks for: itself, or with 0 one per CPU.
pub(crate) fn worker_count(configured: usize) -> usize {
    if configured > 0 {
        return configured;
    }
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// One HTTP client per worker for a provider (or the web search backend), and one for every
/// other thread: the upstream connections a worker opens stay in its own pool, driven by its
/// own runtime.
#[derive(Debug, Clone)]
pub(crate) struct WorkerClients {
    /// Index 0: threads outside a pool (a router embedded in the caller's runtime); `i + 1`:
    /// worker `i`.
    clients: Vec<reqwest::Client>,
}

impl WorkerClients {
    /// `workers + 1` clients, each built by `build`.
    pub(crate) fn new(
        workers: usize,
        mut build: impl FnMut() -> Result<reqwest::Client, reqwest::Error>,
    ) -> Result<Self, reqwest::Error> {
        let clients = (0..=workers).map(|_| build()).collect::<Result<_, _>>()?;
        Ok(WorkerClients { clients })
    }

    /// The client of the calling thread.
    pub(crate) fn here(&self) -> &reqwest::Client {
        let index = current_worker().map_or(0, |worker| worker + 1);
        &self.clients[index % self.clients.len()]
    }
}

/// A running pool of workers. Dropping it stops them (their runtimes drop whatever tasks are
/// left); [`Workers::stop`] also waits for their threads to end.
pub(crate) struct Workers {
    workers: Vec<Worker>,
    stop: CancellationToken,
}

/// One worker: its runtime's handle and the connections it serves (counted, and shown as
/// `openai_wire_worker_connections`).
struct Worker {
    handle: Handle,
    connections: Arc<AtomicUsize>,
    gauge: metrics::Gauge,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A connection's place on a worker: counted until it is dropped (when the connection's
/// socket closes).
#[derive(Debug)]
pub(crate) struct WorkerSlot {
    connections: Arc<AtomicUsize>,
    gauge: metrics::Gauge,
}

impl Drop for WorkerSlot {
    fn drop(&mut self) {
        self.connections.fetch_sub(1, Ordering::Relaxed);
        self.gauge.decrement(1.0);
    }
}

impl Workers {
    /// Starts `count` workers (at least one), threads named `openai-wire-worker-N`.
    pub(crate) fn start(count: usize) -> io::Result<Self> {
        let stop = CancellationToken::new();
        let mut pool = Workers {
            workers: Vec::with_capacity(count.max(1)),
            stop: stop.clone(),
        };
        for index in 0..count.max(1) {
            pool.workers.push(start_worker(index, stop.clone())?);
        }
        Ok(pool)
    }

    /// The runtime of the worker serving the fewest connections, and the new connection's
    /// slot there.
    pub(crate) fn assign(&self) -> (Handle, WorkerSlot) {
        let worker = self
            .workers
            .iter()
            .min_by_key(|worker| worker.connections.load(Ordering::Relaxed))
            .expect("a pool has at least one worker");
        worker.connections.fetch_add(1, Ordering::Relaxed);
        worker.gauge.increment(1.0);
        let slot = WorkerSlot {
            connections: worker.connections.clone(),
            gauge: worker.gauge.clone(),
        };
        (worker.handle.clone(), slot)
    }

    /// How many connections each worker serves.
    #[cfg(test)]
    pub(crate) fn loads(&self) -> Vec<usize> {
        self.workers
            .iter()
            .map(|worker| worker.connections.load(Ordering::Relaxed))
            .collect()
    }

    /// Stops the workers and waits for their threads to end.
    pub(crate) async fn stop(mut self) {
        self.stop.cancel();
        let threads: Vec<_> = self
            .workers
            .iter_mut()
            .filter_map(|worker| worker.thread.take())
            .collect();
        let _ = tokio::task::spawn_blocking(move || {
            for thread in threads {
                let _ = thread.join();
            }
        })
        .await;
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Starts worker `index`: a thread running a current-thread runtime until `stop`.
fn start_worker(index: usize, stop: CancellationToken) -> io::Result<Worker> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let handle = runtime.handle().clone();
    let thread = std::thread::Builder::new()
        .name(format!("openai-wire-worker-{index}"))
        .spawn(move || {
            WORKER_INDEX.with(|worker| worker.set(Some(index)));
            runtime.block_on(stop.cancelled());
        })?;
    Ok(Worker {
        handle,
        connections: Arc::new(AtomicUsize::new(0)),
        gauge: crate::telemetry::worker_connections(index),
        thread: Some(thread),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_workers_means_one_per_cpu() {
        assert_eq!(worker_count(3), 3);
        let cpus = std::thread::available_parallelism().unwrap().get();
        assert_eq!(worker_count(0), cpus);
    }

    #[tokio::test]
    async fn a_connection_goes_to_the_worker_serving_the_fewest() {
        let pool = Workers::start(3).unwrap();
        let first = pool.assign().1;
        let second = pool.assign().1;
        let third = pool.assign().1;
        assert_eq!(pool.loads(), [1, 1, 1]);
        drop(second);
        assert_eq!(pool.loads(), [1, 0, 1]);
        let fourth = pool.assign().1;
        assert_eq!(
            pool.loads(),
            [1, 1, 1],
            "the emptied worker gets the next one"
        );
        drop((first, third, fourth));
        assert_eq!(pool.loads(), [0, 0, 0]);
        pool.stop().await;
    }

    #[tokio::test]
    async fn each_worker_shows_its_connections_in_a_gauge() {
        use metrics_util::debugging::{DebugValue, DebuggingRecorder};
        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        let pool = metrics::with_local_recorder(&recorder, || Workers::start(2)).unwrap();
        // A snapshot takes what was recorded since the last one: the gauges are the sums.
        let mut totals = std::collections::BTreeMap::<String, f64>::new();
        let mut gauges = || {
            for (key, _, _, value) in snapshotter.snapshot().into_vec() {
                let (DebugValue::Gauge(value), [worker]) = (value, key.key().labels().as_slice())
                else {
                    panic!("one gauge per worker, labelled: {key:?}");
                };
                assert_eq!(key.key().name(), crate::telemetry::WORKER_CONNECTIONS);
                *totals.entry(worker.value().to_owned()).or_default() += value.into_inner();
            }
            totals.clone().into_iter().collect::<Vec<_>>()
        };
        let first = pool.assign().1;
        let second = pool.assign().1;
        let third = pool.assign().1;
        assert_eq!(gauges(), [("0".into(), 2.0), ("1".into(), 1.0)]);
        drop(second);
        assert_eq!(gauges(), [("0".into(), 2.0), ("1".into(), 0.0)]);
        drop((first, third));
        assert_eq!(gauges(), [("0".into(), 0.0), ("1".into(), 0.0)]);
        pool.stop().await;
    }

    #[tokio::test]
    async fn tasks_run_on_their_worker_and_use_its_own_client() {
        let pool = Workers::start(2).unwrap();
        let clients = WorkerClients::new(2, || reqwest::Client::builder().build()).unwrap();
        let clients = Arc::new(clients);
        assert!(std::ptr::eq(clients.here(), &clients.clients[0]));
        let mut slots = Vec::new();
        for expected in 0..2 {
            let (handle, slot) = pool.assign();
            slots.push(slot);
            let clients = clients.clone();
            let (name, index, own_client) = handle
                .spawn(async move {
                    let name = std::thread::current().name().map(str::to_owned);
                    let index = current_worker();
                    let own = std::ptr::eq(clients.here(), &clients.clients[expected + 1]);
                    (name, index, own)
                })
                .await
                .unwrap();
            assert_eq!(
                name.as_deref(),
                Some(&*format!("openai-wire-worker-{expected}"))
            );
            assert_eq!(index, Some(expected));
            assert!(own_client, "worker {expected} uses its own client");
        }
        drop(slots);
        pool.stop().await;
    }

    #[tokio::test]
    async fn stopping_ends_the_threads() {
        let pool = Workers::start(2).unwrap();
        let (handle, _slot) = pool.assign();
        pool.stop().await;
        assert!(
            handle.spawn(async {}).await.is_err(),
            "a stopped worker runs nothing"
        );
    }
}
