{#
    The team page's OKRs: one row per key result (fct_team_okrs) with its
    start, target and current value written in the KPI's unit, its progress
    and its objective's, in words. A key result whose KPI is suppressed for
    the quarter says so instead of a progress.
#}
with okrs as (

    select * from {{ ref('fct_team_okrs') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

kpi_catalog as (

    select * from {{ ref('kpi_catalog') }}

),

joined as (

    select
        okrs.*,
        teams.team_name,
        {{ report_duration_unit(
            'kpi_catalog.unit',
            ['okrs.start_value', 'okrs.target_value', 'okrs.current_value']) }} as unit
    from okrs
    inner join teams
        on okrs.team_id = teams.team_id
    inner join kpi_catalog
        on okrs.kpi_id = kpi_catalog.kpi_id

),

final as (

    select
        cast(team_key_result_id as varchar) as team_key_result_id,
        cast(team_objective_id as varchar) as team_objective_id,
        cast(team_id as varchar) as team_id,
        cast(team_name as varchar) as team_name,
        cast(quarter as varchar) as quarter,
        cast(objective as varchar) as objective,
        cast(key_result as varchar) as key_result,
        cast(kpi_id as varchar) as kpi_id,
        cast(kpi_name as varchar) as kpi_name,
        cast({{ report_value_text('start_value', 'unit') }} as varchar) as start_text,
        cast({{ report_value_text('target_value', 'unit') }} as varchar) as target_text,
        cast(
            case key_result_state
                when 'suppressed' then 'suppressed'
                when 'no_data' then 'no data yet'
                else {{ report_value_text('current_value', 'unit') }}
            end as varchar
        ) as current_text,
        is_quarter_complete,
        cast(key_result_state as varchar) as key_result_state,
        cast(progress as float8) as progress,
        cast(
            case key_result_state
                when 'suppressed'
                    then 'not shown: the KPI is suppressed this quarter (fewer than '
                        || cast({{ var('min_group_size') }} as varchar) || ' people behind it)'
                when 'no_data' then 'no value of the KPI this quarter yet'
                else {{ format_fixed('progress * 100', 0) }} || '%'
            end as varchar
        ) as progress_text,
        cast(objective_progress as float8) as objective_progress,
        cast(
            case
                when objective_progress is null then 'no key result measured yet'
                else {{ format_fixed('objective_progress * 100', 0) }} || '% ('
                    || cast(measured_key_result_count as varchar) || ' of '
                    || {{ report_plural('key_result_count', 'key result', 'key results') }}
                    || ' measured)'
            end as varchar
        ) as objective_progress_text
    from joined

)

select * from final
