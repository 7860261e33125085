"""The signing playground: sign a Query-API request or a Co-Branded link with a demo caller's key
and see every step — the canonical query, the string to sign, the signature, the finished URL."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlencode

from flask import render_template, request
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..queries.accounts import callers as all_callers
from ..runtime.dispatch import CBUI_PATH, post_signed, pretty, sign, sign_link
from ..runtime.services import services
from ..signature import canonical_query
from .blueprint import bp
from .forms import parse_name_values

class PlaygroundForm(FlaskForm):
    caller = SelectField("Caller")
    kind = SelectField("What to sign", choices=[SelectChoice("api", "a Query-API request (POST /)"),
                                                SelectChoice("cbui", "a Co-Branded link (GET)")])
    host = StringField("Host as the client addresses it", validators=[DataRequired(), Length(max=255)])
    params = TextAreaField("Parameters, one name=value per line", validators=[Length(max=20000)])
    submit = SubmitField("Sign")


def _example(kind: str, host: str) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == "cbui":
        return ("pipelineName=SetupPrepaid\ncallerReferenceFunding=fund-1\ncallerReferenceSender=sender-1\n"
                f"fundingAmount=10.00\npaymentMethod=ABT,CC\nreturnURL=http://{host}/merchant/return\nversion=2009-01-09")
    return f"Action=GetTotalPrepaidLiability\nVersion=2008-09-17\nTimestamp={stamp}"


@bp.route("/playground", methods=["GET", "POST"])
def playground():
    """Sign with a demo caller's key and show the canonical query, string to sign, signature and URL."""
    with services().storage.read() as conn:
        callers = all_callers(conn)
    form = PlaygroundForm()
    form.caller.choices = [SelectChoice(c.access_key, f"{c.name} ({c.access_key})") for c in callers]
    if request.method == "GET":
        form.host.data = request.host
        form.params.data = _example(request.args.get("kind", "api"), request.host)
        form.kind.data = request.args.get("kind", "api")
    result, problem, sent = None, None, None
    if form.validate_on_submit():
        try:
            params = parse_name_values(form.params.data)
        except ValueError as exc:
            problem = str(exc)
        else:
            secret = next(c.secret_key for c in callers if c.access_key == form.caller.data)
            result = _sign(form.kind.data, form.host.data.strip().lower(), form.caller.data, secret, params)
            if request.form.get("submit") == "send" and form.kind.data == "api":
                sent = post_signed(result["signed"], result["string_to_sign"], "console")
                sent.xml = pretty(sent.xml)
    return render_template("admin/playground.html", form=form, result=result, problem=problem, sent=sent)


def _sign(kind: str, host: str, key: str, secret: str, params: dict[str, str]) -> dict:
    if kind == "cbui":
        signed, text = sign_link(key, secret, params, host)
        url = f"http://{host}{CBUI_PATH}?{urlencode(signed)}"
        return {"canonical": canonical_query(signed, "signature"), "string_to_sign": text,
                "signature": signed["signature"], "url": url, "curl": None}
    signed, text = sign(key, secret, params, host, defaults=False)  # the playground signs what it is given
    body = urlencode(signed)
    return {"canonical": canonical_query(signed), "string_to_sign": text, "signature": signed["Signature"],
            "url": None, "curl": f"curl -X POST http://{host}/ -d '{body}'", "signed": signed}
