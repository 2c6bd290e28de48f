"""A fictional pledge (the Republic of Ruritania, HRC 2026-2028) in five UN languages, and writers
that produce it as .txt, .pdf (fpdf2 with a DejaVu TTF), .docx (python-docx) and .html.

The text follows the real documents' layout: masthead, covering note verbale, footnotes, the annex
line, title lines, headings ("I." / "A.", "I." / "А.", "أولا -" / "ألف -"), numbered paragraphs
("1." or Arabic "1 -" / "١ -"), lettered items ("(a)", "a)", "а)", "(أ)") and bullets. Ruritania is
not an ISO 3166 country, so country detection must say null rather than guess.
"""

from __future__ import annotations

import datetime as dt
import functools
import textwrap
from dataclasses import dataclass
from pathlib import Path

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))


@functools.lru_cache(maxsize=8)
def find_font(sample: str, preferred: str, package: str) -> Path:
    """A TrueType font on this machine with glyphs for every character of ``sample``.

    Args:
        sample: Characters the font must cover.
        preferred: File name tried first (e.g. DejaVuSans.ttf).
        package: The Debian package to name when no font fits.

    Raises:
        AssertionError: No installed font covers the sample (the message says what to install).
    """
    from fontTools.ttLib import TTCollection, TTFont

    candidates = sorted(
        (p for d in FONT_DIRS if d.is_dir() for p in d.rglob("*") if p.suffix in (".ttf", ".ttc")),
        key=lambda p: (p.name != preferred, p.name),
    )
    needed = {ord(ch) for ch in sample if not ch.isspace()}
    for path in candidates:
        try:
            fonts = TTCollection(str(path)).fonts if path.suffix == ".ttc" else [TTFont(str(path))]
            if needed <= set(fonts[0].getBestCmap() or {}):
                return path
        except Exception:
            continue
    raise AssertionError(f"no installed font has glyphs for {sample!r}: apt-get install {package}")


def pdf_font() -> Path:
    """The font for the Latin, Cyrillic and Arabic fixtures (DejaVu Sans on Debian)."""
    return find_font("Rérpublique Руритания روريتانيا •¹", "DejaVuSans.ttf", "fonts-dejavu-core")


def cjk_font() -> Path:
    """A CJK font for the Chinese sample as a PDF (WenQuanYi Micro Hei on Debian)."""
    return find_font("比利时常驻联合国代表团", "wqy-microhei.ttc", "fonts-wqy-microhei")


SYMBOL = "A/78/812"
DATE = dt.date(2024, 3, 14)
TERM = "2026-2028"
SESSION = 78
NUMBERS = [
    "note.1", "note.2", "1", "2", "3", "3(a)", "3(b)", "4", "4.1", "4.2", "5", "6",
]  # fmt: skip


