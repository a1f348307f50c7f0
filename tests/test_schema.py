"""`doc_text`: a Doc's text, joined once and never read from another Doc's user data."""

from __future__ import annotations

import spacy

from ie.schema import doc_text


def test_doc_text_is_kept_and_not_taken_from_a_copy() -> None:
    nlp = spacy.blank("zh")
    doc = nlp.make_doc("新增城镇就业2.1万人，完成投资9亿元。")
    assert doc_text(doc) == doc.text
    assert doc_text(doc) is doc_text(doc)  # joined once
    part = doc[:10].as_doc(copy_user_data=True)  # carries the whole Doc's kept text
    assert doc_text(part) == part.text != doc.text
    empty = nlp.make_doc("")
    assert doc_text(empty) == ""
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[0:2])
    assert doc_text(doc) == doc.text  # fewer tokens, same text
