# Executable PyTorch Notes: one entry point for everything.
#   make run    set up .venv if needed, execute every notebook in place (NB=notebooks/02_autograd.ipynb for one)
#   make test   set up .venv if needed, hygiene tests, then strict nbval over every notebook
#   make lab    set up .venv if needed, start JupyterLab with the machine's GPUs visible
# Python 3.11, 3.12 or 3.13 (tools/pick_python.sh picks one; PYTHON=python3.12 to choose). See README.md.

PYTHON ?=
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NB     ?= $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))

# Settings every notebook run shares, `make lab` included: fixed hash seed, caches inside the venv (so a fresh
# machine writes nothing to stderr), the venv's tools first on PATH, quiet debugger/platformdirs warnings.
COMMON_ENV := PYTHONHASHSEED=0 PYDEVD_DISABLE_FILE_VALIDATION=1 JUPYTER_PLATFORM_DIRS=1 \
	MPLCONFIGDIR=$(CURDIR)/$(VENV)/mplconfig TORCH_HOME=$(CURDIR)/$(VENV)/torch-home PATH="$(CURDIR)/$(BIN):$$PATH"
# The one environment that run, test, check, bench and data execute under (conftest.py sets the same for a bare
# pytest): CPU only, because the stored outputs are CPU outputs; one thread (deterministic reductions, and two
# xdist workers fit two cores). `make lab` does NOT use it: there the GPUs are visible and all cores are used.
NB_ENV := CUDA_VISIBLE_DEVICES= OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(COMMON_ENV)

# record_timing=False: no timestamps in cell metadata. CoalesceStreams: the kernel splits printed text into
# chunks depending on timing; merging them makes the stored JSON the same on every run.
# transport=ipc: the kernel talks to nbconvert over Unix sockets in a fresh private (0700) folder instead of TCP on
# loopback, so no port is open to other users and the kernel has no "running over TCP without encryption" warning
# to print. The socket path must be absolute (the kernel runs in notebooks/), short (Unix sockets allow ~100
# characters) and removed afterwards: IPC_DIR makes the folder, the recipe's trap removes it.
IPC_DIR := ipc=$$(mktemp -d) && trap 'rm -rf "$$ipc"' EXIT &&
EXECUTE := $(BIN)/jupyter nbconvert --to notebook --execute \
	--KernelManager.transport=ipc --KernelManager.ip="$$ipc/kernel" \
	--ExecutePreprocessor.kernel_name=python3 \
	--ExecutePreprocessor.timeout=600 \
	--ExecutePreprocessor.record_timing=False \
	--NotebookExporter.preprocessors='["nbconvert.preprocessors.CoalesceStreamsPreprocessor"]'

# make lab: where JupyterLab listens. 127.0.0.1 keeps it off the network; see README for a remote machine.
LAB_IP   ?= 127.0.0.1
LAB_PORT ?= 8888

.PHONY: install run test check bench data lab gpu-check test-python clean site site-check matrix

# Always: pick the interpreter (and refuse to reuse a venv built by another Python), then build the
# stamp if it is older than the pins. The stamp records the Python version and the installer used.
install:
	@py=$$(PYTHON='$(PYTHON)' sh tools/pick_python.sh $(VENV)) && \
	{ $(MAKE) -q --no-print-directory $(STAMP) || $(MAKE) --no-print-directory $(STAMP) PYTHON="$$py"; }

