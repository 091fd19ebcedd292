"""Logs: one line per request with its id; never a CPF or a full phone number."""

from __future__ import annotations

import logging

from bot.core.logs import RequestIdFilter


def test_request_id_is_kept_or_made_and_returned(client, app):
    given = client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert given.headers["X-Request-Id"] == "abc-123"
    forged = client.get("/healthz", headers={"X-Request-Id": "x ERROR fake=line " + "y" * 80})
    assert " " not in forged.headers["X-Request-Id"]
    assert len(forged.headers["X-Request-Id"]) == 16


def test_every_record_gets_the_request_id(app):
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "m", None, None)
    assert RequestIdFilter().filter(record) and record.request_id == "-"
    with app.test_request_context("/", headers={"X-Request-Id": "r1"}):
        app.preprocess_request()
        RequestIdFilter().filter(record)
    assert record.request_id == "r1"


def test_one_line_per_request(client, caplog):
    caplog.set_level(logging.INFO, logger="agendai.http")
    client.get("/healthz")
    lines = [r.getMessage() for r in caplog.records if r.name == "agendai.http"]
    assert len(lines) == 1 and lines[0].startswith("GET /healthz 200 ")


def test_no_cpf_or_full_phone_in_any_log_line(patient, caplog):
    caplog.set_level(logging.DEBUG)
    p = patient("+5582912345678", "Jhonata")
    for text in ["oi", "1", "unimed", "1", "1", "1", "sim", "sim", "111.444.777-35"]:
        p.says(text)
    p.says(None, NumMedia="1", MediaContentType0="audio/ogg", MediaUrl0="https://x/a")
    p.says("atendente")
    text = caplog.text
    assert "Pronto" not in text  # sanity: bot replies are not logged either
    for secret in ("5582912345678", "82912345678", "11144477735", "111.444.777-35"):
        assert secret not in text


def test_signed_link_tokens_stay_out_of_the_request_line(client, caplog):
    caplog.set_level(logging.INFO, logger="agendai.http")
    token = "eyJhIjoxfQ.secret-part-of-the-token"
    client.get(f"/a/cancel/{token}")
    lines = [r.getMessage() for r in caplog.records if r.name == "agendai.http"]
    assert lines and lines[0].startswith("GET /a/cancel/… ")
    assert not any(token in line or "secret" in line for line in lines)
