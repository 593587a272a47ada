"""The dossier: a legal-ready PDF and a verifiable bundle of the originals.

Entry points: ``app.dossier.export.export_dossier`` (write PDF + ZIP, record the
export), ``build_dossier_pdf`` (the PDF in memory, for a preview) and
``app.dossier.verify_bundle.verify_bundle``. Modules import reportlab and pikepdf,
so import them only when exporting.
"""
