//! Linear algebra on the CPU with faer: one call per matrix of a batch (the leading axes),
//! results packed as the `LibraryOp` documents say (Q then R, U then S then Vᴴ,
//! eigenvalues then eigenvectors, each row-major, along the last axis).
//!
//! Matrices are read in place as row-major faer views; results are written straight into
//! the output buffer. A batch of many small matrices runs in parallel over matrices (each
//! one sequential inside); large matrices run one after another with faer's own
//! parallelism on the current rayon pool (`Par::rayon(0)`, i.e. rayon's thread count).
//!
//! Singularity: `solve` and `inv` factor with partial-pivoting LU and refuse a matrix
//! whose smallest pivot is at most `max(m, n) * eps * max|a_ij|` (numpy's `matrix_rank`
//! tolerance, applied to the pivots): such a matrix is singular to working precision and
//! any "solution" would be noise or NaN. `lstsq` uses Householder QR and falls back to
//! the SVD (minimum-norm solution, numpy's default cutoff) when the matrix is
//! rank-deficient or wide.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::householder::{
    apply_block_householder_sequence_transpose_on_the_left_in_place_scratch,
    apply_block_householder_sequence_transpose_on_the_left_in_place_with_conj,
};
use faer::linalg::matmul::matmul;
use faer::linalg::qr::no_pivoting::factor::{
    qr_in_place, qr_in_place_scratch, recommended_block_size,
};
use faer::linalg::solvers::{
    DenseSolveCore, Llt, PartialPivLu, Qr, SelfAdjointEigen, Solve, SolveLstsq, Svd,
};
use faer::traits::ComplexField;
use faer::{Accum, Conj, Mat, MatMut, MatRef, Par, Side};
use mathengine_ir::schedule::LibraryCall;
use mathengine_ir::{DeviceBuffer, Error, HostBuffer, LibraryOp, Result};
use num_complex::Complex;
use rayon::prelude::*;

/// Matrices of at most this many flops (roughly) in a batch run in parallel over the
/// batch, each sequential; larger ones use faer's parallelism one at a time.
const SMALL_WORK: usize = 1 << 18;
/// Rows of a tall least-squares problem are reduced in blocks of about this many
/// elements (2 MiB of f64: a block stays in cache while it is factored).
const TSQR_BLOCK: usize = 1 << 18;

/// The element types faer factors for us: f32, f64, complex64, complex128.
trait Elem:
    ComplexField
    + Copy
    + Send
    + Sync
    + 'static
    + std::ops::Mul<Output = Self>
    + std::ops::MulAssign
    + std::ops::Neg<Output = Self>
{
    /// Machine epsilon of the real type.
    const EPS: f64;
    /// |x| as f64.
    fn mag(self) -> f64;
    /// A real value in this type.
    fn from_real(x: f64) -> Self;
    /// The data of a buffer of this type.
    fn data(b: &HostBuffer) -> Option<&[Self]>;
    /// A buffer holding `v`.
    fn buffer(v: Vec<Self>) -> HostBuffer;
}

