"""`advisor catalog update FILE|URL`: a newer catalog data file applied over the shipped one.

The file is a whole catalog, in models.yaml's format (the project's CI publishes models.yaml
itself). It is validated as strictly as the shipped catalog, compared with the catalog in use
(the diff is shown), and written atomically to the user data dir as catalog-update.yaml; the
shipped models.yaml is never edited. While its catalog_version is newer than the shipped one it
is the catalog every command loads (the user overlay still applies on top); once an upgrade of
advisor ships a newer catalog, the shipped one wins again. The update it replaced is kept
(catalog-update.previous.yaml), so `--revert` puts that back, or the shipped catalog when
there was none.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from advisor.catalog.model import Catalog
from advisor.errors import NotFoundError, UnreachableError, UsageError
from advisor.paths import user_data_dir

UPDATE_NAME = "catalog-update.yaml"
PREVIOUS_NAME = "catalog-update.previous.yaml"
MAX_BYTES = 32 << 20  # models.yaml is about 1 MB
_TIMEOUT_S = 30


def update_path() -> Path:
    return user_data_dir() / UPDATE_NAME


def previous_path() -> Path:
    return user_data_dir() / PREVIOUS_NAME


def version_key(version: str) -> tuple:
    """catalog_version as something to order by: 2026.12.06 < 2027.01.15 < 2027.1.16."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\-]", version))


def catalog_in_use(shipped: Path, warn=None) -> Path:
    """The applied update if there is one that validates and is newer than `shipped`, else
    `shipped`. A broken update is reported through `warn` and skipped."""
    from advisor.catalog.loader import load_catalog_file
    from advisor.catalog.problems import CatalogProblems
    from advisor.errors import AdvisorError

    update = update_path()
    if not update.is_file():
        return shipped
    try:
        newer = load_catalog_file(update).catalog_version
    except (CatalogProblems, AdvisorError) as exc:
        if warn is None:
            from advisor.console import warning as warn
        warn(f"the catalog update {update} was skipped: {exc}; `advisor catalog update "
             "--revert` removes it")  # fmt: skip
        return shipped
    current = load_catalog_file(shipped).catalog_version
    return update if version_key(newer) > version_key(current) else shipped


def fetch(source: str) -> tuple[bytes, str]:
    """The bytes of FILE or http(s) URL `source`, and how to name it in messages."""
    if re.match(r"^https?://", source, flags=re.IGNORECASE):
        return _download(source), source
    from advisor.catalog.loader import read_bytes

    path = Path(source).expanduser()
    if not path.exists():
        raise NotFoundError(f"no such file: {path}", hint="give a catalog file or its URL")
    return read_bytes(path), str(path)


def _download(url: str) -> bytes:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=_TIMEOUT_S) as answer:  # noqa: S310 - http(s) only
            data = answer.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise NotFoundError(f"{url} answered 404: there is no catalog file there") from None
        raise UnreachableError(f"{url} answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UnreachableError(
            f"cannot fetch {url}: {reason}",
            hint="check the network, or download the file and give its path",
        ) from None
    if len(data) > MAX_BYTES:
        raise UsageError(f"{url} is larger than {MAX_BYTES >> 20} MiB: no catalog file is")
    return data


def validated(content: bytes, name: str) -> Catalog:
    """The catalog in `content`, validated as the shipped one is (CatalogProblems if not)."""
    from advisor.catalog.loader import parse_yaml, validate_document

    path = Path(name)
    return validate_document(path, content, parse_yaml(path, content), Catalog)


@dataclass(frozen=True)
class CatalogDiff:
    """What a newer catalog changes against the one in use: models added, removed or changed,
    prices, sources."""

    old_version: str
    new_version: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]  # "id (field, field)"
    prices: tuple[str, ...]  # "name: field old -> new"
    sources_added: int

    def lines(self) -> list[str]:
        out = [f"catalog {self.old_version} (in use) -> {self.new_version}"]
        sections = (
            ("models added", self.added),
            ("models removed", self.removed),
            ("models changed", self.changed),
            ("prices changed", self.prices),
        )
        for label, items in sections:
            if items:
                out.append(f"  {label} ({len(items)}):")
                out += [f"    {item}" for item in items]
        if self.sources_added:
            out.append(f"  sources added: {self.sources_added}")
        if len(out) == 1:
            out.append("  no model, price or source differs")
        return out


def diff(old: Catalog, new: Catalog) -> CatalogDiff:
    before = {m.id: m for m in old.models}
    after = {m.id: m for m in new.models}
    changed = []
    for model_id in sorted(before.keys() & after.keys()):
        fields = _changed_fields(before[model_id], after[model_id])
        if fields:
            changed.append(f"{model_id} ({', '.join(fields)})")
    prices = _price_changes(old.cloud.api_models, new.cloud.api_models, "usd_per_mtok")
    prices += _price_changes(old.cloud.subscriptions, new.cloud.subscriptions, "usd_per_month")
    return CatalogDiff(
        old.catalog_version,
        new.catalog_version,
        tuple(sorted(after.keys() - before.keys())),
        tuple(sorted(before.keys() - after.keys())),
        tuple(changed),
        tuple(prices),
        len(new.sources.keys() - old.sources.keys()),
    )


def _changed_fields(old: object, new: object) -> list[str]:
    return [f.name for f in dataclasses.fields(old)  # type: ignore[arg-type]
            if getattr(old, f.name) != getattr(new, f.name)]  # fmt: skip


def _price_changes(old_items, new_items, unit: str) -> list[str]:
    before = {item.id: item for item in old_items}
    lines = []
    for item in new_items:
        was = before.get(item.id)
        name = getattr(item, "name", None) or f"{item.vendor} {item.plan}"
        if was is None:
            lines.append(f"{name}: new")
            continue
        for field in dataclasses.fields(item):
            if field.name.endswith(unit) and getattr(was, field.name) != getattr(item, field.name):
                lines.append(f"{name}: {field.name} {getattr(was, field.name)} -> "
                             f"{getattr(item, field.name)} (dated {item.date})")  # fmt: skip
    return lines


def apply(content: bytes) -> Path:
    """Write `content` as the update in use, keeping the one it replaces for --revert."""
    from advisor.files.locks import file_lock
    from advisor.paths import atomic_write_bytes

    target = update_path()
    with file_lock(target):
        if target.is_file():
            atomic_write_bytes(previous_path(), target.read_bytes())
        else:
            previous_path().unlink(missing_ok=True)
        atomic_write_bytes(target, content)
    return target


def revert() -> str:
    """Put back the update the last one replaced, or the shipped catalog; what is in use now."""
    from advisor.files.locks import file_lock
    from advisor.paths import atomic_write_bytes

    target, previous = update_path(), previous_path()
    with file_lock(target):
        if previous.is_file():
            atomic_write_bytes(target, previous.read_bytes())
            previous.unlink()
            return f"the update applied before the last one ({target})"
        if target.is_file():
            target.unlink()
            return "the shipped catalog"
    raise UsageError("no catalog update is applied: the shipped catalog is in use")
