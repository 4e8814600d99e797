"""What users see: the HTML report, ClaimReview JSON-LD and the charts they contain."""

from claims.report.html import ReportData, load_report, render_report, write_report
from claims.report.svg import ChartPoint, quantity_chart

__all__ = ["ChartPoint", "ReportData", "load_report", "quantity_chart", "render_report", "write_report"]
