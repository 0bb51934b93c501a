//! The harness of the hostile-input suites (tests/hostile_*.rs): tables of named bad
//! calls, each checked for a clear error (its kind and fragments of its message) or for
//! the value numpy defines, run so that a panic fails one case and an abort (a huge
//! allocation) fails one case in a child process, not the whole run.
#![allow(dead_code)] // each suite uses part of the harness

use mathengine::{Array, DType, Element, Engine, Error, ErrorKind, Result};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// What a case established, if it passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A clear error: the expected kind, naming the call and its arguments.
    ClearError,
    /// The value numpy defines for this call.
    NumpyValue,
}

pub type Check = std::result::Result<Verdict, String>;
pub type CaseFn = Box<dyn Fn() -> Check + Send + Sync>;

/// One hostile call: its name, the check, and whether it must run in a child process
/// (a case that allocates huge buffers and could abort the process if mishandled).
pub struct Case {
    pub name: String,
    pub isolate: bool,
    pub run: CaseFn,
}

/// A table of cases, built with `case` / `isolated`.
#[derive(Default)]
pub struct Table(pub Vec<Case>);

impl Table {
    pub fn case(&mut self, name: impl Into<String>, f: impl Fn() -> Check + Send + Sync + 'static) {
        self.0.push(Case {
            name: name.into(),
            isolate: false,
            run: Box::new(f),
        });
    }
    pub fn isolated(
        &mut self,
        name: impl Into<String>,
        f: impl Fn() -> Check + Send + Sync + 'static,
    ) {
        self.0.push(Case {
            name: name.into(),
            isolate: true,
            run: Box::new(f),
        });
    }
}

/// The error `r` must be: of `kind`, its message containing every fragment.
pub fn err<T>(r: Result<T>, kind: ErrorKind, fragments: &[&str]) -> Check {
    match r {
        Ok(_) => Err(format!("expected a {kind:?} error, got a value")),
        Err(e) => check_error(&e, kind, fragments),
    }
}

pub fn check_error(e: &Error, kind: ErrorKind, fragments: &[&str]) -> Check {
    let text = e.to_string();
    if e.kind() != kind {
        return Err(format!(
            "expected a {kind:?} error, got {:?}: {text}",
            e.kind()
        ));
    }
    for f in fragments {
        if !text.contains(f) {
            return Err(format!("the message lacks {f:?}: {text}"));
        }
    }
    // No Rust debug formatting leaks into messages.
    for leak in ["Some(", "None", "[Some", "Slice {", "\\\""] {
        if text.contains(leak) {
            return Err(format!(
                "the message shows Rust debug output ({leak}): {text}"
            ));
        }
    }
    Ok(Verdict::ClearError)
}

/// The error evaluating `r` must be (building it may already fail, also accepted).
pub fn eval_err(r: Result<Array>, kind: ErrorKind, fragments: &[&str]) -> Check {
    match r {
        Err(e) => check_error(&e, kind, fragments),
        Ok(a) => match a.eval() {
            Ok(_) => Err("expected an error, but the array evaluated".into()),
            Err(e) => check_error(&e, kind, fragments),
        },
    }
}

/// Bitwise equality with NaN equal to NaN (and -0.0 distinct from 0.0).
fn same_f64(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

/// `r` must hold exactly these float64 values with this shape.
pub fn values(r: Result<Array>, shape: &[usize], want: &[f64]) -> Check {
    let a = r.map_err(|e| format!("expected a value, got the error: {e}"))?;
    if a.shape() != shape {
        return Err(format!("shape {:?}, expected {shape:?}", a.shape()));
    }
    let got = a
        .astype(DType::F64)
        .to_vec::<f64>()
        .map_err(|e| format!("evaluating failed: {e}"))?;
    if got.len() != want.len() || !got.iter().zip(want).all(|(&g, &w)| same_f64(g, w)) {
        return Err(format!("got {got:?}, expected {want:?}"));
    }
    Ok(Verdict::NumpyValue)
}

/// `r` must hold values within `tol` (absolute) of these, with this shape.
pub fn close(r: Result<Array>, shape: &[usize], want: &[f64], tol: f64) -> Check {
    let a = r.map_err(|e| format!("expected a value, got the error: {e}"))?;
    if a.shape() != shape {
        return Err(format!("shape {:?}, expected {shape:?}", a.shape()));
    }
    let got = a
        .astype(DType::F64)
        .to_vec::<f64>()
        .map_err(|e| format!("evaluating failed: {e}"))?;
    let ok = got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(&g, &w)| same_f64(g, w) || (g - w).abs() <= tol);
    if !ok {
        return Err(format!("got {got:?}, expected {want:?} (tolerance {tol})"));
    }
    Ok(Verdict::NumpyValue)
}

