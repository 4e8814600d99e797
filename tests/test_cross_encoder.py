"""The packaged stance cross-encoder: loads offline from the package and reads pairs as a
careful reader would. The pairs were written before the shipped model was first run on
them (news-style sentences, several from examples/corpus); none is in its training data."""

from __future__ import annotations

import numpy as np
import pytest

from claims.errors import ConfigError
from claims.score.cross_encoder import OnnxCrossEncoder, packaged_cross_encoder_dir
from claims.score.stance import STANCES, load_stance_model
from claims.settings import Settings

SUPPORT = [
    ("North Korea has sent troops to Russia.",
     ("Pyongyang has dispatched thousands of soldiers to Russia to aid Moscow in its war against Ukraine, "
      "South Korea's spy agency said.")),
    ("The Bank of Korea cut its benchmark interest rate.",
     ("The Bank of Korea lowered its policy rate by a quarter point on Friday, its first cut in more than "
      "three years.")),
    ("The ruling coalition lost its majority in Japan's lower house.",
     ("Prime Minister Shigeru Ishiba's coalition fell short of a majority in Sunday's election for the "
      "lower house, official results showed.")),
    ("The city council approved the new budget.",
     "Council members voted 7-2 on Tuesday to adopt the budget, which takes effect in July."),
    ("The company recalled its cars because of faulty brakes.",
     ("The automaker is recalling the vehicles after finding a defect in the brake system that can "
      "reduce stopping power.")),
    ("The outbreak killed 12 people.",
     "Health officials said 12 people had died in the outbreak."),
    ("About 8,000 North Korean soldiers are in the Kursk region.",
     "Blinken said some 8,000 North Korean troops had moved into Russia's Kursk region."),
    ("Unemployment fell in September.",
     "The jobless rate dropped to 4.1 percent in September from 4.2 percent in August."),
    ("The storm forced thousands of people to leave their homes.",
     "Thousands of residents were evacuated as the storm approached the coast."),
    ("The minister resigned.",
     "The minister stepped down on Monday, saying she took responsibility for the failure."),
    ("The bridge was closed to traffic.",
     "Authorities shut the bridge to all vehicles after engineers found cracks in a support beam."),
    ("Exports rose last year.",
     "Exports grew 6 percent last year, driven by strong demand for semiconductors."),
]

REFUTE = [
    ("The city council approved the new budget.",
     "The city council rejected the proposed budget on Tuesday, sending it back to the mayor."),
    ("The ruling coalition kept its majority in Japan's lower house.",
     ("Prime Minister Shigeru Ishiba's coalition lost its majority in the lower house for the first time "
      "since 2009.")),
    ("The Bank of Korea raised interest rates.",
     "The Bank of Korea cut its benchmark interest rate by a quarter point."),
    ("The minister resigned.",
     "The minister said on Monday that she would not resign and would stay in her post."),
    ("The vaccine is dangerous for children.",
     "Regulators found the vaccine safe for children after reviewing the trial data."),
    ("The senator voted for the bill.",
     "The senator voted against the bill, calling it a waste of money."),
    ("The factory was closed.",
     "The factory remains open and is still producing at full capacity."),
    ("Unemployment rose in September.",
     "The jobless rate fell in September to its lowest level in a year."),
    ("China has publicly condemned the deployment.",
     "China has not publicly commented on the deployment and has remained silent."),
    ("The suspect was arrested.",
     "Police said no arrests had been made and the suspect remained at large."),
    ("The company reported a profit.",
     "The company reported a net loss for the quarter, its third in a row."),
    ("The president attended the summit.",
     "The president did not attend the summit and sent his foreign minister instead."),
]

