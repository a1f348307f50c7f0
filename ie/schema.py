"""The scheme's vocabulary, shared by the runtime and the workshop alike.

Everything here is plain data, or a small helper reading a Doc, with no imports from the rest
of `ie`, so that components, the corpus tools and the writers agree on one set of labels
without importing each other.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

ENTITY_LABELS = ("AMOUNT", "PERCENT", "INDICATOR", "PROJECT")
RELATION_LABELS = ("VALUE", "CHANGE")
HEAD_LABELS = frozenset({"INDICATOR", "PROJECT"})
CHILD_LABELS = frozenset({"AMOUNT", "PERCENT"})
SPANS_KEY = "sc"  # the span group spancat writes and learns from

STATUSES = ("actual", "estimate", "target")
PARTS = ("review", "plan")
FIRST_YEAR, LAST_YEAR = 1949, 2100
AUTHORED_PREFIX = "authored-"  # meta.source of sentences the team wrote

CLAUSE_MARKS = frozenset("，,；;：:。")  # no entity crosses one
QUOTE_PAIRS = {"“": "”", "‘": "’", "「": "」", "『": "』", "《": "》", "(": ")", "（": "）"}

_TEXT_KEY = "ie.text"  # doc.user_data: (token count, length, text), kept by `doc_text`
_PERIOD = re.compile(r"(\d{4})(?:-(\d{4}))?")


def year_problem(year: object) -> str | None:
    """Why `year` is not a report year (an integer from 1949 to 2100), or None."""
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        return f"year {year!r} is not an integer from {FIRST_YEAR} to {LAST_YEAR}"
    return None


def period_problem(period: object) -> str | None:
    """Why `period` is not null, "YYYY" or "YYYY-YYYY" within the allowed years, or None."""
    if period is None:
        return None
    m = _PERIOD.fullmatch(period) if isinstance(period, str) else None
    if not m:
        return f"period {period!r} is not null, 'YYYY' or 'YYYY-YYYY'"
    years = [int(y) for y in m.groups() if y]
    rising = all(a < b for a, b in zip(years, years[1:]))
    if any(year_problem(y) for y in years) or not rising:
        return f"period {period!r} is not a year or a rising span of years from 1949 to 2100"
    return None


def span_problem(text: str) -> str | None:
    """Why `text` cannot be one entity (it crosses a clause mark or splits a pair), or None."""
    if crossed := CLAUSE_MARKS.intersection(text):
        return f"crosses {''.join(sorted(crossed))}"
    for left, right in QUOTE_PAIRS.items():
        depth = 0
        for char in text:
            depth += (char == left) - (char == right)
            if depth < 0:
                break
        if depth != 0:
            return f"splits a pair of {left}{right}"
    return None


def ensure_doc_extensions() -> None:
    """Register the Doc attributes the components share (idempotent).

    `relations`: the relation records `{"head": [s, e], "child": [s, e], "label", "score",
    "status", "period", "direction"}`, plain values so Docs keep them through a DocBin.
    `report_year` (int) and `report_part` ("review"/"plan"): what the report around a sentence
    says of it, set before the pipeline runs (None when unknown).
    """
    from spacy.tokens import Doc

    for name in ("relations", "report_year", "report_part"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


def doc_text(doc: Doc) -> str:
    """`doc.text`, joined once per Doc: spaCy joins it from Token objects on every access, and
    the features, relations, numbers and status each read it (about 9 µs a sentence each time).
    Kept in `doc.user_data` with the Doc's token count and length, so a copy of the user data
    on another Doc (`Span.as_doc(copy_user_data=True)`) is recognised and not read."""
    n_tokens = len(doc)
    length = doc[-1].idx + len(doc[-1].text_with_ws) if n_tokens else 0
    kept = doc.user_data.get(_TEXT_KEY)
    if kept is not None and kept[0] == n_tokens and kept[1] == length:
        return kept[2]
    text = doc.text
    doc.user_data[_TEXT_KEY] = (n_tokens, length, text)
    return text


def relation_offsets(record: dict) -> list[dict]:
    """A scheme record's relations as `doc._.relations` holds them: spans by character offsets
    (`[start, end]`) instead of indices into `spans`, with the gold's score of 1."""
    spans = record["spans"]
    return [
        {
            "head": [spans[r["head"]]["start"], spans[r["head"]]["end"]],
            "child": [spans[r["child"]]["start"], spans[r["child"]]["end"]],
            "label": r["label"],
            "score": 1.0,
        }
        for r in record["relations"]
    ]
