{#
    The two pieces of a roster schedule every working window is built from,
    written once for the team schedules and the person-days of the calendar:
    a local 'HH:MM' as fractional hours after midnight, and a date's
    three-letter English day name as the roster's work_days lists them
    ('Mon|Tue|Wed|Thu|Fri').
#}
{% macro clock_hours(hh_mm) -%}
    cast(
        cast(split_part({{ hh_mm }}, ':', 1) as integer)
        + cast(split_part({{ hh_mm }}, ':', 2) as integer) / 60.0
        as float8
    )
{%- endmacro %}

{% macro weekday_name(day) -%}
    case extract(isodow from {{ day }})
        when 1 then 'Mon'
        when 2 then 'Tue'
        when 3 then 'Wed'
        when 4 then 'Thu'
        when 5 then 'Fri'
        when 6 then 'Sat'
        else 'Sun'
    end
{%- endmacro %}
