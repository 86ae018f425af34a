"""Login with lockout, registration, profile with GDPR export and erasure, password reset."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cocon.accounts import selectors, services
from cocon.accounts.forms import (
    DeleteAccountForm,
    LoginForm,
    ProfileForm,
    RegistrationForm,
    RoleForm,
)
from cocon.accounts.models import Role
from cocon.core import gdpr, ratelimit
from cocon.core.forms import bound_data
from cocon.core.permissions import require
from cocon.territory.models import Organization


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _set_language_cookie(response, language: str):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.HTTPS,
    )
    return response


@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request))
    form = LoginForm(bound_data(request), request=request)
    locked = False
    status = 200
    if request.method == "POST":
        ip = ratelimit.client_ip(request)
        email = (request.POST.get("email") or "").strip().lower()
        if services.login_is_locked(email=email, ip=ip):
            locked = True
            status = 429
            form.is_valid()  # show field errors if any, but never try the password
            form.add_error(
                None,
                _(
                    "Too many failed attempts: this account is locked for %(minutes)s minutes. "
                    "You can reset your password meanwhile."
                )
                % {"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60},
            )
        elif form.is_valid():
            services.login_succeeded(email=email)
            login(request, form.user)
            response = redirect(_safe_next(request))
            return _set_language_cookie(response, form.user.language)
        else:
            if email:
                services.login_failed(email=email, ip=ip)
            status = 400
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": request.GET.get("next", ""), "locked": locked},
        status=status,
    )


@require_POST
def logout_view(request):
    logout(request)
    messages.success(request, _("You are logged out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = RegistrationForm(bound_data(request))
    status = 200
    if request.method == "POST":
        if not ratelimit.allow(
            request, "register", limit=settings.PUBLIC_FORM_RATE_PER_HOUR, window=3600
        ):
            form.is_valid()
            form.add_error(
                None,
                _("Too many accounts created from this connection. Please try again in an hour."),
            )
            status = 429
        elif form.is_valid():
            user = services.user_register(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                language=request.LANGUAGE_CODE,
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome! A message was sent to %(email)s to confirm your address.")
                % {"email": user.email},
            )
            return redirect("accounts:profile")
        else:
            status = 400
    return render(request, "accounts/register.html", {"form": form}, status=status)


def verify_email(request, token):
    user = services.email_verify(token)
    if user is None:
        messages.error(request, _("This confirmation link is invalid or has expired."))
    else:
        messages.success(request, _("Your email address is confirmed."))
    return redirect("accounts:profile" if request.user.is_authenticated else "accounts:login")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    initial = {"full_name": user.full_name, "email": user.email, "language": user.language}
    form = ProfileForm(bound_data(request), user=user, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.profile_update(user=user, **form.cleaned_data)
            messages.success(request, _("Your profile was saved."))
            return _set_language_cookie(redirect("accounts:profile"), user.language)
        status = 400
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "roles": selectors.roles_of_user(user),
            "agent_profile": getattr(user, "agent_profile", None),
        },
        status=status,
    )


@login_required
def export(request):
    """GDPR: everything Cocon holds about the person, as a JSON download."""
    data = gdpr.export_person(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="cocon-mes-donnees.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(bound_data(request), user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            user = request.user
            logout(request)
            services.user_erase(user=user)
            messages.success(request, _("Your account and your personal data were deleted."))
            return redirect("core:home")
        status = 400
    return render(request, "accounts/delete.html", {"form": form}, status=status)


def password_reset(request):
    """Django's reset view behind a rate limit (per address and per email)."""
    from cocon.accounts.urls import PASSWORD_RESET_OPTIONS

    if request.method == "POST":
        email = (request.POST.get("email") or "").strip().lower()
        if not (
            ratelimit.allow(
                request, "reset-ip", limit=settings.PUBLIC_FORM_RATE_PER_HOUR, window=3600
            )
            and ratelimit.allow(request, "reset-email", limit=5, window=3600, ident=email)
        ):
            # Same answer as a success: do not reveal anything, do not send more mail.
            return redirect("accounts:password_reset_done")
    return auth_views.PasswordResetView.as_view(**PASSWORD_RESET_OPTIONS)(request)


@login_required
@require_http_methods(["GET", "POST"])
def organization_roles(request, slug):
    """Roles of one organization: its administrators give and end them."""
    organization = get_object_or_404(Organization, slug=slug)
    require(request.user, "accounts.manage_roles", organization)
    request.theme_organization = organization
    form = RoleForm(bound_data(request), organization=organization)
    status = 200
    if request.method == "POST" and "end" in request.POST:
        role = get_object_or_404(Role, pk=request.POST.get("end"), organization=organization)
        services.role_end(role=role, actor=request.user)
        messages.success(request, _("The role was ended."))
        return redirect("accounts:roles", slug=organization.slug)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            services.role_assign(
                organization=organization,
                user=form.person,
                kind=data["kind"],
                actor=request.user,
                title=data["title"],
                direction=data["direction"],
                services=data["services"],
                topics=data["topics"],
                ends_on=data["ends_on"],
            )
            messages.success(request, _("The role was given."))
            return redirect("accounts:roles", slug=organization.slug)
        status = 400
    return render(
        request,
        "accounts/roles.html",
        {"organization": organization, "form": form, "roles": selectors.role_holders(organization)},
        status=status,
    )