NEUTRAL = [
    ("North Korea has sent troops to Russia.",
     "The Bank of Korea lowered its policy rate by a quarter point on Friday."),
    ("The city council approved the new budget.",
     "The museum will reopen next month after a two-year renovation."),
    ("The minister resigned.",
     "The minister is scheduled to visit Brussels next week for talks on trade."),
    ("The outbreak killed 12 people.",
     "The hospital opened a new wing for infectious diseases in 2019."),
    ("The company recalled its cars because of faulty brakes.",
     "The company's chief executive will speak at an industry conference in March."),
    ("Exports rose last year.",
     "The government plans to publish new trade rules in the spring."),
    ("The vaccine is dangerous for children.",
     "Researchers are still studying how long the vaccine's protection lasts."),
    ("The suspect was arrested.",
     "The shooting happened shortly after midnight outside a bar downtown."),
    ("The storm forced thousands of people to leave their homes.",
     "Meteorologists said the storm may strengthen before it reaches land."),
    ("China has publicly condemned the deployment.",
     "Experts say China may be uneasy about the growing ties between Russia and North Korea."),
]


@pytest.fixture(scope="module")
def model() -> OnnxCrossEncoder:
    return OnnxCrossEncoder()


def test_the_packaged_model_is_inside_the_package_and_small() -> None:
    folder = packaged_cross_encoder_dir()
    assert (folder / "model.int8.onnx").is_file() and (folder / "tokenizer.json").is_file()
    total = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    assert total <= 40 * 1024 * 1024


def test_settings_choose_the_packaged_cross_encoder() -> None:
    chosen = load_stance_model(Settings(stance_model="cross-encoder"))
    assert isinstance(chosen, OnnxCrossEncoder)
    assert chosen.cache_key.startswith(chosen.name + "@")


# Measured on the shipped model (docs/models.md, "Known limits"): 21 of the 34 pairs, every
# neutral pair, half the support and refute pairs. A retrained model must not fall below.
FLOOR = {"support": 6, "refute": 5, "neutral": 10}


