// provides: me_wadd me_wsub me_wmul me_wneg me_wabs me_isign me_div me_rem me_ipow
// Integer arithmetic wraps (two's complement), as the interpreter's wrapping_* do.
__device__ __forceinline__ int me_wadd(int a, int b) { return (int)((unsigned)a + (unsigned)b); }
__device__ __forceinline__ int me_wsub(int a, int b) { return (int)((unsigned)a - (unsigned)b); }
__device__ __forceinline__ int me_wmul(int a, int b) { return (int)((unsigned)a * (unsigned)b); }
__device__ __forceinline__ int me_wneg(int a) { return (int)(0u - (unsigned)a); }
__device__ __forceinline__ long long me_wadd(long long a, long long b) {
    return (long long)((unsigned long long)a + (unsigned long long)b);
}
__device__ __forceinline__ long long me_wsub(long long a, long long b) {
    return (long long)((unsigned long long)a - (unsigned long long)b);
}
__device__ __forceinline__ long long me_wmul(long long a, long long b) {
    return (long long)((unsigned long long)a * (unsigned long long)b);
}
__device__ __forceinline__ long long me_wneg(long long a) {
    return (long long)(0ull - (unsigned long long)a);
}
template <typename I> __device__ __forceinline__ I me_wabs(I a) { return a < 0 ? me_wneg(a) : a; }
template <typename I> __device__ __forceinline__ I me_isign(I a) { return (I)((a > 0) - (a < 0)); }
// Truncating division and remainder; division by zero gives 0 (numpy), MIN / -1 wraps.
__device__ __forceinline__ int me_div(int a, int b) {
    return b == 0 ? 0 : (b == -1 ? me_wneg(a) : a / b);
}
__device__ __forceinline__ int me_rem(int a, int b) {
    return (b == 0 || b == -1) ? 0 : a % b;
}
// 64-bit division is slow on GPUs: index arithmetic (non-negative, below 2^32) takes
// the 32-bit path.
__device__ __forceinline__ long long me_div(long long a, long long b) {
    if (b == 0) return 0;
    if (b == -1) return me_wneg(a);
    if ((unsigned long long)(a | b) <= 0xffffffffull)
        return (long long)((unsigned)a / (unsigned)b);
    return a / b;
}
__device__ __forceinline__ long long me_rem(long long a, long long b) {
    if (b == 0 || b == -1) return 0;
    if ((unsigned long long)(a | b) <= 0xffffffffull)
        return (long long)((unsigned)a % (unsigned)b);
    return a % b;
}
// Integer power by squaring; a negative exponent gives the truncated 1/b^n.
template <typename I> __device__ __forceinline__ I me_ipow(I b, I e) {
    if (e < 0) return b == 1 ? (I)1 : (b == -1 ? ((e & 1) ? b : (I)1) : (I)0);
    I result = 1;
    while (e > 0) {
        if (e & 1) result = me_wmul(result, b);
        b = me_wmul(b, b);
        e >>= 1;
    }
    return result;
}
