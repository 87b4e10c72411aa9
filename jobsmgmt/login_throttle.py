"""Login throttling without a denial of service: OWASP's "device cookie" scheme.

- Only failed logins count (a success never uses up a limit).
- A browser that has logged in successfully holds a signed device cookie naming the account.
  On that device the account is limited by the device's own failures only, so an attacker's
  failures from elsewhere never lock the real user out.
- Every other client of an account shares one per-account budget with growing windows
  (``LOGIN_LIMIT_PER_ACCOUNT``, default 5 a minute, 10 in 10 minutes, 20 an hour): the
  longer the guessing goes on, the longer each wait.
- A successful login clears the account's (and the device's) failures.

Counters live in the rate limiter's storage (Redis when hosted, memory on the desktop).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse_many

from .extensions import limiter

DEVICE_COOKIE = "jobsmgmt_device"
DEVICE_MAX_AGE = 180 * 24 * 3600  # a device stays trusted for 180 days after its last login


def _account_tag(email: str) -> str:
    """The account a device cookie names, without writing the e-mail address into it."""
    return hashlib.sha256(email.encode()).hexdigest()[:32]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="jobsmgmt-device")


@dataclass
class Throttle:
    email: str
    device: str | None  # the trusted device's nonce, when the cookie names this account

    @property
    def trusted(self) -> bool:
        return self.device is not None

    def _buckets(self) -> list[tuple]:
        if self.trusted:
            spec, scope = current_app.config["LOGIN_LIMIT_PER_DEVICE"], ("device", self.device)
        else:
            spec, scope = current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], ("account", self.email)
        return [(item, "login", *scope) for item in parse_many(spec)]

    def locked_for(self) -> int:
        """Seconds until the next attempt is allowed (0: allowed now)."""
        if not limiter.enabled:
            return 0
        wait = 0
        for item, *identifiers in self._buckets():
            if not limiter.limiter.test(item, *identifiers):
                stats = limiter.limiter.get_window_stats(item, *identifiers)
                wait = max(wait, int(stats.reset_time - _now()) + 1)
        return wait

    def failed(self) -> bool:
        """Count a failure; True when it used up a budget (the client is now locked out)."""
        if not limiter.enabled:
            return False
        exhausted = False
        for item, *identifiers in self._buckets():
            limiter.limiter.hit(item, *identifiers)
            exhausted = exhausted or not limiter.limiter.test(item, *identifiers)
        return exhausted

    def succeeded(self, response: Response) -> None:
        """Reset the account's and this device's failures; (re)issue the device cookie."""
        if limiter.enabled:
            for trusted in (False, True):
                nonce = self.device if trusted else None
                if trusted and nonce is None:
                    continue
                for item, *identifiers in Throttle(self.email, nonce)._buckets():
                    limiter.limiter.clear(item, *identifiers)
        nonce = self.device or secrets.token_urlsafe(16)
        response.set_cookie(
            DEVICE_COOKIE,
            _serializer().dumps({"a": _account_tag(self.email), "n": nonce}),
            max_age=DEVICE_MAX_AGE,
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            httponly=True,
            samesite="Lax",
        )


def _now() -> float:
    import time

    return time.time()


def for_request(email: str) -> Throttle:
    """The throttle for a login attempt at ``email`` (normalised) from this client."""
    device = None
    cookie = request.cookies.get(DEVICE_COOKIE)
    if cookie:
        try:
            data = _serializer().loads(cookie, max_age=DEVICE_MAX_AGE)
        except BadSignature:
            data = None
        if (
            isinstance(data, dict)
            and data.get("a") == _account_tag(email)
            and isinstance(data.get("n"), str)
        ):
            device = data["n"][:64]
    return Throttle(email, device)
