//! An upstream answer's body as [`Upstream`] items, decoded straight from its byte chunks.
//!
//! This is [`openai_wire_decode::DecodeStream`] cut to what the pump needs: it takes the typed
//! event out of the decoder's borrowed item and keeps nothing else, where `DecodeStream`
//! copies each event's JSON text and SSE name into an owned item. The gateway reads only the
//! text's length (for [`Limit::Bytes`]), so that copy was one allocation and one memcpy per
//! upstream event on the stream path.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use openai_wire_decode::{DecodeError, Decoder, Format, Item};
use openai_wire_events::StreamEvent;

use super::{Limit, MAX_UPSTREAM_EVENT, Upstream};

/// The byte chunks of an upstream body, as reqwest gives them.
type Chunks = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// An upstream HTTP body decoded as a stream of [`Upstream`] items (comments skipped). Past
/// `max_bytes` of events (zero: no bound) it ends with [`Limit::Bytes`], and the body is
/// dropped.
pub(crate) struct UpstreamBody<E> {
    /// The body; `None` once it has ended or the byte bound was passed.
    chunks: Option<Chunks>,
    decoder: Decoder<E>,
    /// Bytes of event JSON read so far.
    total: usize,
    max_bytes: usize,
    /// The bound was passed and said: nothing more comes.
    over: bool,
}

impl<E: StreamEvent> UpstreamBody<E> {
    /// Decodes `response`'s body, framed as `format`, bounded by `max_bytes`.
    pub(crate) fn new(response: reqwest::Response, format: Format, max_bytes: usize) -> Self {
        UpstreamBody {
            chunks: Some(Box::pin(response.bytes_stream())),
            decoder: Decoder::with_max_event_size(format, MAX_UPSTREAM_EVENT),
            total: 0,
            max_bytes,
            over: false,
        }
    }

    /// The next item the decoder holds, if any (comments are skipped).
    fn next_decoded(&mut self) -> Option<Upstream<E>> {
        loop {
            let item = match self.decoder.next_item()? {
                Ok(Item::Event(decoded)) => {
                    self.total = self.total.saturating_add(decoded.raw.len());
                    if self.max_bytes > 0 && self.total > self.max_bytes {
                        self.over = true;
                        self.chunks = None;
                        Upstream::Limit(Limit::Bytes(self.max_bytes))
                    } else {
                        Upstream::Event(decoded.event)
                    }
                }
                Ok(Item::Done(_)) => Upstream::Done,
                Ok(Item::Comment(_)) => continue,
                Err(error) => Upstream::Malformed(malformed(&error)),
            };
            return Some(item);
        }
    }
}

// Nothing in it is pinned: the byte stream is boxed, and events are moved out of the decoder.
impl<E> Unpin for UpstreamBody<E> {}

impl<E: StreamEvent> Stream for UpstreamBody<E> {
    type Item = Upstream<E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.over {
                return Poll::Ready(None);
            }
            if let Some(item) = this.next_decoded() {
                return Poll::Ready(Some(item));
            }
            let Some(chunks) = this.chunks.as_mut() else {
                return Poll::Ready(None);
            };
            match chunks.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => this.decoder.feed(&chunk),
                Poll::Ready(Some(Err(error))) => {
                    return Poll::Ready(Some(Upstream::Broken {
                        timeout: error.is_timeout(),
                        message: error.to_string(),
                    }));
                }
                Poll::Ready(None) => {
                    this.chunks = None;
                    this.decoder.finish();
                }
            }
        }
    }
}

/// What an undecodable upstream event is reported as. The decoder skips an oversized event and
/// carries on; the gateway ends the response instead, so the message says only what was wrong.
fn malformed(error: &DecodeError) -> String {
    match &error.kind {
        openai_wire_decode::ErrorKind::Frame(openai_wire_decode::SseError::EventTooLarge {
            limit,
            ..
        }) => format!("an event larger than the gateway's limit of {limit} bytes"),
        _ => error.to_string(),
    }
}
