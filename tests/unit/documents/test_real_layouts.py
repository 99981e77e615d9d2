"""Extraction on the OCR output of real documents (bench/real_corpus): lines and boxes as RapidOCR returned
them for images the product misread, copied from `bench/ocr_accuracy.py --dump`; each test names its item."""
from __future__ import annotations

import numpy as np
from PIL import Image

from documents.checksums import registration_number_is_valid
from documents.fields import extract_fields
from documents.ocr.rapid import char_alternatives
from documents.ocr.orient import Oriented, candidate_turns, reads_across, shaped_like, with_identifier_of_other_turns
from documents.types import CharAlternative, DocumentType, ExtractedField, OcrLine, OcrPass, OcrReading

Row = tuple[str, float, tuple[int, int, int, int]]
LICENCE = DocumentType.BUSINESS_LICENSE


def page_pass(rows: list[Row]) -> OcrPass:
    return OcrPass(name="page_rapid", lines=[OcrLine(text=text, confidence=conf, box=box) for text, conf, box in rows])


def read(rows: list[Row], document_type: DocumentType = LICENCE) -> dict[str, str]:
    reading = OcrReading(engine="test", pipeline_version="test", passes=[page_pass(rows)])
    return {name: extracted.value for name, extracted in extract_fields(reading, document_type).items()}


# lic-lhwl-beijing-scan: the 2015-2017 portrait 副本; the first characters of 名称 类型 住所 came as one tall
# segment (名类住), the second ones glued to the values.
PORTRAIT_COPY_LABEL_COLUMN = [
    ("统一社会信用代码91110114064948511J", 0.999, (1309, 1263, 875, 63)),
    ("称北京领航未来办公设备有限公司", 1.0, (682, 1392, 945, 79)),
    ("型有限责任公司(自然人投资或控股)", 1.0, (696, 1488, 975, 71)),
    ("名类住", 1.0, (402, 1389, 85, 315)),
    ("所北京市昌平区沙河镇松兰堡村西B-505", 1.0, (696, 1581, 1074, 71)),
    ("法定代表人黄新燕", 0.999, (408, 1671, 584, 82)),
    ("注册资本200万元", 1.0, (422, 1764, 600, 82)),
    ("成立日期2013年03月11日", 0.999, (424, 1863, 789, 82)),
]
# lic-gttlab-suzhou: the same template at 524 px; each first character a segment of its own.
PORTRAIT_COPY_LONE_CHARACTERS = [
    ("统一社会信用代码 91320506061841057Q（1/1)", 0.969, (232, 272, 219, 12)),
    ("名", 1.0, (93, 306, 12, 12)),
    ("称苏州绿创检测技术服务有限公司", 0.998, (150, 306, 190, 14)),
    ("类", 1.0, (93, 326, 12, 13)),
    ("型有限责任公司", 0.999, (150, 326, 94, 13)),
    ("住", 0.999, (93, 345, 13, 13)),
    ("所苏州市吴中区木渎镇中山东路70号3106室", 0.984, (150, 346, 238, 13)),
    ("法定代表人熊开胜", 0.977, (93, 365, 117, 15)),
    ("注册资本1000万元整", 0.999, (93, 384, 143, 16)),
]


def test_portrait_copy_with_its_label_characters_in_one_column() -> None:
    assert read(PORTRAIT_COPY_LABEL_COLUMN) == {
        "uscc": "91110114064948511J", "company_name": "北京领航未来办公设备有限公司",
        "legal_representative": "黄新燕", "address": "北京市昌平区沙河镇松兰堡村西B-505",
    }


def test_portrait_copy_with_each_label_character_alone() -> None:
    assert read(PORTRAIT_COPY_LONE_CHARACTERS) == {
        "uscc": "91320506061841057Q", "company_name": "苏州绿创检测技术服务有限公司",
        "legal_representative": "熊开胜", "address": "苏州市吴中区木渎镇中山东路70号3106室",
    }


def test_label_column_read_into_the_name_row_is_not_part_of_the_name() -> None:
    """tpl-photo-0001 (a sole trader's licence printed on the real blank, photographed): the column of first
    label characters came glued to the name's row, 名类称…; the name was taken whole with 名类称 in front, and
    the merchant was asked about a business name that was right."""
    rows = [
        ("统一社会信用代码92370202MA3C4X5Y8N", 0.98, (300, 260, 700, 40)),
        ("名类称青岛市市南区娟佳便利店", 0.97, (120, 400, 560, 44)),
        ("型个体工商户", 0.98, (200, 470, 260, 40)),
        ("经营者王娟", 0.98, (120, 540, 260, 40)),
    ]
    assert read(rows)["company_name"] == "青岛市市南区娟佳便利店"


