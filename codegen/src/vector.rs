//! The SIMD fast path of the main loop: f64 values in f64x2 registers and f32 values in
//! f32x4 registers (`translate::vector_lanes` elements per iteration, a multiple of
//! four when the kernel has f32 values), comparisons as i64x2 / i32x4 masks. Contiguous
//! loads and stores are vector loads and stores; a load of one element is a splat.
//! Casts between f32 and f64 convert whole registers. Everything not handled here
//! falls back to lane-by-lane scalar code in `translate.rs`, so the fast path can grow
//! one operation at a time without touching correctness elsewhere.

use crate::translate::{Elem, Emitter, LaneValues};
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, Endianness, InstBuilder, MemFlagsData, Type, Value};
use mathengine_ir::kernel::{Inst, Kernel};
use mathengine_ir::{BinaryOp, DType, UnaryOp};
use smallvec::SmallVec;

/// Vectorise kernels that compute in f64 or f32, or take exp of complex128 (and are not
/// reductions).
/// Complex values in the kernel stay lane-by-lane; its real work still gets the vectors.
pub fn worth_vectorising(k: &Kernel) -> bool {
    k.reduction.is_none()
        && k.body.iter().any(|i| {
            reg_type(i.dtype).is_some()
                || (i.dtype == DType::C128 && matches!(i.inst, Inst::Unary(UnaryOp::Exp, _)))
        })
}

/// Elements per main-loop iteration of a kernel calling inline transcendentals: one
/// register of its narrowest float type (their code is long enough to fill the
/// pipelines alone, and unrolling it would multiply compile time).
pub fn heavy_lanes(k: &Kernel) -> usize {
    if k.body.iter().any(|i| i.dtype == DType::F32) {
        4
    } else {
        2
    }
}

/// The SIMD register type holding values of `t`, if it has one.
pub(crate) fn reg_type(t: DType) -> Option<Type> {
    match t {
        DType::F64 => Some(types::F64X2),
        DType::F32 => Some(types::F32X4),
        _ => None,
    }
}

/// The comparison-mask type of a float register type (i64x2 for f64x2, i32x4 for f32x4).
fn mask_type(float_reg: Type) -> Type {
    float_reg.as_int()
}

