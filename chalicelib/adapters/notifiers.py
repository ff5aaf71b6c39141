"""The channels a notification goes out on: e-mail through Amazon SES, and a signed webhook to
the platform (so its app can show it in-app). Each raises DeliveryFailed for anything worth a
retry; the notify use case decides when to try again and when to give up."""

from __future__ import annotations

import json
import time
from typing import Any

import requests
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.adapters.aws import client
from chalicelib.domain.notifications import Channel
from chalicelib.domain.ports import Delivery, DeliveryFailed
from chalicelib.domain.webhook_signature import SIGNATURE_HEADER, sign

USER_AGENT = "polyglot-desk-webhooks/1"


class SesEmail:
    """One SendEmail per notification: a text and an HTML part, both UTF-8."""

    channel = Channel.EMAIL.value

    def __init__(self, sender: str, configuration_set: str | None = None) -> None:
        self.sender = sender
        self.configuration_set = configuration_set

    def send(self, delivery: Delivery) -> None:
        if not delivery.email:
            raise DeliveryFailed("the requester gave no e-mail address")
        request: dict[str, Any] = {
            "Source": self.sender,
            "Destination": {"ToAddresses": [delivery.email]},
            "Message": {
                "Subject": {"Data": delivery.subject, "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": delivery.text, "Charset": "UTF-8"},
                    "Html": {"Data": delivery.html, "Charset": "UTF-8"},
                },
            },
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            client("ses").send_email(**request)
        except (ClientError, BotoCoreError) as error:
            # The address stays out of the reason: reasons are stored and logged.
            code = error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""
            raise DeliveryFailed(f"SES refused: {code or type(error).__name__}") from error


class SignedWebhook:
    """POST the notification as JSON, signed with HMAC-SHA256 over the timestamp and the body."""

    channel = Channel.WEBHOOK.value

    def __init__(self, url: str, secret: str, timeout_seconds: float) -> None:
        self.url = url
        self.secret = secret
        self.timeout_seconds = timeout_seconds

    def body(self, delivery: Delivery) -> bytes:
        payload = {
            "id": delivery.delivery_id,
            "type": delivery.type,
            "ticket_id": delivery.ticket_id,
            "requester_id": delivery.requester_id,
            "language": delivery.language,
            "direction": delivery.direction,
            "subject": delivery.subject,
            "text": delivery.text,
            "created_at": delivery.created_at,
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def send(self, delivery: Delivery) -> None:
        body = self.body(delivery)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: sign(self.secret, body, int(time.time())),
            "Polyglot-Event": delivery.type,
            "Polyglot-Delivery": delivery.delivery_id,
        }
        try:
            answer = requests.post(
                self.url, data=body, headers=headers, timeout=self.timeout_seconds, allow_redirects=False
            )
        except requests.RequestException as error:
            raise DeliveryFailed(f"webhook unreachable: {type(error).__name__}") from error
        if not 200 <= answer.status_code < 300:
            raise DeliveryFailed(f"webhook answered {answer.status_code}")
