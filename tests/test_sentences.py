"""Sentence splitting on news text: boundaries and offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from claims.extract.sentences import split_sentences

CASES = [
    ("The U.S. Army sent 8,000 troops. Mr. Smith said it was 3.5 times more.",
     ["The U.S. Army sent 8,000 troops.", "Mr. Smith said it was 3.5 times more."]),
    ('"We will not back down," Gen. Milley said on Jan. 5. The talks resumed.',
     ['"We will not back down," Gen. Milley said on Jan. 5.', "The talks resumed."]),
    ('He said: "This is wrong." Then he left.', ['He said: "This is wrong."', "Then he left."]),
    ('"We are ready," he said. "The troops will go."', ['"We are ready," he said.', '"The troops will go."']),
    ('He called it "a disaster." Others disagreed.', ['He called it "a disaster."', "Others disagreed."]),
    ("Growth was 2.5% in Q3. Inflation fell to 3.1 per cent.",
     ["Growth was 2.5% in Q3.", "Inflation fell to 3.1 per cent."]),
    ("The company, based in Washington, D.C., hired 200 people. It plans more.",
     ["The company, based in Washington, D.C., hired 200 people.", "It plans more."]),
    ("Is it true? Yes! It is.", ["Is it true?", "Yes!", "It is."]),
    ("Dr. Jane Doe of St. Louis met Sen. John Roe at 9 a.m. Monday. They spoke for an hour.",
     ["Dr. Jane Doe of St. Louis met Sen. John Roe at 9 a.m. Monday.", "They spoke for an hour."]),
    ("He arrived in the U.S. The next day he left.", ["He arrived in the U.S.", "The next day he left."]),
    ("About 1,500 troops arrived on Oct. 18, officials said. More followed.",
     ["About 1,500 troops arrived on Oct. 18, officials said.", "More followed."]),
    ("The U.K. and the E.U. agreed. Talks ended.", ["The U.K. and the E.U. agreed.", "Talks ended."]),
    ("Sales hit $1.2 billion (up 5.4%). Shares rose.", ["Sales hit $1.2 billion (up 5.4%).", "Shares rose."]),
    ("Lt. Col. Ivan Petrov, 45, was killed. His unit retreated.",
     ["Lt. Col. Ivan Petrov, 45, was killed.", "His unit retreated."]),
    ("It rose by approx. 10 percent vs. last year. Good.",
     ["It rose by approx. 10 percent vs. last year.", "Good."]),
    ("Kim Jong Un met Putin in Sept. 2023. They signed a pact.",
     ["Kim Jong Un met Putin in Sept. 2023.", "They signed a pact."]),
    ("Smith & Co. Ltd. reported a loss. Jones Inc. gained.",
     ["Smith & Co. Ltd. reported a loss.", "Jones Inc. gained."]),
    # headlines and lines without full stops
    ("North Korea sends troops to Russia\nPyongyang has dispatched thousands of troops. China is silent.",
     ["North Korea sends troops to Russia", "Pyongyang has dispatched thousands of troops.", "China is silent."]),
    ("BREAKING: 8,000 North Korean troops in Kursk", ["BREAKING: 8,000 North Korean troops in Kursk"]),
    ("Seoul, Nov. 4 (Reuters)\n\nThe troops moved.", ["Seoul, Nov. 4 (Reuters)", "The troops moved."]),
    # lists
    ("The plan:\n- cut taxes\n- raise wages\nIt passed.", ["The plan:", "- cut taxes", "- raise wages", "It passed."]),
    ("Demands:\n1. a ceasefire\n2. prisoner swaps", ["Demands:", "1. a ceasefire", "2. prisoner swaps"]),
    # hard-wrapped prose: a line break inside a sentence does not split it
    ("The troops were sent to the\nborder region last week. They stayed.",
     ["The troops were sent to the\nborder region last week.", "They stayed."]),
    ("", []),
    ("   \n\n  ", []),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0][:30] for c in CASES])
def test_split(text: str, expected: list[str]) -> None:
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == expected
    for s in sentences:
        assert text[s.start:s.end] == s.text
        assert s.text == s.text.strip()


def test_offsets_with_repeated_sentences() -> None:
    text = "It rained. It rained. It rained."
    sentences = split_sentences(text)
    assert [(s.start, s.end) for s in sentences] == [(0, 10), (11, 21), (22, 32)]


def test_seed_article() -> None:
    path = Path(__file__).resolve().parents[2] / "shared" / "seed" / "article.txt"
    if not path.is_file():
        pytest.skip(f"seed article not found at {path}")
    text = path.read_text(encoding="utf-8")
    sentences = split_sentences(text)
    for s in sentences:
        assert text[s.start:s.end] == s.text
    texts = [s.text for s in sentences]
    assert len(texts) == 15
    assert ("In a recent meeting, top U.S. diplomats engaged with China's ambassador to the United States "
            "to express concerns and encourage China to use its sway with North Korea to discourage the "
            "military cooperation.") in texts
    assert any(t.startswith("However, China has not publicly addressed the reported deployment of 8,000") for t in texts)
