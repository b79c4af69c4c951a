//! The Chat delta reader (`openai_wire_fold::chat_delta`): pieces and tool-call grouping, on
//! corpus streams where the corpus has the case and on small hand-written chunks where it does
//! not. Expected values come from the recordings read as plain JSON, not from the reader.

mod common;

use common::{Entry, events};
use openai_wire_decode::Format;
use openai_wire_events::{ChatCompletionChunk, ChatCompletionStreamEvent, StreamEvent};
use openai_wire_fold::chat_delta::{
    DeltaPiece, ReasoningSource, ToolCallFragment, ToolCallGroups, pieces,
};
use serde_json::Value;

fn corpus_chunks(file: &str) -> Vec<(ChatCompletionChunk, Value)> {
    let entry = Entry {
        file: format!("chat/{file}"),
        protocol: String::new(),
        format: if file.ends_with(".sse") {
            Format::Sse
        } else {
            Format::Jsonl
        },
        notes: String::new(),
    };
    events::<ChatCompletionStreamEvent>(&entry)
        .into_iter()
        .filter_map(|(event, raw)| match event {
            ChatCompletionStreamEvent::ChatCompletionChunk(chunk) => {
                Some((*chunk, serde_json::from_str(&raw).expect("raw JSON")))
            }
            _ => None,
        })
        .collect()
}

fn chunk(json: &str) -> ChatCompletionChunk {
    match ChatCompletionStreamEvent::from_json(json).expect("test chunk") {
        ChatCompletionStreamEvent::ChatCompletionChunk(chunk) => *chunk,
        other => panic!("not a chunk: {other:?}"),
    }
}

/// (name, arguments, id) per call, grouped by the reader over every chunk's choice 0.
fn grouped_calls(chunks: &[ChatCompletionChunk]) -> Vec<(String, String, String)> {
    let mut groups = ToolCallGroups::default();
    let mut calls: Vec<(String, String, String)> = Vec::new();
    for chunk in chunks {
        for choice in chunk.choices.iter().filter(|c| c.index == 0) {
            for piece in pieces(choice) {
                if let DeltaPiece::ToolCall(fragment) = piece {
                    let grouped = groups.push(fragment);
                    if grouped.started {
                        calls.push(Default::default());
                    }
                    let call = &mut calls[grouped.key];
                    call.0.push_str(grouped.name.unwrap_or_default());
                    call.1.push_str(grouped.arguments.unwrap_or_default());
                    if let Some(id) = grouped.id {
                        call.2 = id.to_owned();
                    }
                }
            }
        }
    }
    calls
}

#[test]
fn mistral_calls_without_index_are_told_apart_by_id() {
    // The recording's one whole call, with no index, sent twice with two ids.
    let recorded = corpus_chunks("vercel-ai.mistral__mistral-tool-call.chunks.txt");
    let (with_call, raw) = recorded
        .iter()
        .find(|(c, _)| c.choices.iter().any(|c| c.delta.tool_calls.is_some()))
        .expect("a tool call chunk");
    let call = &raw["choices"][0]["delta"]["tool_calls"][0];
    assert!(call.get("index").is_none(), "the recording sends no index");
    let mut second = with_call.clone();
    let fragment = &mut second.choices[0].delta.tool_calls.as_mut().unwrap()[0];
    fragment.id = Some("other".into());
    let calls = grouped_calls(&[with_call.clone(), second]);
    let (name, arguments) = (
        call["function"]["name"].as_str().unwrap(),
        call["function"]["arguments"].as_str().unwrap(),
    );
    assert_eq!(
        calls,
        [
            (
                name.into(),
                arguments.into(),
                call["id"].as_str().unwrap().into()
            ),
            (name.into(), arguments.into(), "other".into()),
        ]
    );
}

#[test]
fn a_name_repeated_on_every_fragment_is_taken_once() {
    // Novita: the name and id repeated in every chunk of the call.
    let recorded =
        corpus_chunks("simonw-llm__test_tools_streaming__test_tools_streaming_variant_a__i0.sse");
    let fragments: Vec<&Value> = recorded
        .iter()
        .flat_map(|(_, raw)| raw["choices"][0]["delta"]["tool_calls"].as_array())
        .flatten()
        .collect();
    assert!(fragments.len() > 1);
    assert!(
        fragments
            .iter()
            .all(|f| f["function"]["name"] == "llm_version")
    );
    let arguments: String = fragments
        .iter()
        .filter_map(|f| f["function"]["arguments"].as_str())
        .collect();
    let chunks: Vec<ChatCompletionChunk> = recorded.into_iter().map(|(c, _)| c).collect();
    let calls = grouped_calls(&chunks);
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (calls[0].0.as_str(), calls[0].1.as_str()),
        ("llm_version", arguments.as_str())
    );
}