@pytest.mark.parametrize(("expected", "pairs"), [("support", SUPPORT), ("refute", REFUTE), ("neutral", NEUTRAL)])
def test_stance_of_real_sentence_pairs(model: OnnxCrossEncoder, expected: str, pairs: list) -> None:
    probs = model.predict([c for c, _ in pairs], [p for _, p in pairs])
    assert probs.shape == (len(pairs), 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    right = [STANCES[int(i)] == expected for i in probs.argmax(axis=1)]
    wrong = [(c, STANCES[int(i)]) for (c, _), i, ok in zip(pairs, probs.argmax(axis=1), right) if not ok]
    assert sum(right) >= FLOOR[expected], wrong


def test_a_sure_stance_is_a_right_one(model: OnnxCrossEncoder) -> None:
    """Where the model is sure of support or refutation (probability >= 0.6), it is right on
    these pairs: the verdict stage acts on sure stances only (a sure "neutral" is only an
    abstention)."""
    pairs = [(c, p, e) for e, group in (("support", SUPPORT), ("refute", REFUTE), ("neutral", NEUTRAL))
             for c, p in group]
    probs = model.predict([c for c, _, _ in pairs], [p for _, p, _ in pairs])
    sure = [(c, STANCES[int(row.argmax())], e) for (c, _, e), row in zip(pairs, probs) if max(row[0], row[1]) >= 0.6]
    assert len(sure) >= 5
    assert all(got == expected for _, got, expected in sure), [s for s in sure if s[1] != s[2]]


def test_order_and_batching_do_not_change_a_pair(model: OnnxCrossEncoder) -> None:
    pairs = SUPPORT + REFUTE
    together = model.predict([c for c, _ in pairs], [p for _, p in pairs])
    alone = np.vstack([model.predict([c], [p]) for c, p in pairs[:4]])
    # int8 dynamic quantisation scales activations per batch: a pair moves a little with
    # the pairs batched beside it (the stance cache keeps the first probabilities computed)
    np.testing.assert_allclose(together[:4], alone, atol=0.1)
    assert model.predict([], []).shape == (0, 3)


def test_a_long_passage_is_cut_not_refused(model: OnnxCrossEncoder) -> None:
    long_passage = "The council met on Tuesday. " * 400 + "It approved the budget."
    probs = model.predict(["The council approved the budget."], [long_passage])
    assert probs.shape == (1, 3) and np.isfinite(probs).all()


def test_an_average_of_the_mlp_and_the_cross_encoder(model: OnnxCrossEncoder, embedder) -> None:
    """``stance_model = "mlp+cross-encoder"``: the mean of the two models' probabilities,
    cached under both models' keys; it needs the embeddings because the MLP does."""
    from claims.score.stance import AveragedStance, StanceModel, reads_embeddings

    both = load_stance_model(Settings(stance_model="mlp+cross-encoder"))
    assert isinstance(both, AveragedStance) and reads_embeddings(both) and not reads_embeddings(model)
    mlp = StanceModel.load(None)
    assert both.cache_key == f"{mlp.cache_key}+{model.cache_key}"
    pairs = SUPPORT[:3] + REFUTE[:3] + NEUTRAL[:3]
    claims, passages = [c for c, _ in pairs], [p for _, p in pairs]
    claim_emb, passage_emb = embedder.encode(claims), embedder.encode(passages)
    mean = (mlp.predict(claims, passages, claim_emb, passage_emb) + model.predict(claims, passages)) / 2
    np.testing.assert_allclose(both.predict(claims, passages, claim_emb, passage_emb), mean, atol=1e-6)
    with pytest.raises(ConfigError, match="two models"):
        AveragedStance([mlp])
    with pytest.raises(ConfigError, match="joined with"):
        load_stance_model(Settings(stance_model="mlp+no-such-model"))


def test_the_packaged_verifier_loads_offline_by_name() -> None:
    """The claim-passage verifier (docs/models.md) is a second packaged folder, loaded by
    name with the same interface and probability order (support, refute, neutral)."""
    assert packaged_cross_encoder_dir("cross_encoder") == packaged_cross_encoder_dir()
    folder = packaged_cross_encoder_dir("verifier")
    assert sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) <= 40 * 1024 * 1024
    verifier = OnnxCrossEncoder(folder)
    assert verifier.name == "claims-verifier-minilm-l6" and tuple(verifier.meta["labels"]) == STANCES
    assert verifier.cache_key != OnnxCrossEncoder().cache_key
    passage = "The port authority approved the new terminal on Tuesday, and building will start in 2027."
    probs = verifier.predict([passage, "The port authority rejected the new terminal on Tuesday."], [passage] * 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert [STANCES[int(i)] for i in probs.argmax(axis=1)] == ["support", "refute"]


def test_settings_set_the_verifier_for_every_claim_passage_pair(tmp_path) -> None:
    """``verifier = "packaged"`` adds the verifier's probabilities to every (claim, candidate)
    pair beside the stance model's; off (the default) adds none; a folder that is no model is
    refused when the settings are read."""
    from claims.models import Claim, Document, Passage
    from claims.pipeline import PassageSet, rank_candidates, verifier_for

    assert verifier_for(Settings()) is None
    assert isinstance(verifier_for(Settings(verifier="packaged")), OnnxCrossEncoder)
    with pytest.raises(ValueError, match="not a model folder"):
        Settings(verifier=str(tmp_path / "missing"))
    text = "The port authority approved the new terminal on Tuesday."
    claim = Claim(id="c", document_id="a", text=text, start=0, end=len(text), checkworthiness=1.0)
    document = Document(id="d", url="https://example.org/port", title="Port", text=text, source_kind="corpus")
    passages = [Passage(id="p", document_id="d", position=0, text=text, start=0, end=len(text))]
    vectors = np.ones((1, 4), dtype=np.float32) / 2
    passage_set = PassageSet(passages=passages, vectors=vectors, documents={"d": document})
    for settings, expected in ((Settings(verifier="packaged"), (1, 3)), (Settings(), None)):
        [found] = rank_candidates([claim], vectors, passage_set, settings.model_copy(update={"retrieval": "dense"}),
                                  stance=lambda c, p, ce, pe: np.full((len(c), 3), 1 / 3, dtype=np.float32))
        assert len(found.hits) == 1
        assert (found.verifier_probs.shape if found.verifier_probs is not None else None) == expected
        if found.verifier_probs is not None:  # the claim against its own sentence
            assert STANCES[int(found.verifier_probs[0].argmax())] == "support"
