"""Reference data shipped with the package: business systems and Liaocheng's agencies."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from typing import Any

import pytest

from app.states.codes import AgencyKind, AgencyLevel

SEED = files("app.db") / "seed_data"

# SPEC 2.1: 聊城市 and its eight county-level divisions.
REGION_CODES = {
    "371500",
    "371502",
    "371503",
    "371521",
    "371522",
    "371524",
    "371525",
    "371526",
    "371581",
}

# SPEC 2.2's list, with the labels it gives.
SPEC_BUSINESS_SYSTEMS = {
    "natural_resources": "自然资源和规划",
    "human_resources_social_security": "人力资源和社会保障",
    "market_regulation": "市场监督管理",
    "public_security": "公安",
    "housing_construction": "住房和城乡建设",
    "urban_management": "城市管理和综合执法",
    "ecology_environment": "生态环境",
    "transport": "交通运输",
    "education_sports": "教育和体育",
    "health": "卫生健康",
    "agriculture_rural": "农业农村",
    "civil_affairs": "民政",
    "emergency_management": "应急管理",
    "administrative_approval": "行政审批服务",
    "medical_security": "医疗保障",
    "taxation": "税务",
    "water_resources": "水利",
    "culture_tourism": "文化和旅游",
    "finance": "财政",
    "other": "其他",
}

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
SLUG = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
AGENCY_FIELDS = {"key", "name", "short_name", "kind", "level", "region_code", "business_system"}


def _load(name: str) -> Any:
    return json.loads((SEED / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def business_systems() -> list[dict[str, Any]]:
    data = _load("business_systems.json")
    assert isinstance(data, list)
    return data


@pytest.fixture(scope="module")
def agencies() -> list[dict[str, Any]]:
    data = _load("agencies.json")
    assert isinstance(data, list)
    return data


def test_business_systems_shape(business_systems: list[dict[str, Any]]) -> None:
    assert business_systems
    for item in business_systems:
        assert set(item) == {"code", "label_zh", "sort_order"}
        assert SNAKE_CASE.fullmatch(item["code"]), item
        assert item["code"].isascii()
        assert isinstance(item["label_zh"], str)
        assert item["label_zh"].strip()
        assert type(item["sort_order"]) is int


def test_business_systems_unique_and_ordered(business_systems: list[dict[str, Any]]) -> None:
    codes = [item["code"] for item in business_systems]
    labels = [item["label_zh"] for item in business_systems]
    orders = [item["sort_order"] for item in business_systems]
    assert len(codes) == len(set(codes))
    assert len(labels) == len(set(labels))
    assert orders == sorted(orders)
    assert len(orders) == len(set(orders))
    assert codes[-1] == "other"


def test_every_spec_business_system_is_seeded(business_systems: list[dict[str, Any]]) -> None:
    seeded = {item["code"]: item["label_zh"] for item in business_systems}
    for code, label in SPEC_BUSINESS_SYSTEMS.items():
        assert code in seeded, code
        assert seeded[code] == label, code


def test_agencies_shape(agencies: list[dict[str, Any]]) -> None:
    assert agencies
    kinds = {k.value for k in AgencyKind}
    levels = {lv.value for lv in AgencyLevel}
    for agency in agencies:
        assert set(agency) == AGENCY_FIELDS, agency
        assert SLUG.fullmatch(agency["key"]), agency["key"]
        assert agency["name"].strip()
        assert agency["short_name"].strip()
        assert agency["kind"] in kinds, agency
        assert agency["level"] in levels, agency
        assert "credit_code" not in agency


def test_agency_keys_and_names_unique(agencies: list[dict[str, Any]]) -> None:
    for field in ("key", "name", "short_name"):
        values = [agency[field] for agency in agencies]
        assert len(values) == len(set(values)), field


def test_agency_business_systems_exist(
    agencies: list[dict[str, Any]], business_systems: list[dict[str, Any]]
) -> None:
    codes = {item["code"] for item in business_systems}
    missing = {
        a["key"]: a["business_system"] for a in agencies if a["business_system"] not in codes
    }
    assert not missing


def test_agency_region_codes(agencies: list[dict[str, Any]]) -> None:
    for agency in agencies:
        assert agency["region_code"] in REGION_CODES, agency
        if agency["level"] in {"city", "zone"}:
            assert agency["region_code"] == "371500", agency
        else:
            assert agency["region_code"] != "371500", agency


def test_zones(agencies: list[dict[str, Any]]) -> None:
    zones = [a for a in agencies if a["level"] == "zone"]
    assert {z["name"] for z in zones} == {
        "聊城经济技术开发区管理委员会",
        "聊城高新技术产业开发区管理委员会",
        "江北水城旅游度假区管理委员会",
    }
    for zone in zones:
        assert zone["region_code"] == "371500"
        assert zone["kind"] == "administrative_organ"


def test_every_county_has_a_government_and_a_justice_bureau(
    agencies: list[dict[str, Any]],
) -> None:
    for region in REGION_CODES - {"371500"}:
        here = [a for a in agencies if a["region_code"] == region]
        assert [a["kind"] for a in here].count("administrative_organ") == 1, region
        assert [a["kind"] for a in here].count("judicial_bureau") == 1, region
        assert all(a["level"] == "county" for a in here), region


def test_city_justice_bureau_and_reconciliation_center(agencies: list[dict[str, Any]]) -> None:
    by_name = {a["name"]: a for a in agencies}
    assert by_name["聊城市司法局"]["kind"] == "judicial_bureau"
    assert by_name["聊城市司法局"]["level"] == "city"
    center = by_name["聊城市行政争议审前和解中心"]
    assert center["kind"] == "reconciliation_center"
    assert [a["kind"] for a in agencies].count("reconciliation_center") == 1


def test_named_city_departments_present(agencies: list[dict[str, Any]]) -> None:
    organs = {
        a["name"] for a in agencies if a["kind"] == "administrative_organ" and a["level"] == "city"
    }
    for name in (
        "聊城市自然资源和规划局",
        "聊城市人力资源和社会保障局",
        "聊城市市场监督管理局",
        "聊城市公安局",
        "聊城市住房和城乡建设局",
        "聊城市城市管理局",
        "聊城市生态环境局",
        "聊城市交通运输局",
        "聊城市教育和体育局",
        "聊城市卫生健康委员会",
        "聊城市农业农村局",
        "聊城市民政局",
        "聊城市应急管理局",
        "聊城市行政审批服务局",
        "聊城市医疗保障局",
        "国家税务总局聊城市税务局",
        "聊城市水利局",
        "聊城市文化和旅游局",
        "聊城市财政局",
    ):
        assert name in organs, name


def test_spec_business_systems_each_have_a_city_department(
    agencies: list[dict[str, Any]],
) -> None:
    """Every line system SPEC names (except ``other``) has a city department to dispatch from."""
    used = {a["business_system"] for a in agencies if a["level"] == "city"}
    assert set(SPEC_BUSINESS_SYSTEMS) - {"other"} <= used
