//! The SIMD fast path of the main loop: f64 values in f64x2 registers (two per
//! iteration of `translate::vector_lanes` elements), comparisons as i64x2 masks. Contiguous loads and stores
//! are vector loads and stores; a load of one element is a splat. Everything not
//! handled here falls back to lane-by-lane scalar code in `translate.rs`, so the fast
//! path can grow one operation at a time without touching correctness elsewhere.

use crate::translate::{Elem, Emitter, LaneValues};
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, Endianness, InstBuilder, MemFlagsData, Value};
use mathengine_ir::kernel::{Inst, Kernel};
use mathengine_ir::{BinaryOp, DType, UnaryOp};
use smallvec::SmallVec;

/// f64 elements per register.
const PER_REG: usize = 2;

/// Vectorise kernels that compute in f64 (and are not reductions).
/// Complex values in the kernel stay lane-by-lane; its f64 work still gets the vectors.
pub fn worth_vectorising(k: &Kernel) -> bool {
    k.reduction.is_none() && k.body.iter().any(|i| i.dtype == DType::F64)
}

pub(crate) fn bitcast(e: &mut Emitter, ty: types::Type, v: Value) -> Value {
    if e.b.func.dfg.value_type(v) == ty {
        return v;
    }
    e.b.ins().bitcast(
        ty,
        MemFlagsData::new().with_endianness(Endianness::Little),
        v,
    )
}

/// Split registers into per-lane scalars.
pub(crate) fn unpack(
    e: &mut Emitter,
    regs: &[Value],
    t: DType,
    lanes: usize,
) -> SmallVec<[Elem; 4]> {
    let mut out = SmallVec::new();
    for j in 0..lanes {
        let r = regs[j / PER_REG];
        let lane = (j % PER_REG) as u8;
        if t == DType::Bool {
            let m = bitcast(e, types::I64X2, r);
            let x = e.b.ins().extractlane(m, lane);
            let b = e.b.ins().ireduce(types::I8, x);
            out.push(Elem::One(e.b.ins().band_imm_s(b, 1)));
        } else {
            out.push(Elem::One(e.b.ins().extractlane(r, lane)));
        }
    }
    out
}

/// Pack a value into registers (f64x2 for f64, i64x2 masks for bool).
pub(crate) fn pack(
    e: &mut Emitter,
    v: &LaneValues,
    t: DType,
    lanes: usize,
) -> SmallVec<[Value; 2]> {
    let lanes_v = match v {
        LaneValues::Regs(r) => return r.clone(),
        LaneValues::Lanes(l) => l.clone(),
    };
    let ty = if t == DType::Bool {
        types::I64X2
    } else {
        types::F64X2
    };
    let scalar = |e: &mut Emitter, s: Elem| -> Value {
        let x = s.one();
        if t == DType::Bool {
            let w = e.b.ins().uextend(types::I64, x);
            e.b.ins().ineg(w)
        } else {
            x
        }
    };
    // One distinct value for every lane (a parameter or constant): one splat.
    let first = lanes_v[0].one();
    if lanes_v.iter().all(|s| s.one() == first) {
        let x = scalar(e, lanes_v[0]);
        let r = e.b.ins().splat(ty, x);
        return (0..lanes / PER_REG).map(|_| r).collect();
    }
    (0..lanes / PER_REG)
        .map(|k| {
            let a = scalar(e, lanes_v[PER_REG * k]);
            let mut r = e.b.ins().scalar_to_vector(ty, a);
            for l in 1..PER_REG {
                let x = scalar(e, lanes_v[PER_REG * k + l]);
                r = e.b.ins().insertlane(r, x, l as u8);
            }
            r
        })
        .collect()
}

fn is_regs(v: &Option<LaneValues>) -> bool {
    matches!(v, Some(LaneValues::Regs(_)))
}

