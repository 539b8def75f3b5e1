"""`make bench-scale`: the case lists, the text search and the duplicate look-up at a million
cases.

1. Creates database ``adr_bench_scale`` (dropped first), migrates and seeds it, and
   generates ``--cases`` (default 1,000,000) cases in SQL: three years of intake with
   time-ordered ids, realistic statuses, respondents, Chinese titles/facts/claims, one to
   three applicants each (some of them repeat petitioners), their timeline events and the
   assignments of the dispatched cases. The secondary indexes are dropped for the load and
   rebuilt after it (each timed), then VACUUM ANALYZE. ``--reuse`` keeps a database that
   already holds that many cases.
2. For each scenario, EXPLAIN (ANALYZE, BUFFERS) of the SQL the repository really sends
   (recorded while ``list_page`` / ``possible_duplicates`` run), and the latency of the
   same request through the HTTP API (``adr serve`` on that database, sequential requests
   with a coordinator's token, who sees every case).

See docs/performance.md, "At a million cases".
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import tempfile
import time
import unicodedata
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event
from sqlalchemy.engine import make_url

from app.db.repositories import cases as repo
from app.db.repositories.cases import CaseFilters
from app.db.session import create_database
from app.domain.auth.tokens import mint_token
from app.domain.paging import BY_ID
from app.settings import Settings
from app.states.codes import Role
from scripts.bench.common import (
    BIN,
    connect,
    migrate_and_seed,
    recreate_database,
    use_bench_environment,
)
from scripts.bench.run import ROOT, wait_ready
from scripts.bench.scale_statistics import statistics_scenarios

DB = "adr_bench_scale"
SERVICE_PORT = 8102
TABLES = ("cases", "case_applicants", "case_events", "assignments", "case_search_pairs")
TARGET_MS = 20.0

# --- What the generated cases say -------------------------------------------------------
# Per act type: its share of the cases, the business systems it belongs to, and the pools
# the title, two sentences of the facts and the claims are drawn from. Some words are
# everywhere (申请, 补偿, 行政处罚, 拆), some rare (RARE below), as in a real docket.


@dataclass(frozen=True)
class ActKind:
    code: str
    share: float
    systems: tuple[str, ...]
    titles: tuple[str, ...]
    details: tuple[str, ...]
    claims: tuple[str, ...]


ACTS = (
    ActKind(
        "administrative_penalty",
        0.24,
        (
            "market_regulation",
            "public_security",
            "urban_management",
            "ecology_environment",
            "transport",
        ),
        (
            "对行政处罚决定不服",
            "对罚款决定不服",
            "对责令停产停业决定不服",
            "对没收违法所得决定不服",
            "对行政处罚决定书认定事实有异议",
        ),
        (
            "被申请人认定申请人未取得许可擅自经营，处以罚款二万元。",
            "执法人员现场检查时未出示执法证件，申请人认为程序违法。",
            "申请人认为处罚金额明显过重，违反过罚相当原则。",
            "被申请人未告知申请人陈述、申辩及要求听证的权利。",
            "申请人经营的餐馆因油烟排放超标被处罚。",
            "申请人的货车因超限运输被处以罚款并被扣留。",
        ),
        ("请求撤销行政处罚决定", "请求变更罚款数额", "请求返还已缴纳的罚款"),
    ),
    ActKind(
        "expropriation",
        0.15,
        ("natural_resources", "housing_construction"),
        (
            "对房屋征收补偿决定不服",
            "对集体土地征收补偿标准有异议",
            "对拆迁安置方案不服",
            "对征地补偿款分配有异议",
        ),
        (
            "申请人房屋位于旧城改造征收范围内，被申请人作出房屋征收补偿决定。",
            "评估机构未入户测量，遗漏附属设施和装修，补偿标准明显偏低。",
            "拆迁过程中申请人的房屋被强制拆除，至今未获补偿。",
            "安置房面积不足，临时过渡费未按时发放。",
            "村集体征地补偿款分配方案未经村民会议讨论决定。",
        ),
        ("请求提高补偿标准", "请求重新评估并补偿附属设施", "请求按原面积产权调换安置"),
    ),
    ActKind(
        "administrative_confirmation",
        0.12,
        ("human_resources_social_security", "natural_resources"),
        (
            "对工伤认定决定不服",
            "对不予认定工伤决定不服",
            "对不动产登记行为有异议",
            "对土地权属确认决定不服",
        ),
        (
            "申请人在上班途中发生交通事故受伤，申请工伤认定被驳回。",
            "被申请人以超过申请时限为由不予受理工伤认定申请。",
            "不动产登记机构将申请人的房屋登记在他人名下。",
            "林地承包经营权证记载的四至与实际不符。",
        ),
        ("请求撤销不予认定工伤决定并重新认定", "请求更正不动产登记", "请求依法确认土地权属"),
    ),
    ActKind(
        "administrative_payment",
        0.08,
        (
            "human_resources_social_security",
            "civil_affairs",
            "medical_security",
            "veterans_affairs",
        ),
        (
            "申请发放最低生活保障金",
            "对社会保险待遇核定不服",
            "对医疗保险报销数额有异议",
            "申请落实优抚待遇",
        ),
        (
            "申请人家庭人均收入低于当地最低生活保障标准，申请低保被拒。",
            "社会保险经办机构核定的待遇标准低于法定标准。",
            "申请人住院费用中部分项目未予报销。",
            "申请人系退役军人，认为优抚待遇未按规定落实。",
        ),
        ("请求补发社会保险待遇", "请求按规定报销医疗费用", "请求依法给予最低生活保障"),
    ),
    ActKind(
        "administrative_license",
        0.10,
        ("administrative_approval", "market_regulation", "housing_construction", "health"),
        (
            "对不予行政许可决定不服",
            "对吊销营业执照决定不服",
            "对建设工程规划许可有异议",
            "对不予办理营业执照不服",
        ),
        (
            "申请人申请办理营业执照，被申请人以材料不全为由不予受理。",
            "被申请人撤销了申请人已取得的食品经营许可证。",
            "邻地建设工程规划许可影响申请人房屋采光。",
            "道路运输经营许可证延续申请逾期未获答复。",
        ),
        ("请求撤销不予许可决定", "请求依法颁发营业执照", "请求撤销该规划许可"),
    ),
    ActKind(
        "administrative_enforcement",
        0.08,
        ("urban_management", "housing_construction", "ecology_environment", "public_security"),
        ("对强制拆除违法建筑行为不服", "对查封扣押财物不服", "对责令限期拆除通知不服"),
        (
            "被申请人以违法建设为由强制拆除申请人的彩钢棚。",
            "执法人员查封了申请人的生产设备和原料。",
            "被申请人扣押申请人车辆后逾期未作出处理决定。",
        ),
        ("请求确认强制拆除行为违法", "请求解除查封并返还财物", "请求赔偿财产损失"),
    ),
    ActKind(
        "information_disclosure",
        0.07,
        ("natural_resources", "housing_construction", "other"),
        ("对政府信息公开答复不服", "申请公开征地批复文件未获答复"),
        (
            "申请人申请公开征收土地的审批文件，被申请人答复信息不存在。",
            "被申请人逾期未对政府信息公开申请作出答复。",
        ),
        ("请求责令公开相关政府信息", "请求重新作出答复"),
    ),
    ActKind(
        "inaction",
        0.07,
        ("urban_management", "market_regulation", "ecology_environment", "other"),
        ("申请履行法定职责", "对举报投诉未予处理不服"),
        (
            "申请人多次举报邻居违法建设，被申请人未予查处。",
            "申请人投诉商家销售过期食品，被申请人未在法定期限内答复。",
        ),
        ("请求责令被申请人依法履行查处职责", "请求依法答复"),
    ),
    ActKind(
        "administrative_agreement",
        0.04,
        ("natural_resources", "commerce", "housing_construction"),
        ("对招商引资协议履行有争议", "对征收补偿协议履行有争议"),
        (
            "被申请人未按招商引资协议约定兑现奖励资金。",
            "征收补偿协议约定的补偿款至今未支付完毕。",
        ),
        ("请求继续履行协议", "请求支付协议约定的款项"),
    ),
    ActKind(
        "other",
        0.05,
        ("education_sports", "agriculture_rural", "other"),
        ("对行政行为有异议", "对教育收费有异议", "对农村宅基地审批有异议"),
        ("申请人认为被申请人的行为侵犯其合法权益。", "学校收取的费用超出规定标准。"),
        ("请求依法处理", "请求予以纠正"),
    ),
)
PLACES = (
    "东昌府区古楼街道",
    "东昌府区柳园街道",
    "临清市新华路街道",
    "茌平区振兴街道",
    "阳谷县狮子楼街道",
    "莘县燕塔街道",
    "冠县清泉街道",
    "东阿县铜城街道",
    "高唐县鱼邱湖街道",
    "经济技术开发区蒋官屯街道",
    "高新区许营镇",
    "江北水城旅游度假区朱老庄镇",
)
CLOSINGS = (
    "申请人多次向有关部门反映，问题未得到解决。",
    "申请人认为被申请人的行为认定事实不清、适用依据错误。",
    "为化解矛盾，申请人同意先行和解。",
    "申请人情绪激动，有重复信访倾向。",
    "双方就争议事项曾进行协商，未达成一致。",
)
# Sentences added to a case's facts with their probability: the rare search terms.
RARE = (
    ("申请人另要求补发养老金差额。", 0.01),
    ("申请人经营的民宿因消防验收问题被责令停业。", 0.002),
    ("申请人系渔民，其渔船因涉嫌非法捕捞被扣押。", 0.0003),
    ("涉案区域涉及海域使用权的确权争议。", 0.0001),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"


def sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_array(values: tuple[str, ...] | list[str]) -> str:
    return "ARRAY[" + ", ".join(sql_text(v) for v in values) + "]::text[]"


def u(salt: int) -> str:
    """A uniform number in [0, 1) drawn from the row's ``g`` (the same on every run)."""
    return f"((hashint8extended(g, {salt}) & 4503599627370495)::float8 / 4503599627370496)"


