"""pytest settings for the notebook tests (nbval). `make test` relies on these; a bare
`pytest --nbval notebooks` gets the same behaviour."""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
VENV = Path(sys.prefix)  # the venv pytest runs from: .venv, or .venv-3.13 under `make test-python PY=python3.13`

# The environment every notebook kernel inherits; the Makefile's NB_ENV sets the same for `make run`.
NOTEBOOK_ENV = {
    "CUDA_VISIBLE_DEVICES": "",  # CPU only: stored outputs are CPU outputs, CI has no GPU
    "OMP_NUM_THREADS": "1",  # fixed thread count: same float reduction order every run
    "MKL_NUM_THREADS": "1",  # same, for MKL kernels
    "PYTHONHASHSEED": "0",  # set/dict ordering of str keys is stable across runs
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # silences ipykernel's debugger warning on Python 3.11
    "JUPYTER_PLATFORM_DIRS": "1",  # silences jupyter_core's platformdirs deprecation warning
    "MPLCONFIGDIR": str(VENV / "mplconfig"),  # font cache built at install, not in a cell
    "TORCH_HOME": str(VENV / "torch-home"),  # no cached hub weights leak in from ~/.cache
}
os.environ.update(NOTEBOOK_ENV)


def pytest_configure(config):
    if getattr(config.option, "nbval_lax", False):
        # Strict comparison of every output is the point of this collection.
        raise pytest.UsageError("--nbval-lax is not allowed here: use --nbval (strict)")
    if hasattr(config.option, "nbval_current_env"):
        # Run the kernel from the same virtual environment as pytest (.venv or .venv-3.x), not whatever `python3` is on PATH.
        if not config.option.nbval_kernel_name:
            config.option.nbval_current_env = True
        # Mask only what truly varies between runs; see the comments in the file.
        if not config.option.nbval_sanitize_with:
            config.option.nbval_sanitize_with = str(ROOT / "tests" / "sanitize.cfg")
        # A cell that runs longer than this is a bug here (notebooks train for seconds).
        config.option.nbval_cell_timeout = 300
        # Kernel start with torch import can be slow on a loaded 2-core CI machine.
        config.option.nbval_kernel_startup_timeout = 120
