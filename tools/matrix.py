"""`make matrix`: every notebook, executed in environments unlike CI's, in a scratch copy of the tree.

CI's environment (one thread, this machine's CPU kernels, PYTHONHASHSEED=0) is the one the stored outputs
were recorded in. A reader's is not. This runs the notebooks the way readers do, and fails if one stops:

  strict   strict nbval (every output compared), one thread, with the CPU kernels of a typical AVX2 laptop
           (or another --kernels setting): the stored outputs must not depend on the CPU's vector width.
  errors   outputs not compared, only "runs to the end": N threads (--threads, default 4), no vector kernels
           (ATEN_CPU_CAPABILITY=default), no PYTHONHASHSEED, and none of make's settings (no MPLCONFIGDIR, no
           venv on PATH): what a reader's own environment looks like, `jupyter lab notebooks` and Run All.

    python tools/matrix.py                                 # both legs, every notebook (what `make matrix` runs)
    python tools/matrix.py --leg errors --threads 2 notebooks/10_tensorboard.ipynb
    python tools/matrix.py --leg strict --kernels default

The work tree is never touched: notebooks, data and the test settings are copied to a scratch folder
(deleted afterwards unless --keep), and the figures and runs the notebooks write land there.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Environment variables that choose torch's CPU kernels (ATen), oneDNN's and MKL's instruction sets.
KERNELS = {
    "native": {},
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
    "default": {"ATEN_CPU_CAPABILITY": "default"},  # no vector kernels: what torch uses on a CPU it has none for
}
# Everything the Makefile and conftest.py set for a notebook run: the errors leg removes all of it.
MAKE_VARS = ("PYTHONHASHSEED", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "CUDA_VISIBLE_DEVICES", "MPLCONFIGDIR",
             "TORCH_HOME", "PYDEVD_DISABLE_FILE_VALIDATION", "JUPYTER_PLATFORM_DIRS",
             "ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA", "MKL_ENABLE_INSTRUCTIONS")
COPY = ["notebooks", "data", "figures", "tests", "conftest.py", "README.md"]
# The errors leg's IPython startup file, for more threads than cores (see errors_leg). It leaves no name behind
# in the notebook's namespace, so a cell that forgets an import still fails.
THREADS_STARTUP = """\
def _matrix_threads():
    import os

    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    assert torch.get_num_threads() == int(os.environ["OMP_NUM_THREADS"])