def pick(array_sql: str, salt: int) -> str:
    return f"({array_sql})[1 + floor({u(salt)} * cardinality({array_sql}))::int]"


def uuid7(moment_sql: str, seed_sql: str) -> str:
    """A time-ordered UUID (version 7) for a moment, as ``new_id`` makes them."""
    return (
        f"(lpad(to_hex(floor(extract(epoch FROM {moment_sql}) * 1000)::bigint), 12, '0') || '7'"
        f" || substr(md5({seed_sql}), 1, 3) || '8' || substr(md5({seed_sql}), 4, 15))::uuid"
    )


def act_kinds_sql() -> str:
    rows = []
    low = 0.0
    for i, act in enumerate(ACTS, start=1):
        high = 1.0 if i == len(ACTS) else low + act.share
        rows.append(
            f"({i}, {sql_text(act.code)}, {low!r}, {high!r}, {sql_array(act.systems)},"
            f" {sql_array(act.titles)}, {sql_array(act.details)}, {sql_array(act.claims)})"
        )
        low = high
    return (
        "CREATE TEMP TABLE act_kinds (ix int, code text, low float8, high float8,"
        " systems text[], titles text[], details text[], claims text[]);\n"
        "INSERT INTO act_kinds VALUES " + ",\n".join(rows)
    )


