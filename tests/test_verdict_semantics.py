"""Verdicts a careful reader agrees with (issue 23): a claim's scope read from its sentence,
figures compared like with like, relevance before voting, one voice per reprinted text,
revisions superseding estimates. Real news sentences; the article test runs the real
pipeline (model, DuckDB file) against examples/corpus/."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from claims.extract import primary_quantity
from claims.extract.quantities import parse_quantities
from claims.extract.scope import (
    claim_scope,
    figure_owner,
    figure_status,
    figure_thing,
    is_descriptor,
    time_span,
)
from claims.models import Claim, Document, Evidence, Passage, Quantity, Stance, stable_id
from claims.score.numbers import figure_judgements, relate_quantities
from claims.score.relevance import relevance, silence_contradicted, speaker_words, subject_keys
from claims.score.roles import passage_role
from claims.score.verdict import VerdictPolicy, decide, reprint_origins
from tests.conftest import ROOT

ARTICLE_DAY = date(2024, 11, 6)  # a Wednesday


def _q(text: str, figure: str | None = None) -> Quantity:
    found = parse_quantities(text)
    if figure is None:
        q = primary_quantity(found, text)
        assert q is not None, text
        return q
    return next(q for q in found if q.text == figure)


# -- the claim's time ------------------------------------------------------------------

@pytest.mark.parametrize("sentence,figure,start,end", [
    # a month is the whole month, not its first day
    (("The Bank of Korea cut its base rate by 0.25 percentage point to 3.25 percent in October, its first "
     "reduction since 2020."), "3.25 percent", date(2024, 10, 1), date(2024, 10, 31)),
    ("The Bank of Korea cut its base rate to 3.25 percent on Oct. 11.", "3.25 percent",
     date(2024, 10, 11), date(2024, 10, 11)),
    (("Consumer prices in South Korea rose 1.6 percent in September from a year earlier, the slowest pace in "
     "more than three years."), "1.6 percent", date(2024, 9, 1), date(2024, 9, 30)),
    # last week: Monday to Sunday before the article's week
    (("The Pentagon said last week that about 10,000 North Korean soldiers had been sent to eastern Russia for "
     "training."), "about 10,000 North Korean soldiers", date(2024, 10, 28), date(2024, 11, 3)),
    ("Samsung Electronics reported a third-quarter operating profit of 9.1 trillion won.", None,
     date(2024, 7, 1), date(2024, 9, 30)),
    # the fiscal year names the budget; the vote was on March 11
    ("The council approved a $1.38 billion budget for the 2026 fiscal year on March 11.", "$1.38 billion",
     date(2024, 3, 11), date(2024, 3, 11)),
    # a relative clause dates its own noun: the fire, not the count
    ("The fire, which broke out near Pine Hollow on Aug. 11, destroyed 63 homes.", "63 homes", None, None),
    ("Manufacturing shed 18,400 jobs over the past year.", "18,400 jobs", date(2023, 11, 6), ARTICLE_DAY),
])
def test_the_claims_time_is_its_own_interval(sentence, figure, start, end):
    q = _q(sentence, figure)
    scope = claim_scope(sentence, q, ARTICLE_DAY)
    if start is None:  # no time of its own: the article's date stands for it
        assert (scope.start, scope.end, scope.own_time) == (ARTICLE_DAY, ARTICLE_DAY, False)
    else:
        assert (scope.start, scope.end, scope.own_time) == (start, end, True), scope


def test_originally_means_some_time_before_the_article():
    span = time_span("Officials initially estimated that about 40 homes had been lost.", ARTICLE_DAY, near=30)
    assert span is not None and span.start is None and span.end == ARTICLE_DAY


def test_a_forecast_months_ahead_is_dated_now():
    sentence = "Bryce Motors' plan to close its Kellen assembly plant in March will cost about 480 jobs."
    scope = claim_scope(sentence, _q(sentence), date(2025, 11, 14))
    assert (scope.start, scope.own_time) == (date(2025, 11, 14), False)


def test_a_report_dated_by_its_speech_frame_and_by_its_clause():
    from claims.score.numbers import figure_span
    text = ("A Millbrook City Council member said at a budget hearing on Wednesday that the city spent "
            "$4.1 million on outside consultants last year.")
    span = figure_span(text, _q(text, "$4.1 million"), date(2025, 3, 6))
    assert (span.start, span.end) == (date(2024, 1, 1), date(2024, 12, 31))  # last year, not Wednesday
    text = ("The final count was 63 homes destroyed and 21 damaged, up from the preliminary estimate of about 40 "
            "homes destroyed released on Aug. 14.")
    span = figure_span(text, _q(text, "63 homes"), date(2025, 8, 21))
    assert span.end == date(2025, 8, 21)  # Aug. 14 dates the other figure


# -- bounds and like with like ---------------------------------------------------------

@pytest.mark.parametrize("claim,figure,passage,pfigure,relation", [
    ("as many as 20,000 North Korean troops are in Kursk", None, "10,000 to 12,000 North Korean troops", None,
     "mismatch"),  # an upper bound far above every count
    ("fewer than 0.3 percent of recipients", None, "0.27 percent of recipients", None, "consistent"),
    ("at least 3,000 North Korean soldiers", None, "about 8,000 North Korean soldiers", None, "consistent"),
    ("Turnout was about 54 percent.", None, "a turnout of 58.3 percent", None, "mismatch"),  # about 54: 53-55
    ("In all, the blaze burned about 16,000 acres.", None, "burned 14,860 acres", None, "mismatch"),
    ("about 8,000 soldiers", None, "8,000 soldiers", None, "match"),
])
def test_bounds_are_compared_as_bounds(claim, figure, passage, pfigure, relation):
    assert relate_quantities(_q(claim, figure), _q(passage, pfigure), 0.05) == relation


@pytest.mark.parametrize("claim,passage,pfigure", [
    # rejected ballots are not ballots cast
    ("Election officials rejected 1,214 ballots.", "A total of 61,870 ballots were cast in the city.",
     "61,870 ballots"),
    # a consumer price rate is not a policy rate
    ("Consumer prices rose 1.6 percent in September.",
     "The Bank of Korea cut its base interest rate to 3.25 percent on Friday.", "3.25 percent"),
    # the county's fund is not the city's
    ("Millbrook's rainy-day fund holds $52 million.", "Ashford County's rainy-day fund has grown to $86 million.",
     "$86 million"),
    # the youth rate is not the overall rate
    ("Northvale's unemployment rate rose to 6.4 percent.",
     "Youth unemployment in the province had risen to 15.8 percent.", "15.8 percent"),
    # a margin is not a vote count
    ("Okafor had led challenger Marcus Bell by 412 votes in the preliminary count.",
     "Okafor received 28,906 votes in the preliminary count, Bell 28,494.", "28,906 votes"),
])
def test_figures_of_other_things_are_context(claim, passage, pfigure):
    from claims.models import Scope
    got = figure_judgements(claim, _q(claim), passage, claim_scope=Scope(end=ARTICLE_DAY),
                            passage_date=ARTICLE_DAY)
    judged = next(j for j in got if pfigure in j.quantity.text)
    assert (judged.relation, judged.reason) == ("other_scope", "another thing"), got


def test_the_part_of_a_total_is_compared_not_the_total():
    from claims.models import Scope
    claim = "In all, 27 participants died during the trial."
    passage = ("Trial data show that 27 of the 24,612 participants, all adults aged 60 and older, died during "
               "the trial.")
    got = figure_judgements(claim, _q(claim), passage, claim_scope=Scope(end=ARTICLE_DAY), passage_date=ARTICLE_DAY)
    assert [(j.quantity.value, j.relation) for j in got] == [(27.0, "match")]


def test_an_age_band_is_not_the_claims_figure():
    sentence = "Unemployment among people aged 18 to 24 climbed to 15.8 percent, the highest level since 2021."
    q = _q(sentence)
    assert q.text == "15.8 percent"
    band = next(q for q in parse_quantities(sentence) if "18" in q.text)
    assert is_descriptor(sentence, band)


def test_what_a_figure_measures_owns_and_states():
    text = "The approved budget raises the property tax rate by 2.9 percent."
    assert {"property", "tax", "rate"} <= figure_thing(text, _q(text))
    assert figure_owner("Millbrook's rainy-day fund holds $52 million.", _q("Millbrook's rainy-day fund holds $52 million.")) == {"millbrook"}
    text = "Of the 61,870 ballots cast, 1,214 were rejected and not counted."
    assert figure_status(text, _q(text, "1,214")) == {"rejected"}


# -- relevance and disputes ------------------------------------------------------------

BEIJING = ("Beijing aims for a peaceful Korean Peninsula and is reportedly displeased with the military partnership "
           "between Russia and North Korea.")


def test_a_passage_votes_only_when_it_is_about_the_claims_subject_and_predicate():
    assert subject_keys(BEIJING) == {"china"}
    assert not relevance(BEIJING, "There was no immediate comment from Moscow or Pyongyang.").relevant
    got = relevance(BEIJING, "US officials have said privately that Beijing is uneasy about the growing military "
                             "partnership between Moscow and Pyongyang.")
    assert got.relevant and got.coverage >= 0.5
    xi = "Xi's personal relationship with Russian President Vladimir Putin adds complexity to China's response."
    assert not relevance(xi, "Beijing has called for de-escalation and a political settlement of the Ukraine "
                             "crisis.").relevant


def test_a_statement_is_evidence_of_its_own_speakers_words_only():
    claim = ("China's embassy in Washington reiterated its stance on the Ukraine crisis, emphasizing its commitment "
             "to peaceful negotiations.")
    assert speaker_words(claim) == {"embassy"}
    ministry = ("The spokesperson repeated that China's position on the Ukraine crisis was consistent and clear, and "
                "said Beijing hoped all parties would work toward a political settlement.")
    assert not relevance(claim, ministry, 0.67).relevant


def test_silence_is_contradicted_by_the_subject_speaking():
    claim = "Despite these calls, China has remained silent on the matter."
    spoke = ("China's foreign ministry said on Friday that it was not aware of the situation regarding North "
             "Korean troops in Russia.")
    assert silence_contradicted(claim, spoke)
    assert silence_contradicted(claim, "There was no immediate comment from Moscow or Pyongyang.") is None
    # after a dateline too; but people placed in Beijing are not Beijing speaking
    assert silence_contradicted(claim, "BEIJING, Friday, Oct. 25, 2024 - " + spoke) == "China's foreign ministry said"
    for onlookers in ("Analysts in Beijing said the government was likely to avoid taking a public position.",
                      "Diplomats based in Beijing said China would stay quiet.",
                      "Blinken said Beijing should use its influence."):
        assert silence_contradicted(claim, onlookers) is None, onlookers
    assert silence_contradicted(claim, "Officials in Beijing said the matter was bilateral.") == "Beijing said"


@pytest.mark.parametrize("claim,passage,figure,role", [
    # "dispute" as a noun, "rejected" naming a kind of ballot: no denial
    ("The elections office has received more than 200 public records requests about the count.",
     ("Since the dispute began, the elections office has received more than 200 public records requests, many of "
     "them seeking lists of rejected mail ballots, Raman said."), "more than 200 public records", "asserts"),
    # a figure that could not be verified is not asserted
    ("Corran plans to charge about $250 per dose.",
     ("Corran plans to charge about $250 a dose, two people familiar with the plans said. The price could not be "
     "independently confirmed."), "about $250", "mentions"),
    # a claim that reports a denial is backed by the denial
    ("The county's elections director has denied that any ballot was discarded without review.",
     "Elections director Priya Raman denied that any ballot was discarded without review.", None, "asserts"),
])
def test_dispute_words_count_only_against_their_target(claim, passage, figure, role):
    pq = _q(passage, figure) if figure else None
    assert passage_role(claim, passage, passage_figure=pq).role == role


# -- voices: reprints and revisions ------------------------------------------------------

def _doc(text: str, outlet: str, day: date, url: str) -> Document:
    return Document.make(text, url=url, outlet=outlet, published_at=datetime.combine(day, datetime.min.time()),
                         source_kind="corpus")


WIRE = ("PINE HOLLOW, Aug. 14, 2025 (Northwest Wire) - The Cedar Ridge Fire has destroyed about 40 homes near Pine "
        "Hollow, Larkin County Sheriff Tom Ellery said on Thursday, citing a preliminary estimate. Crews were "
        "working in steep terrain with little rain in the forecast for the coming week. Evacuation orders remained "
        "in place for about 2,600 residents of the valley on Thursday evening.")


def test_a_reprint_is_one_voice():
    first = _doc(WIRE, "Northwest Wire", date(2025, 8, 14), "https://nw.example.com/a")
    again = _doc(WIRE + " This story was distributed by Northwest Wire.", "Pine Valley Gazette",
                 date(2025, 8, 14), "https://pvg.example.com/b")
    other = _doc("The state Department of Forestry puts the burned area at 14,860 acres after a survey of the whole "
                 "fire. The fire was declared fully contained on Wednesday after nine days of work.",
                 "Cascade Courier", date(2025, 8, 22), "https://cc.example.com/c")
    assert reprint_origins([again, first, other]) == {again.id: first}


def _evidence(claim: Claim, doc: Document, text: str, figure: str, relation: str, stance: Stance,
              origin: str | None, day: date) -> Evidence:
    start = text.index(figure)
    q = next(q for q in parse_quantities(text) if q.start == start)
    passage = Passage(stable_id(doc.id, 0), doc.id, 0, text, 0, len(text))
    return Evidence(claim.id, passage, doc, 0.8, 1, stance=stance,
                    stance_score=0.95 if stance == "support" else 0.9,
                    quantity_relation=relation, passage_quantity=q, quantity_date=day, role="asserts", origin=origin)


def test_a_final_count_supersedes_the_early_estimate():
    sentence = "The Cedar Ridge Fire destroyed about 40 homes."
    q = _q(sentence)
    claim = Claim("c1", "d0", sentence, 0, len(sentence), 1.0, quantity=q, quantities=[q],
                  scope=claim_scope(sentence, q, date(2025, 8, 29)))
    early_doc = _doc(WIRE, "Northwest Wire", date(2025, 8, 14), "https://nw.example.com/a")
    final_text = "The final count was 63 homes destroyed and 21 damaged, up from the preliminary estimate."
    final_doc = _doc(final_text, "Larkin County Office of Emergency Management", date(2025, 8, 21),
                     "https://larkin.example.org/f")
    early = _evidence(claim, early_doc, WIRE, "about 40 homes", "match", "support", "Larkin County Sheriff Tom Ellery",
                      date(2025, 8, 14))
    final = _evidence(claim, final_doc, final_text, "63 homes", "mismatch", "refute", None, date(2025, 8, 21))
    verdict = decide(claim, [early, final], VerdictPolicy())
    assert verdict.label == "refuted"
    assert early.scope_note.startswith("superseded: revised to 63"), early.scope_note


# -- the article of issue 23, checked against examples/corpus -----------------------------

KOREA = """---
url: https://www.asiamarkets.example.com/2024/11/06/roundup
title: Asia roundup
outlet: Asia Markets Roundup
published: 2024-11-06
---

