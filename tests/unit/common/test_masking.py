from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.common.identifiers import (
    CREDIT_CODE_CHARSET,
    credit_code_check_char,
    resident_id_check_char,
)
from app.domain.common.masking import mask_id_number, mask_phone, mask_sensitive_text

DIGITS = "0123456789"
# No digits and no ASCII letters: what typically surrounds a number in a Chinese sentence.
CHINESE_CONTEXT = st.text(
    st.sampled_from("申请人身份证号码电话是的单位，。：；（）、 \n"), max_size=12
)


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    address = draw(st.text(DIGITS, min_size=6, max_size=6))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 1, 1)))
    body = f"{address}{born:%Y%m%d}" + draw(st.text(DIGITS, min_size=3, max_size=3))
    return body + resident_id_check_char(body)


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    second = draw(st.sampled_from("3456789"))
    return "1" + second + draw(st.text(DIGITS, min_size=9, max_size=9))


@st.composite
def credit_codes(draw: st.DrawFn) -> str:
    body = draw(st.text(CREDIT_CODE_CHARSET, min_size=17, max_size=17))
    return body + credit_code_check_char(body)


# The masker leaves all-letter tokens alone on purpose (they are usually words).
credit_codes_with_a_digit = credit_codes().filter(lambda code: any(c in DIGITS for c in code))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("371502199001011234", "3715**********1234"),
        ("37150219900101123X", "3715**********123X"),
        ("91350100M000100Y43", "9135**********0Y43"),
        ("371502900101123", "3715*******1123"),
        ("E12345678", "E1*****78"),  # passport: 4 + 4 would reveal 8 of 9 characters
        ("12345678", "12****78"),
        ("1234567", "******7"),
        ("1", "1"),
        ("", ""),
    ],
)
def test_mask_id_number(value: str, expected: str) -> None:
    assert mask_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13800000000", "138****0000"),
        ("+86 139-1234-5678", "139****5678"),
        ("0635-8888888", "0635-***8888"),
        ("06358888888", "0635-***8888"),
        ("010-88888888", "010-****8888"),
        ("0635-8888888-123", "0635-***8888-***"),
        ("not a phone 12345", "not *********2345"),
    ],
)
def test_mask_phone(value: str, expected: str) -> None:
    assert mask_phone(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "申请人张三，身份证号371502199001011234，联系电话13800000000。",
            "申请人张三，身份证号3715**********1234，联系电话138****0000。",
        ),
        ("证件号码：37150219900101123x；", "证件号码：3715**********123x；"),
        ("老身份证371502900101123号", "老身份证3715*******1123号"),
        (
            "统一社会信用代码91350100M000100Y43的单位",
            "统一社会信用代码9135**********0Y43的单位",
        ),
        ("id=371502199001011234&x=1", "id=3715**********1234&x=1"),
        ("手机+8613912345678或0086 139-1234-5678", "手机+86139****5678或0086 139****5678"),
        ("电话 138 0000 0000 转办", "电话 138****0000 转办"),
        ("座机0635-8888888", "座机0635-***8888"),
        # Longer digit runs are other things (order numbers, bank cards, timestamps).
        ("订单号12345678901234567890", "订单号12345678901234567890"),
        ("流水号213800000000", "流水号213800000000"),
        ("编号1380000000012", "编号1380000000012"),
        # 18-letter words, and 18-character tokens whose check character fails, stay.
        ("ABCDEFGHJKLMNPQRTU", "ABCDEFGHJKLMNPQRTU"),
        ("token 91350100M000100Y44 end", "token 91350100M000100Y44 end"),
        ("日期2024-10-01，金额12000元", "日期2024-10-01，金额12000元"),
        ("没有数字的文本", "没有数字的文本"),
        ("", ""),
    ],
)
def test_mask_sensitive_text(text: str, expected: str) -> None:
    assert mask_sensitive_text(text) == expected


@given(CHINESE_CONTEXT, resident_ids(), CHINESE_CONTEXT)
def test_resident_ids_in_chinese_text_are_masked(before: str, value: str, after: str) -> None:
    masked = mask_sensitive_text(before + value + after)
    assert value[4:14] not in masked
    assert masked == before + mask_id_number(value) + after


@given(CHINESE_CONTEXT, credit_codes_with_a_digit, CHINESE_CONTEXT)
def test_credit_codes_in_chinese_text_are_masked(before: str, value: str, after: str) -> None:
    masked = mask_sensitive_text(before + value + after)
    assert value[4:14] not in masked
    assert masked == before + mask_id_number(value) + after


@given(CHINESE_CONTEXT, mobiles(), CHINESE_CONTEXT)
def test_mobiles_in_chinese_text_are_masked(before: str, value: str, after: str) -> None:
    masked = mask_sensitive_text(before + value + after)
    # The middle may equal the visible last four ("13000000000"), so check the span itself.
    assert masked[len(before) + 3 : len(before) + 7] == "****"
    assert masked == before + value[:3] + "****" + value[7:] + after


@given(resident_ids())
def test_masked_id_hides_the_middle(value: str) -> None:
    masked = mask_id_number(value)
    assert masked == value[:4] + "*" * 10 + value[14:]


@given(mobiles())
def test_masked_phone_hides_the_middle(value: str) -> None:
    assert mask_phone(value) == value[:3] + "****" + value[7:]


@given(st.uuids(), CHINESE_CONTEXT, mobiles())
def test_uuids_pass_untouched_while_numbers_beside_them_are_masked(
    record_id, before: str, mobile: str
) -> None:
    # A UUID's last group may hold a mobile's shape: "01a248c7-7bca-7766-a333-f17923014875".
    shaped = f"01a248c7-7bca-7766-a333-f{mobile}"
    for text_id in (str(record_id), shaped, shaped.upper()):
        text = f"{before}{text_id}，电话{mobile}"
        assert mask_sensitive_text(text) == f"{before}{text_id}，电话{mask_phone(mobile)}"
        assert mask_sensitive_text(text_id) == text_id


def test_audit_changes_keep_record_ids_and_mask_phones() -> None:
    from app.domain.audit.redaction import redact

    shaped = "01a248c7-7bca-7766-a333-f17923014875"
    changes = {"withdrawn_memberships": [shaped], "reason": "来电13812345678"}
    assert redact(changes) == {
        "withdrawn_memberships": [shaped],
        "reason": "来电138****5678",
    }
