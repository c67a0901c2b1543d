"""GGUF files: the bounded header reader, the Architecture read from it, llama.cpp's load checks.

header: metadata and tensor infos; arch: an Architecture from a header; checks: what llama.cpp
refuses at load; file: shards and quant type on disk; file_model: a GGUF given as a model.
"""
