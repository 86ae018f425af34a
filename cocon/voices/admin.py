from django.contrib import admin

from cocon.voices.models import Commitment, RoutingRule, Theme, Voice


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "territory")
    search_fields = ("name", "keywords")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("organization", "kind", "theme", "service")
    list_filter = ("organization",)


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ("service", "acknowledge_days", "answer_days")


@admin.register(Voice)
class VoiceAdmin(admin.ModelAdmin):
    """Technical view only; staff work in the feeds. Contact and profile are not shown."""

    list_display = ("reference", "kind", "service", "status", "created_at")
    list_filter = ("status", "kind", "channel")
    search_fields = ("reference",)
    raw_id_fields = ("author", "relay", "merged_into", "answer_signed_by")
    readonly_fields = ("tracking_digest",)
    list_select_related = ("service",)
