"""A rule baseline for the benchmark: what a few generic regular expressions already get.

Numbers are AMOUNT (numeral, magnitude, unit from a fixed list) or PERCENT (%, ‰, 个百分点, 倍,
百分之…). The INDICATOR of a number is the phrase right before the reporting or change verb
that stands before it, back to the previous punctuation or number, without region and time
words; the relation is CHANGE when that verb is a change verb, VALUE otherwise. A clause that
starts with a change verb (…，增长5%) or with a word like 总量 continues the nearest indicator
before it in the sentence. With no verb before the number, the phrase before it is the
indicator (改造老旧小区21个), or, when that is at most a bare verb, the phrase after it, to
the punctuation (完善12个工作专班, 完成52万剂疫苗接种).
PROJECT is an indicator phrase ending in 项目/工程. Nothing is tuned to one report, so the
model's scores can be read against it.

Status and period come from the same rules as the pipeline's (`ie.status.read_status`).
Rules run on `for_model(text)` (Simplified, half-width, same length), so Traditional and
full-width input work and offsets are into `text` as given.
"""

from __future__ import annotations

import re
from typing import Any

from ie.schema import span_problem
from ie.status import read_status
from ie.text import for_model

__all__ = ["predict_record"]


def _words(text: str) -> tuple[str, ...]:
    """Word lists are written as space-separated text, to keep them readable."""
    return tuple(text.split())


_DIGITS = r"[0-9]+(?:\.[0-9]+)?"
# Chinese numerals only with a 十/百/千/万/亿 in them: 三个 and 两区 are mostly slogans.
_CN_DIGITS = r"[零〇一二两三四五六七八九十百千万亿]*[十百千万亿][零〇一二两三四五六七八九十百千]*"
_NUMERAL = rf"(?<![0-9A-Za-z.第])(?:{_DIGITS}|{_CN_DIGITS})"
_UNITS = _words(
    "元 美元 欧元 户 家 家次 人 人次 名 个 项 件 件次 处 次 场 场次 "
    "所 条 座 栋 套 台 辆 张 份 剂 间 床 株 棵 盏 部 期 轮 批 类 "
    "起 宗 笔 篇 只 头 斤 吨 亩 公顷 平方米 平方公里 公里 千米 米 "
    "立方米 千瓦 千瓦时 度 标箱 课次"
)
_UNIT = "|".join(sorted(_UNITS, key=len, reverse=True))
_AMOUNT = rf"{_NUMERAL}(?:余|多)?(?:万亿|亿|万|千|百)?(?:余|多)?(?:{_UNIT})"
_PERCENT = (
    rf"{_NUMERAL}(?:%|‰|个百分点|百分点|倍)|百分之{_CN_DIGITS}(?:点[零〇一二三四五六七八九]+)?"
)
_NUMBER = re.compile(rf"(?P<PERCENT>{_PERCENT})|(?P<AMOUNT>{_AMOUNT})")

_CLAUSE_END = re.compile(r"[，,；;：:。！？!?、()（）\s]")

_CHANGE_VERBS = _words(
    "同比增长 同比下降 同比提高 增长 下降 增速 增幅 提高 提升 增加 减少 "
    "降低 上升 回落 下滑 减收 增收 收窄 压减 净增 扩大"
)
_VALUE_VERBS = _words(
    "达到 完成 实现 突破 超过 累计 共计 总计 合计 保持在 控制在 稳定在 总投资 投资 达 为 是"
)
_VERB = "|".join(sorted(_CHANGE_VERBS + _VALUE_VERBS, key=len, reverse=True))
# The verb that ends the text before a number, with 到/至 (提高到 = a new level) and qualifiers.
_VERB_BEFORE = re.compile(rf"(?P<verb>{_VERB})(?P<to>到|至)?了?(?:近|超过|超|约|达|共|逾)?$")

