"""A processed Doc → the scheme's record and fact rows; the writers of `predict`.

Records keep the scheme's keys (`text`, `meta`, `spans`, `relations`) and add the model's
scores and the normalised numbers, so a prediction file can be scored against gold as it is.
"""

from __future__ import annotations

import csv
import html
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from spacy.tokens import Doc

FACT_COLUMNS = (
    "report",
    "sentence",
    "head",
    "head_label",
    "relation",
    "status",
    "period",
    "number",
    "number_label",
    "value",
    "unit",
    "approx",
    "direction",
    "score",
    "text",
)
FORMATS = ("jsonl", "csv", "table", "html", "parquet")


def doc_to_record(doc: Doc, text: str, meta: dict[str, Any]) -> dict[str, Any]:
    """The scheme record of a processed Doc; `text` is the sentence as the user gave it."""
    spans, index = [], {}
    for ent in doc.ents:
        span: dict[str, Any] = {"start": ent.start_char, "end": ent.end_char, "label": ent.label_}
        if ent.label_ in ("AMOUNT", "PERCENT") and ent.has_extension("value"):
            span["value"] = ent._.value
            span["unit"] = ent._.unit
            span["approx"] = list(ent._.approx or [])
        index[(ent.start_char, ent.end_char)] = len(spans)
        spans.append(span)
    relations = []
    for rel in doc._.relations or []:
        head, child = index.get(tuple(rel["head"])), index.get(tuple(rel["child"]))
        if head is None or child is None:
            continue
        out = {"head": head, "child": child, "label": rel["label"], "score": rel["score"]}
        out |= {k: rel[k] for k in ("status", "period", "direction") if k in rel}
        relations.append(out)
    return {"text": text, "meta": meta, "spans": spans, "relations": relations}


def record_facts(record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One row per relation, and one per number that no relation uses (empty head)."""
    text, spans, meta = record["text"], record["spans"], record.get("meta", {})
    base = {"report": meta.get("source", ""), "sentence": meta.get("sentence", ""), "text": text}

    def number(i: int) -> dict[str, Any]:
        s = spans[i]
        return {
            "number": text[s["start"] : s["end"]],
            "number_label": s["label"],
            "value": s.get("value"),
            "unit": s.get("unit", ""),
            "approx": "".join(s.get("approx", [])),
        }

    used = set()
    for rel in record["relations"]:
        head = spans[rel["head"]]
        used.add(rel["child"])
        yield (
            base
            | number(rel["child"])
            | {
                "head": text[head["start"] : head["end"]],
                "head_label": head["label"],
                "relation": rel["label"],
                "status": rel.get("status", ""),
                "period": rel.get("period") or "",
                "direction": rel.get("direction", ""),
                "score": rel.get("score", ""),
            }
        )
    for i, s in enumerate(spans):
        if s["label"] in ("AMOUNT", "PERCENT") and i not in used:
            yield (
                base
                | number(i)
                | dict.fromkeys(
                    ("head", "head_label", "relation", "status", "period", "direction", "score"), ""
                )
            )


# --- writers ------------------------------------------------------------------------------


@contextmanager
def atomic_output(path: Path | None, binary: bool = False) -> Iterator[IO]:
    """Write to a temporary file beside `path` and rename it on success; stdout if no path."""
    if path is None:
        import sys

        yield sys.stdout.buffer if binary else sys.stdout
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        mode = "wb" if binary else "w"
        with os.fdopen(fd, mode, **({} if binary else {"encoding": "utf-8", "newline": ""})) as f:
            yield f
        os.chmod(tmp, _file_mode(path))  # mkstemp's 0600 is for the temporary file only
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _file_mode(path: Path) -> int:
    """The mode `path` keeps if it exists, else what the umask gives a new file."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_jsonl(records: Iterable[dict], out: IO[str]) -> int:
    n = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(records: Iterable[dict], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=FACT_COLUMNS)
    writer.writeheader()
    n = 0
    for record in records:
        for fact in record_facts(record):
            writer.writerow(fact)
            n += 1
    return n


def write_table(records: Iterable[dict], out: IO[str]) -> int:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        "head", "relation", "status", "period", "number", "value", "unit", "dir", "sentence"
    )
    n = 0
    for record in records:
        for f in record_facts(record):
            table.add_row(
                f["head"],
                f["relation"],
                f["status"],
                f["period"],
                f["number"],
                _fmt(f["value"]),
                f["unit"],
                f["direction"],
                str(f["sentence"]),
            )
            n += 1
    Console(file=out, width=160).print(table)
    return n


def _fmt(x: Any) -> str:
    return "" if x in (None, "") else f"{x:g}" if isinstance(x, float) else str(x)


def write_parquet(records: Iterable[dict], out: IO[bytes]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [(c, pa.float64() if c in ("value", "score") else pa.string()) for c in FACT_COLUMNS]
    )
    writer, n, batch = pq.ParquetWriter(out, schema), 0, []

    def flush() -> None:
        rows = [
            {
                c: (None if f[c] in ("", None) else f[c] if c in ("value", "score") else str(f[c]))
                for c in FACT_COLUMNS
            }
            for f in batch
        ]
        writer.write_table(pa.Table.from_pylist(rows, schema=schema))
        batch.clear()

    for record in records:
        for fact in record_facts(record):
            batch.append(fact)
            n += 1
            if len(batch) >= 10_000:
                flush()
    flush()
    writer.close()
    return n


_COLOURS = {"INDICATOR": "#9fc5e8", "PROJECT": "#b6d7a8", "AMOUNT": "#ffe599", "PERCENT": "#f9cb9c"}


def write_html(records: Iterable[dict], out: IO[str]) -> int:
    """Every sentence with displaCy's span rendering, and our arcs listed under it."""
    from spacy import displacy

    out.write("<!doctype html><html><head><meta charset='utf-8'><title>ie</title></head><body>\n")
    n = 0
    for record in records:
        text = record["text"]
        ents = [
            {"start": s["start"], "end": s["end"], "label": s["label"]} for s in record["spans"]
        ]
        markup = displacy.render(
            {"text": text, "ents": ents, "title": None},
            style="ent",
            manual=True,
            page=False,
            options={"colors": _COLOURS},
        )
        out.write(f"<section>{markup}\n<ul>")
        for rel in record["relations"]:
            head, child = record["spans"][rel["head"]], record["spans"][rel["child"]]
            arrow = (
                f"{html.escape(text[head['start'] : head['end']])} ─{rel['label']}"
                f"{rel.get('direction', '')}→ {html.escape(text[child['start'] : child['end']])}"
                f" ({rel.get('status', '')} {rel.get('period') or ''})"
            )
            out.write(f"<li>{arrow}</li>")
        out.write("</ul></section>\n")
        n += 1
    out.write("</body></html>\n")
    return n


WRITERS = {
    "jsonl": write_jsonl,
    "csv": write_csv,
    "table": write_table,
    "html": write_html,
    "parquet": write_parquet,
}
