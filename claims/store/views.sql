-- The read side of the database: views (and the small macros they use) that turn the
-- tables into what users ask. Executed by Store.migrate() on every open for writing, so
-- every statement is CREATE OR REPLACE and the file can be run any number of times.
-- Every column is described in docs/schema.md (a test holds the two together).
--
-- Complete results only: a verdict row and its evidence rows are written in one
-- transaction (Store.save_verdicts), so every view starts from `verdicts`; evidence of
-- a run that wrote no verdict (impossible today, but cheap to guard) never shows.


-- A readable name for a source: its outlet, else the host of its URL, else its title.
CREATE OR REPLACE MACRO claims_source_name(outlet, url, title) AS
    coalesce(
        nullif(trim(outlet), ''),
        nullif(regexp_extract(url, '^[A-Za-z][A-Za-z0-9+.-]*://(?:www\.)?([^/:?#@]+)', 1), ''),
        nullif(trim(title), ''),
        'unknown source'
    );

-- One figure as written ("8,000", "1.5 million", "12 thousand"): its digits, and its scale.
-- A claim's scope in words, as claims.models.Scope.describe() writes it (NULL parts left
-- out; NULL for claims stored before schema version 10).
CREATE OR REPLACE MACRO claims_scope(thing, status, place, scope_start, scope_end, time_text, holder, bound) AS
    nullif(concat_ws('; ',
        nullif(thing, '') || coalesce(' (' || nullif(status, '') || ')', ''),
        'in ' || nullif(place, ''),
        CASE
            WHEN scope_end IS NULL THEN NULL
            WHEN scope_start IS NULL THEN 'before ' || strftime(scope_end, '%-d %b %Y')
            WHEN scope_start = scope_end THEN strftime(scope_start, '%-d %b %Y')
            ELSE strftime(scope_start, '%-d %b') || '-' || strftime(scope_end, '%-d %b %Y')
        END || coalesce(' (' || nullif(time_text, '') || ')', ' (article date)'),
        'per ' || nullif(holder, ''),
        nullif(bound, '')
    ), '');

CREATE OR REPLACE MACRO claims_figure_digits(token) AS
    TRY_CAST(replace(regexp_extract(token, '\d[\d,]*(?:\.\d+)?'), ',', '') AS DOUBLE);

CREATE OR REPLACE MACRO claims_figure_scale(token) AS
    CASE
        WHEN regexp_matches(lower(token), 'billion') THEN 1e9
        WHEN regexp_matches(lower(token), 'million') THEN 1e6
        WHEN regexp_matches(lower(token), 'thousand') THEN 1e3
        ELSE 1
    END;

-- The figures of a list of such tokens; in "10 to 12 million" the second one's scale
-- applies to the first.
CREATE OR REPLACE MACRO claims_figures_of(tokens) AS
    list_transform(tokens, lambda token, i: claims_figure_digits(token) * CASE
        WHEN i = 1 AND len(tokens) = 2 AND claims_figure_scale(token) = 1 THEN claims_figure_scale(tokens[2])
        ELSE claims_figure_scale(token)
    END);

-- The figures of a quantity's text, in order: "between 10,000 and 12,000 troops" ->
-- [10000, 12000]. Spelled-out numbers ("three thousand") give no figure.
CREATE OR REPLACE MACRO claims_figures(quantity_text) AS
    claims_figures_of(regexp_extract_all(quantity_text, '\d[\d,]*(?:\.\d+)?(?:\s+(?:thousand|million|billion)\b)?'));

-- The hedge written before the first figure ("about", "more than", "between"), or NULL.
CREATE OR REPLACE MACRO claims_qualifier(quantity_text) AS
    nullif(lower(trim(regexp_extract(quantity_text, '^([^\d]*?)\s*\d', 1))), '');

-- What is counted: the words after the last figure ("North Korean soldiers"), or NULL.
CREATE OR REPLACE MACRO claims_counted(quantity_text) AS
    nullif(trim(regexp_extract(quantity_text,
        '\d(?:[\d,]*\d)?(?:\.\d+)?(?:\s+(?:thousand|million|billion)\b)?(?:-strong)?\s+([^\d]*)$', 1)), '');

