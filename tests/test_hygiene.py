"""The hygiene checks on every notebook, and, for each check, a bad notebook it must catch."""
import copy
import json
from pathlib import Path

import pytest

import hygiene

NOTEBOOKS = hygiene.all_notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_clean(path):
    problems = hygiene.check_notebook(path)
    assert not problems, "\n".join(problems)


def test_every_figure_is_saved_by_a_notebook():
    problems = hygiene.check_orphan_figures(NOTEBOOKS, hygiene.ROOT / "figures")
    assert not problems, "\n".join(problems)


def test_readme_gallery_and_errata_are_complete():
    readme = (hygiene.ROOT / "README.md").read_text(encoding="utf-8")
    problems = hygiene.check_readme_sections(NOTEBOOKS, readme, hygiene.ROOT / "figures")
    assert not problems, "\n".join(problems)


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2


# ---------------------------------------------------------------- bad notebooks must be caught

NAME = "99_bad.ipynb"


def code(source, count, outputs=(), tags=()):
    return {"cell_type": "code", "execution_count": count, "id": f"c{count}{len(source)}",
            "metadata": {"tags": list(tags)} if tags else {}, "outputs": list(outputs), "source": source}


def md(source):
    return {"cell_type": "markdown", "id": f"m{len(source)}", "metadata": {}, "source": source}


def stream(text, name="stdout"):
    return {"output_type": "stream", "name": name, "text": text}


GOOD = {
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "cells": [md("# 99 · Bad"), code("x = 1\nprint(x)", 1, [stream("1\n")]), code("y = 2", 2)],
}


@pytest.fixture
def project(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "figures").mkdir()
    (tmp_path / "README.md").write_text(f"| notebook |\n|---|\n| [{NAME}](notebooks/{NAME}) |\n")

    def check(nb=None, raw=None):
        path = tmp_path / "notebooks" / NAME
        path.write_text(raw if raw is not None else json.dumps(nb))
        return hygiene.check_notebook(path, root=tmp_path)

    return check


def bad(mutate):
    nb = copy.deepcopy(GOOD)
    mutate(nb)
    return nb


def only(problems, *words):
    assert len(problems) == 1, problems
    for w in (NAME,) + words:
        assert w in problems[0], problems[0]
    return problems[0]


def test_good_notebook_passes(project):
    assert project(GOOD) == []


def test_invalid_json_is_a_clear_message(project):
    msg = only(project(raw='{"cells": [,]}'), "not valid JSON", "line 1")
    assert "Traceback" not in msg


def test_wrong_nbformat(project):
    only(project(bad(lambda nb: nb.update(nbformat=3))), "nbformat 4")


def test_schema_violation(project):
    only(project(bad(lambda nb: nb["cells"][1].pop("source"))), "not a valid nbformat 4 notebook")


def test_wrong_kernel(project):
    only(project(bad(lambda nb: nb["metadata"]["kernelspec"].update(name="python2"))), "kernel", "python2")


def test_never_executed_cell(project):
    only(project(bad(lambda nb: nb["cells"][2].update(execution_count=None))), "cell 3", "never executed")


def test_cells_out_of_order(project):
    def mutate(nb):
        nb["cells"][1]["execution_count"], nb["cells"][2]["execution_count"] = 5, 4
    only(project(bad(mutate)), "not 1..2")


def test_empty_code_cell_is_ignored(project):
    assert project(bad(lambda nb: nb["cells"].append(code("", None)))) == []


ERROR = {"output_type": "error", "ename": "ValueError", "evalue": "boom", "traceback": ["ValueError: boom"]}


def test_untagged_error_output(project):
    only(project(bad(lambda nb: nb["cells"][2]["outputs"].append(ERROR))), "cell 3", "ValueError")


def test_tagged_error_output_is_allowed(project):
    def mutate(nb):
        nb["cells"][2]["outputs"].append(ERROR)
        nb["cells"][2]["metadata"]["tags"] = ["raises-exception"]
    assert project(bad(mutate)) == []


