"""Render snapshot SVGs to PNG, to look at them before committing (see README.md here).

Run with any Python that has cairosvg (not a dependency of the project):
    python -m venv /tmp/svg && /tmp/svg/bin/pip install cairosvg
    /tmp/svg/bin/python tests/app/snapshots/render_png.py [SVG ...] --out /tmp/snap-png
Without SVG arguments it renders every committed snapshot.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cairosvg

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("svgs", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=Path("/tmp/snap-png"))
    args = parser.parse_args()
    svgs = args.svgs or sorted((HERE / "__snapshots__").rglob("*.svg"))
    args.out.mkdir(parents=True, exist_ok=True)
    for svg in svgs:
        png = args.out / (svg.stem + ".png")
        cairosvg.svg2png(url=str(svg), write_to=str(png), output_width=1600)
        print(png)


if __name__ == "__main__":
    main()
