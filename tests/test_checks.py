"""The verdict engine's named figure checks (claims/score/checks.py), each on real sentences
of more than one desk set, and through figure_judgements as the verdict stage calls it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest

from claims.errors import ConfigError, InputError
from claims.eval.files import jsonl_rows
from claims.extract import primary_quantity
from claims.extract.quantities import parse_quantities
from claims.extract.scope import claim_scope, figure_thing
from claims.models import Claim, Document, Passage, Quantity
from claims.pipeline import Candidates, judge_facts, policy_from_settings
from claims.score.checks import (
    CHECKS,
    claim_tolerance,
    converted,
    derived_values,
    describes_subject,
    is_opinion,
    kind_confusion,
    opposition,
    precision_unit,
    quote_finding,
    rate_denominator,
    vote_tally,
)
from claims.score.numbers import figure_judgements, figure_span
from claims.score.passages import table_rows
from claims.score.roles import Role
from claims.score.verdict import VerdictPolicy, _text_stance
from claims.settings import Settings

ARTICLE_DAY = date(2025, 10, 28)


def only(text: str) -> Quantity:
    [q] = parse_quantities(text)
    return q


def relations(claim: str, passage: str, disabled: frozenset[str] = frozenset(),
              published: date = date(2025, 10, 15), context: str = "") -> list[tuple[str, str]]:
    """(relation, passage figure text) of every passage figure judged against the claim's figure
    (``context``: the passage's whole document)."""
    quantities = parse_quantities(claim)
    q = primary_quantity(quantities, claim)
    scope = claim_scope(claim, q, ARTICLE_DAY)
    found = figure_judgements(claim, q, passage, claim_date=ARTICLE_DAY, passage_date=published,
                              claim_scope=scope, disabled=disabled, context=context)
    return [(j.relation, j.quantity.text if j.quantity else "") for j in found]


# -- reading figures ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("cut its main interest rate by a quarter of a percentage point to 3.75%", 0.25, "percentage points"),
    ("raised the rate by half a percentage point", 0.5, "percentage points"),
    ("It is a 48-kilometre line.", 48.0, "kilometre"),
    ("the 30-mile link across the estuary", 30.0, "mile"),
])
def test_figures_written_as_fractions_and_modifiers(text: str, value: float, unit: str) -> None:
    q = parse_quantities(text)[0]
    assert (q.value, q.unit) == (value, unit)


def test_a_change_and_a_level_are_two_figures_not_a_range() -> None:
    # energy-transport-crime: "Robberies, by contrast, rose 7.4% to 2,480."
    first, second = parse_quantities("Robberies, by contrast, rose 7.4% to 2,480.")
    assert (first.value, first.unit, second.value) == (7.4, "%", 2480.0)
    # a range with the sign on both ends is still a range
    [q] = parse_quantities("5% to 7% of voters")
    assert (q.low, q.high) == (5.0, 7.0)


def test_a_modifier_of_days_is_still_no_figure() -> None:
    assert parse_quantities("a 10-day visit") == []


# -- precision ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "unit"), [
    ("3.2%", 0.1), ("240,000 customers", 10_000), ("1.2 million households", 100_000), ("12 hours", 1),
    ("6,420 officers", 10),
])
def test_precision_unit_is_the_last_significant_digit_as_written(text: str, unit: float) -> None:
    assert precision_unit(only(text)) == pytest.approx(unit)


def test_claim_tolerance_is_its_own_precision_capped_by_the_setting() -> None:
    assert claim_tolerance(only("3.2%"), 0.05) == pytest.approx(0.05 / 3.2)
    assert claim_tolerance(only("240,000 customers"), 0.05) == pytest.approx(5_000 / 240_000)
    assert claim_tolerance(only("10 hospitals"), 0.05) == pytest.approx(0.05)  # never wider than the setting
    assert claim_tolerance(only("about 40 crowns"), 0.05) == 0.05  # a hedge keeps its own slack


def test_precision_check_tells_3_2_from_3_1_percent() -> None:
    # energy-transport-crime: the flash estimate was 3.2%, the final figure 3.1%
    claim = "Annual inflation was 3.2% in September."
    passage = "Annual consumer price inflation was 3.1% in September, the National Statistics Bureau said."
    assert ("mismatch", "3.1%") in relations(claim, passage)
    assert ("match", "3.1%") in relations(claim, passage, disabled=frozenset({"precision"}))


def test_rounded_claims_still_match_precise_reports() -> None:
    # a round figure in the article, an exact one in the source: within its rounding
    claim = "The fire cut power to 12,000 homes in the valley."
    assert relations(claim, "The fire cut power to 11,830 homes in the valley.") == [("match", "11,830 homes")]
    assert relations(claim, "The fire cut power to 11,400 homes in the valley.") == [("mismatch", "11,400 homes")]


# -- units ----------------------------------------------------------------------------------


def test_converted_measure_carries_the_claim_unit() -> None:
    miles = only("48 miles")
    km = only("a 48-kilometre line")
    q = converted(miles, km)
    assert q is not None and q.unit == "miles" and q.value == pytest.approx(29.83, abs=0.01)
    assert converted(miles, only("48 miles")) is None  # the same unit: nothing to convert
    assert converted(only("400 hectares"), only("12,000 tonnes")) is None  # another dimension


def test_miles_claim_refuted_by_a_kilometre_figure() -> None:
    # energy-transport-crime: "The line runs for 48 miles" against a 48-kilometre line
    claim = "The line runs for 48 miles between Kellport and Brastow."
    passage = "The 48-kilometre line between Kellport and Brastow will cost more than planned."
    assert [r for r, _ in relations(claim, passage)] == ["mismatch"]
    assert relations(claim, passage, disabled=frozenset({"units"})) == []


def test_acres_and_hectares_agree_after_conversion() -> None:
    claim = "The farm covers about 990 acres."
    passage = "The farm covers 400 hectares of wheat."
    assert [r for r, _ in relations(claim, passage)] in (["match"], ["consistent"])


def test_a_yield_per_hectare_is_converted_before_it_is_compared_with_one_per_acre() -> None:
    # migration-aviation-farming: the article's yield per acre against the ministry's per hectare
    claim = "Average wheat yields fell to 2.1 tonnes per acre."
    assert [r for r, _ in relations(claim, "Average wheat yields fell to 2.1 tonnes per hectare this year.")] == [
        "mismatch"]  # 2.1 t/ha is 0.85 t/acre
    assert [r for r, _ in relations(claim, "Average wheat yields fell to 5.2 tonnes per hectare this year.")] == [
        "match"]  # 5.2 t/ha is 2.10 t/acre
    # a rate per a span of time is left to rate_period; a plain amount has no denominator
    assert rate_denominator("2.1 tonnes per acre", only("2.1 tonnes per acre")) == ("area", 4046.8564)
    assert rate_denominator("5 litres a square metre", only("5 litres a square metre")) == ("area", 1.0)
    assert rate_denominator("40 crowns a month", only("40 crowns a month")) is None
    assert rate_denominator("2.1 tonnes of wheat", only("2.1 tonnes of wheat")) is None


def test_durations_compare_across_hours_and_days() -> None:
    # energy-transport-crime / ports-weather style: an outage or a blockage in hours and in days
    assert [r for r, _ in relations("The canal was blocked for 30 hours.",
                                    "The canal was blocked for two days.")] == ["mismatch"]
    # "nearly two days" is a figure in whole days (36 to 60 hours): 41 hours is within it
    assert [r for r, _ in relations("The canal was blocked for 41 hours.",
                                    "The canal was blocked for nearly two days.")] in (["consistent"], ["match"])
    # a bound stays a bound: "more than two days" is not 41 hours
    q = converted(only("41 hours"), only("more than two days"))
    assert q is not None and q.low == pytest.approx(48.0) and q.high is None


