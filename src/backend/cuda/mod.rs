//! The CUDA backend: kernel IR printed to CUDA C (`mathengine_codegen::cuda`), compiled
//! by NVRTC for the device's architecture, run through the CUDA driver API (cudarc).

pub mod nvrtc;
