//! Shape operations. None copies: each becomes index arithmetic in the kernels that
//! read it (see `mathengine_ir::lower`).

use crate::array::Array;
use crate::engine::Engine;
use mathengine_ir::graph::ScalarKey;
use mathengine_ir::{shape, DType, Error, NodeRef, Op, Result, Scalar, Shape};
use smallvec::{smallvec, SmallVec};

/// One axis of a slice, with Python's semantics: `start`/`stop` may be negative (counted
/// from the end) or absent, and `step` may be negative.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slice {
    pub start: Option<isize>,
    pub stop: Option<isize>,
    pub step: isize,
}

impl Slice {
    /// The whole axis (`:`).
    pub fn all() -> Slice {
        Slice {
            start: None,
            stop: None,
            step: 1,
        }
    }
    /// `start:stop`.
    pub fn range(start: isize, stop: isize) -> Slice {
        Slice {
            start: Some(start),
            stop: Some(stop),
            step: 1,
        }
    }
    /// `start:stop:step` with optional ends.
    pub fn new(start: Option<isize>, stop: Option<isize>, step: isize) -> Slice {
        Slice { start, stop, step }
    }

    /// (first index, element count) on an axis of length `n`, as Python's `slice.indices`.
    /// Computed in i128, so no start, stop or step (isize::MIN and MAX included) overflows.
    fn resolve(&self, n: usize) -> (i64, usize) {
        let (n, step) = (n as i128, self.step as i128);
        let (lower, upper) = if step > 0 { (0, n) } else { (-1, n - 1) };
        let clamp = |v: Option<isize>, default: i128| match v {
            None => default,
            Some(v) => {
                let v = v as i128;
                if v < 0 {
                    (v + n).max(lower)
                } else {
                    v.min(upper)
                }
            }
        };
        let start = clamp(self.start, if step < 0 { upper } else { lower });
        let stop = clamp(self.stop, if step < 0 { lower } else { upper });
        let len = if step > 0 && stop > start {
            (stop - start + step - 1) / step
        } else if step < 0 && start > stop {
            (start - stop - step - 1) / (-step)
        } else {
            0
        };
        // 0 <= start < n and 0 <= len <= n whenever len > 0: both fit.
        (start as i64, len as usize)
    }
}

impl Engine {
    fn shape_node(&self, op: Op, x: &NodeRef, shape: Shape) -> Result<Array> {
        Ok(self.wrap(self.node(op, x.dtype, shape, smallvec![x.clone()])?))
    }

    /// The same elements in a new shape; one entry may be -1 (inferred).
    pub fn reshape(&self, x: &Array, new_shape: &[isize]) -> Result<Array> {
        self.reshape_named("reshape", x, new_shape)
    }

    /// `reshape`, with errors naming the user's call `op`.
    pub(crate) fn reshape_named(&self, op: &str, x: &Array, new_shape: &[isize]) -> Result<Array> {
        self.check_same_engine(op, x)?;
        // A shape error naming both shapes; a requested shape with -1 (or another
        // negative extent) is printed as given, so it is an invalid-argument error.
        let err = |hint: String| {
            if new_shape.iter().all(|&d| d >= 0) {
                Error::Shape {
                    op: op.into(),
                    got: x.shape().to_vec(),
                    expected: new_shape.iter().map(|&d| d as usize).collect(),
                    hint,
                }
            } else {
                Error::invalid(
                    op,
                    format!(
                        "cannot reshape an array of shape {} ({} elements) into shape {}: {hint}",
                        mathengine_ir::error::fmt_shape(x.shape()),
                        x.size(),
                        mathengine_ir::error::fmt_tuple(new_shape)
                    ),
                )
            }
        };
        let unknown = new_shape.iter().filter(|&&d| d < 0).count();
        if unknown > 1 || new_shape.iter().any(|&d| d < -1) {
            return Err(err(
                "only one axis may be -1 (inferred) and no other may be negative".into(),
            ));
        }
        let known = new_shape
            .iter()
            .filter(|&&d| d >= 0)
            .try_fold(1usize, |acc, &d| acc.checked_mul(d as usize))
            .filter(|&k| k <= shape::MAX_ELEMENTS)
            .ok_or_else(|| err("the new shape has more elements than any array can hold".into()))?;
        let shape: Shape = if unknown == 1 {
            if known == 0 || !x.size().is_multiple_of(known) {
                return Err(err(format!(
                    "{} elements cannot be split into axes of {known} elements",
                    x.size()
                )));
            }
            new_shape
                .iter()
                .map(|&d| if d < 0 { x.size() / known } else { d as usize })
                .collect()
        } else {
            new_shape.iter().map(|&d| d as usize).collect()
        };
        if shape::numel(&shape) != x.size() {
            return Err(err(format!(
                "the array has {} elements but the new shape holds {}",
                x.size(),
                shape::numel(&shape)
            )));
        }
        let mut src = x.node.clone();
        if src.shape == shape {
            return Ok(x.clone());
        }
        if let Some(mathengine_ir::simplify::Rewrite::Const(v)) =
            mathengine_ir::simplify::movement(&src)
        {
            return Ok(self.wrap(self.const_node(v, src.dtype, &shape)));
        }
        // A reshape of a reshape is one reshape.
        if matches!(src.op, Op::Reshape) && !src.is_evaluated() {
            if let Some(inner) = src.inputs().first().cloned() {
                src = inner;
            }
            if src.shape == shape {
                return Ok(self.wrap(src));
            }
        }
        self.shape_node(Op::Reshape, &src, shape)
    }

