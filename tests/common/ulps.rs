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
