//! The libm fallback: when any lane is outside an approximation's fast range, the
//! whole vector is computed by the runtime helper lane by lane instead, so special
//! values come out exactly as libm's. Works for f64x2 and f32x4 registers alike (the
//! helpers then take f64 or f32).

use super::vec_ops::splat;
use crate::translate::Emitter;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{InstBuilder, Value};

/// Compute `fast(x)` (one result per helper) unless a lane is `outside`, then call the
/// libm helpers per lane instead.
pub(super) fn with_slow_path<const N: usize>(
    e: &mut Emitter,
    x: Value,
    outside: Value,
    helpers: [&'static str; N],
    fast: impl FnOnce(&mut Emitter, Value) -> [Value; N],
) -> [Value; N] {
    let slow_block = e.b.create_block();
    let fast_block = e.b.create_block();
    let join = e.b.create_block();
    let ty = e.b.func.dfg.value_type(x);
    let (lane_ty, lanes) = (ty.lane_type(), ty.lane_count() as u8);
    let results: Vec<Value> = (0..N).map(|_| e.b.append_block_param(join, ty)).collect();
    let any = e.b.ins().vany_true(outside);
    e.b.ins().brif(any, slow_block, &[], fast_block, &[]);

    e.b.switch_to_block(slow_block);
    let mut slow = Vec::new();
    for helper in helpers {
        let f = e.import(helper, &[lane_ty], Some(lane_ty));
        let mut r = x;
        for lane in 0..lanes {
            let a = e.b.ins().extractlane(x, lane);
            let call = e.b.ins().call(f, &[a]);
            let y = e.b.inst_results(call)[0];
            r = e.b.ins().insertlane(r, y, lane);
        }
        slow.push(r.into());
    }
    e.b.ins().jump(join, &slow);

    e.b.switch_to_block(fast_block);
    let ys: Vec<_> = fast(e, x).into_iter().map(|y| y.into()).collect();
    e.b.ins().jump(join, &ys);
    e.b.switch_to_block(join);
    results.try_into().expect("N results")
}

/// Per lane `helper(x, y)` for a binary libm helper, when any lane is `outside`.
pub(super) fn with_slow_path2(
    e: &mut Emitter,
    x: Value,
    y: Value,
    outside: Value,
    helper: &'static str,
    fast: impl FnOnce(&mut Emitter, Value, Value) -> Value,
) -> Value {
    let slow_block = e.b.create_block();
    let fast_block = e.b.create_block();
    let join = e.b.create_block();
    let ty = e.b.func.dfg.value_type(x);
    let (lane_ty, lanes) = (ty.lane_type(), ty.lane_count() as u8);
    let result = e.b.append_block_param(join, ty);
    let any = e.b.ins().vany_true(outside);
    e.b.ins().brif(any, slow_block, &[], fast_block, &[]);

    e.b.switch_to_block(slow_block);
    let f = e.import(helper, &[lane_ty, lane_ty], Some(lane_ty));
    let mut r = x;
    for lane in 0..lanes {
        let a = e.b.ins().extractlane(x, lane);
        let b = e.b.ins().extractlane(y, lane);
        let call = e.b.ins().call(f, &[a, b]);
        let v = e.b.inst_results(call)[0];
        r = e.b.ins().insertlane(r, v, lane);
    }
    e.b.ins().jump(join, &[r.into()]);

    e.b.switch_to_block(fast_block);
    let v = fast(e, x, y);
    e.b.ins().jump(join, &[v.into()]);
    e.b.switch_to_block(join);
    result
}

/// Lanes where |v| is NaN, above 2^500, or below 2^-500 (zero included unless
/// `zero_ok`).
pub(super) fn out_of_safe_range(e: &mut Emitter, v: Value, zero_ok: bool) -> Value {
    let av = e.b.ins().fabs(v);
    let big = splat(e, f64::from_bits((1023 + 500) << 52));
    let small = splat(e, f64::from_bits((1023 - 500) << 52));
    let over = e.b.ins().fcmp(FloatCC::UnorderedOrGreaterThan, av, big);
    let under = e.b.ins().fcmp(FloatCC::LessThan, av, small);
    let under = if zero_ok {
        let zero = splat(e, 0.0);
        let nz = e.b.ins().fcmp(FloatCC::NotEqual, av, zero);
        e.b.ins().band(under, nz)
    } else {
        under
    };
    e.b.ins().bor(over, under)
}
