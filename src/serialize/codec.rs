//! The byte encoding of one node: tags of dtypes and ops, scalars, index lists, host
//! buffers, and the bounds-checked reader and writer.

use super::invalid;
use mathengine_ir::graph::{Bits, Generator, LibraryOp, Op, ReduceOp, ScalarKey};
use mathengine_ir::ops::{BinaryOp, UnaryOp};
use mathengine_ir::{DType, DeviceBuffer, Error, HostBuffer, Result, Scalar};
use num_complex::{Complex32, Complex64};
use smallvec::SmallVec;

pub(super) fn dtype_tag(d: DType) -> u8 {
    DType::ALL.iter().position(|&x| x == d).unwrap_or(0) as u8
}
pub(super) fn tag_dtype(t: u8) -> Result<DType> {
    DType::ALL
        .get(t as usize)
        .copied()
        .ok_or_else(|| invalid(format!("unknown dtype tag {t}")))
}

pub(super) fn write_scalar(w: &mut Writer, s: Scalar) {
    let (t, a, b) = s.bits();
    w.u8(t);
    w.u64(a);
    w.u64(b);
}
pub(super) fn read_scalar(r: &mut Reader) -> Result<Scalar> {
    let t = r.u8()?;
    let a = r.u64()?;
    let b = r.u64()?;
    Ok(match t {
        0 => Scalar::Bool(a != 0),
        1 => Scalar::I32(a as u32 as i32),
        2 => Scalar::I64(a as i64),
        3 => Scalar::F32(f32::from_bits(a as u32)),
        4 => Scalar::F64(f64::from_bits(a)),
        5 => Scalar::C64(Complex32::new(
            f32::from_bits(a as u32),
            f32::from_bits(b as u32),
        )),
        6 => Scalar::C128(Complex64::new(f64::from_bits(a), f64::from_bits(b))),
        _ => return Err(invalid(format!("unknown scalar tag {t}"))),
    })
}

pub(super) fn write_list(w: &mut Writer, v: &[usize]) {
    w.u32(v.len() as u32);
    for &x in v {
        w.u64(x as u64);
    }
}
pub(super) fn read_list(r: &mut Reader) -> Result<SmallVec<[usize; 4]>> {
    let n = r.u32()? as usize;
    if n > 32 {
        return Err(invalid(format!("axis list of length {n}")));
    }
    (0..n)
        .map(|_| usize::try_from(r.u64()?).map_err(|_| invalid("axis too large")))
        .collect()
}
pub(super) fn write_ilist(w: &mut Writer, v: &[i64]) {
    w.u32(v.len() as u32);
    for &x in v {
        w.u64(x as u64);
    }
}
pub(super) fn read_ilist(r: &mut Reader) -> Result<SmallVec<[i64; 4]>> {
    let n = r.u32()? as usize;
    if n > 32 {
        return Err(invalid(format!("index list of length {n}")));
    }
    (0..n).map(|_| Ok(r.u64()? as i64)).collect()
}

pub(super) fn index_of<T: PartialEq>(all: &[T], x: &T) -> Result<u32> {
    all.iter()
        .position(|a| a == x)
        .map(|p| p as u32)
        .ok_or_else(|| invalid("operation unknown to this format version"))
}
pub(super) fn nth<T: Copy>(all: &[T], i: u32, what: &str) -> Result<T> {
    all.get(i as usize)
        .copied()
        .ok_or_else(|| invalid(format!("unknown {what} {i}")))
}

pub(super) const REDUCE: [ReduceOp; 8] = [
    ReduceOp::Sum,
    ReduceOp::Prod,
    ReduceOp::Min,
    ReduceOp::Max,
    ReduceOp::ArgMin,
    ReduceOp::ArgMax,
    ReduceOp::Any,
    ReduceOp::All,
];

