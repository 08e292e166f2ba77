{#
    The team page's chart: one row per team, KPI of its scorecard and week,
    with the week's value, the rolling 4 weeks ending that week, the team's
    baseline and the target of the quarter the 4 weeks end in, all on the
    chart's scale: ratios in % (capped to 0..100), hours in days when the
    KPI's largest value for the team reaches 48 h, others as they are. A
    suppressed week keeps its row with no value (a gap, never 0).
#}
with kpi_status as (

    select * from {{ ref('fct_team_kpi_status') }}

),

team_kpis_weekly as (

    select * from {{ ref('fct_team_kpis_weekly') }}

),

kpi_catalog as (

    select * from {{ ref('kpi_catalog') }}

),

rolling as (

    select *
    from kpi_status
    where period_grain = 'rolling_4_weeks'

),

team_kpis as (

    select
        team_id,
        kpi_id,
        max(kpi_name) as kpi_name,
        max(value_basis) as value_basis,
        max(baseline_value) as baseline_value
    from rolling
    group by team_id, kpi_id

),

weeks as (

    select
        team_kpis.team_id,
        team_kpis.kpi_id,
        team_kpis.kpi_name,
        team_kpis.value_basis,
        team_kpis.baseline_value,
        kpi_catalog.unit,
        team_kpis_weekly.week_start,
        team_kpis_weekly.value as weekly_value,
        team_kpis_weekly.is_suppressed,
        rolling.value as rolling_value,
        rolling.target_value
    from team_kpis
    inner join kpi_catalog
        on team_kpis.kpi_id = kpi_catalog.kpi_id
    inner join team_kpis_weekly
        on team_kpis.team_id = team_kpis_weekly.team_id
            and team_kpis.kpi_id = team_kpis_weekly.kpi_id
    left join rolling
        on team_kpis.team_id = rolling.team_id
            and team_kpis.kpi_id = rolling.kpi_id
            and {{ add_days('team_kpis_weekly.week_start', -21) }} = rolling.period_start

),

{#
    One scale per team and KPI: ratios in % (x 100, capped to 0..100),
    hours in days (/ 24) when the rolling 4 weeks or the baseline reach 48 h,
    else as is. A per-week KPI's unit says so.
#}
scales as (

    select
        team_id,
        kpi_id,
        max(unit) as unit,
        max(value_basis) as value_basis,
        max(
            {{ report_duration_unit('unit', ['rolling_value', 'baseline_value']) }}
        ) as scale_unit
    from weeks
    group by team_id, kpi_id

),

charted as (

    select
        team_id,
        kpi_id,
        case
            when unit = 'ratio' then 100.0
            when scale_unit = 'hours_in_days' then 1.0 / 24
            else 1.0
        end as factor,
        case
            when unit = 'ratio' then '%'
            when scale_unit = 'hours_in_days' then 'days'
            when unit = 'currency' then '{{ var("report_currency_symbol", "$") }}'
            else unit
        end
        || case when value_basis = 'per_week' then ' a week' else '' end as chart_unit,
        unit = 'ratio' as is_capped
    from scales

),

final as (

    select
        cast({{ stable_id('weeks.team_id', 'weeks.kpi_id', 'weeks.week_start') }} as varchar)
            as team_kpi_week_id,
        cast(weeks.team_id as varchar) as team_id,
        cast(weeks.kpi_id as varchar) as kpi_id,
        cast(weeks.kpi_name as varchar) as kpi_name,
        cast(weeks.week_start as date) as week_start,
        cast(charted.chart_unit as varchar) as chart_unit,
        cast(
            case
                when weeks.weekly_value is null then null
                when charted.is_capped
                    then least(greatest(weeks.weekly_value, 0), 1) * charted.factor
                else weeks.weekly_value * charted.factor
            end as float8
        ) as weekly_value,
        cast(
            case
                when weeks.rolling_value is null then null
                when charted.is_capped
                    then least(greatest(weeks.rolling_value, 0), 1) * charted.factor
                else weeks.rolling_value * charted.factor
            end as float8
        ) as rolling_4_week_value,
        cast(
            case
                when weeks.baseline_value is null then null
                when charted.is_capped
                    then least(greatest(weeks.baseline_value, 0), 1) * charted.factor
                else weeks.baseline_value * charted.factor
            end as float8
        ) as baseline_value,
        cast(
            case
                when weeks.target_value is null then null
                when charted.is_capped
                    then least(greatest(weeks.target_value, 0), 1) * charted.factor
                else weeks.target_value * charted.factor
            end as float8
        ) as target_value,
        coalesce(weeks.is_suppressed, false) as is_suppressed
    from weeks
    inner join charted
        on weeks.team_id = charted.team_id
            and weeks.kpi_id = charted.kpi_id

)

select * from final