@pytest.mark.parametrize(("claim", "passage", "value"), [
    ("40 nautical miles", "74 km", 39.96),
    ("4,200 acre-feet", "5.18 billion litres", 4199.5),
    ("2.3 GWh", "2,300 MWh", 2.3),
    ("3 megalitres", "3,000 cubic metres", 3.0),
])
def test_more_units_convert(claim: str, passage: str, value: float) -> None:
    q = converted(only(claim), only(passage))
    assert q is not None and q.value == pytest.approx(value, rel=1e-3)


# -- kinds ----------------------------------------------------------------------------------


def test_percent_and_points_are_other_kinds() -> None:
    assert kind_confusion(only("by 25%"), only("by a quarter of a percentage point"))
    assert kind_confusion(only("0.4 percentage points"), only("3.1%"))
    assert not kind_confusion(only("25%"), only("30%"))


def test_rate_cut_in_percent_refuted_by_a_cut_in_points() -> None:
    # energy-transport-crime: "cut its main interest rate by 25%" (the cut was 0.25 points)
    claim = "The National Bank of Estrevia cut its main interest rate by 25% on October 23."
    passage = ("The National Bank of Estrevia cut its main interest rate by a quarter of a percentage point to "
               "3.75% on Thursday, its second cut this year.")
    assert ("mismatch", "a quarter of a percentage point") in relations(claim, passage, published=date(2025, 10, 23))
    assert ("mismatch", "a quarter of a percentage point") not in relations(
        claim, passage, disabled=frozenset({"kinds"}), published=date(2025, 10, 23))


# -- derived figures ------------------------------------------------------------------------


def test_derived_values_differences_and_percentage_changes() -> None:
    levels = [only("1,716 crowns"), only("1,842 crowns")]
    assert (126.0, "1,842 - 1,716") in derived_values(only("126 crowns"), levels)
    changes = [round(v, 2) for v, _ in derived_values(only("7.3%"), levels)]
    assert 7.34 in changes
    points = [round(v, 2) for v, _ in derived_values(only("0.4 percentage points"), [only("3.5%"), only("3.1%")])]
    assert points == [0.4]


@pytest.mark.parametrize("claim", [
    "The new cap is 126 crowns higher than the previous one.",
    "The new cap is 7.3% higher than the previous one.",
])
def test_a_stated_change_is_computed_from_two_levels(claim: str) -> None:
    passage = "The regulator raised the cap from 1,716 crowns to 1,842 crowns a year for a typical household."
    found = relations(claim, passage, published=date(2025, 9, 26))
    assert [r for r, _ in found if r != "other_scope"] == ["match"]  # the levels are another thing than a change
    assert all(r == "other_scope" for r, _ in relations(claim, passage, disabled=frozenset({"derived"}),
                                                          published=date(2025, 9, 26)))


def test_a_change_in_points_from_two_rates() -> None:
    # migration-aviation-farming style: the change between two months' annual rates
    claim = "Inflation fell by 0.4 percentage points between August and September."
    passage = "Annual inflation fell to 3.1% in September from 3.5% in August, official figures showed."
    assert ("match", "3.1% in September from 3.5%") in relations(claim, passage)


def test_no_derived_match_without_a_change_in_the_claim() -> None:
    claim = "The cap is 126 crowns for a typical household."
    passage = "The regulator raised the cap from 1,716 crowns to 1,842 crowns a year."
    assert all(r != "match" for r, _ in relations(claim, passage, published=date(2025, 9, 26)))


# -- descriptors ----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Dunmarrow has the highest crime rate of Estrevia's five largest cities.", True),
    ("Harbour Bank is one of 12 biggest lenders in the region.", True),
    ("Five people were injured in the fire.", False),
    ("The force had 6,420 officers at the end of June.", False),
    # ports-weather: the size of one ship or container, not a number of them
    ("The toll for a 10,000 TEU container ship will rise to about 206,000 dalen.", True),
    ("Spot rates for a 40-foot container jumped to 2,690 dalen.", True),
    ("The port handled 471,000 TEU in October.", False),
])
def test_numbers_that_describe_the_subject(text: str, expected: bool) -> None:
    q = parse_quantities(text)[0]
    assert describes_subject(text, q) is expected


# -- opposites ------------------------------------------------------------------------------


@pytest.mark.parametrize(("claim", "sentence", "cue"), [
    # energy-transport-crime: a minister's words turned round
    ("Energy Minister Ilse Marrinan said the government would scrap its 150-crown winter support payment.",
     "Marrinan said the government would keep its 150-crown winter support payment for pensioner households.",
     "keep (the claim: scrap)"),
    ("Transport Minister Anneli Quist has also resigned.",
     "Transport Minister Anneli Quist rejected opposition calls for her own resignation.",
     "rejected opposition calls for her own resignation"),
    ("The October cut was the bank's first rate cut this year.",
     "The bank cut its main interest rate on Thursday, its second cut this year, as inflation eased.",
     "second cut (the claim: first)"),
    # migration-aviation-farming style: a vote turned round
    ("The council approved the new runway on Tuesday.", "The council rejected the new runway on Tuesday.",
     "rejected (the claim: approv)"),
])
def test_opposition_finds_the_words_against_the_claim(claim: str, sentence: str, cue: str) -> None:
    assert opposition(claim, sentence) == cue


@pytest.mark.parametrize(("claim", "sentence"), [
    ("Prices rose 3% in May.", "Prices rose 3% in May, the statistics office said."),
    ("The council approved the new runway.", "The council approved the runway and rejected a second terminal."),
    ("Quist denied that she had resigned.", "Quist denied reports that she had resigned."),
])
def test_no_opposition_where_the_sentence_agrees(claim: str, sentence: str) -> None:
    assert opposition(claim, sentence) is None


# -- series --------------------------------------------------------------------------------


def test_a_month_on_month_claim_is_not_backed_by_the_annual_rate() -> None:
    # energy-transport-crime: "Consumer prices rose 3.1% in September alone" (3.1% is the annual rate)
    claim = "Consumer prices rose 3.1% in September alone."
    passage = "Annual consumer price inflation was 3.1% in September, the National Statistics Bureau said."
    assert relations(claim, passage) == [("other_scope", "3.1%")]
    assert relations(claim, passage, disabled=frozenset({"series"})) == [("match", "3.1%")]


def test_a_rate_per_month_against_a_rate_per_year() -> None:
    claim = "The scheme pays a typical household about 40 crowns a month."
    assert [r for r, _ in relations(claim, "The scheme pays a typical household 480 crowns a year.")] == ["match"]
    assert [r for r, _ in relations(claim, "The scheme pays a typical household 1,842 crowns a year.")] == \
        ["mismatch"]


def test_all_of_a_thing_is_not_most_of_it() -> None:
    # energy-transport-crime: restoring every customer took 31 hours; most were back within 12
    claim = "Kestrel Grid took 31 hours to restore power to every customer."
    passage = "Most customers had their power restored within 12 hours, Kestrel Grid said."
    assert all(r == "other_scope" for r, _ in relations(claim, passage, published=date(2025, 10, 14)))


def test_a_fall_written_as_a_negative_figure() -> None:
    # energy-transport-crime's statistics table: "Total recorded crime | 96,480 | 91,210 | -5.5%"
    claim = "Recorded crime in Dunmarrow fell 5.5% in the year to June 2025."
    passage = "Recorded crime in Dunmarrow in the year to June 2025 | 96,480 | 91,210 | -5.5%"
    assert ("match", "-5.5%") in relations(claim, passage, published=date(2025, 10, 2))