@dataclass(frozen=True)
class Pledge:
    """One language version. Paragraph texts are what the parser must give back verbatim."""

    language: str
    session: str
    agenda: str
    agenda_title: str
    note_title: str
    notes: tuple[str, str]
    annex: str
    titles: tuple[str, str]
    h1: tuple[str, str]  # markers + titles of the two level-1 headings, e.g. "I. Introduction"
    h2: tuple[str, str]
    paras: dict[str, str]  # number -> text, for 1..6 and the items/bullets
    para_marker: str = "{n}. "  # how paragraph numbers are written
    item_markers: tuple[str, str] = ("(a) ", "(b) ")

    def marker(self, n: int) -> str:
        return self.para_marker.format(n=n)

    def blocks(self) -> list[tuple[str, str]]:
        """(kind, text with marker) in reading order; kinds: header, note_title, note, footnote,
        annex, title, h1, h2, para, item, bullet."""
        p = self.paras
        out: list[tuple[str, str]] = [
            ("header", self.session),
            ("header", self.agenda),
            ("header", self.agenda_title),
            ("note_title", self.note_title),
            ("note", self.notes[0]),
            ("note", self.notes[1] + "¹"),
            ("footnote", "* A/78/50."),
            ("footnote", "¹ A/RES/60/251."),
            ("annex", self.annex),
            ("title", self.titles[0]),
            ("title", self.titles[1]),
            ("h1", self.h1[0]),
            ("para", self.marker(1) + p["1"]),
            ("para", self.marker(2) + p["2"]),
            ("h1", self.h1[1]),
            ("h2", self.h2[0]),
            ("para", self.marker(3) + p["3"]),
            ("item", self.item_markers[0] + p["3(a)"]),
            ("item", self.item_markers[1] + p["3(b)"]),
            ("para", self.marker(4) + p["4"]),
            ("bullet", "• " + p["4.1"]),
            ("bullet", "• " + p["4.2"]),
            ("h2", self.h2[1]),
            ("para", self.marker(5) + p["5"]),
            ("para", self.marker(6) + p["6"]),
        ]
        return out

    def expected_text(self, number: str) -> str:
        """The paragraph text the parser must return (footnote marks removed)."""
        if number.startswith("note."):
            return self.notes[int(number[5:]) - 1]
        return self.paras[number]

    def expected_section(self, number: str) -> str | None:
        if number.startswith("note."):
            return None
        if number.split(".")[0].split("(")[0] in ("1", "2"):
            return self.h1[0]
        head = number.split(".")[0].split("(")[0]
        h2 = self.h2[0] if head in ("3", "4") else self.h2[1]
        return f"{self.h1[1]} > {h2}"


EN = Pledge(
    language="en",
    session="Seventy-eighth session",
    agenda="Item 118 (c) of the provisional agenda*",
    agenda_title=(
        "Elections to fill vacancies in subsidiary organs and other elections: election of"
        " members of the Human Rights Council"
    ),
    note_title=(
        "Note verbale dated 14 March 2024 from the Permanent Mission of the Republic of Ruritania"
        " to the United Nations addressed to the President of the General Assembly"
    ),
    notes=(
        "The Permanent Mission of the Republic of Ruritania to the United Nations presents its"
        " compliments to the President of the General Assembly and has the honour to inform him"
        " that the Republic of Ruritania has decided to present its candidature for membership of"
        " the Human Rights Council for the term 2026-2028.",
        "In accordance with General Assembly resolution 60/251, the Republic of Ruritania hereby"
        " submits its voluntary pledges and commitments (see annex).",
    ),
    annex=(
        "Annex to the note verbale dated 14 March 2024 from the Permanent Mission of the Republic"
        " of Ruritania to the United Nations addressed to the President of the General Assembly"
    ),
    titles=(
        "Candidature of the Republic of Ruritania for membership of the Human Rights Council,"
        " 2026-2028",
        "Voluntary pledges and commitments pursuant to General Assembly resolution 60/251",
    ),
    h1=("I. Introduction", "II. Pledges and commitments"),
    h2=("A. At the international level", "B. At the national level"),
    paras={
        "1": "The Republic of Ruritania is honoured to present its candidature for membership of"
        " the Human Rights Council for the term 2026-2028.",
        "2": "Ruritania has been a steadfast supporter of the multilateral human rights system"
        " since its admission to the United Nations in 1962. It believes that the Council must"
        " remain a forum for dialogue, cooperation and the prevention of violations, and that its"
        " work gains in credibility when all regions take part in it.",
        "3": "Ruritania pledges to:",
        "3(a)": "Cooperate fully with the special procedures and maintain its standing invitation"
        " to all mandate holders;",
        "3(b)": "Submit its reports to the treaty bodies on time and follow up on their"
        " recommendations.",
        "4": "Ruritania will continue to support the Office of the United Nations High"
        " Commissioner for Human Rights, in particular by:",
        "4.1": "Making a voluntary contribution every year;",
        "4.2": "Supporting its field presences in the region.",
        "5": "Ruritania will establish a national human rights institution in full compliance"
        " with the Paris Principles by the end of 2026.",
        "6": "Ruritania will ratify the Optional Protocol to the Convention against Torture and"
        " designate a national preventive mechanism.",
    },
)

