"""URLs of Signalements. Each page family keeps its own patterns next to its views:
public map and list (`views_public`), staff workflow (`views_staff`), offline field
capture (`views_field`), organization settings (`views_admin`). Open311 lives in
`cocon.reports.open311` under /open311/v2/."""

from cocon.reports import views_admin, views_field, views_public, views_settings, views_staff

app_name = "reports"

urlpatterns = [
    *views_public.urlpatterns,
    *views_staff.urlpatterns,
    *views_field.urlpatterns,
    *views_admin.urlpatterns,
    *views_settings.urlpatterns,
]
