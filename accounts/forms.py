import zoneinfo

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from accounts.models import Profile


class SignupForm(UserCreationForm):
    """Django's own sign-up form, with the email address a password reset is sent to."""

    email = forms.EmailField(help_text="For password resets only; never shown to anyone.")

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self):
        email = self.cleaned_data["email"]
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email address exists already: sign in, or reset "
                                        "its password.")
        return email


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ("time_zone", "theme")
        labels = {"time_zone": "Time zone", "theme": "Colours"}
        widgets = {"theme": forms.RadioSelect,
                   "time_zone": forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off",
                                                       "placeholder": "Europe/Rome", "spellcheck": "false"})}

    def clean_time_zone(self):
        name = self.cleaned_data["time_zone"].strip()
        if not name:
            return ""
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(f"“{name}” is not a time zone: use an IANA name such as Europe/Rome, "
                                        "or leave it empty for your browser's.")
        return name
