"""ClaimReview JSON-LD (https://schema.org/ClaimReview): the standard way fact-checkers
publish verdicts, read by search engines and fact-check aggregators.

One ClaimReview per claim, from its latest verdict, with the fields Google's Fact Check
Tools read (``claimReviewed``, ``reviewRating`` with ``alternateName``, ``author``,
``datePublished``, ``url`` when the reviews' address is given, ``itemReviewed`` with the
claim's date and ``appearance`` when known). The verdict label is the rating's
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

__all__ = ["BEST_RATING", "RATING_VALUES", "WORST_RATING", "claim_reviews", "claim_reviews_json", "write_claim_reviews"]

BEST_RATING, WORST_RATING = 5, 1
RATING_VALUES = {"refuted": 1, "conflicting": 3, "not_enough_evidence": 3, "supported": 5}


def _iso_date(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def _appearance(row: dict[str, Any]) -> dict[str, Any] | None:
    """The article the claim appeared in, by its URL and title; None when neither is known
    (a "document 5e91..." name would tell a reader nothing)."""
    href = safe_href(row["document_url"])
    if not href and not row["document_title"]:
        return None
    work: dict[str, Any] = {"@type": "CreativeWork"}
    if href:
        work["url"] = href
    if row["document_title"]:
        work["headline"] = row["document_title"]
    if row["document_outlet"]:
        work["publisher"] = {"@type": "Organization", "name": row["document_outlet"]}
    if row["document_published_at"]:
        work["datePublished"] = _iso_date(row["document_published_at"])
    return work


def _item_reviewed(row: dict[str, Any]) -> dict[str, Any]:
    """The claim as schema.org reads it: when it was made (the date stated in it, else its
    article's publication date) and where it appeared; each only when known, never the
    date this program read it."""
    item: dict[str, Any] = {"@type": "Claim"}
    made = row["claim_date"] or row["document_published_at"]
    if made:
        item["datePublished"] = _iso_date(made)
    appearance = _appearance(row)
    if appearance:
        item["appearance"] = appearance
    return item


def claim_reviews(store: Store, publisher_name: str = "claims", *, since: datetime | date | None = None,
                  review_url: str | None = None) -> list[dict[str, Any]]:
    """A ClaimReview object per latest verdict (created at or after ``since``).

    ``review_url`` is where the reviews are published (the HTML report, say); each review
    then gets ``url`` = ``review_url#claim-<id>``, the anchor of the claim in the report.
    """
    rows = store.claim_review_rows(since)
    reviews = []
    for row in rows:
        review: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "identifier": row["claim_id"],
            "claimReviewed": row["claim"],
            "itemReviewed": _item_reviewed(row),
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


def claim_reviews_json(reviews: list[dict[str, Any]]) -> str:
    """The reviews as one JSON-LD array, safe to publish inside an HTML
    ``<script type="application/ld+json">`` block, where ClaimReview is read: every ``<`` is
    written ``\\u003c``, so a claim holding ``</script>`` or ``<!--`` cannot end or bend the
    block; a JSON reader reads the same text back."""
    return json.dumps(reviews, ensure_ascii=False, indent=2).replace("<", "\\u003c") + "\n"


def write_claim_reviews(store: Store, out: str | Path, publisher_name: str = "claims", *,
                        since: datetime | date | None = None, review_url: str | None = None) -> int:
    """Write the reviews as one JSON-LD array to ``out`` (:func:`claim_reviews_json`); returns how many."""
    reviews = claim_reviews(store, publisher_name, since=since, review_url=review_url)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(claim_reviews_json(reviews), encoding="utf-8")
    return len(reviews)
