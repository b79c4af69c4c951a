//! Every wire type of every protocol the folds read has a disposition, and the types the table
//! says the fold ignores change nothing when folded from the corpus.

mod common;

use common::{entries, events};
use openai_wire_events::disposition::{Disposition, missing};
use openai_wire_events::{
    AssistantStreamEvent, ChatCompletionStreamEvent, RealtimeServerEvent, ResponseStreamEvent,
    StreamEvent,
};
use openai_wire_fold::ResponseFold;
use openai_wire_fold::dispositions::DISPOSITIONS;

#[test]
fn every_wire_type_the_folds_read_has_a_disposition() {
    let mut problems = missing::<ResponseStreamEvent>(DISPOSITIONS);
    problems.extend(missing::<ChatCompletionStreamEvent>(DISPOSITIONS));
    problems.extend(missing::<RealtimeServerEvent>(DISPOSITIONS));
    problems.extend(missing::<AssistantStreamEvent>(DISPOSITIONS));
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn responses_events_the_table_ignores_leave_the_fold_unchanged() {
    let table = DISPOSITIONS
        .iter()
        .find(|t| t.protocol == ResponseStreamEvent::PROTOCOL)
        .expect("a responses table");
    let mut ignored_seen = 0;
    for entry in entries("responses") {
        let mut fold = ResponseFold::new();
        for (event, _) in events::<ResponseStreamEvent>(&entry) {
            let ignored = matches!(table.of(event.wire_type()), Some(Disposition::Ignored(_)));
            let before = fold.response().clone();
            let update = fold.push(&event);
            if ignored {
                ignored_seen += 1;
                assert!(update.is_none(), "{}: {}", entry.file, event.wire_type());
                assert_eq!(
                    fold.response(),
                    &before,
                    "{}: {}",
                    entry.file,
                    event.wire_type()
                );
            }
        }
    }
    // The corpus has audio, MCP list-tools progress and compaction progress events.
    assert!(ignored_seen >= 10, "{ignored_seen}");
}
