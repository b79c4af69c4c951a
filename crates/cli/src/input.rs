//! What every command that reads streams shares: the options that name a stream's protocol and
//! framing, opening a file or standard input, telling the protocol and framing from the first
//! bytes, reading the stream in chunks through a [`Decoder`], and choosing the event type of a
//! protocol ([`with_event_type!`]).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use anyhow::{Context, bail};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use openai_wire_decode::{DecodeError, Decoder, Format, Item, Protocol, Summary, detect};
use openai_wire_events::StreamEvent;

/// How many bytes are read from an input at a time.
pub const CHUNK_SIZE: usize = 64 * 1024;

/// How many bytes are read, at most, to tell a stream's protocol before giving up.
pub const SNIFF_LIMIT: usize = 64 * 1024;

/// The options that say how to read a stream.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct StreamArgs {
    /// The stream's protocol [default: told from its first bytes]
    #[arg(long, short = 'p', value_name = "PROTOCOL", value_parser = protocol_parser())]
    pub protocol: Option<Protocol>,
    /// The stream's framing [default: told from its first bytes]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<FormatArg>,
}

/// Parses a protocol name, listing the names in `--help` and in the error for a wrong one.
fn protocol_parser() -> impl TypedValueParser<Value = Protocol> {
    PossibleValuesParser::new(Protocol::ALL.iter().map(|p| p.name()))
        .try_map(|name| name.parse::<Protocol>())
}

/// The framing of a stream, as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Server-Sent Events (`event:` / `data:` lines)
    Sse,
    /// One event's JSON per line
    Jsonl,
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Format {
        match format {
            FormatArg::Sse => Format::Sse,
            FormatArg::Jsonl => Format::Jsonl,
        }
    }
}

/// Runs `$body` with `$E` standing for the event enum of `$protocol`.
///
/// ```ignore
/// let summary = with_event_type!(protocol, |E| input.pump::<E, _>(format, &mut sink))?;
/// ```
macro_rules! with_event_type {
    ($protocol:expr, |$E:ident| $body:expr) => {{
        use openai_wire_decode::Protocol;
        match $protocol {
            Protocol::Responses => {
                type $E = openai_wire_events::ResponseStreamEvent;
                $body
            }
            Protocol::Chat => {
                type $E = openai_wire_events::ChatCompletionStreamEvent;
                $body
            }
            Protocol::Completions => {
                type $E = openai_wire_events::CompletionStreamEvent;
                $body
            }
            Protocol::Realtime => {
                type $E = openai_wire_events::RealtimeServerEvent;
                $body
            }
            Protocol::RealtimeClient => {
                type $E = openai_wire_events::RealtimeClientEvent;
                $body
            }
            Protocol::Assistants => {
                type $E = openai_wire_events::AssistantStreamEvent;
                $body
            }
            Protocol::Transcription => {
                type $E = openai_wire_events::TranscriptionStreamEvent;
                $body
            }
            Protocol::Speech => {
                type $E = openai_wire_events::SpeechStreamEvent;
                $body
            }
            Protocol::ImageGeneration => {
                type $E = openai_wire_events::ImageGenerationStreamEvent;
                $body
            }
            Protocol::ImageEdit => {
                type $E = openai_wire_events::ImageEditStreamEvent;
                $body
            }
            Protocol::Webhooks => {
                type $E = openai_wire_events::WebhookEvent;
                $body
            }
            Protocol::AgentSessions => {
                type $E = openai_wire_events::AgentSessionStreamEvent;
                $body
            }
            Protocol::Live => {
                type $E = openai_wire_events::LiveServerEvent;
                $body
            }
            Protocol::LiveClient => {
                type $E = openai_wire_events::LiveClientEvent;
                $body
            }
        }
    }};
}
pub(crate) use with_event_type;