macro_rules! elem {
    ($t:ty, $variant:ident, $eps:expr, |$x:ident| $mag:expr, |$r:ident| $from:expr) => {
        impl Elem for $t {
            const EPS: f64 = $eps;
            fn mag(self) -> f64 {
                let $x = self;
                $mag
            }
            fn from_real($r: f64) -> Self {
                $from
            }
            fn data(b: &HostBuffer) -> Option<&[Self]> {
                match b {
                    HostBuffer::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn buffer(v: Vec<Self>) -> HostBuffer {
                HostBuffer::$variant(v)
            }
        }
    };
}
elem!(f64, F64, f64::EPSILON, |x| x.abs(), |r| r);
elem!(f32, F32, f32::EPSILON as f64, |x| x.abs() as f64, |r| r
    as f32);
elem!(Complex<f64>, C128, f64::EPSILON, |x| x.norm(), |r| {
    Complex::new(r, 0.0)
});
elem!(
    Complex<f32>,
    C64,
    f32::EPSILON as f64,
    |x| x.norm() as f64,
    |r| Complex::new(r as f32, 0.0)
);

/// Run a linear-algebra library operation on host operands.
pub fn run(call: &LibraryCall, inputs: &[&HostBuffer]) -> Result<HostBuffer> {
    let op = call.op.name();
    let first = inputs
        .first()
        .ok_or_else(|| Error::invalid(op, "internal: no operands given"))?;
    match first {
        HostBuffer::F64(_) => run_typed::<f64>(call, inputs),
        HostBuffer::F32(_) => run_typed::<f32>(call, inputs),
        HostBuffer::C128(_) => run_typed::<Complex<f64>>(call, inputs),
        HostBuffer::C64(_) => run_typed::<Complex<f32>>(call, inputs),
        other => Err(Error::dtype(
            op,
            other.dtype(),
            "linear algebra kernels take float32, float64, complex64 or complex128; convert with astype",
        )),
    }
}

/// The last two axes of `shape` (rows, columns) and the batch size before them.
fn matrix_dims(op: &str, shape: &[usize]) -> Result<(usize, usize, usize)> {
    match shape {
        [batch @ .., m, n] => Ok((batch.iter().product(), *m, *n)),
        _ => Err(Error::invalid(
            op,
            format!(
                "internal: operand of shape {} has fewer than 2 axes",
                mathengine_ir::error::fmt_shape(shape)
            ),
        )),
    }
}

fn run_typed<T: Elem>(call: &LibraryCall, inputs: &[&HostBuffer]) -> Result<HostBuffer> {
    let op = call.op.name();
    let data = inputs
        .iter()
        .map(|b| {
            T::data(b).ok_or_else(|| {
                Error::dtype(
                    op,
                    b.dtype(),
                    "all operands of one linear-algebra step must have the same dtype",
                )
            })
        })
        .collect::<Result<Vec<&[T]>>>()?;
    let expected = match call.op {
        LibraryOp::MatMul | LibraryOp::Solve | LibraryOp::Lstsq => 2,
        _ => 1,
    };
    if data.len() != expected || call.input_shapes.len() != expected {
        return Err(Error::invalid(
            op,
            format!(
                "internal: {} operands given, {expected} expected",
                data.len()
            ),
        ));
    }
    let (batch, m, n) = matrix_dims(op, &call.input_shapes[0])?;
    let (m2, k) = if expected == 2 {
        let (b2, m2, k) = matrix_dims(op, &call.input_shapes[1])?;
        if b2 != batch {
            return Err(Error::invalid(
                op,
                "internal: operands have different batch sizes; broadcast them first",
            ));
        }
        (m2, k)
    } else {
        (0, 0)
    };
    let out_len = mathengine_ir::shape::checked_numel(&call.output_shape)
        .ok_or_else(|| Error::internal(op, "the result's element count overflows"))?;
    let a = data[0];
    let b = data.get(1).copied().unwrap_or(&[]);
    if a.len() != batch * m * n || b.len() != batch * m2 * k {
        return Err(Error::invalid(
            op,
            "internal: operand buffers do not match their shapes",
        ));
    }
    let work = match call.op {
        LibraryOp::MatMul => m * n * k,
        _ => m * n * n.max(k).max(m).max(1),
    };
    let a_of = |i: usize| MatRef::from_row_major_slice(&a[i * m * n..(i + 1) * m * n], m, n);
    let b_of = |i: usize| MatRef::from_row_major_slice(&b[i * m2 * k..(i + 1) * m2 * k], m2, k);
    let out = match call.op {
        LibraryOp::MatMul => {
            if n != m2 {
                return Err(Error::Shape {
                    op: op.into(),
                    got: call.input_shapes[1].to_vec(),
                    expected: vec![n, k],
                    hint: "inner dimensions differ".into(),
                });
            }
            let small = batch > 1 && work <= SMALL_WORK;
            let par = if small { Par::Seq } else { Par::rayon(0) };
            batched(op, batch, out_len, work, |i, out| {
                let dst = MatMut::from_row_major_slice_mut(out, m, k);
                matmul(
                    dst,
                    Accum::Replace,
                    a_of(i),
                    b_of(i),
                    T::from_real(1.0),
                    par,
                );
                Ok(())
            })?
        }
        LibraryOp::Solve => batched(op, batch, out_len, work, |i, out| {
            let lu = lu_checked(op, a_of(i))?;
            let mut x = MatMut::from_row_major_slice_mut(out, n, k);
            x.copy_from(b_of(i));
            lu.solve_in_place(x);
            Ok(())
        })?,
        LibraryOp::Inv => batched(op, batch, out_len, work, |i, out| {
            let lu = lu_checked(op, a_of(i))?;
            MatMut::from_row_major_slice_mut(out, n, n).copy_from(lu.inverse());
            Ok(())
        })?,
        LibraryOp::Det => batched(op, batch, out_len, work, |i, out| {
            out[0] = det(a_of(i));
            Ok(())
        })?,
        LibraryOp::Cholesky => batched(op, batch, out_len, work, |i, out| {
            let llt = Llt::new(a_of(i), Side::Lower).map_err(|e| {
                Error::invalid(
                    op,
                    format!(
                        "matrix {i} of the batch is not positive definite ({e:?}); \
                         cholesky needs a Hermitian positive-definite matrix"
                    ),
                )
            })?;
            MatMut::from_row_major_slice_mut(out, n, n).copy_from(llt.L());
            Ok(())
        })?,
        LibraryOp::Qr => {
            let r = m.min(n);
            batched(op, batch, out_len, work, |i, out| {
                let qr = Qr::new(a_of(i));
                let (q_out, r_out) = out.split_at_mut(m * r);
                MatMut::from_row_major_slice_mut(q_out, m, r).copy_from(qr.compute_thin_Q());
                MatMut::from_row_major_slice_mut(r_out, r, n).copy_from(qr.thin_R());
                Ok(())
            })?
        }
        LibraryOp::Svd => {
            let r = m.min(n);
            batched(op, batch, out_len, work, |i, out| {
                let svd = Svd::new_thin(a_of(i)).map_err(|e| no_convergence(op, i, e))?;
                let (u_out, rest) = out.split_at_mut(m * r);
                let (s_out, vh_out) = rest.split_at_mut(r);
                MatMut::from_row_major_slice_mut(u_out, m, r).copy_from(svd.U());
                for (j, s) in s_out.iter_mut().enumerate() {
                    *s = *svd.S().column_vector().get(j);
                }
                MatMut::from_row_major_slice_mut(vh_out, r, n).copy_from(svd.V().adjoint());
                Ok(())
            })?
        }
        LibraryOp::Eigh => batched(op, batch, out_len, work, |i, out| {
            let evd = SelfAdjointEigen::new(a_of(i), Side::Lower)
                .map_err(|e| no_convergence(op, i, e))?;
            let (w_out, v_out) = out.split_at_mut(n);
            for (j, w) in w_out.iter_mut().enumerate() {
                *w = *evd.S().column_vector().get(j);
            }
            MatMut::from_row_major_slice_mut(v_out, n, n).copy_from(evd.U());
            Ok(())
        })?,
        LibraryOp::Lstsq => batched(op, batch, out_len, work, |i, out| {
            let x = MatMut::from_row_major_slice_mut(out, n, k);
            lstsq(op, i, a_of(i), b_of(i), x)
        })?,
        _ => {
            return Err(Error::internal(
                op,
                "only linear-algebra operations run in cpu_linalg (FFTs run in cpu_fft)",
            ))
        }
    };
    Ok(T::buffer(out))
}

/// Run `f(i, out_i)` for each matrix `i` of the batch, `out_i` its part of a zeroed output
/// of `out_len` elements; in parallel over the batch when the matrices are small.
fn batched<T: Elem>(
    op: &str,
    batch: usize,
    out_len: usize,
    work: usize,
    f: impl Fn(usize, &mut [T]) -> Result<()> + Sync,
) -> Result<Vec<T>> {
    let mut out: Vec<T> = mathengine_ir::buffer::try_with_capacity(op, "the result", out_len)?;
    out.resize(out_len, T::from_real(0.0));
    if batch == 0 || out_len == 0 {
        return Ok(out);
    }
    if !out_len.is_multiple_of(batch) {
        return Err(Error::invalid(
            op,
            "internal: output size is not a multiple of the batch size",
        ));
    }
    let per = out_len / batch;
    if batch > 1 && work <= SMALL_WORK {
        out.par_chunks_mut(per)
            .enumerate()
            .try_for_each(|(i, o)| f(i, o))?;
    } else {
        for (i, o) in out.chunks_mut(per).enumerate() {
            f(i, o)?;
        }
    }
    Ok(out)
}

fn no_convergence(op: &str, i: usize, e: impl std::fmt::Debug) -> Error {
    Error::invalid(
        op,
        format!(
            "the iteration did not converge for matrix {i} of the batch ({e:?}); \
             check the input for NaN or Inf"
        ),
    )
}

/// Largest |a_ij| (NaN if any entry is NaN).
fn max_abs<T: Elem>(a: MatRef<'_, T>) -> f64 {
    let mut amax = 0.0f64;
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            let v = a.get(i, j).mag();
            if v.is_nan() {
                return f64::NAN;
            }
            amax = amax.max(v);
        }
    }
    amax
}

