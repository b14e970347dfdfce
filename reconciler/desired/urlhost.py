"""The host a callback URL names, as Python reads it and as a WHATWG parser does.

Python (``urllib.parse``, httpx) and the WHATWG URL Standard (browsers, Node, most
HTTP clients outside Python) do not always agree on where the host of a URL is.
``https://evil.example.org\\@shop.hooks.example.com/x`` is host
``shop.hooks.example.com`` to Python but ``evil.example.org`` to WHATWG, which reads
the backslash as a slash. A check made with one parser (``allowed_hosts``) must not
pass a URL that the caller reads with the other, so such URLs are refused, and the
host that is compared is the WHATWG one: the host Tencent will call.

The WHATWG side is ada (``ada-url``), a parser that follows the standard.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ada_url import URL


def whatwg_host(url: str) -> str | None:
    """The host a WHATWG parser reads from ``url`` (lower case, IPv6 without brackets),
    or None when it does not parse."""
    try:
        host: str = URL(url).hostname
    except ValueError:
        return None
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def python_host(url: str) -> str | None:
    """The host Python's ``urllib.parse`` reads from ``url`` (lower case), or None."""
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def host_mismatch(url: str) -> str | None:
    """Why the two parsers disagree about ``url`` (a message to finish), or None."""
    if "\\" in url:
        return (
            "contains a backslash, which browsers and Node read as '/' (and Python does "
            "not), so the host it names depends on who reads it: write '/' (or %5C in a "
            "path)"
        )
    python, whatwg = python_host(url), whatwg_host(url)
    if python is not None and whatwg is None:
        return (
            f"names host {python!r} to Python, but a WHATWG parser (what Tencent and "
            "browsers use) reads no URL from it: write a plain host name or a valid address"
        )
    if python is not None and whatwg is not None and python.lower() != whatwg.lower():
        return (
            f"names host {python!r} to Python but {whatwg!r} to a WHATWG parser (what "
            "Tencent and browsers use): write the host plainly, without encoded, numeric "
            "or '@' tricks"
        )
    return None
