"""Inline markup for writing and reviewing gold sentences by hand, and its conversion to JSONL.

Counting character offsets by hand is where annotators slip; the markup lets them write the
spans and links in the sentence itself, and this script computes the offsets. One sentence a
line:

    # year=2023 part=review region=贵州省 level=county
    actual 2022 | 全年{{地区生产总值|I1}}增长{{5.5%|P>1C}}，总量达到{{320亿元|A>1V}}。
    | 实施乡村振兴战略，建成{{和平街道卫生服务中心|J}}。

- `# key=value …` sets the `meta` of the lines after it (`year` and `sentence` are integers,
  `-` removes a key); `source` defaults to `authored-<file stem>`.
- `STATUS PERIOD |` opens a line that has relations: the status and period its relations take
  unless a link says otherwise (`-` for a null period). A line with no relation opens with `|`.
- `{{text|TAG}}`: I = INDICATOR, J = PROJECT (optionally numbered, I1, J2), A = AMOUNT,
  P = PERCENT. A number's links follow it: `A>1V` is a VALUE of head 1, `P>1C>2C` a CHANGE of
  heads 1 and 2, `A>1V=target/2024` a link with its own status and period.

    python training/markup.py to-jsonl corpus/authored/src/x.txt -o corpus/authored/x.jsonl
    python training/markup.py to-markup corpus/000_3a740438e7f81a2c.jsonl -o 000.txt
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

LETTERS = {"I": "INDICATOR", "J": "PROJECT", "A": "AMOUNT", "P": "PERCENT"}
LABEL_LETTER = {v: k for k, v in LETTERS.items()}
STATUSES = ("actual", "estimate", "target")
INT_META = ("year", "sentence")

SPAN = re.compile(r"\{\{(.+?)\|([^{}|]+)\}\}")
TAG = re.compile(r"^([IJAP])(\d*)((?:>\d+[VC](?:=[a-z]+/[-0-9]+)?)*)$")
LINK = re.compile(r">(\d+)([VC])(?:=([a-z]+)/([-0-9]+))?")
PREFIX = re.compile(r"^(?:(actual|estimate|target) (\S+) )?\| ?")


class MarkupError(ValueError):
    """A line that cannot be read; the message names what is wrong."""


def _period(value: str) -> str | None:
    if value == "-":
        return None
    if not re.fullmatch(r"\d{4}(-\d{4})?", value):
        raise MarkupError(f"period {value!r} is not YYYY, YYYY-YYYY or -")
    return value


def parse_line(line: str) -> dict:
    """One markup line → a scheme record without `meta`."""
    prefix = PREFIX.match(line)
    if not prefix:
        raise MarkupError("a line opens with `STATUS PERIOD |` or `|`")
    default = (prefix.group(1), _period(prefix.group(2)) if prefix.group(1) else None)
    body = line[prefix.end() :]
    text, spans, heads, links = [], [], {}, []
    pos = 0
    cursor = 0
    for m in SPAN.finditer(body):
        text.append(body[cursor : m.start()])
        pos += m.start() - cursor
        span_text, tag = m.group(1), m.group(2).strip()
        t = TAG.match(tag)
        if not t:
            raise MarkupError(f"tag {tag!r} of {span_text!r} is not I1, J, A>1V, P>2C …")
        letter, number, link_text = t.groups()
        label = LETTERS[letter]
        index = len(spans)
        spans.append({"start": pos, "end": pos + len(span_text), "label": label})
        if number:
            if letter not in "IJ":
                raise MarkupError(f"only I and J take a number: {tag!r}")
            if number in heads:
                raise MarkupError(f"head number {number} used twice")
            heads[number] = index
        if link_text and letter not in "AP":
            raise MarkupError(f"only A and P take links: {tag!r}")
        for head, rel, status, period in LINK.findall(link_text):
            links.append((head, index, rel, status or None, period or None, span_text))
        text.append(span_text)
        pos += len(span_text)
        cursor = m.end()
    text.append(body[cursor:])
    full = "".join(text)
    if "{{" in full or "}}" in full:
        raise MarkupError("an unclosed or malformed {{…|…}}")
    relations = []
    for head, child, rel, status, period, span_text in links:
        if head not in heads:
            raise MarkupError(f"{span_text!r} links to head {head}, which no I or J carries")
        if status is None:
            status, period = default
            if status is None:
                raise MarkupError("a line with relations opens with `STATUS PERIOD |`")
        elif status not in STATUSES:
            raise MarkupError(f"status {status!r} is not one of {', '.join(STATUSES)}")
        else:
            period = _period(period)
        relations.append(
            {
                "head": heads[head],
                "child": child,
                "label": "VALUE" if rel == "V" else "CHANGE",
                "status": status,
                "period": period,
            }
        )
    return {"text": full, "spans": spans, "relations": relations}


def parse_meta(line: str, meta: dict) -> dict:
    """A `# key=value …` line applied to the running meta."""
    meta = dict(meta)
    for item in line.lstrip("#").split():
        if "=" not in item:
            raise MarkupError(f"meta item {item!r} is not key=value")
        key, value = item.split("=", 1)
        if value == "-":
            meta.pop(key, None)
        elif key in INT_META:
            meta[key] = int(value)
        else:
            meta[key] = value
    return meta


def to_records(path: Path) -> list[dict]:
    """Every sentence of a markup file as a scheme record, numbered from 0 unless set."""
    meta = {"source": f"authored-{path.stem}"}
    records, problems = [], []
    n = 0
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            if line.startswith("#"):
                meta = parse_meta(line, meta)
                n = meta.pop("sentence", n)
                continue
            record = parse_line(line)
        except MarkupError as err:
            problems.append(f"{path}:{lineno}: {err}")
            continue
        records.append({"text": record["text"], "meta": {**meta, "sentence": n}, **record})
        n += 1
    if problems:
        raise MarkupError("\n".join(problems))
    return records


def to_markup(records: list[dict]) -> str:
    """Scheme records as markup lines, with a `#` line wherever the meta changes."""
    out, meta = [], {}
    for r in records:
        rmeta = {k: v for k, v in r.get("meta", {}).items() if k != "sentence"}
        changed = {k: v for k, v in rmeta.items() if meta.get(k) != v}
        dropped = [k for k in meta if k not in rmeta]
        if changed or dropped or not out:
            items = [f"{k}={v}" for k, v in changed.items()] + [f"{k}=-" for k in dropped]
            out.append("# " + " ".join(items + [f"sentence={r['meta'].get('sentence', 0)}"]))
        meta = rmeta
        out.append(_markup_line(r))
    return "\n".join(out) + "\n"


def _markup_line(r: dict) -> str:
    rels = r.get("relations", [])
    pairs = Counter((x.get("status", "actual"), x.get("period")) for x in rels)
    default = pairs.most_common(1)[0][0] if pairs else None
    head_ids = {}
    for x in rels:
        head_ids.setdefault(x["head"], str(len(head_ids) + 1))
    links: dict[int, str] = {}
    for x in rels:
        link = f">{head_ids[x['head']]}{x['label'][0]}"
        here = (x.get("status", "actual"), x.get("period"))
        if here != default:
            link += f"={here[0]}/{here[1] or '-'}"
        links[x["child"]] = links.get(x["child"], "") + link
    text, parts, cursor = r["text"], [], 0
    for i, s in enumerate(r["spans"]):
        tag = LABEL_LETTER[s["label"]] + head_ids.get(i, "") + links.get(i, "")
        parts += [text[cursor : s["start"]], "{{", text[s["start"] : s["end"]], "|", tag, "}}"]
        cursor = s["end"]
    parts.append(text[cursor:])
    prefix = f"{default[0]} {default[1] or '-'} | " if default else "| "
    return prefix + "".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["to-jsonl", "to-markup"])
    parser.add_argument("path", type=Path)
    parser.add_argument("-o", "--output", type=Path, help="default: standard output")
    args = parser.parse_args(argv)
    try:
        if args.command == "to-jsonl":
            records = to_records(args.path)
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        else:
            lines = args.path.read_text(encoding="utf-8").splitlines()
            text = to_markup([json.loads(line) for line in lines if line.strip()])
    except (MarkupError, OSError, json.JSONDecodeError) as err:
        print(f"markup: {err}", file=sys.stderr)
        return 1
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
