//! numpy's keyword arguments as small builder structs, so a call reads like numpy's:
//!
//! | numpy | mathengine |
//! |---|---|
//! | `np.sum(x)` | `e.sum_with(&x, Axes::all())` |
//! | `np.sum(x, axis=0, keepdims=True)` | `e.sum_with(&x, Axes::axis(0).keepdims())` |
//! | `np.std(x, axis=(0, 1), ddof=1)` | `e.std_with(&x, Axes::of(&[0, 1]).ddof(1))` |
//! | `np.fft.fft(x, n=128, norm="ortho")` | `e.fft.fft_with(&x, FftArgs::new().n(128).norm(Norm::Ortho))` |
//! | `np.fft.fft2(x, s=(64, 64))` | `e.fft.fft2_with(&x, FftArgs::new().s(&[64, 64]))` |
//!
//! The positional forms (`e.sum(&x, None, false)`, `e.fft.fft2(&x, None, None,
//! Norm::Backward)`) stay; these call them.
//!
//! ```
//! use mathengine::{Axes, Engine, FftArgs, Norm};
//! let e = Engine::new();
//! let x = e.reshape(&e.arange(0.0, 6.0, 1.0)?, &[2, 3])?;
//! let s = e.sum_with(&x, Axes::axis(0).keepdims())?;        // np.sum(x, axis=0, keepdims=True)
//! assert_eq!(s.shape(), &[1, 3]);
//! assert_eq!(s.to_vec::<f64>()?, vec![3.0, 5.0, 7.0]);
//! let f = e.fft.fft_with(&x, FftArgs::new().n(4).norm(Norm::Ortho))?; // np.fft.fft(x, n=4, norm="ortho")
//! assert_eq!(f.shape(), &[2, 4]);
//! # Ok::<(), mathengine::Error>(())
//! ```

use crate::array::Array;
use crate::engine::Engine;
use crate::fft::{Fft, Norm};
use mathengine_ir::Result;

/// numpy's `axis=`, `keepdims=` and `ddof=` for reductions. `Axes::all()` (numpy's
/// `axis=None`) is the default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Axes {
    /// The axes reduced (negative counts from the end); `None`: all of them.
    pub axes: Option<Vec<isize>>,
    /// Keep the reduced axes with length 1.
    pub keepdims: bool,
    /// Delta degrees of freedom of `var`/`std` (the divisor is n - ddof).
    pub ddof: usize,
}

impl Axes {
    /// Every axis (numpy's `axis=None`).
    pub fn all() -> Axes {
        Axes::default()
    }
    /// One axis (numpy's `axis=k`).
    pub fn axis(axis: isize) -> Axes {
        Axes {
            axes: Some(vec![axis]),
            ..Axes::default()
        }
    }
    /// Several axes (numpy's `axis=(i, j)`).
    pub fn of(axes: &[isize]) -> Axes {
        Axes {
            axes: Some(axes.to_vec()),
            ..Axes::default()
        }
    }
    /// Keep the reduced axes with length 1 (numpy's `keepdims=True`).
    pub fn keepdims(mut self) -> Axes {
        self.keepdims = true;
        self
    }
    /// Delta degrees of freedom for `var`/`std` (numpy's `ddof=`).
    pub fn ddof(mut self, ddof: usize) -> Axes {
        self.ddof = ddof;
        self
    }
    fn slice(&self) -> Option<&[isize]> {
        self.axes.as_deref()
    }
}

macro_rules! reductions_with {
    ($($with:ident => $plain:ident),* $(,)?) => {
        impl Engine {
            $(
                #[doc = concat!("numpy's `", stringify!($plain), "` with keyword-style options: `e.",
                    stringify!($with), "(&x, Axes::axis(0).keepdims())`.")]
                pub fn $with(&self, x: &Array, opts: Axes) -> Result<Array> {
                    self.$plain(x, opts.slice(), opts.keepdims)
                }
            )*
        }
    };
}
reductions_with!(
    sum_with => sum, prod_with => prod, min_with => min, max_with => max,
    any_with => any, all_with => all, mean_with => mean,
);

impl Engine {
    /// numpy's `var` with keyword-style options: `e.var_with(&x, Axes::axis(1).ddof(1))`.
    pub fn var_with(&self, x: &Array, opts: Axes) -> Result<Array> {
        self.var(x, opts.slice(), opts.keepdims, opts.ddof)
    }
    /// numpy's `std` with keyword-style options: `e.std_with(&x, Axes::all().ddof(1))`.
    pub fn std_with(&self, x: &Array, opts: Axes) -> Result<Array> {
        self.std(x, opts.slice(), opts.keepdims, opts.ddof)
    }
}