/// `r` must hold exactly these elements of type `T` (its own dtype).
pub fn exact<T: Element + PartialEq + std::fmt::Debug>(
    r: Result<Array>,
    shape: &[usize],
    want: &[T],
) -> Check {
    let a = r.map_err(|e| format!("expected a value, got the error: {e}"))?;
    if a.shape() != shape {
        return Err(format!("shape {:?}, expected {shape:?}", a.shape()));
    }
    let got = a
        .to_vec::<T>()
        .map_err(|e| format!("reading failed: {e}"))?;
    if got != want {
        return Err(format!("got {got:?}, expected {want:?}"));
    }
    Ok(Verdict::NumpyValue)
}

/// An engine on `backend`.
pub fn engine(backend: &str) -> Engine {
    Engine::with_backend(backend).expect("builtin backend")
}

pub fn f64s(e: &Engine, v: &[f64], shape: &[usize]) -> Array {
    e.from_vec(v.to_vec(), shape).expect("valid data")
}

/// Run a table: every case in turn (isolated ones in a child process running this same
/// test binary), collecting failures; prints the counts and fails if any case failed.
/// `test_name` is the `#[test]` function calling this (the child runs it with
/// `HOSTILE_CASE=<case name>` to run that one case).
pub fn run_table(suite: &str, test_name: &str, table: Table) {
    // In a child process: run the one case asked for and report through the exit code.
    if let Ok(only) = std::env::var("HOSTILE_CASE") {
        let case = table
            .0
            .iter()
            .find(|c| c.name == only)
            .unwrap_or_else(|| panic!("no case named {only}"));
        match (case.run)() {
            Ok(v) => {
                println!("HOSTILE_RESULT {v:?}");
                return;
            }
            Err(msg) => panic!("case {only} failed: {msg}"),
        }
    }
    let mut names = std::collections::HashSet::new();
    for c in &table.0 {
        assert!(
            names.insert(c.name.clone()),
            "duplicate case name {}",
            c.name
        );
    }
    let mut failures: Vec<String> = Vec::new();
    let (mut clear, mut numpy, mut isolated) = (0usize, 0usize, 0usize);
    for case in &table.0 {
        let outcome = if case.isolate {
            isolated += 1;
            run_isolated(test_name, &case.name)
        } else {
            match catch_unwind(AssertUnwindSafe(|| (case.run)())) {
                Ok(r) => r,
                Err(p) => Err(format!("panicked: {}", panic_text(&p))),
            }
        };
        match outcome {
            Ok(Verdict::ClearError) => clear += 1,
            Ok(Verdict::NumpyValue) => numpy += 1,
            Err(msg) => failures.push(format!("{}: {msg}", case.name)),
        }
    }
    println!(
        "hostile {suite}: {} cases ({isolated} in child processes): {clear} clear errors, {numpy} numpy-equal values, {} failed",
        table.0.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} hostile {suite} cases failed:\n{}",
        failures.len(),
        table.0.len(),
        failures.join("\n")
    );
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a non-text panic".into())
}

/// Run one case in a child process (this test binary, filtered to `test_name`), so that
/// an abort fails this case only.
fn run_isolated(test_name: &str, case: &str) -> Check {
    let exe = std::env::current_exe().map_err(|e| format!("no test binary path: {e}"))?;
    let out = std::process::Command::new(exe)
        .args([test_name, "--exact", "--nocapture", "--test-threads=1"])
        .env("HOSTILE_CASE", case)
        .output()
        .map_err(|e| format!("could not start the child process: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!(
            "the child process failed ({}): {}{}",
            out.status,
            stdout.lines().rev().take(8).collect::<Vec<_>>().join(" | "),
            stderr.lines().rev().take(8).collect::<Vec<_>>().join(" | ")
        ));
    }
    if stdout.contains("HOSTILE_RESULT ClearError") {
        Ok(Verdict::ClearError)
    } else if stdout.contains("HOSTILE_RESULT NumpyValue") {
        Ok(Verdict::NumpyValue)
    } else {
        Err(format!("the child process reported nothing: {stdout}"))
    }
}
