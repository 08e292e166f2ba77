{#
    Business hours of the row's team between two instants (start_at <= end_at)
    of each row of `relation`, as `business_hours`, keyed by `key`:
    business_hours_at(end) - business_hours_at(start), two equality joins on
    the team's calendar (`business_days`: the CTE importing
    int_team_business_days). `relation` carries team_id and the LOCAL dates of
    both instants in the team's time zone (`start_local_date`,
    `end_local_date`): computed once per row where the relation is built, so
    no engine converts time zones per candidate pair of a join (Postgres did,
    for minutes per data test). Rows without a local date (no team schedule)
    or whose dates fall outside the calendar get no row here.
#}
{% macro business_hours_between(
    relation, key, start_at, end_at, start_local_date, end_local_date,
    business_days='team_business_days'
) -%}
    select
        timed.{{ key }},
        {{ business_hours_at('timed.' ~ end_at, 'end_day') }}
        - {{ business_hours_at('timed.' ~ start_at, 'start_day') }} as business_hours
    from {{ relation }} as timed
    inner join {{ business_days }} as start_day
        on timed.team_id = start_day.team_id
            and timed.{{ start_local_date }} = start_day.work_date
    inner join {{ business_days }} as end_day
        on timed.team_id = end_day.team_id
            and timed.{{ end_local_date }} = end_day.work_date
{%- endmacro %}
