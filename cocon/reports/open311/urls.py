"""Open311 GeoReport v2, mounted at /open311/v2/ (namespace `open311`). Every endpoint
ends with its format: `.json` or `.xml` (any other extension is a 404 in the
specification's error shape, as is any other path below /open311/v2/)."""

from django.urls import path, re_path

from cocon.reports.open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>[A-Za-z0-9]{1,10})"

urlpatterns = [
    path("", views.not_found, name="root"),
    re_path(rf"^discovery{FMT}$", views.discovery, name="discovery"),
    re_path(rf"^services{FMT}$", views.services, name="services"),
    re_path(rf"^services/(?P<code>[^/]+?){FMT}$", views.service_definition, name="service"),
    re_path(rf"^requests{FMT}$", views.requests_, name="requests"),
    re_path(rf"^requests/(?P<request_id>[^/]+?){FMT}$", views.request_detail, name="request"),
    re_path(rf"^tokens/(?P<token>[^/]+?){FMT}$", views.token_detail, name="token"),
    re_path(r"^(?P<rest>.+)$", views.not_found, name="not_found"),
]