FR = Pledge(
    language="fr",
    session="Soixante-dix-huitième session",
    agenda="Point 118 c) de l'ordre du jour provisoire*",
    agenda_title=(
        "Élections aux sièges devenus vacants dans les organes subsidiaires et autres élections :"
        " élection de membres du Conseil des droits de l'homme"
    ),
    note_title=(
        "Note verbale datée du 14 mars 2024, adressée au Président de l'Assemblée générale par la"
        " Mission permanente de la République de Ruritanie auprès de l'Organisation des Nations"
        " Unies"
    ),
    notes=(
        "La Mission permanente de la République de Ruritanie auprès de l'Organisation des Nations"
        " Unies présente ses compliments au Président de l'Assemblée générale et a l'honneur de"
        " l'informer que la République de Ruritanie a décidé de présenter sa candidature au"
        " Conseil des droits de l'homme pour la période 2026-2028.",
        "Conformément à la résolution 60/251 de l'Assemblée générale, la République de Ruritanie"
        " soumet ses contributions et engagements volontaires (voir annexe).",
    ),
    annex=(
        "Annexe à la note verbale datée du 14 mars 2024 adressée au Président de l'Assemblée"
        " générale par la Mission permanente de la République de Ruritanie auprès de"
        " l'Organisation des Nations Unies"
    ),
    titles=(
        "Candidature de la République de Ruritanie au Conseil des droits de l'homme pour la"
        " période 2026-2028",
        "Contributions et engagements volontaires présentés conformément à la résolution 60/251"
        " de l'Assemblée générale",
    ),
    h1=("I. Introduction", "II. Contributions et engagements"),
    h2=("A. Au niveau international", "B. Au niveau national"),
    paras={
        "1": "La République de Ruritanie a l'honneur de présenter sa candidature au Conseil des"
        " droits de l'homme pour la période 2026-2028.",
        "2": "La Ruritanie soutient fermement le système multilatéral des droits de l'homme depuis"
        " son admission à l'Organisation des Nations Unies en 1962. Elle estime que le Conseil"
        " doit demeurer un lieu de dialogue, de coopération et de prévention des violations, et"
        " que son action gagne en crédibilité lorsque toutes les régions y prennent part.",
        "3": "La Ruritanie s'engage à :",
        "3(a)": "Coopérer pleinement avec les procédures spéciales et maintenir son invitation"
        " permanente à tous les titulaires de mandat ;",
        "3(b)": "Présenter ses rapports aux organes conventionnels dans les délais et donner suite"
        " à leurs recommandations.",
        "4": "La Ruritanie continuera d'appuyer le Haut-Commissariat des Nations Unies aux droits"
        " de l'homme, notamment :",
        "4.1": "en versant chaque année une contribution volontaire ;",
        "4.2": "en soutenant ses présences sur le terrain dans la région.",
        "5": "La Ruritanie créera une institution nationale des droits de l'homme pleinement"
        " conforme aux Principes de Paris d'ici à la fin de 2026.",
        "6": "La Ruritanie ratifiera le Protocole facultatif se rapportant à la Convention contre"
        " la torture et désignera un mécanisme national de prévention.",
    },
    item_markers=("a) ", "b) "),
)