/// numpy's FFT keywords: `n=`/`s=` (output lengths, zero-padding or cropping), `axis=`/
/// `axes=`, and `norm=`. Unset fields take numpy's defaults for the function called
/// (the last axis for the 1-D functions, the last two for the 2-D ones, all for the
/// n-D ones; `norm="backward"`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FftArgs {
    /// Output lengths along the transformed axes (`n=` is one length).
    pub s: Option<Vec<usize>>,
    /// The transformed axes (`axis=` is one axis).
    pub axes: Option<Vec<isize>>,
    /// Normalisation.
    pub norm: Norm,
}

impl FftArgs {
    /// numpy's defaults.
    pub fn new() -> FftArgs {
        FftArgs::default()
    }
    /// The length of a 1-D transform (numpy's `n=`).
    pub fn n(mut self, n: usize) -> FftArgs {
        self.s = Some(vec![n]);
        self
    }
    /// The lengths of a 2-D or n-D transform (numpy's `s=`).
    pub fn s(mut self, s: &[usize]) -> FftArgs {
        self.s = Some(s.to_vec());
        self
    }
    /// The axis of a 1-D transform (numpy's `axis=`).
    pub fn axis(mut self, axis: isize) -> FftArgs {
        self.axes = Some(vec![axis]);
        self
    }
    /// The axes of a 2-D or n-D transform (numpy's `axes=`).
    pub fn axes(mut self, axes: &[isize]) -> FftArgs {
        self.axes = Some(axes.to_vec());
        self
    }
    /// Normalisation (numpy's `norm=`).
    pub fn norm(mut self, norm: Norm) -> FftArgs {
        self.norm = norm;
        self
    }

    /// `n` and `axis` for the 1-D functions: one length at most, one axis at most.
    fn one_d(&self, op: &str) -> Result<(Option<usize>, isize)> {
        let n = match self.s.as_deref() {
            None => None,
            Some([n]) => Some(*n),
            Some(s) => {
                return Err(mathengine_ir::Error::invalid(
                    op,
                    format!(
                        "{op} transforms one axis but {} lengths were given in s; give one with FftArgs::n",
                        s.len()
                    ),
                ));
            }
        };
        let axis = match self.axes.as_deref() {
            None => -1,
            Some([a]) => *a,
            Some(a) => {
                return Err(mathengine_ir::Error::invalid(
                    op,
                    format!(
                        "{op} transforms one axis but {} axes were given; give one with FftArgs::axis",
                        a.len()
                    ),
                ));
            }
        };
        Ok((n, axis))
    }
}

macro_rules! fft_1d_with {
    ($($with:ident => $plain:ident),* $(,)?) => {
        impl Fft {
            $(
                #[doc = concat!("numpy's `fft.", stringify!($plain), "` with keyword-style options: `e.fft.",
                    stringify!($with), "(&x, FftArgs::new().n(128).norm(Norm::Ortho))`.")]
                pub fn $with(&self, x: &Array, args: FftArgs) -> Result<Array> {
                    let (n, axis) = args.one_d(stringify!($plain))?;
                    self.$plain(x, n, axis, args.norm)
                }
            )*
        }
    };
}
fft_1d_with!(fft_with => fft, ifft_with => ifft, rfft_with => rfft, irfft_with => irfft);

macro_rules! fft_nd_with {
    ($($with:ident => $plain:ident),* $(,)?) => {
        impl Fft {
            $(
                #[doc = concat!("numpy's `fft.", stringify!($plain), "` with keyword-style options: `e.fft.",
                    stringify!($with), "(&x, FftArgs::new().s(&[64, 64]).axes(&[0, 1]))`.")]
                pub fn $with(&self, x: &Array, args: FftArgs) -> Result<Array> {
                    self.$plain(x, args.s.as_deref(), args.axes.as_deref(), args.norm)
                }
            )*
        }
    };
}
fft_nd_with!(
    fft2_with => fft2, ifft2_with => ifft2, fftn_with => fftn, ifftn_with => ifftn,
    rfft2_with => rfft2, irfft2_with => irfft2, rfftn_with => rfftn, irfftn_with => irfftn,
);
