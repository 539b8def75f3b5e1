"""The articles the remedy deadlines rest on, as the ``basis`` and ``notes`` of a case show them.

One constant per reading, so that a test (and a reviewer) can see which article a date was
counted by; docs/decisions.md explains each reading.
"""

from __future__ import annotations

__all__ = [
    "BASIS_AFTER_RECONSIDERATION",
    "BASIS_INACTION_LITIGATION",
    "BASIS_INACTION_LITIGATION_DUE",
    "BASIS_INACTION_RECONSIDERATION",
    "BASIS_INACTION_RECONSIDERATION_DUE",
    "BASIS_LITIGATION",
    "BASIS_LITIGATION_NOT_TOLD",
    "BASIS_LITIGATION_NOT_TOLD_CAP",
    "BASIS_OUTER_LIMIT_OTHER",
    "BASIS_OUTER_LIMIT_REAL_PROPERTY",
    "BASIS_RECONSIDERATION",
    "BASIS_RECONSIDERATION_LIMIT_OTHER",
    "BASIS_RECONSIDERATION_LIMIT_REAL_PROPERTY",
    "BASIS_RECONSIDERATION_NOT_TOLD",
    "BASIS_RECONSIDERATION_NOT_TOLD_CAP",
    "ESTIMATED_FROM_DECIDED_ON",
    "ESTIMATED_FROM_MADE_ON",
    "NOTE_AFTER_RECONSIDERATION",
    "NOTE_ESTIMATED",
    "NOTE_INACTION_NEEDS_APPLIED_ON",
    "NOTE_NOT_TOLD",
    "NOTE_RECONSIDERATION_FIRST",
    "NOTE_TOLD",
    "ROLLOVER_LITIGATION",
    "ROLLOVER_RECONSIDERATION",
]

_RECON_LAW = "《中华人民共和国行政复议法》(2023年修订)"
_LIT_LAW = "《中华人民共和国行政诉讼法》"
_LIT_INTERPRETATION = "《最高人民法院关于适用〈中华人民共和国行政诉讼法〉的解释》(法释〔2018〕1号)"

BASIS_RECONSIDERATION = (
    f"{_RECON_LAW}第二十条第一款: 自知道或者应当知道该行政行为之日起六十日内提出行政复议申请"
)
BASIS_RECONSIDERATION_LIMIT_OTHER = (
    f"{_RECON_LAW}第二十一条: 行政复议申请自行政行为作出之日起超过五年的, 行政复议机关不予受理"
)
BASIS_RECONSIDERATION_LIMIT_REAL_PROPERTY = (
    f"{_RECON_LAW}第二十一条: "
    "因不动产提出的行政复议申请自行政行为作出之日起超过二十年的, 行政复议机关不予受理"
)
BASIS_LITIGATION = f"{_LIT_LAW}第四十六条第一款: 自知道或者应当知道作出行政行为之日起六个月内提出"
BASIS_OUTER_LIMIT_OTHER = (
    f"{_LIT_LAW}第四十六条第二款: 其他案件自行政行为作出之日起超过五年提起诉讼的, 人民法院不予受理"
)
BASIS_OUTER_LIMIT_REAL_PROPERTY = (
    f"{_LIT_LAW}第四十六条第二款: "
    "因不动产提起诉讼的案件自行政行为作出之日起超过二十年提起诉讼的, 人民法院不予受理"
)

# The organ did not explain the remedy (复议法 art. 20(3), 行诉解释 art. 64).
BASIS_RECONSIDERATION_NOT_TOLD = (
    f"{_RECON_LAW}第二十条第三款: 行政机关未告知申请行政复议的权利、行政复议机关和申请期限的, "
    "申请期限自知道或者应当知道之日起计算(六十日)"
)
BASIS_RECONSIDERATION_NOT_TOLD_CAP = (
    f"{_RECON_LAW}第二十条第三款: 未告知申请行政复议的权利和期限的, "
    "自知道或者应当知道行政行为内容之日起最长不得超过一年"
)
BASIS_LITIGATION_NOT_TOLD = (
    f"{_LIT_INTERPRETATION}第六十四条第一款: 行政机关未告知起诉期限的, "
    "起诉期限从知道或者应当知道起诉期限之日起计算(六个月, 行政诉讼法第四十六条第一款)"
)
BASIS_LITIGATION_NOT_TOLD_CAP = (
    f"{_LIT_INTERPRETATION}第六十四条第一款: 未告知起诉期限的, "
    "从知道或者应当知道行政行为内容之日起最长不得超过一年"
)

