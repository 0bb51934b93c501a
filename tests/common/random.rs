#![allow(dead_code)] // each test file uses part of it

//! Seeds and random values for the randomized tests that are not property tests: a
//! fixed seed per test file, or a fresh one (printed, to reproduce a failure) when
//! MATHENGINE_FRESH_SEED=1. Included with `#[path = "common/random.rs"] mod random;`.

/// `fixed`, or a fresh seed (printed with `test`'s name) when MATHENGINE_FRESH_SEED=1.
pub fn seed(test: &str, fixed: u64) -> u64 {
    if std::env::var("MATHENGINE_FRESH_SEED").as_deref() == Ok("1") {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        println!("{test}: fresh seed {t}");
        return t;
    }
    fixed
}

/// `n` values uniform in [-1, 1) (splitmix64).
pub fn values(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
        .collect()
}

/// `f` run inside a rayon pool of `threads` threads (results must not depend on it).
pub fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
        .install(f)
}

/// xorshift64*: deterministic values in [-0.5, 0.5) from the seed `Rng(seed)`.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    }

    pub fn vec(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.next()).collect()
    }

    pub fn complex(&mut self, n: usize) -> Vec<mathengine::Complex64> {
        (0..n)
            .map(|_| mathengine::Complex64::new(self.next(), self.next()))
            .collect()
    }
}
