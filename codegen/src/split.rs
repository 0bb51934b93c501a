//! Splitting a reduction's reduced range: a runner calls the partial entry
//! ([`crate::CompiledKernel::call_partial`]) on chunks of [`SPLIT_CHUNK`] reduced elements (in
//! any order, on any thread) and hands the chunks' states, in chunk order, to
//! [`SplitReduction::combine`].
//!
//! The chunk length is fixed and a power-of-two number of pairwise blocks, and the
//! states are combined exactly as the unsplit kernel's binary counter would have
//! combined those blocks, so a split result is bit-identical to the unsplit one and
//! never depends on the thread count. min/max/argmin/argmax/any/all combine in chunk
//! order with the kernel's own rules (first NaN wins, first index on ties).

use crate::reduction::{accumulator_dtype, LEVELS, STATE_BYTES, STATE_INDEX_OFFSET, SUM_BLOCK};
use mathengine_ir::graph::ReduceOp;
use mathengine_ir::{DType, Kernel};

/// Reduced elements per chunk: 64 pairwise blocks, so a full chunk is exactly one
/// level of the unsplit kernel's binary counter.
pub const SPLIT_CHUNK: usize = (SUM_BLOCK as usize) << 6;

/// One chunk's partial state as the partial entry writes it (8-byte aligned).
pub type PartialState = [u64; STATE_BYTES / 8];

/// How the partial states of one reduction kernel combine.
#[derive(Clone, Copy, Debug)]
pub struct SplitReduction {
    op: ReduceOp,
    /// The dtype of the reduced values, which is also the output's.
    value: DType,
}

impl SplitReduction {
    /// The combination for `kernel`, or `None` where it is not splittable (not a
    /// reduction, several outputs, or an op/dtype pair without a combiner here).
    pub fn of(kernel: &Kernel) -> Option<SplitReduction> {
        let red = kernel.reduction.as_ref()?;
        let value = kernel.body.get(red.value as usize)?.dtype;
        if kernel.output_dtypes.len() != 1 {
            return None;
        }
        let out = kernel.output_dtypes[0];
        let ok = match red.op {
            ReduceOp::Sum => matches!(
                value,
                DType::F64 | DType::F32 | DType::I64 | DType::I32 | DType::C128 | DType::C64
            ),
            ReduceOp::Prod => matches!(value, DType::F64 | DType::F32 | DType::I64 | DType::I32),
            ReduceOp::Min | ReduceOp::Max | ReduceOp::ArgMin | ReduceOp::ArgMax => {
                matches!(value, DType::F64 | DType::F32 | DType::I64 | DType::I32)
            }
            ReduceOp::Any | ReduceOp::All => value == DType::Bool,
            _ => false,
        };
        let out_ok = match red.op {
            ReduceOp::ArgMin | ReduceOp::ArgMax => out == DType::I64,
            _ => out == value,
        };
        (ok && out_ok).then_some(SplitReduction { op: red.op, value })
    }

    /// Bytes of the output element `combine` writes.
    pub fn output_size(&self) -> usize {
        match self.op {
            ReduceOp::ArgMin | ReduceOp::ArgMax => 8,
            _ => self.value.size(),
        }
    }

