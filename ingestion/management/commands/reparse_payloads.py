from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date

from ingestion import jobs
from ingestion.imports import ImportFailed
from ingestion.models import IngestionRun, RawPayload
from ingestion.providers.http import PayloadError
from matches.records import RecordError


class Command(BaseCommand):
    help = ("Map stored provider payloads again and import them, without calling the provider: "
            "after a parser fix, or to rebuild matches from what was fetched.")

    def add_arguments(self, parser):
        parser.add_argument("provider", choices=sorted(jobs.PROVIDERS))
        parser.add_argument("--endpoint", help='Only payloads of this path, e.g. "/fixtures".')
        parser.add_argument("--since", metavar="YYYY-MM-DD", help="Only payloads fetched on or after this day.")
        parser.add_argument("--failed", action="store_true", help="Only payloads that could not be used before.")

    def handle(self, *args, provider, endpoint, since, failed, **options):
        chosen = jobs.PROVIDERS[provider]
        payloads = RawPayload.objects.filter(provider=chosen.source, status_code__in=[200, 304]).order_by("fetched_at")
        if endpoint:
            payloads = payloads.filter(endpoint=endpoint)
        if since:
            day = parse_date(since)
            if day is None:
                raise CommandError(f"--since {since!r} is not a date (YYYY-MM-DD)")
            payloads = payloads.filter(fetched_at__date__gte=day)
        if failed:
            payloads = payloads.exclude(parse_error="")
        run = IngestionRun.objects.create(source=chosen.source, job="reparse", target=endpoint or "all payloads")
        errors, used = [], 0
        for payload in payloads.iterator():
            try:
                summary = jobs.reparse_payload(chosen, payload, run)
            except (PayloadError, RecordError, ImportFailed, ValueError) as exc:
                RawPayload.objects.filter(pk=payload.pk).update(parse_error=str(exc))
                errors.append(f"payload {payload.pk} ({payload.url}): {exc}")
                continue
            if summary is not None:
                used += 1
                self.stdout.write(f"payload {payload.pk} {payload.endpoint}: {summary}")
        run.status = IngestionRun.Status.FAILED if errors else IngestionRun.Status.SUCCEEDED
        run.error = "\n".join(errors)[:10000]
        run.finished_at = timezone.now()
        run.save()
        self.stdout.write(f"{used} payloads mapped again: {run.created} created, {run.updated} updated, "
                          f"{run.unchanged} unchanged")
        if errors:
            raise CommandError(f"{len(errors)} payloads could not be used:\n" + "\n".join(errors[:10]))
