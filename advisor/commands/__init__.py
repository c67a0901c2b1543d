"""One module per CLI command. Each exposes `add_parser(subparsers)` and `run(args) -> int`.

Keep these modules light at import time: import the stage you need inside `run`.
"""
