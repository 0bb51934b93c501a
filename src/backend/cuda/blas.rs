//! Matrix products with cuBLAS: row-major `C = A B` is column-major `Cᵀ = Bᵀ Aᵀ`, so
//! one column-major strided batched GEMM with the operands swapped computes it, with no
//! transposes. f32, f64, complex64 and complex128; other linear algebra runs on the CPU.

use super::device::{lib_err, CudaBuffer, Device};
use cudarc::cublas::result as blas;
use cudarc::cublas::sys as blas_sys;
use mathengine_ir::schedule::{LibraryCall, LibraryCallArgs};
use mathengine_ir::{DType, Error, LibraryOp, Result};
use std::ffi::c_void;
use std::sync::Arc;

/// A cuBLAS handle bound to the device's stream, destroyed when dropped.
pub(crate) struct BlasHandle(blas_sys::cublasHandle_t);

// SAFETY: a cuBLAS handle may be used from any thread as long as calls on it do not
// overlap; the device keeps it behind a mutex.
unsafe impl Send for BlasHandle {}

impl Drop for BlasHandle {
    fn drop(&mut self) {
        // SAFETY: the handle came from cublasCreate and is destroyed only here.
        let _ = unsafe { blas::destroy_handle(self.0) };
    }
}

/// Whether cuBLAS can run the matmul step `call`.
pub(crate) fn supports(call: &LibraryCallArgs) -> bool {
    call.op == LibraryOp::MatMul && matmul_dims(call).is_some()
}

/// (batch, m, k, n) of a supported matmul call.
fn matmul_dims(call: &LibraryCallArgs) -> Option<(usize, usize, usize, usize)> {
    let t = call.output_dtype;
    if !(t.is_float() || t.is_complex()) || call.input_dtypes.as_slice() != [t, t] {
        return None;
    }
    let [a, b] = call.input_shapes.as_slice() else {
        return None;
    };
    let ([ab @ .., m, k], [bb @ .., k2, n]) = (&a[..], &b[..]) else {
        return None;
    };
    let batch: usize = ab.iter().product();
    let fits = |x: usize| x <= i32::MAX as usize;
    let ok = k == k2
        && ab.iter().product::<usize>() == bb.iter().product::<usize>()
        && call.output_shape.iter().product::<usize>() == batch * m * n
        && [batch, *m, *k, *n].into_iter().all(fits);
    ok.then_some((batch, *m, *k, *n))
}

/// The column-major GEMM (no transposes) that computes a row-major product
/// `[m, k] @ [k, n]`: cuBLAS's A is our b, its B is our a.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Gemm {
    m: i32,
    n: i32,
    k: i32,
    lda: i32,
    stride_a: i64,
    ldb: i32,
    stride_b: i64,
    ldc: i32,
    stride_c: i64,
}

impl Gemm {
    fn row_major(m: usize, k: usize, n: usize) -> Gemm {
        Gemm {
            m: n as i32,
            n: m as i32,
            k: k as i32,
            lda: n as i32,
            stride_a: (k * n) as i64,
            ldb: k as i32,
            stride_b: (m * k) as i64,
            ldc: n as i32,
            stride_c: (m * n) as i64,
        }
    }
}

