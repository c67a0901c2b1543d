"""The GPUs: NVIDIA through NVML (and Jetson boards), AMD and Intel through sysfs, Apple Silicon,
and the llama.cpp backend they call for."""
