{#
    Differencing proof (docs/privacy.md): when any row of a group (a team's size
    buckets) is suppressed, no row of that group shows `columns` (counts whose
    total is published elsewhere would give the suppressed row away).
    Returns the rows that show one.
#}
{% test suppressed_groups_hide_counts(model, group_column, columns, flag_column='is_suppressed') %}
    with suppressed_groups as (
        select distinct {{ group_column }} as group_value
        from {{ model }}
        where {{ flag_column }}
    )

    select model_rows.*
    from {{ model }} as model_rows
    inner join suppressed_groups
        on model_rows.{{ group_column }} = suppressed_groups.group_value
    where {% for column in columns %}model_rows.{{ column }} is not null{% if not loop.last %} or {% endif %}{% endfor %}
{% endtest %}
