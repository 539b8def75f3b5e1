"""What the OpenAPI document tells a tester beyond the schemas.

- Tags in the order of a case's life, each with a zh-CN and English paragraph and the
  article of the measures (measures-zh.txt) the step serves. Swagger UI and ReDoc show the
  operations grouped and ordered by these tags.
- ``x-roles`` on every operation guarded by ``require_roles``: who may call it.
- Every enum schema lists its codes with their zh-CN labels, generated from the enums.

- The request examples of ``app.api.examples``, with ``x-prerequisites``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.api import examples
from app.clock import today_shanghai
from app.states.catalogue import ENUMS

TAGS: list[dict[str, str]] = [
    {
        "name": "reference",
        "description": (
            "参考数据：业务系统与全部枚举的中文名称，供前端和测试人员查阅。"
            "Reference data: business systems and every enum with its zh-CN label, for "
            "front ends and testers. Serves Art. 10 (business systems, 本业务系统)."
        ),
    },
    {
        "name": "policy",
        "description": (
            "政策版本：人才库名额、期限预警、委派响应时限等数值规则及其生效期间。"
            "Policy versions: the numeric rules (pool quota, deadline warning, offer response "
            "time) and when they apply. Serves Art. 10 (1–2 mediators per system) and Art. 20 "
            "(the measures are in force 2022-02-01 to 2027-01-31)."
        ),
    },
    {
        "name": "registry",
        "description": (
            "登记：单位与公职律师（证书、专业领域、请假）。"
            "Registry: agencies and public lawyers (certificate, specialties, leave). Serves "
            "Art. 2 (who is a public lawyer) and Art. 4 (the judicial bureau supervises, the "
            "agency manages)."
        ),
    },
    {
        "name": "pool",
        "description": (
            "和解调解员人才库：各单位每年遴选、和解中心审核、合规统计与续任。"
            "Mediator pool: each agency nominates its public lawyers every year, the center "
            "approves them; compliance report and renewals. Serves Art. 10."
        ),
    },
    {
        "name": "cases",
        "description": (
            "受理：登记行政争议（身份证号、统一社会信用代码校验，法定期限计算，疑似重复提示），"
            "更正与时间线。"
            "Intake: take in an administrative dispute (validated identities and credit "
            "codes, statutory deadlines, possible duplicates), corrections and the timeline. "
            "Serves Art. 7 (complaints, petitions, letters reach the lawyers)."
        ),
    },
    {
        "name": "classification",
        "description": (
            "分类：判断是否构成行政争议的四项条件，并按引导顺序推荐化解渠道；提供关键词建议。"
            "Classification: whether the four conditions of an administrative dispute are met, "
            "and the recommended channel in the order of preference; a keyword-based "
            "suggestion helps. Serves Art. 5 and Art. 8."
        ),
    },
    {
        "name": "dispatch",
        "description": (
            "委派：可委派律师的排序与理由、委派、接受或拒绝、工作冲突由所在单位负责人处理。"
            "Dispatch: the ranked eligible lawyers with the reasons, the offer, acceptance or "
            "refusal, and the agency head's ruling on a work conflict. Serves Art. 9 and "
            "Art. 10 (the center dispatches from the pool)."
        ),
    },
    {
        "name": "outcomes",
        "description": (
            "结果：化解结果、协议履行、满意度回访、典型案例推荐与重新启动。"
            "Outcomes: how the case ended, performance of the agreement, the applicant's "
            "satisfaction, nomination as a typical case, reopening. Serves Art. 15 (the work "
            "record), Art. 18 (typical cases) and Art. 19 (yearly evaluation)."
        ),
    },
    {
        "name": "typical-cases",
        "description": (
            "典型案例：推荐的已化解案件经司法行政机关评选、发布，发布内容已去除个人信息。"
            "Typical cases: resolved cases nominated with a de-identified summary, selected "
            "and published by the judicial bureau; the published list carries no personal "
            "data. Serves Art. 18."
        ),
    },
    {
        "name": "evaluations",
        "description": (
            "评选表彰：市、县政府每年评选公职律师参与行政纠纷化解工作先进单位、先进个人；"
            "表彰公开可查。"
            "Evaluations: the city and county governments' yearly selection of advanced units "
            "and advanced individuals; every honour is public. Serves Art. 19."
        ),
    },
    {
        "name": "activities",
        "description": (
            "履职活动：公职律师在本单位及参加研讨、培训、普法、研究等工作的记录，律师自报、"
            "单位确认或退回。"
            "Activities: what public lawyers do outside dispatched cases (advice, legality "
            "review, consultations, mediation, seminars, training, law promotion, research), "
            "recorded by the lawyer and confirmed or returned by their agency, or recorded "
            "and confirmed at once by the agency or the center. Serves Art. 7, 13, 14 and 17; "
            "the work archive (Art. 15) and the evaluation (Art. 19) count confirmed ones."
        ),
    },
    {
        "name": "archive",
        "description": (
            "工作档案：公职律师年度履职情况，由记录即时计算，可导出 Excel，"
            "作为考核、表彰、晋升的依据。"
            "Work archive: a public lawyer's year computed from the records (pool, offers, "
            "cases and outcomes, confirmed activities, honours) with the lists behind every "
            "figure, also as an Excel workbook; the reference for annual assessment, "
            "recognition and promotion. Serves Art. 15 and Art. 19."
        ),
    },
    {
        "name": "events",
        "description": (
            "事件：每一项其他系统可能据以行动的变更都是一条事件，按提交顺序逐条读取。"
            "Events: every change another system may act on, read once each in commit order "
            "by following `next_cursor`. Serves Art. 11 (platform support: the center's "
            "dispatch system follows the work)."
        ),
    },
    {
        "name": "webhooks",
        "description": (
            "推送：按 Standard Webhooks 签名推送事件，至少一次，失败重试。"
            "Webhooks: events pushed to the center's systems, signed per Standard Webhooks, "
            "at least once with retries. Serves Art. 11."
        ),
    },
    {
        "name": "calendar",
        "description": (
            "工作日历：国务院公布的节假日与调休上班日，法定期限据此计算；新年度通知由管理员载入。"
            "Calendar: the State Council's holidays and make-up working days, on which the "
            "statutory deadlines are counted; an admin loads each new year's notice. Serves "
            "Art. 7 (remedy deadlines explained to applicants)."
        ),
    },
    {
        "name": "statistics",
        "description": (
            "统计：案件、化解结果、公职律师履职与人才库的统计，可导出 Excel/CSV；可读只读副本。"
            "Statistics for the judicial bureau and the government: cases, outcomes, the "
            "lawyers' work and the pool, as JSON or exported to Excel/CSV; read from the "
            "replica when there is one. Serves Art. 13–19 (evaluation and recognition)."
        ),
    },
    {
        "name": "audit",
        "description": (
            "审计：每一次写操作与拒绝都有记录，以 HMAC-SHA256 密钥链接，可校验。"
            "Audit: every write and every refusal is recorded, chained by HMAC-SHA256 under "
            "the audit key and verifiable. Serves Art. 4 (the judicial bureau supervises) "
            "and Art. 15."
        ),
    },
    {
        "name": "api keys",
        "description": (
            "API 密钥：供机器客户端（如信访系统、和解中心委派系统）使用，只显示一次。"
            "API keys for machine clients (the petition system, the center's dispatch "
            "system), shown once. Serves Art. 11 (platform support for the work)."
        ),
    },
    {
        "name": "operations",
        "description": (
            "运维：存活、就绪与指标。"
            "Operations: liveness, readiness and metrics for the people who run the service. "
            "Serves Art. 11 (platform support)."
        ),
    },
]


def roles_of(route: APIRoute) -> list[str] | None:
    """The roles ``require_roles`` lets through on this route (``None``: not guarded so)."""

    def walk(dependant: Dependant) -> Iterator[list[str]]:
        roles = getattr(dependant.call, "roles", None)
        if roles is not None:
            yield list(roles)
        for child in dependant.dependencies:
            yield from walk(child)

    found = list(walk(route.dependant))
    return found[0] if found else None


def _enum_descriptions(schema: dict[str, Any]) -> None:
    by_name = {enum_cls.__name__: enum_cls for enum_cls in ENUMS.values()}
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        enum_cls = by_name.get(name)
        if enum_cls is None or "enum" not in component:
            continue
        labels = "\n".join(f"- `{m.value}` — {m.label_zh}" for m in enum_cls)
        head = component.get("description", "").strip()
        component["description"] = f"{head}\n\n{labels}" if head else labels


def _roles(routers: Sequence[APIRouter], schema: dict[str, Any]) -> None:
    guarded = {
        route.operation_id or route.name: roles
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and (roles := roles_of(route)) is not None
    }
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            roles_here = operation.get("x-roles", guarded.get(operation.get("operationId", "")))
            if roles_here is None:
                continue
            operation["x-roles"] = roles_here
            note = "Roles: " + ", ".join(f"`{r}`" for r in roles_here)
            operation["description"] = f"{operation.get('description', '')}\n\n{note}".strip()


def install_guide(app: FastAPI, routers: Sequence[APIRouter]) -> None:
    """Wrap ``app.openapi``: tags, examples, roles and enum labels are added when the
    document is built, and it is built again when the day changes (examples carry dates
    relative to today)."""
    generate: Callable[[], dict[str, Any]] = app.openapi
    app.openapi_tags = TAGS
    built_on: list[date] = []

    def openapi() -> dict[str, Any]:
        today = today_shanghai()
        if app.openapi_schema is None or built_on != [today]:
            app.openapi_schema = None
            schema = generate()
            examples.apply(schema, today)
            _roles(routers, schema)
            _enum_descriptions(schema)
            app.openapi_schema = schema
            built_on[:] = [today]
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
