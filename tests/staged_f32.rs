//! Fused float32 kernels with sin/cos/exp/log/tanh run in stages (the functions' operands
//! by a JIT kernel into scratch, the functions by the wide loops, the rest by a second
//! JIT kernel; src/backend/cpu_staged.rs) once they have 4096 elements or more:
//! bit for bit against the unstaged JIT (the same graphs on chunks of 2000 elements,
//! which run below that size), at lengths around the stages' 2048-element blocks and
//! 16384-element tasks, for one and several stages (a function of a function), several
//! outputs, functions that are outputs themselves, float64 around float32 functions; and
//! with broadcast operands against the reference interpreter. `MATHENGINE_FRESH_SEED=1`
//! draws new values.

#[path = "common/random.rs"]
mod random;
use mathengine::{Array, DType, Engine};

type Graph = fn(&Engine, &Array, &Array) -> Vec<Array>;

fn graphs() -> Vec<(&'static str, Graph)> {
    vec![
        ("w4", |_, x, _| {
            vec![x.sin().square() + x.cos() * (-(x * x)).exp()]
        }),
        ("log_abs", |e, x, _| {
            vec![e.log(&e.abs(x).unwrap()).unwrap()]
        }),
        ("sin_of_cos", |e, x, y| {
            vec![e.tanh(&(x.cos().sin() * y)).unwrap() + 1.0]
        }),
        ("function_is_output", |_, x, y| {
            let s = x.sin();
            vec![s.clone(), &s * y, (y * 0.5).exp()]
        }),
        ("through_f64", |_, x, y| {
            let wide = x.astype(DType::F64) * 3.0;
            vec![(wide.astype(DType::F32).exp() + y).astype(DType::F64) * 2.0]
        }),
        ("arctan2_chain", |e, x, y| {
            let t = e.arctan2(&(x * 2.0), &(y + 0.5)).unwrap();
            vec![t.cos() * (y * y).exp() + t]
        }),
        ("shared_operand", |e, x, y| {
            let a = x * y + 1.0;
            vec![a.sin() - a.cos() + e.log(&(a.square() + 1.0)).unwrap()]
        }),
    ]
}

/// Values in [-3, 3) as float32, `n` of them.
fn input(e: &Engine, xs: &[f64]) -> Array {
    let v: Vec<f32> = xs.iter().map(|&x| (x * 3.0) as f32).collect();
    e.from_vec(v, &[xs.len()]).unwrap()
}

/// Every output of `g` as f64 values (f32 outputs widened exactly).
fn values(e: &Engine, outs: Vec<Array>) -> Vec<Vec<f64>> {
    e.eval_all(&outs.iter().collect::<Vec<_>>()).unwrap();
    outs.iter()
        .map(|a| match a.dtype() {
            DType::F32 => a
                .to_vec::<f32>()
                .unwrap()
                .into_iter()
                .map(f64::from)
                .collect(),
            _ => a.to_vec::<f64>().unwrap(),
        })
        .collect()
}

#[test]
fn staged_kernels_match_the_unstaged_jit() {
    let e = Engine::with_backend("cpu").expect("cpu backend");
    let seed = random::seed("staged_f32", 0x57a6_ed32);
    for n in [4096, 4097, 6143, 16383, 16384, 16385, 50_001] {
        let xs = random::values(n, seed ^ n as u64);
        let ys = random::values(n, !seed ^ n as u64);
        for (name, g) in graphs() {
            let staged = values(&e, g(&e, &input(&e, &xs), &input(&e, &ys)));
            let mut jit = vec![Vec::new(); staged.len()];
            for (cx, cy) in xs.chunks(2000).zip(ys.chunks(2000)) {
                let part = values(&e, g(&e, &input(&e, cx), &input(&e, cy)));
                for (all, p) in jit.iter_mut().zip(part) {
                    all.extend(p);
                }
            }
            for (k, (a, b)) in staged.iter().zip(&jit).enumerate() {
                for i in 0..n {
                    let same = a[i].to_bits() == b[i].to_bits() || (a[i].is_nan() && b[i].is_nan());
                    // The JIT's scalar tail (the last n % 8) may call libm: an ulp apart.
                    let tail_ok =
                        i >= n - n % 8 && (a[i] - b[i]).abs() <= 1e-6 * (1.0 + b[i].abs());
                    assert!(
                        same || tail_ok,
                        "{name} output {k} at {i} of {n}: staged {:e}, jit {:e}",
                        a[i],
                        b[i]
                    );
                }
            }
        }
    }
}

#[test]
fn staged_kernels_with_broadcast_operands_match_the_interpreter() {
    let cpu = Engine::with_backend("cpu").expect("cpu backend");
    let reference = Engine::with_backend("reference").expect("reference backend");
    let seed = random::seed("staged_f32_broadcast", 0xb40a_dca5);
    let (rows, cols) = (97, 211);
    let run = |e: &Engine| {
        let col = e
            .reshape(&input(e, &random::values(rows, seed)), &[rows as isize, 1])
            .unwrap();
        let row = e
            .reshape(
                &input(e, &random::values(cols, seed + 1)),
                &[1, cols as isize],
            )
            .unwrap();
        let r2 = &col * &col + &row * &row;
        let out = r2.sin() * (-&r2).exp() + e.tanh(&(&col - &row)).unwrap();
        values(e, vec![out]).remove(0)
    };
    let (got, want) = (run(&cpu), run(&reference));
    assert_eq!(got.len(), rows * cols);
    for i in 0..got.len() {
        // f32 functions within an ulp or two of libm's, through a few more f32 operations.
        assert!(
            (got[i] - want[i]).abs() <= 4e-6 * (1.0 + want[i].abs()),
            "element {i}: cpu {:e}, interpreter {:e}",
            got[i],
            want[i]
        );
    }
}

/// A kernel with more float32 functions than the staged runner takes (one expression
/// summing sin of 200 shifted operands) runs unstaged, with the right values.
#[test]
fn many_functions_keep_the_plain_kernel() {
    let e = Engine::with_backend("cpu").expect("cpu backend");
    let n = 5000;
    let xs = random::values(n, 11);
    let x = input(&e, &xs);
    let mut acc = x.sin();
    for k in 1..200 {
        acc = acc + (&x + k as f64 * 0.01).sin();
    }
    let got = values(&e, vec![acc]).remove(0);
    for i in (0..n).step_by(97) {
        let xi = (xs[i] * 3.0) as f32;
        let mut want = xi.sin();
        for k in 1..200 {
            want += (xi + (k as f64 * 0.01) as f32).sin();
        }
        assert!(
            (got[i] - want as f64).abs() <= 1e-3,
            "element {i}: {} vs {want}",
            got[i]
        );
    }
}
