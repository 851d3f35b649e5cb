"""Hygiene checks for the notebooks: what nbval cannot see.

nbval compares the outputs of the cells it runs, but it silently skips a cell that was never
executed, it does not look for warnings, machine paths or deprecated APIs, and it knows nothing
about figures or the README. Each function here returns a list of problems, each naming the file
and, where there is one, the cell ("cell 7" = the 7th cell of the notebook, counting from 1).

    python tests/hygiene.py [notebooks/01_tensors.ipynb ...]   # all notebooks when none is given
"""
from __future__ import annotations

import io
import json
import re
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_BYTES = 1_000_000

# Deprecated or forbidden in code cells, unless the cell is tagged `pitfall` and sits under an Erratum.
# label -> (regex, why). Matched against the code with its `#` comments removed (see code_without_comments):
# a deprecated call named in a comment runs nothing, but one inside a string can (exec, a child script), so
# strings count.
BANNED_CODE = {
    "pretrained=": (r"\bpretrained\s*=(?!=)",
                    "deprecated since torchvision 0.13, and pretrained=True downloads; use weights=... (weights=None offline)"),
    "download=True": (r"\bdownload\s*=\s*True\b", "downloads data; use the files in data/"),
    "torch.cuda.amp": (r"\btorch\.cuda\.amp\b", "deprecated; use torch.amp (torch.autocast / torch.amp.GradScaler)"),
    "torch.distributed.launch": (r"\btorch\.distributed\.launch\b", "deprecated; use torchrun"),
    "set_default_tensor_type": (r"\bset_default_tensor_type\b",
                                "deprecated since torch 2.1; use torch.set_default_dtype / torch.set_default_device"),
    "ToTensor()": (r"\bToTensor\s*\(\s*\)",
                   "v2.ToTensor is deprecated and v1 transforms are legacy; use "
                   "v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])"),
    "_LRScheduler": (r"\b_LRScheduler\b", "pre-2.0 name kept for old code; subclass torch.optim.lr_scheduler.LRScheduler"),
    "Variable": (r"\bautograd\.Variable\b|\bimport\s+Variable\b|\bVariable\s*\(",
                 "torch.autograd.Variable is a deprecated no-op since torch 0.4; use tensors (requires_grad=True)"),
    "torch.jit.script/trace": (r"\bjit\.(?:script|trace)\b",
                               "TorchScript is deprecated (FutureWarning); use torch.export / torch.compile"),
    "clip_grad_norm(": (r"\bclip_grad_norm\s*\(", "deprecated; use clip_grad_norm_ (trailing underscore)"),
    "size_average=": (r"\bsize_average\s*=", "deprecated loss argument; use reduction='mean'|'sum'|'none'"),
}
MACHINE_PATHS = ("/root/", "/home/", "/tmp/", "site-packages")
WARNING_RE = re.compile(r"\b\w*Warning\b|warnings\.warn")
FIGURE_RE = re.compile(r"""["'](\d\d_[A-Za-z0-9_.\-]+\.png)["']""")


def _src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def code_without_comments(source: str) -> str:
    """The source with every `#` comment removed (strings are kept). Not valid Python: the source unchanged."""
    try:
        comments = [tok.start for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                    if tok.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError):
        return source
    lines = source.splitlines(keepends=True)
    for row, col in comments:
        line = lines[row - 1]
        lines[row - 1] = line[:col] + line[len(line.rstrip("\r\n")):]
    return "".join(lines)


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", []) or []


def _output_texts(out) -> list[str]:
    """Every piece of text an output holds: stream text, rich data, error name/value/traceback."""
    texts = []
    if "text" in out:
        texts.append(_src({"source": out["text"]}))
    for key, val in (out.get("data") or {}).items():
        if key.startswith("text/"):  # not image/png: base64 may spell "/home/" by chance
            texts.append(_src({"source": val}))
    if out.get("output_type") == "error":
        texts += [out.get("ename", ""), out.get("evalue", "")] + list(out.get("traceback", []))
    return texts