def test_a_shared_adjective_does_not_make_two_figures_one_thing() -> None:
    claim = "The cut will save a typical mortgage holder about 40 crowns a month."
    passage = "The energy price cap will be 1,842 crowns a year for a typical household."
    assert all(r == "other_scope" for r, _ in relations(claim, passage, published=date(2025, 9, 26)))


# -- the registry ---------------------------------------------------------------------------


def test_every_check_is_named_and_settings_refuse_unknown_names() -> None:
    assert set(CHECKS) == {"precision", "units", "bare_counts", "kinds", "derived", "descriptor", "facts", "series",
                           "tallies", "details_in_words", "opinion",
                           "opposites", "verifier", "superlatives", "same_figure", "quotes"}
    assert policy_from_settings(Settings(disabled_checks=["units"])).disabled_checks == frozenset({"units"})
    with pytest.raises(ConfigError, match="names no check 'unit'"):
        policy_from_settings(Settings(disabled_checks=["unit"]))


def test_a_quarter_total_is_not_a_month_count() -> None:
    # migration-aviation-farming: 6,260 applications were the July-September total
    claim = "A total of 6,260 asylum applications were lodged in September."
    passage = "In the third quarter, from July to September, 6,260 asylum applications were lodged."
    assert relations(claim, passage, published=date(2025, 10, 2)) == [("other_scope", "6,260 asylum applications")]
    assert relations(claim, passage, published=date(2025, 10, 2), disabled=frozenset({"series"})) == [
        ("match", "6,260 asylum applications")]


@pytest.mark.parametrize(("url", "title", "text", "expected"), [
    # energy-transport-crime and migration-aviation-farming each hold one column
    ("https://ledger.example.com/2025/10/24/opinion-national-bank-blinked", "The bank has blinked", "OPINION\n\nThe",
     True),
    ("https://star.example.com/comment/drought-and-prices", "The drought", "Food prices", True),
    (None, "Editorial: the recount", "The city", True),
    ("https://press.example.com/2025/10/23/national-bank-cuts-rates", "Bank cuts rates", "DUNMARROW - The bank", False),
    ("https://press.example.com/2025/10/23/columnist-award", "Award for reporters", "The award went to", False),
])
def test_opinion_pieces_are_told_from_reports(url: str | None, title: str, text: str, expected: bool) -> None:
    assert is_opinion(url, title, text) is expected


# -- tables ---------------------------------------------------------------------------------


def test_table_rows_say_each_cell_with_its_row_and_column() -> None:
    # energy-transport-crime's statistics release: a caption, a header row and data rows
    text = ("Table 1. Selected offences recorded by the police\n\n"
            "Offence | Year ending June 2024 | Year ending June 2025 | Change\n"
            "Robbery | 2,310 | 2,480 | +7.4%\n"
            "Burglary | 7,940 | 6,830 | -14.0%\n\n"
            "Table 2. Recorded offences per 1,000 residents\n\nKellport | 88.1\nBrastow | 84.6\n")
    rows = [r[0] for r in table_rows(text)]
    assert rows[0] == ("Table 1. Selected offences recorded by the police. Robbery, year ending June 2024 = 2,310. "
                       "Robbery, year ending June 2025 = 2,480. Robbery, change = +7.4%.")
    assert rows[2:] == ["Table 2. Recorded offences per 1,000 residents. Kellport = 88.1.",
                        "Table 2. Recorded offences per 1,000 residents. Brastow = 84.6."]
    start, end = table_rows(text)[0][1:]
    assert text[start:end] == "Robbery | 2,310 | 2,480 | +7.4%"


def test_a_table_change_matches_the_claims_change() -> None:
    claim = "Robberies, by contrast, rose 7.4% to 2,480."
    [row] = [r[0] for r in table_rows("Offence | Year ending June 2024 | Year ending June 2025 | Change\n"
                                      "Robbery | 2,310 | 2,480 | +7.4%\n")]
    assert ("match", "7.4%") in relations(claim, row, published=date(2025, 10, 2))


def test_a_column_headers_unit_goes_with_its_cells() -> None:
    # migration-aviation-farming's harvest release: the unit stands in the header, in brackets
    table = ("Year | Area harvested (million hectares) | Average yield (tonnes per hectare) | Production (million tonnes)\n"
             "2025 | 1.35 | 2.1 | 2.84\n")
    [row] = [r[0] for r in table_rows(table)]
    assert row == ("2025, area harvested = 1.35 million hectares. 2025, average yield = 2.1 tonnes per hectare. "
                   "2025, production = 2.84 million tonnes.")
    # 2.1 tonnes per hectare is 0.85 tonnes per acre: the cell refutes a claim per acre
    found = relations("Average wheat yields fell to 2.1 tonnes per acre.", row)
    assert ("mismatch", "2.1 tonnes") in found and not any(r == "match" for r, _ in found)
    # a share or a sum in brackets (health-housing / ports-weather style bulletins); a cell
    # that is not a bare number keeps its column as written
    [row] = [r[0] for r in table_rows("Region | Occupancy (%) | Spending (£m) | Beds (n)\n"
                                      "North | 91.4 | 12.5 | n/a\n")]
    assert row == "North, occupancy = 91.4%. North, spending = £12.5m. North, beds (n) = n/a."


def test_a_table_aligned_with_spaces_is_read_row_by_row() -> None:
    # tourism-science-manufacturing's results statement: columns aligned with spaces in a code
    # block, the unit in the row's label
    text = ("```\n"
            "                                  Q3 2024   Q3 2023   Change\n"
            "Revenue (QLR million)               2,910     3,140    -7.3%\n"
            "Vehicles delivered                 38,200    41,900    -8.8%\n"
            "```\n")
    assert [r[0] for r in table_rows(text)] == [
        "Revenue, q3 2024 = 2,910 million QLR. Revenue, q3 2023 = 3,140 million QLR. Revenue, change = -7.3%.",
        "Vehicles delivered, q3 2024 = 38,200. Vehicles delivered, q3 2023 = 41,900. Vehicles delivered, change = -8.8%."]
    # prose with two spaces after a full stop is no table
    assert table_rows("The pass rate rose.  It was the best year.\nThe council met.  It voted 8-1.\n") == []


def test_the_second_end_of_a_comparison_takes_the_unit_of_the_first() -> None:
    # tourism-science-manufacturing / ports-weather style: "148 cruise calls, compared with 131"
    passage = ("The season ended with 148 cruise calls, compared with 131 in 2023. A total of 286,400 "
               "cruise passengers passed through the terminal, against 241,000 the year before.")
    assert ("match", "148 cruise calls, compared with 131") in relations(
        "That is an increase of 17 calls on the year before.", passage, published=date(2024, 11, 1))
    found = relations("Passenger numbers reached 286,400, a rise of almost 19 per cent.", passage,
                      published=date(2024, 11, 1))
    assert [r for r, _ in found] == ["match"]  # 286,400 against 241,000: +18.8%
    assert relations("Passenger numbers reached 286,400, a rise of about 25 per cent.", passage,
                     published=date(2024, 11, 1)) == []  # a computed value that differs proves nothing


def test_a_monthly_table_column_refutes_a_month_claim() -> None:
    # migration-aviation-farming: 6.3% is the annual rate, the month's rise 0.9%
    claim = "Food prices rose 6.3% in September alone."
    rows = [r[0] for r in table_rows("Measure | Change on previous month | Change on a year earlier\n"
                                     "Food prices, September 2025 | 0.9% | 6.3%\n")]
    found = relations(claim, rows[0], published=date(2025, 10, 9))
    assert ("mismatch", "0.9%") in found and ("match", "6.3%") not in found


