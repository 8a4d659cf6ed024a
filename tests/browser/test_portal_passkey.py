"""Passkeys in a real browser: Chromium's virtual authenticator (through the DevTools protocol)
stands in for the phone's fingerprint. The patient signs in with the password, adds a passkey on
the settings page, signs out, and signs in again with the passkey alone. Screenshot:
docs/screenshots/portal-phone-passkey.png."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}


def test_register_a_passkey_then_sign_in_with_it(browser, live_server):
    from oncocenter.audit.models import AuditEvent
    from oncocenter.portal.models import PasskeyCredential
    from oncocenter.portal.tests.factories import STRONG, adult_with_account

    portal = adult_with_account("passkey.user")
    base = live_server.url
    assert base.startswith("http://localhost:")  # a passkey needs a host name, not an IP
    context = browser.new_context(
        viewport=PHONE, locale="ko-KR", timezone_id="Asia/Seoul", is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    phone = context.new_page()
    cdp = context.new_cdp_session(phone)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]
    try:
        # 1. Password sign-in, then add a passkey on the settings page.
        phone.goto(f"{base}/portal/sign-in/")
        phone.fill("[name=username]", "passkey.user")
        phone.fill("[name=password]", STRONG)
        phone.click("form button[type=submit]")
        phone.wait_for_url(f"{base}/portal/p/{portal.patient.pk}/")
        phone.goto(f"{base}/portal/settings/")
        phone.fill("#passkey-name", "내 휴대폰")
        phone.click("#passkey-register button")
        phone.locator("#passkey-list li", has_text="내 휴대폰").wait_for()
        assert "내 휴대폰" in phone.inner_text("#passkey-list")
        phone.screenshot(path=str(SCREENSHOTS / "portal-phone-passkey.png"), full_page=True)
        stored = PasskeyCredential.objects.get(account=portal.account)
        assert stored.name == "내 휴대폰"
        creds = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
        assert len(creds["credentials"]) == 1 and creds["credentials"][0]["isResidentCredential"]

        # 2. Sign out; sign in with the passkey, no name or password typed.
        phone.click("footer button[type=submit]")
        phone.wait_for_url(f"{base}/portal/sign-in/")
        assert phone.is_visible("#passkey-sign-in")
        phone.click("#passkey-sign-in button")
        phone.wait_for_url(f"{base}/portal/p/{portal.patient.pk}/")
        assert portal.patient.name_ko in phone.inner_text("h1")
        stored.refresh_from_db()
        assert stored.last_used_at is not None
        assert AuditEvent.objects.filter(
            action="login", actor_username="portal:passkey.user", detail__has_key="passkey"
        ).exists()
    finally:
        context.close()
