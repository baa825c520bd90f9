"""The pure rules of integrations: webhook signatures and the retry backoff; the transport's
refusal of addresses inside the network."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import timedelta

import pytest

from integrations import signing, transport
from integrations.backoff import retry_delay

SECRET = "whsec_test"
BODY = b'{"id": 1, "type": "boost.active"}'


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert signing.signature(SECRET, 1_700_000_000, BODY) == f"v1={expected}"
    assert signing.headers(SECRET, 1_700_000_000, BODY) == {
        "X-StarBoost-Timestamp": "1700000000",
        "X-StarBoost-Signature": f"v1={expected}",
    }


@pytest.mark.parametrize(
    ("change", "accepted"),
    [
        ({}, True),
        ({"now": 1_700_000_000 + 300}, True),
        ({"now": 1_700_000_000 + 301}, False),  # a replay after the tolerance
        ({"body": BODY + b" "}, False),
        ({"secret": "whsec_other"}, False),
        ({"timestamp": "1700000001"}, False),
        ({"timestamp": "-1"}, False),
        ({"timestamp": "１７００"}, False),
    ],
)
def test_verification_refuses_any_change_and_stale_requests(change, accepted):
    header = signing.signature(SECRET, 1_700_000_000, BODY)
    arguments = {"timestamp": "1700000000", "body": BODY, "now": 1_700_000_000, **change}
    secret = arguments.pop("secret", SECRET)
    assert signing.verify(secret, signature_header=header, **arguments) is accepted


def test_a_header_may_carry_several_signatures_while_a_secret_rotates():
    header = f"v1=00ff, {signing.signature(SECRET, 5, BODY)}"
    assert signing.verify(SECRET, timestamp="5", signature_header=header, body=BODY, now=5)


def test_secrets_are_random_and_recognisable():
    first, second = signing.new_secret(), signing.new_secret()
    assert first != second and first.startswith("whsec_") and len(first) > 40


def test_retries_back_off_exponentially_up_to_the_ceiling():
    delays = [retry_delay(n, base_seconds=60, ceiling_seconds=600) for n in range(0, 7)]
    assert delays == [timedelta(0)] + [timedelta(seconds=s) for s in (60, 120, 240, 480, 600, 600)]


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/x", "http://localhost/x", "http://10.0.0.1/x", "http://[::1]/x", "ftp://a/"],
)
def test_the_transport_refuses_addresses_inside_the_network(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    reply = transport.post(url, BODY, {}, timeout=1)
    assert reply.status is None and not reply.succeeded and reply.error


def test_the_readme_snippet_verifies_what_the_sender_signs(settings):
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Verifying a webhook.**")[1]
    code = section.split("```python\n")[1].split("```")[0]
    namespace: dict = {}
    exec(code, namespace)
    now = int(time.time())
    headers = signing.headers(SECRET, now, BODY)
    assert namespace["verify"](SECRET, headers, BODY) == {"id": 1, "type": "boost.active"}
    with pytest.raises(ValueError, match="bad signature"):
        namespace["verify"]("whsec_other", headers, BODY)
    with pytest.raises(ValueError, match="stale"):
        namespace["verify"](SECRET, signing.headers(SECRET, now - 301, BODY), BODY)