def test_landscape_copy_address_label_in_the_middle_of_the_scope_row() -> None:
    """lic-xuxu-qingdao-landscape: 住所 shares a detected line with the wrapped 经营范围; the number wraps."""
    rows = [
        ("统一社会信用代码", 0.994, (107, 149, 123, 21)),
        ("9137028535030571XX", 0.986, (106, 178, 127, 16)),
        ("名称青岛法兴法律咨询服务有限公司", 0.992, (104, 267, 291, 28)),
        ("注册资本贰拾万元整", 0.994, (578, 270, 173, 24)),
        ("经营范围律信喜詢）（依法须经批准的项目，经相关部门批准后方可住 所山东省青岛市莱西市水集街道办事处昌隆市场",
         0.961, (101, 369, 849, 34)),
        ("2241号", 0.999, (680, 392, 44, 17)),
        ("政审", 0.996, (832, 475, 53, 32)),
        ("登记机关", 0.999, (639, 523, 108, 22)),
    ]
    fields = read(rows)
    assert fields["address"] == "山东省青岛市莱西市水集街道办事处昌隆市场2241号"
    assert fields["company_name"] == "青岛法兴法律咨询服务有限公司"


def test_address_whose_first_label_character_was_lost() -> None:
    """lic-fitch-rotated: 住 not read at all; 所 followed by a province still starts the address."""
    rows = [
        ("名 称晋城市金工铸业有限公司", 0.987, (86, 272, 184, 19)),
        ("经营范围铸件、机械加工销传：货物进出口：技术进出口（依法须", 0.919, (84, 361, 345, 22)),
        ("所山西省晋城市泽州县高都镇东顿村东南", 0.99, (505, 361, 197, 16)),
        ("经批准的项目，经相关部门批准后方可开展经营活动）", 0.975, (157, 376, 241, 16)),
        ("登记机关", 0.999, (493, 439, 84, 21)),
    ]
    assert read(rows)["address"] == "山西省晋城市泽州县高都镇东顿村东南"


def test_watermark_below_an_address_is_not_part_of_it() -> None:
    """lic-lizheng-watermark: a diagonal watermark's segment (57 px high under 17 px text) below the address."""
    rows = [
        ("住", 1.0, (123, 407, 18, 20)),
        ("所北京市房山区长阳镇嘉州水郡225号5层1-512", 0.999, (192, 409, 303, 17)),
        ("www.qii", 0.92, (274, 421, 75, 57)),
        ("法定代表人郭爱青", 0.896, (123, 430, 141, 20)),
    ]
    assert read(rows)["address"] == "北京市房山区长阳镇嘉州水郡225号5层1-512"


def test_old_licence_with_a_registration_number_and_no_credit_code() -> None:
    """lic-damizhao-old: 注册号 (15 digits) and a 20-digit 证照编号, whose windows are not credit codes."""
    rows = [
        ("注册号310110000759836", 0.999, (234, 271, 169, 16)),
        ("证照编号1000000201508190002", 0.974, (235, 289, 158, 16)),
        ("称上海创邻科技服务有限公司", 1.0, (143, 326, 188, 16)),
        ("型一人有限责任公司（自然人独资）", 0.998, (143, 347, 212, 16)),
        ("名类住", 0.999, (87, 322, 21, 66)),
        ("所上海市杨浦区控江路1142号23幢3132-43室", 0.999, (143, 369, 296, 17)),
        ("法定代表人李婕", 0.996, (90, 391, 108, 16)),
    ]
    assert read(rows) == {
        # the 注册号 also stands where the credit code is expected (the rules' uscc_legacy_registration_number)
        "registration_number": "310110000759836", "uscc": "310110000759836",
        "company_name": "上海创邻科技服务有限公司",
        "legal_representative": "李婕", "address": "上海市杨浦区控江路1142号23幢3132-43室",
    }


