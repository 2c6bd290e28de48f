"""Turn pledge files (txt, pdf, docx, html, md) into Document and numbered Paragraph records.

Pure functions, one module per step:

* :mod:`ingest.readers` — bytes → :class:`~ingest.lines.Line` s, one reader per format;
* :mod:`ingest.clean` — drop links, running headers/footers and footnote marks; rejoin wrapped
  lines without changing a word;
* :mod:`ingest.structure` — split into headings and the UN's numbered paragraphs
  (``"8"``, ``"20.5"``, ``"27(a)"``, ``"note.1"``) in the six UN languages;
* :mod:`ingest.metadata` — language, country, term, date, session, own symbol, from the text;
* :mod:`ingest.pipeline` — :func:`~ingest.pipeline.parse_file`,
  :func:`~ingest.pipeline.parse_bytes`, :func:`~ingest.pipeline.iter_files`: the public interface.
"""
