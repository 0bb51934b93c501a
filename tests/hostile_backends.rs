//! Hostile input, part 4: backends. The launch contract checks itself (a kernel or a
//! library call handed buffers that do not match what lowering recorded is an internal
//! error, never an out-of-bounds read), kernels with hundreds of operands or axes (whose
//! parameters once collided) compute the right values on cpu and reference, and bad
//! backend names are clear errors. See tests/hostile_common for the harness.

mod hostile_common;

use hostile_common::*;
use mathengine::backend::cpu::CpuBackend;
use mathengine::backend::reference::ReferenceBackend;
use mathengine::{Array, Backend, DType, Engine, ErrorKind, HostBuffer, Norm};
use mathengine_ir::schedule::{schedule, Step, Work};
use mathengine_ir::BufferRef;
use std::sync::Arc;
use ErrorKind::{BackendUnavailable, Internal};

const BACKENDS: [&str; 2] = ["cpu", "reference"];

fn backend(name: &str) -> Box<dyn Backend> {
    match name {
        "cpu" => Box::new(CpuBackend::new()),
        _ => Box::new(ReferenceBackend::new()),
    }
}

/// The kernel steps of `a`'s schedule, with its (evaluated) inputs' buffers.
fn steps(a: &Array) -> Vec<Step> {
    schedule(&[a.node().clone()])
}

fn buffers(step: &Step) -> Vec<BufferRef> {
    step.inputs
        .iter()
        .map(|n| n.buffer().expect("inputs are evaluated data"))
        .collect()
}

fn host(v: Vec<f64>) -> BufferRef {
    Arc::new(HostBuffer::from_vec(v))
}

/// `sin(x) * y` over two evaluated inputs of 6 elements: one kernel, two inputs.
fn kernel_step(e: &Engine) -> Step {
    let x = f64s(e, &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], &[2, 3]);
    let y = f64s(e, &[1.0; 6], &[2, 3]);
    let z = &x.sin() * &y;
    steps(&z).into_iter().next().expect("one step")
}

fn run(b: &dyn Backend, step: &Step, inputs: &[BufferRef]) -> mathengine::Result<Vec<BufferRef>> {
    match &step.work {
        Work::Kernel { kernel, launch } => b.run_kernel(kernel, launch, inputs),
        Work::Library(call) => b.run_library(call, inputs),
    }
}