#[test]
fn a_name_that_comes_empty_or_late_is_the_real_one() {
    // Mistral relaying GLM: `"name": ""` after the real name.
    let recorded = corpus_chunks("vercel-ai.mistral__mistral-incremental-tool-call.chunks.txt");
    let names: Vec<&str> = recorded
        .iter()
        .flat_map(|(_, raw)| raw["choices"][0]["delta"]["tool_calls"].as_array())
        .flatten()
        .filter_map(|f| f["function"]["name"].as_str())
        .collect();
    assert!(names.contains(&""), "{names:?}");
    let chunks: Vec<ChatCompletionChunk> = recorded.into_iter().map(|(c, _)| c).collect();
    let calls = grouped_calls(&chunks);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, "webSearchTool");
    // The name only in the second fragment, the id only in the third.
    let mut groups = ToolCallGroups::default();
    let first = groups.push(ToolCallFragment {
        index: Some(0),
        arguments: Some("{\"q\":"),
        ..Default::default()
    });
    let second = groups.push(ToolCallFragment {
        index: Some(0),
        name: Some("search"),
        arguments: Some("1}"),
        ..Default::default()
    });
    let third = groups.push(ToolCallFragment {
        index: Some(0),
        id: Some("call_9"),
        name: Some("search"),
        ..Default::default()
    });
    assert!(first.started && !second.started && !third.started);
    assert_eq!(
        (first.name, second.name, third.name),
        (None, Some("search"), None)
    );
    assert_eq!(third.id, Some("call_9"));
    assert_eq!(
        (groups.len(), groups.id(0), groups.name(0)),
        (1, Some("call_9"), Some("search"))
    );
}

#[test]
fn parallel_calls_by_index_and_closing() {
    // OpenAI: two calls at indices 0 and 1, the first fragment of each with id and name.
    let recorded =
        corpus_chunks("openai-python__test_parse_multiple_pydantic_tools__453df473e9.sse");
    let mut expected: Vec<(String, String, String)> = Vec::new();
    for (_, raw) in &recorded {
        for fragment in raw["choices"][0]["delta"]["tool_calls"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let index = fragment["index"].as_u64().unwrap() as usize;
            if index == expected.len() {
                expected.push(Default::default());
            }
            let call = &mut expected[index];
            call.0
                .push_str(fragment["function"]["name"].as_str().unwrap_or_default());
            call.1.push_str(
                fragment["function"]["arguments"]
                    .as_str()
                    .unwrap_or_default(),
            );
            call.2.push_str(fragment["id"].as_str().unwrap_or_default());
        }
    }
    assert_eq!(expected.len(), 2);
    let chunks: Vec<ChatCompletionChunk> = recorded.into_iter().map(|(c, _)| c).collect();
    assert_eq!(grouped_calls(&chunks), expected);
    // Once closed, a fragment without an id starts a new call; one with a known id does not.
    let mut groups = ToolCallGroups::default();
    groups.push(ToolCallFragment {
        index: Some(0),
        id: Some("a"),
        ..Default::default()
    });
    groups.close();
    let again = groups.push(ToolCallFragment {
        index: Some(0),
        arguments: Some("{}"),
        ..Default::default()
    });
    assert_eq!((again.key, again.started), (1, true));
    let known = groups.push(ToolCallFragment {
        id: Some("a"),
        ..Default::default()
    });
    assert_eq!((known.key, known.started), (0, false));
}

