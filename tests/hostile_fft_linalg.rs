//! Hostile input, part 3: FFT sizes and axes, and linear algebra with singular, NaN,
//! empty and non-square operands. See tests/hostile_common for the harness.

mod hostile_common;

use hostile_common::*;
use mathengine::{Array, Complex64, DType, Engine, ErrorKind, Norm, NormOrd, Result};
use ErrorKind::{Invalid, OutOfMemory, Shape};

const BIG: usize = usize::MAX;
const P40: usize = 1 << 40;

fn cpu() -> Engine {
    engine("cpu")
}

fn x23(e: &Engine) -> Array {
    f64s(e, &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], &[2, 3])
}

fn sq(e: &Engine, v: &[f64]) -> Array {
    let n = (v.len() as f64).sqrt() as usize;
    f64s(e, v, &[n, n])
}

type F1 = fn(&mathengine::fft::Fft, &Array, Option<usize>, isize, Norm) -> Result<Array>;
type FN =
    fn(&mathengine::fft::Fft, &Array, Option<&[usize]>, Option<&[isize]>, Norm) -> Result<Array>;

const ONE_D: [(&str, F1); 4] = [
    ("fft", mathengine::fft::Fft::fft),
    ("ifft", mathengine::fft::Fft::ifft),
    ("rfft", mathengine::fft::Fft::rfft),
    ("irfft", mathengine::fft::Fft::irfft),
];
const N_D: [(&str, FN); 8] = [
    ("fft2", mathengine::fft::Fft::fft2),
    ("ifft2", mathengine::fft::Fft::ifft2),
    ("fftn", mathengine::fft::Fft::fftn),
    ("ifftn", mathengine::fft::Fft::ifftn),
    ("rfft2", mathengine::fft::Fft::rfft2),
    ("irfft2", mathengine::fft::Fft::irfft2),
    ("rfftn", mathengine::fft::Fft::rfftn),
    ("irfftn", mathengine::fft::Fft::irfftn),
];

