//! Hostile input, part 2: elementwise operations and reductions — broadcasting that
//! cannot work, dtypes an operation does not take, axes out of range, empty arrays,
//! arrays of another engine, and the IEEE values numpy defines (1/0, log(0), ...).
//! See tests/hostile_common for the harness.

mod hostile_common;

use hostile_common::*;
use mathengine::{Array, DType, Engine, ErrorKind, ReduceOp, Result};
use ErrorKind::{Invalid, Shape};

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

type Bin = fn(&Engine, &Array, &Array) -> Result<Array>;
type Un = fn(&Engine, &Array) -> Result<Array>;

const BINARY: [(&str, Bin); 20] = [
    ("add", Engine::add),
    ("sub", Engine::sub),
    ("mul", Engine::mul),
    ("div", Engine::div),
    ("pow", Engine::pow),
    ("fmod", Engine::fmod),
    ("maximum", Engine::maximum),
    ("minimum", Engine::minimum),
    ("arctan2", Engine::arctan2),
    ("hypot", Engine::hypot),
    ("copysign", Engine::copysign),
    ("equal", Engine::equal),
    ("not_equal", Engine::not_equal),
    ("less", Engine::less),
    ("less_equal", Engine::less_equal),
    ("greater", Engine::greater),
    ("greater_equal", Engine::greater_equal),
    ("logical_and", Engine::logical_and),
    ("logical_or", Engine::logical_or),
    ("logical_xor", Engine::logical_xor),
];

const UNARY: [(&str, Un); 35] = [
    ("neg", Engine::neg),
    ("abs", Engine::abs),
    ("sign", Engine::sign),
    ("sqrt", Engine::sqrt),
    ("cbrt", Engine::cbrt),
    ("square", Engine::square),
    ("reciprocal", Engine::reciprocal),
    ("exp", Engine::exp),
    ("expm1", Engine::expm1),
    ("exp2", Engine::exp2),
    ("log", Engine::log),
    ("log1p", Engine::log1p),
    ("log2", Engine::log2),
    ("log10", Engine::log10),
    ("sin", Engine::sin),
    ("cos", Engine::cos),
    ("tan", Engine::tan),
    ("arcsin", Engine::arcsin),
    ("arccos", Engine::arccos),
    ("arctan", Engine::arctan),
    ("sinh", Engine::sinh),
    ("cosh", Engine::cosh),
    ("tanh", Engine::tanh),
    ("floor", Engine::floor),
    ("ceil", Engine::ceil),
    ("round", Engine::round),
    ("trunc", Engine::trunc),
    ("isnan", Engine::isnan),
    ("isinf", Engine::isinf),
    ("isfinite", Engine::isfinite),
    ("logical_not", Engine::logical_not),
    ("real", Engine::real),
    ("imag", Engine::imag),
    ("conj", Engine::conj),
    ("angle", Engine::angle),
];

const REDUCE: [ReduceOp; 8] = [
    ReduceOp::Sum,
    ReduceOp::Prod,
    ReduceOp::Min,
    ReduceOp::Max,
    ReduceOp::ArgMin,
    ReduceOp::ArgMax,
    ReduceOp::Any,
    ReduceOp::All,
];

fn cpu() -> Engine {
    engine("cpu")
}

fn x23(e: &Engine) -> Array {
    f64s(e, &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], &[2, 3])
}