def gen_sql(n: int) -> str:
    """One row per case: when, its id, status and what follows from it (no texts yet)."""
    x = f"((g - 1)::float8 * 1095 / {n})"
    return f"""
    CREATE TEMP TABLE gen AS
    WITH organs AS (
        SELECT array_agg(id ORDER BY name) AS ids, count(*)::int AS n
        FROM agencies WHERE kind = 'administrative_organ'
    ), lawyer_ids AS (
        SELECT array_agg(id ORDER BY certificate_no) AS ids FROM lawyers
    ), center AS (
        SELECT id FROM agencies WHERE kind = 'reconciliation_center' ORDER BY name LIMIT 1
    ), timed AS (
        -- Working hours (08:30-17:30 in Shanghai) of the last 1,095 days, in order.
        SELECT g, ((current_date - 1096)::timestamp + interval '30 minutes'
                   + floor({x}) * interval '1 day'
                   + ({x} - floor({x})) * interval '9 hours') AT TIME ZONE 'UTC' AS received_at
        FROM generate_series(1, {n}) g
    ), drawn AS (
        SELECT t.g, t.received_at,
            extract(epoch FROM now() - t.received_at) / 86400 AS age,
            {u(1)} AS u_status, {u(2)} AS u_outcome,
            {u(3)} < 0.08 AS repeat, floor({u(4)} * 20000)::int AS person,
            floor(o.n * {u(5)} ^ 2)::int AS organ_ix,
            (SELECT ix FROM act_kinds WHERE {u(6)} >= low AND {u(6)} < high) AS act_ix,
            CASE WHEN {u(7)} < 0.7 THEN 1 WHEN {u(7)} < 0.9 THEN 2 ELSE 3 END AS applicants,
            o.ids AS organ_ids, o.n AS organs, c.id AS center_id,
            l.ids[1 + floor({u(8)} * cardinality(l.ids))::int] AS lawyer_id,
            {u(9)} < 0.6 AS at_center
        FROM timed t, organs o, center c, lawyer_ids l
    ), statused AS (
        SELECT d.*,
            CASE
                WHEN age > 180 THEN CASE WHEN u_status < 0.93 THEN 'closed'
                    WHEN u_status < 0.96 THEN 'in_mediation'
                    WHEN u_status < 0.97 THEN 'awaiting_acceptance'
                    WHEN u_status < 0.99 THEN 'classified' ELSE 'received' END
                WHEN age > 60 THEN CASE WHEN u_status < 0.70 THEN 'closed'
                    WHEN u_status < 0.85 THEN 'in_mediation'
                    WHEN u_status < 0.90 THEN 'awaiting_acceptance'
                    WHEN u_status < 0.97 THEN 'classified' ELSE 'received' END
                ELSE CASE WHEN u_status < 0.25 THEN 'closed'
                    WHEN u_status < 0.50 THEN 'in_mediation'
                    WHEN u_status < 0.62 THEN 'awaiting_acceptance'
                    WHEN u_status < 0.82 THEN 'classified' ELSE 'received' END
            END AS status,
            CASE
                WHEN u_outcome < 0.25 THEN 'reconciled' WHEN u_outcome < 0.40 THEN 'mediated'
                WHEN u_outcome < 0.50 THEN 'act_corrected' WHEN u_outcome < 0.65 THEN 'explained'
                WHEN u_outcome < 0.75 THEN 'withdrawn'
                WHEN u_outcome < 0.83 THEN 'referred_reconsideration'
                WHEN u_outcome < 0.90 THEN 'referred_litigation'
                WHEN u_outcome < 0.93 THEN 'referred_adjudication'
                WHEN u_outcome < 0.97 THEN 'terminated' ELSE 'not_administrative_dispute'
            END AS outcome
        FROM drawn d
    ), numbered AS (
        SELECT s.*,
            {uuid7("s.received_at", "s.g::text")} AS id,
            extract(year FROM s.received_at AT TIME ZONE 'Asia/Shanghai')::int AS year,
            -- the repeat petitioners come back to the same respondent
            s.organ_ids[1 + CASE WHEN s.repeat THEN s.person % s.organs
                                 ELSE s.organ_ix END] AS respondent_id
        FROM statused s
    )
    SELECT n.g, n.id, n.received_at, n.year, n.status, n.act_ix, n.respondent_id,
        CASE WHEN n.at_center THEN n.center_id ELSE n.respondent_id END AS intake_id,
        CASE WHEN n.repeat THEN n.person END AS person, n.applicants, n.lawyer_id,
        CASE WHEN n.status = 'closed' THEN n.outcome END AS outcome,
        -- closed without a mediator: referred, terminated or not an administrative dispute
        n.status = 'closed' AND n.outcome NOT IN
            ('reconciled', 'mediated', 'act_corrected', 'explained', 'withdrawn') AS direct,
        CASE n.status WHEN 'received' THEN 1 WHEN 'classified' THEN 2
            WHEN 'awaiting_acceptance' THEN 3 WHEN 'in_mediation' THEN 4 ELSE 5 END AS steps,
        CASE WHEN n.status = 'closed' THEN least(
            n.received_at + (10 + floor({u(10)} * 80)) * interval '1 day', now()) END AS closed_at,
        row_number() OVER (PARTITION BY n.year ORDER BY n.g) AS seq
    FROM numbered n
    """