def test_enterprise_legal_person_licence_before_2014() -> None:
    """lic-bootstrap-qiyefaren: 注册号 misread 注量号, the person labelled 法定代表人姓名."""
    rows = [
        ("企业法人营业执照", 0.998, (101, 28, 166, 24)),
        ("注量号110113011104699", 0.947, (167, 72, 97, 12)),
        ("名 称北京舜杰佳业装饰有限公司", 0.963, (102, 86, 165, 12)),
        ("法定代表人姓名张海亮", 0.989, (102, 114, 83, 15)),
    ]
    fields = read(rows)
    assert (fields["registration_number"], fields["legal_representative"]) == ("110113011104699", "张海亮")


def test_name_without_its_label_but_not_a_watermark() -> None:
    """lic-bigmax-watermark: 名称 lost under the watermark; the watermark's own text ends in 网站."""
    rows = [
        ("站展示使用仅供有卡啦网站", 0.99, (193, 0, 506, 78)),
        ("统一社会信用代码", 1.0, (251, 384, 133, 22)),
        ("孝感齐天网络有限公司", 1.0, (215, 425, 166, 32)),
        ("型有限责任公司（自然人独资）", 0.99, (186, 454, 235, 26)),
        ("法定代表人刘彪", 1.0, (106, 508, 148, 32)),
    ]
    fields = read(rows)
    assert fields["company_name"] == "孝感齐天网络有限公司"
    assert fields["legal_representative"] == "刘彪"


def test_registration_number_check_digit() -> None:
    for number in ("310110000759836", "110113011104699", "360200210067973"):  # as printed on corpus licences
        assert registration_number_is_valid(number)
    assert not registration_number_is_valid("310110000759837")
    assert not registration_number_is_valid("31011000075983")


def test_licences_are_tried_upright_first_in_either_orientation() -> None:
    portrait = Image.new("L", (600, 850), 255)
    assert candidate_turns(portrait, LICENCE)[0] == 0
    assert set(candidate_turns(portrait, LICENCE)) == {0, 90, 180, 270}
    assert candidate_turns(portrait.rotate(90, expand=True), LICENCE)[0] == 0


def test_a_credit_code_only_a_sideways_read_found_joins_the_upright_reading() -> None:
    """lic-bigmax-watermark: upright, the watermark hides the code; turned, every label and value run together."""
    upright = Oriented(0, [OcrPass(name="page_rapid", lines=[OcrLine(text="法定代表人刘彪", confidence=1.0)])], 2.0,
                       {"legal_representative": ExtractedField(value="刘彪", confidence=1.0)})
    sideways_line = "营业期限长期法定代表人孝感市乾坤大道 仅供有卡啦91420900090584846K仅供有卡啦"
    sideways = Oriented(270, [OcrPass(name="page_rapid", lines=[OcrLine(text=sideways_line, confidence=0.99)])], 3.0,
                        {"uscc": ExtractedField(value="91420900090584846K", confidence=0.99)})
    merged = with_identifier_of_other_turns(upright, [upright, sideways], LICENCE)
    reading = OcrReading(engine="test", pipeline_version="test", passes=merged.passes)
    fields = {name: f.value for name, f in extract_fields(reading, LICENCE).items()}
    assert fields == {"uscc": "91420900090584846K", "legal_representative": "刘彪"}


# --- bank cards ---------------------------------------------------------------------------------

def test_card_number_with_a_full_stop_between_groups() -> None:
    """card-guaili-07 (KB card, printed): every digit right, the groups kept apart by a read full stop."""
    assert read([("46730979.64457133", 0.982, (335, 334, 479, 51))], DocumentType.BANK_CARD) == {
        "card_number": "4673097964457133"}


def test_card_number_groups_read_as_separate_segments_of_one_row() -> None:
    """card-guaili-21 band: the last group a segment of its own, a column gap away; no group is left out."""
    rows = [
        ("6226 6302 0134", 0.82, (177, 498, 599, 72)),
        ("0782", 0.97, (823, 496, 163, 70)),
        ("UnionPay", 0.99, (909, 644, 199, 61)),
    ]
    assert read(rows, DocumentType.BANK_CARD) == {"card_number": "6226630201340782"}


def test_card_number_short_of_a_group_is_not_completed_from_elsewhere() -> None:
    """card-guaili-09: the middle group lost; the expiry and the small print below are other rows."""
    rows = [
        ("62541830", 0.836, (198, 393, 310, 63)),
        ("0568", 0.923, (823, 387, 163, 64)),
        ("THRU 11727", 0.935, (411, 542, 215, 51)),
        ("4581", 0.998, (178, 438, 51, 24)),
    ]
    assert read(rows, DocumentType.BANK_CARD) == {}


