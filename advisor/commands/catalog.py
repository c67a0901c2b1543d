"""`advisor catalog`: list, show, validate, add and update models in the model catalog."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.argtypes import path_text
from advisor.commands.options import add_json_option
from advisor.console import out
from advisor.errors import ExitCode, GGUFError, NotFoundError

if TYPE_CHECKING:
    from advisor.catalog import Catalog
    from advisor.catalog.problems import Problem
    from advisor.catalog.validate import ValidationReport

TASKS = ("chat", "coding", "reasoning", "vision", "tools")  # advisor.catalog.fields.TASKS

DESCRIPTION = """\
The catalog (models.yaml) lists open models, their architecture, quality index and GGUF
quants, every fact with its source and date. Your own additions live in a user overlay
(catalog-overlay.yaml in the user data dir): models there are added to the shipped ones,
and an entry with a shipped id replaces it."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "catalog",
        help="list, show, validate, add and update the model catalog",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="catalog_action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="one line per model")
    listing.add_argument("--task", choices=TASKS, help="only models tagged for this task")
    listing.add_argument(
        "--installed",
        action="store_true",
        help="only models with a file on disk (see `advisor scan`), and their installed quants",
    )
    _catalog_options(listing)

    show = actions.add_parser("show", help="everything the catalog says about one model")
    show.add_argument(
        "model", metavar="ID", type=path_text, help="catalog id or Hugging Face repo id"
    )
    show.add_argument(
        "--installed", action="store_true", help="also say which quants are on disk, and where"
    )
    _catalog_options(show)

    validate = actions.add_parser(
        "validate",
        help="check a catalog file strictly; lists every problem",
        description="Check FILE (default: the shipped catalog, the update `advisor catalog "
        "update` applied, if any, and your overlay) and list every problem with file:line and "
        "key; then say which catalog advisor uses. Refuses entries without a source, sources "
        "without a date, keys given twice, and null facts without a reason in `unknown`. A FILE "
        "with only `sources:` and `models:` is checked as an overlay (against the catalog in "
        "use). Exit code 3 if anything is wrong.",
    )
    validate.add_argument(
        "file", metavar="FILE", nargs="?", type=path_text, help="the file to check"
    )
    _catalog_options(validate, overlay=False)

    add = actions.add_parser(
        "add",
        help="add a local GGUF file to your overlay",
        description="Read FILE.gguf's header (metadata and tensor sizes, never the weights) "
        "and add it to your catalog overlay as a model with one quant. Any part of a split "
        "model reads all parts. Options override what the header says.",
    )
    add.add_argument("file", metavar="FILE.gguf", type=path_text, help="the GGUF file")
    add.add_argument(
        "--id", dest="model_id", metavar="ID", help="catalog id (default: from the header)"
    )
    add.add_argument("--name", help="display name (default: general.name)")
    add.add_argument("--hf-repo", metavar="REPO", help="the model's Hugging Face repo id")
    add.add_argument(
        "--task",
        dest="tasks",
        action="append",
        choices=TASKS,
        help="a task the model is for; repeat for several (default: chat)",
    )
    add.add_argument(
        "--quant", metavar="TYPE", help="the quant type, if the header's file type is not one"
    )
    _catalog_options(add, overlay=False)

    update = actions.add_parser(
        "update",
        help="apply a newer catalog file (FILE or URL) over the shipped one, or --revert",
        description="Validate FILE or URL (a whole catalog in models.yaml's format, as the "
        "project publishes it) as strictly as the shipped catalog, show what it changes, and "
        "apply it atomically as an update in the user data dir: the shipped catalog is never "
        "edited, and a later advisor whose own catalog is newer uses that. --revert puts back "
        "the update it replaced, or the shipped catalog. Exit 3 if the file does not validate "
        "(nothing is applied), 2 if it is older than the catalog in use (unless --force).",
    )
    update.add_argument("source", metavar="FILE|URL", nargs="?", type=path_text,
                        help="the newer catalog file, or its http(s) URL")  # fmt: skip
    update.add_argument("--revert", action="store_true", help="undo the last update")
    update.add_argument("--dry-run", action="store_true", help="show the diff, apply nothing")
    update.add_argument("--force", action="store_true", help="apply an older catalog too")
    parser.set_defaults(func=run)


def _catalog_options(parser: argparse.ArgumentParser, *, overlay: bool = True) -> None:
    parser.add_argument(
        "--catalog",
        metavar="FILE",
        type=path_text,
        default=argparse.SUPPRESS,
        help="use this models.yaml",
    )
    if overlay:
        parser.add_argument(
            "--no-overlay", action="store_true", help="leave out your catalog overlay"
        )
    add_json_option(parser)


