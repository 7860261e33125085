"""The signing playground signs correctly: its Co-Branded link reproduces the spec's known-answer
vector, and the request it signs is accepted by the sandbox's own API."""

import html
import re
from urllib.parse import parse_qsl

from conftest import DD_KEY, csrf, timestamp


def sign(client, kind, host, params):
    page = client.get(f"/admin/playground?kind={kind}").get_data(as_text=True)
    r = client.post("/admin/playground", data={"csrf_token": csrf(page), "caller": DD_KEY, "kind": kind,
                                               "host": host, "params": params, "submit": "sign"})
    assert r.status_code == 200
    return r.get_data(as_text=True)


def shown(page, element_id):
    return html.unescape(re.search(rf'<pre id="{element_id}">(.*?)</pre>', page, re.S).group(1))


def test_cobranded_link_matches_the_known_answer_vector(client):
    page = sign(client, "cbui", "authorize.payments-sandbox.amazon.com", "\n".join([
        "callerReferenceFunding=funding-42", "callerReferenceSender=sender-42", "fundingAmount=10",
        "paymentReason=Prepaid card for example.com", "pipelineName=SetupPrepaid",
        "returnURL=https://merchant.example.com/fps/return?order=42", "version=2009-01-09"]))
    assert shown(page, "signature") == "ii8PtLKq19QTxoQ0nzwbGqJfLGu4P0EwWOr3cVV92vQ="  # fps-spec.md §2.4
    assert shown(page, "string-to-sign").startswith("GET\nauthorize.payments-sandbox.amazon.com\n/cobranded-ui/")


def test_signed_api_request_is_accepted(client):
    page = sign(client, "api", "localhost", f"Action=GetTotalPrepaidLiability\nVersion=2008-09-17\nTimestamp={timestamp()}")
    body = shown(page, "curl").split(" -d '", 1)[1].rstrip("'")
    r = client.post("/", data=dict(parse_qsl(body)))
    assert r.status_code == 200 and b"GetTotalPrepaidLiabilityResponse" in r.data


def test_cobranded_link_opens_the_sign_in_page(client):
    page = sign(client, "cbui", "localhost", "pipelineName=SetupPrepaid\ncallerReferenceFunding=f\n"
                "callerReferenceSender=s\nfundingAmount=10.00\nreturnURL=https://merchant.example.com/r")
    url = shown(page, "url").replace("http://localhost", "")
    r = client.get(url)
    assert r.status_code == 302 and "/sign-in" in r.headers["Location"]


def test_bad_lines_and_hostile_values(client):
    page = sign(client, "api", "localhost", "no equals sign here")
    assert "this line is not name=value" in page
    page = sign(client, "api", "localhost", "Action=<script>alert(1)</script>")
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page and "%3Cscript%3E" in page  # escaped in the form, encoded in the query


def send(client, host, params):
    page = client.get("/admin/playground?kind=api").get_data(as_text=True)
    r = client.post("/admin/playground", data={"csrf_token": csrf(page), "caller": DD_KEY, "kind": "api",
                                               "host": host, "params": params, "submit": "send"})
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_send_shows_the_live_response_and_its_logged_request(client):
    page = send(client, "localhost", f"Action=GetTotalPrepaidLiability\nVersion=2008-09-17\nTimestamp={timestamp()}")
    assert "5. The live response: HTTP 200" in page
    assert "<GetTotalPrepaidLiabilityResult>" in shown(page, "response")
    assert re.search(r'href="/admin/requests/\d+">The logged request', page)


def test_send_shows_an_fps_error_as_fps_answers_it(client):
    page = send(client, "localhost", "Action=Pay\nVersion=2008-09-17")
    assert "HTTP 400, MissingParameter" in page or "HTTP 400, InvalidParams" in page, page[-1500:]
    wrong_host = send(client, "elsewhere.example", f"Action=GetTotalPrepaidLiability\nVersion=2008-09-17\n"
                                                   f"Timestamp={timestamp()}")
    assert "SignatureDoesNotMatch" in shown(wrong_host, "response")


def test_a_cobranded_link_is_not_sent(client):
    page = client.get("/admin/playground?kind=cbui").get_data(as_text=True)
    r = client.post("/admin/playground", data={"csrf_token": csrf(page), "caller": DD_KEY, "kind": "cbui",
                                               "host": "localhost", "params": "pipelineName=SetupPrepaid",
                                               "submit": "send"})
    assert r.status_code == 200 and "The live response" not in r.get_data(as_text=True)
