"""Words that carry no topic: the one home of the project's stopword lists.

Two lists for two readers. The lexical index drops :func:`index_stopwords` from every text it
indexes and every query (bm25s's lists for the Latin scripts, Russian and Chinese, plus Arabic
particles and Chinese function characters). Key-term coverage drops :func:`question_stopwords`
from a question before checking the evidence for the rest (question words, auxiliaries and the
boilerplate every pledge uses, from ``stopwords.txt``): it is longer, because a word a question
shares with every pledge ("commitment", "承诺") says nothing about whether a paragraph answers it.
``stopwords.txt`` is written for English, French, Spanish and Chinese; a question in any other
language loses the words :func:`language_stopwords` lists for it (stopwords-iso, 58 languages).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import stopwordsiso
from bm25s import stopwords as sw

from ingest.language import fold, has_han

_ARABIC_STOPWORDS_TEXT = (
    "في من على الى إلى عن مع أن ان إن هذا هذه ذلك التي الذي الذين و او أو ما لا لم لن قد كان كانت "
    "هو هي هم كما بين كل أي اي عند حتى ثم بل قبل بعد ضد نحو لدى غير حول"
)
_CHINESE_EXTRA_STOPWORDS_TEXT = (
    "的 了 和 与 及 或 在 是 将 对 为 以 于 并 其 之 等 也 而 这 那 个 中 上"
)


@lru_cache(maxsize=1)
def index_stopwords() -> frozenset[str]:
    """Words the lexical index drops, in every UN language (bm25s's lists and a few more)."""
    words: set[str] = set()
    for group in (
        sw.STOPWORDS_EN_PLUS,
        sw.STOPWORDS_FRENCH,
        sw.STOPWORDS_SPANISH,
        sw.STOPWORDS_RUSSIAN,
        sw.STOPWORDS_CHINESE,
    ):
        words.update(w.casefold() for w in group)
    words.update(_ARABIC_STOPWORDS_TEXT.split())
    words.update(_CHINESE_EXTRA_STOPWORDS_TEXT.split())
    return frozenset(words)


@lru_cache(maxsize=1)
def question_stopwords() -> tuple[frozenset[str], frozenset[str]]:
    """(Latin, Chinese) words that carry no topic in a question, from ``stopwords.txt``.

    Latin words are folded (:func:`ingest.language.fold`); Chinese ones are jieba tokens.
    """
    path = resources.files("vectorstore") / "stopwords.txt"
    words = [
        w
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
        for w in line.split()
    ]
    latin = frozenset(fold(w) for w in words if not has_han(w))
    return latin, frozenset(w for w in words if has_han(w))


#: Languages ``stopwords.txt`` is written for. stopwords-iso's lists for them are left out: its
#: English list holds web tokens and words a question may be about ("state", "available").
CURATED_LANGUAGES = frozenset({"en", "fr", "es", "zh"})


@lru_cache(maxsize=64)
def language_stopwords(language: str) -> frozenset[str]:
    """Folded stopwords of ``language`` (ISO 639-1) from stopwords-iso; empty when it has none.

    Empty for the :data:`CURATED_LANGUAGES`, whose words :func:`question_stopwords` holds.
    """
    if language in CURATED_LANGUAGES or not stopwordsiso.has_lang(language):
        return frozenset()
    return frozenset(fold(w) for w in stopwordsiso.stopwords(language))
