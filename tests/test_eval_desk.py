"""``claims eval desk``: whole articles checked against a desk folder's own corpus, compared
with its sentence labels; bad folders and gold files give one ``Error:`` line."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from claims.errors import InputError
from claims.eval.desk import (
    GoldSentence,
    assign_claims,
    desk_summary,
    evaluate_desk,
    judged_sentences,
    load_desk,
    locate_sentence,
    top_claim,
)
from claims.models import Claim
from claims.settings import Settings, SourcesSettings, WikipediaSource
from claims_cli.app import app
from tests.conftest import cli_env, one_error, run_cli

CORPUS = {
    "harbor-bridge.md": """---
url: https://www.harbortimes.example.com/2024/03/04/bridge-opens
title: Rivertown opens new Elm Street bridge
outlet: Harbor Times
published: 2024-03-04
---

Rivertown, Monday, March 4, 2024 - The new Elm Street bridge opened to traffic on Monday after three years
of construction, city officials said.

The bridge cost 48 million dollars to build, according to the city's transport department. It is 420 meters
long and carries four lanes of traffic.
""",
    "valley-audit.md": """---
url: https://www.valleypost.example.com/2024/03/05/bridge-cost
title: Elm Street bridge came in under budget, audit finds
outlet: Valley Post
published: 2024-03-05
---

The Elm Street bridge in Rivertown cost 48 million dollars, below its budget of 55 million dollars, the city
auditor said on Tuesday.
""",
    "valley-library.md": """---
url: https://www.valleypost.example.com/2024/02/10/library
title: Rivertown library extends opening hours
outlet: Valley Post
published: 2024-02-10
---

The Rivertown public library will stay open until 9 p.m. on weekdays from March, the library board said.
""",
}

# The second article's first sentence is wrapped across two lines and its apostrophe is
# curly: the gold line writes it on one line with a straight one (found normalised).
ARTICLES = {
    "bridge.md": """---
url: https://www.dailyexample.example.com/2024/03/06/bridge
title: A bridge at last
outlet: Daily Example
published: 2024-03-06
---

Rivertown's new Elm Street bridge cost 48 million dollars to build, city officials said.

The bridge is 900 meters long and carries four lanes of traffic.

What a lovely morning it was for a walk by the river.
""",
    "letters.md": """---
title: Letters
outlet: Daily Example
published: 2024-03-07
---

The city auditor said on Tuesday that Rivertown\u2019s Elm Street bridge
cost 48 million dollars, below its budget of 55 million dollars.

