//! Polynomial orders and indices at their limits: every case is a correct value or a
//! clear error, never a hang, a panic, an abort or a silently wrapped answer.
//!
//! Each case runs in a child process (this test binary re-run on one case, with a time
//! limit), so a case that hangs, panics or aborts fails its test instead of taking the
//! whole run down with it.

use mathengine::polynomials::MAX_ORDER;
use mathengine::{Array, Engine};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CASE_VAR: &str = "MATHENGINE_LIMIT_CASE";
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// Run `case` in a child process; fail with its output if it fails, panics, aborts or
/// runs past the time limit.
fn in_child(case: &str) {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut child = Command::new(exe)
        .args(["--exact", "child_entry", "--nocapture", "--test-threads=1"])
        .env(CASE_VAR, case)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the child test process");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            let out = child.wait_with_output().expect("the child's output");
            assert!(
                status.success(),
                "case {case} failed ({status}):\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            return;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("case {case} did not finish within {TIME_LIMIT:?} (a hang)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The child side: runs the case named by the environment (and nothing when it is unset,
/// as in an ordinary test run).
#[test]
fn child_entry() {
    let Ok(case) = std::env::var(CASE_VAR) else {
        return;
    };
    run_case(&case);
}

fn grid(e: &Engine) -> (Array, Array) {
    let r = e.linspace(0.0, 1.0, 5);
    let t = e.linspace(0.0, 1.0, 5);
    (r, t)
}

/// `r` is an error whose message names `op` and says what is wrong.
fn assert_clear_err<T: std::fmt::Debug>(op: &str, r: mathengine::Result<T>, words: &[&str]) {
    match r {
        Ok(v) => panic!("{op}: expected an error, got Ok({v:?})"),
        Err(err) => {
            let msg = err.to_string();
            assert!(
                msg.contains(op),
                "{op}: the message does not name the call: {msg}"
            );
            for w in words {
                assert!(msg.contains(w), "{op}: the message lacks {w:?}: {msg}");
            }
        }
    }
}

fn run_case(case: &str) {
    let e = Engine::new();
    let p = &e.polynomials;
    let (r, t) = grid(&e);
    let max_i32 = i32::MAX as u128;
    match case {
        // ---- index conversions: no loop over rows, no wrap-around
        "noll_to_nm_usize_max" => {
            assert_clear_err("noll_to_nm", p.noll_to_nm(usize::MAX), &["does not fit"])
        }
        "noll_to_nm_2_pow_62" => {
            assert_clear_err("noll_to_nm", p.noll_to_nm(1 << 62), &["does not fit"])
        }
        "noll_round_trip_at_the_i32_limit" => {
            // the last row that fits: n = i32::MAX, every m of it
            let n = i32::MAX;
            for m in [n, -n, n - 2, -(n - 2), 1, -1] {
                let j = p.nm_to_noll(n, m).unwrap();
                assert_eq!(p.noll_to_nm(j).unwrap(), (n, m), "j = {j}");
            }
            // the first index past that row does not fit
            let last = (max_i32 + 1) * (max_i32 + 2) / 2;
            assert_clear_err(
                "noll_to_nm",
                p.noll_to_nm(last as usize + 1),
                &["does not fit"],
            );
        }
        "ansi_j_to_nm_usize_max" => assert_clear_err(
            "ansi_j_to_nm",
            p.ansi_j_to_nm(usize::MAX),
            &["does not fit"],
        ),
        "nm_to_ansi_j_i32_max" => {
            // j = (n(n+2) + m) / 2 computed without overflow (it used to wrap to 0)
            let n = i32::MAX as u128;
            let m = 1;
            let want = (n * (n + 2) + m) / 2;
            let j = p.nm_to_ansi_j(i32::MAX, 1).unwrap();
            assert_eq!(j as u128, want);
            assert_eq!(p.ansi_j_to_nm(j).unwrap(), (i32::MAX, 1));
        }
        "fringe_to_nm_usize_max" => assert_clear_err(
            "fringe_to_nm",
            p.fringe_to_nm(usize::MAX),
            &["does not fit"],
        ),
        "fringe_round_trip_large" => {
            for (n, m) in [(i32::MAX - 1, 0), (40_000, -40_000), (1_000_001, 3)] {
                let j = p.nm_to_fringe(n, m).unwrap();
                assert_eq!(p.fringe_to_nm(j).unwrap(), (n, m), "j = {j}");
            }
        }
        "xy_j_to_mn_usize_max" => {
            let (m, n) = p.xy_j_to_mn(usize::MAX).unwrap();
            assert_eq!(p.xy_mn_to_j(m, n).unwrap(), usize::MAX);
        }
        "xy_mn_to_j_overflow" => {
            assert_clear_err("xy_mn_to_j", p.xy_mn_to_j(usize::MAX, 1), &["does not fit"]);
            assert_clear_err("xy_mn_to_j", p.xy_mn_to_j(1 << 33, 0), &["does not fit"]);
        }
        // ---- graph builders: orders bounded, no unbounded graph, no abort
        "jacobi_usize_max" => {
            assert_clear_err("jacobi", p.jacobi(usize::MAX, 0.0, 0.0, &r), &["maximum"])
        }
        "jacobi_seq_usize_max" => assert_clear_err(
            "jacobi_seq",
            p.jacobi_seq(&[1, usize::MAX], 0.0, 0.0, &r),
            &["maximum"],
        ),
        "legendre_and_qbfs_usize_max" => {
            assert_clear_err("legendre", p.legendre(usize::MAX, &r), &["maximum"]);
            assert_clear_err("qbfs", p.qbfs(usize::MAX, &r), &["maximum"]);
            assert_clear_err("qcon", p.qcon(MAX_ORDER + 1, &r), &["maximum"]);
        }
        "q2d_m_i32_min" => assert_clear_err("q2d", p.q2d(1, i32::MIN, &r, &t), &["|m|", "maximum"]),
        "q2d_n_i32_max" => assert_clear_err("q2d", p.q2d(i32::MAX, 1, &r, &t), &["maximum"]),
        "zernike_nm_i32_max" => assert_clear_err(
            "zernike_nm",
            p.zernike_nm(i32::MAX, 1, &r, &t, false),
            &["maximum"],
        ),
        "zernike_sum_and_der_xy_i32_max" => {
            assert_clear_err(
                "zernike_sum",
                p.zernike_sum(&[1.0], &[(i32::MAX, 1)], &r, &t, true),
                &["maximum"],
            );
            assert_clear_err(
                "zernike_nm_der_xy",
                p.zernike_nm_der_xy(i32::MAX - 1, 0, &r, &t, true),
                &["maximum"],
            );
        }
        "xy_usize_max" => assert_clear_err("xy", p.xy(usize::MAX, 0, &r, &t), &["maximum"]),
        "orders_at_the_limit_still_build" => {
            // the bound refuses only what is above it
            let v = p.legendre(64, &r).unwrap().to_vec::<f64>().unwrap();
            assert!((v[4] - 1.0).abs() < 1e-12, "P_64(1) = 1, got {}", v[4]);
            assert!(p.legendre(MAX_ORDER, &r).is_ok());
        }
        other => panic!("unknown case {other}"),
    }
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                in_child(stringify!($name));
            }
        )*
    };
}

cases!(
    noll_to_nm_usize_max,
    noll_to_nm_2_pow_62,
    noll_round_trip_at_the_i32_limit,
    ansi_j_to_nm_usize_max,
    nm_to_ansi_j_i32_max,
    fringe_to_nm_usize_max,
    fringe_round_trip_large,
    xy_j_to_mn_usize_max,
    xy_mn_to_j_overflow,
    jacobi_usize_max,
    jacobi_seq_usize_max,
    legendre_and_qbfs_usize_max,
    q2d_m_i32_min,
    q2d_n_i32_max,
    zernike_nm_i32_max,
    zernike_sum_and_der_xy_i32_max,
    xy_usize_max,
    orders_at_the_limit_still_build,
);