def cases_sql() -> str:
    rare = " || ".join(
        f"CASE WHEN {u(40 + i)} < {p!r} THEN {sql_text(text)} ELSE '' END"
        for i, (text, p) in enumerate(RARE)
    )
    places, closings = sql_array(PLACES), f"({sql_array(CLOSINGS)})"
    detail_count = "cardinality(k.details)"
    first_detail = f"floor({u(21)} * {detail_count})::int"
    closing_count = len(CLOSINGS)
    first_closing = f"floor({u(24)} * {closing_count})::int"
    return f"""
    INSERT INTO cases (id, case_no, status, version, channel, received_at, intake_agency_id,
        respondent_agency_id, title, facts, claims, act_type, act_document_no, act_made_on,
        act_known_on, act_description, act_real_property, related_procedures,
        applicant_count, collective, reconsideration_due_on, litigation_due_on,
        outer_limit_due_on, deadlines_notified_at, business_system, priority,
        recommended_channel, chosen_channel, outcome_type, closed_at, created_at, created_by,
        updated_at, first_offered_at, satisfaction_score, performance_status,
        act_remedy_notice_given, act_reconsideration_first)
    SELECT id, 'LC' || year || '-' || lpad(seq::text, greatest(5, length(seq::text)), '0'),
        status, steps, channel, received_at, intake_id, respondent_id,
        title, facts, claims, act_type, act_document_no, made_on, known_on, NULL,
        act_type = 'expropriation', '[]'::jsonb, applicants, false, known_on + 60,
        known_on + 180,
        (made_on + CASE WHEN act_type = 'expropriation' THEN interval '20 years'
                        ELSE interval '5 years' END)::date,
        CASE WHEN {u(30)} < 0.7 THEN received_at + interval '1 hour' END,
        CASE WHEN status <> 'received' THEN business_system END, priority,
        CASE WHEN status <> 'received' THEN channel_advised END,
        CASE WHEN status NOT IN ('received', 'classified') THEN channel_advised END,
        outcome, closed_at, received_at, 'bench-scale',
        coalesce(closed_at, least(received_at + (steps - 1) * interval '2 days', now())),
        -- the first presiding offer (as ASSIGNMENTS_SQL makes it), the follow-ups
        CASE WHEN status IN ('awaiting_acceptance', 'in_mediation')
                  OR (status = 'closed' AND NOT direct)
             THEN least(received_at + interval '4 days', now()) END,
        CASE WHEN status = 'closed' AND {u(34)} < 0.6 THEN 1 + floor({u(35)} * 5)::int END,
        CASE WHEN outcome IN ('reconciled', 'mediated') AND {u(36)} < 0.7
             THEN CASE WHEN {u(37)} < 0.9 THEN 'fulfilled' ELSE 'breached' END END,
        true, false
    FROM (
        SELECT gen.*, k.code AS act_type,
            {pick("k.titles", 20)} AS title,
            '申请人系' || {pick(places, 22)} || '居民。'
                || to_char(made_on, 'YYYY"年"FMMM"月"FMDD"日"') || '，'
                || k.details[1 + {first_detail}]
                || k.details[1 + ({first_detail} + 1 + floor({u(23)} * ({detail_count} - 1))::int)
                             % {detail_count}]
                || {closings}[1 + {first_closing}]
                || {closings}[1 + ({first_closing} + 1
                                   + floor({u(33)} * ({closing_count} - 1))::int) % {closing_count}]
                || {rare} AS facts,
            {pick("k.claims", 25)} AS claims,
            {pick("k.systems", 26)} AS business_system,
            '聊' || substr(k.code, 1, 1) || '字〔' || extract(year FROM made_on) || '〕'
                || (g % 900 + 1) || '号' AS act_document_no,
            made_on, made_on + floor({u(27)} * 15)::int AS known_on,
            CASE WHEN {u(28)} < 0.30 THEN 'petition' WHEN {u(28)} < 0.50 THEN 'visit'
                WHEN {u(28)} < 0.60 THEN 'letter' WHEN {u(28)} < 0.70 THEN 'phone_consultation'
                WHEN {u(28)} < 0.78 THEN 'complaint' WHEN {u(28)} < 0.82 THEN 'report'
                WHEN {u(28)} < 0.90 THEN 'reconsideration_referral'
                WHEN {u(28)} < 0.96 THEN 'court_referral' ELSE 'risk_screening' END AS channel,
            CASE WHEN {u(29)} < 0.80 THEN 'normal' WHEN {u(29)} < 0.95 THEN 'high'
                ELSE 'urgent' END AS priority,
            CASE WHEN {u(31)} < 0.50 THEN 'reconciliation' WHEN {u(31)} < 0.80 THEN 'mediation'
                WHEN {u(31)} < 0.85 THEN 'adjudication' WHEN {u(31)} < 0.95 THEN 'reconsideration'
                ELSE 'litigation' END AS channel_advised
        FROM gen
        JOIN act_kinds k ON k.ix = gen.act_ix,
        LATERAL (SELECT ((gen.received_at AT TIME ZONE 'Asia/Shanghai')::date
                         - (15 + floor({u(32)} * 300))::int) AS made_on) m
    ) c
    """


