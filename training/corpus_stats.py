"""Corpus statistics, coverage of the written corpus and agreement, as Markdown for
corpus/README.md.

python training/corpus_stats.py
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from ie.corpus import AUTHORED, CORPUS_DIR, authored_files, load_corpus, read_jsonl, report_files
from ie.numbers import readability
from ie.schema import ENTITY_LABELS, RELATION_LABELS
from ie.scoring import score_records

AGREEMENT = CORPUS_DIR / "agreement"
# Noise the written sentences carry on purpose: half-width clause marks between Chinese
# characters, a space inside Chinese text, a letter for a digit inside a number, full-width digits.
_NOISE = re.compile(
    r"[\u4e00-\u9fff][,;:][\u4e00-\u9fff]|[\u4e00-\u9fff] [\u4e00-\u9fff]"
    r"|\d[Ol]|[Ol]\d|[０-９]"
)


def _counts_row(name: str, records: list[dict]) -> list[Any]:
    spans = Counter(s["label"] for r in records for s in r["spans"])
    rels = Counter(x["label"] for r in records for x in r["relations"])
    with_ents = sum(bool(r["spans"]) for r in records)
    return [name, len(records), with_ents, *(spans[x] for x in ENTITY_LABELS)] + [
        rels[x] for x in RELATION_LABELS
    ]


def _table(head: list[str], rows: Iterable[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def report_table() -> list[str]:
    reports = list(report_files(CORPUS_DIR))
    data = load_corpus(CORPUS_DIR, {"all": [*reports, AUTHORED]})["all"]
    rows = [r for r in data]
    head = ["file", "sentences", "with entities", *ENTITY_LABELS, *RELATION_LABELS]
    table = [_counts_row(rep, [r for r in rows if r["report"] == rep]) for rep in reports]
    written = [r for r in rows if r["report"] not in reports]
    table.append(_counts_row(f"authored/ ({len(authored_files(CORPUS_DIR))} files)", written))
    table.append(_counts_row("**all**", rows))
    readable = readability(rows)
    return _table(head, table) + [
        "",
        f"Numbers: {readable['spans']} AMOUNT/PERCENT spans, "
        f"{readable['unreadable']} read as `value = None` by `ie_numbers`.",
    ]


def coverage(records: list[dict]) -> dict[str, Any]:
    """What the breadth issue asks of the written corpus, measured."""
    strings: dict[str, Counter] = {label: Counter() for label in ENTITY_LABELS}
    for r in records:
        for s in r["spans"]:
            strings[s["label"]][r["text"][s["start"] : s["end"]]] += 1
    top, top_n = strings["INDICATOR"].most_common(1)[0]
    meta = [r["meta"] for r in records]
    return {
        "sentences": len(records),
        "distinct_indicators": len(strings["INDICATOR"]),
        "distinct_projects": len(strings["PROJECT"]),
        "top_indicator": top,
        "top_indicator_share": top_n / sum(strings["INDICATOR"].values()),
        "no_entity_share": sum(not r["spans"] for r in records) / len(records),
        "noisy_share": sum(bool(_NOISE.search(r["text"])) for r in records) / len(records),
        "regions": sorted({m["region"] for m in meta if m.get("region")}),
        "levels": Counter(m.get("level") for m in meta),
        "years": sorted({m["year"] for m in meta if m.get("year")}),
        "parts": Counter(m.get("part") for m in meta),
        "statuses": Counter(x["status"] for r in records for x in r["relations"]),
    }


def coverage_lines() -> list[str]:
    records = [r for p in authored_files(CORPUS_DIR).values() for r in read_jsonl(p)]
    c = coverage(records)
    return [
        f"- {c['sentences']} sentences from {len(c['regions'])} provinces "
        f"({', '.join(c['regions'])}); levels {dict(c['levels'])}; report years "
        f"{c['years'][0]}–{c['years'][-1]}; parts {dict(c['parts'])}.",
        f"- {c['distinct_indicators']} distinct INDICATOR strings and {c['distinct_projects']} "
        f"distinct PROJECT names; the commonest INDICATOR ({c['top_indicator']}) is "
        f"{c['top_indicator_share']:.3%} of its label (the cap is 3%).",
        f"- {c['no_entity_share']:.1%} of the sentences have no entity; {c['noisy_share']:.1%} "
        "carry noise (half-width marks, stray spaces, a letter for a digit, full-width digits).",
        f"- Relations by status: {dict(c['statuses'])}.",
    ]


def _authored_first(second: list[dict]) -> list[dict]:
    """The settled annotation of the sentences a second annotator re-did."""
    gold = {
        (r["meta"]["source"], r["meta"]["sentence"]): r
        for p in authored_files(CORPUS_DIR).values()
        for r in read_jsonl(p)
    }
    return [gold[(r["meta"]["source"], r["meta"]["sentence"])] for r in second]


def agreement_table() -> list[str]:
    rows = []
    for second_path in sorted(AGREEMENT.glob("*.second.jsonl")):
        second = list(read_jsonl(second_path))
        first_path = second_path.with_name(second_path.name.replace(".second.", ".first."))
        first = list(read_jsonl(first_path)) if first_path.is_file() else _authored_first(second)
        scores = score_records(first, second)
        name = second_path.name.split(".")[0]
        for level in ("ents", "ents_tolerant", "rels"):
            for label, s in scores[level].items():
                rows.append([name, level, label, f"{s['f']:.3f}", s["gold"], s["pred"]])
        acc = scores["status"]
        if acc["n"]:
            rows.append([name, "status", "of matched relations", f"{acc['status']:.3f}", "", ""])
            rows.append([name, "period", "of matched relations", f"{acc['period']:.3f}", "", ""])
    head = ["sample", "level", "label", "F1 / accuracy (one against the other)", "first", "second"]
    return _table(head, rows)


if __name__ == "__main__":
    print(
        "\n".join(
            [
                "## Files",
                "",
                *report_table(),
                "",
                "## The written corpus",
                "",
                *coverage_lines(),
                "",
                "## Agreement",
                "",
                *agreement_table(),
            ]
        )
    )
