"""Field extraction on hand-built OCR readings, including the noise Tesseract really produces."""
from __future__ import annotations

import pytest

from documents.fields import extract_fields
from documents.extract.gazetteer import correct_admin_prefix, correct_authority
from documents.extract.lines import find_anchor
from documents.extract.normalize import compact, normalize_text, remove_cjk_spaces, to_halfwidth
from documents.types import DocumentType, OcrLine, OcrPass, OcrReading
from documents.checksums import luhn_is_valid, ric_is_valid, uscc_is_valid

ID_NUMBER = "440781197506032481"
CARD = "6222021234567890128"
USCC = "92440781MA4W1ABC1C"

Row = tuple[str, float] | tuple[str, float, tuple[int, int, int, int]]


def reading(*passes: list[Row]) -> OcrReading:
    return OcrReading(
        engine="test", pipeline_version="test",
        passes=[OcrPass(name=f"pass{i}", lines=[OcrLine(text=row[0], confidence=row[1], box=row[2] if len(row) > 2 else None)
                                               for row in rows])
                for i, rows in enumerate(passes)],
    )


def values(fields: dict) -> dict[str, str | None]:
    return {name: field.value for name, field in fields.items()}


def test_fixture_identifiers_are_valid() -> None:
    assert ric_is_valid(ID_NUMBER) and luhn_is_valid(CARD) and uscc_is_valid(USCC)


# --- ID card front -------------------------------------------------------------------------

ID_FRONT_CHI_SIM = [  # chi_sim's spaces between characters, quote specks, wrapped address
    ("姓 名 “ 王 昌 良", 0.9, (87, 87, 200, 48)),
    ("性 别 ” 男 民 族 汉", 0.9, (87, 160, 370, 48)),
    ("出 生 1975 年 6 月 3 日", 0.9, (87, 230, 370, 48)),
    ("住 址 广 东 省 江 门 市 台 山 市 北 陡 镇", 0.9, (87, 304, 470, 48)),
    ("沙 咀 村 12 号", 0.9, (194, 350, 200, 48)),
    (f"公 民 身 份 号 码 {ID_NUMBER}", 0.9, (87, 560, 700, 48)),
]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(ID_FRONT_CHI_SIM, {
            "name": "王昌良", "sex": "男", "ethnicity": "汉", "birth_date": "1975-06-03",
            "address": "广东省江门市台山市北陡镇沙咀村12号", "id_number": ID_NUMBER, "card_side": "front",
        }, id="chi-sim-spacing-and-wrapped-address"),
        pytest.param([
            ("姓名 王昌良", 0.9), ("性别 男 民族 汉", 0.9),
            ("出生 1975年6月3日", 0.9),
            ("公民身份号码 ４４０７８１１９７５０６０３２４８１", 0.9),
        ], {"name": "王昌良", "sex": "男", "ethnicity": "汉", "birth_date": "1975-06-03", "id_number": ID_NUMBER,
            "card_side": "front"}, id="full-width-digits"),
        pytest.param([
            ("姓名 王昌良", 0.9), ("公民号份号码 44O781l975O6O32481", 0.8),  # misread label and O/l for 0/1
        ], {"name": "王昌良", "id_number": ID_NUMBER, "card_side": "front"}, id="look-alike-letters-in-number"),
        pytest.param([("出生 1987年1月了日", 0.9)], {"birth_date": "1987-01-07"}, id="seven-read-as-le"),
    ],
)
def test_id_card_front(rows: list[Row], expected: dict[str, str]) -> None:
    fields = extract_fields(reading(rows), DocumentType.ID_CARD_FRONT)
    assert values(fields) == expected


def test_id_number_checksum_picks_the_valid_pass_over_a_misread_page() -> None:
    misread = ID_NUMBER[:10] + "8" + ID_NUMBER[11:]  # 0 read as 8: check character no longer fits
    assert not ric_is_valid(misread)
    page = [("姓名 王昌良", 0.9), (f"公民身份号码 {misread}", 0.95)]
    digits = [(ID_NUMBER, 0.6)]
    fields = extract_fields(reading(page, digits), DocumentType.ID_CARD_FRONT)
    assert fields["id_number"].value == ID_NUMBER
    assert fields["id_number"].confidence >= 0.8