def applicants_sql() -> str:
    key = "CASE WHEN k = 1 AND person IS NOT NULL THEN 'R' || person ELSE 'P' || g || '-' || k END"
    legal = f"(k = 1 AND {u(50)} < 0.1)"
    return f"""
    INSERT INTO case_applicants (id, case_id, position, kind, name, id_type, id_number_sealed,
        id_number_masked, id_number_hash, phone_sealed, phone_masked, address)
    SELECT {uuid7("received_at", "g::text || 'a' || k")}, id, k - 1,
        CASE WHEN {legal} THEN 'legal_person' ELSE 'natural_person' END,
        CASE WHEN {legal} THEN '聊城某某商贸有限公司'
             ELSE substr({sql_text(SURNAMES)}, 1 + ((g + k) % {len(SURNAMES)})::int, 1) || '某某'
        END,
        CASE WHEN {legal} THEN 'credit_code' ELSE 'resident_id' END,
        'v1.bench.' || left(md5({key}), 24),
        CASE WHEN {legal} THEN '9137**********' ELSE '3715**********' END
            || lpad(((g * 7 + k) % 10000)::text, 4, '0'),
        encode(sha256(convert_to('adr-bench-scale:' || {key}, 'UTF8')), 'hex'),
        'v1.bench.' || left(md5({key} || 'phone'), 24),
        '138****' || lpad(((g * 13 + k) % 10000)::text, 4, '0'),
        {pick(sql_array(PLACES), 51)} || '某村'
    FROM gen, generate_series(1, gen.applicants) k
    """


EVENTS_SQL = f"""
    INSERT INTO case_events (id, case_id, occurred_at, type, from_status, to_status, actor_sub,
        actor_role, data)
    SELECT {uuid7("at", "g::text || 'e' || step")}, id, at, type, from_status, to_status,
        actor, CASE WHEN actor = 'bench-lawyer' THEN 'lawyer' ELSE 'center_coordinator' END,
        CASE WHEN step = 1 THEN jsonb_build_object('case_no',
                'LC' || year || '-' || lpad(seq::text, greatest(5, length(seq::text)), '0'))
             WHEN step = 5 THEN jsonb_build_object('outcome', outcome) ELSE '{{}}'::jsonb END
    FROM (
        SELECT gen.*, e.step, e.type, e.to_status,
            CASE WHEN e.step = 5 AND gen.direct THEN 'classified' ELSE e.from_status END
                AS from_status,
            CASE WHEN e.step = 5 THEN gen.closed_at
                 ELSE least(gen.received_at + (e.step - 1) * interval '2 days', now()) END AS at,
            CASE WHEN e.step = 4 THEN 'bench-lawyer' ELSE 'bench-coordinator' END AS actor
        FROM gen
        JOIN (VALUES (1, 'received', NULL, 'received'),
                     (2, 'classify', 'received', 'classified'),
                     (3, 'offer_presiding', 'classified', 'awaiting_acceptance'),
                     (4, 'offer_accepted', 'awaiting_acceptance', 'in_mediation'),
                     (5, 'outcome_recorded', 'in_mediation', 'closed'))
            AS e(step, type, from_status, to_status)
          ON e.step <= gen.steps AND NOT (gen.direct AND e.step IN (3, 4))
    ) s
"""

ASSIGNMENTS_SQL = f"""
    INSERT INTO assignments (id, case_id, lawyer_id, role, status, offered_at, respond_by,
        responded_at, reasoning, ended_at, offered_by, version)
    SELECT {uuid7("offered_at", "g::text || 'd'")}, id, lawyer_id, 'presiding',
        CASE status WHEN 'awaiting_acceptance' THEN 'offered'
                    WHEN 'in_mediation' THEN 'accepted' ELSE 'completed' END,
        offered_at, offered_at + interval '48 hours',
        CASE WHEN status <> 'awaiting_acceptance' THEN offered_at + interval '1 day' END,
        '{{}}'::jsonb, closed_at, 'bench-coordinator',
        CASE WHEN status = 'awaiting_acceptance' THEN 1 ELSE 2 END
    FROM (SELECT gen.*, least(received_at + interval '4 days', now()) AS offered_at FROM gen) a
    WHERE status IN ('awaiting_acceptance', 'in_mediation') OR (status = 'closed' AND NOT direct)
"""


@dataclass
class Load:
    seconds: dict[str, float] = field(default_factory=dict)
    indexes: list[tuple[str, str, float, int]] = field(default_factory=list)


async def timed(load: Load, label: str, work: Awaitable[Any]) -> Any:
    started = time.perf_counter()
    result = await work
    load.seconds[label] = time.perf_counter() - started
    print(f"  {label:34} {load.seconds[label]:8.1f} s", flush=True)
    return result


