"""Character features for the shared embedding: word boundaries from pkuseg's lexicon, and
where the numbers are.

A character model sees 地区生产总值 as six unrelated characters. Lexicon-enhanced Chinese NER
gives each character the roles it plays in dictionary words that cover it (begins, inside,
ends a word); spacy-pkuseg ships such a dictionary (its `dicts/default.pkl`, ~390k words), so
nothing is fetched. Numbers are regular, so a second group marks, for each character, its place
in a run of numerals and how far it stands after or before one: the model learns from these
which runs are AMOUNTs and where units end. A third group marks the words of a small domain
lexicon written for this genre (`ie/lexicon/domain.txt`: standard statistics, the suffixes of
project names, and the words that stand in front of a span and stay out of it), which a few
reports cannot teach. All are computed from the text alone, inside the embedding layer, so a
pipeline that uses them needs no extra component.

`ie.CharFeatureEmbed.v1` is spaCy's MultiHashEmbed with these columns embedded beside it and
mixed in by one Maxout layer; with no features it is MultiHashEmbed itself.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import ahocorasick
import numpy
from spacy.ml.models.tok2vec import MultiHashEmbed
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import (
    HashEmbed,
    Maxout,
    Model,
    chain,
    concatenate,
    list2ragged,
    ragged2list,
    with_array,
)
from thinc.types import Floats2d, Ints2d

LEXICON_MAX = 8  # longest dictionary word looked up, in characters
DOMAIN_MAX = 16  # longest domain-lexicon word looked up
FEATURES = ("lexicon", "numbers", "domain")
DOMAIN_TAGS = ("indicator", "suffix", "lead")
_NUMERAL_RUN = re.compile(r"[0-9][0-9.,]*[百千万亿]*|[〇零一二两三四五六七八九十百千万亿]+")
_FAR = 5  # distances to a numeral run are capped here


def pkuseg_lexicon() -> frozenset[str]:
    """The words of spacy-pkuseg's shipped dictionary that are 2–LEXICON_MAX characters long."""
    import spacy_pkuseg

    path = Path(spacy_pkuseg.__file__).parent / "dicts" / "default.pkl"
    with path.open("rb") as f:
        words = pickle.load(f)  # one str, a word per line
    return frozenset(w for w in words.split("\n") if 2 <= len(w) <= LEXICON_MAX)


def word_automaton(words: Iterable[str], min_len: int, max_len: int) -> ahocorasick.Automaton:
    """An Aho–Corasick automaton of the words of `min_len`–`max_len` characters: one pass over
    a text finds every occurrence of every word, in C."""
    automaton = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
    for word in words:
        if min_len <= len(word) <= max_len:
            automaton.add_word(word)
    automaton.make_automaton()
    return automaton


@lru_cache(maxsize=1)
def pkuseg_automaton() -> ahocorasick.Automaton:
    """pkuseg's dictionary as an automaton, built once; the word set (67 MB) is not kept."""
    return word_automaton(pkuseg_lexicon(), 2, LEXICON_MAX)


