//! The op table (tests/common/op_table.rs) on the reference backend.

mod common;

#[test]
fn op_table_reference() {
    common::check_backend("reference");
}

#[test]
fn op_table_covers_every_op_and_dtype() {
    common::check_coverage();
}

#[test]
fn op_table_cpu() {
    common::check_backend("cpu");
}
