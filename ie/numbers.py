"""Reading numbers: the value, unit and approximation of AMOUNT/PERCENT spans, and the
direction of CHANGE relations (the scheme's "Derived attributes").

Nothing here is learnt. `read_quantity` and `change_direction` are pure functions of the text;
the `ie_numbers` component writes their results onto a Doc, and `readability` counts how much
of a corpus they can read.

Decisions the scheme leaves open:
- `value` has the magnitude applied (1.19万户 → 11900 户) and a rate stays in its own unit
  (5.5% → 5.5 %, not 0.055). 成 is read as tenths and reported in % (3成 → 30 %), so that rates
  share one unit; 百分点 is written 个百分点; units are given in Simplified characters.
- A bare magnitude counts as one of it (近亿元 → 1e8 元, 近千名 → 1000 名).
- An OCR letter inside the leading digits is read as the digit it stands for (l2亿元 → 12亿元,
  1O.5% → 10.5%); ranges (5-6%), vague counts (数十家, 上千人) and anything else that is not
  one number read as value None and unit "".
- `approx` is a subset of APPROXIMATORS in that order; 超过 and 逾 count as 超, 接近 and 将近
  as 近, 大约 as 约, 及以上/或以上/不少于/不低于 as 以上, 不超过 as 以内. 达 marks no
  approximation, nor do words that merely end in one (签约, 商超, 最近).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import cn2an
from spacy.language import Language
from spacy.tokens import Doc, Span

from ie.schema import CHILD_LABELS, doc_text
from ie.text import for_model

__all__ = [
    "APPROXIMATORS",
    "NumberReader",
    "Quantity",
    "change_direction",
    "make_numbers",
    "model_change_direction",
    "read_model_quantity",
    "read_quantity",
    "readability",
]

APPROXIMATORS = ("余", "多", "近", "超", "约", "左右", "以上", "以内", "以下")
CONTEXT = 4  # characters either side of a span that may hold an approximator

# Approximators that stand before a number, with the flag each one sets (longest first).
_LEADING = (
    ("不超过", "以内"),
    ("不少于", "以上"),
    ("不低于", "以上"),
    ("超过", "超"),
    ("接近", "近"),
    ("将近", "近"),
    ("大约", "约"),
    ("近", "近"),
    ("超", "超"),
    ("逾", "超"),
    ("约", "约"),
)
# Words that end like a leading approximator but are not one: 签约5个项目, 组织商超27家.
_NOT_LEADING = (
    "最近",
    "附近",
    "靠近",
    "临近",
    "邻近",
    "商超",
    "赶超",
    "签约",
    "合约",
    "履约",
    "节约",
    "预约",
    "特约",
    "集约",
    "制约",
    "违约",
)
# Approximators that stand after a number or its unit (longest first).
_TRAILING = (
    ("及以上", "以上"),
    ("或以上", "以上"),
    ("及以下", "以下"),
    ("左右", "左右"),
    ("以上", "以上"),
    ("以内", "以内"),
    ("以下", "以下"),
)
_INNER = "余多"  # 1000余万元, 20多个, 两千余人

_DIGITS = "0123456789.〇零一二两三四五六七八九十廿百千万亿点"
_MAGNITUDES = {"百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
# Units that begin with a magnitude character: 千 in 千瓦时 is not a thousand.
_UNITS_LIKE_MAGNITUDES = ("百分点", "百帕", "千瓦", "千克", "千米", "千伏", "千卡", "千帕", "千焦")
_ARABIC = re.compile(r"(\d+(?:\.\d+)?)([百千万亿]*)")
_OCR_RUN = re.compile(r"[\dlIoO.,]+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_NEGATIVE = ("-", "−", "负")
# A unit cannot start like a second number or a range (5-6%, 3至5个, 1,2).
_BAD_UNIT = re.compile(r"[\d.,\-~～—至到、和及或]")


@dataclass(frozen=True)
class Quantity:
    """One number read from a span: value with magnitude applied (None if unreadable)."""

    value: float | None
    unit: str
    approx: tuple[str, ...] = ()


def _fix_ocr(text: str) -> str:
    """Read l/I/O/o as 1/0 inside a leading run of digits that has at least one real digit."""
    run = _OCR_RUN.match(text)
    if not run or not any(c.isdigit() for c in run.group()):
        return text
    fixed = run.group().translate(str.maketrans("lIoO", "1100"))
    return fixed + text[run.end() :]


def _leading(text: str, *, at_end: bool = False) -> tuple[str, str] | None:
    """The leading approximator `text` starts with (`at_end`: ends with) and its flag."""
    for word, flag in _LEADING:
        if text.endswith(word) if at_end else text.startswith(word):
            return word, flag
    return None


def _strip_trailing(text: str, flags: set[str]) -> str:
    changed = True
    while changed:
        changed = False
        for word, flag in _TRAILING:
            if text.endswith(word):
                flags.add(flag)
                text = text[: -len(word)]
                changed = True
        if text[-1:] and text[-1] in _INNER:
            flags.add(text[-1])
            text = text[:-1]
            changed = True
    return text


def _split_number(text: str, flags: set[str]) -> tuple[str, str]:
    """The leading numeral (inner 余/多 taken out and flagged) and the rest of the text."""
    numeral: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in _INNER and numeral:
            flags.add(char)
        elif char in _DIGITS and not text.startswith(_UNITS_LIKE_MAGNITUDES, i):
            numeral.append(char)
        else:
            break
        i += 1
    return "".join(numeral), text[i:]


def _magnitude(chars: str) -> int:
    product = 1
    for char in chars:
        product *= _MAGNITUDES[char]
    return product


def _number(numeral: str) -> Decimal | None:
    """Arabic numbers exactly with Decimal; Chinese numerals through cn2an."""
    if not numeral:
        return None
    arabic = _ARABIC.fullmatch(numeral)
    if arabic:
        return Decimal(arabic.group(1)) * _magnitude(arabic.group(2))
    if all(c in _MAGNITUDES for c in numeral):
        numeral = "一" + numeral  # a bare magnitude: 亿元 is one 亿
    try:
        return Decimal(str(cn2an.cn2an(numeral, "smart")))
    except (ValueError, KeyError, IndexError, InvalidOperation):
        pass
    # cn2an reads neither 二点五万 nor 10.5万亿: read the part before the magnitudes.
    core = numeral.rstrip("".join(_MAGNITUDES))
    if not core or core == numeral:
        return None
    inner = _number(core)
    return None if inner is None else inner * _magnitude(numeral[len(core) :])


def _approx_around(before: str, after: str, unit: str, flags: set[str]) -> None:
    found = None if before.endswith(_NOT_LEADING) else _leading(before, at_end=True)
    if found:
        flags.add(found[1])
    for word, flag in _TRAILING:
        if after.startswith(word):
            flags.add(flag)
            break
    # 余/多 belong inside the span; next to it they count only when no unit stands between.
    if not unit and after[:1] and after[0] in _INNER:
        flags.add(after[0])


def read_quantity(span_text: str, before: str = "", after: str = "") -> Quantity:
    """Value, unit and approximators of an AMOUNT or PERCENT span.

    `before` and `after` are the few characters around the span, where the scheme leaves
    leading qualifiers (近, 超过, 约) and trailing 左右/以上/以内/以下.
    """
    return read_model_quantity(for_model(span_text), for_model(before), for_model(after))


def read_model_quantity(span_text: str, before: str = "", after: str = "") -> Quantity:
    """`read_quantity` of text that is already `for_model` text (a Doc's): no conversion."""
    text = re.sub(r"\s+", "", span_text)
    before, after = before.rstrip(), after.lstrip()
    flags: set[str] = set()
    found = _leading(text)
    if found:
        flags.add(found[1])
        text = text[len(found[0]) :]
    text = _strip_trailing(text, flags)
    sign = -1 if text.startswith(_NEGATIVE) else 1
    text = text.lstrip("+-−负")
    text = _THOUSANDS.sub("", _fix_ocr(text))

    unit = ""
    scale = Decimal(1)
    if text.startswith(("百分之", "千分之")):
        unit = "%" if text[0] == "百" else "‰"
        numeral, rest = _split_number(text[3:], flags)
        number = None if rest else _number(numeral)
    else:
        numeral, unit = _split_number(text, flags)
        number = _number(numeral)
        if unit.startswith("百分点"):
            unit = "个" + unit
        elif unit == "成":
            unit, scale = "%", Decimal(10)
        if _BAD_UNIT.match(unit):
            number = None
    if number is None:
        unit = ""
    _approx_around(before, after, unit, flags)
    approx = tuple(a for a in APPROXIMATORS if a in flags)
    return Quantity(None if number is None else float(sign * number * scale), unit, approx)


# --- direction of a change ----------------------------------------------------------------

_UP = (
    "增长",
    "提高",
    "增加",
    "上升",
    "增速",
    "增幅",
    "提升",
    "增收",
    "净增",
    "多增",
    "上涨",
    "涨幅",
    "回升",
    "攀升",
    "上调",
    "扩大",
    "增",
    "涨",
)
_DOWN = (
    "下降",
    "减少",
    "回落",
    "减收",
    "降低",
    "缩减",
    "缩小",
    "压减",
    "压缩",
    "削减",
    "下滑",
    "下调",
    "降幅",
    "跌幅",
    "减幅",
    "负增长",
    "收窄",
    "降",
    "减",
    "跌",
)
_FLAT = ("持平",)
_VERBS = {**dict.fromkeys(_UP, "+"), **dict.fromkeys(_DOWN, "-"), **dict.fromkeys(_FLAT, "0")}
# 收窄 and 扩大 say how the size of something changed; of a decline, the sign turns round.
_OF_SIZE = {"收窄": "-", "扩大": "+"}
_DECLINE = re.compile(r"降幅|跌幅|减幅|下降|下滑|回落|减少|负增长")
_CLAUSE_END = re.compile(r"[,，;；:：。!！?？]")
_FLIP = {"+": "-", "-": "+", "0": "0"}


def change_direction(sentence_text: str, head: tuple[int, int], child: tuple[int, int]) -> str:
    """Direction of a CHANGE relation ("+", "-" or "0") from the verb nearest before the number.

    The verb is looked for in the number's clause, after the head when the head stands there
    (so 增加值 in a head is no verb), which covers 分别增长8%和6%. With no verb the change is
    read as a growth rate (增速 stated as a column heading), so "+". A negative number turns
    the reading round (增速-3.2% is "-"), and a change of zero is "0" whatever the verb.
    """
    return model_change_direction(for_model(sentence_text), head, child)


def model_change_direction(text: str, head: tuple[int, int], child: tuple[int, int]) -> str:
    """`change_direction` of text that is already `for_model` text (a Doc's)."""
    start = child[0]
    clause = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    if head[1] <= start:
        clause = max(clause, head[1])
    window = text[clause:start]
    best: tuple[int, int, str] | None = None
    for verb in _VERBS:
        pos = window.rfind(verb)
        if pos >= 0:
            found = (pos + len(verb), len(verb), verb)
            best = found if best is None or found[:2] > best[:2] else best
    direction = "+"
    if best is not None:
        end, length, verb = best
        direction = _VERBS[verb]
        if verb in _OF_SIZE:
            declining = _DECLINE.search(window, 0, end - length)
            direction = _FLIP[_OF_SIZE[verb]] if declining else _OF_SIZE[verb]
    value = read_model_quantity(text[start : child[1]]).value
    if value == 0:
        return "0"
    return _FLIP[direction] if value is not None and value < 0 else direction


# --- the spaCy component ------------------------------------------------------------------


def ensure_extensions() -> None:
    """Register `Span._.value`, `Span._.unit` and `Span._.approx` (None until read)."""
    for name in ("value", "unit", "approx"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]


@Language.factory(
    "ie_numbers",
    assigns=["span._.value", "span._.unit", "span._.approx", "doc._.relations"],
    requires=["doc.ents", "doc._.relations"],
)
def make_numbers(nlp: Language, name: str) -> NumberReader:
    return NumberReader(name)


class NumberReader:
    """Writes the reading of every AMOUNT/PERCENT entity and the direction of every CHANGE.

    Span extensions live in `doc.user_data` under the span's character offsets, so they
    survive `DocBin(store_user_data=True)`.
    """

    def __init__(self, name: str = "ie_numbers") -> None:
        ensure_extensions()
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        numbers = [ent for ent in doc.ents if ent.label_ in CHILD_LABELS]
        relations = doc._.relations if Doc.has_extension("relations") else None
        changes = [rel for rel in relations or [] if rel["label"] == "CHANGE"]
        if not numbers and not changes:
            return doc
        # once per Doc: the pipeline's Docs are model text already, anyone else's may not be
        text = for_model(doc_text(doc))
        for ent in numbers:
            context = _context(text, ent.start_char, ent.end_char)
            quantity = read_model_quantity(text[ent.start_char : ent.end_char], *context)
            ent._.value = quantity.value
            ent._.unit = quantity.unit
            ent._.approx = list(quantity.approx)
        for rel in changes:
            head, child = tuple(rel["head"]), tuple(rel["child"])
            rel["direction"] = model_change_direction(text, head, child)
        return doc


def readability(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """How many AMOUNT/PERCENT spans of scheme records read as no value, with examples."""
    total = 0
    unreadable: list[dict[str, str]] = []
    count = 0
    for record in records:
        text = record["text"]
        model = for_model(text)  # once per sentence
        for span in record["spans"]:
            if span["label"] not in CHILD_LABELS:
                continue
            total += 1
            surface = text[span["start"] : span["end"]]
            reading = read_model_quantity(
                model[span["start"] : span["end"]], *_context(model, span["start"], span["end"])
            )
            if reading.value is None:
                count += 1
                if len(unreadable) < 20:
                    unreadable.append({"span": surface, "label": span["label"], "text": text})
    return {"spans": total, "unreadable": count, "examples": unreadable}
