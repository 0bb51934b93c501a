//! Hostile input, part 1: array creation and shape operations. Every case is a bad (or
//! extreme) call that must give a clear error or the value numpy gives; see
//! tests/hostile_common for the harness. Cases that would allocate terabytes run in a
//! child process, so that an abort fails that case, not the run.

mod hostile_common;

use hostile_common::*;
use mathengine::{Array, DType, Engine, ErrorKind, Indexing, Slice};

const P40: usize = 1 << 40;
const BIG: usize = usize::MAX;
use ErrorKind::{Invalid, OutOfMemory, Shape};

fn cpu() -> Engine {
    engine("cpu")
}

fn x23(e: &Engine) -> Array {
    f64s(e, &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], &[2, 3])
}

fn creation(t: &mut Table) {
    // from_vec: lengths and impossible shapes.
    for (name, data_len, shape) in [
        ("from_vec/too_few", 3usize, vec![2usize, 2]),
        ("from_vec/too_many", 5, vec![2, 2]),
        ("from_vec/empty_for_one", 0, vec![1]),
        ("from_vec/one_for_empty", 1, vec![0, 3]),
        ("from_vec/max_by_max", 1, vec![BIG, BIG]),
        ("from_vec/max_by_2", 1, vec![BIG, 2]),
        ("from_vec/2^32_squared", 1, vec![1 << 32, 1 << 32]),
        ("from_vec/2^60", 1, vec![1 << 60]),
        ("from_vec/wraps_to_one", 1, vec![1 << 63, 2, 1 << 1]),
    ] {
        t.case(name, move || {
            let frag = if shape.iter().any(|&d| d >= 1 << 32) {
                "more elements than any array can hold"
            } else {
                "elements were given"
            };
            let kind = if frag.starts_with("more") {
                Invalid
            } else {
                Shape
            };
            err(
                cpu().from_vec(vec![7.0; data_len], &shape),
                kind,
                &["from_vec", frag],
            )
        });
    }
    t.case("from_vec/zero_by_huge_is_empty", || {
        values(cpu().from_vec(Vec::<f64>::new(), &[0, BIG]), &[0, BIG], &[])
    });
    t.case("from_slice/mismatch", || {
        err(
            cpu().from_slice(&[1i64, 2, 3], &[4]),
            Shape,
            &["from_vec", "(4,)"],
        )
    });
    // Lazy constructors with impossible shapes: an error when evaluated.
    for (name, shape) in [
        ("zeros/max_by_2", vec![BIG, 2]),
        ("zeros/max_by_max", vec![BIG, BIG]),
        ("zeros/2^62", vec![1 << 62]),
        ("ones/2^31_by_2^33", vec![(1 << 31) + 1, 1 << 33]),
        ("full/2^60_by_16", vec![1 << 60, 16]),
    ] {
        t.case(name, move || {
            let e = cpu();
            let a = if name.starts_with("ones") {
                e.ones(&shape, DType::F64)
            } else if name.starts_with("full") {
                e.full(&shape, 3.5)
            } else {
                e.zeros(&shape, DType::F64)
            };
            eval_err(
                Ok(a),
                Invalid,
                &["full", "more elements than any array can hold"],
            )
        });
    }
    t.case("zeros/max_by_2/sum", || {
        let e = cpu();
        eval_err(
            e.sum(&e.zeros(&[BIG, 2], DType::F64), None, false),
            Invalid,
            &["more elements than any array can hold"],
        )
    });
    t.case("zeros/max/astype_then_sin", || {
        let e = cpu();
        let z = e.zeros(&[BIG], DType::F32);
        eval_err(
            e.sin(&e.astype(&z, DType::F64)),
            Invalid,
            &["more elements"],
        )
    });
    // Terabyte allocations: out-of-memory errors naming the bytes, in a child process.
    for (name, dtype, bytes) in [
        ("zeros/2^40_f64", DType::F64, "8796093022208"),
        ("zeros/2^40_c128", DType::C128, "17592186044416"),
        ("zeros/2^40_bool", DType::Bool, "1099511627776"),
    ] {
        t.isolated(name, move || {
            let a = cpu().zeros(&[P40], dtype);
            eval_err(Ok(a), OutOfMemory, &["out of memory", bytes])
        });
    }
    t.isolated("zeros/2^40/reference", || {
        let a = engine("reference").zeros(&[P40], DType::F64);
        eval_err(Ok(a), OutOfMemory, &["out of memory"])
    });
    t.isolated("ones/2^40/to_vec", || {
        let e = cpu();
        match e.ones(&[P40], DType::F64).to_vec::<f64>() {
            Ok(_) => Err("8 TiB were read".into()),
            Err(x) => check_error(&x, OutOfMemory, &["out of memory", "bytes"]),
        }
    });
    t.isolated("random_uniform/2^40", || {
        eval_err(Ok(cpu().random_uniform(1, &[P40])), OutOfMemory, &["bytes"])
    });
    t.isolated("linspace/2^40", || {
        eval_err(Ok(cpu().linspace(0.0, 1.0, P40)), OutOfMemory, &["bytes"])
    });

    // arange.
    for (name, start, stop, step, frag) in [
        ("arange/step_zero", 0.0, 1.0, 0.0, "step non-zero"),
        ("arange/nan_start", f64::NAN, 1.0, 1.0, "finite"),
        ("arange/inf_stop", 0.0, f64::INFINITY, 1.0, "finite"),
        ("arange/nan_step", 0.0, 1.0, f64::NAN, "finite"),
        (
            "arange/1e19_elements",
            0.0,
            1e19,
            1.0,
            "more than any array can hold",
        ),
        (
            "arange/tiny_step",
            0.0,
            1.0,
            1e-300,
            "more than any array can hold",
        ),
        (
            "arange/full_range",
            -1e308,
            1e308,
            1.0,
            "more than any array can hold",
        ),
    ] {
        t.case(name, move || {
            err(cpu().arange(start, stop, step), Invalid, &["arange", frag])
        });
    }
    t.case("arange/backwards_is_empty", || {
        values(cpu().arange(5.0, 0.0, 1.0), &[0], &[])
    });
    t.case("arange/negative_step", || {
        values(cpu().arange(3.0, 0.0, -1.0), &[3], &[3.0, 2.0, 1.0])
    });
    t.case("arange/fractional_count", || {
        values(cpu().arange(0.0, 1.0, 0.4), &[3], &[0.0, 0.4, 0.8])
    });
    // linspace / eye / random: impossible lengths are errors when evaluated.
    t.case("linspace/max", || {
        eval_err(
            Ok(cpu().linspace(0.0, 1.0, BIG)),
            Invalid,
            &["linspace", "more elements"],
        )
    });
    t.case("linspace/max/sum", || {
        let e = cpu();
        eval_err(
            e.sum(&e.linspace(0.0, 1.0, BIG), None, false),
            Invalid,
            &["sum", "more elements"],
        )
    });
    t.case("linspace/zero", || {
        values(Ok(cpu().linspace(0.0, 1.0, 0)), &[0], &[])
    });
    t.case("linspace/one_is_start", || {
        values(Ok(cpu().linspace(2.0, 5.0, 1)), &[1], &[2.0])
    });
    t.case("linspace/nan_bounds", || {
        values(Ok(cpu().linspace(f64::NAN, 1.0, 2)), &[2], &[f64::NAN, 1.0])
    });
    t.case("linspace/equal_bounds", || {
        values(Ok(cpu().linspace(1.0, 1.0, 3)), &[3], &[1.0, 1.0, 1.0])
    });
    t.case("eye/max_rows", || {
        eval_err(Ok(cpu().eye(BIG, 2, 0)), Invalid, &["eye", "more elements"])
    });
    t.case("eye/empty", || values(Ok(cpu().eye(0, 3, 0)), &[0, 3], &[]));
    t.case("eye/far_diagonal", || {
        values(Ok(cpu().eye(2, 2, i64::MAX)), &[2, 2], &[0.0; 4])
    });
    t.case("eye/far_negative_diagonal", || {
        values(Ok(cpu().eye(2, 2, i64::MIN)), &[2, 2], &[0.0; 4])
    });
    t.case("random_normal/max", || {
        eval_err(
            Ok(cpu().random_normal(3, &[BIG, 3])),
            Invalid,
            &["random_normal"],
        )
    });
    t.case("item/two_elements", || {
        let e = cpu();
        match f64s(&e, &[1.0, 2.0], &[2]).item::<f64>() {
            Ok(_) => Err("item of two elements".into()),
            Err(x) => check_error(&x, Shape, &["item", "(2,)"]),
        }
    });
    t.case("to_vec/wrong_type", || {
        let e = cpu();
        match f64s(&e, &[1.0], &[1]).to_vec::<f32>() {
            Ok(_) => Err("read f64 as f32".into()),
            Err(x) => check_error(
                &x,
                ErrorKind::DType,
                &["to_vec", "float64", "float32", "astype"],
            ),
        }
    });
    t.case("to_vec/wrong_type_int", || {
        let e = cpu();
        match e.arange_int(3).to_vec::<i32>() {
            Ok(_) => Err("read i64 as i32".into()),
            Err(x) => check_error(&x, ErrorKind::DType, &["to_vec", "int64", "int32"]),
        }
    });
}