# -- facts (one fact per figure) --------------------------------------------------------------


def _judged(claim_text: str, passage_text: str, disabled: frozenset[str] = frozenset()) -> str:
    """The label the engine gives ``claim_text`` (read as extraction reads an article
    sentence) against one passage of a report published a week before the article."""
    quantities = parse_quantities(claim_text)
    q = primary_quantity(quantities, claim_text)
    claim = Claim(id="c", document_id="a", text=claim_text, start=0, end=len(claim_text), checkworthiness=1.0,
                  quantity=q, quantities=quantities, claim_date=ARTICLE_DAY,
                  scope=claim_scope(claim_text, q, ARTICLE_DAY))
    document = Document.make(passage_text, url="https://stats.example.org/release", outlet="Statistics Office",
                             published_at=datetime(2025, 10, 2))
    passage = Passage(id="p", document_id=document.id, position=0, text=passage_text, start=0,
                      end=len(passage_text))
    policy = VerdictPolicy(disabled_checks=disabled)
    return judge_facts(Candidates(claim, [(passage, document, 0.9)], None), policy, top_k=10).label


def test_a_second_figure_refuted_refutes_the_claim() -> None:
    # migration-aviation-farming style: the first figure right, the second wrong
    passage = "Asylum applications fell by 7.9% in the quarter to 6,260 applications, from 6,800 a year earlier."
    claim = "Asylum applications fell by 8.9% in the quarter to 6,260 applications."  # its own figure: 6,260
    assert _judged(claim, passage) == "refuted"
    assert _judged(claim, passage, disabled=frozenset({"facts"})) == "supported"
    assert _judged("Asylum applications fell by 7.9% in the quarter to 6,260 applications.", passage) == "supported"


# -- hostile label files (issue 34 item 8) ----------------------------------------------------


@pytest.mark.parametrize(("content", "message"), [
    (b'{"article": "a.txt", "sentence": "caf\xe9"}\n', "is not UTF-8 text"),
    (b"[" * 100_000 + b"]" * 100_000 + b"\n", "nested too deeply"),
    (b'{"article": "' + b"x" * 1_200_000 + b'"}\n', "longer than 1,000,000 bytes"),
])
def test_a_hostile_labels_file_is_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_bytes(content)
    with pytest.raises(InputError, match=message):
        list(jsonl_rows(gold))


def test_a_stance_model_that_is_no_model_is_one_config_error(tmp_path: Path) -> None:
    """issue 34 item 8: a truncated ONNX file or an .npz of objects as stance_model"""
    import numpy as np

    from claims.score.stance import load_stance_model

    folder = tmp_path / "truncated"
    folder.mkdir()
    packaged = Path(__file__).resolve().parents[1] / "claims" / "score" / "data" / "cross_encoder"
    for name in ("model.json", "tokenizer.json"):
        (folder / name).write_bytes((packaged / name).read_bytes())
    (folder / "model.int8.onnx").write_bytes((packaged / "model.int8.onnx").read_bytes()[:100_000])
    objects = tmp_path / "objects.npz"
    np.savez(objects, a=np.array([object()], dtype=object))
    for choice in (folder, objects):
        with pytest.raises(ConfigError, match="could not be loaded"):
            load_stance_model(Settings(stance_model=str(choice)))


# -- the year to a month, "fell by" and "fell", a holder's figure in a report's own words ------


@pytest.mark.parametrize(("text", "start", "end"), [
    ("Recorded crime in Dunmarrow fell 5.5% in the year to June 2025.", date(2024, 7, 1), date(2025, 6, 30)),
    ("Total recorded crime, year ending June 2025 = 91,210.", date(2024, 7, 1), date(2025, 6, 30)),
    ("Exports grew 4% in the 12 months to March.", date(2024, 4, 1), date(2025, 3, 31)),
    ("Profit for the year ended September 30, 2024 was 3 million.", date(2023, 10, 1), date(2024, 9, 30)),
    ("Asylum applications fell in June 2025.", date(2025, 6, 1), date(2025, 6, 30)),  # a month is a month
])
def test_the_year_to_a_month_is_the_twelve_months_it_ends(text: str, start: date, end: date) -> None:
    from claims.extract.scope import time_spans

    [span] = time_spans(text, date(2025, 10, 2))
    assert (span.start, span.end) == (start, end)


def test_fell_by_a_percentage_is_fell_that_percentage() -> None:
    # energy-transport-crime: the claim without "by", the newspaper with it
    claim = "Recorded crime in Dunmarrow fell 5.5% in the year to June 2025."
    passage = "Recorded crime in Dunmarrow fell by 5.5% in the year to June, official figures showed on Thursday."
    assert relations(claim, passage, published=date(2025, 10, 2)) == [("match", "5.5%")]
    # migration-aviation-farming style, the other way round
    assert relations("Asylum applications rose by 12% in the year to September 2025.",
                     "Asylum applications rose 12% in the year to September, the statistics office said.",
                     published=date(2025, 10, 2)) == [("match", "12%")]
    # a margin is still not a level: "led by 412 votes" is not "received 412 votes"
    assert relations("Okafor led by 412 votes.", "Okafor received 412 votes.") == [("other_scope", "412 votes")]


def test_a_report_in_its_own_words_bears_out_the_holders_figure() -> None:
    claim = "Recorded crime in Dunmarrow fell 5.5% in the year to June 2025, according to the National Statistics Bureau."
    own_words = "Recorded crime in Dunmarrow fell by 5.5% in the year to June, official figures showed on Thursday."
    assert _judged(claim, own_words) == "supported"
    # another holder named, with another figure, is context, not a refutation
    other = "Recorded crime in Dunmarrow fell 9% in the year to June, the Dunmarrow Taxpayers' Alliance claimed."
    assert _judged(claim, other) != "refuted"


# -- reading figures where their words are (issue 31, this round) ---------------------------


def test_a_bare_figure_counts_what_its_clause_names() -> None:
    # migration-aviation-farming: the release names the crossings before the verb that gives the figure
    claim = "Border guards detected 11,400 irregular crossings into Estmark between July and September."
    release = ("Irregular crossings detected at Estmark's land border rose to 11,400 in the third quarter of 2025 "
               "(July to September), up 20.0% from 9,500 in the third quarter of 2024.")
    assert ("match", "11,400") in relations(claim, release, published=date(2025, 10, 2))
    assert relations(claim, release, published=date(2025, 10, 2), disabled=frozenset({"bare_counts"})) == []
    # energy-transport-crime: a table cell, named by its caption, of the claim's own row
    claim = "The Dunmarrow Metropolitan Police had 6,420 officers at the end of June."
    cell = "Table. Police officers by force, 30 June 2025 (selected forces). Dunmarrow Metropolitan Police = 6,180."
    assert relations(claim, cell, published=date(2025, 10, 9), context=cell) == [("mismatch", "6,180")]
    other_row = "Table. Police officers by force, 30 June 2025 (selected forces). Kellport City Police = 3,240."
    assert relations(claim, other_row, published=date(2025, 10, 9), context=other_row) == [("other_scope", "3,240")]
    # examples/desk: a bare figure that is its own clause's subject counts something else
    assert relations("The elections office has received more than 200 public records requests.",
                     "Raman said 803 of the rejected ballots were mail ballots whose signatures did not match "
                     "voter records, 287 arrived after the deadline.") == []


@pytest.mark.parametrize(("text", "unit"), [
    ("The force had 6,420 police officers on June 30, 2025.", "police officers"),
    ("The plan adds 200 staff members.", "staff members"),
    ("About 300 police arrived.", "police"),
])
def test_a_noun_before_a_plural_names_its_kind(text: str, unit: str) -> None:
    assert only(text).unit == unit


