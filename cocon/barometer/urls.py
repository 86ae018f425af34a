"""URLs of the Baromètre. Each page family keeps its patterns next to its views:
construction, criteria, indicators and action plan (`views_build`), waves, invitations,
public answering and imports (`views_waves`), dashboards, public page and PDF
(`views_results`)."""

from cocon.barometer import views_build, views_results, views_waves

app_name = "barometer"

urlpatterns = [
    *views_build.urlpatterns,
    *views_waves.urlpatterns,
    *views_results.urlpatterns,
]