/// Queue `a @ b` (operands in `call`'s shapes) into a new buffer.
pub(crate) fn run_matmul(
    dev: &Arc<Device>,
    call: &LibraryCall,
    a: &CudaBuffer,
    b: &CudaBuffer,
) -> Result<CudaBuffer> {
    let (batch, m, k, n) = matmul_dims(call).ok_or_else(|| Error::Unsupported {
        backend: "cuda".into(),
        what: "matmul".into(),
        reason: format!(
            "cuBLAS does not take operands {:?} of shapes {:?}",
            call.input_dtypes, call.input_shapes
        ),
    })?;
    let t = call.output_dtype;
    let out = dev.buffer(t, batch * m * n)?;
    if batch * m * n == 0 {
        return Ok(out);
    }
    if k == 0 {
        dev.memset_zero(out.ptr(), batch * m * n * t.size())?;
        return Ok(out);
    }
    let (data, compute) = match t {
        DType::F32 => (
            blas_sys::cudaDataType_t::CUDA_R_32F,
            blas_sys::cublasComputeType_t::CUBLAS_COMPUTE_32F,
        ),
        DType::F64 => (
            blas_sys::cudaDataType_t::CUDA_R_64F,
            blas_sys::cublasComputeType_t::CUBLAS_COMPUTE_64F,
        ),
        DType::C64 => (
            blas_sys::cudaDataType_t::CUDA_C_32F,
            blas_sys::cublasComputeType_t::CUBLAS_COMPUTE_32F,
        ),
        _ => (
            blas_sys::cudaDataType_t::CUDA_C_64F,
            blas_sys::cublasComputeType_t::CUBLAS_COMPUTE_64F,
        ),
    };
    // alpha = 1, beta = 0 in the scalar type (real types read the first element).
    let (one64, zero64) = ([1.0f64, 0.0], [0.0f64, 0.0]);
    let (one32, zero32) = ([1.0f32, 0.0], [0.0f32, 0.0]);
    let (alpha, beta): (*const c_void, *const c_void) = if t.real() == DType::F64 {
        (one64.as_ptr().cast(), zero64.as_ptr().cast())
    } else {
        (one32.as_ptr().cast(), zero32.as_ptr().cast())
    };
    dev.bind()?;
    let mut guard = dev.blas.lock().unwrap_or_else(|e| e.into_inner());
    let handle = match guard.as_ref() {
        Some(h) => h.0,
        None => {
            let h = BlasHandle(blas::create_handle().map_err(|e| lib_err("creating cuBLAS", e))?);
            // SAFETY: a fresh handle and the device's live stream in the current context.
            unsafe { blas::set_stream(h.0, dev.cu_stream() as _) }
                .map_err(|e| lib_err("setting the cuBLAS stream", e))?;
            let raw = h.0;
            *guard = Some(h);
            raw
        }
    };
    let op = blas_sys::cublasOperation_t::CUBLAS_OP_N;
    let g = Gemm::row_major(m, k, n);
    // SAFETY: `g` is column-major Cᵀ = Bᵀ · Aᵀ over the row-major buffers of b [k, n],
    // a [m, k] and out [m, n] (tested below against a host product), `batch` of each at
    // strides k*n, m*k and m*n elements, all inside their allocations (dims from the
    // call's shapes, which the buffers were made for; all fit i32, checked by
    // `matmul_dims`); alpha and beta are host scalars of the data type and outlive the
    // call (host pointer mode); the handle is used under its mutex on the device's stream.
    unsafe {
        blas::gemm_strided_batched_ex(
            handle,
            op,
            op,
            g.m,
            g.n,
            g.k,
            alpha,
            b.ptr() as *const c_void,
            data,
            g.lda,
            g.stride_a,
            a.ptr() as *const c_void,
            data,
            g.ldb,
            g.stride_b,
            beta,
            out.ptr() as *mut c_void,
            data,
            g.ldc,
            g.stride_c,
            batch as i32,
            compute,
            blas_sys::cublasGemmAlgo_t::CUBLAS_GEMM_DEFAULT,
        )
    }
    .map_err(|e| {
        lib_err(
            &format!("cuBLAS gemm ({batch} x [{m}, {k}] @ [{k}, {n}], {t})"),
            e,
        )
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Column-major strided batched GEMM as cuBLAS defines it (alpha 1, beta 0):
    /// C[i + j*ldc] = sum_l A[i + l*lda] * B[l + j*ldb], per batch at the strides.
    fn simulate_gemm(g: &Gemm, a: &[f64], b: &[f64], batch: usize) -> Vec<f64> {
        let (m, n, k) = (g.m as usize, g.n as usize, g.k as usize);
        let mut c = vec![0.0; batch * g.stride_c as usize];
        for p in 0..batch {
            let (a, b) = (&a[p * g.stride_a as usize..], &b[p * g.stride_b as usize..]);
            for i in 0..m {
                for j in 0..n {
                    c[p * g.stride_c as usize + i + j * g.ldc as usize] = (0..k)
                        .map(|l| a[i + l * g.lda as usize] * b[l + j * g.ldb as usize])
                        .sum();
                }
            }
        }
        c
    }

    #[test]
    fn gemm_parameters_compute_the_row_major_product() {
        for (batch, m, k, n) in [(1, 3, 4, 5), (2, 1, 7, 3), (3, 4, 1, 2), (1, 6, 6, 1)] {
            let x: Vec<f64> = (0..batch * m * k).map(|i| (i as f64 * 0.7).sin()).collect();
            let y: Vec<f64> = (0..batch * k * n).map(|i| (i as f64 * 1.3).cos()).collect();
            let g = Gemm::row_major(m, k, n);
            // cuBLAS's A operand is y (our b), its B operand is x (our a).
            let got = simulate_gemm(&g, &y, &x, batch);
            for p in 0..batch {
                for i in 0..m {
                    for j in 0..n {
                        let want: f64 = (0..k)
                            .map(|l| x[p * m * k + i * k + l] * y[p * k * n + l * n + j])
                            .sum();
                        let v = got[p * m * n + i * n + j];
                        assert!((v - want).abs() < 1e-12, "{batch}x[{m},{k}]@[{k},{n}]");
                    }
                }
            }
        }
    }

    fn call(a: &[usize], b: &[usize], out: &[usize], t: DType) -> LibraryCallArgs {
        LibraryCallArgs {
            op: LibraryOp::MatMul,
            input_shapes: vec![a.into(), b.into()],
            input_dtypes: vec![t, t],
            output_shape: out.into(),
            output_dtype: t,
        }
    }

    #[test]
    fn matmul_dims_of_plain_and_batched_products() {
        let c = call(&[3, 4], &[4, 5], &[3, 5], DType::F64);
        assert_eq!(matmul_dims(&c), Some((1, 3, 4, 5)));
        let c = call(&[2, 3, 4], &[2, 4, 5], &[2, 3, 5], DType::C64);
        assert_eq!(matmul_dims(&c), Some((2, 3, 4, 5)));
        let c = call(&[3, 4], &[5, 5], &[3, 5], DType::F64);
        assert_eq!(matmul_dims(&c), None, "inner dims differ");
        let c = call(&[3, 4], &[4, 5], &[3, 5], DType::I64);
        assert_eq!(matmul_dims(&c), None, "integers are for the CPU");
        assert!(!supports(&c));
    }
}
