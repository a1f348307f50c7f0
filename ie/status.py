"""`ie_status`: whether each fact is achieved, estimated or targeted, and for which period.

The scheme (version 2) reads both from three sources, in order: the sentence's own words
(预计, 力争, 2023年, 五年来, 十四五), the part of the report the sentence stands in
(`doc._.report_part`), and the report's year (`doc._.report_year`, the year whose plan the
report gives; its review is of the year before). Closed word lists suffice: the cues are
few and fixed by the genre, and a rule says why it decided.

The cue that governs a number is the nearest one before it in the sentence; 以内 or 目标
after it in the same clause marks a target too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from ie.schema import doc_text, ensure_doc_extensions

# Simplified text: the pipeline reads `ie.text.for_model` output. A sentence-wide cue (预计
# at the head of a sentence) governs every clause after it; a clause cue (目标, 确保, 已) only
# its own clause, since 实现发展目标；发挥15个专班作用 does not make the 15 a target.
_SENTENCE_CUES = {
    "estimate": r"预计|预测|预估|初步核算|初步统计",
    "target": r"力争|预期",
    "actual": r"去年|上年|过去|年来",
}
_CLAUSE_CUES = {
    "target": r"确保|目标|计划|争取(?:实现|达到|完成|突破|增长)|控制在|努力实现|力促|要达到|将达到|"
    r"将实现|拟|今后|未来",
    "actual": r"已经|已",
}
_SENTENCE_CUE = re.compile("|".join(f"(?P<{k}>{v})" for k, v in _SENTENCE_CUES.items()))
_CLAUSE_CUE = re.compile("|".join(f"(?P<{k}>{v})" for k, v in _CLAUSE_CUES.items()))
_TARGET_AFTER = re.compile(r"以内|的目标|目标")
_CLAUSE_MARK = re.compile(r"[，,；;：:。！？!?]")

_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"两": 2, "十": 10}
# A five-year plan as a time: “十四五”时期, 十三五期间 (not “十四五”规划, 十五条, 十五分钟).
# A year or plan followed by 的, or after 由/比/较/从/同, is a base of comparison, not the period
# (由2010年的62.3亿元增加到…, 恢复到2019年的86%, 是“十一五”时期的2.4倍).
_BASE_BEFORE = re.compile(r"(?:由|比|较|从|同|与|是|恢复到|相当于)[“\"]?$")
_PLAN = re.compile(r"十([一二三四五六七八九])五[”\"]?(?:期间|时期|以来|末|开局|收官|时)(?!的)")
_RANGE = re.compile(r"(20\d\d|19\d\d)\s*(?:年)?\s*(?:[-—–~～至到])\s*(20\d\d|19\d\d)年")
_YEAR = re.compile(r"(20\d\d|19\d\d)年(?!的)")
_YEARS_SINCE = re.compile(
    r"(?:过去|近|这)?([一二三四五六七八九十两\d]{1,2})年(?:来|间|以来|累计|共计)"
)
_PAST_YEARS = re.compile(r"过去([一二三四五六七八九十两\d]{1,2})年")
_YEARS_AHEAD = re.compile(r"(?:今后|未来)([一二三四五两\d])年")
_YEARS_MEAN = re.compile(r"([两三])年平均")
_RELATIVE = {"去年": -1, "上年": -1, "上一年": -1, "今年": 0}


@dataclass(frozen=True)
class Reading:
    """The status and period of one relation."""

    status: str
    period: str | None


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    return _CN_DIGITS.get(text, 0) if len(text) == 1 else 0


def _five_year_plan(n: int) -> str:
    """The nth five-year plan's years: the third ran 1966–1970, and every plan after it five."""
    start = 1966 + 5 * (n - 3)
    return f"{start}-{start + 4}"


def _explicit_period(before: str, review_year: int | None) -> str | None:
    """The period the words before a number name, nearest first; None if they name none."""
    found: list[tuple[int, str]] = []
    for m in _PLAN.finditer(before):
        if not _BASE_BEFORE.search(before, 0, m.start()):
            found.append((m.end(), _five_year_plan(10 + _CN_DIGITS[m.group(1)])))
    ranges = [(m.start(), m.end()) for m in _RANGE.finditer(before)]
    found += [(e, re.sub(r"\D+", "-", before[s:e].rstrip("年")).strip("-")) for s, e in ranges]
    for m in _YEAR.finditer(before):
        base = _BASE_BEFORE.search(before, 0, m.start())
        if not base and not any(s <= m.start() < e for s, e in ranges):
            found.append((m.end(), m.group(1)))
    if review_year is not None:
        for pattern in (_YEARS_SINCE, _PAST_YEARS, _YEARS_MEAN):
            for m in pattern.finditer(before):
                n = _number(m.group(1))
                if 1 < n <= 10:
                    found.append((m.end(), f"{review_year - n + 1}-{review_year}"))
        for m in _YEARS_AHEAD.finditer(before):
            n = _number(m.group(1))
            if 1 < n <= 10:
                found.append((m.end(), f"{review_year + 1}-{review_year + n}"))
        for word, delta in _RELATIVE.items():
            for m in re.finditer(word, before):
                found.append((m.end(), str(review_year + 1 + delta)))
    return max(found)[1] if found else None


def read_status(text: str, start: int, end: int, year: int | None, part: str | None) -> Reading:
    """The status and period of the number at `text[start:end]`, as the scheme orders it."""
    before = text[:start]
    clause_start = max((m.end() for m in _CLAUSE_MARK.finditer(before)), default=0)
    clause_end = _CLAUSE_MARK.search(text, end)
    after = text[end : clause_end.start() if clause_end else len(text)]
    review_year = year - 1 if year is not None else None
    cues = [*_SENTENCE_CUE.finditer(before), *_CLAUSE_CUE.finditer(before, clause_start)]
    status = max(cues, key=lambda m: m.end()).lastgroup if cues else None
    if status is None and _TARGET_AFTER.search(after):
        status = "target"
    period = _explicit_period(before, review_year)
    if status is None and period is not None and review_year is not None:
        last = int(period[-4:])
        status = "target" if last > review_year else "actual"
    if status is None:
        status = "target" if part == "plan" else "actual"
    if period is None and year is not None:
        period = str(year if status == "target" else review_year)
    return Reading(status, period)


class StatusReader:
    """Sets `status` and `period` on every relation in `doc._.relations`."""

    def __init__(self, name: str = "ie_status") -> None:
        ensure_doc_extensions()
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        if not doc._.relations:
            return doc
        year, part, text = doc._.report_year, doc._.report_part, doc_text(doc)
        for rel in doc._.relations:
            start, end = rel["child"]
            reading = read_status(text, start, end, year, part)
            rel["status"], rel["period"] = reading.status, reading.period
        return doc


@Language.factory(
    "ie_status",
    assigns=["doc._.relations"],
    requires=["doc._.relations"],
)
def make_status(nlp: Language, name: str) -> StatusReader:
    return StatusReader(name)
