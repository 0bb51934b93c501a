//! `e.linalg`: numpy's linear algebra on lazy arrays, run as library steps (faer on the
//! CPU). Operands are materialised by the kernels that produce them; results are lazy
//! arrays again, so what follows fuses.

use crate::engine::{Engine, Inner};
use std::sync::Arc;

/// The `e.linalg` namespace.
#[derive(Clone)]
pub struct Linalg {
    inner: Arc<Inner>,
}

impl Linalg {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Linalg { inner }
    }

    /// The engine this namespace builds graphs in.
    pub fn engine(&self) -> Engine {
        Engine::from_inner(self.inner.clone())
    }
}
