"""The tracker snippet. Its source is in `src/`; the built files in `dist/` are committed so a
Python-only install can serve them."""

from pathlib import Path

DIST = Path(__file__).parent / "dist"