    /// Broadcast to `shape` by numpy's rules (a view: nothing is copied).
    pub fn broadcast_to(&self, x: &Array, shape: &[usize]) -> Result<Array> {
        self.check_same_engine("broadcast_to", x)?;
        shape::check_shape("broadcast_to", shape)?;
        let b = shape::broadcast_shapes("broadcast_to", x.shape(), shape)?;
        if &b[..] != shape {
            return Err(Error::Shape {
                op: "broadcast_to".into(),
                got: x.shape().to_vec(),
                expected: shape.to_vec(),
                hint: "each axis of the array must equal the target's or be 1, and the target may not have fewer axes".into(),
            });
        }
        Ok(self.wrap(self.expand_node(&x.node, shape)?))
    }

    /// Reorder axes: output axis `i` is input axis `axes[i]`.
    pub fn permute(&self, x: &Array, axes: &[usize]) -> Result<Array> {
        self.check_same_engine("permute", x)?;
        let mut seen = vec![false; x.ndim()];
        if axes.len() != x.ndim()
            || axes
                .iter()
                .any(|&a| a >= x.ndim() || std::mem::replace(&mut seen[a], true))
        {
            return Err(Error::invalid(
                "permute",
                format!(
                    "axes {} are not a permutation of 0..{} for shape {}",
                    mathengine_ir::error::fmt_tuple(axes),
                    x.ndim(),
                    mathengine_ir::error::fmt_shape(x.shape())
                ),
            ));
        }
        if axes.iter().enumerate().all(|(i, &a)| i == a) {
            return Ok(x.clone());
        }
        let shape: Shape = axes.iter().map(|&a| x.shape()[a]).collect();
        if let Some(mathengine_ir::simplify::Rewrite::Const(v)) =
            mathengine_ir::simplify::movement(&x.node)
        {
            return Ok(self.wrap(self.const_node(v, x.dtype(), &shape)));
        }
        self.shape_node(Op::Permute(axes.iter().copied().collect()), &x.node, shape)
    }

    /// Reverse the axes (numpy's `transpose` with no axes).
    pub fn transpose(&self, x: &Array) -> Array {
        let axes: Vec<usize> = (0..x.ndim()).rev().collect();
        self.permute(x, &axes)
            .expect("reversed axes are a permutation")
    }

    /// Insert an axis of length 1 at `axis` (which may be -1 for the end).
    pub fn expand_dims(&self, x: &Array, axis: isize) -> Result<Array> {
        let mut probe = x.shape().to_vec();
        probe.push(1);
        let a = shape::normalize_axis("expand_dims", axis, &probe).map_err(|_| Error::Axis {
            op: "expand_dims".into(),
            axis,
            ndim: x.ndim() + 1,
            shape: x.shape().to_vec(),
        })?;
        let mut s: Vec<isize> = x.shape().iter().map(|&d| d as isize).collect();
        s.insert(a, 1);
        self.reshape(x, &s)
    }

    /// Remove axes of length 1 (all of them when `axes` is None).
    pub fn squeeze(&self, x: &Array, axes: Option<&[isize]>) -> Result<Array> {
        let drop = match axes {
            None => (0..x.ndim()).filter(|&d| x.shape()[d] == 1).collect(),
            Some(_) => shape::normalize_axes("squeeze", axes, x.shape())?,
        };
        if let Some(&d) = drop.iter().find(|&&d| x.shape()[d] != 1) {
            return Err(Error::invalid(
                "squeeze",
                format!(
                    "axis {d} of shape {} has length {}, not 1",
                    mathengine_ir::error::fmt_shape(x.shape()),
                    x.shape()[d]
                ),
            ));
        }
        let s: Vec<isize> = (0..x.ndim())
            .filter(|d| !drop.contains(d))
            .map(|d| x.shape()[d] as isize)
            .collect();
        self.reshape(x, &s)
    }

