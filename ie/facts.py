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
from itertools import zip_longest
from pathlib import Path
from typing import IO, Any

from spacy.tokens import Doc

from ie.schema import CHILD_LABELS

# One row per fact: a head (INDICATOR or PROJECT) with the VALUE and the CHANGE that the
# sentence gives it for one status and period; numbers linked to nothing get rows of their
# own with an empty `indicator`. Types are declared, so CSV and Parquet agree.
FACT_TYPES: dict[str, str] = {
    "report": "string",
    "sentence": "int32",
    "indicator": "string",
    "kind": "string",
    "value": "float64",
    "unit": "string",
    "approx": "string",
    "value_text": "string",
    "change": "float64",
    "change_unit": "string",
    "change_approx": "string",
    "change_text": "string",
    "direction": "string",
    "status": "string",
    "period": "string",
    "score": "float64",
    "indicator_start": "int32",
    "indicator_end": "int32",
    "value_start": "int32",
    "value_end": "int32",
    "change_start": "int32",
    "change_end": "int32",
}
FACT_COLUMNS = tuple(FACT_TYPES)
# a number's columns, in the order `record_facts` fills them: value, unit, approx, text, offsets
_VALUE_COLUMNS = ("value", "unit", "approx", "value_text", "value_start", "value_end")
_CHANGE_COLUMNS = (
    "change",
    "change_unit",
    "change_approx",
    "change_text",
    "change_start",
    "change_end",
)
FORMATS = ("jsonl", "csv", "table", "html", "parquet")


def doc_to_record(doc: Doc, text: str, meta: dict[str, Any]) -> dict[str, Any]:
    """The scheme record of a processed Doc; `text` is the sentence as the user gave it."""
    spans, index = [], {}
    for ent in doc.ents:
        span: dict[str, Any] = {"start": ent.start_char, "end": ent.end_char, "label": ent.label_}
        if ent.label_ in CHILD_LABELS and ent.has_extension("value"):
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
    """The fact rows of one sentence, in the order their first span appears in it.

    A head's relations are grouped by status and period; within a group the n-th VALUE and
    the n-th CHANGE share a row (全年地区生产总值186亿元，增长4.6% is one row). Offsets count
    characters of the input: of the raw report when the spans carry `raw_start`, else of the
    sentence's text.
    """
    text, spans, meta = record["text"], record["spans"], record.get("meta") or {}
    base = {"report": meta.get("source", ""), "sentence": meta.get("sentence")}

    def where(i: int) -> tuple[int, int]:
        s = spans[i]
        return s.get("raw_start", s["start"]), s.get("raw_end", s["end"])

    def number(i: int | None, columns: tuple[str, ...]) -> dict[str, Any]:
        if i is None:
            return dict.fromkeys(columns)
        s = spans[i]
        approx = "".join(s.get("approx") or []) or None
        text_of = text[s["start"] : s["end"]]
        return dict(zip(columns, (s.get("value"), s.get("unit"), approx, text_of, *where(i))))

    def row(head: int | None, value: dict | None, change: dict | None) -> dict[str, Any]:
        out = dict(base)
        if head is None:
            out |= {"indicator": None, "kind": None, "indicator_start": None, "indicator_end": None}
        else:
            h = spans[head]
            start, end = where(head)
            out |= {"indicator": text[h["start"] : h["end"]], "kind": h["label"]}
            out |= {"indicator_start": start, "indicator_end": end}
        out |= number(value and value["child"], _VALUE_COLUMNS)
        out |= number(change and change["child"], _CHANGE_COLUMNS)
        linked = [r for r in (value, change) if r]
        first = linked[0] if linked else {}
        out["direction"] = (change or {}).get("direction") or None
        out["status"] = first.get("status") or None
        out["period"] = first.get("period") or None
        out["score"] = min((r["score"] for r in linked if "score" in r), default=None)
        return out

    groups: dict[int, dict[tuple, dict[str, list]]] = {}
    for rel in sorted(record["relations"], key=lambda r: spans[r["child"]]["start"]):
        key = (rel.get("status"), rel.get("period"))
        by_label = groups.setdefault(rel["head"], {}).setdefault(key, {"VALUE": [], "CHANGE": []})
        by_label.setdefault(rel["label"], []).append(rel)
    rows = []
    for head, by_key in groups.items():
        for by_label in by_key.values():
            for value, change in zip_longest(by_label["VALUE"], by_label["CHANGE"]):
                rows.append((spans[head]["start"], row(head, value, change)))
    linked = {rel["child"] for rel in record["relations"]}
    for i, s in enumerate(spans):
        if s["label"] in CHILD_LABELS and i not in linked:
            rows.append((s["start"], row(None, {"child": i}, None)))
    for _, fact in sorted(rows, key=lambda r: r[0]):
        yield fact


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
    """One fact a row (see `record_facts`); the header comes with the first record, so an
    input that fails before any sentence leaves nothing on standard output."""
    writer, n = csv.DictWriter(out, fieldnames=FACT_COLUMNS), 0
    for i, record in enumerate(records):
        if i == 0:
            writer.writeheader()
        for fact in record_facts(record):
            writer.writerow(fact)
            n += 1
    return n


