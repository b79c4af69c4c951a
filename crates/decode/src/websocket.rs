//! Realtime events over a WebSocket (feature `tungstenite`): a [`futures_core::Stream`] of
//! decoded events over a tokio-tungstenite connection, where each text message is one event.
//!
//! [`MessageStream`] decodes what the server sends; [`to_message`] writes what the client sends.
//! Pings and pongs are skipped (tungstenite answers pings itself), a close frame ends the stream
//! and is kept ([`MessageStream::close_frame`]), and there is no reconnecting.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use futures::{SinkExt, StreamExt};
//! use openai_wire_decode::websocket::{MessageStream, to_message};
//! use openai_wire_events::{RealtimeClientEvent, RealtimeServerEvent, StreamEvent};
//!
//! let (socket, _) = tokio_tungstenite::connect_async("ws://127.0.0.1:8080/v1/realtime").await?;
//! let (mut write, read) = socket.split();
//! let hello = RealtimeClientEvent::from_json(r#"{"type":"response.create"}"#)?;
//! write.send(to_message(&hello)?).await?;
//! let mut events = MessageStream::<_, RealtimeServerEvent>::new(read);
//! while let Some(event) = events.next().await {
//!     let decoded = event?;
//!     println!("{} at {}", decoded.event.wire_type(), decoded.position.index);
//! }
//! # Ok(())
//! # }
//! ```

use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use openai_wire_events::StreamEvent;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::{DecodeError, ErrorKind, OwnedDecoded, Position};

/// What a [`MessageStream`] yields when something goes wrong.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    /// A text message is not an event of the expected protocol; the next one may be fine.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A binary message: OpenAI's event protocols send text only (audio travels base64 in JSON).
    /// The stream goes on.
    #[error("message {} is binary ({len} bytes); events are text messages", position.index)]
    Binary {
        /// Where the message sits in the stream.
        position: Position,
        /// Its length in bytes.
        len: usize,
    },
    /// The connection failed (not a clean close, which ends the stream).
    #[error("the WebSocket failed: {0}")]
    Transport(#[from] tungstenite::Error),
}

pin_project_lite::pin_project! {
    /// Decodes the messages of a tokio-tungstenite connection (or its read half) into owned
    /// events, one per text message. Positions count messages (`index`) and text bytes
    /// (`offset`), as a JSONL dump of the same messages would.
    pub struct MessageStream<S, E> {
        #[pin]
        inner: S,
        next: Position,
        close: Option<CloseFrame>,
        ended: bool,
        event: PhantomData<fn() -> E>,
    }
}

impl<S, E: StreamEvent> MessageStream<S, E> {
    /// Decodes the messages of `inner`.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            next: Position::default(),
            close: None,
            ended: false,
            event: PhantomData,
        }
    }

    /// The close frame the peer sent, once the stream has ended with one.
    pub fn close_frame(&self) -> Option<&CloseFrame> {
        self.close.as_ref()
    }

    /// How many messages were seen so far (text and binary).
    pub fn messages(&self) -> u64 {
        self.next.index
    }
}

impl<S, E> Stream for MessageStream<S, E>
where
    S: Stream<Item = Result<Message, tungstenite::Error>>,
    E: StreamEvent,
{
    type Item = Result<OwnedDecoded<E>, MessageError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        loop {
            if *this.ended {
                return Poll::Ready(None);
            }
            let message = match this.inner.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None)
                | Poll::Ready(Some(Err(
                    tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed,
                ))) => {
                    *this.ended = true;
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Err(error))) => {
                    return Poll::Ready(Some(Err(MessageError::Transport(error))));
                }
                Poll::Ready(Some(Ok(message))) => message,
            };
            let position = *this.next;
            match message {
                Message::Text(text) => {
                    this.next.index += 1;
                    this.next.offset += text.len() as u64;
                    let raw = text.as_str();
                    return Poll::Ready(Some(match E::from_json(raw) {
                        Ok(event) => Ok(OwnedDecoded {
                            event,
                            raw: raw.to_owned(),
                            event_name: None,
                            position,
                        }),
                        Err(error) => Err(MessageError::Decode(DecodeError {
                            position,
                            raw: raw.to_owned(),
                            kind: ErrorKind::Event(error),
                        })),
                    }));
                }
                Message::Binary(bytes) => {
                    this.next.index += 1;
                    this.next.offset += bytes.len() as u64;
                    return Poll::Ready(Some(Err(MessageError::Binary {
                        position,
                        len: bytes.len(),
                    })));
                }
                Message::Close(frame) => {
                    *this.close = frame;
                    *this.ended = true;
                    return Poll::Ready(None);
                }
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
            }
        }
    }
}

/// An event as the WebSocket text message that carries it (written strictly, as the model
/// writes every event).
pub fn to_message<E: serde::Serialize>(event: &E) -> Result<Message, serde_json::Error> {
    Ok(Message::text(serde_json::to_string(event)?))
}
