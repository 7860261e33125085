"""The Co-Branded pages' forms (Flask-WTF: every POST carries a CSRF token)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SubmitField
from wtforms.validators import DataRequired, Length


class SignInForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=255)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    submit = SubmitField("Sign in")


class MethodForm(FlaskForm):
    choice = RadioField("Pay with", validators=[DataRequired(message="Choose a payment method.")])
    submit = SubmitField("Continue")


class ConfirmForm(FlaskForm):
    confirm = SubmitField("Confirm")


class CancelForm(FlaskForm):
    cancel = SubmitField("Cancel and return")
