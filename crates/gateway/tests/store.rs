//! The store contract, on each backend: memory, SQLite (a file in a temporary directory) and
//! PostgreSQL (a throwaway server started here with `initdb` and `pg_ctl`).

use std::path::{Path, PathBuf};
use std::process::Command;

use openai_wire_gateway::store::history;
use openai_wire_gateway::{MemoryStore, SqlStore, Store, StoredResponse};
use serde_json::json;

fn record(id: &str, previous: Option<&str>, input: &str, output: &str) -> StoredResponse {
    StoredResponse {
        id: id.into(),
        created_at: 1_700_000_000,
        previous_response_id: previous.map(str::to_owned),
        response: json!({
            "id": id,
            "object": "response",
            "status": "completed",
            "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": output, "annotations": []}]}],
        }),
        input_items: vec![
            json!({"id": format!("msg_{id}"), "type": "message", "role": "user", "content": input}),
        ],
    }
}

async fn contract(store: &dyn Store) {
    store.ping().await.unwrap();
    assert!(store.get("resp_missing").await.unwrap().is_none());

    let events: Vec<String> = (0..450)
        .map(|i| format!(r#"{{"type":"x","sequence_number":{i}}}"#))
        .collect();
    store
        .put(record("resp_1", None, "one", "uno"), Some(events.clone()))
        .await
        .unwrap();
    store
        .put(record("resp_2", Some("resp_1"), "two", "dos"), None)
        .await
        .unwrap();

    let got = store.get("resp_1").await.unwrap().unwrap();
    assert_eq!(got, record("resp_1", None, "one", "uno"));
    assert_eq!(store.events("resp_1", None).await.unwrap().unwrap(), events);
    let after = store.events("resp_1", Some(400)).await.unwrap().unwrap();
    assert_eq!(after.len(), 49);
    assert_eq!(after[0], events[401]);
    assert!(store.events("resp_2", None).await.unwrap().is_none());

    let items = history(store, "resp_2").await.unwrap().unwrap();
    let texts: Vec<String> = items
        .iter()
        .map(|i| {
            i["content"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| i["content"][0]["text"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(texts, ["one", "uno", "two", "dos"]);

    // Replacing keeps one row and the new events.
    store
        .put(
            record("resp_1", None, "one", "uno!"),
            Some(vec!["{}".into()]),
        )
        .await
        .unwrap();
    assert_eq!(
        store.events("resp_1", None).await.unwrap().unwrap().len(),
        1
    );

    assert!(store.delete("resp_1").await.unwrap());
    assert!(!store.delete("resp_1").await.unwrap());
    assert!(store.get("resp_1").await.unwrap().is_none());
    assert!(store.events("resp_1", None).await.unwrap().is_none());
    // The chain now starts after the deleted link.
    let items = history(store, "resp_2").await.unwrap().unwrap();
    assert_eq!(items.len(), 2);
}

#[tokio::test]
async fn memory_store() {
    contract(&MemoryStore::new()).await;
}

#[tokio::test]
async fn sqlite_store_in_wal_mode_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/gateway.db");
    let store = SqlStore::sqlite(&path).await.unwrap();
    assert_eq!(store.backend(), "sqlite");
    assert_eq!(
        store.sqlite_journal_mode().await.unwrap().as_deref(),
        Some("wal")
    );
    contract(&store).await;
    store.close().await;
    // Reopening runs the migrations again (a no-op) and keeps the data.
    let again = SqlStore::sqlite(&path).await.unwrap();
    assert!(again.get("resp_2").await.unwrap().is_some());
    again.close().await;
}

/// A throwaway PostgreSQL server in a temporary directory, stopped when dropped.
struct Postgres {
    bin: PathBuf,
    data: tempfile::TempDir,
    port: u16,
}

impl Postgres {
    fn find_bin() -> Option<PathBuf> {
        let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path().join("bin"))
            .collect();
        candidates.sort();
        candidates.reverse();
        candidates.push(PathBuf::from("/usr/local/bin"));
        candidates.push(PathBuf::from("/usr/bin"));
        if let Ok(dir) = std::env::var("PG_BIN") {
            candidates.insert(0, PathBuf::from(dir));
        }
        candidates
            .into_iter()
            .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
    }

    fn start() -> Option<Postgres> {
        let bin = Self::find_bin()?;
        let data = tempfile::tempdir().unwrap();
        // The data directory must belong to the user the server runs as.
        chown_for_postgres(data.path());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let pgdata = data.path().join("data");
        run(Command::new(bin.join("initdb"))
            .arg("-D")
            .arg(&pgdata)
            .args(["-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]));
        let socket_dir = data.path();
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off",
            socket_dir.display()
        );
        run(Command::new(bin.join("pg_ctl"))
            .arg("-D")
            .arg(&pgdata)
            .arg("-o")
            .arg(options)
            .arg("-l")
            .arg(data.path().join("log"))
            .args(["-w", "start"]));
        Some(Postgres { bin, data, port })
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new(self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.data.path().join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

fn run(command: &mut Command) {
    // initdb refuses to run as root: run it as the `postgres` user when we are root.
    let output = if is_root() {
        let program = command.get_program().to_owned();
        let args: Vec<_> = command.get_args().map(|a| a.to_owned()).collect();
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(program)
            .args(args)
            .output()
            .unwrap()
    } else {
        command.output().unwrap()
    };
    assert!(
        output.status.success(),
        "{:?} failed:\n{}\n{}",
        command,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn chown_for_postgres(path: &Path) {
    if is_root() {
        let _ = Command::new("chown")
            .args(["-R", "postgres"])
            .arg(path)
            .status();
    }
}

#[tokio::test]
async fn postgres_store_with_the_same_migrations() {
    if Postgres::find_bin().is_none() {
        eprintln!(
            "\n\n!!! SKIPPED postgres_store_with_the_same_migrations: no PostgreSQL binaries \
             (initdb, pg_ctl) under /usr/lib/postgresql/*/bin, /usr/local/bin, /usr/bin or $PG_BIN !!!\n"
        );
        return;
    }
    let server = Postgres::start().expect("PostgreSQL binaries found but the server did not start");
    let store = SqlStore::postgres(&server.url()).await.unwrap();
    assert_eq!(store.backend(), "postgres");
    contract(&store).await;
    // A second gateway on the same database: migrations are a no-op, data is shared.
    let other = SqlStore::postgres(&server.url()).await.unwrap();
    assert!(other.get("resp_2").await.unwrap().is_some());
    store.close().await;
    other.close().await;
}
