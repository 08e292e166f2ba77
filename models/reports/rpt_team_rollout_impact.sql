{#
    The team page's "since Outcomes" table: one row per team and KPI of
    fct_team_rollout_impact, the before and after means with their weeks,
    the change with its 95% interval, and the verdict, in words
    (macros/reports/report_text.sql). One unit per row, as the scorecard.
#}
with impact as (

    select * from {{ ref('fct_team_rollout_impact') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

joined as (

    select
        impact.*,
        teams.team_name,
        {{ report_duration_unit(
            'impact.unit', ['impact.before_mean', 'impact.after_mean']) }} as text_unit
    from impact
    inner join teams
        on impact.team_id = teams.team_id

),

final as (

    select
        cast(team_rollout_kpi_id as varchar) as team_rollout_kpi_id,
        cast(team_id as varchar) as team_id,
        cast(team_name as varchar) as team_name,
        cast(rollout_date as date) as rollout_date,
        cast(kpi_id as varchar) as kpi_id,
        cast(kpi_name as varchar) as kpi_name,
        cast(
            {{ report_value_text('before_mean', 'text_unit') }}
            || ' (' || {{ report_plural('before_weeks', 'week', 'weeks') }}
            || case
                when before_weeks > 0
                    then ', ' || cast(before_start as varchar)
                        || ' to ' || cast(before_end as varchar)
                else ''
            end || ')' as varchar
        ) as before_text,
        cast(
            {{ report_value_text('after_mean', 'text_unit') }}
            || ' (' || {{ report_plural('after_weeks', 'week', 'weeks') }}
            || case
                when after_weeks > 0
                    then ', ' || cast(after_start as varchar)
                        || ' to ' || cast(after_end as varchar)
                else ''
            end || ')' as varchar
        ) as after_text,
        cast(
            case
                when difference is null then 'no data on one side'
                when difference_low is null
                    then {{ report_change_text('difference', 'text_unit') }}
                        || ' (too few weeks for an interval)'
                else {{ report_change_text('difference', 'text_unit') }}
                    || ' (95% interval ' || {{ report_change_text('difference_low', 'text_unit') }}
                    || ' to ' || {{ report_change_text('difference_high', 'text_unit') }} || ')'
            end as varchar
        ) as change_text,
        cast(verdict as varchar) as verdict,
        cast(replace(verdict, '_', ' ') as varchar) as verdict_label
    from joined

)

select * from final
