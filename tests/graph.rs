//! The lazy graph: hash-consing, evaluated nodes as kernel boundaries, constant folding
//! and exact simplifications, graphs built in loops, multi-output evaluation, user
//! backends with fallback, backend switching, and use from many threads.

use mathengine::backend::reference::ReferenceBackend;
use mathengine::{Array, Backend, DType, Engine, Error, HostBuffer, MAX_PENDING_DEPTH};
use mathengine_ir::{BufferRef, DeviceBuffer, Inst, Kernel, Launch, Op, UnaryOp};
use std::sync::{Arc, Barrier, Mutex};

/// A backend that runs kernels with the reference interpreter, records every kernel it
/// runs, and (optionally) refuses kernels containing `sin`.
struct Recording {
    name: &'static str,
    refuse_sin: bool,
    log: Arc<Mutex<Vec<Arc<Kernel>>>>,
}

impl Recording {
    fn new(name: &'static str, refuse_sin: bool) -> (Recording, Arc<Mutex<Vec<Arc<Kernel>>>>) {
        let log = Arc::new(Mutex::new(Vec::new()));
        (
            Recording {
                name,
                refuse_sin,
                log: log.clone(),
            },
            log,
        )
    }
}

fn has_unary(k: &Kernel, op: UnaryOp) -> bool {
    k.body
        .iter()
        .any(|i| matches!(i.inst, Inst::Unary(o, _) if o == op))
}

fn count_unary(kernels: &[Arc<Kernel>], op: UnaryOp) -> usize {
    kernels
        .iter()
        .map(|k| {
            k.body
                .iter()
                .filter(|i| matches!(i.inst, Inst::Unary(o, _) if o == op))
                .count()
        })
        .sum()
}

impl Backend for Recording {
    fn name(&self) -> &str {
        self.name
    }
    fn download(&self, buf: &dyn DeviceBuffer) -> mathengine::Result<HostBuffer> {
        ReferenceBackend::new().download(buf)
    }
    fn supports(&self, kernel: &Kernel) -> Result<(), String> {
        if self.refuse_sin && has_unary(kernel, UnaryOp::Sin) {
            Err(format!("{} has no sin", self.name))
        } else {
            Ok(())
        }
    }
    fn run_kernel(
        &self,
        kernel: &Arc<Kernel>,
        launch: &Launch,
        inputs: &[BufferRef],
    ) -> mathengine::Result<Vec<BufferRef>> {
        self.log
            .lock()
            .expect("the kernel log is never poisoned")
            .push(kernel.clone());
        ReferenceBackend::new().run_kernel(kernel, launch, inputs)
    }
}

fn recording_engine(refuse_sin: bool) -> (Engine, Arc<Mutex<Vec<Arc<Kernel>>>>) {
    let e = Engine::new();
    let (b, log) = Recording::new(if refuse_sin { "nosin" } else { "recording" }, refuse_sin);
    e.change_backend(Box::new(b) as Box<dyn Backend>)
        .expect("a user backend can always be selected");
    (e, log)
}

fn taken(log: &Mutex<Vec<Arc<Kernel>>>) -> Vec<Arc<Kernel>> {
    std::mem::take(&mut *log.lock().expect("the kernel log is never poisoned"))
}

fn vec64(a: &Array) -> Vec<f64> {
    a.to_vec::<f64>().expect("a float64 array evaluates")
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// |got - want| <= tol * max(1, |want|) elementwise.
fn assert_close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * w.abs().max(1.0),
            "element {i}: got {g}, want {w}"
        );
    }
}

fn data(e: &Engine, v: &[f64]) -> Array {
    e.from_vec(v.to_vec(), &[v.len()])
        .expect("length matches the shape")
}