Honestly, nobody enjoys sitting in traffic on a rainy afternoon.
""",
}

GOLD = [
    {"article": "bridge.md", "verdict": "supported", "why": "Harbor Times and Valley Post: 48 million dollars.",
     "sentence": "Rivertown's new Elm Street bridge cost 48 million dollars to build, city officials said."},
    {"article": "bridge.md", "verdict": "refuted", "why": "Harbor Times: 420 meters long.",
     "sentence": "The bridge is 900 meters long and carries four lanes of traffic."},
    {"article": "bridge.md", "verdict": "not_checkworthy", "why": "A mood, not a fact.",
     "sentence": "What a lovely morning it was for a walk by the river."},
    {"article": "letters.md", "verdict": "not_checkworthy", "why": "Restates the audit the desk checked already.",
     "sentence": "The city auditor said on Tuesday that Rivertown's Elm Street bridge cost 48 million dollars, "
                 "below its budget of 55 million dollars."},
    {"article": "letters.md", "verdict": "not_enough_evidence", "why": "Nobody measured it.",
     "sentence": "Honestly, nobody enjoys sitting in traffic on a rainy afternoon."},
]


def make_desk(folder: Path, gold: list[dict] | None = None) -> Path:
    for sub, files in (("corpus", CORPUS), ("articles", ARTICLES)):
        (folder / sub).mkdir(parents=True)
        for name, text in files.items():
            (folder / sub / name).write_text(text, encoding="utf-8")
    lines = [json.dumps(row) for row in (GOLD if gold is None else gold)]
    (folder / "gold.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    # A web backend switched on, pointing nowhere: the desk must switch it off (no source errors)
    web = SourcesSettings(wikipedia=WikipediaSource(enabled=True, base_url="http://127.0.0.1:9/w/api.php"))
    return Settings(db=tmp_path_factory.mktemp("desk-unused") / "unused.duckdb", sources=web)


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> Path:
    return make_desk(tmp_path_factory.mktemp("desk"))


@pytest.fixture(scope="module")
def evaluated(desk, settings, tmp_path_factory) -> tuple[dict, Path]:
    keep = tmp_path_factory.mktemp("desk-dbs")
    return evaluate_desk(desk, settings, keep=keep), keep


# -- the whole evaluation, real model and real DuckDB ----------------------------------------------------


def test_figures_follow_from_the_data(evaluated):
    result, _ = evaluated
    assert result["articles"] == 2 and result["corpus_documents"] == 3
    assert result["gold_sentences"] == 5 and result["checkworthy_sentences"] == 3
    assert result["gold_labels"] == {"not_checkworthy": 2, "not_enough_evidence": 1, "refuted": 1, "supported": 1}
    # the two bridge figures are extracted, the remark about traffic is not: 2 of 3
    assert result["extraction_recall"] == round(2 / 3, 4) and result["extraction_misses"] == 1
    # the auditor's figures are check-worthy to the model, not to the desk: one extra claim
    assert result["extra_claims"] == 1
    [extra] = result["extra_claim_sentences"]
    assert extra["article"] == "letters.md" and extra["predicted"] in {"supported", "refuted", "conflicting",
                                                                       "not_enough_evidence"}
    assert result["claims_outside_gold"] == []
    assert result["claims"] == 3  # two in bridge.md, one in letters.md
    assert result["per_article"]["bridge.md"]["claims"] == 2 and result["per_article"]["letters.md"]["claims"] == 1

    confusion = result["confusion"]
    assert sum(n for row in confusion.values() for n in row.values()) == 5  # every gold line once
    assert confusion["not_checkworthy"].get("not_checkworthy") == 1  # the lovely morning
    assert confusion["not_checkworthy"].get(extra["predicted"]) == 1  # the auditor's sentence
    assert confusion["not_enough_evidence"] == {"not_checkworthy": 1}  # the extraction miss

    assert result["macro_f1_labels"] == ["supported", "refuted", "not_enough_evidence"]
    per_label = result["per_label"]
    assert {label: m["gold"] for label, m in per_label.items()} == {
        "supported": 1, "refuted": 1, "not_enough_evidence": 1, "conflicting": 0}
    assert per_label["not_enough_evidence"]["recall"] == 0.0  # its one sentence was missed
    # only check-worthy sentences count as predictions: two claims, two predicted labels
    assert sum(m["predicted"] for m in per_label.values()) == 2
    assert result["supported_precision"] == per_label["supported"]["precision"]

    # agreement, per article and overall, from the sentences that disagree
    wrong = [d for d in result["disagreements"] if d["gold"] != "not_checkworthy"]
    assert result["agreement"] == round((3 - len(wrong)) / 3, 4)
    letters = result["per_article"]["letters.md"]
    assert (letters["checkworthy"], letters["agreed"], letters["agreement"]) == (1, 0, 0.0)
    assert result["macro_f1"] == pytest.approx(sum(per_label[k]["f1"] for k in result["macro_f1_labels"]) / 3,
                                               abs=1e-3)


def test_disagreements_say_what_and_why(evaluated):
    result, _ = evaluated
    by_sentence = {d["sentence"]: d for d in result["disagreements"]}
    miss = by_sentence[GOLD[4]["sentence"]]
    assert (miss["article"], miss["gold"], miss["predicted"]) == ("letters.md", "not_enough_evidence", "not_checkworthy")
    assert miss["why"] == "Nobody measured it." and miss["confidence"] is None and miss["checkable"] is None
    extra = by_sentence[GOLD[3]["sentence"]]
    assert extra["gold"] == "not_checkworthy" and 0.0 <= extra["confidence"] <= 1.0
    assert extra["rationale"] and "48 million" in extra["checkable"]
    assert GOLD[2]["sentence"] not in by_sentence  # not check-worthy, and no claim: agreed
    for d in result["disagreements"]:
        assert set(d) >= {"article", "sentence", "gold", "predicted", "confidence", "checkable", "rationale",
                          "best_source", "why"}
    text = desk_summary(result)
    assert "agreement" in text and "extraction recall    0.67" in text and "confusion" in text
    assert f"Disagreements ({len(result['disagreements'])})" in text and "Nobody measured it." in text


def test_evidence_is_the_desk_corpus_only(evaluated, desk):
    """One database per article, kept where asked, holding the article and the desk's
    three corpus documents: not examples/corpus, not the Wikipedia the settings switched on."""
    result, keep = evaluated
    assert result["source_errors"] == []
    assert sorted(p.name for p in keep.iterdir()) == ["bridge.md.duckdb", "letters.md.duckdb"]
    for article in ARTICLES:
        with duckdb.connect(str(keep / f"{article}.duckdb"), read_only=True) as con:
            kinds = dict(con.execute("select source_kind, count(*) from documents group by 1").fetchall())
            urls = {u for (u,) in con.execute("select url from documents where source_kind = 'corpus'").fetchall()}
        assert kinds == {"input": 1, "corpus": 3}
        assert urls == {"https://www.harbortimes.example.com/2024/03/04/bridge-opens",
                        "https://www.valleypost.example.com/2024/03/05/bridge-cost",
                        "https://www.valleypost.example.com/2024/02/10/library"}


def test_cli_prints_json_with_json(desk, evaluated, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no claims.toml of the working folder
    monkeypatch.setenv("CLAIMS_DB", str(tmp_path / "unused.duckdb"))
    result = CliRunner().invoke(app, ["eval", "desk", str(desk), "--json"], prog_name="claims")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["extraction_recall"] == evaluated[0]["extraction_recall"]
    assert printed["confusion"] == evaluated[0]["confusion"]  # the same pipeline, the same verdicts
    summary = CliRunner().invoke(app, ["eval", "desk", str(desk)], prog_name="claims")
    assert summary.exit_code == 0 and summary.stdout.startswith("Desk evaluation of ")


def test_an_ablation_adds_to_the_checks_the_settings_switch_off(desk, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLAIMS_DB", str(tmp_path / "unused.duckdb"))
    monkeypatch.setenv("CLAIMS_DISABLED_CHECKS", '["units"]')
    result = CliRunner().invoke(app, ["eval", "desk", str(desk), "--ablate", "precision", "--json"],
                                prog_name="claims")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["disabled_checks"] == ["units"]  # the base run keeps the settings' choice
    assert printed["ablation"]["precision"]["disabled_checks"] == ["units", "precision"]
    assert printed["pooled"]["checkworthy_sentences"] == printed["ablation"]["precision"]["pooled"][
        "checkworthy_sentences"]


def test_judged_sentences_give_the_verdicts_the_evaluation_scores(desk, settings, evaluated):
    judged = list(judged_sentences([desk], "all", settings))
    # the check-worthy sentences with a verdict (one of them yields no claim at all)
    scored = sorted(tuple(p) for a in evaluated[0]["per_article"].values() for p in a["pairs"]
                    if p[1] in ("supported", "refuted", "conflicting", "not_enough_evidence"))
    assert len(judged) == len(scored) >= 2
    assert sorted((g.verdict, v.label) for g, _, v in judged) == scored
    assert all(claim.id == verdict.claim_id for _, claim, verdict in judged)


# -- matching, without the model ----------------------------------------------------------------------


def test_gold_sentences_are_located_in_the_body_the_pipeline_reads(desk, settings):
    loaded = load_desk(desk, settings)
    for g in loaded.gold:
        found = loaded.documents[g.article].text[g.start:g.end]
        if g.article == "bridge.md":
            assert found == g.sentence  # offsets into the body, front matter removed
        else:
            assert found.replace("\n", " ").replace("\u2019", "'") == g.sentence
    assert loaded.gold[0].start == 0


def test_locate_normalises_and_takes_repeats_in_order():
    text = "He said \u201cno.\u201d  Then\nmore.  He said \u201cno.\u201d"
    first = locate_sentence('He said "no."', text, set())
    assert first == (0, 13)
    second = locate_sentence('He said "no."', text, {first})
    assert text[second[0]:second[1]] == "He said \u201cno.\u201d" and second[0] > 13
    assert locate_sentence("then more.", text, set()) == (15, 25)
    assert locate_sentence("Never said.", text, set()) is None


def _claim(cid: str, start: int, end: int, score: float, text: str = "x") -> Claim:
    return Claim(id=cid, document_id="d", text=text, start=start, end=end, checkworthiness=score)


def test_claims_go_to_the_sentence_they_overlap_and_the_most_checkworthy_decides():
    one = GoldSentence(1, "a.md", "First. Second.", "supported", start=0, end=14)
    two = GoldSentence(2, "a.md", "Third one here.", "refuted", start=15, end=30)
    claims = [_claim("c1", 0, 6, 0.4), _claim("c2", 7, 14, 0.9), _claim("c3", 13, 29, 0.5),
              _claim("c4", 40, 50, 0.8, "Third one here"), _claim("c5", 60, 70, 0.8, "Elsewhere.")]
    outside = assign_claims(claims, [one, two])
    assert [c.id for c in one.claims] == ["c1", "c2"]
    assert [c.id for c in two.claims] == ["c3", "c4"]  # c3 overlaps two most; c4 by its text
    assert [c.id for c in outside] == ["c5"]
    assert top_claim(one).id == "c2" and top_claim(two).id == "c4"
    assert top_claim(GoldSentence(3, "a.md", "None.", "refuted")) is None


# -- bad input: one line -----------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: (d / "gold.jsonl").unlink(), "has no gold.jsonl"),
    (lambda d: (d / "corpus").rename(d / "elsewhere"), "has no corpus/ folder"),
    (lambda d: (d / "articles").rename(d / "elsewhere"), "has no articles/ folder"),
    (lambda d: (d / "gold.jsonl").write_text('{"article": "nope.md", "sentence": "A.", "verdict": "refuted"}\n'),
     "gold.jsonl:1: article 'nope.md' not found"),
    (lambda d: (d / "gold.jsonl").write_text('{"article": "../gold.jsonl", "sentence": "A.", "verdict": "refuted"}\n'),
     "is not inside"),
    (lambda d: (d / "gold.jsonl").write_text(
        json.dumps(GOLD[0]) + '\n{"article": "bridge.md", "sentence": "The moon is cheese.", "verdict": "refuted"}\n'),
     "gold.jsonl:2: sentence 'The moon is cheese.' not found in article 'bridge.md'"),
    (lambda d: (d / "gold.jsonl").write_text(json.dumps(GOLD[0]) + "\n\n{not json\n"), "gold.jsonl:3 is not valid JSON"),
    (lambda d: (d / "gold.jsonl").write_text(json.dumps({**GOLD[0], "verdict": "true"}) + "\n"),
     "gold.jsonl:1: verdict 'true' is not one of supported"),
    (lambda d: (d / "gold.jsonl").write_text(json.dumps({"article": "bridge.md", "verdict": "refuted"}) + "\n"),
     "gold.jsonl:1: missing sentence"),
    (lambda d: (d / "gold.jsonl").write_text("\n"), "holds no sentences"),
    (lambda d: [p.unlink() for p in (d / "corpus").iterdir()], "holds no documents"),
], ids=["no-gold", "no-corpus", "no-articles", "unknown-article", "article-outside", "sentence-not-found",
        "bad-json", "unknown-verdict", "missing-field", "empty-gold", "empty-corpus"])
def test_bad_desk_folders_are_refused(tmp_path, settings, change, message):
    folder = make_desk(tmp_path / "desk")
    change(folder)
    with pytest.raises(InputError) as caught:
        load_desk(folder, settings)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_cli_errors_are_one_line(tmp_path, prefect_home):
    env = cli_env(tmp_path / "c.duckdb", prefect_home)
    folder = make_desk(tmp_path / "desk")
    (folder / "gold.jsonl").write_text(json.dumps(GOLD[0]) + '\n{"article": "bridge.md", "sentence": "A.", '
                                       '"verdict": "mostly-true"}\n')
    line = one_error(run_cli(["eval", "desk", str(folder)], env))
    assert "gold.jsonl:2: verdict 'mostly-true' is not one of" in line
    line = one_error(run_cli(["eval", "desk", str(tmp_path / "absent"), "--json"], env))
    assert "desk folder" in line and "not found" in line
