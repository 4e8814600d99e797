"""Claims stated on their own (claims.extract.checkable): each rule on its own sentence,
and sentences the rules must leave alone."""

from __future__ import annotations

from datetime import date

import pytest

from claims.extract import extract_claims, for_judging
from claims.extract.checkable import checkable_text
from claims.models import Document, stable_id
from claims.settings import Settings

CASES = [
    # a stance wrapper around a reported event: the event stated as a clause
    (("However, China has not publicly addressed the reported deployment of 8,000 North Korean soldiers "
      "near Ukraine's border to support Russia."), None,
     "8,000 North Korean soldiers have been deployed near Ukraine's border to support Russia."),
    ("Russia denied the reported presence of North Korean troops in Kursk.", None,
     "North Korean troops are present in Kursk."),
    ("Kyiv has not confirmed reports that 12,000 soldiers crossed into Kursk.", None,
     "12,000 soldiers crossed into Kursk."),
    # attribution removed (kept apart as the claim's attribution)
    ("According to South Korea's spy agency, Pyongyang has sent 1,500 special forces to Russia.", None,
     "Pyongyang has sent 1,500 special forces to Russia."),
    ("About 10,000 troops are in Kursk, the Pentagon said.", None, "About 10,000 troops are in Kursk."),
    ("The ministry said on Friday that 3,000 troops arrived in Vladivostok.", None,
     "3,000 troops arrived in Vladivostok."),
    # "the country" resolved from the previous sentence when one country is named there
    ("The country has sent 10,000 troops to Russia.", "North Korea held a parade on Monday.",
     "North Korea has sent 10,000 troops to Russia."),
    # ... and left alone when two are
    ("The country has sent 10,000 troops.", "North Korea and South Korea met on Monday.",
     "The country has sent 10,000 troops."),
    # a leading "he" resolved to the one person named before
    ("He met 40 generals in Moscow.", "Defence Minister Andrei Belousov arrived on Monday.",
     "Andrei Belousov met 40 generals in Moscow."),
    # nothing to remove
    ("Pyongyang has dispatched thousands of troops to aid Moscow.", None,
     "Pyongyang has dispatched thousands of troops to aid Moscow."),
    ("It is not clear whether the troops will fight.", None, "It is not clear whether the troops will fight."),
]


@pytest.mark.parametrize("sentence,previous,expected", CASES, ids=[c[0][:40] for c in CASES])
def test_checkable_text(sentence: str, previous: str | None, expected: str) -> None:
    assert checkable_text(sentence, previous=previous) == expected


def test_article_date_attached_unless_the_sentence_names_one() -> None:
    day = date(2024, 10, 25)
    assert checkable_text("Russia has 600,000 casualties.", document_date=day) == \
        "Russia has 600,000 casualties (as of 25 October 2024)."
    assert checkable_text("Russia had 600,000 casualties on Oct. 3, 2024.", document_date=day) == \
        "Russia had 600,000 casualties on Oct. 3, 2024."


@pytest.mark.slow
def test_extraction_keeps_the_sentence_and_judges_the_checkable_text(embedder) -> None:
    text = ("Seoul is worried. However, China has not publicly addressed the reported deployment of "
            "8,000 North Korean soldiers near Ukraine's border to support Russia.")
    doc = Document(id=stable_id("checkable-test"), text=text, title="t")
    result = extract_claims(doc, embedder, Settings(checkworthiness_threshold=0.0))
    claim = next(c for c in result.claims if "8,000" in c.text)
    assert text[claim.start:claim.end] == claim.text  # offsets index the sentence as written
    assert claim.checkable is not None
    assert claim.checkable.startswith("8,000 North Korean soldiers have been deployed")
    judged = for_judging([claim])[0]
    assert judged.id == claim.id and judged.text == claim.checkable
    assert judged.quantity is not None and judged.text[judged.quantity.start:judged.quantity.end] == \
        "8,000 North Korean soldiers"


def test_that_is_the_figure_of_the_sentence_before() -> None:
    # migration-aviation-farming: "That" is the count the previous sentence gives
    previous = ("Border guards detected 11,400 irregular crossings into Estmark between July and September, "
                "according to the national statistics office.")
    assert checkable_text("That was 20% more than in the same period last year.", previous=previous,
                          document_date=date(2025, 10, 14)) == (
        "The irregular crossings into Estmark between July and September was 20% more than in the same period "
        "last year.")
    # without one counted figure before it, "that" stays
    assert checkable_text("That was 20% more than a year earlier.", previous="Prices rose sharply.") == (
        "That was 20% more than a year earlier.")


def test_that_is_the_subject_of_the_level_before_it() -> None:
    # telecom-water-pensions: a share's level, then "That was down from ..."
    previous = "Storage across the company's three reservoirs stood at 38 per cent in the week to 8 August."
    assert checkable_text("That was down from 43 per cent two weeks earlier.", previous=previous) == (
        "Storage across the company's three reservoirs was down from 43 per cent two weeks earlier.")
    # ports-weather: a change named by its noun ("a rise of"), after a price that moved
    previous = ("Spot rates for a 40-foot container from Halvik to Ronsgard jumped from 2,140 dalen to 2,690 "
                "dalen in the two weeks to 25 September, according to Brasmark.")
    assert checkable_text("That was a rise of more than 25 percent.", previous=previous) == (
        "Spot rates for a 40-foot container from Halvik to Ronsgard was a rise of more than 25 percent.")
    # a sentence without a figure gives no subject
    assert checkable_text("That was a rise of more than 25 percent.", previous="Rates jumped.") == (
        "That was a rise of more than 25 percent.")


def test_the_base_of_a_comparison_is_not_the_claims_time() -> None:
    from claims.extract.quantities import parse_quantities
    from claims.extract.scope import claim_scope, figure_thing

    text = "The irregular crossings into Estmark between July and September was 20% more than in the same period last year."
    q = parse_quantities(text)[0]
    scope = claim_scope(text, q, date(2025, 10, 14))
    assert (scope.start, scope.end) == (date(2025, 7, 1), date(2025, 9, 30))
    # the time words of a figure's clause are not what it measures
    release = ("Irregular crossings detected at the land border rose to 11,400 in the third quarter of 2025, "
               "up 20.0% from 9,500 in the third quarter of 2024.")
    assert "third" not in figure_thing(release, parse_quantities(release)[1])
