"""Tensor layouts: the tensors llama.cpp writes for an architecture and quant, and their bytes.

recipes (with recipes_attention, recipes_hybrid, builder, layer_pattern, model_dims): the
converter's tensors and shapes; quant_rules: the quantizer's ggml type per tensor; quant_bytes:
byte totals; layout: the cached TensorLayout of (architecture, quant).
"""
