{#
    Which sources back the engineering figures, per team and for all pull
    requests (scope 'all'), bots left out. From git alone there is no
    PR-opened time and no review data, so the page says so instead of drawing
    empty pickup and review charts.
#}
with pull_requests as (

    select * from {{ ref('fct_pull_requests') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

human as (

    select
        team_id,
        source_system,
        has_review_data
    from pull_requests
    where author_type != 'bot'

),

scopes as (

    select
        team_id as scope,
        source_system,
        has_review_data
    from human
    where team_id is not null and team_id != ''

    union all

    select
        'all' as scope,
        source_system,
        has_review_data
    from human

),

scope_sources as (

    select distinct
        scope,
        source_system
    from scopes

),

source_lists as (

    select
        scope,
        {{ text_list('source_system', "', '", 'order by source_system') }} as source_systems
    from scope_sources
    group by scope

),

flags as (

    select
        scope,
        {{ any_true('has_review_data') }} as has_review_data,
        {{ any_true("source_system != 'git'") }} as has_other_source,
        {{ any_true("source_system = 'git'") }} as has_git
    from scopes
    group by scope

),

final as (

    select
        flags.scope,
        coalesce(teams.team_name, 'All teams') as team_name,
        cast(source_lists.source_systems as varchar) as source_systems,
        flags.has_review_data,
        not flags.has_other_source as is_git_only,
        flags.has_git and flags.has_other_source as is_partly_git
    from flags
    inner join source_lists
        on flags.scope = source_lists.scope
    left join teams
        on flags.scope = teams.team_id

)

select * from final
