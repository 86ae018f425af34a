from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from cocon.accounts import views
from cocon.accounts.forms import CoconSetPasswordForm, OutboxPasswordResetForm

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("inscription/", views.register, name="register"),
    path("verifier/<str:token>/", views.verify_email, name="verify_email"),
    path("profil/", views.profile, name="profile"),
    path("profil/export.json", views.export, name="export"),
    path("profil/supprimer/", views.delete_account, name="delete"),
    path("organisations/<slug:slug>/roles/", views.organization_roles, name="roles"),
    path(
        "mot-de-passe/",
        views.password_reset,
        name="password_reset",
    ),
    path(
        "mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            form_class=CoconSetPasswordForm,
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/termine/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]

# Referenced by views.password_reset (kept here so all reset settings sit together).
PASSWORD_RESET_OPTIONS = {
    "template_name": "accounts/password_reset_form.html",
    "email_template_name": "accounts/email/password_reset_body.txt",
    "subject_template_name": "accounts/email/password_reset_subject.txt",
    "form_class": OutboxPasswordResetForm,
    "success_url": reverse_lazy("accounts:password_reset_done"),
}
