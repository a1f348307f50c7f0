"""`ie_relations`: the trainable pipe that links INDICATOR/PROJECT heads to AMOUNT/PERCENT.

Predictions go to `doc._.relations`, a list of dicts
`{"head": [start_char, end_char], "child": [start_char, end_char], "label": str, "score": float}`
(plain values, so Docs keep them through `DocBin` and `to_bytes`; the offset pairs come
back from a DocBin as tuples).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc
from spacy.training import Example, validate_examples
from spacy.util import registry
from spacy.vocab import Vocab
from thinc.api import Config, Model, Optimizer, set_dropout_rate
from thinc.types import Floats2d

from ie.relations.model import CandidateGenerator, Candidates, make_candidate_generator
from ie.schema import CHILD_LABELS, HEAD_LABELS, ensure_doc_extensions
from ie.scoring import relation_scores

NO_RELATION = "-"

# Used by `nlp.add_pipe("ie_relations")` with no config: a tok2vec of its own.
DEFAULT_MODEL_CONFIG = """
[model]
@architectures = "ie.RelationModel.v2"
hidden_width = 64
window = 3
use_context = true

[model.tok2vec]
@architectures = "spacy.HashEmbedCNN.v2"
pretrained_vectors = null
width = 96
depth = 4
embed_size = 2000
window_size = 1
maxout_pieces = 3
subword_features = true
"""


@registry.scorers("ie.relation_scorer.v1")
def make_relation_scorer() -> Callable[[Iterable[Example]], dict[str, Any]]:
    return score_relations


def score_relations(examples: Iterable[Example], **kwargs: Any) -> dict[str, Any]:
    """rel_micro_p/r/f and rel_f_per_type, comparing `doc._.relations` by exact spans."""
    pairs = [(eg.reference._.relations or [], eg.predicted._.relations or []) for eg in examples]
    return relation_scores(pairs)


@Language.factory(
    "ie_relations",
    assigns=["doc._.relations"],
    requires=["doc.ents"],
    default_config={
        "model": Config().from_str(DEFAULT_MODEL_CONFIG)["model"],
        "threshold": 0.5,
        "candidates": {
            "@misc": "ie.relation_candidates.v1",
            "max_gap": 40,
            "head_labels": sorted(HEAD_LABELS),
            "child_labels": sorted(CHILD_LABELS),
        },
        "train_on_predicted_ents": False,
        "scorer": {"@scorers": "ie.relation_scorer.v1"},
    },
    default_score_weights={"rel_micro_f": 1.0, "rel_micro_p": 0.0, "rel_micro_r": 0.0},
)
def make_relations(
    nlp: Language,
    name: str,
    model: Model,
    threshold: float,
    candidates: CandidateGenerator,
    train_on_predicted_ents: bool,
    scorer: Callable,
) -> RelationExtractor:
    return RelationExtractor(
        nlp.vocab,
        model,
        name,
        threshold=threshold,
        candidates=candidates,
        train_on_predicted_ents=train_on_predicted_ents,
        scorer=scorer,
    )


class RelationExtractor(TrainablePipe):
    """Scores every candidate pair; keeps the best label when it reaches `threshold`.

    Training pairs come from the gold entities; with `train_on_predicted_ents` also from the
    entities on the predicted Docs (put there when `[training] annotating_components` lists
    spancat and ie_span_ents), so the pipe learns to reject pairs of spans it will be given.
    """

    def __init__(
        self,
        vocab: Vocab,
        model: Model,
        name: str = "ie_relations",
        *,
        threshold: float = 0.5,
        candidates: CandidateGenerator | None = None,
        train_on_predicted_ents: bool = False,
        scorer: Callable | None = score_relations,
    ) -> None:
        ensure_doc_extensions()
        self.vocab = vocab
        self.model = model
        self.name = name
        self.scorer = scorer
        # Settings come from the config (and its overrides at load); cfg, which from_disk
        # replaces with what was saved, holds only the labels learned in training.
        self._threshold = float(threshold)
        self.candidates = candidates or make_candidate_generator()
        self.train_on_predicted_ents = train_on_predicted_ents
        self.cfg: dict[str, Any] = {"labels": []}

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.cfg["labels"])

    @property
    def threshold(self) -> float:
        return self._threshold

    def add_label(self, label: str) -> int:
        if label in self.labels:
            return 0
        self._allow_extra_label()
        self.cfg["labels"] = [*self.labels, label]
        return 1

    def _candidates(self, docs: list[Doc]) -> list[Candidates]:
        return [self.candidates(doc, list(doc.ents)) for doc in docs]

    def predict(self, docs: Iterable[Doc]) -> tuple[list[Candidates], Floats2d]:
        docs = list(docs)
        candidates = self._candidates(docs)
        if not any(len(c.pairs) for c in candidates):
            return candidates, self.model.ops.alloc2f(0, len(self.labels) + 1)
        return candidates, self.model.predict((docs, candidates))

    def set_annotations(self, docs: Iterable[Doc], predictions) -> None:
        candidates, scores = predictions
        scores = self.model.ops.to_numpy(scores)
        offset = 0
        for doc, cands in zip(docs, candidates):
            relations = []
            for k, (head, child) in enumerate(cands.pairs):
                row = scores[offset + k]
                best = int(numpy.argmax(row[1:])) + 1
                if row[best] >= self.threshold:
                    relations.append(
                        {
                            "head": [head.start_char, head.end_char],
                            "child": [child.start_char, child.end_char],
                            "label": self.labels[best - 1],
                            "score": round(float(row[best]), 4),
                        }
                    )
            doc._.relations = relations
            offset += len(cands.pairs)

    def _training_candidates(self, examples: list[Example]) -> list[Candidates]:
        """Training pairs from the gold entities placed on the predicted Docs, and with
        `train_on_predicted_ents` from the predicted entities the gold lacks."""
        out = []
        for eg in examples:
            placed = (
                eg.predicted.char_span(e.start_char, e.end_char, label=e.label_)
                for e in eg.reference.ents
            )
            ents = [e for e in placed if e is not None]
            if self.train_on_predicted_ents:
                gold = {(e.start_char, e.end_char, e.label_) for e in ents}
                ents += [
                    e for e in eg.predicted.ents if (e.start_char, e.end_char, e.label_) not in gold
                ]
            out.append(self.candidates(eg.predicted, ents))
        return out

    def update(
        self,
        examples: Iterable[Example],
        *,
        drop: float = 0.0,
        sgd: Optimizer | None = None,
        losses: dict[str, float] | None = None,
    ) -> dict[str, float]:
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        examples = list(examples)
        validate_examples(examples, "RelationExtractor.update")
        candidates = self._training_candidates(examples)
        if not any(len(c.pairs) for c in candidates):
            return losses
        docs = [eg.predicted for eg in examples]
        set_dropout_rate(self.model, drop)
        scores, backprop = self.model.begin_update((docs, candidates))
        loss, d_scores = self.get_loss(examples, (candidates, scores))
        backprop(d_scores)
        if sgd is not None:
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def _targets(self, examples: list[Example], candidates: list[Candidates]) -> numpy.ndarray:
        index = {label: i + 1 for i, label in enumerate(self.labels)}
        rows = []
        for eg, cands in zip(examples, candidates):
            gold = {
                (tuple(r["head"]), tuple(r["child"])): r["label"]
                for r in (eg.reference._.relations or [])
            }
            for head, child in cands.pairs:
                key = ((head.start_char, head.end_char), (child.start_char, child.end_char))
                rows.append(index.get(gold.get(key, NO_RELATION), 0))
        target = numpy.zeros((len(rows), len(self.labels) + 1), dtype="f")
        target[numpy.arange(len(rows)), rows] = 1.0
        return target

    def get_loss(
        self, examples: Iterable[Example], predictions: tuple[list[Candidates], Floats2d]
    ) -> tuple[float, Floats2d]:
        """Cross-entropy of the scores of `predictions` (what `predict` returns, or the gold
        candidates `update` scores) against the gold relations, and its gradient."""
        candidates, scores = predictions
        target = self.model.ops.asarray2f(self._targets(list(examples), candidates))
        d_scores = (scores - target) / max(1, scores.shape[0])
        loss = float(-(target * self.model.ops.xp.log(scores + 1e-8)).sum())
        return loss, d_scores

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]],
        *,
        nlp: Language | None = None,
        labels: list[str] | None = None,
    ) -> None:
        for label in labels or []:
            self.add_label(label)
        sample: list[Example] = []
        for eg in get_examples():
            if labels is None:
                for rel in eg.reference._.relations or []:
                    self.add_label(rel["label"])
            if len(sample) < 20:
                sample.append(eg)
        if not self.labels:
            raise ValueError(f"{self.name}: no relation labels in the training data")
        self.model.get_ref("output_layer").set_dim("nO", len(self.labels) + 1)
        docs = [eg.predicted for eg in sample]
        candidates = self._training_candidates(sample)
        n = sum(len(c.pairs) for c in candidates)
        self.model.initialize(
            X=(docs, candidates), Y=self.model.ops.alloc2f(n, len(self.labels) + 1)
        )
