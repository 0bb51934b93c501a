// provides: me_uniform me_normal
// Philox4x32-10 (Salmon et al., SC'11) on counter (lo, hi, 0, 0) and the 64-bit seed as
// key: element i of a random array is a pure function of (seed, i), on every backend.
__device__ __forceinline__ void me_philox(unsigned long long seed, unsigned long long counter,
                                          unsigned int w[4]) {
    unsigned int c0 = (unsigned int)counter, c1 = (unsigned int)(counter >> 32), c2 = 0u, c3 = 0u;
    unsigned int k0 = (unsigned int)seed, k1 = (unsigned int)(seed >> 32);
    for (int round = 0; round < 10; ++round) {
        if (round > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        unsigned long long p0 = 0xD2511F53ull * c0;
        unsigned long long p1 = 0xCD9E8D57ull * c2;
        unsigned int n0 = (unsigned int)(p1 >> 32) ^ c1 ^ k0;
        unsigned int n2 = (unsigned int)(p0 >> 32) ^ c3 ^ k1;
        c1 = (unsigned int)p1;
        c3 = (unsigned int)p0;
        c0 = n0;
        c2 = n2;
    }
    w[0] = c0; w[1] = c1; w[2] = c2; w[3] = c3;
}
// 53 random bits as a double in [0, 1).
__device__ __forceinline__ double me_unit(unsigned int hi, unsigned int lo) {
    unsigned long long bits = ((unsigned long long)hi << 21) ^ (unsigned long long)(lo >> 11);
    return (double)(bits & 0x1fffffffffffffull) * (1.0 / 9007199254740992.0);
}
__device__ __forceinline__ double me_uniform(long long seed, long long counter) {
    unsigned int w[4];
    me_philox((unsigned long long)seed, (unsigned long long)counter, w);
    return me_unit(w[0], w[1]);
}
// Box-Muller of two uniforms of one Philox block; 1 - u keeps the log finite.
__device__ __forceinline__ double me_normal(long long seed, long long counter) {
    unsigned int w[4];
    me_philox((unsigned long long)seed, (unsigned long long)counter, w);
    double u1 = 1.0 - me_unit(w[0], w[1]);
    double u2 = me_unit(w[2], w[3]);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
