//! Orthogonal polynomials as lazy graphs: every recurrence step is a graph node, so a
//! whole evaluation (or a sequence of orders sharing one recurrence) fuses into one
//! kernel. Reached as `e.polynomials`.

use crate::engine::{Engine, Inner};
use std::sync::Arc;

/// The `e.polynomials` namespace.
#[derive(Clone)]
pub struct Polynomials {
    inner: Arc<Inner>,
}

impl Polynomials {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Polynomials { inner }
    }

    /// The engine this namespace builds graphs in.
    pub fn engine(&self) -> Engine {
        Engine::from_inner(self.inner.clone())
    }
}
