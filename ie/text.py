"""From raw report bytes to clean sentences, keeping every character's place in the raw text.

Every step only deletes characters or swaps one character for one other, so a cleaned
text is a list of characters each tied to its index in the decoded raw input. That map is
what lets `predict` report offsets into the file the user gave.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ie.schema import CLAUSE_MARKS

__all__ = [
    "CleanText",
    "InputError",
    "Outline",
    "Sentence",
    "clean",
    "decode",
    "for_model",
    "model_pieces",
    "outline",
    "split_sentences",
    "sentences_of",
]


class InputError(ValueError):
    """Input that cannot be read as a report; the message is meant for the user."""


# --- decoding -----------------------------------------------------------------------------

_ENCODINGS = ("utf-8-sig", "gb18030")


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 (with BOM) or GBK/GB18030, refusing binary
    data."""
    if not data:
        raise InputError("the input is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte-order mark
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("the input starts as UTF-16 but does not decode as it") from None
    sample = data[:4096]
    controls = sum(b < 32 and b not in (9, 10, 13, 12) for b in sample)
    if b"\x00" in sample or controls > len(sample) * 0.05:
        raise InputError("the input looks binary, not text")
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("the input is neither UTF-8 nor GBK/GB18030 text")


# --- the mapped text ----------------------------------------------------------------------


@dataclass(frozen=True)
class CleanText:
    """Cleaned text and, for each of its characters, the index of that character in `raw`."""

    raw: str
    text: str
    offsets: tuple[int, ...]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the clean text to the raw text."""
        if start >= end:
            pos = self.offsets[start] if start < len(self.offsets) else len(self.raw)
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1


def _drop(text: str, offsets: list[int], spans: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """Delete the given [start, end) spans (sorted, non-overlapping) from a mapped text."""
    if not spans:
        return text, offsets
    keep_text: list[str] = []
    keep_offsets: list[int] = []
    pos = 0
    for start, end in spans:
        keep_text.append(text[pos:start])
        keep_offsets.extend(offsets[pos:start])
        pos = end
    keep_text.append(text[pos:])
    keep_offsets.extend(offsets[pos:])
    return "".join(keep_text), keep_offsets


def _drop_matches(
    text: str, offsets: list[int], pattern: re.Pattern[str], group: int = 0
) -> tuple[str, list[int]]:
    spans = [m.span(group) for m in pattern.finditer(text) if m.end(group) > m.start(group)]
    return _drop(text, offsets, spans)


# --- what the web page added around a report ----------------------------------------------

# Lines that are page furniture wherever they stand: forum panels, site menus, service
# boxes, document-site banners and page counters. Kept short and generic on purpose.
_FURNITURE = re.compile(
    r"登录|注册|回帖|设为首页|收藏本站|您现在的位置|当前位置|复制链接|显示全部楼层|阅读模式"
    r"|签到|积分|Rank:|\[LV\.\d+\]|客服|在线时间|在线咨询|联系电话|Powered by|返回顶部"
    r"|返回列表|快速回复|上一篇|下一篇|版权所有|Copyright|©|责任编辑|分享到|浏览次数"
    r"|文档|文库|下载|第\s*\d+\s*页|共\s*\d+\s*页|^\s*[-—]?\s*\d+\s*[-—]?\s*$"
    r"|^\s*\d{1,2}:\d{2}\s*[-~～]\s*\d{1,2}:\d{2}\s*$|^\s*周[一二三四五六日]\s*[~～-]\s*周"
    r"|^\s*[\d\-\s]{7,}\s*$|^\s*(关闭|查看|回复|主题|帖子|版主|昨天|今天)\b"
)
# A line that can only be page furniture even inside the body: short and matching the above.
_SHORT_LINE = 40
# Site trailers of any length.
_SITE_TRAILER = re.compile(r"Powered by|Copyright|版权所有|©\s*\d{4}")
_SALUTATION = re.compile(r"^\s*各位代表")
_TITLE_LINE = 60
_SENTENCE_END = "。！？!?"
_CLOSERS = "”’」』\"'"

# A page marker of a document-sharing site cutting a paragraph: "全市\n3、经济" → "全市经济".
_PAGE_MARKER = re.compile(r"(?<=[^\s。！？!?：:；;，,、])\n[ \t\u3000]*\d{1,3}、(?=\S)")
# Pinyin in parentheses after a character: 現(xiàn) → 現. Needs a tone mark, so (GDP) stays.
_PINYIN = re.compile(r"(?<=[\u3400-\u9fff])[(（][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*[)）]")
_FOOTNOTE = re.compile(r"\[\d{1,3}\]|［\d{1,3}］")
_INDENT = re.compile(r"^[ \t\u3000\xa0]+|[ \t\u3000\xa0]+$", re.M)
_CR = re.compile(r"\r")
_BLANK_LINES = re.compile(r"\n(?=\n)|^\n+|\n+$")


def _lines(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _is_furniture(line: str) -> bool:
    if _SITE_TRAILER.search(line):
        return True
    return len(line.strip()) <= _SHORT_LINE and bool(_FURNITURE.search(line))


def _body_lines(text: str) -> tuple[int, int]:
    """Index range [first, last] of the lines holding the report body."""
    lines = [text[s:e] for s, e in _lines(text)]
    first = 0
    salutation = next((i for i, line in enumerate(lines) if _SALUTATION.match(line)), None)
    if salutation is not None:
        # Walk back over the title block (title, date line, speaker) above the salutation;
        # stop at furniture or at a long line such as a teaser repeating the opening.
        first = salutation
        for i in range(salutation - 1, -1, -1):
            line = lines[i].strip()
            if not line:
                continue
            if len(line) > _TITLE_LINE or _is_furniture(line):
                break
            first = i
    else:
        while first < len(lines) and (not lines[first].strip() or _is_furniture(lines[first])):
            first += 1
    last = len(lines) - 1
    while last > first:
        line = lines[last].strip()
        ends = line.rstrip(_CLOSERS)[-1:] in tuple(_SENTENCE_END) if line else False
        if line and not _is_furniture(line) and (ends or len(line) >= 30):
            break
        last -= 1
    return first, last


def _strip_furniture(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    spans = _lines(text)
    first, last = _body_lines(text)
    if first >= len(spans):  # nothing but furniture
        return "", []
    drop: list[tuple[int, int]] = []
    if first > 0:
        drop.append((0, spans[first][0]))
    for s, e in spans[first : last + 1]:
        if _is_furniture(text[s:e]):
            drop.append((s, e))
    if last < len(spans) - 1:
        drop.append((spans[last][1], len(text)))
    return _drop(text, offsets, drop)


def _clean_once(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    text, offsets = _drop_matches(text, offsets, _CR)
    text, offsets = _drop_matches(text, offsets, _INDENT)
    text, offsets = _strip_furniture(text, offsets)
    text, offsets = _drop_matches(text, offsets, _PAGE_MARKER)
    text, offsets = _drop_matches(text, offsets, _PINYIN)
    text, offsets = _drop_matches(text, offsets, _FOOTNOTE)
    text, offsets = _drop_matches(text, offsets, _INDENT)
    text, offsets = _drop_matches(text, offsets, _BLANK_LINES)
    return text, offsets


def clean(raw: str) -> CleanText:
    """Keep the report body of a scraped page, with the offset map back to `raw`.

    Steps are repeated until nothing changes, so cleaning a clean text is a no-op.
    """
    text, offsets = raw, list(range(len(raw)))
    for _ in range(5):
        new_text, offsets = _clean_once(text, offsets)
        if new_text == text:
            break
        text = new_text
    return CleanText(raw=raw, text=text, offsets=tuple(offsets))


# --- sentences ----------------------------------------------------------------------------

_SPLIT = re.compile(rf"[^\n{_SENTENCE_END}]*(?:[{_SENTENCE_END}]+[{_CLOSERS}]*|\n|$)")
_SPACE = " \t\u3000\xa0\n"


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text and its [start, end) in the text it was split from."""

    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Sentence]:
    """Split after 。！？ (with closing quotes) and at line breaks, as the scheme says."""
    sentences = []
    for match in _SPLIT.finditer(text):
        start, end = match.span()
        while start < end and text[start] in _SPACE:
            start += 1
        while end > start and text[end - 1] in _SPACE:
            end -= 1
        if end > start:
            sentences.append(Sentence(text[start:end], start, end))
    return sentences