fn contract(t: &mut Table) {
    for name in BACKENDS {
        t.case(format!("{name}/kernel/matching_inputs_run"), move || {
            let e = engine("cpu");
            let s = kernel_step(&e);
            let out = run(backend(name).as_ref(), &s, &buffers(&s)).map_err(|x| x.to_string())?;
            let h = mathengine_ir::as_host(out[0].as_ref()).ok_or("not host")?;
            let got: Vec<f64> = (0..6).map(|i| h.get(i).to_f64()).collect();
            let want: Vec<f64> = (0..6).map(|i| (i as f64).sin()).collect();
            if got == want {
                Ok(Verdict::NumpyValue)
            } else {
                Err(format!("{got:?}"))
            }
        });
        t.case(format!("{name}/kernel/too_few_inputs"), move || {
            let e = engine("cpu");
            let s = kernel_step(&e);
            let mut b = buffers(&s);
            b.pop();
            err(
                run(backend(name).as_ref(), &s, &b),
                Internal,
                &["run kernel", "1 input buffers given, 2 expected"],
            )
        });
        t.case(format!("{name}/kernel/too_many_inputs"), move || {
            let e = engine("cpu");
            let s = kernel_step(&e);
            let mut b = buffers(&s);
            b.push(b[0].clone());
            err(
                run(backend(name).as_ref(), &s, &b),
                Internal,
                &["3 input buffers given, 2 expected"],
            )
        });
        t.case(format!("{name}/kernel/short_input"), move || {
            let e = engine("cpu");
            let s = kernel_step(&e);
            let mut b = buffers(&s);
            b[0] = host(vec![1.0; 2]);
            err(
                run(backend(name).as_ref(), &s, &b),
                Internal,
                &["input 0 has 2 elements", "lowered for 6"],
            )
        });
        t.case(format!("{name}/kernel/long_input"), move || {
            let e = engine("cpu");
            let s = kernel_step(&e);
            let mut b = buffers(&s);
            b[1] = host(vec![1.0; 600]);
            err(
                run(backend(name).as_ref(), &s, &b),
                Internal,
                &["input 1 has 600 elements"],
            )
        });
        t.case(format!("{name}/kernel/empty_input"), move || {
            let e = engine("cpu");
            let s = kernel_step(&e);
            let mut b = buffers(&s);
            b[0] = host(vec![]);
            err(
                run(backend(name).as_ref(), &s, &b),
                Internal,
                &["input 0 has 0 elements"],
            )
        });
        t.case(format!("{name}/kernel/wrong_dtype"), move || {
            let e = engine("cpu");
            let s = kernel_step(&e);
            let mut b = buffers(&s);
            b[0] = Arc::new(HostBuffer::from_vec(vec![1.0f32; 6]));
            err(
                run(backend(name).as_ref(), &s, &b),
                Internal,
                &["input 0 is float32", "reads float64"],
            )
        });
        t.case(
            format!("{name}/kernel/launch_of_another_kernel"),
            move || {
                let e = engine("cpu");
                let s = kernel_step(&e);
                let x = f64s(&e, &[1.0; 6], &[6]);
                let other = steps(&(&x.exp() + 1.0)).into_iter().next().expect("a step");
                let (Work::Kernel { kernel, .. }, Work::Kernel { launch, .. }) =
                    (&s.work, &other.work)
                else {
                    return Err("not kernel steps".into());
                };
                err(
                    backend(name).run_kernel(kernel, launch, &buffers(&s)),
                    Internal,
                    &["the launch was lowered for kernel"],
                )
            },
        );
        t.case(format!("{name}/kernel/hand_made_kernel"), move || {
            // A kernel built by hand (its fields are public data) cannot borrow a
            // lowered launch: the launch is bound to the kernel it was lowered with.
            let e = engine("cpu");
            let s = kernel_step(&e);
            let Work::Kernel { kernel, launch } = &s.work else {
                return Err("not a kernel step".into());
            };
            // Same inputs, but it would load at an index of its own choosing.
            let mut forged = (**kernel).clone();
            let index = forged.body.len() as u32;
            forged.body.push(mathengine_ir::Instr {
                inst: mathengine_ir::Inst::Const(mathengine_ir::graph::ScalarKey(
                    mathengine::Scalar::I64(1 << 40),
                )),
                dtype: DType::I64,
            });
            forged.body.push(mathengine_ir::Instr {
                inst: mathengine_ir::Inst::Load { input: 0, index },
                dtype: DType::F64,
            });
            forged.outputs[0] = index + 1;
            err(
                backend(name).run_kernel(&Arc::new(forged), launch, &buffers(&s)),
                Internal,
                &["the launch was lowered for kernel"],
            )
        });
        // Library calls: the operand of a 2-D FFT.
        let fft_step = |e: &Engine| {
            let x = e
                .complex(&f64s(e, &[1.0; 12], &[3, 4]), &f64s(e, &[0.0; 12], &[3, 4]))
                .expect("complex");
            x.eval().expect("evaluates");
            let f = e.fft.fft2(&x, None, None, Norm::Backward).expect("fft2");
            steps(&f)
                .into_iter()
                .find(|s| matches!(s.work, Work::Library(_)))
                .expect("a library step")
        };
        t.case(format!("{name}/library/short_operand"), move || {
            let e = engine("cpu");
            let s = fft_step(&e);
            let b: Vec<BufferRef> = vec![Arc::new(HostBuffer::from_vec(
                vec![mathengine::Complex64::new(0.0, 0.0); 5],
            ))];
            let r = run(backend(name).as_ref(), &s, &b);
            if name == "reference" {
                // The reference backend has no library kernels: refused before reading.
                err(r, ErrorKind::Backend, &["reference", "fft2"]).or_else(|_| {
                    err(
                        run(backend(name).as_ref(), &s, &b),
                        ErrorKind::Backend,
                        &["fft"],
                    )
                })
            } else {
                err(r, Internal, &["operand 0 has 5 elements", "(3, 4)"])
            }
        });
        t.case(format!("{name}/library/wrong_dtype"), move || {
            let e = engine("cpu");
            let s = fft_step(&e);
            let b = vec![host(vec![0.0; 12])];
            let r = run(backend(name).as_ref(), &s, &b);
            if name == "reference" {
                err(r, ErrorKind::Backend, &["fft"])
            } else {
                err(r, Internal, &["operand 0 is float64", "complex128"])
            }
        });
        t.case(format!("{name}/library/no_operands"), move || {
            let e = engine("cpu");
            let s = fft_step(&e);
            let r = run(backend(name).as_ref(), &s, &[]);
            if name == "reference" {
                err(r, ErrorKind::Backend, &["fft"])
            } else {
                err(r, Internal, &["0 operands given, 1 expected"])
            }
        });
    }
}

