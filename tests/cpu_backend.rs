//! The cpu backend's own contract: kernel cache and counters, compile-once under
//! concurrency, errors (not aborts) from the compiler path, and snapshots of the
//! kernel IR the scheduler produces for canonical graphs.

use mathengine::{Array, Engine, Slice};
use mathengine_ir::kernel::{Inst, Instr, Kernel};
use mathengine_ir::schedule::schedule;
use mathengine_ir::{DType, Error, UnaryOp};
use std::sync::Arc;

fn kernels_text(arrays: &[&Array]) -> String {
    let nodes: Vec<_> = arrays.iter().map(|a| a.node().clone()).collect();
    schedule(&nodes)
        .iter()
        .filter_map(|s| s.kernel().map(|k| k.to_string()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Compare with `tests/snapshots/NAME.txt`; `UPDATE_SNAPSHOTS=1` rewrites it.
fn check_snapshot(name: &str, text: &str) {
    let path = format!("{}/tests/snapshots/{name}.txt", env!("CARGO_MANIFEST_DIR"));
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, text).expect("write snapshot");
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing snapshot {path}; run with UPDATE_SNAPSHOTS=1"));
    assert_eq!(text, want, "kernel IR of '{name}' changed; review, then UPDATE_SNAPSHOTS=1 cargo test --test cpu_backend");
}

#[test]
fn kernel_ir_snapshots() {
    let e = Engine::new();
    let x = e.linspace(-3.0, 3.0, 1 << 10);
    let w4 = x.sin().square() + x.cos() * (-(&x * &x)).exp();
    check_snapshot("w4_one_fused_kernel", &kernels_text(&[&w4]));

    let a = e.from_vec(vec![1.0, 2.0, 3.0], &[3, 1]).expect("a");
    let b = e.from_vec(vec![1.0, 2.0, 3.0, 4.0], &[4]).expect("b");
    check_snapshot("broadcast_add", &kernels_text(&[&(&a + &b)]));

    let m = e
        .reshape(&e.arange(0.0, 12.0, 1.0).expect("arange"), &[3, 4])
        .expect("reshape");
    let s = e.sum(&(&m * &m), Some(&[1]), false).expect("sum");
    check_snapshot("sum_of_squares_axis1", &kernels_text(&[&s]));

    let t = e
        .slice(&m.t(), &[Slice::new(None, None, -1), Slice::range(1, 3)])
        .expect("slice");
    check_snapshot("transpose_then_reversed_slice", &kernels_text(&[&t.exp()]));

    let (sn, cs) = (x.sin(), x.cos());
    check_snapshot("two_outputs_one_kernel", &kernels_text(&[&sn, &cs]));
}

#[test]
fn cache_serves_every_shape_and_constant_once_compiled() {
    let e = Engine::with_backend("cpu").expect("cpu");
    let f = |n: usize, c: f64| {
        let x = e.linspace(0.0, 1.0, n);
        (&x * c + 0.25).exp().to_vec::<f64>().expect("eval")
    };
    let v = f(1000, 2.0);
    assert!((v[999] - (2.25f64).exp()).abs() < 1e-15);
    let before = e.stats();
    // (Axes of length 1 broadcast, so they are part of a kernel's structure: n > 1 here.)
    for (n, c) in [(7, 3.0), (100_003, -1.5), (2, 0.0), (4096, 9.0)] {
        let v = f(n, c);
        assert!((v[n - 1] - (c + 0.25).exp()).abs() < 1e-12 * (c + 0.25).exp().max(1.0));
    }
    let after = e.stats();
    assert_eq!(
        after.kernels_compiled, before.kernels_compiled,
        "a new shape or constant recompiled"
    );
    assert!(after.cache_hits >= before.cache_hits + 4);
}

#[test]
fn threads_evaluating_one_new_kernel_compile_it_once() {
    let e = Engine::with_backend("cpu").expect("cpu");
    // A structure no other test builds: tanh of a cube root of a roll.
    let base = e.stats().kernels_compiled;
    let results: Vec<Vec<f64>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|k| {
                let e = e.clone();
                s.spawn(move || {
                    let x = e.linspace(-2.0, 2.0, 5000 + k);
                    let y = e.roll(&x, 3, Some(0)).expect("roll").cbrt().tanh();
                    let v = y.to_vec::<f64>().expect("eval");
                    v[..5000].to_vec()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let compiled = e.stats().kernels_compiled - base;
    assert_eq!(
        compiled, 1,
        "8 threads compiled the same kernel {compiled} times"
    );
    // Same kernel, different lengths: the first 5000 values differ only through linspace's step.
    for r in &results {
        assert_eq!(r.len(), 5000);
        assert!(r.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn overlapping_graphs_from_many_threads_agree() {
    let e = Engine::with_backend("cpu").expect("cpu");
    let x = e.linspace(-1.0, 1.0, 100_000);
    let shared = (&x * &x).sin();
    let want = e
        .sum(&shared, None, false)
        .expect("sum")
        .item::<f64>()
        .expect("value");
    let got: Vec<f64> = std::thread::scope(|s| {
        (0..8)
            .map(|_| {
                let (e, x) = (e.clone(), x.clone());
                s.spawn(move || {
                    let y = (&x * &x).sin();
                    e.sum(&y, None, false)
                        .expect("sum")
                        .item::<f64>()
                        .expect("value")
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert!(
        got.iter().all(|&g| g.to_bits() == want.to_bits()),
        "{got:?} vs {want}"
    );
}

fn bad_kernel(body: Vec<Instr>, outputs: Vec<u32>, dtype: DType) -> Kernel {
    Kernel {
        body,
        params: vec![],
        inputs: vec![],
        output_dtypes: vec![dtype; outputs.len()],
        outputs,
        reduction: None,
    }
}

#[test]
fn compiler_errors_name_the_kernel_and_do_not_abort() {
    // An operand that refers to a later instruction: invalid SSA.
    let forward = bad_kernel(
        vec![
            Instr {
                inst: Inst::Unary(UnaryOp::Sin, 1),
                dtype: DType::F64,
            },
            Instr {
                inst: Inst::Index,
                dtype: DType::I64,
            },
        ],
        vec![0],
        DType::F64,
    );
    // sin of an integer: no signature allows it.
    let int_sin = bad_kernel(
        vec![
            Instr {
                inst: Inst::Index,
                dtype: DType::I64,
            },
            Instr {
                inst: Inst::Unary(UnaryOp::Sin, 0),
                dtype: DType::I64,
            },
        ],
        vec![1],
        DType::I64,
    );
    for k in [forward, int_sin] {
        let name = k.name();
        match mathengine_codegen::compile(&k) {
            Err(Error::Compile { kernel, .. }) => assert_eq!(kernel, name),
            Err(other) => panic!("expected a compile error, got {other}"),
            Ok(_) => panic!("an invalid kernel compiled"),
        }
    }
    // And through the cache, the error is returned (and cached) without a panic.
    let cache = mathengine_codegen::KernelCache::new(4);
    let k = Arc::new(bad_kernel(
        vec![Instr {
            inst: Inst::ReduceIndex,
            dtype: DType::I64,
        }],
        vec![0],
        DType::I64,
    ));
    assert!(matches!(cache.get(&k), Err(Error::Compile { .. })));
    assert!(matches!(cache.get(&k), Err(Error::Compile { .. })));
}

#[test]
fn lru_cache_stays_bounded() {
    let cache = mathengine_codegen::KernelCache::new(2);
    let mk = |op| {
        Arc::new(bad_kernel(
            vec![
                Instr {
                    inst: Inst::Index,
                    dtype: DType::I64,
                },
                Instr {
                    inst: Inst::Cast(0),
                    dtype: DType::F64,
                },
                Instr {
                    inst: Inst::Unary(op, 1),
                    dtype: DType::F64,
                },
            ],
            vec![2],
            DType::F64,
        ))
    };
    for op in [UnaryOp::Sin, UnaryOp::Cos, UnaryOp::Exp, UnaryOp::Sin] {
        cache.get(&mk(op)).expect("compiles");
    }
    let s = cache.stats();
    assert_eq!(s.entries, 2);
    assert_eq!(
        s.kernels_compiled, 4,
        "sin was evicted by exp and compiled again"
    );
}

#[test]
fn expensive_operands_of_a_concatenation_are_computed_once() {
    // A concatenation evaluates every operand at every output element and selects one;
    // expensive operands are therefore computed first, together, by one kernel.
    let e = Engine::new();
    let x = e.linspace(0.0, 1.0, 1000);
    let parts: Vec<Array> = (1..=4).map(|k| (&x * k as f64).sin().exp()).collect();
    let stacked = e
        .stack(&parts.iter().collect::<Vec<_>>(), -1)
        .expect("stack");
    let steps = schedule(&[stacked.node().clone()]);
    let outputs: Vec<usize> = steps.iter().map(|s| s.outputs.len()).collect();
    assert_eq!(
        outputs,
        [4, 1],
        "one kernel for the four operands, one for the stack"
    );
    let v = stacked.to_vec::<f64>().expect("eval");
    assert_eq!(v[4 * 999 + 2], (3.0f64).sin().exp());
}