def test_the_quarter_of_a_release_is_its_last_whole_quarter() -> None:
    # migration-aviation-farming: "in the quarter" of a release of 2 October is July-September
    claim = "A total of 6,260 asylum applications were lodged in September."
    passage = "Asylum applications lodged in the quarter fell by 7.9%, to 6,260 from 6,800."
    assert relations(claim, passage, published=date(2025, 10, 2))[0] == ("other_scope", "6,260")
    scope = claim_scope("The force had 6,420 officers at the end of June.", None, ARTICLE_DAY)
    assert (scope.start, scope.end) == (date(2025, 6, 30), date(2025, 6, 30))


def test_the_time_after_a_comparison_base_is_the_bases() -> None:
    # migration-aviation-farming: "in 2024" dates the 3.74 million tonnes, not the 2.84 million
    claim = "Estmark's wheat harvest came in at 2.84 million tonnes, about a quarter below last year's crop."
    passage = ("Estmark's 2025 wheat harvest was 2.84 million tonnes, 24.1% less than the 3.74 million tonnes "
               "harvested in 2024.")
    assert ("match", "2.84 million tonnes") in relations(claim, passage, published=date(2025, 10, 6))
    this_year, last_year = (figure_span(passage, q, date(2025, 10, 6)) for q in parse_quantities(passage)[::2])
    assert this_year is not None and this_year.text == ""  # the release's date, not "in 2024"
    assert last_year is not None and last_year.text == "in 2024"


def test_a_correction_notice_refutes_the_figure_it_withdraws() -> None:
    # energy-transport-crime: the newspaper's own correction
    passage = ("Correction, October 4: An earlier version of this article said vehicle thefts in Dunmarrow fell by "
               "41% in the year to June. The correct figure is 14.6%. We apologise for the error.")
    assert _judged("Vehicle thefts fell by 41%.", passage) == "refuted"
    assert _judged("Vehicle thefts fell by 14.6%.", passage) != "refuted"


def test_a_denial_near_a_bound_does_not_refute_a_point_figure() -> None:
    # energy-transport-crime: "more than 12 hours" allows 31 hours; the denial is about another outage
    passage = ("Westmoor Networks said customers who had been without power for more than 12 hours would normally "
               "be entitled to compensation, but that Friday's outage had been shorter than that.")
    assert _judged("Kestrel Grid took 31 hours to restore power to every customer.", passage) != "refuted"


def test_a_level_set_against_another_level_is_no_change() -> None:
    # examples/desk: "fewer than the 40 the mayor had sought" compares two levels
    claim = "It also pays for 25 new police officers, fewer than the 40 the mayor had sought."
    passage = "It pays for 25 new police officers, down from the 40 the mayor requested."
    assert relations(claim, passage)[0] == ("match", "25 new police officers")


def test_the_number_of_a_thing_named_before_counts_it() -> None:
    # migration-aviation-farming: "the number" is the crowd of the sentence before
    claim = "About 5,000 people gathered outside City Hall as the recount began."
    passage = ("Supporters of both candidates gathered outside City Hall as counting began. Police estimated the crowd "
               "at about 1,500 people. A crowd-research team, which analysed drone images of the square, put the "
               "number at between 4,800 and 5,200.")
    assert sorted(relations(claim, passage, published=date(2025, 9, 24), context=passage)) == [
        ("consistent", "between 4,800 and 5,200"), ("mismatch", "about 1,500 people")]


def test_a_margins_earlier_level_is_the_state_before_the_change() -> None:
    # migration-aviation-farming: "from 157 votes to 88" gives the margin before the recount and after
    claim = "A recount cut Teodora Nyquist's winning margin over incumbent mayor Corin Abbasov from 157 votes to 88."
    scope = claim_scope(claim, parse_quantities(claim)[0], ARTICLE_DAY)
    assert scope.start is None and scope.end == ARTICLE_DAY  # some time before the article
    # a margin is not a candidate's total (examples/desk style sentence)
    assert relations(claim, "Nyquist received 48,211 votes and Abbasov 48,054.") == [
        ("other_scope", "48,211 votes"), ("other_scope", "48,054")]
    assert relations(claim, "Nyquist led Abbasov by 157 votes after all ballots were counted.",
                     published=date(2025, 9, 15))[0] == ("match", "157 votes")


@pytest.mark.parametrize(("text", "tally"), [
    ("The council voted 8-1 in favour of the plan.", (8, 1)),
    ("approved a $1.38 billion budget for the 2026 fiscal year by a 7-2 vote", (7, 2)),
    ("The vote was 48-37.", (48, 37)),
    ("The court ruled 4-5 against the state.", (5, 4)),
    ("Chelsea won 3-1 on Sunday.", None),  # a score, no vote
    ("The 2024-25 budget passed.", None),  # a fiscal year
])
def test_a_votes_tally_is_read(text: str, tally: tuple[int, int] | None) -> None:
    assert vote_tally(text) == tally


def test_another_tally_of_the_vote_refutes_the_claim() -> None:
    # examples/desk: the council's vote
    passage = ("The Millbrook City Council on Tuesday night approved a $1.38 billion budget for the 2026 fiscal year "
               "by a 7-2 vote, trimming the mayor's proposal.")
    assert _judged("The city council voted 8-1 to approve the budget.", passage) == "refuted"
    assert _judged("The city council voted 7-2 to approve the budget.", passage) == "supported"
    assert _judged("The city council voted 8-1 to approve the budget.", passage,
                   disabled=frozenset({"tallies"})) != "refuted"


def _word_stance(claim_text: str, sentence: str, disabled: frozenset[str] = frozenset()) -> str:
    """The stance of one sentence without a comparable figure towards an article claim, with a
    stance model that leans to neutral (support 0.2, refute 0.1)."""
    claim = Claim(id="c", document_id="a", text=claim_text, start=0, end=len(claim_text), checkworthiness=1.0,
                  claim_date=ARTICLE_DAY, scope=claim_scope(claim_text, None, ARTICLE_DAY))
    passage = Passage(id="p", document_id="d", position=0, text=sentence, start=0, end=len(sentence))
    return _text_stance(claim, passage, 0.8, Role("asserts"), None, VerdictPolicy(disabled_checks=disabled),
                        np.array([0.2, 0.1, 0.7]))[0]


def test_agreeing_words_without_the_claims_numbers_do_not_support_it() -> None:
    # examples/desk: a sentence that shares the claim's words but not its tally
    claim = "The council voted 8-1 to approve the budget plan."
    vague = "The council voted to approve the budget plan on Tuesday night."
    assert _word_stance(claim, vague) == "neutral"
    assert _word_stance(claim, vague, frozenset({"details_in_words"})) == "support"
    assert _word_stance(claim, "The council voted 8-1 to approve the budget plan on Tuesday night.") == "support"


def test_an_aside_is_not_what_a_figure_measures() -> None:
    # migration-aviation-farming: the recount's cost, its parts listed in an aside
    passage = "The cost of the recount, including staff, security and venue hire, was $310,000."
    q = parse_quantities(passage)[-1]
    assert figure_thing(passage, q) == frozenset({"cost", "recount"})


def test_agreeing_words_without_the_claims_names_do_not_support_it() -> None:
    # energy-transport-crime: the region's blackout says nothing of the one town the claim names
    claim = "The Millbeck fire also knocked out power in the town of Kellford."
    region = "The Millbeck fire knocked out power across the whole region on Thursday night."
    assert _word_stance(claim, region) == "neutral"
    assert _word_stance(claim, region, frozenset({"details_in_words"})) == "support"
    assert _word_stance(claim, "The Millbeck fire knocked out power in the town of Kellford on Thursday night.") \
        == "support"


