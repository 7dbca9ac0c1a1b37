"""The OpenAPI 3.1 document of the comments API (served at /api/openapi.json).

Every schema here mirrors what the code really sends: `app/comments/serialize.py` for
comments and threads, `CommentError.as_json` for errors, and the limits of
`app/services/comments/rules.py` for request bodies. Nullable fields are `[type, "null"]`
(JSON Schema 2020-12, as OpenAPI 3.1 uses it). tests/test_comments_api.py checks real
responses against these schemas, and that every route under /api/ is described.
"""

from __future__ import annotations

from typing import Any

from app.services.comments.rules import CommentSettings
from app.services.comments.tokens import AUTHOR_COOKIE

LIMITS = CommentSettings()  # the length limits are fixed; only rates and links are settings
MAX_ID = 2**31 - 1  # ids are INTEGER columns: 32 bits on PostgreSQL
MAX_COUNT_URLS = 100  # keep equal to api_views.MAX_COUNT_URLS
JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` or null (`type: [x, "null"]`)."""
    return {**schema, "type": [schema["type"], "null"]}


def _datetime(description: str) -> dict[str, Any]:
    return {"type": "string", "format": "date-time",
            "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", "description": description}


# -- comments as serialize.comment_json writes them ------------------------------------------

_COMMENT_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    "parent_id": _nullable({
        "type": "integer", "minimum": 1, "maximum": MAX_ID,
        "description": "The comment this one is nested under, after the depth cap; null at "
                       "the top level.",
    }),
    "reply_to_id": _nullable({
        "type": "integer", "minimum": 1, "maximum": MAX_ID,
        "description": "The comment the author answered, as asked (before the depth cap). "
                       "Differs from parent_id when the reply was attached one level up.",
    }),
    "depth": {"type": "integer", "minimum": 0,
              "description": "0 at the top level; at most COMMENTS_MAX_DEPTH - 1."},
    "status": {
        "type": "string", "enum": ["published", "pending", "spam"],
        "description": "`pending`: awaiting moderation, shown only to its author. `spam` can "
                       "only be seen by the author editing a comment a moderator rejected.",
    },
    "deleted": {"type": "boolean",
                "description": "A deleted comment that still has replies: a marker with no "
                               "author, website or text."},
    "author": _nullable({"type": "string",
                         "description": "Display name (\"Anonymous\" by default); null when "
                                        "deleted."}),
    "website": _nullable({
        "type": "string", "format": "iri", "pattern": "^https?://",
        "description": "The author's http(s) address (https:// is added when no scheme was "
                       "given), an IRI: a Unicode host or path is kept as written; null when "
                       "absent or deleted.",
    }),
    "html": {"type": "string",
             "description": "The sanitized HTML of the text, rendered once when written. "
                            "Empty when deleted."},
    "avatar": _nullable({"type": "string", "contentMediaType": "image/svg+xml",
                         "description": "An inline SVG identicon drawn from a keyed hash "
                                        "(never from a plain hash of the email); null when "
                                        "deleted."}),
    "created_at": _datetime("When it was posted (UTC)."),
    "updated_at": _nullable(_datetime("When its author last edited it (UTC), or null.")),
    "own": {"type": "boolean",
            "description": f"True when the request's `{AUTHOR_COOKIE}` cookie names this "
                           "comment: the viewer wrote it."},
    "text": {"type": "string",
             "description": "The Markdown source; only in the author's own, not deleted "
                            "comments."},
    "editable_until": _datetime("End of the edit window; only in the author's own, not "
                                "deleted comments."),
}
_COMMENT_REQUIRED = ["id", "parent_id", "reply_to_id", "depth", "status", "deleted", "author",
                     "website", "html", "avatar", "created_at", "updated_at", "own"]

COMMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A comment. Never contains an email address or any hash of one.",
    "properties": _COMMENT_PROPERTIES,
    "required": _COMMENT_REQUIRED,
    "additionalProperties": False,
    "dependentRequired": {"text": ["editable_until"], "editable_until": ["text"]},
}

THREAD_COMMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A comment in a thread, with its replies (oldest first).",
    "properties": {**_COMMENT_PROPERTIES,
                   "replies": {"type": "array", "items": _ref("ThreadComment")}},
    "required": [*_COMMENT_REQUIRED, "replies"],
    "additionalProperties": False,
    "dependentRequired": {"text": ["editable_until"], "editable_until": ["text"]},
}

SCHEMAS: dict[str, Any] = {
    "Comment": COMMENT_SCHEMA,
    "ThreadComment": THREAD_COMMENT_SCHEMA,
    "Thread": {
        "type": "object",
        "description": "A post's thread: its published comments plus the viewer's own "
                       "pending ones, nested, oldest first at every level.",
        "properties": {
            "url": {"type": "string", "pattern": "^/", "description": "The post's URL path."},
            "closed": {"type": "boolean", "description": "True when new comments are refused."},
            "count": {"type": "integer", "minimum": 0,
                      "description": "Published, not deleted comments."},
            "form_token": {
                "type": "string", "minLength": 1,
                "description": "Signed and time-stamped; send it back with a new comment "
                               "(at least COMMENTS_MIN_FILL_SECONDS later, within 7 days).",
            },
            "page": {"type": "integer", "minimum": 1,
                     "description": "Which page of the thread this is (1: the oldest "
                                    "top-level comments)."},
            "pages": {"type": "integer", "minimum": 1,
                      "description": "How many pages the thread has (1 when empty)."},
            "per_page": {"type": "integer", "minimum": 1,
                         "description": "Top-level comments a page holds "
                                        "(COMMENTS_PER_PAGE), each with all its replies."},
            "comments": {"type": "array", "items": _ref("ThreadComment")},
        },
        "required": ["url", "closed", "count", "page", "pages", "per_page", "form_token",
                     "comments"],
        "additionalProperties": False,
    },
    "CommentResult": {
        "type": "object",
        "properties": {"comment": _ref("Comment")},
        "required": ["comment"],
        "additionalProperties": False,
    },
    "DeleteResult": {
        "type": "object",
        "properties": {
            "deleted": {"const": True},
            "comment": {
                "oneOf": [_ref("Comment"), {"type": "null"}],
                "description": "The deleted marker left when the comment has replies, "
                               "else null (it is gone).",
            },
        },
        "required": ["deleted", "comment"],
        "additionalProperties": False,
    },
    "Counts": {
        "type": "object",
        "properties": {
            "counts": {
                "type": "object",
                "description": "Each URL asked for, as given, to its number of published "
                               "comments (0 for a URL that is not a post).",
                "additionalProperties": {"type": "integer", "minimum": 0},
            },
        },
        "required": ["counts"],
        "additionalProperties": False,
    },
    "Preview": {
        "type": "object",
        "properties": {"html": {"type": "string",
                                "description": "The text rendered and sanitized exactly as "
                                               "it would be stored."}},
        "required": ["html"],
        "additionalProperties": False,
    },
    "Error": {
        "type": "object",
        "description": "Every error of the API.",
        "properties": {
            "error": {"type": "string", "description": "A message for people."},
            "code": {
                "type": "string",
                "description": "A stable code for programs, e.g. required, too_long, too_short, "
                               "type, url, email, invalid, bad_parent, honeypot, too_fast, "
                               "expired, too_many_links, bad_json, unsupported_media, "
                               "too_large, closed, not_found, forbidden, deleted, duplicate, "
                               "rate_limited, method_not_allowed.",
            },
            "field": {"type": "string",
                      "description": "The request field at fault, when there is one."},
        },
        "required": ["error", "code"],
        "additionalProperties": False,
    },
    # -- request bodies ----------------------------------------------------------------------
    "NewComment": {
        "type": "object",
        "description": "Fields are trimmed before the limits are checked; other keys are "
                       "ignored.",
        "properties": {
            "url": {"type": "string", "minLength": 1, "maxLength": 1024, "pattern": "^/",
                    "description": "The URL path of a published post."},
            "text": {"type": "string", "minLength": LIMITS.min_text,
                     "maxLength": LIMITS.max_text,
                     "description": "Markdown subset: emphasis, links, code, lists, quotes. "
                                    f"At most COMMENTS_MAX_LINKS links (default "
                                    f"{LIMITS.max_links}); raw HTML is shown as text."},
            "form_token": {"type": "string", "minLength": 1,
                           "description": "From GET /api/comments for the same post."},
            "parent_id": _nullable({"type": "integer", "minimum": 1, "maximum": MAX_ID,
                                    "description": "A published comment of the same post "
                                                   "to reply to."}),
            "author": _nullable({"type": "string", "maxLength": LIMITS.max_author,
                                 "description": "Defaults to \"Anonymous\"."}),
            "email": _nullable({"type": "string", "format": "email",
                                "maxLength": LIMITS.max_email,
                                "description": "Never shown or returned. Used for the "
                                               "avatar and, with `notify`, reply emails."}),
            "website": {
                "description": "An http or https address with a host. Without a scheme, "
                               "https:// is added, and the limit counts it.",
                "anyOf": [
                    {"type": "string", "maxLength": LIMITS.max_website,
                     "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#@\\s]"},
                    {"type": "string", "maxLength": LIMITS.max_website - len("https://")},
                    {"type": "null"},
                ],
            },
            "notify": {"type": "boolean",
                       "description": "Email me replies (needs an email)."},
            "subscribe": {"type": "boolean",
                          "description": "Email me about new comments on this post (needs an "
                                         "email): as POST /api/comments/subscriptions does, "
                                         "a confirmation link is mailed first."},
            "homepage": {"type": "string", "maxLength": 0,
                         "description": "Honeypot: must be absent or empty."},
        },
        "required": ["url", "text", "form_token"],
    },
    "NewSubscription": {
        "type": "object",
        "description": "Follow a post's thread by email. Other keys are ignored.",
        "properties": {
            "url": {"type": "string", "minLength": 1, "maxLength": 1024, "pattern": "^/",
                    "description": "The URL path of a published post."},
            "email": {"type": "string", "format": "email", "minLength": 3,
                      "maxLength": LIMITS.max_email,
                      "description": "Where the confirmation link, then the digests, go. "
                                     "Never shown or returned; deleted on unsubscribe."},
            "form_token": {"type": "string", "minLength": 1,
                           "description": "From GET /api/comments for the same post."},
            "homepage": {"type": "string", "maxLength": 0,
                         "description": "Honeypot: must be absent or empty."},
        },
        "required": ["url", "email", "form_token"],
    },
    "SubscriptionRequested": {
        "type": "object",
        "description": "The same answer whether or not the address already follows the "
                       "post: it reveals nothing about who does.",
        "properties": {
            "url": {"type": "string", "pattern": "^/", "description": "The post's URL path."},
            "status": {"const": "confirmation_sent"},
        },
        "required": ["url", "status"],
        "additionalProperties": False,
    },
    "EditComment": {
        "type": "object",
        "properties": {"text": {"type": "string", "minLength": LIMITS.min_text,
                                "maxLength": LIMITS.max_text}},
        "required": ["text"],
    },
    "PreviewRequest": {
        "type": "object",
        "properties": {"text": {"type": "string", "maxLength": LIMITS.max_text}},
        "required": ["text"],
    },
}

# -- responses --------------------------------------------------------------------------------


def _json(schema: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ref(schema)}}, **extra}


def _error(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


RESPONSES: dict[str, Any] = {
    "BadRequest": _json("Error", "A field breaks a rule; `field` names it (or the body is not "
                                 "a JSON object: code bad_json)."),
    "Forbidden": _json("Error", "Not allowed: the comment is not yours (no or wrong "
                                f"`{AUTHOR_COOKIE}` cookie), its edit window has passed, "
                                "the post is closed to comments, or (code foreign_origin) "
                                "a browser sent the write from another site's page."),
    "NotFound": _json("Error", "No such published post, no such comment, or no such page "
                               "of a thread."),
    "Conflict": _json("Error", "The same text was already posted here within the hour, or "
                               "the comment was deleted."),
    "TooLarge": _json("Error", f"The body is over {LIMITS.max_body} bytes."),
    "UnsupportedMedia": _json("Error", "The body is not sent as application/json."),
    "RateLimited": _json("Error", "Too many comments from this network (a /24 or /64) "
                                  "within COMMENTS_RATE_WINDOW seconds."),
}

_AUTHOR_COOKIE_SET = {
    "Set-Cookie": {
        "description": f"`{AUTHOR_COOKIE}`: the signed list of the comments this browser "
                       "wrote (HttpOnly, SameSite=Lax, 30 days). It lets the author see "
                       "the comment while it is held, and edit or delete it within the "
                       "edit window.",
        "schema": {"type": "string"},
    },
}

_POST_COMMENT_BODY = {
    "required": True,
    "content": {JSON: {"schema": _ref("NewComment")}},
}

PATHS: dict[str, Any] = {
    "/api/comments": {
        "get": {
            "operationId": "getThread",
            "summary": "A page of a post's thread",
            "description": "Published comments, plus the viewer's own held ones (marked "
                           "status pending), nested up to COMMENTS_MAX_DEPTH levels, oldest "
                           "first; a page holds COMMENTS_PER_PAGE top-level comments with all "
                           "their replies, as the post's page `?comments=N` shows them. `count` "
                           "counts the whole thread. Also a fresh form_token for posting.",
            "parameters": [{
                "name": "url", "in": "query", "required": True,
                "description": "The post's URL path (trailing slash optional).",
                "schema": {"type": "string"},
            }, {
                "name": "page", "in": "query", "required": False,
                "description": "The page of the thread (default 1); past the last one: 404.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            }, {
                "name": "comment", "in": "query", "required": False,
                "description": "A comment id: answer the page that shows it (overrides "
                               "`page`); 404 when this post shows no such comment.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            }],
            "security": [{}, {"authorCookie": []}],
            "responses": {
                "200": _json("Thread", "The thread.", headers={
                    "Cache-Control": {"schema": {"const": "private, no-store"}},
                }),
                "400": _error("BadRequest"),  # a query string that is not UTF-8 or holds NUL
                "404": _error("NotFound"),
            },
        },
        "post": {
            "operationId": "postComment",
            "summary": "Post a comment",
            "description": "Checks, in order: body size and type, honeypot, fields, the post, "
                           "form_token (signature, post, minimum fill time), closed post, "
                           "link count, parent, duplicate, then the per-network rate limit, "
                           "counted atomically with the insert. Moderation (COMMENTS_MODERATION "
                           "none / first / all) decides between 201 and 202; in every mode a "
                           "spam score over COMMENTS_SPAM_THRESHOLD (learned from the "
                           "moderator's decisions) holds it (202).",
            "requestBody": _POST_COMMENT_BODY,
            "security": [{}, {"authorCookie": []}],
            "responses": {
                "201": _json("CommentResult", "Published.", headers=_AUTHOR_COOKIE_SET),
                "202": _json("CommentResult", "Held for moderation: visible only to its "
                                              "author until approved.",
                             headers=_AUTHOR_COOKIE_SET),
                "400": _error("BadRequest"),
                "403": _error("Forbidden"),
                "404": _error("NotFound"),
                "409": _error("Conflict"),
                "413": _error("TooLarge"),
                "415": _error("UnsupportedMedia"),
                "429": _error("RateLimited"),
            },
        },
    },
    "/api/comments/{comment_id}": {
        "parameters": [{
            "name": "comment_id", "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
        }],
        "patch": {
            "operationId": "editComment",
            "summary": "Edit your own comment",
            "description": "Only with the author cookie, within COMMENTS_EDIT_WINDOW seconds "
                           "of posting.",
            "requestBody": {"required": True,
                            "content": {JSON: {"schema": _ref("EditComment")}}},
            "security": [{"authorCookie": []}],
            "responses": {
                "200": _json("CommentResult", "Edited."),
                "400": _error("BadRequest"),
                "403": _error("Forbidden"),
                "404": _error("NotFound"),
                "409": _error("Conflict"),
                "413": _error("TooLarge"),
                "415": _error("UnsupportedMedia"),
            },
        },
        "delete": {
            "operationId": "deleteComment",
            "summary": "Delete your own comment",
            "description": "Only with the author cookie, within the edit window. A comment "
                           "with replies stays as a deleted marker so the thread keeps its "
                           "shape.",
            "security": [{"authorCookie": []}],
            "responses": {
                "200": _json("DeleteResult", "Deleted."),
                "403": _error("Forbidden"),
                "404": _error("NotFound"),
                "409": _error("Conflict"),
            },
        },
    },
    "/api/comments/subscriptions": {
        "post": {
            "operationId": "subscribeToThread",
            "summary": "Email me about new comments on this post",
            "description": "Double opt-in: `flask comments notify` mails a confirmation link, "
                           "and nothing else is sent to the address before it is followed "
                           "(at most 3 unconfirmed requests a day per address). Then one "
                           "digest per post per COMMENTS_DIGEST_MINUTES lists the new "
                           "published comments by others; each mail has a one-click "
                           "unsubscribe link (List-Unsubscribe-Post). Checks, in order: body "
                           "size and type, honeypot, fields, the post, form_token, closed "
                           "post, then the per-network rate limit of comments.",
            "requestBody": {"required": True,
                            "content": {JSON: {"schema": _ref("NewSubscription")}}},
            "responses": {
                "202": _json("SubscriptionRequested", "Asked: a confirmation link is on its "
                                                      "way, unless already subscribed."),
                "400": _error("BadRequest"),
                "403": _error("Forbidden"),
                "404": _error("NotFound"),
                "413": _error("TooLarge"),
                "415": _error("UnsupportedMedia"),
                "429": _error("RateLimited"),
            },
        },
    },
    "/api/comments/counts": {
        "get": {
            "operationId": "getCounts",
            "summary": "Comment counts for several posts",
            "parameters": [{
                "name": "url", "in": "query", "required": False, "style": "form",
                "explode": True,
                "description": f"Post URL paths, repeated (`?url=/a/&url=/b/`); only the "
                               f"first {MAX_COUNT_URLS} are counted.",
                "schema": {"type": "array", "items": {"type": "string"}},
            }],
            "responses": {"200": _json("Counts", "The counts."),
                          "400": _error("BadRequest")},  # a query string not UTF-8, or NUL
        },
    },
    "/api/comments/preview": {
        "post": {
            "operationId": "previewComment",
            "summary": "Render comment Markdown as it would be stored",
            "requestBody": {"required": True,
                            "content": {JSON: {"schema": _ref("PreviewRequest")}}},
            "responses": {
                "200": _json("Preview", "The sanitized HTML."),
                "400": _error("BadRequest"),
                "403": _error("Forbidden"),
                "413": _error("TooLarge"),
                "415": _error("UnsupportedMedia"),
            },
        },
    },
    "/api/openapi.json": {
        "get": {
            "operationId": "getOpenAPI",
            "summary": "This document",
            "responses": {
                "200": {"description": "The OpenAPI 3.1 document.",
                        "content": {JSON: {"schema": {"type": "object"}}}},
            },
        },
    },
}

# -- views and likes (app/comments/stats_views.py) -------------------------------------------

SCHEMAS.update({
    "Stats": {
        "type": "object",
        "properties": {
            "stats": {
                "type": "object",
                "description": "Each URL asked for that is a published post, as given, to its "
                               "counts: `views` where the post shows views (showViews), "
                               "`likes` where it shows likes (showLikes).",
                "additionalProperties": {
                    "type": "object",
                    "properties": {"views": {"type": "integer", "minimum": 0},
                                   "likes": {"type": "integer", "minimum": 0}},
                    "additionalProperties": False,
                },
            },
        },
        "required": ["stats"],
        "additionalProperties": False,
    },
    "ViewResult": {
        "type": "object",
        "properties": {
            "counted": {"type": "boolean",
                        "description": "False for a bot, a reader already counted on this "
                                       "post today, or a post that shows no views."},
            "views": {"type": "integer", "minimum": 0},
        },
        "required": ["counted", "views"],
        "additionalProperties": False,
    },
    "LikeResult": {
        "type": "object",
        "properties": {
            "liked": {"type": "boolean",
                      "description": "Whether this browser now likes the post."},
            "likes": {"type": "integer", "minimum": 0},
        },
        "required": ["liked", "likes"],
        "additionalProperties": False,
    },
    "ViewRequest": {
        "type": "object",
        "properties": {"url": {"type": "string", "description": "The post's URL path."}},
        "required": ["url"],
    },
    "LikeRequest": {
        "type": "object",
        "properties": {
            "url": {"type": "string", "description": "The post's URL path."},
            "token": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$",
                      "description": "This browser's random token (kept in its "
                                     "localStorage): a second like with it undoes the first."},
        },
        "required": ["url", "token"],
    },
})

RESPONSES["TooManyCounts"] = _json("Error", "Too many views or likes from this network "
                                            "(a /24 or /64) within STATS_VIEW_RATE_WINDOW "
                                            "or STATS_LIKE_RATE_WINDOW seconds.")

_STATS_WRITE_ERRORS = {
    "400": _error("BadRequest"),
    "403": _error("Forbidden"),
    "404": _error("NotFound"),
    "413": _error("TooLarge"),
    "415": _error("UnsupportedMedia"),
    "429": _error("TooManyCounts"),
}

PATHS.update({
    "/api/stats": {
        "get": {
            "operationId": "getStats",
            "summary": "Views and likes of several posts",
            "parameters": [{
                "name": "url", "in": "query", "required": False, "style": "form",
                "explode": True,
                "description": "Post URL paths, repeated (`?url=/a/&url=/b/`); only the "
                               "first 100 are read.",
                "schema": {"type": "array", "items": {"type": "string"}},
            }],
            "responses": {
                "200": _json("Stats", "The counts.", headers={
                    "Cache-Control": {"schema": {"const": "private, no-store"}},
                }),
                "400": _error("BadRequest"),  # a query string not UTF-8, or NUL
            },
        },
    },
    "/api/views": {
        "post": {
            "operationId": "countView",
            "summary": "Count a view of a post",
            "description": "Once per reader (network, User-Agent) and post and day, with no "
                           "cookie and nothing personal kept; never for a User-Agent that "
                           "announces a bot.",
            "requestBody": {"required": True,
                            "content": {JSON: {"schema": _ref("ViewRequest")}}},
            "responses": {"200": _json("ViewResult", "The post's views."),
                          **_STATS_WRITE_ERRORS},
        },
    },
    "/api/likes": {
        "post": {
            "operationId": "toggleLike",
            "summary": "Like a post, or undo this browser's like",
            "requestBody": {"required": True,
                            "content": {JSON: {"schema": _ref("LikeRequest")}}},
            "responses": {"200": _json("LikeResult", "The post's likes."),
                          **_STATS_WRITE_ERRORS},
        },
    },
})

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
    "info": {
        "title": "Blog comments API",
        "version": "1.0.0",
        "description": "Threads of comments on the blog's posts. Same-origin: the blog's own "
                       "pages call it. Errors are always JSON: "
                       "`{\"error\": message, \"code\": code, \"field\": field?}`.",
    },
    "servers": [{"url": "/"}],
    "tags": [{"name": "comments"}],
    "paths": {path: {name: ({**op, "tags": ["comments"]} if isinstance(op, dict)
                            and "responses" in op else op)
                     for name, op in item.items()}
              for path, item in PATHS.items()},
    "components": {
        "schemas": SCHEMAS,
        "responses": RESPONSES,
        "securitySchemes": {
            "authorCookie": {
                "type": "apiKey", "in": "cookie", "name": AUTHOR_COOKIE,
                "description": "Set by a successful POST /api/comments (or the HTML form). "
                               "Signed by the server; there are no accounts.",
            },
        },
    },
}