fn elementwise(t: &mut Table) {
    for (name, f) in BINARY {
        // Shapes that do not broadcast.
        t.case(format!("{name}/broadcast_mismatch"), move || {
            let e = cpu();
            let b = f64s(&e, &[1.0; 4], &[4]);
            err(
                f(&e, &x23(&e), &b),
                Shape,
                &[name, "(2, 3)", "(4,)", "broadcast"],
            )
        });
        t.case(format!("{name}/broadcast_mismatch_3d"), move || {
            let e = cpu();
            let a = f64s(&e, &[1.0; 6], &[3, 1, 2]);
            let b = f64s(&e, &[1.0; 6], &[3, 2, 1, 1]);
            err(f(&e, &a, &b), Shape, &[name, "(3, 1, 2)", "(3, 2, 1, 1)"])
        });
        // Operands of another engine: refused the same way by every operation.
        t.case(format!("{name}/foreign_rhs"), move || {
            let (e, other) = (cpu(), cpu());
            err(
                f(&e, &x23(&e), &x23(&other)),
                Invalid,
                &[name, "another Engine"],
            )
        });
        t.case(format!("{name}/foreign_lhs"), move || {
            let (e, other) = (cpu(), cpu());
            err(
                f(&e, &x23(&other), &x23(&e)),
                Invalid,
                &[name, "another Engine"],
            )
        });
        // Empty operands broadcast to empty results.
        t.case(format!("{name}/empty"), move || {
            let e = cpu();
            let a = f64s(&e, &[], &[0, 3]);
            let b = f64s(&e, &[1.0, 2.0, 3.0], &[3]);
            let r = f(&e, &a, &b).map_err(|x| x.to_string())?;
            if r.shape() == [0, 3] && r.size() == 0 && r.eval().is_ok() {
                Ok(Verdict::NumpyValue)
            } else {
                Err(format!("shape {:?}", r.shape()))
            }
        });
    }
    for (name, f) in UNARY {
        t.case(format!("{name}/foreign"), move || {
            let (e, other) = (cpu(), cpu());
            err(f(&e, &x23(&other)), Invalid, &[name, "another Engine"])
        });
        t.case(format!("{name}/empty"), move || {
            let e = cpu();
            let r = f(&e, &f64s(&e, &[], &[2, 0])).map_err(|x| x.to_string())?;
            if r.shape() == [2, 0] && r.eval().is_ok() {
                Ok(Verdict::NumpyValue)
            } else {
                Err(format!("shape {:?}", r.shape()))
            }
        });
    }
    // Dtypes an operation does not take.
    for (name, f) in [
        ("tan", Engine::tan as Un),
        ("arcsin", Engine::arcsin),
        ("floor", Engine::floor),
        ("cbrt", Engine::cbrt),
    ] {
        t.case(format!("{name}/complex"), move || {
            let e = cpu();
            let z = e.complex(&x23(&e), &x23(&e)).expect("complex");
            err(f(&e, &z), ErrorKind::DType, &[name, "complex128"])
        });
    }
    for (name, f) in [
        ("maximum", Engine::maximum as Bin),
        ("less", Engine::less),
        ("fmod", Engine::fmod),
        ("arctan2", Engine::arctan2),
    ] {
        t.case(format!("{name}/complex"), move || {
            let e = cpu();
            let z = e.complex(&x23(&e), &x23(&e)).expect("complex");
            err(f(&e, &z, &z), ErrorKind::DType, &[name, "complex128"])
        });
    }
    // IEEE values numpy defines.
    let v = |e: &Engine, x: f64| f64s(e, &[x], &[1]);
    for (name, a, b, op, want) in [
        ("div/one_by_zero", 1.0, 0.0, Engine::div as Bin, INF),
        ("div/minus_one_by_zero", -1.0, 0.0, Engine::div, -INF),
        ("div/zero_by_zero", 0.0, 0.0, Engine::div, NAN),
        ("div/one_by_minus_zero", 1.0, -0.0, Engine::div, -INF),
        ("div/inf_by_inf", INF, INF, Engine::div, NAN),
        ("fmod/by_zero", 5.0, 0.0, Engine::fmod, NAN),
        ("fmod/inf", INF, 2.0, Engine::fmod, NAN),
        ("fmod/negative", -5.0, 3.0, Engine::fmod, -2.0),
        ("pow/zero_to_negative", 0.0, -1.0, Engine::pow, INF),
        (
            "pow/negative_to_fraction",
            -8.0,
            1.0 / 3.0,
            Engine::pow,
            NAN,
        ),
        ("pow/one_to_nan", 1.0, NAN, Engine::pow, 1.0),
        ("pow/nan_to_zero", NAN, 0.0, Engine::pow, 1.0),
        ("pow/overflow", 10.0, 400.0, Engine::pow, INF),
        ("sub/inf_minus_inf", INF, INF, Engine::sub, NAN),
        ("mul/zero_times_inf", 0.0, INF, Engine::mul, NAN),
        ("add/overflow", f64::MAX, f64::MAX, Engine::add, INF),
        ("hypot/inf_nan", INF, NAN, Engine::hypot, INF),
        ("arctan2/zeros", 0.0, 0.0, Engine::arctan2, 0.0),
        (
            "arctan2/minus_zero_minus_zero",
            -0.0,
            -0.0,
            Engine::arctan2,
            -std::f64::consts::PI,
        ),
        ("copysign/nan_sign", 1.0, -NAN, Engine::copysign, -1.0),
        ("maximum/nan_first", NAN, 1.0, Engine::maximum, NAN),
        ("maximum/nan_second", 1.0, NAN, Engine::maximum, NAN),
        ("minimum/nan_first", NAN, 1.0, Engine::minimum, NAN),
        ("minimum/nan_second", 1.0, NAN, Engine::minimum, NAN),
        ("equal/nan_nan", NAN, NAN, Engine::equal, 0.0),
        ("not_equal/nan_nan", NAN, NAN, Engine::not_equal, 1.0),
        ("less/nan", NAN, 1.0, Engine::less, 0.0),
        ("greater_equal/nan", 1.0, NAN, Engine::greater_equal, 0.0),
    ] {
        t.case(name, move || {
            let e = cpu();
            values(op(&e, &v(&e, a), &v(&e, b)), &[1], &[want])
        });
    }
    for (name, x, op, want) in [
        ("sqrt/negative", -1.0, Engine::sqrt as Un, NAN),
        ("sqrt/minus_zero", -0.0, Engine::sqrt, -0.0),
        ("log/zero", 0.0, Engine::log, -INF),
        ("log/negative", -1.0, Engine::log, NAN),
        ("log/inf", INF, Engine::log, INF),
        ("log2/zero", 0.0, Engine::log2, -INF),
        ("log10/negative", -1.0, Engine::log10, NAN),
        ("log1p/minus_one", -1.0, Engine::log1p, -INF),
        ("log1p/below_minus_one", -2.0, Engine::log1p, NAN),
        ("exp/overflow", 1000.0, Engine::exp, INF),
        ("exp/underflow", -1000.0, Engine::exp, 0.0),
        ("exp/minus_inf", -INF, Engine::exp, 0.0),
        ("expm1/overflow", 1000.0, Engine::expm1, INF),
        ("exp2/overflow", 2000.0, Engine::exp2, INF),
        ("arcsin/two", 2.0, Engine::arcsin, NAN),
        ("arccos/minus_two", -2.0, Engine::arccos, NAN),
        ("sin/inf", INF, Engine::sin, NAN),
        ("cos/nan", NAN, Engine::cos, NAN),
        ("tan/inf", -INF, Engine::tan, NAN),
        ("sinh/overflow", 1000.0, Engine::sinh, INF),
        ("cosh/overflow", -1000.0, Engine::cosh, INF),
        ("tanh/inf", INF, Engine::tanh, 1.0),
        (
            "arctan/inf",
            INF,
            Engine::arctan,
            std::f64::consts::FRAC_PI_2,
        ),
        ("reciprocal/zero", 0.0, Engine::reciprocal, INF),
        ("reciprocal/minus_zero", -0.0, Engine::reciprocal, -INF),
        ("cbrt/negative", -8.0, Engine::cbrt, -2.0),
        ("square/overflow", 1e200, Engine::square, INF),
        ("abs/minus_inf", -INF, Engine::abs, INF),
        ("abs/minus_zero", -0.0, Engine::abs, 0.0),
        ("round/half_even", 2.5, Engine::round, 2.0),
        ("round/minus_half", -0.5, Engine::round, -0.0),
        ("floor/nan", NAN, Engine::floor, NAN),
        ("ceil/minus_fraction", -0.5, Engine::ceil, -0.0),
        ("trunc/inf", INF, Engine::trunc, INF),
        ("isnan/nan", NAN, Engine::isnan, 1.0),
        ("isinf/minus_inf", -INF, Engine::isinf, 1.0),
        ("isfinite/nan", NAN, Engine::isfinite, 0.0),
        ("sign/nan", NAN, Engine::sign, NAN),
        ("sign/minus_inf", -INF, Engine::sign, -1.0),
        ("angle/minus_one", -1.0, Engine::angle, std::f64::consts::PI),
    ] {
        t.case(name, move || {
            let e = cpu();
            values(op(&e, &v(&e, x)), &[1], &[want])
        });
    }
    // Integer arithmetic wraps as numpy's int64 does.
    t.case("add/int64_wraps", || {
        let e = cpu();
        let a = e.from_vec(vec![i64::MAX], &[1]).expect("data");
        let one = e.from_vec(vec![1i64], &[1]).expect("data");
        exact(e.add(&a, &one), &[1], &[i64::MIN])
    });
    t.case("mul/int64_wraps", || {
        let e = cpu();
        let a = e.from_vec(vec![i64::MAX], &[1]).expect("data");
        let two = e.from_vec(vec![2i64], &[1]).expect("data");
        exact(e.mul(&a, &two), &[1], &[-2i64])
    });
    t.case("neg/int64_min", || {
        let e = cpu();
        let a = e.from_vec(vec![i64::MIN], &[1]).expect("data");
        exact(e.neg(&a), &[1], &[i64::MIN])
    });
    t.case("abs/int64_min", || {
        let e = cpu();
        let a = e.from_vec(vec![i64::MIN], &[1]).expect("data");
        exact(e.abs(&a), &[1], &[i64::MIN])
    });
    t.case("where/broadcast_mismatch", || {
        let e = cpu();
        let c = e.full(&[4], true);
        err(
            e.where_(&c, &x23(&e), &x23(&e)),
            Shape,
            &["where", "(4,)", "(2, 3)"],
        )
    });
    t.case("where/foreign", || {
        let (e, other) = (cpu(), cpu());
        let c = e.full(&[3], true);
        err(
            e.where_(&c, &x23(&other), &x23(&e)),
            Invalid,
            &["where", "another Engine"],
        )
    });
    t.case("clip/mismatch", || {
        let e = cpu();
        let lo = f64s(&e, &[0.0; 4], &[4]);
        err(e.clip(&x23(&e), &lo, &lo), Shape, &["maximum", "(4,)"])
    });
    t.case("complex/foreign", || {
        let (e, other) = (cpu(), cpu());
        err(
            e.complex(&x23(&e), &x23(&other)),
            Invalid,
            &["complex", "another Engine"],
        )
    });
    t.case("complex/mismatch", || {
        let e = cpu();
        err(
            e.complex(&x23(&e), &f64s(&e, &[1.0; 4], &[4])),
            Shape,
            &["(2, 3)", "(4,)"],
        )
    });
    t.case("astype/foreign_stays_foreign", || {
        // astype cannot fail: it casts in the array's own engine, and the next call on
        // this engine refuses the result like any other foreign array.
        let (e, other) = (cpu(), cpu());
        let c = e.astype(&x23(&other), DType::F32);
        err(e.add(&c, &c), Invalid, &["add", "another Engine"])
    });
    t.case("eval_all/foreign", || {
        let (e, other) = (cpu(), cpu());
        let a = x23(&other);
        match e.eval_all(&[&a]) {
            Ok(()) => Err("eval_all took a foreign array".into()),
            Err(x) => check_error(&x, Invalid, &["eval_all", "another Engine"]),
        }
    });
}

