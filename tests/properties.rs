//! Property tests: random expression graphs evaluated by the engine and by a naive
//! evaluator (tests/common/naive.rs), compared bit for bit (NaN equal to NaN).
//!
//! A graph has 1-3 input arrays (float64, some float32 and int64) of random shapes
//! (0, 1 and odd lengths included) that broadcast against each other, then up to 49
//! random nodes: unary and binary ops, `where`, casts, reshape, permute, slices with
//! negative steps, flip, roll, pad, broadcast_to, concatenate, generators, reductions,
//! and explicit evaluations in the middle (kernel boundaries). Often a reduction ends it.
//!
//! The naive evaluator computes one element at a time, recursively, from the output
//! multi-index with direct index arithmetic. Its only borrowed semantics are the scalar
//! ones: `mathengine_ir::scalar_eval::{unary, binary}` and `Scalar::cast` (astype), which
//! define what each operation does to one value. Dtype promotion, broadcasting, every
//! index mapping and the reductions (pairwise sums, first-NaN min/max) are written there.
//!
//! Seeds: a fixed seed per property by default; `MATHENGINE_FRESH_SEED=1` draws a fresh
//! one (printed), and `MATHENGINE_SEED=<n>` replays one. `MATHENGINE_PROPTEST_CASES=<n>`
//! runs more (or fewer) cases.

use mathengine::{Array, DType, Engine, ReduceOp, Scalar, Slice};
use mathengine_ir::{BinaryOp, UnaryOp};
use proptest::prelude::*;

#[path = "common/naive.rs"]
mod naive;
use naive::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use std::cell::RefCell;
use std::hash::{BuildHasher, Hasher};

// ---------------------------------------------------------------------------------
// What to generate
// ---------------------------------------------------------------------------------

/// How a property run generates and compares.
#[derive(Clone, Debug)]
pub struct Options {
    /// Library bugs whose triggers the generator leaves out.
    pub avoid: Vec<Bug>,
    /// Only operations whose result is exactly defined by IEEE 754 (no transcendental
    /// functions, no pow/atan2/hypot, no complex numbers, no float sums, products,
    /// means or variances, whose rounding depends on the order of summation), so that
    /// any correct backend must agree bit for bit even if its libm differs.
    pub exact_ops_only: bool,
    /// Allowed distance in ULPs for floating-point elements (0: bitwise).
    pub ulps: u32,
    /// Test cases to run.
    pub cases: u32,
}

impl Options {
    /// Bitwise comparison, every op, known bugs avoided, 64 cases.
    pub fn bitwise() -> Options {
        Options {
            avoid: KNOWN_BUGS.to_vec(),
            exact_ops_only: false,
            ulps: 0,
            cases: 64,
        }
    }
}

/// Library bugs found by these tests (each also has an ignored test in
/// tests/op_table.rs). The generator steps around those in `Options::avoid`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    /// concatenate of two or more arrays fails its shape check.
    Concat,
    /// slice with start 0 and step 1 on every axis returns the whole array.
    SlicePrefix,
    /// pad along a non-leading axis reads out of bounds (kernel parameter collision).
    PadInnerAxis,
    /// pad of a size-0 array reads an empty buffer.
    PadEmpty,
    /// reductions over a size-0 axis panic in the reference interpreter.
    EmptyReductionOnReference,
    /// x*1 and x/1 are simplified to x for complex x too, but (inf+0j)*(1+0j) is
    /// inf+nanj, so the mean of one complex infinity is wrong.
    ComplexIdentity,
}

/// The library bugs present today (none: all found so far are fixed); the generator
/// steps around a listed bug so the other properties keep running while it is open.
pub const KNOWN_BUGS: &[Bug] = &[];

impl Options {
    fn avoids(&self, bug: Bug) -> bool {
        self.avoid.contains(&bug)
    }
}

const SPECIAL_F64: [f64; 20] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -2.5,
    3.0,
    1e-310,
    -5e-324,
    1e300,
    -1e300,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    0.1,
    7.25,
    100.0,
    -0.75,
    2.0,
    1e-8,
];
const SPECIAL_I64: [i64; 10] = [
    0,
    1,
    -1,
    2,
    -3,
    255,
    i64::MAX,
    i64::MIN,
    1 << 40,
    -(1 << 33),
];

/// Largest array a generated node may have.
const MAX_NUMEL: usize = 1024;
const MAX_RANK: usize = 4;

#[derive(Clone, Debug)]
struct InputSpec {
    dtype_sel: u8,
    drop_sel: u8,
    ones_mask: u8,
    values: Vec<(f64, i64)>,
}

#[derive(Clone, Debug)]
struct GraphSpec {
    base: Vec<usize>,
    inputs: Vec<InputSpec>,
    steps: Vec<(u8, u16, u16, u32)>,
    reduce: Option<(u8, u32)>,
}

fn dim() -> impl Strategy<Value = usize> {
    prop_oneof![
        1 => Just(0usize),
        3 => Just(1),
        3 => Just(2),
        3 => Just(3),
        1 => Just(4),
        2 => Just(5),
        2 => Just(7),
        1 => Just(11),
    ]
}

