"""The trained pipeline: both components learn, serialisation round-trips, entry points work."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import spacy

from ie.evaluate import evaluate_model, predict_texts


def test_components_learn(tiny_model: Path, sample: list[dict]) -> None:
    nlp = spacy.load(tiny_model)
    assert nlp.pipe_names == [
        "tok2vec",
        "span_finder",
        "spancat",
        "ie_span_ents",
        "ie_relations",
        "ie_numbers",
        "ie_status",
    ]
    scores, _ = evaluate_model(nlp, sample)
    # Chance is near zero for exact spans and pairs; a learning model fits its training set.
    assert scores["ents"]["AMOUNT"]["f"] > 0.8
    assert scores["ents"]["INDICATOR"]["f"] > 0.5
    assert scores["rels_on_gold_ents"]["micro"]["f"] > 0.6
    assert scores["rels"]["micro"]["f"] > 0.3
    # The status reader is rules: on gold relations of these Liaoning sentences it is exact.
    assert scores["status_on_gold_rels"]["status"] == 1.0
    assert scores["status_on_gold_rels"]["period"] == 1.0


def test_meta_records_the_training(tiny_model: Path, sample: list[dict]) -> None:
    """The recorded dev scores are what evaluating the final checkpoint on dev gives."""
    meta = json.loads((tiny_model / "meta.json").read_text(encoding="utf-8"))
    assert meta["ie"]["train"] == ["tiny"] and meta["ie"]["dev"] == ["tiny"]
    assert meta["ie"]["seed"] == 1
    scores, _ = evaluate_model(spacy.load(tiny_model), sample)
    assert meta["performance"]["ents_micro_f"] == round(scores["ents"]["micro"]["f"], 4)


def test_to_disk_round_trip(tiny_model: Path, sample: list[dict], tmp_path: Path) -> None:
    nlp = spacy.load(tiny_model)
    nlp.to_disk(tmp_path / "copy")
    again = spacy.load(tmp_path / "copy")
    assert predict_texts(nlp, sample) == predict_texts(again, sample)


def test_load_in_fresh_interpreter(tiny_model: Path) -> None:
    """Entry points register the components: no `import ie` in the child process."""
    code = (
        "import spacy, sys; nlp = spacy.load(sys.argv[1]); "
        "doc = nlp('全年地区生产总值增长5.5%，总量达到320亿元。'); "
        "print(len(doc.ents), type(doc._.relations).__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tiny_model)], capture_output=True, text=True, check=True
    )
    n_ents, rel_type = out.stdout.split()
    assert int(n_ents) >= 1 and rel_type == "list"


def test_add_pipe_in_a_blank_pipeline() -> None:
    code = (
        "import spacy; nlp = spacy.blank('zh'); nlp.add_pipe('ie_relations'); "
        "nlp.add_pipe('ie_numbers'); print(nlp.pipe_names)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "ie_relations" in out.stdout and "ie_numbers" in out.stdout


def test_loading_the_model_imports_no_workshop_and_leaves_the_environment() -> None:
    """spacy.load of the shipped model needs the runtime alone and changes no variable."""
    code = (
        "import os, sys, spacy; from ie import DEFAULT_MODEL; env = dict(os.environ); "
        "nlp = spacy.load(DEFAULT_MODEL); nlp('地区生产总值增长5%'); import ie.relations; "
        "bad = [m for m in sys.modules if m in ('ie.corpus', 'ie.training', 'ie.bench') "
        "or m.startswith(('datasets', 'training'))]; print(bad, env == dict(os.environ))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "True"]


def test_config_overrides_win_at_load(tiny_model: Path, sample: list[dict]) -> None:
    """A threshold set when loading is the one used, not the one saved with the model."""
    overrides = {"components": {"ie_relations": {"threshold": 1.01}}}
    nlp = spacy.load(tiny_model, config=overrides)
    assert nlp.get_pipe("ie_relations").threshold == 1.01
    assert nlp.config["components"]["ie_relations"]["threshold"] == 1.01
    assert not any(r["relations"] for r in predict_texts(nlp, sample))
    assert any(r["relations"] for r in predict_texts(spacy.load(tiny_model), sample))


def test_candidate_generator_comes_from_the_config(tiny_model: Path, sample: list[dict]) -> None:
    """max_gap lives in the registered generator's config; an override at load is used."""
    overrides = {"components": {"ie_relations": {"candidates": {"max_gap": 0}}}}
    nlp = spacy.load(tiny_model, config=overrides)
    assert nlp.config["components"]["ie_relations"]["candidates"]["max_gap"] == 0
    records = predict_texts(nlp, sample)
    for rec in records:
        for rel in rec["relations"]:
            head, child = rec["spans"][rel["head"]], rec["spans"][rel["child"]]
            assert max(head["start"], child["start"]) <= min(head["end"], child["end"])
    loose = predict_texts(spacy.load(tiny_model), sample)
    assert sum(map(len, (r["relations"] for r in loose))) > sum(
        map(len, (r["relations"] for r in records))
    )


