"""Admin for the ingestion log: every import and sync, and every raw provider response,
looked at, never edited."""

import json

from django.contrib import admin
from django.db.models import Count
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html

from ingestion.models import IngestionRun, RawPayload


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log is evidence: nobody adds, edits or deletes it by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IngestionRun)
class IngestionRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "source", "job", "target", "status", "created", "updated", "unchanged",
                    "requests_made", "quota_remaining", "duration", "payloads")
    list_filter = ("status", "source", "job")
    search_fields = ("job", "target", "error")
    date_hierarchy = "started_at"
    readonly_fields = ("payloads",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(payload_count=Count("payloads"))

    @admin.display(description="raw payloads", ordering="payload_count")
    def payloads(self, run):
        if not run.payload_count:
            return "—"
        url = reverse("admin:ingestion_rawpayload_changelist")
        return format_html('<a href="{}?run__id__exact={}">{} payloads</a>', url, run.pk, run.payload_count)


@admin.register(RawPayload)
class RawPayloadAdmin(ReadOnlyAdmin):
    list_display = ("fetched_at", "provider", "endpoint", "status_code", "size_shown", "run_link", "parse_error")
    list_filter = ("provider", "status_code", ("parse_error", admin.EmptyFieldListFilter))
    search_fields = ("endpoint", "url", "sha256", "parse_error")
    date_hierarchy = "fetched_at"
    list_select_related = ("run",)
    show_full_result_count = False  # counting a large payload table on every page is slow
    fields = ("provider", "endpoint", "params", "url", "status_code", "fetched_at", "etag", "last_modified",
              "size_shown", "sha256", "run_link", "parse_error", "body_shown")
    readonly_fields = ("size_shown", "run_link", "body_shown")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body")  # the list never shows bodies

    @admin.display(description="size", ordering="size")
    def size_shown(self, payload):
        return filesizeformat(payload.size)

    @admin.display(description="run", ordering="run")
    def run_link(self, payload):
        if payload.run is None:
            return "—"
        return format_html('<a href="{}">{}</a>',
                           reverse("admin:ingestion_ingestionrun_change", args=[payload.run_id]), payload.run)

    @admin.display(description="body")
    def body_shown(self, payload):
        """Pretty-printed JSON, or the text as received when it is not JSON."""
        raw = payload.raw()
        try:
            text = json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
        except ValueError:
            text = raw.decode("utf-8", errors="replace")
        return format_html('<pre style="max-height: 60em; overflow: auto; white-space: pre-wrap">{}</pre>', text)
