"""From OCR text boxes to field values: label anchors, regions, patterns, and the
built-in layout of the resident ID card. Pure logic over `app.ocr.base.TextBox`."""