    /// Combine the states of consecutive chunks (`states[c]` covers reduced elements
    /// `c * SPLIT_CHUNK ..`, the last one possibly shorter) into the output element
    /// at `out` (`output_size()` bytes, any alignment).
    ///
    /// # Safety
    /// `out` must be valid for writing `output_size()` bytes; `states` must be what the
    /// partial entry of the kernel this was made `of` wrote, one non-empty chunk each.
    pub unsafe fn combine(&self, states: &[PartialState], rlen: usize, out: *mut u8) {
        let last_full = rlen.is_multiple_of(SPLIT_CHUNK);
        let bytes: Vec<u8> = match (self.op, self.value) {
            (ReduceOp::Sum, DType::F64) => sum_f64(states, last_full, |a, b| a + b, 0.0)
                .to_ne_bytes()
                .to_vec(),
            (ReduceOp::Sum, DType::F32) => (sum_f64(states, last_full, |a, b| a + b, 0.0) as f32)
                .to_ne_bytes()
                .to_vec(),
            (ReduceOp::Prod, DType::F64) => sum_f64(states, last_full, |a, b| a * b, 1.0)
                .to_ne_bytes()
                .to_vec(),
            (ReduceOp::Prod, DType::F32) => {
                let parts = states.iter().map(|s| f32::from_bits(s[0] as u32));
                counter(parts, last_full, |a, b| a * b, 1.0f32)
                    .to_ne_bytes()
                    .to_vec()
            }
            (ReduceOp::Sum, DType::I64) => {
                let parts = states.iter().map(|s| s[0] as i64);
                counter(parts, last_full, i64::wrapping_add, 0)
                    .to_ne_bytes()
                    .to_vec()
            }
            (ReduceOp::Prod, DType::I64) => {
                let parts = states.iter().map(|s| s[0] as i64);
                counter(parts, last_full, i64::wrapping_mul, 1)
                    .to_ne_bytes()
                    .to_vec()
            }
            (ReduceOp::Sum, DType::I32) => {
                let parts = states.iter().map(|s| s[0] as u32 as i32);
                counter(parts, last_full, i32::wrapping_add, 0)
                    .to_ne_bytes()
                    .to_vec()
            }
            (ReduceOp::Prod, DType::I32) => {
                let parts = states.iter().map(|s| s[0] as u32 as i32);
                counter(parts, last_full, i32::wrapping_mul, 1)
                    .to_ne_bytes()
                    .to_vec()
            }
            (ReduceOp::Sum, DType::C128 | DType::C64) => {
                debug_assert_eq!(accumulator_dtype(self.op, self.value), DType::C128);
                let parts = states
                    .iter()
                    .map(|s| (f64::from_bits(s[0]), f64::from_bits(s[1])));
                let add = |a: (f64, f64), b: (f64, f64)| (a.0 + b.0, a.1 + b.1);
                let (re, im) = counter(parts, last_full, add, (0.0, 0.0));
                if self.value == DType::C64 {
                    [(re as f32).to_ne_bytes(), (im as f32).to_ne_bytes()].concat()
                } else {
                    [re.to_ne_bytes(), im.to_ne_bytes()].concat()
                }
            }
            (ReduceOp::Any | ReduceOp::All, _) => {
                let any = self.op == ReduceOp::Any;
                let hit = states.iter().any(|s| (s[0] as u8 & 1 == 1) == any);
                vec![(hit == any) as u8]
            }
            (op, t) => self.ordered(op, t, states),
        };
        debug_assert_eq!(bytes.len(), self.output_size());
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), out, bytes.len());
    }

    /// min/max/argmin/argmax: the chunks' winners folded in chunk order with the
    /// kernel's rule (replace when strictly better or a NaN; a NaN stays).
    fn ordered(&self, op: ReduceOp, t: DType, states: &[PartialState]) -> Vec<u8> {
        let want_max = matches!(op, ReduceOp::Max | ReduceOp::ArgMax);
        let index = |s: &PartialState| s[STATE_INDEX_OFFSET as usize / 8] as i64;
        // The chosen chunk, by a comparison in the value's own type.
        let pick = |better: &dyn Fn(&PartialState, &PartialState) -> bool,
                    nan: &dyn Fn(&PartialState) -> bool| {
            let mut best = 0;
            for c in 1..states.len() {
                if nan(&states[best]) {
                    break;
                }
                if nan(&states[c]) || better(&states[c], &states[best]) {
                    best = c;
                }
            }
            best
        };
        let best = match t {
            DType::F64 => {
                let v = |s: &PartialState| f64::from_bits(s[0]);
                pick(
                    &|a, b| if want_max { v(a) > v(b) } else { v(a) < v(b) },
                    &|s| v(s).is_nan(),
                )
            }
            DType::F32 => {
                let v = |s: &PartialState| f32::from_bits(s[0] as u32);
                pick(
                    &|a, b| if want_max { v(a) > v(b) } else { v(a) < v(b) },
                    &|s| v(s).is_nan(),
                )
            }
            DType::I64 => {
                let v = |s: &PartialState| s[0] as i64;
                pick(
                    &|a, b| if want_max { v(a) > v(b) } else { v(a) < v(b) },
                    &|_| false,
                )
            }
            _ => {
                let v = |s: &PartialState| s[0] as u32 as i32;
                pick(
                    &|a, b| if want_max { v(a) > v(b) } else { v(a) < v(b) },
                    &|_| false,
                )
            }
        };
        let s = &states[best];
        match op {
            ReduceOp::ArgMin | ReduceOp::ArgMax => index(s).to_ne_bytes().to_vec(),
            _ => s[0].to_ne_bytes()[..t.size()].to_vec(),
        }
    }
}

fn sum_f64(
    states: &[PartialState],
    last_full: bool,
    op: impl Fn(f64, f64) -> f64,
    identity: f64,
) -> f64 {
    let parts = states.iter().map(|s| f64::from_bits(s[0]));
    counter(parts, last_full, op, identity)
}

/// The unsplit kernel's binary counter continued above the chunk level: full chunks
/// are pushed as counter entries ("earlier op carry"); a short last chunk's state is
/// already its own levels folded from the lowest up, so it is the carry the final
/// fold starts from.
fn counter<T: Copy>(
    parts: impl ExactSizeIterator<Item = T>,
    last_full: bool,
    op: impl Fn(T, T) -> T,
    identity: T,
) -> T {
    let n = parts.len();
    let mut levels = [identity; LEVELS as usize];
    let mut blocks: u64 = 0;
    let mut carry_in = identity;
    for (c, part) in parts.enumerate() {
        if c + 1 == n && !last_full {
            carry_in = part;
            break;
        }
        let (mut carry, mut m, mut level) = (part, blocks, 0);
        while m & 1 == 1 {
            carry = op(levels[level], carry);
            level += 1;
            m >>= 1;
        }
        levels[level] = carry;
        blocks += 1;
    }
    let (mut carry, mut m, mut level) = (carry_in, blocks, 0);
    while m != 0 {
        if m & 1 == 1 {
            carry = op(levels[level], carry);
        }
        level += 1;
        m >>= 1;
    }
    carry
}
