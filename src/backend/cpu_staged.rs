//! Fused elementwise kernels with float32 functions that have wide loops (sin, cos,
//! exp, log, tanh, arctan2: `mathengine_codegen::wide_unary_f32` / `wide_binary_f32`)
//! run in stages over blocks of a few thousand elements: a JIT kernel computes the
//! functions' operands into scratch, the wide loops (AVX-512/AVX2) apply the
//! functions, and the rest of the kernel, with each function's value loaded from
//! scratch, writes the outputs. The blocks stay in the L1/L2 cache, so the staging costs
//! a few loads and stores per element while the functions run at the CPU's full vector
//! width instead of the JIT's 128 bits. A function whose operand needs another
//! function's value waits for the next stage. The values are those of the unstaged
//! kernel: the wide loops compute the JIT's bits.

use super::cpu::LaunchPtrs;
use mathengine_codegen::{
    wide_binary_f32, wide_unary_f32, CompiledKernel, KernelCache, WideLoop, WideLoop2,
};
use mathengine_ir::{DType, Inst, Instr, Kernel, Result, ValueId};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// Below this many elements the plain kernel runs.
const STAGED_MIN: usize = 4096;
/// Elements per stage: every scratch column of a block fits in L1/L2.
const BLOCK: usize = 2048;
/// Elements per task when the launch is split across threads.
const TASK: usize = 16384;
/// Functions per kernel up to which it is staged: each needs a result column and up to
/// two operand columns of BLOCK float32 per task (2 MiB at this bound); a kernel with
/// more (hundreds of operands in one expression) keeps the plain JIT.
const MAX_FUNCTIONS: usize = 85;

/// A function with a wide loop, of one or two operands.
#[derive(Clone, Copy)]
enum Wide {
    One(WideLoop),
    Two(WideLoop2),
}

/// One stage: a kernel whose outputs are the operands of this stage's functions, and
/// for each function (its wide loop, the operand outputs it reads, its result slot).
struct Stage {
    operands: Arc<CompiledKernel>,
    n_operands: usize,
    apply: Vec<(Wide, Vec<usize>, usize)>,
}

pub(super) struct StagedPlan {
    stages: Vec<Stage>,
    /// The kernel itself, each function's value read from its slot.
    last: Arc<CompiledKernel>,
    slots: usize,
}

/// A staged plan for `kernel` when it is elementwise, long enough and has at least one
/// float32 function with a wide loop (and is not that function alone: `cpu_wide`).
pub(super) fn plan(kernel: &Kernel, len: usize, cache: &KernelCache) -> Result<Option<StagedPlan>> {
    if kernel.reduction.is_some() || len < STAGED_MIN {
        return Ok(None);
    }
    let f32_operands = |i: &Instr| {
        i.dtype == DType::F32
            && i.inst
                .operands()
                .iter()
                .all(|&a| kernel.body[a as usize].dtype == DType::F32)
    };
    let heavy: Vec<(ValueId, Wide)> = kernel
        .body
        .iter()
        .enumerate()
        .filter(|(_, i)| f32_operands(i))
        .filter_map(|(v, i)| {
            let wide = match i.inst {
                Inst::Unary(op, _) => wide_unary_f32(op).map(Wide::One),
                Inst::Binary(op, _, _) => wide_binary_f32(op).map(Wide::Two),
                _ => None,
            };
            wide.map(|w| (v as ValueId, w))
        })
        .collect();
    if heavy.is_empty() || heavy.len() > MAX_FUNCTIONS {
        return Ok(None);
    }
    let slot: HashMap<ValueId, usize> = heavy
        .iter()
        .enumerate()
        .map(|(s, &(v, _))| (v, s))
        .collect();
    // A function's stage: one past the latest function its operand depends on.
    let mut stage_of = HashMap::new();
    for &(v, _) in &heavy {
        let operands = kernel.body[v as usize].inst.operands();
        let s = 1 + operands
            .iter()
            .map(|&a| latest_stage(kernel, a, &slot, &stage_of))
            .max()
            .unwrap_or(0);
        stage_of.insert(v, s);
    }
    let n_stages = stage_of.values().copied().max().unwrap_or(0);
    let mut stages = Vec::new();
    for s in 1..=n_stages {
        let mut roots: Vec<ValueId> = Vec::new();
        let mut apply = Vec::new();
        for &(v, f) in heavy.iter().filter(|(v, _)| stage_of[v] == s) {
            let columns = kernel.body[v as usize]
                .inst
                .operands()
                .into_iter()
                .map(|a| {
                    roots.iter().position(|&r| r == a).unwrap_or_else(|| {
                        roots.push(a);
                        roots.len() - 1
                    })
                })
                .collect();
            apply.push((f, columns, slot[&v]));
        }
        let operands = derive(kernel, &roots, &slot);
        stages.push(Stage {
            operands: cache.get(&Arc::new(operands))?,
            n_operands: roots.len(),
            apply,
        });
    }
    let last = derive(kernel, &kernel.outputs, &slot);
    Ok(Some(StagedPlan {
        stages,
        last: cache.get(&Arc::new(last))?,
        slots: heavy.len(),
    }))
}

/// The latest stage among the functions `v` depends on (0 if none).
fn latest_stage(
    kernel: &Kernel,
    v: ValueId,
    slot: &HashMap<ValueId, usize>,
    stage_of: &HashMap<ValueId, usize>,
) -> usize {
    let mut latest = 0;
    let mut stack = vec![v];
    let mut seen = std::collections::HashSet::new();
    while let Some(u) = stack.pop() {
        if !seen.insert(u) {
            continue;
        }
        if slot.contains_key(&u) {
            latest = latest.max(stage_of[&u]);
            continue;
        }
        stack.extend(kernel.body[u as usize].inst.operands());
    }
    latest
}