The Bank of Korea cut its base rate by 0.25 percentage point to 3.25 percent in October, its first reduction since 2020. Consumer prices in South Korea rose 1.6 percent in September from a year earlier, the slowest pace in more than three years. In Japan, the ruling Liberal Democratic Party and its partner Komeito won only 191 seats in the 465-seat lower house, well short of the 233 needed for a majority. The Pentagon said last week that about 10,000 North Korean soldiers had been sent to eastern Russia for training. US officials now estimate that as many as 20,000 North Korean troops are in Russia's Kursk region. Taiwan's exports rose 8.4 percent in October to a record 41 billion dollars. Samsung Electronics reported a third-quarter operating profit of 9.1 trillion won.
"""


def test_the_issue_article_gets_a_careful_readers_verdicts(tmp_path: Path):
    from claims.pipeline import verify_source
    from claims.settings import Settings

    article = tmp_path / "roundup.md"
    article.write_text(KOREA, encoding="utf-8")
    settings = Settings(db=tmp_path / "claims.duckdb",
                        sources={"corpus": {"enabled": True, "path": str(ROOT / "examples" / "corpus")}})
    report = verify_source(str(article), settings)
    labels = {c.text: v.label for c, v in zip(report.claims, report.verdicts)}
    checkable = {c.text: c.checkable for c in report.claims}
    expected = {"cut its base rate": "supported", "rose 1.6 percent": "supported", "only 191 seats": "refuted",
                "about 10,000 North Korean soldiers": "supported", "as many as 20,000": "refuted",
                "Taiwan's exports": "not_enough_evidence", "Samsung Electronics": "not_enough_evidence"}
    for fragment, label in expected.items():
        sentence = next(s for s in labels if fragment in s)
        assert labels[sentence] == label, (fragment, labels[sentence])
    samsung = next(s for s in checkable if "Samsung" in s)
    assert "Samsung Electronics" in (checkable[samsung] or samsung)


def test_a_dispute_is_quoted_by_its_whole_sentence_in_the_stored_rationale():
    """The rationale (stored in verdicts.rationale, read with SQL) quotes the sentence a
    dispute cue matched in, not the cue's words alone ('There was no')."""
    sentence = "North Korean troops have entered Russia's Kursk region."
    claim = Claim("c1", "d0", sentence, 0, len(sentence), 1.0)
    text = "Officials met on Monday. There was no sign of North Korean troops in Kursk, the ministry said."
    doc = _doc(text, "Ministry Daily", date(2024, 10, 25), "https://md.example.com/a")
    passage = Passage(stable_id(doc.id, 0), doc.id, 0, text, 0, len(text))
    noted = "The ministry said it had no comment (the claim says it kept silent)"
    other_text = "The ministry said it had no comment on the reports."
    other_doc = _doc(other_text, "Capital Post", date(2024, 10, 26), "https://cp.example.com/b")
    other = Passage(stable_id(other_doc.id, 0), other_doc.id, 0, other_text, 0, len(other_text))
    evidence = [Evidence(claim.id, passage, doc, 0.8, 1, stance="refute", stance_score=0.9, role="disputes",
                         role_cue="There was no"),
                Evidence(claim.id, other, other_doc, 0.7, 2, stance="refute", stance_score=0.9, role="disputes",
                         role_cue=noted)]
    verdict = decide(claim, evidence, VerdictPolicy())
    assert "\u201cThere was no sign of North Korean troops in Kursk, the ministry said.\u201d" in verdict.rationale
    assert "\u201cThe ministry said it had no comment on the reports.\u201d (the claim says it kept silent)" \
        in verdict.rationale, verdict.rationale
    assert "'There was no'" not in verdict.rationale
