"""``claims eval climate-fever | averitec | stance`` on small files in the real formats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from claims.errors import InputError
from claims.eval.averitec import evaluate_averitec, load_averitec
from claims.eval.climate_fever import evaluate_climate_fever, load_climate_fever
from claims.eval.judging import hash_split
from claims.eval.metrics import expected_calibration_error, macro_f1, recall_at_k
from claims.settings import Settings
from tests.conftest import cli_env, run_cli

UNRELATED = [
    "The museum opened a new wing dedicated to medieval tapestries.",
    "The football club signed a young striker from Brazil.",
    "A new bakery opened on the corner of Main Street.",
    "The orchestra performed Beethoven's ninth symphony.",
]

CF_CLAIMS = [
    ("c1", "Sea levels are rising because of global warming.", "SUPPORTS",
     ("Sea level rise", "Global sea levels are rising as a result of global warming.", "SUPPORTS")),
    ("c2", "Arctic sea ice extent has grown since 1979.", "REFUTES",
     ("Arctic sea ice decline", "Arctic sea ice extent has shrunk dramatically since 1979.", "REFUTES")),
    ("c3", "Carbon dioxide is a greenhouse gas.", "SUPPORTS",
     ("Greenhouse gas", "Carbon dioxide is an important greenhouse gas that traps heat.", "SUPPORTS")),
    ("c4", "Volcanoes emit more CO2 than humans do.", "NOT_ENOUGH_INFO",
     ("Volcano", "A volcano is a rupture in the crust of a planetary-mass object.", "NOT_ENOUGH_INFO")),
]


def write_climate_fever(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for cid, claim, label, (article, sentence, ev_label) in CF_CLAIMS:
            evidences = [{"evidence_id": f"{article}:1", "evidence_label": ev_label, "article": article,
                          "evidence": sentence, "entropy": 0.0, "votes": [ev_label, None, None, None, None]}]
            for j, text in enumerate(UNRELATED):
                evidences.append({"evidence_id": f"Misc {cid}:{j}", "evidence_label": "NOT_ENOUGH_INFO",
                                  "article": f"Misc {cid}", "evidence": text, "entropy": 0.0,
                                  "votes": ["NOT_ENOUGH_INFO", None, None, None, None]})
            handle.write(json.dumps({"claim_id": cid, "claim": claim, "claim_label": label,
                                     "evidences": evidences}) + "\n")
    return path


def write_averitec(path: Path) -> Path:
    def qa(question: str, answer: str, kind: str = "Extractive", url: str = "https://example.org/a",
           explanation: str | None = None) -> dict:
        a = {"answer": answer, "answer_type": kind, "source_url": url, "source_medium": "Web text"}
        if explanation:
            a["boolean_explanation"] = explanation
        return {"question": question, "answers": [a]}

    rows = []
    for i in range(12):
        numerical = i % 2 == 0
        rows.append({
            "claim": f"The city of Exampleton had {1000 + i} registered voters in 2020 (case {i}).",
            "label": ["Supported", "Refuted", "Not Enough Evidence", "Conflicting Evidence/Cherrypicking"][i % 4],
            "claim_date": f"{1 + i}-3-2021",
            "claim_types": ["Numerical Claim"] if numerical else ["Event/Property Claim"],
            "questions": [
                qa(f"How many registered voters did Exampleton have in 2020 (case {i})?",
                   f"Exampleton had {1000 + i} registered voters in 2020.", url=f"https://www.site{i}.org/x"),
                qa("Is there a record?", "No answer could be found.", kind="Unanswerable"),
            ],
        })
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return Settings(db=tmp_path_factory.mktemp("eval") / "unused.duckdb")


def test_metric_helpers():
    assert macro_f1(["a", "b", "a"], ["a", "a", "a"], ["a", "b"]) == pytest.approx((0.8 + 0.0) / 2)
    assert recall_at_k([["x", "y", "z"]], [{"y", "q"}], 2) == 0.5
    assert expected_calibration_error([0.9, 0.9], [True, False]) == pytest.approx(0.4)
    assert expected_calibration_error([1.0], [True]) == pytest.approx(0.0)


def test_climate_fever_metrics(tmp_path, settings):
    path = write_climate_fever(tmp_path / "cf.jsonl")
    assert [c.label for c in load_climate_fever(path)] == ["supported", "refuted", "supported", "not_enough_evidence"]
    result = evaluate_climate_fever(path, settings)
    ranking = result["evidence_ranking"]
    # Each claim's decisive sentence is its near-paraphrase: ranked in its top 5 of the 20.
    assert ranking["corpus_sentences"] == 20 and ranking["claims_with_decisive_evidence"] == 3
    assert ranking["recall@5_supports_refutes"] == 1.0
    whole = result["all"]["claim_verdicts"]
    assert whole["n"] == 4 and whole["gold_counts"] == {"not_enough_evidence": 1, "refuted": 1, "supported": 2}
    diagonal = sum(row.get(label, 0) for label, row in whole["confusion"].items())
    assert whole["accuracy"] == pytest.approx(diagonal / 4)
    assert whole["always_supported"]["accuracy"] == 0.5
    assert 0.0 <= whole["ece"] <= 1.0
    assert result["all"]["sentence_stance_model"]["n"] == 20
    assert result["seconds"] > 0
    parts = {hash_split(c[1]) for c in CF_CLAIMS}
    assert all(p in result for p in parts)


def test_averitec_split_subsets_and_majority(tmp_path, settings):
    path = write_averitec(tmp_path / "av.json")
    claims = load_averitec(path)
    assert len(claims) == 12 and all(len(c.evidence) == 1 for c in claims)  # unanswerable dropped
    assert claims[0].claim_date.isoformat() == "2021-03-01" and claims[0].evidence[0].source == "site0.org"
    every = evaluate_averitec(path, settings, split="all")
    test = evaluate_averitec(path, settings, split="test")
    dev = evaluate_averitec(path, settings, split="dev")
    assert test["claims"] + dev["claims"] == every["claims"] == 12
    expected_test = sum(hash_split(c.text) == "test" for c in claims)
    assert test["claims"] == expected_test
    assert every["numerical_claims"]["n"] == 6
    assert every["overall"]["majority_baseline"]["label"] in {"supported", "refuted", "not_enough_evidence",
                                                               "conflicting"}
    with pytest.raises(InputError, match="unknown split"):
        evaluate_averitec(path, settings, split="train")


def test_bad_files_raise_input_errors(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"claim": "x"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="not a Climate-FEVER record"):
        load_climate_fever(bad)
    with pytest.raises(InputError, match="not found"):
        load_averitec(tmp_path / "missing.json")
    (tmp_path / "obj.json").write_text('{"claim": "x"}', encoding="utf-8")
    with pytest.raises(InputError, match="expected a JSON array"):
        load_averitec(tmp_path / "obj.json")


@pytest.mark.slow
def test_cli_prints_json_and_one_line_errors(tmp_path, prefect_home):
    cf = write_climate_fever(tmp_path / "cf.jsonl")
    env = cli_env(tmp_path / "c.duckdb", prefect_home)
    result = run_cli(["eval", "climate-fever", "--data", str(cf)], env)
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert metrics["claims"] == 4 and metrics["evidence_ranking"]["recall@5_supports_refutes"] == 1.0

    sick = tmp_path / "SICK.txt"
    sick.write_text("pair_ID\tsentence_A\tsentence_B\tentailment_label\n"
                    "1\tA man is playing a guitar\tA man is playing an instrument\tENTAILMENT\n"
                    "2\tA man is playing a guitar\tNobody is playing a guitar\tCONTRADICTION\n", encoding="utf-8")
    result = run_cli(["eval", "stance", "--data", str(sick)], env)
    assert result.returncode == 0, result.stderr
    stance = json.loads(result.stdout)
    assert stance["pairs"] == 2 and stance["by_source"]["sick"]["gold_counts"] == {"refute": 1, "support": 1}

    result = run_cli(["eval", "averitec", "--data", str(tmp_path / "missing.json")], env)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Error: AVeriTeC file") and "not found" in result.stderr


def test_policy_thresholds_and_calibrated_confidence():
    import numpy as np

    from claims.models import Document, Passage
    from claims.score.calibration import ConfidenceCalibration, fit_calibration
    from claims.score.verdict import VerdictPolicy, assess_evidence, decide

    claim = make_claim_for_test("The river flooded the old town.")
    docs = [Document.make(f"text {i}", url=f"https://site{i}.example/a", outlet=f"Site {i}") for i in range(3)]
    hits = [(Passage(id=f"p{i}", document_id=d.id, position=0, text=f"passage {i}"), d, 0.8) for i, d in enumerate(docs)]
    probs = np.array([[0.40, 0.10, 0.50], [0.10, 0.70, 0.20], [0.05, 0.90, 0.05]], dtype=np.float32)
    policy = VerdictPolicy(min_stance_probability=0.35, min_refute_probability=0.8, conflict_share=0.9,
                           support_threshold=0.0, refute_threshold=0.0, aggregator="votes", calibrate=False)
    stances = [e.stance for e in assess_evidence(claim, hits, policy, probs)]
    assert stances == ["support", "neutral", "refute"]
    strict = VerdictPolicy(min_stance_probability=0.5, min_refute_probability=0.5, calibrate=False)
    assert [e.stance for e in assess_evidence(claim, hits, strict, probs)] == ["neutral", "refute", "refute"]
    verdict = decide(claim, assess_evidence(claim, hits, policy, probs), policy)
    assert verdict.label in {"supported", "refuted"} and verdict.n_support == 1 and verdict.n_refute == 1

    # An isotonic calibration is monotone and maps scores to observed accuracy.
    rng = np.random.default_rng(0)
    raw = rng.uniform(0.5, 1.0, 400)
    correct = rng.uniform(0, 1, 400) < (raw - 0.4)  # accuracy rises with the raw score
    cal = fit_calibration(["supported"] * 400, raw, correct)
    mapped = [cal.apply("supported", x) for x in (0.55, 0.75, 0.95)]
    assert mapped == sorted(mapped) and mapped[0] < 0.3 and mapped[2] > 0.45
    assert ConfidenceCalibration().apply("refuted", 0.7) == 0.7
    round_trip = ConfidenceCalibration.from_json(json.loads(json.dumps(cal.to_json())))
    assert round_trip.apply("refuted", 0.75) == pytest.approx(cal.apply("refuted", 0.75))


def make_claim_for_test(text: str):
    from claims.eval.judging import make_claim

    return make_claim(text)


# -- users' own labelled claims, LIAR-PLUS, the learned verdict model -----------------------

LABELLED: list[dict[str, Any]] = [
    {"id": "a1", "claim": "About 8,000 North Korean soldiers are in Russia's Kursk region.", "claim_date": "2024-11-01",
     "label": "supported",
     "evidence": [{"text": "About 8,000 North Korean soldiers are in Russia's Kursk region near the border with "
                           "Ukraine, Secretary of State Antony Blinken said on Thursday. He said they would enter "
                           "combat within days. Officials in Seoul agreed with the estimate.",
                   "source": "Example Wire", "url": "https://news.example.org/a", "published": "2024-10-31"}]},
    {"id": "a2", "claim": "The city of Exampleton had 5,000 registered voters in 2020.", "claim_date": None,
     "label": "refuted",
     "evidence": [{"text": "Exampleton had 12,000 registered voters in 2020, county records show.",
                   "source": "County Record", "url": None, "published": None}]},
    {"id": "a3", "claim": "The museum opened a new wing in March.", "claim_date": None,
     "label": "not_enough_evidence",
     "evidence": [{"text": "The football club signed a young striker from Brazil.", "source": "Sports Daily"}]},
]


def write_labelled(path: Path, rows: list[dict[str, Any]] = LABELLED) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_labelled_claims_are_read_and_measured(tmp_path, settings):
    from claims.eval.verdicts import evaluate_verdicts_file, load_labelled_claims

    path = write_labelled(tmp_path / "mine.jsonl")
    claims = load_labelled_claims(path)
    assert [c.id for c in claims] == ["a1", "a2", "a3"]
    assert claims[0].claim_date.isoformat() == "2024-11-01" and claims[0].evidence[0].published_at.day == 31
    result = evaluate_verdicts_file(path, settings, split="all")
    overall = result["overall"]
    assert result["claims"] == 3 and overall["n"] == 3
    assert set(overall["per_label"]) == {"supported", "refuted", "not_enough_evidence", "conflicting"}
    assert overall["macro_f1_labels"] == ["supported", "refuted", "not_enough_evidence"]
    assert sum(row["predicted"] for row in overall["per_label"].values()) == 3
    assert 0.0 <= overall["decisive_share"] <= 1.0
    table = overall["precision_coverage"]
    assert table[0]["min_confidence"] == 0.0 and [r["coverage"] for r in table] == sorted(
        (r["coverage"] for r in table), reverse=True)
    # the figures are judged: 12,000 registered voters is not 5,000
    assert overall["confusion"]["refuted"].get("supported", 0) == 0


@pytest.mark.parametrize("row,message", [
    ({"id": "x", "claim": "c", "label": "true", "evidence": []}, "is not one of"),
    ({"id": "x", "claim": "c", "label": "supported"}, "missing evidence"),
    ({"id": "x", "claim": "c", "label": "supported", "evidence": [{"source": "s"}]}, "has no text"),
    ({"id": "x", "claim": "c", "label": "supported", "claim_date": "31/10/2024", "evidence": []}, "not an ISO date"),
])
def test_labelled_claims_errors_name_the_line(tmp_path, row, message):
    from claims.eval.verdicts import load_labelled_claims

    path = write_labelled(tmp_path / "bad.jsonl", [LABELLED[0], row])
    with pytest.raises(InputError, match=message) as err:
        load_labelled_claims(path)
    assert ":2" in str(err.value)
    dup = write_labelled(tmp_path / "dup.jsonl", [LABELLED[0], LABELLED[0]])
    with pytest.raises(InputError, match="appears twice"):
        load_labelled_claims(dup)


def test_liar_plus_reader_maps_the_truth_o_meter(tmp_path, settings):
    from claims.eval.liar import LABEL_OF, evaluate_liar_plus, load_liar_plus

    rows = [{"id": i, "label": label, "claim": f"The county hired {100 + i} teachers last year.",
             "originator": "jane-doe", "justification": f"Doe said the county hired {100 + i} teachers. "
                                                         "Payroll records show it hired 40."}
            for i, label in enumerate(["true", "mostly-true", "half-true", "barely-true", "false", "pants-fire"])]
    rows.append({"id": 99, "label": "false", "claim": "No justification here.", "justification": None})
    path = tmp_path / "liar.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    claims, skipped = load_liar_plus(path)
    assert skipped == 1 and [c.label for c in claims] == [LABEL_OF[r["label"]] for r in rows[:6]]
    assert claims[0].speaker == "Jane Doe" and claims[0].evidence[0].source == "PolitiFact"
    result = evaluate_liar_plus(path, settings, split="all")
    assert result["claims"] == 6 and "half-true -> conflicting" in result["label_mapping"]
    assert result["overall"]["macro_f1_labels"] == ["supported", "refuted", "conflicting"]
    # the justification repeats the claimant's figure to correct it: an echo never backs the claim
    assert result["overall"]["per_label"]["supported"]["predicted"] == 0


@pytest.mark.slow
def test_eval_verdicts_cli(tmp_path, prefect_home):
    env = cli_env(tmp_path / "c.duckdb", prefect_home)
    result = run_cli(["eval", "verdicts", "--data", str(write_labelled(tmp_path / "mine.jsonl")), "--split", "all"],
                     env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["overall"]["n"] == 3
    (tmp_path / "bad.jsonl").write_text('{"claim": "x", "label": "maybe", "evidence": []}\n', encoding="utf-8")
    result = run_cli(["eval", "verdicts", "--data", str(tmp_path / "bad.jsonl")], env)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Error:") and "is not one of" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_verdict_model_round_trips_and_its_biases_are_thresholds():
    from claims.score.calibration import ConfidenceCalibration, VerdictModel

    model = VerdictModel(features=["a", "b"], labels=["supported", "refuted", "conflicting", "not_enough_evidence"],
                         mean=[0.0, 0.0], scale=[1.0, 1.0], coef=[[2.0, 0.0], [0.0, 2.0], [0.0, 0.0], [0.0, 0.0]],
                         intercept=[0.0, 0.0, 0.0, 0.0], bias=[0.0, 0.0, 0.0, 0.0])
    p = model.probabilities(np.array([1.0, 0.0]))[0]
    assert p.argmax() == 0 and p.sum() == pytest.approx(1.0)
    assert model.labels[model.decide(p)] == "supported"
    strict = VerdictModel(**{**model.to_json(), "bias": [-3.0, -1.0, -1.0, 0.0]})
    assert strict.labels[strict.decide(p)] == "not_enough_evidence"  # supported only on decisive evidence
    cal = ConfidenceCalibration(model=model)
    again = ConfidenceCalibration.from_json(json.loads(json.dumps(cal.to_json())))
    assert again.model == model


def test_the_shipped_verdict_model_keeps_its_signs():
    """More support never makes "refuted" likelier, more refutation never "supported"."""
    from claims.score.calibration import load_calibration
    from claims.score.verdict import FEATURE_SIGNS, VERDICT_FEATURES

    model = load_calibration().model
    assert model is not None and model.features == list(VERDICT_FEATURES)
    for j, name in enumerate(model.features):
        for k, sign in enumerate(FEATURE_SIGNS[name]):
            weight = model.coef[k][j]
            assert (sign > 0 and weight >= 0) or (sign < 0 and weight <= 0) or (sign == 0 and weight == 0), \
                (name, model.labels[k], weight)
    base = np.zeros(len(VERDICT_FEATURES))
    more_support = base.copy()
    more_support[VERDICT_FEATURES.index("support_weight")] = 3.0
    p0, p1 = model.probabilities(np.stack([base, more_support]))
    supported, refuted = model.labels.index("supported"), model.labels.index("refuted")
    assert p1[supported] >= p0[supported] and p1[refuted] <= p0[refuted]


@pytest.mark.parametrize("present, allowed", [
    ({}, {"not_enough_evidence"}),
    ({"support_weight": 0.6}, {"supported", "not_enough_evidence"}),
    ({"asserted_matches": 1}, {"supported", "not_enough_evidence"}),
    ({"disputes": 1}, {"refuted", "not_enough_evidence"}),
    ({"asserted_mismatches": 2, "refute_weight": 0.4}, {"refuted", "not_enough_evidence"}),
    ({"support_weight": 0.6, "refute_weight": 0.5, "both_sides": 0.5},
     {"supported", "refuted", "conflicting", "not_enough_evidence"}),
    ({"mixed_ratings": 1}, {"conflicting", "not_enough_evidence"}),
    # the stance model's probabilities alone carry no label: they are not a voice
    ({"max_support_prob": 0.9, "max_refute_prob": 0.8, "mean_neutral_prob": 0.1},
     {"not_enough_evidence"}),
])
def test_a_label_needs_evidence_that_carries_it(present, allowed):
    """The learned model may say a label only when the evidence can carry it: "conflicting"
    needs voices on both sides, whatever its bias; "supported" a supporting voice."""
    from claims.score.calibration import VerdictModel
    from claims.score.verdict import VERDICT_FEATURES, label_gate

    labels = ["supported", "refuted", "not_enough_evidence", "conflicting"]
    x = np.zeros(len(VERDICT_FEATURES))
    for name, value in present.items():
        x[VERDICT_FEATURES.index(name)] = value
    gate = label_gate(x, labels)[0]
    assert {label for label, ok in zip(labels, gate) if ok} == allowed
    # a model that would always say "conflicting" says it only where the gate lets it
    n = len(VERDICT_FEATURES)
    eager = VerdictModel(features=list(VERDICT_FEATURES), labels=labels, mean=[0.0] * n, scale=[1.0] * n,
                         coef=[[0.0] * n for _ in labels], intercept=[0.0, -0.5, -1.0, 3.0], bias=[0.0] * 4)
    said = labels[eager.decide(eager.probabilities(x)[0], gate)]
    assert said in allowed
    assert (said == "conflicting") == ("conflicting" in allowed)
