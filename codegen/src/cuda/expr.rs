//! CUDA C expressions for one instruction: types, literals, casts, unary and binary
//! operations, each with the semantics of `mathengine_ir::scalar_eval` (helpers named
//! `me_*` live in the prelude sections beside this file).

use mathengine_ir::{BinaryOp, DType, Scalar, UnaryOp};

/// The C type of a value of `t` inside a kernel.
pub fn ctype(t: DType) -> &'static str {
    match t {
        DType::Bool => "bool",
        DType::I32 => "int",
        DType::I64 => "long long",
        DType::F32 => "float",
        DType::F64 => "double",
        DType::C64 => "me_c64",
        DType::C128 => "me_c128",
    }
}

/// The C type of one element of a buffer of `t` (the host layout: bool is one byte).
pub fn buffer_type(t: DType) -> &'static str {
    match t {
        DType::Bool => "unsigned char",
        _ => ctype(t),
    }
}

/// `x` as an operand of a cast or member access: parenthesised unless it is a name or
/// already one parenthesised whole.
fn atom(x: &str) -> String {
    if x.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        return x.to_string();
    }
    let mut depth = 0i32;
    for (k, c) in x.char_indices() {
        depth += match c {
            '(' => 1,
            ')' => -1,
            _ => 0,
        };
        if depth == 0 {
            // The first parenthesis closes at the end: `x` is one parenthesised whole.
            if k == x.len() - 1 && x.starts_with('(') {
                return x.to_string();
            }
            break;
        }
    }
    format!("({x})")
}

fn f64_literal(v: f64) -> String {
    if !v.is_finite() || (v != 0.0 && v.abs() < f64::MIN_POSITIVE) {
        // Bit-exact for NaN (payload included), ±Inf and subnormals.
        return format!("__longlong_as_double(0x{:016x}LL)", v.to_bits());
    }
    let s = format!("{v:?}");
    if v.is_sign_negative() {
        format!("({s})")
    } else {
        s
    }
}

fn f32_literal(v: f32) -> String {
    if !v.is_finite() || (v != 0.0 && v.abs() < f32::MIN_POSITIVE) {
        return format!("__int_as_float(0x{:08x})", v.to_bits());
    }
    let s = format!("{v:?}f");
    if v.is_sign_negative() {
        format!("({s})")
    } else {
        s
    }
}

/// A C literal of exactly this value (shortest round-trip decimal, or its bits).
pub fn literal(s: Scalar) -> String {
    match s {
        Scalar::Bool(b) => b.to_string(),
        Scalar::I32(i32::MIN) => "(-2147483647 - 1)".into(),
        Scalar::I32(v) if v < 0 => format!("({v})"),
        Scalar::I32(v) => v.to_string(),
        Scalar::I64(i64::MIN) => "(-9223372036854775807LL - 1LL)".into(),
        Scalar::I64(v) if v < 0 => format!("({v}LL)"),
        Scalar::I64(v) => format!("{v}LL"),
        Scalar::F32(v) => f32_literal(v),
        Scalar::F64(v) => f64_literal(v),
        Scalar::C64(z) => format!("me_c64{{{}, {}}}", f32_literal(z.re), f32_literal(z.im)),
        Scalar::C128(z) => format!("me_c128{{{}, {}}}", f64_literal(z.re), f64_literal(z.im)),
    }
}

/// Zero of `t`, as a literal.
pub fn zero(t: DType) -> String {
    literal(Scalar::I64(0).cast(t))
}

/// Convert `x` (of dtype `from`) to `to` with `astype` semantics (`Scalar::cast`).
pub fn cast(from: DType, to: DType, x: &str) -> String {
    use DType::*;
    if from == to {
        return x.to_string();
    }
    let x = atom(x);
    if from.is_complex() {
        let (re, im) = (format!("{x}.re"), format!("{x}.im"));
        if to.is_complex() {
            let (r, i) = (
                cast(from.real(), to.real(), &re),
                cast(from.real(), to.real(), &im),
            );
            return format!("{}{{{r}, {i}}}", ctype(to));
        }
        if to == Bool {
            let z = zero(from.real());
            return format!("({re} != {z} || {im} != {z})");
        }
        return cast(from.real(), to, &re);
    }
    if to.is_complex() {
        // Real to complex64 rounds once, through float32, as `Scalar::cast` does.
        let re = cast(from, to.real(), &x);
        return format!("{}{{{re}, {}}}", ctype(to), zero(to.real()));
    }
    match (from, to) {
        // NaN is truthy, as in numpy and Rust's `!= 0.0`.
        (_, Bool) => format!("({x} != {})", zero(from)),
        (F32 | F64, I32) => format!("me_to_i32({x})"),
        (F32 | F64, I64) => format!("me_to_i64({x})"),
        // bool -> 0/1; int <-> int wraps; int -> float and f64 -> f32 round to nearest.
        _ => format!("({}){x}", ctype(to)),
    }
}

