"""The character features: pkuseg lexicon roles, numeral runs, and the embedding that uses them."""

from __future__ import annotations

from pathlib import Path

import numpy
import pytest
import spacy
from spacy.tokens import Doc

from ie.features import (
    DOMAIN_TAGS,
    build_char_feature_embed,
    build_char_feature_embed_v2,
    domain_automata,
    domain_features,
    domain_lexicon,
    lexicon_features,
    n_columns,
    number_features,
    pkuseg_automaton,
    pkuseg_lexicon,
    token_features,
)

B, M, E = 1, 2, 4


@pytest.fixture(scope="module")
def lexicon() -> frozenset[str]:
    return pkuseg_lexicon()


@pytest.fixture(scope="module")
def automaton():
    return pkuseg_automaton()


def test_lexicon_is_pkusegs_shipped_dictionary(lexicon: frozenset[str]) -> None:
    assert len(lexicon) > 300_000
    assert {"增长", "投资", "生产总值", "棚户区"} <= lexicon
    assert all(2 <= len(w) <= 8 for w in list(lexicon)[:1000])


def test_lexicon_roles_of_two_words(lexicon: frozenset[str], automaton) -> None:
    # 增长 and 投资 are words; 长投 is not, so each character has exactly one role.
    assert "长投" not in lexicon
    assert lexicon_features("增长投资", automaton).tolist() == [[B, 2], [E, 2], [B, 2], [E, 2]]


def test_lexicon_inside_and_longest(automaton) -> None:
    feats = lexicon_features("生产总值", automaton)
    assert feats[0][0] & B and feats[3][0] & E
    assert feats[1][0] & M and feats[2][0] & M  # inside 生产总值
    assert {longest for _, longest in feats} == {4}


def test_lexicon_no_word_no_role(automaton) -> None:
    assert lexicon_features("，。", automaton).tolist() == [[0, 0], [0, 0]]


def test_number_runs_arabic_and_chinese() -> None:
    text = "增长5.5%，一千二百户"
    place = [p for p, _, _ in number_features(text)]
    assert place == [0, 0, 1, 2, 3, 0, 0, 5, 6, 6, 7, 0]


def test_number_distances() -> None:
    feats = number_features("投资27亿元")
    after = [a for _, a, _ in feats]
    before = [b for _, _, b in feats]
    # The run is 27亿 (magnitudes join Arabic digits); 元 stands right after it.
    assert after[-1] == 0
    assert before[:2] == [1, 0]
    assert after[0] == 5 and before[-1] == 5  # nothing before the run, nothing after it


def test_single_numeral_is_a_run_of_one() -> None:
    assert number_features("第3")[1][0] == 4
    assert number_features("两")[0][0] == 8


def test_token_features_follow_the_tokenizer() -> None:
    nlp = spacy.blank("zh")
    chars = token_features([nlp("增长5%")], ["lexicon", "numbers"])[0]
    assert chars.shape == (4, n_columns(["lexicon", "numbers"])) == (4, 5)
    words = Doc(nlp.vocab, words=["增长", "5", "%"], spaces=[False, False, False])
    by_word = token_features([words], ["lexicon", "numbers"])[0]
    assert by_word.shape == (3, 5)
    # A word token reads its start at its first character and its end bit at its last.
    assert by_word[0, 0] == B | E
    numpy.testing.assert_array_equal(by_word[1], chars[2])


def test_a_batch_reads_as_its_docs_one_at_a_time() -> None:
    """The texts of a batch are joined for one pass: nothing of one doc may reach the next, not
    a word across the join, not a number's distance, and an empty doc has no rows."""
    nlp = spacy.blank("zh")
    texts = ["投资27亿", "元增长", "", "生产", "总值5%", "增长5.5%，一千二百户"]
    docs = [nlp(t) for t in texts]
    groups = ["lexicon", "numbers", "domain"]
    together = token_features(docs, groups)
    for doc, rows in zip(docs, together):
        numpy.testing.assert_array_equal(rows, token_features([doc], groups)[0])
    assert together[2].shape == (0, n_columns(groups))
    assert together[1][0, 3] == 5  # 元 opens its doc: no number stands before it there


def test_only_the_asked_groups() -> None:
    doc = spacy.blank("zh")("增长5%")
    assert token_features([doc], ["numbers"])[0].shape == (4, 3)
    assert token_features([doc], ["lexicon"])[0].shape == (4, 2)


def test_embed_without_features_is_multihashembed() -> None:
    from spacy.ml.models.tok2vec import MultiHashEmbed

    model = build_char_feature_embed(32, ["NORM", "SHAPE"], [100, 10], False, [])
    plain = MultiHashEmbed(32, ["NORM", "SHAPE"], [100, 10], False)
    assert model.name == plain.name
    assert [n.name for n in model.walk()] == [n.name for n in plain.walk()]


def test_embed_rejects_unknown_features() -> None:
    with pytest.raises(ValueError, match="unknown character features"):
        build_char_feature_embed(32, ["NORM"], [100], False, ["pinyin"])


