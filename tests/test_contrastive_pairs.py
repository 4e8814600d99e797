"""scripts/make_contrastive_pairs.py: each perturbation changes one detail, pairs are split by
source document, and a seed reproduces the output with its manifest."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import random
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_SPEC = importlib.util.spec_from_file_location("make_contrastive_pairs", ROOT / "scripts" / "make_contrastive_pairs.py")
assert _SPEC is not None and _SPEC.loader is not None
mcp = importlib.util.module_from_spec(_SPEC)
sys.modules["make_contrastive_pairs"] = mcp
_SPEC.loader.exec_module(mcp)
LEX = mcp.load_lexicon()


def rng() -> random.Random:
    return random.Random(7)


def _diff(a: str, b: str) -> list[tuple[str, str]]:
    """Word positions where two sentences of equal length differ."""
    wa, wb = a.split(), b.split()
    assert len(wa) == len(wb)
    return [(x, y) for x, y in zip(wa, wb) if x != y]


def test_rounding_hedges_as_people_do() -> None:
    out = mcp.round_figure("Turnout in the county was 39.6% in the spring vote, officials said.", LEX, rng())
    assert out is not None and re.search(r"\b(?:nearly|almost|about|close to|just under) 40%", out)
    out = mcp.round_figure("The council counted 1,874 new homes built in the district last year.", LEX, rng())
    assert out is not None and re.search(r"\b(?:nearly|almost|about|close to|just under) 1,900 new homes", out)
    # a year and a name's number are not amounts
    assert mcp.round_figure("The plant opened in 1987 next to Route 66 in the valley.", LEX, rng()) is None


def test_a_changed_number_changes_only_that_number() -> None:
    sentence = "The agency said 1,240 workers lost their jobs at the two factories this spring."
    out = mcp.change_number(sentence, LEX, rng())
    assert out is not None
    [(old, new)] = _diff(sentence, out)
    assert old == "1,240" and new != old and re.fullmatch(r"[\d,]+", new)


def test_scale_kind_and_date_changes() -> None:
    assert "billion" in (mcp.change_scale("The fund lost $3 million on the deal in the first week.", LEX, rng()) or "")
    kind = mcp.change_kind("Unemployment rose 2% in the region during the winter months.", LEX, rng())
    assert kind == "Unemployment rose 2 percentage points in the region during the winter months."
    # a share that is not a change stays as it is
    assert mcp.change_kind("About 18% of the farms are run by families in the county.", LEX, rng()) is None
    date = mcp.change_date("The bridge was closed in March 2019 after the floods in the valley.", LEX, rng())
    assert date is not None and date != "The bridge was closed in March 2019 after the floods in the valley."
    assert len(_diff("The bridge was closed in March 2019 after the floods in the valley.", date)) == 1


def test_antonym_negation_and_quantifier() -> None:
    assert mcp.flip_antonym("Prices rose sharply in the capital during the long strike.", LEX, rng()) == \
        "Prices fell sharply in the capital during the long strike."
    assert mcp.flip_negation("The committee has approved the new budget for the schools.", LEX, rng()) == \
        "The committee has not approved the new budget for the schools."
    assert mcp.flip_negation("The mayor did not sign the order before the deadline.", LEX, rng()) == \
        "The mayor did sign the order before the deadline."
    assert mcp.flip_negation("The deal is not only cheap but also quick to sign.", LEX, rng()) is None
    assert mcp.change_quantifier("All the passengers were taken to the hospital by bus.", LEX, rng()) == \
        "None of the passengers were taken to the hospital by bus."


def test_entity_and_speaker_swaps_use_other_names_of_the_document() -> None:
    sentences = ("Harbour Board chair Elena Marsh said the port would reopen on Monday.",
                 "Union leader Tomas Reyes said the workers would not return until then.",
                 "The Harbour Board runs three terminals.")
    pool = list(dict.fromkeys(e for s in sentences for e in mcp.find_entities(s)))
    people = mcp._people(pool, sentences, LEX)
    assert "Elena Marsh" in people and "Tomas Reyes" in people
    out = mcp.swap_speaker(sentences[0], LEX, rng(), people)
    assert out == "Harbour Board chair Tomas Reyes said the port would reopen on Monday."
    swapped = mcp.swap_entity(sentences[1], LEX, rng(), pool, " ".join(sentences))
    assert swapped is not None and swapped != sentences[1]
    # never a name that shares a word with the one it replaces (the same referent)
    assert "Reyes" not in swapped or "Tomas Reyes" not in swapped
    assert mcp._unrelated("Marsh", "Elena Marsh") is False


def test_clause_drop_keeps_what_still_holds() -> None:
    out = mcp.drop_clause("The minister, who took office in the spring, opened the new rail line to the coast.",
                          LEX, rng())
    assert out == "The minister opened the new rail line to the coast."


def _tiny_data(folder: Path) -> Path:
    data = folder / "data"
    fnc = data / "stance" / "fnc-1"
    fnc.mkdir(parents=True)
    body = ("The city council approved a budget of $4.2 million for the new library on Tuesday, the mayor said. "
            "Councillor Anna Weber said 1,874 residents had signed a petition for the project in 2019. "
            "The library will open in March next year, according to Anna Weber. "
            "Prices for building materials rose 12% last year, the council said. "
            "Mayor Paul Dorn said the city has not raised taxes to pay for it. "
            "The old library, which opened in 1962, will close in the summer. "
            "All the books will be moved to the new building by volunteers from the school.")
    for name, ids in (("train_bodies.csv", range(12)), ("competition_test_bodies.csv", range(100, 106))):
        with (fnc / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["Body ID", "articleBody"])
            for i in ids:
                writer.writerow([str(i), body.replace("library", f"library {i}")])
    (data / "averitec").mkdir()
    (data / "averitec" / "train.json").write_text(json.dumps([
        {"claim": f"The council cut the library budget {i}.", "label": "Refuted", "justification": body,
         "questions": [{"question": "Q?", "answers": [{"answer": body, "answer_type": "Extractive"}]}]}
        for i in range(6)]), encoding="utf-8")
    (data / "liar-plus").mkdir()
    for name in ("val2.jsonl", "test2.jsonl"):
        (data / "liar-plus" / name).write_text("".join(json.dumps(
            {"id": i, "claim": f"Taxes went up {name} {i}.", "label": "false", "justification": body}) + "\n"
            for i in range(6)), encoding="utf-8")
    (data / "climate-fever").mkdir()
    (data / "climate-fever" / "climate-fever-dev.jsonl").write_text("".join(json.dumps(
        {"claim_id": str(i), "claim": f"Sea ice shrank {i}.",
         "evidences": [{"evidence": s} for s in body.split(". ")[:4]]}) + "\n" for i in range(6)),
        encoding="utf-8")
    return data


def test_generate_splits_by_document_and_reproduces(tmp_path: Path) -> None:
    data = _tiny_data(tmp_path)
    rows, manifest = mcp.generate(data, seed=3, per_doc=4)
    again, manifest_again = mcp.generate(data, seed=3, per_doc=4)
    assert rows == again and manifest == manifest_again
    train_docs = {r["source_doc"] for r in rows["train"]}
    dev_docs = {r["source_doc"] for r in rows["dev"]}
    assert train_docs and not train_docs & dev_docs
    every = rows["train"] + rows["dev"]
    assert all(r["label"] == mcp.LABEL_OF[r["kind"]] for r in every)
    assert {r["label"] for r in every} == {"support", "refute", "neutral"}
    assert {r["kind"] for r in every} >= {"identical", "number_value", "date", "negation", "same_document"}
    for r in every:  # a changed claim is never the passage's own sentence, a supported one may be
        if r["label"] == "refute":
            assert r["claim"] not in r["passage"]
    path = data / "stance" / "fnc-1" / "train_bodies.csv"
    assert manifest["inputs"]["fnc-1-train"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest["counts"]["train"]["pairs"] == len(rows["train"])
    assert sum(manifest["counts"]["dev"]["by_kind"].values()) == len(rows["dev"])


def test_written_pairs_load_as_stance_pairs_per_kind(tmp_path: Path) -> None:
    from claims.eval.stance import load_stance_file

    data = _tiny_data(tmp_path)
    out = tmp_path / "pairs"
    assert mcp.main(["--data", str(data), "--out", str(out), "--seed", "5", "--per-kind", "0"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 5
    pairs = load_stance_file(out / "contrastive-train.jsonl")
    assert len(pairs) == manifest["counts"]["train"]["pairs"]
    assert all(p.source.startswith("contrastive-") for p in pairs)


def test_the_desk_sets_are_never_read(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    _tiny_data(desk)
    with pytest.raises(SystemExit, match="desk"):
        mcp.read_documents(desk / "data")


def test_cross_outlet_pairs_find_paraphrases_and_change_a_detail_the_other_outlet_states() -> None:
    from claims.embed.loader import load_embedder
    from claims.settings import Settings

    # two bodies of one split (the pairs never cross the train/dev line)
    ids = [i for i in range(40) if mcp.split_of(mcp.Document(f"fnc-1-train:{i}", "fnc-1", f"body:{i}", ())) == "train"]
    one = mcp.Document(f"fnc-1-train:{ids[0]}", "fnc-1", f"body:{ids[0]}", (
        "The regional airline cancelled 240 flights on Monday after a strike by its pilots over pay.",
        "Passengers queued for hours at the main terminal in Halden, the company said.",
        "The union wants a raise of 9% for its members this year, its leader said.",
    ))
    two = mcp.Document(f"fnc-1-train:{ids[1]}", "fnc-1", f"body:{ids[1]}", (
        "Hundreds of travellers were stranded as the strike went on.",
        "On Monday the regional airline had to cancel 240 flights as its pilots went on strike over their pay.",
        "The union is asking its employer for a 12% raise for its members this year, the leader said.",
    ))
    encode = load_embedder(Settings().model, backend="auto").encode
    rows = mcp.cross_outlet_pairs([one, two], [[one.doc_id, two.doc_id]], LEX, rng(), encode)
    support = [r for r in rows if r["kind"] == "other_outlet"]
    assert any(r["claim"].startswith("The regional airline cancelled 240 flights") and "cancel 240 flights" in r["passage"]
               and r["passage_doc"] != r["source_doc"] for r in support)
    # 9% against 12%: close in meaning and not a copy, but a figure the other outlet does not give
    union = encode([one.sentences[2], two.sentences[2]])
    assert float(union[0] @ union[1]) / float((union[0] @ union[0]) * (union[1] @ union[1])) ** 0.5 \
        >= mcp.PARAPHRASE_COSINE
    assert not any("9%" in r["claim"] and "12%" in r["passage"] for r in support)
    assert any(r["kind"] == "other_outlet_changed" for r in rows)
    for r in rows:
        assert r["label"] == mcp.LABEL_OF[r["kind"]]
        if r["kind"] == "other_outlet_changed":  # one detail of the paraphrased sentence, stated by the passage
            [original] = [o["claim"] for o in support if o["passage"] == r["passage"] and o["source_doc"] == r["source_doc"]]
            assert r["change"] in mcp.CROSS_CHANGES and r["claim"] != original
            if r["change"] not in ("antonym", "negation", "quantifier"):
                assert all(w in r["passage"] for w in mcp._removed_words(original, r["claim"]))
