//! Shared test helpers: the table of op cases that every backend must pass unchanged.
//!
//! Each integration test file that uses these says `mod common;`.

#![allow(dead_code)]

pub mod op_table;

pub use op_table::{check_backend, check_coverage};