ES = Pledge(
    language="es",
    session="Septuagésimo octavo período de sesiones",
    agenda="Tema 118 c) del programa provisional*",
    agenda_title=(
        "Elecciones para llenar vacantes en órganos subsidiarios y otras elecciones: elección de"
        " miembros del Consejo de Derechos Humanos"
    ),
    note_title=(
        "Nota verbal de fecha 14 de marzo de 2024 dirigida a la Presidencia de la Asamblea General"
        " por la Misión Permanente de la República de Ruritania ante las Naciones Unidas"
    ),
    notes=(
        "La Misión Permanente de la República de Ruritania ante las Naciones Unidas saluda"
        " atentamente a la Presidencia de la Asamblea General y tiene el honor de informarle de"
        " que la República de Ruritania ha decidido presentar su candidatura al Consejo de"
        " Derechos Humanos para el período 2026-2028.",
        "De conformidad con la resolución 60/251 de la Asamblea General, la República de"
        " Ruritania presenta sus promesas y compromisos voluntarios (véase el anexo).",
    ),
    annex=(
        "Anexo de la nota verbal de fecha 14 de marzo de 2024 dirigida a la Presidencia de la"
        " Asamblea General por la Misión Permanente de la República de Ruritania ante las"
        " Naciones Unidas"
    ),
    titles=(
        "Candidatura de la República de Ruritania al Consejo de Derechos Humanos para el período"
        " 2026-2028",
        "Promesas y compromisos voluntarios presentados de conformidad con la resolución 60/251"
        " de la Asamblea General",
    ),
    h1=("I. Introducción", "II. Promesas y compromisos"),
    h2=("A. En el plano internacional", "B. En el plano nacional"),
    paras={
        "1": "La República de Ruritania tiene el honor de presentar su candidatura al Consejo de"
        " Derechos Humanos para el período 2026-2028.",
        "2": "Ruritania apoya firmemente el sistema multilateral de derechos humanos desde su"
        " admisión en las Naciones Unidas en 1962. Considera que el Consejo debe seguir siendo un"
        " foro de diálogo, cooperación y prevención de violaciones, y que su labor gana"
        " credibilidad cuando participan en ella todas las regiones.",
        "3": "Ruritania se compromete a:",
        "3(a)": "Cooperar plenamente con los procedimientos especiales y mantener su invitación"
        " permanente a todos los titulares de mandatos;",
        "3(b)": "Presentar puntualmente sus informes a los órganos de tratados y dar seguimiento a"
        " sus recomendaciones.",
        "4": "Ruritania seguirá apoyando a la Oficina del Alto Comisionado de las Naciones Unidas"
        " para los Derechos Humanos, en particular:",
        "4.1": "aportando cada año una contribución voluntaria;",
        "4.2": "apoyando su presencia sobre el terreno en la región.",
        "5": "Ruritania establecerá una institución nacional de derechos humanos plenamente"
        " conforme con los Principios de París antes de que finalice 2026.",
        "6": "Ruritania ratificará el Protocolo Facultativo de la Convención contra la Tortura y"
        " designará un mecanismo nacional de prevención.",
    },
    item_markers=("a) ", "b) "),
)

