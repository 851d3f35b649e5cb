"""Check the built book (`make site`) in a real browser: headless Chromium, over http on loopback.

Usage: python tests/browser_check.py [SITE]   (default _build/site; `make site-check` builds it and runs this)
Not a pytest module (the name does not start with test_): `make test` needs no browser.

It serves SITE with Python's http.server on 127.0.0.1 (a free port) and, driving Debian's chromium with
Playwright (no browser download), checks:
  - every page loads with no console error, no failed request, and no request to any host but loopback
    (such requests are also refused, so a page that tries one cannot hang on the network);
  - each chapter page has as many code cells (with the same source), outputs and images as its notebook,
    every image decoded, and its math rendered by MathJax (no raw `$...$` or `\\(...\\)` left);
  - the search page finds the right chapter for English and Chinese searches (GradScaler -> 12, 求导 -> 02, ...);
  - each code cell has a copy button, no output has one, and the button of a chosen cell puts exactly that
    cell's source on the clipboard;
and saves screenshots of the home page, a chapter and a Chinese search under SITE/../site-check/ for a person.
Prints what it counted, then `browser-check: N passed, M failed`; exits 1 on any failure.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import signal
import sys
import threading
import time
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
TIMEOUT_MS = 30_000  # every navigation and wait
WATCHDOG_S = 300  # the whole check

# (query, the chapter that must be among the results)
SEARCHES = [
    ("GradScaler", "12_amp"),
    ("DistributedSampler", "11_parallel_dp_ddp"),
    ("onnxruntime", "13_onnx"),
    ("求导", "02_autograd"),
    ("学习率", "07_optimizers_and_schedulers"),
    ("混合精度", "12_amp"),
    ("张量", "01_tensors"),
    ("保存", "06_save_and_load"),
]
# The copy-button check: the first code cell of this chapter whose source contains this text.
COPY_CHAPTER, COPY_CELL_WITH = "12_amp", "GradScaler"
SCREENSHOT_CHAPTER = "07_optimizers_and_schedulers"  # has math and Chinese headings

# Playwright adds --headless and a fresh temporary --user-data-dir (deleted afterwards) itself.
CHROMIUM_FLAGS = [
    "--no-sandbox",  # as root (containers, CI)
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--lang=en-US",
]

# Inline math as MyST's dollarmath reads it ($x$, not "$ 5" or "$5$6"), and display math ($$...$$).
INLINE_MATH = re.compile(r"(?<![\\$])\$(?![\s$])((?:[^$\n]|\n(?!\n))+?)(?<![\s\\])\$(?!\d)")
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)


class Checks:
    def __init__(self):
        self.passed, self.failed = 0, []

    def check(self, ok: bool, what: str) -> bool:
        if ok:
            self.passed += 1
        else:
            self.failed.append(what)
            print(f"  FAIL {what}")
        return ok


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def notebook_counts(path: Path) -> dict:
    """What the chapter page must show, counted from the notebook's JSON."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    markdown = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    prose = CODE.sub("", markdown)
    math = len(DISPLAY_MATH.findall(prose)) + len(INLINE_MATH.findall(DISPLAY_MATH.sub("", prose)))
    images = sum(1 for c in code for o in c.get("outputs", []) if any(k.startswith("image/") for k in o.get("data", {})))
    images += len(re.findall(r"!\[[^\]]*\]\(", prose))
    return {
        "sources": [source(c) for c in code],
        "outputs": sum(len(c.get("outputs", [])) for c in code),
        "images": images,
        "math": math,
    }


def find_chromium() -> str | None:
    for name in [os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]:
        if name and (path := shutil.which(name)):
            return path
    return None


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, list]:
    """http.server on 127.0.0.1, on a port the OS picks; records (path, status) of every request it answers."""
    answered: list[tuple[str, int]] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_request(self, code="-", size="-"):
            answered.append((self.path, int(code) if str(code).isdigit() else 0))

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, answered


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme not in {"http", "https", "ws", "wss", "ftp"} or parts.hostname in LOOPBACK