-- Hedges that leave a figure open above ("more than 3,000") or below ("up to 3,000").
CREATE OR REPLACE MACRO claims_open_above(qualifier) AS
    coalesce(regexp_full_match(qualifier, '(more than|over|at least|upwards? of|in excess of|above|no fewer than|no less than|greater than|well over|well above|well in excess of|a minimum of|not less than|not fewer than|north of|beyond|exceeding)'), false);

CREATE OR REPLACE MACRO claims_open_below(qualifier) AS
    coalesce(regexp_full_match(qualifier, '(up to|as many as|at most|at the most|no more than|not more than|fewer than|less than|under|below|a maximum of|maximum of|as much as|not exceeding|shy of)'), false);


-- latest_verdicts: one row per claim, its most recent verdict with the claim's details
-- and the sources its evidence cites, best first.
CREATE OR REPLACE VIEW latest_verdicts AS
WITH ranked AS (
    SELECT v.*,
           row_number() OVER (PARTITION BY v.claim_id ORDER BY v.created_at DESC, v.run_id DESC) AS recency,
           count(*) OVER (PARTITION BY v.claim_id) AS verdict_count
    FROM verdicts v
),
cited AS (
    SELECT e.run_id, e.claim_id,
           claims_source_name(d.outlet, d.url, d.title) AS source,
           min(e.rank) AS best_rank,
           arg_min(d.url, e.rank) AS url,
           arg_min(d.published_at, e.rank) AS published_at,
           count(*) AS passages
    FROM evidence e
    JOIN documents d ON d.id = e.document_id
    GROUP BY ALL
),
sources AS (
    SELECT run_id, claim_id,
           list(source ORDER BY best_rank) AS top_sources,
           list(url ORDER BY best_rank) AS top_source_urls,
           arg_min(source || coalesce(' (' || strftime(published_at, '%Y-%m-%d') || ')', ''), best_rank) AS closest_source,
           sum(passages)::INTEGER AS n_evidence
    FROM cited
    GROUP BY ALL
),
-- the passage whose vote most decided the verdict (verdicts.best_passage_id, since 007)
best AS (
    SELECT e.run_id, e.claim_id, e.passage_id,
           claims_source_name(d.outlet, d.url, d.title)
               || coalesce(' (' || strftime(d.published_at, '%Y-%m-%d') || ')', '') AS best_source,
           d.url AS best_source_url
    FROM verdicts v
    JOIN evidence e ON e.run_id = v.run_id AND e.claim_id = v.claim_id AND e.passage_id = v.best_passage_id
    JOIN documents d ON d.id = e.document_id
)
SELECT
    -- what a reader asks first: the claim and its verdict; then the claim's details
    c.text               AS claim,
    r.label,
    r.confidence,
    r.rationale,
    coalesce(b.best_source, s.closest_source) AS best_source,
    coalesce(c.checkable, c.text) AS checkable,
    c.id                 AS claim_id,
    c.document_id,
    d.title              AS document_title,
    d.url                AS document_url,
    d.outlet             AS document_outlet,
    d.published_at       AS document_published_at,
    c.char_start,
    c.char_end,
    c.claim_date,
    c.claim_type,
    c.checkworthiness,
    c.attribution,
    c.quantity_text,
    c.quantity_value,
    c.quantity_low,
    c.quantity_high,
    c.quantity_unit,
    c.quantity_qualifier,
    coalesce(c.cluster_id, c.id) AS cluster_id,
    r.n_support,
    r.n_refute,
    r.n_neutral,
    coalesce(s.n_evidence, 0) AS n_evidence,
    coalesce(s.top_sources[1:3], []::VARCHAR[]) AS top_sources,
    coalesce(s.top_source_urls[1:3], []::VARCHAR[]) AS top_source_urls,
    b.best_source_url,
    r.best_passage_id,
    r.run_id,
    r.created_at,
    r.model,
    r.verdict_count::INTEGER AS verdict_count,
    claims_scope(c.scope_thing, c.scope_status, c.scope_place, c.scope_start, c.scope_end,
                 c.scope_time_text, c.scope_holder, c.scope_bound) AS scope
