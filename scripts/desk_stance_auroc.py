"""How well each stance model at hand tells the claims a desk reader calls refuted from those
called supported, on the articles of desk folders (one half).

For every check-worthy gold sentence of the half's articles, the pipeline runs as ``claims
eval desk`` runs it; each evidence passage of the sentence's claim is read by the stance MLP
(the probabilities the engine stored), the packaged stance cross-encoder and the packaged
verifier. A claim's score is its best refutation probability minus its best support
probability over its passages; the script prints the AUROC of that score for gold
``refuted`` against gold ``supported`` (0.5: no better than chance), over all passages, the
passages on the claim's topic, and the three closest; and the AUROC of the verdict's
confidence for right against wrong ``supported`` verdicts.

    python scripts/desk_stance_auroc.py --split dev ../shared/data/desk/* examples/desk*
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from claims.eval.desk import judged_sentences
from claims.score.cross_encoder import OnnxCrossEncoder, packaged_cross_encoder_dir
from claims.settings import Settings


def collect(folders: list[Path], split: str) -> list[dict]:
    """One record per check-worthy gold sentence: gold, predicted label, confidence and each
    evidence passage's probabilities from the three models."""
    cross, verifier = OnnxCrossEncoder(packaged_cross_encoder_dir("cross_encoder")), \
        OnnxCrossEncoder(packaged_cross_encoder_dir("verifier"))
    rows: list[dict] = []
    for g, claim, verdict in judged_sentences(folders, split, Settings()):
        texts = [e.passage.text for e in verdict.evidence]
        ce = cross.predict([claim.text] * len(texts), texts) if texts else np.zeros((0, 3))
        vf = verifier.predict([claim.text] * len(texts), texts) if texts else np.zeros((0, 3))
        rows.append({"gold": g.verdict, "pred": verdict.label, "conf": verdict.confidence,
                     "evidence": [{"sim": e.similarity, "note": e.scope_note,
                                   "mlp": list(e.model_probs) if e.model_probs else None,
                                   "ce": [float(x) for x in a], "vf": [float(x) for x in b]}
                                  for e, a, b in zip(verdict.evidence, ce, vf)]})
    return rows


def auroc(positive: list[float], negative: list[float]) -> float | None:
    if not positive or not negative:
        return None
    pos, neg = np.asarray(positive)[:, None], np.asarray(negative)[None, :]
    return float(np.mean((pos > neg) + 0.5 * (pos == neg)))


def separation(rows: list[dict]) -> dict:
    out: dict = {}
    for model in ("mlp", "ce", "vf"):
        for chosen in ("all", "on_topic", "closest_3"):
            refuted: list[float] = []
            supported: list[float] = []
            for r in rows:
                if r["gold"] not in ("supported", "refuted"):
                    continue
                evidence = r["evidence"]
                if chosen == "on_topic":
                    evidence = [e for e in evidence if not e["note"].startswith("off topic")]
                elif chosen == "closest_3":
                    evidence = sorted(evidence, key=lambda e: -e["sim"])[:3]
                evidence = [e for e in evidence if e[model]]
                if evidence:
                    score = max(e[model][1] for e in evidence) - max(e[model][0] for e in evidence)
                    (refuted if r["gold"] == "refuted" else supported).append(score)
            out[f"{model}/{chosen}"] = {"auroc": auroc(refuted, supported), "refuted": len(refuted),
                                        "supported": len(supported)}
    said = [r for r in rows if r["pred"] == "supported"]
    out["confidence/supported_right_vs_wrong"] = auroc([r["conf"] for r in said if r["gold"] == "supported"],
                                                       [r["conf"] for r in said if r["gold"] != "supported"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    args = parser.parse_args()
    rows = collect(args.folders, args.split)
    print(json.dumps({"split": args.split, "claims": len(rows), **separation(rows)}, indent=1))


if __name__ == "__main__":
    main()
