//! SplitMix64 (Steele, Lea, Flood 2014).
//!
//! Hand-written instead of depending on the `rand` crate: the generated dumps must stay
//! byte-identical for a seed across crate versions and platforms, and ten lines of arithmetic
//! guarantee that where a dependency upgrade would not.

#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    /// An independent stream for (`seed`, `a`, `b`): e.g. (seed, stage, table index).
    pub fn derive(seed: u64, a: u64, b: u64) -> Rng {
        let mut r = Rng(seed ^ 0x5851_F42D_4C95_7F2D);
        let x = r.next_u64() ^ a.wrapping_mul(0xD6E8_FEB8_6659_FD93);
        let mut r = Rng(x);
        let y = r.next_u64() ^ b.wrapping_mul(0xA076_1D64_78BD_642F);
        Rng(y)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n == 0`); multiply-shift, bias negligible for our ranges.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}