/// An operation the IR never produces for this dtype (`signature()` rejects it): an
/// undefined name, so NVRTC reports the operation and dtype instead of miscompiling.
fn unsupported(op: &str, t: DType) -> String {
    format!("me_unsupported_{op}_{}()", t.name())
}

/// `op` applied to `x` of its compute dtype `t`; returns the expression and its dtype.
pub fn unary(op: UnaryOp, t: DType, x: &str) -> (String, DType) {
    use UnaryOp::*;
    let boolean = |e: String| (e, DType::Bool);
    match op {
        Not => return boolean(format!("!{}", atom(&cast(t, DType::Bool, x)))),
        IsNan | IsInf | IsFinite if !t.is_inexact() => {
            return boolean((op == IsFinite).to_string());
        }
        IsNan | IsInf | IsFinite => {
            let f = match op {
                IsNan => "isnan",
                IsInf => "isinf",
                _ => "isfinite",
            };
            if t.is_complex() {
                let join = if op == IsFinite { "&&" } else { "||" };
                return boolean(format!("({f}({x}.re) {join} {f}({x}.im))"));
            }
            return boolean(format!("{f}({x})"));
        }
        _ => {}
    }
    let same = |e: String| (e, t);
    if t.is_complex() {
        let call = |f: &str| (format!("{f}({x})"), t);
        let real = |e: String| (e, t.real());
        return match op {
            Neg => call("me_cneg"),
            Abs => real(format!("me_cabs({x})")),
            Sign => call("me_csign"),
            Sqrt => call("me_csqrt"),
            Square => same(format!("me_cmul({x}, {x})")),
            Reciprocal => call("me_cinv"),
            Exp => call("me_cexp"),
            Log => call("me_clog"),
            Sin => call("me_csin"),
            Cos => call("me_ccos"),
            Real => real(format!("{x}.re")),
            Imag => real(format!("{x}.im")),
            Conj => call("me_cconj"),
            Angle => real(format!("me_carg({x})")),
            _ => same(unsupported(op.name(), t)),
        };
    }
    if t.is_bool() {
        return match op {
            Real | Conj | Floor | Ceil | Round | Trunc => same(x.to_string()),
            Imag => same("false".into()),
            _ => same(unsupported(op.name(), t)),
        };
    }
    if t.is_int() {
        return same(match op {
            Neg => format!("me_wneg({x})"),
            Abs => format!("me_wabs({x})"),
            Sign => format!("me_isign({x})"),
            Square => format!("me_wmul({x}, {x})"),
            // numpy keeps the dtype: 1/x truncated, 1/0 gives 0 (as scalar_eval).
            Reciprocal => format!("me_div({}, {x})", literal(Scalar::I64(1).cast(t))),
            Floor | Ceil | Round | Trunc | Real | Conj => x.to_string(),
            Imag => zero(t),
            _ => unsupported(op.name(), t),
        });
    }
    // float32 calls the `f`-suffixed function: computed in single precision throughout.
    let f = if t == DType::F32 { "f" } else { "" };
    let fun = |name: &str| format!("{name}{f}({x})");
    same(match op {
        Neg => format!("-{}", atom(x)),
        Abs => fun("fabs"),
        Sign => format!("me_sign({x})"),
        Sqrt => fun("sqrt"),
        Cbrt => fun("cbrt"),
        Square => format!("({x} * {x})"),
        Reciprocal => format!("({} / {x})", literal(Scalar::I64(1).cast(t))),
        Exp => fun("exp"),
        Expm1 => fun("expm1"),
        Exp2 => fun("exp2"),
        Log => fun("log"),
        Log1p => fun("log1p"),
        Log2 => fun("log2"),
        Log10 => fun("log10"),
        Sin => fun("sin"),
        Cos => fun("cos"),
        Tan => fun("tan"),
        Asin => fun("asin"),
        Acos => fun("acos"),
        Atan => fun("atan"),
        Sinh => fun("sinh"),
        Cosh => fun("cosh"),
        Tanh => fun("tanh"),
        Floor => fun("floor"),
        Ceil => fun("ceil"),
        // Round half to even, as numpy (and `round_ties_even`).
        Round => fun("rint"),
        Trunc => fun("trunc"),
        Real | Conj => x.to_string(),
        Imag => zero(t),
        // numpy: angle(x) = arctan2(0, x), so -0.0 gives pi.
        Angle => format!("atan2{f}({}, {x})", zero(t)),
        Not | IsNan | IsInf | IsFinite => unreachable!("boolean results are returned above"),
        // UnaryOp is #[non_exhaustive]: an op this printer does not know yet
        _ => unsupported(op.name(), t),
    })
}

