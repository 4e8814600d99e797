"""The HTML report: one self-contained file a reader can open offline.

It reads only the documented views (``latest_verdicts``, ``claim_evidence``,
``quantity_reports``, ``source_agreement``), so what the report shows is what SQL users
see, with one change: a rationale's quoted cue (the words that made a passage dispute the
claim, stored as matched: "'There was no'") is shown as the whole sentence of its passage
(:func:`whole_quote`). The claims come first, so that the first screen shows verdicts on a
desktop and on a phone; the charts of reported figures and the sources follow. Everything
from the database is escaped, control characters removed (rows stored
before they were kept out of the database may hold them); links are written only for http(s) URLs,
with ``rel="noopener noreferrer"``; a Content-Security-Policy forbids loading anything,
so a hostile source text cannot make the page reach the network.
"""

from __future__ import annotations

import html
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from claims.extract.quantities import counted_head, parse_quantities
from claims.extract.quotes import cue_note, whole_quote
from claims.models import clean_text
from claims.report.svg import ChartPoint, format_figure, quantity_chart
from claims.store import Store

__all__ = [
    "ClaimEntry",
    "ClusterChart",
    "EvidenceItem",
    "ReportData",
    "highlight_numbers",
    "load_report",
    "rationale_text",
    "render_report",
    "safe_href",
    "whole_quote",
    "write_report",
]

log = logging.getLogger(__name__)

LABELS = ("supported", "refuted", "conflicting", "not_enough_evidence")
CONTEXT_CHARS = 900  # longest paragraph shown whole around a claim
# How the report names an evidence role (claims.score.roles)
ROLE_TEXT = {"asserts": "asserts it", "reports_claim": "only repeats the claim", "disputes": "disputes it",
             "mentions": "mentions it"}


@dataclass
class EvidenceItem:
    """A cited passage as the report shows it."""

    rank: int
    similarity: float
    stance: str
    quantity_relation: str | None
    passage_quantity: str | None
    passage: str
    source: str
    url: str | None
    title: str | None
    published_at: datetime | None
    role: str | None = None  # asserts | reports_claim | disputes | mentions (None before schema 7)
    origin: str | None = None
    is_best: bool = False
    scope_note: str | None = None  # why it is context, not a vote ("another time"); None when it voted
    role_cue: str | None = None  # the words that gave the passage its role, as the rationale quotes them


@dataclass
class ClaimEntry:
    """A claim with its latest verdict, its context and its evidence."""

    claim_id: str
    claim: str
    label: str
    confidence: float
    rationale: str
    created_at: datetime
    run_id: str
    cluster_id: str
    quantity_text: str | None
    quantity_unit: str | None
    quantity_value: float | None
    document_title: str | None
    document_url: str | None
    document_outlet: str | None
    document_published_at: datetime | None
    context_before: str = ""
    context_after: str = ""
    evidence: list[EvidenceItem] = field(default_factory=list)
    verdict_count: int = 1
    previous_label: str | None = None  # the label before the latest change, if it ever changed
    changed_at: datetime | None = None
    checkable: str | None = None  # the claim stated on its own (what was judged), when it differs
    scope: str | None = None  # the claim's scope in words (None before schema 10)


@dataclass
class ClusterChart:
    """The figures reported within one claim cluster, ready to draw."""

    cluster_id: str
    claim_ids: list[str]
    quantity_text: str | None
    claim_value: float | None
    points: list[ChartPoint]
    rows: list[dict[str, Any]]
    claim_low: float | None = None
    claim_high: float | None = None
    claim_vague: bool = False  # a vague amount ("thousands of"): its range is a reader's, not a bound


@dataclass
class ReportData:
    """Everything the report shows, read from the database in one go."""

    generated_at: datetime
    since: datetime | None
    claims: list[ClaimEntry]
    charts: list[ClusterChart]
    sources: list[dict[str, Any]]
    database: str


# -- reading -----------------------------------------------------------------------------