# In the page: code cells, their sources, outputs, images, copy buttons and math in the article.
PAGE_COUNTS_JS = """() => {
  const article = document.querySelector('article') || document.body;
  const inputs = [...article.querySelectorAll('div.cell div.cell_input')];
  const outputs = [...article.querySelectorAll('div.cell div.cell_output')];
  const images = [...article.querySelectorAll('img')];
  const math = [...article.querySelectorAll('.math')];
  const prose = article.cloneNode(true);
  prose.querySelectorAll('pre, code, mjx-container, script, style, .cell_output').forEach((e) => e.remove());
  const text = prose.textContent;
  return {
    sources: inputs.map((e) => e.querySelector('pre').innerText),
    inputButtons: inputs.filter((e) => e.querySelector('button.copybtn')).length,
    outputButtons: outputs.reduce((n, e) => n + e.querySelectorAll('button.copybtn').length, 0),
    outputs: outputs.reduce((n, e) => n + e.children.length, 0),
    images: images.length,
    brokenImages: images.filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.getAttribute('src')),
    math: math.length,
    mathRendered: math.filter((e) => e.querySelector('mjx-container')).length,
    rawMath: (text.match(/\\$[^$\\s][^$\\n]*?\\$|\\\\\\(|\\\\\\[/g) || []).slice(0, 3),
    cjkGlyphs: (text.match(/[\\u4e00-\\u9fff]/g) || []).length,
    sidebarChapters: new Set([...document.querySelectorAll('nav.bd-docs-nav a')]
      .map((a) => a.href.split('#')[0]).filter((h) => /\\/notebooks\\/\\d\\d_[^/]*\\.html$/.test(h))).size,
    prev: !!document.querySelector('.prev-next-area a.left-prev'),
    next: !!document.querySelector('.prev-next-area a.right-next'),
    pageToc: document.querySelectorAll('nav.page-toc a').length,
    notebookLink: !!document.querySelector('p.notebook-source a[href$=".ipynb"]')
      && /make lab/.test(document.querySelector('p.notebook-source').textContent),
  };
}"""

# Done: the status line says so and every result has its summary (fetched from the result's page).
SEARCH_DONE_JS = """() => {
  const s = document.querySelector('#search-results .search-summary, #search-results p');
  const items = [...document.querySelectorAll('#search-results ul.search > li')];
  return s && /finished|did not match|found/i.test(s.innerText) && items.every((li) => li.querySelector('p.context'));
}"""

SEARCH_RESULTS_JS = """() => [...document.querySelectorAll('#search-results ul.search > li')]
  .map((li) => li.querySelector('a').getAttribute('href'))"""


def wait_for_mathjax(page) -> None:
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=TIMEOUT_MS)
    page.evaluate("() => MathJax.startup.promise.then(() => true)")


