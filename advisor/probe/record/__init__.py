"""Recorded probe runs: `advisor doctor`'s dump and its replay through the same probe code."""