@pytest.mark.parametrize(("claim", "sentence", "found"), [
    # energy-transport-crime: a fact-check gives the city's rank
    ("Dunmarrow has the highest crime rate of Estrevia's five largest cities.",
     "Of Estrevia's five largest cities, Dunmarrow had the third-highest rate of recorded crime.", True),
    # examples/desk style: a rank claimed below the one stated
    ("It was the second-largest fire in the county's history.", "It was the largest fire in the county's history.",
     True),
    ("It was the largest fire in the county's history.", "It was the largest fire in the county's history.", False),
    ("Dunmarrow has the highest crime rate.", "Dunmarrow has the third-highest unemployment in the region.", False),
])
def test_another_rank_of_the_same_superlative_is_an_opposite(claim: str, sentence: str, found: bool) -> None:
    assert (opposition(claim, sentence) is not None) == found


def test_a_claim_opening_with_a_common_noun_names_it_in_any_case() -> None:
    from claims.score.relevance import relevance

    # examples/desk: "Evacuation orders ..." and "... lifted evacuation orders ..."
    passage = ("PINE HOLLOW, Sunday, Aug. 17, 2025 - County officials lifted evacuation orders for the town of Pine "
               "Hollow on Sunday, allowing about 1,100 residents to return home.")
    assert relevance("Evacuation orders for Pine Hollow were lifted on Sunday, Aug. 17.", passage, 0.75).relevant
    assert not relevance("Evacuation orders for Pine Hollow were lifted on Sunday, Aug. 17.",
                         "Residents returned to their homes after the storm.", 0.75).relevant


def test_a_rate_named_by_its_words_in_a_compound() -> None:
    # migration-aviation-farming: "at first instance" is no time, and "first-instance
    # decisions ... so the rate fell by 3 percentage points" is the claim's share
    claim = "The share of claims approved at first instance fell by three percentage points, to 38%."
    assert claim_scope(claim, parse_quantities(claim)[0], ARTICLE_DAY).time_text is None
    passage = ("First-instance decisions: 5,020 first-instance decisions were issued in the quarter, of which 1,908 "
               "(38%) granted protection. The recognition rate in the third quarter of 2024 was 41%, so the rate "
               "fell by 3 percentage points.")
    assert ("match", "3 percentage points") in relations(claim, passage, published=date(2025, 10, 2), context=passage)


def _verified_stance(claim_text: str, sentence: str, checked: list[float] | None,
                     disabled: frozenset[str] = frozenset(), role: str = "asserts") -> tuple[str, str]:
    """(stance, role) of a passage without figures, with the verifier's (support, refute,
    neutral) probabilities ``checked`` (None: no verifier set) and a stance model unsure."""
    claim = Claim(id="c", document_id="a", text=claim_text, start=0, end=len(claim_text), checkworthiness=1.0,
                  claim_date=ARTICLE_DAY, scope=claim_scope(claim_text, None, ARTICLE_DAY))
    passage = Passage(id="p", document_id="d", position=0, text=sentence, start=0, end=len(sentence))
    stance, _, found, _ = _text_stance(claim, passage, 0.8, Role(role), None, VerdictPolicy(disabled_checks=disabled),
                                       np.array([0.3, 0.3, 0.4]),
                                       np.array(checked) if checked is not None else None)
    return stance, found.role


def test_a_sure_verifier_refutes_a_claim_on_its_topic_and_only_when_set() -> None:
    # migration-aviation-farming: a cause the passage states otherwise
    claim = "The recount was held because the mayor's campaign demanded it."
    passage = "The recount was held automatically because the mayor's margin was below the legal threshold."
    assert _verified_stance(claim, passage, [0.02, 0.95, 0.03]) == ("refute", "disputes")
    assert _verified_stance(claim, passage, [0.02, 0.95, 0.03], frozenset({"verifier"}))[0] != "refute"
    assert _verified_stance(claim, passage, None)[0] != "refute"
    assert _verified_stance(claim, passage, [0.10, 0.60, 0.30])[0] != "refute"  # not sure enough
    # off its topic a sure verifier says nothing (energy-transport-crime)
    assert _verified_stance(claim, "Kestrel Grid restored power to every customer by Friday.",
                            [0.02, 0.95, 0.03])[0] == "neutral"


def test_a_sure_verifier_refutation_outweighs_words_in_common() -> None:
    # examples/desk: most of the claim's words are in the passage, which supports it without a verifier
    claim = "The Millbrook City Council approved the budget on Tuesday night."
    passage = "The Millbrook City Council on Tuesday night approved the budget after a long debate."
    assert _verified_stance(claim, passage, None) == ("support", "asserts")
    assert _verified_stance(claim, passage, [0.95, 0.02, 0.03]) == ("support", "asserts")
    assert _verified_stance(claim, passage, [0.02, 0.95, 0.03]) == ("refute", "disputes")
    # another's words, only reported, are not refuted by the verifier
    assert _verified_stance(claim, passage, [0.02, 0.95, 0.03], role="reports_claim")[0] != "refute"


# -- the new desk sets' readings (examples/desk-health-housing, -ports-weather, -schools-courts-sport)


def test_one_stemmer_meets_a_verbs_forms() -> None:
    from claims.extract.words import stem

    assert stem("approve") == stem("approved") == stem("approves")
    assert stem("rise") == stem("rises") == stem("rising")
    assert stem("scrap") == stem("scrapped") and stem("plan") == stem("planned")
    assert stem("cities") == "city" and stem("called") == "call" and stem("passed") == "pass"
    assert stem("rose") != stem("rise")  # another word, whatever its meaning


def test_a_currency_letter_before_an_amount_is_no_model_number() -> None:
    # schools-courts-sport: "D 298 million" is an amount in the country's currency, not "D 298"
    claim = "The Drossby Arena cost D 298 million to build, against a budget of D 210 million."
    assert [q.value for q in parse_quantities(claim)] == [298_000_000, 210_000_000]
    assert parse_quantities("The Boeing 737 Max and Flight 370") == []  # names with numbers stay names


def test_a_superlative_is_confirmed_only_by_a_passage_that_says_it() -> None:
    # health-housing / ports-weather: the sum is confirmed, the record is not
    claim = "The campaign's budget of 38 million marks is the largest ever spent on flu vaccination."
    sum_only = "The ministry said the campaign's budget was 38 million marks."
    assert _judged(claim, sum_only) == "not_enough_evidence"
    assert _judged(claim, sum_only, frozenset({"superlatives"})) == "supported"
    assert _judged(claim, "The campaign's budget of 38 million marks is the largest ever spent on flu "
                          "vaccination, the ministry said.") == "supported"


def test_a_sentence_missing_the_claims_act_does_not_support_it() -> None:
    # schools-courts-sport: the conviction is named, its quashing is not
    claim = "The court also quashed his conviction for fraud."
    passage = "The appellant was convicted at the criminal court in May of fraud against the port authority."
    assert _word_stance(claim, passage) == "neutral"
    assert _word_stance(claim, "The appeal court quashed his conviction for fraud on Tuesday.") == "support"


def test_a_rejection_of_the_claims_word_in_another_form() -> None:
    # energy-transport-crime: "resigned" against "rejected calls for her own resignation"
    found = opposition("The minister has resigned.", "The minister rejected opposition calls for her resignation.")
    assert found is not None and found.startswith("rejected")
    # ports-weather: a court's decision turned round
    assert opposition("The court quashed the conviction.", "The court upheld the conviction.") is not None


