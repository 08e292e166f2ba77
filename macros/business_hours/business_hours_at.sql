{#
    Business hours of a team from the start of its calendar up to the UTC
    instant `ts`, given `business_day`: the alias of the team's row of
    int_team_business_days for the LOCAL date of `ts` (join on team_id and
    work_date = local date of ts in the team's time zone). Business hours
    between two instants a <= b of the same team are
    business_hours_at(b) - business_hours_at(a): two equality joins per
    interval, never a range join over the calendar.
#}
{% macro business_hours_at(ts, business_day) -%}
    ({{ business_day }}.business_hours_before + case
        when {{ business_day }}.work_start_at is null then 0.0
        when {{ ts }} <= {{ business_day }}.work_start_at then 0.0
        when {{ ts }} >= {{ business_day }}.work_end_at then {{ business_day }}.business_hours
        else {{ elapsed_hours(business_day ~ '.work_start_at', ts) }}
    end)
{%- endmacro %}
