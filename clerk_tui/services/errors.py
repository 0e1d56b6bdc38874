"""Errors a person can cause. Each carries a Chinese message that says what to do."""


class ServiceError(Exception):
    """A refused request: nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PermissionDenied(ServiceError):
    pass


class NotFound(ServiceError):
    pass


class AuthError(ServiceError):
    pass


class OverrideRequired(PermissionDenied):
    """A rule a supervisor may lift (主管授权): the screen asks for their number, PIN and reason."""
