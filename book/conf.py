# The book of the notebooks: `make site` builds it into _build/site (see README). Sphinx + MyST-NB read the
# committed notebooks through the book/notebooks link and render their stored outputs; nothing is executed.
# Everything a page loads is served from the book itself (no CDN, no web fonts, no analytics).
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "Executable PyTorch Notes"
author = "the Executable PyTorch Notes contributors"
copyright = "the Executable PyTorch Notes contributors"
language = "en"

extensions = [
    "myst_nb",             # .md and .ipynb pages (MyST-Parser comes with it)
    "sphinx_copybutton",   # a copy button on every code cell
    "sphinx.ext.mathjax",  # served locally: mathjax_path below, files copied by notes_book
    "cjk_search",          # _ext/cjk_search.py: Chinese search by character bigrams
    "notes_book",          # _ext/notes_book.py: README/CONTRIBUTING links and headings, chapter banner, MathJax copy
]

root_doc = "index"
# Only these are pages: the home page, the appendix and the chapters (not notebooks/runs, _scratch, checkpoints).
include_patterns = ["index.md", "contributing.md", "notebooks/[0-9][0-9]_*.ipynb"]
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]

# --- MyST-NB: show the outputs CI verified; never run a kernel --------------------------------------------
nb_execution_mode = "off"
nb_ipywidgets_js = {}  # widget state would load require.js and the widget manager from a CDN
myst_enable_extensions = ["dollarmath"]  # $...$ and $$...$$ in markdown cells (02, 05, 07)
myst_heading_anchors = 3  # [text](#a-heading) links to a heading of the same page, as on a code host

# --- Math: MathJax 3 from _static/mathjax --------------------------------------------------------------
mathjax_path = "mathjax/tex-chtml.js"

# --- Search: English stemming for Latin words, character bigrams for Chinese ------------------------------
html_search_language = "en_cjk"

# --- Copy buttons on code (cells and code blocks), none on outputs ---------------------------------------
copybutton_selector = "div:not(.output) > div.highlight > pre"

# --- HTML ----------------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "Executable PyTorch Notes"
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_sourcelink_suffix = ""  # _sources/notebooks/NN.ipynb is the notebook itself (the download link)
# The theme's default sidebar has a second search field under the header's; one is enough.
html_sidebars = {"**": ["navbar-logo.html", "icon-links.html", "sbt-sidebar-nav.html"]}
html_context = {"default_mode": "auto"}  # light or dark as the reader's system says (unset: a console error)
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "navigation_with_keys": False,
}
