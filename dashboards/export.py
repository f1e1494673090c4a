"""The dashboard as an xlsx file: the same numbers as the page, Vietnamese headers."""

from django.utils import translation
from django.utils.text import slugify
from openpyxl import Workbook

from indicators.display import count_cell, figure_cell, figure_style
from parc.lib.xlsx import workbook_bytes, write_cell, write_table
from plans.templatetags.plans_tags import target_text


def dashboard_workbook(dashboard):
    with translation.override("vi"):
        wb = Workbook()
        cards = wb.active
        cards.title = "Chỉ số"
        title = f"{dashboard.unit.name} — {dashboard.span_label} {dashboard.filters.year}"
        note = " (gồm số liệu đã gửi, chưa phê duyệt)" if dashboard.pending_shown else " (số liệu đã phê duyệt)"
        write_cell(cards, 1, 1, title + note)  # a unit's name is user text: never a formula
        rows = []
        for card in dashboard.cards:
            judged = card.now
            # Each figure a number in its indicator's format: a count "13", a percentage "98,40".
            rows.append([
                card.indicator.code,
                card.indicator.name_vi,
                figure_cell(card.indicator, judged.figure),
                count_cell(judged.rollup.numerator),
                count_cell(judged.rollup.denominator),
                target_text(judged.target) if judged.target else "",
                str(judged.result.label),
                figure_cell(card.indicator, card.change),
                figure_style(card.indicator).unit,
            ])  # fmt: skip
        headers = [
            "Mã chỉ số",
            "Chỉ số",
            "Kết quả",
            "Tử số",
            "Mẫu số",
            "Chỉ tiêu",
            "Đánh giá",
            "Thay đổi so với kỳ trước",
            "Đơn vị tính",
        ]
        write_table(cards, headers, rows, start_row=2)

        matrix = wb.create_sheet("Đơn vị trực thuộc")
        headers = ["Xếp hạng", "Mã đơn vị", "Đơn vị", "Số chỉ tiêu đạt"] + [i.code for i in dashboard.child_indicators]
        rows = []
        total = len(dashboard.matrix)
        for row in dashboard.matrix:
            rows.append(
                [f"{row.rank}/{total}", row.unit.code, row.unit.name, f"{row.met}/{row.with_target}"]
                + [figure_cell(i, c.figure) for i, c in zip(dashboard.child_indicators, row.cells, strict=True)]
            )
        write_table(matrix, headers, rows)
        return workbook_bytes(wb)


def filename(dashboard):
    return f"bang-dieu-khien-{slugify(dashboard.unit.code)}-{dashboard.filters.year}-{dashboard.filters.span}.xlsx"