/// Op tags start at 1 (0 marks data). Unary/binary ops are written by numpy name so
/// reordering the enums does not change the format.
pub(super) fn write_op(w: &mut Writer, op: &Op) -> Result<()> {
    match op {
        Op::Data => return Err(invalid("an input node without its buffer")),
        Op::Const(ScalarKey(s)) => {
            w.u8(1);
            write_scalar(w, *s);
        }
        Op::Gen(g) => {
            w.u8(2);
            match g {
                Generator::Arange { start, step } => {
                    w.u8(0);
                    w.f64(start.0);
                    w.f64(step.0);
                }
                Generator::Linspace { start, step, stop } => {
                    w.u8(1);
                    w.f64(start.0);
                    w.f64(step.0);
                    w.f64(stop.0);
                }
                Generator::Eye { k } => {
                    w.u8(2);
                    w.u64(*k as u64);
                }
                Generator::Uniform { seed } => {
                    w.u8(3);
                    w.u64(*seed);
                }
                Generator::Normal { seed } => {
                    w.u8(4);
                    w.u64(*seed);
                }
            }
        }
        Op::Unary(u) => {
            w.u8(3);
            w.str(u.name());
        }
        Op::Binary(b) => {
            w.u8(4);
            w.str(b.name());
        }
        Op::Where => w.u8(5),
        Op::Cast => w.u8(6),
        Op::Reshape => w.u8(7),
        Op::Expand => w.u8(8),
        Op::Permute(p) => {
            w.u8(9);
            write_list(w, p);
        }
        Op::Slice { start, step } => {
            w.u8(10);
            write_ilist(w, start);
            write_ilist(w, step);
        }
        Op::Roll { axis, shift } => {
            w.u8(11);
            w.u64(*axis as u64);
            w.u64(*shift as u64);
        }
        Op::Pad { before, value } => {
            w.u8(12);
            write_list(w, before);
            write_scalar(w, value.0);
        }
        Op::Concat { axis } => {
            w.u8(13);
            w.u64(*axis as u64);
        }
        Op::Reduce { op, axes } => {
            w.u8(14);
            w.u32(index_of(&REDUCE, op)?);
            write_list(w, axes);
        }
        Op::Library(l) => {
            w.u8(15);
            match l {
                LibraryOp::Fft { axes, inverse } => {
                    w.u8(0);
                    write_list(w, axes);
                    w.u8(*inverse as u8);
                }
                LibraryOp::Rfft => w.u8(1),
                LibraryOp::Irfft { n } => {
                    w.u8(2);
                    w.u64(*n as u64);
                }
                // Not in format version 1 (import could not check their shapes).
                other => {
                    return Err(Error::Invalid {
                        op: "export_graph".into(),
                        msg: format!(
                            "a lazy {} node cannot be exported; evaluate it first",
                            other.name()
                        ),
                    })
                }
            }
        }
        #[allow(unreachable_patterns)]
        _ => return Err(invalid("operation unknown to this format version")),
    }
    Ok(())
}

pub(super) fn read_op(r: &mut Reader, tag: u8) -> Result<Op> {
    let usize_of = |v: u64| usize::try_from(v).map_err(|_| invalid("parameter too large"));
    Ok(match tag {
        1 => Op::Const(ScalarKey(read_scalar(r)?)),
        2 => Op::Gen(match r.u8()? {
            0 => Generator::Arange {
                start: Bits(r.f64()?),
                step: Bits(r.f64()?),
            },
            1 => Generator::Linspace {
                start: Bits(r.f64()?),
                step: Bits(r.f64()?),
                stop: Bits(r.f64()?),
            },
            2 => Generator::Eye { k: r.u64()? as i64 },
            3 => Generator::Uniform { seed: r.u64()? },
            4 => Generator::Normal { seed: r.u64()? },
            g => return Err(invalid(format!("unknown generator tag {g}"))),
        }),
        3 => {
            let name = r.str()?;
            Op::Unary(
                *UnaryOp::ALL
                    .iter()
                    .find(|u| u.name() == name)
                    .ok_or_else(|| invalid(format!("unknown unary op '{name}'")))?,
            )
        }
        4 => {
            let name = r.str()?;
            Op::Binary(
                *BinaryOp::ALL
                    .iter()
                    .find(|u| u.name() == name)
                    .ok_or_else(|| invalid(format!("unknown binary op '{name}'")))?,
            )
        }
        5 => Op::Where,
        6 => Op::Cast,
        7 => Op::Reshape,
        8 => Op::Expand,
        9 => Op::Permute(read_list(r)?),
        10 => Op::Slice {
            start: read_ilist(r)?,
            step: read_ilist(r)?,
        },
        11 => Op::Roll {
            axis: usize_of(r.u64()?)?,
            shift: usize_of(r.u64()?)?,
        },
        12 => Op::Pad {
            before: read_list(r)?,
            value: ScalarKey(read_scalar(r)?),
        },
        13 => Op::Concat {
            axis: usize_of(r.u64()?)?,
        },
        14 => Op::Reduce {
            op: nth(&REDUCE, r.u32()?, "reduction")?,
            axes: read_list(r)?,
        },
        15 => Op::Library(match r.u8()? {
            0 => LibraryOp::Fft {
                axes: read_list(r)?,
                inverse: r.u8()? != 0,
            },
            1 => LibraryOp::Rfft,
            2 => LibraryOp::Irfft {
                n: usize_of(r.u64()?)?,
            },
            3 => LibraryOp::MatMul,
            4 => LibraryOp::Solve,
            5 => LibraryOp::Lstsq,
            6 => LibraryOp::Inv,
            7 => LibraryOp::Det,
            8 => LibraryOp::Cholesky,
            9 => LibraryOp::Qr,
            10 => LibraryOp::Svd,
            11 => LibraryOp::Eigh,
            l => return Err(invalid(format!("unknown library op tag {l}"))),
        }),
        t => return Err(invalid(format!("unknown op tag {t}"))),
    })
}