def test_id_number_that_fails_its_check_is_kept_with_low_confidence() -> None:
    misread = ID_NUMBER[:10] + "8" + ID_NUMBER[11:]
    fields = extract_fields(reading([(f"公民身份号码 {misread}", 0.95)]), DocumentType.ID_CARD_FRONT)
    assert fields["id_number"].value == misread
    assert fields["id_number"].confidence < 0.5


def test_birth_date_conflicting_with_the_id_number_loses_confidence() -> None:
    agree = extract_fields(reading([("出生 1975年6月3日", 0.7), (f"公民身份号码 {ID_NUMBER}", 0.9)]),
                           DocumentType.ID_CARD_FRONT)
    conflict = extract_fields(reading([("出生 1976年6月3日", 0.7), (f"公民身份号码 {ID_NUMBER}", 0.9)]),
                              DocumentType.ID_CARD_FRONT)
    assert conflict["birth_date"].value == "1976-06-03"  # what is printed, for the rules to judge
    assert conflict["birth_date"].confidence < agree["birth_date"].confidence


def test_portrait_junk_on_its_own_segment_stays_out_of_the_address() -> None:
    rows: list[Row] = [
        ("住址 广东省江门市台山市北陡镇", 0.9, (87, 304, 470, 48)),
        ("和", 0.0, (758, 179, 107, 286)),
        ("沙咀村12号", 0.9, (194, 350, 200, 48)),
        (f"公民身份号码 {ID_NUMBER}", 0.9, (87, 560, 700, 48)),
    ]
    fields = extract_fields(reading(rows), DocumentType.ID_CARD_FRONT)
    assert fields["address"].value == "广东省江门市台山市北陡镇沙咀村12号"


# --- ID card back --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param([("签 发 机 关 台 山 市 公 安 局", 0.9), ("有 效 期 限 2016.05.20-2036.05.20", 0.9)],
                     {"issuing_authority": "台山市公安局", "valid_from": "2016-05-20", "valid_until": "2036-05-20",
                      "card_side": "back"}, id="dated"),
        pytest.param([("签发机关 北京市公安局朝阳分局", 0.9), ("有效期限 2001.01.09-长期", 0.9)],
                     {"issuing_authority": "北京市公安局朝阳分局", "valid_from": "2001-01-09", "valid_until": "长期",
                      "card_side": "back"}, id="long-term"),
        pytest.param([("签发机关 西安市公安局礁塔分局", 0.9), ("有效期限。2015.11.14—2035.11.14", 0.9)],
                     {"issuing_authority": "西安市公安局雁塔分局", "valid_from": "2015-11-14",
                      "valid_until": "2035-11-14", "card_side": "back"}, id="misread-district-repaired"),
        pytest.param([("中华人民共和国", 0.9), ("居民身份证", 0.9)], {"card_side": "back"}, id="fields-unreadable"),
    ],
)
def test_id_card_back(rows: list[Row], expected: dict[str, str]) -> None:
    assert values(extract_fields(reading(rows), DocumentType.ID_CARD_BACK)) == expected


def test_validity_period_of_unusual_length_is_less_confident() -> None:
    standard = extract_fields(reading([("有效期限 2016.05.20-2036.05.20", 0.9)]), DocumentType.ID_CARD_BACK)
    unusual = extract_fields(reading([("有效期限 2016.05.20-2033.05.20", 0.9)]), DocumentType.ID_CARD_BACK)
    assert unusual["valid_until"].value == "2033-05-20"
    assert unusual["valid_until"].confidence < standard["valid_until"].confidence


