"""The experiment scripts under training/ build what they claim to compare."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import spacy
from spacy.tokens import DocBin

from ie.training import write_docbins

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "ie.cfg"


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "training" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ner_and_spancat_share_the_shipped_tok2vec() -> None:
    script = _script("ner_vs_spancat")
    shipped = spacy.util.load_config(CONFIG)["components"]["tok2vec"]
    for tagger in ("ner", "spancat"):
        config = script.derived_config(CONFIG, tagger)
        assert config["nlp"]["pipeline"] == ["tok2vec", tagger]
        assert set(config["components"]) == {"tok2vec", tagger}
        nlp = spacy.util.load_model_from_config(config, auto_fill=True)
        assert nlp.pipe_names == ["tok2vec", tagger]
        assert nlp.config["components"]["tok2vec"] == shipped
    spancat = script.derived_config(CONFIG, "spancat")["components"]["spancat"]
    assert spancat["factory"] == "spancat_singlelabel" and spancat["allow_overlap"] is False
    assert spancat["suggester"]["max_size"] == script.MAX_NGRAM


def test_spancat_learns_from_the_gold_entities(tmp_path: Path) -> None:
    """The DocBins the script trains on carry the gold entities in spancat's span group."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    record = {
        "text": "投资27亿元",
        "spans": [{"start": 2, "end": 6, "label": "AMOUNT"}],
        "relations": [],
        "meta": {"source": "tiny.txt", "sentence": 0},
    }
    (corpus / "tiny.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n")
    paths = write_docbins(tmp_path / "out", corpus, {"train": ["tiny"]})
    nlp = spacy.blank("zh")
    (back,) = DocBin().from_disk(paths["train"]).get_docs(nlp.vocab)
    spans_key = _script("ner_vs_spancat").derived_config(CONFIG, "spancat")["components"][
        "spancat"
    ]["spans_key"]
    assert [(s.text, s.label_) for s in back.spans[spans_key]] == [("27亿元", "AMOUNT")]
    assert [(e.text, e.label_) for e in back.ents] == [("27亿元", "AMOUNT")]
