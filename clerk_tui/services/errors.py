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


def typed_text(value: str | None, limit: int, what: str, *, required: bool = False) -> str:
    """Text a person typed (a name, a reason, a note): trimmed, required when it must be there,
    refused when longer than its column holds. Never interpreted: shown and printed literally."""
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(f"请填写{what}")
    if len(value) > limit:
        raise ServiceError(f"{what}最多{limit}个字，现在有{len(value)}个字")
    return value
