//! Dispositions: what each consumer of the event model (fold, check, emit, convert, `inspect`)
//! does with each wire type, so that a new event from a new spec is never dropped silently.
//!
//! Each consumer keeps one table per protocol it reads ([`ProtocolDispositions`]), naming every
//! wire type of that protocol's enum ([`StreamEvent::WIRE_TYPES`]) with a [`Disposition`]. A
//! test per consumer ([`missing`]) fails when the generator adds a type the table does not name.
//!
//! ```
//! use openai_wire_events::disposition::{Disposition, ProtocolDispositions, missing};
//! use openai_wire_events::SpeechStreamEvent;
//!
//! static SPEECH: ProtocolDispositions = ProtocolDispositions {
//!     protocol: "audio_speech",
//!     types: &[("speech.audio.delta", Disposition::Handled)],
//! };
//! // `speech.audio.done` has no disposition yet.
//! assert_eq!(missing::<SpeechStreamEvent>(&[SPEECH]), ["speech.audio.done: no disposition"]);
//! ```

use crate::StreamEvent;

/// What a consumer does with the events of one wire type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Read and acted on.
    Handled,
    /// Read and left alone on purpose; the text says why.
    Ignored(&'static str),
    /// Not interpreted: kept and written on unchanged.
    PassedThrough,
}

/// One consumer's dispositions for every wire type of one protocol.
#[derive(Debug, Clone, Copy)]
pub struct ProtocolDispositions {
    /// The protocol, as [`StreamEvent::PROTOCOL`] names it (`"responses"`).
    pub protocol: &'static str,
    /// Every wire type of the protocol with what the consumer does with it.
    pub types: &'static [(&'static str, Disposition)],
}

impl ProtocolDispositions {
    /// The disposition of `wire_type`, if the table names it.
    pub fn of(&self, wire_type: &str) -> Option<Disposition> {
        self.types
            .iter()
            .find(|(name, _)| *name == wire_type)
            .map(|(_, disposition)| *disposition)
    }
}

/// What is wrong with a consumer's `tables` for the protocol of `E`: each wire type of `E` with
/// no disposition, each named twice, and each the table names that `E` does not have (a type
/// renamed or removed by the spec). Empty when the table is complete.
pub fn missing<E: StreamEvent>(tables: &[ProtocolDispositions]) -> Vec<String> {
    let Some(table) = tables.iter().find(|t| t.protocol == E::PROTOCOL) else {
        return vec![format!("{}: no table", E::PROTOCOL)];
    };
    let mut problems = Vec::new();
    for wire_type in E::WIRE_TYPES {
        match table
            .types
            .iter()
            .filter(|(name, _)| name == wire_type)
            .count()
        {
            0 => problems.push(format!("{wire_type}: no disposition")),
            1 => {}
            _ => problems.push(format!("{wire_type}: named twice")),
        }
    }
    for (name, _) in table.types {
        if !E::WIRE_TYPES.contains(name) {
            problems.push(format!("{name}: not a wire type of {}", E::PROTOCOL));
        }
    }
    problems
}
