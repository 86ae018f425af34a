from django.contrib import admin

from cocon.ideas.models import Campaign, Idea


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("title", "organization", "scope", "opens_on", "closes_on", "is_permanent")
    list_filter = ("scope", "is_permanent")


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = ("title", "campaign", "state", "support_count", "created_at")
    list_filter = ("state",)
    raw_id_fields = ("author", "submitted_by", "decided_by", "merged_into", "campaign")
    search_fields = ("title",)
