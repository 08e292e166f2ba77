{#
    The KPI set of every team (docs/scorecards.md): one row per team and KPI
    considered for its scorecard, is_in_set marking the ones shown.

    A team listed in seed scorecard_team_kpis has exactly the KPIs of its rows
    (source 'team file'). Any other team gets the default set of its function
    (seed scorecard_default_kpis; functions without their own set get
    `default`; source 'function default'). A default member the team has no
    data for (no item in any period of fct_team_kpis_by_period: weighted
    throughput for a team that tracks no tasks) does not fit: it is left out
    and its alternate, when one is listed and fits, stands in for it; the
    reason says which. A team with no data for any KPI yet keeps its whole
    default set, as a new team has nothing to judge fit by.

    The seeds are checked when this model is built (scorecard_check_team_kpis):
    a set of fewer than 4 or more than 7 KPIs, an unknown KPI or team, or a
    target set before the team's baseline exists stops the build.
#}
{{ scorecard_check_team_kpis(
    ref('scorecard_team_kpis'), ref('scorecard_default_kpis'), ref('kpi_catalog'),
    ref('dim_teams'), ref('fct_team_kpis_by_period')) }}

with teams as (

    select * from {{ ref('dim_teams') }}

),

kpi_catalog as (

    select * from {{ ref('kpi_catalog') }}

),

default_kpis as (

    select * from {{ ref('scorecard_default_kpis') }}

),

team_file as (

    select * from {{ ref('scorecard_team_kpis') }}

),

kpi_periods as (

    select * from {{ ref('fct_team_kpis_by_period') }}

),

kpis_with_data as (

    select distinct
        team_id,
        kpi_id
    from kpi_periods
    where sample_size > 0

),

teams_with_data as (

    select distinct team_id
    from kpis_with_data

),

file_kpis as (

    select distinct
        trim(team_id) as team_id,
        trim(kpi_id) as kpi_id
    from team_file
    where team_id is not null and kpi_id is not null

),

file_teams as (

    select distinct team_id
    from file_kpis

),

default_functions as (

    select distinct function_name
    from default_kpis

),

{# The teams the file does not list, with the defaults they take. #}
defaulted_teams as (

    select
        teams.team_id,
        coalesce(default_functions.function_name, 'default') as default_function,
        teams_with_data.team_id is not null as has_any_data
    from teams
    left join default_functions
        on teams.function_name = default_functions.function_name
    left join file_teams
        on teams.team_id = file_teams.team_id
    left join teams_with_data
        on teams.team_id = teams_with_data.team_id
    where file_teams.team_id is null

),

default_candidates as (

    select
        defaulted_teams.team_id,
        default_kpis.kpi_id,
        default_kpis.alternate_for,
        defaulted_teams.has_any_data,
        kpis_with_data.kpi_id is not null as has_data
    from defaulted_teams
    inner join default_kpis
        on defaulted_teams.default_function = default_kpis.function_name
    left join kpis_with_data
        on defaulted_teams.team_id = kpis_with_data.team_id
            and default_kpis.kpi_id = kpis_with_data.kpi_id

),

default_members as (

    select
        members.team_id,
        members.kpi_id,
        members.has_data or not members.has_any_data as is_in_set,
        members.has_data as fits,
        case
            when members.has_data then 'function default'
            when not members.has_any_data
                then 'function default; the team has no data for any KPI yet'
            when alternates.has_data
                then 'function default, left out: the team has no data for it; replaced by '
                    || alternates.kpi_id
            else 'function default, left out: the team has no data for it'
        end as reason
    from default_candidates as members
    left join default_candidates as alternates
        on members.team_id = alternates.team_id
            and members.kpi_id = alternates.alternate_for
    where members.alternate_for is null

),

default_stand_ins as (

    select
        alternates.team_id,
        alternates.kpi_id,
        true as is_in_set,
        true as fits,
        'function default, in place of '
        || alternates.alternate_for
        || ' (the team has no data for it)' as reason
    from default_candidates as alternates
    inner join default_candidates as members
        on alternates.team_id = members.team_id
            and alternates.alternate_for = members.kpi_id
    where alternates.has_data
        and not members.has_data
        and members.has_any_data

),

file_members as (

    select
        file_kpis.team_id,
        file_kpis.kpi_id,
        true as is_in_set,
        kpis_with_data.kpi_id is not null as fits,
        case
            when kpis_with_data.kpi_id is not null then 'team file'
            else 'team file; the team has no data for it yet'
        end as reason
    from file_kpis
    left join kpis_with_data
        on file_kpis.team_id = kpis_with_data.team_id
            and file_kpis.kpi_id = kpis_with_data.kpi_id

),

considered as (

    select
        team_id,
        kpi_id,
        'function default' as kpi_set_source,
        is_in_set,
        fits,
        reason
    from default_members

    union all

    select
        team_id,
        kpi_id,
        'function default' as kpi_set_source,
        is_in_set,
        fits,
        reason
    from default_stand_ins

    union all

    select
        team_id,
        kpi_id,
        'team file' as kpi_set_source,
        is_in_set,
        fits,
        reason
    from file_members

),

described as (

    select
        considered.team_id,
        teams.function_name,
        considered.kpi_id,
        kpi_catalog.kpi_name,
        kpi_catalog.category,
        kpi_catalog.direction,
        kpi_catalog.unit,
        kpi_catalog.statistic,
        considered.kpi_set_source,
        considered.is_in_set,
        considered.fits,
        considered.reason,
        case kpi_catalog.category
            when 'delivery' then 1
            when 'quality' then 2
            when 'impact' then 3
            when 'flow' then 4
            when 'reliability' then 5
        end as category_order
    from considered
    inner join teams
        on considered.team_id = teams.team_id
    inner join kpi_catalog
        on considered.kpi_id = kpi_catalog.kpi_id

),

positioned as (

    select
        described.*,
        case
            when described.is_in_set
                then row_number() over (
                        partition by described.team_id, described.is_in_set
                        order by described.category_order, described.kpi_id
                    )
        end as kpi_position
    from described

),

final as (

    select
        cast({{ stable_id('team_id', 'kpi_id') }} as varchar) as team_kpi_set_id,
        cast(team_id as varchar) as team_id,
        cast(function_name as varchar) as function_name,
        cast(kpi_id as varchar) as kpi_id,
        cast(kpi_name as varchar) as kpi_name,
        cast(category as varchar) as category,
        cast(direction as varchar) as direction,
        cast(unit as varchar) as unit,
        cast(statistic as varchar) as statistic,
        cast(kpi_position as integer) as kpi_position,
        cast(kpi_set_source as varchar) as kpi_set_source,
        is_in_set,
        fits,
        cast(reason as varchar) as reason
    from positioned

)

select * from final
