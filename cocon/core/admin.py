from django.contrib import admin

from cocon.core.models import OutboxEmail


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]
