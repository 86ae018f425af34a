from django.urls import path

from cocon.territory import views

app_name = "territory"
urlpatterns = [
    path("territoire/", views.territory_detail, name="territory"),
    path("territoire/communes/<str:insee>/", views.commune_detail, name="commune"),
    path("territoire/marges/importer/", views.margins_import, name="margins_import"),
    path("organisations/", views.organization_list, name="organizations"),
    path("organisations/<slug:slug>/", views.organization_detail, name="organization"),
    path("organisations/<slug:slug>/equipe/", views.organization_team, name="team"),
    path("organisations/<slug:slug>/reglages/", views.organization_settings, name="settings"),
    path("organisations/<slug:slug>/partages/", views.organization_shares, name="shares"),
    path(
        "organisations/<slug:slug>/partages/<int:pk>/supprimer/",
        views.share_delete,
        name="share_delete",
    ),
    path(
        "organisations/<slug:org_slug>/services/<slug:slug>/",
        views.service_detail,
        name="service",
    ),
]
