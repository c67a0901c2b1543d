"""Kernel-path probes: generated models (synthetic GGUFs) of one shape in each quant type."""
