"""UserSigs never reach a user or a log."""

from __future__ import annotations

import logging

import pytest

from reconciler.api.redact import RedactUserSigFilter, install_log_redaction, redact

SIG = "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkElNyM-Myi0uKEkvyi2BKilOyEwsK*x_"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"https://h/v4/x?sdkappid=1&usersig={SIG}&random=5",
            "https://h/v4/x?sdkappid=1&usersig=(sensitive)&random=5",
        ),
        (f"POST /v1/callback/get?usersig={SIG}", "POST /v1/callback/get?usersig=(sensitive)"),
        (f"UserSig={SIG} and USERSIG={SIG}", "UserSig=(sensitive) and USERSIG=(sensitive)"),
        (f"'usersig={SIG}' \"usersig={SIG}\"", "'usersig=(sensitive)' \"usersig=(sensitive)\""),
        (f"<a href=?usersig={SIG}>", "<a href=?usersig=(sensitive)>"),
        ("no sig here, usersig= alone", "no sig here, usersig= alone"),
        ("", ""),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_filter_rewrites_formatted_records() -> None:
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "HTTP Request: %s %s", ("POST", f"?usersig={SIG}"), None
    )
    assert RedactUserSigFilter().filter(record) is True
    assert record.getMessage() == "HTTP Request: POST ?usersig=(sensitive)"
    assert SIG not in record.getMessage()


def test_filter_leaves_clean_records_alone() -> None:
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "n=%d", (3,), None)
    assert RedactUserSigFilter().filter(record) is True
    assert (record.msg, record.args) == ("n=%d", (3,))


def test_install_is_idempotent_and_covers_httpx_loggers(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    install_log_redaction()
    for name in ("httpx", "httpcore"):
        filters = logging.getLogger(name).filters
        assert sum(isinstance(f, RedactUserSigFilter) for f in filters) == 1
    with caplog.at_level(logging.INFO, logger="httpx"):
        logging.getLogger("httpx").info("HTTP Request: POST %s", f"https://h/?usersig={SIG}&a=1")
    assert SIG not in caplog.text
    assert "usersig=(sensitive)&a=1" in caplog.text
