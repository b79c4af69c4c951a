//! Text reported once: what the updates already gave of a text (its deltas, then the pieces that
//! arrived whole), and what a later, whole copy of the text adds to it.
//!
//! Servers send a text twice: in deltas, then whole (a `.done` event, the done item, the final
//! response). Some send only the whole text, some trim the deltas, some put the whole text at
//! another content index than the deltas. A caller that prints the updates must see every piece
//! of text once: [`Shown::catch_up`] says what of the whole text no update gave yet.

/// The text of one kind (message text, refusal, summary, …) of one item that the updates gave
/// so far, all its parts one after the other: its length and a hash of it, not a copy (every
/// delta of every stream a gateway relays passes here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shown {
    len: usize,
    hash: u64,
}

impl Default for Shown {
    fn default() -> Self {
        Shown {
            len: 0,
            hash: FNV_OFFSET,
        }
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over `bytes`, continuing from `hash`: hashing the pieces of a text one after the other
/// gives the hash of the whole text.
fn fnv(mut hash: u64, bytes: &[u8]) -> u64 {
    for &byte in bytes {
        hash = (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME);
    }
    hash
}

impl Shown {
    /// A delta was reported.
    pub(crate) fn push(&mut self, delta: &str) {
        self.len += delta.len();
        self.hash = fnv(self.hash, delta.as_bytes());
    }

    /// The server now says the whole text is `parts` (each with its index), in order. Returns
    /// what of it no update gave yet: each part's tail beyond what was given, when the parts,
    /// one after the other, start with what was given. When they do not (the final text
    /// disagrees with the deltas), nothing: the deltas showed their version. Either way, the
    /// parts are what was given from now on.
    pub(crate) fn catch_up<'a>(&mut self, parts: &[(u64, &'a str)]) -> Vec<(u64, &'a str)> {
        match self.beyond(parts) {
            Some(rest) => {
                for (_, piece) in &rest {
                    self.push(piece);
                }
                rest
            }
            None => {
                *self = Shown::default();
                for (_, text) in parts {
                    self.push(text);
                }
                Vec::new()
            }
        }
    }

    /// The tails of `parts` beyond what was given, when the parts one after the other start
    /// with it (same length, same hash, cut on a character boundary).
    fn beyond<'a>(&self, parts: &[(u64, &'a str)]) -> Option<Vec<(u64, &'a str)>> {
        let mut rest = Vec::new();
        let mut hash = FNV_OFFSET;
        let mut given = self.len;
        for &(index, text) in parts {
            if given == 0 {
                if !text.is_empty() {
                    rest.push((index, text));
                }
            } else if given >= text.len() {
                hash = fnv(hash, text.as_bytes());
                given -= text.len();
            } else {
                let (head, tail) = (text.get(..given)?, text.get(given..)?);
                hash = fnv(hash, head.as_bytes());
                rest.push((index, tail));
                given = 0;
            }
        }
        (given == 0 && hash == self.hash).then_some(rest)
    }
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
