"""Admin forms: every change is a POST with a CSRF token."""

from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional


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
