//! The in-memory kernel cache: keyed by the kernel IR (the ISA is fixed per process),
//! bounded with least-recently-used eviction, thread-safe, and compiling a kernel once
//! even when several threads ask for it at the same moment.

use crate::jit::{compile, CompiledKernel};
use mathengine_ir::{Kernel, Result};
use rustc_hash::FxHashMap as HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

type Slot = Arc<OnceLock<Result<Arc<CompiledKernel>>>>;

/// Counters: "did it recompile?".
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CacheStats {
    pub kernels_compiled: u64,
    pub cache_hits: u64,
    pub compile_seconds: f64,
    /// Kernels currently held.
    pub entries: usize,
}

struct State {
    map: HashMap<Arc<Kernel>, (Slot, u64)>,
    clock: u64,
    stats: CacheStats,
}

pub struct KernelCache {
    capacity: usize,
    state: Mutex<State>,
}

impl KernelCache {
    /// A cache holding at most `capacity` compiled kernels.
    pub fn new(capacity: usize) -> KernelCache {
        KernelCache {
            capacity: capacity.max(1),
            state: Mutex::new(State {
                map: HashMap::default(),
                clock: 0,
                stats: CacheStats::default(),
            }),
        }
    }

    /// The compiled form of `kernel`, compiling it if no thread has yet.
    pub fn get(&self, kernel: &Arc<Kernel>) -> Result<Arc<CompiledKernel>> {
        let slot = {
            let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            st.clock += 1;
            let now = st.clock;
            if let Some((slot, used)) = st.map.get_mut(kernel) {
                *used = now;
                let slot = slot.clone();
                if slot.get().is_some() {
                    st.stats.cache_hits += 1;
                }
                slot
            } else {
                if st.map.len() >= self.capacity {
                    // Evict the least recently used; running calls keep their Arc alive.
                    if let Some(old) = st
                        .map
                        .iter()
                        .min_by_key(|(_, (_, u))| *u)
                        .map(|(k, _)| k.clone())
                    {
                        st.map.remove(&old);
                    }
                }
                let slot: Slot = Arc::new(OnceLock::new());
                st.map.insert(kernel.clone(), (slot.clone(), now));
                slot
            }
        };
        let result = slot.get_or_init(|| {
            let t0 = Instant::now();
            let r = compile(kernel).map(Arc::new);
            let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            st.stats.kernels_compiled += 1;
            st.stats.compile_seconds += t0.elapsed().as_secs_f64();
            r
        });
        result.clone()
    }

    pub fn stats(&self) -> CacheStats {
        let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        CacheStats {
            entries: st.map.len(),
            ..st.stats
        }
    }

    /// Drop every compiled kernel (their code is freed once no call uses it).
    pub fn clear(&self) {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map
            .clear();
    }
}
