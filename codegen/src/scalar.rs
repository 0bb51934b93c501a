//! Scalar code for one lane of one instruction. Every operation is emitted inline
//! except the transcendental functions and complex functions, which call the helpers in
//! `runtime` (the vector path in `vector.rs` replaces the hot ones with inline
//! polynomials).

use crate::translate::{Elem, Emitter};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, StackSlotData, StackSlotKind, Type, Value};
use mathengine_ir::{BinaryOp, DType, UnaryOp};

/// The Cranelift type of one scalar (or one part of a complex) of `t`.
pub fn clif_type(t: DType) -> Type {
    match t {
        DType::Bool => types::I8,
        DType::I32 => types::I32,
        DType::I64 => types::I64,
        DType::F32 | DType::C64 => types::F32,
        DType::F64 | DType::C128 => types::F64,
    }
}

impl Emitter<'_, '_> {
    pub(crate) fn fconst(&mut self, ty: Type, v: f64) -> Value {
        if ty == types::F32 {
            self.b.ins().f32const(v as f32)
        } else {
            self.b.ins().f64const(v)
        }
    }

    fn call_helper(
        &mut self,
        name: &'static str,
        params: &[Type],
        ret: Option<Type>,
        args: &[Value],
    ) -> Option<Value> {
        let f = self.import(name, params, ret);
        let call = self.b.ins().call(f, args);
        self.b.inst_results(call).first().copied()
    }

    fn is_nan(&mut self, x: Value) -> Value {
        self.b.ins().fcmp(FloatCC::Unordered, x, x)
    }