def sentences_of(raw: str) -> tuple[CleanText, list[Sentence]]:
    """Clean a raw report and split it; sentence offsets are into the clean text."""
    cleaned = clean(raw)
    return cleaned, split_sentences(cleaned.text)


# --- the report's year and parts ----------------------------------------------------------

# A heading is a short line with no sentence end, often numbered (一、 / （二）).
_HEADING_MAX = 30
_NUMBERED = re.compile(r"^[(（]?[一二三四五六七八九十]+[、)）.．]")
_REVIEW_HEADING = re.compile(r"回[顾顧]|工作情[况況]|过去五年|過去五年")
_PLAN_HEADING = re.compile(
    r"工作安排|工作[部署]|主要任[务務]|工作目[标標]|[总總]体要求|[预預]期目[标標]|重点工作|重點工作"
    r"|工作建[议議]|今后五年|今後五年|未来五年|未來五年|[总總]体思路|[总總]體思路|今年工作"
)
_HEADING_YEAR = re.compile(r"(20\d\d)年")
_TITLE = re.compile(r"(20\d\d)年.{0,30}政府工作[报報]告")
_DATE_LINE = re.compile(r"^[—-]*\s*(20\d\d)年(\d{1,2})月\d{1,2}日")
_LATE_MONTH = 10  # a report delivered from October on is the next year's report


