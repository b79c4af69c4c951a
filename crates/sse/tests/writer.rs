//! The writer: exact bytes, and refusals.

mod common;

use openai_wire_sse::{Frame, WriteError, write_comment, write_frame};

fn written(frame: Frame<'_>) -> String {
    let mut out = Vec::new();
    write_frame(&mut out, &frame).expect("writable");
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn writes_data_only_event() {
    assert_eq!(written(Frame::new("[DONE]")), "data: [DONE]\n\n");
}

#[test]
fn writes_responses_style_event() {
    let frame = Frame::new(r#"{"type":"response.created"}"#).with_event("response.created");
    assert_eq!(
        written(frame),
        "event: response.created\ndata: {\"type\":\"response.created\"}\n\n"
    );
}

#[test]
fn writes_all_fields_in_order() {
    let frame = Frame::new("x")
        .with_event("e")
        .with_id("id-1")
        .with_retry(2500);
    assert_eq!(
        written(frame),
        "event: e\nid: id-1\nretry: 2500\ndata: x\n\n"
    );
}

#[test]
fn splits_multi_line_data() {
    assert_eq!(
        written(Frame::new("a\nb\n\nc")),
        "data: a\ndata: b\ndata: \ndata: c\n\n"
    );
    // A trailing newline is an empty last line.
    assert_eq!(written(Frame::new("a\n")), "data: a\ndata: \n\n");
}

#[test]
fn writes_empty_data_as_one_data_line() {
    // So that the event is dispatched (a block without data would not be).
    assert_eq!(written(Frame::new("")), "data: \n\n");
}

#[test]
fn keeps_leading_spaces_of_values() {
    assert_eq!(
        written(Frame::new(" x").with_event(" e").with_id(" i")),
        "event:  e\nid:  i\ndata:  x\n\n"
    );
}

#[test]
fn writes_empty_event_name_and_id() {
    assert_eq!(
        written(Frame::new("x").with_event("").with_id("")),
        "event: \nid: \ndata: x\n\n"
    );
}

#[test]
fn writes_retry_extremes() {
    assert_eq!(
        written(Frame::new("x").with_retry(0)),
        "retry: 0\ndata: x\n\n"
    );
    assert_eq!(
        written(Frame::new("x").with_retry(u64::MAX)),
        "retry: 18446744073709551615\ndata: x\n\n"
    );
}

#[test]
fn ignores_offset_and_index() {
    let frame = Frame {
        offset: 99,
        index: 7,
        ..Frame::new("x")
    };
    assert_eq!(written(frame), "data: x\n\n");
}

#[test]
fn appends_to_existing_bytes() {
    let mut out = b"data: first\n\n".to_vec();
    write_frame(&mut out, &Frame::new("second")).expect("writable");
    assert_eq!(out, b"data: first\n\ndata: second\n\n");
}

#[test]
fn refuses_line_breaks_in_event_name() {
    for (name, index) in [("a\nb", 1), ("\r", 0), ("ab\r\n", 2)] {
        let mut out = b"before".to_vec();
        let error = write_frame(&mut out, &Frame::new("x").with_event(name)).unwrap_err();
        assert_eq!(error, WriteError::LineBreakInEvent { index });
        assert_eq!(out, b"before", "nothing written");
    }
}

#[test]
fn refuses_line_breaks_and_nul_in_id() {
    for (id, index) in [("a\nb", 1), ("a\rb", 1), ("a\0b", 1)] {
        let mut out = Vec::new();
        let error = write_frame(&mut out, &Frame::new("x").with_id(id)).unwrap_err();
        assert_eq!(error, WriteError::InvalidId { index });
        assert!(out.is_empty());
    }
}

#[test]
fn refuses_carriage_return_in_data() {
    let mut out = Vec::new();
    let error = write_frame(&mut out, &Frame::new("a\r\nb")).unwrap_err();
    assert_eq!(error, WriteError::CarriageReturnInData { index: 1 });
    assert!(out.is_empty());
    assert_eq!(
        error.to_string(),
        "the data contains a carriage return at byte 1; SSE cannot carry it (use \\n for line breaks)"
    );
}

#[test]
fn writes_comments() {
    let mut out = Vec::new();
    write_comment(&mut out, " OPENROUTER PROCESSING").expect("writable");
    write_comment(&mut out, "").expect("writable");
    assert_eq!(out, b": OPENROUTER PROCESSING\n:\n");
}

#[test]
fn refuses_line_breaks_in_comments() {
    let mut out = Vec::new();
    assert_eq!(
        write_comment(&mut out, "a\nb"),
        Err(WriteError::LineBreakInComment { index: 1 })
    );
    assert!(out.is_empty());
}

#[test]
fn written_stream_reads_back() {
    let mut out = Vec::new();
    write_comment(&mut out, " ping").expect("writable");
    write_frame(
        &mut out,
        &Frame::new("l1\nl2")
            .with_event("e")
            .with_id("9")
            .with_retry(5),
    )
    .expect("writable");
    let items = common::parse(&out);
    assert_eq!(
        items,
        [
            common::Out::Comment {
                text: " ping".into(),
                offset: 0
            },
            common::Out::Event(openai_wire_sse::OwnedFrame {
                event: Some("e".into()),
                data: "l1\nl2".into(),
                id: Some("9".into()),
                retry: Some(5),
                offset: 7,
                index: 0,
            }),
        ]
    );
}