fn reductions(t: &mut Table) {
    for op in REDUCE {
        let name = op.name();
        t.case(format!("{name}/axis_out_of_range"), move || {
            let e = cpu();
            err(
                e.reduce(op, &x23(&e), Some(&[2]), false),
                Shape,
                &[name, "axis 2", "(2, 3)"],
            )
        });
        t.case(format!("{name}/axis_isize_min"), move || {
            let e = cpu();
            err(
                e.reduce(op, &x23(&e), Some(&[isize::MIN]), false),
                Shape,
                &[name, "out of range"],
            )
        });
        t.case(format!("{name}/repeated_axis"), move || {
            let e = cpu();
            err(
                e.reduce(op, &x23(&e), Some(&[1, -1]), false),
                Invalid,
                &[name, "repeated axis", "(1, -1)"],
            )
        });
        t.case(format!("{name}/foreign"), move || {
            let (e, other) = (cpu(), cpu());
            err(
                e.reduce(op, &x23(&other), None, false),
                Invalid,
                &[name, "another Engine"],
            )
        });
        t.case(format!("{name}/0d_axis"), move || {
            let e = cpu();
            err(
                e.reduce(op, &e.scalar(1.0), Some(&[0]), false),
                Shape,
                &[name, "axis 0"],
            )
        });
        t.case(format!("{name}/huge_lazy"), move || {
            let e = cpu();
            let z = e.zeros(&[usize::MAX, 3], DType::F64);
            err(
                e.reduce(op, &z, None, false),
                Invalid,
                &[name, "more elements"],
            )
        });
        // Over an empty array: identities where numpy has them, errors where not.
        let empty_value = match op {
            ReduceOp::Sum => Some(0.0),
            ReduceOp::Prod => Some(1.0),
            ReduceOp::Any => Some(0.0),
            ReduceOp::All => Some(1.0),
            _ => None,
        };
        t.case(format!("{name}/empty"), move || {
            let e = cpu();
            let r = e.reduce(op, &f64s(&e, &[], &[0]), None, false);
            match empty_value {
                Some(v) => values(r, &[], &[v]),
                None => eval_err(r, Invalid, &[name, "zero-size", "(0,)"]),
            }
        });
        t.case(format!("{name}/empty_axis_keepdims"), move || {
            let e = cpu();
            let r = e.reduce(op, &f64s(&e, &[], &[2, 0]), Some(&[1]), true);
            match empty_value {
                Some(v) => values(r, &[2, 1], &[v, v]),
                None => eval_err(r, Invalid, &[name, "zero-size"]),
            }
        });
        t.case(format!("{name}/empty_other_axis"), move || {
            // Reducing a non-empty axis of an empty array: an empty result, no error.
            let e = cpu();
            let r = e.reduce(op, &f64s(&e, &[], &[0, 3]), Some(&[1]), false);
            values(r, &[0], &[])
        });
    }
    t.case("mean/empty_is_nan", || {
        let e = cpu();
        values(e.mean(&f64s(&e, &[], &[0]), None, false), &[], &[NAN])
    });
    t.case("mean/foreign", || {
        let (e, other) = (cpu(), cpu());
        err(
            e.mean(&x23(&other), None, false),
            Invalid,
            &["mean", "another Engine"],
        )
    });
    t.case("var/foreign", || {
        let (e, other) = (cpu(), cpu());
        err(
            e.var(&x23(&other), None, false, 0),
            Invalid,
            &["var", "another Engine"],
        )
    });
    t.case("std/foreign", || {
        let (e, other) = (cpu(), cpu());
        err(
            e.std(&x23(&other), None, false, 0),
            Invalid,
            &["std", "another Engine"],
        )
    });
    t.case("mean/axis_out_of_range", || {
        let e = cpu();
        err(
            e.mean(&x23(&e), Some(&[3]), false),
            Shape,
            &["mean", "axis 3"],
        )
    });
    t.case("var/ddof_too_large", || {
        // numpy: the divisor max(n - ddof, 0) is 0, so the result is inf or nan.
        let e = cpu();
        let r = e
            .var(&f64s(&e, &[1.0, 2.0], &[2]), None, false, 5)
            .map_err(|x| x.to_string())?;
        let got = r.item::<f64>().map_err(|x| x.to_string())?;
        if got.is_nan() || got.is_infinite() {
            Ok(Verdict::NumpyValue)
        } else {
            Err(format!("var with ddof > n gave {got}"))
        }
    });
    t.case("sum/nan_propagates", || {
        let e = cpu();
        values(
            e.sum(&f64s(&e, &[1.0, NAN, 2.0], &[3]), None, false),
            &[],
            &[NAN],
        )
    });
    t.case("max/nan_first_wins", || {
        let e = cpu();
        values(
            e.max(&f64s(&e, &[1.0, NAN, 5.0], &[3]), None, false),
            &[],
            &[NAN],
        )
    });
    t.case("min/nan_last", || {
        let e = cpu();
        values(
            e.min(&f64s(&e, &[1.0, 5.0, NAN], &[3]), None, false),
            &[],
            &[NAN],
        )
    });
    t.case("argmax/nan_is_first_max", || {
        let e = cpu();
        let r = e.argmax(&f64s(&e, &[1.0, NAN, 5.0, NAN], &[4]), None);
        exact(r, &[], &[1i64])
    });
    t.case("sum/inf_minus_inf", || {
        let e = cpu();
        values(
            e.sum(&f64s(&e, &[INF, -INF], &[2]), None, false),
            &[],
            &[NAN],
        )
    });
    t.case("prod/overflow", || {
        let e = cpu();
        values(
            e.prod(&f64s(&e, &[1e200, 1e200], &[2]), None, false),
            &[],
            &[INF],
        )
    });
    t.case("sum/int64_wraps", || {
        let e = cpu();
        let a = e.from_vec(vec![i64::MAX, 1], &[2]).expect("data");
        exact(e.sum(&a, None, false), &[], &[i64::MIN])
    });
}

#[test]
fn hostile_elementwise_and_reductions() {
    let mut t = Table::default();
    elementwise(&mut t);
    reductions(&mut t);
    run_table(
        "elementwise+reductions",
        "hostile_elementwise_and_reductions",
        t,
    );
}