fn fft(t: &mut Table) {
    for (name, f) in ONE_D {
        t.case(format!("{name}/n_zero"), move || {
            let e = cpu();
            err(
                f(&e.fft, &x23(&e), Some(0), -1, Norm::Backward),
                Invalid,
                &[name],
            )
        });
        t.case(format!("{name}/n_usize_max"), move || {
            let e = cpu();
            eval_err(
                f(&e.fft, &x23(&e), Some(BIG), -1, Norm::Backward),
                Invalid,
                &[name],
            )
        });
        t.case(format!("{name}/n_2^62"), move || {
            let e = cpu();
            eval_err(
                f(&e.fft, &x23(&e), Some(1 << 62), -1, Norm::Backward),
                Invalid,
                &[name, "more elements"],
            )
        });
        t.case(format!("{name}/axis_out_of_range"), move || {
            let e = cpu();
            err(
                f(&e.fft, &x23(&e), None, 2, Norm::Backward),
                Shape,
                &[name, "axis 2"],
            )
        });
        t.case(format!("{name}/axis_isize_min"), move || {
            let e = cpu();
            err(
                f(&e.fft, &x23(&e), None, isize::MIN, Norm::Backward),
                Shape,
                &[name, "out of range"],
            )
        });
        t.case(format!("{name}/0d"), move || {
            let e = cpu();
            err(
                f(&e.fft, &e.scalar(1.0), None, -1, Norm::Backward),
                Shape,
                &[name],
            )
        });
        t.case(format!("{name}/empty_axis"), move || {
            let e = cpu();
            err(
                f(&e.fft, &f64s(&e, &[], &[3, 0]), None, -1, Norm::Backward),
                Invalid,
                &[name],
            )
        });
        t.case(format!("{name}/foreign"), move || {
            let (e, other) = (cpu(), cpu());
            err(
                f(&e.fft, &x23(&other), None, -1, Norm::Backward),
                Invalid,
                &[name, "another Engine"],
            )
        });
    }
    t.isolated("fft/n_2^40", || {
        let e = cpu();
        eval_err(
            e.fft.fft(&x23(&e), Some(P40), -1, Norm::Backward),
            OutOfMemory,
            &["out of memory", "bytes"],
        )
    });
    t.isolated("ifft/n_2^40_reference", || {
        let e = engine("reference");
        let x = f64s(&e, &[1.0, 2.0], &[2]);
        eval_err(
            e.fft.ifft(&x, Some(P40), 0, Norm::Backward),
            OutOfMemory,
            &["out of memory"],
        )
    });
    t.isolated("rfft/n_2^40", || {
        let e = cpu();
        eval_err(
            e.fft.rfft(&x23(&e), Some(P40), -1, Norm::Ortho),
            OutOfMemory,
            &["bytes"],
        )
    });
    for (name, f) in N_D {
        t.case(format!("{name}/repeated_axes"), move || {
            let e = cpu();
            err(
                f(&e.fft, &x23(&e), None, Some(&[0, 0]), Norm::Backward),
                Invalid,
                &[name, "repeated axis", "(0, 0)"],
            )
        });
        t.case(format!("{name}/s_axes_mismatch"), move || {
            let e = cpu();
            err(
                f(
                    &e.fft,
                    &x23(&e),
                    Some(&[2, 3, 4]),
                    Some(&[0, 1]),
                    Norm::Backward,
                ),
                Invalid,
                &[name, "differ in length", "(2, 3, 4)"],
            )
        });
        t.case(format!("{name}/axis_out_of_range"), move || {
            let e = cpu();
            err(
                f(&e.fft, &x23(&e), None, Some(&[0, 7]), Norm::Backward),
                Shape,
                &[name, "axis 7"],
            )
        });
        t.case(format!("{name}/s_huge"), move || {
            let e = cpu();
            eval_err(
                f(
                    &e.fft,
                    &x23(&e),
                    Some(&[BIG, 2]),
                    Some(&[0, 1]),
                    Norm::Backward,
                ),
                Invalid,
                &[name],
            )
        });
        t.case(format!("{name}/1d_input"), move || {
            let e = cpu();
            let x = f64s(&e, &[1.0, 2.0], &[2]);
            let r = f(&e.fft, &x, None, None, Norm::Backward);
            // n-D transforms of a 1-D array are 1-D transforms; the 2-D ones need 2 axes.
            if name.contains('2') {
                err(r, Shape, &[name])
            } else {
                match r {
                    Ok(a) if a.eval().is_ok() => Ok(Verdict::NumpyValue),
                    Ok(_) => Err("evaluation failed".into()),
                    Err(x) => Err(format!("error {x}")),
                }
            }
        });
    }
    t.case("fftn/s_longer_than_ndim", || {
        let e = cpu();
        err(
            e.fft.fftn(&x23(&e), Some(&[1, 2, 3]), None, Norm::Backward),
            Invalid,
            &["fftn", "more entries"],
        )
    });
    t.case("fft/impulse_value", || {
        let e = cpu();
        let x = f64s(&e, &[1.0, 0.0, 0.0, 0.0], &[4]);
        let r = e
            .fft
            .fft(&x, None, -1, Norm::Backward)
            .and_then(|z| e.real(&z));
        values(r, &[4], &[1.0, 1.0, 1.0, 1.0])
    });
    t.case("fft/nan_spreads", || {
        let e = cpu();
        let x = f64s(&e, &[f64::NAN, 0.0], &[2]);
        let r = e
            .fft
            .fft(&x, None, -1, Norm::Backward)
            .and_then(|z| e.real(&z));
        values(r, &[2], &[f64::NAN, f64::NAN])
    });
    t.case("fft/n_one_crops", || {
        let e = cpu();
        let x = f64s(&e, &[3.0, 9.0], &[2]);
        let r = e
            .fft
            .fft(&x, Some(1), -1, Norm::Backward)
            .and_then(|z| e.real(&z));
        values(r, &[1], &[3.0])
    });
    t.case("irfft/n_one", || {
        let e = cpu();
        let z = e
            .from_vec(vec![Complex64::new(2.0, 0.0)], &[1])
            .expect("data");
        close(
            e.fft.irfft(&z, Some(1), -1, Norm::Backward),
            &[1],
            &[2.0],
            1e-15,
        )
    });
    for (name, n, d) in [
        ("fftfreq/n_zero", 0usize, 1.0),
        ("fftfreq/d_zero", 4, 0.0),
        ("fftfreq/d_nan", 4, f64::NAN),
        ("fftfreq/d_inf", 4, f64::INFINITY),
    ] {
        t.case(name, move || {
            err(
                cpu().fft.fftfreq(n, d),
                Invalid,
                &["fftfreq", "n must be positive"],
            )
        });
    }
    for (name, n, d) in [
        ("rfftfreq/n_zero", 0usize, 1.0),
        ("rfftfreq/d_nan", 3, f64::NAN),
    ] {
        t.case(name, move || {
            err(cpu().fft.rfftfreq(n, d), Invalid, &["rfftfreq"])
        });
    }
    t.case("fftfreq/n_max", || {
        eval_err(cpu().fft.fftfreq(BIG, 1.0), Invalid, &["more elements"])
    });
    t.case("fftfreq/one", || {
        values(cpu().fft.fftfreq(1, 1.0), &[1], &[0.0])
    });
    t.case("fftshift/axis_out_of_range", || {
        let e = cpu();
        err(e.fft.fftshift(&x23(&e), Some(&[2])), Shape, &["axis 2"])
    });
    t.case("ifftshift/repeated_axis", || {
        let e = cpu();
        err(
            e.fft.ifftshift(&x23(&e), Some(&[0, -2])),
            Invalid,
            &["repeated axis"],
        )
    });
    t.case("fftshift/empty", || {
        let e = cpu();
        values(e.fft.fftshift(&f64s(&e, &[], &[0]), None), &[0], &[])
    });
}

