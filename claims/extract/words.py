"""The one stemmer of the engine's word readings (roles, relevance, scope, the named checks).

A tiny suffix stripper ("deploys", "deployed", "deploying" -> "deploy"; "cities" -> "city"),
enough to align the words of a claim with those of a passage. The stance MLP's features
keep their own stemmer (:mod:`claims.score.stance`): the packaged model was trained on it.
"""

from __future__ import annotations

import functools
import re

__all__ = ["stem"]

_SUFFIXES = (("ies", "y"), ("ing", ""), ("ed", ""), ("s", ""), ("ly", ""))
_DOUBLED = re.compile(r"([b-df-hj-km-np-rtv-z])\1$")  # "scrapp(ed)", "plann(ed)"; not "call", "pass"


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """``word`` lower-cased, without a possessive 's, one plural or verb ending and a final
    e, so that a verb's forms meet ("approve", "approved", "approves" -> "approv"; "rise",
    "rises", "rising" -> "rise"; "scrap", "scrapped" -> "scrap"; "cities" -> "city")."""
    word = word.lower().replace("’", "'").removesuffix("'s")
    if len(word) <= 4 or word[0].isdigit():
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            if suffix in ("ing", "ed"):
                word = _DOUBLED.sub(r"\1", word)
                if len(word) <= 3:
                    word += "e"  # ris(ing) -> rise, us(ed) -> use
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word