def domain_lexicon() -> dict[str, frozenset[str]]:
    """The words of `ie/lexicon/domain.txt`, by tag (see DOMAIN_TAGS)."""
    from importlib.resources import files

    words: dict[str, set[str]] = {tag: set() for tag in DOMAIN_TAGS}
    text = files("ie").joinpath("lexicon", "domain.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            tag, entries = line.split("\t", 1)
            words[tag].update(entries.split())
    return {tag: frozenset(entries) for tag, entries in words.items()}


@lru_cache(maxsize=1)
def domain_automata() -> dict[str, ahocorasick.Automaton]:
    """One automaton per tag of the domain lexicon, built once."""
    return {tag: word_automaton(w, 1, DOMAIN_MAX) for tag, w in domain_lexicon().items()}


def _matches(text: str, automaton: ahocorasick.Automaton) -> list[tuple[int, int]]:
    """(first, last) character of every occurrence in `text` of a word of `automaton`."""
    if not len(automaton):
        return []
    return [(last - length + 1, last) for last, length in automaton.iter(text)]


def _role_mask(n: int, matches: list[tuple[int, int]]) -> list[int]:
    """Per character of n, a B/M/E bit mask (1, 2, 4) of the matched words that cover it."""
    mask = [0] * n
    for first, last in matches:
        mask[first] |= 1
        mask[last] |= 4
        for j in range(first + 1, last):
            mask[j] |= 2
    return mask


def domain_features(text: str, automata: dict[str, ahocorasick.Automaton]) -> list[tuple[int, ...]]:
    """Per character, its role mask in each tag's words of the domain lexicon."""
    masks = (_role_mask(len(text), _matches(text, automata[tag])) for tag in DOMAIN_TAGS)
    return list(zip(*masks))


def lexicon_features(text: str, automaton: ahocorasick.Automaton) -> list[tuple[int, int]]:
    """Per character: a B/M/E bit mask of the dictionary words over it, and the longest one."""
    matches = _matches(text, automaton)
    longest = [0] * len(text)
    for first, last in matches:
        for j in range(first, last + 1):
            longest[j] = max(longest[j], last - first + 1)
    return list(zip(_role_mask(len(text), matches), longest))


def number_features(text: str) -> list[tuple[int, int, int]]:
    """Per character: place in a numeral run (0 none, 1–4 B/I/E/S, +4 for Chinese numerals),
    characters since the last run ended and until the next one starts (capped at _FAR)."""
    n = len(text)
    place = [0] * n
    runs = [(m.start(), m.end()) for m in _NUMERAL_RUN.finditer(text)]
    for start, end in runs:
        chinese = 4 if not text[start].isdigit() else 0
        if end - start == 1:
            place[start] = 4 + chinese
            continue
        place[start] = 1 + chinese
        for j in range(start + 1, end - 1):
            place[j] = 2 + chinese
        place[end - 1] = 3 + chinese
    after = [_FAR] * n
    before = [_FAR] * n
    for start, end in runs:
        for j in range(end, min(n, end + _FAR)):
            after[j] = min(after[j], j - end)
        for j in range(max(0, start - _FAR), start):
            before[j] = min(before[j], start - j - 1)
    return list(zip(place, after, before))


def token_features(doc: Doc, features: Sequence[str]) -> numpy.ndarray:
    """One row per token: the columns of each feature group, read at the token's first character
    (the lexicon's end bit at its last), so a word tokenizer gets sensible values too. Tokens
    are located by their offsets in one array, not by iterating the Doc (the slow part)."""
    text = doc.text
    groups: list[list[tuple[int, ...]]] = []
    if "lexicon" in features:
        groups.append(lexicon_features(text, pkuseg_automaton()))
    if "numbers" in features:
        groups.append(number_features(text))
    if "domain" in features:
        groups.append(domain_features(text, domain_automata()))
    columns = [numpy.asarray(g, dtype="uint64").reshape(len(text), -1) for g in groups]
    per_char = numpy.hstack(columns) if columns else numpy.zeros((len(text), 0), dtype="uint64")
    offsets = doc.to_array(["IDX", "LENGTH"]).astype("int64").reshape(-1, 2)
    out = per_char[offsets[:, 0]]
    if "lexicon" in features and len(out):
        out[:, 0] |= per_char[offsets[:, 0] + offsets[:, 1] - 1, 0] & 4
    return out


def n_columns(features: Sequence[str]) -> int:
    """How many integer columns `token_features` gives for these feature groups."""
    return (
        2 * ("lexicon" in features)
        + 3 * ("numbers" in features)
        + len(DOMAIN_TAGS) * ("domain" in features)
    )


def char_feature_extractor(features: Sequence[str]) -> Model[list[Doc], list[Ints2d]]:
    """A parameter-free layer: docs → one Ints2d of feature values per doc."""
    if "lexicon" in features:
        pkuseg_automaton()  # built when the pipeline is, not on its first sentence
    if "domain" in features:
        domain_automata()

    def forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[list[Ints2d], Callable]:
        return [model.ops.asarray2i(token_features(d, features)) for d in docs], (lambda dY: [])

    return Model("char_features", forward, attrs={"features": tuple(features)})


@registry.architectures("ie.CharFeatureEmbed.v1")
def build_char_feature_embed(
    width: int,
    attrs: list[str | int],
    rows: list[int],
    include_static_vectors: bool,
    features: list[str],
    feature_width: int = 16,
    feature_rows: int = 64,
) -> Model[list[Doc], list[Floats2d]]:
    """MultiHashEmbed, plus the character feature groups in `features` (see FEATURES)."""
    unknown = sorted(set(features) - set(FEATURES))
    if unknown:
        raise ValueError(f"unknown character features {unknown}; known: {list(FEATURES)}")
    base = MultiHashEmbed(width, attrs, rows, include_static_vectors)
    if not features:
        return base
    columns = n_columns(features)
    embeds = [
        HashEmbed(nO=feature_width, nV=feature_rows, column=c, seed=1000 + c)
        for c in range(columns)
    ]
    extra = chain(
        char_feature_extractor(features),
        list2ragged(),
        with_array(concatenate(*embeds)),
        ragged2list(),
    )
    mix = Maxout(width, nI=width + columns * feature_width, nP=3, normalize=True)
    return chain(concatenate(base, extra), with_array(mix))