fn value() -> impl Strategy<Value = (f64, i64)> {
    (
        prop_oneof![
            3 => -10.0f64..10.0,
            2 => prop::sample::select(SPECIAL_F64.to_vec()),
            1 => (-4i32..5).prop_map(f64::from),
        ],
        prop_oneof![
            3 => -6i64..7,
            1 => prop::sample::select(SPECIAL_I64.to_vec()),
        ],
    )
}

fn input_spec() -> impl Strategy<Value = InputSpec> {
    (
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        prop::collection::vec(value(), 1..40),
    )
        .prop_map(|(dtype_sel, drop_sel, ones_mask, values)| InputSpec {
            dtype_sel,
            drop_sel,
            ones_mask,
            values,
        })
}

fn graph_spec(max_steps: usize) -> impl Strategy<Value = GraphSpec> {
    (
        prop_oneof![
            1 => prop::collection::vec(dim(), 0..=0),
            6 => prop::collection::vec(dim(), 1..=3),
        ],
        prop::collection::vec(input_spec(), 1..=3),
        prop::collection::vec(
            (any::<u8>(), any::<u16>(), any::<u16>(), any::<u32>()),
            0..max_steps,
        ),
        prop::option::weighted(0.4, (any::<u8>(), any::<u32>())),
    )
        .prop_map(|(base, inputs, steps, reduce)| GraphSpec {
            base,
            inputs,
            steps,
            reduce,
        })
}

/// A small deterministic source of choices, seeded by one generated number.
struct Pick(u64);
impl Pick {
    fn new(seed: u32) -> Pick {
        Pick(seed as u64 ^ 0x9E37_79B9_7F4A_7C15)
    }
    fn next(&mut self) -> u64 {
        // SplitMix64.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }
    fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }
}

// ---------------------------------------------------------------------------------
// Building one graph in the engine and in the naive model at once
// ---------------------------------------------------------------------------------

struct Built {
    arrays: Vec<Array>,
    naive: Naive,
    /// A readable description of each node, for failure messages.
    desc: Vec<String>,
}

impl Built {
    fn push(&mut self, a: Array, node: NaiveNode, desc: String) -> Result<(), String> {
        if a.shape() != &node.shape[..] || a.dtype() != node.dtype {
            return Err(format!(
                "node {} = {desc}: the engine made shape {:?} {}, the model expects {:?} {}",
                self.arrays.len(),
                a.shape(),
                a.dtype(),
                node.shape,
                node.dtype
            ));
        }
        self.arrays.push(a);
        self.naive.nodes.push(node);
        self.naive.memo.borrow_mut().push(Vec::new());
        self.desc.push(desc);
        Ok(())
    }
    fn len(&self) -> usize {
        self.arrays.len()
    }
    fn node(&self, i: usize) -> &NaiveNode {
        &self.naive.nodes[i]
    }
}

/// The engine refused (or failed at) something the model says is valid.
fn refused(what: &str, err: mathengine::Error) -> String {
    format!("{what}: the engine returned an error for a valid operation: {err}")
}

fn input_arrays(e: &Engine, spec: &GraphSpec, b: &mut Built) -> Result<(), String> {
    for (k, inp) in spec.inputs.iter().enumerate() {
        let r = spec.base.len();
        let drop = if inp.drop_sel & 1 == 1 {
            (inp.drop_sel >> 1) as usize % (r + 1)
        } else {
            0
        };
        let shape: Vec<usize> = spec.base[drop..]
            .iter()
            .enumerate()
            .map(|(i, &d)| {
                if inp.ones_mask & 0x80 != 0 && (inp.ones_mask >> i) & 1 == 1 {
                    1
                } else {
                    d
                }
            })
            .collect();
        let n = numel(&shape);
        let pick = |i: usize| inp.values[(i * 7 + i / inp.values.len()) % inp.values.len()];
        let (arr, vals, dtype) = match inp.dtype_sel % 8 {
            0..=4 => {
                let v: Vec<f64> = (0..n).map(|i| pick(i).0).collect();
                let s = v.iter().map(|&x| Scalar::F64(x)).collect();
                (e.from_vec(v, &shape), s, DType::F64)
            }
            5 | 6 => {
                let v: Vec<f32> = (0..n).map(|i| pick(i).0 as f32).collect();
                let s = v.iter().map(|&x| Scalar::F32(x)).collect();
                (e.from_vec(v, &shape), s, DType::F32)
            }
            _ => {
                let v: Vec<i64> = (0..n).map(|i| pick(i).1).collect();
                let s = v.iter().map(|&x| Scalar::I64(x)).collect();
                (e.from_vec(v, &shape), s, DType::I64)
            }
        };
        let arr = arr.map_err(|err| refused("from_vec", err))?;
        b.naive.inputs.push(vals);
        b.push(
            arr,
            NaiveNode {
                op: NaiveOp::Input(k),
                dtype,
                shape: shape.clone(),
                args: vec![],
            },
            format!("input{k} {dtype}{shape:?}"),
        )?;
    }
    Ok(())
}

/// Axes to reduce over: all of them (`None`) or a random subset, possibly written
/// negative. Returns (what to pass to the engine, sorted normalised axes).
fn pick_axes(p: &mut Pick, rank: usize) -> (Option<Vec<isize>>, Vec<usize>) {
    if rank == 0 || p.chance(1, 4) {
        return (None, (0..rank).collect());
    }
    let mut axes: Vec<usize> = (0..rank).filter(|_| p.chance(1, 2)).collect();
    if axes.is_empty() {
        axes.push(p.below(rank));
    }
    let given = axes
        .iter()
        .map(|&a| {
            if p.chance(1, 3) {
                a as isize - rank as isize
            } else {
                a as isize
            }
        })
        .collect();
    (Some(given), axes)
}

