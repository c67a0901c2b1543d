"""How the app stops a throughput test it started: SIGINT, taken as Ctrl-C.

A process started with SIGINT ignored (advisor launched in the background or under nohup)
passes that on to its children, and `advisor bench` would ignore the app's stop until the
runner's own Ctrl-C handler is in place, and run on to the end. The app therefore sets
STOP_BY_SIGINT in the child's environment, and the command takes SIGINT as Ctrl-C from its
first line. Kept apart from the runner so that neither the CLI's parser nor the app pays for
the runner's imports.
"""

from __future__ import annotations

import os
import signal

STOP_BY_SIGINT = "ADVISOR_STOP_BY_SIGINT"


def take_sigint_if_asked() -> None:
    """SIGINT as Ctrl-C (KeyboardInterrupt) when the app that started this process asks."""
    if os.environ.get(STOP_BY_SIGINT) == "1":
        signal.signal(signal.SIGINT, signal.default_int_handler)
