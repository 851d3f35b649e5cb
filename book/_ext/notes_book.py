"""What turns the repository's files into the book, without changing them.

- README.md and CONTRIBUTING.md are written for a code host: their links to each other and to the
  notebooks are rewritten to the book's pages (so are links in the notebooks' markdown cells), and a
  heading that skips a level (README's `#` then `###`) is raised to the next level, as the book (and
  `-W`) needs consecutive levels.
- Each chapter page says which notebook it is, links to a copy of the notebook (the
  `_sources/` copy Sphinx writes) and says how to run it.
- MathJax is served from the book itself: the parts of MathJax 3 that the pages load (from the
  pinned sphinx-mathjax-offline package) are copied to `_static/mathjax`; nothing comes from a CDN.
"""

from __future__ import annotations

import importlib.util
import json
import posixpath
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

from docutils import nodes

# Links as the code host resolves them (relative to the repository root) -> the book's pages.
PAGES = {"README.md": "index", "CONTRIBUTING.md": "contributing"}
CHAPTER = re.compile(r"notebooks/(\d\d_[\w-]+)\.ipynb")
# [text](target), not an image; or a code span, which is left as it is.
LINK_OR_CODE = re.compile(r"(?<!!)\[([^\]\n]*)\]\(([^)\s]+)\)|(`+)[^`].*?\3")
FENCE = re.compile(r"^\s{0,3}(```|~~~)")
HEADING = re.compile(r"^(#{1,6})(\s)")


def outside_code(text: str, fix_line) -> str:
    """Apply fix_line(line) to each line outside fenced code blocks."""
    out, fence = [], None
    for line in text.split("\n"):
        m = FENCE.match(line)
        if m:
            fence = None if fence == m.group(1) else fence or m.group(1)
        out.append(line if fence or m else fix_line(line))
    return "\n".join(out)


def consecutive_headings(text: str) -> str:
    """Raise every heading that is more than one level below the one before it (H1 -> H3 becomes H1 -> H2)."""
    last = 0

    def fix(line: str) -> str:
        nonlocal last
        if h := HEADING.match(line):
            level = min(len(h.group(1)), last + 1)
            line, last = "#" * level + line[len(h.group(1)) :], level
        return line

    return outside_code(text, fix)


def rewrite_links(text: str, folder: str = "") -> str:
    """Point the relative links of a file in `folder` (of the repository) at the book's pages.

    A link to a chapter notebook or to README/CONTRIBUTING becomes a link to its page (the `{doc}` role:
    MyST resolves a path through book/notebooks to the repository's own notebooks/, outside the book);
    a link to any other file of the repository becomes its label and the file's name (the book has no
    copy of it); web links and in-page anchors stay as they are. Code is left alone.
    """

    def one(m: re.Match) -> str:
        label, target = m.group(1, 2)
        path = target.partition("#")[0]
        if not path or re.match(r"[a-z][a-z0-9+.-]*:", path):
            return m.group(0)
        path = posixpath.normpath(posixpath.join(folder, unquote(path)))
        if path in PAGES or CHAPTER.fullmatch(path):
            doc = PAGES.get(path) or path.removesuffix(".ipynb")
            return f"{{doc}}`{label.replace('`', '')} </{doc}>`"
        return label if label.strip("`") == path else f"{label} (`{path}` in the repository)"

    def fix(line: str) -> str:
        return LINK_OR_CODE.sub(lambda m: one(m) if m.group(1) is not None else m.group(0), line)

    return outside_code(text, fix)


def on_include_read(app, relative_path, parent_docname, content):
    if Path(relative_path).name in PAGES:
        content[0] = rewrite_links(consecutive_headings(content[0]))


def on_source_read(app, docname, content):
    """The same for the links in a chapter's markdown cells (the file is read as JSON; cells keep their places)."""
    if not docname.startswith("notebooks/"):
        return
    nb, changed = json.loads(content[0]), False
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if "](" in text and (new := rewrite_links(text, "notebooks")) != text:
                cell["source"], changed = new, True
    if changed:
        content[0] = json.dumps(nb)


def on_doctree_read(app, doctree):
    """Under the title of each chapter: the notebook it is, a download link, how to run it."""
    docname = app.env.docname
    if not docname.startswith("notebooks/"):
        return
    name = docname.rsplit("/", 1)[-1] + ".ipynb"
    section = next(doctree.findall(nodes.section), None)
    if section is None or not isinstance(section[0], nodes.title):
        return
    depth = docname.count("/")
    para = nodes.paragraph(classes=["notebook-source", "no-search"])
    para += nodes.Text("This chapter is the notebook ")
    para += nodes.literal(text=f"notebooks/{name}")
    para += nodes.Text(", shown with the outputs CI verified (")
    para += nodes.reference("", "download it", refuri="../" * depth + f"_sources/notebooks/{name}",
                            internal=True, classes=["notebook-download"])
    para += nodes.Text("). To run it: ")
    para += nodes.literal(text="make lab")
    para += nodes.Text(" in the repository opens it in JupyterLab; ")
    para += nodes.literal(text=f"make run NB=notebooks/{name}")
    para += nodes.Text(" re-executes it.")
    section.insert(1, para)


# The parts of MathJax 3 that `tex-chtml.js` loads: the combined file, its CommonHTML fonts, and
# what its menu and autoload may fetch later (TeX extensions, accessibility, speech rules).
MATHJAX_PARTS = ["tex-chtml.js", "output/chtml", "input/tex/extensions", "ui", "a11y", "sre"]


def mathjax_source() -> Path:
    spec = importlib.util.find_spec("sphinx-mathjax-offline")  # the package's name has dashes
    if spec is None or spec.origin is None:
        raise RuntimeError("sphinx-mathjax-offline is not installed (requirements-site.txt)")
    return Path(spec.origin).parent / "static" / "mathjax"


def copy_mathjax(app, exc):
    if exc is not None or app.builder.format != "html":
        return
    src, dest = mathjax_source(), Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        for file in [src / part] if (src / part).is_file() else sorted((src / part).rglob("*")):
            target = dest / file.relative_to(src)
            if file.is_file() and not (target.exists() and target.stat().st_mtime == file.stat().st_mtime):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, target)  # keeps the mtime: the next build copies only what changed


def setup(app):
    app.connect("include-read", on_include_read)
    app.connect("source-read", on_source_read)
    app.connect("doctree-read", on_doctree_read)
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
