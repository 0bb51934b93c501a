//! Coordinate grids and transforms as generator-based lazy arrays (a grid reads no
//! memory). Reached as `e.coordinates`.
//!
//! ```
//! use mathengine::Engine;
//! let e = Engine::new();
//! let (x, y) = e.coordinates.make_xy_grid(4, None, Some(2.0))?; // dx = 0.5
//! assert_eq!(x.to_vec::<f64>()?[..4], [-1.0, -0.5, 0.0, 0.5]);
//! let (r, t) = e.coordinates.cart_to_polar(&x, &y)?;
//! let mask = e.coordinates.circle(1.0, &r)?;
//! # Ok::<(), mathengine::Error>(())
//! ```

use crate::array::Array;
use crate::engine::{Engine, Inner};
use crate::ops::creation::Indexing;
use mathengine_ir::{Error, Result};
use std::sync::Arc;

/// The `e.coordinates` namespace.
#[derive(Clone)]
pub struct Coordinates {
    inner: Arc<Inner>,
}

impl Coordinates {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Coordinates { inner }
    }

    /// The engine this namespace builds graphs in.
    pub fn engine(&self) -> Engine {
        Engine::from_inner(self.inner.clone())
    }

    /// FFT-aligned sample positions (prysm's `fftrange`): `(i - n/2) * dx` for i in 0..n,
    /// so 0 is a sample (the one at index n/2).
    pub fn fftrange(&self, n: usize, dx: f64) -> Result<Array> {
        let e = self.engine();
        // Positions are exact float64 integers times dx only up to 2^53 samples.
        if n > 1 << 53 {
            return Err(Error::invalid(
                "fftrange",
                format!("{n} samples is more than float64 positions can count exactly (at most 2^53); use fewer samples"),
            ));
        }
        let start = -((n / 2) as f64);
        let idx = if n == 0 {
            e.zeros(&[0], mathengine_ir::DType::F64)
        } else {
            e.arange(start, start + n as f64, 1.0)?
        };
        if dx == 1.0 {
            Ok(idx)
        } else {
            e.mul(&idx, &e.scalar(dx))
        }
    }

    /// A square `shape`×`shape` grid of (x, y) sample positions, as prysm's
    /// `make_xy_grid(shape, dx=..., diameter=...)`: x = (arange(N) - N//2) · dx along
    /// axis 1, y likewise along axis 0 (meshgrid, "xy" indexing), so 0 is a sample. Give
    /// `dx`, or `diameter` (then dx = diameter / N, which takes precedence as in prysm).
    /// The grid is made of generator nodes and reads no memory.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let (x, y) = e.coordinates.make_xy_grid(3, Some(1.0), None)?;
    /// assert_eq!(x.to_vec::<f64>()?, vec![-1.0, 0.0, 1.0, -1.0, 0.0, 1.0, -1.0, 0.0, 1.0]);
    /// assert_eq!(y.to_vec::<f64>()?[..3], [-1.0, -1.0, -1.0]);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn make_xy_grid(
        &self,
        shape: usize,
        dx: Option<f64>,
        diameter: Option<f64>,
    ) -> Result<(Array, Array)> {
        self.make_xy_grid_rect(shape, shape, dx, diameter)
    }

    /// [`Self::make_xy_grid`] for a rectangular grid of `ny` rows and `nx` columns
    /// (prysm's `shape=(ny, nx)`); `diameter` gives dx = diameter / max(ny, nx).
    pub fn make_xy_grid_rect(
        &self,
        ny: usize,
        nx: usize,
        dx: Option<f64>,
        diameter: Option<f64>,
    ) -> Result<(Array, Array)> {
        let op = "make_xy_grid";
        mathengine_ir::shape::check_shape(op, &[ny, nx])?;
        let step = match (diameter, dx) {
            (Some(d), _) => {
                let n = ny.max(nx);
                if n == 0 {
                    return Err(Error::invalid(
                        op,
                        "the grid has no samples; shape must be >= 1",
                    ));
                }
                d / n as f64
            }
            (None, Some(dx)) => dx,
            (None, None) => {
                return Err(Error::invalid(
                    op,
                    "give the sample spacing dx or the diameter (dx = diameter / N)",
                ))
            }
        };
        if !step.is_finite() || step == 0.0 {
            return Err(Error::invalid(
                op,
                format!("the sample spacing {step} must be finite and non-zero"),
            ));
        }
        let e = self.engine();
        let x = self.fftrange(nx, step)?;
        let y = self.fftrange(ny, step)?;
        let mut g = e.meshgrid(&[&x, &y], Indexing::Xy)?;
        let yy = g.pop();
        let xx = g.pop();
        match (xx, yy) {
            (Some(xx), Some(yy)) => Ok((xx, yy)),
            _ => Err(Error::internal(op, "meshgrid returned too few arrays")),
        }
    }

    /// Cartesian to polar: r = hypot(x, y), t = arctan2(y, x).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.from_vec(vec![0.0, 3.0], &[2])?;
    /// let y = e.from_vec(vec![1.0, 4.0], &[2])?;
    /// let (r, t) = e.coordinates.cart_to_polar(&x, &y)?;
    /// let r = r.to_vec::<f64>()?;
    /// assert!((r[0] - 1.0).abs() < 1e-15 && (r[1] - 5.0).abs() < 1e-14);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn cart_to_polar(&self, x: &Array, y: &Array) -> Result<(Array, Array)> {
        let e = self.engine();
        check_inputs(&e, "cart_to_polar", x, y)?;
        Ok((e.hypot(x, y)?, e.arctan2(y, x)?))
    }

    /// Polar to Cartesian: x = r cos t, y = r sin t.
    pub fn polar_to_cart(&self, r: &Array, t: &Array) -> Result<(Array, Array)> {
        let e = self.engine();
        check_inputs(&e, "polar_to_cart", r, t)?;
        Ok((e.mul(r, &e.cos(t)?)?, e.mul(r, &e.sin(t)?)?))
    }

    /// A boolean mask: `r <= radius` (prysm's `circle`).
    pub fn circle(&self, radius: f64, r: &Array) -> Result<Array> {
        let e = self.engine();
        e.check_same_engine("circle", r)?;
        if !(r.dtype().is_float() || r.dtype().is_int()) {
            return Err(Error::dtype(
                "circle",
                r.dtype(),
                "the radius array must be real (integer or float); take abs() of a complex array first",
            ));
        }
        e.less_equal(r, &e.scalar_like(radius, r))
    }
}

/// Both coordinate arrays belong to `e`, are real and have one shape.
fn check_inputs(e: &Engine, op: &str, a: &Array, b: &Array) -> Result<()> {
    e.check_same_engine(op, a)?;
    e.check_same_engine(op, b)?;
    for x in [a, b] {
        if x.dtype().is_complex() || x.dtype() == mathengine_ir::DType::Bool {
            return Err(Error::dtype(
                op,
                x.dtype(),
                "coordinates must be real numbers (integer or float)",
            ));
        }
    }
    if a.shape() == b.shape() {
        Ok(())
    } else {
        Err(Error::invalid(
            op,
            format!(
                "the coordinate arrays have different shapes {} and {}; give two of one shape",
                mathengine_ir::error::fmt_shape(a.shape()),
                mathengine_ir::error::fmt_shape(b.shape())
            ),
        ))
    }
}
