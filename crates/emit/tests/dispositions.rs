//! Every wire type of every protocol the writer reads or writes has a disposition: a type a
//! new spec adds fails this test until it is handled, ignored on purpose or passed through.

use openai_wire_emit::dispositions::DISPOSITIONS;
use openai_wire_events::disposition::missing;

#[test]
fn every_wire_type_has_a_disposition() {
    let mut problems = Vec::new();
    problems.extend(missing::<openai_wire_events::ResponseStreamEvent>(
        DISPOSITIONS,
    ));
    problems.extend(missing::<openai_wire_events::ChatCompletionStreamEvent>(
        DISPOSITIONS,
    ));
    assert!(problems.is_empty(), "{problems:#?}");
}