def _context(text: str | None, start: int | None, end: int | None, claim: str) -> tuple[str, str]:
    """The text of the claim's paragraph before and after the claim (cut to a window when long)."""
    if not text:
        return "", ""
    if start is None or end is None or text[start:end] != claim:
        start = text.find(claim)
        if start < 0:
            return "", ""
        end = start + len(claim)
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    para_end = len(text) if para_end < 0 else para_end
    before, after = text[para_start:start], text[end:para_end]
    room = max(0, CONTEXT_CHARS - (end - start)) // 2
    if len(before) > room:
        before = "…" + before[len(before) - room:].lstrip()
    if len(after) > room:
        after = after[:room].rstrip() + "…"
    return before, after


def load_report(store: Store, since: datetime | date | None = None) -> ReportData:
    """The latest verdict of every claim (those created at or after ``since``), their
    evidence, the figures of their clusters and the per-source agreement."""
    if isinstance(since, date) and not isinstance(since, datetime):
        since = datetime(since.year, since.month, since.day)
    rows = store.report_rows(since)
    verdicts, evidence, texts, changes = rows.verdicts, rows.evidence, rows.document_texts, rows.changes
    by_claim: dict[str, list[EvidenceItem]] = defaultdict(list)
    for e in evidence:
        by_claim[e["claim_id"]].append(EvidenceItem(
            rank=e["rank"], similarity=e["similarity"] or 0.0, stance=e["stance"] or "neutral",
            quantity_relation=e["quantity_relation"], passage_quantity=e["passage_quantity"],
            passage=e["passage"] or "", source=e["source"], url=e["url"], title=e["title"],
            published_at=e["published_at"], role=e.get("role"), origin=e.get("origin"),
            is_best=bool(e.get("is_best")), scope_note=e.get("scope_note") or None,
            role_cue=e.get("role_cue") or None,
        ))
    entries = []
    for v in verdicts:
        before, after = _context(texts.get(v["document_id"]), v["char_start"], v["char_end"], v["claim"])
        entries.append(ClaimEntry(
            claim_id=v["claim_id"], claim=v["claim"], label=v["label"], confidence=v["confidence"],
            rationale=v["rationale"] or "", created_at=v["created_at"], run_id=v["run_id"],
            cluster_id=v["cluster_id"], quantity_text=v["quantity_text"], quantity_unit=v["quantity_unit"],
            quantity_value=v["quantity_value"], document_title=v["document_title"],
            document_url=v["document_url"], document_outlet=v["document_outlet"],
            document_published_at=v["document_published_at"], context_before=before, context_after=after,
            evidence=by_claim.get(v["claim_id"], []), verdict_count=v["verdict_count"],
            previous_label=changes.get(v["claim_id"], {}).get("previous_label"),
            changed_at=changes.get(v["claim_id"], {}).get("new_created_at"),
            checkable=v.get("checkable") if v.get("checkable") not in (None, v["claim"]) else None,
            scope=v.get("scope") or None,
        ))
    return ReportData(
        generated_at=datetime.now(UTC).replace(microsecond=0),
        since=since, claims=entries, charts=_charts(entries, rows.quantity_reports), sources=rows.sources,
        database=store.name,
    )


def _charts(entries: Sequence[ClaimEntry], reports: Sequence[dict[str, Any]]) -> list[ClusterChart]:
    """One chart per cluster whose claims carry a quantity and whose evidence reports
    figures of the same counted thing (troops with soldiers, not with brigades)."""
    by_cluster: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in reports:
        by_cluster[r["cluster_id"]].append(r)
    charts = []
    for cluster_id, rows in by_cluster.items():
        claims = [c for c in entries if c.cluster_id == cluster_id]
        lead = next((c for c in claims if c.quantity_text), None)
        if lead is None:
            continue
        head = counted_head(lead.quantity_unit)
        comparable = [r for r in rows if r["value"] is not None
                      and (head is None or counted_head(r["unit"]) == head)]
        by_id = {c.claim_id: c for c in claims}
        points = [
            ChartPoint(when=r["reported_at"], value=r["value"],
                       source=_article_name(by_id[r["claim_id"]]) if r["role"] == "claim" and r["claim_id"] in by_id
                       else r["source"],
                       label=r["quantity_text"], low=r["low"], high=r["high"], role=r["role"],
                       relation=r["quantity_relation"])
            for r in comparable if r["reported_at"] is not None
        ]
        if not any(p.role == "evidence" for p in points):
            continue
        own = next((r for r in rows if r["role"] == "claim" and r["claim_id"] == lead.claim_id), None)
        # a vague amount ("thousands of": no value of its own, a hedge) is its range, not its midpoint
        vague = bool(own and lead.quantity_value is None and own.get("qualifier"))
        charts.append(ClusterChart(cluster_id, [c.claim_id for c in claims], lead.quantity_text,
                                   own["value"] if own and not vague else None, points, comparable,
                                   own["low"] if own else None, own["high"] if own else None, claim_vague=vague))
    return charts