_LEADING_NOISE = re.compile(
    r"^(?:全区|全市|全县|全省|全镇|全旗|我区|我市|我县|全年|今年|去年|上年|预计|其中|同比"
    r"|累计|全口径|实现|完成|(?:19|20)\d\d年(?:度)?|前?[一二三四]季度|[上下]半年|1-\d{1,2}月|的)+"
)
_TRAILING_NOISE = re.compile(
    r"(?:同比|比上年|较上年|比去年|分别|均|年均|累计|的|近|超过|超|约|逾|共|等|和|及)+$"
)
_QUOTES = "“”‘’\"'《》「」 "
# Words that stand for the indicator named earlier in the sentence (…，总量达到320亿元).
_ANAPHORS = frozenset({"总量", "总额", "规模", "总计", "合计"})
_PROJECT_END = ("项目", "工程")
_MAX_HEAD = 20
# A phrase this short before a number is a bare action verb (完善12个工作专班), not the object.
_BARE_VERB = 2


def _head_phrase(model_text: str, start: int, end: int) -> tuple[int, int]:
    """Trim region/time words, trailing particles and quotes off model_text[start:end]."""
    phrase = model_text[start:end]
    lead = _LEADING_NOISE.match(phrase)
    if lead:
        start += lead.end()
    trail = _TRAILING_NOISE.search(model_text[start:end])
    if trail:
        end = start + trail.start()
    while start < end and model_text[start] in _QUOTES:
        start += 1
    while end > start and model_text[end - 1] in _QUOTES:
        end -= 1
    return start, end


def _clause_end(model_text: str, start: int, stop: int) -> int:
    """Where the clause that goes on at `start` ends, at `stop` at the latest."""
    found = _CLAUSE_END.search(model_text, start, stop)
    return found.start() if found else stop


def predict_record(text: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """The baseline's scheme record for one sentence (spans sorted, relations by index)."""
    model_text = for_model(text)
    numbers = list(_NUMBER.finditer(model_text))
    spans: list[dict[str, Any]] = []
    links: list[tuple[int, int, str]] = []  # (head index, child index, label)
    last_head: int | None = None
    clause_start = 0
    for k, match in enumerate(numbers):
        start, end = match.span()
        boundary = [m.end() for m in _CLAUSE_END.finditer(model_text, clause_start, start)]
        clause_start = boundary[-1] if boundary else clause_start
        verb = _VERB_BEFORE.search(model_text, clause_start, start)
        change = verb is not None and verb["verb"] in _CHANGE_VERBS and not verb["to"]
        h_start, h_end = _head_phrase(model_text, clause_start, verb.start() if verb else start)
        before = model_text[h_start:h_end]
        head = None
        if before in _ANAPHORS or (change and not before):
            head = last_head
        else:
            if len(before) <= _BARE_VERB and not change:
                # number, object (完善12个工作专班): the object after the number.
                stop = numbers[k + 1].start() if k + 1 < len(numbers) else len(model_text)
                h_start, h_end = _head_phrase(model_text, end, _clause_end(model_text, end, stop))
            phrase = model_text[h_start:h_end]
            whole = span_problem(phrase) is None  # no mark of a pair left alone
            if 2 <= len(phrase) <= _MAX_HEAD and phrase not in _ANAPHORS and whole:
                label = "PROJECT" if phrase.endswith(_PROJECT_END) else "INDICATOR"
                spans.append({"start": h_start, "end": h_end, "label": label})
                last_head = head = len(spans) - 1
            elif verb is not None and not phrase:
                head = last_head
        spans.append({"start": start, "end": end, "label": match.lastgroup})
        if head is not None:
            links.append((head, len(spans) - 1, "CHANGE" if change else "VALUE"))
        clause_start = max(end, h_end)
    order = sorted(range(len(spans)), key=lambda i: spans[i]["start"])
    new_index = {old: new for new, old in enumerate(order)}
    meta = dict(meta or {})
    relations = []
    for h, c, label in links:
        reading = read_status(
            model_text, spans[c]["start"], spans[c]["end"], meta.get("year"), meta.get("part")
        )
        relations.append(
            {
                "head": new_index[h],
                "child": new_index[c],
                "label": label,
                "status": reading.status,
                "period": reading.period,
            }
        )
    return {
        "text": text,
        "meta": meta,
        "spans": [spans[i] for i in order],
        "relations": relations,
    }