type L1 = fn(&mathengine::linalg::Linalg, &Array) -> Result<Array>;

fn linalg(t: &mut Table) {
    let single: [(&str, L1); 3] = [
        ("inv", mathengine::linalg::Linalg::inv),
        ("det", mathengine::linalg::Linalg::det),
        ("cholesky", mathengine::linalg::Linalg::cholesky),
    ];
    for (name, f) in single {
        t.case(format!("{name}/non_square"), move || {
            let e = cpu();
            err(f(&e.linalg, &x23(&e)), Shape, &[name, "(2, 3)"])
        });
        t.case(format!("{name}/1d"), move || {
            let e = cpu();
            err(
                f(&e.linalg, &f64s(&e, &[1.0, 2.0], &[2])),
                Invalid,
                &[name, "at least 2 dimensions", "(2,)"],
            )
        });
        t.case(format!("{name}/0d"), move || {
            let e = cpu();
            err(
                f(&e.linalg, &e.scalar(2.0)),
                Invalid,
                &[name, "at least 2 dimensions", "()"],
            )
        });
        t.case(format!("{name}/foreign"), move || {
            let (e, other) = (cpu(), cpu());
            err(
                f(&e.linalg, &sq(&other, &[1.0, 0.0, 0.0, 1.0])),
                Invalid,
                &[name, "another Engine"],
            )
        });
        t.case(format!("{name}/complex_bool_input"), move || {
            let e = cpu();
            let b = e.full(&[2, 3], true);
            err(f(&e.linalg, &b), Shape, &[name, "(2, 3)"])
        });
    }
    t.case("inv/singular", || {
        let e = cpu();
        eval_err(
            e.linalg.inv(&sq(&e, &[1.0, 2.0, 2.0, 4.0])),
            Invalid,
            &["inv", "singular"],
        )
    });
    t.case("inv/zero_matrix", || {
        let e = cpu();
        eval_err(
            e.linalg.inv(&sq(&e, &[0.0; 9])),
            Invalid,
            &["inv", "singular"],
        )
    });
    t.case("det/singular_is_zero", || {
        let e = cpu();
        close(
            e.linalg.det(&sq(&e, &[1.0, 2.0, 2.0, 4.0])),
            &[],
            &[0.0],
            0.0,
        )
    });
    // numpy gives det = 1 and an empty inverse for a 0x0 matrix; mathengine refuses
    // empty matrices with a clear error (a documented difference).
    t.case("det/empty", || {
        let e = cpu();
        err(
            e.linalg.det(&f64s(&e, &[], &[0, 0])),
            Invalid,
            &["det", "empty", "(0, 0)"],
        )
    });
    t.case("inv/empty", || {
        let e = cpu();
        err(
            e.linalg.inv(&f64s(&e, &[], &[0, 0])),
            Invalid,
            &["inv", "empty", "(0, 0)"],
        )
    });
    t.case("cholesky/not_positive_definite", || {
        let e = cpu();
        eval_err(
            e.linalg.cholesky(&sq(&e, &[1.0, 2.0, 2.0, 1.0])),
            Invalid,
            &["cholesky", "not positive definite"],
        )
    });
    t.case("cholesky/negative_diagonal", || {
        let e = cpu();
        eval_err(
            e.linalg.cholesky(&sq(&e, &[-1.0, 0.0, 0.0, 1.0])),
            Invalid,
            &["cholesky", "positive definite"],
        )
    });
    t.case("solve/singular", || {
        let e = cpu();
        let b = f64s(&e, &[1.0, 1.0], &[2]);
        eval_err(
            e.linalg.solve(&sq(&e, &[1.0, 2.0, 2.0, 4.0]), &b),
            Invalid,
            &["solve", "singular"],
        )
    });
    t.case("solve/non_square", || {
        let e = cpu();
        let b = f64s(&e, &[1.0, 1.0], &[2]);
        err(e.linalg.solve(&x23(&e), &b), Shape, &["solve", "(2, 3)"])
    });
    t.case("solve/rhs_mismatch", || {
        let e = cpu();
        let b = f64s(&e, &[1.0, 1.0, 1.0], &[3]);
        err(
            e.linalg.solve(&sq(&e, &[1.0, 0.0, 0.0, 1.0]), &b),
            Shape,
            &["solve", "(3,)"],
        )
    });
    t.case("solve/foreign_rhs", || {
        let (e, other) = (cpu(), cpu());
        let b = f64s(&other, &[1.0, 1.0], &[2]);
        err(
            e.linalg.solve(&sq(&e, &[1.0, 0.0, 0.0, 1.0]), &b),
            Invalid,
            &["solve", "another Engine"],
        )
    });
    t.case("solve/identity_value", || {
        let e = cpu();
        let b = f64s(&e, &[3.0, -4.0], &[2]);
        values(
            e.linalg.solve(&sq(&e, &[1.0, 0.0, 0.0, 1.0]), &b),
            &[2],
            &[3.0, -4.0],
        )
    });
    t.case("lstsq/row_mismatch", || {
        let e = cpu();
        let b = f64s(&e, &[1.0; 3], &[3]);
        err(e.linalg.lstsq(&x23(&e), &b), Shape, &["lstsq", "(3,)"])
    });
    t.case("lstsq/0d", || {
        let e = cpu();
        err(
            e.linalg.lstsq(&e.scalar(1.0), &e.scalar(1.0)),
            Invalid,
            &["lstsq", "at least 2 dimensions"],
        )
    });
    for (name, a_shape, b_shape) in [
        ("matmul/inner_mismatch", vec![2usize, 3], vec![2usize, 3]),
        ("matmul/inner_mismatch_1d", vec![3], vec![4]),
        ("matmul/vector_matrix", vec![2], vec![3, 2]),
        ("matmul/batch_mismatch", vec![2, 2, 3], vec![3, 3, 2]),
    ] {
        t.case(name, move || {
            let e = cpu();
            let a = f64s(&e, &vec![1.0; a_shape.iter().product()], &a_shape);
            let b = f64s(&e, &vec![1.0; b_shape.iter().product()], &b_shape);
            let r = e.linalg.matmul(&a, &b);
            if let Err(x) = &r {
                let text = x.to_string();
                let (sa, sb) = (fmt(&a_shape), fmt(&b_shape));
                if text.contains(&format!("shape {sb} does not fit {sb}"))
                    || text.contains(&format!("shape {sa} does not fit {sa}"))
                {
                    return Err(format!("self-contradictory message: {text}"));
                }
            }
            err(r, Shape, &["matmul", &fmt(&b_shape)])
        });
    }
    t.case("matmul/0d", || {
        let e = cpu();
        err(
            e.linalg.matmul(&e.scalar(1.0), &x23(&e)),
            Invalid,
            &["matmul", "0-d"],
        )
    });
    t.case("matmul/foreign", || {
        let (e, other) = (cpu(), cpu());
        err(
            e.linalg.matmul(&x23(&e), &x23(&other)),
            Invalid,
            &["matmul", "another Engine"],
        )
    });
    t.case("matmul/empty_inner_is_zeros", || {
        let e = cpu();
        let a = f64s(&e, &[], &[2, 0]);
        let b = f64s(&e, &[], &[0, 2]);
        values(e.linalg.matmul(&a, &b), &[2, 2], &[0.0; 4])
    });
    t.case("matmul/nan_propagates", || {
        let e = cpu();
        let a = f64s(&e, &[f64::NAN, 1.0], &[1, 2]);
        let b = f64s(&e, &[1.0, 1.0], &[2, 1]);
        values(e.linalg.matmul(&a, &b), &[1, 1], &[f64::NAN])
    });
    t.case("dot/mismatch", || {
        let e = cpu();
        err(
            e.linalg
                .dot(&f64s(&e, &[1.0; 3], &[3]), &f64s(&e, &[1.0; 2], &[2])),
            Shape,
            &["(2,)"],
        )
    });
    for (name, which) in [
        ("qr/1d", 0),
        ("svd/1d", 1),
        ("eigh/1d", 2),
        ("eigh/non_square", 3),
    ] {
        t.case(name, move || {
            let e = cpu();
            let v = f64s(&e, &[1.0, 2.0], &[2]);
            let r: Result<Array> = match which {
                0 => e.linalg.qr(&v).map(|p| p.0),
                1 => e.linalg.svd(&v).map(|p| p.0),
                2 => e.linalg.eigh(&v).map(|p| p.0),
                _ => e.linalg.eigh(&x23(&e)).map(|p| p.0),
            };
            let kind = if which == 3 { Shape } else { Invalid };
            err(r, kind, &[name.split('/').next().unwrap_or(name)])
        });
    }
    t.case("svd/empty", || {
        let e = cpu();
        let r = e.linalg.svd(&f64s(&e, &[], &[0, 3])).map(|p| p.1);
        err(r, Invalid, &["svd", "empty", "(0, 3)"])
    });
    t.case("norm/matrix_ord_on_vector", || {
        let e = cpu();
        err(
            e.linalg
                .norm(&f64s(&e, &[3.0, 4.0], &[2]), Some(NormOrd::Fro), None),
            Invalid,
            &["norm", "matrix norm"],
        )
    });
    t.case("norm/bad_matrix_ord", || {
        let e = cpu();
        err(
            e.linalg.norm(&x23(&e), Some(NormOrd::P(3.0)), None),
            Invalid,
            &["norm", "not a matrix norm"],
        )
    });
    t.case("norm/repeated_axes", || {
        let e = cpu();
        err(
            e.linalg.norm(&x23(&e), None, Some(&[0, 0])),
            Invalid,
            &["norm", "repeat"],
        )
    });
    t.case("norm/three_axes", || {
        let e = cpu();
        err(
            e.linalg.norm(&x23(&e), None, Some(&[0, 1, 1])),
            Invalid,
            &["norm"],
        )
    });
    t.case("norm/inf_vector", || {
        let e = cpu();
        values(
            e.linalg.norm(
                &f64s(&e, &[3.0, -4.0], &[2]),
                Some(NormOrd::P(f64::INFINITY)),
                None,
            ),
            &[],
            &[4.0],
        )
    });
    t.case("norm/empty_vector", || {
        let e = cpu();
        values(e.linalg.norm(&f64s(&e, &[], &[0]), None, None), &[], &[0.0])
    });
    t.case("det/nan", || {
        let e = cpu();
        values(
            e.linalg.det(&sq(&e, &[f64::NAN, 0.0, 0.0, 1.0])),
            &[],
            &[f64::NAN],
        )
    });
    t.case("inv/int_input_is_float", || {
        let e = cpu();
        let a = e.from_vec(vec![2i64, 0, 0, 4], &[2, 2]).expect("data");
        values(e.linalg.inv(&a), &[2, 2], &[0.5, 0.0, 0.0, 0.25])
    });
    t.case("det/int_dtype", || {
        let e = cpu();
        let a = e.from_vec(vec![2i64, 0, 0, 4], &[2, 2]).expect("data");
        let d = e.linalg.det(&a).map_err(|x| x.to_string())?;
        if d.dtype() == DType::F64 {
            values(Ok(d), &[], &[8.0])
        } else {
            Err(format!("det of int64 is {}", d.dtype()))
        }
    });
}

fn fmt(shape: &[usize]) -> String {
    mathengine_ir::error::fmt_shape(shape)
}

#[test]
fn hostile_fft_and_linalg() {
    let mut t = Table::default();
    fft(&mut t);
    linalg(&mut t);
    run_table("fft+linalg", "hostile_fft_and_linalg", t);
}
