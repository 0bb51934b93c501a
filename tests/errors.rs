//! Bad input gives the documented `Error` variant, and the message names the operation,
//! the shapes or dtypes involved; operator overloads panic with the same message.

use mathengine::backend::reference::ReferenceBackend;
use mathengine::{Array, Backend, Complex64, DType, Engine, Error, Slice};
use std::panic::{catch_unwind, AssertUnwindSafe};

fn engine() -> Engine {
    Engine::with_backend("reference").expect("the reference backend always exists")
}

fn f64s(e: &Engine, v: &[f64]) -> Array {
    e.from_vec(v.to_vec(), &[v.len()])
        .expect("length matches the shape")
}

fn zeros(e: &Engine, shape: &[usize]) -> Array {
    let n = shape.iter().product();
    e.from_vec(vec![0.0f64; n], shape)
        .expect("length matches the shape")
}

fn complex(e: &Engine) -> Array {
    e.from_vec(
        vec![Complex64::new(1.5, -2.0), Complex64::new(0.0, 1.0)],
        &[2],
    )
    .expect("length matches the shape")
}

fn bools(e: &Engine) -> Array {
    e.from_vec(vec![true, false], &[2])
        .expect("length matches the shape")
}

/// `err`'s message contains every one of `parts`.
fn assert_mentions(err: &Error, parts: &[&str]) {
    let msg = err.to_string();
    for p in parts {
        assert!(msg.contains(p), "message {msg:?} does not mention {p:?}");
    }
}

/// The message `f` panics with.
fn panic_message(f: impl FnOnce()) -> String {
    let p = catch_unwind(AssertUnwindSafe(f)).expect_err("the call did not panic");
    if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else {
        panic!("non-string panic payload")
    }
}

#[test]
fn mismatched_broadcast_shapes() {
    let e = engine();
    let a = zeros(&e, &[3]);
    let b = zeros(&e, &[4]);
    let err = e.add(&a, &b).expect_err("(3,) + (4,) broadcast");
    assert!(matches!(err, Error::Broadcast { .. }), "{err:?}");
    assert_mentions(&err, &["add", "(3,)", "(4,)"]);
    assert!(err.to_string().starts_with("add:"), "{err}");

    let c = zeros(&e, &[2, 3]);
    let d = zeros(&e, &[3, 2]);
    let err = e.hypot(&c, &d).expect_err("(2, 3) and (3, 2) broadcast");
    assert!(matches!(err, Error::Broadcast { .. }), "{err:?}");
    assert_mentions(&err, &["hypot", "(2, 3)", "(3, 2)"]);

    let err = e
        .where_(&bools(&e), &zeros(&e, &[3]), &zeros(&e, &[2]))
        .expect_err("where with (2,), (3,), (2,)");
    assert!(matches!(err, Error::Broadcast { .. }), "{err:?}");
    assert_mentions(&err, &["where", "(2,)", "(3,)"]);

    let err = e
        .broadcast_to(&zeros(&e, &[3]), &[4])
        .expect_err("(3,) to (4,)");
    assert!(matches!(err, Error::Broadcast { .. }), "{err:?}");
    assert_mentions(&err, &["broadcast_to", "(3,)", "(4,)"]);

    // Broadcasting to fewer axes is refused too.
    let err = e
        .broadcast_to(&zeros(&e, &[2, 3]), &[3])
        .expect_err("(2, 3) to (3,)");
    assert!(matches!(err, Error::Shape { .. }), "{err:?}");
    assert_mentions(&err, &["broadcast_to", "(2, 3)", "(3,)"]);
}

#[test]
fn reading_with_the_wrong_dtype() {
    let e = engine();
    let x = f64s(&e, &[1.0, 2.0]);
    let err = x.to_vec::<f32>().expect_err("f64 read as f32");
    assert!(matches!(err, Error::DType { .. }), "{err:?}");
    assert_mentions(&err, &["to_vec", "float64", "float32"]);
    let err = x.to_vec::<i64>().expect_err("f64 read as i64");
    assert!(matches!(err, Error::DType { .. }), "{err:?}");
    assert_mentions(&err, &["float64", "int64"]);
    // The right dtype still works after a failed read.
    assert_eq!(x.to_vec::<f64>().expect("f64 read as f64"), vec![1.0, 2.0]);

    let err = x.item::<f64>().expect_err("item of two elements");
    assert!(matches!(err, Error::Shape { .. }), "{err:?}");
    assert_mentions(&err, &["item", "(2,)"]);
}

