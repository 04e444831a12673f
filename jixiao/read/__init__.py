"""Reading: report files of any encoding and format into one source text (ingest), same-length folding for matching (textnorm), numbers as written (numerals)."""
