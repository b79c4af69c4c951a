//! The `<think>` splitter: tags cut anywhere give the same split as tags whole; only a possible
//! tag is held back; answers that mention `<think>` are left alone.

use openai_wire_convert::think::{ThinkPiece, ThinkSplitter};
use proptest::prelude::*;

/// (reasoning, content) after feeding `deltas` and finishing.
fn split(mut splitter: ThinkSplitter, deltas: &[&str]) -> (String, String) {
    let mut pieces = Vec::new();
    for delta in deltas {
        pieces.extend(splitter.push(delta));
    }
    pieces.extend(splitter.finish());
    let (mut reasoning, mut content) = (String::new(), String::new());
    for piece in pieces {
        match piece {
            ThinkPiece::Reasoning(text) => reasoning.push_str(&text),
            ThinkPiece::Content(text) => content.push_str(&text),
        }
    }
    (reasoning, content)
}

// The shape Groq's `reasoning_format: "raw"` and vLLM without a reasoning parser send (text
// from fixtures/corpus/chat/vercel-ai.groq__groq-reasoning.chunks.txt's first words).
const RAW: &str = "<think>\nOkay, the user wants me to</think>\n\nThe answer is $4$.";

#[test]
fn whole_tags() {
    assert_eq!(
        split(ThinkSplitter::new(), &[RAW]),
        (
            "\nOkay, the user wants me to".into(),
            "The answer is $4$.".into()
        )
    );
}

#[test]
fn every_cut_position_gives_the_same_split() {
    let whole = split(ThinkSplitter::new(), &[RAW]);
    for i in 0..=RAW.len() {
        for j in i..=RAW.len() {
            let deltas = [&RAW[..i], &RAW[i..j], &RAW[j..]];
            assert_eq!(
                split(ThinkSplitter::new(), &deltas),
                whole,
                "cut at {i}, {j}"
            );
        }
    }
}

#[test]
fn only_a_possible_tag_is_held_back() {
    let mut splitter = ThinkSplitter::new();
    assert!(splitter.push("<thi").is_empty());
    assert_eq!(
        splitter.push("nk>abc</th"),
        [ThinkPiece::Reasoning("abc".into())]
    );
    assert!(splitter.is_inside());
    assert_eq!(
        splitter.push("e end"),
        [ThinkPiece::Reasoning("</the end".into())]
    );
    assert_eq!(
        splitter.push("</think>ok"),
        [ThinkPiece::Content("ok".into())]
    );
    // After the close, tags are text.
    assert_eq!(
        splitter.push("<think>"),
        [ThinkPiece::Content("<think>".into())]
    );
}

#[test]
fn an_answer_that_mentions_the_tag_is_content() {
    let text = "Use the <think> tag like this: <think>…</think>";
    assert_eq!(
        split(ThinkSplitter::new(), &[text]),
        (String::new(), text.into())
    );
    // Content that merely starts like the tag.
    assert_eq!(
        split(ThinkSplitter::new(), &["<th", "ere>"]),
        (String::new(), "<there>".into())
    );
}

#[test]
fn unterminated_reasoning_stays_reasoning_and_partial_open_tag_is_content() {
    assert_eq!(
        split(ThinkSplitter::new(), &["<think>still thinking"]),
        ("still thinking".into(), String::new())
    );
    assert_eq!(
        split(ThinkSplitter::new(), &["  <thi"]),
        (String::new(), "  <thi".into())
    );
}

#[test]
fn templates_that_open_the_tag_in_the_prompt() {
    assert_eq!(
        split(
            ThinkSplitter::starting_inside(),
            &["reason", "ing</th", "ink>answer"]
        ),
        ("reasoning".into(), "answer".into())
    );
}

#[test]
fn multibyte_text_next_to_tags() {
    let text = "<think>é思考</think>答え";
    for i in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
        assert_eq!(
            split(ThinkSplitter::new(), &[&text[..i], &text[i..]]),
            ("é思考".into(), "答え".into())
        );
    }
}

proptest! {
    #[test]
    fn any_chunking_gives_the_same_split(
        reasoning in "[a-z<>/ ]{0,40}",
        content in "[a-z<>/ ]{0,40}",
        cuts in proptest::collection::vec(0usize..100, 0..6),
    ) {
        prop_assume!(!reasoning.contains("</think>"));
        let text = format!("<think>{reasoning}</think>{content}");
        let whole = split(ThinkSplitter::new(), &[&text]);
        let mut points: Vec<usize> = cuts.into_iter().map(|c| c.min(text.len())).collect();
        points.sort_unstable();
        let mut deltas = Vec::new();
        let mut last = 0;
        for point in points {
            deltas.push(&text[last..point]);
            last = point;
        }
        deltas.push(&text[last..]);
        prop_assert_eq!(split(ThinkSplitter::new(), &deltas), whole.clone());
        prop_assert_eq!(whole.0, reasoning);
    }
}
