"""The pages' rows of /openapi.json's route table (api/openapi.py adds them to its own): the
requester's ticket page, the agent console, the API reference (/docs) and their static assets
(api/pages.py).

Built by a function that openapi.py calls once its own types exist, like openapi_incidents.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from chalicelib.api.openapi import Operation

HTML_HEADERS = (
    "HTML (text/html) with a strict Content-Security-Policy (scripts and styles only from /assets, never "
    "inline), X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer and Cache-Control: no-store"
)


def page_operations() -> tuple[Operation, ...]:
    from chalicelib.api.openapi import Answer, Operation, Parameter, refused

    return (
        Operation(
            "get",
            "/t/{ticket_id}",
            "requesterPage",
            "The requester's ticket page, in the ticket's language. Open it as /t/{ticket_id}#token=<access "
            "token or link token>: the token stays in the URL fragment (browsers never send it), the page "
            "moves it to session storage, clears it from the address bar and sends it only as "
            "Authorization: Bearer to GET /tickets/{ticket_id}",
            {
                "200": Answer(f"The page, the same for every well-formed id: {HTML_HEADERS}"),
                "404": refused("Not a ticket id"),
            },
            parameters=(Parameter("ticket_id", "path", str, required=True),),
        ),
        Operation(
            "get",
            "/console",
            "agentConsole",
            "The agent console (also at /console/): sign in with an agent token, kept in session storage",
            {
                "200": Answer(f"The console: {HTML_HEADERS}"),
                "404": refused("The console is not installed in this build"),
            },
        ),
        Operation(
            "get",
            "/docs",
            "apiDocs",
            "This API's reference for people: Swagger UI (served from this API, nothing from a CDN) over "
            "/openapi.json; try-it-out calls go to this same origin",
            {
                "200": Answer(f"The page: {HTML_HEADERS}"),
                "404": refused("The reference page is not installed in this build"),
            },
        ),
        Operation(
            "get",
            "/assets/{area}/{name}",
            "pageAsset",
            "A static file of the pages (JavaScript, CSS, SVG, JSON: the pages' words per language are "
            "i18n/<language>.json); only files of chalicelib/web/<area>/ are served, by name",
            {
                "200": Answer("The file, with its content type, nosniff, an ETag and Cache-Control: private, no-cache"),
                "304": Answer("Not modified (If-None-Match matched the ETag)"),
                "404": refused("No such file"),
            },
            parameters=(
                Parameter("area", "path", Literal["shared", "ticket", "console", "i18n", "docs"], required=True),
                Parameter(
                    "name",
                    "path",
                    str,
                    required=True,
                    description="A file name such as ticket.js or es.json; never a path",
                ),
            ),
        ),
    )
