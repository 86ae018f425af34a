from django.contrib import admin

from cocon.territory.models import (
    Commune,
    Direction,
    OpeningHours,
    Organization,
    PopulationMargin,
    Service,
    Share,
    Territory,
)


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "host_organization"]
    prepopulated_fields = {"slug": ["name"]}


class MarginInline(admin.TabularInline):
    model = PopulationMargin
    extra = 0


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "insee_code", "postal_code", "population", "territory"]
    search_fields = ["name", "insee_code", "postal_code"]
    list_filter = ["territory"]
    inlines = [MarginInline]


class DirectionInline(admin.TabularInline):
    model = Direction
    extra = 0
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "territory", "is_active"]
    list_filter = ["kind", "territory", "is_active"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["communes"]
    inlines = [DirectionInline]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "direction", "is_public"]
    list_filter = ["organization", "is_public"]
    search_fields = ["name", "organization__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organization", "direction"]
    list_select_related = ["organization", "direction"]
    inlines = [OpeningHoursInline]


@admin.register(Direction)
class DirectionAdmin(admin.ModelAdmin):
    list_display = ["name", "organization"]
    search_fields = ["name", "organization__name"]
    list_select_related = ["organization"]


@admin.register(Share)
class ShareAdmin(admin.ModelAdmin):
    list_display = ["owner", "partner", "scope", "created_at"]
    list_filter = ["scope"]
    list_select_related = ["owner", "partner"]
