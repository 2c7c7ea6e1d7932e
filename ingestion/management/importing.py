"""What every import command shares: --strict, progress on stderr, a summary on stdout, clear errors."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ingestion.files import expand, is_url, read_bytes
from ingestion.imports import ImportFailed, ImportSummary, import_matches
from matches.records import RecordError


class ImportCommand(BaseCommand):
    """Subclasses implement ``run(options) -> list[tuple[label, ImportSummary]]``."""

    def add_arguments(self, parser):
        parser.add_argument("--strict", action="store_true",
                            help="Refuse teams that are neither stored nor in the catalog, instead of creating them.")

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        try:
            results = self.run(options)
        except (ImportFailed, RecordError) as exc:
            raise CommandError(str(exc)) from exc
        total = ImportSummary()
        for label, summary in results:
            self.stdout.write(f"{label}: {summary}")
            for conflict in summary.conflicts[:5]:
                self.stdout.write(self.style.WARNING(f"  kept stored value: {conflict}"))
            if len(summary.conflicts) > 5:
                self.stdout.write(self.style.WARNING(f"  … and {len(summary.conflicts) - 5} more disagreements"))
            for warning in summary.warnings:
                self.stdout.write(self.style.WARNING(f"  left out: {warning}"))
            total.created += summary.created
            total.updated += summary.updated
            total.unchanged += summary.unchanged
            total.seconds += summary.seconds
        if len(results) > 1:
            self.stdout.write(self.style.SUCCESS(f"total: {total}"))

    def run(self, options) -> list[tuple[str, ImportSummary]]:
        raise NotImplementedError

    def import_files(self, locations: list[str], pattern: str, parse, *, source: str, strict: bool,
                     bookmakers=None) -> list[tuple[str, ImportSummary]]:
        """Each file (folders expanded to their ``pattern`` files) parsed whole, then imported."""
        results = []
        for location in expand(locations, pattern):
            # A local file goes to the parser as its path, so a parser that streams (football-data's) can;
            # a URL's answer is downloaded whole.
            content = read_bytes(location) if is_url(location) or not Path(location).is_file() else Path(location)
            records = parse(content, location)
            summary = import_matches(
                records, source=source, job=self.job, target=location, strict=strict,
                bookmakers=bookmakers(records) if bookmakers else None, progress=self.progress(location))
            results.append((location, summary))
        return results

    def progress(self, label: str):
        """A callback that reports progress on stderr (stdout stays a summary) for long files."""
        interactive = self.stderr.isatty()
        reported = [0]  # quarters reported so far, for logs

        def report(done: int, total: int) -> None:
            if self.verbosity < 1 or total < 20:
                return
            if interactive:  # one line rewritten in place
                self.stderr.write(f"{label}: {done}/{total} matches", ending="\r" if done < total else "\n")
            elif done < total and 4 * done // total > reported[0]:  # logs: a line a quarter
                reported[0] = 4 * done // total
                self.stderr.write(f"{label}: {done}/{total} matches")
        return report