FROM ranked r
JOIN claims c ON c.id = r.claim_id
LEFT JOIN documents d ON d.id = c.document_id
LEFT JOIN sources s ON s.run_id = r.run_id AND s.claim_id = r.claim_id
LEFT JOIN best b ON b.run_id = r.run_id AND b.claim_id = r.claim_id
WHERE r.recency = 1;


-- claim_evidence: every piece of evidence of every complete verdict, readable: the claim,
-- the passage, its source document and how it was judged.
CREATE OR REPLACE VIEW claim_evidence AS
WITH ranked AS (
    SELECT v.run_id, v.claim_id, v.label, v.created_at, v.best_passage_id,
           row_number() OVER (PARTITION BY v.claim_id ORDER BY v.created_at DESC, v.run_id DESC) = 1 AS is_latest
    FROM verdicts v
)
SELECT
    e.run_id,
    e.claim_id,
    c.text               AS claim,
    coalesce(c.checkable, c.text) AS checkable,
    coalesce(c.cluster_id, c.id) AS cluster_id,
    r.label              AS verdict_label,
    r.created_at         AS verdict_created_at,
    r.is_latest,
    e.rank,
    e.similarity,
    e.stance,
    e.stance_score,
    e.role,
    e.origin,
    e.role_cue,
    e.vote_weight,
    coalesce(e.passage_id = r.best_passage_id, false) AS is_best,
    e.quantity_relation,
    e.passage_quantity,
    e.passage_quantity_value,
    e.passage_quantity_low,
    e.passage_quantity_high,
    e.passage_quantity_unit,
    e.quantity_date,
    e.passage_id,
    p.text               AS passage,
    p.char_start         AS passage_char_start,
    p.char_end           AS passage_char_end,
    e.document_id,
    claims_source_name(d.outlet, d.url, d.title) AS source,
    d.outlet,
    d.url,
    d.title,
    d.published_at,
    d.source_kind,
    e.scope_note,
    claims_scope(c.scope_thing, c.scope_status, c.scope_place, c.scope_start, c.scope_end,
                 c.scope_time_text, c.scope_holder, c.scope_bound) AS scope
FROM evidence e
JOIN ranked r ON r.run_id = e.run_id AND r.claim_id = e.claim_id
JOIN claims c ON c.id = e.claim_id
LEFT JOIN passages p ON p.id = e.passage_id
LEFT JOIN documents d ON d.id = e.document_id;


-- verdict_changes: each time a claim's label differs from its previous verdict row (in
-- time order), with both verdicts and the evidence the later run cited that the earlier
-- one had not.
CREATE OR REPLACE VIEW verdict_changes AS
WITH ordered AS (
    SELECT v.*,
           lag(v.label)      OVER w AS previous_label,
           lag(v.confidence) OVER w AS previous_confidence,
           lag(v.run_id)     OVER w AS previous_run_id,
           lag(v.created_at) OVER w AS previous_created_at
    FROM verdicts v
    WINDOW w AS (PARTITION BY v.claim_id ORDER BY v.created_at, v.run_id)
),
changes AS (
    SELECT * FROM ordered
    WHERE previous_label IS NOT NULL AND label <> previous_label
),
fresh AS (
    SELECT ch.run_id, ch.claim_id,
           list({'source': claims_source_name(d.outlet, d.url, d.title),
                 'url': d.url,
                 'published_at': d.published_at,
                 'stance': e.stance,
                 'quantity_relation': e.quantity_relation,
                 'passage_quantity': e.passage_quantity,
                 'similarity': e.similarity,
                 'passage': p.text} ORDER BY e.rank) AS new_evidence
    FROM changes ch
    JOIN evidence e ON e.run_id = ch.run_id AND e.claim_id = ch.claim_id
    LEFT JOIN documents d ON d.id = e.document_id
    LEFT JOIN passages p ON p.id = e.passage_id
    WHERE NOT EXISTS (
        SELECT 1 FROM evidence old
        WHERE old.run_id = ch.previous_run_id AND old.claim_id = ch.claim_id AND old.passage_id = e.passage_id
    )
    GROUP BY ALL
)
SELECT
    ch.claim_id,
    c.text                  AS claim,
    coalesce(c.checkable, c.text) AS checkable,
    ch.previous_label,
    ch.previous_confidence,
    ch.previous_run_id,
    ch.previous_created_at,
    ch.label                AS new_label,
    ch.confidence           AS new_confidence,
    ch.run_id               AS new_run_id,
    ch.created_at           AS new_created_at,
    ch.rationale            AS new_rationale,
    coalesce(len(f.new_evidence), 0)::INTEGER AS new_evidence_count,
    coalesce(f.new_evidence, []) AS new_evidence
