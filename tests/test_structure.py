"""Claim structure: type, attribution, date and entities."""

from __future__ import annotations

from datetime import date

import pytest

from claims.extract.quantities import parse_quantities
from claims.extract.structure import (
    canonical_entity,
    claim_date,
    claim_type,
    find_attribution,
    find_entities,
    locations,
)

DOC_DATE = date(2024, 11, 5)  # a Tuesday


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Russia has sent 8,000 North Korean soldiers to the border.", "numerical"),
        ("Pyongyang has dispatched thousands of troops to aid Moscow.", "numerical"),
        ("Inflation rose to 3.1% in October.", "numerical"),
        ('"We will not tolerate this," the minister said.', "quote"),
        ("The Kremlin said the reports were false.", "quote"),
        ("Russia invaded Ukraine in February 2022.", "event"),
        ("The two leaders met in Vladivostok.", "event"),
        ("China maintains its position against escalating the conflict.", "other"),
    ],
)
def test_claim_type(text: str, expected: str) -> None:
    assert claim_type(text, parse_quantities(text)) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("According to the Pentagon, 10,000 North Korean soldiers have been sent to Russia.", "the Pentagon"),
        ("Ukraine's military intelligence said about 11,000 troops were in Kursk.", "Ukraine's military intelligence"),
        ("Zelensky told reporters that 1,500 special forces had arrived.", "Zelensky"),
        ('"We will not tolerate this," said Defence Minister Rustem Umerov on Monday.', "Defence Minister Rustem Umerov"),
        ("The troops arrived two weeks ago, officials said.", "officials"),
        ("About 3,000 troops were sent, South Korea's spy agency said.", "South Korea's spy agency"),
        ("He said the troops had left.", None),
        ("China has not publicly addressed the reported deployment of 8,000 soldiers.", None),
        ("Xi's relationship with Putin adds complexity to the situation.", None),
        ("The United States urged China to act following reports that troops were sent.", None),
    ],
)
def test_find_attribution(text: str, expected: str | None) -> None:
    assert find_attribution(text) == expected


@pytest.mark.parametrize(
    "text,doc_date,expected",
    [
        ("About 11,000 troops were in Kursk last week.", DOC_DATE, date(2024, 10, 29)),
        ("The minister spoke on Monday.", DOC_DATE, date(2024, 11, 4)),
        ("The agency reported yesterday that troops moved.", DOC_DATE, date(2024, 11, 4)),
        ("Zelensky spoke on Oct. 18 about the troops.", DOC_DATE, date(2024, 10, 18)),
        ("The troops arrived two weeks ago.", DOC_DATE, date(2024, 10, 22)),
        ("Russia invaded Ukraine on February 24, 2022.", None, date(2022, 2, 24)),
        ("Russia invaded Ukraine on February 24, 2022.", DOC_DATE, date(2022, 2, 24)),
        ("The troops moved last week.", None, None),
        ("China maintains its position.", DOC_DATE, None),
    ],
)
def test_claim_date(text: str, doc_date: date | None, expected: date | None) -> None:
    assert claim_date(text, doc_date) == expected


def test_claim_date_near_a_figure_takes_the_closest_date() -> None:
    text = "Some 3,000 troops arrived in September; by Nov. 1, 12,000 troops were in Kursk."
    assert claim_date(text, DOC_DATE) == date(2024, 9, 1)  # first expression
    assert claim_date(text, DOC_DATE, near=text.index("12,000")) == date(2024, 11, 1)
    assert claim_date(text, DOC_DATE, near=text.index("3,000")) == date(2024, 9, 1)
    assert claim_date("Troops moved.", DOC_DATE, near=0) is None


def test_find_entities_people_places_organisations() -> None:
    text = ("Analysts point out that Chinese President Xi Jinping met Secretary of State Antony Blinken "
            "and NATO officials in Washington, while Pyongyang sent 8,000 North Korean soldiers to Kursk.")
    entities = find_entities(text)
    assert entities == ["China", "Xi Jinping", "Antony Blinken", "NATO", "Washington", "Pyongyang", "North Korea",
                        "Kursk"]
    assert "Analysts" not in entities


def test_find_entities_handles_coordination_possessives_and_sentence_starts() -> None:
    text = ("However, the United States and South Korea have urged China's leaders to act. "
            "Beijing aims for a peaceful Korean Peninsula.")
    assert find_entities(text) == ["United States", "South Korea", "China", "Beijing", "Korean Peninsula"]


def test_locations() -> None:
    text = "Ukraine's military intelligence said 11,000 North Korean troops were in Kursk, Zelensky said."
    assert locations(text) == ["Ukraine", "North Korea", "Kursk"]
    assert "Zelensky" not in locations(text)


@pytest.mark.parametrize(
    "name,canonical",
    [("Pyongyang", "North Korea"), ("North Korean", "North Korea"), ("DPRK", "North Korea"), ("U.S.", "United States"),
     ("Russian Federation", "Russia"), ("the Kremlin", "Russia"), ("Kursk", "Kursk"), ("China's", "China")],
)
def test_canonical_entity(name: str, canonical: str) -> None:
    assert canonical_entity(name) == canonical
