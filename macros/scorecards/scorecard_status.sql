{#
    The status of a KPI value against its baseline and target
    (docs/scorecards.md#statuses), as SQL over the given columns. "Better"
    follows the catalog's direction. The states that are not a judgement come
    first, so a missing number is never read as on track:
    baseline_forming (the team's baseline of the KPI is incomplete or had not
    ended by the period's end), not_enough_data (the value or the baseline is
    suppressed or absent: a KPI without a baseline row has no data in it),
    no_target; then on_track (at or better than target), at_risk (short of
    target, not worse than baseline), off_track (worse than baseline).
#}
{% macro scorecard_status(value, baseline, target, direction, is_baseline_forming) -%}
    case
        when {{ is_baseline_forming }} then 'baseline_forming'
        when {{ value }} is null or {{ baseline }} is null then 'not_enough_data'
        when {{ target }} is null then 'no_target'
        when {{ direction }} = 'higher_is_better'
            then case
                when {{ value }} >= {{ target }} then 'on_track'
                when {{ value }} >= {{ baseline }} then 'at_risk'
                else 'off_track'
            end
        else case
            when {{ value }} <= {{ target }} then 'on_track'
            when {{ value }} <= {{ baseline }} then 'at_risk'
            else 'off_track'
        end
    end
{%- endmacro %}
