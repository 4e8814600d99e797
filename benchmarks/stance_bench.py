"""Stance pairs per second: the cross-encoder in torch (float32) against the packaged int8
ONNX export, and the earlier MLP (which needs sentence embeddings first), in one run.

The pairs are real: every sentence of the seed article against every passage of the
example corpus (the pipeline's own passages), cut to ``--pairs``. The torch model is the
same architecture (MiniLM-L6 with a 3-way head); with ``--checkpoint`` (the training
script's ``.train/cross_encoder/checkpoint.pt``) it carries the trained weights and the
label agreement between torch and int8 is printed too.

    .venv/bin/python benchmarks/stance_bench.py [--pairs 512] [--threads 2] [--checkpoint PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def real_pairs(limit: int) -> tuple[list[str], list[str]]:
    from claims.extract.sentences import split_sentences
    from claims.score.passages import passages_for
    from claims.sources.corpus import load_corpus

    claims = [s.text for s in split_sentences((ROOT / "examples" / "seed-article.txt").read_text(encoding="utf-8"))
              if len(s.text.split()) > 6]
    passages = [p.text for p in passages_for(load_corpus(ROOT / "examples" / "corpus").documents)]
    pairs = [(c, p) for p in passages for c in claims][:limit]
    return [c for c, _ in pairs], [p for _, p in pairs]


def timed(fn, repeat: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=512)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--checkpoint", type=Path, default=ROOT / ".train" / "cross_encoder" / "checkpoint.pt")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import numpy as np
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from claims.embed import load_embedder
    from claims.embed.base import resolve_model_path
    from claims.score.cross_encoder import OnnxCrossEncoder
    from claims.score.stance import StanceModel
    from claims.settings import DEFAULT_MODEL

    torch.set_num_threads(args.threads)
    claims, passages = real_pairs(args.pairs)
    n = len(claims)
    print(f"{n} pairs (seed sentences x corpus passages), {args.threads} threads, median of {args.repeat}")

    onnx = OnnxCrossEncoder(threads=args.threads)
    onnx.predict(claims[:32], passages[:32])  # warm
    t_onnx = timed(lambda: onnx.predict(claims, passages), args.repeat)

    base = resolve_model_path(DEFAULT_MODEL)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=3)
    trained = args.checkpoint.is_file()
    if trained:
        model.load_state_dict(torch.load(args.checkpoint, map_location="cpu", weights_only=False)["model"])
    model.eval()
    order = sorted(range(n), key=lambda i: len(claims[i]) + len(passages[i]))

    def torch_predict() -> np.ndarray:
        out = np.zeros((n, 3), dtype=np.float32)
        with torch.no_grad():
            for start in range(0, n, 32):
                idx = order[start:start + 32]
                enc = tokenizer([claims[i] for i in idx], [passages[i] for i in idx], truncation="only_second",
                                max_length=128, padding=True, return_tensors="pt")
                out[idx] = model(**enc).logits.numpy()
        return out

    torch_predict()
    t_torch = timed(torch_predict, args.repeat)

    embedder = load_embedder(DEFAULT_MODEL)
    mlp = StanceModel.load(None)

    def mlp_predict() -> np.ndarray:
        vectors = embedder.encode(sorted(set(claims) | set(passages)))
        index = {t: i for i, t in enumerate(sorted(set(claims) | set(passages)))}
        return mlp.predict(claims, passages, vectors[[index[c] for c in claims]], vectors[[index[p] for p in passages]])

    mlp_predict()
    t_mlp = timed(mlp_predict, args.repeat)

    rate = {name: n / t for name, t in (("torch fp32", t_torch), ("onnx int8", t_onnx), ("mlp + embeddings", t_mlp))}
    for name, r in rate.items():
        print(f"{name:18s} {r:8.1f} pairs/s")
    print(f"int8 ONNX / torch: {rate['onnx int8'] / rate['torch fp32']:.2f}x")
    if trained:
        agree = (torch_predict().argmax(1) == onnx.logits(claims, passages).argmax(1)).mean()
        print(f"label agreement torch vs int8 (trained weights): {agree:.3f}")


if __name__ == "__main__":
    main()