@dataclass(frozen=True)
class Outline:
    """What a report's own lines say about every sentence: the report's year and each part.

    `year` is the year the report is for (its plan's year; the review is of the year before),
    None when no title, date line or heading tells it. `parts` has one of "review"/"plan"
    for every sentence: the opening counts as review, a plan heading opens the plan part.
    """

    year: int | None
    parts: tuple[str, ...]


def outline(sentences: list[str]) -> Outline:
    """Read the report year from the title, date line or headings, and the part headings."""
    years: list[int] = []
    parts, part = [], "review"
    for text in sentences:
        line = text.strip()
        heading = len(line) <= _HEADING_MAX and line[-1:] not in _SENTENCE_END
        if heading and (m := _TITLE.search(line)):
            years.append(int(m.group(1)))
        elif m := _DATE_LINE.match(line):
            years.append(int(m.group(1)) + (int(m.group(2)) >= _LATE_MONTH))
        elif heading and (_NUMBERED.match(line) or _HEADING_YEAR.match(line)):
            year = _HEADING_YEAR.search(line)
            if _PLAN_HEADING.search(line):
                part = "plan"
                years += [int(year.group(1))] if year else []
            elif _REVIEW_HEADING.search(line):
                part = "review"
                years += [int(year.group(1)) + 1] if year else []
        parts.append(part)
    year = max(set(years), key=years.count) if years else None
    return Outline(year, tuple(parts))


# --- what the model reads -----------------------------------------------------------------


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def for_model(text: str) -> str:
    """Simplified, half-width text of the same length, so offsets carry over unchanged.

    OpenCC converts whole phrases; where a phrase changes length the text is converted
    character by character instead, which keeps the one-to-one alignment.
    """
    text = text.translate(_FULL_WIDTH)
    converted = _t2s().convert(text)
    if len(converted) != len(text):
        converted = "".join(c2 if len(c2 := _t2s().convert(c)) == 1 else c for c in text)
    return converted


# Longest text the model reads at once. Report sentences are far shorter (the longest in the
# corpus is a few hundred characters); a longer one is cut into pieces before the model sees
# it, so memory and time stay bounded whatever the input.
MODEL_MAX_CHARS = 320
_PIECE_BREAKS = CLAUSE_MARKS | frozenset(_SENTENCE_END + "、 \u3000")  # where a cut hurts least


def model_pieces(text: str, limit: int = MODEL_MAX_CHARS) -> list[tuple[int, int]]:
    """(start, end) pieces of at most `limit` characters covering `text`: each cut falls after
    the last clause mark of the window's second half, or at `limit` when there is none."""
    pieces, start, n = [], 0, len(text)
    while n - start > limit:
        window = text[start + limit // 2 : start + limit]
        marks = [window.rfind(c) for c in _PIECE_BREAKS]
        cut = start + limit // 2 + max(marks) + 1 if max(marks) >= 0 else start + limit
        pieces.append((start, cut))
        start = cut
    pieces.append((start, n))
    return pieces