async def generate(conn: asyncpg.Connection, n: int) -> Load:
    """The cases and everything that hangs off them, with the secondary indexes rebuilt
    after the load (each build timed, as a migration on a full table would take)."""
    load = Load()
    await conn.execute(
        "INSERT INTO lawyers (id, name, agency_id, certificate_no, certificate_issued_on,"
        " certificate_status, active, created_at, updated_at)"
        " SELECT gen_random_uuid(), '律师' || i, o.ids[1 + i % o.n], 'SCALE' || lpad(i::text, 4,"
        " '0'), '2020-01-01', 'active', true, now(), now() FROM generate_series(1, 200) i,"
        " (SELECT array_agg(id ORDER BY name) AS ids, count(*)::int AS n FROM agencies"
        " WHERE kind = 'administrative_organ') o"
    )
    indexes = await conn.fetch(
        "SELECT c.relname AS tbl, x.relname AS name, pg_get_indexdef(i.indexrelid) AS ddl"
        " FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
        " JOIN pg_class x ON x.oid = i.indexrelid"
        " WHERE c.relname = ANY($1::text[])"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
        " ORDER BY c.relname, x.relname",
        list(TABLES),
    )
    for index in indexes:
        await conn.execute(f'DROP INDEX "{index["name"]}"')
    # The statistics' triggers would copy every generated row into the deltas: the cells
    # are rebuilt from the cases once, after the load (and the search's pairs written in
    # one statement, not one trigger call a case).
    for table in ("cases", "assignments"):
        await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    await conn.execute(act_kinds_sql())
    await timed(load, "draw the cases", conn.execute(gen_sql(n)))
    await timed(load, "cases", conn.execute(cases_sql()))
    await timed(load, "applicants", conn.execute(applicants_sql()))
    await timed(load, "events", conn.execute(EVENTS_SQL))
    await timed(load, "assignments", conn.execute(ASSIGNMENTS_SQL))
    # What the cases' trigger would have written for each (the search's character pairs).
    await timed(
        load,
        "search pairs",
        conn.execute(
            "INSERT INTO case_search_pairs (case_id, pairs)"
            " SELECT id, adr_bigrams(title, facts, claims) FROM cases"
        ),
    )
    await conn.execute(
        "INSERT INTO case_counters (year, last_no) SELECT year, max(seq) FROM gen GROUP BY year"
        " ON CONFLICT (year) DO UPDATE SET last_no = excluded.last_no"
    )
    await conn.execute("DROP TABLE gen; DROP TABLE act_kinds")
    for index in indexes:
        started = time.perf_counter()
        await conn.execute(index["ddl"])
        took = time.perf_counter() - started
        size = await conn.fetchval("SELECT pg_relation_size($1::regclass)", index["name"])
        load.indexes.append((index["tbl"], index["name"], took, size))
        print(f"  index {index['name']:40} {took:7.1f} s {size / 2**20:8.1f} MB", flush=True)
    for table in ("cases", "assignments"):
        await conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    await timed(load, "statistics' cells", conn.execute("SELECT adr_case_stat_rebuild()"))
    await timed(load, "VACUUM ANALYZE", conn.execute("VACUUM ANALYZE"))
    return load


async def prepare(base_url: str, database_url: str, n: int, reuse: bool) -> Load | None:
    if reuse:
        try:
            conn = await connect(base_url, DB)
        except asyncpg.InvalidCatalogNameError:
            conn = None
        if conn is not None:
            try:
                count = await conn.fetchval("SELECT count(*) FROM cases")
            except asyncpg.UndefinedTableError:
                count = None
            finally:
                await conn.close()
            if count == n:
                print(f"reusing {DB} with its {n:,} cases")
                migrate_and_seed(database_url)  # a newer migration would apply here
                return None
    print(f"loading {n:,} cases into {DB} ...", flush=True)
    started = time.perf_counter()
    await recreate_database(base_url, DB)
    migrate_and_seed(database_url)
    conn = await connect(base_url, DB)
    try:
        load = await generate(conn, n)
    finally:
        await conn.close()
    load.seconds["total"] = time.perf_counter() - started
    print(f"  {'total (database to analysed)':34} {load.seconds['total']:8.1f} s")
    return load


# --- Scenarios ----------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    params: dict[str, str]  # of GET /api/v1/cases (or the path below)
    run: Callable[[Any], Awaitable[Any]]  # the repository call whose SQL is explained
    path: str = "/api/v1/cases"
    target_ms: float | None = None
    note: str = ""
    # Who asks (the claims of the token; default: a center coordinator, who sees all).
    claims: dict[str, Any] | None = None
    # Several statements (the statistics): EXPLAIN each, the execution times summed.
    explain_all: bool = False


@dataclass
class Figures:
    rows: int | None = None
    plan: list[str] = field(default_factory=list)
    execution_ms: float | None = None
    planning_ms: float | None = None
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    probe_hits: int | None = None  # the term among the newest cases (q only)


def _list(filters: CaseFilters, before: uuid.UUID | None = None) -> Callable[[Any], Awaitable[Any]]:
    async def run(session: Any) -> Any:
        after = (before,) if before else None
        return (await repo.list_page(session, filters=filters, after=after, limit=50)).rows

    return run


