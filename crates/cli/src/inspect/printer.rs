//! Writing a rendered stream: text that streams in channels, whole lines, and colours.
//!
//! Streamed text goes to a *channel* (a kind of text, and the item and part it belongs to).
//! Switching channels starts a new line, so that two texts never run into each other, and every
//! line of a marked kind starts with its mark (`[reasoning] `, `[refusal] `, `[user] `), so that
//! reasoning stays apart from the answer with or without colours. Control characters in the
//! text (an escape sequence a model wrote, say) are shown escaped, never sent to the terminal.

use std::borrow::Cow;
use std::io::{self, Write};

/// How a piece of output looks on a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// The answer's text: as is.
    Plain,
    /// Reasoning: dim.
    Reasoning,
    /// A refusal: red.
    Refusal,
    /// What the user said (Realtime transcripts): green.
    User,
    /// A tool call: cyan.
    Tool,
    /// A note about the stream (headers, status, usage, skipped events): dim.
    Note,
    /// An error in the stream: bold red.
    Error,
}

impl Style {
    /// The SGR parameters of the style, if it has any.
    fn sgr(self) -> Option<&'static str> {
        match self {
            Style::Plain => None,
            Style::Reasoning | Style::Note => Some("2"),
            Style::Refusal => Some("31"),
            Style::User => Some("32"),
            Style::Tool => Some("36"),
            Style::Error => Some("1;31"),
        }
    }
}

/// The kind of text that streams in a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The answer.
    Text,
    /// The model's reasoning (or reasoning summary).
    Reasoning,
    /// A refusal.
    Refusal,
    /// What the user said.
    User,
}

impl Kind {
    /// The mark at the start of each of the kind's lines.
    fn mark(self) -> &'static str {
        match self {
            Kind::Text => "",
            Kind::Reasoning => "[reasoning] ",
            Kind::Refusal => "[refusal] ",
            Kind::User => "[user] ",
        }
    }

    fn style(self) -> Style {
        match self {
            Kind::Text => Style::Plain,
            Kind::Reasoning => Style::Reasoning,
            Kind::Refusal => Style::Refusal,
            Kind::User => Style::User,
        }
    }
}

/// Writes a rendered stream to `out`, with ANSI colours when `color` is set.
pub struct Printer<'a> {
    out: &'a mut dyn Write,
    color: bool,
    /// The channel text last streamed to: kind, item key, part index.
    channel: Option<(Kind, String, i64)>,
    at_line_start: bool,
}

impl<'a> Printer<'a> {
    /// A printer writing to `out`.
    pub fn new(out: &'a mut dyn Write, color: bool) -> Self {
        Printer {
            out,
            color,
            channel: None,
            at_line_start: true,
        }
    }

    /// Streams `text` to the channel (`kind`, `key`, `index`): a part of an item, where `key`
    /// names the item (its id, or anything that tells it from the others) and `index` the part.
    pub fn stream(&mut self, kind: Kind, key: &str, index: i64, text: &str) -> io::Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        let same =
            matches!(&self.channel, Some((k, s, i)) if *k == kind && s == key && *i == index);
        if !same {
            self.end_line()?;
            self.channel = Some((kind, key.to_owned(), index));
        }
        let text = sanitize(text);
        for (n, segment) in text.split('\n').enumerate() {
            if n > 0 {
                self.out.write_all(b"\n")?;
                self.at_line_start = true;
            }
            if segment.is_empty() {
                continue;
            }
            if self.at_line_start && !kind.mark().is_empty() {
                self.styled(kind.style(), kind.mark())?;
            }
            self.styled(kind.style(), segment)?;
            self.at_line_start = false;
        }
        Ok(())
    }

    /// Writes `text` as whole lines of its own in `style`.
    pub fn line(&mut self, style: Style, text: &str) -> io::Result<()> {
        self.end_line()?;
        self.channel = None;
        for line in sanitize(text).split('\n') {
            self.styled(style, line)?;
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Ends the line being streamed, if any.
    pub fn end_line(&mut self) -> io::Result<()> {
        if !self.at_line_start {
            self.out.write_all(b"\n")?;
            self.at_line_start = true;
        }
        Ok(())
    }

    /// Sends what was written to its destination.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn styled(&mut self, style: Style, text: &str) -> io::Result<()> {
        match style.sgr() {
            Some(sgr) if self.color && !text.is_empty() => {
                write!(self.out, "\x1b[{sgr}m{text}\x1b[0m")
            }
            _ => self.out.write_all(text.as_bytes()),
        }
    }
}

/// `text` with CRLF as LF, and every control character but LF and tab escaped (`\u{1b}`).
fn sanitize(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Cow::Borrowed(text);
    }
    let text = text.replace("\r\n", "\n");
    let mut clean = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            clean.extend(c.escape_default());
        } else {
            clean.push(c);
        }
    }
    Cow::Owned(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(color: bool, f: impl FnOnce(&mut Printer<'_>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        let mut printer = Printer::new(&mut out, color);
        f(&mut printer).unwrap();
        printer.end_line().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn marks_every_reasoning_line_and_keeps_text_apart() {
        let out = render(false, |p| {
            p.stream(Kind::Reasoning, "rs_1", 0, "Think")?;
            p.stream(Kind::Reasoning, "rs_1", 0, "ing.\nMore")?;
            p.stream(Kind::Text, "msg_1", 0, "Hel")?;
            p.stream(Kind::Text, "msg_1", 0, "lo")?;
            p.line(Style::Tool, "→ f({})")
        });
        assert_eq!(
            out,
            "[reasoning] Thinking.\n[reasoning] More\nHello\n→ f({})\n"
        );
    }

    #[test]
    fn escapes_control_characters_and_colours_only_when_asked() {
        let out = render(false, |p| p.stream(Kind::Text, "", 0, "a\x1b[31mb\r\nc"));
        assert_eq!(out, "a\\u{1b}[31mb\nc\n");
        let out = render(true, |p| p.stream(Kind::Reasoning, "", 0, "x"));
        assert_eq!(out, "\x1b[2m[reasoning] \x1b[0m\x1b[2mx\x1b[0m\n");
    }
}