    /// Basic slicing, one [`Slice`] per leading axis (missing axes are taken whole).
    pub fn slice(&self, x: &Array, slices: &[Slice]) -> Result<Array> {
        self.slice_named("slice", x, slices)
    }

    /// `slice`, with errors naming the user's call `op`.
    fn slice_named(&self, op: &str, x: &Array, slices: &[Slice]) -> Result<Array> {
        self.check_same_engine(op, x)?;
        if slices.len() > x.ndim() {
            return Err(Error::invalid(
                op,
                format!(
                    "{} slices given for shape {}",
                    slices.len(),
                    mathengine_ir::error::fmt_shape(x.shape())
                ),
            ));
        }
        if let Some(d) = slices.iter().position(|s| s.step == 0) {
            return Err(Error::invalid(
                op,
                format!("the slice of axis {d} has step 0; use a non-zero step"),
            ));
        }
        let mut start: SmallVec<[i64; 4]> = SmallVec::new();
        let mut step: SmallVec<[i64; 4]> = SmallVec::new();
        let mut shape = Shape::new();
        for (d, &n) in x.shape().iter().enumerate() {
            let s = slices.get(d).copied().unwrap_or(Slice::all());
            let (first, len) = s.resolve(n);
            start.push(if len == 0 { 0 } else { first });
            step.push(s.step as i64);
            shape.push(len);
        }
        if start.iter().all(|&s| s == 0)
            && step.iter().all(|&s| s == 1)
            && shape[..] == x.shape()[..]
        {
            return Ok(x.clone());
        }
        self.shape_node(Op::Slice { start, step }, &x.node, shape)
    }

    /// Reverse the order of elements along `axes` (all when None).
    pub fn flip(&self, x: &Array, axes: Option<&[isize]>) -> Result<Array> {
        self.check_same_engine("flip", x)?;
        let axes = shape::normalize_axes("flip", axes, x.shape())?;
        let slices: Vec<Slice> = (0..x.ndim())
            .map(|d| {
                if axes.contains(&d) {
                    Slice::new(None, None, -1)
                } else {
                    Slice::all()
                }
            })
            .collect();
        self.slice_named("flip", x, &slices)
    }

    /// Shift elements by `shift` along `axis`, wrapping around (numpy's roll); with no
    /// axis the array is rolled as if flattened.
    pub fn roll(&self, x: &Array, shift: isize, axis: Option<isize>) -> Result<Array> {
        self.check_same_engine("roll", x)?;
        let Some(axis) = axis else {
            let flat = self.reshape_named("roll", x, &[x.size() as isize])?;
            let rolled = self.roll(&flat, shift, Some(0))?;
            let s: Vec<isize> = x.shape().iter().map(|&d| d as isize).collect();
            return self.reshape_named("roll", &rolled, &s);
        };
        let a = shape::normalize_axis("roll", axis, x.shape())?;
        let n = x.shape()[a];
        let shift = if n == 0 {
            0
        } else {
            shift.rem_euclid(n as isize) as usize
        };
        if shift == 0 {
            return Ok(x.clone());
        }
        self.shape_node(Op::Roll { axis: a, shift }, &x.node, x.node.shape.clone())
    }

    /// Pad with a constant: `widths[d] = (before, after)` for each axis.
    pub fn pad(
        &self,
        x: &Array,
        widths: &[(usize, usize)],
        value: impl Into<Scalar>,
    ) -> Result<Array> {
        self.check_same_engine("pad", x)?;
        if widths.len() != x.ndim() {
            return Err(Error::invalid(
                "pad",
                format!(
                    "{} (before, after) pairs given for shape {}; give one per axis",
                    widths.len(),
                    mathengine_ir::error::fmt_shape(x.shape())
                ),
            ));
        }
        if widths.iter().all(|&(b, a)| b == 0 && a == 0) {
            return Ok(x.clone());
        }
        let shape: Shape = x
            .shape()
            .iter()
            .zip(widths)
            .map(|(&n, &(b, a))| n.checked_add(b)?.checked_add(a))
            .collect::<Option<_>>()
            .ok_or_else(|| {
                Error::invalid(
                    "pad",
                    format!(
                        "padding shape {} by {} overflows an array extent; use smaller widths",
                        mathengine_ir::error::fmt_shape(x.shape()),
                        fmt_widths(widths)
                    ),
                )
            })?;
        shape::check_shape("pad", &shape)?;
        let before = widths.iter().map(|w| w.0).collect();
        let value: Scalar = value.into();
        // numpy cannot convert NaN or infinity to an integer and raises; other floats
        // are truncated (a cast), and bool arrays take bool(value).
        if x.dtype().is_int() {
            if let Scalar::C128(z) = value.cast(DType::C128) {
                if !z.re.is_finite() || !z.im.is_finite() {
                    return Err(Error::invalid(
                        "pad",
                        format!(
                            "cannot pad a {} array with {value}: it has no integer value (numpy raises here too); pass a finite value or pad a float array (astype first)",
                            x.dtype()
                        ),
                    ));
                }
            }
        }
        let value = ScalarKey(value.cast(x.dtype()));
        self.shape_node(Op::Pad { before, value }, &x.node, shape)
    }

