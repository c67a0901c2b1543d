"""Running a throughput test: llama-cpp-python sessions in a child process, and what they cost."""
