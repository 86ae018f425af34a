from django.urls import path

from cocon.voices import views

app_name = "voices"
urlpatterns = [
    # public
    path("paroles/", views.give, name="give"),
    path("paroles/merci/<str:reference>/", views.receipt, name="receipt"),
    path("paroles/suivi/", views.track, name="track"),
    path("paroles/suivi/<str:reference>/", views.track_voice, name="track_voice"),
    path("paroles/mes-messages/", views.mine, name="mine"),
    path("paroles/suggestion/", views.suggest, name="suggest"),
    # staff
    path("organisations/<slug:slug>/paroles/", views.routing, name="routing"),
    path("espace/paroles/", views.feed, name="feed"),
    path("espace/paroles/saisir/", views.capture, name="capture"),
    path("espace/paroles/recu/<str:reference>/", views.capture_receipt, name="capture_receipt"),
    path("espace/paroles/tableaux-de-bord/", views.dashboards, name="dashboards"),
    path("espace/paroles/tableaux-de-bord/<int:pk>/", views.dashboard, name="dashboard"),
    path("espace/paroles/<str:reference>/", views.detail, name="detail"),
    path("espace/paroles/<str:reference>/statut/", views.set_status, name="set_status"),
    path("espace/paroles/<str:reference>/reorienter/", views.reroute, name="reroute"),
    path("espace/paroles/<str:reference>/partager/", views.share, name="share"),
    path("espace/paroles/<str:reference>/note/", views.note, name="note"),
    path("espace/paroles/<str:reference>/alerter-elu/", views.escalate, name="escalate"),
    path("espace/paroles/<str:reference>/fusionner/", views.merge, name="merge"),
    path("espace/paroles/<str:reference>/remercier/", views.thank, name="thank"),
    path("espace/paroles/<str:reference>/photos/<int:pk>/", views.photo, name="photo"),
]
