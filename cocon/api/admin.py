from django.contrib import admin

from cocon.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_digest", "prefix", "created_at", "last_used_at"]
    list_select_related = ["user"]