fn shapes(t: &mut Table) {
    // reshape.
    for (name, shape, kind, frags) in [
        (
            "reshape/two_inferred",
            vec![-1isize, -1],
            Invalid,
            vec!["reshape", "(-1, -1)", "only one axis may be -1"],
        ),
        (
            "reshape/minus_two",
            vec![-2],
            Invalid,
            vec!["reshape", "(-2,)"],
        ),
        (
            "reshape/wrong_size",
            vec![7],
            Shape,
            vec!["reshape", "(2, 3)", "(7,)"],
        ),
        (
            "reshape/isize_max_squared",
            vec![isize::MAX, isize::MAX],
            Shape,
            vec!["reshape", "more elements"],
        ),
        (
            "reshape/isize_max_by_2",
            vec![isize::MAX, 2],
            Shape,
            vec!["reshape", "more elements"],
        ),
        (
            "reshape/isize_min",
            vec![isize::MIN],
            Invalid,
            vec!["reshape"],
        ),
        (
            "reshape/zero_and_inferred",
            vec![0, -1],
            Invalid,
            vec!["reshape", "(0, -1)"],
        ),
        (
            "reshape/four_inferred",
            vec![4, -1],
            Invalid,
            vec!["reshape", "cannot be split"],
        ),
        (
            "reshape/overflow_then_inferred",
            vec![1 << 62, 4, -1],
            Invalid,
            vec!["reshape", "more elements"],
        ),
        (
            "reshape/wraps_to_six",
            vec![(1 << 62) + 6, 4],
            Shape,
            vec!["reshape"],
        ),
        ("reshape/zero", vec![0], Shape, vec!["reshape", "(0,)"]),
    ] {
        t.case(name, move || {
            let e = cpu();
            let r = e.reshape(&x23(&e), &shape);
            err(r, kind, &frags)
        });
    }
    t.case("reshape/empty_to_zero_by_inferred", || {
        let e = cpu();
        let z = f64s(&e, &[], &[0, 4]);
        err(e.reshape(&z, &[0, -1]), Invalid, &["reshape", "(0, -1)"])
    });
    t.case("reshape/empty_to_three_by_zero", || {
        let e = cpu();
        values(
            e.reshape(&f64s(&e, &[], &[0, 4]), &[3, 0, 5]),
            &[3, 0, 5],
            &[],
        )
    });
    t.case("reshape/scalar_to_ones", || {
        let e = cpu();
        values(e.reshape(&e.scalar(4.0), &[1, 1, -1]), &[1, 1, 1], &[4.0])
    });
    // broadcast_to.
    for (name, target, kind, frags) in [
        (
            "broadcast_to/2^31_by_2^33",
            vec![(1usize << 31) + 1, 1 << 33],
            Invalid,
            vec!["broadcast_to", "more elements"],
        ),
        (
            "broadcast_to/max",
            vec![BIG],
            Invalid,
            vec!["broadcast_to", "more elements"],
        ),
        (
            "broadcast_to/max_by_max",
            vec![BIG, BIG],
            Invalid,
            vec!["broadcast_to"],
        ),
        (
            "broadcast_to/fewer_axes",
            vec![3],
            Shape,
            vec!["broadcast_to", "(2, 3)", "(3,)"],
        ),
        (
            "broadcast_to/mismatch",
            vec![2, 4],
            Shape,
            vec!["broadcast_to", "(2, 3)", "(2, 4)"],
        ),
        (
            "broadcast_to/zero_axis",
            vec![0, 3],
            Shape,
            vec!["broadcast_to", "(0, 3)"],
        ),
    ] {
        t.case(name, move || {
            let e = cpu();
            err(e.broadcast_to(&x23(&e), &target), kind, &frags)
        });
    }
    t.case("sum/broadcast_2^31_by_2^33", || {
        let e = cpu();
        let one = f64s(&e, &[1.0], &[1]);
        eval_err(
            e.broadcast_to(&one, &[(1 << 31) + 1, 1 << 33])
                .and_then(|b| e.sum(&b, None, false)),
            Invalid,
            &["broadcast_to", "more elements"],
        )
    });
    t.case("broadcast_to/to_empty", || {
        let e = cpu();
        values(
            e.broadcast_to(&f64s(&e, &[1.0], &[1]), &[0, 5]),
            &[0, 5],
            &[],
        )
    });
    t.case("sum/broadcast_2^30", || {
        // 2^30 elements summed from a broadcast (no memory): exact in float64.
        let e = cpu();
        let one = f64s(&e, &[1.0], &[1]);
        values(
            e.broadcast_to(&one, &[1 << 15, 1 << 15])
                .and_then(|b| e.sum(&b, None, false)),
            &[],
            &[(1u64 << 30) as f64],
        )
    });
    // permute / transpose / expand_dims / squeeze.
    for (name, axes) in [
        ("permute/repeated", vec![0usize, 0]),
        ("permute/too_few", vec![0]),
        ("permute/too_many", vec![0, 1, 2]),
        ("permute/out_of_range", vec![0, 5]),
        ("permute/max_axis", vec![BIG, 0]),
    ] {
        t.case(name, move || {
            let e = cpu();
            err(
                e.permute(&x23(&e), &axes),
                Invalid,
                &["permute", "not a permutation", "(2, 3)"],
            )
        });
    }
    for (name, axis) in [
        ("expand_dims/3", 3isize),
        ("expand_dims/-4", -4),
        ("expand_dims/isize_min", isize::MIN),
        ("expand_dims/isize_max", isize::MAX),
    ] {
        t.case(name, move || {
            let e = cpu();
            err(
                e.expand_dims(&x23(&e), axis),
                Shape,
                &["expand_dims", "out of range"],
            )
        });
    }
    t.case("squeeze/not_one", || {
        let e = cpu();
        err(
            e.squeeze(&x23(&e), Some(&[0])),
            Invalid,
            &["squeeze", "has length 2"],
        )
    });
    t.case("squeeze/out_of_range", || {
        let e = cpu();
        err(
            e.squeeze(&x23(&e), Some(&[2])),
            Shape,
            &["squeeze", "axis 2"],
        )
    });
    t.case("squeeze/repeated", || {
        let e = cpu();
        let x = f64s(&e, &[1.0], &[1, 1]);
        err(
            e.squeeze(&x, Some(&[0, -2])),
            Invalid,
            &["squeeze", "repeated axis", "(0, -2)"],
        )
    });
    // slicing with extreme values (Python's slice semantics).
    let v5: Vec<f64> = (0..5).map(|i| i as f64).collect();
    for (name, s, want) in [
        (
            "slice/step_isize_max",
            Slice::new(None, None, isize::MAX),
            vec![0.0],
        ),
        (
            "slice/step_isize_min",
            Slice::new(None, None, isize::MIN),
            vec![4.0],
        ),
        (
            "slice/step_min_plus_one",
            Slice::new(None, None, isize::MIN + 1),
            vec![4.0],
        ),
        (
            "slice/start_isize_min",
            Slice::new(Some(isize::MIN), None, 1),
            v5.clone(),
        ),
        (
            "slice/stop_isize_max",
            Slice::new(Some(1), Some(isize::MAX), 2),
            vec![1.0, 3.0],
        ),
        (
            "slice/start_isize_max",
            Slice::new(Some(isize::MAX), None, 1),
            vec![],
        ),
        (
            "slice/reverse_from_isize_max",
            Slice::new(Some(isize::MAX), Some(isize::MIN), -1),
            vec![4.0, 3.0, 2.0, 1.0, 0.0],
        ),
        (
            "slice/reverse_stop_isize_min",
            Slice::new(None, Some(isize::MIN), -2),
            vec![4.0, 2.0, 0.0],
        ),
        ("slice/empty_range", Slice::new(Some(3), Some(1), 1), vec![]),
        (
            "slice/negative_both",
            Slice::new(Some(-2), Some(-1), 1),
            vec![3.0],
        ),
        (
            "slice/huge_negative_step_from_end",
            Slice::new(Some(-1), None, -3),
            vec![4.0, 1.0],
        ),
    ] {
        let v5 = v5.clone();
        t.case(name, move || {
            let e = cpu();
            let x = f64s(&e, &v5, &[5]);
            let n = want.len();
            values(e.slice(&x, &[s]), &[n], &want)
        });
    }
    t.case("slice/step_zero", || {
        let e = cpu();
        err(
            e.slice(&x23(&e), &[Slice::all(), Slice::new(None, None, 0)]),
            Invalid,
            &["slice", "axis 1", "step 0"],
        )
    });
    t.case("slice/too_many", || {
        let e = cpu();
        err(
            e.slice(&x23(&e), &[Slice::all(), Slice::all(), Slice::all()]),
            Invalid,
            &["slice", "3 slices", "(2, 3)"],
        )
    });
    t.case("slice/of_empty_with_extreme_step", || {
        let e = cpu();
        let z = f64s(&e, &[], &[0]);
        values(
            e.slice(
                &z,
                &[Slice::new(Some(isize::MIN), Some(isize::MAX), isize::MIN)],
            ),
            &[0],
            &[],
        )
    });
    // flip / roll.
    for (name, axes, frag) in [
        ("flip/axis_out_of_range", vec![2isize], "out of range"),
        ("flip/axis_below_range", vec![-3], "out of range"),
        ("flip/repeated", vec![1, -1], "repeated axis"),
        ("flip/isize_min", vec![isize::MIN], "out of range"),
    ] {
        t.case(name, move || {
            let e = cpu();
            let r = e.flip(&x23(&e), Some(&axes));
            match &r {
                Err(x) if x.to_string().contains("slice") => {
                    Err(format!("flip's error names slice: {x}"))
                }
                _ => err(
                    r,
                    if frag == "out of range" {
                        Shape
                    } else {
                        Invalid
                    },
                    &["flip", frag],
                ),
            }
        });
    }
    t.case("flip/0d", || {
        let e = cpu();
        values(e.flip(&e.scalar(2.0), None), &[], &[2.0])
    });
    for (name, shift, want) in [
        ("roll/isize_max", isize::MAX, {
            // isize::MAX mod 5 == 2
            vec![3.0, 4.0, 0.0, 1.0, 2.0]
        }),
        ("roll/isize_min", isize::MIN, {
            // isize::MIN mod 5 == 2 (Python's modulo)
            vec![3.0, 4.0, 0.0, 1.0, 2.0]
        }),
        ("roll/minus_one", -1, vec![1.0, 2.0, 3.0, 4.0, 0.0]),
        ("roll/multiple_of_length", 10, vec![0.0, 1.0, 2.0, 3.0, 4.0]),
    ] {
        let v5 = v5.clone();
        t.case(name, move || {
            let e = cpu();
            let x = f64s(&e, &v5, &[5]);
            values(e.roll(&x, shift, Some(0)), &[5], &want)
        });
    }
    t.case("roll/axis_out_of_range", || {
        let e = cpu();
        err(e.roll(&x23(&e), 1, Some(2)), Shape, &["roll", "axis 2"])
    });
    t.case("roll/empty", || {
        let e = cpu();
        values(e.roll(&f64s(&e, &[], &[0, 3]), 5, Some(0)), &[0, 3], &[])
    });
    t.case("roll/flat_2d", || {
        let e = cpu();
        values(
            e.roll(&x23(&e), 2, None),
            &[2, 3],
            &[4.0, 5.0, 0.0, 1.0, 2.0, 3.0],
        )
    });
    // pad.
    for (name, widths, frag) in [
        (
            "pad/usize_max_before",
            vec![(BIG, 0usize), (0, 0)],
            "overflows",
        ),
        ("pad/usize_max_after", vec![(0, 0), (0, BIG)], "overflows"),
        ("pad/max_both", vec![(BIG, BIG), (0, 0)], "overflows"),
        ("pad/2^62", vec![(1 << 62, 0), (0, 0)], "more elements"),
        ("pad/count_mismatch", vec![(1, 1)], "pairs given"),
        (
            "pad/too_many_pairs",
            vec![(1, 1), (1, 1), (1, 1)],
            "pairs given",
        ),
    ] {
        t.case(name, move || {
            let e = cpu();
            err(e.pad(&x23(&e), &widths, 0.0), Invalid, &["pad", frag])
        });
    }
    t.isolated("pad/2^40", || {
        let e = cpu();
        let x = f64s(&e, &[1.0, 2.0], &[2]);
        eval_err(
            e.pad(&x, &[(P40, 0)], 0.0),
            OutOfMemory,
            &["out of memory", "bytes"],
        )
    });
    t.case("pad/empty_input", || {
        let e = cpu();
        values(
            e.pad(&f64s(&e, &[], &[0]), &[(1, 2)], 9.0),
            &[3],
            &[9.0, 9.0, 9.0],
        )
    });
    for (name, v) in [
        ("pad/int_with_nan", f64::NAN),
        ("pad/int_with_inf", f64::INFINITY),
        ("pad/int_with_minus_inf", -f64::INFINITY),
    ] {
        t.case(name, move || {
            let e = cpu();
            err(
                e.pad(&e.arange_int(3), &[(1, 1)], v),
                Invalid,
                &["pad", "int64", "no integer value"],
            )
        });
    }
    t.case("pad/int_with_fraction_truncates", || {
        let e = cpu();
        exact(
            e.pad(&e.arange_int(2), &[(1, 1)], 2.7),
            &[4],
            &[2i64, 0, 1, 2],
        )
    });
    t.case("pad/bool_with_nan_is_true", || {
        let e = cpu();
        exact(
            e.pad(&e.full(&[1], false), &[(1, 0)], f64::NAN),
            &[2],
            &[true, false],
        )
    });
    t.case("pad/nan_fill", || {
        let e = cpu();
        values(
            e.pad(&f64s(&e, &[1.0], &[1]), &[(1, 0)], f64::NAN),
            &[2],
            &[f64::NAN, 1.0],
        )
    });
    // concatenate / stack.
    t.case("concatenate/none", || {
        err(
            cpu().concatenate(&[], 0),
            Invalid,
            &["concatenate", "no arrays"],
        )
    });
    t.case("concatenate/shape_mismatch", || {
        let e = cpu();
        let (a, b) = (x23(&e), f64s(&e, &[1.0; 4], &[2, 2, 1]));
        err(
            e.concatenate(&[&a, &b], 0),
            Shape,
            &["concatenate", "(2, 2, 1)", "(2, 3)"],
        )
    });
    t.case("concatenate/other_axis_mismatch", || {
        let e = cpu();
        let (a, b) = (x23(&e), f64s(&e, &[1.0; 4], &[2, 2]));
        err(
            e.concatenate(&[&a, &b], 0),
            Shape,
            &["concatenate", "(2, 2)", "all axes but axis 0"],
        )
    });
    t.case("concatenate/axis_out_of_range", || {
        let e = cpu();
        let a = x23(&e);
        err(
            e.concatenate(&[&a, &a], 5),
            Shape,
            &["concatenate", "axis 5"],
        )
    });
    t.case("concatenate/0d", || {
        let e = cpu();
        let a = e.scalar(1.0);
        err(
            e.concatenate(&[&a, &a], 0),
            Shape,
            &["concatenate", "axis 0"],
        )
    });
    t.case("concatenate/extent_overflow", || {
        let e = cpu();
        let one = f64s(&e, &[1.0], &[1]);
        let big = e
            .broadcast_to(&one, &[1 << 58])
            .expect("2^58 is a valid lazy extent");
        let refs: Vec<&Array> = std::iter::repeat_n(&big, 5).collect();
        err(
            e.concatenate(&refs, 0),
            Invalid,
            &["concatenate", "more elements"],
        )
    });
    t.case("concatenate/all_empty", || {
        let e = cpu();
        let z = f64s(&e, &[], &[0]);
        values(e.concatenate(&[&z, &z], 0), &[0], &[])
    });
    t.case("concatenate/mixed_dtypes", || {
        let e = cpu();
        let a = e.arange_int(2);
        let b = f64s(&e, &[0.5], &[1]);
        values(e.concatenate(&[&a, &b], 0), &[3], &[0.0, 1.0, 0.5])
    });
    t.case("stack/none", || {
        err(cpu().stack(&[], 0), Invalid, &["stack", "no arrays"])
    });
    t.case("stack/shape_mismatch", || {
        let e = cpu();
        let (a, b) = (x23(&e), f64s(&e, &[1.0; 3], &[3]));
        err(e.stack(&[&a, &b], 0), Shape, &["stack", "(3,)", "(2, 3)"])
    });
    t.case("stack/axis_out_of_range", || {
        let e = cpu();
        let a = x23(&e);
        let r = e.stack(&[&a, &a], 3);
        match &r {
            Err(x)
                if x.to_string().contains("expand_dims")
                    || x.to_string().contains("concatenate") =>
            {
                Err(format!("stack's error names an internal call: {x}"))
            }
            _ => err(r, Shape, &["stack", "axis 3"]),
        }
    });
    t.case("stack/axis_below_range", || {
        let e = cpu();
        let a = x23(&e);
        err(e.stack(&[&a, &a], -4), Shape, &["stack", "axis -4"])
    });
    t.case("stack/negative_axis_is_last", || {
        let e = cpu();
        let a = f64s(&e, &[1.0, 2.0], &[2]);
        let b = f64s(&e, &[3.0, 4.0], &[2]);
        values(e.stack(&[&a, &b], -1), &[2, 2], &[1.0, 3.0, 2.0, 4.0])
    });
    // meshgrid.
    t.case("meshgrid/2d_input", || {
        let e = cpu();
        err(
            e.meshgrid(&[&x23(&e)], Indexing::Xy),
            Shape,
            &["meshgrid", "1-D"],
        )
    });
    t.case("meshgrid/empty_input", || {
        let e = cpu();
        let (a, b) = (f64s(&e, &[], &[0]), f64s(&e, &[1.0, 2.0, 3.0], &[3]));
        let g = e
            .meshgrid(&[&a, &b], Indexing::Xy)
            .map_err(|x| format!("error: {x}"))?;
        values(Ok(g[0].clone()), &[3, 0], &[])
    });
    t.case("meshgrid/huge", || {
        let e = cpu();
        let a = e.linspace(0.0, 1.0, 1 << 30);
        let r = e.meshgrid(&[&a, &a], Indexing::Ij).map(|mut g| g.remove(0));
        match &r {
            Err(x)
                if x.to_string().contains("reshape") || x.to_string().contains("broadcast_to") =>
            {
                Err(format!("meshgrid's error names an internal call: {x}"))
            }
            _ => err(r, Invalid, &["meshgrid", "more elements"]),
        }
    });
    t.case("meshgrid/none", || {
        let g = cpu()
            .meshgrid(&[], Indexing::Xy)
            .map_err(|x| x.to_string())?;
        if g.is_empty() {
            Ok(Verdict::NumpyValue)
        } else {
            Err("meshgrid of nothing gave arrays".into())
        }
    });
}

