//! CUDA C -> cubin through NVRTC, loaded at run time.
