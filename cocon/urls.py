from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve as serve_media

from cocon.api.main import api
from cocon.core import views as core_views

admin.site.site_header = "Cocon — administration technique"
admin.site.site_title = "Cocon"

urlpatterns = [
    path("", include("cocon.core.urls")),
    path("", include("cocon.territory.urls")),
    path("compte/", include("cocon.accounts.urls")),
    path("", include("cocon.voices.urls")),
    path("", include("cocon.reports.urls")),
    path("", include("cocon.barometer.urls")),
    path("", include("cocon.ideas.urls")),
    path("guichet/", include("cocon.guichet.urls")),
    path("demarches/", include("cocon.processes.urls")),
    path("open311/v2/", include("cocon.reports.open311.urls")),
    path("espace/", include("cocon.backoffice.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    # Uploaded logos. In production a reverse proxy may serve MEDIA_ROOT directly.
    path(
        "media/<path:path>",
        serve_media,
        {"document_root": settings.MEDIA_ROOT},
    ),
]

handler404 = core_views.not_found
handler403 = core_views.forbidden
handler500 = core_views.server_error
handler400 = core_views.bad_request
