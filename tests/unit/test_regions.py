"""Every region's real hosts, v4 and v1, pinned exactly (docs/tencent-api.md sections 1, 5, 9, 10).

A table of all 8 regions × both API families: swapping two hosts (say korea and
japan) or changing one fails here, through the facts, the endpoint resolver and
the request the client actually sends.
"""

from __future__ import annotations

import pytest

from reconciler.api.client import AppTarget, TencentClient
from reconciler.api.endpoint import Endpoints
from reconciler.facts.families import Family
from reconciler.facts.regions import REGIONS, V4_HOSTS, host_for
from reconciler.secret import Secret
from tests.api.scripted import Scripted, v1, v4

V1_CN = "callkit.trtc.tencent-cloud.com"
V1_INTL = "callkit-intl.trtc.tencent-cloud.com"

HOSTS: dict[str, tuple[str, str]] = {  # region: (v4 Chat REST domain, v1 callkit host)
    "china": ("console.tim.qq.com", V1_CN),
    "singapore": ("adminapisgp.im.qcloud.com", V1_INTL),
    "korea": ("adminapikr.im.qcloud.com", V1_INTL),
    "germany": ("adminapiger.im.qcloud.com", V1_INTL),
    "india": ("adminapiind.im.qcloud.com", V1_INTL),
    "usa": ("adminapiusa.im.qcloud.com", V1_INTL),
    "indonesia": ("adminapiidn.im.qcloud.com", V1_INTL),
    "japan": ("adminapijpn.im.qcloud.com", V1_INTL),
}

TABLE = [
    (region, family, hosts[0] if family is Family.V4 else hosts[1])
    for region, hosts in HOSTS.items()
    for family in (Family.V4, Family.V1)
]


def test_the_table_covers_every_region_and_nothing_else() -> None:
    assert tuple(HOSTS) == REGIONS  # same regions, same order (the CLI's choices)
    assert {region: hosts[0] for region, hosts in HOSTS.items()} == V4_HOSTS
    assert len(TABLE) == 16


@pytest.mark.parametrize(("region", "family", "host"), TABLE)
def test_host_for_every_region_and_family(region: str, family: Family, host: str) -> None:
    assert host_for(region, family) == host
    assert Endpoints().base_url(region, family) == f"https://{host}"


@pytest.mark.parametrize(("region", "family", "host"), TABLE)
async def test_the_client_sends_to_the_region_host(region: str, family: Family, host: str) -> None:
    script = Scripted(v4() if family is Family.V4 else v1())
    target = AppTarget(1400000001, region, "administrator", Secret("k"))
    async with TencentClient(transport=script.transport) as client:
        await client.call(target, family, "x/y", {})
    (request,) = script.requests
    assert (request.url.scheme, request.url.host) == ("https", host)


def test_unknown_region_has_no_host() -> None:
    with pytest.raises(KeyError):
        host_for("mars", Family.V4)
