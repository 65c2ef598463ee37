"""Billing documents as PDF: pure functions, no database.

- `amount_in_words` — an amount in Polish words, as a demand writes it ("słownie");
- `payment_qr` — the transfer's 2D code as Polish banks read it (the ZBP recommendation)
  and the code as inline SVG;
- `render` — a document's snapshot (plain JSON made at issue time) typeset as PDF with
  Typst (`typst/document.typ`); the same snapshot always gives the same bytes;
- `links` — where a document is downloaded (`document_download_url`).

The services (`services/documents.py`) build the snapshot from the database and store
the file; nothing here reads the database or the clock.
"""
