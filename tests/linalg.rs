//! `e.linalg` against independent facts: a naive triple-loop matmul (batched, broadcast,
//! 1-D operands), round trips (A·solve(A, b) == b, Q·R == A, U·diag(S)·Vᴴ == A,
//! L·Lᴴ == A, inv(A)·A == I, A·v == w·v), determinants of known matrices, lstsq against
//! the normal equations solved by Gaussian elimination written here, norms of known
//! values, and bad input (singular, non-square, mismatched, empty).

#[path = "common/random.rs"]
mod random;
use mathengine::linalg::NormOrd;
use mathengine::{Array, Complex64, DType, Engine, Error};
use random::Rng;

fn arr(e: &Engine, v: &[f64], shape: &[usize]) -> Array {
    e.from_slice(v, shape).expect("input array")
}

fn f64s(x: &Array) -> Vec<f64> {
    x.to_vec::<f64>().expect("evaluates")
}

fn c128s(x: &Array) -> Vec<Complex64> {
    x.to_vec::<Complex64>().expect("evaluates")
}

fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let scale = want.iter().map(|v| v.abs()).fold(1.0, f64::max);
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * scale,
            "{what}: element {i}: {g} vs {w}"
        );
    }
}

fn assert_close_c(got: &[Complex64], want: &[Complex64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let scale = want.iter().map(|v| v.norm()).fold(1.0, f64::max);
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).norm() <= tol * scale,
            "{what}: element {i}: {g} vs {w}"
        );
    }
}

/// Row-major strides.
fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// numpy's matmul by the definition: 1-D operands promoted, batch axes broadcast, a
/// triple loop per matrix. Returns the data and the shape.
fn naive_matmul<T>(a: &[T], sa: &[usize], b: &[T], sb: &[usize]) -> (Vec<T>, Vec<usize>)
where
    T: Copy + Default + std::ops::Add<Output = T> + std::ops::Mul<Output = T>,
{
    let sa2: Vec<usize> = if sa.len() == 1 {
        vec![1, sa[0]]
    } else {
        sa.to_vec()
    };
    let sb2: Vec<usize> = if sb.len() == 1 {
        vec![sb[0], 1]
    } else {
        sb.to_vec()
    };
    let (m, k) = (sa2[sa2.len() - 2], sa2[sa2.len() - 1]);
    let n = sb2[sb2.len() - 1];
    let (ba, bb) = (&sa2[..sa2.len() - 2], &sb2[..sb2.len() - 2]);
    let nd = ba.len().max(bb.len());
    let pad = |s: &[usize]| -> Vec<usize> {
        let mut v = vec![1; nd - s.len()];
        v.extend_from_slice(s);
        v
    };
    let (pa, pb) = (pad(ba), pad(bb));
    let batch: Vec<usize> = pa.iter().zip(&pb).map(|(x, y)| *x.max(y)).collect();
    let (sta, stb) = (strides(&pa), strides(&pb));
    let count: usize = batch.iter().product();
    let mut out = Vec::new();
    for idx in 0..count {
        let (mut oa, mut ob, mut rem) = (0, 0, idx);
        for d in (0..nd).rev() {
            let i = rem % batch[d];
            rem /= batch[d];
            if pa[d] > 1 {
                oa += i * sta[d];
            }
            if pb[d] > 1 {
                ob += i * stb[d];
            }
        }
        let (a0, b0) = (oa * m * k, ob * k * n);
        for i in 0..m {
            for j in 0..n {
                let mut acc = T::default();
                for p in 0..k {
                    acc = acc + a[a0 + i * k + p] * b[b0 + p * n + j];
                }
                out.push(acc);
            }
        }
    }
    let mut shape = batch;
    if sa.len() > 1 {
        shape.push(m);
    }
    if sb.len() > 1 {
        shape.push(n);
    }
    (out, shape)
}

/// Conjugate transpose of each n×m matrix... of a stack `[.., m, n]`.
fn adjoint_c(a: &[Complex64], m: usize, n: usize) -> Vec<Complex64> {
    let mut out = Vec::with_capacity(a.len());
    for mat in a.chunks(m * n) {
        for j in 0..n {
            for i in 0..m {
                out.push(mat[i * n + j].conj());
            }
        }
    }
    out
}

fn transpose(a: &[f64], m: usize, n: usize) -> Vec<f64> {
    let cs: Vec<Complex64> = a.iter().map(|&x| Complex64::new(x, 0.0)).collect();
    adjoint_c(&cs, m, n).iter().map(|c| c.re).collect()
}

fn identity(n: usize) -> Vec<f64> {
    (0..n * n)
        .map(|i| if i / n == i % n { 1.0 } else { 0.0 })
        .collect()
}

/// A well-conditioned n×n matrix: random plus n on the diagonal.
fn well_conditioned(rng: &mut Rng, n: usize) -> Vec<f64> {
    let mut a = rng.vec(n * n);
    for i in 0..n {
        a[i * n + i] += n as f64;
    }
    a
}

