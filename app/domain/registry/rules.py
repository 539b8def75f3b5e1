"""Registry rules that need no database."""

from __future__ import annotations

# GB/T 2260 codes of Liaocheng and its county-level divisions (SPEC 2.1). The three city
# zones carry the city's code with level ``zone``. 茌平 was 371523 before it became a
# district (371503); agencies are registered under the current code.
LIAOCHENG_REGION_CODES: dict[str, str] = {
    "371500": "聊城市",
    "371502": "东昌府区",
    "371503": "茌平区",
    "371521": "阳谷县",
    "371522": "莘县",
    "371524": "东阿县",
    "371525": "冠县",
    "371526": "高唐县",
    "371581": "临清市",
}


def region_fits_level(region_code: str, level: str) -> bool:
    """City agencies and zones sit at the city's code; county agencies at a county's."""
    if level in ("city", "zone"):
        return region_code == "371500"
    return region_code != "371500"
