"""`make site`: build the book into OUT (default _build/site) with warnings as errors, and say how long it took.

Usage: python book/build.py [OUT]
Sphinx's doctrees (its incremental-build cache) go next to OUT, in OUT.doctrees, so OUT holds only the site.
"""

import sys
import time
from pathlib import Path

from sphinx.cmd.build import build_main

BOOK = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "_build/site")
    start = time.perf_counter()
    status = build_main(["-b", "html", "-W", "--keep-going", "-q", "-d", f"{out}.doctrees", str(BOOK), str(out)])
    seconds = time.perf_counter() - start
    if status:
        print(f"make site: FAILED after {seconds:.1f} s (a warning is an error here; see above). In a notebook, "
              "line 80002 means cell 8 (counting every cell from 1), line 2 of that cell.", file=sys.stderr)
        return status
    pages = [p for p in out.rglob("*.html")
             if p.name not in {"genindex.html", "search.html"} and not p.relative_to(out).parts[0].startswith("_")]
    chapters = [p for p in pages if p.parent.name == "notebooks"]
    print(f"make site: {len(pages)} pages ({len(chapters)} chapters) built in {seconds:.1f} s, "
          f"no warnings: open {out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
