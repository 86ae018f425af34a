from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cocon.core.forms import Form, ModelForm
from cocon.core.uploads import validate_image
from cocon.territory.models import Organization, Share, ShareScope


class OrganizationSettingsForm(ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = [
            "name",
            "short_name",
            "description",
            "website",
            "email",
            "phone",
            "address",
            "logo",
            "primary_color",
            "accent_color",
        ]
        widgets = {
            "primary_color": forms.TextInput(attrs={"type": "color"}),
            "accent_color": forms.TextInput(attrs={"type": "color"}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        }
        help_texts = {
            "primary_color": _("Header, buttons and links. Must reach 4.5:1 against white."),
            "accent_color": _("Light background of highlighted blocks."),
            "logo": _("PNG, JPEG or WebP, 1 MB at most."),
        }

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):
            validate_image(logo, max_bytes=1024 * 1024)
        return logo

    def clean_primary_color(self):
        return self.cleaned_data["primary_color"].lower()

    def clean_accent_color(self):
        return self.cleaned_data["accent_color"].lower()


class ShareForm(Form):
    partner = forms.ModelChoiceField(label=_("Partner organization"), queryset=None)
    scope = forms.ChoiceField(label=_("What to share"), choices=ShareScope.choices)

    def __init__(self, *args, owner: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["partner"].queryset = owner.territory.organizations.exclude(pk=owner.pk)

    def clean(self):
        data = super().clean()
        partner, scope = data.get("partner"), data.get("scope")
        if (
            partner
            and scope
            and Share.objects.filter(owner=self.owner, partner=partner, scope=scope).exists()
        ):
            raise ValidationError(_("This share already exists."))
        return data


class MarginImportForm(Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns commune_insee,age_band,sex,population (comma or semicolon)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError(_("The file is larger than 5 MB."))
        name = upload.name.lower()
        if not name.endswith((".csv", ".txt")):
            raise ValidationError(_("A .csv file is expected."))
        return upload
