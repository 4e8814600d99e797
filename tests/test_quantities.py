"""Quantity parsing: a hand-written table of news expressions and their expected parses."""

from __future__ import annotations

from pathlib import Path
from typing import Any, SupportsFloat

import pytest

from claims.extract.quantities import (
    APPROX_TOLERANCE,
    counted_head,
    parse_quantities,
    same_counted_thing,
)
from claims.models import Quantity

N = None
T = APPROX_TOLERANCE

# (sentence, expected span text, value, low, high, unit, qualifier, kind)
CASES: list[tuple[str, str, float | None, float | None, float | None, str | None, str | None, str]] = [
    # plain figures with separators, decimals and counted nouns
    ("Russia sent 8,000 North Korean soldiers.", "8,000 North Korean soldiers", 8000, 8000, 8000, "North Korean soldiers", N, "count"),
    ("It deployed 1,500 troops near the border.", "1,500 troops", 1500, 1500, 1500, "troops", N, "count"),
    ("Kyiv said 11,000 North Korean troops were in Kursk.", "11,000 North Korean troops", 11000, 11000, 11000, "North Korean troops", N, "count"),
    ("Officials counted 12,345,678 votes.", "12,345,678 votes", 12345678, 12345678, 12345678, "votes", N, "count"),
    ("The army lost 320 tanks in a month.", "320 tanks", 320, 320, 320, "tanks", N, "count"),
    ("Some 600,000 men have been lost, estimates say.", "Some 600,000 men", 600000, 540000, 660000, "men", "some", "count"),
    ("The unit had 45 special-forces soldiers.", "45 special-forces soldiers", 45, 45, 45, "special-forces soldiers", N, "count"),
    ("A total of 2,500 Ukrainian prisoners were exchanged.", "A total of 2,500 Ukrainian prisoners", 2500, 2500, 2500, "Ukrainian prisoners", "a total of", "count"),
    ("The convoy had 3 trucks.", "3 trucks", 3, 3, 3, "trucks", N, "count"),
    ("8,000 wounded were evacuated.", "8,000 wounded", 8000, 8000, 8000, "wounded", N, "count"),
    ("The strike killed 14 people, officials said.", "14 people", 14, 14, 14, "people", N, "count"),
    ("It has 27 EU members.", "27 EU members", 27, 27, 27, "EU members", N, "count"),
    ("About 2,000 US troops are stationed there.", "About 2,000 US troops", 2000, 2000 * (1 - T), 2000 * (1 + T), "US troops", "about", "count"),
    ("He said 3,000 additional troops would follow.", "3,000 additional troops", 3000, 3000, 3000, "troops", N, "count"),
    ("The 8,000-strong force crossed the river.", "8,000-strong force", 8000, 8000, 8000, "force", N, "count"),
    ("The 1,500 troops, trained in Russia, arrived.", "1,500 troops", 1500, 1500, 1500, "troops", N, "count"),
    ("Police detained 1,200 protesters on Sunday.", "1,200 protesters", 1200, 1200, 1200, "protesters", N, "count"),
    ("Officials said 3,000 arrived on Monday.", "3,000", 3000, 3000, 3000, N, N, "count"),
    ("The attack involved 40 drones and missiles.", "40 drones", 40, 40, 40, "drones", N, "count"),
    # spelled numbers
    ("Eight thousand soldiers crossed the border.", "Eight thousand soldiers", 8000, 8000, 8000, "soldiers", N, "count"),
    ("Twenty-two tanks were destroyed.", "Twenty-two tanks", 22, 22, 22, "tanks", N, "count"),
    ("Three hundred and forty two sailors were rescued.", "Three hundred and forty two sailors", 342, 342, 342, "sailors", N, "count"),
    ("The drones hit a dozen buildings.", "a dozen buildings", 12, 12, 12, "buildings", N, "count"),
    ("Two dozen tanks were spotted.", "Two dozen tanks", 24, 24, 24, "tanks", N, "count"),
    ("Half a million refugees crossed into Poland.", "Half a million refugees", 500000, 500000, 500000, "refugees", N, "count"),
    ("A million people signed it.", "A million people", 1_000_000, 1_000_000, 1_000_000, "people", N, "count"),
    ("Two soldiers died.", "Two soldiers", 2, 2, 2, "soldiers", N, "count"),
    ("Half a dozen ships sailed.", "Half a dozen ships", 6, 6, 6, "ships", N, "count"),
    ("Ten thousand people marched.", "Ten thousand people", 10000, 10000, 10000, "people", N, "count"),
    # scales
    ("1.5 million people fled the region.", "1.5 million people", 1_500_000, 1_500_000, 1_500_000, "people", N, "count"),
    ("Some 2.3 million refugees returned.", "Some 2.3 million refugees", 2_300_000, 2_200_000, 2_400_000, "refugees", "some", "count"),
    ("The city has 3 million residents.", "3 million residents", 3_000_000, 3_000_000, 3_000_000, "residents", N, "count"),
    ("The country has 1.2 billion people.", "1.2 billion people", 1.2e9, 1.2e9, 1.2e9, "people", N, "count"),
    ("The region holds 8 thousand soldiers.", "8 thousand soldiers", 8000, 8000, 8000, "soldiers", N, "count"),
    # ranges
    ("Between 10,000 and 12,000 troops were sent.", "Between 10,000 and 12,000 troops", N, 10000, 12000, "troops", "between", "count"),
    ("Seoul said 11,000-12,000 troops were deployed.", "11,000-12,000 troops", N, 11000, 12000, "troops", N, "count"),
    ("Reports put it at 10,000 to 12,000 soldiers.", "10,000 to 12,000 soldiers", N, 10000, 12000, "soldiers", N, "count"),
    ("It could displace 10 to 12 million people.", "10 to 12 million people", N, 10_000_000, 12_000_000, "people", N, "count"),
    ("The aid was worth $1-2 billion.", "$1-2 billion", N, 1e9, 2e9, "USD", N, "money"),
    ("Two or three soldiers were hurt.", "Two or three soldiers", N, 2, 3, "soldiers", N, "count"),
    ("About 10,000-12,000 troops moved.", "About 10,000-12,000 troops", N, 10000 * (1 - T), 12000 * (1 + T), "troops", "about", "count"),
    ("It could affect 500 to 1 million people.", "500 to 1 million people", N, 500, 1_000_000, "people", N, "count"),
    ("Between 3,000 and 5,000 civilians remain.", "Between 3,000 and 5,000 civilians", N, 3000, 5000, "civilians", "between", "count"),
    ("The 11,000–12,000 soldiers were moved.", "11,000–12,000 soldiers", N, 11000, 12000, "soldiers", N, "count"),
    # bounds
    ("More than 3,000 people were evacuated.", "More than 3,000 people", 3000, 3000, N, "people", "more than", "count"),
    ("At least 1,500 special-forces soldiers arrived.", "At least 1,500 special-forces soldiers", 1500, 1500, N, "special-forces soldiers", "at least", "count"),
    ("Up to 12,000 troops may be sent.", "Up to 12,000 troops", 12000, N, 12000, "troops", "up to", "count"),
    ("Over 100 civilians were killed.", "Over 100 civilians", 100, 100, N, "civilians", "over", "count"),
    ("As many as 3,000 soldiers died.", "As many as 3,000 soldiers", 3000, N, 3000, "soldiers", "as many as", "count"),
    ("Fewer than 50 journalists remain.", "Fewer than 50 journalists", 50, N, 50, "journalists", "fewer than", "count"),
    ("Less than 10% of the budget went to defence.", "Less than 10%", 10, N, 10, "%", "less than", "percent"),
    ("Nearly 3,000 civilians were evacuated.", "Nearly 3,000 civilians", 3000, 3000 * (1 - T), 3000, "civilians", "nearly", "count"),
    ("Almost 500 schools were damaged.", "Almost 500 schools", 500, 500 * (1 - T), 500, "schools", "almost", "count"),
    ("Just over 2,000 soldiers returned.", "Just over 2,000 soldiers", 2000, 2000, 2000 * (1 + T), "soldiers", "just over", "count"),
    ("No fewer than 20 ships took part.", "No fewer than 20 ships", 20, 20, N, "ships", "no fewer than", "count"),
    ("More than a dozen drones were downed.", "More than a dozen drones", 12, 12, N, "drones", "more than", "count"),
    ("Up to 3,000 more troops could follow.", "Up to 3,000 more troops", 3000, N, 3000, "troops", "up to", "count"),
    ("Upwards of 40,000 people attended.", "Upwards of 40,000 people", 40000, 40000, N, "people", "upwards of", "count"),
    ("In excess of 500 vehicles were seized.", "In excess of 500 vehicles", 500, 500, N, "vehicles", "in excess of", "count"),
    # approximations
    ("About 1,500 troops arrived.", "About 1,500 troops", 1500, 1400, 1600, "troops", "about", "count"),
    ("Around 10,000 personnel took part.", "Around 10,000 personnel", 10000, 9000, 11000, "personnel", "around", "count"),
    ("Roughly 2 million people fled.", "Roughly 2 million people", 2_000_000, 1_800_000, 2_200_000, "people", "roughly", "count"),
    ("Some 8,000 soldiers were seen.", "Some 8,000 soldiers", 8000, 7200, 8800, "soldiers", "some", "count"),
    ("An estimated 100,000 Ukrainians were killed.", "An estimated 100,000 Ukrainians", 100000, 90000, 110000, "Ukrainians", "an estimated", "count"),
    ("Approximately 700 marines landed.", "Approximately 700 marines", 700, 630, 770, "marines", "approximately", "count"),
    ("Close to 5,000 troops gathered.", "Close to 5,000 troops", 5000, 4500, 5500, "troops", "close to", "count"),
    # vague amounts
    ("Pyongyang has dispatched thousands of troops.", "thousands of troops", N, 2000, 99999, "troops", "thousands of", "count"),
    ("Hundreds of civilians were trapped.", "Hundreds of civilians", N, 200, 1999, "civilians", "hundreds of", "count"),
    ("Dozens of missiles were fired.", "Dozens of missiles", N, 24, 99, "missiles", "dozens of", "count"),
    ("Hundreds of people were evacuated.", "Hundreds of people", N, 200, 1999, "people", "hundreds of", "count"),
    ("Millions of voters stayed home.", "Millions of voters", N, 2_000_000, 99_999_999, "voters", "millions of", "count"),
    ("Tens of millions of people were affected.", "Tens of millions of people", N, 20_000_000, 99_999_999, "people",
     "tens of millions of", "count"),
    ("Tens of thousands of people protested.", "Tens of thousands of people", N, 20000, 99999, "people", "tens of thousands of", "count"),
    ("Hundreds of thousands of refugees fled.", "Hundreds of thousands of refugees", N, 200000, 999999, "refugees", "hundreds of thousands of", "count"),
    ("Millions of people lost power.", "Millions of people", N, 2e6, 1e8 - 1, "people", "millions of", "count"),
    ("Several thousand troops massed.", "Several thousand troops", N, 3000, 9000, "troops", "several thousand", "count"),
    ("A few hundred soldiers stayed.", "A few hundred soldiers", N, 200, 500, "soldiers", "a few hundred", "count"),
    ("Scores of villagers were killed.", "Scores of villagers", N, 40, 199, "villagers", "scores of", "count"),
    ("A handful of journalists were allowed in.", "A handful of journalists", N, 2, 5, "journalists", "a handful of", "count"),
    ("A couple of thousand fighters joined.", "A couple of thousand fighters", N, 2000, 3000, "fighters", "a couple of thousand", "count"),
    ("More than thousands of troops.", "More than thousands of troops", N, 2000, N, "troops", "more than thousands of", "count"),
    ("Thousands fled the city.", "Thousands", N, 2000, 99999, N, "thousands", "count"),
    # percentages
    ("The economy grew 2.5% last year.", "2.5%", 2.5, 2.5, 2.5, "%", N, "percent"),
    ("Inflation fell to 3.1 per cent.", "3.1 per cent", 3.1, 3.1, 3.1, "%", N, "percent"),
    ("Support rose 12 percent.", "12 percent", 12, 12, 12, "%", N, "percent"),
    ("Rates rose by 2 percentage points.", "2 percentage points", 2, 2, 2, "percentage points", N, "percent"),
    ("About 40% of voters agreed.", "About 40%", 40, 36, 44, "%", "about", "percent"),
    ("Between 5% and 7% of GDP is spent.", "Between 5% and 7%", N, 5, 7, "%", "between", "percent"),
    ("Turnout was 10-15%.", "10-15%", N, 10, 15, "%", N, "percent"),
    ("More than 60 percent said yes.", "More than 60 percent", 60, 60, N, "%", "more than", "percent"),
    # money
    ("The US approved $1.2 billion in aid.", "$1.2 billion", 1.2e9, 1.2e9, 1.2e9, "USD", N, "money"),
    ("It signed a €30m deal.", "€30m", 3e7, 3e7, 3e7, "EUR", N, "money"),
    ("Britain pledged £5bn.", "£5bn", 5e9, 5e9, 5e9, "GBP", N, "money"),
    ("Sales reached 1.2 billion dollars.", "1.2 billion dollars", 1.2e9, 1.2e9, 1.2e9, "USD", N, "money"),
    ("The fund holds US$500 million.", "US$500 million", 5e8, 5e8, 5e8, "USD", N, "money"),
    ("More than $60 billion was approved.", "More than $60 billion", 6e10, 6e10, N, "USD", "more than", "money"),
    ("The loan is worth 50 billion euros.", "50 billion euros", 5e10, 5e10, 5e10, "EUR", N, "money"),
    ("A fine of 3 million roubles was imposed.", "3 million roubles", 3e6, 3e6, 3e6, "RUB", N, "money"),
    ("It costs EUR 250 per person.", "EUR 250", 250, 250, 250, "EUR", N, "money"),
    ("Up to $5 million could be paid.", "Up to $5 million", 5e6, N, 5e6, "USD", "up to", "money"),
    ("The budget is 300 million yuan.", "300 million yuan", 3e8, 3e8, 3e8, "CNY", N, "money"),
    # measures
    ("The troops were 300 km from the border.", "300 km", 300, 300, 300, "km", N, "measure"),
    ("He was jailed for 15 years.", "15 years", 15, 15, 15, "years", N, "measure"),
    ("About 2 million tonnes of grain were shipped.", "About 2 million tonnes", 2e6, 1.8e6, 2.2e6, "tonnes", "about", "measure"),
]

