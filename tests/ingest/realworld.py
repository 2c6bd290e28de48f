"""Real-world pledge layouts, written for these tests: what users find outside the UN's own PDFs.

Each :class:`RealText` is one state's candidature pledge (the states are real, the wording is
ours) in one of the layouts users bring: a foreign ministry's web page (HTML with navigation,
cookie notice and share links), a campaign brochure with hard-wrapped lines (text or PDF), a UN
document copied from a viewer with every line break lost, a viewer's text dump with "Total Page" /
"File Type" lines on top, and a Word file. The blocks say what is body text (every word of which
must land in a paragraph), what is a heading, and what is page furniture (which may be removed).

``python -m tests.ingest.realworld DIR`` writes every fixture into DIR, to try them with
``pledges parse``.
"""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from tests.ingest.pledges import cjk_font, pdf_font

#: Block kinds: "title" and "heading" are short lines; "p", "lead", "bullet" and "closing" are
#: body text. A "p" may carry its own UN marker ("1. ", "(a) ", "II. ").
BODY_KINDS = frozenset({"p", "lead", "bullet", "closing"})


@dataclass(frozen=True)
class RealText:
    """One fixture: its blocks in reading order, its layout, and the metadata it states."""

    name: str
    language: str
    layout: str  # web | brochure | oneline | viewer | docx | pdf
    blocks: tuple[tuple[str, str], ...]
    country: str | None
    term: str | None
    date: dt.date | None
    top: tuple[str, ...] = ()  # page furniture before the text
    bottom: tuple[str, ...] = ()  # page furniture after it
    numbers: tuple[str, ...] = ()  # expected paragraph numbers, when the text carries UN numbers
    sections: dict[str, str] = field(default_factory=dict)  # body text prefix -> its section

    @property
    def suffix(self) -> str:
        return {"web": "html", "docx": "docx", "pdf": "pdf"}.get(self.layout, "txt")

    @property
    def body(self) -> list[str]:
        """The body texts (markers included), whose words must all land in paragraphs."""
        return [text for kind, text in self.blocks if kind in BODY_KINDS]

    def write(self, directory: Path) -> Path:
        path = directory / f"{self.name}.{self.suffix}"
        writer = {
            "web": _write_web,
            "brochure": _write_brochure,
            "oneline": _write_oneline,
            "viewer": _write_viewer,
            "docx": _write_docx,
            "pdf": _write_pdf,
        }[self.layout]
        writer(self, path)
        return path


# -- writers -------------------------------------------------------------------------------------