/// Values computed here, independently: `k`-th part has `len(k)` elements `1000 k + i`.
fn concat_case(t: &mut Table, backend_name: &'static str, parts: usize) {
    let len = |k: usize| (k * 7 + 3) % 11; // unequal, some empty
    t.case(
        format!("{backend_name}/concatenate_{parts}_arrays"),
        move || {
            let e = engine(backend_name);
            let arrays: Vec<Array> = (0..parts)
                .map(|k| {
                    let v: Vec<f64> = (0..len(k)).map(|i| (1000 * k + i) as f64).collect();
                    f64s(&e, &v, &[len(k)])
                })
                .collect();
            let refs: Vec<&Array> = arrays.iter().collect();
            let want: Vec<f64> = (0..parts)
                .flat_map(|k| (0..len(k)).map(move |i| (1000 * k + i) as f64))
                .collect();
            let n = want.len();
            values(e.concatenate(&refs, 0), &[n], &want)
        },
    );
    t.case(
        format!("{backend_name}/concatenate_{parts}_arrays_axis1"),
        move || {
            let e = engine(backend_name);
            let arrays: Vec<Array> = (0..parts)
                .map(|k| {
                    let v: Vec<f64> = (0..2 * len(k)).map(|i| (1000 * k + i) as f64).collect();
                    f64s(&e, &v, &[2, len(k)])
                })
                .collect();
            let refs: Vec<&Array> = arrays.iter().collect();
            let total: usize = (0..parts).map(len).sum();
            let mut want = Vec::new();
            for row in 0..2 {
                for k in 0..parts {
                    for i in 0..len(k) {
                        want.push((1000 * k + row * len(k) + i) as f64);
                    }
                }
            }
            values(e.concatenate(&refs, 1), &[2, total], &want)
        },
    );
}

/// Row-major multi-index of flat index `f` in `shape`.
fn unravel(mut f: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for d in (0..shape.len()).rev() {
        idx[d] = f % shape[d];
        f /= shape[d];
    }
    idx
}

fn ravel(idx: &[usize], shape: &[usize]) -> usize {
    idx.iter().zip(shape).fold(0, |acc, (&i, &n)| acc * n + i)
}

