from django.urls import path
from django.views.i18n import set_language

from cocon.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("langue/", set_language, name="set_language"),
    path("theme/<slug:slug>.css", views.theme_css, name="theme_css"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("compte/notifications/", views.notifications, name="notifications"),
]