/// Partial-pivoting LU of a square matrix, refusing one that is singular to working
/// precision (a pivot at most `n * eps * max|a_ij|`).
fn lu_checked<T: Elem>(op: &str, a: MatRef<'_, T>) -> Result<PartialPivLu<T>> {
    let n = a.nrows();
    let amax = max_abs(a);
    let lu = PartialPivLu::new(a);
    if !amax.is_finite() {
        // NaN or Inf in the input: numpy propagates them; so do we.
        return Ok(lu);
    }
    let tol = n as f64 * T::EPS * amax;
    let u = lu.U();
    for p in 0..n {
        let v = u.get(p, p).mag();
        if v <= tol {
            return Err(Error::invalid(
                op,
                format!(
                    "the {n}x{n} matrix is singular (LU pivot {p} is {v:e}, at most the \
                     tolerance n*eps*max|a| = {tol:e}); {op} needs a non-singular matrix \
                     — use lstsq or pinv for a singular or rank-deficient system"
                ),
            ));
        }
    }
    Ok(lu)
}

/// Determinant: product of the LU pivots times the sign of the row permutation.
fn det<T: Elem>(a: MatRef<'_, T>) -> T {
    let n = a.nrows();
    if n == 0 {
        return T::from_real(1.0);
    }
    let lu = PartialPivLu::new(a);
    let u = lu.U();
    let mut d = T::from_real(1.0);
    for p in 0..n {
        d *= *u.get(p, p);
    }
    // Parity of the permutation: n minus the number of cycles.
    let (fwd, _) = lu.P().arrays();
    let mut seen = vec![false; n];
    let mut swaps = 0usize;
    for start in 0..n {
        let mut j = start;
        let mut len = 0usize;
        while !seen[j] {
            seen[j] = true;
            j = fwd[j];
            len += 1;
        }
        swaps += len.saturating_sub(1);
    }
    if swaps % 2 == 1 {
        -d
    } else {
        d
    }
}

