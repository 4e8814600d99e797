"""Claim matching across articles, with the real embedding model."""

from __future__ import annotations

import numpy as np
import pytest

from claims.extract import primary_quantity
from claims.extract.matching import KnownClaim, assign_clusters, cluster_id_for
from claims.extract.quantities import parse_quantities
from claims.extract.sentences import split_sentences
from claims.extract.structure import find_entities
from claims.models import Claim, Document

# Short articles from different outlets about the same deployment, with different figures,
# plus claims about other things.
ARTICLES = {
    "outlet-a": "China has not publicly addressed the reported deployment of 8,000 North Korean soldiers near "
                "Ukraine's border to support Russia.",
    "outlet-b": "North Korea has sent about 10,000 troops to Russia, the Pentagon said on Monday.",
    "outlet-c": "Ukraine's military intelligence said 11,000-12,000 North Korean soldiers were deployed to "
                "Russia's Kursk region.",
    "outlet-d": "South Korea says North Korea has sent some 3,000 more troops to Russia.",
    "outlet-e": "Seoul's spy agency said Pyongyang had dispatched 1,500 special forces to Russia's Far East.",
}
UNRELATED = {
    "economy": "China's economy grew 4.6% in the third quarter, official data showed.",
    "missiles": "Russia launched 40 missiles at Kyiv overnight, Ukraine's air force said.",
    "silence": "China's embassy in Washington reiterated its stance on the Ukraine crisis.",
}


def _claims(articles: dict[str, str]) -> list[Claim]:
    out = []
    for outlet, text in articles.items():
        doc = Document.make(text, url=f"http://127.0.0.1/{outlet}")
        for s in split_sentences(text):
            quantities = parse_quantities(s.text)
            out.append(Claim(id=f"{doc.id}-{s.start}", document_id=doc.id, text=s.text, start=s.start, end=s.end,
                             checkworthiness=1.0, quantity=primary_quantity(quantities), quantities=quantities,
                             entities=find_entities(s.text)))
    return out


@pytest.fixture(scope="module")
def claims_and_vectors(embedder):
    claims = _claims({**ARTICLES, **UNRELATED})
    return claims, embedder.encode([c.text for c in claims])


def test_same_deployment_is_one_cluster_with_variants(claims_and_vectors) -> None:
    claims, vectors = claims_and_vectors
    clusters = assign_clusters(claims, vectors)
    n = len(ARTICLES)
    deployment = set(clusters[:n])
    assert len(deployment) == 1
    # the variants keep their own ids and figures
    assert len({c.id for c in claims[:n]}) == n
    figures = sorted((c.quantity.low, c.quantity.high) for c in claims[:n])
    assert figures[0] == (1500, 1500) and (11000, 12000) in figures and len(set(figures)) == n
    # unrelated claims get clusters of their own
    others = clusters[n:]
    assert len(set(others)) == len(UNRELATED)
    assert not deployment & set(others)


def test_cluster_ids_are_stable_and_known_claims_are_reused(claims_and_vectors, embedder) -> None:
    claims, vectors = claims_and_vectors
    first = assign_clusters(claims, vectors)
    assert assign_clusters(claims, vectors) == first
    assert first[0] == cluster_id_for(claims[0].id)
    # a later run: the stored claims are known, a new article joins their cluster
    known = [KnownClaim(c.id, cid, c.text, v, tuple(c.entities), c.quantity)
             for c, cid, v in zip(claims, first, vectors)]
    new = _claims({"outlet-f": "Around 12,000 North Korean troops have been deployed in Russia, Zelensky said."})
    new_vectors = embedder.encode([c.text for c in new])
    assert assign_clusters(new, new_vectors, known) == [first[0]]
    # the same stored claim seen again keeps its own cluster
    assert assign_clusters(claims[-1:], vectors[-1:], known) == [first[-1]]


def test_different_counted_things_are_not_merged(embedder) -> None:
    claims = _claims({
        "x": "North Korea has sent 10,000 troops to Russia.",
        "y": "North Korea has sent 10,000 artillery shells to Russia.",
    })
    clusters = assign_clusters(claims, embedder.encode([c.text for c in claims]))
    assert clusters[0] != clusters[1]


def test_rows_must_match(claims_and_vectors) -> None:
    claims, _vectors = claims_and_vectors
    with pytest.raises(ValueError, match="embeddings"):
        assign_clusters(claims, np.zeros((1, 384), dtype=np.float32))
    assert assign_clusters([], np.zeros((0, 384), dtype=np.float32)) == []