RU = Pledge(
    language="ru",
    session="Семьдесят восьмая сессия",
    agenda="Пункт 118 c) предварительной повестки дня*",
    agenda_title=(
        "Выборы для заполнения вакансий во вспомогательных органах и другие выборы: выборы членов"
        " Совета по правам человека"
    ),
    note_title=(
        "Вербальная нота Постоянного представительства Республики Руритании при Организации"
        " Объединенных Наций от 14 марта 2024 года на имя Председателя Генеральной Ассамблеи"
    ),
    notes=(
        "Постоянное представительство Республики Руритании при Организации Объединенных Наций"
        " свидетельствует свое уважение Председателю Генеральной Ассамблеи и имеет честь"
        " сообщить, что Республика Руритания приняла решение выдвинуть свою кандидатуру в члены"
        " Совета по правам человека на период 2026–2028 годов.",
        "В соответствии с резолюцией 60/251 Генеральной Ассамблеи Республика Руритания"
        " представляет свои добровольные обещания и обязательства (см. приложение).",
    ),
    annex=(
        "Приложение к вербальной ноте Постоянного представительства Республики Руритании при"
        " Организации Объединенных Наций от 14 марта 2024 года на имя Председателя Генеральной"
        " Ассамблеи"
    ),
    titles=(
        "Кандидатура Республики Руритании в члены Совета по правам человека на период"
        " 2026–2028 годов",
        "Добровольные обещания и обязательства, представленные в соответствии с резолюцией"
        " 60/251 Генеральной Ассамблеи",
    ),
    h1=("I. Введение", "II. Обещания и обязательства"),
    h2=("А. На международном уровне", "Б. На национальном уровне"),
    paras={
        "1": "Республика Руритания имеет честь выдвинуть свою кандидатуру в члены Совета по правам"
        " человека на период 2026–2028 годов.",
        "2": "Руритания неизменно поддерживает многостороннюю систему защиты прав человека с"
        " момента своего принятия в Организацию Объединенных Наций в 1962 году. Она считает, что"
        " Совет должен оставаться площадкой для диалога, сотрудничества и предупреждения"
        " нарушений и что его работа становится более авторитетной, когда в ней участвуют все"
        " регионы.",
        "3": "Руритания обязуется:",
        "3(a)": "в полной мере сотрудничать со специальными процедурами и сохранять постоянно"
        " действующее приглашение всем мандатариям;",
        "3(b)": "своевременно представлять доклады договорным органам и выполнять их рекомендации.",
        "4": "Руритания будет и впредь поддерживать Управление Верховного комиссара Организации"
        " Объединенных Наций по правам человека, в частности:",
        "4.1": "ежегодно внося добровольный взнос;",
        "4.2": "поддерживая его присутствие на местах в регионе.",
        "5": "Руритания создаст национальное правозащитное учреждение, в полной мере"
        " соответствующее Парижским принципам, до конца 2026 года.",
        "6": "Руритания ратифицирует Факультативный протокол к Конвенции против пыток и назначит"
        " национальный превентивный механизм.",
    },
    item_markers=("а) ", "б) "),
)

AR = Pledge(
    language="ar",
    session="الدورة الثامنة والسبعون",
    agenda="البند 118 (ج) من جدول الأعمال المؤقت*",
    agenda_title=(
        "الانتخابات لملء الشواغر في الهيئات الفرعية وانتخابات أخرى: انتخاب أعضاء مجلس حقوق الإنسان"
    ),
    note_title=(
        "مذكرة شفوية مؤرخة 14 آذار/مارس 2024 موجهة إلى رئيس الجمعية العامة من البعثة الدائمة"
        " لجمهورية روريتانيا لدى الأمم المتحدة"
    ),
    notes=(
        "تهدي البعثة الدائمة لجمهورية روريتانيا لدى الأمم المتحدة تحياتها إلى رئيس الجمعية"
        " العامة، وتتشرف بأن تبلغه بأن جمهورية روريتانيا قررت تقديم ترشيحها لعضوية مجلس حقوق"
        " الإنسان للفترة 2026-2028.",
        "ووفقا لقرار الجمعية العامة 60/251، تقدم جمهورية روريتانيا تعهداتها والتزاماتها الطوعية"
        " (انظر المرفق).",
    ),
    annex=(
        "مرفق المذكرة الشفوية المؤرخة 14 آذار/مارس 2024 الموجهة إلى رئيس الجمعية العامة من البعثة"
        " الدائمة لجمهورية روريتانيا لدى الأمم المتحدة"
    ),
    titles=(
        "ترشيح جمهورية روريتانيا لعضوية مجلس حقوق الإنسان للفترة 2026-2028",
        "التعهدات والالتزامات الطوعية المقدمة وفقا لقرار الجمعية العامة 60/251",
    ),
    h1=("أولا - مقدمة", "ثانيا - التعهدات والالتزامات"),
    h2=("ألف - على الصعيد الدولي", "باء - على الصعيد الوطني"),
    paras={
        "1": "تتشرف جمهورية روريتانيا بتقديم ترشيحها لعضوية مجلس حقوق الإنسان للفترة 2026-2028.",
        "2": "ما فتئت روريتانيا تدعم بثبات المنظومة المتعددة الأطراف لحقوق الإنسان منذ انضمامها"
        " إلى الأمم المتحدة في عام 1962. وهي ترى أن المجلس يجب أن يظل منتدى للحوار والتعاون ومنع"
        " الانتهاكات، وأن عمله يكتسب مصداقية أكبر عندما تشارك فيه جميع المناطق.",
        "3": "تتعهد روريتانيا بما يلي:",
        "3(a)": "التعاون التام مع الإجراءات الخاصة والإبقاء على دعوتها الدائمة لجميع المكلفين"
        " بولايات؛",
        "3(b)": "تقديم تقاريرها إلى هيئات المعاهدات في موعدها ومتابعة توصياتها.",
        "4": "ستواصل روريتانيا دعم مفوضية الأمم المتحدة السامية لحقوق الإنسان، ولا سيما من خلال:",
        "4.1": "تقديم تبرع طوعي كل عام؛",
        "4.2": "دعم وجودها الميداني في المنطقة.",
        "5": "ستنشئ روريتانيا مؤسسة وطنية لحقوق الإنسان تمتثل امتثالا تاما لمبادئ باريس بحلول"
        " نهاية عام 2026.",
        "6": "ستصدق روريتانيا على البروتوكول الاختياري لاتفاقية مناهضة التعذيب وستعين آلية وقائية"
        " وطنية.",
    },
    para_marker="{n} - ",
    item_markers=("(أ) ", "(ب) "),
)

