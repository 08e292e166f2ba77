{#
    How the report models write numbers and words for readers
    (docs/scorecards.md#the-pages), so every page says them the same way:

    - report_value_text(value, unit): a KPI value in its unit. Ratios in %
      (one decimal, capped to 0..100%: a relative target above 100% reads
      100.0%); hours in hours under 48 h and in days from 48 h ("3.5 days"),
      or always in days for unit 'hours_in_days' (report_duration_unit);
      currency with its symbol (var report_currency_symbol, default '$') and
      thousands separators, no decimals; days as "1 day" / "2.5 days"; any
      other unit with one decimal and thousands separators. Null reads
      "no data".
    - report_change_text(change, unit): a difference of two values, signed
      ("+2.5 h", "-1.2 days"); a difference of ratios in percentage points
      ("+4.0 points"), never as a capped percentage.
    - report_plural(n, singular, plural): "1 KPI", "3 KPIs".
    - report_status_label(status): on_track -> "on track", ...
    - report_trend(current, prior, direction, unit): improving, worsening,
      steady or unknown (either period missing or suppressed). Steady means
      the change is within 5% of the earlier value (or, for a ratio, within
      one percentage point), so noise is not read as a move.
#}
{% macro report_value_text(value, unit) -%}
    case
        when {{ value }} is null then 'no data'
        when {{ unit }} = 'ratio'
            then {{ format_fixed('least(greatest(' ~ value ~ ', 0), 1) * 100', 1) }} || '%'
        when {{ unit }} = 'hours_in_days'
            or ({{ unit }} = 'hours' and abs({{ value }}) >= 48)
            then {{ format_fixed(value ~ ' / 24', 1) }} || ' days'
        when {{ unit }} = 'hours' then {{ format_fixed(value, 1) }} || ' h'
        when {{ unit }} = 'currency'
            then '{{ var("report_currency_symbol", "$") }}'
                || {{ format_grouped(value, 0) }}
        when {{ unit }} = 'days' and {{ round_float(value, 1) }} = 1 then '1 day'
        when {{ unit }} = 'days' then {{ format_fixed(value, 1) }} || ' days'
        else {{ format_grouped(value, 1) }}
    end
{%- endmacro %}

{#-
    report_duration_unit(unit, values): 'hours_in_days' when unit is hours and
    any of the values reaches 48 h, so the numbers of one row (value, earlier
    value, baseline, target) share one unit; else the unit.
-#}
{% macro report_duration_unit(unit, values) -%}
    case
        when {{ unit }} = 'hours'
            and greatest({{ values | join(', ') }}) >= 48
            then 'hours_in_days'
        else {{ unit }}
    end
{%- endmacro %}

{% macro report_change_text(change, unit) -%}
    case
        when {{ change }} is null then 'no data'
        when {{ unit }} = 'ratio'
            then case when {{ change }} > 0 then '+' else '' end
                || {{ format_fixed(change ~ ' * 100', 1) }} || ' points'
        else case when {{ change }} > 0 then '+' else '' end
            || {{ report_value_text(change, unit) }}
    end
{%- endmacro %}

{% macro report_plural(n, singular, plural) -%}
    cast({{ n }} as varchar) || case when {{ n }} = 1 then ' {{ singular }}' else ' {{ plural }}' end
{%- endmacro %}

{% macro report_status_label(status) -%}
    replace({{ status }}, '_', ' ')
{%- endmacro %}

{% macro report_trend(current, prior, direction, unit) -%}
    case
        when {{ current }} is null or {{ prior }} is null then 'unknown'
        when abs({{ current }} - {{ prior }}) <= 0.05 * abs({{ prior }})
            or ({{ unit }} = 'ratio' and abs({{ current }} - {{ prior }}) <= 0.01)
            then 'steady'
        when ({{ current }} > {{ prior }}) = ({{ direction }} = 'higher_is_better')
            then 'improving'
        else 'worsening'
    end
{%- endmacro %}