def test_the_months_to_a_date_are_a_period_not_a_figure() -> None:
    # health-housing: "in the 12 months to October" sets the time of the 6.8%
    from claims.extract.quantities import is_time_frame

    text = "Average private rents rose 6.8 per cent in the 12 months to October 2026, to 1,240 marks."
    assert [is_time_frame(text, q) for q in parse_quantities(text)] == [False, True, False]
    text = "It took 12 months to build the stadium."
    assert [is_time_frame(text, q) for q in parse_quantities(text)] == [False]


def test_a_changes_basis_is_read_after_the_figure_first() -> None:
    # health-housing: "average monthly rents rose 6.8% in the 12 months to October" is a change on the year
    from claims.score.checks import change_basis

    text = "Average monthly private rents rose 6.8 per cent in the 12 months to October 2026, to 1,240 marks."
    assert change_basis(text, parse_quantities(text)[0]) == "year"
    text = "Monthly inflation was 0.3% in September, the annual rate 3.1%."
    assert [change_basis(text, q) for q in parse_quantities(text)] == ["month", "year"]
    claim = "Private rents rose 6.8 per cent in October alone."
    assert relations(claim, "Average monthly private rents rose 6.8 per cent in the 12 months to October 2025.")[0][0] \
        == "other_scope"


def test_a_bare_difference_is_computed_from_two_levels() -> None:
    # health-housing: "391 higher than a year earlier" from "3,184, up from 2,793"
    claim = "The authority's count was 391 higher than its count a year earlier."
    passage = "People sleeping rough on count night: 3,184, up 14 per cent from 2,793 in September 2025."
    assert [(q.text, q.unit) for q in parse_quantities(claim)] == [("391", None)]  # "higher" counts nothing
    assert [r for r, _ in relations(claim, passage)] == ["match"]
    assert relations(claim, passage, frozenset({"derived"})) == []
    assert [(q.text, q.unit) for q in parse_quantities("There were 5 fewer buses.")] == [("5 fewer buses", "buses")]


def test_a_rise_by_a_percentage_and_a_raise_by_it_are_one_figure_and_a_share_another() -> None:
    # ports-weather: "tolls would rise by 12 percent" is "will raise tolls by 12 percent", and
    # not contradicted by "container ships accounted for 64 percent of toll revenue"
    claim = "The Canal Administration announced that tolls for container ships would rise by 12 percent."
    passage = ("The Canal Administration said it will raise transit tolls for container ships by 12 percent. "
               "Container ships accounted for 64 percent of toll revenue.")
    assert relations(claim, passage) == [("match", "12 percent"), ("other_scope", "64 percent")]


def test_millimetres_and_mm_are_one_unit_and_inches_convert() -> None:
    # ports-weather / migration-aviation-farming style: a bulletin's "61 mm" is the article's "61 millimetres"
    claim = "Only 61 millimetres of rain fell in the valley between June and August."
    assert relations(claim, "The valley's station recorded 61 mm of rain between June and August.") == [
        ("match", "61 mm")]
    # a foreign outlet's inches, converted: 8.3 inches is 211 mm, not "more than 10 inches"
    claim = "More than 10 inches of rain fell on the city in two days."
    assert relations(claim, "The storm left 211 mm of rain on the city in two days.")[0][0] == "mismatch"


def same_thing(claim: str, passage: str, figure: str) -> bool:
    from claims.score.numbers import _same_thing

    q = primary_quantity(parse_quantities(claim), claim)
    [p] = [x for x in parse_quantities(passage) if x.text == figure]
    assert q is not None
    return _same_thing(claim, q, passage, p)


def test_who_pays_a_sum_is_no_series_of_it() -> None:
    # migration-aviation-farming style: "cost the city" names the payer, not a city series
    claim = "The recount cost the city about $310,000."
    passage = "The cost of the recount, including staff, security and venue hire, was $310,000."
    assert relations(claim, passage) == [("match", "$310,000")]
    # a figure whose passage names nothing of the claim's thing is another thing's
    grants = ("Under the approved plan, the Sandvold Gallery will receive $5.2 million in 2026, compared with "
              "$6.5 million in 2025.")
    assert [r for r, _ in relations(claim, grants)] == ["other_scope", "other_scope"]
    # ... while a passage about the claim's thing keeps such a figure
    earlier = "Officials put the cost of the recount at $310,000, compared with $450,000 in 2020."
    assert same_thing(claim, earlier, "$450,000")
    assert not same_thing(claim, "The gallery will receive $5.2 million in 2026, compared with $310,000 in 2025.",
                          "$310,000")
    # a city series is still not the national one
    assert relations("City unemployment rose to 5.1% in May.", "Unemployment rose to 5.1% in May.")[0][0] \
        == "other_scope"


# -- issue 31, sixth round: currencies by letter, points of a rate, the same figure, quotes ---


def figure_in(text: str, written: str) -> Quantity:
    return next(q for q in parse_quantities(text) if q.text.startswith(written))


@pytest.mark.parametrize(("sentence", "text", "unit", "kind"), [
    ("The Drossby Arena cost D 298 million to build, against a budget of D 210 million.", "D 298 million", "D",
     "money"),
    ("Its capital budget rose to K 4.2 billion this year.", "K 4.2 billion", "K", "money"),
    ("Route D 4 was closed after the storm.", None, None, None),
])
def test_currency_known_by_its_letter(sentence: str, text: str | None, unit: str | None, kind: str | None) -> None:
    found = [q for q in parse_quantities(sentence) if q.kind == "money"]
    if text is None:
        assert found == []
        return
    assert (found[0].text, found[0].unit, found[0].kind) == (text, unit, kind)


@pytest.mark.parametrize(("sentence", "unit"), [
    ("Keswold recorded the largest improvement of any province, with its pass rate climbing 3.9 points to 73.0%.",
     "percentage points"),
    ("The jobless rate fell 0.3 points in October.", "percentage points"),
    ("The index fell 50 points, or 0.7%.", "points"),
    ("Calvenport Rovers finished with 88 points.", "points"),
])
def test_points_of_a_rate_are_percentage_points(sentence: str, unit: str) -> None:
    q = next(q for q in parse_quantities(sentence) if "point" in (q.unit or ""))
    assert q.unit == unit
    assert q.kind == ("percent" if unit == "percentage points" else "count")


def test_same_figure_vouches_for_table_cells_only() -> None:
    # schools-courts-sport: 67.1% in a sentence is the town's pass rate, not the province's;
    # migration-aviation-farming: a row of the certified result names the candidate
    from claims.score.numbers import same_figure_told
    claim = "Drossby was the only province where the pass rate fell, slipping to 67.1%."
    town = "Drossby provincial council put the pass rate for the town's eleven secondary schools at 67.1%."
    assert not same_figure_told(claim, figure_in(claim, "67.1"), town, figure_in(town, "67.1"))
    claim = "Nyquist finished with 48,190 votes to Abbasov's 48,102."
    row = "Teodora Nyquist, recount (certified) = 48,190."
    assert same_figure_told(claim, figure_in(claim, "48,190"), row, figure_in(row, "48,190"))
    other = "Corin Abbasov, recount (certified) = 48,190."
    assert not same_figure_told(claim, figure_in(claim, "48,190"), other, figure_in(other, "48,190"))


def test_same_figure_leaves_a_change_against_another_base() -> None:
    # examples/desk-ports-weather: 8.4 percent is the rise on a year earlier, not on August
    claim = "September's volume was 8.4 percent higher than in August."
    passage = ("Monthly throughput in the quarter was 393,600 TEU in July, 438,400 TEU in August and 452,000 TEU "
               "in September. September's volume was 3.1 percent higher than August's and 8.4 percent higher "
               "than in September 2025.")
    q = figure_in(claim, "8.4")
    found = figure_judgements(claim, q, passage, claim_scope=claim_scope(claim, q, ARTICLE_DAY),
                              passage_date=datetime(2025, 10, 5))
    assert not any(j.relation == "match" for j in found)


