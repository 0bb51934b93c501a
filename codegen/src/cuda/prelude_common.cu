// provides: me_sign me_maximum me_minimum me_to_i32 me_to_i64
// numpy's sign: NaN stays NaN, both zeros give +0.0.
__device__ __forceinline__ float me_sign(float x) {
    return isnan(x) ? x : (x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f));
}
__device__ __forceinline__ double me_sign(double x) {
    return isnan(x) ? x : (x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0));
}
// numpy's maximum/minimum: a NaN operand wins (the first one); on ties (+0 and -0) the
// second operand, as numpy 2.x.
__device__ __forceinline__ float me_maximum(float a, float b) {
    return isnan(a) ? a : (isnan(b) ? b : (a > b ? a : b));
}
__device__ __forceinline__ double me_maximum(double a, double b) {
    return isnan(a) ? a : (isnan(b) ? b : (a > b ? a : b));
}
__device__ __forceinline__ float me_minimum(float a, float b) {
    return isnan(a) ? a : (isnan(b) ? b : (a < b ? a : b));
}
__device__ __forceinline__ double me_minimum(double a, double b) {
    return isnan(a) ? a : (isnan(b) ? b : (a < b ? a : b));
}
// Float to integer as Rust's `as` (the interpreter's astype): truncate, saturate, NaN -> 0.
__device__ __forceinline__ int me_to_i32(double x) {
    return isnan(x) ? 0
        : x >= 2147483647.0 ? 2147483647
        : x <= -2147483648.0 ? (-2147483647 - 1)
        : (int)x;
}
__device__ __forceinline__ long long me_to_i64(double x) {
    return isnan(x) ? 0LL
        : x >= 9223372036854775807.0 ? 9223372036854775807LL
        : x <= -9223372036854775808.0 ? (-9223372036854775807LL - 1LL)
        : (long long)x;
}