#[test]
fn unknown_backend_lists_the_available_ones() {
    let err = Engine::with_backend("cuda9").expect_err("no backend is called cuda9");
    assert!(matches!(err, Error::UnknownBackend { .. }), "{err:?}");
    assert_mentions(&err, &["cuda9", "reference"]);
    for name in mathengine::engine::builtin_backend_names() {
        assert_mentions(&err, &[name]);
    }

    let e = engine();
    let err = e
        .change_backend("nope")
        .expect_err("no backend is called nope");
    assert!(matches!(err, Error::UnknownBackend { .. }), "{err:?}");
    assert_mentions(&err, &["nope", "reference"]);
    assert_eq!(
        e.backend_name(),
        "reference",
        "a failed switch changed the backend"
    );
}

/// A user backend under another name, to check it is listed once given.
struct Renamed;
impl Backend for Renamed {
    fn name(&self) -> &str {
        "my-backend"
    }
    fn download(
        &self,
        buf: &dyn mathengine_ir::DeviceBuffer,
    ) -> mathengine::Result<mathengine::HostBuffer> {
        ReferenceBackend::new().download(buf)
    }
    fn run_kernel(
        &self,
        kernel: &std::sync::Arc<mathengine_ir::Kernel>,
        launch: &mathengine_ir::Launch,
        inputs: &[mathengine_ir::BufferRef],
    ) -> mathengine::Result<Vec<mathengine_ir::BufferRef>> {
        ReferenceBackend::new().run_kernel(kernel, launch, inputs)
    }
}

#[test]
fn unknown_backend_lists_user_backends_once_given() {
    let e = engine();
    e.change_backend(Box::new(Renamed) as Box<dyn Backend>)
        .expect("a user backend can be selected");
    e.change_backend("reference").expect("reference exists");
    let err = e.change_backend("cuda").expect_err("no cuda backend");
    assert!(matches!(err, Error::UnknownBackend { .. }), "{err:?}");
    assert_mentions(&err, &["cuda", "reference", "my-backend"]);
}

#[test]
fn axis_out_of_range() {
    let e = engine();
    let x = zeros(&e, &[2, 3]);
    for (what, err) in [
        (
            "sum",
            e.sum(&x, Some(&[2]), false).expect_err("axis 2 of 2-D"),
        ),
        (
            "sum",
            e.sum(&x, Some(&[-3]), false).expect_err("axis -3 of 2-D"),
        ),
        (
            "prod",
            e.prod(&x, Some(&[0, 5]), true).expect_err("axis 5 of 2-D"),
        ),
        (
            "mean",
            e.mean(&x, Some(&[2]), false).expect_err("axis 2 of 2-D"),
        ),
        (
            "var",
            e.var(&x, Some(&[7]), false, 0).expect_err("axis 7 of 2-D"),
        ),
        (
            "max",
            e.max(&x, Some(&[2]), false).expect_err("axis 2 of 2-D"),
        ),
        ("argmax", e.argmax(&x, Some(2)).expect_err("axis 2 of 2-D")),
        ("flip", e.flip(&x, Some(&[5])).expect_err("axis 5 of 2-D")),
        ("roll", e.roll(&x, 1, Some(-3)).expect_err("axis -3 of 2-D")),
        (
            "squeeze",
            e.squeeze(&x, Some(&[4])).expect_err("axis 4 of 2-D"),
        ),
    ] {
        assert!(matches!(err, Error::Axis { .. }), "{what}: {err:?}");
        assert_mentions(&err, &[what, "(2, 3)"]);
    }
    let err = e.sum(&x, Some(&[2]), false).expect_err("axis 2 of 2-D");
    assert_mentions(&err, &["axis 2", "2 dimensions"]);

    let a = zeros(&e, &[2]);
    let err = e
        .concatenate(&[&a, &a], 1)
        .expect_err("axis 1 of 1-D arrays");
    assert!(matches!(err, Error::Axis { .. }), "{err:?}");
    assert_mentions(&err, &["concatenate", "(2,)", "axis 1"]);

    let err = e.expand_dims(&x, 3).expect_err("axis 3 of a 3-D result");
    assert!(matches!(err, Error::Axis { .. }), "{err:?}");
    assert_mentions(&err, &["expand_dims", "axis 3"]);
    let err = e.expand_dims(&x, -4).expect_err("axis -4 of a 3-D result");
    assert!(matches!(err, Error::Axis { .. }), "{err:?}");
}