#[test]
fn same_subexpression_built_twice_is_one_node() {
    let e = Engine::new();
    let x = data(&e, &[0.5, 1.0, 2.0]);
    let build = || -> Array { (&x.sin() * 2.0 + 1.0).exp() };
    let a = build();
    let size = e.graph_size();
    let b = build();
    assert!(
        Arc::ptr_eq(a.node(), b.node()),
        "rebuilt expression is a new node"
    );
    assert_eq!(e.graph_size(), size, "rebuilding added nodes to the table");
    let s1 = e.sum(&a, Some(&[0]), false).expect("valid axis");
    let s2 = e.sum(&b, Some(&[0]), false).expect("valid axis");
    assert!(Arc::ptr_eq(s1.node(), s2.node()));
    // Different constants, different nodes.
    let two = &x * 2.0;
    let three = &x * 3.0;
    assert!(!Arc::ptr_eq(two.node(), three.node()));
    // Two copies of the same host data are different arrays.
    let y = data(&e, &[0.5, 1.0, 2.0]);
    assert!(!Arc::ptr_eq(x.sin().node(), y.sin().node()));
}

#[test]
fn signed_zero_constants_are_different_nodes() {
    let e = Engine::new();
    let x = data(&e, &[1.0, -2.0]);
    let pz = &x * 0.0;
    let nz = &x * -0.0;
    assert!(
        !Arc::ptr_eq(pz.node(), nz.node()),
        "0.0 and -0.0 were merged"
    );
    assert_eq!(bits(&vec64(&pz)), bits(&[0.0, -0.0]));
    assert_eq!(bits(&vec64(&nz)), bits(&[-0.0, 0.0]));
}

#[test]
fn evaluated_node_keeps_its_buffer_and_later_graphs_read_it() {
    let (e, log) = recording_engine(false);
    let x = data(&e, &[0.0, 0.5, 1.0]);
    let y = x.sin();
    assert!(!y.is_evaluated(), "building a graph evaluated it");
    y.eval().expect("sin evaluates");
    assert!(y.is_evaluated());
    let first = taken(&log);
    assert_eq!(count_unary(&first, UnaryOp::Sin), 1, "{first:?}");
    let buf = y.node().buffer().expect("an evaluated node has a buffer");

    let z = &y * 2.0 + 1.0;
    let got = vec64(&z);
    let later = taken(&log);
    assert!(!later.is_empty(), "z ran no kernel");
    assert_eq!(
        count_unary(&later, UnaryOp::Sin),
        0,
        "sin was recomputed instead of read from y's buffer: {later:?}"
    );
    let again = y
        .node()
        .buffer()
        .expect("the buffer is still there after a later evaluation");
    assert!(Arc::ptr_eq(&buf, &again), "y's buffer was replaced");
    let want: Vec<f64> = [0.0f64, 0.5, 1.0]
        .iter()
        .map(|v| v.sin() * 2.0 + 1.0)
        .collect();
    assert_eq!(bits(&got), bits(&want));

    // Rebuilding sin(x) finds the evaluated node: nothing runs.
    let y2 = x.sin();
    assert!(y2.is_evaluated());
    assert_eq!(bits(&vec64(&y2)), bits(&[0.0, 0.5f64.sin(), 1.0f64.sin()]));
    assert!(
        taken(&log).is_empty(),
        "reading an evaluated array ran a kernel"
    );
}

#[test]
fn constants_fold() {
    let e = Engine::new();
    let a = e.full(&[3], 2.0);
    let b = e.full(&[3], 3.0);
    let s = &a + &b;
    assert!(
        matches!(s.node().op, Op::Const(_)),
        "2 + 3 was not folded: {:?}",
        s.node().op
    );
    assert_eq!(vec64(&s), vec![5.0; 3]);
    let t = e.sin(&e.full(&[2], 0.0)).expect("sin of float64");
    assert!(matches!(t.node().op, Op::Const(_)), "sin(0) was not folded");
    assert_eq!(bits(&vec64(&t)), bits(&[0.0, 0.0]));
    // Folding keeps IEEE semantics: -0.0 + -0.0 is -0.0, 1/(-0.0) is -inf.
    let nz = e.full(&[1], -0.0);
    assert_eq!(bits(&vec64(&(&nz + &nz))), bits(&[-0.0]));
    let r = e.reciprocal(&nz).expect("reciprocal of float64");
    assert!(matches!(r.node().op, Op::Const(_)));
    assert_eq!(vec64(&r), vec![f64::NEG_INFINITY]);
    // Folded casts and comparisons have the right dtype.
    let c = e
        .less(&e.full(&[2], 1i32), &e.full(&[2], 1.5f32))
        .expect("compare");
    assert_eq!(c.dtype(), DType::Bool);
    assert_eq!(c.to_vec::<bool>().expect("bool"), vec![true, true]);
}

