{#
    Privacy proof for a report model without a contributor count of its own
    (its rows inherit suppression from a mart): every row flagged suppressed
    shows none of `columns`. Returns the rows that do.
#}
{% test suppressed_rows_hide(model, columns, flag_column='is_suppressed') %}
    select *
    from {{ model }}
    where
        {{ flag_column }}
        and ({% for column in columns %}{{ column }} is not null{% if not loop.last %} or {% endif %}{% endfor %})
{% endtest %}