#[test]
fn expand_dims_error_names_the_input_shape() {
    let e = engine();
    let x = zeros(&e, &[2, 3]);
    let err = e.expand_dims(&x, 3).expect_err("axis 3 of a 3-D result");
    assert_mentions(&err, &["(2, 3)"]);
}

#[test]
fn repeated_axes_are_refused() {
    let e = engine();
    let x = zeros(&e, &[2, 3]);
    let err = e.sum(&x, Some(&[1, -1]), false).expect_err("axis 1 twice");
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert_mentions(&err, &["sum", "repeated axis"]);
}

#[test]
fn reshape_to_a_different_size() {
    let e = engine();
    let x = zeros(&e, &[2, 3]);
    let err = e.reshape(&x, &[4]).expect_err("6 elements into 4");
    assert!(matches!(err, Error::Shape { .. }), "{err:?}");
    assert_mentions(&err, &["reshape", "(2, 3)", "(4,)"]);
    let err = e
        .reshape(&x, &[4, -1])
        .expect_err("6 elements into (4, -1)");
    // A shape with -1 is printed as given: an invalid argument, not a shape pair.
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert_mentions(&err, &["reshape", "(2, 3)", "(4, -1)"]);
    let err = e.reshape(&x, &[-1, -1]).expect_err("two inferred axes");
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert_mentions(&err, &["reshape", "(-1, -1)", "only one axis may be -1"]);
    let err = e.reshape(&x, &[3, -2]).expect_err("a negative extent");
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    let err = x.reshape(&[7]).expect_err("6 elements into 7");
    assert!(matches!(err, Error::Shape { .. }), "{err:?}");
}

#[test]
fn from_vec_with_the_wrong_length() {
    let e = engine();
    let err = e
        .from_vec(vec![0.0f64; 5], &[2, 3])
        .expect_err("5 values for 6 elements");
    assert!(matches!(err, Error::Shape { .. }), "{err:?}");
    assert_mentions(&err, &["from_vec", "(2, 3)", "5"]);
    let err = e
        .from_vec(vec![1i32], &[0])
        .expect_err("1 value for 0 elements");
    assert!(matches!(err, Error::Shape { .. }), "{err:?}");
    assert_mentions(&err, &["(0,)"]);
}

#[test]
fn zero_size_argmax_min_max() {
    let e = engine();
    let empty = zeros(&e, &[0]);
    for (what, err) in [
        (
            "argmax",
            e.argmax(&empty, None).expect_err("argmax of nothing"),
        ),
        (
            "argmin",
            e.argmin(&empty, None).expect_err("argmin of nothing"),
        ),
        (
            "max",
            e.max(&empty, None, false).expect_err("max of nothing"),
        ),
        (
            "min",
            e.min(&empty, None, false).expect_err("min of nothing"),
        ),
    ] {
        assert!(matches!(err, Error::Invalid { .. }), "{what}: {err:?}");
        assert_mentions(&err, &[what, "(0,)"]);
    }
    let m = zeros(&e, &[3, 0]);
    let err = e
        .min(&m, Some(&[1]), false)
        .expect_err("min over an empty axis");
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert_mentions(&err, &["min", "(3, 0)"]);
    let err = e
        .argmax(&m, Some(1))
        .expect_err("argmax over an empty axis");
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    // Over the non-empty axis of an empty array the result is itself empty: fine.
    let ok = e
        .max(&zeros(&e, &[0, 3]), Some(&[1]), false)
        .expect("max over a non-empty axis of a (0, 3) array");
    assert_eq!(ok.shape(), &[0]);
}