/// Add a reduction of node `x` chosen by `sel` and `p`; Ok(false) if none fits.
fn add_reduction(
    e: &Engine,
    b: &mut Built,
    x: usize,
    sel: u8,
    p: &mut Pick,
    backend: &str,
    opts: &Options,
) -> Result<bool, String> {
    let xn = b.node(x).clone();
    let rank = xn.shape.len();
    let kinds = [
        ReduceOp::Sum,
        ReduceOp::Prod,
        ReduceOp::Min,
        ReduceOp::Max,
        ReduceOp::ArgMin,
        ReduceOp::ArgMax,
        ReduceOp::Any,
        ReduceOp::All,
    ];
    let which = sel as usize % (kinds.len() + 2);
    let keepdims = p.chance(1, 3);
    let (given, axes) = pick_axes(p, rank);
    let is_arg = which < kinds.len() && matches!(kinds[which], ReduceOp::ArgMin | ReduceOp::ArgMax);
    // argmin/argmax take one axis or none (flattened).
    let (given, axes, keepdims) = if is_arg {
        if rank > 0 && p.chance(1, 2) {
            let a = p.below(rank);
            (Some(vec![a as isize]), vec![a], false)
        } else {
            (None, (0..rank).collect(), false)
        }
    } else {
        (given, axes, keepdims)
    };
    let count: usize = axes.iter().map(|&a| xn.shape[a]).product();
    let out_shape: Vec<usize> = (0..rank)
        .filter_map(|d| {
            if !axes.contains(&d) {
                Some(xn.shape[d])
            } else if keepdims {
                Some(1)
            } else {
                None
            }
        })
        .collect();
    if opts.avoids(Bug::EmptyReductionOnReference)
        && backend == "reference"
        && count == 0
        && numel(&out_shape) > 0
    {
        return Ok(false);
    }
    // Float sums round differently in another order: not exact across backends.
    let sums = which >= kinds.len() || matches!(kinds[which], ReduceOp::Sum | ReduceOp::Prod);
    if opts.exact_ops_only
        && sums
        && (xn.dtype.is_float() || xn.dtype.is_complex() || which >= kinds.len())
    {
        return Ok(false);
    }
    let axes_ref = given.as_deref();
    let desc_axes = format!("{given:?}");
    let (arr, op, dtype, desc) = if which < kinds.len() {
        let op = kinds[which];
        let ordered = matches!(
            op,
            ReduceOp::Min | ReduceOp::Max | ReduceOp::ArgMin | ReduceOp::ArgMax
        );
        if ordered && (count == 0 || xn.dtype.is_complex()) {
            return Ok(false);
        }
        let dtype = match op {
            ReduceOp::Sum | ReduceOp::Prod if !(xn.dtype.is_float() || xn.dtype.is_complex()) => {
                DType::I64
            }
            ReduceOp::ArgMin | ReduceOp::ArgMax => DType::I64,
            ReduceOp::Any | ReduceOp::All => DType::Bool,
            _ => xn.dtype,
        };
        let a = &b.arrays[x];
        let arr = match op {
            ReduceOp::ArgMin => e.argmin(a, given.as_ref().map(|g| g[0])),
            ReduceOp::ArgMax => e.argmax(a, given.as_ref().map(|g| g[0])),
            _ => e.reduce(op, a, axes_ref, keepdims),
        };
        let nop = NaiveOp::Reduce {
            op,
            axes: axes.clone(),
            keepdims,
        };
        (
            arr,
            nop,
            dtype,
            format!("{}(%{x}, {desc_axes}, keepdims={keepdims})", op.name()),
        )
    } else if which == kinds.len() {
        let dtype = inexact(xn.dtype);
        if opts.avoids(Bug::ComplexIdentity) && dtype.is_complex() && count == 1 {
            return Ok(false);
        }
        let arr = e.mean(&b.arrays[x], axes_ref, keepdims);
        (
            arr,
            NaiveOp::Mean {
                axes: axes.clone(),
                keepdims,
            },
            dtype,
            format!("mean(%{x}, {desc_axes}, keepdims={keepdims})"),
        )
    } else {
        if opts.exact_ops_only && xn.dtype.is_complex() {
            return Ok(false);
        }
        let ddof = p.below(2);
        let dtype = real_of(inexact(xn.dtype));
        let arr = e.var(&b.arrays[x], axes_ref, keepdims, ddof);
        (
            arr,
            NaiveOp::Var {
                axes: axes.clone(),
                keepdims,
                ddof,
            },
            dtype,
            format!("var(%{x}, {desc_axes}, keepdims={keepdims}, ddof={ddof})"),
        )
    };
    let arr = arr.map_err(|err| refused(&desc, err))?;
    b.push(
        arr,
        NaiveNode {
            op,
            dtype,
            shape: out_shape,
            args: vec![x],
        },
        desc,
    )?;
    Ok(true)
}