FROM changes ch
JOIN claims c ON c.id = ch.claim_id
LEFT JOIN fresh f ON f.run_id = ch.run_id AND f.claim_id = ch.claim_id;


-- quantity_reports: every figure reported within a claim cluster, by source and date:
-- the claims' own quantities and the quantities of the passages cited as their evidence
-- (one row per cluster, source document and figure, from the latest run that cited it).
-- Figures come parsed by the pipeline (claims.quantity_*, evidence.passage_quantity_*);
-- evidence written before migration 006 has only its text, parsed here by claims_figures.
CREATE OR REPLACE VIEW quantity_reports AS
WITH claim_rows AS (
    SELECT
        coalesce(c.cluster_id, c.id)  AS cluster_id,
        c.id                          AS claim_id,
        'claim'                       AS role,
        c.document_id,
        NULL::VARCHAR                 AS passage_id,
        c.quantity_text,
        TRUE                          AS parsed,
        coalesce(c.quantity_value, (c.quantity_low + c.quantity_high) / 2) AS parsed_value,
        c.quantity_low                AS parsed_low,
        c.quantity_high               AS parsed_high,
        c.quantity_unit               AS parsed_unit,
        c.quantity_qualifier          AS parsed_qualifier,
        NULL::VARCHAR                 AS quantity_relation,
        NULL::VARCHAR                 AS stance,
        coalesce(d.published_at, c.claim_date::TIMESTAMP) AS reported_at,
        c.text                        AS context
    FROM claims c
    LEFT JOIN documents d ON d.id = c.document_id
    WHERE c.quantity_text IS NOT NULL
      AND EXISTS (SELECT 1 FROM verdicts v WHERE v.claim_id = c.id)
),
cited AS (
    SELECT
        coalesce(c.cluster_id, c.id)  AS cluster_id,
        e.claim_id,
        e.document_id,
        e.passage_id,
        e.passage_quantity            AS quantity_text,
        -- parsed by the pipeline (rows from before migration 006: NULL, parsed below)
        e.passage_quantity_low IS NOT NULL OR e.passage_quantity_high IS NOT NULL
            OR e.passage_quantity_value IS NOT NULL AS parsed,
        coalesce(e.passage_quantity_value, (e.passage_quantity_low + e.passage_quantity_high) / 2) AS parsed_value,
        e.passage_quantity_low        AS parsed_low,
        e.passage_quantity_high       AS parsed_high,
        e.passage_quantity_unit       AS parsed_unit,
        e.passage_quantity_qualifier  AS parsed_qualifier,
        e.quantity_date,
        e.quantity_relation,
        e.stance
    FROM evidence e
    JOIN verdicts v ON v.run_id = e.run_id AND v.claim_id = e.claim_id
    JOIN claims c ON c.id = e.claim_id
    WHERE e.passage_quantity IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY coalesce(c.cluster_id, c.id), e.document_id, e.passage_quantity
        ORDER BY v.created_at DESC, e.rank, e.claim_id
    ) = 1
),
evidence_rows AS (
    SELECT x.cluster_id, x.claim_id, 'evidence' AS role, x.document_id, x.passage_id,
           x.quantity_text, x.parsed, x.parsed_value, x.parsed_low, x.parsed_high, x.parsed_unit,
           x.parsed_qualifier, x.quantity_relation, x.stance,
           coalesce(x.quantity_date::TIMESTAMP, d.published_at) AS reported_at, p.text AS context
    FROM cited x
    LEFT JOIN documents d ON d.id = x.document_id
    LEFT JOIN passages p ON p.id = x.passage_id
),
reports AS (
    SELECT *, claims_figures(quantity_text) AS figures, claims_qualifier(quantity_text) AS qualifier
    FROM (SELECT * FROM claim_rows UNION ALL BY NAME SELECT * FROM evidence_rows)
)
SELECT
    r.cluster_id,
    r.claim_id,
    r.role,
    r.document_id,
    r.passage_id,
    claims_source_name(d.outlet, d.url, d.title) AS source,
    d.outlet,
    d.url,
    d.published_at,
    r.reported_at,
    r.quantity_text,
    CASE WHEN r.parsed THEN r.parsed_value
         WHEN len(r.figures) = 1 THEN r.figures[1]
         WHEN len(r.figures) >= 2 THEN (r.figures[1] + r.figures[2]) / 2 END AS value,
    CASE WHEN r.parsed THEN r.parsed_low
         WHEN len(r.figures) >= 2 THEN r.figures[1]
         WHEN claims_open_below(r.qualifier) THEN NULL
         ELSE r.figures[1] END AS low,
    CASE WHEN r.parsed THEN r.parsed_high
         WHEN len(r.figures) >= 2 THEN r.figures[2]
         WHEN claims_open_above(r.qualifier) THEN NULL
         ELSE r.figures[1] END AS high,
    CASE WHEN r.parsed THEN r.parsed_unit ELSE claims_counted(r.quantity_text) END AS unit,
    CASE WHEN r.parsed THEN r.parsed_qualifier ELSE r.qualifier END AS qualifier,
    r.quantity_relation,
    r.stance,
    r.context