#[test]
fn exact_identities_return_the_operand() {
    let e = Engine::new();
    let x = data(&e, &[-0.0, 1.5, f64::NAN]);
    for (what, y) in [
        ("x*1", &x * 1.0),
        ("1*x", 1.0 * &x),
        ("x/1", &x / 1.0),
        ("x-0", &x - 0.0),
        ("x+(-0)", &x + -0.0),
        ("(-0)+x", -0.0 + &x),
    ] {
        assert!(
            Arc::ptr_eq(x.node(), y.node()),
            "{what} was not simplified to x"
        );
    }
    // x + 0.0 is not x: -0.0 + 0.0 = +0.0.
    let p = &x + 0.0;
    assert!(!Arc::ptr_eq(x.node(), p.node()), "x + 0.0 was simplified");
    assert_eq!(bits(&vec64(&p)[..1]), bits(&[0.0]));
    // x - (-0.0) is x + 0.0 too.
    let m = &x - -0.0;
    assert!(
        !Arc::ptr_eq(x.node(), m.node()),
        "x - (-0.0) was simplified"
    );
    assert_eq!(bits(&vec64(&m)[..1]), bits(&[0.0]));
    // No shortcut when the constant changes the shape or the dtype.
    let wide = e.mul(&x, &e.ones(&[2, 3], DType::F64)).expect("broadcast");
    assert_eq!(wide.shape(), &[2, 3]);
    let xi = e.from_vec(vec![3i64, -4], &[2]).expect("length matches");
    let xf = &xi * 1.0;
    assert_eq!(xf.dtype(), DType::F64);
    assert_eq!(vec64(&xf), vec![3.0, -4.0]);
}

/// x <- a*x + b, n times, from x0: a^n x0 + b (a^n - 1) / (a - 1).
fn affine_closed_form(x0: f64, a: f64, b: f64, n: i32) -> f64 {
    let an = a.powi(n);
    an * x0 + b * (an - 1.0) / (a - 1.0)
}

/// x <- x*1.0001 + 1e-6, ten thousand times: the engine evaluates on its own once a
/// chain is MAX_PENDING_DEPTH long, on the test thread's default stack, and what stays
/// alive is bounded (an evaluated node does not keep its history).
#[test]
fn graph_built_in_a_loop_stays_bounded_and_matches_the_closed_form() {
    let e = Engine::new();
    let x0 = [1.0, 0.0, -1.0, 1e-3];
    let mut x = data(&e, &x0);
    let n = 10_000;
    let mut most_alive = 0;
    for i in 0..n {
        x = &x * 1.0001 + 1e-6;
        if i % 500 == 0 {
            most_alive = most_alive.max(e.graph_size());
        }
    }
    let got = vec64(&x);
    for (i, (&g, &s)) in got.iter().zip(&x0).enumerate() {
        let want = affine_closed_form(s, 1.0001, 1e-6, n);
        assert!(
            ((g - want) / want).abs() < 1e-9,
            "element {i}: got {g}, closed form {want}"
        );
    }
    most_alive = most_alive.max(e.graph_size());
    assert!(
        most_alive <= 2 * MAX_PENDING_DEPTH,
        "{most_alive} graph nodes alive while building 10000 iterations (limit {})",
        2 * MAX_PENDING_DEPTH
    );
    drop(x);
    assert_eq!(e.graph_size(), 0, "nodes outlived every array");
}

