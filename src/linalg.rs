//! `e.linalg`: numpy's linear algebra on lazy arrays, run as library steps (faer on the
//! CPU). Operands are materialised by the kernels that produce them; results are lazy
//! arrays again, so what follows fuses.
//!
//! Every function works on stacks of matrices (the last two axes; leading axes are the
//! batch, broadcast as numpy broadcasts them). Integer and bool inputs are promoted to
//! float64; float32, float64, complex64 and complex128 are computed in their own type.
//! Decompositions with several results (qr, svd, eigh) run as one library step whose
//! result packs the parts along its last axis; the parts returned here are lazy views.
//!
//! Errors, not NaNs: a singular matrix in `solve`/`inv` (singular to working precision,
//! see `backend::cpu_linalg`) and a matrix that is not positive definite in `cholesky` are
//! `Error::Invalid` when the result is evaluated; non-square, empty or too-low-dimensional
//! operands and mismatched inner dimensions are errors when the call is made.

use crate::array::Array;
use crate::engine::{Engine, Inner};
use crate::ops::shape::Slice;
use mathengine_ir::error::fmt_shape;
use mathengine_ir::graph::LibraryOp;
use mathengine_ir::{shape, DType, Error, Op, Result, Shape};
use std::sync::Arc;

/// numpy's `ord=` of `norm`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NormOrd {
    /// Frobenius norm of matrices: sqrt of the sum of |a_ij|² (the default for matrices).
    Fro,
    /// Nuclear norm of matrices: the sum of the singular values.
    Nuc,
    /// A number: for vectors `sum(|x|^p)^(1/p)` (inf: max |x|, -inf: min |x|, 0: count of
    /// non-zeros); for matrices 1/-1 (max/min column sum of |a|), inf/-inf (max/min row
    /// sum) and 2/-2 (largest/smallest singular value).
    P(f64),
}

/// The `e.linalg` namespace.
#[derive(Clone)]
pub struct Linalg {
    inner: Arc<Inner>,
}

/// Shape of a matrix stack: batch axes and the matrix's rows and columns.
struct Dims {
    batch: Vec<usize>,
    m: usize,
    n: usize,
}

impl Dims {
    fn with(&self, tail: &[usize]) -> Vec<usize> {
        let mut s = self.batch.clone();
        s.extend_from_slice(tail);
        s
    }
}

fn reshape(e: &Engine, x: &Array, shape: &[usize]) -> Result<Array> {
    let s: Vec<isize> = shape.iter().map(|&d| d as isize).collect();
    e.reshape(x, &s)
}

