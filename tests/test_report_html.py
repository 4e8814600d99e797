"""The HTML report from a real database: content, self-containment and escaping of
untrusted source text and URLs."""

from __future__ import annotations

import re
from datetime import UTC
from html.parser import HTMLParser
from pathlib import Path

import pytest

from claims.report.html import (
    highlight_numbers,
    load_report,
    render_report,
    safe_href,
    write_report,
)
from claims.report.svg import ChartPoint, quantity_chart
from tests.test_report_views import build_history

HOSTILE_OUTLET = '<script>alert("x")</script> Times'
HOSTILE_TITLE = 'Kursk "8,000" <img src=x onerror=alert(1)>'


class _Collector(HTMLParser):
    """Every start tag with its attributes, to inspect the page as a browser would parse it."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(html)
    return collector.tags


@pytest.fixture()
def report_html(tmp_path: Path) -> str:
    h = build_history(tmp_path / "claims.duckdb", outlet=HOSTILE_OUTLET, url="javascript:alert(1)",
                      title=HOSTILE_TITLE)
    out = tmp_path / "report.html"
    data = write_report(h["store"], out)
    assert len(data.claims) == 1 and len(data.charts) == 1
    return out.read_text(encoding="utf-8")


def test_report_shows_badge_confidence_context_and_evidence(report_html: str) -> None:
    tags = parse(report_html)
    badges = [a for t, a in tags if t == "span" and "badge" in (a.get("class") or "") and a.get("data-label")]
    assert [b["data-label"] for b in badges if "badge-refuted" in (b.get("class") or "")]
    assert '<span class="confidence" title="confidence">0.70' in report_html
    # the claim highlighted inside its paragraph, with the text around it
    assert ('Officials spoke on Monday.\n' not in report_html)  # another paragraph is not shown
    assert re.search(r'<p class="context"><mark class="claim-text">Seoul said 8,000 North Korean soldiers are '
                     r'near the border\.</mark> Nothing else was said\.</p>', report_html)
    # evidence quotes with the numbers marked, the compared figure as the key one
    assert '<mark class="key">11,000-12,000 North Korean troops</mark>' in report_html
    assert "later.example" in report_html


def test_report_is_self_contained(report_html: str) -> None:
    tags = parse(report_html)
    assert not [t for t, _ in tags if t in {"script", "link", "iframe", "img", "object", "embed"}]
    assert not [a for _, a in tags if a.get("src")]
    assert "Content-Security-Policy" in report_html and "default-src 'none'" in report_html
    assert "<style>" in report_html


def test_untrusted_text_is_escaped_and_unsafe_links_dropped(report_html: str) -> None:
    tags = parse(report_html)
    assert not [t for t, _ in tags if t in {"script", "img"}]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Times" in report_html
    assert "&lt;img src=x onerror=alert(1)&gt;" in report_html
    links = [(a, href) for t, a in tags if t == "a" and (href := a.get("href")) and not href.startswith("#")]
    assert links, "sources with http(s) URLs are linked"
    assert all(href.startswith(("http://", "https://")) for _, href in links)
    assert all(a.get("rel") == "noopener noreferrer" for a, _ in links)
    assert "javascript:" not in report_html


def test_the_chart_has_one_point_per_dated_report_and_the_claim_line(report_html: str) -> None:
    svg = report_html[report_html.index("<svg"):report_html.index("</svg>")]
    points = re.findall(r'<circle cx="[\d.]+" cy="[\d.]+" r="5" class="point point-evidence[^"]*"[^>]*'
                        r'data-source="([^"]+)" data-date="([\d-]+)" data-value="([\d.]+)"', svg)
    assert sorted((d, v) for _, d, v in points) == [("2024-10-28", "10000"), ("2024-10-31", "8000"),
                                                    ("2024-11-05", "11500")]
    # the Pentagon's 10,000 counts soldiers sent elsewhere: drawn hollow, and the legend says why
    assert re.search(r'class="point point-evidence other-scope" fill="#fff"[^>]*data-value="10000"', svg)
    assert "another place, time or thing" in svg
    assert 'class="claim-line"' in svg and 'data-value="8000"' in svg


def test_since_filters_verdicts(tmp_path: Path) -> None:
    h = build_history(tmp_path / "claims.duckdb")
    from datetime import datetime, timedelta

    tomorrow = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)
    assert load_report(h["store"], since=tomorrow).claims == []
    assert len(load_report(h["store"], since=tomorrow - timedelta(days=2)).claims) == 1
    page = render_report(load_report(h["store"], since=tomorrow))
    assert "No verdicts in this period." in page


@pytest.mark.parametrize("url,expected", [
    ("https://example.org/a?b=1", "https://example.org/a?b=1"),
    ("http://example.org", "http://example.org"),
    ("javascript:alert(1)", None),
    ("JaVaScRiPt:alert(1)", None),
    ("data:text/html,<b>x</b>", None),
    ("file:///etc/passwd", None),
    ("https://exa mple.org", None),
    ("https://example.org/\x00", None),
    ("//example.org/a", None),
    (None, None),
])
def test_safe_href(url: str | None, expected: str | None) -> None:
    assert safe_href(url) == expected


def test_highlight_numbers_escapes_around_marks() -> None:
    html = highlight_numbers("<b>About 8,000 soldiers</b> & 3,000 more", key="about 8,000 soldiers")
    assert html == ('&lt;b&gt;<mark class="key">About 8,000 soldiers</mark>&lt;/b&gt; &amp; '
                    '<mark>3,000</mark> more')


def test_chart_without_dated_points_is_empty_and_ranges_get_whiskers() -> None:
    from datetime import date

    assert quantity_chart([]) == ""
    svg = quantity_chart([ChartPoint(date(2024, 10, 28), 11000.0, "A", "10,000-12,000", 10000.0, 12000.0),
                          ChartPoint(date(2024, 10, 28), 11000.0, "B", "11,000", 11000.0, 11000.0)])
    assert svg.count('class="point point-evidence"') == 2
    xs = re.findall(r'<circle cx="([\d.]+)" cy="[\d.]+" r="5" class="point', svg)
    assert len(set(xs)) == 2  # same date and value: spread sideways, none hidden
    assert svg.count("stroke-width=\"2\"/>") == 3  # one whisker and its two caps


def test_a_changed_verdict_says_what_it_was(report_html: str) -> None:
    assert re.search(r'<span class="meta changed">was supported until \d{4}-\d{2}-\d{2} · 2 verdicts</span>',
                     report_html)


def test_chart_draws_a_range_claim_as_a_band_and_open_bounds_as_arrows() -> None:
    from datetime import date

    svg = quantity_chart([ChartPoint(date(2024, 10, 25), 3000.0, "Beijing Brief", "at least 3,000 soldiers",
                                     3000.0, None, relation="consistent"),
                          ChartPoint(date(2024, 10, 28), 10000.0, "Pacific Wire", "about 10,000 soldiers",
                                     10000.0, 10000.0, relation="consistent")],
                         claim_value=5999.5, claim_low=2000.0, claim_high=9999.0, claim_label="thousands of troops")
    assert re.search(r'<rect class="claim-band"[^>]*data-low="2000" data-high="9999"/>', svg)
    assert "claim: thousands of troops" in svg and 'class="claim-line"' not in svg
    assert svg.count("<path d=") == 1  # one arrow: the open bound of "at least 3,000"
    assert "another place, time or thing" not in svg


def test_no_line_joins_a_sources_reports_and_same_day_reports_stand_apart() -> None:
    """12,000 sent to Russia on 18 Oct and 8,000 in Kursk on 1 Nov by one outlet are two
    scopes, not a falling trend: no line; reports of one day at different values are spread."""
    from datetime import date

    svg = quantity_chart([ChartPoint(date(2024, 10, 18), 12000.0, "Seoul Ledger", "about 12,000 troops"),
                          ChartPoint(date(2024, 11, 1), 8000.0, "Seoul Ledger", "about 8,000 soldiers"),
                          ChartPoint(date(2024, 10, 28), 10000.0, "A", "10,000"),
                          ChartPoint(date(2024, 10, 28), 9000.0, "B", "9,000")])
    assert "<polyline" not in svg and "<path d=\"M" not in svg
    same_day = re.findall(r'cx="([\d.]+)"[^>]*data-date="2024-10-28"', svg)
    assert len(same_day) == 2 and len(set(same_day)) == 2


def test_small_spelled_out_counts_are_not_marked_as_figures() -> None:
    html = highlight_numbers("The two countries said thousands of troops, about 8,000 soldiers, were sent.")
    assert "<mark>two countries</mark>" not in html and "two countries" in html
    assert "<mark>thousands of troops</mark>" in html and "<mark>about 8,000 soldiers</mark>" in html
    # the figure a judgement used is marked however it is written ("the two countries" is no
    # figure at all since issue 14: it names things already named)
    assert "<mark" not in highlight_numbers("Three soldiers were killed.")
    assert '<mark class="key">Three soldiers</mark>' in highlight_numbers("Three soldiers were killed.", "Three soldiers")


def test_the_claims_scope_and_each_passages_scope_note_are_shown_escaped(tmp_path: Path) -> None:
    from datetime import date

    from claims.models import Scope
    from claims.store import Store

    scope = Scope(thing="North Korean <b>troops</b>", place="Russia's Kursk", start=date(2024, 10, 1),
                  end=date(2024, 10, 31), time_text="in October", holder="the Pentagon", bound="as many as")
    h = build_history(tmp_path / "claims.duckdb", scope=scope, notes={"later": "another holder's figure (<i>x</i>)"})
    store = h["store"]
    assert isinstance(store, Store)
    page = render_report(load_report(store))
    assert ('<p class="scope"><span class="meta">scope</span> North Korean &lt;b&gt;troops&lt;/b&gt;; '
            "in Russia&#x27;s Kursk; 1 Oct-31 Oct 2024 (in October); per the Pentagon; as many as</p>") in page
    assert '<span class="scope-note">context: another holder&#x27;s figure (&lt;i&gt;x&lt;/i&gt;)</span>' in page
    assert page.count('class="scope-note"') == 1  # the passage that voted has none
    assert not [t for t, _ in parse(page) if t in {"b", "i"}]


def test_a_claim_without_a_scope_has_no_scope_line(report_html: str) -> None:
    assert 'class="scope"' not in report_html and 'class="scope-note"' not in report_html


# -- the first hour (issue 25): claims first, axes that fit, what agreement is, whole quotes ----


def test_the_claims_come_first_then_the_charts_then_the_sources(report_html: str) -> None:
    claims, figures, sources = (report_html.index(f'id="{name}"') for name in ("claims", "figures", "sources"))
    assert claims < figures < sources
    assert report_html.index('<article class="claim"') < report_html.index("<svg")
    assert '<p class="sub">1 claim · ' in report_html  # not "1 claims"


def _axis(svg: str) -> tuple[float, float]:
    found = re.search(r'<svg [^>]*data-y-min="([\d.]+)" data-y-max="([\d.]+)"', svg)
    assert found, svg[:300]
    return float(found.group(1)), float(found.group(2))


def test_a_vague_claims_band_runs_to_the_edge_and_the_axis_fits_the_reports() -> None:
    from datetime import date

    from claims.report.svg import TOP

    reports = [ChartPoint(date(2024, 10, 18), 12000.0, "Example Wire", "about 12,000 troops", 11000.0, 13000.0),
               ChartPoint(date(2024, 10, 23), 3000.0, "Beijing Brief", "at least 3,000", 3000.0, None),
               ChartPoint(date(2024, 11, 1), 8000.0, "Seoul Ledger", "about 8,000 soldiers", 7200.0, 8800.0)]
    # "thousands of troops" reads as 2,000-99,999: the axis was drawn to 125,000, every point on the floor
    vague = quantity_chart(reports, claim_low=2000.0, claim_high=99999.0, claim_vague=True,
                           claim_label="thousands of troops")
    low, high = _axis(vague)
    assert low == 0 and 13000 <= high <= 20000, high
    band = re.search(r'<rect class="claim-band" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"', vague)
    assert band and float(band.group(1)) == TOP  # to the chart's top edge
    assert "claim: thousands of troops (to 99,999, above the chart)" in vague
    ys = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)" r="5" class="point', vague)]
    assert max(ys) - min(ys) > 100, ys  # 3,000 to 12,000 spread over the chart, not on its floor
    # a claim's stated bounds are figures: the axis reaches them
    assert _axis(quantity_chart(reports, claim_value=50000.0, claim_low=50000.0, claim_label="more than 50,000"))[1] >= 50000
    assert _axis(quantity_chart(reports, claim_low=2000.0, claim_high=99999.0))[1] >= 99999  # a range as stated
    assert _axis(quantity_chart(reports, claim_value=8000.0))[1] <= 20000


def test_the_sources_table_says_what_its_agreement_is_with_counts(report_html: str) -> None:
    section = report_html[report_html.index('id="sources"'):]
    assert "How often a source's evidence matches the final verdicts" in section
    assert "says nothing about whether a source is accurate" in section
    matched = re.findall(r"<td class='num matched'>([^<]+)</td>", section)
    assert matched and all(re.fullmatch(r"\d+ of \d+|–", m) for m in matched), matched
    assert "%" not in section and "agreement</th>" not in section


def test_a_quoted_cue_becomes_the_whole_sentence() -> None:
    from claims.report.html import whole_quote

    passage = ("Officials met on Monday. There was no sign of North Korean troops in Kursk, the ministry said "
               "on Friday. Talks go on.")
    assert whole_quote(passage, "There was no") == ("There was no sign of North Korean troops in Kursk, the "
                                                     "ministry said on Friday.")
    assert whole_quote(passage, "there  was NO") == whole_quote(passage, "There was no")  # case and spacing
    assert whole_quote(passage, "Beijing said (the claim says it kept silent)") is None  # not in the passage
    long = ("Western governments, which have pressed Beijing for weeks, said on Tuesday that there was no "
            "evidence of a withdrawal; analysts in Seoul, Tokyo and Washington, who follow the deployment "
            "closely, expect the troops to stay in the Kursk region for months, whatever Moscow says.")
    quote = whole_quote(long, "there was no evidence", limit=120)
    assert quote is not None and "there was no evidence of a withdrawal" in quote and len(quote) <= 122
    assert quote.startswith(("…", "Western"))
    body = quote.strip("…")
    assert long.find(body) >= 0  # words of the sentence as written
    for end in (long.find(body), long.find(body) + len(body)):  # cut only at word boundaries
        assert end in (0, len(long)) or not (long[end - 1].isalnum() and long[end].isalnum())
    word = whole_quote("x" * 300 + " There was no evidence " + "y" * 300, "There was no", limit=100)
    assert word is not None and word.startswith("…There was no")  # one long "clause": cut at a space


def test_the_rationale_quotes_whole_sentences_not_the_matched_words(tmp_path: Path) -> None:
    from dataclasses import replace

    from claims.report.html import EvidenceItem, rationale_text
    from claims.store import Store

    store = build_history(tmp_path / "claims.duckdb")["store"]
    assert isinstance(store, Store)
    claim = load_report(store).claims[0]
    passage = "Officials met on Monday. There was no sign of North Korean troops in Kursk, the ministry said."
    cue = EvidenceItem(1, 0.8, "refute", None, None, passage, "Ministry", None, None, None, role="disputes",
                       role_cue="There was no")
    quoted = replace(claim, rationale="1 source dispute (Ministry, 25 Oct): 'There was no'.", evidence=[cue])
    assert rationale_text(quoted) == ("1 source dispute (Ministry, 25 Oct): \u201cThere was no sign of North "
                                      "Korean troops in Kursk, the ministry said.\u201d.")
    noted = replace(quoted, rationale="1 source dispute (M, 25 Oct): 'There was no (the claim says it kept silent)'.",
                    evidence=[replace(cue, role_cue="There was no (the claim says it kept silent)")])
    assert rationale_text(noted).endswith("the ministry said.\u201d (the claim says it kept silent).")
    page = render_report(replace(load_report(store), claims=[quoted]))
    assert "&#x27;There was no&#x27;" not in page and "There was no sign of North Korean troops" in page


def test_the_seed_report_has_fitted_axes_and_no_cut_quotes(main_job_db: Path) -> None:
    from claims.store import Store

    data = load_report(Store(main_job_db))
    vague = [ch for ch in data.charts if ch.quantity_text == "thousands of troops"]
    assert vague and vague[0].claim_vague and vague[0].claim_value is None
    page = render_report(data)
    for svg in re.findall(r"<svg .*?</svg>", page, re.DOTALL):
        reported = [float(v) for v in re.findall(r'class="point[^"]*"[^>]*data-value="([\d.]+)"', svg)]
        assert _axis(svg)[1] <= 1.5 * max(reported) + 5000, (_axis(svg), max(reported))
    rationales = re.findall(r'<p class="rationale">(.*?)</p>', page)
    assert rationales
    for text in rationales:  # a quoted cue is a sentence, not the words matched ("'There was no'")
        assert not re.search(r"(?:: |, )&#x27;[^&]{1,60}&#x27;", text), text
        for quote in re.findall("\u201c(.*?)\u201d", text):
            assert quote[-1] in ".!?…\"'\u201d" and len(quote.split()) >= 4, quote