/// A chain of expensive terms that two reductions need (var: the mean, then the squared
/// deviations) is stored once, at its top: the terms below it stay inside its kernel.
#[test]
fn a_shared_expensive_chain_is_stored_once_at_its_top() {
    let (e, log) = recording_engine(false);
    let x = data(&e, &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
    let w = &x.sin().exp().cos() * 2.0;
    let v = e.var(&w, None, false, 0).expect("var of a vector");
    let got = vec64(&v);
    let kernels = taken(&log);
    assert_eq!(
        count_unary(&kernels, UnaryOp::Sin),
        1,
        "w computed once: {kernels:?}"
    );
    let stored: usize = kernels
        .iter()
        .filter(|k| has_unary(k, UnaryOp::Sin))
        .map(|k| k.output_dtypes.len())
        .sum();
    assert_eq!(
        stored, 1,
        "only w is stored, not sin(x) and exp(sin(x)) too"
    );
    let f = Engine::with_backend("reference").expect("reference exists");
    let fw = &data(&f, &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
        .sin()
        .exp()
        .cos()
        * 2.0;
    assert_eq!(
        bits(&got),
        bits(&vec64(&f.var(&fw, None, false, 0).expect("var")))
    );
}

#[test]
fn eval_all_does_shared_work_once() {
    let (e, log) = recording_engine(false);
    let x = data(&e, &[0.25, 0.5, 0.75, 1.0]);
    let a = x.sin();
    let b = &a * 2.0;
    let c = &a + 1.0;
    let d = e.sum(&a, None, false).expect("sum of all axes");
    e.eval_all(&[&b, &c, &d]).expect("eval_all");
    let kernels = taken(&log);
    assert_eq!(
        count_unary(&kernels, UnaryOp::Sin),
        1,
        "sin computed more than once for three outputs: {kernels:?}"
    );
    for out in [&b, &c, &d] {
        assert!(out.is_evaluated());
    }
    // The same values as evaluating each alone on a fresh reference engine.
    let f = Engine::with_backend("reference").expect("reference exists");
    let fx = data(&f, &[0.25, 0.5, 0.75, 1.0]);
    let fa = fx.sin();
    assert_eq!(bits(&vec64(&b)), bits(&vec64(&(&fa * 2.0))));
    assert_eq!(bits(&vec64(&c)), bits(&vec64(&(&fa + 1.0))));
    assert_eq!(
        bits(&vec64(&d)),
        bits(&vec64(&f.sum(&fa, None, false).expect("sum"))),
    );
    // Outputs of one shape share one kernel launch.
    let (e2, log2) = recording_engine(false);
    let y = data(&e2, &[1.0, 2.0, 3.0]);
    let p = &y * 3.0;
    let q = &y + 3.0;
    e2.eval_all(&[&p, &q]).expect("eval_all");
    let k = taken(&log2);
    assert_eq!(
        k.len(),
        1,
        "two same-shape outputs took {} kernels",
        k.len()
    );
    assert_eq!(k[0].outputs.len(), 2);
    assert_eq!(vec64(&p), vec![3.0, 6.0, 9.0]);
    assert_eq!(vec64(&q), vec![4.0, 5.0, 6.0]);
}

#[test]
fn outputs_feeding_each_other_share_one_kernel() {
    // A recurrence's sequence: every requested output is an operand of the next one.
    let (e, log) = recording_engine(false);
    let x = data(&e, &[-0.5, 0.0, 0.25, 1.0]);
    let mut seq = vec![&x * 1.0 + 0.5, &x * 2.0];
    for k in 2..6 {
        let next = &(&seq[k - 1] * &x) * 2.0 - &seq[k - 2];
        seq.push(next);
    }
    e.eval_all(&seq.iter().collect::<Vec<_>>())
        .expect("eval_all");
    let kernels = taken(&log);
    assert_eq!(kernels.len(), 1, "a 6-term recurrence took {kernels:?}");
    assert_eq!(kernels[0].outputs.len(), 6);
    // The same values, each evaluated alone on the reference engine.
    let f = Engine::with_backend("reference").expect("reference exists");
    let fx = data(&f, &[-0.5, 0.0, 0.25, 1.0]);
    let mut want = vec![&fx * 1.0 + 0.5, &fx * 2.0];
    for k in 2..6 {
        let next = &(&want[k - 1] * &fx) * 2.0 - &want[k - 2];
        want.push(next);
    }
    for (got, want) in seq.iter().zip(&want) {
        assert_eq!(bits(&vec64(got)), bits(&vec64(want)));
    }
    // A consumer that needs a finished buffer (a reduction of an output) still runs
    // after the kernel that writes it.
    let (e2, log2) = recording_engine(false);
    let y = data(&e2, &[1.0, 2.0, 3.0]);
    let a = &y * 3.0;
    let b = &a + &e2.sum(&a, None, false).expect("sum");
    e2.eval_all(&[&a, &b]).expect("eval_all");
    assert_eq!(taken(&log2).len(), 3);
    assert_eq!(vec64(&b), vec![21.0, 24.0, 27.0]);
}

#[test]
fn user_backend_refusing_sin_falls_back_and_gives_the_same_results() {
    let (e, log) = recording_engine(true);
    assert_eq!(e.backend_name(), "nosin");
    let x = e.linspace(-1.0, 1.0, 7);
    let before = e.fallback_count();
    let y = &x.sin() * 2.0 + &x;
    let got = vec64(&y);
    assert!(
        e.fallback_count() > before,
        "a kernel with sin ran on a backend that refuses it"
    );
    let ran = taken(&log);
    assert!(
        ran.iter().all(|k| !has_unary(k, UnaryOp::Sin)),
        "the backend was handed a sin kernel: {ran:?}"
    );
    // The fallback runs on the default CPU backend, whose sin may differ from libm's
    // by an ulp or two.
    let want: Vec<f64> = (0..7)
        .map(|i| {
            let x = -1.0 + i as f64 / 3.0;
            x.sin() * 2.0 + x
        })
        .collect();
    assert_close(&got, &want, 1e-15);

    // Kernels it supports run on it, with no fallback.
    let fallbacks = e.fallback_count();
    let z = &y * 3.0 - 1.0;
    let zv = vec64(&z);
    assert_eq!(
        e.fallback_count(),
        fallbacks,
        "a kernel without sin fell back"
    );
    assert!(!taken(&log).is_empty(), "the user backend ran nothing");
    let wz: Vec<f64> = got.iter().map(|v| v * 3.0 - 1.0).collect();
    assert_eq!(bits(&zv), bits(&wz));
}

#[test]
fn switching_backends_by_name_and_by_box() {
    let e = Engine::new();
    let names = mathengine::engine::builtin_backend_names();
    assert_eq!(
        e.backend_name(),
        names[0],
        "the default backend is the first built-in one"
    );
    let x = data(&e, &[1.0, 2.0, 3.0]);
    let a = &x * 2.0;
    a.eval().expect("evaluates on the default backend");
    // Every built-in backend can be selected by name and reads arrays evaluated
    // on the others.
    let mut acc = a.clone();
    for (k, name) in names.iter().enumerate() {
        e.change_backend(*name)
            .unwrap_or_else(|err| panic!("built-in backend {name}: {err}"));
        assert_eq!(e.backend_name(), *name);
        acc = &acc + 1.0;
        acc.eval().expect("evaluates");
        let want: Vec<f64> = [2.0, 4.0, 6.0].iter().map(|v| v + (k + 1) as f64).collect();
        assert_eq!(vec64(&acc), want, "on backend {name}");
    }

    let (b, log) = Recording::new("recording", false);
    e.change_backend(Box::new(b) as Box<dyn Backend>)
        .expect("a user backend can be selected");
    assert_eq!(e.backend_name(), "recording");
    let c = &a + 10.0;
    assert_eq!(vec64(&c), vec![12.0, 14.0, 16.0]);
    assert!(!taken(&log).is_empty(), "the selected backend ran nothing");

    e.change_backend("reference")
        .expect("reference is always available");
    assert_eq!(e.backend_name(), "reference");
    let d = &c * &c;
    assert_eq!(vec64(&d), vec![144.0, 196.0, 256.0]);
    assert!(taken(&log).is_empty(), "an unselected backend ran a kernel");

    // A backend given once can be selected again by its name.
    e.change_backend("recording")
        .expect("a registered backend is found by name");
    assert_eq!(e.backend_name(), "recording");
    let f = &d - 1.0;
    assert_eq!(vec64(&f), vec![143.0, 195.0, 255.0]);
    assert!(!taken(&log).is_empty());

    // Unknown names are errors that list what is available, user backends included.
    let err = e
        .change_backend("no-such-backend")
        .expect_err("unknown name accepted");
    assert!(matches!(err, Error::UnknownBackend { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("no-such-backend"), "{msg}");
    for name in names.iter().chain(&["recording"]) {
        assert!(msg.contains(name), "{msg} does not list {name}");
    }
    assert_eq!(
        e.backend_name(),
        "recording",
        "a failed switch changed the backend"
    );

    // Engine::with_backend does the same.
    let g = Engine::with_backend("reference").expect("reference exists");
    assert_eq!(g.backend_name(), "reference");
}

#[test]
fn engine_and_array_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
    assert_send_sync::<Array>();
    assert_send_sync::<Error>();
    assert_send_sync::<Box<dyn Backend>>();
}

#[test]
fn eight_threads_evaluating_overlapping_graphs_agree() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 5;
    // One graph family, built from scratch by every thread on a shared engine.
    fn build(e: &Engine, x: &Array, t: usize, round: usize) -> Vec<Array> {
        let shared = &(&x.sin() * &x.cos()) + x;
        let mine = &shared * (1.0 + t as f64) - round as f64;
        let total = e.sum(&mine, Some(&[1]), false).expect("valid axis");
        let flipped = e.flip(&shared, Some(&[0])).expect("valid axis");
        vec![shared, mine, total, flipped]
    }
    let values: Vec<f64> = (0..60).map(|i| (i as f64 - 30.0) / 7.0).collect();

    let expected: Vec<Vec<Vec<u64>>> = {
        let f = Engine::new();
        let x = f.from_vec(values.clone(), &[6, 10]).expect("60 values");
        (0..THREADS * ROUNDS)
            .map(|k| {
                build(&f, &x, k % THREADS, k / THREADS)
                    .iter()
                    .map(|a| bits(&vec64(a)))
                    .collect()
            })
            .collect()
    };

    let e = Engine::new();
    let x = e.from_vec(values, &[6, 10]).expect("60 values");
    let barrier = Barrier::new(THREADS);
    let results: Vec<Vec<(usize, Vec<Vec<u64>>)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (e, x, barrier) = (e.clone(), x.clone(), &barrier);
                s.spawn(move || {
                    let mut out = Vec::new();
                    for round in 0..ROUNDS {
                        barrier.wait();
                        let arrays = build(&e, &x, t, round);
                        if t % 2 == 0 {
                            let refs: Vec<&Array> = arrays.iter().collect();
                            e.eval_all(&refs).expect("eval_all");
                        }
                        let got: Vec<Vec<u64>> = arrays.iter().map(|a| bits(&vec64(a))).collect();
                        out.push((round * THREADS + t, got));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a worker thread panicked"))
            .collect()
    });
    for (k, got) in results.into_iter().flatten() {
        assert_eq!(
            got,
            expected[k],
            "thread {} round {} got different results",
            k % THREADS,
            k / THREADS
        );
    }
}
