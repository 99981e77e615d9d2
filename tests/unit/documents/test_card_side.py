"""Which side of an ID card OCR lines show: front, back, no ID card at all, or too little to tell."""
from __future__ import annotations

import pytest

from documents.extract.card_side import CardSide, classify_card_side
from documents.extract.lines import all_lines
from documents.types import OcrLine, OcrPass, OcrReading

ID_NUMBER = "440781197506032481"


def lines(*rows: tuple[str, float]):
    reading = OcrReading(engine="test", pipeline_version="test",
                         passes=[OcrPass(name="page", lines=[OcrLine(text=t, confidence=c) for t, c in rows])])
    return all_lines(reading)


FRONT_PAGE = [("姓 名 王 昌 良", 0.9), ("性 别 男 民 族 汉", 0.9), ("出 生 1975 年 6 月 3 日", 0.9),
              ("住 址 广 东 省 江 门 市 台 山 市", 0.9), (f"公 民 身 份 号 码 {ID_NUMBER}", 0.9)]
BACK_PAGE = [("中 华 人 民 共 和 国", 0.9), ("居 民 身 份 证", 0.9), ("签 发 机 关 台 山 市 公 安 局", 0.9),
             ("有 效 期 限 2016.05.20-2036.05.20", 0.9)]

CASES = [
    # rows, side, confidence at least
    pytest.param(FRONT_PAGE, CardSide.FRONT, 0.9, id="front"),
    pytest.param(BACK_PAGE, CardSide.BACK, 0.9, id="back"),
    # the number alone (labels lost to glare) is enough: nothing else prints 17 digits with a birth date
    pytest.param([("王昌良", 0.5), (ID_NUMBER, 0.8)], CardSide.FRONT, 0.8, id="front-number-only"),
    # one stray mark of something else (a bank's name in the address) does not outweigh the front
    pytest.param(FRONT_PAGE + [("中国银行宿舍", 0.9)], CardSide.FRONT, 0.9, id="front-with-a-stray-word"),
    # an invalid check digit is still a front: whether it is genuine is for the rules
    pytest.param([(ID_NUMBER[:-1] + "0", 0.8)], CardSide.FRONT, 0.8, id="front-invalid-number"),
    pytest.param([("公民号份号码 44O781l975O6O32481", 0.7)], CardSide.FRONT, 0.7, id="front-misread-label-and-digits"),
    pytest.param([("签发机关 台山市公安局", 0.8), ("有效期限 2001.01.09-长期", 0.7)], CardSide.BACK, 0.8,
                 id="back-labels-only"),
    pytest.param([("AR中华人民共和国", 0.7), ("居民身分证", 0.5)], CardSide.BACK, 0.7, id="back-title-misread"),
    # other documents
    pytest.param([("中国工商银行", 0.9), ("借记卡", 0.9), ("6222 0212 3456 7890 128", 0.9), ("银联", 0.8)],
                 CardSide.NOT_ID_CARD, 0.9, id="bank-card"),
    pytest.param([("营业执照", 0.9), ("统一社会信用代码", 0.9), ("92440781MA4W1ABC1C", 0.8),
                  ("名称 台山市北陡镇昌良小吃店", 0.9), ("经营者 王昌良", 0.9)], CardSide.NOT_ID_CARD, 0.9, id="licence"),
    # a lease cites 中华人民共和国民法典, a bill's period looks like a validity range: outweighed
    pytest.param([("房屋租赁合同", 0.9), ("出租方（甲方）：李先生", 0.9), ("承租方（乙方）：王昌良", 0.9),
                  ("根据《中华人民共和国民法典》及有关规定", 0.9)], CardSide.NOT_ID_CARD, 0.9, id="lease"),
    pytest.param([("电费缴费通知单", 0.9), ("户名：王昌良 户号：0123456789", 0.9),
                  ("计费周期：2026.10.01-2026.10.31", 0.9)], CardSide.NOT_ID_CARD, 0.9, id="electricity-bill"),
    pytest.param([("欢迎光临 昌良小吃店 营业时间 早七点", 0.8)], CardSide.NOT_ID_CARD, 0.8, id="legible-text-no-marks"),
]


@pytest.mark.parametrize("rows, side, min_confidence", CASES)
def test_side(rows, side, min_confidence):
    verdict = classify_card_side(lines(*rows))
    assert verdict.side == side, verdict
    assert verdict.confidence >= min_confidence


NO_VERDICT = [
    pytest.param([], id="nothing-read"),
    pytest.param([("攻es", 0.07), ("|付款| 将", 0.52), ("民握", 0.35)], id="blurred-shop-photo"),
    pytest.param([("姓名 王昌良", 0.9)], id="one-label-could-be-a-misread"),
    # a photocopy of both sides on one page: the slot it was sent in decides
    pytest.param(FRONT_PAGE + BACK_PAGE, id="both-sides-on-one-page"),
    pytest.param([("中国银行 借记卡", 0.9), (f"公民身份号码 {ID_NUMBER}", 0.9)], id="marks-of-two-documents"),
]


@pytest.mark.parametrize("rows", NO_VERDICT)
def test_no_verdict(rows):
    verdict = classify_card_side(lines(*rows))
    assert verdict.side is None and verdict.confidence == 0.0


def test_verdict_names_the_marks_it_found():
    verdict = classify_card_side(lines(*BACK_PAGE))
    assert verdict.back_marks == ("validity_range", "中华人民共和国", "居民身份证", "有效期限", "签发机关")
    assert verdict.front_marks == () and verdict.other_marks == ()
