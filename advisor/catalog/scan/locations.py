"""Where local LLM tools keep their GGUF files: Hugging Face, LM Studio, Ollama, llama.cpp."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

OLLAMA_SYSTEM_DIR = Path("/usr/share/ollama/.ollama/models")  # the Linux service install


@dataclass(frozen=True)
class Location:
    """A folder to search, and which tool's layout it has."""

    path: Path
    kind: str  # "huggingface" | "lmstudio" | "ollama" | "llama.cpp" | "folder"


def default_locations(
    env: Mapping[str, str] | None = None, home: Path | None = None
) -> tuple[Location, ...]:
    """Every known model folder on this machine, existing or not, without duplicates."""
    env = os.environ if env is None else env
    home = Path.home() if home is None else home
    found = [
        Location(hf_hub_cache(env, home), "huggingface"),
        Location(home / ".lmstudio" / "models", "lmstudio"),
        Location(home / ".cache" / "lm-studio" / "models", "lmstudio"),
        Location(_env_path(env, "OLLAMA_MODELS") or home / ".ollama" / "models", "ollama"),
        Location(OLLAMA_SYSTEM_DIR, "ollama"),
        Location(llama_cpp_cache(env, home), "llama.cpp"),
    ]
    return unique(found)


def hf_hub_cache(env: Mapping[str, str], home: Path) -> Path:
    """huggingface_hub's cache folder, following its environment variables."""
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        path = _env_path(env, name)
        if path:
            return path
    hf_home = _env_path(env, "HF_HOME")
    if hf_home:
        return hf_home / "hub"
    return _xdg_cache(env, home) / "huggingface" / "hub"


def llama_cpp_cache(env: Mapping[str, str], home: Path) -> Path:
    """llama.cpp's download cache (common/common.cpp: fs_get_cache_directory)."""
    explicit = _env_path(env, "LLAMA_CACHE")
    if explicit:
        return explicit
    if sys.platform == "win32":
        local = _env_path(env, "LOCALAPPDATA")
        return (local or home / "AppData" / "Local") / "llama.cpp"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "llama.cpp"
    return _xdg_cache(env, home) / "llama.cpp"


def unique(locations: list[Location]) -> tuple[Location, ...]:
    """Drop folders listed twice (the same folder reached by two variables)."""
    seen: set[str] = set()
    kept = []
    for location in locations:
        key = os.path.realpath(location.path)
        if key not in seen:
            seen.add(key)
            kept.append(location)
    return tuple(kept)


def _xdg_cache(env: Mapping[str, str], home: Path) -> Path:
    return _env_path(env, "XDG_CACHE_HOME") or home / ".cache"


def _env_path(env: Mapping[str, str], name: str) -> Path | None:
    value = env.get(name, "").strip()
    return Path(value).expanduser() if value else None
