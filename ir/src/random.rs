//! Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11): element `i` of a
//! random array is a pure function of (seed, i), so every backend and every block
//! partition produces the same numbers.

const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

/// Philox4x32 with 10 rounds on counter (lo, hi, 0, 0) and the 64-bit key.
pub fn philox4x32(seed: u64, counter: u64) -> [u32; 4] {
    let mut c = [counter as u32, (counter >> 32) as u32, 0, 0];
    let mut k = [seed as u32, (seed >> 32) as u32];
    for round in 0..10 {
        if round > 0 {
            k[0] = k[0].wrapping_add(W0);
            k[1] = k[1].wrapping_add(W1);
        }
        let p0 = (M0 as u64) * (c[0] as u64);
        let p1 = (M1 as u64) * (c[2] as u64);
        c = [
            ((p1 >> 32) as u32) ^ c[1] ^ k[0],
            p1 as u32,
            ((p0 >> 32) as u32) ^ c[3] ^ k[1],
            p0 as u32,
        ];
    }
    c
}

/// 53 random bits as a double in [0, 1).
fn unit(hi: u32, lo: u32) -> f64 {
    let bits = ((hi as u64) << 21) ^ (lo as u64 >> 11);
    (bits & ((1u64 << 53) - 1)) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Uniform on [0, 1).
pub fn uniform(seed: u64, index: u64) -> f64 {
    let w = philox4x32(seed, index);
    unit(w[0], w[1])
}

/// Standard normal by the Box-Muller transform of two uniforms from one Philox block.
pub fn normal(seed: u64, index: u64) -> f64 {
    let w = philox4x32(seed, index);
    let u1 = 1.0 - unit(w[0], w[1]); // (0, 1]: log stays finite
    let u2 = unit(w[2], w[3]);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn philox_known_answer() {
        // Random123's kat_vectors: philox4x32 10 rounds, counter 0 key 0.
        assert_eq!(
            philox4x32(0, 0),
            [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
        );
    }

    #[test]
    fn moments_are_plausible() {
        let n = 100_000u64;
        let mean: f64 = (0..n).map(|i| uniform(7, i)).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
        let var: f64 = (0..n).map(|i| normal(7, i).powi(2)).sum::<f64>() / n as f64;
        assert!((var - 1.0).abs() < 0.02, "{var}");
    }
}
