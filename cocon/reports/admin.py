from django.contrib import admin

from cocon.reports.models import Category, Coverage, Open311Client, Report, Team


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "territory", "sensitive", "is_active"]
    list_filter = ["territory", "is_active", "sensitive"]


@admin.register(Coverage)
class CoverageAdmin(admin.ModelAdmin):
    list_display = ["category", "organization", "service"]
    filter_horizontal = ["communes"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "service"]
    filter_horizontal = ["members"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["voice", "category", "status", "created_at"]
    list_filter = ["status", "category"]
    raw_id_fields = ["voice", "team", "client"]


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "territory", "key_prefix", "is_active", "last_used_at"]
    readonly_fields = ["key_prefix", "key_hash"]
