//! The array operations, as `Engine` methods named after numpy's functions.

pub mod block;
pub mod creation;
pub mod elementwise;
pub mod reduce;
pub mod shape;