# Numbers that are not quantities: years, dates, ordinals, times, phones, identifiers.
NOT_QUANTITIES = [
    "The talks resumed on Jan. 5, 2024 at 9 a.m.",
    "He met Putin on October 18 at 10:30.",
    "It happened on 18 October 2024.",
    "The invasion began in February 2022.",
    "In 2024 the war continued.",
    "The 2022 invasion changed everything.",
    "Call 555-0100 or +1 202 555 0100 for details.",
    "Call (202) 555-0100 now.",
    "The F-16 and the Su-34 flew over.",
    "COVID-19 spread fast.",
    "Article 5 of the treaty applies.",
    "He was ranked No. 1 last season.",
    "It was the 18th attack this month.",
    "The 1990s were calmer.",
    "Flight MH17 was downed.",
    "The team won 3-2.",
    "The report was dated 10/18/2024.",
    "They spoke at 9pm.",
    "The G7 met on 2024-10-18.",
    "One of the soldiers said he would return.",
    "Lt. Col. Ivan Petrov, 45, was killed.",
    "The 2023-24 season ended.",
    "He made a 10-day visit.",
]


def _check(q: Quantity, span: str, value, low, high, unit, qualifier, kind) -> None:
    assert q.text == span
    assert (q.value, q.low, q.high) == (
        pytest.approx(value) if value is not None else None,
        pytest.approx(low) if low is not None else None,
        pytest.approx(high) if high is not None else None,
    )
    assert q.unit == unit
    assert q.qualifier == qualifier
    assert q.kind == kind


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 80


