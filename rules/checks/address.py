"""The address proof: recent enough, and for the premises the merchant applied with."""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from documents.types import DocumentType
from rules.checks.context import CheckContext
from rules.model import Deficiency
from rules.text import parse_document_date

PROOF = DocumentType.ADDRESS_PROOF
# A proof often omits the province and city the application spells out; when the shorter
# address is most of the longer one, it is compared with the longer one's tail instead.
PREFIX_OMISSION_MIN_SHARE = 0.6
# Fuzzy matching forgives a wrong house number (沙咀村12号 vs 15号) that names other premises.
NUMBER_MISMATCH_FACTOR = 0.8
_NUMBER = re.compile(r"\d+")


def normalise_address(address: str, ignore_words: tuple[str, ...] = ()) -> str:
    text = unicodedata.normalize("NFKC", address).casefold()
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith(("P", "Z", "C")))
    for word in sorted(ignore_words, key=len, reverse=True):
        text = text.replace(word, "")
    return text


def address_match_score(a: str, b: str, ignore_words: tuple[str, ...] = ()) -> float:
    """0..1 similarity of two addresses after normalisation; 1.0 means the same text."""
    left, right = normalise_address(a, ignore_words), normalise_address(b, ignore_words)
    if not left or not right:
        return 0.0
    score = SequenceMatcher(None, left, right, autojunk=False).ratio()
    short, long = sorted((left, right), key=len)
    if len(short) >= PREFIX_OMISSION_MIN_SHARE * len(long):
        score = max(score, SequenceMatcher(None, short, long[-len(short):], autojunk=False).ratio())
    if not set(_NUMBER.findall(short)) <= set(_NUMBER.findall(long)):
        score *= NUMBER_MISMATCH_FACTOR
    return round(score, 3)


def check_address_proof_age(ctx: CheckContext) -> list[Deficiency]:
    issued = parse_document_date(ctx.value(PROOF, "issue_date"))
    if issued is None:
        return []
    age_days = (ctx.today - issued).days
    max_age = ctx.thresholds.address_proof_max_age_days
    if age_days <= max_age:
        return []
    return [ctx.deficiency("address_proof_too_old", PROOF, "issue_date",
                           evidence={"issue_date": issued, "age_days": age_days, "max_age_days": max_age})]


def check_address_match(ctx: CheckContext) -> list[Deficiency]:
    on_proof = ctx.value(PROOF, "address")
    if on_proof is None:
        return []
    threshold = ctx.thresholds.address_match_min_score
    score = address_match_score(on_proof, ctx.facts.business_address, ctx.ruleset.policy.address.ignore_words)
    if score >= threshold:
        return []
    return [ctx.deficiency("address_mismatch", PROOF, "address",
                           evidence={"document": on_proof, "application": ctx.facts.business_address,
                                     "score": score, "threshold": threshold})]
