//! Creating arrays: from host data, constants, and generators (arange, linspace, eye,
//! meshgrid, random numbers) that are computed from the element index and read no memory.

use crate::array::Array;
use crate::engine::Engine;
use mathengine_ir::graph::{Bits, Generator};
use mathengine_ir::{shape, DType, Element, Error, HostBuffer, Op, Result, Scalar};
use smallvec::smallvec;

/// How `meshgrid` orders its outputs' axes (numpy's `indexing=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Indexing {
    /// Cartesian: with inputs x (len nx) and y (len ny), outputs have shape (ny, nx).
    Xy,
    /// Matrix: outputs have shape (nx, ny).
    Ij,
}

impl Engine {
    /// An array holding `data` with `shape` (row-major).
    pub fn from_vec<T: Element>(&self, data: Vec<T>, shape: &[usize]) -> Result<Array> {
        let n = shape::check_shape("from_vec", shape)?;
        if data.len() != n {
            return Err(Error::Shape {
                op: "from_vec".into(),
                got: vec![data.len()],
                expected: shape.to_vec(),
                hint: format!(
                    "{} elements were given for a shape of {n} elements",
                    data.len(),
                ),
            });
        }
        Ok(self.wrap(self.data_node(HostBuffer::from_vec(data), shape.into())))
    }

    /// An array copied from a slice.
    pub fn from_slice<T: Element>(&self, data: &[T], shape: &[usize]) -> Result<Array> {
        self.from_vec(data.to_vec(), shape)
    }

    /// An array copied from an `ndarray` array of any layout.
    pub fn from_ndarray<T: Element, S, D>(&self, a: &ndarray::ArrayBase<S, D>) -> Result<Array>
    where
        S: ndarray::Data<Elem = T>,
        D: ndarray::Dimension,
    {
        let shape = a.shape().to_vec();
        self.from_vec(a.iter().copied().collect(), &shape)
    }

    /// `value` broadcast over `shape` (its dtype is the value's).
    pub fn full(&self, shape: &[usize], value: impl Into<Scalar>) -> Array {
        let v: Scalar = value.into();
        self.wrap(self.const_node(v, v.dtype(), shape))
    }
    pub fn zeros(&self, shape: &[usize], dtype: DType) -> Array {
        self.wrap(self.const_node(Scalar::I64(0), dtype, shape))
    }
    pub fn ones(&self, shape: &[usize], dtype: DType) -> Array {
        self.wrap(self.const_node(Scalar::I64(1), dtype, shape))
    }

    /// `start, start+step, ...` below `stop` (float64), as numpy's arange.
    pub fn arange(&self, start: f64, stop: f64, step: f64) -> Result<Array> {
        if step == 0.0 || !step.is_finite() || !start.is_finite() || !stop.is_finite() {
            return Err(Error::invalid(
                "arange",
                format!(
                    "start {start}, stop {stop} and step {step} must be finite and step non-zero"
                ),
            ));
        }
        let count = ((stop - start) / step).ceil().max(0.0);
        // (NaN cannot happen: start, stop and step are finite and step is non-zero.)
        if count > shape::MAX_ELEMENTS as f64 {
            return Err(Error::invalid(
                "arange",
                format!(
                    "arange({start}, {stop}, {step}) would have {count:e} elements, more than any array can hold (at most {}); use a larger step or a shorter range",
                    shape::MAX_ELEMENTS
                ),
            ));
        }
        let n = count as usize;
        let g = Generator::Arange {
            start: Bits(start),
            step: Bits(step),
        };
        Ok(self.wrap(self.node(Op::Gen(g), DType::F64, smallvec![n], smallvec![])?))
    }

    /// `0, 1, ..., n-1` as int64.
    pub fn arange_int(&self, n: usize) -> Array {
        let g = Generator::Arange {
            start: Bits(0.0),
            step: Bits(1.0),
        };
        self.wrap(
            self.inner
                .graph
                .intern(Op::Gen(g), DType::I64, smallvec![n], smallvec![]),
        )
    }

    /// `n` evenly spaced float64 values from `start` to `stop` inclusive, as numpy's linspace.
    pub fn linspace(&self, start: f64, stop: f64, n: usize) -> Array {
        let step = if n > 1 {
            (stop - start) / (n - 1) as f64
        } else {
            0.0
        };
        // One point is `start` (numpy); the last-element rule would give `stop`.
        let stop = if n == 1 { start } else { stop };
        let g = Generator::Linspace {
            start: Bits(start),
            step: Bits(step),
            stop: Bits(stop),
        };
        self.wrap(
            self.inner
                .graph
                .intern(Op::Gen(g), DType::F64, smallvec![n], smallvec![]),
        )
    }

    /// An `n × m` float64 array with ones on diagonal `k` (0 is the main one).
    pub fn eye(&self, n: usize, m: usize, k: i64) -> Array {
        self.wrap(self.inner.graph.intern(
            Op::Gen(Generator::Eye { k }),
            DType::F64,
            smallvec![n, m],
            smallvec![],
        ))
    }

    /// Coordinate arrays from 1-D arrays, as numpy's meshgrid.
    pub fn meshgrid(&self, arrays: &[&Array], indexing: Indexing) -> Result<Vec<Array>> {
        for a in arrays {
            self.check_same_engine("meshgrid", a)?;
            if a.ndim() != 1 {
                return Err(Error::Shape {
                    op: "meshgrid".into(),
                    got: a.shape().to_vec(),
                    expected: vec![a.size()],
                    hint: "meshgrid takes 1-D arrays; reshape(&[-1]) first".into(),
                });
            }
        }
        let mut shape: Vec<usize> = arrays.iter().map(|a| a.size()).collect();
        if indexing == Indexing::Xy && shape.len() >= 2 {
            shape.swap(0, 1);
        }
        shape::check_shape("meshgrid", &shape)?;
        arrays
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let axis = if indexing == Indexing::Xy && i < 2 && arrays.len() >= 2 {
                    1 - i
                } else {
                    i
                };
                // Every step is valid for 1-D inputs of a checked total shape (empty
                // ones included: no -1 to infer).
                let mut s = vec![1isize; shape.len()];
                s[axis] = a.size() as isize;
                self.broadcast_to(&self.reshape(a, &s)?, &shape)
            })
            .collect()
    }

    /// Uniform random numbers on [0, 1) (float64). Element `i` depends only on
    /// (`seed`, `i`), so every backend gives the same array.
    pub fn random_uniform(&self, seed: u64, shape: &[usize]) -> Array {
        self.wrap(self.inner.graph.intern(
            Op::Gen(Generator::Uniform { seed }),
            DType::F64,
            shape.into(),
            smallvec![],
        ))
    }

    /// Standard normal random numbers (float64), reproducible across backends.
    pub fn random_normal(&self, seed: u64, shape: &[usize]) -> Array {
        self.wrap(self.inner.graph.intern(
            Op::Gen(Generator::Normal { seed }),
            DType::F64,
            shape.into(),
            smallvec![],
        ))
    }
}