/// A kernel computing `roots` from `kernel`'s inputs, with every function in `slot`
/// read from the float32 input `kernel.inputs.len() + slot` instead of computed. Its
/// inputs are the kernel's followed by one per slot; its parameters are the kernel's.
fn derive(kernel: &Kernel, roots: &[ValueId], slot: &HashMap<ValueId, usize>) -> Kernel {
    // The values needed, not looking through functions (they become loads).
    let mut needed = vec![false; kernel.body.len()];
    let mut stack = roots.to_vec();
    while let Some(u) = stack.pop() {
        if std::mem::replace(&mut needed[u as usize], true) {
            continue;
        }
        if !slot.contains_key(&u) {
            stack.extend(kernel.body[u as usize].inst.operands());
        }
    }
    let n_in = kernel.inputs.len();
    let mut body = vec![Instr {
        inst: Inst::Index,
        dtype: DType::I64,
    }];
    let mut new_id = vec![0 as ValueId; kernel.body.len()];
    for (v, instr) in kernel.body.iter().enumerate() {
        if !needed[v] {
            continue;
        }
        if instr.inst == Inst::Index {
            new_id[v] = 0;
            continue;
        }
        let inst = match slot.get(&(v as ValueId)) {
            Some(&s) => Inst::Load {
                input: (n_in + s) as u32,
                index: 0,
            },
            None => instr.inst.map_operands(|a| new_id[a as usize]),
        };
        new_id[v] = body.len() as ValueId;
        body.push(Instr {
            inst,
            dtype: instr.dtype,
        });
    }
    let mut inputs = kernel.inputs.clone();
    inputs.extend(std::iter::repeat_n(DType::F32, slot.len()));
    Kernel {
        body,
        params: kernel.params.clone(),
        inputs,
        outputs: roots.iter().map(|&r| new_id[r as usize]).collect(),
        output_dtypes: roots
            .iter()
            .map(|&r| kernel.body[r as usize].dtype)
            .collect(),
        reduction: None,
    }
}

/// Runs `plan` over [0, len): `ptrs` are the kernel's own parameters, inputs and
/// outputs.
///
/// # Safety
/// As `CompiledKernel::call` for the original kernel over [0, len): `ptrs` hold its
/// checked parameters, inputs and outputs of `len` elements. The derived kernels read
/// the same inputs at the same indices, and the slots and operand columns are scratch
/// of `BLOCK` elements addressed relative to the block's start.
pub(super) unsafe fn run(plan: &StagedPlan, ptrs: LaunchPtrs, n_inputs: usize, len: usize) {
    let task = |t: usize| {
        let p = ptrs;
        let (start, end) = (t * TASK, ((t + 1) * TASK).min(len));
        let columns = plan.slots + plan.stages.iter().map(|s| s.n_operands).max().unwrap_or(0);
        let mut scratch = vec![0f32; columns * BLOCK];
        let (slots, operands) = scratch.split_at_mut(plan.slots * BLOCK);
        // Pointer arrays for the derived kernels, made once per task: the kernel's inputs
        // then the slots; the operand columns. Only the scratch entries change per block.
        // SAFETY: `ptrs.inputs` holds the kernel's `n_inputs` input pointers.
        let mut inputs: Vec<*const u8> = (0..n_inputs)
            .map(|k| unsafe { *p.inputs.add(k) })
            .chain((0..plan.slots).map(|_| std::ptr::null()))
            .collect();
        let mut outs: Vec<*mut u8> = vec![std::ptr::null_mut(); columns - plan.slots];
        let mut s = start;
        while s < end {
            let e = (s + BLOCK).min(end);
            let n = e - s;
            // Scratch column k seen from the kernels: element i at column + (i - s).
            let at = |col: *mut f32| (col as *mut u8).wrapping_sub(s * 4);
            for k in 0..plan.slots {
                inputs[n_inputs + k] = at(slots[k * BLOCK..].as_mut_ptr());
            }
            for (k, o) in outs.iter_mut().enumerate() {
                *o = at(operands[k * BLOCK..].as_mut_ptr());
            }
            for stage in &plan.stages {
                // SAFETY: see the function's contract; the outputs are operand columns of
                // BLOCK >= n elements, written at [s, e) relative to s.
                unsafe {
                    stage.operands.call(
                        p.params,
                        inputs.as_ptr(),
                        outs.as_ptr(),
                        s as i64,
                        e as i64,
                        1,
                    )
                };
                for (f, columns, slot) in &stage.apply {
                    let col = |k: usize| &operands[k * BLOCK..k * BLOCK + n];
                    let y = &mut slots[slot * BLOCK..slot * BLOCK + n];
                    match *f {
                        Wide::One(f) => f(col(columns[0]), y),
                        Wide::Two(f) => f(col(columns[0]), col(columns[1]), y),
                    }
                }
            }
            // SAFETY: as above; the outputs are the launch's own, written at [s, e).
            unsafe {
                plan.last
                    .call(p.params, inputs.as_ptr(), p.outputs, s as i64, e as i64, 1)
            };
            s = e;
        }
    };
    let tasks = len.div_ceil(TASK);
    if tasks == 1 {
        task(0);
    } else {
        (0..tasks).into_par_iter().for_each(task);
    }
}
