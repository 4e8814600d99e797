"""Work a rerun on unchanged inputs skips: cutting documents again and judging stance again."""

from __future__ import annotations

import numpy as np
import pytest

from claims import pipeline
from claims.models import Document
from claims.score.cache import stance_cached
from claims.score.passages import make_passages
from claims.settings import Settings
from claims.store import Store

TEXT_A = ("North Korea has sent about 8,000 soldiers to Russia's Kursk region, officials said on Oct. 31. "
          "The troops are expected to join combat soon. Seoul called the deployment a grave threat. "
          "Moscow did not comment. Analysts said more units could follow in November.")
TEXT_B = ("Ukraine's intelligence service put the number at 11,000 on Nov. 4. "
          "It said the units were moving towards the front line. The figure could not be verified.")


@pytest.fixture()
def store(tmp_path) -> Store:
    store = Store(tmp_path / "rerun.duckdb")
    store.migrate()
    return store


def _docs(text_a: str = TEXT_A) -> list[Document]:
    return [Document.make(text_a, url="https://a.example/kursk", outlet="A", source_kind="corpus"),
            Document.make(TEXT_B, url="https://b.example/ukraine", outlet="B", source_kind="corpus")]


def test_unchanged_documents_are_read_back_not_cut_again(store, embedder):
    settings = Settings(db=store.path, passage_sentences=2, passage_overlap=1)
    docs = _docs()
    store.upsert_documents(docs)
    first = pipeline.prepare_passages(docs, settings, store, embedder)
    assert (first.cut, first.reused) == (2, 0)
    assert first.embedded == len(first.passages) > 2

    second = pipeline.prepare_passages(docs, settings, store, embedder)
    assert (second.cut, second.reused, second.embedded) == (0, 2, 0)
    assert [(p.id, p.document_id, p.position, p.text, p.start, p.end) for p in second.passages] == \
        [(p.id, p.document_id, p.position, p.text, p.start, p.end) for p in first.passages]
    assert np.array_equal(second.vectors, first.vectors)

    # A changed text (same URL, so the same document id) is cut again; the other is not.
    changed = _docs(TEXT_A.replace("8,000", "9,000"))
    third = pipeline.prepare_passages(changed, settings, store, embedder)
    assert (third.cut, third.reused) == (1, 1)
    assert any("9,000" in p.text for p in third.passages)
    assert not any("8,000" in p.text for p in third.passages)
    assert [p.text for p in third.passages] == [p.text for d in changed for p in make_passages(d, 2, 1)]

    # Other passage settings cut everything again, into other passages.
    wider = Settings(db=store.path, passage_sentences=3, passage_overlap=1)
    fourth = pipeline.prepare_passages(docs, wider, store, embedder)
    assert (fourth.cut, fourth.reused) == (2, 0)
    assert [p.text for p in fourth.passages] == [p.text for d in docs for p in make_passages(d, 3, 1)]


def test_a_missing_passage_row_means_the_document_is_cut_again(store, embedder):
    settings = Settings(db=store.path)
    docs = _docs()
    store.upsert_documents(docs)
    first = pipeline.prepare_passages(docs, settings, store, embedder)
    with store.transaction() as con:
        con.execute("DELETE FROM passages WHERE id = ?", [first.passages[0].id])
    again = pipeline.prepare_passages(docs, settings, store, embedder)
    assert (again.cut, again.reused) == (1, 1)
    assert [p.id for p in again.passages] == [p.id for p in first.passages]
    assert store.stored_passage_ids([first.passages[0].id]) == {first.passages[0].id}


def test_stance_is_computed_once_per_model_and_pair(store: Store) -> None:
    calls: list[list[str]] = []

    def predict(claims, passages, claim_emb, passage_emb):
        calls.append(list(passages))
        return np.array([[0.7, 0.1, 0.2] if "8,000" in p else [0.1, 0.2, 0.7] for p in passages], dtype=np.float32)

    claims = ["Pyongyang sent 8,000 troops."] * 3
    passages = ["About 8,000 soldiers went.", "The weather was fine.", "About 8,000 soldiers went."]
    emb = np.zeros((3, 4), dtype=np.float32)
    first = stance_cached(store, "m1", predict, claims, passages, emb, emb)
    assert calls == [["About 8,000 soldiers went.", "The weather was fine."]]
    assert first.shape == (3, 3) and np.allclose(first[0], [0.7, 0.1, 0.2]) and np.array_equal(first[0], first[2])

    again = stance_cached(store, "m1", predict, claims, passages, emb, emb)
    assert len(calls) == 1 and np.array_equal(again, first)

    stance_cached(store, "m2", predict, claims[:1], passages[:1], emb[:1], emb[:1])  # another model: computed
    assert calls[1:] == [["About 8,000 soldiers went."]]
    with store.connect() as con:
        assert con.execute("SELECT model, count(*) FROM stance_cache GROUP BY ALL ORDER BY 1").fetchall() == \
            [("m1", 2), ("m2", 1)]