/// Add one node chosen by `step`; Ok(()) also when the choice does not fit (skipped).
fn add_step(
    e: &Engine,
    b: &mut Built,
    step: (u8, u16, u16, u32),
    backend: &str,
    opts: &Options,
) -> Result<(), String> {
    let (kind, i, j, seed) = step;
    let mut p = Pick::new(seed);
    let n = b.len();
    let x = i as usize % n;
    let y = j as usize % n;
    let xn = b.node(x).clone();
    let rank = xn.shape.len();
    match kind % 20 {
        // Unary.
        0..=4 => {
            let op = if opts.exact_ops_only {
                EXACT_UNARY[p.below(EXACT_UNARY.len())]
            } else {
                UnaryOp::ALL[p.below(UnaryOp::ALL.len())]
            };
            let Some((_, out)) = unary_sig(op, xn.dtype) else {
                return Ok(());
            };
            let desc = format!("{}(%{x})", op.name());
            let arr = e
                .unary(op, &b.arrays[x])
                .map_err(|err| refused(&desc, err))?;
            b.push(
                arr,
                NaiveNode {
                    op: NaiveOp::Unary(op),
                    dtype: out,
                    shape: xn.shape.clone(),
                    args: vec![x],
                },
                desc,
            )
        }
        // Binary.
        5..=9 => {
            let op = BinaryOp::ALL[p.below(BinaryOp::ALL.len())];
            if opts.exact_ops_only && !is_exact_binary(op) {
                return Ok(());
            }
            let yn = b.node(y).clone();
            let Some(shape) = broadcast(&xn.shape, &yn.shape) else {
                return Ok(());
            };
            let Some((_, out)) = binary_sig(op, xn.dtype, yn.dtype) else {
                return Ok(());
            };
            if numel(&shape) > MAX_NUMEL {
                return Ok(());
            }
            let desc = format!("{}(%{x}, %{y})", op.name());
            let arr = e
                .binary(op, &b.arrays[x], &b.arrays[y])
                .map_err(|err| refused(&desc, err))?;
            b.push(
                arr,
                NaiveNode {
                    op: NaiveOp::Binary(op),
                    dtype: out,
                    shape,
                    args: vec![x, y],
                },
                desc,
            )
        }
        // where(cond, a, b).
        10 => {
            let z = p.below(n);
            let (yn, zn) = (b.node(y).clone(), b.node(z).clone());
            let Some(s) = broadcast(&xn.shape, &yn.shape) else {
                return Ok(());
            };
            let Some(shape) = broadcast(&s, &zn.shape) else {
                return Ok(());
            };
            if numel(&shape) > MAX_NUMEL {
                return Ok(());
            }
            let desc = format!("where(%{x}, %{y}, %{z})");
            let arr = e
                .where_(&b.arrays[x], &b.arrays[y], &b.arrays[z])
                .map_err(|err| refused(&desc, err))?;
            b.push(
                arr,
                NaiveNode {
                    op: NaiveOp::Where,
                    dtype: promote(yn.dtype, zn.dtype),
                    shape,
                    args: vec![x, y, z],
                },
                desc,
            )
        }
        // astype.
        11 => {
            let targets: &[DType] = if opts.exact_ops_only {
                &[DType::Bool, DType::I32, DType::I64, DType::F32, DType::F64]
            } else {
                &DType::ALL
            };
            let t = targets[p.below(targets.len())];
            let desc = format!("astype(%{x}, {t})");
            b.push(
                e.astype(&b.arrays[x], t),
                NaiveNode {
                    op: NaiveOp::Cast,
                    dtype: t,
                    shape: xn.shape.clone(),
                    args: vec![x],
                },
                desc,
            )
        }
        // reshape.
        12 => {
            let total = numel(&xn.shape);
            let (given, shape): (Vec<isize>, Vec<usize>) = match p.below(4) {
                0 => (vec![-1], vec![total]),
                1 if total > 0 => {
                    let divisors: Vec<usize> =
                        (1..=total).filter(|d| total.is_multiple_of(*d)).collect();
                    let d = divisors[p.below(divisors.len())];
                    if p.chance(1, 2) {
                        (vec![d as isize, -1], vec![d, total / d])
                    } else {
                        (vec![-1, (total / d) as isize], vec![d, total / d])
                    }
                }
                1 => {
                    let k = 1 + p.below(3);
                    if p.chance(1, 2) {
                        (vec![k as isize, 0], vec![k, 0])
                    } else {
                        (vec![0, k as isize, 1], vec![0, k, 1])
                    }
                }
                2 if rank < MAX_RANK => {
                    let mut s = xn.shape.clone();
                    s.insert(p.below(rank + 1), 1);
                    (s.iter().map(|&d| d as isize).collect(), s)
                }
                _ if rank >= 2 => {
                    // Merge two neighbouring axes.
                    let a = p.below(rank - 1);
                    let mut s = xn.shape.clone();
                    let merged = s[a] * s[a + 1];
                    s.splice(a..a + 2, [merged]);
                    (s.iter().map(|&d| d as isize).collect(), s)
                }
                _ => (vec![total as isize], vec![total]),
            };
            if shape.len() > MAX_RANK {
                return Ok(());
            }
            let desc = format!("reshape(%{x}, {given:?})");
            let arr = e
                .reshape(&b.arrays[x], &given)
                .map_err(|err| refused(&desc, err))?;
            b.push(
                arr,
                NaiveNode {
                    op: NaiveOp::Reshape,
                    dtype: xn.dtype,
                    shape,
                    args: vec![x],
                },
                desc,
            )
        }
        // permute.
        13 => {
            let mut axes: Vec<usize> = (0..rank).collect();
            for k in (1..rank).rev() {
                axes.swap(k, p.below(k + 1));
            }
            let shape: Vec<usize> = axes.iter().map(|&a| xn.shape[a]).collect();
            let desc = format!("permute(%{x}, {axes:?})");
            let arr = e
                .permute(&b.arrays[x], &axes)
                .map_err(|err| refused(&desc, err))?;
            b.push(
                arr,
                NaiveNode {
                    op: NaiveOp::Permute(axes),
                    dtype: xn.dtype,
                    shape,
                    args: vec![x],
                },
                desc,
            )
        }
        // slice (steps of either sign, ends in or out of range, absent).
        14 => {
            let given_axes = p.below(rank + 1);
            let mut slices = Vec::new();
            let mut first_step = Vec::new();
            let mut shape = Vec::new();
            for d in 0..rank {
                let len = xn.shape[d] as i64;
                let s = if d < given_axes {
                    let end = |p: &mut Pick| {
                        if p.chance(1, 4) {
                            None
                        } else {
                            Some(p.range(-len - 2, len + 2) as isize)
                        }
                    };
                    let steps = [1, 1, 2, 3, -1, -1, -2, -3];
                    let step = steps[p.below(steps.len())];
                    Slice::new(end(&mut p), end(&mut p), step)
                } else {
                    Slice::all()
                };
                let (first, count) = py_slice(
                    xn.shape[d],
                    s.start.map(|v| v as i64),
                    s.stop.map(|v| v as i64),
                    s.step as i64,
                );
                slices.push(s);
                first_step.push((first, s.step as i64));
                shape.push(count);
            }
            let plain = first_step
                .iter()
                .zip(&shape)
                .all(|(&(f, st), &c)| st == 1 && (f == 0 || c == 0));
            if opts.avoids(Bug::SlicePrefix) && plain && shape != xn.shape {
                return Ok(());
            }
            slices.truncate(given_axes);
            let desc = format!("slice(%{x}, {slices:?})");
            let arr = e
                .slice(&b.arrays[x], &slices)
                .map_err(|err| refused(&desc, err))?;
            b.push(
                arr,
                NaiveNode {
                    op: NaiveOp::Slice(first_step),
                    dtype: xn.dtype,
                    shape,
                    args: vec![x],
                },
                desc,
            )
        }
        // flip or roll.
        15 => {
            if p.chance(1, 2) {
                let (given, axes) = pick_axes(&mut p, rank);
                let desc = format!("flip(%{x}, {given:?})");
                let arr = e
                    .flip(&b.arrays[x], given.as_deref())
                    .map_err(|err| refused(&desc, err))?;
                b.push(
                    arr,
                    NaiveNode {
                        op: NaiveOp::Flip(axes),
                        dtype: xn.dtype,
                        shape: xn.shape.clone(),
                        args: vec![x],
                    },
                    desc,
                )
            } else {
                let shift = p.range(-8, 8);
                let axis = if rank > 0 && p.chance(3, 4) {
                    Some(p.below(rank))
                } else {
                    None
                };
                let given = axis.map(|a| {
                    if p.chance(1, 2) {
                        a as isize - rank as isize
                    } else {
                        a as isize
                    }
                });
                let desc = format!("roll(%{x}, {shift}, {given:?})");
                let arr = e
                    .roll(&b.arrays[x], shift as isize, given)
                    .map_err(|err| refused(&desc, err))?;
                b.push(
                    arr,
                    NaiveNode {
                        op: NaiveOp::Roll { shift, axis },
                        dtype: xn.dtype,
                        shape: xn.shape.clone(),
                        args: vec![x],
                    },
                    desc,
                )
            }
        }
        // pad or broadcast_to.
        16 => {
            if p.chance(1, 2) {
                let widths: Vec<(usize, usize)> = (0..rank)
                    .map(|d| {
                        if opts.avoids(Bug::PadInnerAxis) && d > 0 {
                            (0, 0)
                        } else {
                            (p.below(3), p.below(3))
                        }
                    })
                    .collect();
                let shape: Vec<usize> = xn
                    .shape
                    .iter()
                    .zip(&widths)
                    .map(|(&s, &(l, r))| s + l + r)
                    .collect();
                if numel(&shape) > MAX_NUMEL
                    || (opts.avoids(Bug::PadEmpty) && numel(&xn.shape) == 0 && numel(&shape) > 0)
                {
                    return Ok(());
                }
                let fills = [0.0, -1.5, f64::NAN, -0.0, 7.0, 1e300];
                let value = fills[p.below(fills.len())];
                // numpy refuses to pad an integer array with NaN (an error, tested in
                // tests/hostile_creation.rs and tests/numpy_semantics.rs).
                let value = if xn.dtype.is_int() && value.is_nan() {
                    0.0
                } else {
                    value
                };
                let desc = format!("pad(%{x}, {widths:?}, {value:?})");
                let arr = e
                    .pad(&b.arrays[x], &widths, value)
                    .map_err(|err| refused(&desc, err))?;
                b.push(
                    arr,
                    NaiveNode {
                        op: NaiveOp::Pad {
                            before: widths.iter().map(|w| w.0).collect(),
                            value: Scalar::F64(value),
                        },
                        dtype: xn.dtype,
                        shape,
                        args: vec![x],
                    },
                    desc,
                )
            } else {
                let mut shape: Vec<usize> = Vec::new();
                if rank < MAX_RANK && p.chance(1, 2) {
                    shape.push([1, 2, 3][p.below(3)]);
                }
                for &d in &xn.shape {
                    shape.push(if d == 1 { [1, 2, 3, 5][p.below(4)] } else { d });
                }
                if numel(&shape) > MAX_NUMEL {
                    return Ok(());
                }
                let desc = format!("broadcast_to(%{x}, {shape:?})");
                let arr = e
                    .broadcast_to(&b.arrays[x], &shape)
                    .map_err(|err| refused(&desc, err))?;
                b.push(
                    arr,
                    NaiveNode {
                        op: NaiveOp::BroadcastTo,
                        dtype: xn.dtype,
                        shape,
                        args: vec![x],
                    },
                    desc,
                )
            }
        }
        // concatenate.
        17 => {
            if rank == 0 {
                return Ok(());
            }
            let axis = p.below(rank);
            let fits = |s: &[usize]| {
                s.len() == rank && (0..rank).all(|d| d == axis || s[d] == xn.shape[d])
            };
            let candidates: Vec<usize> = (0..n).filter(|&k| fits(&b.node(k).shape)).collect();
            let mut parts = vec![x];
            for _ in 0..p.below(3) {
                parts.push(candidates[p.below(candidates.len())]);
            }
            if opts.avoids(Bug::Concat) && parts.len() > 1 {
                return Ok(());
            }
            let mut shape = xn.shape.clone();
            shape[axis] = parts.iter().map(|&k| b.node(k).shape[axis]).sum();
            if numel(&shape) > MAX_NUMEL {
                return Ok(());
            }
            let dtype = parts
                .iter()
                .map(|&k| b.node(k).dtype)
                .fold(xn.dtype, promote);
            let given = if p.chance(1, 2) {
                axis as isize - rank as isize
            } else {
                axis as isize
            };
            let refs: Vec<&Array> = parts.iter().map(|&k| &b.arrays[k]).collect();
            let desc = format!("concatenate({parts:?}, {given})");
            let arr = e
                .concatenate(&refs, given)
                .map_err(|err| refused(&desc, err))?;
            b.push(
                arr,
                NaiveNode {
                    op: NaiveOp::Concat { axis },
                    dtype,
                    shape,
                    args: parts,
                },
                desc,
            )
        }
        // A generator, sized to broadcast against an existing node's last axis.
        18 => {
            let len = match xn.shape.last() {
                Some(&d) if d >= 2 => d,
                _ => [2, 3, 5, 7][p.below(4)],
            };
            if p.chance(1, 2) {
                let start = p.range(-4, 4) as f64 / 2.0;
                let stop = p.range(-4, 4) as f64 / 3.0;
                let desc = format!("linspace({start}, {stop}, {len})");
                b.push(
                    e.linspace(start, stop, len),
                    NaiveNode {
                        op: NaiveOp::Linspace { start, stop },
                        dtype: DType::F64,
                        shape: vec![len],
                        args: vec![],
                    },
                    desc,
                )
            } else {
                let desc = format!("arange_int({len})");
                b.push(
                    e.arange_int(len),
                    NaiveNode {
                        op: NaiveOp::ArangeInt,
                        dtype: DType::I64,
                        shape: vec![len],
                        args: vec![],
                    },
                    desc,
                )
            }
        }
        // Evaluate a node now (a kernel boundary for what is built on it later),
        // or reduce it in the middle of the graph.
        _ => {
            if p.chance(1, 2) {
                b.arrays[x]
                    .eval()
                    .map_err(|err| refused(&format!("eval(%{x})"), err))?;
                Ok(())
            } else {
                let sel = p.below(256) as u8;
                add_reduction(e, b, x, sel, &mut p, backend, opts).map(|_| ())
            }
        }
    }
}