@pytest.mark.parametrize("sentence,span,value,low,high,unit,qualifier,kind", CASES, ids=[c[1] for c in CASES])
def test_expression(sentence, span, value, low, high, unit, qualifier, kind) -> None:
    found = parse_quantities(sentence)
    assert len(found) == 1, [q.text for q in found]
    q = found[0]
    assert sentence[q.start:q.end] == q.text
    _check(q, span, value, low, high, unit, qualifier, kind)


@pytest.mark.parametrize("sentence", NOT_QUANTITIES)
def test_not_quantities(sentence: str) -> None:
    assert [q.text for q in parse_quantities(sentence)] == []


def test_several_in_one_sentence_and_offsets() -> None:
    text = ("Ukraine said about 11,000 North Korean troops were in Kursk on Nov. 4, 2024, "
            "while Seoul put the figure at 10,000 and Washington at more than 8,000 soldiers; "
            "£2.26bn ($3bn) was pledged.")
    found = parse_quantities(text)
    assert [q.text for q in found] == [
        "about 11,000 North Korean troops", "10,000", "more than 8,000 soldiers", "£2.26bn", "$3bn",
    ]
    for q in found:
        assert text[q.start:q.end] == q.text
    assert found[1].unit is None and found[1].value == 10000


def test_counted_noun_stops_at_a_line_break() -> None:
    found = parse_quantities("Estimates: 10,000 to 12,000\nOutlet news follows")
    assert [(q.text, q.unit) for q in found] == [("10,000 to 12,000", None)]