# -- writing -----------------------------------------------------------------------------


def escape(text: str, quote: bool = True) -> str:
    """HTML-escaped ``text`` without control characters (NUL, escape sequences)."""
    return html.escape(clean_text(text), quote=quote)


def safe_href(url: str | None) -> str | None:
    """The URL if a browser may follow it from the report (http or https, no spaces or
    control characters), else None."""
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def _link(url: str | None, text: str) -> str:
    href = safe_href(url)
    if href is None:
        return escape(text)
    return f'<a href="{escape(href, quote=True)}" rel="noopener noreferrer" target="_blank">{escape(text)}</a>'


def _is_figure(written: str, value: float | None) -> bool:
    """Whether a quantity reads as a reported figure: written with digits ("8,000"), or a
    vague or large amount ("thousands of", "twelve thousand"); not a small spelled-out
    count such as "two countries" or "one of them"."""
    return any(ch.isdigit() for ch in written) or value is None or value >= 100


def highlight_numbers(text: str, key: str | None = None) -> str:
    """Escaped ``text`` with every figure in a ``<mark>`` (see :func:`_is_figure`); the one
    equal to ``key`` (the figure the judgement used) gets the class ``key``."""
    out: list[str] = []
    position = 0
    for q in sorted(parse_quantities(text), key=lambda q: q.start):
        written = text[q.start:q.end]
        is_key = bool(key) and written.lower() == (key or "").lower()
        if q.start < position or not (is_key or _is_figure(written, q.value)):
            continue
        out.append(escape(text[position:q.start]))
        cls = ' class="key"' if is_key else ""
        out.append(f"<mark{cls}>{escape(text[q.start:q.end])}</mark>")
        position = q.end
    out.append(escape(text[position:]))
    return "".join(out)


def rationale_text(c: ClaimEntry) -> str:
    """The claim's rationale with each quoted cue ('There was no') replaced by the whole
    sentence of its passage, in typographic quotes, the cue's note kept after it
    ("(the claim says it kept silent)")."""
    text = c.rationale
    for e in c.evidence:
        if not e.role_cue or repr(e.role_cue) not in text:
            continue
        quote = whole_quote(e.passage, e.role_cue)
        if quote is not None:
            note = cue_note(e.role_cue)
            text = text.replace(repr(e.role_cue), f"\u201c{quote}\u201d" + (f" ({note})" if note else ""))
    return text