/// The vector form of `inst`, or None to fall back to lane-by-lane code.
pub(crate) fn try_emit(
    e: &mut Emitter,
    inst: &Inst,
    t: DType,
    lanes: usize,
    _index: Value,
    vals: &[Option<LaneValues>],
) -> Option<LaneValues> {
    let arg = |v: u32| vals[v as usize].clone().expect("SSA operands come first");
    let dt = |e: &Emitter, v: u32| e.kernel.body[v as usize].dtype;
    let regs_of = |e: &mut Emitter, v: u32| {
        let t = dt(e, v);
        pack(e, &arg(v), t, lanes)
    };
    match inst {
        Inst::Load { input, index }
            if t == DType::F64 && matches!(e.kernel.body[*index as usize].inst, Inst::Index) =>
        {
            let base = e.input_ptr(*input);
            let idx = match arg(*index) {
                LaneValues::Lanes(l) => l[0].one(),
                LaneValues::Regs(_) => return None,
            };
            let off = e.b.ins().imul_imm_s(idx, 8);
            let addr = e.b.ins().iadd(base, off);
            let flags = MemFlagsData::new().with_notrap().with_readonly();
            Some(LaneValues::Regs(
                (0..lanes / PER_REG)
                    .map(|k| e.b.ins().load(types::F64X2, flags, addr, 16 * k as i32))
                    .collect(),
            ))
        }
        Inst::Param(_) | Inst::Const(_) if t == DType::F64 => None,
        // (i as f64) for the lanes i, i+1, ...: one conversion and a vector add.
        Inst::Cast(a)
            if t == DType::F64 && matches!(e.kernel.body[*a as usize].inst, Inst::Index) =>
        {
            let base = match arg(*a) {
                LaneValues::Lanes(l) => l[0].one(),
                LaneValues::Regs(_) => return None,
            };
            let f = e.b.ins().fcvt_from_sint(types::F64, base);
            let f = e.b.ins().splat(types::F64X2, f);
            Some(LaneValues::Regs(
                (0..lanes / PER_REG)
                    .map(|k| {
                        let lo = e.b.ins().f64const((PER_REG * k) as f64);
                        let hi = e.b.ins().f64const((PER_REG * k + 1) as f64);
                        let v = e.b.ins().scalar_to_vector(types::F64X2, lo);
                        let v = e.b.ins().insertlane(v, hi, 1);
                        e.b.ins().fadd(f, v)
                    })
                    .collect(),
            ))
        }
        // |z| of complex128: the parts packed into registers, then the inline hypot.
        Inst::Unary(UnaryOp::Abs, a) if t == DType::F64 && dt(e, *a) == DType::C128 => {
            let z = match arg(*a) {
                LaneValues::Lanes(l) => l,
                LaneValues::Regs(_) => return None,
            };
            let part = |e: &mut Emitter, im: bool| {
                let l: SmallVec<[Elem; 4]> = z
                    .iter()
                    .map(|s| Elem::One(if im { s.pair().1 } else { s.pair().0 }))
                    .collect();
                pack(e, &LaneValues::Lanes(l), DType::F64, lanes)
            };
            let (re, im) = (part(e, false), part(e, true));
            Some(LaneValues::Regs(
                re.iter()
                    .zip(&im)
                    .map(|(&x, &y)| crate::math::hypot(e, x, y))
                    .collect(),
            ))
        }
        Inst::Unary(op, a)
            if t == DType::F64 && dt(e, *a) == DType::F64 && unary_supported(*op) =>
        {
            let x = regs_of(e, *a);
            Some(LaneValues::Regs(
                x.iter().map(|&r| unary(e, *op, r, *a)).collect(),
            ))
        }
        Inst::Binary(op, a, b) if dt(e, *a) == DType::F64 => {
            if !binary_supported(*op) {
                return None;
            }
            let x = regs_of(e, *a);
            let y = regs_of(e, *b);
            Some(LaneValues::Regs(
                x.iter()
                    .zip(&y)
                    .map(|(&p, &q)| binary(e, *op, p, q))
                    .collect(),
            ))
        }
        Inst::Select(c, a, b)
            if t == DType::F64
                && (is_regs(&vals[*a as usize])
                    || is_regs(&vals[*b as usize])
                    || is_regs(&vals[*c as usize])) =>
        {
            let m = regs_of(e, *c);
            let x = regs_of(e, *a);
            let y = regs_of(e, *b);
            Some(LaneValues::Regs(
                m.iter()
                    .zip(x.iter().zip(&y))
                    .map(|(&m, (&p, &q))| {
                        let m = bitcast(e, types::F64X2, m);
                        e.b.ins().bitselect(m, p, q)
                    })
                    .collect(),
            ))
        }
        _ => None,
    }
}