FROM reports r
LEFT JOIN documents d ON d.id = r.document_id;


-- source_agreement: per source (outlet, else host), how its evidence stood towards each
-- claim's final (latest) verdict.
CREATE OR REPLACE VIEW source_agreement AS
WITH latest AS (
    SELECT v.run_id, v.claim_id, v.label
    FROM verdicts v
    QUALIFY row_number() OVER (PARTITION BY v.claim_id ORDER BY v.created_at DESC, v.run_id DESC) = 1
),
judged AS (
    SELECT
        claims_source_name(d.outlet, d.url, d.title) AS source,
        e.claim_id,
        e.stance,
        l.label,
        CASE
            WHEN e.stance = 'neutral' OR e.stance IS NULL THEN 'neutral'
            WHEN (e.stance = 'support' AND l.label = 'supported') OR (e.stance = 'refute' AND l.label = 'refuted') THEN 'agreed'
            WHEN (e.stance = 'support' AND l.label = 'refuted') OR (e.stance = 'refute' AND l.label = 'supported') THEN 'disagreed'
            ELSE 'undecided'
        END AS relation
    FROM latest l
    JOIN evidence e ON e.run_id = l.run_id AND e.claim_id = l.claim_id
    LEFT JOIN documents d ON d.id = e.document_id
)
SELECT
    source,
    count(*)::INTEGER                                           AS evidence_count,
    count(DISTINCT claim_id)::INTEGER                           AS claims,
    count(*) FILTER (WHERE stance = 'support')::INTEGER         AS support,
    count(*) FILTER (WHERE stance = 'refute')::INTEGER          AS refute,
    count(*) FILTER (WHERE relation = 'agreed')::INTEGER        AS agreed,
    count(*) FILTER (WHERE relation = 'disagreed')::INTEGER     AS disagreed,
    count(*) FILTER (WHERE relation = 'neutral')::INTEGER       AS neutral,
    count(*) FILTER (WHERE relation = 'undecided')::INTEGER     AS undecided,
    round(count(*) FILTER (WHERE relation = 'agreed')
          / nullif(count(*) FILTER (WHERE relation IN ('agreed', 'disagreed')), 0), 3) AS agreement_rate
FROM judged
GROUP BY source;
