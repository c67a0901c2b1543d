"""The model catalog: models.yaml plus the user's overlay, validated into a Catalog."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from advisor.catalog.cloud_offers import ApiModel, Cloud, ElectricityPrice, Subscription
from advisor.catalog.fields import QUANT_TYPES, TASKS
from advisor.catalog.loader import CODE, load_catalog_file
from advisor.catalog.model import Architecture, Catalog, Model, Quality, Quant, Source
from advisor.catalog.overlay import Overlay, load_overlay, merge, overlay_path
from advisor.catalog.problems import CatalogProblems, Problem
from advisor.errors import AdvisorError
from advisor.files.disk_cache import cached
from advisor.paths import catalog_path

__all__ = [
    "QUANT_TYPES",
    "TASKS",
    "ApiModel",
    "Architecture",
    "Catalog",
    "CatalogProblems",
    "Cloud",
    "ElectricityPrice",
    "InstalledModel",
    "Model",
    "Overlay",
    "Problem",
    "Quality",
    "Quant",
    "ScanResult",
    "Source",
    "Subscription",
    "find_installed",
    "load_catalog",
    "overlay_path",
    "scan_models",
]

# Scanning reads GGUF headers with the gguf package (numpy): imported on first use only,
# so `import advisor.catalog` stays cheap for commands that never scan.
_LAZY = {
    "InstalledModel": "advisor.catalog.scan.installed",
    "ScanResult": "advisor.catalog.scan.installed",
    "scan_models": "advisor.catalog.scan.installed",
    "find_installed": "advisor.catalog.scan.installed",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def load_catalog(
    path: str | Path | None = None,
    *,
    overlay: bool | str | Path = True,
    warn: Callable[[str], None] | None = None,
) -> Catalog:
    """The catalog in `path` (default: the shipped models.yaml, or the newer catalog file
    `advisor catalog update` applied) with the user overlay merged.

    `overlay` is True for the overlay in the user data dir, False for none, or a path. A
    broken overlay never hides the catalog: its problems go to `warn` (default: a warning
    on stderr) and it is skipped. A broken catalog raises CatalogProblems (a CatalogError)
    listing every problem with file, line and key.
    """
    if path is not None:
        file = Path(path)
    else:  # the shipped catalog, or a newer one `advisor catalog update` applied
        from advisor.catalog.update import catalog_in_use

        file = catalog_in_use(catalog_path(), warn)
    catalog = load_catalog_file(file)
    if overlay is False:
        return catalog
    extra = overlay_path() if overlay is True else Path(overlay)
    if not extra.exists():
        return catalog
    try:
        # The overlay is checked against the catalog (its sources and ids): both are inputs.
        found = cached(
            "overlay",
            [extra, file],
            lambda: load_overlay(extra, catalog),
            code=(*CODE, "advisor.catalog.overlay"),
        )
        return merge(catalog, found)
    except CatalogProblems as exc:
        _warn_skipped(warn, [str(p) for p in exc.problems], extra)
    except AdvisorError as exc:  # unreadable: permissions, a directory, gone meanwhile
        _warn_skipped(warn, [exc.message], extra)
    return catalog


def _warn_skipped(warn: Callable[[str], None] | None, lines: list[str], path: Path) -> None:
    if warn is None:
        from advisor.console import warning

        warn = warning
    for line in lines:
        warn(line)
    warn(
        f"the user catalog overlay {path} was skipped; the shipped catalog is used without it "
        "(fix the lines above, then check with `advisor catalog validate`)"
    )
