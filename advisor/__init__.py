"""advisor: can this machine run an open LLM well enough, and does it beat the cloud?"""

from advisor import dataclass_code as _dataclass_code

__version__ = "0.1.0"

# Before any of advisor's dataclasses is made: their generated methods' code is read back
# rather than compiled on every run (advisor/dataclass_code.py, docs/startup.md).
_dataclass_code.install()
