{#
    Each team's scorecard as its page and the executive grid show it: one row
    per team and KPI of its set (fct_team_kpi_status), at the latest complete
    rolling 4 weeks of the warehouse: the value, the team's baseline, the
    quarter's target, the status, and the trend against the 4 weeks before,
    both periods with their dates; the same 4 weeks of the other teams of
    its function (their median and range, context and never a rank); and
    where the quarter the period ends in is heading at the current pace
    (fct_team_kpi_status's projection, judged against the quarter's target). The texts are written here, once
    (macros/reports/report_text.sql), so no page computes or formats a number.
    A team with no row in the latest period keeps its KPIs, not_enough_data.
#}
with kpi_status as (

    select * from {{ ref('fct_team_kpi_status') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

kpi_catalog as (

    select * from {{ ref('kpi_catalog') }}

),

rolling as (

    select *
    from kpi_status
    where period_grain = 'rolling_4_weeks'

),

quarters as (

    select *
    from kpi_status
    where period_grain = 'quarter'

),

latest_period as (

    select max(period_start) as period_start
    from rolling

),

periods as (

    select
        period_start as current_start,
        {{ add_days('period_start', 27) }} as current_end,
        {{ add_days('period_start', -28) }} as prior_start,
        {{ add_days('period_start', -1) }} as prior_end
    from latest_period

),

{# Every KPI a team's scorecard has had, with its baseline (one per team and KPI). #}
team_kpis as (

    select
        team_id,
        kpi_id,
        max(function_name) as function_name,
        max(kpi_name) as kpi_name,
        max(category) as category,
        max(direction) as direction,
        max(value_basis) as value_basis,
        max(kpi_position) as kpi_position,
        max(baseline_value) as baseline_value,
        max(baseline_start) as baseline_start,
        max(baseline_end) as baseline_end
    from rolling
    group by team_id, kpi_id

),

joined as (

    select
        team_kpis.*,
        teams.team_name,
        kpi_catalog.unit,
        periods.current_start,
        periods.current_end,
        periods.prior_start,
        periods.prior_end,
        coalesce(current_period.is_suppressed, false) as is_suppressed,
        coalesce(prior_period.is_suppressed, false) as is_prior_suppressed,
        current_period.value,
        current_period.target_value,
        current_period.target_input,
        current_period.quarter,
        coalesce(current_period.status, 'not_enough_data') as status,
        coalesce(current_period.status_reason, 'no value in this period') as status_reason,
        prior_period.value as prior_value,
        current_period.week_count,
        current_period.data_week_count,
        prior_period.week_count as prior_week_count,
        prior_period.data_week_count as prior_data_week_count,
        coalesce(current_period.cohort_team_count, 0) as cohort_team_count,
        current_period.cohort_median,
        current_period.cohort_low,
        current_period.cohort_high,
        current_quarter.quarter as projection_quarter,
        current_quarter.is_complete as is_quarter_complete,
        current_quarter.projected_value,
        current_quarter.projected_status
    from team_kpis
    cross join periods
    inner join teams
        on team_kpis.team_id = teams.team_id
    inner join kpi_catalog
        on team_kpis.kpi_id = kpi_catalog.kpi_id
    left join rolling as current_period
        on team_kpis.team_id = current_period.team_id
            and team_kpis.kpi_id = current_period.kpi_id
            and periods.current_start = current_period.period_start
    left join rolling as prior_period
        on team_kpis.team_id = prior_period.team_id
            and team_kpis.kpi_id = prior_period.kpi_id
            and periods.prior_start = prior_period.period_start
    {#- The quarter the current period ends in. #}
    left join quarters as current_quarter
        on team_kpis.team_id = current_quarter.team_id
            and team_kpis.kpi_id = current_quarter.kpi_id
            and periods.current_end between current_quarter.period_start
            and current_quarter.period_end

),

worded as (

    select
        *,
        {{ report_duration_unit(
            'unit', ['value', 'prior_value', 'baseline_value', 'target_value',
                'cohort_median', 'cohort_high', 'projected_value']) }}
            as text_unit,
        {{ report_trend('value', 'prior_value', 'direction', 'unit') }} as trend,
        case when value_basis = 'per_week' then ' a week' else '' end as per,
        cast(current_start as varchar) || ' to ' || cast(current_end as varchar)
            as current_period_text,
        cast(prior_start as varchar) || ' to ' || cast(prior_end as varchar)
            as prior_period_text
    from joined

),

texts as (

    select
        *,
        {#- A value over fewer weeks than its period (a team's first weeks) says so. #}
        case
            when is_suppressed then 'suppressed'
            else {{ report_value_text('value', 'text_unit') }}
                || case when value is null then '' else per end
                || case
                    when value is not null and data_week_count < week_count
                        then ' (' || {{ report_plural('data_week_count', 'week', 'weeks') }} || ')'
                    else ''
                end
        end as value_text,
        case
            when is_prior_suppressed then 'suppressed'
            else {{ report_value_text('prior_value', 'text_unit') }}
                || case when prior_value is null then '' else per end
                || case
                    when prior_value is not null and prior_data_week_count < prior_week_count
                        then ' ('
                            || {{ report_plural('prior_data_week_count', 'week', 'weeks') }} || ')'
                    else ''
                end
        end as prior_text,
        case
            when baseline_value is not null
                then {{ report_value_text('baseline_value', 'text_unit') }} || per
            when status = 'baseline_forming' then 'forming'
            else 'not available'
        end as baseline_text,
        case
            when target_value is not null
                then {{ report_value_text('target_value', 'text_unit') }} || per
            when target_input is not null then 'waits for the baseline'
            else 'no target'
        end as target_text,
        case
            when cohort_median is not null
                then {{ report_value_text('cohort_median', 'text_unit') }} || per
                    || ' (' || {{ report_value_text('cohort_low', 'text_unit') }}
                    || ' to ' || {{ report_value_text('cohort_high', 'text_unit') }}
                    || ', ' || {{ report_plural('cohort_team_count', 'other team', 'other teams') }}
                    || ')'
            when cohort_team_count = 0 then 'no other team'
            else 'fewer than 3 other teams'
        end as cohort_text,
        case
            when projection_quarter is null or projected_value is null then 'no projection'
            else {{ report_value_text('projected_value', 'text_unit') }} || per
                || case when is_quarter_complete then ' in ' else ' by the end of ' end
                || projection_quarter
                || case
                    when projected_status in ('on_track', 'at_risk', 'off_track')
                        then ' (' || {{ report_status_label('projected_status') }} || ')'
                    else ''
                end
        end as projection_text
    from worded

),

final as (

    select
        cast({{ stable_id('team_id', 'kpi_id') }} as varchar) as team_kpi_id,
        cast(team_id as varchar) as team_id,
        cast(team_name as varchar) as team_name,
        cast(function_name as varchar) as function_name,
        cast(category as varchar) as category,
        cast(kpi_position as integer) as kpi_position,
        cast(kpi_id as varchar) as kpi_id,
        cast(kpi_name as varchar) as kpi_name,
        cast(unit as varchar) as unit,
        cast(direction as varchar) as direction,
        cast(replace(direction, '_', ' ') as varchar) as direction_text,
        cast(value_basis as varchar) as value_basis,
        cast(current_start as date) as period_start,
        cast(current_end as date) as period_end,
        cast(current_period_text as varchar) as period_text,
        cast(value as float8) as value,
        is_suppressed,
        cast(value_text as varchar) as value_text,
        cast(baseline_value as float8) as baseline_value,
        cast(baseline_start as date) as baseline_start,
        cast(baseline_end as date) as baseline_end,
        cast(baseline_text as varchar) as baseline_text,
        cast(quarter as varchar) as quarter,
        cast(target_input as varchar) as target_input,
        cast(target_value as float8) as target_value,
        cast(target_text as varchar) as target_text,
        cast(status as varchar) as status,
        cast({{ report_status_label('status') }} as varchar) as status_label,
        cast(status_reason as varchar) as status_reason,
        cast(
            case status
                when 'off_track' then 1
                when 'at_risk' then 2
                when 'on_track' then 3
                when 'no_target' then 4
                when 'baseline_forming' then 5
                else 6
            end as integer
        ) as status_order,
        cast(prior_start as date) as prior_period_start,
        cast(prior_end as date) as prior_period_end,
        cast(prior_period_text as varchar) as prior_period_text,
        cast(prior_value as float8) as prior_value,
        cast(prior_text as varchar) as prior_text,
        cast(trend as varchar) as trend,
        cast(cohort_team_count as bigint) as cohort_team_count,
        cast(cohort_median as float8) as cohort_median,
        cast(cohort_low as float8) as cohort_low,
        cast(cohort_high as float8) as cohort_high,
        cast(cohort_text as varchar) as cohort_text,
        cast(projection_quarter as varchar) as projection_quarter,
        cast(projected_value as float8) as projected_value,
        cast(projected_status as varchar) as projected_status,
        cast(projection_text as varchar) as projection_text,
        cast(
            trend || ': ' || value_text || ' (' || current_period_text || ') against '
            || prior_text || ' (' || prior_period_text || ')' as varchar
        ) as trend_text,
        cast('/teams/' || team_id as varchar) as team_link
    from texts

)

select * from final
