"""A record of every import and provider sync: what ran, how long, what it changed,
and the raw provider responses it read."""

import gzip
import hashlib
import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from matches.models import Source


class IngestionRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=32, choices=Source.choices)
    job = models.CharField(max_length=60, help_text='"import_statsbomb", "fixtures", "live" …')
    target = models.CharField(max_length=300, blank=True, help_text="The file, folder or request it worked on.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    requests_made = models.PositiveIntegerField(default=0)
    quota_remaining = models.IntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["source", "job", "-started_at"])]

    def __str__(self):
        return f"{self.get_source_display()} {self.job} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None


class RawPayload(models.Model):
    """One provider response exactly as it arrived (extract-load-transform).

    Kept so that a mapping bug can be fixed and the data mapped again without asking
    the provider twice, and so that a curator can see what a provider really said.
    The body is stored gzip-compressed; ``size`` and ``sha256`` describe the original bytes.
    """

    provider = models.CharField(max_length=32, choices=Source.choices)
    endpoint = models.CharField(max_length=200, help_text='The path asked for, e.g. "/fixtures".')
    params = models.JSONField(default=dict, blank=True, help_text="Query parameters, sorted, as strings.")
    url = models.URLField(max_length=1000)
    status_code = models.PositiveSmallIntegerField(help_text="304 when the provider confirmed the previous body.")
    fetched_at = models.DateTimeField(default=timezone.now)
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    body = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(help_text="Bytes before compression.")
    run = models.ForeignKey(IngestionRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="payloads")
    parse_error = models.TextField(blank=True, help_text="Why the body could not be used; empty when it could.")

    class Meta:
        ordering = ["-fetched_at"]
        indexes = [models.Index(fields=["provider", "endpoint", "fetched_at"])]

    def __str__(self):
        return f"{self.get_provider_display()} {self.endpoint} {self.fetched_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def store(cls, *, provider: str, endpoint: str, params: dict, url: str, status_code: int, body: bytes,
              etag: str = "", last_modified: str = "", run: IngestionRun | None = None) -> "RawPayload":
        """Save a response body as received, before anything tries to read it."""
        return cls.objects.create(
            provider=provider, endpoint=endpoint, params=params, url=url, status_code=status_code,
            etag=etag[:200], last_modified=last_modified[:100], run=run,
            body=gzip.compress(body, compresslevel=6, mtime=0),
            sha256=hashlib.sha256(body).hexdigest(), size=len(body),
        )

    def raw(self) -> bytes:
        """The body as the provider sent it."""
        return gzip.decompress(bytes(self.body))

    def json(self):
        return json.loads(self.raw())

    @classmethod
    def purge_expired(cls, now: datetime | None = None) -> int:
        """Delete payloads older than RAW_PAYLOAD_RETENTION_DAYS; return how many went."""
        cutoff = (now or timezone.now()) - timedelta(days=settings.RAW_PAYLOAD_RETENTION_DAYS)
        deleted, _ = cls.objects.filter(fetched_at__lt=cutoff).delete()
        return deleted