#[test]
fn complex_in_unsupported_ops() {
    let e = engine();
    let z = complex(&e);
    for (what, err) in [
        ("floor", e.floor(&z).expect_err("floor of complex")),
        ("round", e.round(&z).expect_err("round of complex")),
        ("tan", e.tan(&z).expect_err("tan of complex")),
        ("arctan", e.arctan(&z).expect_err("arctan of complex")),
        (
            "maximum",
            e.maximum(&z, &z).expect_err("maximum of complex"),
        ),
        (
            "minimum",
            e.minimum(&z, &z).expect_err("minimum of complex"),
        ),
        ("less", e.less(&z, &z).expect_err("complex ordering")),
        ("fmod", e.fmod(&z, &z).expect_err("fmod of complex")),
        (
            "arctan2",
            e.arctan2(&z, &z).expect_err("arctan2 of complex"),
        ),
        ("max", e.max(&z, None, false).expect_err("max of complex")),
        ("argmin", e.argmin(&z, None).expect_err("argmin of complex")),
    ] {
        assert!(matches!(err, Error::DType { .. }), "{what}: {err:?}");
        assert_mentions(&err, &[what, "complex128"]);
    }
    // Mixed real/complex promotes to complex first.
    let err = e
        .maximum(&f64s(&e, &[1.0, 2.0]), &z)
        .expect_err("maximum of float64 and complex128");
    assert!(matches!(err, Error::DType { .. }), "{err:?}");
    assert_mentions(&err, &["maximum", "complex128"]);
}

#[test]
fn bool_arithmetic_is_refused() {
    let e = engine();
    let p = bools(&e);
    for (what, err) in [
        ("add", e.add(&p, &p).expect_err("bool + bool")),
        ("subtract", e.sub(&p, &p).expect_err("bool - bool")),
        ("multiply", e.mul(&p, &p).expect_err("bool * bool")),
        ("power", e.pow(&p, &p).expect_err("bool ** bool")),
        ("fmod", e.fmod(&p, &p).expect_err("bool % bool")),
        ("negative", e.neg(&p).expect_err("-bool")),
        ("abs", e.abs(&p).expect_err("abs(bool)")),
        ("square", e.square(&p).expect_err("square(bool)")),
    ] {
        assert!(matches!(err, Error::DType { .. }), "{what}: {err:?}");
        assert_mentions(&err, &[what, "bool"]);
    }
    // Logical operations and true division are defined on bool.
    e.logical_and(&p, &p).expect("logical_and of bools");
    let q = e.div(&p, &p).expect("true division of bools gives float64");
    assert_eq!(q.dtype(), DType::F64);
}

#[test]
fn other_invalid_arguments() {
    let e = engine();
    let x = zeros(&e, &[2, 3]);
    let err = e.permute(&x, &[0, 0]).expect_err("not a permutation");
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert_mentions(&err, &["permute", "(2, 3)"]);
    let err = e.permute(&x, &[0, 1, 2]).expect_err("too many axes");
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");

    let err = e
        .slice(&x, &[Slice::new(None, None, 0)])
        .expect_err("step 0");
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert_mentions(&err, &["slice", "step 0"]);
    let err = e
        .slice(&x, &[Slice::all(), Slice::all(), Slice::all()])
        .expect_err("three slices of a 2-D array");
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert_mentions(&err, &["slice", "(2, 3)"]);

    let err = e
        .pad(&x, &[(1, 1)], 0.0)
        .expect_err("one pair for two axes");
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert_mentions(&err, &["pad", "(2, 3)"]);

    let err = e.squeeze(&x, Some(&[1])).expect_err("axis of length 3");
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert_mentions(&err, &["squeeze", "(2, 3)"]);

    for (start, stop, step) in [
        (0.0, 1.0, 0.0),
        (0.0, f64::INFINITY, 1.0),
        (f64::NAN, 1.0, 1.0),
    ] {
        let err = e.arange(start, stop, step).expect_err("bad arange");
        assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
        assert_mentions(&err, &["arange"]);
    }

    let err = e.concatenate(&[], 0).expect_err("nothing to join");
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert_mentions(&err, &["concatenate"]);
    let err = e
        .concatenate(&[&x, &zeros(&e, &[2, 4])], 0)
        .expect_err("(2, 3) and (2, 4) along axis 0");
    assert!(matches!(err, Error::Shape { .. }), "{err:?}");
    assert_mentions(&err, &["concatenate", "(2, 3)", "(2, 4)"]);
    let err = e
        .concatenate(&[&x, &zeros(&e, &[3])], 0)
        .expect_err("2-D and 1-D");
    assert!(matches!(err, Error::Shape { .. }), "{err:?}");
    let err = e
        .stack(&[&zeros(&e, &[2]), &zeros(&e, &[3])], 0)
        .expect_err("stack of different shapes");
    assert!(matches!(err, Error::Shape { .. }), "{err:?}");
    assert_mentions(&err, &["stack", "(2,)", "(3,)"]);

    let err = e
        .meshgrid(&[&x], mathengine::Indexing::Xy)
        .expect_err("meshgrid of a 2-D array");
    assert!(matches!(err, Error::Shape { .. }), "{err:?}");
    assert_mentions(&err, &["meshgrid", "(2, 3)"]);
}

