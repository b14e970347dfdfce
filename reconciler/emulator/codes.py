"""Every error code the emulator answers, in one table.

Codes are shared by both API families (v1 puts them in ``errorCode``, v4 in
``ErrorCode``); the UserSig codes live in :mod:`reconciler.emulator.sigverify`.
Note that 70001 means "UserSig expired" for a signature problem but "callback
address must start with http or https" for a v1 body problem, as in the docs.
"""

from __future__ import annotations

from typing import Final

OK: Final = 0

# v1 (callkit) private codes
V1_CONFIG_MISSING: Final = 999  # v1 update when nothing is configured
V1_GROUP_CALL_REQUIRED: Final = 50001  # app has no TUICallKit Group Call package
V1_BAD_ADDRESS: Final = 70001  # v1 address not http(s)

# Chat REST common codes
BAD_JSON: Final = 60003  # request body empty, not JSON, or not an object
BAD_SDKAPPID: Final = 60006  # sdkappid is not an integer
BAD_PATH: Final = 60009  # unknown path or not POST
NOT_ADMIN: Final = 60010  # identifier is not an App administrator
RATE_LIMITED: Final = 60011  # per-app, per-family request rate exceeded
SDKAPPID_MISSING: Final = 60012  # sdkappid missing from the query
BAD_URL_PARAMS: Final = 60025  # identifier / usersig / random / contenttype missing or bad
UNKNOWN_SDKAPPID: Final = 70020  # no such app
INTERNAL_ERROR: Final = 70500  # a bug in the emulator (never on purpose)

# config API (v4) private codes; 100001 and 100002 are also used by v1
SERVER_ERROR: Final = 100001  # transient internal error, retry
INVALID_PARAMETER: Final = 100002  # bad Url / command word / token field
CONFIG_EXISTS: Final = 100300  # live/room set_callback when a config exists
CONFIG_MISSING: Final = 100301  # get/update when nothing is configured
TOKEN_MISSING: Final = 100302  # get_callback_token when no token is configured

BAD_GATEWAY_STATUS: Final = 502  # the HTTP status of an injected gateway fault

V1_SUCCESS_MESSAGE: Final = "Success"
V4_SUCCESS_INFO: Final = ""
