//! Dense sets of revision indices, sized to the map.

use super::Ix;

/// A fixed-size bit set over revision indices.
#[derive(Debug, Clone)]
pub(super) struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    pub(super) fn new(len: usize) -> Self {
        Self {
            words: vec![0; len.div_ceil(64)],
        }
    }

    /// Adds `i`; returns whether it was absent.
    pub(super) fn insert(&mut self, i: Ix) -> bool {
        let (w, b) = (i / 64, 1u64 << (i % 64));
        let absent = self.words[w] & b == 0;
        self.words[w] |= b;
        absent
    }

    pub(super) fn remove(&mut self, i: Ix) {
        self.words[i / 64] &= !(1u64 << (i % 64));
    }

    pub(super) fn contains(&self, i: Ix) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }
}

/// A set of revision indices that remembers the order members were added in.
#[derive(Debug, Clone)]
pub(super) struct NodeSet {
    bits: BitSet,
    items: Vec<Ix>,
}

impl NodeSet {
    pub(super) fn new(len: usize) -> Self {
        Self {
            bits: BitSet::new(len),
            items: Vec::new(),
        }
    }

    /// Adds `i`; returns whether it was absent.
    pub(super) fn insert(&mut self, i: Ix) -> bool {
        let absent = self.bits.insert(i);
        if absent {
            self.items.push(i);
        }
        absent
    }

    pub(super) fn contains(&self, i: Ix) -> bool {
        self.bits.contains(i)
    }

    pub(super) fn len(&self) -> usize {
        self.items.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = Ix> + '_ {
        self.items.iter().copied()
    }

    pub(super) fn bits(&self) -> &BitSet {
        &self.bits
    }

    /// The members also in `other`.
    pub(super) fn intersection(&self, other: &NodeSet, len: usize) -> NodeSet {
        let mut out = NodeSet::new(len);
        for i in self.iter().filter(|&i| other.contains(i)) {
            out.insert(i);
        }
        out
    }

    /// The members not in `other`.
    pub(super) fn difference(&self, other: &NodeSet, len: usize) -> NodeSet {
        let mut out = NodeSet::new(len);
        for i in self.iter().filter(|&i| !other.contains(i)) {
            out.insert(i);
        }
        out
    }
}
