from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from cocon.accounts.models import RoleKind, User
from cocon.core.forms import CoconFormMixin, Form
from cocon.core.outbox import queue_email


class LoginForm(Form):
    email = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = None

    def clean(self):
        data = super().clean()
        email, password = data.get("email"), data.get("password")
        if email and password:
            self.user = authenticate(self.request, username=email.lower(), password=password)
            if self.user is None:
                raise ValidationError(
                    _("Incorrect email address or password."), code="invalid_login"
                )
        return data


class RegistrationForm(Form):
    full_name = forms.CharField(
        label=_("First and last name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 10 characters, not only digits, not too common."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    accept_terms = forms.BooleanField(
        label=_("I have read how Cocon uses my personal data."),
        error_messages={"required": _("Please confirm you have read the personal data notice.")},
    )

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _("An account already uses this address. Log in or reset your password.")
            )
        return email

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            probe = User(email=data.get("email") or "", full_name=data.get("full_name") or "")
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ProfileForm(Form):
    full_name = forms.CharField(label=_("First and last name"), max_length=150)
    email = forms.EmailField(label=_("Email address"))
    language = forms.ChoiceField(label=_("Language"), choices=User.LANGUAGES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists():
            raise ValidationError(_("Another account already uses this address."))
        return email


class DeleteAccountForm(Form):
    password = forms.CharField(
        label=_("Your password, to confirm"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("This is not your password."))
        return password


class OutboxPasswordResetForm(CoconFormMixin, PasswordResetForm):
    """Django's reset form, but mail goes through the outbox (same transaction)."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        queue_email(
            to=to_email, subject=subject, body=render_to_string(email_template_name, context)
        )


class CoconSetPasswordForm(CoconFormMixin, SetPasswordForm):
    pass


class RoleForm(Form):
    """Give a role in one organization to an existing account."""

    email = forms.EmailField(
        label=_("Email address of the person"),
        help_text=_("The person must already have an account."),
    )
    kind = forms.ChoiceField(label=_("Role"), choices=RoleKind.choices)
    title = forms.CharField(
        label=_("Title or delegation"),
        required=False,
        max_length=200,
        help_text=_("E.g. « Vice-président délégué à l'eau et à l'assainissement »."),
    )
    direction = forms.ModelChoiceField(
        label=_("Direction (for a director)"), required=False, queryset=None
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services (managed, or covered by the delegation)"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    topics = forms.CharField(
        label=_("Topics (for an expert)"),
        required=False,
        max_length=300,
        help_text=_("Comma-separated."),
    )
    ends_on = forms.DateField(
        label=_("End date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["direction"].queryset = organization.directions.order_by("name")
        self.fields["services"].queryset = organization.services.order_by("name")

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        self.person = User.objects.filter(email__iexact=email, is_active=True).first()
        if self.person is None:
            raise ValidationError(_("No active account uses this address."))
        return email

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == RoleKind.MANAGER and not data.get("services"):
            self.add_error("services", _("Choose the services this manager is in charge of."))
        if kind == RoleKind.ELU and not data.get("title"):
            self.add_error("title", _("Give the delegation of this elected official."))
        if kind == RoleKind.EXPERT and not data.get("topics"):
            self.add_error("topics", _("Give at least one topic of expertise."))
        return data
