"""Whether a forked child of the run (the early probe's, the copy test's, the remedy search's:
advisor.probe.bandwidth.early.fork_child) has been collected, as the run's exit collects them."""

from __future__ import annotations

import os

from advisor.probe.bandwidth import early


def collected(pid: int) -> bool:
    early.collect_stopped()  # as the run's exit does
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False
