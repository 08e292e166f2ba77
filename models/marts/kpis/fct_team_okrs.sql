{#
    Objectives and key results (seed okrs, written by the teams;
    docs/scorecards.md#okrs): one row per key result, with its objective's
    roll-up beside it.

    A key result is measured by its KPI's quarter value for its team and
    quarter (fct_team_kpis_by_period, grain quarter; the quarter so far while
    it runs). progress = (current − start) / (target − start), capped to
    [0, 1], so a KPI that must fall (start 40 h, target 24 h) progresses as
    it falls. key_result_state: measured; suppressed (the quarter's value is
    hidden, fewer than k people: progress null); no_data (no value for the
    quarter yet). objective_progress is the mean progress of the objective's
    measured key results, null when none is measured.

    The seed is checked when this model is built (scorecard_check_okrs): an
    unknown team or KPI, a quarter not written YYYY-Qn, or start and target
    values that are not numbers or are equal stop the build.
#}
{{ scorecard_check_okrs(ref('okrs'), ref('kpi_catalog'), ref('dim_teams')) }}

with okrs as (

    select * from {{ ref('okrs') }}

),

kpi_periods as (

    select * from {{ ref('fct_team_kpis_by_period') }}

),

kpi_catalog as (

    select * from {{ ref('kpi_catalog') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

filed_key_results as (

    select
        trim(team_id) as team_id,
        upper(trim(quarter)) as quarter,
        trim(objective) as objective,
        trim(key_result) as key_result,
        trim(kpi_id) as kpi_id,
        cast(trim(start_value) as float8) as start_value,
        cast(trim(target_value) as float8) as target_value
    from okrs

),

-- Only the roster's teams: with no roster loaded the check lets the file's
-- teams pass, and they have no scorecard.
key_results as (

    select filed_key_results.*
    from filed_key_results
    inner join teams on filed_key_results.team_id = teams.team_id

),

quarter_values as (

    select
        team_id,
        kpi_id,
        period_start,
        period_end,
        is_complete,
        value,
        is_suppressed,
        {{ scorecard_quarter_label('period_start + 3') }} as quarter
    from kpi_periods
    where period_grain = 'quarter'

),

measured as (

    select
        key_results.*,
        kpi_catalog.kpi_name,
        kpi_catalog.direction,
        quarter_values.value as current_value,
        quarter_values.is_complete as is_quarter_complete,
        case
            when quarter_values.value is not null then 'measured'
            when quarter_values.is_suppressed then 'suppressed'
            else 'no_data'
        end as key_result_state,
        case
            when quarter_values.value is not null
                then greatest(0.0, least(
                        1.0,
                        (quarter_values.value - key_results.start_value)
                        / (key_results.target_value - key_results.start_value)
                    ))
        end as progress
    from key_results
    inner join kpi_catalog
        on key_results.kpi_id = kpi_catalog.kpi_id
    left join quarter_values
        on key_results.team_id = quarter_values.team_id
            and key_results.kpi_id = quarter_values.kpi_id
            and key_results.quarter = quarter_values.quarter

),

objectives as (

    select
        team_id,
        quarter,
        objective,
        avg(progress) as objective_progress,
        count(*) as key_result_count,
        count(progress) as measured_key_result_count
    from measured
    group by team_id, quarter, objective

),

final as (

    select
        cast({{ stable_id(
            'measured.team_id', 'measured.quarter', 'measured.objective', 'measured.kpi_id'
        ) }} as varchar) as team_key_result_id,
        cast(
            {{ stable_id('measured.team_id', 'measured.quarter', 'measured.objective') }}
            as varchar
        ) as team_objective_id,
        cast(measured.team_id as varchar) as team_id,
        cast(measured.quarter as varchar) as quarter,
        cast(measured.objective as varchar) as objective,
        cast(coalesce(measured.key_result, measured.kpi_name) as varchar) as key_result,
        cast(measured.kpi_id as varchar) as kpi_id,
        cast(measured.kpi_name as varchar) as kpi_name,
        cast(measured.direction as varchar) as direction,
        cast(measured.start_value as float8) as start_value,
        cast(measured.target_value as float8) as target_value,
        cast(measured.current_value as float8) as current_value,
        coalesce(measured.is_quarter_complete, false) as is_quarter_complete,
        cast(measured.key_result_state as varchar) as key_result_state,
        cast(measured.progress as float8) as progress,
        cast(objectives.objective_progress as float8) as objective_progress,
        cast(objectives.key_result_count as bigint) as key_result_count,
        cast(objectives.measured_key_result_count as bigint) as measured_key_result_count
    from measured
    inner join objectives
        on measured.team_id = objectives.team_id
            and measured.quarter = objectives.quarter
            and measured.objective = objectives.objective

)

select * from final
