//! Sequence numbers: 1 ..= 0x7FFFFFFF, then back to 1 (0 is never used).

/// The largest sequence number SMPP allows.
pub const MAX_SEQUENCE: u32 = 0x7FFF_FFFF;

/// Hands out sequence numbers in order, wrapping from 0x7FFFFFFF to 1.
#[derive(Debug, Clone)]
pub struct SeqGen {
    next: u32,
}

impl Default for SeqGen {
    fn default() -> Self {
        SeqGen { next: 1 }
    }
}

impl SeqGen {
    /// A generator whose first number is `first` (clamped into 1 ..= 0x7FFFFFFF).
    pub fn starting_at(first: u32) -> Self {
        SeqGen {
            next: first.clamp(1, MAX_SEQUENCE),
        }
    }

    /// The next sequence number.
    pub fn next_seq(&mut self) -> u32 {
        let n = self.next;
        self.next = if n >= MAX_SEQUENCE { 1 } else { n + 1 };
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_at_one_and_counts() {
        let mut g = SeqGen::default();
        assert_eq!(g.next_seq(), 1);
        assert_eq!(g.next_seq(), 2);
    }

    #[test]
    fn wraps_to_one_never_zero() {
        let mut g = SeqGen::starting_at(MAX_SEQUENCE - 1);
        assert_eq!(g.next_seq(), 0x7FFF_FFFE);
        assert_eq!(g.next_seq(), 0x7FFF_FFFF);
        assert_eq!(g.next_seq(), 1);
        assert_eq!(SeqGen::starting_at(0).next_seq(), 1);
        assert_eq!(SeqGen::starting_at(u32::MAX).next_seq(), MAX_SEQUENCE);
    }
}
