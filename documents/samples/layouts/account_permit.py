"""开户许可证: the basic-deposit-account permit an enterprise shows instead of a settlement card."""
from __future__ import annotations

import random

from PIL import Image, ImageDraw

from documents.samples.canvas import seal, text_width
from documents.samples.fonts import font
from documents.samples.identity import SampleIdentity

INK = (30, 30, 30)
FRAME = (170, 40, 40)


def corporate_account_number(identity: SampleIdentity) -> str:
    """Corporate accounts are not cards: no BIN, no Luhn; 17-20 digits depending on the bank."""
    rng = random.Random(f"{identity.seed}:corporate-account")
    return "44" + "".join(str(rng.randint(0, 9)) for _ in range(rng.choice((15, 16, 18))))


def account_permit(identity: SampleIdentity, rng: random.Random) -> Image.Image:
    width, height = 1400, 1000
    page = Image.new("RGB", (width, height), (252, 248, 240))
    draw = ImageDraw.Draw(page)
    draw.rectangle((30, 30, width - 30, height - 30), outline=FRAME, width=8)
    draw.rectangle((50, 50, width - 50, height - 50), outline=FRAME, width=2)
    title = font("serif_bold", 72)
    draw.text(((width - text_width("开户许可证", title)) / 2, 90), "开户许可证", font=title, fill=FRAME)
    body, label = font("sans", 34), font("sans", 32)
    rows = [
        ("核准号", f"J{rng.randint(10**12, 10**13 - 1)}"),
        ("编号", f"{rng.randint(10**12, 10**13 - 1)}"),
        ("存款人名称", identity.business_name),
        ("法定代表人", identity.legal_representative),
        ("开户银行", identity.bank_name),
        ("账号", corporate_account_number(identity)),
    ]
    y = 240
    for name, value in rows:
        draw.text((140, y), f"{name}：", font=label, fill=INK)
        draw.text((140 + text_width(f"{name}：", label) + 12, y - 2), value, font=body, fill=INK)
        y += 88
    draw.text((140, y + 20), "经核准，准予开立基本存款账户。", font=body, fill=INK)
    seal(page, (1120, 820), 110, "中国人民银行")
    return page
