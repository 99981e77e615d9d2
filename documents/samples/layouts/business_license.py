"""营业执照 (副本), the 2019 two-column layout used for enterprises and sole traders alike."""
from __future__ import annotations

import random

from PIL import Image, ImageDraw, ImageFont

from documents.samples.canvas import draw_spaced, guilloche_paper, justify, seal, text_width, wrap
from documents.samples.fonts import font
from documents.samples.identity import SampleIdentity

PAGE_SIZE = (1600, 1130)
INK = (28, 28, 28)
FRAME = (176, 134, 70)
# Labels are justified to four characters (名　　称); 法定代表人 overflows it, as on the real form.
LABEL_WIDTH = 120
VALUE_OFFSET = 186

SCOPES = {
    "小吃店": "餐饮服务；食品销售（仅销售预包装食品）",
    "便利店": "日用百货、预包装食品、烟草制品零售",
    "水果店": "新鲜水果零售；食用农产品零售",
    "五金店": "五金产品零售；建筑材料销售",
    "理发店": "理发服务；美容服务",
    "餐饮店": "餐饮服务；食品经营",
    "副食店": "预包装食品、散装食品、日用品零售",
    "服装店": "服装服饰零售；鞋帽零售",
    "烟酒商行": "烟草制品零售；酒类经营；预包装食品销售",
    "手机店": "通讯设备销售；电子产品销售；手机维修",
}
DEFAULT_SCOPE = "一般项目：技术服务、技术开发；日用百货销售；食品销售（仅销售预包装食品）；货物进出口"


def business_license(identity: SampleIdentity, rng: random.Random) -> Image.Image:
    page = guilloche_paper(PAGE_SIZE, (251, 248, 240), (240, 232, 218), rng, density=24)
    draw = ImageDraw.Draw(page)
    _frame(draw)
    sole_trader = identity.uscc.startswith("92")

    draw.text((112, 92), "统一社会信用代码", font=font("sans", 26), fill=INK)
    draw_spaced(draw, (112, 130), identity.uscc, font("sans", 32), INK, tracking=1)
    _qr_placeholder(draw, (1330, 84), 168, rng)
    title = font("serif_bold", 100)
    title_width = text_width("营业执照", title, tracking=36)
    draw_spaced(draw, ((PAGE_SIZE[0] - title_width) / 2, 120), "营业执照", title, INK, tracking=36)
    draw_spaced(draw, (PAGE_SIZE[0] / 2 - 60, 250), "（副本）", font("serif", 32), INK, tracking=6)

    label_font, value_font = font("sans", 30), font("sans", 30)
    left = [("名称", identity.business_name), ("类型", identity.business_kind),
            ("经营者" if sole_trader else "法定代表人", identity.legal_representative),
            ("经营范围", _scope(identity.business_name))]
    right = [("组成形式", "个人经营") if sole_trader else ("注册资本", "人民币壹佰万元"),
             ("注册日期" if sole_trader else "成立日期", f"{identity.established_on:%Y年%m月%d日}"),
             ("经营场所" if sole_trader else "住所", identity.business_address)]
    if not sole_trader:
        right.insert(2, ("营业期限", "长期"))
    # The gutter between the columns is wider than any gap inside a row, so a reader can split them.
    _column(draw, left, (140, 340), value_width=450, label_font=label_font, value_font=value_font)
    _column(draw, right, (920, 340), value_width=420, label_font=label_font, value_font=value_font)

    footer = font("sans", 22)
    draw.text((920, 900), "登记机关", font=font("sans", 30), fill=INK)
    draw.text((1150, 980), f"{identity.established_on:%Y年%m月%d日}", font=font("sans", 28), fill=INK)
    draw.text((140, 1010), "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn", font=footer, fill=(90, 90, 90))
    draw.text((140, 1040), "市场主体应当于每年1月1日至6月30日通过国家企业信用信息公示系统报送公示年度报告。",
              font=footer, fill=(90, 90, 90))
    seal(page, (1240, 930), 112, identity.registration_authority)
    return page


def _column(
    draw: ImageDraw.ImageDraw, rows: list[tuple[str, str]], origin: tuple[int, int], *,
    value_width: int, label_font: ImageFont.FreeTypeFont, value_font: ImageFont.FreeTypeFont,
) -> None:
    x, y = origin
    value_x = x + VALUE_OFFSET
    for label, value in rows:
        justify(draw, (x, y), label, label_font, INK, max(LABEL_WIDTH, text_width(label, label_font)))
        for line in wrap(value, value_font, value_width):
            draw.text((value_x, y), line, font=value_font, fill=INK)
            y += 46
        y += 30


def _scope(business_name: str) -> str:
    for trade, scope in SCOPES.items():
        if business_name.endswith(trade):
            return scope
    return DEFAULT_SCOPE


def _frame(draw: ImageDraw.ImageDraw) -> None:
    width, height = PAGE_SIZE
    draw.rectangle((28, 28, width - 28, height - 28), outline=FRAME, width=8)
    draw.rectangle((48, 48, width - 48, height - 48), outline=FRAME, width=2)
    for x in range(60, width - 60, 36):  # the scalloped border pattern
        draw.arc((x, 30, x + 36, 46), 0, 180, fill=FRAME, width=2)
        draw.arc((x, height - 46, x + 36, height - 30), 180, 360, fill=FRAME, width=2)


def _qr_placeholder(draw: ImageDraw.ImageDraw, origin: tuple[int, int], size: int, rng: random.Random) -> None:
    """A QR-like block: finder squares in three corners and random modules, not a decodable code."""
    x0, y0 = origin
    cells = 25
    cell = size / cells
    for row in range(cells):
        for col in range(cells):
            if rng.random() < 0.45:
                draw.rectangle((x0 + col * cell, y0 + row * cell, x0 + (col + 1) * cell, y0 + (row + 1) * cell),
                               fill=INK)
    for fx, fy in ((0, 0), (cells - 7, 0), (0, cells - 7)):
        left, top = x0 + fx * cell, y0 + fy * cell
        draw.rectangle((left, top, left + 7 * cell, top + 7 * cell), fill=(251, 248, 240))
        draw.rectangle((left, top, left + 7 * cell, top + 7 * cell), outline=INK, width=int(cell))
        draw.rectangle((left + 2 * cell, top + 2 * cell, left + 5 * cell, top + 5 * cell), fill=INK)