def test_embed_with_features_learns_from_them() -> None:
    """The same character with other features gets another vector (the embedding has no
    window, so only the features differ), and the gradient reaches the feature tables."""
    nlp = spacy.blank("zh")
    groups = ["lexicon", "numbers"]
    model = build_char_feature_embed(32, ["NORM", "SHAPE"], [100, 10], False, groups)
    docs = [nlp("增长投资"), nlp("增乙投资")]  # 增 begins a word only in the first
    rows = token_features(docs, groups)
    assert (rows[0][0] != rows[1][0]).any() and (rows[0][2:] == rows[1][2:]).all()
    model.initialize(X=docs)
    vectors, backprop = model.begin_update(docs)
    assert [v.shape for v in vectors] == [(4, 32), (4, 32)]
    assert not numpy.allclose(vectors[0][0], vectors[1][0])
    numpy.testing.assert_allclose(vectors[0][2:], vectors[1][2:], rtol=1e-5)
    backprop([numpy.ones_like(v) for v in vectors])
    grads = [
        node.get_grad("E")
        for node in model.walk()
        if node.name.startswith("hashembed") and node.has_grad("E")
    ]
    assert len(grads) == 2 + 5  # NORM, SHAPE and five feature columns
    assert all(numpy.abs(g).sum() > 0 for g in grads)


def test_embed_v2_mixes_attributes_and_features_once() -> None:
    """v2: one Maxout over every table's vectors; the features still change a character's
    vector, and the gradient reaches the attribute and the feature tables."""
    from thinc.api import Maxout

    nlp = spacy.blank("zh")
    groups = ["lexicon", "domain"]
    model = build_char_feature_embed_v2(32, ["NORM", "SHAPE"], [100, 10], groups)
    docs = [nlp("增长投资"), nlp("增乙投资"), nlp("")]
    model.initialize(X=docs)
    assert sum(node.name == Maxout(2, 2).name for node in model.walk()) == 1
    vectors, backprop = model.begin_update(docs)
    assert [v.shape for v in vectors] == [(4, 32), (4, 32), (0, 32)]
    assert not numpy.allclose(vectors[0][0], vectors[1][0])
    backprop([numpy.ones_like(v) for v in vectors])
    tables = [n for n in model.walk() if n.name.startswith("hashembed")]
    assert len(tables) == 2 + n_columns(groups)
    assert all(numpy.abs(n.get_grad("E")).sum() > 0 for n in tables)


def test_domain_lexicon_marks_statistics_suffixes_and_lead_words() -> None:
    lexicon = domain_lexicon()
    assert set(lexicon) == set(DOMAIN_TAGS) and all(lexicon.values())
    text = "及时修复，地区生产总值增长，盘活东港广场二期"
    feats = domain_features(text, domain_automata())
    indicator, suffix, lead = (list(col) for col in zip(*feats))
    start = text.index("地区生产总值")
    assert indicator[start] & B and indicator[start + 5] & E and indicator[start + 2] & M
    assert lead[0] & B and lead[1] & E  # 及时
    assert lead[text.index("盘活")] & B
    assert suffix[text.index("二期")] & B and suffix[len(text) - 1] & E
    assert indicator[text.index("修")] == suffix[text.index("修")] == 0


def test_domain_columns_reach_the_embedding() -> None:
    assert n_columns(["lexicon", "domain"]) == 2 + len(DOMAIN_TAGS)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
    doc = nlp.make_doc("新建人民医院新院区")
    rows = token_features([doc], ["domain"])[0]
    assert rows.shape == (9, len(DOMAIN_TAGS)) and rows[:, 1].any()


def _brute_force_roles(text: str, words: frozenset[str], min_len: int, max_len: int):
    """Every substring looked up: the definition the automaton must agree with."""
    mask, longest = [0] * len(text), [0] * len(text)
    for i in range(len(text)):
        for length in range(min_len, min(max_len, len(text) - i) + 1):
            if text[i : i + length] in words:
                last = i + length - 1
                mask[i] |= 1
                mask[last] |= 4
                for j in range(i, last + 1):
                    mask[j] |= 2 if i < j < last else 0
                    longest[j] = max(longest[j], length)
    return mask, longest


def test_automaton_finds_what_every_lookup_finds(lexicon: frozenset[str]) -> None:
    """On every real report sentence, the Aho–Corasick pass gives the features that looking up
    every substring gives: same roles, same longest word, same domain masks."""
    from ie.corpus import load_corpus, report_files
    from ie.features import DOMAIN_MAX, LEXICON_MAX
    from ie.text import for_model

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    records = load_corpus(corpus, {"all": list(report_files(corpus))})["all"]
    domain = domain_lexicon()
    for text in (for_model(r["text"]) for r in records):
        mask, longest = _brute_force_roles(text, lexicon, 2, LEXICON_MAX)
        assert lexicon_features(text, pkuseg_automaton()).tolist() == [
            *map(list, zip(mask, longest))
        ]
        masks = [_brute_force_roles(text, domain[t], 1, DOMAIN_MAX)[0] for t in DOMAIN_TAGS]
        assert domain_features(text, domain_automata()).tolist() == [*map(list, zip(*masks))]
