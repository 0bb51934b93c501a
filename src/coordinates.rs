//! Coordinate grids and transforms as generator-based lazy arrays (a grid reads no
//! memory). Reached as `e.coordinates`.

use crate::engine::{Engine, Inner};
use std::sync::Arc;

/// The `e.coordinates` namespace.
#[derive(Clone)]
pub struct Coordinates {
    inner: Arc<Inner>,
}

impl Coordinates {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Coordinates { inner }
    }

    /// The engine this namespace builds graphs in.
    pub fn engine(&self) -> Engine {
        Engine::from_inner(self.inner.clone())
    }
}
