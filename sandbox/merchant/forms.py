"""The merchant inbox's one form: empty a catcher (a POST with a CSRF token)."""

from flask_wtf import FlaskForm
from wtforms import SubmitField


class ForgetForm(FlaskForm):
    submit = SubmitField("Forget everything it received")
