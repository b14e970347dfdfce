"""Regions and their hosts (docs/tencent-api.md section 5 for v4 Chat domains, section 1 for v1)."""

from __future__ import annotations

from reconciler.facts.families import Family

V4_HOSTS: dict[str, str] = {
    "china": "console.tim.qq.com",
    "singapore": "adminapisgp.im.qcloud.com",
    "korea": "adminapikr.im.qcloud.com",
    "germany": "adminapiger.im.qcloud.com",
    "india": "adminapiind.im.qcloud.com",
    "usa": "adminapiusa.im.qcloud.com",
    "indonesia": "adminapiidn.im.qcloud.com",
    "japan": "adminapijpn.im.qcloud.com",
}

UNDOCUMENTED_HOSTS: dict[str, str] = {
    "india": "Mumbai",
    "japan": "Tokyo",
}
"""Regions whose v4 host Tencent's current REST docs do not give (docs/tencent-api.md section 10
item 7): the Chat REST domain pages (cloud.tencent.com 269/81906, 1047/34620) drop
Mumbai and list no Tokyo host. Kept, with a validation warning."""
UNDOCUMENTED_HOSTS_SOURCES = "cloud.tencent.com 269/81906 and 1047/34620"

V1_CHINA_HOST = "callkit.trtc.tencent-cloud.com"
V1_INTL_HOST = "callkit-intl.trtc.tencent-cloud.com"

REGIONS: tuple[str, ...] = tuple(V4_HOSTS)

REGION_ALIASES: dict[str, str] = {
    # Tencent Cloud region ids, as the console, API 3.0 and Terraform write them
    "ap-guangzhou": "china",
    "ap-shanghai": "china",
    "ap-beijing": "china",
    "ap-nanjing": "china",
    "ap-chengdu": "china",
    "ap-chongqing": "china",
    "ap-singapore": "singapore",
    "ap-seoul": "korea",
    "eu-frankfurt": "germany",
    "ap-mumbai": "india",
    "na-siliconvalley": "usa",
    "ap-jakarta": "indonesia",
    "ap-tokyo": "japan",
    # the data-center names of the Chat pages (269/81906, 1047/34620)
    "mainland": "china",
    "chinese-mainland": "china",
    "guangzhou": "china",
    "shanghai": "china",
    "beijing": "china",
    "seoul": "korea",
    "frankfurt": "germany",
    "mumbai": "india",
    "siliconvalley": "usa",
    "silicon-valley": "usa",
    "jakarta": "indonesia",
    "tokyo": "japan",
}
"""Region names as Tencent writes them → the canonical name (a key of :data:`V4_HOSTS`).
Accepted wherever a region is written; output always shows the canonical name."""

REGION_NAMES: tuple[str, ...] = (*REGIONS, *REGION_ALIASES)
"""Every accepted spelling: the canonical names, then the aliases."""


def canonical_region(name: str) -> str | None:
    """The canonical region for ``name`` (canonical, or an alias, written exactly), or None."""
    if name in V4_HOSTS:
        return name
    return REGION_ALIASES.get(name)


def host_for(region: str, family: Family) -> str:
    """The real Tencent host serving ``family`` for an app homed in ``region``."""
    if region not in V4_HOSTS:
        raise KeyError(region)
    if family is Family.V1:
        return V1_CHINA_HOST if region == "china" else V1_INTL_HOST
    return V4_HOSTS[region]