/// The register type of `t`; bool values default to i64x2 masks.
fn reg_type_or_mask(t: DType) -> Type {
    reg_type(t).unwrap_or(types::I64X2)
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

/// Split registers into per-lane scalars (the lanes per register from their type).
pub(crate) fn unpack(
    e: &mut Emitter,
    regs: &[Value],
    t: DType,
    lanes: usize,
) -> SmallVec<[Elem; 4]> {
    let mut out = SmallVec::new();
    let reg_ty = e.b.func.dfg.value_type(regs[0]);
    let per_reg = reg_ty.lane_count() as usize;
    for j in 0..lanes {
        let r = regs[j / per_reg];
        let lane = (j % per_reg) as u8;
        if t == DType::Bool {
            let m = bitcast(e, reg_ty.as_int(), r);
            let x = e.b.ins().extractlane(m, lane);
            let b = e.b.ins().ireduce(types::I8, x);
            out.push(Elem::One(e.b.ins().band_imm_s(b, 1)));
        } else {
            out.push(Elem::One(e.b.ins().extractlane(r, lane)));
        }
    }
    out
}

/// Pack a value into registers (f64x2 for f64, f32x4 for f32, i64x2 masks for bool).
pub(crate) fn pack(
    e: &mut Emitter,
    v: &LaneValues,
    t: DType,
    lanes: usize,
) -> SmallVec<[Value; 2]> {
    pack_as(e, v, t, reg_type_or_mask(t), lanes)
}

/// Pack a value of dtype `t` into registers of type `ty` (for bool: the mask type the
/// user needs; masks of the other width are unpacked and repacked).
pub(crate) fn pack_as(
    e: &mut Emitter,
    v: &LaneValues,
    t: DType,
    ty: Type,
    lanes: usize,
) -> SmallVec<[Value; 2]> {
    let lanes_v = match v {
        LaneValues::Regs(r) if e.b.func.dfg.value_type(r[0]).lane_count() == ty.lane_count() => {
            return r.clone()
        }
        LaneValues::Regs(r) => unpack(e, r, t, lanes),
        LaneValues::Lanes(l) => l.clone(),
    };
    let per_reg = ty.lane_count() as usize;
    let scalar = |e: &mut Emitter, s: Elem| -> Value {
        let x = s.one();
        if t == DType::Bool {
            let w = e.b.ins().uextend(ty.lane_type(), x);
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
        return (0..lanes / per_reg).map(|_| r).collect();
    }
    (0..lanes / per_reg)
        .map(|k| {
            let a = scalar(e, lanes_v[per_reg * k]);
            let mut r = e.b.ins().scalar_to_vector(ty, a);
            for l in 1..per_reg {
                let x = scalar(e, lanes_v[per_reg * k + l]);
                r = e.b.ins().insertlane(r, x, l as u8);
            }
            r
        })
        .collect()
}

fn is_regs(v: &Option<LaneValues>) -> bool {
    matches!(v, Some(LaneValues::Regs(_)))
}

/// `v` in every lane of a register of type `ty` (f64x2 or f32x4).
pub(crate) fn fsplat(e: &mut Emitter, ty: Type, v: f64) -> Value {
    let c = if ty.lane_type() == types::F32 {
        e.b.ins().f32const(v as f32)
    } else {
        e.b.ins().f64const(v)
    };
    e.b.ins().splat(ty, c)
}

/// The vector form of `inst`, or None to fall back to lane-by-lane code.
/// Values in registers.
type Regs = SmallVec<[Value; 2]>;

/// The real and imaginary parts of complex128 lanes, each packed into f64x2 registers.
fn complex_parts(e: &mut Emitter, z: &LaneValues, lanes: usize) -> Option<(Regs, Regs)> {
    let LaneValues::Lanes(z) = z else {
        return None;
    };
    let mut part = |im: bool| {
        let l: SmallVec<[Elem; 4]> = z
            .iter()
            .map(|s| Elem::One(if im { s.pair().1 } else { s.pair().0 }))
            .collect();
        pack(e, &LaneValues::Lanes(l), DType::F64, lanes)
    };
    Some((part(false), part(true)))
}

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
    let is_index = |e: &Emitter, v: u32| matches!(e.kernel.body[v as usize].inst, Inst::Index);
    let vt = reg_type(t);
    match inst {
        Inst::Load { input, index } if vt.is_some() && is_index(e, *index) => {
            let ty = vt?;
            let base = e.input_ptr(*input);
            let idx = match arg(*index) {
                LaneValues::Lanes(l) => l[0].one(),
                LaneValues::Regs(_) => return None,
            };
            let off = e.b.ins().imul_imm_s(idx, t.size() as i64);
            let addr = e.b.ins().iadd(base, off);
            let flags = MemFlagsData::new().with_notrap().with_readonly();
            let per_reg = ty.lane_count() as usize;
            Some(LaneValues::Regs(
                (0..lanes / per_reg)
                    .map(|k| e.b.ins().load(ty, flags, addr, 16 * k as i32))
                    .collect(),
            ))
        }
        Inst::Param(_) | Inst::Const(_) if vt.is_some() => None,
        // (i as float) for the lanes i, i+1, ...: one conversion and a vector add in f64
        // (exact), then one rounding to f32 where the kernel wants f32.
        Inst::Cast(a) if vt.is_some() && is_index(e, *a) => {
            let base = match arg(*a) {
                LaneValues::Lanes(l) => l[0].one(),
                LaneValues::Regs(_) => return None,
            };
            let f = e.b.ins().fcvt_from_sint(types::F64, base);
            let f = e.b.ins().splat(types::F64X2, f);
            let wide: SmallVec<[Value; 4]> = (0..lanes / 2)
                .map(|k| {
                    let lo = e.b.ins().f64const((2 * k) as f64);
                    let hi = e.b.ins().f64const((2 * k + 1) as f64);
                    let v = e.b.ins().scalar_to_vector(types::F64X2, lo);
                    let v = e.b.ins().insertlane(v, hi, 1);
                    e.b.ins().fadd(f, v)
                })
                .collect();
            Some(LaneValues::Regs(if t == DType::F32 {
                wide.chunks(2)
                    .map(|p| crate::math::demote(e, p[0], p[1]))
                    .collect()
            } else {
                wide.into_iter().collect()
            }))
        }
        // f32 <-> f64 of values already in registers: whole-register conversions.
        Inst::Cast(a)
            if t == DType::F64 && dt(e, *a) == DType::F32 && is_regs(&vals[*a as usize]) =>
        {
            let x = regs_of(e, *a);
            let mut out = SmallVec::new();
            for r in x {
                let (lo, hi) = crate::math::promote(e, r);
                out.push(lo);
                out.push(hi);
            }
            Some(LaneValues::Regs(out))
        }
        Inst::Cast(a)
            if t == DType::F32 && dt(e, *a) == DType::F64 && is_regs(&vals[*a as usize]) =>
        {
            let x = regs_of(e, *a);
            Some(LaneValues::Regs(
                x.chunks(2)
                    .map(|p| crate::math::demote(e, p[0], p[1]))
                    .collect(),
            ))
        }
        // |z| of complex128: the parts packed into registers, then the inline hypot.
        Inst::Unary(UnaryOp::Abs, a) if t == DType::F64 && dt(e, *a) == DType::C128 => {
            let (re, im) = complex_parts(e, &arg(*a), lanes)?;
            Some(LaneValues::Regs(
                re.iter()
                    .zip(&im)
                    .map(|(&x, &y)| crate::math::hypot(e, x, y))
                    .collect(),
            ))
        }
        // exp(z) of complex128: the parts packed into registers, exp(re) (cos im,
        // i sin im) inline, and back to pairs.
        Inst::Unary(UnaryOp::Exp, a) if t == DType::C128 && dt(e, *a) == DType::C128 => {
            let (re, im) = complex_parts(e, &arg(*a), lanes)?;
            let mut parts: (SmallVec<[Value; 4]>, SmallVec<[Value; 4]>) = Default::default();
            for (&x, &y) in re.iter().zip(&im) {
                let (r, i) = crate::math::complex_exp(e, x, y);
                parts.0.push(r);
                parts.1.push(i);
            }
            let re = unpack(e, &parts.0, DType::F64, lanes);
            let im = unpack(e, &parts.1, DType::F64, lanes);
            Some(LaneValues::Lanes(
                re.iter()
                    .zip(&im)
                    .map(|(r, i)| Elem::Pair(r.one(), i.one()))
                    .collect(),
            ))
        }
        Inst::Unary(op, a) if vt.is_some() && dt(e, *a) == t && unary_supported(*op) => {
            let x = regs_of(e, *a);
            Some(LaneValues::Regs(
                x.iter().map(|&r| unary(e, *op, r, *a)).collect(),
            ))
        }
        Inst::Binary(op, a, b) if reg_type(dt(e, *a)).is_some() => {
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
            if vt.is_some()
                && (is_regs(&vals[*a as usize])
                    || is_regs(&vals[*b as usize])
                    || is_regs(&vals[*c as usize])) =>
        {
            let ty = vt?;
            let m = pack_as(e, &arg(*c), DType::Bool, mask_type(ty), lanes);
            let x = regs_of(e, *a);
            let y = regs_of(e, *b);
            Some(LaneValues::Regs(
                m.iter()
                    .zip(x.iter().zip(&y))
                    .map(|(&m, (&p, &q))| {
                        let m = bitcast(e, ty, m);
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
    let ty = e.b.func.dfg.value_type(x);
    let f32x4 = ty == types::F32X4;
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
            let one = fsplat(e, ty, 1.0);
            e.b.ins().fdiv(one, x)
        }
        // Both widths: sin and cos of one register share their work.
        Sin => e.sin_cos(x, operand).0,
        Cos => e.sin_cos(x, operand).1,
        Exp if f32x4 => crate::math::exp_f32(e, x),
        Log if f32x4 => crate::math::log_f32(e, x),
        Tanh if f32x4 => crate::math::tanh_f32(e, x),
        // The other f32 functions: the f64 routines on the widened lanes, rounded once.
        _ if f32x4 => crate::math::widened(e, x, |e, h| unary(e, op, h, operand)),
        Exp => crate::math::exp(e, x),
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
    let ty = e.b.func.dfg.value_type(x);
    let cmp = |e: &mut Emitter, cc| e.b.ins().fcmp(cc, x, y);
    match op {
        Add => e.b.ins().fadd(x, y),
        Sub => e.b.ins().fsub(x, y),
        Mul => e.b.ins().fmul(x, y),
        Div => e.b.ins().fdiv(x, y),
        Atan2 if ty == types::F32X4 => {
            crate::math::binary_f32(e, x, y, "me_atan2f", crate::math::atan2_wide)
        }
        Hypot if ty == types::F32X4 => {
            crate::math::binary_f32(e, x, y, "me_hypotf", crate::math::hypot)
        }
        Atan2 => crate::math::atan2(e, x, y),
        Hypot => crate::math::hypot(e, x, y),
        Copysign => crate::math::copysign(e, x, y),
        Maximum | Minimum => {
            // As the scalar path: NaN from either side, the second operand on ties. An
            // ordered comparison is false with a NaN, so a NaN `y` is picked already.
            let cc = if op == Maximum {
                FloatCC::GreaterThan
            } else {
                FloatCC::LessThan
            };
            let first_wins = e.b.ins().fcmp(cc, x, y);
            let first_wins = bitcast(e, ty, first_wins);
            let pick = e.b.ins().bitselect(first_wins, x, y);
            let xnan = e.b.ins().fcmp(FloatCC::Unordered, x, x);
            let xnan = bitcast(e, ty, xnan);
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