def test_embossed_sixes_read_as_b() -> None:
    """card-shawnh2-3 / card-guaili-21: the embossed 6 comes back as b inside its group."""
    rows = [("b22b 1906 0239 2981", 0.77, (172, 633, 1009, 82))]
    assert read(rows, DocumentType.BANK_CARD) == {"card_number": "6226190602392981"}


# --- ID cards ---------------------------------------------------------------------------------

def test_id_address_whose_label_is_misread() -> None:
    """idf-jianhao-card1 (400 px): 住址 read 佳址; the address wraps onto a second line."""
    rows = [
        ("姓名李振冬", 0.998, (33, 41, 79, 25)),
        ("性别男民族汉", 0.978, (32, 68, 108, 21)),
        ("出生1977年5月8日", 0.999, (30, 93, 136, 21)),
        ("佳址吉林省松原市宁江区新城", 0.961, (26, 121, 167, 19)),
        ("乡八家子村八家子屯", 0.996, (60, 140, 107, 18)),
        ("公民身份号码220702197705084210", 0.999, (21, 191, 270, 17)),
    ]
    fields = read(rows, DocumentType.ID_CARD_FRONT)
    assert fields["address"] == "吉林省松原市宁江区新城乡八家子村八家子屯"
    assert (fields["name"], fields["id_number"]) == ("李振冬", "220702197705084210")


def test_credit_code_from_garbage_is_not_taken_even_when_check_valid() -> None:
    """lic-fitch-rotated, tesseract: a page read the wrong way up gave ET282265T2005DHT16, which passes GB 32100."""
    assert "uscc" not in read([("ET282265T2005DHT16", 0.677, (89, 200, 131, 17))])


def test_credit_code_with_a_speck_in_the_targeted_reread() -> None:
    """lic-lhwl-beijing-scan, tesseract: the re-read of the code's line kept a speck (J) in front of the code."""
    reading = OcrReading(engine="test", pipeline_version="test", passes=[
        OcrPass(name="page", lines=[OcrLine(text="统一社会信用代码 9111O114O6494B511J", confidence=0.5)]),
        OcrPass(name="uscc_chars", lines=[OcrLine(text="J91110114064948511J", confidence=0.9)]),
    ])
    assert extract_fields(reading, LICENCE)["uscc"].value == "91110114064948511J"


def test_expiry_date_on_the_number_row_is_no_group_of_the_number() -> None:
    """card-guaili-20 (光大, printed upright), read turned: the whole card is one line, the expiry before the number."""
    rows = [("MR.ZHANG BOYU YAID10/23 6226552167018345 信用卡CreditCard #ank 中国光大银行", 0.94, (0, 0, 793, 491))]
    assert read(rows, DocumentType.BANK_CARD) == {"card_number": "6226552167018345"}


def test_a_near_square_crop_of_a_card_is_not_the_card() -> None:
    """card-guaili-20: the crop found a 489×473 picture on a 491×793 card photo; the photo is read whole."""
    assert not shaped_like(Image.new("RGB", (489, 473)), DocumentType.BANK_CARD)
    assert shaped_like(Image.new("RGB", (522, 325)), DocumentType.BANK_CARD)  # card-shawnh2-5's crop
    assert shaped_like(Image.new("RGB", (600, 850)), LICENCE)


def test_id_labels_misread_by_tesseract_on_a_flat_scan() -> None:
    """idf-jianhao-958, tesseract: 姓名 read 盐名, 住址 read 住直; the values after them are right."""
    rows = [
        ("盐名王建波", 0.655, (76, 76, 277, 59)),
        ("性三别 :三田三民-族汉", 0.56, (76, 167, 386, 52)),
        ("住直 浙江省宁海县桥头胡街道", 0.907, (80, 344, 571, 52)),
    ]
    fields = read(rows, DocumentType.ID_CARD_FRONT)
    assert (fields["name"], fields["address"]) == ("王建波", "浙江省宁海县桥头胡街道")



def test_address_label_inside_ordinary_text_does_not_start_an_address() -> None:
    """The cut before 住所 needs a place name after it: scope text mentioning 住所 stays whole."""
    rows = [
        ("经营范围为企业提供住所托管服务；企业管理咨询", 0.95, (101, 369, 600, 30)),
        ("住 所湖北省武汉市武昌区徐东大街72号", 0.95, (101, 420, 500, 30)),
    ]
    assert read(rows)["address"] == "湖北省武汉市武昌区徐东大街72号"