def run(args: argparse.Namespace) -> int:
    from advisor.commands.catalog_update import run_update

    action = {"list": _list, "show": _show, "validate": _validate, "add": _add,
              "update": run_update}  # fmt: skip
    return action[args.catalog_action](args)


def _load(args: argparse.Namespace, *, overlay: bool = True) -> Catalog:
    from advisor.catalog import load_catalog

    use_overlay = overlay and not getattr(args, "no_overlay", False)
    return load_catalog(getattr(args, "catalog", None), overlay=use_overlay)


def _user_ids(args: argparse.Namespace, catalog: Catalog) -> set[str]:
    """Ids of the models that come from the overlay (added, or replacing a shipped one)."""
    if getattr(args, "no_overlay", False):
        return set()
    shipped = {m.id: m for m in _load(args, overlay=False).models}
    return {m.id for m in catalog.models if shipped.get(m.id) != m}


def _print_json(data: object) -> None:
    out(json.dumps(data, indent=2, ensure_ascii=False))


def _list(args: argparse.Namespace) -> int:
    from advisor.catalog.overlay import overlay_path
    from advisor.catalog.render import model_json, model_rows

    catalog = _load(args)
    user = _user_ids(args, catalog)
    models = [m for m in catalog.models if args.task is None or args.task in m.tasks]
    installed = _installed_files(catalog) if args.installed else None
    if installed is not None:
        models = [m for m in models if m.id in installed]
    if getattr(args, "json", False):
        entries = []
        for model in models:
            entry = model_json(model, catalog, origin="user" if model.id in user else "shipped")
            if installed is not None:
                entry["installed"] = installed[model.id]
            entries.append(entry)
        _print_json({"catalog_version": catalog.catalog_version, "models": entries})
        return int(ExitCode.OK)
    on_disk = None
    if installed is not None:
        on_disk = {k: [f["quant"] or "?" for f in v] for k, v in installed.items()}
    out(model_rows(models, user, installed=on_disk))
    if user & {m.id for m in models}:
        out(f"\n* from your overlay {overlay_path()}")
    return int(ExitCode.OK)


def _installed_files(catalog: Catalog) -> dict[str, list[dict[str, str | None]]]:
    """Catalog id -> the complete model files `advisor scan` finds for it."""
    from advisor.catalog.scan.installed import scan_models

    found: dict[str, list[dict[str, str | None]]] = {}
    for item in scan_models(catalog=catalog):
        if item.model_id and item.complete:
            found.setdefault(item.model_id, []).append(
                {"quant": item.quant, "path": str(item.path)}
            )
    return found


def _show(args: argparse.Namespace) -> int:
    from advisor.catalog.render import model_detail, model_json

    catalog = _load(args)
    model = catalog.find(args.model)
    if model is None:
        raise NotFoundError(
            f"no model {args.model!r} in the catalog", hint=_suggestion(args.model, catalog)
        )
    files = _installed_files(catalog).get(model.id, []) if args.installed else None
    if getattr(args, "json", False):
        document = model_json(model, catalog)
        if files is not None:
            document["installed"] = files
        _print_json(document)
        return int(ExitCode.OK)
    out(model_detail(model, catalog))
    if files is not None:
        lines = [f"  {f['quant'] or '?'}  {f['path']}" for f in files]
        out("\ninstalled:\n" + ("\n".join(lines) if lines else "  none found by advisor scan"))
    return int(ExitCode.OK)


def _suggestion(wanted: str, catalog: Catalog) -> str:
    import difflib

    text = wanted.strip().lower()
    names = {m.id: m.id for m in catalog.models} | {m.hf_repo.lower(): m.id for m in catalog.models}
    close = difflib.get_close_matches(text, list(names), n=3, cutoff=0.6)
    partial = [m.id for m in catalog.models if text and text in m.id]
    picks = list(dict.fromkeys([names[c] for c in close] + partial))[:5]
    if picks:
        return "did you mean " + ", ".join(picks) + "?"
    return "`advisor catalog list` shows every id"


def _validate(args: argparse.Namespace) -> int:
    from advisor.catalog.loader import load_catalog_file
    from advisor.catalog.overlay import overlay_path
    from advisor.catalog.update import update_path
    from advisor.catalog.validate import validate_file
    from advisor.paths import catalog_path

    given = getattr(args, "catalog", None)
    catalog_file = Path(given or catalog_path())
    in_use, which = _catalog_in_use(catalog_file, given is not None)
    if args.file:
        shipped = _shipped_or_none(in_use)
        reports = [validate_file(Path(args.file), shipped)]
    else:
        reports = [validate_file(catalog_file)]
        if given is None and update_path().is_file():  # what `advisor catalog update` applied
            reports.append(validate_file(update_path()))
        if all(r.ok for r in reports) and overlay_path().exists():
            shipped = load_catalog_file(in_use)
            reports.append(validate_file(overlay_path(), shipped, as_overlay=True))
    ok = all(r.ok for r in reports)
    if getattr(args, "json", False):
        files = [_report_json(r) for r in reports]
        _print_json({"ok": ok, "catalog_in_use": str(in_use), "files": files})
    else:
        _print_reports(reports)
        if not (args.file or given):
            out(f"catalog in use: {which}")
    return int(ExitCode.OK if ok else ExitCode.BAD_INPUT)


