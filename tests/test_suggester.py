"""The clause suggester: fewer candidates, and every gold span among them."""

from __future__ import annotations

import spacy
from spacy.pipeline.spancat import ngram_suggester
from spacy.tokens import Doc
from spacy.util import registry

from ie.corpus import CORPUS_DIR, authored_files, read_jsonl, report_files
from ie.schema import span_problem
from ie.suggester import clause_ngram_suggester
from ie.text import for_model

SIZES = list(range(1, 21))


def test_no_candidate_crosses_a_clause_or_splits_a_pair() -> None:
    nlp = spacy.blank("zh")
    doc = nlp.make_doc("新增“专精特新”企业12家，地区生产总值增长5%；(一)完成投资")
    spans = clause_ngram_suggester([doc], SIZES).dataXd.tolist()
    assert spans and all(span_problem(doc[s:e].text) is None for s, e in spans)
    texts = {doc[s:e].text for s, e in spans}
    assert "新增“专精特新”企业" in texts and "专精特新" in texts
    assert "“专精特新" not in texts and "12家，地区" not in texts


def test_every_gold_span_is_a_candidate_and_half_are_gone() -> None:
    nlp = spacy.blank("zh")
    files = [*report_files(CORPUS_DIR).values(), *authored_files(CORPUS_DIR).values()]
    records = [r for path in files for r in read_jsonl(path)]
    docs = [nlp.make_doc(for_model(r["text"])) for r in records]
    ours = clause_ngram_suggester(docs, SIZES)
    plain = ngram_suggester(docs, SIZES)
    assert ours.dataXd.shape[0] < 0.6 * plain.dataXd.shape[0]
    offset, missed, short = 0, 0, 0
    for record, doc, n in zip(records, docs, ours.lengths.tolist()):
        candidates = {tuple(x) for x in ours.dataXd[offset : offset + n].tolist()}
        offset += n
        for s in record["spans"]:
            span = doc.char_span(s["start"], s["end"])
            if len(span) <= SIZES[-1]:
                short += 1
                missed += (span.start, span.end) not in candidates
    assert short > 5000 and missed == 0


def test_registered_and_empty_docs() -> None:
    suggest = registry.misc.get("ie.clause_ngram_suggester.v1")(min_size=1, max_size=3)
    nlp = spacy.blank("zh")
    out = suggest([nlp.make_doc(""), nlp.make_doc("增长5%")])
    assert out.lengths.tolist() == [0, 9]


def test_span_finder_candidates_are_filtered_by_the_same_rule() -> None:
    """With candidates_key, only the proposed spans are suggested, less those that cross a
    clause mark, split a quote pair or fall outside the sizes."""
    nlp = spacy.blank("zh")
    doc = nlp.make_doc("新增“专精特新”企业12家，地区生产总值增长5%")
    text = doc.text
    proposed = {
        "新增“专精特新”企业": True,
        "专精特新": True,
        "“专精特新": False,  # splits the quotes
        "12家，地区": False,  # crosses a clause mark
        "新增“专精特新”企业12家": False,  # longer than max_size
    }
    spans = [doc.char_span(text.index(s), text.index(s) + len(s)) for s in proposed]
    doc.spans["sc"] = spans
    suggest = registry.misc.get("ie.clause_ngram_suggester.v1")(
        min_size=1, max_size=12, candidates_key="sc"
    )
    out = suggest([doc, nlp.make_doc("增长5%")])
    assert out.lengths.tolist() == [2, 0]  # a Doc with no candidates gets none, not all
    got = {doc[s:e].text for s, e in out.dataXd.tolist()}
    assert got == {s for s, ok in proposed.items() if ok}


def test_word_tokens_holding_a_mark_are_read_by_their_text() -> None:
    """A word tokenizer's token can hold a clause mark or a quote among other characters:
    no candidate may contain "12家，" or only one of "“专精" and "特新”"."""
    nlp = spacy.blank("zh")
    words = ["新增", "“专精", "特新”", "企业", "12家，", "地区", "增长"]
    doc = Doc(nlp.vocab, words=words, spaces=[False] * len(words))
    spans = clause_ngram_suggester([doc], SIZES).dataXd.tolist()
    texts = {doc[s:e].text for s, e in spans}
    assert "“专精特新”企业" in texts and "地区增长" in texts
    assert not {"“专精", "特新”", "12家，", "企业12家，", "12家，地区"} & texts
    assert all(span_problem(doc[s:e].text) is None for s, e in spans)
