"""``claims export claimreview``: schema.org ClaimReview JSON-LD, validated against a JSON
Schema that requires what fact-check consumers read (the fields Google's Fact Check Tools
read: claimReviewed, reviewRating with alternateName, author, datePublished, url; and in
itemReviewed, when known, the claim's date and its appearance)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import duckdb
import jsonschema
import pytest

from claims.report.claimreview import claim_reviews
from tests.conftest import cli_env, run_cli
from tests.test_report_views import build_history

DATE = r"^\d{4}-\d{2}-\d{2}$"
LABELS = ["supported", "refuted", "conflicting", "not_enough_evidence"]

CLAIM_REVIEW_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["@context", "@type", "claimReviewed", "itemReviewed", "reviewRating", "author",
                     "datePublished"],
        "properties": {
            "@context": {"const": "https://schema.org"},
            "@type": {"const": "ClaimReview"},
            "claimReviewed": {"type": "string", "minLength": 1},
            "datePublished": {"type": "string", "pattern": DATE},
            "url": {"type": "string", "pattern": r"^https?://"},
            "itemReviewed": {
                "type": "object",
                "required": ["@type"],
                "properties": {
                    "@type": {"const": "Claim"},
                    "datePublished": {"type": "string", "pattern": DATE},
                    "appearance": {
                        "type": "object",
                        "required": ["@type"],
                        "anyOf": [{"required": ["url"]}, {"required": ["headline"]}],
                        "not": {"required": ["name"]},
                        "properties": {
                            "@type": {"const": "CreativeWork"},
                            "url": {"type": "string", "pattern": r"^https?://"},
                            "datePublished": {"type": "string", "pattern": DATE},
                        },
                    },
                },
            },
            "reviewRating": {
                "type": "object",
                "required": ["@type", "ratingValue", "bestRating", "worstRating", "alternateName"],
                "properties": {
                    "@type": {"const": "Rating"},
                    "ratingValue": {"type": "integer", "minimum": 1, "maximum": 5},
                    "bestRating": {"const": 5},
                    "worstRating": {"const": 1},
                    "alternateName": {"enum": LABELS},
                },
            },
            "author": {
                "type": "object",
                "required": ["@type", "name"],
                "properties": {"@type": {"const": "Organization"}, "name": {"type": "string", "minLength": 1}},
            },
        },
    },
}


def validate(reviews: object) -> None:
    jsonschema.validate(reviews, CLAIM_REVIEW_SCHEMA, format_checker=jsonschema.FormatChecker())


def latest_labels(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("select claim_id, label from latest_verdicts").fetchall())


def test_main_job_export_validates(main_job_db: Path, prefect_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "reviews.jsonld"
    env = cli_env(main_job_db, prefect_home, CLAIMS_PUBLISHER_NAME="Example Fact Desk")
    result = run_cli(["export", "claimreview", "--out", str(out), "--url", "https://facts.example/report.html"], env)
    assert result.returncode == 0, result.stderr
    reviews = json.loads(out.read_text(encoding="utf-8"))
    validate(reviews)
    labels = latest_labels(main_job_db)
    assert len(reviews) == len(labels) > 0  # one review per claim's latest verdict
    for review in reviews:
        assert review["reviewRating"]["alternateName"] == labels[review["identifier"]]
        assert review["author"]["name"] == "Example Fact Desk"
        assert review["url"] == f"https://facts.example/report.html#claim-{review['identifier']}"


def test_stdout_export_and_appearance_of_a_sourced_claim(tmp_path: Path, prefect_home: Path) -> None:
    db = tmp_path / "claims.duckdb"
    build_history(db)
    result = run_cli(["export", "claimreview"], cli_env(db, prefect_home))
    assert result.returncode == 0, result.stderr
    reviews = json.loads(result.stdout)
    validate(reviews)
    (review,) = reviews
    assert review["reviewRating"]["alternateName"] == "refuted"
    assert review["reviewRating"]["ratingValue"] == 1
    assert review["author"] == {"@type": "Organization", "name": "claims"}
    assert "url" not in review  # no --url: nothing invented
    assert review["claimReviewed"] == "Seoul said 8,000 North Korean soldiers are near the border."


def test_unsafe_document_urls_are_left_out(tmp_path: Path) -> None:
    from datetime import datetime

    from claims.models import Claim, Document, Verdict, stable_id
    from claims.store import Store

    store = Store(tmp_path / "claims.duckdb")
    store.migrate()
    doc = Document.make("Officials said 3,000 soldiers moved.", url="javascript:alert(1)", title="T",
                        outlet="O", published_at=datetime(2024, 10, 23))
    claim = Claim(stable_id(doc.id, 0, 36), doc.id, doc.text, 0, 36, 0.9)
    store.upsert_documents([doc])
    store.upsert_claims([claim])
    store.save_verdicts("r", [Verdict(claim.id, "not_enough_evidence", 0.6, "nothing found")])
    (review,) = claim_reviews(store, "Desk", review_url="javascript:alert(2)")
    validate([review])
    assert "url" not in review["itemReviewed"]["appearance"] and "url" not in review
    assert review["itemReviewed"]["appearance"]["publisher"] == {"@type": "Organization", "name": "O"}
    assert review["itemReviewed"]["datePublished"] == "2024-10-23"


@pytest.mark.parametrize("path,value", [
    (("reviewRating", "alternateName"), None),
    (("reviewRating", "worstRating"), None),
    (("author",), None),
    (("reviewRating", "ratingValue"), 9),
    (("itemReviewed", "@type"), "Thing"),
    (("datePublished",), "yesterday"),
])
def test_the_schema_rejects_incomplete_reviews(tmp_path: Path, path: tuple[str, ...], value: object) -> None:
    store = build_history(tmp_path / "claims.duckdb")["store"]
    good = claim_reviews(store)
    validate(good)
    bad = copy.deepcopy(good)
    target = bad[0]
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        validate(bad)


def test_dates_and_appearance_only_when_known(tmp_path: Path) -> None:
    """An undated article without URL or title: no claim date (not the day it was read), no
    appearance; a dated, titled one: both, from the article."""
    from datetime import date, datetime

    from claims.models import Claim, Document, Verdict, stable_id
    from claims.store import Store

    store = Store(tmp_path / "claims.duckdb")
    store.migrate()
    bare = Document.make("Officials said 3,000 soldiers moved.")
    known = Document.make("Officials said 8,000 soldiers are in Kursk.", url="https://news.example.org/a",
                          title="8,000 in Kursk", outlet="Example Wire", published_at=datetime(2024, 10, 31, 9))
    claims = [Claim(stable_id(d.id, 0, 36), d.id, d.text, 0, 36, 0.9) for d in (bare, known)]
    store.upsert_documents([bare, known])
    store.upsert_claims(claims)
    store.save_verdicts("r", [Verdict(c.id, "not_enough_evidence", 0.6, "nothing found") for c in claims])
    reviews = {r["identifier"]: r for r in claim_reviews(store, "Desk")}
    validate(list(reviews.values()))
    undated = reviews[claims[0].id]["itemReviewed"]
    assert undated == {"@type": "Claim"}
    dated = reviews[claims[1].id]["itemReviewed"]
    assert dated["datePublished"] == "2024-10-31"
    assert dated["appearance"] == {"@type": "CreativeWork", "url": "https://news.example.org/a",
                                   "headline": "8,000 in Kursk", "datePublished": "2024-10-31",
                                   "publisher": {"@type": "Organization", "name": "Example Wire"}}
    # the review itself is dated the day it was made, the claim only by its article
    assert reviews[claims[0].id]["datePublished"] >= date(2024, 11, 1).isoformat()