fn coordinates(t: &mut Table) {
    for (name, ny, nx) in [
        ("make_xy_grid/max", BIG, BIG),
        ("make_xy_grid/2^31_square", 1 << 31, 1 << 31),
        ("make_xy_grid/max_by_2", BIG, 2),
    ] {
        t.case(name, move || {
            err(
                cpu().coordinates.make_xy_grid_rect(ny, nx, Some(1.0), None),
                Invalid,
                &["make_xy_grid", "more elements"],
            )
        });
    }
    for (name, dx, diameter, frag) in [
        (
            "make_xy_grid/dx_zero",
            Some(0.0),
            None,
            "finite and non-zero",
        ),
        (
            "make_xy_grid/dx_nan",
            Some(f64::NAN),
            None,
            "finite and non-zero",
        ),
        (
            "make_xy_grid/dx_inf",
            Some(f64::INFINITY),
            None,
            "finite and non-zero",
        ),
        (
            "make_xy_grid/neither",
            None,
            None,
            "give the sample spacing",
        ),
        (
            "make_xy_grid/diameter_nan",
            None,
            Some(f64::NAN),
            "finite and non-zero",
        ),
        (
            "make_xy_grid/diameter_zero",
            None,
            Some(0.0),
            "finite and non-zero",
        ),
    ] {
        t.case(name, move || {
            err(
                cpu().coordinates.make_xy_grid(4, dx, diameter),
                Invalid,
                &["make_xy_grid", frag],
            )
        });
    }
    t.case("make_xy_grid/empty_with_diameter", || {
        err(
            cpu().coordinates.make_xy_grid(0, None, Some(1.0)),
            Invalid,
            &["make_xy_grid", "no samples"],
        )
    });
    t.case("make_xy_grid/empty_with_dx", || {
        let g = cpu().coordinates.make_xy_grid(0, Some(1.0), None);
        values(g.map(|p| p.0), &[0, 0], &[])
    });
    t.case("fftrange/2^54", || {
        err(
            cpu().coordinates.fftrange(1 << 54, 1.0),
            Invalid,
            &["fftrange", "2^53"],
        )
    });
    t.case("fftrange/zero", || {
        values(cpu().coordinates.fftrange(0, 1.0), &[0], &[])
    });
    t.case("circle/complex", || {
        let e = cpu();
        let z = e
            .complex(&f64s(&e, &[1.0], &[1]), &f64s(&e, &[1.0], &[1]))
            .expect("complex");
        err(
            e.coordinates.circle(1.0, &z),
            ErrorKind::DType,
            &["circle", "complex128"],
        )
    });
    t.case("circle/nan_radius", || {
        let e = cpu();
        let r = f64s(&e, &[0.0, 1.0], &[2]);
        values(e.coordinates.circle(f64::NAN, &r), &[2], &[0.0, 0.0])
    });
    t.case("cart_to_polar/shape_mismatch", || {
        let e = cpu();
        err(
            e.coordinates
                .cart_to_polar(&x23(&e), &f64s(&e, &[1.0], &[1])),
            Invalid,
            &["cart_to_polar", "(2, 3)", "(1,)"],
        )
    });
    t.case("polar_to_cart/shape_mismatch", || {
        let e = cpu();
        err(
            e.coordinates
                .polar_to_cart(&f64s(&e, &[1.0; 2], &[2]), &x23(&e)),
            Invalid,
            &["polar_to_cart", "(2,)", "(2, 3)"],
        )
    });
    t.case("cart_to_polar/bool", || {
        let e = cpu();
        let b = e.full(&[2], true);
        err(
            e.coordinates.cart_to_polar(&b, &b),
            ErrorKind::DType,
            &["cart_to_polar", "bool"],
        )
    });
}

#[test]
fn hostile_creation_and_shapes() {
    let mut t = Table::default();
    creation(&mut t);
    shapes(&mut t);
    coordinates(&mut t);
    run_table("creation+shapes", "hostile_creation_and_shapes", t);
}
