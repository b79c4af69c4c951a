//! The store contract, on each backend: memory, SQLite (a file in a temporary directory) and
//! PostgreSQL (a throwaway server started here with `initdb` and `pg_ctl`).

mod support;

use openai_wire_gateway::store::history;
use openai_wire_gateway::{MemoryStore, SqlStore, Store, StoredResponse};
use serde_json::json;
use support::postgres::Postgres;

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
        owner: None,
    }
}

/// Unix seconds now.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Owners, the secret and this instance's own responses in progress, on any backend.
async fn owners_secret_and_own_streams(store: &dyn Store) {
    let mut owned = record("resp_owned", None, "mine", "yours");
    owned.owner = Some("hash-of-key-a".into());
    store.put(owned.clone(), None).await.unwrap();
    assert_eq!(store.get("resp_owned").await.unwrap().unwrap(), owned);
    assert!(owned.is_visible_to(Some("hash-of-key-a")));
    assert!(!owned.is_visible_to(Some("hash-of-key-b")) && !owned.is_visible_to(None));
    let mine = history(store, "resp_owned", Some("hash-of-key-a")).await;
    assert_eq!(mine.unwrap().unwrap().len(), 2);
    assert!(
        history(store, "resp_owned", Some("hash-of-key-b"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(history(store, "resp_owned", None).await.unwrap().is_none());

    // The secret: made once, the same ever after.
    let secret = store.secret().await.unwrap().expect("a secret");
    assert!(secret.len() >= 32, "{secret}");
    assert_eq!(store.secret().await.unwrap(), Some(secret));

    // A response this instance is writing is never its own interrupted one.
    let mut streaming = record("resp_streaming", None, "hi", "");
    streaming.response["status"] = json!("in_progress");
    store.put(streaming, None).await.unwrap();
    assert_eq!(
        store.recover_interrupted(now() + 86_400, 60).await.unwrap(),
        0
    );
    assert_eq!(
        store
            .recover_interrupted_at_start(now() + 86_400, 60)
            .await
            .unwrap(),
        0
    );
    let got = store.get("resp_streaming").await.unwrap().unwrap();
    assert_eq!(got.response["status"], "in_progress");
}

/// Two openings of one SQL database are two instances: the second fails the first one's
/// responses in progress only once the first one's lease has expired; except, on a SQLite file
/// (`one_owner`: one process owns it), when the second is a gateway starting, which fails them
/// at once.
async fn instances_and_leases(first: &SqlStore, second: &SqlStore, one_owner: bool) {
    assert_ne!(first.instance_id(), second.instance_id());
    // The contract's own stream in progress is not part of this.
    first.delete("resp_streaming").await.unwrap();
    assert_eq!(
        first.secret().await.unwrap(),
        second.secret().await.unwrap()
    );
    let mut streaming = record("resp_live", None, "hi", "");
    streaming.response["status"] = json!("in_progress");
    first.put(streaming, None).await.unwrap();
    assert_eq!(second.recover_interrupted(now(), 60).await.unwrap(), 0);
    let got = second.get("resp_live").await.unwrap().unwrap();
    assert_eq!(got.response["status"], "in_progress", "a live lease");
    assert_eq!(
        second.recover_interrupted(now() + 3600, 60).await.unwrap(),
        1
    );
    let got = first.get("resp_live").await.unwrap().unwrap();
    assert_eq!(got.response["status"], "failed");
    assert_eq!(got.response["error"]["code"], "server_error");
    assert_eq!(
        got.response["error"]["message"],
        openai_wire_gateway::store::INTERRUPTED_MESSAGE
    );
    assert!(history(first, "resp_live", None).await.unwrap().is_some());
    // Once failed, it is final: nothing more to recover.
    assert_eq!(
        second.recover_interrupted(now() + 7200, 60).await.unwrap(),
        0
    );

    // A gateway starting on the store while the first one's lease is still live (a restart
    // right after a crash, on SQLite; another instance starting, on PostgreSQL).
    let mut streaming = record("resp_restarted", None, "hi", "");
    streaming.response["status"] = json!("in_progress");
    first.put(streaming, None).await.unwrap();
    let failed = second
        .recover_interrupted_at_start(now(), 60)
        .await
        .unwrap();
    let got = second.get("resp_restarted").await.unwrap().unwrap();
    if one_owner {
        assert_eq!(failed, 1);
        assert_eq!(got.response["status"], "failed", "{}", got.response);
        assert_eq!(
            got.response["error"]["message"],
            openai_wire_gateway::store::INTERRUPTED_MESSAGE
        );
    } else {
        assert_eq!(failed, 0);
        assert_eq!(got.response["status"], "in_progress", "a live lease");
    }
    // Never its own responses in progress.
    let mut own = record("resp_own", None, "hi", "");
    own.response["status"] = json!("in_progress");
    second.put(own, None).await.unwrap();
    let again = second
        .recover_interrupted_at_start(now(), 60)
        .await
        .unwrap();
    assert_eq!(again, 0);
    let got = second.get("resp_own").await.unwrap().unwrap();
    assert_eq!(got.response["status"], "in_progress");
    for id in ["resp_restarted", "resp_own"] {
        second.delete(id).await.unwrap();
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

    let items = history(store, "resp_2", None).await.unwrap().unwrap();
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

    // Retention: what was created before the cut goes, with its events; the rest stays.
    let mut old = record("resp_old", None, "old", "viejo");
    old.created_at = 1_600_000_000;
    store.put(old, Some(vec!["{}".into()])).await.unwrap();
    assert_eq!(store.purge_created_before(1_650_000_000).await.unwrap(), 1);
    assert!(store.get("resp_old").await.unwrap().is_none());
    assert!(store.events("resp_old", None).await.unwrap().is_none());
    assert!(store.get("resp_2").await.unwrap().is_some());
    assert_eq!(store.purge_created_before(1_650_000_000).await.unwrap(), 0);
    // The chain now starts after the deleted link.
    let items = history(store, "resp_2", None).await.unwrap().unwrap();
    assert_eq!(items.len(), 2);
    owners_secret_and_own_streams(store).await;
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
    let third = SqlStore::sqlite(&path).await.unwrap();
    instances_and_leases(&again, &third, true).await;
    again.close().await;
    third.close().await;
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
    instances_and_leases(&store, &other, false).await;
    store.close().await;
    other.close().await;
}
