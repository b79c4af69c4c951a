//! `generate: false`: a warm-up answered without the model.
//!
//! Codex sends it to open a conversation before the user's turn. The request is validated,
//! routed and its history resolved ([`Turn::prepare`](crate::turn::Turn::prepare) has done
//! that); the answer is `response.created` then `response.completed` with no output and zero
//! usage, and the conversation (history and input) is kept under the warm-up's id so that the
//! next `response.create` can continue it.

use openai_wire_emit::{EmitError, RandomIds, ResponseWriter};
use openai_wire_events::{ResponseStreamEvent, ResponseUsage};
use serde_json::Value;

use crate::config::UpstreamApi;
use crate::state::{AppState, RouteHints};
use crate::store;
use crate::turn::{Conversation, Turn};

/// The events of a warm-up: `response.created` (0), `response.completed` (1).
pub(super) fn events(turn: &Turn) -> Result<(String, Vec<ResponseStreamEvent>), EmitError> {
    let mut writer = ResponseWriter::new(turn.request.template(), RandomIds::new());
    let id = writer.response_id().to_owned();
    let mut events = writer.start()?;
    // `response.in_progress` says nothing here: the response is over at once.
    events.truncate(1);
    for mut event in writer.complete(ResponseUsage::default())? {
        if let ResponseStreamEvent::ResponseCompleted(completed) = &mut event {
            completed.sequence_number = Some(1);
        }
        events.push(event);
    }
    Ok((id, events))
}

/// The conversation a warm-up stands for: the history its `previous_response_id` names, then
/// its input. `None` when that history is an upstream's own (a Responses upstream), which the
/// gateway cannot hold.
pub(super) async fn conversation(
    state: &AppState,
    hints: &RouteHints,
    turn: &Turn,
    id: String,
    cached: Option<&Conversation>,
) -> Option<Conversation> {
    let request = &turn.request;
    let mut items: Vec<Value> = Vec::new();
    if let Some(previous) = &request.previous_response_id {
        if let Some(cached) = cached.filter(|c| &c.response_id == previous) {
            items = cached.items.clone();
        } else {
            let routed = state.route(hints, &request.model).ok()?;
            if routed.provider.api != UpstreamApi::Chat {
                return None;
            }
            // `Turn::prepare` has just read it: it is there.
            items = store::history(state.store.as_ref(), previous, hints.owner.as_deref())
                .await
                .ok()
                .flatten()?;
        }
    }
    items.extend(request.input_items.iter().cloned());
    Some(Conversation {
        response_id: id,
        items,
    })
}
