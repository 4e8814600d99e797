"""Ranking passages for claims: dense, BM25 and their reciprocal rank fusion."""

from __future__ import annotations

import numpy as np
import pytest

from claims.score.retrieve import bm25_scores, rank_passages, top_k

PASSAGES = [
    "The weather in Paris was mild and sunny all week.",
    "North Korea sent 8,000 troops to the Kursk region, officials said.",
    "Troops moved near the border, officials said.",
    "Kursk is a city in western Russia.",
]


def _unit(rows: list[list[float]]) -> np.ndarray:
    a = np.asarray(rows, dtype=np.float32)
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def test_bm25_prefers_rare_shared_words_and_ignores_stop_words() -> None:
    scores = bm25_scores(["8,000 North Korean troops in Kursk", "the and of"], PASSAGES)
    assert scores.shape == (2, 4)
    assert int(np.argmax(scores[0])) == 1
    assert scores[0, 0] == 0.0  # no word in common
    assert scores[0, 3] > 0.0 and scores[0, 3] < scores[0, 1]
    assert not scores[1].any()  # stop words only
    assert bm25_scores(["troops"], []).shape == (1, 0)
    assert not bm25_scores(["troops"], ["the", "a"]).any()  # nothing indexable


def test_hybrid_lifts_the_lexical_match_that_dense_ranks_second() -> None:
    claim = _unit([[1.0, 0.0, 0.0]])
    # dense alone prefers passage 2 (generic troop movement) over passage 1 (the figure and place)
    passages = _unit([[0.0, 1.0, 0.0], [0.80, 0.6, 0.0], [0.85, 0.5, 0.0], [0.3, 0.0, 1.0]])
    text = ["8,000 North Korean troops are in Kursk"]
    dense = rank_passages(text, claim, PASSAGES, passages, 2, method="dense")[0]
    hybrid = rank_passages(text, claim, PASSAGES, passages, 2, method="hybrid")[0]
    assert [i for i, _ in dense] == [2, 1]
    assert [i for i, _ in hybrid] == [1, 2]
    assert dict(hybrid)[1] == pytest.approx(float(claim[0] @ passages[1]))  # similarity stays the cosine
    assert dense == top_k(claim, passages, 2)[0]


def test_hybrid_keeps_the_similarity_gate() -> None:
    claim = _unit([[1.0, 0.0]])
    passages = _unit([[0.0, 1.0], [1.0, 0.1]])  # passage 0 shares words but is not similar
    got = rank_passages(["Kursk is a city"], claim, ["Kursk is a city in Russia.", "Something else."], passages, 2,
                        min_similarity=0.3)[0]
    assert [i for i, _ in got] == [1]


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="dense or hybrid"):
        rank_passages(["x"], _unit([[1.0]]), ["x"], _unit([[1.0]]), 1, method="sparse")


def test_lexical_rescue_lets_a_passage_of_the_claims_words_under_the_gate() -> None:
    # a news lead packs several facts; its vector sits under the gate (0.30 < 0.35), its words do not
    claim = _unit([[1.0, 0.0, 0.0]])
    texts = ["The council approved the budget by a 7-2 vote and kept all six library branches open on Sundays.",
             "The weather in Paris was mild.", "Rain fell on the coast."]
    passages = _unit([[0.30, 0.954, 0.0], [0.25, 0.0, 0.968], [0.9, 0.436, 0.0]])
    words = ["All six library branches will stay open on Sundays."]
    strict = rank_passages(words, claim, texts, passages, 3, min_similarity=0.35)[0]
    rescued = rank_passages(words, claim, texts, passages, 3, min_similarity=0.35, lexical_rescue=3)[0]
    assert [i for i, _ in strict] == [2]
    assert sorted(i for i, _ in rescued) == [0, 2]  # passage 1 shares no word: still gated
    assert dict(rescued)[0] == pytest.approx(0.30, abs=1e-3)  # reported as its cosine
    # more than the margin under the gate: not rescued
    far = _unit([[0.15, 0.989, 0.0], [0.25, 0.0, 0.968], [0.9, 0.436, 0.0]])
    assert [i for i, _ in rank_passages(words, claim, texts, far, 3, min_similarity=0.35, lexical_rescue=3)[0]] == [2]