# --- bank card -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("passes", "expected"),
    [
        pytest.param([[("中国工商银行 借记卡", 0.9), ("6222 0212 3456 7890 128", 0.9), ("WANG CHANGLIANG", 0.9)]],
                     CARD, id="grouped"),
        pytest.param([[("6222 O212 3456 789O 128", 0.9)]], CARD, id="letter-o-for-zero"),
        pytest.param([[("60222 0212 3456 7890 128", 0.9)], [("6222 0212 3456 7890 128", 0.0)]], CARD,
                     id="extra-digit-on-page-whitelist-pass-right"),
        pytest.param([[("6222 0212 3456 7890 126", 0.95)], [("6222 0212 3456 7890 128", 0.5)]], CARD,
                     id="luhn-picks-second-pass"),
    ],
)
def test_bank_card(passes: list[list[Row]], expected: str) -> None:
    fields = extract_fields(reading(*passes), DocumentType.BANK_CARD)
    assert fields["card_number"].value == expected
    assert fields["card_number"].confidence >= 0.6


def test_a_number_with_digits_lost_is_kept_as_a_doubtful_partial_reading() -> None:
    # As on card-guaili-05 of the real corpus: a digit under a reflection, 15 of 16 read.
    fields = extract_fields(reading([("4581 2359 848 6268", 0.9), ("客服 95588", 0.9)]), DocumentType.BANK_CARD)
    assert fields["card_number"].value == "458123598486268" and fields["card_number"].confidence < 0.6
    assert extract_fields(reading([("6222 0212 345", 0.9)]), DocumentType.BANK_CARD) == {}  # 11: too few


def test_bank_card_without_a_number_has_no_field() -> None:
    assert extract_fields(reading([("中国银行 借记卡", 0.9), ("VALID THRU 08/30", 0.9)]), DocumentType.BANK_CARD) == {}


# --- business licence ----------------------------------------------------------------------

LICENCE_TWO_COLUMNS: list[Row] = [
    ("统一社会信用代码", 0.9, (113, 100, 206, 26)),
    ("9244O781MA4W1ABC1C 生生", 0.5, (114, 130, 599, 89)),  # O for 0 and seal specks
    ("名 称", 0.8, (142, 350, 117, 29)),
    ("台山市北陡镇昌良小吃店", 0.9, (327, 350, 330, 28)),
    ("组成形式 个人经营", 0.9, (921, 345, 306, 42)),
    ("类 型 个体工商户", 0.9, (142, 421, 332, 43)),
    ("注册日期 2021年05月08日", 0.9, (921, 420, 405, 41)),
    ("经营者 王昌良", 0.9, (141, 501, 274, 29)),
    ("经营场所 广东省江门市台山市北陡镇沙咀", 0.9, (921, 497, 590, 43)),
    ("村12号", 0.9, (1107, 544, 91, 46)),
    ("经营范围 餐饮服务;食品销售", 0.9, (141, 574, 572, 43)),
]


def test_business_license_two_columns() -> None:
    fields = extract_fields(reading(LICENCE_TWO_COLUMNS), DocumentType.BUSINESS_LICENSE)
    assert values(fields) == {
        "uscc": USCC, "company_name": "台山市北陡镇昌良小吃店", "legal_representative": "王昌良",
        "address": "广东省江门市台山市北陡镇沙咀村12号",
    }


def test_business_license_columns_merged_on_one_line() -> None:
    rows: list[Row] = [
        ("名 称 北京市朝阳区新华烟酒商行 组成形式 个人经营", 0.9),
        ("法定代表人 吴建斌 营业期限 长期", 0.9),
        ("住 所 北京市朝阳区酒仙桥路371号一楼", 0.9),
    ]
    assert values(extract_fields(reading(rows), DocumentType.BUSINESS_LICENSE)) == {
        "company_name": "北京市朝阳区新华烟酒商行", "legal_representative": "吴建斌",
        "address": "北京市朝阳区酒仙桥路371号一楼",
    }


def test_uscc_checksum_picks_the_targeted_pass() -> None:
    misread = USCC[:12] + "N" + USCC[13:]  # W read as N in the page pass
    fields = extract_fields(reading([(misread, 0.9)], [(USCC, 0.4)]), DocumentType.BUSINESS_LICENSE)
    assert fields["uscc"].value == USCC


BAD_USCC = USCC[:-1] + "0"  # a wrong check character: no genuine licence carries it