PLEDGES: dict[str, Pledge] = {p.language: p for p in (EN, FR, ES, RU, AR)}
FORMATS = ("txt", "pdf", "docx", "html")

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


# -- writers -------------------------------------------------------------------------------------


def write_txt(pledge: Pledge, path: Path, width: int = 78, indic: bool = False) -> Path:
    """Plain text: blank line between blocks, lines hard-wrapped at ``width`` inside a block."""
    out: list[str] = []
    for kind, text in pledge.blocks():
        if indic and kind == "para":
            num, _, rest = text.partition(" - ")
            text = num.translate(ARABIC_INDIC) + " - " + rest
        wrapped = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
        out.append("\n".join(wrapped))
    path.write_text("\n\n".join(out) + "\n", encoding="utf-8")
    return path


def write_html(pledge: Pledge, path: Path) -> Path:
    """A UN-documents-like page: <p> per paragraph, <h2>/<h3> headings, <ul> bullets."""
    import html

    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{pledge.language}"><head><meta charset="utf-8">',
        "<title>Pledge</title><style>p{margin:0}</style><script>var x = 1;</script></head><body>",
        '<nav><a href="/">Home</a></nav>',
    ]
    in_list = False
    for kind, text in pledge.blocks():
        if kind != "bullet" and in_list:
            parts.append("</ul>")
            in_list = False
        esc = html.escape(text)
        if kind == "bullet":
            if not in_list:
                parts.append("<ul>")
                in_list = True
            parts.append(f"<li>{html.escape(text.removeprefix('• '))}</li>")
        elif kind == "h1":
            parts.append(f"<h2>{esc}</h2>")
        elif kind == "h2":
            parts.append(f"<h3>{esc}</h3>")
        elif kind == "note_title":
            parts.append(f"<p><b>{esc}</b></p>")
        else:
            parts.append(f"<p>{esc}</p>")
    if in_list:
        parts.append("</ul>")
    parts.append("<footer><p>© United Nations. Terms of use.</p></footer></body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def write_docx(pledge: Pledge, path: Path) -> Path:
    """DOCX: Heading styles for headings, Word's own "List Bullet" numbering for bullets."""
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = SYMBOL  # the running header
    for kind, text in pledge.blocks():
        if kind == "h1":
            document.add_paragraph(text, style="Heading 1")
        elif kind == "h2":
            document.add_paragraph(text, style="Heading 2")
        elif kind == "bullet":
            document.add_paragraph(text.removeprefix("• "), style="List Bullet")
        else:
            document.add_paragraph(text)
    document.save(str(path))
    return path


def write_pdf(pledge: Pledge, path: Path, symbol: str = SYMBOL) -> Path:
    """A PDF with a UN-like masthead, running headers, footers, footnotes and link lines."""
    from fpdf import FPDF

    class UNPdf(FPDF):
        def header(self) -> None:
            self.set_font("DejaVu", size=9)
            if self.page_no() == 1:
                self.cell(0, 5, symbol, new_x="LMARGIN", new_y="NEXT", align="R")
                self.cell(0, 5, "Distr.: General", new_x="LMARGIN", new_y="NEXT", align="R")
                self.cell(0, 5, "20 March 2024", new_x="LMARGIN", new_y="NEXT", align="R")
            else:
                self.cell(0, 5, f"{symbol}    {self.page_no()}/{{nb}}", new_x="LMARGIN",
                          new_y="NEXT")  # fmt: skip
            self.ln(4)
            self.set_font("DejaVu", size=11)

        def footer(self) -> None:
            self.set_y(-32)
            self.set_font("DejaVu", size=8)
            if self.page_no() == 1:
                self.cell(0, 4, "* A/78/50.", new_x="LMARGIN", new_y="NEXT")
                self.cell(0, 4, "¹ A/RES/60/251.", new_x="LMARGIN", new_y="NEXT")
                self.cell(0, 4, "https://undocs.org/A/RES/60/251", new_x="LMARGIN", new_y="NEXT")
                self.cell(0, 4, "24-04567 (E)    200324    210324", new_x="LMARGIN", new_y="NEXT")
                self.cell(0, 4, "*2404567*", new_x="LMARGIN", new_y="NEXT")
                self.cell(0, 4, "Please recycle", new_x="LMARGIN", new_y="NEXT")
            else:
                self.cell(0, 4, f"24-04567    {self.page_no()}/{{nb}}", new_x="LMARGIN",
                          new_y="NEXT", align="R")  # fmt: skip

    pdf = UNPdf(format="A4")
    pdf.set_auto_page_break(auto=True, margin=36)
    pdf.add_font("DejaVu", "", str(pdf_font()))
    pdf.add_page()
    pdf.set_font("DejaVu", size=11)
    for kind, text in pledge.blocks():
        if kind == "footnote":
            continue  # printed in the first page's footer, where UN documents put it
        indent = 10 if kind in ("item", "bullet") else 0
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.output(str(path))
    return path


def write_pdf_reportlab(pledge: Pledge, path: Path, symbol: str = SYMBOL) -> Path:
    """The same pledge through a second PDF producer (ReportLab, justified paragraphs)."""
    from xml.sax.saxutils import escape

    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(TTFont("DejaVu", str(pdf_font())))
    style = ParagraphStyle(
        "body", fontName="DejaVu", fontSize=11, leading=14, alignment=TA_JUSTIFY, spaceAfter=6
    )

    def furniture(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.setFont("DejaVu", 8)
        canvas.drawString(72, 800, symbol + (f"   {doc.page}/2" if doc.page > 1 else ""))
        canvas.drawString(72, 40, f"24-04567 (E)   {doc.page}/2")
        if doc.page == 1:  # the footnotes the first page's marks refer to
            for n, (kind, text) in enumerate(pledge.blocks()):
                if kind == "footnote":
                    canvas.drawString(72, 70 - 8 * n, text)

    story = [Paragraph(escape(text), style) for kind, text in pledge.blocks() if kind != "footnote"]
    SimpleDocTemplate(str(path), pagesize=A4).build(
        story, onFirstPage=furniture, onLaterPages=furniture
    )
    return path


def write(pledge: Pledge, fmt: str, directory: Path) -> Path:
    """Write one language version in one format; returns the file's path."""
    path = directory / f"ruritania.{pledge.language}.{fmt}"
    return {"txt": write_txt, "pdf": write_pdf, "docx": write_docx, "html": write_html}[fmt](
        pledge, path
    )
