from django.contrib import admin

from accounts.models import ApiKey, Follow, Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "time_zone", "theme"]
    search_fields = ["user__username", "user__email"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "player", "competition", "match", "created_at"]
    list_select_related = ["user", "team", "player", "competition", "match"]
    raw_id_fields = ["team", "player", "competition", "match"]
    search_fields = ["user__username"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "per_minute", "per_day", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
    search_fields = ["name", "prefix", "user__username"]