fn build(e: &Engine, spec: &GraphSpec, backend: &str, opts: &Options) -> Result<Built, String> {
    let mut b = Built {
        arrays: Vec::new(),
        naive: Naive {
            nodes: Vec::new(),
            inputs: Vec::new(),
            memo: RefCell::new(Vec::new()),
        },
        desc: Vec::new(),
    };
    input_arrays(e, spec, &mut b)?;
    for &step in &spec.steps {
        add_step(e, &mut b, step, backend, opts)?;
    }
    if let Some((sel, seed)) = spec.reduce {
        let last = b.len() - 1;
        add_reduction(e, &mut b, last, sel, &mut Pick::new(seed), backend, opts)?;
    }
    Ok(b)
}

// ---------------------------------------------------------------------------------
// Comparing
// ---------------------------------------------------------------------------------

fn f64_ordinal(x: f64) -> i128 {
    let b = x.to_bits() as i64;
    if b < 0 {
        -((b & i64::MAX) as i128)
    } else {
        b as i128
    }
}

fn f64_same(want: f64, got: f64, ulps: u32) -> bool {
    if want.is_nan() || got.is_nan() {
        return want.is_nan() && got.is_nan();
    }
    if ulps == 0 || want.is_infinite() || got.is_infinite() {
        return want.to_bits() == got.to_bits();
    }
    (f64_ordinal(want) - f64_ordinal(got)).unsigned_abs() <= ulps as u128
}