/// Gaussian elimination with partial pivoting (the test's own, independent solver).
fn gauss_solve(mut a: Vec<f64>, mut b: Vec<f64>, n: usize, k: usize) -> Vec<f64> {
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| a[i * n + c].abs().total_cmp(&a[j * n + c].abs()))
            .expect("rows");
        for j in 0..n {
            a.swap(c * n + j, p * n + j);
        }
        for j in 0..k {
            b.swap(c * k + j, p * k + j);
        }
        for r in c + 1..n {
            let f = a[r * n + c] / a[c * n + c];
            for j in c..n {
                a[r * n + j] -= f * a[c * n + j];
            }
            for j in 0..k {
                b[r * k + j] -= f * b[c * k + j];
            }
        }
    }
    let mut x = vec![0.0; n * k];
    for r in (0..n).rev() {
        for j in 0..k {
            let mut s = b[r * k + j];
            for c in r + 1..n {
                s -= a[r * n + c] * x[c * k + j];
            }
            x[r * k + j] = s / a[r * n + r];
        }
    }
    x
}

#[test]
fn matmul_matches_a_naive_triple_loop() {
    let e = Engine::new();
    let mut rng = Rng(0x9E37_79B9);
    let cases: &[(&[usize], &[usize])] = &[
        (&[3, 4], &[4, 5]),
        (&[1, 1], &[1, 1]),
        (&[2, 3, 4], &[2, 4, 5]),
        (&[3, 1, 2, 4], &[5, 4, 3]),
        (&[4, 3], &[2, 3, 2]),
        (&[4], &[4, 3]),
        (&[3, 4], &[4]),
        (&[4], &[4]),
        (&[4], &[2, 4, 3]),
        (&[2, 3, 4], &[4]),
        (&[17, 33], &[33, 9]),
    ];
    for (sa, sb) in cases {
        let a = rng.vec(sa.iter().product());
        let b = rng.vec(sb.iter().product());
        let got = e
            .linalg
            .matmul(&arr(&e, &a, sa), &arr(&e, &b, sb))
            .expect("matmul");
        let (want, shape) = naive_matmul(&a, sa, &b, sb);
        assert_eq!(got.shape(), &shape[..], "shape of {sa:?} @ {sb:?}");
        assert_close(&f64s(&got), &want, 1e-12, &format!("{sa:?} @ {sb:?}"));
    }
}

#[test]
fn matmul_in_other_dtypes() {
    let e = Engine::new();
    let mut rng = Rng(77);
    // complex128
    let (sa, sb) = ([2, 3, 4], [4, 2]);
    let a = rng.complex(24);
    let b = rng.complex(8);
    let got = e
        .linalg
        .matmul(
            &e.from_slice(&a, &sa).unwrap(),
            &e.from_slice(&b, &sb).unwrap(),
        )
        .unwrap();
    let (want, shape) = naive_matmul(&a, &sa, &b, &sb);
    assert_eq!(got.shape(), &shape[..]);
    assert_close_c(&c128s(&got), &want, 1e-12, "complex128 matmul");
    // float32 stays float32
    let a32: Vec<f32> = rng.vec(6).iter().map(|&x| x as f32).collect();
    let b32: Vec<f32> = rng.vec(6).iter().map(|&x| x as f32).collect();
    let got = e
        .linalg
        .matmul(
            &e.from_slice(&a32, &[2, 3]).unwrap(),
            &e.from_slice(&b32, &[3, 2]).unwrap(),
        )
        .unwrap();
    assert_eq!(got.dtype(), DType::F32);
    let (want, _) = naive_matmul(&a32, &[2, 3], &b32, &[3, 2]);
    let got: Vec<f32> = got.to_vec().unwrap();
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 1e-5, "float32 matmul: {g} vs {w}");
    }
    // integers are promoted to float64
    let ai = e.from_slice(&[1i64, 2, 3, 4], &[2, 2]).unwrap();
    let got = e.linalg.matmul(&ai, &ai).unwrap();
    assert_eq!(got.dtype(), DType::F64);
    assert_eq!(f64s(&got), vec![7.0, 10.0, 15.0, 22.0]);
    // a zero inner dimension gives zeros, as in numpy
    let z = e
        .linalg
        .matmul(&e.zeros(&[2, 0], DType::F64), &e.zeros(&[0, 3], DType::F64))
        .unwrap();
    assert_eq!(z.shape(), &[2, 3]);
    assert_eq!(f64s(&z), vec![0.0; 6]);
}

