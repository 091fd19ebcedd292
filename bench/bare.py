"""A bare Flask endpoint: parse Twilio's form, answer fixed TwiML (the benchmark's baseline)."""

from __future__ import annotations

from flask import Flask, Response, request

TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>ok</Message></Response>'

app = Flask(__name__)


@app.post("/webhooks/twilio")
def inbound() -> Response:
    """Read the form like the real webhook does, then answer the same fixed TwiML."""
    request.form.to_dict()
    return Response(TWIML, mimetype="application/xml")
