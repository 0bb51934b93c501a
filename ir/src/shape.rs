//! Shapes: broadcasting, axis normalisation, row-major strides.

use crate::error::{Error, Result};
use smallvec::SmallVec;

/// Extents of an array, outermost first (row-major).
pub type Shape = SmallVec<[usize; 4]>;

/// Elements of a shape. Shapes of graph nodes are checked when they are made (their
/// element count fits `isize`), so this cannot overflow for them; use
/// [`checked_numel`] for shapes from users.
pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// Elements of `shape`, or `None` if the product overflows `usize`.
pub fn checked_numel(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
}

/// The most elements one array may have: its byte size must fit `isize` for the widest
/// dtype (16-byte complex128), which is also what an allocation can ever provide.
pub const MAX_ELEMENTS: usize = (isize::MAX as usize) / 16;

/// Check a shape a user asked for: its element count must not overflow and must stay
/// within [`MAX_ELEMENTS`]. `op` names the user's call.
pub fn check_shape(op: &str, shape: &[usize]) -> Result<usize> {
    match checked_numel(shape) {
        Some(n) if n <= MAX_ELEMENTS => Ok(n),
        _ => Err(Error::invalid(
            op,
            format!(
                "shape {} has more elements than any array can hold (at most {MAX_ELEMENTS}); use smaller extents",
                crate::error::fmt_shape(shape)
            ),
        )),
    }
}

/// Row-major element strides of a contiguous array of this shape.
pub fn strides(shape: &[usize]) -> Shape {
    let mut s: Shape = SmallVec::from_elem(1, shape.len());
    for d in (0..shape.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1] * shape[d + 1];
    }
    s
}

/// numpy broadcasting: align right, every axis equal or 1.
pub fn broadcast_shapes(op: &str, a: &[usize], b: &[usize]) -> Result<Shape> {
    let n = a.len().max(b.len());
    let mut out: Shape = SmallVec::with_capacity(n);
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out.push(match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => {
                return Err(Error::Broadcast {
                    op: op.into(),
                    lhs: a.to_vec(),
                    rhs: b.to_vec(),
                })
            }
        });
    }
    Ok(out)
}

/// A possibly negative axis, checked against `ndim`.
pub fn normalize_axis(op: &str, axis: isize, shape: &[usize]) -> Result<usize> {
    let ndim = shape.len() as isize;
    let a = if axis < 0 { axis + ndim } else { axis };
    if a < 0 || a >= ndim {
        return Err(Error::Axis {
            op: op.into(),
            axis,
            ndim: shape.len(),
            shape: shape.to_vec(),
        });
    }
    Ok(a as usize)
}

/// Normalised, sorted, duplicate-free axes; `None` means all axes.
pub fn normalize_axes(op: &str, axes: Option<&[isize]>, shape: &[usize]) -> Result<Vec<usize>> {
    let mut out = match axes {
        None => (0..shape.len()).collect(),
        Some(list) => list
            .iter()
            .map(|&a| normalize_axis(op, a, shape))
            .collect::<Result<Vec<_>>>()?,
    };
    out.sort_unstable();
    let before = out.len();
    out.dedup();
    if out.len() != before {
        return Err(Error::invalid(
            op,
            format!(
                "repeated axis in axes {}; name each axis once",
                crate::error::fmt_tuple(axes.unwrap_or(&[]))
            ),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_like_numpy() {
        assert_eq!(&broadcast_shapes("t", &[3, 1], &[4]).unwrap()[..], &[3, 4]);
        assert_eq!(&broadcast_shapes("t", &[], &[2, 2]).unwrap()[..], &[2, 2]);
        assert_eq!(&broadcast_shapes("t", &[0], &[1]).unwrap()[..], &[0]);
        assert!(broadcast_shapes("t", &[3], &[4]).is_err());
        assert_eq!(&strides(&[2, 3, 4])[..], &[12, 4, 1]);
    }
}
