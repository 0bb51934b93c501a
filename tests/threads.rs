//! Many threads evaluating on one shared `Engine` at once.
//!
//! Eight threads build and evaluate graphs in lock step (a `Barrier` before every
//! iteration makes them collide): in even iterations all of them build the *same*
//! graph (hash-consing gives them the same nodes, so one thread evaluates nodes another
//! is scheduling), in odd iterations each builds a different one. Each thread first
//! evaluates a random subset of the intermediate arrays, so the graphs change state
//! under the other threads' feet. Every result is compared with the value the same
//! graph has when evaluated alone, on a separate engine, by one thread.
//!
//! Seeds: fixed by default; `MATHENGINE_FRESH_SEED=1` draws a fresh one (printed), and
//! `MATHENGINE_SEED=<n>` replays one.

use mathengine::{Array, Engine, Result};
use std::collections::HashMap;
use std::sync::{Arc, Barrier, Mutex};

const THREADS: usize = 8;
const ITERATIONS: usize = 1000;
const VARIANTS: usize = 5;
const CONSTANTS: usize = 4;

fn seed() -> u64 {
    if let Ok(s) = std::env::var("MATHENGINE_SEED") {
        return s.parse().expect("MATHENGINE_SEED is a u64");
    }
    if std::env::var("MATHENGINE_FRESH_SEED").as_deref() == Ok("1") {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        println!("threads: fresh seed {t} (replay with MATHENGINE_SEED={t})");
        return t;
    }
    0x5eed_7412
}

/// splitmix64: small, and good enough to pick orders.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn constant(k: usize) -> f64 {
    0.5 + 0.25 * k as f64
}

/// Build graph `variant` with constant `c`, evaluate the intermediates selected by the
/// bits of `pre` first, and return the final scalar.
fn run(e: &Engine, variant: usize, c: f64, pre: u64) -> Result<f64> {
    let early = |bit: u32, a: &Array| -> Result<()> {
        if pre >> bit & 1 == 1 {
            a.eval()?;
        }
        Ok(())
    };
    let total = match variant {
        // A reduction feeding an elementwise kernel that feeds another reduction.
        0 | 1 => {
            let n = if variant == 0 { 100 } else { 37 };
            let x = e.linspace(0.0, 1.0, n);
            let y = (&x * c).sin();
            early(0, &y)?;
            let s = e.sum(&y, None, false)?;
            early(1, &s)?;
            let z = &(&y * &s) + &x.exp();
            early(2, &z)?;
            e.sum(&z, None, false)?
        }
        // A mean over one axis broadcast back (a variance).
        2 => {
            let x = e.arange(0.0, 50.0, 1.0)?.reshape(&[5, 10])?;
            let xc = &x * c;
            early(0, &xc)?;
            let m = e.mean(&xc, Some(&[1]), true)?;
            early(1, &m)?;
            let d = &xc - &m;
            e.sum(&(&d * &d), None, false)?
        }
        // Movement ops: concatenate and roll of evaluated and unevaluated parts.
        3 => {
            let a = e.linspace(0.0, c, 30);
            let b = a.cos();
            early(0, &b)?;
            let r = e.roll(&b, 3, None)?;
            early(1, &r)?;
            let cat = e.concatenate(&[&a, &b, &r], 0)?;
            e.sum(&(&cat * &cat), None, false)?
        }
        // Several outputs of one schedule.
        _ => {
            let x = e.linspace(-1.0, 1.0, 64);
            let u = (&x * c).sin();
            let w = (&x * c).cos();
            if pre & 1 == 1 {
                e.eval_all(&[&u, &w])?;
            }
            let s = &(&u * &u) + &(&w * &w);
            e.sum(&(&s * &x.exp()), None, false)?
        }
    };
    total.item::<f64>()
}

#[test]
fn one_engine_shared_by_eight_threads_gives_single_threaded_results() {
    // Expected values: every (variant, constant), each on a fresh engine, one thread.
    let mut want: HashMap<(usize, usize), f64> = HashMap::new();
    for v in 0..VARIANTS {
        for k in 0..CONSTANTS {
            let value = run(&Engine::new(), v, constant(k), 0).expect("single-threaded run");
            want.insert((v, k), value);
        }
    }
    let want = Arc::new(want);
    let seed = seed();
    let engine = Engine::new();
    let barrier = Arc::new(Barrier::new(THREADS));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (e, barrier, failures, want) = (
                engine.clone(),
                barrier.clone(),
                failures.clone(),
                want.clone(),
            );
            std::thread::spawn(move || {
                let mut rng = Rng(seed ^ (t as u64).wrapping_mul(0x1234_5678_9abc_def1));
                for i in 0..ITERATIONS {
                    // Even iterations: one graph for all threads; odd: one each.
                    let (v, k) = if i % 2 == 0 {
                        ((i / 2) % VARIANTS, (i / 10) % CONSTANTS)
                    } else {
                        ((i + t) % VARIANTS, (i + t / 2) % CONSTANTS)
                    };
                    let pre = rng.next();
                    barrier.wait();
                    let expected = want[&(v, k)];
                    let outcome = run(&e, v, constant(k), pre);
                    let ok = matches!(outcome, Ok(g) if (g - expected).abs() <= 1e-12 * expected.abs().max(1.0));
                    if !ok {
                        failures.lock().unwrap().push(format!(
                            "thread {t} iteration {i} variant {v} constant {k} pre {:b}: {outcome:?}, expected {expected}",
                            pre & 7
                        ));
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("a thread panicked");
    }
    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} evaluations failed (seed {seed}); first ones:\n{}",
        failures.len(),
        THREADS * ITERATIONS,
        failures[..failures.len().min(10)].join("\n")
    );
}