fn unary_supported(op: UnaryOp) -> bool {
    use UnaryOp::*;
    matches!(
        op,
        Neg | Abs
            | Sqrt
            | Square
            | Floor
            | Ceil
            | Round
            | Trunc
            | Reciprocal
            | Exp
            | Sin
            | Cos
            | Log
            | Exp2
            | Expm1
            | Log2
            | Log10
            | Log1p
            | Tan
            | Sinh
            | Cosh
            | Tanh
            | Atan
    )
}

fn unary(e: &mut Emitter, op: UnaryOp, x: Value, operand: u32) -> Value {
    use UnaryOp::*;
    match op {
        Neg => e.b.ins().fneg(x),
        Abs => e.b.ins().fabs(x),
        Sqrt => e.b.ins().sqrt(x),
        Square => e.b.ins().fmul(x, x),
        Floor => e.b.ins().floor(x),
        Ceil => e.b.ins().ceil(x),
        Round => e.b.ins().nearest(x),
        Trunc => e.b.ins().trunc(x),
        Reciprocal => {
            let one = e.b.ins().f64const(1.0);
            let one = e.b.ins().splat(types::F64X2, one);
            e.b.ins().fdiv(one, x)
        }
        Exp => crate::math::exp(e, x),
        Sin => e.sin_cos(x, operand).0,
        Cos => e.sin_cos(x, operand).1,
        Log => crate::math::log(e, x),
        Exp2 => crate::math::exp2(e, x),
        Expm1 => crate::math::expm1(e, x),
        Log2 => crate::math::log2(e, x),
        Log10 => crate::math::log10(e, x),
        Log1p => crate::math::log1p(e, x),
        Tan => crate::math::tan(e, x),
        Sinh => crate::math::sinh(e, x),
        Cosh => crate::math::cosh(e, x),
        Tanh => crate::math::tanh(e, x),
        Atan => crate::math::atan(e, x),
        _ => unreachable!("unary_supported() filters {}", op.name()),
    }
}

fn binary_supported(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(
        op,
        Add | Sub
            | Mul
            | Div
            | Maximum
            | Minimum
            | Copysign
            | Eq
            | Ne
            | Lt
            | Le
            | Gt
            | Ge
            | Atan2
            | Hypot
    )
}

fn binary(e: &mut Emitter, op: BinaryOp, x: Value, y: Value) -> Value {
    use BinaryOp::*;
    let cmp = |e: &mut Emitter, cc| e.b.ins().fcmp(cc, x, y);
    match op {
        Add => e.b.ins().fadd(x, y),
        Sub => e.b.ins().fsub(x, y),
        Mul => e.b.ins().fmul(x, y),
        Div => e.b.ins().fdiv(x, y),
        Atan2 => crate::math::atan2(e, x, y),
        Hypot => crate::math::hypot(e, x, y),
        Copysign => crate::math::copysign(e, x, y),
        Maximum | Minimum => {
            // As the scalar path: NaN from either side, the second operand on ties.
            let cc = if op == Maximum {
                FloatCC::GreaterThan
            } else {
                FloatCC::LessThan
            };
            let first_wins = e.b.ins().fcmp(cc, x, y);
            let first_wins = bitcast(e, types::F64X2, first_wins);
            let pick = e.b.ins().bitselect(first_wins, x, y);
            let ynan = e.b.ins().fcmp(FloatCC::Unordered, y, y);
            let ynan = bitcast(e, types::F64X2, ynan);
            let pick = e.b.ins().bitselect(ynan, y, pick);
            let xnan = e.b.ins().fcmp(FloatCC::Unordered, x, x);
            let xnan = bitcast(e, types::F64X2, xnan);
            e.b.ins().bitselect(xnan, x, pick)
        }
        Eq => cmp(e, FloatCC::Equal),
        Ne => cmp(e, FloatCC::NotEqual),
        Lt => cmp(e, FloatCC::LessThan),
        Le => cmp(e, FloatCC::LessThanOrEqual),
        Gt => cmp(e, FloatCC::GreaterThan),
        Ge => cmp(e, FloatCC::GreaterThanOrEqual),
        _ => unreachable!("binary_supported() filters {}", op.name()),
    }
}