#[test]
fn dot_is_matmul_for_matrices_and_sums_over_the_right_axes_for_nd() {
    let e = Engine::new();
    let mut rng = Rng(5);
    let a = rng.vec(12);
    let b = rng.vec(20);
    let d = e
        .linalg
        .dot(&arr(&e, &a, &[3, 4]), &arr(&e, &b, &[4, 5]))
        .unwrap();
    let (want, _) = naive_matmul(&a, &[3, 4], &b, &[4, 5]);
    assert_close(&f64s(&d), &want, 1e-12, "dot 2-D");
    // N-D: dot(a, b)[i, j, p, q] = sum_k a[i, j, k] b[p, k, q]
    let (a, b) = (rng.vec(2 * 3 * 4), rng.vec(5 * 4 * 2));
    let d = e
        .linalg
        .dot(&arr(&e, &a, &[2, 3, 4]), &arr(&e, &b, &[5, 4, 2]))
        .unwrap();
    assert_eq!(d.shape(), &[2, 3, 5, 2]);
    let mut want = vec![];
    for ij in 0..6 {
        for p in 0..5 {
            for q in 0..2 {
                want.push(
                    (0..4)
                        .map(|k| a[ij * 4 + k] * b[p * 8 + k * 2 + q])
                        .sum::<f64>(),
                );
            }
        }
    }
    assert_close(&f64s(&d), &want, 1e-12, "dot N-D");
    // 0-d operand: multiplication
    let s = e
        .linalg
        .dot(&e.scalar(2.0), &arr(&e, &[1.0, 2.0], &[2]))
        .unwrap();
    assert_eq!(f64s(&s), vec![2.0, 4.0]);
}

#[test]
fn solve_round_trips() {
    let e = Engine::new();
    let mut rng = Rng(11);
    // matrix right-hand side
    let n = 6;
    let a = well_conditioned(&mut rng, n);
    let b = rng.vec(n * 3);
    let x = e
        .linalg
        .solve(&arr(&e, &a, &[n, n]), &arr(&e, &b, &[n, 3]))
        .unwrap();
    assert_eq!(x.shape(), &[n, 3]);
    let (ax, _) = naive_matmul(&a, &[n, n], &f64s(&x), &[n, 3]);
    assert_close(&ax, &b, 1e-12, "A solve(A, B)");
    // vector right-hand side, batched a
    let a2: Vec<f64> = (0..3).flat_map(|_| well_conditioned(&mut rng, 4)).collect();
    let bv = rng.vec(4);
    let x = e
        .linalg
        .solve(&arr(&e, &a2, &[3, 4, 4]), &arr(&e, &bv, &[4]))
        .unwrap();
    assert_eq!(x.shape(), &[3, 4]);
    let xs = f64s(&x);
    for i in 0..3 {
        let (ax, _) = naive_matmul(
            &a2[i * 16..(i + 1) * 16],
            &[4, 4],
            &xs[i * 4..(i + 1) * 4],
            &[4],
        );
        assert_close(&ax, &bv, 1e-12, "batched A solve(A, b)");
    }
    // batch axes broadcast: a (2, 1, 3, 3), b (4, 3, 2) -> (2, 4, 3, 2)
    let a3: Vec<f64> = (0..2).flat_map(|_| well_conditioned(&mut rng, 3)).collect();
    let b3 = rng.vec(4 * 3 * 2);
    let x = e
        .linalg
        .solve(&arr(&e, &a3, &[2, 1, 3, 3]), &arr(&e, &b3, &[4, 3, 2]))
        .unwrap();
    assert_eq!(x.shape(), &[2, 4, 3, 2]);
    let (ax, _) = naive_matmul(&a3, &[2, 1, 3, 3], &f64s(&x), &[2, 4, 3, 2]);
    let (want, _) = naive_matmul(&identity(3), &[3, 3], &b3, &[4, 3, 2]);
    let want: Vec<f64> = want.iter().cycle().take(want.len() * 2).copied().collect();
    assert_close(&ax, &want, 1e-12, "broadcast A solve(A, B)");
    // complex128
    let mut ac = rng.complex(9);
    for i in 0..3 {
        ac[i * 4] += Complex64::new(3.0, 0.0);
    }
    let bc = rng.complex(3);
    let x = e
        .linalg
        .solve(
            &e.from_slice(&ac, &[3, 3]).unwrap(),
            &e.from_slice(&bc, &[3]).unwrap(),
        )
        .unwrap();
    let (ax, _) = naive_matmul(&ac, &[3, 3], &c128s(&x), &[3]);
    assert_close_c(&ax, &bc, 1e-12, "complex A solve(A, b)");
    // float32
    let a32: Vec<f32> = well_conditioned(&mut rng, 3)
        .iter()
        .map(|&v| v as f32)
        .collect();
    let x = e
        .linalg
        .solve(
            &e.from_slice(&a32, &[3, 3]).unwrap(),
            &e.from_slice(&[1f32, 2.0, 3.0], &[3]).unwrap(),
        )
        .unwrap();
    assert_eq!(x.dtype(), DType::F32);
    let xs: Vec<f32> = x.to_vec().unwrap();
    let (ax, _) = naive_matmul(&a32, &[3, 3], &xs, &[3]);
    for (g, w) in ax.iter().zip([1.0f32, 2.0, 3.0]) {
        assert!((g - w).abs() < 1e-5, "float32 solve: {g} vs {w}");
    }
}