def test_relation_dropout_is_the_training_dropout(tiny_model: Path) -> None:
    from thinc.api import set_dropout_rate

    model = spacy.load(tiny_model).get_pipe("ie_relations").model
    set_dropout_rate(model, 0.3)
    rates = [node.attrs["dropout_rate"] for node in model.walk() if node.name == "dropout"]
    assert rates == [0.3]


def test_training_pairs_can_include_predicted_entities() -> None:
    """With train_on_predicted_ents, a predicted span the gold lacks is paired too, as a
    negative; without it only the gold entities are."""
    from spacy.training import Example

    from ie.relations.pipe import NO_RELATION

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
    text = "税收收入增长5%，建区30周年"
    predicted = nlp.make_doc(text)
    predicted.ents = [
        predicted.char_span(0, 4, label="INDICATOR"),
        predicted.char_span(11, 13, label="AMOUNT"),
    ]
    reference = nlp.make_doc(text)
    reference.ents = [
        reference.char_span(0, 4, label="INDICATOR"),
        reference.char_span(6, 8, label="PERCENT"),
    ]
    reference._.relations = [{"head": [0, 4], "child": [6, 8], "label": "CHANGE"}]
    example = Example(predicted, reference)
    for flag, children in ((False, {"5%"}), (True, {"5%", "30"})):
        pipe = nlp.add_pipe(
            "ie_relations", name=f"rel_{flag}", config={"train_on_predicted_ents": flag}
        )
        pipe.add_label("CHANGE")
        (cands,) = pipe._training_candidates([example])
        assert {child.text for _, child in cands.pairs} == children
        targets = pipe._targets([example], [cands])
        labels = [pipe.labels[k - 1] if k else NO_RELATION for k in targets.argmax(1)]
        assert labels == ["CHANGE" if c.text == "5%" else NO_RELATION for _, c in cands.pairs]


def test_relation_loss_takes_what_predict_returns(tiny_model: Path, sample: list[dict]) -> None:
    """One loss path, as spancat has: get_loss(examples, predict(docs)); a trained pipe's
    loss on gold entities is far below the loss of uniform scores."""
    from spacy.training import Example

    from ie.predict import make_doc
    from ie.relations.pipe import RelationExtractor
    from ie.schema import relation_offsets

    nlp = spacy.load(tiny_model)
    pipe = nlp.get_pipe("ie_relations")
    assert isinstance(pipe, RelationExtractor)
    examples = []
    for record in [r for r in sample if r["relations"]][:10]:
        doc = make_doc(nlp, record)
        spans = [doc.char_span(s["start"], s["end"], label=s["label"]) for s in record["spans"]]
        doc.ents = [s for s in spans if s is not None]
        reference = doc.copy()
        reference._.relations = relation_offsets(record)
        examples.append(Example(nlp.get_pipe("tok2vec")(doc), reference))
    docs = [eg.predicted for eg in examples]
    candidates, scores = pipe.predict(docs)
    loss, d_scores = pipe.get_loss(examples, (candidates, scores))
    assert d_scores.shape == scores.shape and loss > 0
    uniform = pipe.model.ops.alloc2f(*scores.shape) + 1 / scores.shape[1]
    uniform_loss, _ = pipe.get_loss(examples, (candidates, uniform))
    assert loss < uniform_loss / 3
    assert pipe.model.get_ref("output_layer").get_dim("nO") == len(pipe.labels) + 1
