"""URLs of Idées: public and author pages (`views_public`), staff pages — campaigns,
déminage, decisions, moderation, dashboards (`views_staff`)."""

from cocon.ideas import views_public, views_staff

app_name = "ideas"

urlpatterns = [*views_public.urlpatterns, *views_staff.urlpatterns]