#[test]
fn inv_times_a_is_the_identity() {
    let e = Engine::new();
    let mut rng = Rng(12);
    let a: Vec<f64> = (0..2).flat_map(|_| well_conditioned(&mut rng, 5)).collect();
    let inv = e.linalg.inv(&arr(&e, &a, &[2, 5, 5])).unwrap();
    assert_eq!(inv.shape(), &[2, 5, 5]);
    let (p, _) = naive_matmul(&f64s(&inv), &[2, 5, 5], &a, &[2, 5, 5]);
    let want: Vec<f64> = identity(5).repeat(2);
    assert_close(&p, &want, 1e-12, "inv(A) A");
}

#[test]
fn det_of_known_matrices() {
    let e = Engine::new();
    let det = |v: &[f64], n: usize| f64s(&e.linalg.det(&arr(&e, v, &[n, n])).unwrap())[0];
    assert!((det(&[3.0, 8.0, 4.0, 6.0], 2) - (3.0 * 6.0 - 8.0 * 4.0)).abs() < 1e-12);
    // triangular: the product of the diagonal
    let tri = [2.0, 5.0, -1.0, 0.0, -3.0, 7.0, 0.0, 0.0, 0.5];
    assert!((det(&tri, 3) - (2.0 * -3.0 * 0.5)).abs() < 1e-12);
    let lower = transpose(&tri, 3, 3);
    assert!((det(&lower, 3) - (-3.0)).abs() < 1e-12);
    // permutation matrices: the sign of the permutation
    let swap = [0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0];
    assert!((det(&swap, 3) + 1.0).abs() < 1e-15);
    let cycle = [0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0];
    assert!((det(&cycle, 3) - 1.0).abs() < 1e-15);
    // singular: zero (no error for det)
    assert!(det(&[1.0, 2.0, 2.0, 4.0], 2).abs() < 1e-15);
    // batch: one value per matrix; det(A B) = det(A) det(B) across it
    let d = e
        .linalg
        .det(&arr(
            &e,
            &[2.0, 0.0, 0.0, 3.0, 1.0, 2.0, 3.0, 4.0],
            &[2, 2, 2],
        ))
        .unwrap();
    assert_eq!(d.shape(), &[2]);
    assert_close(&f64s(&d), &[6.0, -2.0], 1e-14, "batched det");
    // complex: det of diag(i, 2) = 2i
    let dc = e
        .linalg
        .det(
            &e.from_slice(
                &[
                    Complex64::new(0.0, 1.0),
                    Complex64::new(0.0, 0.0),
                    Complex64::new(0.0, 0.0),
                    Complex64::new(2.0, 0.0),
                ],
                &[2, 2],
            )
            .unwrap(),
        )
        .unwrap();
    assert_close_c(
        &c128s(&dc),
        &[Complex64::new(0.0, 2.0)],
        1e-15,
        "complex det",
    );
}

#[test]
fn cholesky_factor_times_its_adjoint_is_a() {
    let e = Engine::new();
    let mut rng = Rng(13);
    let n = 5;
    let m = rng.vec(n * n);
    let (mut a, _) = naive_matmul(&m, &[n, n], &transpose(&m, n, n), &[n, n]);
    for i in 0..n {
        a[i * n + i] += 1.0;
    }
    let l = f64s(&e.linalg.cholesky(&arr(&e, &a, &[n, n])).unwrap());
    for i in 0..n {
        for j in i + 1..n {
            assert_eq!(l[i * n + j], 0.0, "L is lower triangular");
        }
    }
    let (llt, _) = naive_matmul(&l, &[n, n], &transpose(&l, n, n), &[n, n]);
    assert_close(&llt, &a, 1e-12, "L Lᵀ");
    // complex Hermitian
    let mc = rng.complex(9);
    let (mut ac, _) = naive_matmul(&mc, &[3, 3], &adjoint_c(&mc, 3, 3), &[3, 3]);
    for i in 0..3 {
        ac[i * 4] += Complex64::new(1.0, 0.0);
    }
    let l = c128s(
        &e.linalg
            .cholesky(&e.from_slice(&ac, &[3, 3]).unwrap())
            .unwrap(),
    );
    let (llh, _) = naive_matmul(&l, &[3, 3], &adjoint_c(&l, 3, 3), &[3, 3]);
    assert_close_c(&llh, &ac, 1e-12, "L Lᴴ");
}

