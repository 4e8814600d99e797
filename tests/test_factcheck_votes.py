"""Fact-checks as evidence: a ClaimReview (from the fact-check API or a page's JSON-LD)
votes with its rating; an unknown rating is no vote."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from claims.eval.judging import make_claim
from claims.models import Document, Passage
from claims.score.verdict import VerdictPolicy, assess_evidence, decide
from claims.sources.factcheck import review_document
from claims.sources.html import claim_reviews, extract_document

CLAIM = "A photo shows a shark swimming on a flooded highway in Houston."
ARTICLE = ("<p>" + "The image has circulated after every major hurricane since 2011. " * 3 + "</p>"
           "<p>Reverse image searches show the shark was added to a photo of a flooded road.</p>")


def page(rating: str | None, graph: bool = False) -> str:
    review: dict[str, Any] = {"@context": "https://schema.org", "@type": "ClaimReview",
              "claimReviewed": "A photo shows a shark swimming on a flooded highway in Houston.",
              "author": {"@type": "Organization", "name": "Example Checks"},
              "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "Social media users"}},
              "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5}}
    if rating is not None:
        review["reviewRating"]["alternateName"] = rating
    data = {"@graph": [{"@type": "WebPage"}, review]} if graph else review
    return (f"<html><head><title>Fact check: shark photo</title><script type=\"application/ld+json\">"
            f"{json.dumps(data)}</script></head><body><article><h1>Shark photo</h1>{ARTICLE}</article></body></html>")


def test_claim_reviews_are_read_from_json_ld():
    assert claim_reviews(page("False")) == [(CLAIM, "False", "Example Checks", "Social media users")]
    assert claim_reviews(page("Mostly False", graph=True))[0][1] == "Mostly False"
    assert claim_reviews(page(None)) == []  # a bare number on an unknown scale is no rating
    assert claim_reviews("<html><script type='application/ld+json'>{not json</script></html>") == []


def test_a_fact_check_page_opens_with_its_rating():
    doc = extract_document(page("False"), "https://checks.example.org/shark", source_kind="url")
    assert doc is not None and doc.rating == "False"
    assert doc.text.startswith('Example Checks rated the claim "A photo shows a shark swimming')
    plain = extract_document(page(None), "https://checks.example.org/shark2", source_kind="url")
    assert plain is not None and plain.rating is None and not plain.text.startswith("Example Checks rated")


def _judge(documents: list[Document]):
    claim = make_claim(CLAIM)
    hits = [(Passage(id=f"p{i}", document_id=d.id, position=0, text=d.text.split("\n\n")[0]), d, 0.8)
            for i, d in enumerate(documents)]
    policy = VerdictPolicy(calibrate=False, support_threshold=0.0, refute_threshold=0.0, aggregator="votes")
    neutral = np.tile(np.array([[0.1, 0.1, 0.8]], dtype=np.float32), (len(hits), 1))
    evidence = assess_evidence(claim, hits, policy, neutral)
    return evidence, decide(claim, evidence, policy)


@pytest.mark.parametrize("rating,stance,label", [
    ("False", "refute", "refuted"), ("Pants on Fire", "refute", "refuted"), ("True", "support", "supported"),
    ("Half True", "mixed", "conflicting"), ("Explainer", "neutral", "not_enough_evidence"),
])
def test_the_rating_is_the_fact_checkers_vote(rating, stance, label):
    doc = review_document({"text": CLAIM, "claimant": "Social media users"},
                          {"publisher": {"name": "Example Checks"}, "textualRating": rating,
                           "url": "https://checks.example.org/shark"})
    assert doc is not None and doc.rating == rating
    evidence, verdict = _judge([doc])
    assert evidence[0].stance == stance
    assert verdict.label == label
    if stance != "neutral":
        assert evidence[0].role_cue == f'rated "{rating}"' and verdict.best is evidence[0]


def test_rating_words_in_an_ordinary_page_are_not_a_vote():
    # the same sentence in a document without a ClaimReview is text, not a rating
    doc = Document.make('Example Checks rated the claim "' + CLAIM + '" as "True".', url="https://blog.example/x",
                        outlet="Some Blog")
    evidence, verdict = _judge([doc])
    assert evidence[0].role_cue != 'rated "True"' and evidence[0].stance == "neutral"
    assert verdict.label == "not_enough_evidence"
