"""Forms of the waves: the wave itself, invitation codes, the public questionnaire and
the import of a polling firm's file. They parse and present; the rules are in
`services_waves`."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cocon.barometer.models import SURVEY_AGE_BANDS, Occupation, Wave
from cocon.barometer.services_waves import MAX_CODES_PER_REQUEST, MAX_IMPORT_BYTES, Answers
from cocon.core.forms import Form, ModelForm
from cocon.voices.forms import ButtonsSelect

SCORE_CHOICES = [(str(i), str(i)) for i in range(11)]
SEX_CHOICES = [("F", _("Woman")), ("M", _("Man"))]


class WaveForm(ModelForm):
    class Meta:
        model = Wave
        fields = ["label", "code", "opens_on", "closes_on", "criteria", "open_link"]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "criteria": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "code": {"invalid": _("Letters, digits, - and _ only, e.g. 2025.")},
        }

    def __init__(self, *args, barometer, **kwargs):
        super().__init__(*args, **kwargs)
        self.barometer = barometer
        self.instance.barometer = barometer
        self.fields["criteria"].queryset = barometer.criteria.all()
        self.fields["criteria"].help_text = _(
            "By default the active criteria of the barometer. They cannot change once the "
            "wave has answers."
        )
        if not self.instance.pk and not self.is_bound:
            self.initial["criteria"] = [c.pk for c in barometer.criteria.all() if c.is_active]

    def clean_code(self):
        code = self.cleaned_data["code"]
        taken = self.barometer.waves.filter(code=code).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("Another wave of this barometer already has this code."))
        return code


class StatusForm(Form):
    status = forms.CharField(widget=forms.HiddenInput)


class CodesForm(Form):
    count = forms.IntegerField(
        label=_("Number of codes"),
        min_value=1,
        max_value=MAX_CODES_PER_REQUEST,
        help_text=_("At most 20,000 at a time."),
    )
    batch = forms.CharField(
        label=_("Batch name"),
        max_length=80,
        required=False,
        help_text=_("E.g. « Tirage INSEE mars ». Empty: the date and time."),
    )


class CodeForm(Form):
    """Step one of answering with an invitation: the code printed on the letter."""

    code = forms.CharField(
        label=_("Your invitation code"),
        max_length=20,
        help_text=_("Ten letters and digits, printed on your invitation, e.g. ABCDE-23456."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class QuestionnaireForm(Form):
    """Scores 0–10 for each criterion of the wave (blank = no opinion), the overall
    score and the profile used to weight the answers."""

    def __init__(self, *args, wave: Wave, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.wave = wave
        self.criteria = list(wave.criteria.all())
        for criterion in self.criteria:
            self.fields[f"score_{criterion.code}"] = forms.ChoiceField(
                label=criterion.wording,
                required=False,
                choices=[*SCORE_CHOICES, ("", _("No opinion"))],
                widget=ButtonsSelect,
                help_text=_("0: not satisfied at all, 10: fully satisfied."),
            )
        self.fields["overall"] = forms.ChoiceField(
            label=_("Overall, how satisfied are you with this service?"),
            choices=SCORE_CHOICES,
            widget=ButtonsSelect,
            help_text=_("0: not satisfied at all, 10: fully satisfied."),
            error_messages={"required": _("Give an overall score from 0 to 10.")},
        )
        self.fields["age_band"] = forms.ChoiceField(
            label=_("Your age"),
            choices=[(b, _("%(band)s years") % {"band": b}) for b in SURVEY_AGE_BANDS],
            widget=ButtonsSelect,
            error_messages={"required": _("Choose your age band.")},
        )
        self.fields["sex"] = forms.ChoiceField(
            label=_("You are"),
            choices=SEX_CHOICES,
            widget=ButtonsSelect,
            error_messages={"required": _("Choose one answer.")},
        )
        self.communes = {str(c.pk): c for c in communes}
        self.fields["commune"] = forms.ChoiceField(
            label=_("Your commune"),
            choices=[("", _("Choose…"))] + [(str(c.pk), c.name) for c in communes],
            error_messages={"required": _("Choose the commune where you live.")},
        )
        self.fields["occupation"] = forms.ChoiceField(
            label=_("Your occupation (optional)"),
            required=False,
            choices=[("", _("I prefer not to say")), *Occupation.choices],
        )

    def score_fields(self):
        return [self[f"score_{c.code}"] for c in self.criteria]

    def profile_fields(self):
        return [self[name] for name in ("age_band", "sex", "commune", "occupation")]

    def answers(self) -> Answers:
        data = self.cleaned_data
        scores = {
            c.code: int(data[f"score_{c.code}"])
            for c in self.criteria
            if data.get(f"score_{c.code}") not in (None, "")
        }
        return Answers(
            age_band=data["age_band"],
            sex=data["sex"],
            commune=self.communes[data["commune"]],
            occupation=data.get("occupation") or "",
            overall=int(data["overall"]),
            scores=scores,
        )


class ImportForm(Form):
    file = forms.FileField(
        label=_("File of responses (CSV or Excel .xlsx)"),
        help_text=_(
            "One row per respondent. Columns: age_band, sex, commune (INSEE code or name), "
            "occupation (optional), overall, then one column per criterion code. "
            "10 MB at most."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    valid_only = forms.BooleanField(
        label=_("Import the valid rows only"),
        required=False,
        help_text=_("Otherwise nothing is imported when any row is invalid."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                _("The file is too large (%(size)s KB, %(max)s KB at most)."),
                params={"size": upload.size // 1024, "max": MAX_IMPORT_BYTES // 1024},
            )
        return upload
