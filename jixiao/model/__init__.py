"""The report model built from the source text: paragraphs and sections (structure, numbering), tables and form cells (tables, forms), figures, meta, and the Report that holds them (report)."""
