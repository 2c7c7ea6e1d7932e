"""Admin for the ingestion log: every import and sync, looked at, never edited."""

from django.contrib import admin

from ingestion.models import IngestionRun


@admin.register(IngestionRun)
class IngestionRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "source", "job", "target", "status", "created", "updated", "unchanged",
                    "requests_made", "quota_remaining", "duration")
    list_filter = ("status", "source", "job")
    search_fields = ("job", "target", "error")
    date_hierarchy = "started_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
