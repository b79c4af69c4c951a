//! The borrowed views (`Decoder::next_view`) against the owned decode (`Decoder::next_item`) on
//! every recorded stream of `fixtures/corpus`: the same items at the same positions, the same
//! errors, the same summary, and each view's owned event equal to the owned decode's event.

mod common;
use common::{corpus_dir, manifest};

use openai_wire_decode::{Decoder, Format, Item};
use openai_wire_events::{
    AgentSessionStreamEvent, AssistantStreamEvent, ChatCompletionStreamEvent,
    CompletionStreamEvent, EventView, LiveServerEvent, RealtimeServerEvent, ResponseStreamEvent,
    SpeechStreamEvent, StreamEvent, TranscriptionStreamEvent,
};

/// What differs between the two decodes of one file (empty when they agree).
fn compare<E: StreamEvent>(bytes: &[u8], format: Format) -> Vec<String> {
    let mut owned = Decoder::<E>::new(format);
    let mut views = Decoder::<E>::new(format);
    let mut problems = Vec::new();
    // Fed in odd-sized chunks, so that events straddle the chunks.
    for chunk in bytes.chunks(4093).map(Some).chain([None]) {
        match chunk {
            Some(chunk) => {
                owned.feed(chunk);
                views.feed(chunk);
            }
            None => {
                owned.finish();
                views.finish();
            }
        }
        loop {
            let (a, b) = (owned.next_item(), views.next_view());
            match (a, b) {
                (None, None) => break,
                (Some(a), Some(b)) => {
                    if let Some(problem) = differs(a, b) {
                        problems.push(problem);
                    }
                }
                (a, b) => {
                    problems.push(format!(
                        "one decoder has more: {:?} / {:?}",
                        a.is_some(),
                        b.is_some()
                    ));
                    break;
                }
            }
        }
    }
    if owned.summary() != views.summary() {
        problems.push(format!(
            "summaries: {:?} / {:?}",
            owned.summary(),
            views.summary()
        ));
    }
    problems
}

fn differs<'a, E: StreamEvent>(
    owned: Result<Item<'_, E>, openai_wire_decode::DecodeError>,
    view: Result<Item<'_, E::View<'a>>, openai_wire_decode::DecodeError>,
) -> Option<String> {
    match (owned, view) {
        (Ok(Item::Event(a)), Ok(Item::Event(b))) => {
            if a.position != b.position || a.raw != b.raw || a.event_name != b.event_name {
                return Some(format!(
                    "event {}: position or text differ",
                    a.position.index
                ));
            }
            if a.event.wire_type() != b.event.wire_type()
                || a.event.is_unknown() != b.event.is_unknown()
                || a.event.is_terminal() != b.event.is_terminal()
            {
                return Some(format!("event {}: facts differ", a.position.index));
            }
            if let Err(error) = b.event.validate() {
                return Some(format!("event {}: validate: {error}", a.position.index));
            }
            match b.event.to_owned_event() {
                Ok(event) if event == a.event => None,
                Ok(event) => Some(format!(
                    "event {} ({}): {:?}\n  != {:?}",
                    a.position.index,
                    a.event.wire_type(),
                    a.event,
                    event
                )),
                Err(error) => Some(format!(
                    "event {}: to_owned_event: {error}",
                    a.position.index
                )),
            }
        }
        (Ok(Item::Done(a)), Ok(Item::Done(b))) if a == b => None,
        (Ok(Item::Comment(a)), Ok(Item::Comment(b))) if a == b => None,
        (Err(a), Err(b)) if a.position == b.position && a.raw == b.raw => None,
        (a, b) => Some(format!(
            "items differ: {:?} / {:?}",
            a.map(|_| ()).map_err(|e| e.to_string()),
            b.map(|_| ()).map_err(|e| e.to_string())
        )),
    }
}