def test_change_from_to_is_two_figures_not_a_range() -> None:
    found = parse_quantities("Troop numbers rose from 3,000 to 5,000 soldiers.")
    assert [(q.value, q.low, q.high) for q in found] == [(3000, 3000, 3000), (5000, 5000, 5000)]


def test_seed_article_numbers() -> None:
    path = Path(__file__).resolve().parents[2] / "shared" / "seed" / "article.txt"
    if not path.is_file():
        pytest.skip(f"seed article not found at {path}")
    text = path.read_text(encoding="utf-8")
    found = parse_quantities(text)
    assert [q.text for q in found] == ["thousands of troops", "8,000 North Korean soldiers"]
    troops, soldiers = found
    assert troops.value is None and troops.is_range
    assert (troops.low, troops.high, troops.qualifier, troops.unit) == (2000, 99999, "thousands of", "troops")
    assert (soldiers.value, soldiers.low, soldiers.high, soldiers.qualifier) == (8000, 8000, 8000, None)
    assert soldiers.unit is not None and "soldiers" in soldiers.unit
    assert same_counted_thing(troops, soldiers)


@pytest.mark.parametrize(
    "unit,head",
    [
        ("North Korean soldiers", "troops"),
        ("troops", "troops"),
        ("special-forces soldiers", "troops"),
        ("personnel", "troops"),
        ("Russian forces", "troops"),
        ("soldier", "troops"),
        ("US service members", "troops"),
        ("people", "people"),
        ("residents", "people"),
        ("tanks", "tank"),
        ("tank", "tank"),
        ("civilians", "civilian"),
        ("casualties", "casualties"),
        ("refugees", "refugees"),
        ("USD", "USD"),
        ("%", "%"),
        (None, None),
        ("", None),
    ],
)
def test_counted_head(unit, head) -> None:
    assert counted_head(unit) == head


