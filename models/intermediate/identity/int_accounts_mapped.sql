{#
    One row per tool account: who it is (a roster person, through the email
    pseudonym of the tool's users table) and what it is (person, bot, external,
    unknown, from the account type; seed bot_accounts).

    GitHub accounts also come from activity rows, because reviews and
    deployments report the account type (a bot reviewer need not be an org
    member), and commits pair a login with its git author email: that pair is
    GitHub's own verified email -> login match, used only when the users table
    has no roster email for the login.
#}
with github_users as (

    select * from {{ ref('stg_github__users') }}

),

github_reviews as (

    select * from {{ ref('stg_github__reviews') }}

),

github_deployments as (

    select * from {{ ref('stg_github__deployments') }}

),

github_commits as (

    select * from {{ ref('stg_github__commits') }}

),

github_pull_requests as (

    select * from {{ ref('stg_github__pull_requests') }}

),

github_workflow_runs as (

    select * from {{ ref('stg_github__workflow_runs') }}

),

jira_users as (

    select * from {{ ref('stg_jira__users') }}

),

pagerduty_users as (

    select * from {{ ref('stg_pagerduty__users') }}

),

zendesk_users as (

    select * from {{ ref('stg_zendesk__users') }}

),

hubspot_owners as (

    select * from {{ ref('stg_hubspot__owners') }}

),

people as (

    select * from {{ ref('int_people') }}

),

bot_accounts as (

    select * from {{ ref('bot_accounts') }}

),

github_sightings as (

    select
        account_id,
        person_id,
        account_type,
        1 as source_rank
    from github_users

    union all

    select
        reviewer_account_id as account_id,
        cast(null as varchar) as person_id,
        reviewer_account_type as account_type,
        2 as source_rank
    from github_reviews

    union all

    select
        creator_account_id as account_id,
        cast(null as varchar) as person_id,
        creator_account_type as account_type,
        2 as source_rank
    from github_deployments

    union all

    select
        github_commits.author_account_id as account_id,
        people.person_id,
        cast(null as varchar) as account_type,
        3 as source_rank
    from github_commits
    inner join people
        on github_commits.author_person_id = people.person_id

    union all

    select
        author_account_id as account_id,
        cast(null as varchar) as person_id,
        cast(null as varchar) as account_type,
        4 as source_rank
    from github_pull_requests

    union all

    select
        actor_account_id as account_id,
        cast(null as varchar) as person_id,
        cast(null as varchar) as account_type,
        4 as source_rank
    from github_workflow_runs

),

{# A roster email wins, the users table's first; then any email; then none. #}
github_ranked as (

    select
        github_sightings.account_id,
        github_sightings.person_id,
        github_sightings.account_type,
        row_number() over (
            partition by github_sightings.account_id
            order by
                case
                    when people.person_id is not null then 0
                    when github_sightings.person_id is not null then 1
                    else 2
                end,
                github_sightings.source_rank,
                github_sightings.person_id
        ) as person_rank,
        row_number() over (
            partition by github_sightings.account_id
            order by
                case when github_sightings.account_type is null then 1 else 0 end,
                github_sightings.source_rank,
                github_sightings.account_type
        ) as type_rank
    from github_sightings
    left join people
        on github_sightings.person_id = people.person_id
    where github_sightings.account_id is not null

),

github_accounts as (

    select
        account_id,
        min(case when person_rank = 1 then person_id end) as person_id,
        min(case when type_rank = 1 then account_type end) as account_type
    from github_ranked
    group by account_id

),

accounts as (

    select
        'github' as source_system,
        account_id,
        person_id,
        account_type
    from github_accounts

    union all

    select
        'jira' as source_system,
        account_id,
        person_id,
        account_type
    from jira_users

    union all

    select
        'pagerduty' as source_system,
        account_id,
        person_id,
        user_role as account_type
    from pagerduty_users

    union all

    select
        'zendesk' as source_system,
        account_id,
        person_id,
        user_role as account_type
    from zendesk_users

    union all

    {# HubSpot owners carry no type: every owner is a CRM user (seed row 'owner'). #}
    select
        'hubspot' as source_system,
        account_id,
        person_id,
        'owner' as account_type
    from hubspot_owners

),

classified as (

    select
        accounts.source_system,
        accounts.account_id,
        accounts.account_type,
        people.person_id as roster_person_id,
        coalesce(bot_accounts.is_bot, false) as is_bot,
        bot_accounts.actor_type as type_actor_type
    from accounts
    left join bot_accounts
        on accounts.source_system = bot_accounts.source_system
            and lower(accounts.account_type) = lower(bot_accounts.account_type)
    left join people
        on accounts.person_id = people.person_id

),

final as (

    select
        source_system || ':' || account_id as source_account_id,
        source_system,
        account_id,
        account_type,
        {# A bot is never a person, even when it carries a roster email. #}
        case when not is_bot then roster_person_id end as person_id,
        is_bot,
        case
            when is_bot then 'bot'
            when roster_person_id is not null then 'person'
            when type_actor_type = 'external' then 'external'
            else 'unknown'
        end as actor_type
    from classified

)

select * from final
