//! The CUDA C printer (`mathengine_codegen::cuda`): snapshots of the source printed for
//! canonical graphs, so any change to generated kernels shows in review, and the entry
//! ABI the CUDA runner relies on. Pure text: no GPU or NVRTC needed (tests/cuda_nvrtc.rs
//! compiles what the printer prints).

use mathengine::{Array, DType, Engine, Slice};
use mathengine_codegen::cuda::{print_kernel, CudaSource, THREADS_PER_BLOCK};
use mathengine_ir::kernel::{Inst, Instr, Kernel};
use mathengine_ir::schedule::schedule;
use mathengine_ir::UnaryOp;

/// The kernels the scheduler cuts `arrays` into, printed.
fn sources(arrays: &[&Array]) -> Vec<CudaSource> {
    let nodes: Vec<_> = arrays.iter().map(|a| a.node().clone()).collect();
    schedule(&nodes)
        .iter()
        .filter_map(|s| s.kernel().map(|k| print_kernel(k)))
        .collect()
}

/// Compare with `tests/snapshots/cuda_NAME.cu`; `UPDATE_SNAPSHOTS=1` rewrites it.
fn check_snapshot(name: &str, arrays: &[&Array]) {
    let srcs = sources(arrays);
    assert!(!srcs.is_empty(), "'{name}' scheduled no kernel");
    let text = srcs
        .iter()
        .map(|s| s.code.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let path = format!(
        "{}/tests/snapshots/cuda_{name}.cu",
        env!("CARGO_MANIFEST_DIR")
    );
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &text).expect("write snapshot");
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing snapshot {path}; run with UPDATE_SNAPSHOTS=1"));
    assert_eq!(
        text, want,
        "CUDA C of '{name}' changed; review, then UPDATE_SNAPSHOTS=1 cargo test --test cuda_source"
    );
}

#[test]
fn cuda_source_snapshots() {
    let e = Engine::new();
    let x = e.linspace(-3.0, 3.0, 1 << 10);

    // An elementwise chain with transcendentals: one fused kernel, no memory read.
    let w4 = x.sin().square() + x.cos() * (-(&x * &x)).exp();
    check_snapshot("elementwise_sin_exp", &[&w4]);

    // complex128: construction, multiply, exp, sqrt, conj, abs.
    let z = e.complex(&x, &(-&x)).expect("complex");
    let zz = e.mul(&z, &z).expect("z*z");
    let ez = e.exp(&zz).expect("exp");
    let sq = e.sqrt(&z).expect("sqrt");
    let c = e.add(&ez, &e.conj(&sq).expect("conj")).expect("add");
    let a = e.abs(&c).expect("abs");
    check_snapshot("complex", &[&c, &a]);

    // A sum reduction over the last axis (blocked summation).
    let m = e
        .reshape(&e.arange(0.0, 12.0, 1.0).expect("arange"), &[3, 4])
        .expect("reshape");
    let s = e.sum(&(&m * &m), Some(&[1]), false).expect("sum");
    check_snapshot("sum_reduction", &[&s]);

    // argmax of float32 along axis 0 (NaN-aware ordered fold).
    let f = e.astype(&m, DType::F32);
    let am = e.argmax(&f, Some(0)).expect("argmax");
    check_snapshot("argmax_f32", &[&am]);

    // Two outputs of one shape: one multi-output kernel.
    let (sn, cs) = (x.sin(), x.cos());
    check_snapshot("two_outputs", &[&sn, &cs]);

    // Philox random numbers.
    let u = e.random_uniform(7, &[4, 5]);
    let g = e.random_normal(3, &[4, 5]);
    check_snapshot("random", &[&(&u * 2.0 + &g)]);

    // Movement ops as index arithmetic: transpose, reversed slice, broadcast.
    let t = e
        .slice(&m.t(), &[Slice::new(None, None, -1), Slice::range(1, 3)])
        .expect("slice");
    let col = e.from_vec(vec![1.0, 2.0, 3.0], &[3, 1]).expect("col");
    let row = e.from_vec(vec![1.0, 2.0, 3.0, 4.0], &[4]).expect("row");
    check_snapshot("transpose_broadcast", &[&t.exp(), &(&col + &row)]);

    // Integer and bool arithmetic: wrapping ops, integer fmod, comparisons, logic.
    let k = e.arange_int(10);
    let three = e.scalar(3i64);
    let kmod = e.fmod(&k, &three).expect("fmod");
    let even = e
        .equal(&e.fmod(&k, &e.scalar(2i64)).expect("fmod"), &e.scalar(0i64))
        .expect("equal");
    let pos = e.greater(&kmod, &e.scalar(0i64)).expect("greater");
    let both = e.logical_and(&even, &pos).expect("and");
    check_snapshot("int_bool", &[&both, &e.pow(&k, &three).expect("pow")]);
}

