//! Distances in units in the last place, for accuracy tests. Included with
//! `#[path = "common/ulps.rs"] mod ulps;`.

/// Distance between the bit patterns of two float32 (every float32 in between counts
/// one; +0 and -0 are neighbours); 0 for two NaNs, the maximum for one NaN.
pub fn ulps_f32(a: f32, b: f32) -> u64 {
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() {
            0
        } else {
            u64::MAX
        };
    }
    let key = |x: f32| {
        let i = x.to_bits() as i32 as i64;
        if i < 0 {
            i32::MIN as i64 - i
        } else {
            i
        }
    };
    key(a).abs_diff(key(b))
}

/// float32 inputs whose results must be f32 libm's bits exactly: NaN, ±Inf, ±0,
/// subnormals, arguments beyond sin/cos's fast range (±1e5) and huge values.
#[allow(dead_code)] // not every accuracy test takes them
pub const SPECIALS_F32: [f32; 16] = [
    f32::NAN,
    f32::INFINITY,
    f32::NEG_INFINITY,
    0.0,
    -0.0,
    1e-45,
    -1e-45,
    3e-39,
    -3e-39,
    1e5 + 0.01,
    -1e5 - 0.01,
    3.0e8,
    -1e20,
    f32::MAX,
    f32::MIN,
    1e30,
];
