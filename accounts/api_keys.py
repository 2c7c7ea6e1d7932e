"""API keys for /api/v1/: made once, stored hashed, checked on every call.

A key is ``secrets.token_urlsafe(32)`` (43 characters, 256 bits). Its owner sees it once, on the
page after he creates it; the database keeps its first ``PREFIX_LENGTH`` characters, to find the
row and to name the key on the profile page, and the SHA-256 of the whole key. A leaked database
gives no usable key; a plain digest (no salt, no slow hash) is enough because the key is random,
not a password a person chose.

``last_used_at`` is written at most once a minute per key, so a busy client does not turn every
read into a write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import ApiKey

PREFIX_LENGTH = 8
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
_CREATE_ATTEMPTS = 3  # a prefix clash (48 random bits) is all but impossible; retrying costs nothing


class InvalidApiKey(Exception):
    """The X-Auth-Token names no key, or a revoked one: the message says which (401)."""


@dataclass(frozen=True)
class NewKey:
    """A key just made: ``secret`` is the whole key, shown once and never stored."""

    key: ApiKey
    secret: str


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(user, name: str, *, per_minute: int | None = None, per_day: int | None = None) -> NewKey:
    """A new key for ``user``; the quotas default to the model's."""
    quotas = {field: value for field, value in (("per_minute", per_minute), ("per_day", per_day)) if value is not None}
    for attempt in range(1, _CREATE_ATTEMPTS + 1):
        secret = secrets.token_urlsafe(32)
        try:
            with transaction.atomic():  # a savepoint: a clash leaves the caller's transaction usable
                key = ApiKey.objects.create(user=user, name=name, prefix=secret[:PREFIX_LENGTH],
                                            digest=digest_of(secret), **quotas)
            return NewKey(key, secret)
        except IntegrityError:
            if attempt == _CREATE_ATTEMPTS:
                raise


def verify(secret: str, *, now: dt.datetime | None = None) -> ApiKey:
    """The live key whose secret this is (one query; a second, at most once a minute, to note its use)."""
    key = ApiKey.objects.filter(prefix=secret[:PREFIX_LENGTH]).first() if len(secret) > PREFIX_LENGTH else None
    # Compare digests in constant time, so timing tells nothing about how much of a guess was right.
    if key is None or not hmac.compare_digest(key.digest, digest_of(secret)):
        raise InvalidApiKey("unknown API key (X-Auth-Token)")
    if key.revoked_at is not None:
        raise InvalidApiKey(f"this API key ({key.prefix}…) was revoked on {key.revoked_at:%Y-%m-%d}")
    note_use(key, now or timezone.now())
    return key


def note_use(key: ApiKey, now: dt.datetime) -> None:
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    key.last_used_at = now


def revoke(user, key_id: int) -> ApiKey | None:
    """Revoke one of ``user``'s keys (again: no change); None when he has no such key."""
    key = ApiKey.objects.filter(user=user, pk=key_id).first()
    if key is None:
        return None
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key
