// provides: me_complex me_c64 me_c128 me_cadd me_csub me_cmul me_cdiv me_cneg me_cconj me_cabs me_carg me_csign me_csqrt me_cinv me_cexp me_clog me_csin me_ccos me_cpow
// Complex numbers as two reals (interleaved re, im in memory, as the host's), with
// the interpreter's formulas (num_complex's; numpy's for division and reciprocal),
// operation for operation.
template <typename T> struct me_complex { T re; T im; };
typedef me_complex<float> me_c64;
typedef me_complex<double> me_c128;
__device__ __forceinline__ float me_r_sqrt(float x) { return sqrtf(x); }
__device__ __forceinline__ double me_r_sqrt(double x) { return sqrt(x); }
__device__ __forceinline__ float me_r_exp(float x) { return expf(x); }
__device__ __forceinline__ double me_r_exp(double x) { return exp(x); }
__device__ __forceinline__ float me_r_log(float x) { return logf(x); }
__device__ __forceinline__ double me_r_log(double x) { return log(x); }
__device__ __forceinline__ float me_r_sin(float x) { return sinf(x); }
__device__ __forceinline__ double me_r_sin(double x) { return sin(x); }
__device__ __forceinline__ float me_r_cos(float x) { return cosf(x); }
__device__ __forceinline__ double me_r_cos(double x) { return cos(x); }
__device__ __forceinline__ float me_r_sinh(float x) { return sinhf(x); }
__device__ __forceinline__ double me_r_sinh(double x) { return sinh(x); }
__device__ __forceinline__ float me_r_cosh(float x) { return coshf(x); }
__device__ __forceinline__ double me_r_cosh(double x) { return cosh(x); }
__device__ __forceinline__ float me_r_hypot(float x, float y) { return hypotf(x, y); }
__device__ __forceinline__ double me_r_hypot(double x, double y) { return hypot(x, y); }
__device__ __forceinline__ float me_r_atan2(float y, float x) { return atan2f(y, x); }
__device__ __forceinline__ double me_r_atan2(double y, double x) { return atan2(y, x); }
__device__ __forceinline__ float me_r_fabs(float x) { return fabsf(x); }
__device__ __forceinline__ double me_r_fabs(double x) { return fabs(x); }
__device__ __forceinline__ float me_r_nan(float) { return __int_as_float(0x7fc00000); }
__device__ __forceinline__ double me_r_nan(double) { return __longlong_as_double(0x7ff8000000000000LL); }

template <typename T> __device__ __forceinline__ me_complex<T> me_cadd(me_complex<T> a, me_complex<T> b) {
    return {a.re + b.re, a.im + b.im};
}
template <typename T> __device__ __forceinline__ me_complex<T> me_csub(me_complex<T> a, me_complex<T> b) {
    return {a.re - b.re, a.im - b.im};
}
template <typename T> __device__ __forceinline__ me_complex<T> me_cmul(me_complex<T> a, me_complex<T> b) {
    return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
}
// numpy's complex division (Smith's method): x / 0 gives inf or NaN part by part.
template <typename T> __device__ __forceinline__ me_complex<T> me_cdiv(me_complex<T> a, me_complex<T> b) {
    T abs_br = me_r_fabs(b.re), abs_bi = me_r_fabs(b.im);
    if (abs_br >= abs_bi) {
        if (abs_br == (T)0 && abs_bi == (T)0) return {a.re / abs_br, a.im / abs_br};
        T rat = b.im / b.re;
        T scl = (T)1 / (b.re + b.im * rat);
        return {(a.re + a.im * rat) * scl, (a.im - a.re * rat) * scl};
    }
    T rat = b.re / b.im;
    T scl = (T)1 / (b.im + b.re * rat);
    return {(a.re * rat + a.im) * scl, (a.im * rat - a.re) * scl};
}
template <typename T> __device__ __forceinline__ me_complex<T> me_cneg(me_complex<T> a) { return {-a.re, -a.im}; }
template <typename T> __device__ __forceinline__ me_complex<T> me_cconj(me_complex<T> a) { return {a.re, -a.im}; }
template <typename T> __device__ __forceinline__ T me_cabs(me_complex<T> a) { return me_r_hypot(a.re, a.im); }
template <typename T> __device__ __forceinline__ T me_carg(me_complex<T> a) { return me_r_atan2(a.im, a.re); }
// numpy's complex reciprocal.
template <typename T> __device__ __forceinline__ me_complex<T> me_cinv(me_complex<T> a) {
    if (me_r_fabs(a.im) <= me_r_fabs(a.re)) {
        T r = a.im / a.re;
        T d = a.re + a.im * r;
        return {(T)1 / d, -r / d};
    }
    T r = a.re / a.im;
    T d = a.re * r + a.im;
    return {r / d, (T)(-1) / d};
}
template <typename T> __device__ __forceinline__ me_complex<T> me_csign(me_complex<T> a) {
    if (a.re == (T)0 && a.im == (T)0) return a;
    T n = me_cabs(a);
    return {a.re / n, a.im / n};
}
template <typename T> __device__ __forceinline__ me_complex<T> me_from_polar(T r, T theta) {
    return {r * me_r_cos(theta), r * me_r_sin(theta)};
}
template <typename T> __device__ __forceinline__ me_complex<T> me_csqrt(me_complex<T> a) {
    if (a.im == (T)0) {
        if (!signbit(a.re)) return {me_r_sqrt(a.re), a.im};
        T im = me_r_sqrt(-a.re);
        return {(T)0, signbit(a.im) ? -im : im};
    }
    if (a.re == (T)0) {
        T x = me_r_sqrt(me_r_fabs(a.im) / (T)2);
        return {x, signbit(a.im) ? -x : x};
    }
    return me_from_polar(me_r_sqrt(me_cabs(a)), me_carg(a) / (T)2);
}
template <typename T> __device__ __forceinline__ me_complex<T> me_cexp(me_complex<T> a) {
    T re = a.re, im = a.im;
    if (isinf(re)) {
        if (re < (T)0) {
            if (!isfinite(im)) return {(T)0, (T)0};
        } else if (im == (T)0 || !isfinite(im)) {
            if (isinf(im)) im = me_r_nan(im);
            return {re, im};
        }
    } else if (isnan(re) && im == (T)0) {
        return a;
    }
    return me_from_polar(me_r_exp(re), im);
}
template <typename T> __device__ __forceinline__ me_complex<T> me_clog(me_complex<T> a) {
    return {me_r_log(me_cabs(a)), me_carg(a)};
}
template <typename T> __device__ __forceinline__ me_complex<T> me_csin(me_complex<T> a) {
    return {me_r_sin(a.re) * me_r_cosh(a.im), me_r_cos(a.re) * me_r_sinh(a.im)};
}
template <typename T> __device__ __forceinline__ me_complex<T> me_ccos(me_complex<T> a) {
    return {me_r_cos(a.re) * me_r_cosh(a.im), -me_r_sin(a.re) * me_r_sinh(a.im)};
}
// numpy: x**0 is 1 and 0**y is 0 for real y > 0; otherwise exp(y * log(x)).
template <typename T> __device__ __forceinline__ me_complex<T> me_cpow(me_complex<T> x, me_complex<T> y) {
    if (y.re == (T)0 && y.im == (T)0) return {(T)1, (T)0};
    if (x.re == (T)0 && x.im == (T)0 && y.im == (T)0 && y.re > (T)0) return {(T)0, (T)0};
    return me_cexp(me_cmul(y, me_clog(x)));
}
