"""What makes a typical case's text identify someone (SPEC 2.13)."""

import pytest

from app.domain.typical.deidentify import ensure_deidentified, traces_of
from app.errors import ValidationFailed

TRACES = traces_of(["王某某", "聊城某某建材有限公司"], ["E12345678", "13912345678", None])


@pytest.mark.parametrize(
    "text",
    [
        "王某某不服征收补偿决定",  # an applicant's name
        "聊城某某建材有限公司对处罚不服",  # a company applicant's name
        "护照号 e1234 5678 的申请人",  # an applicant's number, spaced and in lower case
        "联系电话139-1234-5678",  # an applicant's phone, with separators
        "身份证号371502199001011234",  # shaped like a resident ID, whoever it is
        "请致电13800000000",  # shaped like a mobile number
    ],
)
def test_text_that_identifies_someone_is_refused(text):
    with pytest.raises(ValidationFailed) as refused:
        ensure_deidentified({"summary": text}, TRACES)
    [error] = refused.value.extra["errors"]
    assert (error["field"], error["code"]) == ("summary", "summary_not_deidentified")


def test_a_de_identified_account_passes_and_the_field_is_named():
    ensure_deidentified({"summary": "某街道房屋征收补偿争议经调解达成协议并已履行。"}, TRACES)
    with pytest.raises(ValidationFailed) as refused:
        ensure_deidentified({"title": "王某某案", "summary": "经调解化解"}, TRACES)
    assert refused.value.extra["errors"][0]["field"] == "title"
