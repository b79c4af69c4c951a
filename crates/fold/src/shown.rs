//! Text reported once: what the updates already gave of a text (its deltas, then the pieces that
//! arrived whole), and what a later, whole copy of the text adds to it.
//!
//! Servers send a text twice: in deltas, then whole (a `.done` event, the done item, the final
//! response). Some send only the whole text, some trim the deltas, some put the whole text at
//! another content index than the deltas. A caller that prints the updates must see every piece
//! of text once: [`Shown::catch_up`] says what of the whole text no update gave yet.

/// The text of one kind (message text, refusal, summary, …) of one item that the updates gave
/// so far, all its parts one after the other.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Shown(String);

impl Shown {
    /// A delta was reported.
    pub(crate) fn push(&mut self, delta: &str) {
        self.0.push_str(delta);
    }

    /// The server now says the whole text is `parts` (each with its index), in order. Returns
    /// what of it no update gave yet: each part's tail beyond what was given, when the parts,
    /// one after the other, start with what was given. When they do not (the final text
    /// disagrees with the deltas), nothing: the deltas showed their version. Either way, the
    /// parts are what was given from now on.
    pub(crate) fn catch_up<'a>(&mut self, parts: &[(u64, &'a str)]) -> Vec<(u64, &'a str)> {
        match beyond(parts, &self.0) {
            Some(rest) => {
                for (_, piece) in &rest {
                    self.0.push_str(piece);
                }
                rest
            }
            None => {
                self.0.clear();
                for (_, text) in parts {
                    self.0.push_str(text);
                }
                Vec::new()
            }
        }
    }
}

/// The tails of `parts` beyond `given`, when the parts one after the other start with `given`.
fn beyond<'a>(parts: &[(u64, &'a str)], mut given: &str) -> Option<Vec<(u64, &'a str)>> {
    let mut rest = Vec::new();
    for &(index, text) in parts {
        if given.is_empty() {
            if !text.is_empty() {
                rest.push((index, text));
            }
        } else if let Some(after) = given.strip_prefix(text) {
            given = after;
        } else if let Some(tail) = text.strip_prefix(given) {
            rest.push((index, tail));
            given = "";
        } else {
            return None;
        }
    }
    given.is_empty().then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::Shown;

    fn shown(text: &str) -> Shown {
        let mut shown = Shown::default();
        shown.push(text);
        shown
    }

    #[test]
    fn whole_text_without_deltas_is_all_new() {
        let mut s = Shown::default();
        assert_eq!(s.catch_up(&[(0, "Hello"), (1, "")]), [(0, "Hello")]);
        assert_eq!(s.catch_up(&[(0, "Hello")]), []);
    }

    #[test]
    fn only_the_tail_the_deltas_missed_is_new() {
        let mut s = shown("Hel");
        assert_eq!(s.catch_up(&[(0, "Hello")]), [(0, "lo")]);
        let mut s = shown("Hello wo");
        assert_eq!(
            s.catch_up(&[(0, "Hello"), (3, " world"), (4, "!")]),
            [(3, "rld"), (4, "!")]
        );
        assert_eq!(s, shown("Hello world!"));
    }

    #[test]
    fn a_disagreeing_text_adds_nothing_and_becomes_what_was_shown() {
        let mut s = shown("XXX");
        assert_eq!(s.catch_up(&[(0, "Lorem")]), []);
        assert_eq!(s, shown("Lorem"));
        // More given than the parts hold.
        let mut s = shown("Hello world");
        assert_eq!(s.catch_up(&[(0, "Hello")]), []);
        assert_eq!(s.catch_up(&[(0, "Hello"), (1, "!")]), [(1, "!")]);
    }

    #[test]
    fn pieces_end_on_character_boundaries() {
        let mut s = shown("“r");
        assert_eq!(s.catch_up(&[(1, "“r”")]), [(1, "”")]);
    }
}
