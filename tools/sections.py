"""Each section copied on its own: the notebook's setup cell plus one `## ` section, as a fresh Python file.

Readers copy a section into their own project. For every section of every notebook (or those named), this
writes the setup cell (the first code cell) and the section's code cells into one script, runs it with plain
`python` in a scratch copy of the tree, and reports:

  ok        the script ran to the end
  needs     it stopped on purpose, with a message that names the section to run first ("... section N ...")
  FAIL      anything else (a NameError, say): the section does not stand alone

    python tools/sections.py [notebooks/11_parallel_dp_ddp.ipynb ...] [--jobs 2]

Not part of `make test` (136 sections, each a fresh `import torch`, take several minutes); run it after
changing which section defines what. Exit status 1 if any section FAILs.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEEDS_RE = re.compile(r"\bsections?\s+\d+", re.I)


def src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def sections(nb_path: Path) -> tuple[str, list[tuple[str, str]]]:
    cells = json.loads(nb_path.read_text(encoding="utf-8"))["cells"]
    code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
    setup = src(cells[code[0]])
    out, title, body = [], None, []
    for i, c in enumerate(cells):
        if c["cell_type"] == "markdown" and src(c).startswith("## "):
            if title is not None:
                out.append((title, "\n\n".join(body)))
            title, body = src(c).splitlines()[0][3:].strip(), []
        elif c["cell_type"] == "code" and title is not None and i != code[0]:
            body.append(src(c))
    if title is not None:
        out.append((title, "\n\n".join(body)))
    return setup, out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    notebooks = [p.resolve() for p in a.notebooks] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    work = Path(tempfile.mkdtemp(prefix="sections-"))
    env = dict(os.environ, MPLBACKEND="Agg", CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="1", PYTHONHASHSEED="0")
    try:
        jobs = []
        for nb in notebooks:
            setup, secs = sections(nb)
            for k, (title, body) in enumerate(secs, 1):
                # One tree per script: sections write files (figures, runs, scratch folders) and must not see
                # what another section left behind.
                tree = work / f"{nb.stem}-{k:02d}"
                (tree / "notebooks").mkdir(parents=True)
                shutil.copytree(ROOT / "data", tree / "data")
                (tree / "figures").mkdir()
                script = tree / "notebooks" / "section.py"
                script.write_text(setup + "\n\n# ---- section: " + title + "\n\n" + body + "\n", encoding="utf-8")
                jobs.append((nb.name, k, title, script))

        def run(job):
            name, k, title, script = job
            p = subprocess.run([sys.executable, script.name], cwd=script.parent, env=env,
                               capture_output=True, text=True, timeout=600)
            lines = [ln for ln in (p.stdout + p.stderr).splitlines() if ln.strip()]
            last = lines[-1] if lines else ""
            status = "ok" if p.returncode == 0 else ("needs" if NEEDS_RE.search(last) else "FAIL")
            return name, k, title, status, last

        counts = {"ok": 0, "needs": 0, "FAIL": 0}
        with ThreadPoolExecutor(a.jobs) as pool:
            for name, k, title, status, last in pool.map(run, jobs):
                counts[status] += 1
                line = f"{status:5s} {name} §{k} {title[:60]}"
                if status != "ok":
                    line += f"\n        {last[:200]}"
                print(line, flush=True)
        print(f"sections: {counts['ok']} ran, {counts['needs']} stopped naming the section to run first, "
              f"{counts['FAIL']} failed, of {len(jobs)}")
        return 1 if counts["FAIL"] else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