def run(site: Path, chromium: str) -> Checks:
    from playwright.sync_api import sync_playwright

    checks = Checks()
    shots = site.resolve().parent / "site-check"
    shots.mkdir(parents=True, exist_ok=True)
    pages = sorted((p.relative_to(site).as_posix() for p in site.rglob("*.html")
                    if not p.relative_to(site).parts[0].startswith("_")), key=lambda rel: (rel != "index.html", rel))
    chapters = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    checks.check("index.html" in pages, "the site has a home page (index.html)")
    for name in chapters:
        checks.check(f"notebooks/{name}.html" in pages, f"the site has a page for notebooks/{name}.ipynb")

    server, answered = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    requests, offsite, failed, console = [], [], [], []
    totals = {"cells": 0, "outputs": 0, "images": 0, "math": 0}
    print(f"browser-check: serving {site} at {base}, {Path(chromium).name} driven by Playwright")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS,
                                        timeout=TIMEOUT_MS)
            try:
                context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
                context.set_default_timeout(TIMEOUT_MS)
                context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base.rstrip("/"))
                context.route(lambda url: not is_local(url), lambda route: route.abort())
                context.on("request", lambda r: (requests.append(r.url),
                                                 None if is_local(r.url) else offsite.append(r.url)))
                context.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
                context.on("response", lambda r: failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
                page = context.new_page()
                where = {"page": ""}
                page.on("console", lambda m: console.append(f"{where['page']}: {m.text}") if m.type == "error" else None)
                page.on("pageerror", lambda e: console.append(f"{where['page']}: {e}"))

                print(f"pages ({len(pages)}):")
                for rel in pages:
                    where["page"] = rel
                    before = (len(console), len(failed), len(offsite))
                    page.goto(base + rel, wait_until="load", timeout=TIMEOUT_MS)
                    if page.evaluate("() => !!document.querySelector('article .math')"):
                        wait_for_mathjax(page)
                    got = page.evaluate(PAGE_COUNTS_JS)
                    chapter = Path(rel).stem if rel.startswith("notebooks/") else None
                    line = f"  {rel}: {len(got['sources'])} code cells, {got['outputs']} outputs, {got['images']} images"
                    line += f", {got['mathRendered']}/{got['math']} formulas rendered" if got["math"] else ""
                    line += f", {got['pageToc']} sections in its table" if chapter else ""
                    print(line)
                    checks.check(not got["brokenImages"], f"{rel}: images not loaded: {got['brokenImages'][:3]}")
                    checks.check(got["mathRendered"] == got["math"] and not got["rawMath"],
                                 f"{rel}: math not rendered ({got['mathRendered']}/{got['math']}, raw {got['rawMath']})")
                    checks.check(got["inputButtons"] == len(got["sources"]) and got["outputButtons"] == 0,
                                 f"{rel}: copy buttons on {got['inputButtons']}/{len(got['sources'])} code cells, "
                                 f"{got['outputButtons']} on outputs")
                    if chapter:
                        want = notebook_counts(NOTEBOOKS / f"{chapter}.ipynb")
                        built_from = site / "_sources" / "notebooks" / f"{chapter}.ipynb"
                        if built_from.read_bytes() != (NOTEBOOKS / f"{chapter}.ipynb").read_bytes():
                            print(f"  note: notebooks/{chapter}.ipynb changed after the book was built: run `make site`")
                        same = [a.rstrip("\n") == b.rstrip("\n") for a, b in zip(got["sources"], want["sources"])]
                        checks.check(len(got["sources"]) == len(want["sources"]) and all(same),
                                     f"{rel}: {len(got['sources'])} code cells, the notebook has {len(want['sources'])}"
                                     f" (first differing cell: {same.index(False) if False in same else '-'})")
                        checks.check(got["outputs"] == want["outputs"],
                                     f"{rel}: {got['outputs']} outputs, the notebook has {want['outputs']}")
                        checks.check(got["images"] == want["images"],
                                     f"{rel}: {got['images']} images, the notebook has {want['images']}")
                        checks.check(got["math"] == want["math"],
                                     f"{rel}: {got['math']} formulas, the notebook's markdown has {want['math']}")
                        checks.check(got["cjkGlyphs"] > 0, f"{rel}: no Chinese text found")
                        checks.check(got["sidebarChapters"] == len(chapters) and got["prev"] and got["next"]
                                     and got["pageToc"] > 0 and got["notebookLink"],
                                     f"{rel}: sidebar lists {got['sidebarChapters']}/{len(chapters)} chapters, "
                                     f"previous {got['prev']}, next {got['next']}, {got['pageToc']} sections in the "
                                     f"page's table, notebook link and `make lab` {got['notebookLink']}")
                        totals["cells"] += len(got["sources"])
                        totals["outputs"] += got["outputs"]
                        totals["math"] += got["mathRendered"]
                    totals["images"] += got["images"]
                    if rel == "index.html":
                        checks.check(got["sidebarChapters"] == len(chapters) and got["next"],
                                     f"{rel}: sidebar lists {got['sidebarChapters']}/{len(chapters)} chapters, "
                                     f"next {got['next']}")
                        page.screenshot(path=str(shots / "home.png"))
                    if chapter == SCREENSHOT_CHAPTER:
                        page.screenshot(path=str(shots / f"{chapter}.png"))
                        page.locator("article .math").first.scroll_into_view_if_needed()
                        page.screenshot(path=str(shots / f"{chapter}-math.png"))
                    checks.check((len(console), len(failed), len(offsite)) == before,
                                 f"{rel}: console errors {console[before[0]:]}, failed requests {failed[before[1]:]}, "
                                 f"other hosts {offsite[before[2]:]}")

                print(f"searches ({len(SEARCHES)}):")
                for query, chapter in SEARCHES:
                    where["page"] = f"search.html?q={query}"
                    page.goto(f"{base}search.html?q={query}", wait_until="load", timeout=TIMEOUT_MS)
                    page.wait_for_function(SEARCH_DONE_JS, timeout=TIMEOUT_MS)
                    hrefs = page.evaluate(SEARCH_RESULTS_JS)
                    found = [Path(unquote(urlsplit(h).path)).stem for h in hrefs]
                    rank = found.index(chapter) + 1 if chapter in found else None
                    print(f"  {query} -> {chapter}: " + (f"result {rank} of {len(found)}" if rank else
                                                         f"NOT FOUND in {found}"))
                    checks.check(rank is not None, f"search {query!r} does not list {chapter}")
                    if query == "学习率":
                        page.screenshot(path=str(shots / "search-zh.png"))

                print("copy button:")
                where["page"] = f"notebooks/{COPY_CHAPTER}.html"
                want = notebook_counts(NOTEBOOKS / f"{COPY_CHAPTER}.ipynb")["sources"]
                index = next(i for i, s in enumerate(want) if COPY_CELL_WITH in s)
                page.goto(f"{base}notebooks/{COPY_CHAPTER}.html", wait_until="load", timeout=TIMEOUT_MS)
                page.evaluate("() => navigator.clipboard.writeText('(nothing copied)')")
                cell = page.locator("div.cell div.cell_input").nth(index)
                cell.hover()
                cell.locator("button.copybtn").click()
                page.wait_for_function("() => navigator.clipboard.readText().then((t) => t !== '(nothing copied)')",
                                       timeout=TIMEOUT_MS)
                copied = page.evaluate("() => navigator.clipboard.readText()")
                # The page shows (and copies) a cell without the line breaks at its end; all else must be equal.
                same = copied == want[index].rstrip("\n")
                print(f"  {COPY_CHAPTER} code cell {index + 1} ({len(want[index].splitlines())} lines): "
                      f"clipboard {'equals' if same else 'DIFFERS from'} the cell's source ({len(copied)} characters)")
                checks.check(same, f"copy button of {COPY_CHAPTER} code cell {index + 1}: clipboard is {copied[:200]!r}")
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()

    hosts = sorted({urlsplit(u).hostname or urlsplit(u).scheme for u in requests})
    server_errors = [f"{path} ({code})" for path, code in answered if code >= 400]
    print(f"requests: {len(requests)} from the browser, to {', '.join(hosts)}; {len(answered)} answered by the server")
    checks.check(not offsite, f"requests to other hosts: {sorted(set(offsite))[:5]}")
    checks.check(not failed and not server_errors, f"failed requests: {failed[:5]} {server_errors[:5]}")
    checks.check(not console, f"console errors: {console[:5]}")
    print(f"screenshots: {', '.join(str(p) for p in sorted(shots.glob('*.png')))}")
    print(f"counted: {len(pages)} pages, {len(chapters)} chapters, {totals['cells']} code cells, "
          f"{totals['outputs']} outputs, {totals['images']} images, {totals['math']} formulas, "
          f"{len(SEARCHES)} searches, 1 copy")
    return checks


def main(argv: list[str]) -> int:
    site = Path(argv[0] if argv else ROOT / "_build" / "site")
    if not (site / "index.html").is_file():
        print(f"browser-check: no book at {site}: run `make site` first (or `make site-check`, which does both)")
        return 1
    chromium = find_chromium()
    if chromium is None:
        print("browser-check: Chromium not found: install it (Debian/Ubuntu: apt-get install chromium fonts-noto-cjk)"
              " or set CHROMIUM=/path/to/chrome")
        return 1
    try:
        import playwright  # noqa: F401
    except ImportError:
        print("browser-check: the playwright package is missing: run `make site-check` (it installs requirements-site.txt)")
        return 1

    def watchdog(signum, frame):
        raise TimeoutError(f"browser-check: still running after {WATCHDOG_S} s")

    signal.signal(signal.SIGALRM, watchdog)
    signal.alarm(WATCHDOG_S)
    start = time.perf_counter()
    try:
        checks = run(site, chromium)
    finally:
        signal.alarm(0)
    print(f"browser-check: {time.perf_counter() - start:.1f} s")
    print(f"browser-check: {checks.passed} passed, {len(checks.failed)} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