def _catalog_in_use(catalog_file: Path, given: bool) -> tuple[Path, str]:
    """The catalog file every command loads (the shipped one, or the newer update `advisor
    catalog update` applied), and which it is, in words."""
    from advisor.catalog.loader import load_catalog_file
    from advisor.catalog.problems import CatalogProblems
    from advisor.catalog.update import catalog_in_use, update_path
    from advisor.errors import AdvisorError

    if given:
        return catalog_file, f"{catalog_file} (--catalog)"
    try:
        shipped = load_catalog_file(catalog_file).catalog_version
    except (CatalogProblems, AdvisorError):
        return catalog_file, f"the shipped catalog {catalog_file}"
    in_use = catalog_in_use(catalog_file, warn=lambda _message: None)
    update = update_path()
    if in_use != catalog_file:
        newer = load_catalog_file(in_use).catalog_version
        return in_use, (
            f"the update `advisor catalog update` applied, {in_use} (catalog {newer}), over the "
            f"shipped {catalog_file} (catalog {shipped}); `advisor catalog update --revert` "
            "undoes it"
        )
    which = f"the shipped catalog {catalog_file} (catalog {shipped})"
    if not update.is_file():
        return in_use, which
    try:
        older = load_catalog_file(update).catalog_version
    except (CatalogProblems, AdvisorError):
        return in_use, f"{which}; the update {update} does not validate and is skipped"
    return in_use, f"{which}; the update {update} (catalog {older}) is not newer and is not used"


def _shipped_or_none(path: Path) -> Catalog | None:
    """The catalog an overlay is checked against; None if it is itself broken."""
    from advisor.catalog.loader import load_catalog_file
    from advisor.catalog.problems import CatalogProblems

    try:
        return load_catalog_file(path)
    except CatalogProblems:
        return None


def _print_reports(reports: list[ValidationReport]) -> None:
    from advisor.console import error, warning

    for report in reports:
        for problem in report.errors:
            error(str(problem))
        for problem in report.warnings:
            warning(str(problem))
        if report.ok:
            counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in report.counts.items())
            out(f"ok: {report.path} ({report.kind}): {counts}")
        else:
            count = len(report.errors)
            out(f"invalid: {report.path} ({report.kind}): {count} problem{'s' * (count > 1)}")


def _report_json(report: ValidationReport) -> dict[str, object]:
    def problem(p: Problem) -> dict[str, object]:
        return {"line": p.line, "key": p.key, "message": p.message}

    return {
        "path": str(report.path),
        "kind": report.kind,
        "ok": report.ok,
        "counts": report.counts,
        "errors": [problem(p) for p in report.errors],
        "warnings": [problem(p) for p in report.warnings],
    }


def _add(args: argparse.Namespace) -> int:
    from advisor.catalog.add import entry_from_gguf
    from advisor.catalog.gguf.checks import check_model_file
    from advisor.catalog.gguf.file import read_model_file
    from advisor.catalog.overlay import overlay_path
    from advisor.catalog.overlay_add import add_model
    from advisor.catalog.render import file_size, model_json, params
    from advisor.console import note

    target = Path(args.file)
    if not target.exists():
        raise NotFoundError(f"no such file: {target}")
    if not target.is_file():
        raise GGUFError("not a regular file", path=target)
    shipped = _load(args, overlay=False)
    gguf = read_model_file(target)
    check_model_file(gguf)  # what llama.cpp would refuse never reaches the overlay
    entry = entry_from_gguf(
        gguf,
        taken_ids=[m.id for m in shipped.models],
        model_id=args.model_id,
        name=args.name,
        hf_repo=args.hf_repo,
        tasks=args.tasks or (),
        quant=args.quant,
    )
    path = overlay_path()
    model = add_model(path, shipped, entry.model, entry.source_key, entry.source)
    if entry.renamed_from:
        taken = entry.renamed_from
        note(f"the catalog already has {taken!r}; added as {model.id!r} (--id picks another)")
    if getattr(args, "json", False):
        catalog = _load(args)
        _print_json({"overlay": str(path), "model": model_json(model, catalog, origin="user")})
        return int(ExitCode.OK)
    quant = next(q for q in model.quants if q.source == entry.source_key)
    out(
        f"added {model.id}: {quant.type}, {file_size(quant.size_bytes)}, "
        f"{params(model.architecture)} parameters, to {path}"
    )
    return int(ExitCode.OK)