def test_warning_on_stderr(project):
    warning = stream("x.py:3: FutureWarning: `foo` is deprecated\n", name="stderr")
    only(project(bad(lambda nb: nb["cells"][1]["outputs"].append(warning))), "cell 2", "warning")


@pytest.mark.parametrize("text", ["/root/x.pt", "/home/me/data", "/tmp/ckpt.pt", "lib/site-packages/torch"])
def test_machine_path_in_output(project, text):
    only(project(bad(lambda nb: nb["cells"][1]["outputs"].append(stream(text)))), "cell 2", "machine path")


def test_machine_path_in_traceback(project):
    err = dict(ERROR, traceback=["File /root/.venv/lib/python3.11/site-packages/torch/x.py"])

    def mutate(nb):
        nb["cells"][2]["outputs"].append(err)
        nb["cells"][2]["metadata"]["tags"] = ["raises-exception"]
    only(project(bad(mutate)), "cell 3", "machine path")


def test_too_big(project):
    big = stream("x" * 1_100_000)
    only(project(bad(lambda nb: nb["cells"][1]["outputs"].append(big))), "1 MB")


def test_not_in_readme(project, tmp_path):
    (tmp_path / "README.md").write_text("# nothing here\n")
    only(project(GOOD), "README")


@pytest.mark.parametrize("line,pattern", [
    ("models.resnet18(pretrained=True)", "pretrained="),
    ("models.resnet18(pretrained = False)", "pretrained="),
    ("MNIST('.', download=True)", "download=True"),
    ("from torch.cuda.amp import autocast", "torch.cuda.amp"),
    ("python -m torch.distributed.launch train.py", "torch.distributed.launch"),
    ("torch.set_default_tensor_type('torch.FloatTensor')", "set_default_tensor_type"),
    ("t = v2.ToTensor()(img)", "ToTensor()"),
    ("tf = transforms.Compose([transforms.ToTensor()])", "ToTensor()"),
    ("class Warmup(torch.optim.lr_scheduler._LRScheduler): pass", "_LRScheduler"),
    ("from torch.autograd import Variable", "Variable"),
    ("x = torch.autograd.Variable(torch.ones(2))", "Variable"),
    ("x = Variable(torch.ones(2), requires_grad=True)", "Variable"),
    ("m = torch.jit.script(model)", "torch.jit.script/trace"),
    ("nn.utils.clip_grad_norm(model.parameters(), 1.0)", "clip_grad_norm("),
    ("loss = nn.MSELoss(size_average=False)", "size_average="),
    ('script = "import torch\\ntorch.set_default_tensor_type(1)"', "set_default_tensor_type"),  # strings count
])
def test_banned_code(project, line, pattern):
    only(project(bad(lambda nb: nb["cells"][2].update(source=line))), "cell 3", f"`{pattern}`")


@pytest.mark.parametrize("line", [
    "x = v2.ToImage()(img)  # replaces ToTensor()",           # a comment names the old call: runs nothing
    "# the note used models.resnet18(pretrained=True)\nm = resnet18(weights=None)",
    "pretrained_dict = {k: v for k, v in sd.items()}",          # a name that only starts with the word
    "nn.EmbeddingBag.from_pretrained(w)",
    "nn.utils.clip_grad_norm_(model.parameters(), 1.0)",
    "sched = torch.optim.lr_scheduler.LRScheduler",
    "print(x.new_empty(2)) # Variable(x) in a trailing comment",
])
def test_banned_code_not_matched(project, line):
    assert project(bad(lambda nb: nb["cells"][2].update(source=line))) == []


def test_banned_code_allowed_as_pitfall_under_erratum(project):
    def mutate(nb):
        nb["cells"].insert(2, md("> **Erratum (notes 000 §五):** `pretrained=True` is gone."))
        nb["cells"][3].update(source="m = resnet18(pretrained=True)", metadata={"tags": ["pitfall"]})
    assert project(bad(mutate)) == []