impl Linalg {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Linalg { inner }
    }

    /// The engine this namespace builds graphs in.
    pub fn engine(&self) -> Engine {
        Engine::from_inner(self.inner.clone())
    }

    /// The library node `op` of `dtype` and `shape` over `inputs`.
    fn library(
        e: &Engine,
        op: LibraryOp,
        dtype: DType,
        shape: &[usize],
        inputs: &[&Array],
    ) -> Result<Array> {
        let shape: Shape = shape.iter().copied().collect();
        let nodes = inputs.iter().map(|a| a.node.clone()).collect();
        Ok(e.wrap(e.node(Op::Library(op), dtype, shape, nodes)?))
    }

    /// Check `x` is a non-empty stack of matrices (square when `square`).
    fn dims(op: &str, x: &Array, square: bool) -> Result<Dims> {
        let s = x.shape();
        let [batch @ .., m, n] = s else {
            return Err(Error::invalid(
                op,
                format!(
                    "expected an array of at least 2 dimensions (a matrix or a stack of \
                     matrices), got shape {}",
                    fmt_shape(s)
                ),
            ));
        };
        if square && m != n {
            let mut expected = s.to_vec();
            let last = expected.len() - 1;
            expected[last] = *m;
            return Err(Error::Shape {
                op: op.into(),
                got: s.to_vec(),
                expected,
                hint: format!("{op} needs square matrices: the last two axes must be equal"),
            });
        }
        if x.size() == 0 {
            return Err(Error::invalid(
                op,
                format!(
                    "the array is empty (shape {}); {op} needs at least one 1x1 matrix",
                    fmt_shape(s)
                ),
            ));
        }
        Ok(Dims {
            batch: batch.to_vec(),
            m: *m,
            n: *n,
        })
    }

    /// The float or complex type a linear-algebra result has (ints and bools -> f64).
    fn float_type(t: DType) -> DType {
        t.to_inexact()
    }

    /// numpy's `matmul` (`a @ b`): matrix product over the last two axes with the
    /// leading axes broadcast; a 1-D first operand is a row vector and a 1-D second
    /// operand a column vector, and the axis added for them is removed from the result.
    pub fn matmul(&self, a: &Array, b: &Array) -> Result<Array> {
        let e = self.engine();
        let op = "matmul";
        e.check_same_engine(op, a)?;
        e.check_same_engine(op, b)?;
        if a.ndim() == 0 || b.ndim() == 0 {
            return Err(Error::invalid(
                op,
                format!(
                    "operands of shapes {} and {}: matmul does not take 0-d arrays; use mul",
                    fmt_shape(a.shape()),
                    fmt_shape(b.shape())
                ),
            ));
        }
        let t = Self::float_type(DType::promote(a.dtype(), b.dtype()));
        let a2 = if a.ndim() == 1 {
            reshape(&e, a, &[1, a.shape()[0]])?
        } else {
            a.clone()
        };
        let b2 = if b.ndim() == 1 {
            reshape(&e, b, &[b.shape()[0], 1])?
        } else {
            b.clone()
        };
        let (sa, sb) = (a2.shape(), b2.shape());
        let (m, k) = (sa[sa.len() - 2], sa[sa.len() - 1]);
        let (k2, n) = (sb[sb.len() - 2], sb[sb.len() - 1]);
        if k != k2 {
            // What the second operand would need: its rows (the first axis for a 1-D
            // operand) equal to the first operand's columns.
            let mut fitting = b.shape().to_vec();
            let rows = if b.ndim() == 1 { 0 } else { b.ndim() - 2 };
            fitting[rows] = k;
            return Err(Error::Shape {
                op: op.into(),
                got: b.shape().to_vec(),
                expected: fitting,
                hint: format!(
                    "inner dimensions differ: the first operand {} has {k} columns but the \
                     second {} has {k2} rows; transpose or reshape one so they match",
                    fmt_shape(a.shape()),
                    fmt_shape(b.shape())
                ),
            });
        }
        // The leading (batch) axes broadcast; an error names the operands' full shapes.
        let batch = shape::broadcast_shapes(op, &sa[..sa.len() - 2], &sb[..sb.len() - 2])
            .map_err(|_| Error::Broadcast {
                op: op.into(),
                lhs: a.shape().to_vec(),
                rhs: b.shape().to_vec(),
            })?
            .to_vec();
        let mut out_shape = batch.clone();
        out_shape.extend([m, n]);
        let result = if out_shape.contains(&0) || k == 0 {
            // numpy: an empty sum is zero.
            e.zeros(&out_shape, t)
        } else {
            let mut sa_full = batch.clone();
            sa_full.extend([m, k]);
            let mut sb_full = batch.clone();
            sb_full.extend([k, n]);
            let a3 = e.broadcast_to(&e.astype(&a2, t), &sa_full)?;
            let b3 = e.broadcast_to(&e.astype(&b2, t), &sb_full)?;
            Self::library(&e, LibraryOp::MatMul, t, &out_shape, &[&a3, &b3])?
        };
        let mut final_shape = batch;
        if a.ndim() > 1 {
            final_shape.push(m);
        }
        if b.ndim() > 1 {
            final_shape.push(n);
        }
        if final_shape.len() == out_shape.len() {
            Ok(result)
        } else {
            reshape(&e, &result, &final_shape)
        }
    }

    /// numpy's `dot`: `matmul` for 1-D and 2-D operands, `mul` when either is 0-d, and for
    /// N-D operands the sum over the last axis of `a` and the second-to-last of `b`
    /// (result shape `a.shape[:-1] + b.shape[:-2] + b.shape[-1:]`).
    pub fn dot(&self, a: &Array, b: &Array) -> Result<Array> {
        let e = self.engine();
        e.check_same_engine("dot", a)?;
        e.check_same_engine("dot", b)?;
        if a.ndim() == 0 || b.ndim() == 0 {
            return e.mul(a, b);
        }
        if a.ndim() <= 2 && b.ndim() <= 2 {
            return self.matmul(a, b);
        }
        let k = a.shape()[a.ndim() - 1];
        let kb = if b.ndim() == 1 {
            b.shape()[0]
        } else {
            b.shape()[b.ndim() - 2]
        };
        if k != kb {
            return Err(Error::Shape {
                op: "dot".into(),
                got: b.shape().to_vec(),
                expected: a.shape().to_vec(),
                hint: format!(
                    "the last axis of the first operand ({k}) must equal the second-to-last \
                     of the second ({kb})"
                ),
            });
        }
        let a2 = reshape(&e, a, &[a.size() / k.max(1), k])?;
        let (b2, b_rest) = if b.ndim() == 1 {
            (reshape(&e, b, &[k, 1])?, vec![])
        } else {
            let nd = b.ndim();
            let mut perm = vec![nd - 2];
            perm.extend(0..nd - 2);
            perm.push(nd - 1);
            let moved = e.permute(b, &perm)?;
            let rest: Vec<usize> = perm[1..].iter().map(|&i| b.shape()[i]).collect();
            (reshape(&e, &moved, &[k, b.size() / k.max(1)])?, rest)
        };
        let r = self.matmul(&a2, &b2)?;
        let mut out: Vec<usize> = a.shape()[..a.ndim() - 1].to_vec();
        out.extend(b_rest);
        reshape(&e, &r, &out)
    }

    /// numpy's `solve(a, b)`: x with `a @ x == b`, for square non-singular `a` `[..., n, n]`
    /// and `b` either `[n]` (a vector, result `[..., n]`) or `[..., n, k]`; batch axes
    /// broadcast. A singular `a` is an error (when evaluated), not NaNs.
    pub fn solve(&self, a: &Array, b: &Array) -> Result<Array> {
        let e = self.engine();
        let op = "solve";
        e.check_same_engine(op, a)?;
        e.check_same_engine(op, b)?;
        let d = Self::dims(op, a, true)?;
        let (t, a2, b2, vector, batch, k) = self.prepare_rhs(op, &e, a, b, &d)?;
        let n = d.n;
        let mut out = batch.clone();
        out.extend([n, k]);
        let x = Self::library(&e, LibraryOp::Solve, t, &out, &[&a2, &b2])?;
        if vector {
            let mut v = batch;
            v.push(n);
            reshape(&e, &x, &v)
        } else {
            Ok(x)
        }
    }

    /// Common operand handling of `solve` and `lstsq`: `b` as `[..., m, k]` (a 1-D `b` as
    /// one column), both cast to the result type and broadcast to common batch axes.
    #[allow(clippy::type_complexity)]
    fn prepare_rhs(
        &self,
        op: &str,
        e: &Engine,
        a: &Array,
        b: &Array,
        d: &Dims,
    ) -> Result<(DType, Array, Array, bool, Vec<usize>, usize)> {
        let vector = b.ndim() == 1;
        if b.ndim() == 0 {
            return Err(Error::invalid(
                op,
                "b is 0-d; give a vector [m] or a stack of matrices [..., m, k]",
            ));
        }
        let bm = if vector {
            reshape(e, b, &[b.shape()[0], 1])?
        } else {
            b.clone()
        };
        let sb = bm.shape();
        let (rows, k) = (sb[sb.len() - 2], sb[sb.len() - 1]);
        if rows != d.m {
            return Err(Error::Shape {
                op: op.into(),
                got: b.shape().to_vec(),
                expected: a.shape().to_vec(),
                hint: format!(
                    "a {} has {} rows but b {} has {rows}; they must be equal",
                    fmt_shape(a.shape()),
                    d.m,
                    fmt_shape(b.shape())
                ),
            });
        }
        if k == 0 || bm.size() == 0 {
            return Err(Error::invalid(
                op,
                format!("b is empty (shape {})", fmt_shape(b.shape())),
            ));
        }
        let t = Self::float_type(DType::promote(a.dtype(), b.dtype()));
        let batch = shape::broadcast_shapes(op, &d.batch, &sb[..sb.len() - 2])?.to_vec();
        let mut sa = batch.clone();
        sa.extend([d.m, d.n]);
        let mut sbf = batch.clone();
        sbf.extend([rows, k]);
        let a2 = e.broadcast_to(&e.astype(a, t), &sa)?;
        let b2 = e.broadcast_to(&e.astype(&bm, t), &sbf)?;
        Ok((t, a2, b2, vector, batch, k))
    }

    /// numpy's `lstsq(a, b)[0]`: the x minimising `|a @ x - b|` (Householder QR for a tall
    /// full-rank `a`, otherwise the SVD's minimum-norm solution). `a` is `[..., m, n]`,
    /// `b` is `[m]` (result `[..., n]`) or `[..., m, k]` (result `[..., n, k]`).
    pub fn lstsq(&self, a: &Array, b: &Array) -> Result<Array> {
        let e = self.engine();
        let op = "lstsq";
        e.check_same_engine(op, a)?;
        e.check_same_engine(op, b)?;
        let d = Self::dims(op, a, false)?;
        let (t, a2, b2, vector, batch, k) = self.prepare_rhs(op, &e, a, b, &d)?;
        let mut out = batch.clone();
        out.extend([d.n, k]);
        let x = Self::library(&e, LibraryOp::Lstsq, t, &out, &[&a2, &b2])?;
        if vector {
            let mut v = batch;
            v.push(d.n);
            reshape(&e, &x, &v)
        } else {
            Ok(x)
        }
    }

    /// A one-operand library op on square matrices: an n×n result per matrix when
    /// `matrix_result`, else one value per matrix.
    fn square_op(&self, op: LibraryOp, a: &Array, matrix_result: bool) -> Result<Array> {
        let e = self.engine();
        let name = op.name();
        e.check_same_engine(name, a)?;
        let d = Self::dims(name, a, true)?;
        let t = Self::float_type(a.dtype());
        let a2 = e.astype(a, t);
        let out = if matrix_result {
            d.with(&[d.n, d.n])
        } else {
            d.with(&[])
        };
        Self::library(&e, op, t, &out, &[&a2])
    }

    /// numpy's `inv`: the inverse of each square matrix; a singular matrix is an error
    /// (when evaluated).
    pub fn inv(&self, a: &Array) -> Result<Array> {
        self.square_op(LibraryOp::Inv, a, true)
    }

    /// numpy's `det`: the determinant of each square matrix (shape: the batch axes).
    pub fn det(&self, a: &Array) -> Result<Array> {
        self.square_op(LibraryOp::Det, a, false)
    }

    /// numpy's `cholesky`: the lower-triangular L with `L @ Lᴴ == a` for each Hermitian
    /// positive-definite matrix (only the lower triangle of `a` is read); a matrix that is
    /// not positive definite is an error (when evaluated).
    pub fn cholesky(&self, a: &Array) -> Result<Array> {
        self.square_op(LibraryOp::Cholesky, a, true)
    }

    /// The packed result of `op` over `a` (`len` values per matrix) and its parts: part
    /// `i` is `len_i` values reshaped to `shape_i` per matrix.
    fn unpack(
        e: &Engine,
        packed: &Array,
        d: &Dims,
        parts: &[(usize, Vec<usize>)],
    ) -> Result<Vec<Array>> {
        let nd = packed.ndim();
        let mut start = 0usize;
        let mut out = Vec::with_capacity(parts.len());
        for (len, tail) in parts {
            let mut sl = vec![Slice::all(); nd];
            sl[nd - 1] = Slice::range(start as isize, (start + len) as isize);
            let part = e.slice(packed, &sl)?;
            out.push(reshape(e, &part, &d.with(tail))?);
            start += len;
        }
        Ok(out)
    }

    /// numpy's `qr(a)` (mode "reduced"): Q `[..., m, k]` with orthonormal columns and upper
    /// triangular R `[..., k, n]`, k = min(m, n), with `Q @ R == a`.
    pub fn qr(&self, a: &Array) -> Result<(Array, Array)> {
        let e = self.engine();
        let op = "qr";
        e.check_same_engine(op, a)?;
        let d = Self::dims(op, a, false)?;
        let t = Self::float_type(a.dtype());
        let (m, n) = (d.m, d.n);
        let k = m.min(n);
        let packed = Self::library(
            &e,
            LibraryOp::Qr,
            t,
            &d.with(&[m * k + k * n]),
            &[&e.astype(a, t)],
        )?;
        let mut p = Self::unpack(&e, &packed, &d, &[(m * k, vec![m, k]), (k * n, vec![k, n])])?;
        let r = p.pop().expect("two parts");
        let q = p.pop().expect("two parts");
        Ok((q, r))
    }

    /// numpy's `svd(a, full_matrices=False)`: U `[..., m, k]`, the singular values S
    /// `[..., k]` (real, descending) and Vᴴ `[..., k, n]`, k = min(m, n), with
    /// `U @ diag(S) @ Vᴴ == a`.
    pub fn svd(&self, a: &Array) -> Result<(Array, Array, Array)> {
        let e = self.engine();
        let op = "svd";
        e.check_same_engine(op, a)?;
        let d = Self::dims(op, a, false)?;
        let t = Self::float_type(a.dtype());
        let (m, n) = (d.m, d.n);
        let k = m.min(n);
        let packed = Self::library(
            &e,
            LibraryOp::Svd,
            t,
            &d.with(&[m * k + k + k * n]),
            &[&e.astype(a, t)],
        )?;
        let mut p = Self::unpack(
            &e,
            &packed,
            &d,
            &[(m * k, vec![m, k]), (k, vec![k]), (k * n, vec![k, n])],
        )?;
        let vh = p.pop().expect("three parts");
        let s = p.pop().expect("three parts");
        let u = p.pop().expect("three parts");
        let s = if t.is_complex() { e.real(&s)? } else { s };
        Ok((u, s, vh))
    }

    /// numpy's `eigh(a)` (lower triangle read): the eigenvalues `[..., n]` (real,
    /// ascending) and the eigenvectors `[..., n, n]` (column j belongs to eigenvalue j) of
    /// each Hermitian matrix.
    pub fn eigh(&self, a: &Array) -> Result<(Array, Array)> {
        let e = self.engine();
        let op = "eigh";
        e.check_same_engine(op, a)?;
        let d = Self::dims(op, a, true)?;
        let t = Self::float_type(a.dtype());
        let n = d.n;
        let packed = Self::library(
            &e,
            LibraryOp::Eigh,
            t,
            &d.with(&[n + n * n]),
            &[&e.astype(a, t)],
        )?;
        let mut p = Self::unpack(&e, &packed, &d, &[(n, vec![n]), (n * n, vec![n, n])])?;
        let v = p.pop().expect("two parts");
        let w = p.pop().expect("two parts");
        let w = if t.is_complex() { e.real(&w)? } else { w };
        Ok((w, v))
    }

    /// numpy's `norm(x, ord, axis)`. `axes` None: the 2-norm of the flattened array when
    /// `ord` is None, else `x` must be 1-D (vector norm) or 2-D (matrix norm). One axis: a
    /// vector norm along it; two axes: a matrix norm over them. The result is real.
    pub fn norm(&self, x: &Array, ord: Option<NormOrd>, axes: Option<&[isize]>) -> Result<Array> {
        let e = self.engine();
        let op = "norm";
        e.check_same_engine(op, x)?;
        let x = e.astype(x, Self::float_type(x.dtype()));
        let axes: Vec<usize> = match axes {
            None if ord.is_none() => {
                let mag = e.abs(&x)?;
                return e.sqrt(&e.sum(&e.square(&mag)?, None, false)?);
            }
            None => (0..x.ndim()).collect(),
            Some(a) => a
                .iter()
                .map(|&ax| shape::normalize_axis(op, ax, x.shape()))
                .collect::<Result<_>>()?,
        };
        let ax = |v: &[usize]| -> Vec<isize> { v.iter().map(|&a| a as isize).collect() };
        let abs = e.abs(&x)?;
        match (axes.as_slice(), ord) {
            ([a], None | Some(NormOrd::P(2.0))) => {
                e.sqrt(&e.sum(&e.square(&abs)?, Some(&ax(&[*a])), false)?)
            }
            ([a], Some(NormOrd::P(p))) => {
                let axs = ax(&[*a]);
                if p == f64::INFINITY {
                    e.max(&abs, Some(&axs), false)
                } else if p == f64::NEG_INFINITY {
                    e.min(&abs, Some(&axs), false)
                } else if p == 0.0 {
                    let nz = e.not_equal(&abs, &e.scalar(0.0))?;
                    e.sum(&e.astype(&nz, abs.dtype()), Some(&axs), false)
                } else if p == 1.0 {
                    e.sum(&abs, Some(&axs), false)
                } else {
                    let s = e.sum(&e.pow(&abs, &e.scalar(p))?, Some(&axs), false)?;
                    e.pow(&s, &e.scalar(1.0 / p))
                }
            }
            ([a], Some(o)) => Err(Error::invalid(
                op,
                format!("ord {o:?} is a matrix norm; axis {a} names one axis (a vector)"),
            )),
            ([r, c], _) if r == c => Err(Error::invalid(
                op,
                format!("axes {axes:?} repeat an axis; name two different axes"),
            )),
            ([r, c], None | Some(NormOrd::Fro)) => {
                e.sqrt(&e.sum(&e.square(&abs)?, Some(&ax(&[*r, *c])), false)?)
            }
            ([r, c], Some(o)) => {
                let (r, c) = (*r, *c);
                // Row/column sums: reduce one axis, then max/min over the other (whose
                // index shifts down when it came after the reduced one).
                let after = |reduced: usize, other: usize| {
                    (if other > reduced { other - 1 } else { other }) as isize
                };
                match o {
                    NormOrd::P(p) if p.abs() == 1.0 || p.is_infinite() => {
                        let (reduced, other) = if p.abs() == 1.0 { (r, c) } else { (c, r) };
                        let sums = e.sum(&abs, Some(&[reduced as isize]), false)?;
                        let o2 = [after(reduced, other)];
                        if p > 0.0 {
                            e.max(&sums, Some(&o2), false)
                        } else {
                            e.min(&sums, Some(&o2), false)
                        }
                    }
                    NormOrd::P(p) if p.abs() == 2.0 => {
                        let s = self.singular_values(&x, r, c)?;
                        if p > 0.0 {
                            e.max(&s, Some(&[-1]), false)
                        } else {
                            e.min(&s, Some(&[-1]), false)
                        }
                    }
                    NormOrd::Nuc => {
                        let s = self.singular_values(&x, r, c)?;
                        e.sum(&s, Some(&[-1]), false)
                    }
                    other => Err(Error::invalid(
                        op,
                        format!(
                            "ord {other:?} is not a matrix norm; use Fro, Nuc, or P of \
                                 1, -1, 2, -2, inf or -inf"
                        ),
                    )),
                }
            }
            _ => Err(Error::invalid(
                op,
                format!(
                    "{} axes given for an array of shape {}; a norm is over one axis (vector) \
                     or two (matrix)",
                    axes.len(),
                    fmt_shape(x.shape())
                ),
            )),
        }
    }

    /// Singular values of `x` over axes `r` (rows) and `c` (columns), those two moved last.
    fn singular_values(&self, x: &Array, r: usize, c: usize) -> Result<Array> {
        let e = self.engine();
        let mut perm: Vec<usize> = (0..x.ndim()).filter(|&i| i != r && i != c).collect();
        perm.extend([r, c]);
        let moved = e.permute(x, &perm)?;
        let (_, s, _) = self.svd(&moved)?;
        Ok(s)
    }
}
