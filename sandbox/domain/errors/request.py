"""FPS error codes: authentication and request shape (generic AWS layer)."""

from __future__ import annotations

from .base import FpsError


class InvalidClientTokenId(FpsError):
    message = "The AWS Access Key Id you provided does not exist in our records."
    retriable = False


class SignatureDoesNotMatch(FpsError):
    message = "The request signature calculated by Amazon does not match the signature you provided."
    retriable = False


class AuthFailure(FpsError):
    message = "AWS was not able to validate the provided access credentials."


class MissingParameter(FpsError):
    message = "The request must contain the parameter {name}."
    retriable = False


class InvalidParameterValue(FpsError):
    message = "Value ({value}) for parameter {name} is invalid."
    retriable = False


class RequestExpired(FpsError):
    message = "Request has expired. Timestamp date is {timestamp}"
    retriable = False


class InvalidRequest(FpsError):
    message = (
        "The request doesn't conform to the interface specification in the WSDL. "
        'Element/Parameter "{namespace}:{name}" in request is '
        "either invalid or is found at unexpected location"
    )
    retriable = False


class InvalidAction(FpsError):
    message = "The action {action} is not valid for this web service."
    retriable = False


class InvalidParams(FpsError):
    message = "One or more parameters in the request is invalid."
    retriable = False


class InternalError(FpsError):
    pass


class ServiceUnavailable(FpsError):
    message = "The service is temporarily unavailable. Please retry the request."


class Throttling(FpsError):
    message = "Rate exceeded. Please retry the request."
