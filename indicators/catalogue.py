"""The starting indicator catalogue (DOMAIN.md). Codes are stable; everything else can be
edited in the admin. Loaded by a data migration, so every database has it."""

# (code, field, kind, direction, time aggregation, levels P/D/C, unit, name_vi, name_en,
#  numerator, denominator, definition, legal basis)
PDC = (True, True, True)
PD = (True, True, False)

CATALOGUE = [
    ("TTHC_ONTIME", "procedures", "ratio", "higher", "sum", PDC, "%",
     "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn và trước hạn", "Dossiers resolved on time or early",
     "Số hồ sơ giải quyết đúng hạn và trước hạn", "Số hồ sơ đã giải quyết",
     "Hồ sơ giải quyết trước hạn và đúng hạn trên tổng số hồ sơ đã giải quyết trong kỳ.",
     "Quyết định 766/QĐ-TTg ngày 23/6/2022"),
    ("TTHC_ONLINE", "digital", "ratio", "higher", "sum", PDC, "%",
     "Tỷ lệ hồ sơ TTHC nộp trực tuyến", "Dossiers filed online",
     "Số hồ sơ tiếp nhận trực tuyến", "Tổng số hồ sơ tiếp nhận",
     "Hồ sơ nộp qua Cổng Dịch vụ công trên tổng số hồ sơ tiếp nhận trong kỳ.",
     "Nghị quyết 76/NQ-CP ngày 15/7/2021"),
    ("RESULT_DIGITISED", "digital", "ratio", "higher", "sum", PDC, "%",
     "Tỷ lệ số hóa kết quả giải quyết TTHC", "Issued results digitised",
     "Số kết quả được số hóa", "Số kết quả đã cấp",
     "Kết quả giải quyết TTHC còn hiệu lực được số hóa trên tổng số kết quả đã cấp trong kỳ.",
     "Nghị định 45/2020/NĐ-CP; Quyết định 06/QĐ-TTg"),
    ("DOSSIER_DIGITISED", "digital", "ratio", "higher", "sum", PDC, "%",
     "Tỷ lệ số hóa hồ sơ TTHC", "Dossiers with digitised components",
     "Số hồ sơ có thành phần được số hóa", "Số hồ sơ tiếp nhận",
     "Hồ sơ được số hóa thành phần khi tiếp nhận trên tổng số hồ sơ tiếp nhận.",
     "Nghị định 107/2021/NĐ-CP"),
    ("DVC_FULL_ONLINE", "digital", "ratio", "higher", "last", PDC, "%",
     "Tỷ lệ dịch vụ công trực tuyến toàn trình", "Procedures offered fully online",
     "Số TTHC cung cấp trực tuyến toàn trình", "Số TTHC đủ điều kiện",
     "Thủ tục cung cấp dịch vụ công trực tuyến toàn trình trên tổng số thủ tục đủ điều kiện, tại cuối kỳ.",
     "Nghị quyết 76/NQ-CP ngày 15/7/2021"),
    ("PORTAL_INTEGRATED", "digital", "ratio", "higher", "last", PDC, "%",
     "Tỷ lệ TTHC tích hợp trên Cổng Dịch vụ công quốc gia", "Procedures integrated on the National Portal",
     "Số TTHC đã tích hợp", "Tổng số TTHC",
     "Thủ tục đã tích hợp, cung cấp trên Cổng Dịch vụ công quốc gia, tại cuối kỳ.",
     "Nghị quyết 76/NQ-CP ngày 15/7/2021"),
    ("ONLINE_PAYMENT", "digital", "ratio", "higher", "sum", PDC, "%",
     "Tỷ lệ hồ sơ thanh toán trực tuyến", "Dossiers with fees paid online",
     "Số hồ sơ thanh toán phí, lệ phí trực tuyến", "Số hồ sơ có phí, lệ phí",
     "Hồ sơ có nghĩa vụ tài chính được thanh toán trực tuyến.",
     "Nghị quyết 76/NQ-CP ngày 15/7/2021"),
    ("ONE_STOP", "procedures", "ratio", "higher", "last", PDC, "%",
     "Tỷ lệ TTHC thực hiện theo cơ chế một cửa, một cửa liên thông", "Procedures handled through the one-stop shop",
     "Số TTHC thực hiện qua Bộ phận Một cửa", "Số TTHC thuộc thẩm quyền",
     "Thủ tục tiếp nhận và trả kết quả qua Bộ phận Một cửa, tại cuối kỳ.",
     "Nghị định 61/2018/NĐ-CP"),
    ("WORK_ONLINE", "digital", "ratio", "higher", "sum", PDC, "%",
     "Tỷ lệ hồ sơ công việc xử lý trên môi trường mạng", "Work files processed online",
     "Số hồ sơ công việc xử lý trên mạng", "Tổng số hồ sơ công việc",
     "Hồ sơ công việc được xử lý trên môi trường mạng (trừ hồ sơ mật).",
     "Quyết định 749/QĐ-TTg"),
    ("SATISFACTION", "satisfaction", "percent", "higher", "last", PDC, "%",
     "Mức độ hài lòng của người dân, doanh nghiệp về giải quyết TTHC",
     "Satisfaction with administrative services", "", "",
     "Tỷ lệ đánh giá hài lòng theo khảo sát hoặc đánh giá trên Cổng Dịch vụ công.",
     "Nghị quyết 76/NQ-CP ngày 15/7/2021"),
    ("SATISFACTION_EDU", "satisfaction", "percent", "higher", "last", PD, "%",
     "Mức độ hài lòng về dịch vụ giáo dục công", "Satisfaction with public schools", "", "",
     "Tỷ lệ hài lòng của người dân đối với dịch vụ giáo dục công lập.",
     "Nghị quyết 76/NQ-CP ngày 15/7/2021"),
    ("SATISFACTION_HEALTH", "satisfaction", "percent", "higher", "last", PD, "%",
     "Mức độ hài lòng về dịch vụ y tế công", "Satisfaction with public hospitals", "", "",
     "Tỷ lệ hài lòng của người dân đối với dịch vụ y tế công lập.",
     "Nghị quyết 76/NQ-CP ngày 15/7/2021"),
    ("FEEDBACK_ONTIME", "procedures", "ratio", "higher", "sum", PDC, "%",
     "Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn", "Citizen feedback handled on time",
     "Số phản ánh, kiến nghị xử lý đúng hạn", "Số phản ánh, kiến nghị tiếp nhận",
     "Phản ánh, kiến nghị về quy định hành chính được xử lý đúng hạn.",
     "Nghị định 20/2008/NĐ-CP"),
    ("INSPECTED_UNITS", "direction", "ratio", "higher", "sum", PD, "%",
     "Tỷ lệ cơ quan, đơn vị được kiểm tra CCHC", "Units inspected on administrative reform",
     "Số cơ quan, đơn vị được kiểm tra", "Số cơ quan, đơn vị trực thuộc",
     "Cơ quan, đơn vị được kiểm tra công tác CCHC trong năm.",
     "Kế hoạch CCHC hằng năm"),
    ("INITIATIVES", "direction", "count", "higher", "sum", PDC, "sáng kiến",
     "Số sáng kiến CCHC được công nhận", "Administrative reform initiatives adopted", "", "",
     "Sáng kiến, giải pháp CCHC được cấp có thẩm quyền công nhận trong kỳ.",
     "Kế hoạch CCHC hằng năm"),
    ("HANDLING_DAYS", "procedures", "score", "lower", "last", PDC, "ngày",
     "Thời gian giải quyết hồ sơ bình quân", "Average days to resolve a dossier", "", "",
     "Số ngày làm việc bình quân từ khi tiếp nhận đến khi trả kết quả.",
     "Quyết định 766/QĐ-TTg ngày 23/6/2022"),
]

# The largest plausible figure of a score or mean, beyond the fixed bounds of every kind
# (counts ≤ 10^12, percentages 0–100): a statutory time limit is counted in working days, and
# no procedure in the national list allows a year.
MAXIMA = {"HANDLING_DAYS": 365}


def load_catalogue(Indicator):
    """Create the catalogue's indicators that are missing; never overwrite edited ones."""
    for order, row in enumerate(CATALOGUE, start=1):
        (code, field, kind, direction, aggregation, (p, d, c), unit, name_vi, name_en,
         numerator, denominator, definition, legal_basis) = row
        Indicator.objects.get_or_create(
            code=code,
            defaults={
                "field": field, "kind": kind, "direction": direction, "time_aggregation": aggregation,
                "for_province": p, "for_district": d, "for_commune": c, "unit_of_measure": unit,
                "name_vi": name_vi, "name_en": name_en, "numerator_label": numerator,
                "denominator_label": denominator, "definition": definition, "legal_basis": legal_basis,
                "display_order": order * 10,
                # the field came later (0006): older migrations' models do not have it
                **({"maximum": MAXIMA.get(code)} if _has_field(Indicator, "maximum") else {}),
            },
        )


def _has_field(model, name):
    return any(f.name == name for f in model._meta.get_fields())
