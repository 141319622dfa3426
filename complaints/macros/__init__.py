"""Canned replies ("macros"): supervisors write them per category and language with placeholders; an agent picks one,
sees it filled in for the complaint, edits it and sends it (app label `macros`)."""