@pytest.mark.parametrize(("passes", "confidence_at_least", "confidence_below"), [
    # the page pass and the whitelisted re-read agree character for character: read as printed
    pytest.param([[(f"{BAD_USCC} 生生", 0.53)], [(BAD_USCC, 0.72)]], 0.72, 1.01, id="passes-agree"),
    # they disagree (one misread), or only one pass read it: a guess, kept low for staff
    pytest.param([[(BAD_USCC[:12] + "N" + BAD_USCC[13:], 0.9)], [(BAD_USCC, 0.9)]], 0.0, 0.4, id="passes-disagree"),
    pytest.param([[(BAD_USCC, 0.9)]], 0.0, 0.4, id="one-pass"),
    # a speck glued to the code makes a longer run: its windows are weaker readings, not agreement
    pytest.param([[(BAD_USCC + "4", 0.9)], [(BAD_USCC, 0.9)]], 0.0, 0.4, id="page-pass-not-whole"),
])
def test_invalid_credit_code_is_trusted_only_when_passes_agree(passes, confidence_at_least, confidence_below) -> None:
    fields = extract_fields(reading(*passes), DocumentType.BUSINESS_LICENSE)
    assert confidence_at_least <= fields["uscc"].confidence < confidence_below
    if confidence_at_least:
        assert fields["uscc"].value == BAD_USCC


def test_invalid_card_numbers_read_alike_by_both_passes_keep_their_confidence() -> None:
    bad_id = ID_NUMBER[:-1] + "0"
    front = extract_fields(reading([(f"公民身份号码 {bad_id}", 0.84)], [(bad_id, 0.0)]), DocumentType.ID_CARD_FRONT)
    assert (front["id_number"].value, front["id_number"].confidence) == (bad_id, 0.84)
    failing_luhn = CARD[:-1] + "9"
    card = extract_fields(reading([("6222 0212 3456 7890 129", 0.82)], [("6222 0212 3456 7890 129", 0.96)]),
                          DocumentType.BANK_CARD)
    assert (card["card_number"].value, card["card_number"].confidence) == (failing_luhn, 0.96)


def test_company_name_with_misread_district_is_repaired_and_less_confident() -> None:
    clean = extract_fields(reading([("名称 长沙市岳麓区金源五金店", 0.9)]), DocumentType.BUSINESS_LICENSE)
    repaired = extract_fields(reading([("名称 长沙市岳苯区金源五金店", 0.9)]), DocumentType.BUSINESS_LICENSE)
    assert repaired["company_name"].value == "长沙市岳麓区金源五金店"
    assert repaired["company_name"].confidence < clean["company_name"].confidence


# --- address proof -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param([
            ("国网湖北省电力有限公司武汉供电公司", 0.9), ("电费缴费通知单", 0.9),
            ("户名:马玉新 户号: 2492483749", 0.9),
            ("用电地址:湖北省武汉市武昌区徐东大街72号一楼", 0.9),
            ("应缴金额: 501.80元 缴费截止日期: 2026年11月26日", 0.9),  # a date that is not the issue date
            ("开票日期: 2026年11月11日", 0.9),
        ], {"holder_name": "马玉新", "address": "湖北省武汉市武昌区徐东大街72号一楼", "issue_date": "2026-11-11"},
            id="electricity-bill"),
        pytest.param([
            ("房屋租赁合同", 0.9), ("出租方〈甲方) :何女士", 0.8), ("承租方(乙方) :吴建斌", 0.8),
            ("房屋地址:北京市朝阳区酒仙桥路371号一楼", 0.9),
            ("租赁期自2026年11月01日起至2027年10月31日止。", 0.9),
            ("签订日期: 2026.10.16", 0.9),
        ], {"holder_name": "吴建斌", "address": "北京市朝阳区酒仙桥路371号一楼", "issue_date": "2026-10-16"},
            id="lease"),
        pytest.param([
            ("房屋地址:广东省江门市台山市台城街道环市中路35号", 0.9, (125, 623, 1000, 49)),
            ("首层", 0.9, (125, 690, 80, 49)),  # wrapped to the margin of running text
            ("房屋用途:商业经营", 0.9, (125, 757, 400, 49)),
        ], {"address": "广东省江门市台山市台城街道环市中路35号首层"}, id="address-wrapped-at-margin"),
    ],
)
def test_address_proof(rows: list[Row], expected: dict[str, str]) -> None:
    assert values(extract_fields(reading(rows), DocumentType.ADDRESS_PROOF)) == expected