#[test]
fn qr_round_trips_for_tall_wide_and_batched() {
    let e = Engine::new();
    let mut rng = Rng(14);
    for shape in [vec![6, 4], vec![3, 5], vec![4, 4], vec![2, 5, 3]] {
        let (m, n) = (shape[shape.len() - 2], shape[shape.len() - 1]);
        let k = m.min(n);
        let a = rng.vec(shape.iter().product());
        let (q, r) = e.linalg.qr(&arr(&e, &a, &shape)).unwrap();
        let batch = &shape[..shape.len() - 2];
        let mut qs = batch.to_vec();
        qs.extend([m, k]);
        let mut rs = batch.to_vec();
        rs.extend([k, n]);
        assert_eq!(q.shape(), &qs[..]);
        assert_eq!(r.shape(), &rs[..]);
        let (qv, rv) = (f64s(&q), f64s(&r));
        let (qr, _) = naive_matmul(&qv, &qs, &rv, &rs);
        assert_close(&qr, &a, 1e-12, &format!("Q R == A for {shape:?}"));
        let (qtq, _) = naive_matmul(&transpose(&qv, m, k), &[k, m], &qv, &[m, k]);
        let count: usize = batch.iter().product();
        if count == 1 {
            assert_close(&qtq, &identity(k), 1e-12, "QᵀQ == I");
        }
        for (b, rm) in rv.chunks(k * n).enumerate() {
            for i in 0..k {
                for j in 0..i.min(n) {
                    assert_eq!(rm[i * n + j], 0.0, "R upper triangular (matrix {b})");
                }
            }
        }
    }
    // complex: QᴴQ == I
    let a = rng.complex(12);
    let (q, r) = e.linalg.qr(&e.from_slice(&a, &[4, 3]).unwrap()).unwrap();
    let (qv, rv) = (c128s(&q), c128s(&r));
    let (qr, _) = naive_matmul(&qv, &[4, 3], &rv, &[3, 3]);
    assert_close_c(&qr, &a, 1e-12, "complex Q R");
    let (qhq, _) = naive_matmul(&adjoint_c(&qv, 4, 3), &[3, 4], &qv, &[4, 3]);
    let eye: Vec<Complex64> = identity(3)
        .iter()
        .map(|&x| Complex64::new(x, 0.0))
        .collect();
    assert_close_c(&qhq, &eye, 1e-12, "complex QᴴQ");
}

#[test]
fn svd_round_trips() {
    let e = Engine::new();
    let mut rng = Rng(15);
    for (m, n) in [(5, 3), (3, 5), (4, 4)] {
        let k = m.min(n);
        let a = rng.vec(m * n);
        let (u, s, vh) = e.linalg.svd(&arr(&e, &a, &[m, n])).unwrap();
        assert_eq!(
            (u.shape(), s.shape(), vh.shape()),
            (&[m, k][..], &[k][..], &[k, n][..])
        );
        let (uv, sv, vv) = (f64s(&u), f64s(&s), f64s(&vh));
        assert!(
            sv.windows(2).all(|w| w[0] >= w[1]) && sv[k - 1] >= 0.0,
            "S descending: {sv:?}"
        );
        let us: Vec<f64> = uv.iter().enumerate().map(|(i, x)| x * sv[i % k]).collect();
        let (usv, _) = naive_matmul(&us, &[m, k], &vv, &[k, n]);
        assert_close(&usv, &a, 1e-12, &format!("U S Vᴴ == A ({m}x{n})"));
        let (utu, _) = naive_matmul(&transpose(&uv, m, k), &[k, m], &uv, &[m, k]);
        assert_close(&utu, &identity(k), 1e-12, "UᵀU == I");
    }
    // known singular values: diag(3, -4) has 4 and 3
    let (_, s, _) = e
        .linalg
        .svd(&arr(&e, &[3.0, 0.0, 0.0, -4.0], &[2, 2]))
        .unwrap();
    assert_close(
        &f64s(&s),
        &[4.0, 3.0],
        1e-14,
        "singular values of diag(3, -4)",
    );
    // complex, batched: S is real
    let a = rng.complex(2 * 3 * 2);
    let (u, s, vh) = e
        .linalg
        .svd(&e.from_slice(&a, &[2, 3, 2]).unwrap())
        .unwrap();
    assert_eq!(s.dtype(), DType::F64);
    let (uv, sv, vv) = (c128s(&u), f64s(&s), c128s(&vh));
    let us: Vec<Complex64> = uv
        .iter()
        .enumerate()
        .map(|(i, x)| x * sv[(i / 6) * 2 + i % 2])
        .collect();
    let (usv, _) = naive_matmul(&us, &[2, 3, 2], &vv, &[2, 2, 2]);
    assert_close_c(&usv, &a, 1e-12, "complex batched U S Vᴴ");
}

