//! The stored-response endpoints: `GET /v1/responses/{id}` (and its replay with
//! `?stream=true&starting_after=N`), `DELETE /v1/responses/{id}`,
//! `GET /v1/responses/{id}/input_items`.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::{AppState, Owner};
use crate::store::StoredResponse;
use crate::telemetry;

/// `GET /v1/responses/{id}`.
pub(crate) async fn retrieve(
    State(state): State<Arc<AppState>>,
    owner: Owner,
    Path(id): Path<String>,
    Query(query): Query<RetrieveQuery>,
) -> Response {
    let record = match visible(&state, &owner, &id).await {
        Ok(record) => record,
        Err(answer) => return answer,
    };
    if query.stream.unwrap_or(false) {
        return replay(&state, &id, query.starting_after).await;
    }
    axum::Json(complete(record.response)).into_response()
}

/// The stored response `id` if `owner` may see it; else the answer: 404 as if it did not
/// exist (another key's response is not even acknowledged), or the store's failure.
async fn visible(state: &AppState, owner: &Owner, id: &str) -> Result<StoredResponse, Response> {
    match state.store.get(id).await {
        Ok(Some(record)) if record.is_visible_to(owner.as_deref()) => Ok(record),
        Ok(_) => Err(ApiError::response_not_found(id).into_response()),
        Err(error) => Err(store_failure("get", &error)),
    }
}

/// `GET /v1/responses/{id}` query parameters.
#[derive(Debug, Deserialize)]
pub(crate) struct RetrieveQuery {
    stream: Option<bool>,
    starting_after: Option<i64>,
}

async fn replay(state: &AppState, id: &str, starting_after: Option<i64>) -> Response {
    match state.store.events(id, starting_after).await {
        Ok(Some(events)) => {
            let mut out = Vec::new();
            for json in events {
                // Only the type is read: the stored JSON is sent as it was kept.
                let kind = openai_wire_events::peek_tag(&json, "type").ok().flatten();
                out.extend_from_slice(b"event: ");
                out.extend_from_slice(kind.as_deref().unwrap_or_default().as_bytes());
                out.extend_from_slice(b"\ndata: ");
                out.extend_from_slice(json.as_bytes());
                out.extend_from_slice(b"\n\n");
            }
            (
                [(header::CONTENT_TYPE, "text/event-stream")],
                out,
            )
                .into_response()
        }
        Ok(None) => match state.store.get(id).await {
            Ok(Some(_)) => ApiError::invalid_request(
                Some("stream"),
                format!("Response '{id}' was not streamed or its events were not kept; it cannot be replayed."),
            )
            .into_response(),
            Ok(None) => ApiError::response_not_found(id).into_response(),
            Err(error) => store_failure("get", &error),
        },
        Err(error) => store_failure("events", &error),
    }
}

/// `DELETE /v1/responses/{id}`.
pub(crate) async fn delete(
    State(state): State<Arc<AppState>>,
    owner: Owner,
    Path(id): Path<String>,
) -> Response {
    if let Err(answer) = visible(&state, &owner, &id).await {
        return answer;
    }
    match state.store.delete(&id).await {
        Ok(true) => axum::Json(json!({"id": id, "object": "response.deleted", "deleted": true}))
            .into_response(),
        Ok(false) => ApiError::response_not_found(&id).into_response(),
        Err(error) => store_failure("delete", &error),
    }
}

/// `GET /v1/responses/{id}/input_items` query parameters.
#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    limit: Option<usize>,
    order: Option<String>,
    after: Option<String>,
}

/// `GET /v1/responses/{id}/input_items`.
pub(crate) async fn input_items(
    State(state): State<Arc<AppState>>,
    owner: Owner,
    Path(id): Path<String>,
    Query(query): Query<ListQuery>,
) -> Response {
    let record = match visible(&state, &owner, &id).await {
        Ok(record) => record,
        Err(answer) => return answer,
    };
    let mut items = record.input_items;
    match query.order.as_deref() {
        None | Some("desc") => items.reverse(),
        Some("asc") => {}
        Some(other) => {
            return ApiError::invalid_request(
                Some("order"),
                format!("order must be asc or desc, got '{other}'"),
            )
            .into_response();
        }
    }
    if let Some(after) = &query.after {
        match items
            .iter()
            .position(|item| item["id"].as_str() == Some(after))
        {
            Some(at) => {
                items.drain(..=at);
            }
            None => items.clear(),
        }
    }
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    let has_more = items.len() > limit;
    items.truncate(limit);
    let first = items
        .first()
        .and_then(|i| i["id"].as_str())
        .map(str::to_owned);
    let last = items
        .last()
        .and_then(|i| i["id"].as_str())
        .map(str::to_owned);
    axum::Json(json!({
        "object": "list",
        "data": items,
        "first_id": first,
        "last_id": last,
        "has_more": has_more,
    }))
    .into_response()
}

fn store_failure(operation: &'static str, error: &crate::store::StoreError) -> Response {
    telemetry::store_error(operation);
    tracing::error!(%error, operation, "store failure");
    ApiError::internal("The response store failed.").into_response()
}

/// A stored response with every field OpenAI's carries: responses stored before the gateway
/// wrote complete objects lack some, and get OpenAI's defaults for them.
fn complete(stored: Value) -> Value {
    match serde_json::from_value::<openai_wire_events::Response>(stored.clone()) {
        Ok(mut response) => {
            openai_wire_emit::fill_response_defaults(&mut response);
            serde_json::to_value(&response).unwrap_or(stored)
        }
        Err(error) => {
            tracing::warn!(%error, "a stored response does not read as a Response; answered as stored");
            stored
        }
    }
}