@pytest.mark.parametrize(("claim", "passage", "finding"), [
    # examples/desk-schools-courts-sport: the minister's words, given to him
    ('Education Minister Tomas Verhallen called the results "a credit to pupils and teachers alike".',
     ('Minister of Education and Skills Tomas Verhallen said: "These results are a credit to pupils and teachers '
     'alike. The rise is broad-based, and we will keep building on it."'), "support"),
    # the same words given to another speaker
    ('At sentencing, prosecutor Dagny Rask called his conduct "a calculated betrayal of public trust".',
     ('Sentencing him at Hallern Criminal Court, Judge Ilsabet Kronvall called his conduct "a calculated betrayal '
     'of public trust". She said he had abused a senior position over four years.'), "refute"),
    # a correction notice withdrawing the claim's attribution
    ('At sentencing, prosecutor Dagny Rask called his conduct "a calculated betrayal of public trust".',
     ('An online article first published on 3 June attributed the words "a calculated betrayal of public trust" '
     'to the prosecutor, Dagny Rask. The words were spoken by the judge. The article has been amended.'), "refute"),
    # ../shared/data/desk style: a quote the passage does not have, and a short phrase
    ('Mayor Elena Ruiz called the plan "a betrayal of every family in this city".',
     'Mayor Elena Ruiz said the plan would be reviewed next year.', None),
    ('Ruiz called it "a disgrace".', 'Council member Ortiz called it "a disgrace" on Tuesday.', None),
])
def test_quote_finding(claim: str, passage: str, finding: str | None) -> None:
    found = quote_finding(claim, passage)
    assert (found[0] if found else None) == finding


def test_quote_finding_reads_a_checkable_text() -> None:
    # the checkable text carries the article's date inside the quote's closing mark
    claim = 'Education Minister Tomas Verhallen called the results "a credit to pupils and teachers alike (as of 1 December 2026).'
    passage = 'Tomas Verhallen said: "These results are a credit to pupils and teachers alike."'
    assert quote_finding(claim, passage) == ("support", '"a credit to pupils and teachers alike" quoted as the claim gives it')


@pytest.mark.parametrize(("claim", "passage", "unsaid"), [
    # ports-weather: the busiest month is the highest monthly volume
    ("October then became the port's busiest month on record, with 471,000 TEU.",
     "Port Halvik handled 471,000 TEU in October 2026, the highest monthly volume in the port's history.", None),
    # a superlative of the other direction does not say it
    ("Lindquay saw the fastest rent growth of any area, at 9.3 per cent.",
     "Rents in Lindquay rose 9.3 per cent, the lowest rise since 2019.", "fastest"),
    # energy-transport-crime style: a record said as the largest ever
    ("It was a record 1,302 knife offences.", "Knife offences rose to 1,302, the highest ever recorded.", None),
    # "the most patients waiting" says nothing of the largest list
    (("Brennick General Hospital, which has the largest waiting list in the country, had 4,480 patients waiting "
     "more than a year."), "Brennick General Hospital had the most patients waiting over 52 weeks, at 4,480.", "largest"),
    ("It was the largest fine ever imposed.", "The fine was 2 million crowns.", "largest"),
])
def test_a_superlative_in_other_words(claim: str, passage: str, unsaid: str | None) -> None:
    from claims.score.checks import unsaid_superlative
    assert unsaid_superlative(claim, passage) == unsaid


def test_an_age_after_a_share_does_not_make_it_a_descriptor() -> None:
    # health-housing: "75 per cent of people aged 65 and over" is the share, "aged 65" the band
    from claims.extract.scope import is_descriptor
    text = "The target is for 75 per cent of people aged 65 and over to be vaccinated by the end of the campaign."
    assert [(q.text, is_descriptor(text, q)) for q in parse_quantities(text)] == [
        ("75 per cent", False), ("aged 65", True)]


def test_a_figure_takes_the_period_its_paragraph_opens_with() -> None:
    # migration-aviation-farming: the bulletin names the summer, then gives its rain
    passage = ("Summer 2025 (June to August) was the driest in the Orrin Valley since 1976. The valley's reference "
               "station at Fellbrook recorded 61 mm of rain, 58% below the 1991-2020 summer average of 145 mm.")
    q = figure_in(passage, "61 mm")
    span = figure_span(passage, q, date(2025, 10, 2))
    assert span is not None
    assert (span.start, span.end) == (date(2025, 6, 1), date(2025, 8, 31))
    # a day at the head of the sentence before is when something was said, not the figure's period
    said = "On 2 October the bureau published its bulletin. The station recorded 61 mm of rain."
    own = figure_span(said, figure_in(said, "61 mm"), date(2025, 10, 2))
    assert own is not None
    assert own.text == ""


def test_from_a_whole_day_is_when_a_figure_takes_effect() -> None:
    # ports-weather: "from 1 January 2027" dates the rise; "up from a year earlier" stays a base
    from claims.extract.scope import time_spans
    text = "The agreement provides a 6 percent pay increase from 1 January 2027, a further 3 percent from 1 January 2028."
    assert [s.text for s in time_spans(text, date(2025, 10, 8))] == ["1 January 2027", "1 January 2028"]
    assert time_spans("Prices rose 3% from a year earlier.", date(2025, 10, 8)) == []


def test_a_claim_that_names_the_passage_subject_is_still_refuted() -> None:
    # health-housing: the same hospital, another figure
    claim = "Lindquay Infirmary had the longest median wait of any major hospital, at 24.1 weeks."
    passage = "Lindquay Infirmary had the longest median wait of the major hospitals, at 22.3 weeks."
    assert ("mismatch", "22.3 weeks") in relations(claim, passage)


def test_a_checkable_text_keeps_the_closing_mark_of_its_quote() -> None:
    from claims.extract.checkable import checkable_text
    sentence = 'Education Minister Tomas Verhallen called the results "a credit to pupils and teachers alike".'
    assert checkable_text(sentence, document_date=date(2026, 12, 1)) == (
        'Education Minister Tomas Verhallen called the results "a credit to pupils and teachers alike" '
        '(as of 1 December 2026).')
    assert checkable_text('"We will win," he said.', document_date=date(2026, 12, 1)).count('"') == 1


@pytest.mark.parametrize(("sentence", "describes"), [
    # ports-weather: the surcharge is for a class of vessels; the claim is about its approval
    ("A proposed surcharge for vessels longer than 300 metres was approved at the same time.", True),
    ("Firms with more than 250 staff must report their pay gap.", True),
    ("The ship was longer than 300 metres.", False),
    ("The ships carried more than 300 containers.", False),
])
def test_a_bound_on_the_class_of_things_describes_the_subject(sentence: str, describes: bool) -> None:
    [q] = parse_quantities(sentence)
    assert describes_subject(sentence, q) is describes


def test_a_table_cell_of_the_claims_figure_in_its_subjects_row() -> None:
    # migration-aviation-farming: the certified result as a rendered table
    claim = "Nyquist finished with 48,190 votes to Abbasov's 48,102."
    table = ("Teodora Nyquist, party = Green Party. Teodora Nyquist, initial count = 48,211. "
             "Teodora Nyquist, recount (certified) = 48,190.")
    assert relations(claim, table, published=date(2025, 9, 29)) == [("match", "48,190")]
    assert relations(claim, table, frozenset({"same_figure"}), published=date(2025, 9, 29)) == []
