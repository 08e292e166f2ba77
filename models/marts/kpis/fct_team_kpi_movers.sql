{#
    The biggest movers of each team and week (docs/narrative.md#movers): a
    KPI of the team's set whose published weekly value left the team's own
    recent range. The rule, in order:

    1. Only published cells move: a suppressed cell (fewer than k people) is
       neither a mover nor part of any range.
    2. The range is the team's prior var('mover_window_weeks') published
       weekly values of the KPI (default 8; weeks without a published value
       are skipped, not counted), and needs at least
       var('mover_min_window_weeks') of them (default 4).
    3. A cell moves when its value is outside the range's min–max AND at
       least var('mover_min_distance') robust standard deviations (default
       2.5) from the range's median. The robust standard deviation is
       1.4826 × the median absolute deviation (MAD); when the MAD is 0, half
       the range's min–max spread; when the range is flat, 10% of its
       median; a flat range of zeros has no scale and never moves.
    4. At most var('mover_max_per_week') movers (default 3) per team and
       week, the farthest first (absolute standardized distance; ties by
       the KPI's position in the set).

    One row per mover; a team-week with none has no row.
#}
{%- set window_weeks = var('mover_window_weeks', 8) | int %}
{%- set min_window_weeks = var('mover_min_window_weeks', 4) | int %}
{%- set min_distance = var('mover_min_distance', 2.5) | float %}
{%- set max_per_week = var('mover_max_per_week', 3) | int %}

with weekly as (

    select * from {{ ref('fct_team_kpis_weekly') }}

),

kpi_sets as (

    select * from {{ ref('dim_team_kpi_sets') }}

),

published as (

    select
        weekly.team_id,
        kpi_sets.function_name,
        weekly.week_start,
        weekly.kpi_id,
        kpi_sets.kpi_name,
        kpi_sets.category,
        kpi_sets.direction,
        kpi_sets.unit,
        kpi_sets.kpi_position,
        weekly.value,
        weekly.contributor_count,
        row_number() over (
            partition by weekly.team_id, weekly.kpi_id
            order by weekly.week_start
        ) as published_index
    from weekly
    inner join kpi_sets
        on weekly.team_id = kpi_sets.team_id
            and weekly.kpi_id = kpi_sets.kpi_id
    where kpi_sets.is_in_set
        and not weekly.is_suppressed
        and weekly.value is not null

),

{# Each published cell with the values of its prior published weeks. #}
windows as (

    select
        this_week.team_id,
        this_week.kpi_id,
        this_week.week_start,
        earlier.week_start as prior_week_start,
        earlier.value as prior_value
    from published as this_week
    inner join published as earlier
        on this_week.team_id = earlier.team_id
            and this_week.kpi_id = earlier.kpi_id
            and earlier.published_index >= this_week.published_index - {{ window_weeks }}
            and this_week.published_index > earlier.published_index

),

window_stats as (

    select
        team_id,
        kpi_id,
        week_start,
        count(*) as prior_week_count,
        min(prior_week_start) as prior_first_week_start,
        min(prior_value) as prior_min,
        max(prior_value) as prior_max,
        {{ percentile('prior_value', 0.5) }} as prior_median
    from windows
    group by team_id, kpi_id, week_start

),

window_mads as (

    select
        windows.team_id,
        windows.kpi_id,
        windows.week_start,
        {{ percentile('abs(windows.prior_value - window_stats.prior_median)', 0.5) }}
            as prior_mad
    from windows
    inner join window_stats
        on windows.team_id = window_stats.team_id
            and windows.kpi_id = window_stats.kpi_id
            and windows.week_start = window_stats.week_start
    group by windows.team_id, windows.kpi_id, windows.week_start

),

scaled as (

    select
        published.*,
        window_stats.prior_week_count,
        window_stats.prior_first_week_start,
        window_stats.prior_min,
        window_stats.prior_max,
        window_stats.prior_median,
        window_mads.prior_mad,
        case
            when window_mads.prior_mad > 0 then 1.4826 * window_mads.prior_mad
            when window_stats.prior_max > window_stats.prior_min
                then (window_stats.prior_max - window_stats.prior_min) / 2
            when abs(window_stats.prior_median) > 0 then 0.1 * abs(window_stats.prior_median)
        end as robust_scale
    from published
    inner join window_stats
        on published.team_id = window_stats.team_id
            and published.kpi_id = window_stats.kpi_id
            and published.week_start = window_stats.week_start
    inner join window_mads
        on published.team_id = window_mads.team_id
            and published.kpi_id = window_mads.kpi_id
            and published.week_start = window_mads.week_start
    where window_stats.prior_week_count >= {{ min_window_weeks }}

),

candidates as (

    select
        scaled.*,
        cast((scaled.value - scaled.prior_median) / scaled.robust_scale as float8)
            as standardized_distance
    from scaled
    where scaled.robust_scale is not null
        and (scaled.value > scaled.prior_max or scaled.value < scaled.prior_min)
        and abs(scaled.value - scaled.prior_median)
        >= {{ min_distance }} * scaled.robust_scale

),

ranked as (

    select
        candidates.*,
        row_number() over (
            partition by candidates.team_id, candidates.week_start
            order by abs(candidates.standardized_distance) desc, candidates.kpi_position
        ) as mover_rank
    from candidates

),

final as (

    select
        {{ stable_id('team_id', 'week_start', 'kpi_id') }} as team_kpi_mover_id,
        team_id,
        function_name,
        week_start,
        kpi_id,
        kpi_name,
        category,
        direction,
        unit,
        cast(mover_rank as integer) as mover_rank,
        cast(value as float8) as value,
        cast(contributor_count as bigint) as contributor_count,
        cast(prior_week_count as integer) as prior_week_count,
        prior_first_week_start,
        cast(prior_min as float8) as prior_min,
        cast(prior_max as float8) as prior_max,
        cast(prior_median as float8) as prior_median,
        cast(robust_scale as float8) as robust_scale,
        standardized_distance,
        case when value > prior_max then 'up' else 'down' end as movement,
        (value > prior_max) = (direction = 'higher_is_better') as is_improvement,
        kpi_name
        || case when value > prior_max then ' rose to ' else ' fell to ' end
        || {{ narrative_value('value', 'unit') }}
        || case when value > prior_max then ', above' else ', below' end
        || ' its range of '
        || {{ narrative_value('prior_min', 'unit') }}
        || '–'
        || {{ narrative_value('prior_max', 'unit') }}
        || ' over the prior '
        || cast(prior_week_count as varchar)
        || ' published weeks (median '
        || {{ narrative_value('prior_median', 'unit') }}
        || '): '
        || case
            when (value > prior_max) = (direction = 'higher_is_better') then 'better'
            else 'worse'
        end
        || '.' as sentence
    from ranked
    where mover_rank <= {{ max_per_week }}

)

select * from final
