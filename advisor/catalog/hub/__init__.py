"""A Hugging Face repository given where a model is asked for (`--model hf:ORG/REPO[:QUANT]`).

`ref` parses what the user typed, `client` is the one gateway onto huggingface_hub, `listing`
groups a repository's files into quants, `remote_file` reads GGUF headers with range requests,
`config_arch` reads a safetensors repository's config.json, `cache` keeps listings and headers
under the user cache dir, and `remote_model` puts them together.
"""