def human_number(value: float | None, unit: str | None, approx: str | None) -> str:
    """227亿元 read as 22,700,000,000 元; 5.5% as 5.5%; approximation marks in brackets."""
    if value is None:
        return ""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.6f}".rstrip("0")
    unit = unit or ""
    text += unit if unit in ("%", "‰") else f" {unit}" if unit else ""
    return f"{text} ({approx})" if approx else text


TABLE_ROWS = 500  # rows per printed table: the terminal table never holds a whole corpus


def write_table(records: Iterable[dict], out: IO[str]) -> int:
    """Facts as tables that fit the terminal, one (or more, every TABLE_ROWS) per report."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out, highlight=False, soft_wrap=False)
    columns = ("sentence", "indicator", "value", "change", "status", "period")
    table, report, n = None, None, 0

    def new_table(title: str) -> Table:
        t = Table(title=title, title_justify="left", expand=False)
        for c in columns:
            t.add_column(c, overflow="fold", no_wrap=c in ("sentence", "status", "period"))
        return t

    for record in records:
        for f in record_facts(record):
            if table is None or f["report"] != report or table.row_count >= TABLE_ROWS:
                if table is not None:
                    console.print(table)
                report, table = f["report"], new_table(f["report"] or "facts")
            change = human_number(f["change"], f["change_unit"], f["change_approx"])
            arrow = {"+": "↑ ", "-": "↓ "}.get(f["direction"] or "", "")
            table.add_row(
                "" if f["sentence"] is None else str(f["sentence"]),
                f["indicator"] or "—",
                human_number(f["value"], f["unit"], f["approx"]),
                arrow + change if change else "",
                f["status"] or "",
                f["period"] or "",
            )
            n += 1
    if table is not None:
        console.print(table)
    return n


def write_parquet(records: Iterable[dict], out: IO[bytes]) -> int:
    """The CSV's rows with the declared types of FACT_TYPES, written in row groups."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, getattr(pa, t)()) for c, t in FACT_TYPES.items()])
    writer, n, batch = pq.ParquetWriter(out, schema), 0, []

    def flush() -> None:
        writer.write_table(pa.Table.from_pylist(batch, schema=schema))
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
_STYLE = """
body { font-family: sans-serif; margin: 1.5em auto; max-width: 70em; line-height: 1.5 }
table.facts { border-collapse: collapse; margin-bottom: 1.5em }
table.facts th, table.facts td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left }
.legend span { padding: 0.1em 0.4em; margin-right: 0.5em; border-radius: 0.3em }
section.sentence { border-bottom: 1px solid #eee }
"""
_HTML_COLUMNS = ("sentence", "indicator", "kind", "value", "change", "status", "period")