    /// Join arrays along an existing axis (dtypes promote as numpy's).
    pub fn concatenate(&self, arrays: &[&Array], axis: isize) -> Result<Array> {
        let first = arrays
            .first()
            .ok_or_else(|| Error::invalid("concatenate", "no arrays given; pass at least one"))?;
        let a = shape::normalize_axis("concatenate", axis, first.shape())?;
        let mut t = first.dtype();
        // Every input must match this with its own axis `a` set to 0.
        let mut template: Shape = first.node.shape.clone();
        template[a] = 0;
        let mut shape = template.clone();
        for x in arrays {
            self.check_same_engine("concatenate", x)?;
            let mut s = x.node.shape.clone();
            let len = s.get(a).copied().unwrap_or(0);
            if s.len() == template.len() {
                s[a] = 0;
            }
            if s != template {
                return Err(Error::Shape {
                    op: "concatenate".into(),
                    got: x.shape().to_vec(),
                    expected: first.shape().to_vec(),
                    hint: format!("all axes but axis {a} must match"),
                });
            }
            shape[a] = shape[a].checked_add(len).ok_or_else(|| {
                Error::invalid(
                    "concatenate",
                    format!("the joined axis {a} is longer than any array can be; join fewer or shorter arrays"),
                )
            })?;
            t = DType::promote(t, x.dtype());
        }
        shape::check_shape("concatenate", &shape)?;
        let inputs = arrays
            .iter()
            .map(|x| self.cast_node(&x.node, t))
            .collect::<Result<SmallVec<[NodeRef; 2]>>>()?;
        if inputs.len() == 1 {
            return Ok(self.wrap(inputs[0].clone()));
        }
        Ok(self.wrap(self.node(Op::Concat { axis: a }, t, shape, inputs)?))
    }

    /// Join arrays of one shape along a new axis.
    pub fn stack(&self, arrays: &[&Array], axis: isize) -> Result<Array> {
        let first = arrays
            .first()
            .ok_or_else(|| Error::invalid("stack", "no arrays given; pass at least one"))?;
        for x in arrays {
            self.check_same_engine("stack", x)?;
            if x.shape() != first.shape() {
                return Err(Error::Shape {
                    op: "stack".into(),
                    got: x.shape().to_vec(),
                    expected: first.shape().to_vec(),
                    hint: "stack needs arrays of one shape".into(),
                });
            }
        }
        // The new axis counts among the result's axes (so -1 is the end).
        let mut probe = first.shape().to_vec();
        probe.push(1);
        let a = shape::normalize_axis("stack", axis, &probe).map_err(|_| Error::Axis {
            op: "stack".into(),
            axis,
            ndim: first.ndim() + 1,
            shape: first.shape().to_vec(),
        })?;
        let mut s: Vec<isize> = first.shape().iter().map(|&d| d as isize).collect();
        s.insert(a, 1);
        let expanded = arrays
            .iter()
            .map(|x| self.reshape_named("stack", x, &s))
            .collect::<Result<Vec<_>>>()?;
        let refs: Vec<&Array> = expanded.iter().collect();
        self.concatenate(&refs, a as isize).map_err(|e| match e {
            Error::Invalid { msg, .. } => Error::invalid("stack", msg),
            other => other,
        })
    }
}

/// Pad widths as numpy prints them: `((1, 2), (0, 3))`.
fn fmt_widths(widths: &[(usize, usize)]) -> String {
    let parts: Vec<String> = widths.iter().map(|(b, a)| format!("({b}, {a})")).collect();
    mathengine_ir::error::fmt_tuple(&parts)
}
