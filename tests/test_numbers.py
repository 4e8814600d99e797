"""Comparing a claim's figure with a passage's: relations, scope and time frames."""

from __future__ import annotations

from datetime import date

import pytest

from claims.extract import primary_quantity
from claims.extract.quantities import is_time_frame, parse_quantities
from claims.score.numbers import judge_numbers

CLAIM = "About 8,000 North Korean soldiers are in Russia's Kursk region."


def _claim_q(text: str):
    return primary_quantity(parse_quantities(text), text)


@pytest.mark.parametrize("passage,relation", [
    ("Blinken said 8,000 North Korean troops were in Kursk.", "match"),
    ("Officials put the force at between 7,000 and 9,000 soldiers in Kursk.", "consistent"),
    ("At least 3,000 North Korean soldiers are in Kursk.", "consistent"),
    ("Only 2,000 North Korean soldiers are in Kursk, officials said.", "mismatch"),
    ("About 10,000 North Korean soldiers were sent to eastern Russia's Primorye region.", "other_scope"),
    ("The region has 300 tanks.", "none"),
])
def test_relations(passage: str, relation: str) -> None:
    assert judge_numbers(CLAIM, _claim_q(CLAIM), passage).relation == relation


def test_a_figure_stated_at_another_time_is_another_scope() -> None:
    got = judge_numbers(CLAIM, _claim_q(CLAIM), "On Oct. 1, 3,000 North Korean soldiers were in Kursk.",
                        claim_date=date(2024, 11, 5), passage_date=date(2024, 11, 4))
    assert (got.relation, got.reason, got.stated_on) == ("other_scope", "another time", date(2024, 10, 1))


@pytest.mark.parametrize("text,figure,frame", [
    ("Arctic sea ice has been retreating over the past 30 years.", "30 years", True),
    ("Prices rose 3.2% in the last 12 months.", "12 months", True),
    ("The war began two years ago.", "two years", True),
    ("Carbon dioxide rises 800 years later.", "800 years", False),
    ("The drought lasted 7 years.", "7 years", False),
    ("Prices rose 3.2% in the last 12 months.", "3.2%", False),
])
def test_time_frames(text: str, figure: str, frame: bool) -> None:
    q = next(q for q in parse_quantities(text) if q.text == figure)
    assert is_time_frame(text, q) is frame


def test_a_time_frame_is_neither_the_claims_figure_nor_a_passages() -> None:
    assert _claim_q("Arctic sea ice has been retreating over the past 30 years.") is None
    assert _claim_q("Prices rose 3.2% over the past 12 months.").text == "3.2%"
    drought = "The drought lasted 7 years."
    assert judge_numbers(drought, _claim_q(drought), "Rainfall fell over the past 10 years.").relation == "none"
    assert judge_numbers(drought, _claim_q(drought), "The drought lasted 10 years.").relation == "mismatch"


def test_agreeing_figures_from_another_time_do_not_back_a_claim() -> None:
    claim = "In May 2002, officials in Moscow said 11,819 troops were deployed."
    q = _claim_q(claim)
    passage = "North Korea has decided to send about 12,000 troops to Russia, the spy agency said on Friday."
    same = judge_numbers(claim, q, passage)
    assert same.relation == "consistent"  # a precise claim is not matched by a round report
    later = judge_numbers(claim, q, passage, claim_date=date(2002, 5, 15), passage_date=date(2024, 10, 18))
    assert (later.relation, later.reason) == ("other_scope", "another time")


def test_a_dated_claim_is_not_backed_by_another_years_sources_and_figures_are_quoted_as_written() -> None:
    from datetime import datetime

    from claims.eval.judging import make_claim
    from claims.models import Document, Passage
    from claims.score.verdict import VerdictPolicy, assess_evidence, decide

    text = "In May 2002, officials in Moscow said 11,819 troops were deployed."
    docs = [Document.make(f"North Korea has decided to send about 12,000 troops to Russia, {who} said on Friday.",
                          url=f"https://{host}/a", outlet=outlet, published_at=datetime(2024, 10, 18))
            for who, host, outlet in (("the spy agency", "wire.example", "Example Wire"),
                                      ("officials", "ledger.example", "Seoul Ledger"))]
    hits = [(Passage(id=f"p{i}", document_id=d.id, position=0, text=d.text), d, 0.7) for i, d in enumerate(docs)]
    policy = VerdictPolicy(calibrate=False, support_threshold=0.0, refute_threshold=0.0, aggregator="votes")
    for claim_date, expected in ((date(2002, 5, 1), "not_enough_evidence"), (None, "supported")):
        claim = make_claim(text, claim_date=claim_date)
        verdict = decide(claim, assess_evidence(claim, hits, policy), policy)
        assert verdict.label == expected, verdict.rationale
        assert "11,819 (" not in verdict.rationale  # sources are never quoted with the claim's figure
        assert "about 12,000" in verdict.rationale