# tpl-photo-0010: a landscape licence photographed lying on its side, cropped to a portrait page and read upright
# first. The credit code and the name (by its shape) were read, which passed the checks, while the rows ran
# together down the page and the operator (唐玉勇个体工商户) was lost.
SIDEWAYS_LICENCE = [
    ("经营范围法定代表人92610113MAX8JKWU1T统一社会信用代码", 0.993, (592, 117, 409, 294)),
    ("活动。）=经批准的项目，含音像制品）代理记账、唐玉勇个体工商户", 0.969, (496, 272, 239, 194)),
    ("称西安市雁塔区玉勇副食店", 0.998, (733, 240, 66, 366)),
    ("办公用品、", 0.957, (551, 455, 36, 128)),
    ("，经相关部门批准后方可开展经营电脑耗材。、财务会计咨询：销售：财务软件（不营业执照", 0.981, (499, 396, 495, 608)),
    ("（依法须", 0.982, (535, 695, 38, 117)),
    ("（副本）（副本号：1-1）", 0.932, (795, 703, 62, 319)),
    ("2019登记机关所陕西省西安市雁塔区含光路95号102室营业期限2011年07月05日至2041年07月05日", 0.986, (84, 847, 676, 677)),
    ("可、监管信息。多登记、备案、公示系统”了解更国家企业信用信息扫描二维码登录", 0.978, (783, 1306, 155, 181)),
]


def test_a_page_read_down_its_side_is_not_taken_for_upright() -> None:
    assert not reads_across([page_pass(SIDEWAYS_LICENCE)])
    assert reads_across([page_pass(PORTRAIT_COPY_LONE_CHARACTERS)])
    assert reads_across([page_pass(PORTRAIT_COPY_LABEL_COLUMN)])  # the tall column of label characters is one line


def test_a_line_beside_a_title_twice_its_height_is_not_merged_into_the_title() -> None:
    """lic-weigou-three-in-one (500 px): the detector's box of 注册号360200210067973 overlaps the lower part of
    营业执照's; joined as one piece of the title's row, the registration number was never read (and the tall
    label column swallowed the rows beside it), and the merchant was asked for a larger photo."""
    import numpy as np

    from documents.ocr.rapid import merged_overlaps

    def quad(left: float, top: float, right: float, bottom: float) -> np.ndarray:
        return np.array([[left, top], [right, top], [right, bottom], [left, bottom]], dtype=np.float32)

    title, number = quad(72, 136, 347, 213), quad(224, 198, 383, 221)
    assert len(merged_overlaps(np.stack([title, number]))) == 2
    # two pieces of one row cut inside a character are still one box
    assert len(merged_overlaps(np.stack([quad(224, 198, 300, 221), quad(285, 199, 383, 222)]))) == 1


def test_both_label_columns_read_into_the_address_row() -> None:
    """lic-weigou-three-in-one: 名类住 and 型所 (the first and second characters of the rows' labels) came glued
    before the address."""
    rows = [
        ("注册号360200210067973", 0.98, (224, 198, 159, 23)),
        ("称景德镇市龙飞物流有限公司", 1.0, (115, 249, 175, 29)),
        ("有限责任公司（自然人独资）", 0.99, (145, 277, 145, 24)),
        ("名类住型所江西省景德镇市昌江区吕蒙乡石岭村", 0.99, (21, 262, 313, 83)),
        ("法定代表人晏龙飞", 1.0, (28, 342, 158, 29)),
    ]
    assert read(rows)["address"] == "江西省景德镇市昌江区吕蒙乡石岭村"


# lic-bigmax-watermark: 称 went into the watermark's segment; 名 came joined to the name.
NAME_WITHOUT_ITS_SECOND_CHARACTER = [
    ("统一社会信用代码91420900090584846K", 1.0, (251, 383, 313, 24)),
    ("供卡啦网称 仅供有卡啦网站展", 0.93, (0, 368, 699, 129)),
    ("名 孝感齐天网络有限公司", 1.0, (110, 425, 271, 38)),
    ("型有限责任公司（自然人独资）", 1.0, (186, 454, 235, 26)),
    ("所孝感市乾坤大道宇济槐荫天地1号2号楼幢17层1701号房", 1.0, (186, 484, 417, 24)),
    ("卡法定代表人刘彪", 1.0, (66, 502, 188, 38)),
]


