//! Wire indices (`output_index`, `content_index`, …) mapped to positions in a dense `Vec`.
//!
//! Indices from the wire may be sparse (a trimmed recording starts at `output_index` 1) or
//! absurd (`4_000_000_000`). Nothing is padded: each vector keeps the wire index of each element
//! beside it, sorted, so memory is proportional to what the stream actually sent.

/// Converts a wire index; negative indices are not indices.
pub(crate) fn wire_index(index: i64) -> Option<u64> {
    u64::try_from(index).ok()
}

/// Sorted wire indices, parallel to a `Vec` of values.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Slots {
    keys: Vec<u64>,
}

impl Slots {
    /// Slots `0..n`, for a vector that arrived whole.
    pub(crate) fn dense(n: usize) -> Self {
        Slots {
            keys: (0..n as u64).collect(),
        }
    }

    /// The position of `key`, if present.
    pub(crate) fn find(&self, key: u64) -> Option<usize> {
        self.keys.binary_search(&key).ok()
    }

    /// The position of `key`, inserting it (and `make()` into `values` at the same position)
    /// when absent.
    pub(crate) fn find_or_insert<T>(
        &mut self,
        values: &mut Vec<T>,
        key: u64,
        make: impl FnOnce() -> T,
    ) -> usize {
        self.sync(values.len());
        match self.keys.binary_search(&key) {
            Ok(pos) => pos,
            Err(pos) => {
                self.keys.insert(pos, key);
                values.insert(pos, make());
                pos
            }
        }
    }

    /// Puts `value` at `key`, replacing what was there.
    pub(crate) fn set<T>(&mut self, values: &mut Vec<T>, key: u64, value: T) -> usize {
        self.sync(values.len());
        match self.keys.binary_search(&key) {
            Ok(pos) => {
                values[pos] = value;
                pos
            }
            Err(pos) => {
                self.keys.insert(pos, key);
                values.insert(pos, value);
                pos
            }
        }
    }

    /// The wire index at `pos`.
    pub(crate) fn key(&self, pos: usize) -> Option<u64> {
        self.keys.get(pos).copied()
    }

    /// Keeps the keys in step with a vector someone else changed (replaced wholesale): extra
    /// elements get the next indices, missing ones drop their keys.
    pub(crate) fn sync(&mut self, len: usize) {
        if self.keys.len() > len {
            self.keys.truncate(len);
        }
        while self.keys.len() < len {
            let next = self.keys.last().map_or(0, |k| k.saturating_add(1));
            self.keys.push(next);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_and_absurd_indices_do_not_pad() {
        let mut slots = Slots::default();
        let mut values: Vec<&str> = Vec::new();
        slots.find_or_insert(&mut values, 4_000_000_000, || "far");
        slots.find_or_insert(&mut values, 1, || "one");
        slots.find_or_insert(&mut values, 1, || "again");
        assert_eq!(values, ["one", "far"]);
        assert_eq!(slots.find(4_000_000_000), Some(1));
        assert_eq!(slots.find(0), None);
        assert_eq!(wire_index(-1), None);
    }

    #[test]
    fn sync_follows_a_replaced_vector() {
        let mut slots = Slots::dense(1);
        let mut values = vec![1, 2, 3];
        slots.sync(values.len());
        assert_eq!(slots.find(2), Some(2));
        values.truncate(1);
        slots.sync(1);
        assert_eq!(slots.find(2), None);
        slots.set(&mut values, 7, 9);
        assert_eq!(values, [1, 9]);
    }
}
