"""The content words of Japanese and Korean text, read by a morphological analyzer.

Japanese and Korean write particles, endings and auxiliaries on the word they follow:
"사형제도에" is "death penalty system" + "about", "約束をしましたか" is "promise" + object
particle + "did?". Split by spaces or by script, a question leaves those pieces as topic words
("사형제도에, 대해, 무엇을, 약속했습니까"), which then show up in the reasons an answer gives and
count as words missing from the evidence. No word list can strip them: Korean endings combine
by the thousand and Japanese writes no spaces at all.

A dictionary-based analyzer splits the text into morphemes with their part of speech, whatever
the words: MeCab with UniDic-lite for Japanese (fugashi), MeCab with mecab-ko-dic for Korean
(python-mecab-ko). The nouns, the Korean roots and the foreign words written in the text are
what it is about; particles, endings, auxiliaries, verbs and pronouns are the framing of a
question. Both load their dictionary once, on the first Japanese or Korean text (a few
milliseconds; about 40 MB between them).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ingest.language import HANGUL, KANA, char_class, has_hangul, has_kana

#: mecab-ko-dic (Sejong) tags of content morphemes: common and proper nouns, roots, foreign
#: words and Chinese characters written in Korean text. Left out: bound nouns (것, 수),
#: pronouns (무엇), numerals, verbs, adjectives, particles and endings.
KOREAN_CONTENT_TAGS = frozenset({"NNG", "NNP", "XR", "SL", "SH"})
#: UniDic parts of speech (first level) of Japanese content morphemes: nouns (普通名詞 such as
#: 死刑, 固有名詞) and adjectival nouns (形状詞: 平等). Numerals (数詞) are left out: the
#: answer-type rules read numbers.
JAPANESE_CONTENT_POS = frozenset({"名詞", "形状詞"})
#: Second-level UniDic parts of speech left out of those: numerals, and the stems of auxiliaries
#: ("よう" in "どのような").
JAPANESE_FUNCTION_POS2 = frozenset({"数詞", "助動詞語幹"})

_LOCK = threading.Lock()
_KANA_OR_HANGUL = re.compile(f"[{char_class(KANA + HANGUL)}]")


@lru_cache(maxsize=1)
def _japanese() -> Callable[[str], list[tuple[str, str, str]]]:
    import fugashi  # UniDic-lite is found through its installed package

    tagger: Any = fugashi.Tagger()

    def parse(text: str) -> list[tuple[str, str, str]]:
        return [(w.surface, w.feature.pos1 or "", w.feature.pos2 or "") for w in tagger(text)]

    return parse


@lru_cache(maxsize=1)
def _korean() -> Callable[[str], list[tuple[str, str]]]:
    import mecab  # python-mecab-ko, with mecab-ko-dic from its own package

    analyzer: Any = mecab.MeCab()

    def parse(text: str) -> list[tuple[str, str]]:
        return [(str(form), str(tag)) for form, tag in analyzer.pos(text)]

    return parse


def japanese_content_words(text: str) -> list[str]:
    """Nouns and adjectival nouns of Japanese text, in order, each once."""
    with _LOCK:
        morphemes = _japanese()(text)
    out = [
        surface
        for surface, pos1, pos2 in morphemes
        if pos1 in JAPANESE_CONTENT_POS and pos2 not in JAPANESE_FUNCTION_POS2
    ]
    return list(dict.fromkeys(out))


def korean_content_words(text: str) -> list[str]:
    """Nouns, roots and foreign words of Korean text, in order, each once.

    A morpheme joined with another in the dictionary ("했" tagged ``XSV+EP``) is read by its
    first tag.
    """
    with _LOCK:
        morphemes = _korean()(text)
    out = [form for form, tag in morphemes if tag.split("+")[0] in KOREAN_CONTENT_TAGS]
    return list(dict.fromkeys(out))


def kana_and_hangul_words(text: str) -> tuple[list[str], str]:
    """The content words of the Japanese and Korean in ``text``, and the text without them.

    Japanese is analyzed with its Chinese characters around it (they decide how the kana split),
    but only words holding a kana letter are returned: the caller reads runs of Chinese
    characters itself. The returned text has every kana letter and Hangul syllable blanked, so
    the particles and endings are not read again as words by a splitter that knows no grammar.
    """
    kana, hangul = has_kana(text), has_hangul(text)
    if not (kana or hangul):
        return [], text
    words: list[str] = []
    if kana:
        words.extend(w for w in japanese_content_words(text) if has_kana(w))
    if hangul:
        words.extend(w for w in korean_content_words(text) if has_hangul(w))
    return list(dict.fromkeys(words)), _KANA_OR_HANGUL.sub(" ", text)