# --- across types --------------------------------------------------------------------------

@pytest.mark.parametrize("document_type", list(DocumentType))
def test_empty_reading_gives_no_fields(document_type: DocumentType) -> None:
    assert extract_fields(reading([]), document_type) == {}


def test_photos_have_no_fields_even_with_text() -> None:
    assert extract_fields(reading([("收银台", 0.9)]), DocumentType.STOREFRONT_PHOTO) == {}


def test_every_confidence_is_a_probability() -> None:
    for rows, document_type in ((ID_FRONT_CHI_SIM, DocumentType.ID_CARD_FRONT),
                                (LICENCE_TWO_COLUMNS, DocumentType.BUSINESS_LICENSE)):
        for field in extract_fields(reading(rows), document_type).values():
            assert 0.0 <= field.confidence <= 1.0


# --- helpers others reuse ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("王 昌 良", "王昌良"),
        ("６２２２　０２１２", "6222 0212"),
        ("户名：马玉新", "户名:马玉新"),
        ("徐东大街 72 号 一楼", "徐东大街72号一楼"),
        ("“ 姓 名 ” 王", "姓名王"),
        ("WANG  CHANGLIANG", "WANG CHANGLIANG"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_normalise_building_blocks() -> None:
    assert to_halfwidth("ＡＢＣ１２３（）") == "ABC123()"
    assert remove_cjk_spaces("台山 市 12 34") == "台山市12 34"
    assert compact(" 4407 8119 ") == "44078119"


@pytest.mark.parametrize(
    ("text", "anchor", "found"),
    [
        ("公民号份号码440781", "公民身份号码", True),  # one misread character in six
        ("名,称,上海市徐汇区", "名称", True),  # punctuation specks between label characters
        ("姓石王昌良", "姓名", False),  # two-character labels must be exact
        ("法定代表人马玉新", "法定代表人", True),
    ],
)
def test_find_anchor(text: str, anchor: str, found: bool) -> None:
    assert (find_anchor(text, anchor) is not None) is found


@pytest.mark.parametrize(
    ("text", "expected", "changed"),
    [
        ("湖南省长沙市岳苯区金星北路", "湖南省长沙市岳麓区金星北路", True),
        ("南京市玄武区嘉禾理发店", "南京市玄武区嘉禾理发店", False),  # exact city, not a misread 北京市
        ("北京市朝阳区建国路15号", "北京市朝阳区建国路15号", False),
        ("广东省江门市台山市北陡镇", "广东省江门市台山市北陡镇", False),
    ],
)
def test_admin_prefix_repair(text: str, expected: str, changed: bool) -> None:
    assert correct_admin_prefix(text) == (expected, changed)


def test_authority_repair_refuses_ambiguous_districts() -> None:
    assert correct_authority("上海市公安局徐江分局") == ("上海市公安局徐江分局", False)  # 徐汇 or 松江?
    assert correct_authority("长沙市公安局岳条分局") == ("长沙市公安局岳麓分局", True)


def test_authority_loses_a_stray_stroke_read_before_the_city() -> None:
    assert correct_authority("一成都市公安局武侯区分局") == ("成都市公安局武侯区分局", True)
    assert correct_authority("一西安市公安局雁塔分局") == ("西安市公安局雁塔分局", True)


def test_a_city_written_without_its_shi_starts_an_address_only_before_a_district_or_zone() -> None:
    from documents.extract.gazetteer import starts_with_division

    assert starts_with_division("郑州高新区翠竹街1号") and starts_with_division("北京朝阳区建国路")
    assert starts_with_division("郑州金水区") and starts_with_division("上海浦东新区")
    assert not starts_with_division("郑州路88号") and not starts_with_division("北京路") \
        and not starts_with_division("许可证")