def _q(unit: str | None, kind: str = "count", value: float = 1.0) -> Quantity:
    return Quantity(value, value, value, unit, None, "x", 0, 1, kind)


def test_same_counted_thing() -> None:
    assert same_counted_thing(_q("North Korean soldiers"), _q("troops"))
    assert same_counted_thing(_q("USD", "money"), _q("USD", "money"))
    assert not same_counted_thing(_q("USD", "money"), _q("EUR", "money"))
    assert not same_counted_thing(_q("troops"), _q("tanks"))
    assert not same_counted_thing(_q("troops"), _q("%", "percent"))
    assert not same_counted_thing(_q(None), _q(None))
    assert same_counted_thing(_q("%", "percent"), _q("%", "percent"))


# ------------------------------------------------------------------ the general rules of issue 14
# (sentence, [(value or (low, high), unit head, kind), ...]): written for each rule, not taken
# from the real-claims table below (which is measured as a whole).
RULES: list[tuple[str, list[tuple[object, str | None, str]]]] = [
    # a capitalised name followed by a bare number names a model, flight or article
    ("The Atari 2600 video game console sold 30 million units.", [(30e6, "unit", "count")]),
    ("The Boeing 737 Max 8 was grounded after two crashes.", [(2, "crash", "count")]),
    ("Article 370 gave Kashmir special status for 70 years.", [(70, "year", "measure")]),
    ("Flight 370 vanished with 239 people on board.", [(239, "people", "count")]),
    ("COVID-19 has killed 10,000 people there.", [(10000, "people", "count")]),
    ("The K to 12 education system adds two years of school.", [(2, "year", "measure")]),
    ("His bill, HB 97, would cost $5 million.", [(5e6, "USD", "money")]),
    # the counted noun is the head of the phrase, never a preposition or a verb
    ("Police found FOUR without their parents.", [(4, None, "count")]),
    ("Says 315,000 mostly minority Texas students are enrolled.", [(315000, "student", "count")]),
    ("They built 10,000 brand-new, beautiful factories.", [(10000, "factory", "count")]),
    ("More than 250 (voter registration) groups have filed.", [(250, "group", "count")]),
    # coordinated figures: one figure per thing named
    ("The strike killed 10 women and 23 children.", [(10, "woman", "count"), (23, "child", "count")]),
    # money: slang, letters and the Indian scale
    ("Gas costs four bucks a gallon.", [(4, "USD", "money")]),
    ("Nigeria's revenues stood at N950 billion.", [(950e9, "NGN", "money")]),
    ("The inflow amounted to R17 billion.", [(17e9, "ZAR", "money")]),
    ("He gets Rs 1 cr a year.", [(1e7, "INR", "money")]),
    ("More than 50 lakh women will benefit.", [(5e6, "woman", "count")]),
    ("The median income was -$1,548 in 2018.", [(-1548, "USD", "money")]),
    ("They owe billions of dollars.", [((2e9, 99999999999), "USD", "money")]),
    # shares
    ("One in four Nigerians is affected.", [(25, "%", "percent")]),
    ("One out of every five officers was hurt.", [(20, "%", "percent")]),
    ("A third of all illegal aliens go to California.", [(33.333333, "%", "percent")]),
    # a reference to things already named is not a figure; an amount after "the" still is
    ("Cooperation was a bilateral affair of the two countries.", []),
    ("It is a bilateral matter between two sovereign states.", []),
    ("Nigeria earned $383 billion in the four years before.", [(383e9, "USD", "money"), (4, "year", "measure")]),
    ("The 1,500 troops arrived.", [(1500, "troops", "count")]),
    # year spans, ranks and rates
    ("The Kenyan government connected 6.9 million people in the period 2014 to 2019.", [(6.9e6, "people", "count")]),
    ("It ranks South Africa number 82 out of 190 countries.", [(190, "country", "count")]),
    ("Most places are at 60 deaths per 100,000 people.", [(60, "deaths", "count")]),
    # ages
    ("Veterans aged 20 to 24 cannot find a job.", [((20, 24), "year", "measure")]),
]


