# Executable PyTorch Notes: one entry point for everything.
#   make run    set up .venv if needed, execute every notebook in place (NB=notebooks/02_autograd.ipynb for one)
#   make test   set up .venv if needed, hygiene tests, then strict nbval over every notebook
# See README.md for the rest.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NB     ?= $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))

# The one environment that both `make run` and `make test` execute notebooks under.
# CPU only, one thread (deterministic reductions, and two xdist workers fit two cores),
# fixed hash seed, caches inside the venv so a fresh machine writes nothing to stderr.
export CUDA_VISIBLE_DEVICES :=
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export JUPYTER_PLATFORM_DIRS := 1
export MPLCONFIGDIR := $(CURDIR)/$(VENV)/mplconfig
export TORCH_HOME := $(CURDIR)/$(VENV)/torch-home
export PATH := $(CURDIR)/$(BIN):$(PATH)

# record_timing=False: no timestamps in cell metadata. CoalesceStreams: the kernel splits printed text into
# chunks depending on timing; merging them makes the stored JSON the same on every run.
EXECUTE := $(BIN)/jupyter nbconvert --to notebook --execute \
	--ExecutePreprocessor.kernel_name=python3 \
	--ExecutePreprocessor.timeout=600 \
	--ExecutePreprocessor.record_timing=False \
	--NotebookExporter.preprocessors='["nbconvert.preprocessors.CoalesceStreamsPreprocessor"]'

.PHONY: install run test check bench data lab gpu-check clean

install: $(STAMP)

$(STAMP): requirements.txt constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt -c constraints.txt
	@# Build matplotlib's font cache now, or the first notebook prints "building the font cache" on stderr.
	$(BIN)/python -c 'import matplotlib.pyplot'
	touch $(STAMP)

run: install
	$(EXECUTE) --inplace $(NB)

test: install
	$(BIN)/python -m pytest -q tests
	$(BIN)/python -m pytest -q --nbval notebooks -n 2 --dist loadscope

# One notebook, end to end, while writing it: make check NB=notebooks/01_tensors.ipynb
check: install
	@status=0; $(BIN)/python tests/hygiene.py $(NB) || status=1; \
	$(BIN)/python -m pytest -q --nbval $(NB) || status=1; exit $$status

bench: install
	$(BIN)/python tests/bench.py $(NB)

data: install
	$(BIN)/python data/make_data.py

lab: install
	$(BIN)/jupyter lab notebooks

# On a CUDA machine: every notebook with the GPUs visible; fails on any error, outputs are not compared.
# The executed copies go to .venv/gpu-check; figures/ is rewritten, so `git checkout figures` afterwards.
gpu-check: install
	@mkdir -p $(VENV)/gpu-check
	env -u CUDA_VISIBLE_DEVICES $(EXECUTE) --output-dir $(VENV)/gpu-check $(NB)

clean:
	rm -rf $(VENV) .pytest_cache notebooks/runs notebooks/_scratch
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
