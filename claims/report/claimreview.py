"""ClaimReview JSON-LD (https://schema.org/ClaimReview): the standard way fact-checkers
publish verdicts, read by search engines and fact-check aggregators.

One ClaimReview per claim, from its latest verdict. The verdict label is the rating's
``alternateName``; the numeric rating is a coarse 1-5 truthfulness scale (refuted 1,
conflicting and not_enough_evidence 3, supported 5) for consumers that need a number.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from claims.report.html import safe_href
from claims.store import Store

__all__ = ["claim_reviews", "write_claim_reviews", "RATING_VALUES", "BEST_RATING", "WORST_RATING"]

BEST_RATING, WORST_RATING = 5, 1
RATING_VALUES = {"refuted": 1, "conflicting": 3, "not_enough_evidence": 3, "supported": 5}


def _iso_date(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def _appearance(row: dict[str, Any]) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork"}
    href = safe_href(row["document_url"])
    if href:
        work["url"] = href
    if row["document_title"]:
        work["headline"] = row["document_title"]
    else:
        work["name"] = f"document {row['document_id']}"
    if row["document_outlet"]:
        work["publisher"] = {"@type": "Organization", "name": row["document_outlet"]}
    if row["document_published_at"]:
        work["datePublished"] = _iso_date(row["document_published_at"])
    return work


def claim_reviews(store: Store, publisher_name: str = "claims", *, since: datetime | date | None = None,
                  review_url: str | None = None) -> list[dict[str, Any]]:
    """A ClaimReview object per latest verdict (created at or after ``since``).

    ``review_url`` is where the reviews are published (the HTML report, say); each review
    then gets ``url`` = ``review_url#claim-<id>``, the anchor of the claim in the report.
    """
    rows = store.claim_review_rows(since)
    reviews = []
    for row in rows:
        claim_date = row["claim_date"] or row["document_published_at"] or row["claim_first_seen"] or row["created_at"]
        review: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "identifier": row["claim_id"],
            "claimReviewed": row["claim"],
            "itemReviewed": {
                "@type": "Claim",
                "appearance": _appearance(row),
                "datePublished": _iso_date(claim_date),
            },
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": RATING_VALUES.get(row["label"], 3),
                "bestRating": BEST_RATING,
                "worstRating": WORST_RATING,
                "alternateName": row["label"],
                "ratingExplanation": row["rationale"] or "",
            },
            "author": {"@type": "Organization", "name": publisher_name},
            "datePublished": _iso_date(row["created_at"]),
        }
        if row.get("best_source"):  # the passage whose vote most decided the verdict
            best: dict[str, Any] = {"@type": "CreativeWork", "name": row["best_source"]}
            best_href = safe_href(row.get("best_source_url"))
            if best_href:
                best["url"] = best_href
            review["citation"] = best
        href = safe_href(review_url)
        if href:
            review["url"] = f"{href.split('#', 1)[0]}#claim-{row['claim_id']}"
        reviews.append(review)
    return reviews


def write_claim_reviews(store: Store, out: str | Path, publisher_name: str = "claims", *,
                        since: datetime | date | None = None, review_url: str | None = None) -> int:
    """Write the reviews as one JSON-LD array to ``out``; returns how many."""
    reviews = claim_reviews(store, publisher_name, since=since, review_url=review_url)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(reviews, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(reviews)
