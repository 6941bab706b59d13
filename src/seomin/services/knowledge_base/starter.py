"""The starter set of knowledge-base entries: one "who can apply" and one "limit and rate" entry per product
in force, written from the catalog's own texts, and the questions 1397 hears most about fraud, bookings
and repayment (seed 000, 4-(2) and 4-(3)). Loading is idempotent: a question already present is skipped.
"""

from __future__ import annotations

from sqlalchemy import select

from seomin.adapters.db.models import KnowledgeEntry, StaffUser
from seomin.services.errors import NotFound
from seomin.services.knowledge_base.entries import add_entry
from seomin.services.platform import Actor, ActorType, Platform

# (topic, question, answer): public FAQ entries written from the seeds.
GENERAL: tuple[tuple[str, str, str], ...] = (
    (
        "fraud",
        "서민금융진흥원을 사칭하는 문자나 전화를 받았어요. 어떻게 하나요?",
        "진흥원은 문자·SNS로 대출을 권유하지 않으며 공식 번호는 1397뿐입니다. 사칭 신고센터에 번호나 주소를 "
        "신고해 주시고, 돈을 보냈다면 즉시 송금 은행이나 112에 지급정지를 요청하세요.",
    ),
    (
        "fraud",
        "대출해 준다며 선입금이나 수수료를 요구해요. 정상인가요?",
        "정책서민금융 상품은 대출 전에 수수료나 선입금을 요구하지 않습니다. 불법사금융일 가능성이 높으니 "
        "송금하지 마시고 신고센터나 1397로 알려 주세요.",
    ),
    (
        "counseling",
        "상담 예약은 어떻게 하나요?",
        "홈페이지의 상담 예약에서 지역과 날짜를 고르면 전화 상담(콜백) 또는 방문 상담을 예약할 수 있습니다. "
        "방문할 센터는 1397에서 안내해 드립니다.",
    ),
    (
        "repayment",
        "대위변제 후 남은 구상채무는 나눠서 갚을 수 있나요?",
        "네. 상담사와 분할상환 또는 상환유예를 약정할 수 있습니다. 기간이 긴 약정은 책임자 승인 후 효력이 "
        "생깁니다.",
    ),
    (
        "documents",
        "신청할 때 어떤 서류가 필요한가요?",
        "상품마다 다르며, 보통 소득을 확인할 서류(근로소득 원천징수영수증, 소득금액증명원 등)와 재직 또는 "
        "사업 사실을 확인할 서류가 필요합니다. 신청 화면이 상품별 서류를 안내합니다.",
    ),
    (
        "eligibility",
        "신용점수가 낮아도 신청할 수 있나요?",
        "정책서민금융 상품은 신용점수가 낮거나 소득이 적은 분을 위한 상품입니다. 자격 확인 화면에서 소득과 "
        "신용점수를 넣으면 받을 수 있는 상품을 바로 보여 드립니다.",
    ),
)


def starter_entries(platform: Platform) -> list[tuple[str, str, str]]:
    """The starter set: per product in force today, from its catalog texts, then the general entries."""
    today = platform.today()
    entries: list[tuple[str, str, str]] = []
    for product in platform.catalog:
        if not product.in_force(today):
            continue
        name = product.name_ko
        entries.append(
            ("eligibility", f"{name}{_topic_particle(name)} 누가 신청할 수 있나요?", product.audience_ko)
        )
        entries.append(("products", f"{product.name_ko}의 한도와 금리는 어떻게 되나요?", product.summary_ko))
    return entries + list(GENERAL)


def load_starter_entries(platform: Platform, actor: Actor) -> int:
    """Add the starter entries not yet present (public, owned by ``actor``); returns how many were added."""
    with platform.sessions() as session:
        present = set(session.scalars(select(KnowledgeEntry.question)))
    added = 0
    for topic, question, answer in starter_entries(platform):
        if question not in present:
            add_entry(platform, actor, topic, question, answer, True)
            present.add(question)
            added += 1
    return added


def load_starter_entries_as(platform: Platform, username: str) -> int:
    """The operator's console form: the starter entries owned by the named active writer."""
    with platform.sessions() as session:
        user = session.scalars(select(StaffUser).where(StaffUser.username == username)).one_or_none()
        if user is None or not user.active:
            raise NotFound("staff_user", username)
        actor = Actor(ActorType.STAFF, str(user.id), user.role)
    return load_starter_entries(platform, actor)


def _topic_particle(word: str) -> str:
    """은 after a final consonant (받침), 는 after a vowel: 미소금융은, 햇살론유스는."""
    syllables = [ch for ch in word if "가" <= ch <= "힣"]  # 미소금융 (운영자금): the particle follows 금
    has_final = bool(syllables) and (ord(syllables[-1]) - 0xAC00) % 28 != 0
    return "은" if has_final else "는"