async def scenarios(conn: asyncpg.Connection, n: int) -> list[Scenario]:
    """The requests measured, with the values they need found in the loaded data."""
    deep = min(500_000, n // 2)
    middle = await conn.fetchval("SELECT id FROM cases ORDER BY id DESC OFFSET $1 LIMIT 1", deep)
    busiest = await conn.fetchval(
        "SELECT respondent_agency_id FROM cases GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    middling = await conn.fetchval(
        "SELECT respondent_agency_id FROM cases GROUP BY 1 ORDER BY count(*) DESC OFFSET 15 LIMIT 1"
    )
    # The newest case of the petitioner who came back most often: reading it runs the
    # duplicate look-up of intake (same identity hash, same respondent) and finds the others.
    repeat = await conn.fetchrow(
        "SELECT c.id, c.respondent_agency_id, a.id_number_hash FROM case_applicants a"
        " JOIN cases c ON c.id = a.case_id WHERE a.id_number_hash = (SELECT id_number_hash"
        " FROM case_applicants GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1)"
        " ORDER BY c.id DESC LIMIT 1"
    )
    since = datetime.now(UTC) - timedelta(days=180)

    async def duplicates(session: Any) -> Any:
        return await repo.possible_duplicates(
            session,
            id_hashes=[repeat["id_number_hash"]],
            respondent_agency_id=repeat["respondent_agency_id"],
            received_since=since,
            exclude_case_id=repeat["id"],
        )

    cursor = BY_ID.encode((middle,))
    found: list[Scenario] = [
        Scenario("list, first page", {"limit": "50"}, _list(CaseFilters()), target_ms=TARGET_MS),
        Scenario(
            f"list, page at row {deep:,}",
            {"limit": "50", "cursor": cursor},
            _list(CaseFilters(), middle),
            target_ms=TARGET_MS,
        ),
        Scenario(
            "status=received",
            {"limit": "50", "status": "received"},
            _list(CaseFilters(status="received")),
        ),
        Scenario(
            f"status=in_mediation, after row {deep:,}",
            {"limit": "50", "status": "in_mediation", "cursor": cursor},
            _list(CaseFilters(status="in_mediation"), middle),
        ),
        Scenario(
            "busiest respondent + closed",
            {"limit": "50", "respondent_agency_id": str(busiest), "status": "closed"},
            _list(CaseFilters(respondent_agency_id=busiest, status="closed")),
        ),
        Scenario(
            "middling respondent + in_mediation",
            {"limit": "50", "respondent_agency_id": str(middling), "status": "in_mediation"},
            _list(CaseFilters(respondent_agency_id=middling, status="in_mediation")),
        ),
    ]
    for term, note in (
        ("拆", "1 char, common"),
        ("补偿", "2 chars, common"),
        ("民宿", "2 chars, rare"),
        ("渔船", "2 chars, rarer"),
        ("养老金", "3 chars"),
        ("区块链", "3 chars, absent"),
        ("行政处罚", "4 chars, common"),
        ("工伤认定", "4 chars"),
        ("海域使用权", "5 chars, rare"),
        ("征收补偿协议", "6 chars"),
        ("鲸", "1 char, absent"),
    ):
        found.append(
            Scenario(
                f"q={term}", {"limit": "50", "q": term}, _list(CaseFilters(text=term)), note=note
            )
        )
    found.append(
        Scenario(
            "duplicate look-up (GET /cases/{id})",
            {},
            duplicates,
            path=f"/api/v1/cases/{repeat['id']}",
            note="intake's query, via a read",
        )
    )
    found += await statistics_scenarios(conn, Scenario)
    return found


async def explain(settings: Settings, scenario: Scenario, figures: Figures) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the statement the repository sends for the scenario."""
    database = create_database(settings)
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        statements.append((statement, params))

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with database.sessionmaker() as session:
            result = await scenario.run(session)  # once to warm the cache, and to record it
            figures.rows = len(result)
            event.remove(database.engine.sync_engine, "before_cursor_execute", record)
            connection = await session.connection()
            if scenario.explain_all:
                lines = await _explain_each(connection, statements, figures)
                await session.rollback()
                statements = []
            elif len(statements) > 1:  # the text search's probe: the term among the newest
                first, first_params = statements[0]
                result = await connection.exec_driver_sql(first, first_params)
                figures.probe_hits = result.scalar()
            if statements:
                statement, params = statements[-1]
                lines = [
                    row[0]
                    for row in await connection.exec_driver_sql(
                        f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params
                    )
                ]
                await session.rollback()
    finally:
        await database.engine.dispose()
    if scenario.explain_all:
        figures.plan = lines
        return
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("Execution Time"):
            figures.execution_ms = float(stripped.split()[2])
        elif stripped.startswith("Planning Time"):
            figures.planning_ms = float(stripped.split()[2])
        elif stripped.startswith(("->", "Index Cond", "Recheck Cond", "Rows Removed", "Heap")) or (
            line == lines[0]
        ):
            figures.plan.append(_shorter(line))


async def _explain_each(
    connection: Any, statements: list[tuple[str, Any]], figures: Figures
) -> list[str]:
    """EXPLAIN ANALYZE of every statement a report sends; the plan's main lines of each,
    and the execution (and planning) times summed."""
    shown: list[str] = []
    figures.execution_ms = figures.planning_ms = 0.0
    for n, (statement, params) in enumerate(statements, start=1):
        lines = [
            row[0]
            for row in await connection.exec_driver_sql(
                f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params
            )
        ]
        took = 0.0
        for line in lines:
            stripped = line.strip()
            if stripped.startswith("Execution Time"):
                took = float(stripped.split()[2])
                figures.execution_ms += took
            elif stripped.startswith("Planning Time"):
                figures.planning_ms += float(stripped.split()[2])
        head = " ".join(statement.split())[:90]
        shown.append(f"[{n}] {took:.2f} ms  {head}")
        shown += [
            "    " + _shorter(line)
            for line in lines
            if line.strip().startswith(("->", "Index Cond", "Heap Fetches", "Filter"))
            or line == lines[0]
        ][:12]
    return shown


def _shorter(line: str) -> str:
    """A plan line without its cost estimate, cut to a readable width."""
    start = line.find("  (cost=")
    if start != -1:
        end = line.find(")", start)
        line = line[:start] + line[end + 1 :]
    return line if len(line) <= 150 else line[:147] + "..."


def measure(port: int, token: str, scenario: Scenario, requests: int, budget_s: float) -> Figures:
    """Sequential requests through the API: a handful to warm up, then ``requests`` (or as
    many as fit in ``budget_s`` for a slow one, at least ten)."""
    figures = Figures()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60) as client:
        for _ in range(5):
            client.get(scenario.path, params=scenario.params)
        deadline = time.perf_counter() + budget_s
        for i in range(requests):
            started = time.perf_counter()
            response = client.get(scenario.path, params=scenario.params)
            figures.latencies_ms.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                figures.errors += 1
            if i >= 9 and time.perf_counter() > deadline:
                break
    return figures


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` columns of a terminal (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(results: list[tuple[Scenario, Figures]], load: Load | None, environment: str) -> None:
    print(f"\n== {environment}")
    if load is not None:
        steps = ", ".join(f"{k} {v:.0f} s" for k, v in load.seconds.items())
        print(f"load: {steps}")
        print("indexes rebuilt after the load (build time, size):")
        for table, name, took, size in load.indexes:
            print(f"  {table:16} {name:38} {took:7.1f} s {size / 2**20:8.1f} MB")
    print("\n== plans (EXPLAIN ANALYZE of the repository's SQL, warm cache)")
    for scenario, figures in results:
        print(f"\n-- {scenario.name}  ({scenario.note or 'list'}; {figures.rows} rows)")
        if figures.probe_hits is not None:
            print(f"   probe: the term in {figures.probe_hits} of the newest 300 cases")
        for line in figures.plan:
            print(f"   {line}")
        print(f"   planning {figures.planning_ms} ms, execution {figures.execution_ms} ms")
    print(
        f"\n{'scenario':42}{'rows':>5}{'SQL ms':>9}{'API n':>7}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}  target/note"
    )
    for scenario, figures in results:
        lat = figures.latencies_ms
        p50, p99, worst = statistics.median(lat), percentile(lat, 0.99), max(lat)
        verdict = ""
        if scenario.target_ms is not None:
            ok = p99 < scenario.target_ms
            verdict = f"p99 < {scenario.target_ms:.0f} ms: {'met' if ok else 'NOT MET'}"
        verdict = verdict or scenario.note
        if figures.errors:
            verdict += f" ({figures.errors} non-200)"
        print(
            f"{pad(scenario.name, 42)}{figures.rows or 0:5d}{figures.execution_ms or 0:9.2f}"
            f"{len(lat):7d}{p50:9.1f}{p99:9.1f}{worst:9.1f}  {verdict}"
        )


async def environment(conn: asyncpg.Connection) -> str:
    ctype = await conn.fetchval(
        "SELECT datctype FROM pg_database WHERE datname = current_database()"
    )
    version = await conn.fetchval("SHOW server_version")
    sizes = await conn.fetch(
        "SELECT relname, pg_total_relation_size(oid) AS size FROM pg_class"
        " WHERE relname = ANY($1::text[]) ORDER BY relname",
        list(TABLES),
    )
    shown = ", ".join(f"{r['relname']} {r['size'] / 2**20:.0f} MB" for r in sizes)
    cases = await conn.fetchval("SELECT count(*) FROM cases")
    return f"PostgreSQL {version}, ctype {ctype}, {cases:,} cases; with indexes: {shown}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep a database already loaded")
    parser.add_argument("--requests", type=int, default=200, help="per scenario")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per scenario at most")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated scenario name prefixes")
    args = parser.parse_args()
    base = os.environ.get(
        "ADR_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    url = make_url(base).set(database=DB).render_as_string(hide_password=False)
    use_bench_environment()
    settings = Settings(env="development", database_url=url, log_level="WARNING")
    load = asyncio.run(prepare(base, url, args.cases, args.reuse))

    async def setup() -> tuple[list[Scenario], str]:
        conn = await connect(base, DB)
        try:
            cases = await conn.fetchval("SELECT count(*) FROM cases")
            return await scenarios(conn, cases), await environment(conn)
        finally:
            await conn.close()

    chosen, env_line = asyncio.run(setup())
    if args.only:
        prefixes = tuple(p.strip() for p in args.only.split(","))
        chosen = [s for s in chosen if s.name.startswith(prefixes)]
    token = mint_token(
        settings, sub="bench-scale", role=Role.CENTER_COORDINATOR, ttl=timedelta(hours=4)
    )

    def token_for(scenario: Scenario) -> str:
        if scenario.claims is None:
            return token
        return mint_token(settings, sub="bench-scale", ttl=timedelta(hours=4), **scenario.claims)

    log_path = Path(tempfile.mkdtemp(prefix="adr-bench-scale-")) / "service.log"
    with open(log_path, "wb") as log:
        service = subprocess.Popen(
            [BIN / "adr", "serve", "--port", str(SERVICE_PORT), "--workers", str(args.workers)],
            # No sweep: it would expire the old offers and redispatch them while we measure.
            env={
                **os.environ,
                "ADR_DATABASE_URL": url,
                "ADR_LOG_LEVEL": "WARNING",
                "ADR_SWEEP_INTERVAL_S": "0",
            },
            stdout=log,
            stderr=log,
            cwd=ROOT,
        )
        results: list[tuple[Scenario, Figures]] = []
        try:
            wait_ready(SERVICE_PORT)
            for scenario in chosen:
                figures = measure(
                    SERVICE_PORT, token_for(scenario), scenario, args.requests, args.budget
                )
                asyncio.run(explain(settings, scenario, figures))
                p50 = statistics.median(figures.latencies_ms)
                print(
                    f"  {pad(scenario.name, 42)} p50 {p50:7.1f} ms  SQL {figures.execution_ms} ms",
                    flush=True,
                )
                results.append((scenario, figures))
        finally:
            service.send_signal(signal.SIGINT)
            try:
                service.wait(timeout=15)
            except subprocess.TimeoutExpired:
                service.kill()
    report(results, load, env_line)


if __name__ == "__main__":
    main()