/// TSQR's first level: split the rows of the tall `a` (m×n) and `b` (m×k) into blocks of
/// at least `block_rows` (>= n) rows, factor each block with Householder QR, a_j = Q_j R_j,
/// and return the stacked R_j (n×n each) and the first n rows of Q_jᴴ b_j. Since the
/// Q_j have orthonormal columns, |a x - b|² = |R x - c|² + a constant, so both systems
/// have the same least-squares (and minimum-norm) solutions.
fn tsqr_reduce<T: Elem>(a: MatRef<'_, T>, b: MatRef<'_, T>, block_rows: usize) -> (Mat<T>, Mat<T>) {
    let (m, n, k) = (a.nrows(), a.ncols(), b.ncols());
    let blocks = (m / block_rows).max(1);
    let parts: Vec<(Mat<T>, Mat<T>)> = (0..blocks)
        .into_par_iter()
        .map(|j| {
            let (r0, r1) = (j * m / blocks, (j + 1) * m / blocks);
            let len = r1 - r0;
            let mut qr = a.subrows(r0, len).to_owned();
            let mut rhs = b.subrows(r0, len).to_owned();
            let bs = recommended_block_size::<T>(len, n);
            let mut coeff = Mat::<T>::zeros(bs, n);
            let mut mem = MemBuffer::new(qr_in_place_scratch::<T>(
                len,
                n,
                bs,
                Par::Seq,
                Default::default(),
            ));
            qr_in_place(
                qr.as_mut(),
                coeff.as_mut(),
                Par::Seq,
                MemStack::new(&mut mem),
                Default::default(),
            );
            let mut mem = MemBuffer::new(
                apply_block_householder_sequence_transpose_on_the_left_in_place_scratch::<T>(
                    len, bs, k,
                ),
            );
            apply_block_householder_sequence_transpose_on_the_left_in_place_with_conj(
                qr.as_ref(),
                coeff.as_ref(),
                Conj::Yes,
                rhs.as_mut(),
                Par::Seq,
                MemStack::new(&mut mem),
            );
            let r = Mat::from_fn(n, n, |p, q| {
                if p <= q {
                    *qr.get(p, q)
                } else {
                    T::from_real(0.0)
                }
            });
            (r, rhs.get(..n, ..).to_owned())
        })
        .collect();
    let mut r = Mat::<T>::zeros(blocks * n, n);
    let mut c = Mat::<T>::zeros(blocks * n, k);
    for (j, (rj, cj)) in parts.iter().enumerate() {
        r.as_mut().subrows_mut(j * n, n).copy_from(rj);
        c.as_mut().subrows_mut(j * n, n).copy_from(cj);
    }
    (r, c)
}