_matrix_threads()
del _matrix_threads
"""


def scratch_copy(dest: Path, notebooks: list[Path]) -> None:
    ignore = shutil.ignore_patterns("runs", "_scratch", ".ipynb_checkpoints", "__pycache__", "*.ipynb", "kernel-*")
    for name in COPY:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            shutil.copy2(src, dest / name)
    for nb in notebooks:  # only the notebooks asked for
        shutil.copy2(nb, dest / "notebooks" / nb.name)


def strict_leg(work: Path, notebooks: list[Path], kernels: str) -> int:
    env = dict(os.environ, **KERNELS[kernels])
    # conftest.py (copied) sets one thread, PYTHONHASHSEED=0 and CPU only, as in CI; -p no:cacheprovider keeps
    # pytest from writing a cache folder.
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "-n", "2", "--dist",
           "loadscope", *[f"notebooks/{nb.name}" for nb in notebooks]]
    print(f"matrix strict: nbval, every output compared; one thread; kernels={kernels} {KERNELS[kernels]}",
          flush=True)
    return subprocess.call(cmd, cwd=work, env=env)


def errors_leg(work: Path, notebooks: list[Path], kernels: str, threads: int, jobs: int) -> int:
    env = {k: v for k, v in os.environ.items() if k not in MAKE_VARS}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if Path(p).resolve() != Path(sys.executable).parent.resolve())
    env.update(KERNELS[kernels], OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if threads * jobs > cores and "OMP_WAIT_POLICY" not in env:
        # More threads than cores (CI: 2 notebooks x 4 threads on 2 cores). OpenMP threads that wait for work spin
        # by default, which is right when each has a core of its own (a reader's machine) and slows an
        # oversubscribed run 2-3 times here. PASSIVE lets them sleep instead; it changes scheduling, not results.
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    # Matplotlib builds its font cache at first import; give it a fresh folder, as a first-time reader has.
    env["MPLCONFIGDIR"] = str(work / "mplconfig")
    if threads > cores:
        # torch takes its thread count from OMP_NUM_THREADS but caps it at the number of cores (2.14: 4 asked on 2
        # cores gives 2). To run the notebooks with as many threads as a reader's bigger machine gives them, each
        # kernel calls torch.set_num_threads(N) at start, from an IPython startup file (IPYTHONDIR in the scratch).
        startup = work / "ipython" / "profile_default" / "startup"
        startup.mkdir(parents=True)
        (startup / "00-threads.py").write_text(THREADS_STARTUP)
        env["IPYTHONDIR"] = str(work / "ipython")
    outdir = work / "executed"
    outdir.mkdir()
    print(f"matrix errors: outputs not compared; {threads} threads"
          + (f" (torch.set_num_threads({threads}) in each kernel: {cores} cores here)" if threads > cores else "")
          + f"; kernels={kernels} {KERNELS[kernels]}; "
          "no PYTHONHASHSEED; none of make's settings"
          + ("; OMP_WAIT_POLICY=PASSIVE (more threads than cores)" if "OMP_WAIT_POLICY" in env else ""), flush=True)

    # The longest notebooks first, so that the last minute is not one of them running alone (the order is only
    # a schedule: each notebook runs in a kernel of its own). Printed in the usual order.
    slow = ("09_", "11_", "13_", "10_", "04_", "12_")
    order = sorted(notebooks, key=lambda nb: next((i for i, p in enumerate(slow) if nb.name.startswith(p)), len(slow)))
    failed = 0
    # `jobs` executor processes, each running what `jupyter nbconvert --to notebook --execute` runs (nbconvert's
    # ExecutePreprocessor: a fresh kernel per notebook, every cell in order) for one notebook after another. One
    # process per notebook would start Jupyter 13 times, 2 to 3 s each here (half of it jsonschema building its
    # IRI parser). The kernel is stopped at once when its notebook ends, as nbval does, not asked to tidy up (1.5 s).
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_executor_init, initargs=(env, str(work))) as pool:
        runs = [pool.submit(_execute, str(work / "notebooks" / nb.name), str(outdir)) for nb in order]
        done = {nb: run.result() for nb, run in zip(order, runs)}
    for nb in notebooks:
        rc, wall, err = done[nb]
        print(f"  {'ok  ' if rc == 0 else 'FAIL'} {nb.name:40s} {wall:5.1f} s", flush=True)
        if rc:
            failed += 1
            tail = [ln for ln in err.splitlines() if ln.strip()][-25:]
            print("\n".join("      " + ln for ln in tail), flush=True)
    print(f"matrix errors: {len(notebooks) - failed} of {len(notebooks)} notebooks ran to the end", flush=True)
    return 1 if failed else 0


def _executor_init(env: dict, work: str) -> None:
    """In each executor process of the errors leg: the reader's environment, inherited by every kernel it starts,
    and the scratch copy as working folder; the kernels' stderr (Jupyter's start-up chatter, warnings) goes to a
    file there, not to the terminal: a failure is reported with the cell's traceback."""
    os.environ.clear()
    os.environ.update(env)
    os.chdir(work)
    Path("kernel-stderr").mkdir(exist_ok=True)
    log = os.open(Path("kernel-stderr") / f"{os.getpid()}.txt", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 2)


def _execute(path: str, outdir: str) -> tuple[int, float, str]:
    """Execute one notebook (cwd = its folder) and write the executed copy to outdir: exit status, seconds, error."""
    import nbformat
    from nbconvert.preprocessors import ExecutePreprocessor

    t = time.perf_counter()
    ep = ExecutePreprocessor(kernel_name="python3", timeout=600, shutdown_kernel="immediate")
    rc, err, nb = 0, "", None
    try:
        nb = nbformat.read(path, as_version=4)
        ep.preprocess(nb, {"metadata": {"path": str(Path(path).parent)}})
    except Exception as e:  # CellExecutionError carries the cell's traceback
        rc, err = 1, f"{type(e).__name__}: {e}"
    finally:
        if nb is not None:
            nbformat.write(nb, Path(outdir) / Path(path).name)
    return rc, time.perf_counter() - t, err


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--leg", choices=["strict", "errors", "both"], default="both")
    ap.add_argument("--kernels", choices=list(KERNELS), help="default: avx2 for strict, default for errors")
    ap.add_argument("--threads", type=int, default=4, help="threads for the errors leg (default 4)")
    ap.add_argument("--jobs", type=int, default=2, help="notebooks at once in the errors leg (default 2)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder and print where it is")
    a = ap.parse_args()
    notebooks = [p.resolve() for p in a.notebooks] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    status = 0
    for leg in (["strict", "errors"] if a.leg == "both" else [a.leg]):
        work = Path(tempfile.mkdtemp(prefix=f"matrix-{leg}-"))
        try:
            scratch_copy(work, notebooks)
            t = time.perf_counter()
            if leg == "strict":
                rc = strict_leg(work, notebooks, a.kernels or "avx2")
            else:
                rc = errors_leg(work, notebooks, a.kernels or "default", a.threads, a.jobs)
            print(f"matrix {leg}: {'passed' if rc == 0 else 'FAILED'} in {time.perf_counter() - t:.0f} s", flush=True)
            status = status or rc
        finally:
            if a.keep:
                print(f"matrix {leg}: scratch copy kept in {work}")
            else:
                shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
