//! The Zernike workloads of docs/benchmarks/WORKLOADS.md (W1: all 66 modes with n <= 10, W2:
//! their weighted sum), one JSON object per line on stdout; a human-readable table and
//! compile/run figures on stderr.
//!
//! cargo bench --bench polynomials -- [--only W1,W2] [--size N] [--quick] [--backend cpu,reference]

use mathengine::{Array, Engine};
use std::time::Instant;

mod harness;
use harness::{measure, parse_options, report, report_impl, Measurement};
use rayon::prelude::*;

/// Every (n, m) with n <= 10, n ascending then m ascending (66 modes).
fn modes() -> Vec<(i32, i32)> {
    (0..=10)
        .flat_map(|n| (-n..=n).step_by(2).map(move |m| (n, m)))
        .collect()
}

/// r = hypot(x, y), t = arctan2(y, x) on make_xy_grid(n, diameter=2): lazy, no memory.
fn polar(e: &Engine, n: usize) -> (Array, Array) {
    let (x, y) = e
        .coordinates
        .make_xy_grid(n, None, Some(2.0))
        .expect("grid builds");
    e.coordinates.cart_to_polar(&x, &y).expect("polar builds")
}

/// Compile time of the first evaluation: `first` builds and evaluates once on a
/// cleared cache; the stats say how much of it was compiling.
fn first_run(e: &Engine, label: &str, size: usize, first: impl FnOnce()) {
    e.backend().clear_cache();
    let before = e.stats();
    let t0 = Instant::now();
    first();
    let total = t0.elapsed().as_secs_f64();
    let after = e.stats();
    eprintln!(
        "{label:<4} size {size}: first evaluation {:.1} ms of which compiling {:.1} ms ({} kernel(s) compiled)",
        total * 1e3,
        (after.compile_seconds - before.compile_seconds) * 1e3,
        after.kernels_compiled - before.kernels_compiled
    );
}

/// W1: all 66 modes, orthonormal, evaluated by one `eval_all` into 66 N×N arrays.
fn w1(e: &Engine, n: usize, runs: usize) -> Measurement {
    let nms = modes();
    let once = || {
        let (r, t) = polar(e, n);
        let zs = e
            .polynomials
            .zernike_nm_seq(&nms, &r, &t, true)
            .expect("W1 builds");
        e.eval_all(&zs.iter().collect::<Vec<_>>())
            .expect("W1 evaluates");
        e.synchronize().expect("the backend finishes");
        zs
    };
    first_run(e, "W1", n, || {
        once();
    });
    measure(runs, || {
        let t0 = Instant::now();
        let zs = once();
        let s = t0.elapsed().as_secs_f64();
        drop(zs);
        s
    })
}

/// W2's coefficients: `numpy.random.default_rng(0).normal(size=66) * 1e-2`, as
/// WORKLOADS.md specifies (printed by numpy 2 and pasted here).
const W2_COEFS: [f64; 66] = [
    0.001257302210933933,
    -0.0013210486329130189,
    0.006404226504432821,
    0.001049001171530397,
    -0.005356693731611109,
    0.0036159505490948474,
    0.013040000451301373,
    0.009470809631292421,
    -0.007037352358069926,
    -0.012654214710460526,
    -0.006232744625373522,
    0.000413259793472436,
    -0.023250307746388345,
    -0.0021879166393254574,
    -0.012459109472530651,
    -0.007322673547034517,
    -0.005442589828573099,
    -0.0031630015636915456,
    0.0041163053637413285,
    0.010425133694426776,
    -0.0012853466294403427,
    0.013664634705496859,
    -0.0066519467348661356,
    0.0035151007009301973,
    0.009034701816518087,
    0.0009401229776087456,
    -0.007434992493538084,
    -0.009217253762584195,
    -0.004577258256673392,
    0.002201951234700494,
    -0.01009618183538736,
    -0.0020917557487171307,
    -0.0015922500991447772,
    0.005408455846858077,
    0.002146591225063409,
    0.003553727090399214,
    -0.0065382860941833945,
    -0.0012961363369276945,
    0.007839754700613296,
    0.014934311452207607,
    -0.012590655321041202,
    0.015139237747390627,
    0.013458754237823046,
    0.007813114007004275,
    0.0026445563032930354,
    -0.003139228145364278,
    0.014580206835369588,
    0.019602583164499646,
    0.018016348698661252,
    0.0131510376473437,
    0.00357380410658956,
    -0.012083186322821715,
    -4.454133120083229e-05,
    0.006564749350763358,
    -0.012883614637495544,
    0.0039512206018200826,
    0.0042986369482223,
    0.006960427239628685,
    -0.01184117966757189,
    -0.006617025720390349,
    -0.004364352471432213,
    -0.011698019077728642,
    0.01739367877130134,
    -0.004959107284421519,
    0.003289696294602021,
    -0.00258572545473924,
];

