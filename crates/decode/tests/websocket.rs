//! The tokio-tungstenite adapter against a real WebSocket server on loopback, which sends the
//! recorded Realtime sessions of the corpus message by message.

use futures::{SinkExt, StreamExt};
use openai_wire_decode::websocket::{MessageError, MessageStream, to_message};
use openai_wire_decode::{Decoder, Format, Item};
use openai_wire_events::{RealtimeClientEvent, RealtimeServerEvent, StreamEvent};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

fn realtime_sessions() -> Vec<std::path::PathBuf> {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/corpus/realtime");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the realtime corpus")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    files
}

/// Serves one connection: every line of `lines` as a text message, a ping and a binary message
/// after the first, then a normal close.
async fn serve(listener: TcpListener, lines: Vec<String>) {
    let (tcp, _) = listener.accept().await.expect("accept");
    let mut socket = tokio_tungstenite::accept_async(tcp)
        .await
        .expect("handshake");
    for (i, line) in lines.into_iter().enumerate() {
        socket.send(Message::text(line)).await.expect("send");
        if i == 0 {
            socket
                .send(Message::Ping(vec![1, 2].into()))
                .await
                .expect("ping");
            socket
                .send(Message::Binary(vec![0; 5].into()))
                .await
                .expect("binary");
        }
    }
    let close = CloseFrame {
        code: CloseCode::Normal,
        reason: "session over".into(),
    };
    socket
        .send(Message::Close(Some(close)))
        .await
        .expect("close");
    // Wait for the client's answer to the close.
    while socket.next().await.is_some() {}
}

#[tokio::test]
async fn every_recorded_realtime_session_decodes_message_by_message() {
    let sessions = realtime_sessions();
    assert!(sessions.len() >= 10, "{sessions:?}");
    for path in sessions {
        let text = std::fs::read_to_string(&path).expect("read");
        let lines: Vec<String> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
        // What the JSONL decoder makes of the same recording.
        let mut decoder = Decoder::<RealtimeServerEvent>::new(Format::Jsonl);
        decoder.feed(text.as_bytes());
        decoder.finish();
        let mut expected = Vec::new();
        while let Some(item) = decoder.next_item() {
            if let Ok(Item::Event(decoded)) = item {
                expected.push(decoded.event);
            }
        }

        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let server = tokio::spawn(serve(listener, lines.clone()));
        let (socket, _) = tokio_tungstenite::connect_async(format!("ws://{address}/v1/realtime"))
            .await
            .expect("connect");
        let mut events = MessageStream::<_, RealtimeServerEvent>::new(socket);
        let mut decoded = Vec::new();
        let mut binary = Vec::new();
        while let Some(item) = events.next().await {
            match item {
                Ok(event) => decoded.push(event),
                Err(MessageError::Binary { position, len }) => binary.push((position.index, len)),
                Err(error) => panic!("{}: {error}", path.display()),
            }
        }
        let name = path.display();
        assert_eq!(decoded.len(), lines.len(), "{name}");
        assert_eq!(
            decoded.iter().map(|d| d.event.clone()).collect::<Vec<_>>(),
            expected,
            "{name}"
        );
        for (d, line) in decoded.iter().zip(&lines) {
            assert_eq!(&d.raw, line, "{name}");
            assert_eq!(d.event_name, None, "{name}");
        }
        // Positions count messages: the binary one after the first event is message 1.
        assert_eq!(binary, [(1, 5)], "{name}");
        assert_eq!(decoded[0].position.index, 0);
        if let Some(second) = decoded.get(1) {
            assert_eq!(second.position.index, 2, "{name}");
            assert_eq!(second.position.offset, lines[0].len() as u64 + 5, "{name}");
        }
        assert_eq!(events.messages(), lines.len() as u64 + 1, "{name}");
        let close = events.close_frame().expect("the close frame");
        assert_eq!(close.code, CloseCode::Normal);
        assert_eq!(close.reason.as_str(), "session over");
        drop(events);
        server.await.expect("server");
    }
}

#[tokio::test]
async fn a_message_that_is_not_an_event_is_an_error_and_the_stream_goes_on() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let lines = vec![
        r#"{"type":"session.created","event_id":"e1","session":{"id":"s1"}}"#.to_owned(),
        "not json".to_owned(),
        r#"{"type":"brand.new.event","event_id":"e3"}"#.to_owned(),
    ];
    let server = tokio::spawn(serve(listener, lines));
    let (socket, _) = tokio_tungstenite::connect_async(format!("ws://{address}"))
        .await
        .expect("connect");
    let items: Vec<_> = MessageStream::<_, RealtimeServerEvent>::new(socket)
        .collect()
        .await;
    assert_eq!(items.len(), 4, "{items:?}"); // three texts and the binary
    assert!(items[0].is_ok());
    assert!(matches!(items[1], Err(MessageError::Binary { .. })));
    match &items[2] {
        Err(MessageError::Decode(error)) => {
            assert_eq!(error.raw, "not json");
            assert_eq!(error.position.index, 2);
        }
        other => panic!("{other:?}"),
    }
    // An event type the model does not know is not an error.
    let unknown = items[3].as_ref().expect("decoded");
    assert!(unknown.event.is_unknown());
    assert_eq!(unknown.event.wire_type(), "brand.new.event");
    server.await.expect("server");
}

#[test]
fn client_events_become_text_messages_with_the_same_json() {
    let sent = r#"{"type":"conversation.item.create","event_id":"c1","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"hello"}]}}"#;
    let event = RealtimeClientEvent::from_json(sent).expect("decode");
    let Message::Text(text) = to_message(&event).expect("encode") else {
        panic!("not a text message")
    };
    let written: Value = serde_json::from_str(text.as_str()).expect("json");
    let original: Value = serde_json::from_str(sent).expect("json");
    assert_eq!(written["type"], original["type"]);
    assert_eq!(written["item"]["content"], original["item"]["content"]);
    assert_eq!(
        RealtimeClientEvent::from_json(text.as_str()).expect("re-decode"),
        event
    );
}
