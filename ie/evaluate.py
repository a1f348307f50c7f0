"""Scoring a pipeline against gold records, end to end and on gold entities."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from ie.facts import doc_to_record
from ie.predict import make_doc
from ie.schema import relation_offsets
from ie.scoring import attribute_accuracy, relation_keys, score_records, span_keys


def _from_gold(nlp: Language, records: Sequence[dict], relations: bool) -> list[dict]:
    """Run the components downstream of the gold: those after the entity taggers on Docs with
    the gold entities, or (`relations`) those that read relations on Docs with gold relations."""
    docs = []
    for record in records:
        doc = make_doc(nlp, record)
        spans = [doc.char_span(s["start"], s["end"], label=s["label"]) for s in record["spans"]]
        doc.ents = [s for s in spans if s is not None]
        if relations:
            doc._.relations = relation_offsets(record)
        docs.append(doc)
    for name, proc in nlp.pipeline:
        meta = nlp.get_pipe_meta(name)
        if relations:
            run = "doc._.relations" in meta.requires
        else:
            run = not set(meta.assigns) & {"doc.ents", "doc.spans"}
        if run:
            docs = list(proc.pipe(docs)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
    return [doc_to_record(d, r["text"], r.get("meta", {})) for d, r in zip(docs, records)]


def predict_texts(nlp: Language, records: Sequence[dict]) -> list[dict]:
    docs: Iterator[Doc] = nlp.pipe(make_doc(nlp, r) for r in records)
    return [doc_to_record(d, r["text"], r.get("meta", {})) for d, r in zip(docs, records)]


def evaluate_model(nlp: Language, records: Sequence[dict]) -> tuple[dict[str, Any], list[dict]]:
    """The scheme's scores of `nlp` on gold `records`, and the end-to-end predictions."""
    predicted = predict_texts(nlp, records)
    scores = score_records(records, predicted)
    if "ie_relations" in nlp.pipe_names:
        on_gold_ents = _from_gold(nlp, records, relations=False)
        scores["rels_on_gold_ents"] = score_records(records, on_gold_ents)["rels"]
    if "ie_status" in nlp.pipe_names:
        scores["status_on_gold_rels"] = attribute_accuracy(
            records, _from_gold(nlp, records, relations=True)
        )
    scores["n_sentences"] = len(records)
    return scores, predicted


def error_records(gold: Sequence[dict], predicted: Sequence[dict]) -> Iterator[dict]:
    """One line per false positive or false negative, with its sentence, for error analysis."""
    for g, p in zip(gold, predicted):
        text, meta = g["text"], g.get("meta", {})
        for kind, g_items, p_items in (
            ("span", set(span_keys(g)), set(span_keys(p))),
            ("relation", set(relation_keys(g)), set(relation_keys(p))),
        ):
            for error, items in (("fp", p_items - g_items), ("fn", g_items - p_items)):
                for item in sorted(items):
                    if kind == "span":
                        what = {
                            "start": item[0],
                            "end": item[1],
                            "label": item[2],
                            "span": text[item[0] : item[1]],
                        }
                    else:
                        what = {
                            "head": text[item[0] : item[1]],
                            "child": text[item[2] : item[3]],
                            "label": item[4],
                            "offsets": list(item[:4]),
                        }
                    yield {"error": error, "kind": kind, **what, "meta": meta, "text": text}


def format_scores(scores: dict[str, Any]) -> str:
    """The scores as a small plain-text table."""
    lines = [f"sentences: {scores['n_sentences']}", f"{'':28}{'P':>7}{'R':>7}{'F':>7}{'gold':>6}"]

    def row(name: str, s: dict) -> None:
        lines.append(f"{name:28}{s['p']:7.3f}{s['r']:7.3f}{s['f']:7.3f}{s['gold']:6d}")

    for label, s in scores["ents"].items():
        row(f"entity {label}", s)
    for label, s in scores["ents_tolerant"].items():
        row(f"entity {label} (overlap)", s)
    for label, s in scores["rels"].items():
        row(f"relation {label}", s)
    for label, s in scores.get("rels_on_gold_ents", {}).items():
        row(f"relation {label} (gold ents)", s)
    for key, name in (("status", "end to end"), ("status_on_gold_rels", "on gold relations")):
        if acc := scores.get(key):
            lines.append(
                f"status and period, {name}: status {acc['status']:.3f}, "
                f"period {acc['period']:.3f} of {acc['n']} relations"
            )
    return "\n".join(lines)
