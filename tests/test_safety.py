"""URL safety, decoding, canonical URLs and queries: pure functions, no traffic at all.

Addresses outside 127.0.0.0/8 appear here only as values to classify; nothing connects to
them, and host names are IP literals so no DNS query is made.
"""

from __future__ import annotations

import asyncio

import pytest

from claims.errors import RefusedURLError
from claims.models import Claim, Quantity
from claims.settings import load_settings
from claims.sources.decoding import decode_body
from claims.sources.queries import build_queries, canonical_url
from claims.sources.safety import check_scheme, is_public_address, redact_url, resolve_and_check


@pytest.mark.parametrize("address, public", [
    ("127.0.0.1", False), ("127.8.9.10", False), ("::1", False), ("10.1.2.3", False),
    ("172.16.0.1", False), ("192.168.1.1", False), ("169.254.169.254", False), ("fe80::1", False),
    ("224.0.0.251", False), ("239.255.255.250", False), ("0.0.0.0", False), ("::", False),
    ("240.0.0.1", False), ("100.64.0.1", False), ("fc00::1", False), ("::ffff:127.0.0.1", False),
    ("::ffff:10.0.0.1", False), ("8.8.8.8", True), ("2606:4700:4700::1111", True),
])
def test_address_classification(address: str, public: bool) -> None:
    assert is_public_address(address) is public


@pytest.mark.parametrize("url, reason", [
    ("http://10.0.0.1/", "(private)"),
    ("http://169.254.169.254/latest/meta-data/", "(link-local)"),
    ("http://[::1]:8080/", "(loopback)"),
    ("http://0.0.0.0:80/", "(unspecified)"),
    ("http://224.0.0.1/", "(multicast)"),
    ("http://[::ffff:127.0.0.1]/", "(loopback)"),
])
def test_literal_private_addresses_are_refused_without_any_request(url: str, reason: str) -> None:
    with pytest.raises(RefusedURLError) as refused:
        asyncio.run(resolve_and_check(url, []))
    assert reason in str(refused.value) and "allow_private_hosts" in str(refused.value)


def test_allow_list_is_host_and_port_exact() -> None:
    checked = asyncio.run(resolve_and_check("http://127.0.0.1:8123/x", ["127.0.0.1:8123"]))
    assert checked.addresses == ("127.0.0.1",) and checked.host_port == "127.0.0.1:8123"
    with pytest.raises(RefusedURLError):
        asyncio.run(resolve_and_check("http://127.0.0.1:8124/x", ["127.0.0.1:8123"]))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "javascript:alert(1)",
                                 "data:text/html,hi", "gopher://127.0.0.1/", "//127.0.0.1/x", "http:///x"])
def test_other_schemes_and_hostless_urls_are_refused(url: str) -> None:
    with pytest.raises(RefusedURLError):
        check_scheme(url)


def test_allow_private_hosts_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMS_ALLOW_PRIVATE_HOSTS", "127.0.0.1:8000, localhost:9000")
    assert load_settings().http.allow_private_hosts == ["127.0.0.1:8000", "localhost:9000"]


def test_redact_url_strips_credentials() -> None:
    url = "https://user:pw@api.example.org/v1/claims:search?query=troops&key=SECRET123&pageSize=5"
    redacted = redact_url(url)
    assert "SECRET123" not in redacted and "pw" not in redacted
    assert redacted == "https://api.example.org/v1/claims:search?query=troops&pageSize=5"


def test_decode_body_order_of_evidence() -> None:
    text = "Zürich — “quoted” €"
    assert decode_body(text.encode("cp1252"), "text/html") == (text, "cp1252")  # detection
    assert decode_body(text.encode("utf-8"), "text/html")[0] == text  # valid UTF-8 first
    # The header wins over the meta tag; the meta tag over detection.
    meta = f'<meta charset="iso-8859-2"><p>{"Łódź"}</p>'.encode("iso-8859-2")
    assert decode_body(meta, "text/html")[0].endswith("Łódź</p>")
    assert decode_body("Ł".encode("iso-8859-2"), "text/plain; charset=ISO-8859-2")[0] == "Ł"
    xml = '<?xml version="1.0" encoding="windows-1251"?><rss>Москва</rss>'.encode("cp1251")
    assert "Москва" in decode_body(xml, "application/rss+xml")[0]
    assert decode_body(b"\xef\xbb\xbfhi", "text/plain; charset=latin-1") == ("hi", "utf-8-sig")
    # latin-1 labels mean windows-1252 on the web (WHATWG)
    assert decode_body("€".encode("cp1252"), "text/html; charset=iso-8859-1")[0] == "€"


def test_canonical_url() -> None:
    assert canonical_url("HTTPS://News.Example.COM:443/World/Story?utm_source=rss&b=2&a=1&fbclid=x#top") == \
        "https://news.example.com/World/Story?a=1&b=2"
    assert canonical_url("http://example.com") == "http://example.com/"
    assert canonical_url("http://127.0.0.1:8080/p?x=1") == "http://127.0.0.1:8080/p?x=1"


def test_build_queries_for_a_numeric_claim() -> None:
    text = ("However, China has not publicly addressed the reported deployment of 8,000 North Korean "
            "soldiers near Ukraine's border to support Russia.")
    quantity = Quantity(value=8000, low=8000, high=8000, unit="North Korean soldiers", qualifier=None,
                        text="8,000 North Korean soldiers", start=0, end=0)
    claim = Claim(id="c", document_id="d", text=text, start=0, end=len(text), checkworthiness=0.9,
                  quantity=quantity, entities=["China", "North Korean", "Ukraine", "Russia"])
    queries = build_queries(claim)
    assert queries[0] == "8,000 North Korean soldiers China Ukraine Russia"
    assert queries[1] == "North Korean soldiers China Ukraine Russia"  # same scope, any number
    assert "8,000" not in queries[1] and len(queries) == len(set(queries)) == 3
    assert all(len(q.split()) <= 10 for q in queries)


def test_build_queries_without_entities_or_numbers_falls_back_to_names_and_words() -> None:
    text = "Secretary of State Antony Blinken said the international community expects China to intervene."
    queries = build_queries(Claim(id="c", document_id="d", text=text, start=0, end=0, checkworthiness=0.5))
    assert queries[0] == "Secretary of State Antony Blinken China"
    assert "intervene" in queries[-1] and "the" not in queries[-1].split()
