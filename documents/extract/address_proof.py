"""Address proof (utility bill, lease): holder, premises address, issue date."""
from __future__ import annotations

import re

from documents.extract.lines import Line, all_lines, labelled_values, passes
from documents.extract.gazetteer import correct_admin_prefix
from documents.extract.values import field, find_dates, repaired
from documents.types import ExtractedField, OcrReading

# Most specific first: a lease names both parties, a bill has several dates.
HOLDER_ANCHORS = ("承租方(乙方)", "承租人(乙方)", "承租方", "承租人", "户名", "客户名称", "用户名称", "乙方")
ADDRESS_ANCHORS = ("用电地址", "用水地址", "用气地址", "房屋地址", "房屋坐落", "租赁地址", "坐落", "地址")
DATE_ANCHORS = ("开票日期", "出账日期", "账单日期", "签订日期", "签约日期", "打印日期", "缴费日期", "日期")
LABELS = (
    "户名", "户号", "用电地址", "用水地址", "地址", "计费周期", "本期电量", "应缴金额", "缴费截止日期", "开票日期",
    "出租方", "承租方", "身份证号码", "联系电话", "房屋用途", "建筑面积", "签订日期",
)
_HOLDER = re.compile(r"[\u4e00-\u9fff·()]{2,40}")


def extract(reading: OcrReading) -> dict[str, ExtractedField]:
    lines = all_lines(reading)
    fields = {
        "holder_name": _holder(lines),
        "address": _address(reading),
        "issue_date": _issue_date(lines),
    }
    return {name: value for name, value in fields.items() if value is not None}


def _holder(lines: list[Line]) -> ExtractedField | None:
    for anchor in HOLDER_ANCHORS:  # anchor priority beats line order
        for labelled in labelled_values(lines, (anchor,), LABELS):
            match = _HOLDER.search(labelled.value)
            if match:
                return field(match.group(), labelled.confidence)
    return None


def _address(reading: OcrReading) -> ExtractedField | None:
    for anchor in ADDRESS_ANCHORS:
        for lines in passes(reading):
            for labelled in labelled_values(lines, (anchor,), LABELS):
                more = labelled.continuation(lines, LABELS)
                value = labelled.value + "".join(line.compact for line in more)
                if len(value) >= 4:
                    ocr = [labelled.confidence] + [line.confidence for line in more]
                    return repaired(value, sum(ocr) / len(ocr), correct_admin_prefix)
    return None


def _issue_date(lines: list[Line]) -> ExtractedField | None:
    for anchor in DATE_ANCHORS:
        for labelled in labelled_values(lines, (anchor,), LABELS, window=8):
            dates = find_dates(labelled.value)
            if dates:
                return field(dates[0].isoformat(), labelled.confidence)
    return None