#[test]
fn eigh_satisfies_a_v_equals_w_v() {
    let e = Engine::new();
    let mut rng = Rng(16);
    let n = 5;
    let m = rng.vec(n * n);
    let a: Vec<f64> = (0..n * n).map(|i| m[i] + m[(i % n) * n + i / n]).collect();
    let (w, v) = e.linalg.eigh(&arr(&e, &a, &[n, n])).unwrap();
    let (wv, vv) = (f64s(&w), f64s(&v));
    assert!(wv.windows(2).all(|p| p[0] <= p[1]), "ascending: {wv:?}");
    let (av, _) = naive_matmul(&a, &[n, n], &vv, &[n, n]);
    let vw: Vec<f64> = vv.iter().enumerate().map(|(i, x)| x * wv[i % n]).collect();
    assert_close(&av, &vw, 1e-12, "A V == V diag(w)");
    // known: [[2, 1], [1, 2]] has eigenvalues 1 and 3
    let (w, _) = e
        .linalg
        .eigh(&arr(&e, &[2.0, 1.0, 1.0, 2.0], &[2, 2]))
        .unwrap();
    assert_close(
        &f64s(&w),
        &[1.0, 3.0],
        1e-14,
        "eigenvalues of [[2,1],[1,2]]",
    );
    // complex Hermitian: real eigenvalues, A v == w v
    let mc = rng.complex(9);
    let ah: Vec<Complex64> = (0..9)
        .map(|i| mc[i] + mc[(i % 3) * 3 + i / 3].conj())
        .collect();
    let (w, v) = e.linalg.eigh(&e.from_slice(&ah, &[3, 3]).unwrap()).unwrap();
    assert_eq!(w.dtype(), DType::F64);
    let (wv, vv) = (f64s(&w), c128s(&v));
    let (av, _) = naive_matmul(&ah, &[3, 3], &vv, &[3, 3]);
    let vw: Vec<Complex64> = vv.iter().enumerate().map(|(i, x)| x * wv[i % 3]).collect();
    assert_close_c(&av, &vw, 1e-12, "complex A V == V diag(w)");
}

#[test]
fn lstsq_matches_the_normal_equations() {
    let e = Engine::new();
    let mut rng = Rng(17);
    let (m, n, k) = (40, 5, 2);
    let a = rng.vec(m * n);
    let b = rng.vec(m * k);
    let x = e
        .linalg
        .lstsq(&arr(&e, &a, &[m, n]), &arr(&e, &b, &[m, k]))
        .unwrap();
    assert_eq!(x.shape(), &[n, k]);
    let at = transpose(&a, m, n);
    let (ata, _) = naive_matmul(&at, &[n, m], &a, &[m, n]);
    let (atb, _) = naive_matmul(&at, &[n, m], &b, &[m, k]);
    let want = gauss_solve(ata, atb, n, k);
    assert_close(&f64s(&x), &want, 1e-10, "lstsq vs normal equations");
    // vector b
    let x = e
        .linalg
        .lstsq(&arr(&e, &a, &[m, n]), &arr(&e, &b[..m], &[m]))
        .unwrap();
    assert_eq!(x.shape(), &[n]);
    let (atb1, _) = naive_matmul(&at, &[n, m], &b[..m], &[m]);
    let (ata, _) = naive_matmul(&at, &[n, m], &a, &[m, n]);
    assert_close(
        &f64s(&x),
        &gauss_solve(ata, atb1, n, 1),
        1e-10,
        "lstsq, vector b",
    );
    // an exact fit is recovered: b = A x0
    let x0 = [1.0, -2.0, 0.5, 3.0, 0.0];
    let (b0, _) = naive_matmul(&a, &[m, n], &x0, &[n]);
    let x = e
        .linalg
        .lstsq(&arr(&e, &a, &[m, n]), &arr(&e, &b0, &[m]))
        .unwrap();
    assert_close(&f64s(&x), &x0, 1e-12, "exact fit");
    // wide: the minimum-norm solution of x + y = 2 is (1, 1)
    let x = e
        .linalg
        .lstsq(&arr(&e, &[1.0, 1.0], &[1, 2]), &arr(&e, &[2.0], &[1]))
        .unwrap();
    assert_close(&f64s(&x), &[1.0, 1.0], 1e-12, "minimum-norm solution");
    // rank-deficient tall: duplicate columns share the weight
    let x = e
        .linalg
        .lstsq(
            &arr(&e, &[1.0, 1.0, 1.0, 1.0, 1.0, 1.0], &[3, 2]),
            &arr(&e, &[2.0, 2.0, 2.0], &[3]),
        )
        .unwrap();
    assert_close(&f64s(&x), &[1.0, 1.0], 1e-12, "rank-deficient lstsq");
}

#[test]
fn lstsq_of_a_tall_matrix_matches_the_normal_equations() {
    // Tall enough (2 x 65536 rows for 4 columns) that the rows are reduced in blocks
    // before the final QR; the model is b = A x0 + small noise.
    let e = Engine::new();
    let mut rng = Rng(18);
    let (m, n) = (150_001, 4);
    let a = rng.vec(m * n);
    let x0 = [0.25, -1.0, 2.0, 0.5];
    let (mut b, _) = naive_matmul(&a, &[m, n], &x0, &[n]);
    for v in &mut b {
        *v += 0.01 * rng.next();
    }
    let x = e
        .linalg
        .lstsq(&arr(&e, &a, &[m, n]), &arr(&e, &b, &[m]))
        .unwrap();
    let at = transpose(&a, m, n);
    let (ata, _) = naive_matmul(&at, &[n, m], &a, &[m, n]);
    let (atb, _) = naive_matmul(&at, &[n, m], &b, &[m]);
    assert_close(&f64s(&x), &gauss_solve(ata, atb, n, 1), 1e-10, "tall lstsq");
    assert_close(&f64s(&x), &x0, 1e-3, "tall lstsq recovers the model");
}

