"""Check-worthiness: how likely a fact-checker would pick a sentence, in [0, 1].

The model is a small ensemble of one-hidden-layer networks (scikit-learn MLPs) over the all-MiniLM-L6-v2
sentence embedding that the pipeline computes anyway, so scoring costs a few matrix
products per batch on top of embedding. It was trained on CLEF CheckThat! 2024 task 1
(English) by ``scripts/train_checkworthiness.py``, which writes the weights, the decision
threshold chosen without the dev-test split, and how they were obtained into
``claims/extract/data/checkworthiness.npz`` (plain arrays plus a JSON string; no pickle).

Political debates (the training data) and news differ in style, so the embedding can be
joined by :func:`sentence_features`, signals that mean the same in any genre: a figure
(parsed as the pipeline parses it), a year, named things, a verb of assertion or change,
a comparison, and the marks of opinion, promise or question that make a sentence not
check-worthy. The model's ``meta["features"]`` says which it was trained with.
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from claims.embed import Embedder, load_embedder
from claims.errors import ConfigError
from claims.extract.quantities import parse_quantities

__all__ = ["DEFAULT_MODEL_PATH", "FEATURES", "CheckworthinessModel", "sentence_features"]

log = logging.getLogger(__name__)

DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "data" / "checkworthiness.npz"


_YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b")
_NAME = re.compile(r"(?<=[a-z,;:] )(?:[A-Z][a-z]+|[A-Z]{2,})\b")
_ASSERT = re.compile(
    r"\b(?:increas|decreas|rais|cut|doubl|tripl|grew|grow|fell|fall|rose|rise|drop|declin|los[te]|gain|"
    r"creat|add|spen[dt]|cost|pa(?:y|id)|vot|pass|sign|kill|die|receiv|earn|owe|deploy|sen[dt]|ban|"
    r"repor|announc|confirm|according|record|estimat)\w*", re.IGNORECASE)
_COMPARE = re.compile(r"\b(?:more|less|fewer|most|least|than|highest|lowest|largest|biggest|smallest|"
                      r"first|only|never|every|all|no one|nobody|record)\b", re.IGNORECASE)
_OPINION = re.compile(r"\b(?:I|we)\s+(?:think|believe|feel|hope|want|will|would|can|must|should|need|"
                      r"am going|are going|'m going|'re going)|\b(?:I'm|we're|we'll|I'll|let me|thank you|"
                      r"of course|you know|my friend)\b", re.IGNORECASE)
_FIRST_SECOND = re.compile(r"\b(?:I|me|my|you|your)\b")

FEATURES = ("figure", "figures", "money_or_percent", "year", "names", "assertion", "comparison", "opinion",
            "first_second_person", "question", "length")
"""The names of :func:`sentence_features`' columns, in order."""


def sentence_features(texts: Sequence[str]) -> np.ndarray:
    """Genre-independent signals of a check-worthy sentence, one row per text, each in
    [0, 1] (see :data:`FEATURES`)."""
    rows = np.zeros((len(texts), len(FEATURES)), dtype=np.float32)
    for i, text in enumerate(texts):
        figures = [q for q in parse_quantities(text) if q.kind in ("count", "money", "percent", "measure")]
        words = len(text.split())
        rows[i] = (
            bool(figures),
            min(len(figures), 3) / 3,
            any(q.kind in ("money", "percent") for q in figures),
            bool(_YEAR.search(text)),
            min(len(_NAME.findall(text)), 4) / 4,
            min(len(_ASSERT.findall(text)), 3) / 3,
            min(len(_COMPARE.findall(text)), 3) / 3,
            bool(_OPINION.search(text)),
            min(len(_FIRST_SECOND.findall(text)), 3) / 3,
            text.rstrip().endswith("?"),
            min(words, 60) / 60,
        )
    return rows


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


def _gelu(x: np.ndarray) -> np.ndarray:
    """The tanh form of GELU."""
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3)))


_ACTIVATIONS = {"relu": _relu, "gelu": _gelu}


