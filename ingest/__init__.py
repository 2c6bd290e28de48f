"""Turn pledge files (txt, pdf, docx, html, md) into Document and numbered Paragraph records."""