#[test]
fn every_corpus_stream_decodes_to_the_same_events_as_views() {
    let mut failures = Vec::new();
    let mut files = 0;
    for entry in manifest() {
        let bytes = std::fs::read(corpus_dir().join(&entry.file)).expect("corpus file");
        let problems = match entry.protocol.as_str() {
            "responses" => compare::<ResponseStreamEvent>(&bytes, entry.format),
            "chat" => compare::<ChatCompletionStreamEvent>(&bytes, entry.format),
            "realtime" => compare::<RealtimeServerEvent>(&bytes, entry.format),
            "assistants" => compare::<AssistantStreamEvent>(&bytes, entry.format),
            "audio_speech" => compare::<SpeechStreamEvent>(&bytes, entry.format),
            "audio_transcription" => compare::<TranscriptionStreamEvent>(&bytes, entry.format),
            "completions_legacy" => compare::<CompletionStreamEvent>(&bytes, entry.format),
            "agent_sessions" => compare::<AgentSessionStreamEvent>(&bytes, entry.format),
            "live_server" => compare::<LiveServerEvent>(&bytes, entry.format),
            other => panic!("no decoder for protocol {other} ({})", entry.file),
        };
        files += 1;
        for problem in problems.into_iter().take(3) {
            failures.push(format!("{}: {problem}", entry.file));
        }
    }
    assert!(files > 300, "the corpus has {files} files");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A part kept as text is only checked to be JSON when decoded: one that does not fit its type
/// decodes as a view, fails `validate` and `to_owned_event`, and fails the owned decode.
#[test]
fn a_lazy_part_that_does_not_fit_is_caught_by_validate() {
    use openai_wire_events::ResponseStreamEventRef;
    let json = r#"{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi","logprobs":[{"token":5,"logprob":"x"}]}"#;
    assert!(ResponseStreamEvent::from_json(json).is_err());
    let view = ResponseStreamEventRef::decode(None, json).expect("JSON, so the view decodes");
    assert!(view.validate().is_err());
    let error = view.to_owned_event().expect_err("does not fit");
    assert_eq!(error.event_type(), Some("response.output_text.delta"));
    // Not JSON at all: the view refuses it too.
    let broken = r#"{"type":"response.output_text.delta","delta":"Hi","logprobs":[{"token":}]}"#;
    assert!(ResponseStreamEventRef::decode(None, broken).is_err());
}

/// Strings are borrowed from the frame unless the JSON escapes a character.
#[test]
fn delta_strings_are_borrowed_from_the_text() {
    use openai_wire_events::ResponseStreamEventRef as R;
    use std::borrow::Cow;
    let plain = r#"{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi there","logprobs":[]}"#;
    let R::ResponseOutputTextDelta(delta) = R::decode(None, plain).unwrap() else {
        panic!("not a delta")
    };
    assert!(matches!(delta.delta, Cow::Borrowed("Hi there")));
    assert!(matches!(delta.item_id, Cow::Borrowed("msg_1")));
    let escaped = r#"{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"line\nbreak","logprobs":[]}"#;
    let R::ResponseOutputTextDelta(delta) = R::decode(None, escaped).unwrap() else {
        panic!("not a delta")
    };
    assert!(matches!(&delta.delta, Cow::Owned(text) if text == "line\nbreak"));
}

/// `next_validated_view` gives exactly what `next_item` gives (here: an event whose logprobs do
/// not fit is an error, and the summary counts it so); `next_view` leaves it to the reader.
#[test]
fn validated_views_report_what_the_owned_decode_reports() {
    let stream = concat!(
        "data: {\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"output_index\":0,\"content_index\":0,\"delta\":\"a\",\"logprobs\":[]}\n\n",
        "data: {\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"output_index\":0,\"content_index\":0,\"delta\":\"b\",\"logprobs\":[{\"token\":5}]}\n\n",
        "data: {\"type\":\"response.completed\",\"response\":{\"id\":\"r\",\"output\":7}}\n\n",
    );
    let kinds = |next: &mut dyn FnMut() -> Option<Result<bool, u64>>| {
        let mut out = Vec::new();
        while let Some(item) = next() {
            out.push(item);
        }
        out
    };
    let mut owned = Decoder::<ResponseStreamEvent>::new(Format::Sse);
    owned.feed(stream.as_bytes());
    owned.finish();
    let from_owned = kinds(&mut || {
        owned.next_item().map(|item| {
            item.map(|i| matches!(i, Item::Event(_)))
                .map_err(|e| e.position.index)
        })
    });
    let mut checked = Decoder::<ResponseStreamEvent>::new(Format::Sse);
    checked.feed(stream.as_bytes());
    checked.finish();
    let from_checked = kinds(&mut || {
        checked.next_validated_view().map(|item| {
            item.map(|i| matches!(i, Item::Event(_)))
                .map_err(|e| e.position.index)
        })
    });
    assert_eq!(from_owned, [Ok(true), Err(1), Err(2)]);
    assert_eq!(from_checked, from_owned);
    assert_eq!(checked.summary(), owned.summary());
    assert!(!checked.summary().ended_properly());

    let mut unchecked = Decoder::<ResponseStreamEvent>::new(Format::Sse);
    unchecked.feed(stream.as_bytes());
    unchecked.finish();
    let from_views = kinds(&mut || {
        unchecked.next_view().map(|item| {
            item.map(|i| matches!(i, Item::Event(_)))
                .map_err(|e| e.position.index)
        })
    });
    assert_eq!(from_views, [Ok(true), Ok(true), Ok(true)]);
}

/// `DecodeStream::for_each_view` hands out the same events as the owned `DecodeStream`, over
/// every recorded Responses stream fed in uneven chunks, and stops when asked to.
#[test]
fn decode_stream_views_match_its_owned_items() {
    use futures::StreamExt;
    use openai_wire_decode::{DecodeStream, OwnedItem};
    use std::ops::ControlFlow;
    let chunks = |bytes: &[u8]| -> Vec<Result<Vec<u8>, std::io::Error>> {
        bytes.chunks(1021).map(|c| Ok(c.to_vec())).collect()
    };
    let mut files = 0;
    for entry in manifest().into_iter().filter(|e| e.protocol == "responses") {
        let bytes = std::fs::read(corpus_dir().join(&entry.file)).expect("corpus file");
        let (owned, views) = futures::executor::block_on(async {
            let mut owned = Vec::new();
            let mut stream = DecodeStream::<_, ResponseStreamEvent>::new(
                futures::stream::iter(chunks(&bytes)),
                entry.format,
            );
            while let Some(item) = stream.next().await {
                if let Ok(OwnedItem::Event(decoded)) = item {
                    owned.push((decoded.position, decoded.event));
                }
            }
            let mut views = Vec::new();
            let mut stream = DecodeStream::<_, ResponseStreamEvent>::new(
                futures::stream::iter(chunks(&bytes)),
                entry.format,
            );
            stream
                .for_each_view(|item| {
                    if let Ok(Item::Event(decoded)) = item {
                        let event = decoded.event.to_owned_event().expect("fits");
                        views.push((decoded.position, event));
                    }
                    ControlFlow::Continue(())
                })
                .await
                .expect("no transport error");
            (owned, views)
        });
        assert_eq!(owned, views, "{}", entry.file);
        files += 1;
    }
    assert!(files > 100, "{files} Responses recordings");
    // Breaking stops the reading.
    let bytes = std::fs::read(corpus_dir().join(
        "responses/openai-dotnet__ResponsesTests__CanStreamBackgroundResponsesAsync__e0.sse",
    ))
    .expect("corpus file");
    let mut seen = 0;
    futures::executor::block_on(
        DecodeStream::<_, ResponseStreamEvent>::new(
            futures::stream::iter(chunks(&bytes)),
            Format::Sse,
        )
        .for_each_view(|_| {
            seen += 1;
            if seen == 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }),
    )
    .expect("no transport error");
    assert_eq!(seen, 3);
}

/// Where the owned decode differs from serde alone (`Deserialize` of the enum, which never takes
/// the one-pass reader) on one file's events.
fn owned_against_serde<E>(bytes: &[u8], format: Format) -> Vec<String>
where
    E: StreamEvent + serde::de::DeserializeOwned,
{
    let mut decoder = Decoder::<E>::new(format);
    decoder.feed(bytes);
    decoder.finish();
    let mut problems = Vec::new();
    while let Some(item) = decoder.next_item() {
        let Ok(Item::Event(decoded)) = item else {
            continue;
        };
        if decoded.event.is_unknown() {
            continue;
        }
        match serde_json::from_str::<E>(decoded.raw) {
            Ok(serde) if serde == decoded.event => {}
            Ok(serde) => problems.push(format!(
                "event {}: decode gives {:?}, serde {serde:?}",
                decoded.position.index, decoded.event
            )),
            Err(error) => problems.push(format!(
                "event {}: decoded, but serde fails: {error}",
                decoded.position.index
            )),
        }
    }
    problems
}

/// The owned decode reads most events with the views' one-pass reader and makes them owned
/// (`view::Scan`; serde when it gives up): on every recorded Responses, Realtime, Live and Agents
/// event, the same event as serde alone gives.
#[test]
fn the_owned_decode_equals_serde_on_every_corpus_event() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for entry in manifest() {
        let bytes = std::fs::read(corpus_dir().join(&entry.file)).expect("corpus file");
        let problems = match entry.protocol.as_str() {
            "responses" => owned_against_serde::<ResponseStreamEvent>(&bytes, entry.format),
            "realtime" => owned_against_serde::<RealtimeServerEvent>(&bytes, entry.format),
            "audio_speech" => owned_against_serde::<SpeechStreamEvent>(&bytes, entry.format),
            "audio_transcription" => {
                owned_against_serde::<TranscriptionStreamEvent>(&bytes, entry.format)
            }
            "agent_sessions" => {
                owned_against_serde::<AgentSessionStreamEvent>(&bytes, entry.format)
            }
            "live_server" => owned_against_serde::<LiveServerEvent>(&bytes, entry.format),
            _ => continue,
        };
        checked += 1;
        for problem in problems.into_iter().take(3) {
            failures.push(format!("{}: {problem}", entry.file));
        }
    }
    assert!(checked > 150, "{checked} files checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