def test_pitfall_tag_alone_is_not_enough(project):
    def mutate(nb):
        nb["cells"][2].update(source="m = resnet18(pretrained=True)", metadata={"tags": ["pitfall"]})
    only(project(bad(mutate)), "cell 3", "pretrained=True")


def test_saved_figure_missing(project):
    src = 'fig.savefig(FIGURES / "99_plot.png")'
    only(project(bad(lambda nb: nb["cells"][2].update(source=src))), "cell 3", "99_plot.png")


def test_saved_figure_present(project, tmp_path):
    (tmp_path / "figures" / "99_plot.png").write_bytes(b"png")
    src = 'fig.savefig(FIGURES / "99_plot.png")'
    assert project(bad(lambda nb: nb["cells"][2].update(source=src))) == []


def test_figure_named_for_another_notebook(project, tmp_path):
    (tmp_path / "figures" / "07_plot.png").write_bytes(b"png")
    src = 'fig.savefig(FIGURES / "07_plot.png")'
    only(project(bad(lambda nb: nb["cells"][2].update(source=src))), "cell 3", "99_*.png")


def test_orphan_figure(tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "01_stray.png").write_bytes(b"png")
    nb_path = tmp_path / NAME
    nb_path.write_text(json.dumps(GOOD))
    problems = hygiene.check_orphan_figures([nb_path], tmp_path / "figures")
    assert problems == ["figures/01_stray.png: no notebook saves it (delete it, or save it from a notebook)"]


def test_figure_missing_from_gallery(tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "99_plot.png").write_bytes(b"png")
    nb_path = tmp_path / NAME
    nb_path.write_text(json.dumps(GOOD))
    readme = "## Figure gallery\n\n## Errata\n| notebook | the note says | true |\n|---|---|---|\n"
    problems = hygiene.check_readme_sections([nb_path], readme, tmp_path / "figures")
    assert problems == ["figures/99_plot.png: not shown in the README's figure gallery"]
    fixed = readme.replace("## Errata", "![p](figures/99_plot.png)\n## Errata")
    assert hygiene.check_readme_sections([nb_path], fixed, tmp_path / "figures") == []


ERRATA_README = ("## Errata\n| notebook | the note says | true |\n|---|---|---|\n{rows}\n"
                 "## How the tests work\n| 99_bad | a table row outside the errata section does not count |\n")


def erratum(n):
    return dict(md(f"> **Erratum (notes 000 §{n}):** wrong number {n}."), id=f"erratum{n}")


@pytest.mark.parametrize("callouts,rows", [
    (1, 0),   # a callout without its row
    (0, 1),   # a README row without its callout (the 08 T.Lambda row had none)
    (1, 2),   # two rows for one callout
    (2, 1),   # one row for two callouts
])
def test_errata_rows_and_callouts_must_match(tmp_path, callouts, rows):
    (tmp_path / "figures").mkdir()
    nb = bad(lambda nb: nb["cells"].__setitem__(slice(1, 1), [erratum(k) for k in range(callouts)]))
    nb_path = tmp_path / NAME
    nb_path.write_text(json.dumps(nb))
    readme = ERRATA_README.format(rows="\n".join(f"| 99_bad | note {n} | fix {n} |" for n in range(rows)))
    problems = hygiene.check_readme_sections([nb_path], readme, tmp_path / "figures")
    assert problems == [f"99_bad.ipynb: {callouts} Erratum callout(s) in the notebook but {rows} row(s) in the "
                        "README's errata table (one row per callout: add the missing callout or row)"]


@pytest.mark.parametrize("n", [0, 1, 3])
def test_errata_rows_and_callouts_equal_counts_pass(tmp_path, n):
    (tmp_path / "figures").mkdir()
    nb = bad(lambda nb: nb["cells"].__setitem__(slice(1, 1), [erratum(k) for k in range(n)]))
    nb_path = tmp_path / NAME
    nb_path.write_text(json.dumps(nb))
    readme = ERRATA_README.format(rows="\n".join(f"| 99_bad | note {k} | fix {k} |" for k in range(n)))
    assert hygiene.check_readme_sections([nb_path], readme, tmp_path / "figures") == []
