"""The dashboard as an xlsx file: the same numbers as the page, Vietnamese headers."""

from django.utils import translation
from django.utils.text import slugify
from openpyxl import Workbook

from parc.lib.xlsx import workbook_bytes, write_cell, write_table
from plans.templatetags.plans_tags import target_text

PERCENT = "0.00"


def _number(judged):
    figure = judged.figure
    return round(figure, 2) if figure is not None else None


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
            rows.append([
                card.indicator.code,
                card.indicator.name_vi,
                _number(judged),
                judged.rollup.numerator,
                judged.rollup.denominator,
                target_text(judged.target) if judged.target else "",
                str(judged.result.label),
                round(card.change, 2) if card.change is not None else None,
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
        ]
        write_table(cards, headers, rows, start_row=2, number_formats={3: PERCENT, 8: PERCENT})

        matrix = wb.create_sheet("Đơn vị trực thuộc")
        headers = ["Xếp hạng", "Mã đơn vị", "Đơn vị", "Số chỉ tiêu đạt"] + [i.code for i in dashboard.child_indicators]
        rows = []
        total = len(dashboard.matrix)
        for row in dashboard.matrix:
            rows.append(
                [f"{row.rank}/{total}", row.unit.code, row.unit.name, f"{row.met}/{row.with_target}"]
                + [_number(c) for c in row.cells]
            )
        write_table(matrix, headers, rows, number_formats={c: PERCENT for c in range(5, len(headers) + 1)})
        return workbook_bytes(wb)


def filename(dashboard):
    return f"bang-dieu-khien-{slugify(dashboard.unit.code)}-{dashboard.filters.year}-{dashboard.filters.span}.xlsx"