/// What receives the items of a stream as [`Input::pump`] decodes them.
pub trait Sink<E> {
    /// One item (event, `[DONE]` marker or comment) or decode error, in stream order.
    fn item(&mut self, item: Result<Item<'_, E>, DecodeError>) -> io::Result<()>;

    /// Every item of the bytes read so far has been handed out: a good time to flush output, so
    /// that a live stream shows as it arrives.
    fn chunk_done(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Where [`Input::pump_views`] hands the borrowed views of a stream's events.
pub trait ViewSink<E: StreamEvent> {
    /// One item (event view, `[DONE]` marker or comment) or decode error, in stream order.
    fn view_item(&mut self, item: Result<Item<'_, E::View<'_>>, DecodeError>) -> io::Result<()>;

    /// Every item of the bytes read so far has been handed out.
    fn chunk_done(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Why reading a stream stopped early.
#[derive(Debug)]
pub enum Failure {
    /// The input could not be read; the message names it. Other inputs can still be read.
    Input(anyhow::Error),
    /// The output could not be written (a closed pipe, a full disk): no point in going on.
    Output(io::Error),
}

/// A stream to read: a file, or standard input (`-`).
pub struct Input {
    name: String,
    reader: Box<dyn Read>,
    /// Bytes already read (to tell the protocol) and not yet decoded.
    head: Vec<u8>,
    eof: bool,
}

impl Input {
    /// Opens `path` for reading; `-` is standard input. The error names the file.
    pub fn open(path: &Path) -> anyhow::Result<Input> {
        let name = path.display().to_string();
        let reader: Box<dyn Read> = if path.as_os_str() == "-" {
            Box::new(io::stdin().lock())
        } else {
            let file = File::open(path).with_context(|| format!("{name}: cannot open"))?;
            if file.metadata().is_ok_and(|m| m.is_dir()) {
                bail!("{name}: is a directory, not a stream");
            }
            Box::new(file)
        };
        Ok(Input {
            name,
            reader,
            head: Vec::new(),
            eof: false,
        })
    }

    /// The input's name as given on the command line (`-` for standard input).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reads up to [`CHUNK_SIZE`] more bytes into the head. Returns how many were read.
    fn read_more(&mut self) -> io::Result<usize> {
        let start = self.head.len();
        self.head.resize(start + CHUNK_SIZE, 0);
        let result = read_retrying(&mut self.reader, &mut self.head[start..]);
        let n = *result.as_ref().unwrap_or(&0);
        self.head.truncate(start + n);
        if n == 0 {
            self.eof = true;
        }
        result
    }

    /// Tells the stream's protocol and framing: from `args` when they name them, else from the
    /// first bytes (read as they arrive, so a live stream is not held up for more than its first
    /// event).
    ///
    /// Fails, naming the input, when it cannot be read or its protocol cannot be told.
    pub fn resolve(&mut self, args: &StreamArgs) -> anyhow::Result<(Protocol, Format)> {
        if let (Some(protocol), Some(format)) = (args.protocol, args.format) {
            return Ok((protocol, format.into()));
        }
        loop {
            // Only whole lines, until the end or the limit: a cut line can mislead.
            let whole = self.eof || self.head.len() >= SNIFF_LIMIT;
            let seen = if whole {
                &self.head[..]
            } else {
                let end = self
                    .head
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                &self.head[..end]
            };
            let detected = if seen.is_empty() { None } else { detect(seen) };
            let protocol = args.protocol.or(detected.map(|(p, _)| p));
            let format = args
                .format
                .map(Format::from)
                .or(detected.map(|(_, f)| f))
                .or_else(|| sniff_format(seen));
            match (protocol, format) {
                (Some(protocol), Some(format)) => return Ok((protocol, format)),
                // Nothing to tell the framing from: an empty stream decodes the same either way.
                (Some(protocol), None) if whole => return Ok((protocol, Format::Sse)),
                (None, _) if whole => {
                    let names: Vec<&str> = Protocol::ALL.iter().map(|p| p.name()).collect();
                    if self.head.iter().all(u8::is_ascii_whitespace) {
                        bail!(
                            "{}: the input is empty, so its protocol cannot be told; name it with --protocol ({})",
                            self.name,
                            names.join(", ")
                        );
                    }
                    bail!(
                        "{}: cannot tell the protocol of this stream from its first {} bytes; name it with --protocol ({})",
                        self.name,
                        self.head.len(),
                        names.join(", ")
                    );
                }
                _ => {
                    self.read_more()
                        .with_context(|| format!("{}: cannot read", self.name))?;
                }
            }
        }
    }

    /// Reads the rest of the stream and returns all of it, the bytes read to tell its protocol
    /// included. For commands whose answer needs the whole stream (`check`, `fold`).
    pub fn read_to_end(&mut self) -> anyhow::Result<Vec<u8>> {
        let mut bytes = std::mem::take(&mut self.head);
        if !self.eof {
            self.reader
                .read_to_end(&mut bytes)
                .with_context(|| format!("{}: cannot read", self.name))?;
            self.eof = true;
        }
        Ok(bytes)
    }

    /// Decodes the whole stream as events of `E` framed as `format`, handing every item to
    /// `sink` as soon as its bytes are read, and returns the decoder's summary.
    pub fn pump<E: StreamEvent, S: Sink<E>>(
        &mut self,
        format: Format,
        sink: &mut S,
    ) -> Result<Summary, Failure> {
        self.pump_with::<E>(format, |decoder| {
            while let Some(item) = decoder.next_item() {
                sink.item(item).map_err(Failure::Output)?;
            }
            sink.chunk_done().map_err(Failure::Output)
        })
    }

    /// [`pump`](Self::pump) with borrowed views ([`StreamEvent::View`]), each checked to fit its
    /// type (the same items, errors and summary as `pump`): for commands that only read the
    /// events as they pass.
    pub fn pump_views<E: StreamEvent, S: ViewSink<E>>(
        &mut self,
        format: Format,
        sink: &mut S,
    ) -> Result<Summary, Failure> {
        self.pump_with::<E>(format, |decoder| {
            while let Some(item) = decoder.next_validated_view() {
                sink.view_item(item).map_err(Failure::Output)?;
            }
            sink.chunk_done().map_err(Failure::Output)
        })
    }

    /// Feeds the whole stream to a decoder, calling `drain` whenever bytes were fed.
    fn pump_with<E: StreamEvent>(
        &mut self,
        format: Format,
        mut drain: impl FnMut(&mut Decoder<E>) -> Result<(), Failure>,
    ) -> Result<Summary, Failure> {
        let mut decoder = Decoder::<E>::new(format);
        let head = std::mem::take(&mut self.head);
        if !head.is_empty() {
            decoder.feed(&head);
            drain(&mut decoder)?;
        }
        drop(head);
        let mut buffer = vec![0; CHUNK_SIZE];
        while !self.eof {
            let n = read_retrying(&mut self.reader, &mut buffer).map_err(|error| {
                Failure::Input(
                    anyhow::Error::new(error).context(format!("{}: cannot read", self.name)),
                )
            })?;
            if n == 0 {
                self.eof = true;
                break;
            }
            decoder.feed(&buffer[..n]);
            drain(&mut decoder)?;
        }
        decoder.finish();
        drain(&mut decoder)?;
        Ok(decoder.summary().clone())
    }
}

/// `read`, retried when a signal interrupts it.
fn read_retrying(reader: &mut dyn Read, buffer: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buffer) {
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            result => return result,
        }
    }
}

/// The framing of a stream from its first meaningful line: SSE when it is an SSE field or
/// comment, JSONL when it is anything else. `None` when there is no meaningful line yet.
fn sniff_format(head: &[u8]) -> Option<Format> {
    let text = String::from_utf8_lossy(head);
    let first = text
        .trim_start_matches('\u{feff}')
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())?;
    let sse = ["data:", "event:", ":", "id:", "retry:"]
        .iter()
        .any(|field| first.starts_with(field));
    Some(if sse { Format::Sse } else { Format::Jsonl })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_the_framing_from_the_first_meaningful_line() {
        assert_eq!(sniff_format(b"\n\ndata: {}\n"), Some(Format::Sse));
        assert_eq!(sniff_format(b": keep-alive\n"), Some(Format::Sse));
        assert_eq!(sniff_format(b"{\"type\":\"x\"}\n"), Some(Format::Jsonl));
        assert_eq!(sniff_format(b"  \n"), None);
    }
}
