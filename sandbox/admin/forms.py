"""Admin forms: every change is a POST with a CSRF token."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DecimalField, HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional


def parse_name_values(text: str) -> dict[str, str]:
    """"name=value" lines into a dict (blank lines skipped); ValueError names the first bad line."""
    out = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"this line is not name=value: {line[:80]!r}")
        out[name.strip()] = value.strip()
    return out


class RosterForm(FlaskForm):
    """Sandboxes for a class: names typed one per line, or a CSV file; the lesson each starts from."""

    names = TextAreaField("Names, one per line", validators=[Optional(), Length(max=100_000)])
    csv = FileField("…or a CSV file (names in the first column)")
    lesson = SelectField("Each starts from")
    seed = StringField("Seed for reproducible ids (optional)", validators=[Optional(), Length(max=64)])
    submit = SubmitField("Create the sandboxes")


class ActionForm(FlaskForm):
    """A one-button form (reset, and the actions later issues add)."""

    submit = SubmitField("Go")


class FaultForm(FlaskForm):
    """Arm a fault: which action, what happens, how often."""

    action = SelectField("Action")
    mode = SelectField("What happens", choices=[SelectChoice("error", "fail with an FPS error"),
                                                SelectChoice("pending_fail", "go Pending, then fail"),
                                                SelectChoice("delay", "answer late")])
    error_code = SelectField("Error code / failure StatusCode")
    count = IntegerField("For the next N calls (empty: every call)", validators=[Optional(), NumberRange(1, 100000)])
    percent = DecimalField("Only this share of calls, % (empty: all)", places=1,
                           validators=[Optional(), NumberRange(0.1, 100)])
    delay_ms = IntegerField("Delay, ms", default=0, validators=[Optional(), NumberRange(0, 30000)])
    submit = SubmitField("Arm")


class IpnSettingsForm(FlaskForm):
    """A caller's notification URL and the switches that make delivery misbehave on purpose."""

    url = StringField("Notification URL", validators=[Optional(), Length(max=2048)])
    twice = BooleanField("Deliver every notification twice")
    reorder = BooleanField("Deliver out of order (hold 5 s, then newest first)")
    delay_seconds = IntegerField("Delay every notification by (seconds)", default=0,
                                 validators=[Optional(), NumberRange(0, 86400)])
    drop = BooleanField("Drop notifications (kept in the inbox, never sent)")
    fail_first = IntegerField("Fail the first N attempts of each", default=0, validators=[Optional(), NumberRange(0, 20)])
    submit = SubmitField("Save")


class EditFieldsForm(FlaskForm):
    """A notification's fields, one name=value per line, to edit and resend."""

    fields = TextAreaField("Fields", validators=[DataRequired(), Length(max=20000)])
    submit = SubmitField("Save and resend")


class ClockForm(FlaskForm):
    """Move the sandbox clock forward (validity, pending transitions and notification retries follow)."""

    amount = IntegerField("Move forward by", default=1, validators=[DataRequired(), NumberRange(1, 10000)])
    unit = SelectField("Unit", choices=[SelectChoice("minutes", "minutes"), SelectChoice("hours", "hours"),
                                        SelectChoice("days", "days")])
    submit = SubmitField("Move forward")


class RefundForm(FlaskForm):
    """Refund a Pay from the console: empty amount refunds what is left. The amount goes to FPS as typed,
    so a malformed one gets the API's own error."""

    amount = StringField("Amount to refund, $ (empty: all that is left)", validators=[Optional(), Length(max=32)])
    confirmed = HiddenField()
    submit = SubmitField("Refund…")


class CancelForm(FlaskForm):
    """Cancel a Pending transaction, or a token, from the console (with a reason for a token)."""

    reason = StringField("Reason (optional)", validators=[Optional(), Length(max=160)])
    confirmed = HiddenField()
    submit = SubmitField("Cancel…")
