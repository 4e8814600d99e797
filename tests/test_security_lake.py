"""Issue 34 items 1-3: ``claims query`` on a PostgreSQL lake reads the lake's tables and the
project's views and nothing else of the catalog database, and no path, setting or message
shows the catalog's password, whatever quotes it holds.

The red team's attacks run as they were written, through the real command, against a real
PostgreSQL server on 127.0.0.1 (:mod:`tests.pg`) whose catalog database also holds a schema
of its own (``hr.salaries``) and whose catalog role is the superuser (so PostgreSQL itself
would let it read ``pg_authid``: the refusals here are claims' own). The server trusts local
connections, so the planted password is never checked, only looked for in every output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from claims.redact import scrub_text, scrub_url
from claims.store.lake import LakeDatabase, split_password
from claims.store.lake_tools import without_password
from tests.conftest import cli_env, one_error, run_cli
from tests.pg import PostgresServer, postgres  # noqa: F401 - the fixture: a throwaway PostgreSQL server

# a password with both quote characters and a backslash, as libpq takes it quoted
SECRET = "Sq'7f3a9c21\"Dq\\Bs"  # fixed: it names the parametrized tests, which every xdist worker must collect alike
PIECES = [SECRET, SECRET.split("'")[1].split('"')[0]]  # the whole, and the run between the quotes
SALARY = "424242"


def _libpq(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _leaks(text: str) -> list[str]:
    return [piece for piece in PIECES if piece in text]


@pytest.fixture(scope="module")
def lake_env(postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory,  # noqa: F811
             prefect_home: Path) -> dict[str, str]:
    tmp_path = tmp_path_factory.mktemp("catalog-reads")
    names = postgres.new_lake("lake_catalog_reads", tmp_path / "lake")
    postgres.psql("lake_catalog_reads", "CREATE SCHEMA hr; CREATE TABLE hr.salaries (name text, pay int); "
                                        f"INSERT INTO hr.salaries VALUES ('ann', {SALARY})")
    store = f"{names['CLAIMS_STORE']} password={_libpq(SECRET)}"
    LakeDatabase(store, names["CLAIMS_LAKE_DATA_PATH"]).migrate()  # the lake's tables, as a first check makes them
    return cli_env(tmp_path / "not-used.duckdb", prefect_home, CLAIMS_STORE=store,
                   CLAIMS_LAKE_DATA_PATH=names["CLAIMS_LAKE_DATA_PATH"])


ATTACKS = [
    # item 1: the catalog database, its roles' hashes and any other schema
    "select rolname, rolpassword from __ducklake_metadata_lake.pg_catalog.pg_authid",
    "select * from __ducklake_metadata_lake.hr.salaries",
    'select * from "__DUCKLAKE_METADATA_LAKE".hr.salaries',
    "describe __ducklake_metadata_lake.hr.salaries",
    "summarize __ducklake_metadata_lake.hr.salaries",
    "explain select * from __ducklake_metadata_lake.hr.salaries",
    "select * from (from __ducklake_metadata_lake.pg_catalog.pg_authid)",
    # item 2: the paths and settings that held the password
    "select path from duckdb_databases()",
    "select value from duckdb_settings() where name = 'allowed_paths'",
    "select current_setting('allowed_paths')",
    "select * from duckdb_secrets()",
    "select * from pragma_database_list()",
]


@pytest.mark.slow
@pytest.mark.parametrize("sql", ATTACKS)
def test_a_lake_query_reaches_no_catalog_table_and_no_password(lake_env: dict[str, str], tmp_path: Path,
                                                               sql: str) -> None:
    out = tmp_path / "out.csv"
    result = run_cli(["query", sql, "--format", "csv", "--out", str(out)], lake_env)
    line = one_error(result)
    assert not _leaks(result.stdout + result.stderr) and SALARY not in line and "SCRAM" not in line, line
    assert not out.exists()


@pytest.mark.slow
def test_the_lake_reads_its_own_tables_and_no_path_holds_the_password(lake_env: dict[str, str],
                                                                      tmp_path: Path) -> None:
    ok = run_cli(["query", "select count(*) as n from runs", "--format", "csv"], lake_env)
    assert ok.returncode == 0 and ok.stdout.splitlines() == ["n", "0"], ok.stderr
    # the hint DuckDB gives for a misspelt table names no table of the catalog database
    hinted = one_error(run_cli(["query", "select * from pg_authid"], lake_env))
    assert "__ducklake_metadata" not in hinted and "hr." not in hinted, hinted
    # the store itself: the path DuckDB keeps for the attached catalog holds no password
    with LakeDatabase(lake_env["CLAIMS_STORE"], lake_env["CLAIMS_LAKE_DATA_PATH"]).connect(read_only=True) as con:
        shown = str(con.execute("SELECT list(path) FROM duckdb_databases()").fetchall())
        shown += str(con.execute("SELECT list(value) FROM duckdb_settings()").fetchall())
    assert not _leaks(shown), shown
    # item 3: attach-sql and a failed attach's message, with both quotes in the password
    attach = run_cli(["lake", "attach-sql"], lake_env)
    assert attach.returncode == 0 and not _leaks(attach.stdout + attach.stderr), attach.stdout
    refused = {**lake_env, "CLAIMS_STORE": lake_env["CLAIMS_STORE"].replace("dbname=lake_catalog_reads",
                                                                             "dbname=no_such_lake")}
    line = one_error(run_cli(["query", "select 1"], refused))
    assert not _leaks(line), line


@pytest.mark.parametrize("catalog", [
    f"ducklake:postgres:dbname=l host=h user=u password={_libpq(SECRET)} port=1",
    f"ducklake:postgres:dbname=l host=h user=u password={SECRET.replace(' ', '')} port=1",  # bare, quotes inside
    "ducklake:postgres:postgresql://u:" + SECRET.replace("\\", "").replace('"', "%22") + "@h:1/l",
    'ducklake:postgres:dbname=l password="' + SECRET.replace('"', '""') + '" user=u',
])
def test_a_password_with_quotes_is_masked_and_left_out_in_every_form(catalog: str) -> None:
    for text in (catalog, f'IO Error: Unable to connect to Postgres at "{catalog}": refused'):
        assert not _leaks(scrub_text(text)), scrub_text(text)
        assert not _leaks(without_password(text)), without_password(text)
    assert "***" in scrub_text(catalog) and "password" not in without_password(catalog).lower()


def test_the_password_goes_to_a_secret_and_the_path_keeps_the_rest() -> None:
    spec = f"ducklake:postgres:dbname=l host=h password={_libpq(SECRET)} user=u"
    bare, password = split_password(spec)
    assert password == SECRET and not _leaks(bare) and "user=u" in bare and "dbname=l" in bare
    bare, password = split_password("ducklake:postgres:postgresql://u:p%27w%22d@h:5/l?sslmode=disable")
    assert password == "p'w\"d" and bare == "ducklake:postgres:host=h port=5 user=u dbname=l sslmode=disable"
    assert split_password("ducklake:postgres:dbname=l") == ("ducklake:postgres:dbname=l", None)


@pytest.mark.parametrize("name", ["password", "client_secret", "X-Amz-Signature", "X-Amz-Security-Token",
                                  "refresh_token", "private_token", "secret", "session", "access_token", "api_key",
                                  "sig", "passwd", "my_auth_token"])
def test_every_credential_parameter_leaves_a_stored_url(name: str) -> None:
    url = f"https://u:pw@news.example.org/a?id=7&{name}=S3CR3T&author=ann#frag"
    assert scrub_url(url) == "https://news.example.org/a?id=7&author=ann"
    assert scrub_url(f"https://news.example.org/a#{name}=S3CR3T") == "https://news.example.org/a"
    assert "S3CR3T" not in scrub_text(f"fetching {url} failed")
