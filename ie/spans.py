"""`ie_span_ents`: a span group becomes `doc.ents`, so spancat can stand where ner stood.

spaCy's `spancat_singlelabel` (without overlaps) writes its spans to `doc.spans[key]`; the
relation pipe, the number reader and the writers read `doc.ents`. This component copies the
group there, dropping any span that would overlap a longer one, and scores entities with
ner's own scorer, so `spacy train` still reports `ents_f` and picks checkpoints by it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import filter_spans

from ie.schema import SPANS_KEY


class SpanEnts:
    """Copies `doc.spans[spans_key]` into `doc.ents`."""

    def __init__(self, name: str, spans_key: str, scorer: Callable | None) -> None:
        self.name = name
        self.spans_key = spans_key
        self.scorer = scorer

    def __call__(self, doc: Doc) -> Doc:
        doc.ents = filter_spans(doc.spans.get(self.spans_key, []))
        return doc

    def score(self, examples: Iterable[Example], **kwargs: Any) -> dict[str, Any]:
        return self.scorer(examples, **kwargs) if self.scorer else {}


@Language.factory(
    "ie_span_ents",
    assigns=["doc.ents", "token.ent_iob", "token.ent_type"],
    default_config={"spans_key": SPANS_KEY, "scorer": {"@scorers": "spacy.ner_scorer.v1"}},
    default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None},
)
def make_span_ents(nlp: Language, name: str, spans_key: str, scorer: Callable | None) -> SpanEnts:
    return SpanEnts(name, spans_key, scorer)
