"""Every word the portal shows, Chinese first, English second. Document names come from the rule catalogue."""
from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"

TEXTS: dict[str, dict[Lang, str]] = {
    "title": {"zh": "补充资料", "en": "Documents needed"},
    "switch_lang": {"zh": "English", "en": "中文"},
    "application": {"zh": "申请编号", "en": "Application"},
    "due": {"zh": "请在此时间前上传", "en": "Please upload by"},
    "beijing_time": {"zh": "北京时间", "en": "Beijing time"},
    "items_heading": {"zh": "需要补充的资料", "en": "What we need"},
    "status_missing": {"zh": "待补充", "en": "Needed"},
    "status_checking": {"zh": "正在审核", "en": "Checking"},
    "status_accepted": {"zh": "已通过", "en": "Accepted"},
    "rejected_photo": {"zh": "您上次上传的照片", "en": "The photo you sent"},
    "upload_heading": {"zh": "上传资料", "en": "Upload"},
    "upload_hint": {"zh": "可拍照或从相册选择，支持 JPG、PNG、WebP、PDF，每个文件不超过 {max_mb} MB。",
                    "en": "Take a photo or choose a file: JPG, PNG, WebP or PDF, up to {max_mb} MB each."},
    "submit": {"zh": "提交资料", "en": "Send documents"},
    "checking_banner": {"zh": "资料已收到，正在审核…", "en": "Documents received, checking…"},
    "checking_detail": {"zh": "本页面会自动刷新，通常只需一两分钟。", "en": "This page refreshes by itself; it usually takes a minute or two."},
    "approved_banner": {"zh": "审核通过！", "en": "Approved!"},
    "approved_detail": {"zh": "您的商户入网申请已审核通过，我们将尽快寄出POS终端。",
                        "en": "Your application is approved; your POS terminal will be shipped shortly."},
    "review_banner": {"zh": "资料已收到，工作人员审核中", "en": "Documents received, in staff review"},
    "review_detail": {"zh": "工作人员将在24小时内完成审核，结果会通过短信和邮件通知您。",
                      "en": "Our staff will finish the review within 24 hours and tell you by SMS and email."},
    "nothing_to_do": {"zh": "目前无需上传资料。", "en": "Nothing to upload right now."},
    "not_valid_title": {"zh": "链接无效或已过期", "en": "This link is not valid"},
    "not_valid_detail": {"zh": "请使用短信或邮件中最新的链接，或联系客服。",
                         "en": "Please use the newest link from your SMS or email, or contact us."},
    "back": {"zh": "返回上传页面", "en": "Back to the upload page"},
    "refused_title": {"zh": "无法接收该文件", "en": "We could not accept this upload"},
    "too_large_title": {"zh": "文件过大", "en": "File too large"},
    "too_large": {"zh": "每个文件不能超过 {max_mb} MB，请压缩或重新拍摄后上传。",
                  "en": "Each file must be {max_mb} MB or smaller; please compress it or take a new photo."},
    "wrong_type_title": {"zh": "文件格式不支持", "en": "File type not supported"},
    "wrong_type": {"zh": "请上传 JPG、PNG、WebP 图片或 PDF 文件。", "en": "Please upload a JPG, PNG or WebP image, or a PDF."},
    "rate_limited_title": {"zh": "操作过于频繁", "en": "Too many requests"},
    "rate_limited": {"zh": "请稍等一分钟后再试。", "en": "Please wait a minute and try again."},
    "error_title": {"zh": "系统繁忙", "en": "Something went wrong"},
    "error": {"zh": "请稍后再试。如仍有问题，请联系客服。", "en": "Please try again later. If it keeps happening, contact us."},
}

# Codes from intake (documents.intake), the portal service and the upload reader; anything else is generic.
REFUSALS: dict[str, dict[Lang, str]] = {
    "document_corrupt": {"zh": "{document}文件已损坏或无法打开，请重新拍摄后上传。",
                         "en": "The {document} file is damaged or cannot be opened; please take a new photo."},
    "document_type_mismatch": {"zh": "{document}的文件格式不支持，请上传 JPG、PNG、WebP 图片或 PDF。",
                               "en": "The {document} file is not a supported type; please send a JPG, PNG, WebP or PDF."},
    "document_blank": {"zh": "{document}照片是一张空白或纯色的图片，上面没有证件。请拍摄{document}原件后重新上传。",
                       "en": "The {document} picture is blank (a single colour) and shows no document; please photograph your {document} and upload it."},
    "document_too_large": {"zh": "{document}文件过大，请压缩或重新拍摄后上传。",
                           "en": "The {document} file is too large; please compress it or take a new photo."},
    "document_not_requested": {"zh": "本次无需上传{document}，请只上传页面列出的资料。",
                               "en": "We did not ask for the {document}; please send only the documents listed."},
    "upload_not_expected": {"zh": "您的资料正在审核或当前无需上传，请返回页面查看最新状态。",
                            "en": "Your documents are being checked or nothing is needed now; go back to see the latest status."},
    "duplicate_document_type": {"zh": "同一项资料只能上传一个文件。", "en": "Please send one file per document."},
    "no_documents": {"zh": "请至少选择一个文件后再提交。", "en": "Please choose at least one file before sending."},
    "application_closed": {"zh": "该申请已结束，无法再上传资料。", "en": "This application is closed and takes no more documents."},
    "malformed_upload": {"zh": "上传未完成，请重新选择文件后提交。", "en": "The upload did not arrive complete; please choose the files again."},
}
GENERIC_REFUSAL: dict[Lang, str] = {"zh": "文件无法接收，请检查后重新上传。",
                                    "en": "We could not accept the file; please check it and try again."}
SOME_DOCUMENT: dict[Lang, str] = {"zh": "该", "en": "document"}


def pick_lang(query_value: str | None, cookie_value: str | None) -> Lang:
    for value in (query_value, cookie_value):
        if value in LANGS:
            return value  # type: ignore[return-value]
    return DEFAULT_LANG


def text(lang: Lang, key: str, **values: object) -> str:
    return TEXTS[key][lang].format(**values) if values else TEXTS[key][lang]


def refusal_text(lang: Lang, code: str, document_label: str | None) -> str:
    template = REFUSALS.get(code, GENERIC_REFUSAL)[lang]
    return template.format(document=document_label or SOME_DOCUMENT[lang])


def bilingual(key: str) -> str:
    return f"{TEXTS[key]['zh']} / {TEXTS[key]['en']}"
