"""The scheme's scores, shared by `evaluate`, the spaCy scorer and the benchmark.

Everything works on plain scheme records (`text`, `spans`, `relations`), so gold files,
prediction files and Docs converted to records are scored the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from ie.schema import ENTITY_LABELS, RELATION_LABELS

Triple = tuple[Any, ...]
TOLERANT_LABELS = ("INDICATOR", "PROJECT")


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f": f, "tp": tp, "pred": n_pred, "gold": n_gold}


def _by_label(gold: Counter, pred: Counter, labels: Sequence[str]) -> dict[str, dict]:
    """P/R/F per label and micro-averaged, from multisets of (…, label) items."""
    out, totals = {}, [0, 0, 0]
    for label in labels:
        g = Counter({k: v for k, v in gold.items() if k[-1] == label})
        p = Counter({k: v for k, v in pred.items() if k[-1] == label})
        tp = sum((g & p).values())
        out[label] = prf(tp, sum(p.values()), sum(g.values()))
        totals = [totals[0] + tp, totals[1] + sum(p.values()), totals[2] + sum(g.values())]
    out["micro"] = prf(*totals)
    return out


def span_keys(record: dict) -> list[tuple]:
    """(start, end, label) of each span: what exact entity matching compares."""
    return [(s["start"], s["end"], s["label"]) for s in record["spans"]]


def relation_keys(record: dict) -> list[tuple]:
    """(head start, head end, child start, child end, label): what relation matching compares."""
    spans = record["spans"]
    return [
        (
            spans[r["head"]]["start"],
            spans[r["head"]]["end"],
            spans[r["child"]]["start"],
            spans[r["child"]]["end"],
            r["label"],
        )
        for r in record["relations"]
    ]


def _tolerant(gold: list[dict], pred: list[dict]) -> dict[str, dict]:
    """Any-overlap matching, same label, each gold span matched at most once."""
    out = {}
    for label in TOLERANT_LABELS:
        tp = n_pred = n_gold = 0
        for g_rec, p_rec in zip(gold, pred):
            g_spans = [s for s in g_rec["spans"] if s["label"] == label]
            p_spans = [s for s in p_rec["spans"] if s["label"] == label]
            n_gold += len(g_spans)
            n_pred += len(p_spans)
            used: set[int] = set()
            for p in p_spans:
                for k, g in enumerate(g_spans):
                    if k not in used and p["start"] < g["end"] and g["start"] < p["end"]:
                        used.add(k)
                        tp += 1
                        break
        out[label] = prf(tp, n_pred, n_gold)
    return out


def score_records(gold: Sequence[dict], pred: Sequence[dict]) -> dict[str, Any]:
    """Entity and end-to-end relation scores of aligned gold and predicted records."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold records but {len(pred)} predicted")
    g_ents, p_ents, g_rels, p_rels = Counter(), Counter(), Counter(), Counter()
    for i, (g, p) in enumerate(zip(gold, pred)):
        if g["text"] != p["text"]:
            raise ValueError(f"record {i}: gold and predicted text differ")
        g_ents += Counter((i, *k) for k in span_keys(g))
        p_ents += Counter((i, *k) for k in span_keys(p))
        g_rels += Counter((i, *k) for k in relation_keys(g))
        p_rels += Counter((i, *k) for k in relation_keys(p))
    return {
        "ents": _by_label(g_ents, p_ents, ENTITY_LABELS),
        "ents_tolerant": _tolerant(list(gold), list(pred)),
        "rels": _by_label(g_rels, p_rels, RELATION_LABELS),
        "status": attribute_accuracy(gold, pred),
    }


def attribute_accuracy(gold: Sequence[dict], pred: Sequence[dict]) -> dict[str, float | int]:
    """Of the predicted relations that match a gold one, the share with its status and period.

    Gold relations without a status (a version 1 file) are not counted."""
    n = status = period = 0
    for g, p in zip(gold, pred):
        truth = {
            k: r for k, r in zip(relation_keys(g), g["relations"]) if r.get("status") is not None
        }
        for key, rel in zip(relation_keys(p), p["relations"]):
            if key in truth:
                n += 1
                status += rel.get("status") == truth[key]["status"]
                period += rel.get("period") == truth[key].get("period")
    return {"status": status / n if n else 0.0, "period": period / n if n else 0.0, "n": n}


def relation_scores(pairs: Iterable[tuple[list[dict], list[dict]]]) -> dict[str, Any]:
    """spaCy-style relation scores from (gold, predicted) `doc._.relations` lists."""
    gold, pred = Counter(), Counter()
    for i, (g_rels, p_rels) in enumerate(pairs):
        gold += Counter((i, *r["head"], *r["child"], r["label"]) for r in g_rels)
        pred += Counter((i, *r["head"], *r["child"], r["label"]) for r in p_rels)
    scores = _by_label(gold, pred, RELATION_LABELS)
    return {
        "rel_micro_p": scores["micro"]["p"],
        "rel_micro_r": scores["micro"]["r"],
        "rel_micro_f": scores["micro"]["f"],
        "rel_f_per_type": {
            label: {k: scores[label][k] for k in ("p", "r", "f")} for label in RELATION_LABELS
        },
    }