def write_html(records: Iterable[dict], out: IO[str]) -> int:
    """A page to read the facts: per report, its facts table, the annotated sentences that
    hold facts, and every sentence behind a toggle. Each report is spooled (to disk when it
    grows) until it ends, so memory stays bounded however long the input."""
    legend = "".join(
        f"<span style='background:{colour}'>{label}</span>" for label, colour in _COLOURS.items()
    )
    out.write(
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<title>ie: facts from government work reports</title>"
        f"<style>{_STYLE}</style></head><body>\n"
        "<h1>Facts from government work reports</h1>\n"
        f"<p class='legend'>{legend} arrows: head ─VALUE→ / ─CHANGE→ number</p>\n"
    )
    n = 0
    spools: _ReportSpools | None = None
    for record in records:
        source = (record.get("meta") or {}).get("source", "")
        if spools is None or source != spools.report:
            if spools is not None:
                spools.write_to(out)
            spools = _ReportSpools(source)
        spools.add(record)
        n += 1
    if spools is not None:
        spools.write_to(out)
    out.write("</body></html>\n")
    return n


class _ReportSpools:
    """The three parts of one report's HTML, each written to a spooled temporary file."""

    def __init__(self, report: str) -> None:
        self.report = report
        self.facts, self.held, self.every = (
            tempfile.SpooledTemporaryFile(max_size=1 << 20, mode="w+", encoding="utf-8")  # noqa: SIM115 (closed by write_to)
            for _ in range(3)
        )
        self.n_sentences = 0

    def add(self, record: dict[str, Any]) -> None:
        sentence = _sentence_html(record)
        self.every.write(sentence)
        self.n_sentences += 1
        facts = list(record_facts(record))
        if not facts:
            return
        self.held.write(sentence)
        for f in facts:
            cells = {
                "sentence": "" if f["sentence"] is None else str(f["sentence"]),
                "indicator": f["indicator"] or "",
                "kind": f["kind"] or "",
                "value": human_number(f["value"], f["unit"], f["approx"]),
                "change": (f["direction"] or "")
                + human_number(f["change"], f["change_unit"], f["change_approx"]),
                "status": f["status"] or "",
                "period": f["period"] or "",
            }
            row = "".join(f"<td>{html.escape(cells[c])}</td>" for c in _HTML_COLUMNS)
            self.facts.write(f"<tr>{row}</tr>\n")

    def write_to(self, out: IO[str]) -> None:
        header = "".join(f"<th>{c}</th>" for c in _HTML_COLUMNS)
        out.write(f"<h2>{html.escape(self.report or 'input')}</h2>\n")
        out.write(f"<table class='facts'><thead><tr>{header}</tr></thead><tbody>\n")
        _copy(self.facts, out)
        out.write("</tbody></table>\n<h3>Sentences with facts</h3>\n")
        _copy(self.held, out)
        out.write(f"<details><summary>All {self.n_sentences} sentences</summary>\n")
        _copy(self.every, out)
        out.write("</details>\n")


def _copy(spool: IO[str], out: IO[str]) -> None:
    spool.seek(0)
    while chunk := spool.read(1 << 16):
        out.write(chunk)
    spool.close()


def _sentence_html(record: dict[str, Any]) -> str:
    """One sentence with displaCy's span rendering and its relations listed under it."""
    from spacy import displacy

    text, spans = record["text"], record["spans"]
    ents = [{"start": s["start"], "end": s["end"], "label": s["label"]} for s in spans]
    markup = displacy.render(
        {"text": text, "ents": ents, "title": None},
        style="ent",
        manual=True,
        page=False,
        options={"colors": _COLOURS},
    )
    items = []
    for rel in record["relations"]:
        head, child = spans[rel["head"]], spans[rel["child"]]
        items.append(
            f"<li>{html.escape(text[head['start'] : head['end']])} ─{rel['label']}"
            f"{html.escape(rel.get('direction') or '')}→ "
            f"{html.escape(text[child['start'] : child['end']])}"
            f" ({rel.get('status', '')} {rel.get('period') or ''})</li>"
        )
    sentence = (record.get("meta") or {}).get("sentence", "")
    return (
        f"<section class='sentence' id='s{html.escape(str(sentence))}'>{markup}"
        f"<ul>{''.join(items)}</ul></section>\n"
    )


WRITERS = {
    "jsonl": write_jsonl,
    "csv": write_csv,
    "table": write_table,
    "html": write_html,
    "parquet": write_parquet,
}
