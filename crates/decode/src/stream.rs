//! Async adapters: a [`futures_core::Stream`] of owned items over a stream of byte chunks, and
//! (feature `tokio`) over any `tokio::io::AsyncRead`.
//!
//! They are thin shells over [`Decoder`]: no buffering of their own, no reconnecting.
//!
//! ```
//! # futures::executor::block_on(async {
//! use futures::StreamExt;
//! use openai_wire_decode::{DecodeStream, Format, OwnedItem};
//! use openai_wire_events::{ResponseStreamEvent, StreamEvent};
//!
//! // What reqwest's `response.bytes_stream()` gives: chunks, each a `Result`.
//! let chunks = vec![
//!     Ok::<_, std::io::Error>(&b"data: {\"type\":\"response.output_text.delta\",\"item_id\":\"m\","[..]),
//!     Ok(&b"\"output_index\":0,\"content_index\":0,\"delta\":\"Hi\"}\n\n"[..]),
//! ];
//! let mut events = DecodeStream::<_, ResponseStreamEvent>::new(futures::stream::iter(chunks), Format::Sse);
//! while let Some(item) = events.next().await {
//!     if let OwnedItem::Event(decoded) = item.expect("no error") {
//!         assert_eq!(decoded.event.wire_type(), "response.output_text.delta");
//!     }
//! }
//! assert!(!events.summary().ended_properly(), "no response.completed came");
//! # });
//! ```

use std::ops::ControlFlow;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use openai_wire_events::StreamEvent;

use crate::{DecodeError, Decoder, Format, Item, OwnedItem, Summary};

/// What a [`DecodeStream`] yields when something goes wrong: a decode error (the stream goes on)
/// or an error of the byte stream underneath (it is passed on as is).
#[derive(Debug, thiserror::Error)]
pub enum StreamError<T> {
    /// An event could not be decoded; the next one may be fine.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The byte stream failed.
    #[error("the byte stream failed: {0}")]
    Transport(T),
}

pin_project_lite::pin_project! {
    /// Decodes a stream of byte chunks (`Result<impl AsRef<[u8]>, T>`) into owned items.
    pub struct DecodeStream<S, E> {
        #[pin]
        inner: S,
        decoder: Decoder<E>,
        input_done: bool,
    }
}

impl<S, E: StreamEvent> DecodeStream<S, E> {
    /// Decodes `inner`, framed as `format`.
    pub fn new(inner: S, format: Format) -> Self {
        Self::with_decoder(inner, Decoder::new(format))
    }

    /// Decodes `inner` with a decoder set up by the caller (e.g. its maximum event size).
    pub fn with_decoder(inner: S, decoder: Decoder<E>) -> Self {
        Self {
            inner,
            decoder,
            input_done: false,
        }
    }

    /// What was seen so far; after the stream has returned `None`, how it ended.
    pub fn summary(&self) -> &Summary {
        self.decoder.summary()
    }
}

impl<S, B, T, E> Stream for DecodeStream<S, E>
where
    S: Stream<Item = Result<B, T>>,
    B: AsRef<[u8]>,
    E: StreamEvent,
{
    type Item = Result<OwnedItem<E>, StreamError<T>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        loop {
            if let Some(item) = this.decoder.next_item() {
                return Poll::Ready(Some(item.map(OwnedItem::from).map_err(StreamError::Decode)));
            }
            if *this.input_done {
                return Poll::Ready(None);
            }
            match this.inner.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => this.decoder.feed(chunk.as_ref()),
                Poll::Ready(Some(Err(error))) => {
                    return Poll::Ready(Some(Err(StreamError::Transport(error))));
                }
                Poll::Ready(None) => {
                    *this.input_done = true;
                    this.decoder.finish();
                }
            }
        }
    }
}

impl<S, B, T, E> DecodeStream<S, E>
where
    S: Stream<Item = Result<B, T>> + Unpin,
    B: AsRef<[u8]>,
    E: StreamEvent,
{
    /// Hands every item to `visit` as a borrowed view ([`Decoder::next_view`]: strings borrowed
    /// from the decoder's buffer, `logprobs` and snapshots read on access), until the stream ends
    /// or `visit` breaks. A `Stream` cannot lend its items, so this is the way to read views
    /// from an async byte stream (pin it first, `Box::pin`, if it is not `Unpin`).
    ///
    /// Returns the byte stream's error, if it failed; decode errors go to `visit` like items.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// use std::ops::ControlFlow;
    /// use openai_wire_decode::{DecodeStream, Format, Item};
    /// use openai_wire_events::{ResponseStreamEvent, ResponseStreamEventRef};
    ///
    /// let chunks = vec![Ok::<_, std::io::Error>(
    ///     &b"data: {\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hi\"}\n\n"[..],
    /// )];
    /// let mut events = DecodeStream::<_, ResponseStreamEvent>::new(futures::stream::iter(chunks), Format::Sse);
    /// let mut text = String::new();
    /// events
    ///     .for_each_view(|item| {
    ///         if let Ok(Item::Event(decoded)) = item {
    ///             if let ResponseStreamEventRef::ResponseOutputTextDelta(delta) = &decoded.event {
    ///                 text.push_str(&delta.delta);
    ///             }
    ///         }
    ///         ControlFlow::Continue(())
    ///     })
    ///     .await
    ///     .expect("the chunks do not fail");
    /// assert_eq!(text, "Hi");
    /// # });
    /// ```
    pub async fn for_each_view<F>(&mut self, mut visit: F) -> Result<(), T>
    where
        F: FnMut(Result<Item<'_, E::View<'_>>, DecodeError>) -> ControlFlow<()>,
    {
        loop {
            while let Some(item) = self.decoder.next_view() {
                if visit(item).is_break() {
                    return Ok(());
                }
            }
            if self.input_done {
                return Ok(());
            }
            match std::future::poll_fn(|cx| Pin::new(&mut self.inner).poll_next(cx)).await {
                Some(Ok(chunk)) => self.decoder.feed(chunk.as_ref()),
                Some(Err(error)) => return Err(error),
                None => {
                    self.input_done = true;
                    self.decoder.finish();
                }
            }
        }
    }
}

/// Decodes everything an [`AsyncRead`](tokio::io::AsyncRead) yields (a file, a socket, a child
/// process's stdout).
#[cfg(feature = "tokio")]
pub fn decode_reader<R, E>(
    reader: R,
    format: Format,
) -> DecodeStream<tokio_util::io::ReaderStream<R>, E>
where
    R: tokio::io::AsyncRead,
    E: StreamEvent,
{
    DecodeStream::new(
        tokio_util::io::ReaderStream::with_capacity(reader, 64 * 1024),
        format,
    )
}