#[test]
fn arrays_of_another_engine_are_refused() {
    let e = engine();
    let f = engine();
    let a = zeros(&e, &[2]);
    let b = zeros(&f, &[2]);
    let err = e.add(&a, &b).expect_err("arrays of two engines");
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert_mentions(&err, &["add", "another Engine"]);
    let err = e.sin(&b).expect_err("array of another engine");
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    let err = e.eval_all(&[&a, &b]).expect_err("eval_all across engines");
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert_mentions(&err, &["eval_all"]);
    let err = e.reshape(&b, &[2]).expect_err("reshape across engines");
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
}

// ---- operator overloads and method forms panic with the Engine method's message ----

#[test]
#[should_panic(expected = "add: shapes (3,) and (4,) cannot be broadcast together")]
fn add_operator_panics_on_mismatched_shapes() {
    let e = engine();
    let _ = &zeros(&e, &[3]) + &zeros(&e, &[4]);
}

#[test]
#[should_panic(expected = "subtract: shapes (2, 3) and (3, 2) cannot be broadcast together")]
fn sub_operator_panics_on_mismatched_shapes() {
    let e = engine();
    let _ = zeros(&e, &[2, 3]) - zeros(&e, &[3, 2]);
}

#[test]
#[should_panic(expected = "multiply: shapes (3,) and (4,) cannot be broadcast together")]
fn mul_operator_panics_on_mismatched_shapes() {
    let e = engine();
    let _ = zeros(&e, &[3]) * &zeros(&e, &[4]);
}

#[test]
#[should_panic(expected = "divide: shapes (3,) and (4,) cannot be broadcast together")]
fn div_operator_panics_on_mismatched_shapes() {
    let e = engine();
    let _ = &zeros(&e, &[3]) / zeros(&e, &[4]);
}

#[test]
#[should_panic(expected = "add: dtype bool is not supported")]
fn add_operator_panics_on_bools() {
    let e = engine();
    let _ = &bools(&e) + &bools(&e);
}

#[test]
#[should_panic(expected = "negative: dtype bool is not supported")]
fn neg_operator_panics_on_bools() {
    let e = engine();
    let _ = -&bools(&e);
}

#[test]
#[should_panic(expected = "tan: dtype complex128 is not supported")]
fn method_form_panics_on_unsupported_dtype() {
    let e = engine();
    let _ = complex(&e).tan();
}

#[test]
fn panic_messages_equal_the_error_messages() {
    let e = engine();
    let a = zeros(&e, &[3]);
    let b = zeros(&e, &[4]);
    let p = bools(&e);
    let z = complex(&e);
    let cases: Vec<(String, String)> = vec![
        (
            e.add(&a, &b).expect_err("mismatch").to_string(),
            panic_message(|| drop(&a + &b)),
        ),
        (
            e.sub(&a, &b).expect_err("mismatch").to_string(),
            panic_message(|| drop(&a - &b)),
        ),
        (
            e.mul(&a, &b).expect_err("mismatch").to_string(),
            panic_message(|| drop(&a * &b)),
        ),
        (
            e.div(&a, &b).expect_err("mismatch").to_string(),
            panic_message(|| drop(&a / &b)),
        ),
        (
            e.sub(&p, &p).expect_err("bool").to_string(),
            panic_message(|| drop(&p - &p)),
        ),
        (
            e.neg(&p).expect_err("bool").to_string(),
            panic_message(|| drop(-&p)),
        ),
        (
            e.floor(&z).expect_err("complex").to_string(),
            panic_message(|| drop(z.floor())),
        ),
        (
            e.sign(&p).expect_err("bool").to_string(),
            panic_message(|| drop(p.sign())),
        ),
    ];
    for (want, got) in cases {
        assert_eq!(got, want);
    }
}
