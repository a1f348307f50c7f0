"""Annotation workbench: drafts that a person corrects, and the build of gold JSONL from them.

A draft line names spans by their text, in reading order, which is easier to read and
correct by hand than character offsets:

    {"i": 17, "text": "...", "spans": [["地区生产总值", "INDICATOR"], ["5.5%", "PERCENT"]],
     "rels": [[0, 1, "CHANGE"]]}

`build` finds each span at or after the end of the previous one and writes the scheme's
layout. The draft's pre-fill marks only Arabic-numeral numbers; everything else (and every
pre-filled span) is decided by the annotator reading the sentence.

    python training/annotation.py draft corpus/raw/000_x.txt drafts/000.jsonl
    python training/annotation.py build corpus/raw/000_x.txt drafts/000*.jsonl -o corpus/000_x.jsonl
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer

from ie.corpus import validate_record
from ie.text import decode, for_model, sentences_of

app = typer.Typer(add_completion=False, help=__doc__)

_NUM = r"\d+(?:\.\d+)?"
_UNIT = (
    r"万亿元|亿元|万元|千元|元|美元|万美元|亿美元|万千瓦时|千瓦时|千瓦|平方公里|万平方米|平方米"
    r"|立方米|公顷|公里|米|万吨|吨|亩|万户|户|家|人次|万人|人|个|项|件|次|处|所|条|座|栋|辆"
    r"|套|名|台|场|批|张|份|株|棵|床|间|支|类|块|部|笔|宗|剂|单|种|位|起|本|盏"
)
_DRAFT = re.compile(
    rf"(?P<PERCENT>{_NUM}(?:%|‰|个百分点|百分点|倍))"
    rf"|(?P<AMOUNT>{_NUM}(?:余|多)?(?:万亿|亿|万|千)?(?:余|多)?(?:{_UNIT}))"
)


@app.command()
def draft(raw: Path, out: Path) -> None:
    """Write one draft line per sentence of a raw report, numbers pre-filled."""
    _, sentences = sentences_of(decode(raw.read_bytes()))
    with out.open("w", encoding="utf-8") as f:
        for i, s in enumerate(sentences):
            spans = [
                [s.text[m.start() : m.end()], m.lastgroup]
                for m in _DRAFT.finditer(for_model(s.text))
            ]
            row = {"i": i, "text": s.text, "spans": spans, "rels": []}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def _locate(text: str, spans: list[list[str]], where: str) -> list[dict]:
    located, pos = [], 0
    for surface, label in spans:
        start = text.find(surface, pos)
        if start < 0:
            raise typer.BadParameter(f"{where}: span {surface!r} not found after offset {pos}")
        located.append({"start": start, "end": start + len(surface), "label": label})
        pos = start + len(surface)
    return located


@app.command()
def check(drafts: list[Path]) -> None:
    """Check draft files: spans found in order, then the scheme's own validation."""
    problems = 0
    for path in drafts:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row, where = json.loads(line), f"{path}:{n}"
            try:
                spans = _locate(row["text"], row["spans"], where)
            except typer.BadParameter as err:
                typer.echo(err.message)
                problems += 1
                continue
            relations = [{"head": h, "child": c, "label": lab} for h, c, lab in row["rels"]]
            found = validate_record({"text": row["text"], "spans": spans, "relations": relations})
            for problem in found:
                typer.echo(f"{where}: {problem}")
            problems += len(found)
    typer.echo(f"{problems} problems")
    raise typer.Exit(1 if problems else 0)


@app.command()
def build(
    raw: Path,
    drafts: list[Path],
    output: Path = typer.Option(..., "-o", "--output"),
) -> None:
    """Turn corrected drafts of one report into the scheme's JSONL, checking coverage."""
    _, sentences = sentences_of(decode(raw.read_bytes()))
    rows: dict[int, dict] = {}
    for path in drafts:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            i, where = row["i"], f"{path}:{n}"
            if sentences[i].text != row["text"]:
                raise typer.BadParameter(f"{where}: text differs from sentence {i}")
            rows[i] = {
                "text": row["text"],
                "meta": {"source": raw.name, "sentence": i},
                "spans": _locate(row["text"], row["spans"], where),
                "relations": [{"head": h, "child": c, "label": lab} for h, c, lab in row["rels"]],
            }
    missing = [i for i in range(len(sentences)) if i not in rows]
    if missing:
        raise typer.BadParameter(f"sentences not annotated: {missing[:20]}")
    with output.open("w", encoding="utf-8") as f:
        for i in range(len(sentences)):
            f.write(json.dumps(rows[i], ensure_ascii=False) + "\n")


if __name__ == "__main__":
    app()
