"""长辈版 (elder mode): large type, high contrast and bigger targets for older residents (the 2021
MIIT programme for 适老化 of public-service websites). A visitor switches it on from the header of
any page, logged in or not; the choice is a cookie, so it works before logging in and without
JavaScript. The page carries the class `elder` on <html>; linli.css does the rest."""

COOKIE = "linli_elder"
MAX_AGE = 365 * 24 * 3600  # a year: an older resident should not have to find the switch again


def is_on(request) -> bool:
    return request.COOKIES.get(COOKIE) == "1"


def remember(response, *, on: bool, secure: bool):
    """Set or clear the cookie on `response`. HttpOnly: no script reads it, the server renders."""
    if on:
        response.set_cookie(COOKIE, "1", max_age=MAX_AGE, samesite="Lax", httponly=True, secure=secure)
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