# Inaction (不履行法定职责).
BASIS_INACTION_LITIGATION = (
    f"{_LIT_LAW}第四十七条第一款: 行政机关在接到申请之日起两个月内不履行的可以起诉; "
    f"{_LIT_INTERPRETATION}第六十六条: 自行政机关履行法定职责期限届满之日起六个月内提出"
)
BASIS_INACTION_LITIGATION_DUE = (
    f"{_LIT_LAW}第四十七条第一款: 法律、法规对履行职责的期限另有规定的, 从其规定; "
    f"{_LIT_INTERPRETATION}第六十六条: 自行政机关履行法定职责期限届满之日起六个月内提出"
)
BASIS_INACTION_RECONSIDERATION = (
    f"{_RECON_LAW}第二十条第一款; 《中华人民共和国行政复议法实施条例》第十六条第一款第(二)项: "
    "没有履行期限规定的, 自行政机关收到申请满六十日起计算六十日"
)
BASIS_INACTION_RECONSIDERATION_DUE = (
    f"{_RECON_LAW}第二十条第一款; 《中华人民共和国行政复议法实施条例》第十六条第一款第(一)项: "
    "有履行期限规定的, 自履行期限届满之日起计算六十日"
)

# After a reconsideration decision.
BASIS_AFTER_RECONSIDERATION = (
    f"{_LIT_LAW}第四十五条: 不服复议决定的, 可以在收到复议决定书之日起十五日内向人民法院提起诉讼"
)

# The roll-over rule (民事诉讼法 art. 85), applied by each law's own article.
ROLLOVER_RECONSIDERATION = (
    "期间届满的最后一日是法定休假日的, 以法定休假日后的第一日为期间届满的日期"
    f"({_RECON_LAW}第八十八条第一款, 《中华人民共和国民事诉讼法》第八十五条)"
)
ROLLOVER_LITIGATION = (
    "期间届满的最后一日是法定休假日的, 以法定休假日后的第一日为期间届满的日期"
    f"({_LIT_LAW}第一百零一条, 《中华人民共和国民事诉讼法》第八十五条)"
)

ESTIMATED_FROM_MADE_ON = (
    "(未登记知道该行政行为的日期, 暂自行政行为作出之日起算; 实际届满日不早于此日)"
)
ESTIMATED_FROM_DECIDED_ON = (
    "(未登记收到复议决定书的日期, 暂自复议决定作出之日起算; 实际届满日不早于此日)"
)

# Notes for the applicant (shown under ``deadlines.notes``).
NOTE_RECONSIDERATION_FIRST = (
    "复议前置: 本案须先申请行政复议, 对复议决定不服的才可提起行政诉讼"
    f"({_RECON_LAW}第二十三条), 因此不显示自行政行为起算的起诉期限; "
    "行政复议申请期限是必须守住的期限。"
)
NOTE_AFTER_RECONSIDERATION = (
    "已申请行政复议并作出复议决定: 不再有行政复议申请期限; "
    f"不服复议决定的, 自收到复议决定书之日起十五日内起诉({_LIT_LAW}第四十五条)。"
)
NOTE_NOT_TOLD = (
    "行政机关未告知救济权利和期限: 复议和起诉期限自申请人知道救济权利和期限之日起计算, "
    "最长不超过知道行政行为内容之日起一年; 尚未告知前, 以一年届满日为准"
    f"({_RECON_LAW}第二十条第三款, {_LIT_INTERPRETATION}第六十四条)。"
    "调解中心告知后请登记告知日期(deadline-notice)。"
)
NOTE_TOLD = (
    "行政机关未告知救济权利和期限; 调解中心已于{told_on}告知, 期限自该日起计算, "
    "但最长不超过知道行政行为内容之日起一年。"
)
NOTE_INACTION_NEEDS_APPLIED_ON = (
    "不履行法定职责: 期限自行政机关履行期限届满之日起计算, 须登记行政机关收到申请的日期"
    "(applied_on)及法定履行期限(performance_due_on, 如有)后才能计算。"
)
NOTE_ESTIMATED = (
    "未登记申请人知道行政行为的日期(known_on): 期限暂自作出之日起算, 为最早可能的届满日; "
    "请登记该日期以得出准确期限。"
)
