"""Check-worthiness: the TSV reader, the shipped model, and ``claims eval checkworthiness``."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from claims.errors import ConfigError, InputError
from claims.eval.checkworthiness import evaluate_checkworthiness, prf, read_checkthat_tsv
from claims.extract.checkworthiness import DEFAULT_MODEL_PATH, CheckworthinessModel
from claims.settings import Settings
from tests.conftest import SHARED_DATA, cli_env, run_cli

WORTHY = [
    "Unemployment fell to 3.5 percent last year, the lowest rate in fifty years.",
    "Russia has sent 8,000 North Korean soldiers to the Kursk region.",
    "The bill cut taxes for 90 percent of working families.",
    "Crime in our cities has gone up by 30 percent since 2019.",
]
NOT_WORTHY = [
    "Thank you very much, it's great to be here tonight.",
    "I want to ask you a question.",
    "Let me finish, please.",
    "Good evening, everyone.",
]


def _write_tsv(path: Path, rows: list[tuple[str, str, str]], extra_lines: str = "") -> Path:
    lines = ["Sentence_id\tText\tclass_label"] + [f'{i}\t"{t}"\t{label}' for i, t, label in rows]
    path.write_text("\n".join(lines) + "\n" + extra_lines, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def model() -> CheckworthinessModel:
    return CheckworthinessModel.load()


def test_reader_reads_and_repairs_rows(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _write_tsv(tmp_path / "x.tsv", [("1", "Taxes went up.", "Yes"), ("2", "Hello there.", "No")],
                      extra_lines='3\t"We grew."\tNo29286\t"Jobs came back."\tYes\n4\t"Broken row"\tMaybe\n\n')
    with caplog.at_level(logging.WARNING):
        rows = read_checkthat_tsv(path)
    assert [(r.id, r.text, r.label) for r in rows] == [
        ("1", "Taxes went up.", 1), ("2", "Hello there.", 0), ("3", "We grew.", 0), ("29286", "Jobs came back.", 1),
    ]
    assert "merged" in caplog.text and "malformed" in caplog.text


def test_reader_on_the_public_training_file() -> None:
    path = SHARED_DATA / "checkthat2024" / "CT24_checkworthy_english_train.tsv"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    rows = read_checkthat_tsv(path)
    assert len(rows) == 22501  # 22,500 rows, one of which held two sentences
    assert sum(r.label for r in rows) == 5413
    assert {r.id for r in rows} >= {"24098", "29286"}


def test_reader_errors_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_checkthat_tsv(tmp_path / "missing.tsv")
    (tmp_path / "bad.tsv").write_text("a\tb\n1\t2\n", encoding="utf-8")
    with pytest.raises(InputError, match="Sentence_id, Text, class_label"):
        read_checkthat_tsv(tmp_path / "bad.tsv")


def test_prf() -> None:
    gold = np.array([1, 1, 0, 0, 1], dtype=bool)
    pred = np.array([1, 0, 1, 0, 1], dtype=bool)
    assert prf(gold, pred) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert prf(gold, np.zeros(5, dtype=bool)) == (0.0, 0.0, 0.0)


def test_shipped_model_is_small_and_matches_the_setting(model: CheckworthinessModel) -> None:
    assert DEFAULT_MODEL_PATH.stat().st_size < 4_000_000
    assert Settings().checkworthiness_threshold == pytest.approx(model.threshold)
    assert model.embedding_dim == 384 and model.input_dim == 384 + len(model.features)
    assert 0.05 < model.threshold < 0.95


def test_scores_separate_claims_from_chatter(model: CheckworthinessModel, embedder) -> None:
    scores = model.score(WORTHY + NOT_WORTHY, embedder=embedder)
    assert scores.shape == (8,) and scores.dtype == np.float32
    assert np.all((scores >= 0) & (scores <= 1))
    assert np.all(scores[:4] >= model.threshold), scores
    assert np.all(scores[4:] < model.threshold), scores


def test_reuses_given_embeddings(model: CheckworthinessModel, embedder) -> None:
    texts = WORTHY[:2] + NOT_WORTHY[:2]
    vectors = embedder.encode(texts)
    assert np.allclose(model.score(texts, embeddings=vectors), model.score(texts, embedder=embedder))
    assert model.score([], embedder=embedder).shape == (0,)
    with pytest.raises(ConfigError, match="384-dimensional"):
        model.score(texts, embeddings=np.zeros((4, 10), dtype=np.float32))


def test_save_is_byte_for_byte_repeatable(model: CheckworthinessModel, tmp_path: Path) -> None:
    model.save(tmp_path / "a.npz")
    model.save(tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    again = CheckworthinessModel.load(tmp_path / "a.npz")
    x = np.eye(3, model.input_dim, dtype=np.float32)
    assert np.allclose(again.score_embeddings(x), model.score_embeddings(x), atol=1e-3)


def test_missing_model_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="train_checkworthiness"):
        CheckworthinessModel.load(tmp_path / "none.npz")


@pytest.mark.slow
def test_cli_eval_checkworthiness(tmp_path: Path, prefect_home: Path) -> None:
    rows = [(str(i), t, "Yes") for i, t in enumerate(WORTHY)] + [
        (str(10 + i), t, "No") for i, t in enumerate(NOT_WORTHY)
    ]
    path = _write_tsv(tmp_path / "small.tsv", rows)
    result = run_cli(["eval", "checkworthiness", "--data", str(path)], cli_env(tmp_path / "x.duckdb", prefect_home))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["n_sentences"] == 8 and report["n_positive"] == 4
    assert report["f1"] == 1.0 and report["precision"] == 1.0 and report["recall"] == 1.0
    assert report["seconds"] > 0
    missing = run_cli(["eval", "checkworthiness", "--data", str(tmp_path / "nope.tsv")],
                      cli_env(tmp_path / "x.duckdb", prefect_home))
    assert missing.returncode == 1 and "Error:" in missing.stderr and "not found" in missing.stderr


def test_dev_test_f1() -> None:
    """The public dev-test split (never used to choose anything) stays well above chance."""
    path = SHARED_DATA / "checkthat2024" / "CT24_checkworthy_english_dev-test.tsv"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    report = evaluate_checkworthiness(path, Settings())
    assert report["n_sentences"] == 318
    assert report["f1"] >= 0.70, report
    assert report["figure_sentences"]["n_sentences"] > 0 and report["figure_sentences"]["recall"] >= 0.80, report
