//! Every wire type of every protocol the checker reads or writes has a disposition: a type a
//! new spec adds fails this test until it is handled, ignored on purpose or passed through.

use openai_wire_check::dispositions::DISPOSITIONS;
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
    problems.extend(missing::<openai_wire_events::RealtimeServerEvent>(
        DISPOSITIONS,
    ));
    problems.extend(missing::<openai_wire_events::AssistantStreamEvent>(
        DISPOSITIONS,
    ));
    // The protocols `check_bytes` only decodes.
    problems.extend(missing::<openai_wire_events::CompletionStreamEvent>(
        DISPOSITIONS,
    ));
    problems.extend(missing::<openai_wire_events::RealtimeClientEvent>(
        DISPOSITIONS,
    ));
    problems.extend(missing::<openai_wire_events::TranscriptionStreamEvent>(
        DISPOSITIONS,
    ));
    problems.extend(missing::<openai_wire_events::SpeechStreamEvent>(
        DISPOSITIONS,
    ));
    problems.extend(missing::<openai_wire_events::ImageGenerationStreamEvent>(
        DISPOSITIONS,
    ));
    problems.extend(missing::<openai_wire_events::ImageEditStreamEvent>(
        DISPOSITIONS,
    ));
    problems.extend(missing::<openai_wire_events::WebhookEvent>(DISPOSITIONS));
    problems.extend(missing::<openai_wire_events::AgentSessionStreamEvent>(
        DISPOSITIONS,
    ));
    problems.extend(missing::<openai_wire_events::LiveServerEvent>(DISPOSITIONS));
    problems.extend(missing::<openai_wire_events::LiveClientEvent>(DISPOSITIONS));
    assert!(problems.is_empty(), "{problems:#?}");
}