def _head(kind: str, unit: str | None) -> str | None:
    if kind in ("money", "percent") or unit is None:
        return unit
    return counted_head(unit.split()[-1] if kind == "measure" else unit)


def _number(x: SupportsFloat | tuple[Any, ...]) -> object:
    return tuple(round(float(v), 4) for v in x) if isinstance(x, tuple) else round(float(x), 4)


@pytest.mark.parametrize("sentence,expected", RULES, ids=[s[:40] for s, _ in RULES])
def test_general_rules(sentence: str, expected: list) -> None:
    got = [(_number(q.value if q.value is not None else (q.low, q.high)), _head(q.kind, q.unit), q.kind)
           for q in parse_quantities(sentence)]
    assert got == [(_number(v), _head(k, u), k) for v, u, k in expected]


REAL_TABLE = Path(__file__).parent / "data" / "real_claims_figures.jsonl"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.mark.skipif(not (SHARED_DATA / "averitec" / "train.json").is_file(), reason="public data folder absent")
def test_real_claims_figure_table() -> None:
    """192 sentences of AVeriTeC numerical claims and LIAR-PLUS claims, annotated by hand
    (the table points into ../shared/data: those datasets may not be copied here)."""
    from claims.eval.quantities import evaluate_quantities

    result = evaluate_quantities(REAL_TABLE, SHARED_DATA, show_errors=True)
    assert result["n_sentences"] >= 150
    assert result["precision"] >= 0.95, result["errors"]
    assert result["recall"] >= 0.95, result["errors"]


def test_eval_quantities_command(tmp_path: Path, prefect_home) -> None:
    """`claims eval quantities` on a table of the user's own sentences: exact matches only."""
    import json

    from tests.conftest import cli_env, run_cli

    table = tmp_path / "figures.jsonl"
    rows = [
        {"text": "Russia sent 8,000 North Korean soldiers.", "figures": [{"kind": "count", "value": 8000,
                                                                          "unit": "soldiers"}]},
        {"text": "The Boeing 737 carried 150 people.", "figures": [{"kind": "count", "value": 150, "unit": "people"}],
         "not_figures": [{"text": "Boeing 737", "kind": "identifier"}]},
        {"text": "Prices rose by more than 5% in 2024.", "figures": [{"kind": "percent", "low": 5, "high": None,
                                                                        "unit": "%"}]},
        # annotated as money on purpose: the parse (a count of tanks) does not match
        {"text": "They bought 40 tanks.", "figures": [{"kind": "money", "value": 40, "unit": "USD"}]},
    ]
    table.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = run_cli(["eval", "quantities", "--data", str(table), "--errors"],
                     cli_env(tmp_path / "x.duckdb", prefect_home))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["n_figures"], report["n_predicted"], report["n_matched"]) == (4, 4, 3)
    assert report["precision"] == 0.75 and report["recall"] == 0.75
    assert [e["text"] for e in report["errors"]] == ["They bought 40 tanks."]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"source": "nowhere.json#3", "figures": []}\n', encoding="utf-8")
    missing = run_cli(["eval", "quantities", "--data", str(bad)], cli_env(tmp_path / "x.duckdb", prefect_home))
    assert missing.returncode == 1 and "Error:" in missing.stderr and "--sources" in missing.stderr
