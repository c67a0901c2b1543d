"""Byte units, one definition each: GiB and MiB for memory (as vendors label RAM and VRAM),
GB for decimal sizes (files on disk, bandwidth in GB/s)."""

from __future__ import annotations

MIB = 1024**2
GIB = 1024**3
GB = 1000**3
