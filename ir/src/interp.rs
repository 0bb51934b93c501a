//! The reference interpreter: runs kernel IR one element at a time with the scalar
//! semantics of `scalar_eval`. Slow and obviously right; every compiled backend is
//! tested against it.

use crate::buffer::HostBuffer;
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::graph::ReduceOp;
use crate::kernel::{Inst, Kernel, Launch, RandomDist};
use crate::{random, scalar_eval};

/// Run `kernel` over `launch` reading `inputs`; returns one buffer per output.
pub fn run_kernel(
    kernel: &Kernel,
    launch: &Launch,
    inputs: &[&HostBuffer],
) -> Result<Vec<HostBuffer>> {
    check_arguments(kernel, launch, inputs)?;
    let mut regs = vec![Scalar::Bool(false); kernel.body.len()];
    let mut outs: Vec<Vec<Scalar>> = (0..kernel.outputs.len())
        .map(|_| crate::buffer::try_with_capacity("evaluate", "an interpreter output", launch.len))
        .collect::<Result<_>>()?;
    for &t in &kernel.output_dtypes {
        // The typed result is allocated at the end; fail now rather than after the work.
        drop(HostBuffer::try_zeros("evaluate", t, launch.len)?);
    }
    match &kernel.reduction {
        None => {
            for i in 0..launch.len {
                eval_body(kernel, launch, inputs, &mut regs, i as i64, 0, None);
                for (o, &v) in outs.iter_mut().zip(&kernel.outputs) {
                    o.push(regs[v as usize]);
                }
            }
        }
        Some(red) => {
            let varies = kernel.varies_with_reduce_index();
            let invariant: Vec<bool> = varies.iter().map(|v| !v).collect();
            let mut values: Vec<Scalar> =
                crate::buffer::try_with_capacity("evaluate", "a reduction", launch.reduce_len)?;
            for o in 0..launch.len {
                values.clear();
                // The part that does not depend on the reduce index, once per output (and
                // nothing that reads the reduced range: it may be empty).
                eval_body(
                    kernel,
                    launch,
                    inputs,
                    &mut regs,
                    o as i64,
                    0,
                    Some(&invariant),
                );
                for r in 0..launch.reduce_len {
                    eval_body(
                        kernel,
                        launch,
                        inputs,
                        &mut regs,
                        o as i64,
                        r as i64,
                        Some(&varies),
                    );
                    values.push(regs[red.value as usize]);
                }
                outs[0].push(reduce(red.op, kernel.output_dtypes[0], &values));
            }
        }
    }
    Ok(outs
        .into_iter()
        .zip(&kernel.output_dtypes)
        .map(|(v, &t)| HostBuffer::from_scalars(t, v))
        .collect())
}

/// Errors for launches that do not match the kernel (a backend bug or a misuse): the
/// shared contract of [`Launch::check`].
pub fn check_arguments(kernel: &Kernel, launch: &Launch, inputs: &[&HostBuffer]) -> Result<()> {
    use crate::buffer::DeviceBuffer;
    launch.check(kernel, inputs.iter().map(|b| (b.dtype(), b.len())))
}

/// Evaluate the body at (index, reduce index). With `only`, skip instructions that do
/// not vary with the reduce index (already computed for this output element).
fn eval_body(
    kernel: &Kernel,
    launch: &Launch,
    inputs: &[&HostBuffer],
    regs: &mut [Scalar],
    index: i64,
    ridx: i64,
    only: Option<&[bool]>,
) {
    for (i, ins) in kernel.body.iter().enumerate() {
        if let Some(mask) = only {
            if !mask[i] {
                continue;
            }
        }
        let r = |v: u32| regs[v as usize];
        regs[i] = match &ins.inst {
            Inst::Index => Scalar::I64(index),
            Inst::ReduceIndex => Scalar::I64(ridx),
            Inst::Param(k) => launch.params[*k as usize].cast(ins.dtype),
            Inst::Const(c) => c.0,
            Inst::Load { input, index } => {
                let buf = inputs[*input as usize];
                let at = r(*index).to_i64();
                // Lowering clamps every index into range; an out-of-range one is a bug.
                assert!(
                    at >= 0 && (at as usize) < crate::buffer::DeviceBuffer::len(buf),
                    "kernel {} read input {input} at {at}",
                    kernel.name()
                );
                buf.get(at as usize)
            }
            Inst::Unary(op, a) => scalar_eval::unary(*op, r(*a)),
            Inst::Binary(op, a, b) => scalar_eval::binary(*op, r(*a), r(*b)),
            Inst::Select(c, a, b) => {
                if r(*c).to_bool() {
                    r(*a)
                } else {
                    r(*b)
                }
            }
            Inst::Cast(a) => r(*a).cast(ins.dtype),
            Inst::Random {
                dist,
                seed,
                counter,
            } => {
                let (s, c) = (r(*seed).to_i64() as u64, r(*counter).to_i64() as u64);
                Scalar::F64(match dist {
                    RandomDist::Uniform => random::uniform(s, c),
                    RandomDist::Normal => random::normal(s, c),
                })
            }
        };
    }
}

/// Pairwise summation (as numpy): error grows with log(n), not n.
pub fn pairwise<T: Copy>(v: &[T], zero: T, add: &impl Fn(T, T) -> T) -> T {
    if v.len() <= 8 {
        return v.iter().fold(zero, |a, &b| add(a, b));
    }
    let mid = v.len() / 2;
    add(
        pairwise(&v[..mid], zero, add),
        pairwise(&v[mid..], zero, add),
    )
}

fn is_nan(s: &Scalar) -> bool {
    let c = s.to_c128();
    c.re.is_nan() || c.im.is_nan()
}

/// Fold `values` with `op`; min/max/argmin/argmax propagate the first NaN, as numpy does.
pub fn reduce(op: ReduceOp, out: DType, values: &[Scalar]) -> Scalar {
    use crate::ops::BinaryOp;
    let bin = |o: BinaryOp| move |a: Scalar, b: Scalar| scalar_eval::binary(o, a, b);
    match op {
        ReduceOp::Sum => pairwise(values, Scalar::I64(0).cast(out), &bin(BinaryOp::Add)),
        ReduceOp::Prod => pairwise(values, Scalar::I64(1).cast(out), &bin(BinaryOp::Mul)),
        ReduceOp::Any => Scalar::Bool(values.iter().any(|v| v.to_bool())),
        ReduceOp::All => Scalar::Bool(values.iter().all(|v| v.to_bool())),
        ReduceOp::Min | ReduceOp::Max | ReduceOp::ArgMin | ReduceOp::ArgMax => {
            let want_max = matches!(op, ReduceOp::Max | ReduceOp::ArgMax);
            let better = if want_max { BinaryOp::Gt } else { BinaryOp::Lt };
            let mut best = 0usize;
            for (i, v) in values.iter().enumerate().skip(1) {
                if is_nan(&values[best]) {
                    break;
                }
                if is_nan(v) || scalar_eval::binary(better, *v, values[best]).to_bool() {
                    best = i;
                }
            }
            if matches!(op, ReduceOp::ArgMin | ReduceOp::ArgMax) {
                Scalar::I64(best as i64)
            } else {
                values
                    .get(best)
                    .copied()
                    .unwrap_or(Scalar::I64(0).cast(out))
            }
        }
    }
}
