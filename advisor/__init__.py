"""advisor: can this machine run an open LLM well enough, and does it beat the cloud?"""

__version__ = "0.1.0"