/// Least squares `argmin |a x - b|` into `x` (n×k): Householder QR when `a` is tall and of
/// full rank, otherwise the SVD's minimum-norm solution with numpy's default cutoff
/// (singular values below `max(m, n) * eps * s_max` are treated as zero).
fn lstsq<T: Elem>(
    op: &str,
    i: usize,
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    mut x: MatMut<'_, T>,
) -> Result<()> {
    let (m, n) = (a.nrows(), a.ncols());
    let k = b.ncols();
    let tol_factor = m.max(n) as f64 * T::EPS;
    let block_rows = (TSQR_BLOCK / n.max(1)).max(2 * n);
    if m >= 2 * block_rows {
        // Tall: reduce each block of rows to its R and Qᴴb first (in parallel, in
        // cache); the stacked problem has the same minimisers as the original one.
        let (r, c) = tsqr_reduce(a, b, block_rows);
        return lstsq(op, i, r.as_ref(), c.as_ref(), x);
    }
    if m >= n {
        let qr = Qr::new(a);
        let r = qr.thin_R();
        let rmax = (0..n).map(|p| r.get(p, p).mag()).fold(0.0f64, f64::max);
        let full_rank = (0..n).all(|p| r.get(p, p).mag() > tol_factor * rmax);
        if full_rank || !rmax.is_finite() {
            let mut rhs = b.to_owned();
            qr.solve_lstsq_in_place(rhs.as_mut());
            x.copy_from(rhs.get(..n, ..));
            return Ok(());
        }
    }
    let svd = Svd::new_thin(a).map_err(|e| no_convergence(op, i, e))?;
    let r = m.min(n);
    let s = svd.S().column_vector();
    let smax = (0..r).map(|j| s.get(j).mag()).fold(0.0f64, f64::max);
    let cutoff = tol_factor * smax;
    // y = diag(1/s) Uᴴ b with the small singular values dropped, then x = V y.
    let mut y = Mat::<T>::zeros(r, k);
    matmul(
        y.as_mut(),
        Accum::Replace,
        svd.U().adjoint(),
        b,
        T::from_real(1.0),
        Par::rayon(0),
    );
    for j in 0..r {
        let sj = s.get(j).mag();
        let scale = T::from_real(if sj > cutoff { 1.0 / sj } else { 0.0 });
        for c in 0..k {
            let v = *y.get(j, c);
            *y.get_mut(j, c) = v * scale;
        }
    }
    matmul(
        x,
        Accum::Replace,
        svd.V(),
        y.as_ref(),
        T::from_real(1.0),
        Par::rayon(0),
    );
    Ok(())
}
