"""The merchant portal over real HTTP: pages, uploads, refusals, the one not-valid page, headers, limits."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from onboarding.domain.states import ApplicationState as S
from onboarding.portal.ratelimit import PortalLimits, RateLimit
from onboarding.portal.security import CONTENT_SECURITY_POLICY
from onboarding.service.requests import revoke_links
from tests.integration.portal.conftest import (
    EXPIRED_BACK, NOW, build_merchant, document_count, photo_bytes, stored_blobs,
)

GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00" \
      b"\x01\x00\x01\x00\x00\x02\x02D\x01\x00;" + b"\x00" * 600
SECURITY = {"content-security-policy": CONTENT_SECURITY_POLICY, "x-content-type-options": "nosniff",
            "x-frame-options": "DENY", "referrer-policy": "no-referrer"}


@pytest.fixture(autouse=True)
def every_response_is_checked(monkeypatch):
    """Every response of every test: security headers present, never a stack trace."""
    import httpx

    original = httpx.Client.send

    def send(self, request, **kwargs):
        response = original(self, request, **kwargs)
        response.read()
        for name, value in SECURITY.items():
            assert response.headers.get(name) == value, (request.url.path, name)
        assert "cache-control" in response.headers
        assert "Traceback" not in response.text and 'File "' not in response.text
        return response

    monkeypatch.setattr(httpx.Client, "send", send)


def upload(client, merchant, files: dict[str, tuple[str, bytes, str]]):
    return client.post(f"{merchant.path}/upload", files=files)


def test_a_valid_link_shows_the_merchant_its_items_due_date_and_form(client, merchant):
    response = client.get(merchant.path)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = response.text
    assert '<meta name="viewport"' in page and "台山市昌良小吃店" in page
    assert "2026-12-01 16:00（北京时间）" in page  # due 9 days after NOW, shown in Asia/Shanghai
    assert "您的身份证已于2024-03-01过期" in page and "请上传门头照。" in page
    assert f'<img class="thumb" src="/r/{merchant.token}/documents/{merchant.rejected_document_id}/thumbnail"' in page
    assert f'<form method="post" enctype="multipart/form-data" action="/r/{merchant.token}/upload">' in page
    for name in ("id_card_back", "storefront_photo"):
        assert f'name="{name}" accept="image/jpeg,image/png,image/webp,application/pdf" capture="environment"' in page
    upload_form = page.split(f'action="/r/{merchant.token}/upload">')[1].split("</form>")[0]
    assert upload_form.count('type="submit"') == 1  # one button sends every document (the other form: complaints)
    assert 'http-equiv="refresh"' not in page
    assert "<script" not in page and "http://" not in page.split("</head>")[1]


def test_english_is_one_tap_away_and_remembered(client, merchant):
    response = client.get(merchant.path, params={"lang": "en"})
    assert "Your ID card expired on 2024-03-01" in response.text and "1 Dec 2026 16:00 (Beijing time)" in response.text
    assert "lang=en" in response.headers["set-cookie"] and "HttpOnly" in response.headers["set-cookie"]
    again = client.get(merchant.path)  # the cookie jar sends it back
    assert 'lang="en"' in again.text and "Send documents" in again.text


def test_the_rejected_photo_comes_back_as_a_private_jpeg(client, merchant):
    response = client.get(f"{merchant.path}/documents/{merchant.rejected_document_id}/thumbnail")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg" and response.content[:3] == b"\xff\xd8\xff"
    assert response.headers["cache-control"] == "private, no-store"


def _not_valid_cases(services, merchant):
    other = build_merchant(services, business_name="别人的店")
    yield "forged", f"/r/{'A' * 43}"
    yield "malformed", "/r/short"
    yield "malformed-chars", f"/r/{'%21' * 43}"
    yield "other-document", f"{merchant.path}/documents/{other.rejected_document_id}/thumbnail"
    yield "bad-document-id", f"{merchant.path}/documents/..%2F..%2Fetc/thumbnail"
    yield "unknown-route", f"{merchant.path}/nothing"
    revoked = build_merchant(services)
    revoke_links(services, revoked.application_id, actor="staff:test", reason="phone lost")
    yield "revoked", revoked.path
    withdrawn = build_merchant(services, state=S.WITHDRAWN)
    yield "closed", withdrawn.path
    yield "closed-thumbnail", f"{withdrawn.path}/documents/{withdrawn.rejected_document_id}/thumbnail"


def test_every_kind_of_bad_link_gets_the_same_plain_404(client, services, merchant):
    reference = client.get(f"/r/{'B' * 43}")
    assert reference.status_code == 404 and "链接无效或已过期 / This link is not valid" in reference.text
    for case, path in _not_valid_cases(services, merchant):
        response = client.get(path)
        assert (case, response.status_code, response.text) == (case, 404, reference.text)
        assert "set-cookie" not in response.headers
    assert client.post(f"/r/{'A' * 43}/upload", files={"id_card_back": ("a.jpg", photo_bytes(), "image/jpeg")}
                       ).text == reference.text


def test_an_expired_link_gets_the_same_404(client, services, merchant):
    reference = client.get(f"/r/{'B' * 43}").text
    services.clock = lambda: NOW + timedelta(days=11)
    response = client.get(merchant.path)
    assert (response.status_code, response.text) == (404, reference)


@pytest.mark.parametrize("name, data", [("anim.gif", GIF), ("notes.txt", "我的身份证 ID card\n".encode() * 60),
                                        ("page.html", b"<!doctype html><script>alert(1)</script>" + b" " * 600)])
def test_a_file_that_is_not_an_accepted_type_is_refused_with_415_and_nothing_stored(
        client, services, merchant, launches, name, data):
    before = stored_blobs(services)
    response = upload(client, merchant, {"id_card_back": (name, data, "image/jpeg")})
    assert response.status_code == 415
    assert "文件格式不支持" in response.text and f'href="{merchant.path}"' in response.text
    assert document_count(services, merchant.application_id) == 1 and stored_blobs(services) == before
    assert launches.application_ids == []


def test_an_oversize_file_is_refused_with_413_and_nothing_stored(monkeypatch, services, merchant, portal_factory,
                                                                 launches):
    monkeypatch.setattr(services.settings, "max_upload_bytes", 40_000)
    client = portal_factory()
    before = stored_blobs(services)
    big = photo_bytes(seed=7, size=(600, 400), fmt="PNG")  # ~720 kB of noise
    assert len(big) > 500_000
    response = upload(client, merchant, {"id_card_back": ("big.png", big, "image/png")})
    assert response.status_code == 413 and "每个文件不能超过 0.0381 MB" in response.text
    assert _raw_post_status(client, f"{merchant.path}/upload", declared_length=10**9) == 413  # before any body
    assert document_count(services, merchant.application_id) == 1 and stored_blobs(services) == before
    assert launches.application_ids == []


def _raw_post_status(client, path: str, declared_length: int) -> int:
    """httpx will not send a Content-Length it cannot back with bytes; a client that lies will."""
    import socket

    with socket.create_connection((client.base_url.host, client.base_url.port), timeout=10) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: portal\r\nContent-Length: {declared_length}\r\n"
                     f"Content-Type: multipart/form-data; boundary=x\r\n\r\n--x\r\n".encode())
        return int(sock.recv(4096).split(b" ", 2)[1])


def test_a_document_that_was_not_asked_for_is_refused_with_400(client, services, merchant, launches):
    response = upload(client, merchant, {"business_license": ("licence.jpg", photo_bytes(3), "image/jpeg")})
    assert response.status_code == 400 and "本次无需上传营业执照" in response.text
    made_up = upload(client, merchant, {"../../etc/passwd": ("x.jpg", photo_bytes(3), "image/jpeg")})
    assert made_up.status_code == 400 and "passwd" not in made_up.text
    assert document_count(services, merchant.application_id) == 1 and launches.application_ids == []


def test_a_damaged_image_is_refused_in_the_merchants_language(client, services, merchant, launches):
    broken = photo_bytes(4)[:900]
    response = client.post(f"{merchant.path}/upload?lang=en", files={"id_card_back": ("b.jpg", broken, "image/jpeg")})
    assert response.status_code == 400
    assert "The ID card back (national emblem side) file is damaged" in response.text
    empty = upload(client, merchant, {"id_card_back": ("", b"", "application/octet-stream")})
    assert empty.status_code == 400 and "Please choose at least one file" in empty.text
    assert document_count(services, merchant.application_id) == 1 and launches.application_ids == []


def test_a_blank_picture_or_page_is_refused_at_once_as_blank_never_as_blurry(client, services, merchant, launches):
    from PIL import Image

    from documents.samples.applications import encode_jpeg
    from tests.support.pdf_bytes import blank_pdf

    for name, data, media_type in (("blue.jpg", encode_jpeg(Image.new("RGB", (1080, 1920), (40, 70, 160))), "image/jpeg"),
                                   ("empty.pdf", blank_pdf(), "application/pdf")):
        response = upload(client, merchant, {"id_card_back": (name, data, media_type)})
        assert response.status_code == 400, name
        assert "身份证国徽面照片是一张空白或纯色的图片" in response.text and "模糊" not in response.text, name
    assert document_count(services, merchant.application_id) == 1 and launches.application_ids == []


def test_a_good_upload_is_stored_starts_the_checks_and_shows_checking(client, services, merchant, launches):
    response = upload(client, merchant, {"id_card_back": ("C:\\Users\\me\\..\\back.jpg", photo_bytes(5), "image/jpeg"),
                                         "storefront_photo": ("shop.png", photo_bytes(6, fmt="PNG"), "image/png")})
    assert response.status_code == 303 and response.headers["location"] == merchant.path
    assert launches.application_ids == [merchant.application_id]
    with services.uow() as uow:
        current = uow.applications.get(merchant.application_id).current_documents()
        assert {str(t): d.source_name for t, d in current.items()} == {"id_card_back": "back.jpg",
                                                                       "storefront_photo": "shop.png"}
        assert all(d.uploaded_by == "merchant:link" for d in current.values())
    page = client.get(merchant.path).text
    assert "资料已收到，正在审核…" in page and '<meta http-equiv="refresh" content="3">' in page
    assert "<form" not in page and page.count('data-status="checking"') == 2
    again = upload(client, merchant, {"id_card_back": ("again.jpg", photo_bytes(8), "image/jpeg")})
    assert again.status_code == 400 and "正在审核或当前无需上传" in again.text


def test_an_approved_application_says_so(client, services):
    approved = build_merchant(services, [EXPIRED_BACK], state=S.MANUAL_REVIEW)
    with services.uow() as uow:
        application = uow.applications.get(approved.application_id)
        application.transition(S.APPROVED, actor="staff:test", reason="ok", at=NOW)
        application.close_open_request("satisfied", at=NOW, actor="staff:test", reason="ok")
        uow.commit()
    page = client.get(approved.path).text
    assert "审核通过！" in page and 'data-status="accepted"' in page
    assert f'action="{approved.path}/upload"' not in page  # its forms are for complaints and changes only


def test_too_many_requests_per_token_and_per_ip_get_429(portal_factory, merchant, services):
    client = portal_factory(PortalLimits(per_ip=RateLimit(100, 60), per_token=RateLimit(3, 60)))
    assert [client.get(merchant.path).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get(f"/r/{'C' * 43}").status_code == 404  # another token still passes
    limited = client.get(merchant.path)
    assert "操作过于频繁" in limited.text and limited.headers["retry-after"] == "60"
    by_ip = portal_factory(PortalLimits(per_ip=RateLimit(2, 60)))
    assert [by_ip.get(f"/r/{c * 43}").status_code for c in "DEF"] == [404, 404, 429]
    assert by_ip.get("/healthz").status_code == 200
    uploads = portal_factory(PortalLimits(uploads_per_token=RateLimit(1, 600)))
    assert [upload(uploads, merchant, {"business_license": ("l.jpg", b"x", "image/jpeg")}).status_code
            for _ in range(2)] == [400, 429]


def test_an_unexpected_error_is_a_plain_500_logged_with_the_token_masked(client, merchant, monkeypatch, caplog):
    from onboarding.portal import routes

    def crash(services, token):
        raise RuntimeError(f"database fell over while reading /r/{token}")

    monkeypatch.setattr(routes, "open_merchant_page", crash)
    with caplog.at_level(logging.ERROR, logger="onboarding.portal"):
        response = client.get(merchant.path)
    assert response.status_code == 500 and "系统繁忙" in response.text and "RuntimeError" not in response.text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "database fell over" in logged and "Traceback" in logged
    assert merchant.token not in logged and f"/r/{merchant.token[:4]}…" in logged


def test_health_and_openapi_are_served_but_no_docs_ui(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    schema = client.get("/openapi.json").json()
    assert {"/r/{token}", "/r/{token}/upload", "/r/{token}/documents/{document_id}/thumbnail"} <= set(schema["paths"])
    upload_body = schema["paths"]["/r/{token}/upload"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert "id_card_back" in upload_body["schema"]["properties"]
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
