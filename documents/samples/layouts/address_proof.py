"""Proof of business address: an electricity bill (电费缴费通知单) or the first page of a lease (房屋租赁合同)."""
from __future__ import annotations

import random
from datetime import timedelta

from PIL import Image, ImageDraw, ImageFont

from documents.samples.canvas import seal, text_width, wrap
from documents.samples.fonts import font
from documents.samples.identity import SampleIdentity
from documents.samples.names import SURNAMES

INK = (30, 30, 30)
RULE = (170, 170, 170)


def address_proof(identity: SampleIdentity, rng: random.Random) -> Image.Image:
    if identity.address_proof_kind == "lease":
        return _lease(identity, rng)
    return _electricity_bill(identity, rng)


def _electricity_bill(identity: SampleIdentity, rng: random.Random) -> Image.Image:
    width, height = 1400, 980
    page = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    _centered(draw, 50, identity.power_supplier, font("sans", 30), width)
    _centered(draw, 100, "电费缴费通知单", font("sans_bold", 54), width)

    issued = identity.address_proof_issued_on
    period_end = issued.replace(day=1) - timedelta(days=1)
    kwh = rng.randint(80, 900)
    amount = kwh * rng.choice((0.588, 0.62, 0.65))
    rows = [
        (("户名", identity.address_proof_holder), ("户号", f"{rng.randint(0, 10**10 - 1):010d}")),
        (("用电地址", identity.address_proof_address),),
        (("计费周期", f"{period_end:%Y.%m}.01-{period_end:%Y.%m.%d}"), ("本期电量", f"{kwh} 千瓦时")),
        (("应缴金额", f"{amount:.2f} 元"), ("缴费截止日期", f"{issued + timedelta(days=15):%Y年%m月%d日}")),
        (("开票日期", f"{issued:%Y年%m月%d日}"),),
    ]
    label_font, value_font = font("sans", 30), font("sans", 32)
    y = 220
    draw.line((80, y - 20, width - 80, y - 20), fill=RULE, width=2)
    for row in rows:
        for k, (label, value) in enumerate(row):
            x = 100 if k == 0 else 740
            draw.text((x, y), f"{label}：", font=label_font, fill=INK)
            draw.text((x + text_width(f"{label}：", label_font) + 8, y - 2), value, font=value_font, fill=INK)
        y += 96
        draw.line((80, y - 28, width - 80, y - 28), fill=RULE, width=2)

    note = font("sans", 24)
    draw.text((100, y + 20), "温馨提示：请于缴费截止日期前缴清电费，逾期将按规定收取违约金。", font=note, fill=(80, 80, 80))
    draw.text((100, y + 60), "服务热线：95598", font=note, fill=(80, 80, 80))
    seal(page, (1160, 840), 95, identity.power_supplier)
    return page


def _lease(identity: SampleIdentity, rng: random.Random) -> Image.Image:
    width, height = 1240, 1360
    page = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    _centered(draw, 90, "房屋租赁合同", font("serif_bold", 62), width)
    body = font("sans", 30)
    signed = identity.address_proof_issued_on
    start = signed + timedelta(days=rng.randint(1, 20))
    end = start.replace(year=start.year + rng.choice((1, 2, 3))) - timedelta(days=1)
    landlord = rng.choice(list(SURNAMES)) + rng.choice(("先生", "女士"))
    paragraphs = [
        f"合同编号：ZL{signed:%Y%m%d}{rng.randint(100, 999)}",
        f"出租方（甲方）：{landlord}",
        f"承租方（乙方）：{identity.address_proof_holder}",
        "根据《中华人民共和国民法典》及有关规定，甲乙双方在平等、自愿、协商一致的基础上，"
        "就乙方承租甲方房屋事宜，订立本合同。",
        "第一条 房屋基本情况",
        f"房屋地址：{identity.address_proof_address}",
        f"房屋用途：商业经营    建筑面积：{rng.randint(20, 180)}平方米",
        "第二条 租赁期限",
        f"租赁期自{start:%Y年%m月%d日}起至{end:%Y年%m月%d日}止。",
        "第三条 租金及支付方式",
        f"月租金人民币{rng.randint(15, 120) * 100}元整，按季度支付，甲方收款后出具收据。",
        "第四条 其他约定",
        "本合同一式两份，甲乙双方各执一份，自双方签字之日起生效。",
    ]
    y = 220
    for paragraph in paragraphs:
        for line in wrap(paragraph, body, width - 240):
            draw.text((120, y), line, font=body, fill=INK)
            y += 52
        y += 14
    y += 40
    draw.text((120, y), "甲方（签字）：", font=body, fill=INK)
    draw.text((680, y), "乙方（签字）：", font=body, fill=INK)
    draw.text((900, y - 6), identity.address_proof_holder, font=font("serif", 36), fill=(30, 40, 110))
    draw.text((120, y + 90), f"签订日期：{signed:%Y年%m月%d日}", font=body, fill=INK)
    return page


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, text_font: ImageFont.FreeTypeFont, width: int) -> None:
    draw.text(((width - text_width(text, text_font)) / 2, y), text, font=text_font, fill=INK)
