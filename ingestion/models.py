"""A record of every import and provider sync: what ran, how long, what it changed."""

from django.db import models

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
