"""Delivery channels. E-mail goes through Django's mail backend (SMTP in production: EMAIL_HOST,
EMAIL_PORT...). SMS goes through a pluggable gateway: `ONCOCENTER_SMS_GATEWAY` names a class with
`send(to, text) -> str`; the default only logs the message (the demo has no operator contract).
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

log = logging.getLogger("oncocenter.notifications.sms")


class DeliveryError(Exception):
    """The channel refused or failed; the message is retried later."""


class SmsGateway(Protocol):
    def send(self, to: str, text: str) -> str:
        """Send one text message; return the operator's message id; raise DeliveryError."""


class LoggingSmsGateway:
    """Writes the message to the log instead of an operator (demo and tests)."""

    sent: list[tuple[str, str]] = []

    def send(self, to: str, text: str) -> str:
        log.info("SMS to %s: %s", to, text)
        LoggingSmsGateway.sent.append((to, text))
        return f"log-{len(LoggingSmsGateway.sent)}"


def sms_gateway() -> SmsGateway:
    path = getattr(
        settings,
        "ONCOCENTER_SMS_GATEWAY",
        "oncocenter.notifications.gateways.LoggingSmsGateway",
    )
    gateway: SmsGateway = import_string(path)()
    return gateway


def send_email(to: str, subject: str, body: str) -> None:
    try:
        EmailMessage(subject=subject, body=body, to=[to]).send(fail_silently=False)
    except Exception as exc:  # any SMTP or socket failure is a retryable delivery error
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def send_sms(to: str, text: str) -> None:
    try:
        sms_gateway().send(to, text)
    except DeliveryError:
        raise
    except Exception as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