#[test]
fn norms_of_known_values() {
    let e = Engine::new();
    let v = arr(&e, &[3.0, -4.0], &[2]);
    let one = |x: Array| f64s(&x)[0];
    assert!((one(e.linalg.norm(&v, None, None).unwrap()) - 5.0).abs() < 1e-15);
    let p = |o: f64| one(e.linalg.norm(&v, Some(NormOrd::P(o)), None).unwrap());
    assert!((p(1.0) - 7.0).abs() < 1e-15);
    assert!((p(f64::INFINITY) - 4.0).abs() < 1e-15);
    assert!((p(f64::NEG_INFINITY) - 3.0).abs() < 1e-15);
    assert!((p(0.0) - 2.0).abs() < 1e-15);
    assert!((p(3.0) - 91f64.cbrt()).abs() < 1e-12);
    // complex vectors use |z|
    let z = e
        .from_slice(&[Complex64::new(3.0, 4.0), Complex64::new(0.0, 0.0)], &[2])
        .unwrap();
    let nz = e.linalg.norm(&z, None, None).unwrap();
    assert_eq!(nz.dtype(), DType::F64);
    assert!((one(nz) - 5.0).abs() < 1e-15);
    // matrices: [[1, -2], [3, 4]]
    let m = arr(&e, &[1.0, -2.0, 3.0, 4.0], &[2, 2]);
    let mo = |o: Option<NormOrd>| one(e.linalg.norm(&m, o, Some(&[0, 1])).unwrap());
    assert!((mo(None) - 30f64.sqrt()).abs() < 1e-14);
    assert!((mo(Some(NormOrd::Fro)) - 30f64.sqrt()).abs() < 1e-14);
    assert!(
        (mo(Some(NormOrd::P(1.0))) - 6.0).abs() < 1e-14,
        "max column sum"
    );
    assert!(
        (mo(Some(NormOrd::P(-1.0))) - 4.0).abs() < 1e-14,
        "min column sum"
    );
    assert!(
        (mo(Some(NormOrd::P(f64::INFINITY))) - 7.0).abs() < 1e-14,
        "max row sum"
    );
    assert!(
        (mo(Some(NormOrd::P(f64::NEG_INFINITY))) - 3.0).abs() < 1e-14,
        "min row sum"
    );
    let d = arr(&e, &[3.0, 0.0, 0.0, -4.0], &[2, 2]);
    let dn = |o: NormOrd| one(e.linalg.norm(&d, Some(o), None).unwrap());
    assert!((dn(NormOrd::P(2.0)) - 4.0).abs() < 1e-14);
    assert!((dn(NormOrd::P(-2.0)) - 3.0).abs() < 1e-14);
    assert!((dn(NormOrd::Nuc) - 7.0).abs() < 1e-14);
    // along one axis of a matrix: row norms
    let rows = e.linalg.norm(&m, None, Some(&[-1])).unwrap();
    assert_close(&f64s(&rows), &[5f64.sqrt(), 5.0], 1e-15, "row norms");
    // bad ord/axes
    assert!(matches!(
        e.linalg.norm(&v, Some(NormOrd::Fro), Some(&[0])),
        Err(Error::Invalid { .. })
    ));
    assert!(e.linalg.norm(&v, None, Some(&[3])).is_err());
}

fn err_text(r: mathengine::Result<Array>) -> (Error, String) {
    let err = match r.and_then(|x| x.eval().map(|_| ())) {
        Ok(()) => panic!("expected an error"),
        Err(err) => err,
    };
    let text = err.to_string();
    (err, text)
}

#[test]
fn singular_matrices_are_errors_not_nans() {
    let e = Engine::new();
    let exact = arr(&e, &[1.0, 2.0, 2.0, 4.0], &[2, 2]);
    // singular only to working precision: LU leaves a pivot of order 1e-16
    let rounding = arr(&e, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], &[3, 3]);
    let b2 = arr(&e, &[1.0, 1.0], &[2]);
    let (err, text) = err_text(e.linalg.solve(&exact, &b2));
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert!(
        text.contains("solve") && text.contains("singular"),
        "{text}"
    );
    let (err, text) = err_text(e.linalg.inv(&rounding));
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert!(text.contains("inv") && text.contains("singular"), "{text}");
    let (_, text) = err_text(e.linalg.inv(&e.zeros(&[3, 3], DType::F64)));
    assert!(text.contains("singular"), "{text}");
    // one singular matrix in a batch fails the batch
    let batch = arr(&e, &[1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0], &[2, 2, 2]);
    let (_, text) = err_text(e.linalg.inv(&batch));
    assert!(text.contains("singular"), "{text}");
    // not positive definite
    let (err, text) = err_text(e.linalg.cholesky(&arr(&e, &[1.0, 2.0, 2.0, 1.0], &[2, 2])));
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert!(text.contains("positive definite"), "{text}");
}