/// A kernel built by hand: out0 = cast(in0[i]) * p0 with bool and complex parameters.
fn hand_kernel() -> Kernel {
    let ins = |inst, dtype| Instr { inst, dtype };
    Kernel {
        body: vec![
            ins(Inst::Index, DType::I64),
            ins(Inst::Load { input: 0, index: 0 }, DType::Bool),
            ins(Inst::Param(0), DType::C128),
            ins(Inst::Param(1), DType::Bool),
            ins(Inst::Cast(1), DType::C128),
            ins(
                Inst::Binary(mathengine_ir::BinaryOp::Mul, 4, 2),
                DType::C128,
            ),
            ins(Inst::Select(3, 5, 2), DType::C128),
            ins(Inst::Unary(UnaryOp::Abs, 6), DType::F64),
        ],
        params: vec![DType::C128, DType::Bool],
        inputs: vec![DType::Bool],
        outputs: vec![6, 7, 1],
        output_dtypes: vec![DType::C128, DType::F64, DType::Bool],
        reduction: None,
    }
}

#[test]
fn entry_abi_is_inputs_outputs_params_then_lengths() {
    let src = print_kernel(&hand_kernel());
    let want = format!(
        "void __launch_bounds__({THREADS_PER_BLOCK}) {}(\n    const unsigned char* __restrict__ in0,\n    \
         me_c128* __restrict__ out0,\n    double* __restrict__ out1,\n    \
         unsigned char* __restrict__ out2,\n    double p0_re, double p0_im,\n    \
         unsigned char p1,\n    long long len, long long reduce_len) {{",
        src.name
    );
    assert!(src.code.contains(&want), "{}", src.code);
    assert!(src.code.contains("extern \"C\" __global__"));
    assert!(
        !src.code.contains("#include"),
        "NVRTC has no system headers"
    );
    // Bools are bytes in memory and C++ bools in registers.
    assert!(src.code.contains("out2[i] = (unsigned char)v1;"));
    assert!(src.code.contains("(in0[v0] != 0)"));
    assert!(src.code.contains("me_c128{p0_re, p0_im}"));
}

#[test]
fn names_are_identifiers_unique_per_structure_and_stable() {
    let k = hand_kernel();
    let a = print_kernel(&k);
    assert_eq!(a, print_kernel(&k.clone()), "printing is deterministic");
    assert!(a.name.starts_with("k3_multiply_abs_"), "{}", a.name);
    assert!(a
        .name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_'));
    let mut other = k.clone();
    other.body[7].inst = Inst::Unary(UnaryOp::Angle, 6);
    let b = print_kernel(&other);
    assert_ne!(a.name, b.name, "different kernels share an entry name");
    // Values are parameters, not structure: linspaces over other ranges and lengths
    // share the kernel (and its name); another function does not.
    let e = Engine::new();
    let names = |a: &Array| -> Vec<String> { sources(&[a]).into_iter().map(|s| s.name).collect() };
    let x = e.linspace(0.0, 1.0, 8);
    let y = e.linspace(-5.0, 2.0, 100);
    assert_eq!(names(&x.exp()), names(&y.exp()));
    assert_ne!(names(&x.exp()), names(&x.sin()));
}
