"""Étude de faisabilité: the dossier a structure takes to the programme (readiness, method, shortlist, similar
territories, condensed fiches, next steps, sources) as HTML and PDF, and the project file that reopens it.

Entry points: :func:`sentiers.study.assemble.build_dossier` (a profile and parameters -> a :class:`Dossier`),
:func:`sentiers.study.render.render_html` / :func:`render_pdf`, :func:`sentiers.study.project.write_project` /
:func:`read_project`.
"""