/// `a op b` for operands of compute dtype `t`; returns the expression and its dtype.
pub fn binary(op: BinaryOp, t: DType, a: &str, b: &str) -> (String, DType) {
    use BinaryOp::*;
    let boolean = |e: String| (e, DType::Bool);
    if op.is_logical() {
        let (x, y) = (cast(t, DType::Bool, a), cast(t, DType::Bool, b));
        return boolean(match op {
            And => format!("({x} && {y})"),
            Or => format!("({x} || {y})"),
            _ => format!("({x} != {y})"),
        });
    }
    let same = |e: String| (e, t);
    if t.is_complex() {
        let call = |f: &str| same(format!("{f}({a}, {b})"));
        return match op {
            Add => call("me_cadd"),
            Sub => call("me_csub"),
            Mul => call("me_cmul"),
            Div => call("me_cdiv"),
            Pow => call("me_cpow"),
            Eq => boolean(format!("({a}.re == {b}.re && {a}.im == {b}.im)")),
            Ne => boolean(format!("({a}.re != {b}.re || {a}.im != {b}.im)")),
            _ => same(unsupported(op.name(), t)),
        };
    }
    let cmp = match op {
        Eq => Some("=="),
        Ne => Some("!="),
        Lt => Some("<"),
        Le => Some("<="),
        Gt => Some(">"),
        Ge => Some(">="),
        _ => None,
    };
    if t.is_bool() {
        return match op {
            // false < true, as the interpreter orders bools.
            Lt => boolean(format!("(!{} && {b})", atom(a))),
            Gt => boolean(format!("({a} && !{})", atom(b))),
            Maximum => boolean(format!("({a} || {b})")),
            Minimum => boolean(format!("({a} && {b})")),
            _ => match cmp {
                Some(c) => boolean(format!("({a} {c} {b})")),
                None => same(unsupported(op.name(), t)),
            },
        };
    }
    if let Some(c) = cmp {
        return boolean(format!("({a} {c} {b})"));
    }
    if t.is_int() {
        let call = |f: &str| same(format!("{f}({a}, {b})"));
        return match op {
            Add => call("me_wadd"),
            Sub => call("me_wsub"),
            Mul => call("me_wmul"),
            Div => call("me_div"),
            Fmod => call("me_rem"),
            Pow => call("me_ipow"),
            Maximum => same(format!("({a} > {b} ? {a} : {b})")),
            Minimum => same(format!("({a} < {b} ? {a} : {b})")),
            _ => same(unsupported(op.name(), t)),
        };
    }
    let f = if t == DType::F32 { "f" } else { "" };
    let fun = |name: &str| same(format!("{name}{f}({a}, {b})"));
    match op {
        Add => same(format!("({a} + {b})")),
        Sub => same(format!("({a} - {b})")),
        Mul => same(format!("({a} * {b})")),
        Div => same(format!("({a} / {b})")),
        Pow => fun("pow"),
        Fmod => fun("fmod"),
        Maximum => same(format!("me_maximum({a}, {b})")),
        Minimum => same(format!("me_minimum({a}, {b})")),
        Atan2 => fun("atan2"),
        Hypot => fun("hypot"),
        Copysign => fun("copysign"),
        _ => unreachable!("comparisons and logical operations are returned above"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_exact_c() {
        assert_eq!(literal(Scalar::F64(0.1)), "0.1");
        assert_eq!(literal(Scalar::F64(-0.0)), "(-0.0)");
        assert_eq!(literal(Scalar::F32(1.5)), "1.5f");
        assert_eq!(
            literal(Scalar::F64(f64::INFINITY)),
            "__longlong_as_double(0x7ff0000000000000LL)"
        );
        assert_eq!(literal(Scalar::F32(1e-45)), "__int_as_float(0x00000001)");
        assert_eq!(literal(Scalar::I64(-3)), "(-3LL)");
        assert_eq!(literal(Scalar::I32(i32::MIN)), "(-2147483647 - 1)");
    }

    #[test]
    fn casts_follow_astype() {
        assert_eq!(cast(DType::F64, DType::I64, "v1"), "me_to_i64(v1)");
        assert_eq!(cast(DType::C128, DType::F32, "v1"), "(float)v1.re");
        assert_eq!(
            cast(DType::F64, DType::C64, "v2"),
            "me_c64{(float)v2, 0.0f}"
        );
        assert_eq!(cast(DType::F32, DType::Bool, "v0"), "(v0 != 0.0f)");
    }
}
