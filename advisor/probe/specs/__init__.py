"""The sourced spec table of GPUs, SoCs and CPUs, and the hardware changes an audit tries."""