# uv is bootstrapped into the venv with pip (version pinned in requirements-tools.txt) and installs the same
# pins faster; if either step fails, plain pip installs them. --compile-bytecode does what pip does by default:
# without it, where PYTHONDONTWRITEBYTECODE=1 is set (as on this project's development machines), every kernel
# recompiles torch's modules at each start, which doubled the time of `make test` here.
$(STAMP): requirements.txt constraints.txt requirements-tools.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if $(BIN)/python -m pip install --disable-pip-version-check -q -r requirements-tools.txt && \
	    $(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements.txt -c constraints.txt; then \
	    echo "installed requirements.txt with $$($(BIN)/uv --version)"; \
	    echo "installer=$$($(BIN)/uv --version)" > $(STAMP).tmp; \
	else \
	    echo "uv is not available here or failed; installing with pip"; \
	    $(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt -c constraints.txt && \
	    echo "installer=pip $$($(BIN)/python -m pip --version | cut -d' ' -f2)" > $(STAMP).tmp; \
	fi
	@# Build matplotlib's font cache now, or the first notebook prints "building the font cache" on stderr.
	@$(NB_ENV) $(BIN)/python -c 'import matplotlib.pyplot'
	@$(BIN)/python -c 'import platform; print("python=" + platform.python_version())' >> $(STAMP).tmp
	@mv $(STAMP).tmp $(STAMP)

run: install
	$(IPC_DIR) $(NB_ENV) $(EXECUTE) --inplace $(NB)

test: install
	$(NB_ENV) $(BIN)/python -m pytest -q tests
	$(NB_ENV) $(BIN)/python -m pytest -q --nbval notebooks -n 2 --dist loadscope

# One notebook, end to end, while writing it: make check NB=notebooks/01_tensors.ipynb
check: install
	@status=0; $(NB_ENV) $(BIN)/python tests/hygiene.py $(NB) || status=1; \
	$(NB_ENV) $(BIN)/python -m pytest -q --nbval $(NB) || status=1; exit $$status

bench: install
	$(NB_ENV) $(BIN)/python tests/bench.py $(NB)

data: install
	$(NB_ENV) $(BIN)/python data/make_data.py

# The reader matrix (CI runs it after `make test`), in a scratch copy; the work tree is not touched:
#   strict nbval with a typical laptop's AVX2 kernels (one thread): stored outputs must not depend on the CPU;
#   every notebook run to the end (outputs not compared) with 4 threads, no vector kernels, no PYTHONHASHSEED
#   and none of the settings above: a reader's own environment. tools/matrix.py --help for single legs.
matrix: install
	$(BIN)/python tools/matrix.py $(NB)

# The suite on another supported Python, in a venv of its own: make test-python PY=python3.13 (→ .venv-3.13).
test-python:
	@test -n "$(PY)" || { echo "usage: make test-python PY=python3.12   (or python3.13, python3.11)"; exit 2; }
	@v=$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || \
	    { echo "make: PY=$(PY): not found or does not run"; exit 2; }; \
	$(MAKE) --no-print-directory test PYTHON=$(PY) VENV=.venv-$$v

# For reading and editing: the machine's GPUs stay visible (CUDA_VISIBLE_DEVICES is passed through as it is),
# all cores, and --allow-root when run as root (containers). Jupyter prints the address with its token.
lab: install
	@if [ -z "$${CUDA_VISIBLE_DEVICES+set}" ]; then echo "make lab: CUDA_VISIBLE_DEVICES is not set: every GPU is visible"; \
	else echo "make lab: CUDA_VISIBLE_DEVICES='$$CUDA_VISIBLE_DEVICES' (from your shell; passed on as it is)"; fi
	@$(COMMON_ENV) $(BIN)/python -c 'import torch; n = torch.cuda.device_count(); print("make lab: torch sees " + (f"{n} CUDA device(s): " + ", ".join(torch.cuda.get_device_name(i) for i in range(n)) if n else "no CUDA device; the notebooks run on the CPU"))'
	@echo "make lab: open the http://$(LAB_IP):$(LAB_PORT)/lab?token=... address Jupyter prints below (its port, if $(LAB_PORT) is taken)."
	@echo "make lab: from another machine: ssh -N -L $(LAB_PORT):127.0.0.1:$(LAB_PORT) you@this-machine, then open the same address there."
	$(COMMON_ENV) $(BIN)/jupyter lab notebooks --no-browser --ip=$(LAB_IP) --port=$(LAB_PORT) \
	    $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# On a CUDA machine: every notebook with the GPUs visible; fails on any error, outputs are not compared.
# The executed copies go to $(VENV)/gpu-check; figures/ is rewritten, so `git checkout figures` afterwards.
gpu-check: install
	@mkdir -p $(VENV)/gpu-check
	$(IPC_DIR) OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(COMMON_ENV) $(EXECUTE) --output-dir $(VENV)/gpu-check $(NB)

# The book: a static HTML site of the committed notebooks with their stored outputs (nothing is executed), built
# by Sphinx + MyST-NB from book/ into $(SITE_DIR) with warnings as errors (see README for serving it).
# Its packages live in $(SITE_VENV) (requirements-site.txt), apart from .venv: run and test never need them.
# `make site-check` loads every page in headless Chromium and checks cells, images, math, search, the copy button
# and that nothing is requested from another host (Debian: apt-get install chromium fonts-noto-cjk).
# PYTHONDONTWRITEBYTECODE is cleared so that the site venv keeps its compiled modules between builds.
SITE_VENV := .venv-site
SITE_DIR  := _build/site

$(SITE_VENV)/.installed: requirements-site.txt requirements-tools.txt
	@py=$$(PYTHON='$(PYTHON)' sh tools/pick_python.sh $(SITE_VENV)) && { test -x $(SITE_VENV)/bin/python || $$py -m venv $(SITE_VENV); }
	@if $(SITE_VENV)/bin/python -m pip install --disable-pip-version-check -q -r requirements-tools.txt && \
	    $(SITE_VENV)/bin/uv pip install -q --python $(SITE_VENV)/bin/python -r requirements-site.txt; then :; else \
	    echo "uv is not available here or failed; installing with pip"; \
	    $(SITE_VENV)/bin/python -m pip install --disable-pip-version-check -q -r requirements-site.txt; fi
	@touch $@

site: $(SITE_VENV)/.installed
	@PYTHONDONTWRITEBYTECODE= $(SITE_VENV)/bin/python book/build.py $(SITE_DIR)

site-check: site
	@PYTHONDONTWRITEBYTECODE= $(SITE_VENV)/bin/python tests/browser_check.py $(SITE_DIR)

clean:
	rm -rf .venv .venv-3.* .venv-site _build .pytest_cache notebooks/runs notebooks/_scratch
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