def test_name_row_whose_label_lost_its_second_character() -> None:
    assert read(NAME_WITHOUT_ITS_SECOND_CHARACTER)["company_name"] == "孝感齐天网络有限公司"


def test_a_name_starting_with_the_labels_first_character_keeps_it() -> None:
    """名创优品… in the value column (right of where 型 and 所 start) is a name, not 名 and a name."""
    rows = [("名创优品商贸有限公司", 1.0, (215, 425, 200, 38)) if text.startswith("名") else (text, conf, box)
            for text, conf, box in NAME_WITHOUT_ITS_SECOND_CHARACTER]
    assert read(rows)["company_name"] == "名创优品商贸有限公司"


def test_operator_whose_letter_spaced_label_was_found_as_its_first_character_alone() -> None:
    """lic-geekhch-guangzhou-getihu (a sole trader's 副本, 720 px): of 经　营　者 only 经 was detected, the operator's
    name 蔡长东 a segment alone on its row; with the representative unread, the merchant was asked for a larger
    photo."""
    rows = [
        ("统一社会信用代码92440101MA59TWR60G", 1.0, (273, 339, 299, 24)),
        ("经", 1.0, (122, 377, 20, 18)),
        ("蔡长东", 0.99, (257, 376, 61, 24)),
        ("名", 1.0, (123, 412, 16, 24)),
        ("称广州市越秀区鸿秀通讯器材商行", 1.0, (225, 411, 272, 23)),
        ("类", 1.0, (122, 446, 20, 25)),
        ("型个体工商户", 1.0, (227, 449, 122, 20)),
        ("经营场所广州市越秀区大沙头三马路36号二层B868铺", 1.0, (125, 488, 453, 20)),
        ("组成形式个人经营", 0.91, (126, 525, 209, 25)),
    ]
    assert read(rows)["legal_representative"] == "蔡长东"
    # a short value on another label's row (组成形式: 个人经营 has no lone first character) is nobody's name
    assert "legal_representative" not in read([row for row in rows if row[0] != "经"])


def test_address_after_a_city_written_without_its_shi_in_the_scope_row() -> None:
    """lic-zzfangda-zhengzhou (2019 副本, a clean scan): 住所 shares the scope's detected line and its value starts
    郑州高新区 (the city without 市), which was not taken for a place; no address was read."""
    rows = [
        ("统一社会信用代码", 1.0, (117, 273, 184, 32)),
        ("91410100268043431X", 0.99, (118, 311, 166, 23)),
        ("名 称郑州方大实业有限公司", 1.0, (117, 423, 420, 36)),
        ("法定代表人李士方", 1.0, (118, 547, 245, 32)),
        ("经营范围装饰工程设计与施工；承装（修、试）电住 所郑州高新区翠竹街1号72幢1单", 1.0, (116, 606, 1135, 36)),
        ("力设施业务；电力工程施工；售电服务；", 0.99, (290, 643, 416, 28)),
        ("元2层02号", 1.0, (940, 637, 111, 33)),
    ]
    assert read(rows)["address"] == "郑州高新区翠竹街1号72幢1单元2层02号"


def test_four_character_label_that_lost_its_first_character_to_the_label_column() -> None:
    """lic-persilee-shenzhen-branch: 经 of 经营场所 went into the tall segment 名类经; 营场所深圳… had no label."""
    rows = [
        ("统一社会信用代码914403003059288389", 0.99, (1052, 985, 888, 59)),
        ("称深圳市菜篮食品有限公司龙岗分公司", 1.0, (653, 1195, 1052, 86)),
        ("型有限责任公司分公司", 1.0, (656, 1320, 671, 99)),
        ("名类经", 1.0, (237, 1177, 128, 375)),
        ("营场所深圳市龙岗区吉华街道水径社区八约二街41", 0.99, (329, 1455, 1540, 87)),
        ("号细靓工业区五栋一、二楼", 1.0, (804, 1544, 674, 75)),
        ("负责人刘志良", 1.0, (255, 1657, 717, 102)),
    ]
    assert read(rows)["address"] == "深圳市龙岗区吉华街道水径社区八约二街41号细靓工业区五栋一、二楼"


