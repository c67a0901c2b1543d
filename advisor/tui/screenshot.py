"""Writes the README's screenshot: the app on a reference profile, drawn by Textual itself.

    python -m advisor.tui.screenshot docs/screenshot.svg [--profile rtx-4090-desktop]

It runs headless with a fresh, empty ADVISOR_HOME (no user catalog overlay, config, workloads
or throughput tests) and no scan, so the picture shows what a new user would see.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

SIZE = (120, 40)
TIMEOUT_S = 120


def save_screenshot(
    path: Path, *, profile: str, size: tuple[int, int] = SIZE, keys: tuple[str, ...] = ()
) -> Path:
    """Run the app until everything has loaded, press `keys`, and save the screen as SVG."""
    from advisor.tui.app import make_app

    app = make_app(profile=profile, installed=())

    async def shoot(pilot) -> None:
        await asyncio.wait_for(app.loaded.wait(), TIMEOUT_S)
        await app.workers.wait_for_complete()
        for key in keys:
            await pilot.press(key)
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.save_screenshot(path.name, path=str(path.parent))
        app.exit()

    app.run(headless=True, size=size, auto_pilot=shoot)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="the SVG file to write")
    parser.add_argument("--profile", default="rtx-4090-desktop")
    parser.add_argument("--keys", default="", help="keys to press first, comma-separated")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["ADVISOR_HOME"] = home
        os.environ["TEXTUAL_ANIMATIONS"] = "none"
        keys = tuple(k for k in args.keys.split(",") if k)
        print(save_screenshot(args.output.resolve(), profile=args.profile, keys=keys))


if __name__ == "__main__":
    main()