def _wrap(text: str, width: int) -> list[str]:
    if any("\u3400" <= ch <= "\u9fff" for ch in text):
        return [text[i : i + width // 2] for i in range(0, len(text), width // 2)]
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)


def _write_web(t: RealText, path: Path) -> None:
    rtl = ' dir="rtl"' if t.language == "ar" else ""
    out = [
        f'<!doctype html><html lang="{t.language}"{rtl}><head><meta charset="utf-8">',
        f"<title>{escape(t.blocks[0][1])}</title><style>nav{{display:flex}}</style></head>",
        "<body>",
        '<a class="skip-link" href="#main">' + escape(t.top[0]) + "</a>",
        "<header><nav><ul>"
        + "".join(f"<li><a href='#'>{escape(x)}</a></li>" for x in t.top[1:])
        + "</ul></nav></header>",
        '<main id="main">',
    ]
    in_list = False
    for kind, text in t.blocks:
        if kind == "bullet" and not in_list:
            out.append("<ul>")
            in_list = True
        if kind != "bullet" and in_list:
            out.append("</ul>")
            in_list = False
        tag = {"title": "h1", "heading": "h2", "bullet": "li"}.get(kind, "p")
        out.append(f"<{tag}>{escape(text)}</{tag}>")
    if in_list:
        out.append("</ul>")
    out.append("</main>")
    for line in t.bottom:
        out.append(f'<div class="page-tools">{escape(line)}</div>')
    out.append("</body></html>")
    path.write_text("\n".join(out), encoding="utf-8")


def _brochure_lines(t: RealText, width: int = 72) -> list[str]:
    lines: list[str] = []
    for kind, text in t.blocks:
        if kind == "bullet":
            wrapped = _wrap(text, width - 2)
            lines.append("• " + wrapped[0])
            lines.extend("  " + w for w in wrapped[1:])
        elif kind in ("title", "heading"):
            lines.append(text)
        else:
            lines.extend(_wrap(text, width))
    return lines


def _write_brochure(t: RealText, path: Path) -> None:
    """Hard-wrapped lines, no blank line anywhere (as a PDF exported to text often gives)."""
    path.write_text("\n".join([*t.top, *_brochure_lines(t), *t.bottom]) + "\n", encoding="utf-8")


def _write_viewer(t: RealText, path: Path) -> None:
    """A document viewer's dump: its own lines on top, then the page text, page by page."""
    lines = _brochure_lines(t, 80)
    half = len(lines) // 2
    page2 = ["Page 2 of 2", *lines[half:]]
    path.write_text(
        "\n".join([*t.top, "Page 1 of 2", *lines[:half], *page2, *t.bottom]) + "\n",
        encoding="utf-8",
    )


def _write_oneline(t: RealText, path: Path) -> None:
    """A UN document copied from a viewer: every line break lost, one long line."""
    sep = "" if t.language == "zh" else " "
    parts = [*t.top, *(text for _, text in t.blocks), *t.bottom]
    path.write_text(sep.join(parts) + "\n", encoding="utf-8")


def _write_docx(t: RealText, path: Path) -> None:
    import docx

    document = docx.Document()
    for kind, text in t.blocks:
        if kind == "title":
            document.add_paragraph(text, style="Title")
        elif kind == "heading":
            document.add_paragraph(text, style="Heading 1")
        elif kind == "bullet":
            document.add_paragraph(text, style="List Bullet")
        else:
            document.add_paragraph(text)
    document.save(str(path))


def _write_pdf(t: RealText, path: Path) -> None:
    """A brochure printed to PDF: a running header and a page number on every page."""
    from fpdf import FPDF

    cjk = t.language == "zh"
    font = cjk_font() if cjk else pdf_font()
    header = t.top[0] if t.top else ""

    class Brochure(FPDF):
        def header(self) -> None:
            self.set_font("Body", size=8)
            self.cell(0, 5, header, new_x="LMARGIN", new_y="NEXT", align="C")
            self.ln(3)
            self.set_font("Body", size=11)

        def footer(self) -> None:
            self.set_y(-20)
            self.set_font("Body", size=8)
            self.cell(0, 5, str(self.page_no()), align="C")

    pdf = Brochure(format=(105, 148))  # A6
    pdf.set_auto_page_break(auto=True, margin=25)
    pdf.add_font("Body", "", str(font))
    pdf.add_page()
    pdf.set_font("Body", size=11)
    for kind, text in t.blocks:
        if kind == "bullet":
            pdf.set_x(pdf.l_margin + 5)
            pdf.multi_cell(0, 5.5, "• " + text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5 if kind == "bullet" else 3)
    pdf.output(str(path))


# -- the texts -----------------------------------------------------------------------------------

NZL_WEB = RealText(
    name="nzl-web.en",
    language="en",
    layout="web",
    country="NZL",
    term="2026-2028",
    date=None,
    top=(
        "Skip to main content",
        "Home",
        "Countries and regions",
        "Peace, rights and security",
        "About us",
        "Contact",
    ),
    bottom=(
        "Share this page",
        "Last updated: 12 May 2025",
        "We use cookies to improve your experience on our website. Accept all cookies",
    ),
    blocks=(
        ("title", "New Zealand's candidature for the Human Rights Council 2026–2028"),
        (
            "p",
            "New Zealand is a candidate for election to the Human Rights Council for the term"
            " 2026–2028, at elections to be held in New York during the eightieth session of"
            " the General Assembly.",
        ),
        (
            "p",
            "As a small country, we rely on a rules-based international order and on"
            " institutions that hold all states to the same standards. We have served on the"
            " Council once before, and we want to bring that experience back.",
        ),
        ("heading", "Our commitments"),
        ("lead", "If elected, New Zealand will:"),
        (
            "bullet",
            "work with partners across regions to make the Council more effective,"
            " transparent and accessible to small island developing states;",
        ),
        (
            "bullet",
            "promote the rights of Indigenous peoples, drawing on our own experience of"
            " the Treaty of Waitangi;",
        ),
        ("bullet", "press for the abolition of the death penalty everywhere."),
        ("heading", "At home"),
        (
            "p",
            "We will maintain a standing invitation to all special procedures and report on"
            " time to the treaty bodies. The Human Rights Commission will keep its A status"
            " under the Paris Principles.",
        ),
        (
            "p",
            "We will implement the recommendations we accepted in the universal periodic"
            " review, in consultation with civil society, and publish our progress every year.",
        ),
    ),
    sections={"We will maintain": "At home", "work with partners": "Our commitments"},
)

CRI_BROCHURE = RealText(
    name="cri-folleto.es",
    language="es",
    layout="brochure",
    country="CRI",
    term="2025-2027",
    date=None,
    blocks=(
        ("title", "Candidatura de Costa Rica al Consejo de Derechos Humanos 2025-2027"),
        (
            "p",
            "Costa Rica presenta su candidatura al Consejo de Derechos Humanos para el periodo"
            " 2025-2027 con la convicción de que la paz, la democracia y el respeto de los"
            " derechos humanos son inseparables. Desde la abolición del ejército en 1948, el"
            " país ha invertido en educación, salud y protección del ambiente.",
        ),
        ("lead", "Como miembro del Consejo, Costa Rica se compromete a:"),
        (
            "bullet",
            "promover el derecho humano a un medio ambiente limpio, saludable y sostenible;",
        ),
        (
            "bullet",
            "apoyar la labor de los procedimientos especiales y mantener una invitación"
            " abierta a todos ellos;",
        ),
        (
            "bullet",
            "defender los derechos de las personas migrantes y refugiadas, sin"
            " discriminación alguna;",
        ),
        ("bullet", "impulsar la igualdad de género y la participación política de las mujeres."),
        (
            "p",
            "En el plano nacional, Costa Rica seguirá fortaleciendo la Defensoría de los"
            " Habitantes y el mecanismo nacional de prevención de la tortura, y presentará a"
            " tiempo sus informes a los órganos de tratados. El país continuará el diálogo con"
            " la sociedad civil y con los pueblos indígenas sobre la aplicación del Convenio"
            " núm. 169 de la Organización Internacional del Trabajo.",
        ),
        ("closing", "San José, marzo de 2024"),
    ),
)

SEN_ONELINE = RealText(
    name="sen-un-une-ligne.fr",
    language="fr",
    layout="oneline",
    country="SEN",
    term="2023-2025",
    date=dt.date(2022, 6, 3),
    top=(
        "Nations Unies A/77/123 Assemblée générale Distr. générale 8 juin 2022 Français"
        " Original : français Soixante-dix-septième session Point 117 c) de l'ordre du jour"
        " provisoire* Élections aux sièges devenus vacants dans les organes subsidiaires et"
        " autres élections : élection de membres du Conseil des droits de l'homme",
    ),
    blocks=(
        (
            "title",
            "Note verbale datée du 3 juin 2022, adressée au Président de l'Assemblée"
            " générale par la Mission permanente du Sénégal auprès de l'Organisation des"
            " Nations Unies",
        ),
        (
            "p",
            "La Mission permanente du Sénégal auprès de l'Organisation des Nations Unies a"
            " l'honneur de faire savoir que le Sénégal a décidé de présenter sa candidature au"
            " Conseil des droits de l'homme pour la période 2023-2025, lors des élections qui"
            " se tiendront pendant la soixante-dix-septième session de l'Assemblée générale.",
        ),
        (
            "p",
            "Conformément à la résolution 60/251 de l'Assemblée générale, le Sénégal présente"
            " ci-joint ses contributions et engagements volontaires (voir annexe).",
        ),
        (
            "title",
            "Annexe à la note verbale datée du 3 juin 2022 adressée au Président de"
            " l'Assemblée générale par la Mission permanente du Sénégal",
        ),
        (
            "title",
            "Candidature du Sénégal au Conseil des droits de l'homme pour la période 2023-2025",
        ),
        ("title", "Contributions et engagements volontaires"),
        ("heading", "I. Introduction"),
        (
            "p",
            "1. Le Sénégal a été membre du Conseil des droits de l'homme à trois reprises et"
            " a présidé le Conseil en 2016.",
        ),
        (
            "p",
            "2. Partie à la quasi-totalité des instruments internationaux relatifs aux droits"
            " de l'homme, le Sénégal a ratifié en 2019 la Convention no 190 de l'OIT.",
        ),
        ("heading", "II. Engagements au niveau international"),
        ("p", "3. S'il est élu, le Sénégal s'engage à :"),
        (
            "p",
            "a) Coopérer pleinement avec les procédures spéciales et le mécanisme de l'examen"
            " périodique universel ;",
        ),
        (
            "p",
            "b) Soutenir les résolutions relatives aux droits de l'enfant et à l'abolition de"
            " la peine de mort.",
        ),
        ("heading", "III. Engagements au niveau national"),
        (
            "p",
            "4. Le Sénégal renforcera le Comité sénégalais des droits de l'homme, conformément"
            " à la loi no 2016-26 et aux Principes de Paris.",
        ),
        (
            "p",
            "5. Le Sénégal poursuivra la mise en œuvre de son plan national d'action contre la"
            " traite des personnes, adopté le 20 juin 2021.",
        ),
    ),
    numbers=("note.1", "note.2", "1", "2", "3", "3(a)", "3(b)", "4", "5"),
    sections={"4. Le Sénégal renforcera": "III. Engagements au niveau national"},
)

GHA_VIEWER = RealText(
    name="gha-viewer.en",
    language="en",
    layout="viewer",
    country="GHA",
    term="2024-2026",
    date=dt.date(2023, 3, 15),
    top=("Total Page:2", "File Type: PDF", "File Name: Ghana_HRC_pledges.pdf", "File Size: 412 KB"),
    blocks=(
        ("title", "GHANA"),
        ("title", "Candidature for the Human Rights Council, 2024-2026"),
        (
            "p",
            "Ghana is seeking re-election to the Human Rights Council for the term 2024-2026."
            " Ghana served on the Council from 2006 to 2011, from 2015 to 2017 and again from"
            " 2020, and has consistently supported the work of the Office of the High"
            " Commissioner in Africa.",
        ),
        (
            "p",
            "Ghana's Constitution of 1992 guarantees fundamental human rights and freedoms,"
            " and Article 218 gives the Commission on Human Rights and Administrative Justice"
            " a broad mandate to investigate complaints. Ghana abolished the death penalty for"
            " ordinary crimes in July 2023.",
        ),
        ("lead", "As a member of the Council, Ghana will:"),
        (
            "bullet",
            "continue to advocate the rights of women and girls, and the elimination of"
            " harmful practices such as child marriage;",
        ),
        ("bullet", "promote the right to education through the Free Senior High School programme;"),
        ("bullet", "work with the African Group for dialogue and cooperation in the Council."),
        (
            "p",
            "Ghana will continue to engage constructively with all mechanisms of the Council"
            " and to submit its national reports on time.",
        ),
        ("closing", "Accra, 15 March 2023"),
    ),
)

KAZ_ONELINE = RealText(
    name="kaz-odna-stroka.ru",
    language="ru",
    layout="oneline",
    country="KAZ",
    term="2022-2024",
    date=dt.date(2021, 5, 20),
    top=(
        "Организация Объединенных Наций Генеральная Ассамблея Distr.: General 25 May 2021"
        " Russian Семьдесят шестая сессия",
    ),
    blocks=(
        (
            "title",
            "Вербальная нота Постоянного представительства Казахстана при Организации"
            " Объединенных Наций от 20 мая 2021 года на имя Председателя Генеральной"
            " Ассамблеи",
        ),
        (
            "p",
            "Постоянное представительство Республики Казахстан при Организации Объединенных"
            " Наций имеет честь сообщить, что Казахстан выдвинул свою кандидатуру в Совет по"
            " правам человека на период 2022–2024 годов.",
        ),
        (
            "title",
            "Приложение к вербальной ноте Постоянного представительства Казахстана от 20"
            " мая 2021 года",
        ),
        ("title", "Добровольные обязательства Республики Казахстан"),
        ("heading", "I. Общие положения"),
        ("p", "1. Казахстан был членом Совета в 2013–2015 годах и вновь избран на 2022–2024 годы."),
        (
            "p",
            "2. В 2021 году Казахстан отменил смертную казнь, присоединившись ко Второму"
            " факультативному протоколу.",
        ),
        ("heading", "II. Обязательства"),
        ("heading", "А. На международном уровне"),
        ("p", "3. Казахстан будет:"),
        ("p", "а) сотрудничать со всеми специальными процедурами;"),
        ("p", "б) представлять доклады договорным органам в срок."),
        ("heading", "Б. На национальном уровне"),
        (
            "p",
            "4. Казахстан продолжит реформу уполномоченного по правам человека согласно"
            " статье 83-1 Конституции.",
        ),
        ("p", "5. Казахстан обеспечит защиту прав женщин и детей."),
    ),
    numbers=("note.1", "1", "2", "3", "3(a)", "3(b)", "4", "5"),
    sections={"5. Казахстан обеспечит": "II. Обязательства > Б. На национальном уровне"},
)

QAT_WEB = RealText(
    name="qat-web.ar",
    language="ar",
    layout="web",
    country="QAT",
    term="2025-2027",
    date=None,
    top=("انتقل إلى المحتوى", "الرئيسية", "الوزارة", "السياسة الخارجية", "اتصل بنا"),
    bottom=("شارك هذه الصفحة", "آخر تحديث: 2 أكتوبر 2024"),
    blocks=(
        ("title", "ترشيح دولة قطر لعضوية مجلس حقوق الإنسان للفترة 2025-2027"),
        (
            "p",
            "تتقدم دولة قطر بترشيحها لعضوية مجلس حقوق الإنسان للفترة 2025-2027، إيمانا منها"
            " بأهمية الحوار والتعاون في تعزيز حقوق الإنسان وحمايتها.",
        ),
        ("heading", "تعهداتنا"),
        ("lead", "تلتزم دولة قطر، في حال انتخابها، بما يلي:"),
        ("bullet", "مواصلة التعاون مع آليات الأمم المتحدة لحقوق الإنسان؛"),
        ("bullet", "دعم حقوق العمال المهاجرين وتطوير نظام حماية الأجور؛"),
        ("bullet", "تعزيز حقوق المرأة والطفل والأشخاص ذوي الإعاقة."),
        ("heading", "على الصعيد الوطني"),
        (
            "p",
            "ستواصل اللجنة الوطنية لحقوق الإنسان عملها وفقا لمبادئ باريس، وستقدم دولة قطر"
            " تقاريرها إلى هيئات المعاهدات في مواعيدها.",
        ),
    ),
    sections={"ستواصل اللجنة": "على الصعيد الوطني"},
)

VNM_ONELINE = RealText(
    name="vnm-yihang.zh",
    language="zh",
    layout="oneline",
    country="VNM",
    term="2023-2025",
    date=dt.date(2022, 6, 1),
    top=("联合国 大会 第七十七届会议 暂定项目表* 项目117(c)",),
    blocks=(
        ("title", "2022年6月1日越南常驻联合国代表团给大会主席的普通照会"),
        (
            "p",
            "越南常驻联合国代表团谨通知，越南决定参加将于2022年举行的人权理事会2023-2025年"
            "任期成员选举。",
        ),
        ("title", "2022年6月1日越南常驻联合国代表团给大会主席的普通照会的附件"),
        ("title", "越南参选人权理事会2023-2025年任期成员的自愿承诺"),
        ("heading", "一、导言"),
        ("p", "1. 越南曾于2014-2016年担任人权理事会成员。"),
        ("p", "2. 越南已加入九项核心国际人权条约中的七项。"),
        ("heading", "二、承诺"),
        ("p", "3. 越南将："),
        ("p", "(a) 继续与特别程序合作；"),
        ("p", "(b) 按时提交国家报告。"),
        ("p", "4. 越南将继续落实普遍定期审议期间接受的建议。"),
        ("p", "5. 越南将加强对妇女、儿童和残疾人权利的保护。"),
    ),
    numbers=("note.1", "1", "2", "3", "3(a)", "3(b)", "4", "5"),
    sections={"5. 越南将加强": "二、承诺"},
)

MWI_DOCX = RealText(
    name="mwi-brochure.en",
    language="en",
    layout="docx",
    country="MWI",
    term="2027-2029",
    date=dt.date(2026, 2, 14),
    blocks=(
        ("title", "Malawi: candidate for the Human Rights Council 2027-2029"),
        (
            "p",
            "Malawi seeks a seat on the Human Rights Council for the term 2027-2029. Since the"
            " 1994 Constitution, Malawi has built institutions that protect the rights of all"
            " its people.",
        ),
        ("heading", "Why Malawi"),
        (
            "p",
            "Malawi has ratified the core international human rights treaties and has"
            " maintained a moratorium on executions since 1992. In 2021 the Constitutional"
            " Court confirmed that the death penalty is unconstitutional.",
        ),
        ("heading", "What we will do"),
        ("lead", "During its membership, Malawi will:"),
        ("bullet", "advance the rights of persons with albinism and end attacks against them;"),
        ("bullet", "support resolutions on the right to food and on climate change;"),
        ("bullet", "report to the treaty bodies on time."),
        ("closing", "Lilongwe, 14 February 2026"),
    ),
    sections={"advance the rights": "What we will do"},
)

LUX_PDF = RealText(
    name="lux-brochure.fr",
    language="fr",
    layout="pdf",
    country="LUX",
    term="2022-2024",
    date=None,
    top=("Candidature du Luxembourg au Conseil des droits de l'homme 2022-2024",),
    blocks=(
        ("title", "Le Luxembourg candidat au Conseil des droits de l'homme"),
        (
            "p",
            "Le Grand-Duché de Luxembourg présente pour la première fois sa candidature au"
            " Conseil des droits de l'homme, pour la période 2022-2024. Pays fondateur de"
            " l'Organisation des Nations Unies, le Luxembourg est convaincu que le respect des"
            " droits de l'homme est la base d'une paix durable.",
        ),
        ("heading", "Nos engagements"),
        ("lead", "Membre du Conseil, le Luxembourg s'engage à :"),
        ("bullet", "défendre l'universalité et l'indivisibilité des droits de l'homme ;"),
        ("bullet", "promouvoir les droits de l'enfant, notamment dans les conflits armés ;"),
        ("bullet", "soutenir la société civile et les défenseurs des droits de l'homme ;"),
        ("bullet", "œuvrer pour l'égalité des personnes LGBTI."),
        (
            "p",
            "Au niveau national, la Commission consultative des droits de l'homme et"
            " l'Ombudsman continueront de veiller à l'application des engagements du pays."
            " Le Luxembourg consacre chaque année 1 % de son revenu national brut à l'aide"
            " publique au développement.",
        ),
    ),
    sections={"défendre": "Nos engagements"},
)

BWA_INLINE = RealText(
    name="bwa-inline.en",
    language="en",
    layout="docx",
    country="BWA",
    term="2025-2027",
    date=None,
    blocks=(
        ("title", "Voluntary pledges and commitments of Botswana, 2025-2027"),
        (
            "p",
            "1. Botswana presents its candidature to the Human Rights Council for the term"
            " 2025-2027, in accordance with resolution 60/251. 2. Botswana ratified the ILO"
            " Violence and Harassment Convention, 2019 (No. 190) on 8 May 2023. 3. Section"
            " 20(1) of the Constitution protects freedom of assembly, and 12 of the 16 districts"
            " have a human rights desk. 4. Botswana will present its fifth national report in"
            " 2026. 5. Botswana will extend a standing invitation to the special procedures.",
        ),
    ),
    numbers=("1", "2", "3", "4", "5"),
)

CHL_VIEWER = RealText(
    name="chl-visor.es",
    language="es",
    layout="viewer",
    country="CHL",
    term="2023-2025",
    date=dt.date(2022, 5, 12),
    top=("Total Page:2", "File Type: PDF"),
    blocks=(
        (
            "title",
            "Nota verbal de fecha 12 de mayo de 2022 dirigida a la Presidencia de la"
            " Asamblea General por la Misión Permanente de Chile ante las Naciones Unidas",
        ),
        (
            "p",
            "La Misión Permanente de Chile ante las Naciones Unidas tiene el honor de informar"
            " de que Chile ha decidido presentar su candidatura al Consejo de Derechos Humanos"
            " para el período 2023-2025.",
        ),
        ("title", "Anexo de la nota verbal de fecha 12 de mayo de 2022"),
        ("title", "Compromisos y promesas voluntarios de Chile"),
        ("heading", "I. Introducción"),
        (
            "p",
            "1. Chile fue miembro del Consejo de Derechos Humanos en los períodos 2008-2011,"
            " 2011-2014 y 2018-2020, y ha apoyado su labor desde su creación en 2006.",
        ),
        ("p", "2. Chile se compromete a:"),
        (
            "p",
            "a) cooperar plenamente con los procedimientos especiales, a los que mantiene una"
            " invitación abierta desde 2009;",
        ),
        ("p", "b) presentar a tiempo sus informes a los órganos de tratados."),
        ("heading", "II. En el plano nacional"),
        (
            "p",
            "3. Chile seguirá fortaleciendo el Instituto Nacional de Derechos Humanos, creado"
            " por la Ley núm. 20.405, conforme a los Principios de París.",
        ),
    ),
    numbers=("note.1", "1", "2", "2(a)", "2(b)", "3"),
    sections={"3. Chile seguirá": "II. En el plano nacional"},
)

TEXTS: tuple[RealText, ...] = (
    NZL_WEB,
    CRI_BROCHURE,
    SEN_ONELINE,
    GHA_VIEWER,
    KAZ_ONELINE,
    QAT_WEB,
    VNM_ONELINE,
    MWI_DOCX,
    LUX_PDF,
    BWA_INLINE,
    CHL_VIEWER,
)


def main(argv: list[str]) -> None:
    """Write every fixture into the directory given on the command line."""
    directory = Path(argv[1] if len(argv) > 1 else "realworld")
    directory.mkdir(parents=True, exist_ok=True)
    for text in TEXTS:
        print(text.write(directory))


if __name__ == "__main__":
    main(sys.argv)
