from django import template

from reports import presentation as p

register = template.Library()


@register.simple_tag
def cell(row: dict, column: p.Column) -> dict:
    """A table cell's text in the active language, and whether it is unknown (shown quieter)."""
    return {"text": p.cell_text(row, column), "unknown": row.get(column.key) in (None, "")}
