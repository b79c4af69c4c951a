//! Read leniently, write strictly: one test per rule, on events as real servers send them.
//!
//! Where an event comes from the corpus, the comment names the file in `fixtures/corpus/`.

use openai_wire_events::{
    AssistantStreamEvent, ChatCompletionStreamEvent, DecodeError, OutputItem, RealtimeClientEvent,
    RealtimeServerEvent, ResponseStreamEvent, StreamEvent,
};
use serde_json::{Value, json};

fn decode(json: &str) -> ResponseStreamEvent {
    ResponseStreamEvent::from_json(json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// An event type the model does not know becomes `Unknown` with its type and raw JSON; it is not
/// an error, and writing it gives back exactly what was read.
#[test]
fn unknown_event_type_becomes_unknown_and_is_kept_whole() {
    // responses/vercel-ai.openai__openai-apply-patch-tool.1.chunks.txt (not in the spec snapshot)
    let text = r#"{"type":"response.apply_patch_call_operation_diff.delta","item_id":"apc_1","output_index":0,"delta":"+x","obfuscation":"ab","sequence_number":7}"#;
    let event = decode(text);
    assert!(event.is_unknown());
    assert_eq!(
        event.wire_type(),
        "response.apply_patch_call_operation_diff.delta"
    );
    let ResponseStreamEvent::Unknown(unknown) = &event else {
        panic!("not Unknown: {event:?}")
    };
    assert_eq!(unknown.raw["delta"], "+x");
    let written = serde_json::to_value(&event).expect("encode");
    assert_eq!(written, serde_json::from_str::<Value>(text).expect("json"));

    // Every protocol enum does the same, including one typed by the SSE event name.
    let chat =
        ChatCompletionStreamEvent::from_json(r#"{"object":"chat.completion.done","id":"x"}"#)
            .expect("decode");
    assert!(chat.is_unknown());
    assert_eq!(chat.wire_type(), "chat.completion.done");
    let realtime = RealtimeServerEvent::from_json(r#"{"type":"ping"}"#).expect("decode");
    assert!(realtime.is_unknown());
    let assistants =
        AssistantStreamEvent::decode(Some("thread.run.teleported"), r#"{"id":"run_1"}"#)
            .expect("decode");
    assert!(assistants.is_unknown());
    assert_eq!(assistants.wire_type(), "thread.run.teleported");
}

/// Fields the model does not know are ignored (the decode succeeds, the known fields are read).
/// The raw JSON of every event stays reachable through the decoder's `Decoded::raw`
/// (openai-wire-decode's tests cover that); an `Unknown` event keeps it in `raw`.
#[test]
fn unknown_fields_are_ignored() {
    let text = r#"{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi","sequence_number":3,"logprobs":[],"x_vendor":{"a":1},"p":"abc"}"#;
    let ResponseStreamEvent::ResponseOutputTextDelta(delta) = decode(text) else {
        panic!()
    };
    assert_eq!(delta.delta, "Hi");
    assert_eq!(delta.sequence_number, Some(3));
}

/// Open string enums keep values they do not know and write them back unchanged: statuses,
/// roles, finish reasons, output item / content part / annotation / tool types.
#[test]
fn open_enums_keep_unknown_values() {
    let text = r#"{"type":"response.output_item.done","output_index":0,"sequence_number":9,
        "item":{"id":"msg_1","type":"message","role":"assistant","status":"paused",
        "content":[{"type":"output_text","text":"x","logprobs":[],"annotations":[
            {"type":"galaxy_citation","star":"Vega"},
            {"type":"url_citation","url":"https://e.com","title":"E","start_index":0,"end_index":1}]},
          {"type":"output_hologram","bytes":3}]}}"#;
    let event = decode(text);
    let ResponseStreamEvent::ResponseOutputItemDone(done) = &event else {
        panic!("{event:?}")
    };
    let OutputItem::Message(message) = &done.item else {
        panic!("{:?}", done.item)
    };
    let status = message.status.as_ref().expect("status");
    assert_eq!(status.as_str(), "paused");
    assert!(matches!(status, openai_wire_events::OutputMessageStatus::Other(s) if s == "paused"));
    assert_eq!(message.content.len(), 2, "the unknown content part is kept");
    assert!(
        matches!(&message.content[1], openai_wire_events::OutputMessageContent::Unknown(v) if v["bytes"] == 3)
    );
    let openai_wire_events::OutputMessageContent::OutputText(text_part) = &message.content[0]
    else {
        panic!()
    };
    assert_eq!(text_part.annotations.len(), 2);
    assert!(
        matches!(&text_part.annotations[0], openai_wire_events::Annotation::Unknown(v) if v["star"] == "Vega")
    );
    assert!(matches!(
        &text_part.annotations[1],
        openai_wire_events::Annotation::UrlCitation(_)
    ));
    // Written back as read.
    let written = serde_json::to_value(&event).expect("encode");
    assert_eq!(written["item"]["status"], "paused");
    assert_eq!(
        written["item"]["content"][1],
        json!({"type":"output_hologram","bytes":3})
    );

    // A finish reason and a role no spec lists.
    let chunk = r#"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"oracle","content":"x"},"finish_reason":"eos_token"}]}"#;
    let ChatCompletionStreamEvent::ChatCompletionChunk(chunk) =
        ChatCompletionStreamEvent::from_json(chunk).expect("decode")
    else {
        panic!()
    };
    let choice = &chunk.choices[0];
    assert_eq!(
        choice.finish_reason.as_ref().map(|r| r.as_str()),
        Some("eos_token")
    );
    assert_eq!(
        choice.delta.role.as_ref().map(|r| r.as_str()),
        Some("oracle")
    );

    // A tool type no spec lists, inside the response object.
    let created = r#"{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","model":"gpt-5","output":[],"tool_choice":"auto","tools":[{"type":"teleport","range":9},{"type":"function","name":"f","parameters":{},"strict":true}],"parallel_tool_calls":true}}"#;
    let ResponseStreamEvent::ResponseCreated(created) = decode(created) else {
        panic!()
    };
    assert!(
        matches!(&created.response.tools[0], openai_wire_events::Tool::Unknown(v) if v["range"] == 9)
    );
    assert!(matches!(
        &created.response.tools[1],
        openai_wire_events::Tool::Function(_)
    ));
}

/// One unknown output item inside `response.completed` does not lose the rest of the response.
#[test]
fn unknown_output_item_keeps_the_rest_of_the_response() {
    let text = r#"{"type":"response.completed","sequence_number":12,"response":{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"gpt-5","tool_choice":"auto","tools":[],"parallel_tool_calls":true,
        "output":[
          {"id":"msg_1","type":"message","role":"assistant","status":"completed","content":[{"type":"output_text","text":"Hello","annotations":[],"logprobs":[]}]},
          {"id":"hx_1","type":"hologram_call","status":"completed","frames":[1,2,3]},
          {"id":"fc_1","type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}","status":"completed"}],
        "usage":{"input_tokens":5,"input_tokens_details":{"cached_tokens":0},"output_tokens":3,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":8}}}"#;
    let ResponseStreamEvent::ResponseCompleted(completed) = decode(text) else {
        panic!()
    };
    let output = &completed.response.output;
    assert_eq!(output.len(), 3);
    assert!(matches!(&output[0], OutputItem::Message(m) if m.id == "msg_1"));
    assert!(matches!(&output[1], OutputItem::Unknown(v) if v["frames"] == json!([1, 2, 3])));
    let OutputItem::FunctionCall(call) = &output[2] else {
        panic!("{:?}", output[2])
    };
    assert_eq!(call.arguments, r#"{"city":"Paris"}"#);
    assert_eq!(
        completed.response.usage.as_ref().map(|u| u.total_tokens),
        Some(8)
    );
}

/// Fields that real servers leave out read as absent: `sequence_number`, `logprobs`,
/// `obfuscation`, the in-progress `action` of web search calls, item `status`, usage details.
#[test]
fn fields_real_servers_omit_are_optional_on_read() {
    // Older OpenAI recordings have no sequence_number and no logprobs:
    // responses/vercel-ai.openai__openai-text-deltas.1.chunks.txt-style delta.
    let ResponseStreamEvent::ResponseOutputTextDelta(delta) = decode(
        r#"{"type":"response.output_text.delta","item_id":"msg_67d4472da6808190b2046f08b92e4d330014ac40f9420c9c","output_index":0,"content_index":0,"delta":"Hi"}"#,
    ) else {
        panic!()
    };
    assert_eq!(delta.sequence_number, None);
    assert!(delta.logprobs.is_empty());
    assert_eq!(delta.obfuscation, None);
    // A present obfuscation is read and written back
    // (responses/crewai__openai__test_openai_responses_api_streaming__i0.sse).
    let with_padding = r#"{"type":"response.output_text.delta","content_index":0,"delta":"1","item_id":"msg_025a","logprobs":[],"obfuscation":"HJJluOyapQpZ3rN","output_index":0,"sequence_number":4}"#;
    let event = decode(with_padding);
    assert_eq!(
        serde_json::to_value(&event).expect("encode")["obfuscation"],
        "HJJluOyapQpZ3rN"
    );

    // A web search call in progress has no action, and this server sends no item id status.
    let ResponseStreamEvent::ResponseOutputItemAdded(added) = decode(
        r#"{"type":"response.output_item.added","item":{"type":"web_search_call","id":"call_00_NfkLcabyavLirVUoI05c9389","status":"in_progress"},"output_index":1,"sequence_number":76}"#,
    ) else {
        panic!()
    };
    let OutputItem::WebSearchCall(search) = &added.item else {
        panic!("{:?}", added.item)
    };
    assert!(search.action.is_none());
    // A reasoning item added without status (responses/*openai* reasoning streams).
    let ResponseStreamEvent::ResponseOutputItemAdded(added) = decode(
        r#"{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"rs_0a9a","type":"reasoning","summary":[]}}"#,
    ) else {
        panic!()
    };
    let OutputItem::Reasoning(reasoning) = &added.item else {
        panic!()
    };
    assert!(reasoning.status.is_none());

    // Usage without its details (many third-party servers).
    let ResponseStreamEvent::ResponseCompleted(done) = decode(
        r#"{"type":"response.completed","response":{"id":"r","object":"response","created_at":1,"status":"completed","model":"m","output":[],"tool_choice":"auto","tools":[],"parallel_tool_calls":false,"usage":{"input_tokens":3,"output_tokens":2,"total_tokens":5}}}"#,
    ) else {
        panic!()
    };
    let usage = done.response.usage.expect("usage");
    assert_eq!(usage.input_tokens_details.cached_tokens, 0);
    assert_eq!(usage.output_tokens_details.reasoning_tokens, 0);
    // ... and written back strictly, with the details the spec requires.
    let written = serde_json::to_value(&usage).expect("encode");
    assert_eq!(written["input_tokens_details"]["cached_tokens"], 0);
}

/// `null`, `""` or `{}` where the spec wants a value, as real servers send them.
#[test]
fn null_empty_string_and_empty_object_where_a_value_is_expected() {
    // Azure's first chunk: empty id and model, created 0, object "" and no choices
    // (chat/crewai__azure__test_azure_streaming_completion__i0.sse).
    let azure = r#"{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}"#;
    let event = ChatCompletionStreamEvent::from_json(azure).expect("decode");
    let ChatCompletionStreamEvent::ChatCompletionChunk(chunk) = &event else {
        panic!("{event:?}")
    };
    assert!(chunk.choices.is_empty());
    assert_eq!(chunk.object.as_str(), "");

    // Legacy completions send `"usage": null` and `"finish_reason": null` in every chunk
    // (other/vercel-ai.openai__openai-completion-text.chunks.txt).
    let legacy = r#"{"id":"cmpl-D8Z","object":"text_completion","created":1770934485,"choices":[{"text":"The","index":0,"logprobs":null,"finish_reason":null}],"model":"gpt-3.5-turbo-instruct:20230824-v2","usage":null}"#;
    let event = openai_wire_events::CompletionStreamEvent::from_json(legacy).expect("decode");
    assert!(!event.is_unknown());

    // A required string sent as null reads as empty.
    let ResponseStreamEvent::ResponseOutputTextDelta(delta) = decode(
        r#"{"type":"response.output_text.delta","item_id":null,"output_index":0,"content_index":0,"delta":"x"}"#,
    ) else {
        panic!()
    };
    assert_eq!(delta.item_id, "");

    // xAI's Realtime responses: `"status_details":"unimplemented"` and `"usage":{}`
    // (realtime/pydantic-ai__test_parity_ws__test_text_tool_round_parity[xai-current].server-events.jsonl).
    let xai = r#"{"type":"response.created","event_id":"3425f2ea","response":{"id":"35bac95b","object":"realtime.response","output":[],"status":"in_progress","status_details":"unimplemented","usage":{}},"previous_item_id":null}"#;
    let event = RealtimeServerEvent::from_json(xai).expect("decode");
    assert_eq!(event.wire_type(), "response.created");
    assert_eq!(
        serde_json::to_value(&event).expect("encode")["response"]["status_details"],
        "unimplemented"
    );
}

/// The `error` event reads in both shapes: flat `code`/`message`/`param` as the spec says, and
/// nested under `error` as OpenAI sends it.
#[test]
fn error_event_reads_flat_and_nested() {
    // As OpenAI sends it: responses/vercel-ai.openai__openai-error.1.chunks.txt
    let nested = r#"{"type":"error","sequence_number":2,"error":{"type":"insufficient_quota","code":"insufficient_quota","message":"You exceeded your current quota, please check your plan and billing details.","param":null}}"#;
    let ResponseStreamEvent::Error(error) = decode(nested) else {
        panic!()
    };
    assert_eq!(error.error_code(), Some("insufficient_quota"));
    assert!(
        error
            .error_message()
            .starts_with("You exceeded your current quota")
    );
    assert_eq!(error.sequence_number, Some(2));

    // As the spec says.
    let flat = r#"{"type":"error","code":"ERR_SOMETHING","message":"Something went wrong","param":null,"sequence_number":1}"#;
    let event = decode(flat);
    let ResponseStreamEvent::Error(error) = &event else {
        panic!()
    };
    assert_eq!(error.error_code(), Some("ERR_SOMETHING"));
    assert_eq!(error.error_message(), "Something went wrong");
    assert_eq!(error.error_param(), None);
    assert!(event.is_terminal());
    assert_eq!(
        serde_json::to_value(&event).expect("encode"),
        serde_json::from_str::<Value>(flat).expect("json")
    );

    // The Responses WebSocket shape: status, nested error, stream_id.
    let ws = r#"{"type":"error","status":400,"stream_id":"agent_1","error":{"type":"invalid_request_error","code":"websocket_stream_limit_reached","message":"limit","param":"stream_id"}}"#;
    let ResponseStreamEvent::Error(error) = decode(ws) else {
        panic!()
    };
    assert_eq!(error.status, Some(400));
    assert_eq!(error.stream_id.as_deref(), Some("agent_1"));
    assert_eq!(error.error_param(), Some("stream_id"));
}

/// Assistants data has no `type`: the variant comes from the SSE event name, and decoding
/// without one is a clear error.
#[test]
fn assistants_events_are_typed_by_their_sse_event_name() {
    // assistants/ruby-openai__cassettes__runs_streamed_create__i0.sse (trimmed data)
    let data = r#"{"id":"step_1","object":"thread.run.step.delta","delta":{"step_details":{"type":"tool_calls","tool_calls":[{"index":0,"type":"code_interpreter","code_interpreter":{"input":"2+2"}}]}}}"#;
    let event = AssistantStreamEvent::decode(Some("thread.run.step.delta"), data).expect("decode");
    assert_eq!(event.wire_type(), "thread.run.step.delta");
    assert!(matches!(event, AssistantStreamEvent::ThreadRunStepDelta(_)));
    let done = AssistantStreamEvent::decode(Some("done"), "[DONE]").expect("decode");
    assert!(matches!(done, AssistantStreamEvent::Done));
    assert!(done.is_terminal());
    assert_eq!(
        serde_json::to_value(&done).expect("encode"),
        json!({"event":"done","data":"[DONE]"})
    );
    let missing = AssistantStreamEvent::from_json(data).expect_err("no event name");
    assert!(matches!(
        missing,
        DecodeError::MissingEventName {
            protocol: "assistants"
        }
    ));
    assert!(missing.to_string().contains("SSE event name"));
}

/// Realtime's retired beta names decode as their GA events, and are written with GA names.
#[test]
fn realtime_beta_names_are_aliases_of_ga_events() {
    // realtime/pydantic-ai__test_azure_voice_live_ws__test_text_output_modality_returns_text.server-events.jsonl
    let beta = r#"{"event_id":"event_4rzz","type":"response.text.delta","response_id":"resp_EAK","item_id":"item_EAK","output_index":0,"content_index":0,"delta":"Hello"}"#;
    let event = RealtimeServerEvent::from_json(beta).expect("decode");
    assert!(matches!(
        event,
        RealtimeServerEvent::ResponseOutputTextDelta(_)
    ));
    assert_eq!(event.wire_type(), "response.output_text.delta");
    assert_eq!(
        serde_json::to_value(&event).expect("encode")["type"],
        "response.output_text.delta"
    );
    for (beta, ga) in [
        ("response.audio.delta", "response.output_audio.delta"),
        (
            "response.audio_transcript.delta",
            "response.output_audio_transcript.delta",
        ),
        ("response.text.done", "response.output_text.done"),
    ] {
        let text = format!(
            r#"{{"type":"{beta}","event_id":"e","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"x","text":"x","transcript":"x"}}"#
        );
        assert_eq!(
            RealtimeServerEvent::from_json(&text)
                .expect("decode")
                .wire_type(),
            ga
        );
    }
    // `conversation.item.created` is still a GA type, and reads as itself.
    let created = r#"{"event_id":"e","type":"conversation.item.created","previous_item_id":null,"item":{"id":"i","type":"message","role":"user","content":[]}}"#;
    assert_eq!(
        RealtimeServerEvent::from_json(created)
            .expect("decode")
            .wire_type(),
        "conversation.item.created"
    );
}

/// Writing gives the type tag, every required field, and `sequence_number` whenever known.
#[test]
fn writing_is_strict() {
    let event =
        ResponseStreamEvent::ResponseOutputTextDelta(openai_wire_events::ResponseTextDeltaEvent {
            item_id: "msg_1".into(),
            delta: "Hi".into(),
            sequence_number: Some(5),
            ..Default::default()
        });
    let written = serde_json::to_value(&event).expect("encode");
    assert_eq!(
        written,
        json!({"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,
               "delta":"Hi","sequence_number":5,"logprobs":[]})
    );
    // The first key written is the type, so a tag-first reader never needs a second pass.
    assert!(
        serde_json::to_string(&event)
            .expect("encode")
            .starts_with(r#"{"type":"response.output_text.delta""#)
    );

    // Client events too.
    let cancel = RealtimeClientEvent::from_json(r#"{"type":"response.cancel"}"#).expect("decode");
    assert_eq!(
        serde_json::to_value(&cancel).expect("encode")["type"],
        "response.cancel"
    );
}

/// A decode error on a known type says which type and where in its JSON.
#[test]
fn a_known_type_that_does_not_fit_is_a_clear_error() {
    let error = ResponseStreamEvent::from_json(
        r#"{"type":"response.output_text.delta","output_index":"zero"}"#,
    )
    .expect_err("output_index is not a number");
    assert_eq!(error.event_type(), Some("response.output_text.delta"));
    let message = error.to_string();
    assert!(
        message.contains("response.output_text.delta") && message.contains("column"),
        "{message}"
    );
    let not_json = ResponseStreamEvent::from_json("{oops").expect_err("not JSON");
    assert!(matches!(not_json, DecodeError::Syntax(_)));
}

/// Message items of several roles share `"type": "message"`; the role picks the variant, so an
/// assistant's audio transcript or a user's input audio is not read as a system message (which
/// has text parts only) and lost.
#[test]
fn message_items_are_told_apart_by_role() {
    use openai_wire_events::RealtimeConversationItem;
    // realtime/pydantic-ai__test_azure_voice_live_ws__test_text_in_audio_out_turn.server-events.jsonl
    let assistant = r#"{"event_id":"event_7KDspEP48kwORvCrZAyAhN","type":"response.output_item.done","response_id":"resp_E4BAqe5bKD2fzpGWYUcxW","output_index":0,"item":{"id":"item_E4BAqvdWBX2CPiTEwdsGK","object":"realtime.item","type":"message","status":"completed","role":"assistant","content":[{"type":"audio","transcript":"Hola, ¿qué tal?"}]}}"#;
    // realtime/pydantic-ai__test_azure_voice_live_ws__test_audio_in_server_vad_turn.server-events.jsonl
    let user = r#"{"event_id":"event_1MRMAfWMh5rZsCjNJrr7fH","type":"conversation.item.created","previous_item_id":null,"item":{"id":"item_E4BAsP00UV55RqqV8zSub","object":"realtime.item","type":"message","status":"completed","role":"user","content":[{"type":"input_audio","transcript":null}]}}"#;
    for (json, want) in [(assistant, "assistant"), (user, "user")] {
        let event = RealtimeServerEvent::from_json(json).expect("decodes");
        let item = match &event {
            RealtimeServerEvent::ResponseOutputItemDone(e) => &e.item,
            RealtimeServerEvent::ConversationItemCreated(e) => &e.item,
            other => panic!("unexpected {other:?}"),
        };
        let role = match item {
            RealtimeConversationItem::RealtimeConversationItemMessageAssistant(_) => "assistant",
            RealtimeConversationItem::RealtimeConversationItemMessageUser(_) => "user",
            RealtimeConversationItem::Message(_) => "system",
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(role, want, "{json}");
        // The content parts keep their type and transcript when written back (an optional
        // field that was `null` is left out).
        let written = serde_json::to_value(&event).expect("encodes");
        let mut original: Value = serde_json::from_str(json).expect("json");
        for part in original["item"]["content"].as_array_mut().expect("parts") {
            part.as_object_mut()
                .expect("part")
                .retain(|_, value| !value.is_null());
        }
        assert_eq!(
            written["item"]["content"], original["item"]["content"],
            "{json}"
        );
    }
}

/// `created_at` and `completed_at` are read from floats, as Bedrock sends them, and written as
/// integers when whole, as OpenAI sends them (strict readers such as Go's `int64` or serde's
/// `i64` reject `1787150055.0`). A fractional value is written as it is.
#[test]
fn whole_timestamps_are_written_as_integers() {
    // responses/ruby_llm__vcr_cassettes__providers_bedrock_mantle_responses_chat_streams_through_the_responses_surface__i0.sse
    let text = r#"{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1787150055.0,"completed_at":1787150056.0,"status":"in_progress","model":"m","output":[]}}"#;
    let written = serde_json::to_string(&decode(text)).expect("encode");
    assert!(written.contains(r#""created_at":1787150055,"#), "{written}");
    assert!(
        written.contains(r#""completed_at":1787150056,"#),
        "{written}"
    );
    let fractional = text.replace("1787150055.0", "1787150055.25");
    let written = serde_json::to_string(&decode(&fractional)).expect("encode");
    assert!(
        written.contains(r#""created_at":1787150055.25,"#),
        "{written}"
    );
    // Absent is written as null, as OpenAI writes an unset `completed_at`.
    let without = text.replace(r#""completed_at":1787150056.0,"#, "");
    let written: Value = serde_json::to_value(decode(&without)).expect("encode");
    assert_eq!(
        written["response"].get("completed_at"),
        Some(&Value::Null),
        "{written}"
    );
}

/// A Response that leaves fields out reads (each absent field as `None`), and is written with
/// every field OpenAI writes, `null` where unset (`spec/codegen.toml` `[write] always_written`).
#[test]
fn a_response_without_its_fields_reads_and_is_written_whole() {
    // responses/vercel-ai.xai__xai-text-streaming.1.chunks.txt: xAI leaves out `background`,
    // `completed_at`, `error`, the penalties, `service_tier`, `truncation`, `usage`, …
    let text = r#"{"sequence_number":0,"type":"response.created","response":{"created_at":1763853500,"id":"769f3302-64f9-4c72-2b48-860c87fd9b2a","max_output_tokens":null,"model":"grok-code-fast-1","object":"response","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"temperature":null,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":null,"user":null,"incomplete_details":null,"status":"in_progress","store":true,"metadata":{}}}"#;
    let ResponseStreamEvent::ResponseCreated(created) = decode(text) else {
        panic!()
    };
    let response = &created.response;
    assert_eq!(
        (
            response.background,
            response.completed_at,
            response.top_logprobs
        ),
        (None, None, None)
    );
    assert!(response.usage.is_none() && response.service_tier.is_none());
    let written = serde_json::to_value(&created).expect("encode");
    let written = written["response"].as_object().expect("an object");
    for field in [
        "background",
        "completed_at",
        "error",
        "frequency_penalty",
        "presence_penalty",
        "max_tool_calls",
        "prompt_cache_key",
        "prompt_cache_retention",
        "safety_identifier",
        "service_tier",
        "top_logprobs",
        "truncation",
        "usage",
        "moderation",
    ] {
        assert_eq!(written.get(field), Some(&Value::Null), "{field}");
    }
    // What was sent is written back, `null` reasoning fields included.
    assert_eq!(
        written["reasoning"],
        json!({"effort": null, "summary": null})
    );
    assert_eq!(written["store"], true);
    // Fields nobody asked to write stay out.
    assert!(written.get("output_text").is_none() && written.get("prompt").is_none());
}

/// `Response.model` is one open enum of every model id the spec names (the shared ids and the
/// Responses-only ones): a known id reads as its variant, any other name is kept, and a name
/// converts with `into()`.
#[test]
fn response_model_reads_every_known_id_and_keeps_other_names() {
    use openai_wire_events::{ModelIdsResponses, Response};
    let model = |name: &str| {
        let response: Response = serde_json::from_value(json!({
            "id": "resp_1", "object": "response", "created_at": 1, "status": "completed",
            "model": name, "output": []
        }))
        .expect("decode");
        response.model.expect("model")
    };
    assert_eq!(model("gpt-4o"), ModelIdsResponses::Gpt4o); // a shared id
    assert_eq!(model("o3-pro"), ModelIdsResponses::O3Pro); // a Responses-only id
    // DeepSeek behind a gateway: kept as sent.
    assert_eq!(
        model("deepseek-chat"),
        ModelIdsResponses::Other("deepseek-chat".into())
    );
    assert_eq!(model("deepseek-chat").as_str(), "deepseek-chat");
    let named: ModelIdsResponses = "gpt-4o".into();
    assert_eq!(named, ModelIdsResponses::Gpt4o);
    assert_eq!(
        serde_json::to_value(&named).expect("encode"),
        json!("gpt-4o")
    );
}
