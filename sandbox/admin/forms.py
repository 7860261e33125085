"""Admin forms: every change is a POST with a CSRF token."""

from flask_wtf import FlaskForm
from wtforms import SubmitField


class ActionForm(FlaskForm):
    """A one-button form (reset, and the actions later issues add)."""

    submit = SubmitField("Go")
