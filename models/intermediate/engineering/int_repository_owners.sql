{#
    One row per GitHub repository: the team that owns it, derived as the team
    whose people authored most of its pull requests (ties go to the
    alphabetically first team id, so the result is deterministic). Pull
    requests by bots or by accounts outside the roster have no team and do not
    vote. service_name is the repository's short name (`acme/api` -> `api`),
    the name PagerDuty services use for it.
#}
with accounts_opted_out as (

    select * from {{ ref('int_accounts_opted_out') }}

),

pull_requests as (

    select * from {{ consented(
        ref('stg_github__pull_requests'),
        'author_account_id',
        source_system='github',
        opted_out='accounts_opted_out'
    ) }}

),

work_items as (

    select * from {{ ref('int_work_items') }}
    where work_item_type = 'pull_request'

),

team_votes as (

    select
        pull_requests.repository_name,
        work_items.team_id,
        count(*) as pull_request_count
    from pull_requests
    inner join work_items
        on work_items.source_item_id = cast(pull_requests.pull_request_id as varchar)
    where work_items.team_id is not null
    group by pull_requests.repository_name, work_items.team_id

),

ranked as (

    select
        repository_name,
        team_id,
        pull_request_count,
        row_number() over (
            partition by repository_name
            order by pull_request_count desc, team_id asc
        ) as vote_rank
    from team_votes

),

final as (

    select
        repository_name,
        lower(
            case
                when strpos(repository_name, '/') > 0
                    then split_part(repository_name, '/', 2)
                else repository_name
            end
        ) as service_name,
        team_id,
        pull_request_count as owner_pull_request_count
    from ranked
    where vote_rank = 1

)

select * from final
