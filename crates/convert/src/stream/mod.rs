//! Stream conversion, both ways, and the [`pacer`] that says when a converted stream needs a
//! heartbeat or has waited too long for its upstream.

pub mod chat_to_responses;
pub mod pacer;
pub mod responses_to_chat;
