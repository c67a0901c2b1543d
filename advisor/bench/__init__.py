"""The throughput test: real llama-cpp-python runs, their store, and the calibration they imply."""
