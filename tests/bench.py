"""`make bench`: execute each notebook once (in a scratch copy) and print wall seconds and peak memory.

The first row is the floor: a one-cell notebook that only imports torch, so the cost of a
notebook's own work is its row minus the floor. Peak memory is the largest resident set of any
process the run started (the kernel, DataLoader workers, torchrun children), from getrusage.
"""
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MEASURE = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.call([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                      "--ExecutePreprocessor.kernel_name=python3", "--ExecutePreprocessor.timeout=600",
                      "--output-dir", sys.argv[2], sys.argv[1]],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - t
print(rc, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""

FLOOR = {"nbformat": 4, "nbformat_minor": 5,
         "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
         "cells": [{"cell_type": "code", "id": "floor", "metadata": {}, "execution_count": None,
                    "outputs": [], "source": "import torch"}]}


def measure(nb: Path, outdir: str):
    out = subprocess.run([sys.executable, "-c", MEASURE, str(nb), outdir],
                         capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), float(out[1]), float(out[2])


def main(argv):
    notebooks = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    rows, failed = [], []
    with tempfile.TemporaryDirectory() as tmp:
        # The floor runs from notebooks/ too, so it starts the kernel the same way.
        floor = ROOT / "notebooks" / "_bench_floor.ipynb"
        floor.write_text(json.dumps(FLOOR))
        try:
            rows.append(("(floor: import torch)",) + measure(floor, tmp)[1:])
        finally:
            floor.unlink()
        for nb in notebooks:
            rc, wall, mb = measure(nb, tmp)
            rows.append((nb.name + ("  FAILED" if rc else ""), wall, mb))
            if rc:
                failed.append(nb.name)
            print(f"  {nb.name}: {wall:.1f} s", file=sys.stderr, flush=True)
    width = max(len(r[0]) for r in rows)
    print(f"\n| {'notebook':<{width}} | wall s | peak MB |")
    print(f"|{'-' * (width + 2)}|-------:|--------:|")
    for name, wall, mb in rows:
        print(f"| {name:<{width}} | {wall:6.1f} | {mb:7.0f} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