fn f32_same(want: f32, got: f32, ulps: u32) -> bool {
    f64_same(want as f64, got as f64, ulps)
        && (ulps > 0 || want.is_nan() || want.to_bits() == got.to_bits())
}

fn same(want: &Scalar, got: &Scalar, ulps: u32) -> bool {
    match (want, got) {
        (Scalar::F64(a), Scalar::F64(b)) => f64_same(*a, *b, ulps),
        (Scalar::F32(a), Scalar::F32(b)) => f32_same(*a, *b, ulps),
        (Scalar::C128(a), Scalar::C128(b)) => {
            f64_same(a.re, b.re, ulps) && f64_same(a.im, b.im, ulps)
        }
        (Scalar::C64(a), Scalar::C64(b)) => {
            f32_same(a.re, b.re, ulps) && f32_same(a.im, b.im, ulps)
        }
        (a, b) => a == b,
    }
}

/// The engine's elements of `a`, as scalars.
fn engine_values(a: &Array) -> Result<Vec<Scalar>, String> {
    let host = a
        .to_host()
        .map_err(|err| format!("evaluation failed: {err}"))?;
    Ok((0..a.size()).map(|i| host.get(i)).collect())
}

/// The graph's expression, one node a line, for failure messages.
fn listing(b: &Built) -> String {
    b.desc
        .iter()
        .enumerate()
        .map(|(k, d)| {
            let n = b.node(k);
            format!("  %{k} = {d} -> {}{:?}", n.dtype, n.shape)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn compare_node(b: &Built, k: usize, got: &[Scalar], ulps: u32) -> Result<(), String> {
    let want = b.naive.all(k);
    if want.len() != got.len() {
        return Err(format!(
            "node %{k}: {} elements from the engine, {} expected",
            got.len(),
            want.len()
        ));
    }
    let bad: Vec<usize> = (0..want.len())
        .filter(|&i| !same(&want[i], &got[i], ulps))
        .collect();
    if let Some(&i) = bad.first() {
        let shape = &b.node(k).shape;
        return Err(format!(
            "node %{k} differs at {} of {} elements; first at {:?}: naive {:?}, engine {:?}",
            bad.len(),
            want.len(),
            unravel(i, shape),
            want[i],
            got[i]
        ));
    }
    Ok(())
}

/// Run `test` on `cases` generated specs with a fixed (or requested) seed.
fn run_property(
    name: &str,
    cases: u32,
    strategy: impl Strategy<Value = GraphSpec>,
    test: impl Fn(GraphSpec) -> Result<(), TestCaseError>,
) {
    let (seed, how) = match std::env::var("MATHENGINE_SEED") {
        Ok(s) => (
            s.parse::<u64>()
                .unwrap_or_else(|_| panic!("MATHENGINE_SEED={s} is not a u64")),
            "MATHENGINE_SEED",
        ),
        Err(_) if std::env::var("MATHENGINE_FRESH_SEED").as_deref() == Ok("1") => {
            let s = std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish();
            (s, "fresh")
        }
        Err(_) => {
            // A fixed seed per property, so each explores different graphs.
            let s = name.bytes().fold(0x6d61_7468_656e_6769u64, |h, c| {
                (h ^ c as u64).wrapping_mul(0x100_0000_01b3)
            });
            (s, "fixed")
        }
    };
    if how != "fixed" {
        eprintln!("{name}: {how} seed {seed} (replay with MATHENGINE_SEED={seed})");
    }
    let cases = match std::env::var("MATHENGINE_PROPTEST_CASES") {
        Ok(s) => s
            .parse::<u32>()
            .unwrap_or_else(|_| panic!("MATHENGINE_PROPTEST_CASES={s} is not a u32")),
        Err(_) => cases,
    };
    let mut runner = TestRunner::new(Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        max_shrink_iters: 512,
        ..Config::default()
    });
    if let Err(err) = runner.run(&strategy, test) {
        panic!("{name} failed with {how} seed {seed} (replay with MATHENGINE_SEED={seed}):\n{err}");
    }
}

/// Random graphs on `backend` agree with the naive evaluator: the final node (fused
/// with everything below it) and a few intermediate nodes read on their own.
pub fn check_graphs(backend: &str, opts: &Options) {
    let name = format!("random graphs on {backend} ({opts:?})");
    let opts2 = opts.clone();
    let backend = backend.to_string();
    run_property(&name, opts.cases, graph_spec(50), move |spec| {
        let e = Engine::with_backend(&backend)
            .map_err(|err| TestCaseError::fail(format!("backend {backend}: {err}")))?;
        let b = build(&e, &spec, &backend, &opts2).map_err(TestCaseError::fail)?;
        let last = b.len() - 1;
        let mut order = vec![last];
        // A few other nodes, read after the final one (some are evaluated by then).
        let mut p = Pick::new(spec.steps.len() as u32 * 31 + last as u32);
        for _ in 0..4 {
            order.push(p.below(b.len()));
        }
        for k in order {
            let got = engine_values(&b.arrays[k])
                .map_err(|err| TestCaseError::fail(format!("node %{k}: {err}\n{}", listing(&b))))?;
            compare_node(&b, k, &got, opts2.ulps)
                .map_err(|err| TestCaseError::fail(format!("{err}\ngraph:\n{}", listing(&b))))?;
        }
        Ok(())
    });
}

/// `eval_all` of several nodes of a random graph gives what evaluating each alone gives
/// (on a second engine), and what the naive evaluator gives.
pub fn check_eval_all(backend: &str, opts: &Options) {
    let name = format!("eval_all on {backend} ({opts:?})");
    let opts2 = opts.clone();
    let backend = backend.to_string();
    run_property(&name, opts.cases, graph_spec(30), move |spec| {
        let fail = |what: String| TestCaseError::fail(what);
        let together = Engine::with_backend(&backend).map_err(|err| fail(err.to_string()))?;
        let alone = Engine::with_backend(&backend).map_err(|err| fail(err.to_string()))?;
        let a = build(&together, &spec, &backend, &opts2).map_err(fail)?;
        let s = build(&alone, &spec, &backend, &opts2).map_err(fail)?;
        let n = a.len();
        // The last nodes (which share the most work) plus a random one.
        let mut picked: Vec<usize> = (n.saturating_sub(3)..n).collect();
        picked.push(Pick::new(spec.steps.len() as u32).below(n));
        picked.dedup();
        let refs: Vec<&Array> = picked.iter().map(|&k| &a.arrays[k]).collect();
        together
            .eval_all(&refs)
            .map_err(|err| fail(format!("eval_all failed: {err}\n{}", listing(&a))))?;
        for &k in &picked {
            let t = engine_values(&a.arrays[k]).map_err(fail)?;
            let o = engine_values(&s.arrays[k]).map_err(fail)?;
            let bad = (0..t.len()).find(|&i| !same(&o[i], &t[i], 0));
            if let Some(i) = bad {
                return Err(fail(format!(
                    "node %{k} of eval_all({picked:?}) differs from evaluating it alone at \
                     element {i}: together {:?}, alone {:?}\ngraph:\n{}",
                    t[i],
                    o[i],
                    listing(&a)
                )));
            }
            compare_node(&a, k, &t, opts2.ulps)
                .map_err(|err| fail(format!("{err}\ngraph:\n{}", listing(&a))))?;
        }
        Ok(())
    });
}

/// The generator really produces every kind of node (and zero-size arrays, negative
/// slice steps, mid-graph evaluations): a guard against it silently skipping things.
#[test]
fn generator_covers_every_node_kind() {
    use proptest::strategy::ValueTree;
    let mut runner = TestRunner::new(Config {
        rng_seed: RngSeed::Fixed(7),
        ..Config::default()
    });
    let strategy = graph_spec(50);
    let mut seen = std::collections::BTreeSet::new();
    let (mut empty, mut negative_step, mut nodes, mut steps) = (false, false, 0, 0);
    for _ in 0..300 {
        let spec = strategy
            .new_tree(&mut runner)
            .expect("the strategy generates")
            .current();
        steps += spec.steps.len() + spec.inputs.len() + spec.reduce.is_some() as usize;
        let e = Engine::with_backend("reference").expect("reference exists");
        let b = build(&e, &spec, "reference", &Options::bitwise())
            .unwrap_or_else(|err| panic!("{err}"));
        nodes += b.len();
        for n in &b.naive.nodes {
            let name = format!("{:?}", n.op);
            let kind = name
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("")
                .to_string();
            seen.insert(kind);
            empty |= numel(&n.shape) == 0;
            if let NaiveOp::Slice(fs) = &n.op {
                negative_step |= fs.iter().any(|&(_, st)| st < 0);
            }
        }
    }
    let want = [
        "Input",
        "Linspace",
        "ArangeInt",
        "Unary",
        "Binary",
        "Where",
        "Cast",
        "Reshape",
        "Permute",
        "Slice",
        "Flip",
        "Roll",
        "Pad",
        "BroadcastTo",
        "Concat",
        "Reduce",
        "Mean",
        "Var",
    ];
    let missing: Vec<&str> = want
        .iter()
        .copied()
        .filter(|k| !seen.contains(*k))
        .collect();
    assert!(missing.is_empty(), "never generated: {missing:?}");
    assert!(empty, "no zero-size array was generated");
    assert!(negative_step, "no slice with a negative step was generated");
    // Most steps must turn into nodes, not be skipped as unfit.
    assert!(
        nodes * 10 >= steps * 6,
        "only {nodes} nodes from {steps} generated steps"
    );
}

#[test]
fn random_graphs_match_the_naive_evaluator_on_reference() {
    check_graphs("reference", &Options::bitwise());
}

#[test]
fn eval_all_equals_evaluating_each_alone_on_reference() {
    check_eval_all("reference", &Options::bitwise());
}

#[test]
fn exact_random_graphs_match_the_naive_evaluator_on_cpu() {
    check_graphs(
        "cpu",
        &Options {
            exact_ops_only: true,
            ..Options::bitwise()
        },
    );
}
