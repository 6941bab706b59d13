"""부채증명서 and 완제증명서 as PDF (fpdf2), Korean first with English, the NanumGothic font embedded (a
subset), so the document reads the same on any machine. The font comes with koreanize-matplotlib (already a
dependency), else the system's fonts-nanum. Drawn from a certificate's stored figures only: the same
certificate always gives the same words and numbers."""

from __future__ import annotations

from datetime import UTC, datetime, time
from importlib.util import find_spec
from pathlib import Path

from fpdf import FPDF

from seomin.services.recourse.certificates import CertificateView

_SYSTEM_FONTS = Path("/usr/share/fonts/truetype/nanum")
TITLES = {
    "debt": ("부채증명서", "Certificate of debt"),
    "paid_in_full": ("완제증명서", "Certificate of full repayment"),
}


def _font(bold: bool) -> Path:
    name = "NanumGothicBold.ttf" if bold else "NanumGothic.ttf"
    spec = find_spec("koreanize_matplotlib")  # located, not imported (importing it restyles matplotlib)
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        packaged = Path(folder) / "fonts" / name
        if packaged.is_file():
            return packaged
    return _SYSTEM_FONTS / name


def _won(amount: int) -> str:
    return f"{amount:,}원"


def render_certificate(view: CertificateView) -> bytes:
    pdf = FPDF(format="A4")
    # The issue day as the document's date, so the same certificate is the same file byte for byte.
    pdf.set_creation_date(datetime.combine(view.issued_on, time(), tzinfo=UTC))
    pdf.set_title(f"{TITLES[view.kind][0]} {view.certificate_no}")
    pdf.set_author("서민금융진흥원 (Inclusive Finance Agency)")
    pdf.add_font("Nanum", "", str(_font(False)))
    pdf.add_font("Nanum", "B", str(_font(True)))
    pdf.add_page()
    ko, en = TITLES[view.kind]
    pdf.set_font("Nanum", "B", 22)
    pdf.cell(0, 14, ko, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Nanum", "", 11)
    pdf.cell(0, 7, en, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    rows = [
        ("증명서 번호 / Certificate no.", view.certificate_no),
        ("발급일 / Issued on", view.issued_on.strftime("%Y.%m.%d")),
        ("채무자 / Debtor", f"{view.debtor_name} ({view.rrn_masked})"),
        ("채권자 / Creditor", "서민금융진흥원 (Inclusive Finance Agency)"),
        ("채권 종류 / Kind", "구상채권 (recourse claim after subrogation)"),
        ("발생일 / Arose on", view.arose_on.strftime("%Y.%m.%d")),
        ("원금 / Principal", _won(view.principal)),
    ]
    if view.kind == "debt":
        rows.append((f"{view.issued_on:%Y.%m.%d} 현재 잔액 / Balance", _won(view.balance)))
    else:
        assert view.repaid_on is not None
        rows.append(("완제일 / Repaid in full on", view.repaid_on.strftime("%Y.%m.%d")))
        rows.append(("잔액 / Balance", _won(0)))
    for label, value in rows:
        pdf.set_font("Nanum", "B", 11)
        pdf.cell(70, 9, label, border=1)
        pdf.set_font("Nanum", "", 11)
        pdf.cell(0, 9, value, border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    if view.kind == "debt":
        statement = f"위 채무자의 서민금융진흥원에 대한 구상채무 잔액이 {view.issued_on:%Y.%m.%d} 현재 위와 "
        statement += "같음을 증명합니다. (The balance above is owed to the agency on the day of issue.)"
    else:
        statement = f"위 채무자가 서민금융진흥원에 대한 구상채무를 {view.repaid_on:%Y.%m.%d}에 모두 갚았음을 "
        statement += "증명합니다. (The debt above was repaid in full on that day.)"
    pdf.multi_cell(0, 7, statement, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Nanum", "", 9)
    pdf.multi_cell(
        0,
        5,
        "진위 확인 / Verify: 서민금융진흥원 누리집 또는 API GET /api/v1/debt-certificates/verification 에 "
        f"증명서 번호 {view.certificate_no} 와 확인 코드 {view.verification_code} 를 입력하세요. "
        "(Enter the certificate number and this code to check the document is genuine.)",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