    pub(crate) fn scalar_unary(&mut self, op: UnaryOp, t: DType, out: DType, x: Elem) -> Elem {
        use UnaryOp::*;
        if t.is_complex() {
            return self.complex_unary(op, t, out, x);
        }
        let x = x.one();
        let ty = clif_type(t);
        if t.is_bool() {
            return Elem::One(match op {
                Not => self.b.ins().bxor_imm_s(x, 1),
                Real | Conj | Floor | Ceil | Round | Trunc => x,
                Imag => self.b.ins().iconst(types::I8, 0),
                IsNan | IsInf => self.b.ins().iconst(types::I8, 0),
                IsFinite => self.b.ins().iconst(types::I8, 1),
                _ => unreachable!("signature() rejects bool {}", op.name()),
            });
        }
        if t.is_int() {
            return Elem::One(match op {
                Neg => self.b.ins().ineg(x),
                Abs => self.b.ins().iabs(x),
                Sign => {
                    let pos = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, x, 0);
                    let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, x, 0);
                    let p = self.b.ins().uextend(ty, pos);
                    let n = self.b.ins().uextend(ty, neg);
                    self.b.ins().isub(p, n)
                }
                Square => self.b.ins().imul(x, x),
                // numpy keeps the dtype: 1/x truncated, 1/0 gives 0 (as scalar_eval).
                Reciprocal => {
                    let one = self.b.ins().iconst(ty, 1);
                    self.int_binary(BinaryOp::Div, t, one, x)
                }
                Floor | Ceil | Round | Trunc | Real | Conj => x,
                Imag => self.b.ins().iconst(ty, 0),
                IsNan | IsInf => self.b.ins().iconst(types::I8, 0),
                IsFinite => self.b.ins().iconst(types::I8, 1),
                Not => {
                    let z = self.b.ins().icmp_imm_s(IntCC::Equal, x, 0);
                    return Elem::One(z);
                }
                _ => unreachable!("signature() promotes int {} to float", op.name()),
            });
        }
        Elem::One(match op {
            Neg => self.b.ins().fneg(x),
            Abs => self.b.ins().fabs(x),
            Sign => {
                // numpy: NaN stays NaN, both zeros give +0.0.
                let one = self.fconst(ty, 1.0);
                let m1 = self.fconst(ty, -1.0);
                let zero = self.fconst(ty, 0.0);
                let pos = self.b.ins().fcmp(FloatCC::GreaterThan, x, zero);
                let neg = self.b.ins().fcmp(FloatCC::LessThan, x, zero);
                let s = self.b.ins().select(neg, m1, zero);
                let s = self.b.ins().select(pos, one, s);
                let nan = self.is_nan(x);
                self.b.ins().select(nan, x, s)
            }
            Sqrt => self.b.ins().sqrt(x),
            Square => self.b.ins().fmul(x, x),
            Reciprocal => {
                let one = self.fconst(ty, 1.0);
                self.b.ins().fdiv(one, x)
            }
            Floor => self.b.ins().floor(x),
            Ceil => self.b.ins().ceil(x),
            Round => self.b.ins().nearest(x),
            Trunc => self.b.ins().trunc(x),
            Real | Conj => x,
            Imag => self.fconst(ty, 0.0),
            IsNan => self.is_nan(x),
            IsInf => {
                let a = self.b.ins().fabs(x);
                let inf = self.fconst(ty, f64::INFINITY);
                self.b.ins().fcmp(FloatCC::Equal, a, inf)
            }
            IsFinite => {
                let a = self.b.ins().fabs(x);
                let inf = self.fconst(ty, f64::INFINITY);
                self.b.ins().fcmp(FloatCC::LessThan, a, inf)
            }
            Not => {
                let zero = self.fconst(ty, 0.0);
                self.b.ins().fcmp(FloatCC::Equal, x, zero)
            }
            _ => {
                let name = self.unary_helper(op, t);
                self.call_helper(name, &[ty], Some(ty), &[x])
                    .expect("helper returns a value")
            }
        })
    }

    fn unary_helper(&self, op: UnaryOp, t: DType) -> &'static str {
        let table = if t == DType::F32 {
            crate::runtime::unary_f32_symbols()
        } else {
            crate::runtime::unary_f64_symbols()
        };
        table
            .into_iter()
            .find(|(o, _, _)| *o == op)
            .map(|(_, n, _)| n)
            .unwrap_or_else(|| unreachable!("no helper for {}", op.name()))
    }

    pub(crate) fn scalar_binary(&mut self, op: BinaryOp, t: DType, a: Elem, b: Elem) -> Elem {
        use BinaryOp::*;
        if op.is_logical() {
            let (x, y) = (a.one(), b.one());
            return Elem::One(match op {
                And => self.b.ins().band(x, y),
                Or => self.b.ins().bor(x, y),
                _ => self.b.ins().bxor(x, y),
            });
        }
        if t.is_complex() {
            return self.complex_binary(op, t, a, b);
        }
        let (x, y) = (a.one(), b.one());
        let ty = clif_type(t);
        if !t.is_float() {
            return Elem::One(self.int_binary(op, t, x, y));
        }
        let cmp = |cc| Some(cc);
        let cc = match op {
            Eq => cmp(FloatCC::Equal),
            Ne => cmp(FloatCC::NotEqual),
            Lt => cmp(FloatCC::LessThan),
            Le => cmp(FloatCC::LessThanOrEqual),
            Gt => cmp(FloatCC::GreaterThan),
            Ge => cmp(FloatCC::GreaterThanOrEqual),
            _ => None,
        };
        if let Some(cc) = cc {
            return Elem::One(self.b.ins().fcmp(cc, x, y));
        }
        Elem::One(match op {
            Add => self.b.ins().fadd(x, y),
            Sub => self.b.ins().fsub(x, y),
            Mul => self.b.ins().fmul(x, y),
            Div => self.b.ins().fdiv(x, y),
            Copysign => self.b.ins().fcopysign(x, y),
            Maximum | Minimum => {
                // numpy: NaN if either is NaN; on ties (+0 vs -0) the second operand.
                let cc = if op == Maximum {
                    FloatCC::GreaterThan
                } else {
                    FloatCC::LessThan
                };
                let first_wins = self.b.ins().fcmp(cc, x, y);
                let pick = self.b.ins().select(first_wins, x, y);
                let ynan = self.is_nan(y);
                let pick = self.b.ins().select(ynan, y, pick);
                let xnan = self.is_nan(x);
                self.b.ins().select(xnan, x, pick)
            }
            Pow | Fmod | Atan2 | Hypot => {
                let table = if t == DType::F32 {
                    crate::runtime::binary_f32_symbols()
                } else {
                    crate::runtime::binary_f64_symbols()
                };
                let name = table
                    .into_iter()
                    .find(|(o, _, _)| *o == op)
                    .map(|(_, n, _)| n)
                    .expect("helper exists");
                self.call_helper(name, &[ty, ty], Some(ty), &[x, y])
                    .expect("helper returns a value")
            }
            _ => unreachable!("handled above: {}", op.name()),
        })
    }

    fn int_binary(&mut self, op: BinaryOp, t: DType, x: Value, y: Value) -> Value {
        use BinaryOp::*;
        let ty = clif_type(t);
        let icmp = |cc| Some(cc);
        let cc = match op {
            Eq => icmp(IntCC::Equal),
            Ne => icmp(IntCC::NotEqual),
            Lt => icmp(if t.is_bool() {
                IntCC::UnsignedLessThan
            } else {
                IntCC::SignedLessThan
            }),
            Le => icmp(if t.is_bool() {
                IntCC::UnsignedLessThanOrEqual
            } else {
                IntCC::SignedLessThanOrEqual
            }),
            Gt => icmp(if t.is_bool() {
                IntCC::UnsignedGreaterThan
            } else {
                IntCC::SignedGreaterThan
            }),
            Ge => icmp(if t.is_bool() {
                IntCC::UnsignedGreaterThanOrEqual
            } else {
                IntCC::SignedGreaterThanOrEqual
            }),
            _ => None,
        };
        if let Some(cc) = cc {
            return self.b.ins().icmp(cc, x, y);
        }
        match op {
            Add => self.b.ins().iadd(x, y),
            Sub => self.b.ins().isub(x, y),
            Mul => self.b.ins().imul(x, y),
            Maximum if t.is_bool() => self.b.ins().bor(x, y),
            Minimum if t.is_bool() => self.b.ins().band(x, y),
            Maximum => self.b.ins().smax(x, y),
            Minimum => self.b.ins().smin(x, y),
            Div | Fmod => {
                // Cranelift traps on division by zero and MIN / -1; numpy gives 0 and wraps.
                let zero = self.b.ins().iconst(ty, 0);
                let one = self.b.ins().iconst(ty, 1);
                let is_zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
                let is_m1 = self.b.ins().icmp_imm_s(IntCC::Equal, y, -1);
                let unsafe_div = self.b.ins().bor(is_zero, is_m1);
                let d = self.b.ins().select(unsafe_div, one, y);
                let (q, special) = if op == Div {
                    (self.b.ins().sdiv(x, d), self.b.ins().ineg(x))
                } else {
                    (self.b.ins().srem(x, d), zero)
                };
                let q = self.b.ins().select(is_m1, special, q);
                self.b.ins().select(is_zero, zero, q)
            }
            Pow => self.int_pow(ty, x, y),
            _ => unreachable!("signature() rejects int {}", op.name()),
        }
    }

    /// Integer power by squaring in a loop, with `scalar_eval`'s rule for negative exponents.
    fn int_pow(&mut self, ty: Type, base: Value, exp: Value) -> Value {
        let head = self.b.create_block();
        let body = self.b.create_block();
        let done = self.b.create_block();
        let negative = self.b.create_block();
        let result = self.b.append_block_param(done, ty);
        let one = self.b.ins().iconst(ty, 1);
        let is_neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, exp, 0);
        self.b.ins().brif(
            is_neg,
            negative,
            &[],
            head,
            &[one.into(), base.into(), exp.into()],
        );
        // Negative exponent: 1 for base 1, ±1 for base -1, else 0.
        self.b.switch_to_block(negative);
        let zero = self.b.ins().iconst(ty, 0);
        let b_is_one = self.b.ins().icmp_imm_s(IntCC::Equal, base, 1);
        let b_is_m1 = self.b.ins().icmp_imm_s(IntCC::Equal, base, -1);
        let odd = self.b.ins().band_imm_s(exp, 1);
        let m1 = self.b.ins().iconst(ty, -1);
        let odd_b = self.b.ins().icmp_imm_s(IntCC::NotEqual, odd, 0);
        let pm1 = self.b.ins().select(odd_b, m1, one);
        let r = self.b.ins().select(b_is_m1, pm1, zero);
        let r = self.b.ins().select(b_is_one, one, r);
        self.b.ins().jump(done, &[r.into()]);
        let acc = self.b.append_block_param(head, ty);
        let cur = self.b.append_block_param(head, ty);
        let e = self.b.append_block_param(head, ty);
        self.b.switch_to_block(head);
        let more = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, e, 0);
        self.b.ins().brif(more, body, &[], done, &[acc.into()]);
        self.b.switch_to_block(body);
        let bit = self.b.ins().band_imm_s(e, 1);
        let odd = self.b.ins().icmp_imm_s(IntCC::NotEqual, bit, 0);
        let times = self.b.ins().imul(acc, cur);
        let acc2 = self.b.ins().select(odd, times, acc);
        let cur2 = self.b.ins().imul(cur, cur);
        let e2 = self.b.ins().sshr_imm_s(e, 1);
        self.b
            .ins()
            .jump(head, &[acc2.into(), cur2.into(), e2.into()]);
        self.b.switch_to_block(done);
        result
    }

    fn pair_slot(&mut self) -> Value {
        let slot =
            self.b
                .create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 16, 3));
        self.b.ins().stack_addr(self.ptr, slot, 0)
    }

    fn read_pair(&mut self, addr: Value, part: Type) -> Elem {
        let flags = cranelift_codegen::ir::MemFlagsData::trusted();
        let re = self.b.ins().load(part, flags, addr, 0);
        let im = self.b.ins().load(part, flags, addr, part.bytes() as i32);
        Elem::Pair(re, im)
    }

    fn complex_unary(&mut self, op: UnaryOp, t: DType, out: DType, x: Elem) -> Elem {
        use UnaryOp::*;
        let (re, im) = x.pair();
        let part = clif_type(t);
        match op {
            Neg => Elem::Pair(self.b.ins().fneg(re), self.b.ins().fneg(im)),
            Conj => Elem::Pair(re, self.b.ins().fneg(im)),
            Real => Elem::One(re),
            Imag => Elem::One(im),
            IsNan => {
                let a = self.is_nan(re);
                let b = self.is_nan(im);
                Elem::One(self.b.ins().bor(a, b))
            }
            IsInf | IsFinite => {
                let a = self
                    .scalar_unary(op, t.real(), DType::Bool, Elem::One(re))
                    .one();
                let b = self
                    .scalar_unary(op, t.real(), DType::Bool, Elem::One(im))
                    .one();
                Elem::One(if op == IsInf {
                    self.b.ins().bor(a, b)
                } else {
                    self.b.ins().band(a, b)
                })
            }
            _ => {
                let addr = self.pair_slot();
                let code = self.b.ins().iconst(
                    types::I32,
                    UnaryOp::ALL
                        .iter()
                        .position(|&o| o == op)
                        .expect("op listed") as i64,
                );
                let name = if t == DType::C64 {
                    "me_cunaryf"
                } else {
                    "me_cunary"
                };
                self.call_helper(
                    name,
                    &[types::I32, part, part, self.ptr],
                    None,
                    &[code, re, im, addr],
                );
                let r = self.read_pair(addr, part);
                if out.is_complex() {
                    r
                } else {
                    Elem::One(r.pair().0)
                }
            }
        }
    }

    fn complex_binary(&mut self, op: BinaryOp, t: DType, a: Elem, b: Elem) -> Elem {
        use BinaryOp::*;
        let ((ar, ai), (br, bi)) = (a.pair(), b.pair());
        let part = clif_type(t);
        match op {
            Add => Elem::Pair(self.b.ins().fadd(ar, br), self.b.ins().fadd(ai, bi)),
            Sub => Elem::Pair(self.b.ins().fsub(ar, br), self.b.ins().fsub(ai, bi)),
            Mul => {
                // num_complex's formula exactly (no fused multiply-add), for bitwise agreement.
                let rr = self.b.ins().fmul(ar, br);
                let ii = self.b.ins().fmul(ai, bi);
                let ri = self.b.ins().fmul(ar, bi);
                let ir = self.b.ins().fmul(ai, br);
                Elem::Pair(self.b.ins().fsub(rr, ii), self.b.ins().fadd(ri, ir))
            }
            Eq | Ne => {
                let cc = if op == Eq {
                    FloatCC::Equal
                } else {
                    FloatCC::NotEqual
                };
                let x = self.b.ins().fcmp(cc, ar, br);
                let y = self.b.ins().fcmp(cc, ai, bi);
                Elem::One(if op == Eq {
                    self.b.ins().band(x, y)
                } else {
                    self.b.ins().bor(x, y)
                })
            }
            _ => {
                let addr = self.pair_slot();
                let code = self.b.ins().iconst(
                    types::I32,
                    BinaryOp::ALL
                        .iter()
                        .position(|&o| o == op)
                        .expect("op listed") as i64,
                );
                let name = if t == DType::C64 {
                    "me_cbinaryf"
                } else {
                    "me_cbinary"
                };
                self.call_helper(
                    name,
                    &[types::I32, part, part, part, part, self.ptr],
                    None,
                    &[code, ar, ai, br, bi, addr],
                );
                self.read_pair(addr, part)
            }
        }
    }

    /// `astype` conversion of one scalar, as `Scalar::cast`.
    pub(crate) fn scalar_cast(&mut self, from: DType, to: DType, x: Elem) -> Elem {
        if from == to {
            return x;
        }
        if from.is_complex() {
            let (re, im) = x.pair();
            if to.is_complex() {
                let cv =
                    |e: &mut Self, v| e.scalar_cast(from.real(), to.real(), Elem::One(v)).one();
                return Elem::Pair(cv(self, re), cv(self, im));
            }
            if to.is_bool() {
                let a = self
                    .scalar_cast(from.real(), DType::Bool, Elem::One(re))
                    .one();
                let b = self
                    .scalar_cast(from.real(), DType::Bool, Elem::One(im))
                    .one();
                return Elem::One(self.b.ins().bor(a, b));
            }
            return self.scalar_cast(from.real(), to, Elem::One(re));
        }
        if to.is_complex() {
            let re = self.scalar_cast(from, to.real(), x).one();
            let im = self.fconst(clif_type(to), 0.0);
            return Elem::Pair(re, im);
        }
        let v = x.one();
        let (ft, tt) = (clif_type(from), clif_type(to));
        Elem::One(match (from, to) {
            (_, DType::Bool) if from.is_float() => {
                let z = self.fconst(ft, 0.0);
                self.b.ins().fcmp(FloatCC::NotEqual, v, z)
            }
            (_, DType::Bool) => self.b.ins().icmp_imm_s(IntCC::NotEqual, v, 0),
            (DType::Bool, _) if to.is_float() => self.b.ins().fcvt_from_uint(tt, v),
            (DType::Bool, _) => self.b.ins().uextend(tt, v),
            (DType::I32, DType::I64) => self.b.ins().sextend(tt, v),
            (DType::I64, DType::I32) => self.b.ins().ireduce(tt, v),
            (DType::F32, DType::F64) => self.b.ins().fpromote(tt, v),
            (DType::F64, DType::F32) => self.b.ins().fdemote(tt, v),
            // Saturating, NaN to 0: Rust's `as`, which Scalar::cast uses.
            (_, DType::I32 | DType::I64) => {
                if from == DType::F32 && to == DType::I32 || from == DType::F64 && to == DType::I64
                {
                    self.b.ins().fcvt_to_sint_sat(tt, v)
                } else if from == DType::F32 {
                    // Scalar::cast goes through f64 for f32 -> i64.
                    let d = self.b.ins().fpromote(types::F64, v);
                    self.b.ins().fcvt_to_sint_sat(tt, d)
                } else {
                    // f64 -> i32: through f64 saturation as Rust's `as i32` does.
                    self.b.ins().fcvt_to_sint_sat(tt, v)
                }
            }
            (DType::I64, DType::F32) => self.b.ins().fcvt_from_sint(tt, v),
            (DType::I32, DType::F32) => {
                // Scalar::cast goes through f64 (exact for i32), then rounds once.
                let d = self.b.ins().fcvt_from_sint(types::F64, v);
                self.b.ins().fdemote(tt, d)
            }
            (_, _) if to.is_float() => self.b.ins().fcvt_from_sint(tt, v),
            _ => unreachable!("cast {from} -> {to}"),
        })
    }
}
