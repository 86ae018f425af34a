from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from cocon.accounts.models import AgentProfile, Role, User


class UserCreation(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserChange(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class AgentProfileInline(admin.StackedInline):
    model = AgentProfile
    can_delete = True
    extra = 0
    autocomplete_fields = ["organization", "service"]


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["organization", "direction", "services"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChange
    add_form = UserCreation
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_superuser", "date_joined"]
    list_filter = ["is_active", "is_superuser", "roles__kind"]
    search_fields = ["email", "full_name"]
    inlines = [AgentProfileInline, RoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "language", "email_verified_at")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    filter_horizontal = ()


class RoleForm(forms.ModelForm):
    class Meta:
        model = Role
        fields = "__all__"


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    form = RoleForm
    list_display = ["user", "kind", "organization", "title", "starts_on", "ends_on"]
    list_filter = ["kind", "organization"]
    search_fields = ["user__email", "user__full_name", "title"]
    autocomplete_fields = ["user", "organization", "direction", "services"]
    list_select_related = ["user", "organization"]


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "organization",
        "service",
        "job_title",
        "category",
        "front_line",
        "peer_worker",
    ]
    list_filter = ["organization", "category", "front_line", "peer_worker"]
    search_fields = ["user__email", "user__full_name", "job_title"]
    autocomplete_fields = ["user", "organization", "service"]
    list_select_related = ["user", "organization", "service"]
