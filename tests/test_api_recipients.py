"""GetRecipientVerificationStatus: the worked example of CONTRIBUTING.md's "Adding an FPS action"."""

from dataclasses import replace

import pytest

from conftest import NEWS_KEY, NEWS_SECRET, SignedCaller, dispose, services_of
from sandbox import create_app
from sandbox.domain.outcomes import SPECIAL_RECIPIENT_TOKENS

SPECIAL = {code: token for token, code in SPECIAL_RECIPIENT_TOKENS.items()}


def status_of(r):
    assert r.status == 200, r.text
    assert r.xml.tag.endswith("GetRecipientVerificationStatusResponse")
    return r.find("GetRecipientVerificationStatusResult/RecipientVerificationStatus")


def test_a_token_the_caller_installed_answers_the_configured_status(fps, funded):
    assert status_of(fps.call("GetRecipientVerificationStatus", RecipientTokenId=funded["prepaidSenderTokenID"])) \
        == "Active"


def test_a_cancelled_token_still_names_its_recipient(fps, funded):
    fps.call("CancelToken", TokenId=funded["fundingTokenID"])
    assert status_of(fps.call("GetRecipientVerificationStatus", RecipientTokenId=funded["fundingTokenID"])) == "Active"


@pytest.mark.parametrize("code, expected", [("UnverifiedEmailAddress_Recipient", "PendingUserAction"),
                                            ("InvalidAccountState_Recipient", "PendingReview"),
                                            ("AccountClosed", "Closed")])
def test_special_recipient_tokens_reach_every_other_status(fps, code, expected):
    assert status_of(fps.call("GetRecipientVerificationStatus", RecipientTokenId=SPECIAL[code])) == expected


def test_another_callers_token_is_not_the_callers_to_ask_about(client, funded):
    news = SignedCaller(client, NEWS_KEY, NEWS_SECRET)
    r = news.call("GetRecipientVerificationStatus", RecipientTokenId=funded["prepaidSenderTokenID"])
    assert r.status == 400 and r.error_code == "InvalidTokenId_Recipient"
    assert funded["prepaidSenderTokenID"] in r.error_message


@pytest.mark.parametrize("value, code, message", [
    (None, "InvalidParams", "RecipientTokenId is required"), ("", "InvalidParams", "RecipientTokenId is required"),
    ("X" * 66, "InvalidParams", "RecipientTokenId is too long"),
    ("NOSUCHTOKEN", "InvalidTokenId_Recipient", "The recipient token NOSUCHTOKEN is invalid"),
])
def test_a_missing_long_or_unknown_token_is_an_error_naming_it(fps, value, code, message):
    params = {} if value is None else {"RecipientTokenId": value}
    r = fps.call("GetRecipientVerificationStatus", **params)
    assert r.status == 400 and r.error_code == code
    assert message in r.error_message


def test_the_status_for_a_recipient_in_good_standing_is_configurable(app_config):
    with pytest.raises(ValueError, match="FPS_RECIPIENT_VERIFICATION_STATUS"):
        create_app({**app_config, "FPS_RECIPIENT_VERIFICATION_STATUS": "Verified!"})
    other = create_app({**app_config, "FPS_RECIPIENT_VERIFICATION_STATUS": "VerificationComplete"})
    assert services_of(other).policy.recipient_verification_status == "VerificationComplete"
    dispose(other)


def test_the_configured_status_is_what_the_action_answers(app, fps, funded):
    svc = services_of(app)
    svc.policy = replace(svc.policy, recipient_verification_status="VerificationComplete")
    assert status_of(fps.call("GetRecipientVerificationStatus", RecipientTokenId=funded["fundingTokenID"])) \
        == "VerificationComplete"
