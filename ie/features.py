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

import itertools
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
from thinc.types import Floats2d, Ints1d, Ints2d

from ie.schema import doc_text

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


def _match_bounds(text: str, automaton: ahocorasick.Automaton) -> tuple[Ints1d, Ints1d]:
    """First and last character of every occurrence in `text` of a word of `automaton`."""
    if not len(automaton):
        empty = numpy.zeros(0, dtype="int64")
        return empty, empty
    flat = numpy.fromiter(itertools.chain.from_iterable(automaton.iter(text)), dtype="int64")
    last, length = flat[0::2], flat[1::2]
    return last - length + 1, last


def _role_mask(n: int, first: Ints1d, last: Ints1d) -> numpy.ndarray:
    """Per character of n, a B/M/E bit mask (1, 2, 4) of the matched words that cover it."""
    mask = numpy.zeros(n, dtype="uint64")
    inner = last - first >= 2
    # How many words have a character strictly inside them: +1 after a start, -1 at an end.
    depth = numpy.bincount(first[inner] + 1, minlength=n + 1)
    depth -= numpy.bincount(last[inner], minlength=n + 1)
    mask[numpy.cumsum(depth[:n]) > 0] = 2
    mask[first] |= 1
    mask[last] |= 4
    return mask


def domain_features(text: str, automata: dict[str, ahocorasick.Automaton]) -> numpy.ndarray:
    """Per character (a row), its role mask in each tag's words of the domain lexicon."""
    masks = [_role_mask(len(text), *_match_bounds(text, automata[tag])) for tag in DOMAIN_TAGS]
    return numpy.stack(masks, axis=1)


def lexicon_features(text: str, automaton: ahocorasick.Automaton) -> numpy.ndarray:
    """Per character (a row): a B/M/E bit mask of the dictionary words over it, and the length
    of the longest one."""
    first, last = _match_bounds(text, automaton)
    longest = numpy.zeros(len(text), dtype="uint64")
    length = last - first + 1
    for size in range(2, LEXICON_MAX + 1):  # longer words overwrite shorter ones
        starts = first[length == size]
        longest[(starts[:, None] + numpy.arange(size)).ravel()] = size
    return numpy.stack([_role_mask(len(text), first, last), longest], axis=1)


def number_features(text: str) -> numpy.ndarray:
    """Per character (a row): place in a numeral run (0 none, 1–4 B/I/E/S, +4 for Chinese
    numerals), characters since the last run ended and until the next one starts (capped at
    _FAR)."""
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
    return numpy.asarray([place, after, before], dtype="uint64").T.reshape(n, 3)


# Between the texts of a batch: no word of either lexicon contains it, and it is as long as the
# reach of a number's distance features, so nothing of one text is seen from the next.
_SEPARATOR = "\n" * _FAR


def token_features(docs: Sequence[Doc], features: Sequence[str]) -> list[numpy.ndarray]:
    """Per doc, one row per token: the columns of each feature group, read at the token's first
    character (the lexicon's end bit at its last), so a word tokenizer gets sensible values too.

    The texts of a batch are joined and their characters' features computed in one pass of
    each automaton and a few array operations: per sentence, the fixed cost of numpy calls
    would be most of the time. Tokens are located by their offsets, not by iterating Docs."""
    if not docs:
        return []
    texts = [doc_text(doc) for doc in docs]
    text = _SEPARATOR.join(texts)
    groups = []
    if "lexicon" in features:
        groups.append(lexicon_features(text, pkuseg_automaton()))
    if "numbers" in features:
        groups.append(number_features(text))
    if "domain" in features:
        groups.append(domain_features(text, domain_automata()))
    per_char = numpy.hstack(groups) if groups else numpy.zeros((len(text), 0), dtype="uint64")
    arrays = [doc.to_array(["IDX", "LENGTH"]).reshape(-1, 2) for doc in docs]
    sizes = [len(a) for a in arrays]
    offsets = numpy.concatenate(arrays).astype("int64")
    begins = numpy.cumsum([0] + [len(t) + len(_SEPARATOR) for t in texts[:-1]])
    first = offsets[:, 0] + numpy.repeat(begins, sizes)
    rows = per_char[first]
    if "lexicon" in features and len(rows):
        rows[:, 0] |= per_char[first + offsets[:, 1] - 1, 0] & 4
    return numpy.split(rows, numpy.cumsum(sizes)[:-1])


def n_columns(features: Sequence[str]) -> int:
    """How many integer columns `token_features` gives for these feature groups."""
    return (
        2 * ("lexicon" in features)
        + 3 * ("numbers" in features)
        + len(DOMAIN_TAGS) * ("domain" in features)
    )


def _check_features(features: Sequence[str]) -> None:
    """Fail when the config names a feature group this module does not compute."""
    unknown = sorted(set(features) - set(FEATURES))
    if unknown:
        raise ValueError(f"unknown character features {unknown}; known: {list(FEATURES)}")


def _build_automata(features: Sequence[str]) -> None:
    """Build the automata the features need when the pipeline is built, not on its first
    sentence."""
    if "lexicon" in features:
        pkuseg_automaton()
    if "domain" in features:
        domain_automata()


def char_feature_extractor(features: Sequence[str]) -> Model[list[Doc], list[Ints2d]]:
    """A parameter-free layer: docs → one Ints2d of feature values per doc."""
    _build_automata(features)

    def forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[list[Ints2d], Callable]:
        rows = token_features(docs, features)
        return [model.ops.asarray2i(r) for r in rows], (lambda dY: [])

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
    _check_features(features)
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


def token_columns(attrs: Sequence[str], features: Sequence[str]) -> Model[list[Doc], list[Ints2d]]:
    """A parameter-free layer: docs → per doc, the token attributes' ids (as spaCy's
    FeatureExtractor gives them) and then the feature columns, in one Ints2d."""
    _build_automata(features)
    names = list(attrs)

    def forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[list[Ints2d], Callable]:
        out = []
        for doc, extra in zip(docs, token_features(docs, features)):
            ids = doc.to_array(names).reshape(len(doc), len(names))
            out.append(model.ops.asarray2i(numpy.hstack([ids, extra])))
        return out, (lambda dY: [])

    return Model("token_columns", forward, attrs={"features": tuple(features)})


@registry.architectures("ie.CharFeatureEmbed.v2")
def build_char_feature_embed_v2(
    width: int,
    attrs: list[str],
    rows: list[int],
    features: list[str],
    feature_width: int = 16,
    feature_rows: int = 64,
) -> Model[list[Doc], list[Floats2d]]:
    """The attributes' and the feature columns' embeddings side by side, mixed by ONE Maxout
    layer. v1 mixes twice (MultiHashEmbed's own Maxout over the attributes, then another over
    that and the features): on a batch of sentences v2's tok2vec takes about four fifths of
    v1's time. Not v1's weights: a pipeline trains for one or the other."""
    _check_features(features)
    embeds = [HashEmbed(width, n, column=i, seed=7 + i) for i, n in enumerate(rows)]
    embeds += [
        HashEmbed(nO=feature_width, nV=feature_rows, column=len(attrs) + c, seed=1000 + c)
        for c in range(n_columns(features))
    ]
    n_inputs = width * len(attrs) + feature_width * n_columns(features)
    return chain(
        token_columns(attrs, features),
        list2ragged(),
        with_array(concatenate(*embeds)),
        with_array(Maxout(width, nI=n_inputs, nP=3, normalize=True)),
        ragged2list(),
    )
