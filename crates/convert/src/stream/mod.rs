//! Stream conversion, both ways, and the [`pacer`] that says when a converted stream needs a
//! heartbeat or has waited too long for its upstream. [`cumulative`] reads upstreams whose
//! fragments repeat everything so far, with [`json_prefix`] telling the readings apart.

pub mod chat_to_responses;
pub mod cumulative;
pub mod dispositions;
pub mod json_prefix;
pub mod pacer;
pub mod responses_to_chat;
