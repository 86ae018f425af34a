from django.contrib import admin

from cocon.barometer import models


@admin.register(models.Barometer)
class BarometerAdmin(admin.ModelAdmin):
    list_display = ["title", "service", "is_published"]
    list_select_related = ["service__organization"]


@admin.register(models.Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["wording", "barometer", "code", "provenance"]
    list_select_related = ["barometer"]


@admin.register(models.Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ["label", "barometer", "status", "opens_on", "closes_on"]
    list_select_related = ["barometer"]