#[test]
fn bad_shapes_are_errors_naming_them() {
    let e = Engine::new();
    let a23 = e.zeros(&[2, 3], DType::F64);
    for (name, r) in [
        ("inv", e.linalg.inv(&a23)),
        ("det", e.linalg.det(&a23)),
        ("cholesky", e.linalg.cholesky(&a23)),
        ("solve", e.linalg.solve(&a23, &e.zeros(&[2], DType::F64))),
    ] {
        let (err, text) = err_text(r);
        assert!(matches!(err, Error::Shape { .. }), "{name}: {err:?}");
        assert!(
            text.contains(name) && text.contains("(2, 3)"),
            "{name}: {text}"
        );
    }
    let (_, text) = err_text(e.linalg.eigh(&a23).map(|p| p.0));
    assert!(text.contains("eigh") && text.contains("(2, 3)"), "{text}");
    // mismatched inner dimensions
    let (err, text) = err_text(e.linalg.matmul(&a23, &e.zeros(&[4, 5], DType::F64)));
    assert!(matches!(err, Error::Shape { .. }), "{err:?}");
    assert!(text.contains("(2, 3)") && text.contains("(4, 5)"), "{text}");
    let (err, _) = err_text(
        e.linalg
            .matmul(&e.zeros(&[3], DType::F64), &e.zeros(&[4], DType::F64)),
    );
    assert!(matches!(err, Error::Shape { .. }));
    // b with the wrong number of rows
    let sq = e.eye(3, 3, 0);
    let (err, text) = err_text(e.linalg.solve(&sq, &e.zeros(&[4, 1], DType::F64)));
    assert!(matches!(err, Error::Shape { .. }), "{err:?}");
    assert!(text.contains("(4, 1)"), "{text}");
    let (_, text) = err_text(e.linalg.lstsq(&a23, &e.zeros(&[3], DType::F64)));
    assert!(text.contains("rows"), "{text}");
    // batch axes that do not broadcast
    let (err, _) = err_text(e.linalg.matmul(
        &e.zeros(&[2, 2, 2], DType::F64),
        &e.zeros(&[3, 2, 2], DType::F64),
    ));
    assert!(matches!(err, Error::Broadcast { .. }), "{err:?}");
    // fewer than two axes, and 0-d in matmul
    let v = e.zeros(&[3], DType::F64);
    let (_, text) = err_text(e.linalg.inv(&v));
    assert!(
        text.contains("at least 2 dimensions") && text.contains("(3,)"),
        "{text}"
    );
    assert!(e.linalg.matmul(&e.scalar(1.0), &v).is_err());
    // empty matrices
    for (name, r) in [
        ("inv", e.linalg.inv(&e.zeros(&[0, 0], DType::F64))),
        ("det", e.linalg.det(&e.zeros(&[2, 0, 0], DType::F64))),
        (
            "qr",
            e.linalg.qr(&e.zeros(&[0, 3], DType::F64)).map(|p| p.0),
        ),
        (
            "svd",
            e.linalg.svd(&e.zeros(&[3, 0], DType::F64)).map(|p| p.0),
        ),
        (
            "lstsq",
            e.linalg
                .lstsq(&e.zeros(&[0, 2], DType::F64), &e.zeros(&[0], DType::F64)),
        ),
    ] {
        let (err, text) = err_text(r);
        assert!(matches!(err, Error::Invalid { .. }), "{name}: {err:?}");
        assert!(
            text.contains(name) && text.contains("empty"),
            "{name}: {text}"
        );
    }
}

#[test]
fn results_stay_lazy_and_fuse_with_what_follows() {
    // Library results are ordinary lazy arrays: arithmetic on them (and on views of a
    // packed decomposition) works and is evaluated together.
    let e = Engine::new();
    let a = arr(&e, &[4.0, 1.0, 1.0, 3.0], &[2, 2]);
    let (q, r) = e.linalg.qr(&a).unwrap();
    let back = e.linalg.matmul(&q, &r).unwrap();
    let diff = e.sub(&back, &a).unwrap();
    let n = e.linalg.norm(&diff, None, None).unwrap();
    assert!(f64s(&n)[0] < 1e-14);
    let x = e.linalg.solve(&a, &arr(&e, &[1.0, 2.0], &[2])).unwrap();
    let twice = &x * 2.0;
    let (ax, _) = naive_matmul(&[4.0, 1.0, 1.0, 3.0], &[2, 2], &f64s(&twice), &[2]);
    assert_close(&ax, &[2.0, 4.0], 1e-14, "2 solve(A, b)");
}