def _day(value: datetime | date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else "undated"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _badge(label: str) -> str:
    cls = label if label in LABELS else "unknown"
    return f'<span class="badge badge-{cls}" data-label="{escape(label)}">{escape(label.replace("_", " "))}</span>'


def _article_name(c: ClaimEntry) -> str:
    """How the report names a claim's article: its title, else its outlet, else "the checked article"."""
    return c.document_title or c.document_outlet or "the checked article"


def _claim_html(c: ClaimEntry, charted: set[str]) -> str:
    where = _link(c.document_url, _article_name(c))
    if c.document_outlet and c.document_title:
        where += f" ({escape(c.document_outlet)})"
    if c.document_published_at:
        where += f", {_day(c.document_published_at)}"
    pct = round(100 * c.confidence)
    lines = [
        f'<article class="claim" id="claim-{escape(c.claim_id)}" data-label="{escape(c.label)}">',
        '<header class="claim-head">',
        _badge(c.label),
        (f'<span class="confidence" title="confidence">{c.confidence:.2f}'
         f'<span class="bar"><span style="width:{pct}%"></span></span></span>'),
        f'<span class="meta">from {where}</span>',
    ]
    if c.previous_label:
        lines.append(f'<span class="meta changed">was {escape(c.previous_label.replace("_", " "))} until '
                     f"{_day(c.changed_at)} · {_count(c.verdict_count, 'verdict')}</span>")
    elif c.verdict_count > 1:
        lines.append(f'<span class="meta">{_count(c.verdict_count, "verdict")}, unchanged</span>')
    lines += [
        "</header>",
        f'<p class="claim-line">{highlight_numbers(c.claim, c.quantity_text)}</p>',
    ]
    if c.checkable:
        lines.append(f'<p class="checkable"><span class="meta">checked as</span> {escape(c.checkable)}</p>')
    if c.scope:
        lines.append(f'<p class="scope"><span class="meta">scope</span> {escape(c.scope)}</p>')
    lines += [
        f'<p class="rationale">{escape(rationale_text(c))}</p>',
    ]
    if c.cluster_id in charted:
        lines.append(f'<p class="chart-link"><a href="#cluster-{escape(c.cluster_id)}">Reported figures over time</a></p>')
    # collapsed: the badge, the claim with its figure and the rationale stay in view
    lines.append('<details class="evidence">'
                 f"<summary>Context and evidence ({_count(len(c.evidence), 'passage')})</summary>")
    lines.append('<p class="context">' + escape(c.context_before) + f'<mark class="claim-text">{escape(c.claim)}</mark>'
                 + escape(c.context_after) + "</p>")
    if c.evidence:
        lines.append("<ol>")
        for e in sorted(c.evidence, key=lambda x: (not x.is_best, x.rank)):
            relation = f", {escape(e.quantity_relation)}" if e.quantity_relation not in (None, "none") else ""
            cite = _link(e.url, e.source)
            if e.title and e.title != e.source:
                cite += f" — {escape(e.title)}"
            role = ""
            if e.role:
                role = f' · <span class="role">{escape(ROLE_TEXT.get(e.role, e.role))}'
                role += f" {escape(e.origin)}" if e.origin and e.role in ("asserts", "disputes") else ""
                role += "</span>"
            if e.scope_note:
                role += f' · <span class="scope-note">context: {escape(e.scope_note)}</span>'
            best = '<span class="best-mark">best evidence</span> ' if e.is_best else ""
            lines.append(
                f'<li class="stance-{escape(e.stance)}{" best" if e.is_best else ""}"><blockquote>'
                f'{highlight_numbers(e.passage, e.passage_quantity)}'
                f'</blockquote><div class="cite">{best}{cite}, {_day(e.published_at)} · '
                f'<span class="stance">{escape(e.stance)}{relation}</span>{role} · similarity {e.similarity:.2f}'
                '</div></li>'
            )
        lines.append("</ol>")
    else:
        lines.append('<p class="none">No evidence passage was similar enough to cite.</p>')
    lines.append("</details></article>")
    return "\n".join(lines)


def _chart_html(chart: ClusterChart, entries: dict[str, ClaimEntry]) -> str:
    claims = [entries[i] for i in chart.claim_ids if i in entries]
    svg = quantity_chart(chart.points, claim_value=chart.claim_value, claim_low=chart.claim_low,
                         claim_high=chart.claim_high, claim_vague=chart.claim_vague, claim_label=chart.quantity_text,
                         title=f"Reported figures for: {chart.quantity_text or 'this claim'}")
    items = "".join(f'<li><a href="#claim-{escape(c.claim_id)}">{escape(c.claim)}</a></li>' for c in claims)
    rows = []
    for r in sorted(chart.rows, key=lambda r: (r["reported_at"] is None, r["reported_at"] or datetime.min, r["source"])):
        if r["role"] == "claim":  # the claim's own figure: its article by title, as the claim card names it
            own = entries.get(r["claim_id"])
            if own is None:
                source = _link(r["url"], r["source"])
            elif safe_href(r["url"]) is None:  # no address: the name leads to the claim's card
                source = f'<a href="#claim-{escape(own.claim_id)}">{escape(_article_name(own))}</a>'
            else:
                source = _link(r["url"], _article_name(own))
            role = "the claim"
        else:
            source, role = _link(r["url"], r["source"]), r["role"]
        rows.append(
            f"<tr class='role-{escape(r['role'])}'><td class='day'>{_day(r['reported_at'])}</td>"
            f"<td class='day'>{_day(r['published_at'])}</td>"
            f"<td>{source}</td><td>{escape(r['quantity_text'] or '')}</td><td class='num'>{_figure(r)}</td>"
            f"<td class='role'>{escape(role)}</td><td>{escape(r['quantity_relation'] or '')}</td></tr>"
        )
    return (
        f'<section class="cluster" id="cluster-{escape(chart.cluster_id)}">'
        f"<h3>{escape(chart.quantity_text or 'Reported figures')}</h3><ul class='cluster-claims'>{items}</ul>"
        f'<div class="chart-box">{svg}</div>'
        "<div class='table-box'><table class='reports'><thead><tr>"
        "<th title='the date the figure was given: the day its sentence names, else its article&#39;s'>figure given on</th>"
        "<th title='when the article was published'>published</th><th>source</th><th>as written</th>"
        "<th class='num'>value</th><th>role</th><th>relation to claim</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _figure(row: dict[str, Any]) -> str:
    """The value, or the range when the report gives one ("2,000–9,999")."""
    low, high = row["low"], row["high"]
    if low is not None and high is not None and low != high:
        return f"{escape(format_figure(low))}–{escape(format_figure(high))}"
    if row["value"] is None:
        return ""
    return escape(format_figure(row["value"]))


def _sources_html(sources: Sequence[dict[str, Any]]) -> str:
    """Per source, how often its passages that took a side matched the final verdict
    (``source_agreement``: agreed of agreed + disagreed), as counts: the verdicts are made
    from these same passages, so a match says nothing of a source's accuracy."""
    if not sources:
        return ""
    rows = []
    for s in sources:
        sided = s["agreed"] + s["disagreed"]
        matched = f"{s['agreed']} of {sided}" if sided else "–"
        rows.append(
            f"<tr><td>{escape(s['source'])}</td><td class='num'>{s['evidence_count']}</td>"
            f"<td class='num'>{s['neutral']}</td><td class='num'>{s['undecided']}</td>"
            f"<td class='num matched'>{matched}</td></tr>")
    return (
        '<section id="sources"><h2>How often a source\'s evidence matches the final verdicts</h2>'
        '<p class="note">For each source: the passages cited from it, and of those that supported or refuted a '
        "claim now supported or refuted, how many sided with that verdict (n of m). The verdicts are drawn from "
        "these same passages, so a match is expected and says nothing about whether a source is accurate.</p>"
        "<div class='table-box'><table class='reports'><thead><tr><th>source</th><th class='num'>passages cited</th>"
        "<th class='num'>took no side</th><th class='num'>sided, claim undecided</th>"
        "<th class='num'>matched the verdict</th></tr></thead><tbody>"
        f"{''.join(rows)}</tbody></table></div></section>"
    )


_CSS = """
:root{--fg:#1d1d1f;--muted:#666;--line:#e2e2e2;--sup:#1a7f37;--ref:#c62828;--con:#b26a00;--nee:#6b7280}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0;background:#f6f6f7}
main{max-width:980px;margin:0 auto;padding:24px}
@media (max-width:600px){main{padding:12px}.claim,.cluster,#sources{padding:12px}h1{font-size:22px}
svg.chart{min-width:640px;max-width:none}}
h1{margin:0 0 4px;font-size:26px}h2{margin:32px 0 12px;font-size:20px}h3{font-size:16px;margin:0 0 8px}
.sub{color:var(--muted);margin:0 0 16px}
.summary{display:flex;gap:8px;flex-wrap:wrap;margin:8px 0 24px}
.summary .count{background:#fff;border:1px solid var(--line);border-radius:8px;padding:6px 12px}
.claim,.cluster,#sources{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin:0 0 16px}
.claim-head{display:flex;align-items:center;gap:12px;flex-wrap:wrap}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;color:#fff;font-weight:600;font-size:13px;letter-spacing:.02em}
.badge-supported{background:var(--sup)}.badge-refuted{background:var(--ref)}
.badge-conflicting{background:var(--con)}.badge-not_enough_evidence,.badge-unknown{background:var(--nee)}
.confidence{font-variant-numeric:tabular-nums;display:inline-flex;align-items:center;gap:6px}
.bar{display:inline-block;width:70px;height:6px;background:#eee;border-radius:3px;overflow:hidden}
.bar span{display:block;height:100%;background:#555}
.meta,.cite,.rationale,.none,.note{color:var(--muted);font-size:13px}
.context{margin:10px 0 6px}.claim-line{margin:10px 0 4px;font-weight:500}
details.evidence>summary{cursor:pointer;color:#0b57d0;font-size:13px;margin-top:6px}
.table-box{overflow-x:auto}
mark{background:#fff1a8;padding:0 2px;border-radius:2px}
mark.claim-text{background:#dbeafe;padding:1px 2px}
.checkable{margin:4px 0;font-weight:600}
.scope{margin:4px 0;font-size:13px}
.scope-note{font-style:italic}
mark.key{background:#ffd166;font-weight:600}
blockquote{margin:0;padding:0 0 0 10px;border-left:3px solid var(--line)}
.evidence ol{padding-left:20px}.evidence li{margin:0 0 10px}
li.stance-support blockquote{border-color:var(--sup)}li.stance-refute blockquote{border-color:var(--ref)}
.stance{font-weight:600}.best-mark{font-weight:600;text-transform:uppercase;font-size:.75em;letter-spacing:.04em}
.chart-box{overflow-x:auto}
svg.chart{max-width:100%;height:auto;font-family:inherit}
svg .tick{font-size:11px;fill:#555}svg .axis{font-size:12px;fill:#333}svg .legend{font-size:12px;fill:#222}
table.reports{border-collapse:collapse;width:100%;font-size:13px;margin-top:8px}
table.reports th,table.reports td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left}
table.reports td.num,table.reports th.num{text-align:right;font-variant-numeric:tabular-nums}
table.reports td.num,table.reports td.day,table.reports td.role{white-space:nowrap}
#sources h2,.cluster h3{margin-top:0}
a{color:#0b57d0}
@media print{body{background:#fff}.claim,.cluster{break-inside:avoid}}
"""


def render_report(data: ReportData, title: str = "Claims report") -> str:
    """The report as one HTML document (inline CSS and SVG, no scripts, no external resources)."""
    counts = Counter(c.label for c in data.claims)
    summary = "".join(
        f'<span class="count">{_badge(label)} {counts[label]}</span>' for label in LABELS if counts[label]
    )
    entries = {c.claim_id: c for c in data.claims}
    charted = {ch.cluster_id for ch in data.charts}
    since = f" · verdicts since {_day(data.since)}" if data.since else ""
    body = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
         "img-src data:; base-uri 'none'; form-action 'none'\">"),
        '<meta name="referrer" content="no-referrer">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{escape(title)}</h1>",
        (f'<p class="sub">{_count(len(data.claims), "claim")} · database {escape(data.database)} · generated '
         f"{data.generated_at:%Y-%m-%d %H:%M} UTC{escape(since)}</p>"),
        f'<div class="summary">{summary}</div>',
    ]
    # the claims first: their verdicts are in the first screen; the figures and sources follow
    body.append('<section id="claims"><h2>Claims</h2>')
    if not data.claims:
        body.append('<p class="none">No verdicts in this period.</p>')
    body.extend(_claim_html(c, charted) for c in data.claims)
    body.append("</section>")
    if data.charts:
        body.append('<section id="figures"><h2>Reported figures over time</h2>')
        body.extend(_chart_html(ch, entries) for ch in data.charts)
        body.append("</section>")
    body.append(_sources_html(data.sources))
    body.append("</main></body></html>")
    return "\n".join(body) + "\n"


def write_report(store: Store, out: str | Path, since: datetime | date | None = None,
                 title: str = "Claims report") -> ReportData:
    """Render the report of ``store`` into the file ``out``; returns what it shows."""
    data = load_report(store, since)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(data, title), encoding="utf-8")
    log.info("report with %d claims and %d charts written to %s", len(data.claims), len(data.charts), out)
    return data