pub(super) fn write_host(w: &mut Writer, h: &HostBuffer) {
    w.u64(h.len() as u64);
    match h {
        HostBuffer::Bool(v) => v.iter().for_each(|&x| w.u8(x as u8)),
        HostBuffer::I32(v) => v.iter().for_each(|x| w.bytes(&x.to_le_bytes())),
        HostBuffer::I64(v) => v.iter().for_each(|x| w.bytes(&x.to_le_bytes())),
        HostBuffer::F32(v) => v.iter().for_each(|x| w.bytes(&x.to_le_bytes())),
        HostBuffer::F64(v) => v.iter().for_each(|x| w.bytes(&x.to_le_bytes())),
        HostBuffer::C64(v) => v.iter().for_each(|x| {
            w.bytes(&x.re.to_le_bytes());
            w.bytes(&x.im.to_le_bytes())
        }),
        HostBuffer::C128(v) => v.iter().for_each(|x| {
            w.bytes(&x.re.to_le_bytes());
            w.bytes(&x.im.to_le_bytes())
        }),
    }
}

pub(super) fn read_host(r: &mut Reader, dtype: DType) -> Result<HostBuffer> {
    let n = usize::try_from(r.u64()?).map_err(|_| invalid("buffer too large"))?;
    let bytes = r.take(
        n.checked_mul(dtype.size())
            .ok_or_else(|| invalid("buffer too large"))?,
    )?;
    macro_rules! le {
        ($t:ty, $k:expr) => {
            bytes
                .chunks_exact($k)
                .map(|c| <$t>::from_le_bytes(c.try_into().unwrap_or_default()))
        };
    }
    Ok(match dtype {
        DType::Bool => HostBuffer::Bool(bytes.iter().map(|&b| b != 0).collect()),
        DType::I32 => HostBuffer::I32(le!(i32, 4).collect()),
        DType::I64 => HostBuffer::I64(le!(i64, 8).collect()),
        DType::F32 => HostBuffer::F32(le!(f32, 4).collect()),
        DType::F64 => HostBuffer::F64(le!(f64, 8).collect()),
        DType::C64 => HostBuffer::C64(
            le!(f32, 4)
                .collect::<Vec<_>>()
                .chunks_exact(2)
                .map(|c| Complex32::new(c[0], c[1]))
                .collect(),
        ),
        DType::C128 => HostBuffer::C128(
            le!(f64, 8)
                .collect::<Vec<_>>()
                .chunks_exact(2)
                .map(|c| Complex64::new(c[0], c[1]))
                .collect(),
        ),
    })
}

#[derive(Default)]
pub(super) struct Writer(pub(super) Vec<u8>);
impl Writer {
    pub(super) fn bytes(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b)
    }
    pub(super) fn u8(&mut self, v: u8) {
        self.0.push(v)
    }
    pub(super) fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes())
    }
    pub(super) fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes())
    }
    pub(super) fn f64(&mut self, v: f64) {
        self.u64(v.to_bits())
    }
    pub(super) fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.bytes(s.as_bytes())
    }
}

pub(super) struct Reader<'a> {
    pub(super) b: &'a [u8],
    pub(super) at: usize,
}
impl<'a> Reader<'a> {
    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| {
                invalid(format!(
                    "truncated graph bytes: needed {n} bytes at offset {} of {}",
                    self.at,
                    self.b.len()
                ))
            })?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    pub(super) fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    pub(super) fn u8_from_u32(&mut self) -> Result<u8> {
        u8::try_from(self.u32()?).map_err(|_| invalid("tag out of range"))
    }
    pub(super) fn u32(&mut self) -> Result<u32> {
        let mut a = [0u8; 4];
        a.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(a))
    }
    pub(super) fn u64(&mut self) -> Result<u64> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }
    pub(super) fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_bits(self.u64()?))
    }
    pub(super) fn str(&mut self) -> Result<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).map_err(|_| invalid("operation name is not UTF-8"))
    }
}
