"""The cross-encoder's training mix: which stance pairs it learns from and which it never sees.

Every pair belongs to a *group* (a claim, a premise, an FNC-1 body); a hash of the group
sends 15% of each set to the **held-back** part (measurement only, never trained or
tuned on), so a claim's other pairs cannot leak its answer into training. The verdict
benchmarks lend only their dev halves (Climate-FEVER's evidence sentences, AVeriTeC's
question-answers), split by the same hash of the claim text as ``claims eval`` uses, so
their test halves stay unseen.

The mix is balanced by source and by class: each source gives at most ``per_source``
pairs, spread over its labels as evenly as the labels allow (the rarest class kept
whole), so that no one set's style or one class dominates. Long passages (FNC-1 bodies,
question-answer lists) are cut to the window of sentences that shares most words with
the claim, at most ``max_words`` words, as the pipeline's passages are.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from claims.eval.judging import hash_split
from claims.eval.stance import (
    HELD_BACK_SHARE,
    StancePair,
    best_window,
    held_back,
    load_stance_dir,
    load_stance_file,
)
from claims.models import content_hash

__all__ = [
    "DEFAULT_BUDGET",
    "HELD_BACK_SHARE",
    "averitec_pairs",
    "best_window",
    "climate_fever_pairs",
    "held_back",
    "stance_mix",
    "verdict_claim_unseen",
]

# Pairs per source in the training mix (a source with fewer gives what it has).
DEFAULT_BUDGET = {
    "fnc-1": 6000, "sick": 4000, "fever-rte": 4500, "healthver": 3600, "anli": 3000, "rte": 2500,
    "rte-covidfact": 1500, "rte-scifact": 800, "climate-fever": 2000, "averitec": 1600,
}

def verdict_claim_unseen(dataset: str, claim_text: str, claim_id: str = "") -> bool:
    """True when the packaged cross-encoder never trained on this benchmark claim's evidence:
    any LIAR-PLUS claim, a test-half claim, or a held-back dev-half claim of Climate-FEVER
    (grouped by its claim id) or AVeriTeC (by its text)."""
    if dataset not in ("climate-fever", "averitec") or hash_split(claim_text) == "test":
        return True
    group = f"claim:{claim_id}" if dataset == "climate-fever" else f"claim:{claim_text.strip()}"
    return held_back(StancePair(claim_text, "", "neutral", dataset, group))


def averitec_pairs(path: Path) -> list[StancePair]:
    """AVeriTeC claims of the dev half with all their question-answers as one passage:
    Supported -> support, Refuted -> refute, Not Enough Evidence -> neutral
    (conflicting claims are left out: their evidence points both ways)."""
    # lazy: the verdict loader (one reading of the format), for this set only
    from claims.eval.averitec import load_averitec

    stance = {"supported": "support", "refuted": "refute", "not_enough_evidence": "neutral"}
    pairs = []
    for claim in load_averitec(path):
        if claim.label not in stance or not claim.evidence or hash_split(claim.text) != "dev":
            continue
        passage = " ".join(e.text for e in claim.evidence)
        pairs.append(StancePair(claim.text, passage, stance[claim.label], "averitec", group=f"claim:{claim.text}"))
    return pairs


def climate_fever_pairs(path: Path) -> list[StancePair]:
    """Climate-FEVER evidence sentences of the dev half (by the claim's hash, as
    ``claims eval climate-fever`` splits)."""
    return [p for p in load_stance_file(path) if hash_split(p.claim) == "dev"]


def _spread(pairs: list[StancePair], budget: int, rng: random.Random) -> list[StancePair]:
    """At most ``budget`` pairs, as even across labels as the labels allow."""
    by_label: dict[str, list[StancePair]] = defaultdict(list)
    for pair in pairs:
        by_label[pair.label].append(pair)
    for rows in by_label.values():
        rng.shuffle(rows)
    chosen: list[StancePair] = []
    left = budget
    labels = sorted(by_label, key=lambda label: len(by_label[label]))
    for i, label in enumerate(labels):  # rarest first: it gives all it has, the rest share what is left
        share = left // (len(labels) - i)
        take = by_label[label][:share]
        chosen.extend(take)
        left -= len(take)
    return chosen


def stance_mix(stance_dir: Path, *, climate_fever: Path | None = None, averitec: Path | None = None,
               budget: dict[str, int] | None = None, seed: int = 13,
               max_words: int = 110) -> tuple[list[StancePair], list[StancePair]]:
    """(training pairs, held-back pairs). The held-back part holds every held-back pair of
    every source (not only of the budgeted ones); training pairs are shuffled with ``seed``."""
    budget = dict(DEFAULT_BUDGET if budget is None else budget)
    pairs: list[StancePair] = list(load_stance_dir(stance_dir))
    if climate_fever is not None:
        pairs.extend(climate_fever_pairs(climate_fever))
    if averitec is not None:
        pairs.extend(averitec_pairs(averitec))
    pairs = [StancePair(p.claim.strip(), best_window(p.claim, p.passage, max_words), p.label, p.source, p.group)
             for p in pairs if p.claim.strip() and p.passage.strip()]
    rng = random.Random(seed)
    train: list[StancePair] = []
    held: list[StancePair] = []
    by_source: dict[str, list[StancePair]] = defaultdict(list)
    for pair in pairs:
        (held if held_back(pair) else by_source[pair.source]).append(pair)
    for source in sorted(by_source):
        rows = sorted(by_source[source], key=lambda p: content_hash(p.claim + "\x1f" + p.passage + p.label))
        train.extend(_spread(rows, budget.get(source, 0), rng) if source in budget else [])
    rng.shuffle(train)
    return train, held


def label_counts(pairs: Iterable[StancePair]) -> dict[str, dict[str, int]]:
    """{source: {label: count}} of ``pairs`` (for the model card)."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for pair in pairs:
        out[pair.source][pair.label] += 1
    return {s: dict(sorted(c.items())) for s, c in sorted(out.items())}
