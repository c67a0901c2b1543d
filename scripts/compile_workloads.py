"""Compile the workload presets (profiles/workloads/*.yaml) into workloads.compiled.json, sealed.

    python -m scripts.compile_workloads           # after editing a preset or the Workload schema
    python -m scripts.compile_workloads --check   # exit 1 if the shipped file is stale

Each preset is read and validated in full (advisor.workload.load_workload_file: PyYAML and
pydantic); its parsed document is kept with the SHA-256 of its bytes, and the whole is sealed
(advisor.catalog.trusted.seal over advisor.workload.SEALED_BY's source and the documents). While
the seal holds, a first run builds the presets without PyYAML or pydantic; a preset whose bytes
differ, or any seal that does not hold, and the files are read and validated as always.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from advisor.catalog.trusted import seal
from advisor.files.yamldoc import read_mapping
from advisor.paths import atomic_write_text, workloads_compiled_path, workloads_dir
from advisor.workload import _SUFFIXES, COMPILED_FORMAT, SEALED_BY, WorkloadError
from advisor.workload import load_workload_file as validated


def compiled_text(folder: Path) -> str:
    """The compiled form of the presets in `folder`; raises WorkloadError for an invalid one."""
    presets = {}
    for path in sorted(folder.iterdir()):
        if path.suffix not in _SUFFIXES:
            continue
        validated(path)  # the full checks: a preset that fails them is never sealed
        data = read_mapping(path, WorkloadError, what="workload")
        if json.loads(json.dumps(data)) != data:
            raise WorkloadError("the parsed preset changes through JSON", path=path)
        presets[path.name] = {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "data": data}
    document = json.dumps(presets, separators=(",", ":")).encode()
    entry = {
        "format": COMPILED_FORMAT,
        "validated_by": seal(document, SEALED_BY),
        "presets": presets,
    }
    return json.dumps(entry, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped file is stale")
    args = parser.parse_args(argv)
    text, target = compiled_text(workloads_dir()), workloads_compiled_path()
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{target} is stale: run python -m scripts.compile_workloads", file=sys.stderr)
            return 1
        return 0
    atomic_write_text(target, text)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