def test_address_continued_on_a_row_that_overlaps_the_first_on_a_tilted_photo() -> None:
    """lic-picluke-gansu-getihu (a phone photo at a slant): the wrapped 村立交桥38号 starts above the bottom of the
    first row's tilted box."""
    rows = [
        ("经营者仲兆霞", 0.99, (188, 740, 321, 48)),
        ("经营场所甘肃省武威市古浪县黄花滩镇黄花滩", 1.0, (1143, 727, 710, 55)),
        ("村立交桥38号", 1.0, (1355, 758, 189, 36)),
        ("经营范围许可项的食品经营相食品经营（销售散装食营活依法", 0.83, (182, 799, 906, 50)),
    ]
    assert read(rows)["address"] == "甘肃省武威市古浪县黄花滩镇黄花滩村立交桥38号"


def test_continuation_rows_that_touch_are_taken_in_row_order() -> None:
    """lic-hhhh-kunming-getihu (693 px): A410, the row under 月华街…丰泽, touched it by a pixel and was read first."""
    rows = [
        ("经营者董书念", 1.0, (67, 239, 108, 17)),
        ("经营场所云南省昆明市呈贡区吴家营街道办事处", 0.93, (384, 242, 236, 11)),
        ("月华街云南民族大学雨花校区丰泽", 0.98, (455, 252, 147, 13)),
        ("经营范围一般项目：工艺美术品及收藏品零售（象牙及其制品除外）（除依", 0.94, (66, 258, 307, 16)),
        ("A410", 1.0, (454, 264, 27, 12)),
    ]
    assert read(rows)["address"] == "云南省昆明市呈贡区吴家营街道办事处月华街云南民族大学雨花校区丰泽A410"


# lic-xinazhi-ningxia-photo (609 px): 永 of 宁夏德欣永信 read as 水 at 0.51, the recogniser's next candidate 永 at
# 0.47 (rapid-p7 keeps it); the name line's alternatives follow the name into its field.
UNSURE_NAME_LINES = [
    ("营业执照", 0.992, (100, 145, 223, 49), []),
    ("统一社会信用代码91641100MA75X2UX0F", 0.97, (183, 231, 178, 11), []),
    ("名 称宁夏德欣水信财务咨询有限公司", 0.981, (66, 254, 211, 16), [CharAlternative(at=7, options={"永": 0.473})]),
    ("类", 0.999, (65, 272, 12, 13), []),
    ("型一人有限责任公司（自然人独资）", 0.978, (116, 274, 160, 14), []),
    ("住", 0.983, (66, 291, 10, 11), []),
    ("所银川市城区开发区丽园小区11号楼2-401室", 0.977, (115, 291, 180, 13), []),
    ("法定代表人张晨君", 0.957, (64, 306, 105, 15), [CharAlternative(at=6, options={"是": 0.24})]),
    ("注册资本50万元整", 0.993, (64, 323, 114, 15), []),
]


def test_an_unsure_characters_alternatives_follow_it_into_its_field() -> None:
    lines = [OcrLine(text=text, confidence=conf, box=box, alternatives=alternatives)
             for text, conf, box, alternatives in UNSURE_NAME_LINES]
    reading = OcrReading(engine="test", pipeline_version="test", passes=[OcrPass(name="page_rapid", lines=lines)])
    fields = extract_fields(reading, LICENCE)
    assert fields["company_name"].value == "宁夏德欣水信财务咨询有限公司"
    assert fields["company_name"].alternatives == [CharAlternative(at=4, options={"永": 0.473})]
    assert fields["legal_representative"].alternatives == [CharAlternative(at=1, options={"是": 0.24})]
    assert fields["uscc"].alternatives == []
    assert "alternatives" not in fields["uscc"].model_dump()  # the field's JSON shape is unchanged without them


def test_the_recognisers_unsure_characters_keep_their_next_candidates() -> None:
    characters = ["blank", "水", "永", "信", " "]
    frames = np.full((7, 5), 0.0, dtype=np.float32)
    # 水 over two frames (0.51 / 0.47 with 永 at its strongest), a blank, then a sure 信 and a blank
    frames[0] = [0.02, 0.51, 0.47, 0.0, 0.0]
    frames[1] = [0.10, 0.50, 0.40, 0.0, 0.0]
    frames[2] = [0.99, 0.01, 0.0, 0.0, 0.0]
    frames[3] = [0.0, 0.0, 0.02, 0.98, 0.0]
    frames[4:] = [1.0, 0.0, 0.0, 0.0, 0.0]
    assert char_alternatives(frames, characters) == [CharAlternative(at=0, options={"永": 0.47})]