fn many_dims(t: &mut Table, backend_name: &'static str, ndim: usize) {
    // Extents > 1 on axes 0, 1, 50, ndim-2 and ndim-1 (the ones past 100 used to alias
    // other parameters).
    let shape: Vec<usize> = (0..ndim)
        .map(|d| match d {
            0 | 1 => 2,
            50 => 3,
            d if d == ndim - 1 => 3,
            d if d == ndim - 2 => 2,
            _ => 1,
        })
        .collect();
    let n: usize = shape.iter().product();
    let data: Vec<f64> = (0..n).map(|i| i as f64).collect();
    for axes in [
        vec![ndim as isize - 1],
        vec![0, 50, ndim as isize - 2],
        vec![],
    ] {
        let (shape, data) = (shape.clone(), data.clone());
        let label = if axes.is_empty() {
            "all".to_string()
        } else {
            format!("{axes:?}").replace(' ', "")
        };
        t.case(
            format!("{backend_name}/flip_{ndim}d_axes_{label}"),
            move || {
                let e = engine(backend_name);
                let x = f64s(&e, &data, &shape);
                let flip: Vec<usize> = if axes.is_empty() {
                    (0..shape.len()).collect()
                } else {
                    axes.iter().map(|&a| a as usize).collect()
                };
                let want: Vec<f64> = (0..n)
                    .map(|f| {
                        let mut idx = unravel(f, &shape);
                        for &d in &flip {
                            idx[d] = shape[d] - 1 - idx[d];
                        }
                        data[ravel(&idx, &shape)]
                    })
                    .collect();
                let r = if axes.is_empty() {
                    e.flip(&x, None)
                } else {
                    e.flip(&x, Some(&axes))
                };
                values(r, &shape, &want)
            },
        );
    }
    for (axis, shift) in [(ndim - 1, 1isize), (ndim - 2, -1), (50, 2), (0, 7)] {
        let (shape, data) = (shape.clone(), data.clone());
        t.case(
            format!("{backend_name}/roll_{ndim}d_axis{axis}_by{shift}"),
            move || {
                let e = engine(backend_name);
                let x = f64s(&e, &data, &shape);
                let m = shape[axis] as isize;
                let want: Vec<f64> = (0..n)
                    .map(|f| {
                        let mut idx = unravel(f, &shape);
                        idx[axis] = (idx[axis] as isize - shift).rem_euclid(m) as usize;
                        data[ravel(&idx, &shape)]
                    })
                    .collect();
                values(e.roll(&x, shift, Some(axis as isize)), &shape, &want)
            },
        );
    }
    // Slicing with steps on the high axes, then a sum (a reduction over 100+ axes).
    let (shape2, data2) = (shape.clone(), data.clone());
    t.case(format!("{backend_name}/sum_{ndim}d_keep_last"), move || {
        let e = engine(backend_name);
        let x = f64s(&e, &data2, &shape2);
        let axes: Vec<isize> = (0..ndim as isize - 1).collect();
        let last = shape2[ndim - 1];
        let want: Vec<f64> = (0..last)
            .map(|j| (0..n).filter(|f| f % last == j).map(|f| data2[f]).sum())
            .collect();
        values(e.sum(&x, Some(&axes), false), &[last], &want)
    });
}

fn names(t: &mut Table) {
    for name in ["nope", "", "CPU", "cuda:7", "reference ", "gpu"] {
        t.case(format!("change_backend/{name:?}"), move || {
            let e = Engine::new();
            let r = e.change_backend(name);
            match r {
                Ok(()) => Err(format!("backend {name:?} accepted")),
                Err(x) => check_error(
                    &x,
                    BackendUnavailable,
                    &["is not available", "cpu", "reference"],
                ),
            }
        });
    }
    t.case("with_backend/unknown", || {
        err(
            Engine::with_backend("tpu"),
            BackendUnavailable,
            &["'tpu'", "backends available"],
        )
    });
    t.case("cuda/without_a_device", || {
        if mathengine::backend::cuda::cuda_available() {
            return Ok(Verdict::ClearError); // a GPU is here: nothing to refuse
        }
        err(Engine::with_backend("cuda"), BackendUnavailable, &["cuda"])
    });
    for b in BACKENDS {
        t.case(format!("{b}/empty_min_reduction"), move || {
            let e = engine(b);
            eval_err(
                e.min(&f64s(&e, &[], &[0]), None, false),
                ErrorKind::Invalid,
                &["min", "zero-size"],
            )
        });
        t.case(format!("{b}/same_error_for_bad_reshape"), move || {
            let e = engine(b);
            err(
                e.reshape(&f64s(&e, &[1.0; 6], &[6]), &[4]),
                ErrorKind::Shape,
                &["reshape", "(6,)", "(4,)"],
            )
        });
        t.case(format!("{b}/huge_lazy_zeros"), move || {
            let e = engine(b);
            eval_err(
                Ok(e.zeros(&[usize::MAX, 2], DType::F64)),
                ErrorKind::Invalid,
                &["full", "more elements"],
            )
        });
    }
}

#[test]
fn hostile_backends() {
    let mut t = Table::default();
    contract(&mut t);
    for b in BACKENDS {
        concat_case(&mut t, b, 102);
        concat_case(&mut t, b, 305);
        many_dims(&mut t, b, 101);
        many_dims(&mut t, b, 130);
    }
    names(&mut t);
    run_table("backends", "hostile_backends", t);
}
