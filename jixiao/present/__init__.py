"""Presentation: HTML views, charts and fonts, the workbook and CSV, and the calls the notebooks make. Shows what the audit computed; decides nothing."""
