"""What the pages send (small JSON bodies, bounded by app.Guard) and how a refusal goes back:
``{"error": "<what to do, in Chinese>"}`` with 403 for a right the device lacks, 404 for
something unknown, 400 for bad input. The page shows the words literally (textContent)."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from clerk_tui.services.errors import NotFound, PermissionDenied, ServiceError
from clerk_tui.services.files import load_json


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; 400 for anything else. Parsed with the files' limits (nesting
    depth, number length): a small body of 5,000 brackets made json's own parser recurse to a 500."""
    try:
        body = load_json((await request.body() or b"{}").decode("utf-8"), "请求内容", "")
    except (ServiceError, UnicodeDecodeError):
        raise HTTPException(400, "请求内容不是有效的 JSON") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "请求内容应为 JSON 对象")
    return body


def refusal(error: ServiceError | str, status: int = 400) -> JSONResponse:
    """A service's refusal (or the door's own words) as the page's JSON error."""
    if isinstance(error, ServiceError):
        status = 403 if isinstance(error, PermissionDenied) else 404 if isinstance(error, NotFound) else 400
        error = error.message
    return JSONResponse({"error": error}, status_code=status)
