"""Sentence embeddings, below both extraction and scoring: the embedder (sentence-transformers,
or its int8 ONNX export), loaded on first use; the embedding cache in the store; and the
vector index kept beside the database for whole-store search.

    base     the Embedder protocol, model names and folders
    sbert    sentence-transformers (torch)
    onnx     the int8 ONNX Runtime export of the same model
    loader   load_embedder / embedder_for: one LazyEmbedder per model and backend
    cache    embed_cached: each (model, text) embedded once, kept in the store
    index    VectorIndex: top-k search over every stored passage
"""

from claims.embed.base import Embedder, model_name, resolve_model_path
from claims.embed.cache import cache_key, embed_cached
from claims.embed.loader import LazyEmbedder, embedder_for, load_embedder

__all__ = ["Embedder", "LazyEmbedder", "cache_key", "embed_cached", "embedder_for", "load_embedder",
           "model_name", "resolve_model_path"]