/// W2: the weighted sum of the 66 modes, in WORKLOADS.md's order (n, then m ascending),
/// with `zernike_sum` on (r, t) as WORKLOADS.md builds the grid (`W2`), and with
/// `zernike_sum_xy` on the Cartesian grid, which needs no hypot/arctan2/cos/sin (`W2-XY`).
fn w2(e: &Engine, n: usize, runs: usize, cartesian: bool) -> Measurement {
    let nms = modes();
    let coefs = W2_COEFS;
    let once = || {
        let w = if cartesian {
            let (x, y) = e
                .coordinates
                .make_xy_grid(n, None, Some(2.0))
                .expect("grid");
            e.polynomials.zernike_sum_xy(&coefs, &nms, &x, &y, true)
        } else {
            let (r, t) = polar(e, n);
            e.polynomials.zernike_sum(&coefs, &nms, &r, &t, true)
        }
        .expect("W2 builds");
        w.eval().expect("W2 evaluates");
        e.synchronize().expect("the backend finishes");
        w
    };
    first_run(e, if cartesian { "W2-XY" } else { "W2" }, n, || {
        once();
    });
    measure(runs, || {
        let t0 = Instant::now();
        let w = once();
        let s = t0.elapsed().as_secs_f64();
        drop(w);
        s
    })
}

/// The floor under W1: writing 66 N×N f64 arrays (already allocated, as the engine's
/// buffer pool has them) from all cores, computing nothing.
///
/// With `fresh`, the arrays are allocated anew each run (what a run pays in page faults
/// once the outputs exceed the buffer pool's cap (an eighth of physical memory, 512 MiB to 16 GiB)).
fn write_floor(n: usize, runs: usize, fresh: bool) -> Measurement {
    let mut outputs: Vec<Vec<f64>> = (0..66).map(|_| vec![0.0; n * n]).collect();
    let mut value = 0.0;
    measure(runs, || {
        value += 1.0;
        let t0 = Instant::now();
        if fresh {
            outputs = (0..66).map(|_| vec![0.0; n * n]).collect();
        }
        outputs
            .par_iter_mut()
            .flat_map(|o| o.par_chunks_mut(8192))
            .for_each(|chunk| chunk.fill(value));
        std::hint::black_box(&outputs);
        t0.elapsed().as_secs_f64()
    })
}

fn main() {
    let opts = parse_options();
    let wanted = |w: &str| opts.wants(w);
    let runs = opts.runs();
    eprintln!(
        "mathengine polynomial workloads on {}",
        mathengine_codegen::isa_description()
    );
    if wanted("W1") {
        let n = opts.size.unwrap_or(if opts.quick { 64 } else { 512 });
        report_impl("W1", "write-floor", n, &write_floor(n, runs, false));
        report_impl("W1", "write-floor-fresh", n, &write_floor(n, runs, true));
    }
    for (backend, e) in opts.engines() {
        let backend = backend.as_str();
        // The interpreter is for correctness: small sizes only.
        let slow = backend == "reference";
        let n = opts
            .size
            .unwrap_or(if opts.quick || slow { 64 } else { 512 });
        if wanted("W1") {
            report("W1", backend, n, &w1(&e, n, runs));
        }
        if wanted("W2") {
            report("W2", backend, n, &w2(&e, n, runs, false));
            report("W2-XY", backend, n, &w2(&e, n, runs, true));
        }
    }
}