def load(path: Path) -> tuple[dict | None, list[str]]:
    """Read a notebook; a broken file gives one clear problem instead of a traceback."""
    name = _rel(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        return None, [f"{name}: cannot be read ({e.strerror})"]
    problems = []
    if len(raw) >= MAX_BYTES:
        problems.append(f"{name}: {len(raw) / 1e6:.2f} MB, over the 1 MB limit (smaller figures, fewer printed rows)")
    try:
        nb = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        return None, problems + [f"{name}: not UTF-8 text ({e.reason} at byte {e.start})"]
    except json.JSONDecodeError as e:
        return None, problems + [f"{name}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})"]
    if not isinstance(nb, dict) or nb.get("nbformat") != 4:
        found = nb.get("nbformat") if isinstance(nb, dict) else type(nb).__name__
        return None, problems + [f"{name}: not an nbformat 4 notebook (nbformat = {found!r})"]
    import nbformat  # here, not at the top: the JSON checks above work without it

    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as e:
        msg = str(e.message).splitlines()[0][:200]
        where = "/".join(str(p) for p in e.absolute_path) or "top level"
        return None, problems + [f"{name}: not a valid nbformat 4 notebook at {where}: {msg}"]
    return nb, problems


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return Path(path).name


def check_cells(path: Path, nb: dict) -> list[str]:
    name = _rel(path)
    problems = []
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if kernel != "python3":
        problems.append(f"{name}: kernel is {kernel!r}, expected 'python3'")

    counts = []
    last_markdown = ""
    root_str = str(ROOT)
    for i, cell in enumerate(nb.get("cells", []), start=1):
        where = f"{name} cell {i}"
        if cell.get("cell_type") == "markdown":
            last_markdown = _src(cell)
            continue
        if cell.get("cell_type") != "code":
            continue
        source, tags = _src(cell), _tags(cell)
        if source.strip():
            n = cell.get("execution_count")
            counts.append(n)
            if n is None:
                problems.append(f"{where}: never executed (nbval skips it silently); run `make run NB={name}`")
        code = code_without_comments(source)
        for label, (pattern, why) in BANNED_CODE.items():
            if re.search(pattern, code) and not ("pitfall" in tags and "**Erratum" in last_markdown):
                problems.append(f"{where}: uses `{label}` ({why}); allowed only in a cell tagged "
                                "`pitfall` right under an Erratum callout")
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "error" and "raises-exception" not in tags:
                problems.append(f"{where}: error output {out.get('ename')}: {out.get('evalue', '')[:120]} "
                                "(tag the cell `raises-exception` if the error is the lesson)")
            texts = _output_texts(out)
            if kind == "stream" and out.get("name") == "stderr":
                joined = "".join(texts)
                if WARNING_RE.search(joined):
                    problems.append(f"{where}: warning text on stderr: {joined.strip().splitlines()[0][:160]}")
            for text in texts:
                hit = next((p for p in MACHINE_PATHS + (root_str,) if p in text), None)
                if hit:
                    problems.append(f"{where}: machine path {hit!r} in the output (print relative paths or names)")
                    break
    if counts and None not in counts and counts != list(range(1, len(counts) + 1)):
        problems.append(f"{name}: execution counts are {counts}, not 1..{len(counts)}: "
                        "cells were not run top to bottom in one fresh kernel (`make run`)")
    return problems


def check_readme(path: Path, readme: str) -> list[str]:
    rows = [line for line in readme.splitlines() if line.lstrip().startswith("|")]
    if not any(Path(path).name in row for row in rows):
        return [f"{_rel(path)}: not listed in the chapter table of README.md"]
    return []


def saved_figures(nb: dict) -> dict[str, int]:
    """Figure files a notebook saves: every "NN_name.png" literal in its code, with its cell number."""
    found = {}
    for i, cell in enumerate(nb.get("cells", []), start=1):
        if cell.get("cell_type") == "code":
            for fig in FIGURE_RE.findall(_src(cell)):
                found.setdefault(fig, i)
    return found


def check_figures(path: Path, nb: dict, figures_dir: Path) -> list[str]:
    name, number = _rel(path), Path(path).name[:2]
    problems = []
    for fig, i in saved_figures(nb).items():
        if not fig.startswith(number + "_"):
            problems.append(f"{name} cell {i}: figure {fig} should be named {number}_*.png")
        if not (figures_dir / fig).is_file():
            problems.append(f"{name} cell {i}: saves figures/{fig}, which is not in figures/ (run `make run`)")
    return problems


def check_orphan_figures(notebooks: list[Path], figures_dir: Path) -> list[str]:
    saved = set()
    for path in notebooks:
        nb, _ = load(path)
        if nb:
            saved |= set(saved_figures(nb))
    return [f"figures/{f.name}: no notebook saves it (delete it, or save it from a notebook)"
            for f in sorted(figures_dir.glob("*.png")) if f.name not in saved]


def erratum_callouts(nb: dict) -> int:
    """How many markdown cells of a notebook hold an Erratum callout (one callout per cell, one erratum each)."""
    return sum(1 for c in nb.get("cells", []) if c.get("cell_type") == "markdown" and "**Erratum" in _src(c))


def check_readme_sections(notebooks: list[Path], readme: str, figures_dir: Path) -> list[str]:
    """The README's gallery shows every figure, and its errata table has exactly one row per Erratum callout."""
    problems = [f"figures/{f.name}: not shown in the README's figure gallery"
                for f in sorted(figures_dir.glob("*.png")) if f"figures/{f.name}" not in readme]
    errata = readme.split("## Errata", 1)[-1].split("\n## ", 1)[0]
    for path in notebooks:
        nb, _ = load(path)
        if nb is None:
            continue
        stem = Path(path).stem
        rows = sum(1 for line in errata.splitlines() if line.startswith(f"| {stem} |"))
        callouts = erratum_callouts(nb)
        if rows != callouts:
            problems.append(f"{_rel(path)}: {callouts} Erratum callout(s) in the notebook but {rows} row(s) in the "
                            "README's errata table (one row per callout: add the missing callout or row)")
    return problems


def check_notebook(path: Path, root: Path = ROOT) -> list[str]:
    nb, problems = load(Path(path))
    if nb is None:
        return problems
    readme = (root / "README.md").read_text(encoding="utf-8") if (root / "README.md").exists() else ""
    return (problems + check_cells(path, nb) + check_readme(path, readme)
            + check_figures(path, nb, root / "figures"))


def all_notebooks(root: Path = ROOT) -> list[Path]:
    return sorted((root / "notebooks").glob("*.ipynb"))


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or all_notebooks()
    problems = [p for path in paths for p in check_notebook(path)]
    if not argv:
        problems += check_orphan_figures(paths, ROOT / "figures")
        problems += check_readme_sections(paths, (ROOT / "README.md").read_text(encoding="utf-8"), ROOT / "figures")
    for p in problems:
        print(p)
    print(f"{len(paths)} notebook(s) checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