#[test]
fn openrouter_reasoning_is_read_once_and_details_kept() {
    // OpenRouter sends each piece of reasoning as `reasoning` and again in `reasoning_details`.
    let recorded = corpus_chunks(
        "ruby_llm__vcr_cassettes__chat_openrouter_reasoning_details_round-trip_accumulates_reasoning_details_while_streaming_tool_calls__i0.sse",
    );
    let (mut reasoning, mut details, mut other_reasoning) = (String::new(), 0, 0);
    let (mut expected_reasoning, mut expected_details) = (String::new(), 0);
    for (chunk, raw) in &recorded {
        let delta = &raw["choices"][0]["delta"];
        expected_reasoning.push_str(delta["reasoning"].as_str().unwrap_or_default());
        expected_details += delta["reasoning_details"].as_array().map_or(0, Vec::len);
        for piece in chunk.choices.iter().flat_map(pieces) {
            match piece {
                DeltaPiece::Reasoning {
                    source: ReasoningSource::Reasoning,
                    text,
                } => reasoning.push_str(&text),
                DeltaPiece::Reasoning { .. } => other_reasoning += 1,
                DeltaPiece::ReasoningDetails(entries) => details += entries.len(),
                _ => {}
            }
        }
    }
    assert!(!expected_reasoning.is_empty());
    assert_eq!(reasoning, expected_reasoning);
    // Its details-only chunks carry a signature and no text: nothing is read twice.
    assert_eq!(other_reasoning, 0);
    assert_eq!(details, expected_details);
    // Details with text and no other reasoning: their text is the reasoning.
    let only_details = chunk(
        r#"{"id":"c","choices":[{"index":0,"delta":{"reasoning_details":[{"type":"reasoning.text","text":"Hm."},{"type":"reasoning.summary","summary":" So."},{"type":"reasoning.encrypted","data":"x"}]}}]}"#,
    );
    let read: Vec<DeltaPiece<'_>> = pieces(&only_details.choices[0]);
    assert_eq!(
        read[0],
        DeltaPiece::Reasoning {
            source: ReasoningSource::Details,
            text: "Hm. So.".into()
        }
    );
    assert!(matches!(read[1], DeltaPiece::ReasoningDetails(entries) if entries.len() == 3));
}

#[test]
fn mistral_thinking_parts_are_reasoning_and_text_parts_the_answer() {
    let recorded = corpus_chunks("vercel-ai.mistral__mistral-reasoning.chunks.txt");
    let (mut expected_thinking, mut expected_text) = (String::new(), String::new());
    for (_, raw) in &recorded {
        for part in raw["choices"][0]["delta"]["content"]
            .as_array()
            .into_iter()
            .flatten()
        {
            match part["type"].as_str() {
                Some("text") => expected_text.push_str(part["text"].as_str().unwrap()),
                Some("thinking") => {
                    for inner in part["thinking"].as_array().unwrap() {
                        expected_thinking.push_str(inner["text"].as_str().unwrap());
                    }
                }
                _ => {}
            }
        }
    }
    let (mut thinking, mut text) = (String::new(), String::new());
    for (chunk, _) in &recorded {
        for piece in chunk.choices.iter().flat_map(pieces) {
            match piece {
                DeltaPiece::Reasoning {
                    source: ReasoningSource::ThinkingPart,
                    text: t,
                } => thinking.push_str(&t),
                DeltaPiece::Text {
                    text: t,
                    part: true,
                } => text.push_str(t),
                // The first chunk's `"content": ""` says nothing.
                DeltaPiece::Text { text: "", .. } => {}
                DeltaPiece::Text { .. } | DeltaPiece::Reasoning { .. } => panic!("{piece:?}"),
                _ => {}
            }
        }
    }
    assert!(!expected_thinking.is_empty() && !expected_text.is_empty());
    assert_eq!((thinking, text), (expected_thinking, expected_text));
}

#[test]
fn pieces_come_in_reading_order() {
    let both = chunk(
        r#"{"id":"c","choices":[{"index":0,"delta":{"content":"A","refusal":"","reasoning_content":"R","function_call":{"name":"f","arguments":"{}"},"tool_calls":[{"index":0,"id":"t","function":{"name":"g"}}]},"finish_reason":"stop"}]}"#,
    );
    let kinds: Vec<&str> = pieces(&both.choices[0])
        .into_iter()
        .map(|piece| match piece {
            DeltaPiece::Reasoning { .. } => "reasoning",
            DeltaPiece::ReasoningDetails(_) => "details",
            DeltaPiece::Text { .. } => "text",
            DeltaPiece::Refusal(_) => "refusal",
            DeltaPiece::FunctionCall(_) => "function_call",
            DeltaPiece::ToolCall(_) => "tool_call",
            DeltaPiece::Finish(_) => "finish",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "reasoning",
            "text",
            "refusal",
            "function_call",
            "tool_call",
            "finish"
        ]
    );
}
