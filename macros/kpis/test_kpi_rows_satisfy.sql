{#
    Every row of the model satisfies `expression` (SQL over its columns, e.g.
    "baseline_end >= baseline_start"); the test returns the rows that do not.
#}
{% test kpi_rows_satisfy(model, expression) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