@dataclass
class CheckworthinessModel:
    """An ensemble of MLP heads ``sigmoid(w2 . act(W1 x + b1) + b2)``, averaged
    (``act`` is ``meta["activation"]``, ReLU by default, as in scikit-learn's MLPClassifier
    that trains them).

    ``w1`` has shape (members, inputs, hidden); ``x`` is the L2-normalised sentence
    embedding, followed by :func:`sentence_features` (times ``meta["feature_scale"]``) when
    ``meta["features"]`` names them. ``threshold`` is the decision threshold chosen at
    training time.
    """

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    threshold: float
    embedding_model: str
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.meta.get("name", "checkworthiness"))

    @property
    def input_dim(self) -> int:
        return int(self.w1.shape[1])

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(self.meta.get("features", ()))

    @property
    def embedding_dim(self) -> int:
        return self.input_dim - len(self.features)

    def inputs(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """The model's input rows: the embeddings, with the sentence features when it uses them."""
        x = np.asarray(embeddings, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != self.embedding_dim:
            raise ConfigError(
                f"check-worthiness model expects {self.embedding_dim}-dimensional embeddings of "
                f"{self.embedding_model}, got shape {x.shape}: use that embedding model"
            )
        if not self.features:
            return x
        if tuple(FEATURES[:len(self.features)]) != self.features:
            raise ConfigError(f"check-worthiness model uses features {self.features}, this version computes "
                              f"{FEATURES}: rebuild it with scripts/train_checkworthiness.py")
        extra = sentence_features(texts)[:, :len(self.features)] * float(self.meta.get("feature_scale", 1.0))
        return np.hstack([x, extra]) if len(x) else np.zeros((0, self.input_dim), dtype=np.float32)

    @classmethod
    def load(cls, path: str | Path | None = None) -> CheckworthinessModel:
        """Read a model written by :meth:`save` (default: the one shipped in the package)."""
        path = Path(path) if path is not None else DEFAULT_MODEL_PATH
        if not path.is_file():
            raise ConfigError(
                f"check-worthiness model {path} not found: reinstall claims or run "
                "scripts/train_checkworthiness.py to rebuild it"
            )
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                arrays = {k: np.asarray(data[k], dtype=np.float32) for k in ("w1", "b1", "w2", "b2")}
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigError(
                f"check-worthiness model {path} cannot be read ({exc.__class__.__name__}): "
                "run scripts/train_checkworthiness.py to rebuild it"
            ) from None
        return cls(threshold=float(meta["threshold"]), embedding_model=str(meta["embedding_model"]), meta=meta,
                   **arrays)

    def save(self, path: str | Path) -> None:
        """Write the weights (float16 to keep the package small) and the metadata, as an
        ``.npz`` whose bytes depend only on the contents (fixed zip timestamps)."""
        meta = dict(self.meta)
        meta.update(threshold=float(self.threshold), embedding_model=self.embedding_model)
        arrays: dict[str, np.ndarray] = {
            "w1": self.w1.astype(np.float16), "b1": self.b1.astype(np.float16),
            "w2": self.w2.astype(np.float16), "b2": self.b2.astype(np.float32),
            "meta": np.array(json.dumps(meta, sort_keys=True)),
        }
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for key, array in arrays.items():
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, array, allow_pickle=False)
                info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, buffer.getvalue())

    def score_embeddings(self, embeddings: np.ndarray) -> np.ndarray:
        """Scores for input rows (:meth:`inputs`: embeddings by the model's own embedding
        model, plus the sentence features when the model uses them)."""
        x = np.asarray(embeddings, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != self.input_dim:
            raise ConfigError(
                f"check-worthiness model expects {self.input_dim}-dimensional inputs (embeddings of "
                f"{self.embedding_model}{' and ' + str(len(self.features)) + ' features' if self.features else ''}), "
                f"got shape {x.shape}: use that embedding model"
            )
        if len(x) == 0:
            return np.zeros(0, dtype=np.float32)
        activation = _ACTIVATIONS.get(str(self.meta.get("activation", "relu")))
        if activation is None:
            raise ConfigError(f"check-worthiness model uses unknown activation {self.meta.get('activation')!r}: "
                              "rebuild it with scripts/train_checkworthiness.py")
        hidden = activation(np.matmul(x, self.w1) + self.b1[:, None, :])  # (members, n, hidden)
        logits = np.matmul(hidden, self.w2[:, :, None])[:, :, 0] + self.b2[:, None]
        probs = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
        return probs.mean(axis=0).astype(np.float32)

    def score(self, texts: Sequence[str], embeddings: np.ndarray | None = None,
              embedder: Embedder | None = None) -> np.ndarray:
        """Check-worthiness of each text in [0, 1]; reuses ``embeddings`` when given
        (rows of the same texts by the same model), else embeds with ``embedder`` (or
        loads the model's own embedding model)."""
        if embeddings is None:
            if not texts:
                return np.zeros(0, dtype=np.float32)
            if embedder is None:
                embedder = load_embedder(self.embedding_model)
            embeddings = embedder.encode(list(texts))
        if len(embeddings) != len(texts):
            raise ConfigError(f"{len(texts)} texts but {len(embeddings)} embeddings: pass one row per text")
        return self.score_embeddings(self.inputs(texts, embeddings))
