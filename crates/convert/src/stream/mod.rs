//! Stream conversion (work in progress).

pub mod chat_to_responses;
pub mod responses_to_chat;
