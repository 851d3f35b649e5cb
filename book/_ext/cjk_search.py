"""Full-text search that finds Chinese words inside longer runs of Chinese text.

Sphinx's default (English) index splits text at non-word characters, so a run such as
`学习率调度器的用法` is one "word" and only a search for the whole run finds it. Its Chinese
index (jieba) needs a dictionary that knows every term of the notes (学习率 and 混合精度 are
split apart) and its search page is broken on Sphinx 9.0 (sphinx-doc/sphinx#14229).

This language needs no dictionary: every run of CJK characters is indexed as its overlapping
character bigrams, plus its single characters (学习率 -> 学习, 习率, 学, 习, 率), and the query is
split the same way in the browser (a run of two or more characters -> its bigrams; one character
-> itself). Sphinx's search requires every term of the query in a page, so 学习率 finds the pages
holding both 学习 and 习率. Latin words keep the English stemmer, so `GradScaler` and
`DistributedSampler` are found as before, also when written next to Chinese (`用GradScaler`).
"""

from __future__ import annotations

import re

from sphinx.search.en import SearchEnglish

# Kana, CJK Unified Ideographs (and extension A), compatibility ideographs, Hangul syllables.
# Keep in step with CJK_RUN in JS_SPLITTER below.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_CJK_RUN = re.compile(f"([{_CJK}]+)")

# splitQuery(query) -> terms, as Sphinx's searchtools.js expects from a language's splitter.
# First the default split at non-word characters, then CJK runs apart from the rest.
JS_SPLITTER = r"""
const CJK_RUN = /([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+)/u;
var splitQuery = (query) => {
  const terms = [];
  query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu).forEach((word) => {
    word.split(CJK_RUN).forEach((part, i) => {
      if (!part) return;
      if (i % 2 === 0 || part.length === 1) terms.push(part);
      else for (let j = 0; j + 1 < part.length; j++) terms.push(part.slice(j, j + 2));
    });
  });
  return terms;
};
"""


def cjk_terms(run: str, *, unigrams: bool = True) -> list[str]:
    """The index terms of one run of CJK characters: its bigrams and (for the index) its characters."""
    bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
    return (list(run) if unigrams or len(run) == 1 else []) + bigrams


class SearchEnglishCJK(SearchEnglish):
    lang = "en_cjk"
    language_name = "English"  # the English stemmer (english-stemmer.js) is loaded for Latin words
    js_splitter_code = JS_SPLITTER

    def split(self, input: str) -> list[str]:
        terms: list[str] = []
        for word in self._word_re.findall(input):
            for i, part in enumerate(_CJK_RUN.split(word)):
                if not part:
                    continue
                terms.extend(cjk_terms(part) if i % 2 else [part])
        return terms


def setup(app):
    app.add_search_language(SearchEnglishCJK)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
