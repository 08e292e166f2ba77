{#
    One row per team spell of a roster person: which team they were on from
    valid_from to valid_to (docs/architecture.md#team-history). Built from
    every version of their roster record any load has seen
    (stg_roster__user_versions, plus the current record), of the one account
    int_people keeps (same ranking: active first, then the most recently
    modified). Consecutive versions naming the same team are one spell.

    A spell starts at the roster's own effective date when the version
    carries it (team_effective_date), else at the version's last-modified
    time (the move happened at or before it), and never before the spell
    it follows. The first spell has no start (null): before anything the
    history knows, the person's earliest known team stands. The last spell
    has no end (null). So a person's spells cover all time without overlap
    and the macro during_spell finds exactly one team for any moment; a
    warehouse whose first load knows only today's team has one spell per
    person, and every moment is credited to today's team.
#}
with roster_users as (

    select * from {{ ref('stg_roster__users') }}

),

user_versions as (

    select * from {{ ref('stg_roster__user_versions') }}

),

people as (

    select * from {{ ref('int_people') }}

),

kept_accounts as (

    select
        person_id,
        roster_user_id,
        last_modified_at
    from (
        select
            person_id,
            roster_user_id,
            last_modified_at,
            row_number() over (
                partition by person_id
                order by is_active desc, last_modified_at desc, roster_user_id asc
            ) as account_rank
        from roster_users
    ) as ranked
    where account_rank = 1

),

{# The current record is a version too (a warehouse loaded before versions were kept). #}
versions as (

    select
        roster_user_id,
        team_id,
        team_effective_date,
        last_modified_at
    from user_versions

    union all

    select
        roster_users.roster_user_id,
        roster_users.team_id,
        cast(null as date) as team_effective_date,
        roster_users.last_modified_at
    from roster_users
    left join user_versions
        on roster_users.roster_user_id = user_versions.roster_user_id
            and roster_users.last_modified_at = user_versions.last_modified_at
    where user_versions.roster_user_id is null

),

sequenced as (

    select
        kept_accounts.person_id,
        versions.team_id,
        versions.team_effective_date,
        versions.last_modified_at,
        lag(versions.team_id) over (
            partition by kept_accounts.person_id
            order by versions.last_modified_at
        ) as previous_team_id
    from versions
    inner join kept_accounts
        on versions.roster_user_id = kept_accounts.roster_user_id
    {# A version newer than the current record (an export rolled back) is not history yet. #}
    where versions.last_modified_at <= kept_accounts.last_modified_at

),

moves as (

    select
        person_id,
        team_id,
        last_modified_at,
        case
            when previous_team_id is not null
                then coalesce(cast(team_effective_date as timestamp), last_modified_at)
        end as move_at
    from sequenced
    where previous_team_id is null or previous_team_id <> team_id

),

{# Never before the spell it follows: a running maximum of the starts. #}
spells as (

    select
        person_id,
        team_id,
        last_modified_at,
        max(move_at) over (
            partition by person_id
            order by last_modified_at
            rows between unbounded preceding and current row
        ) as valid_from
    from moves

),

bounded as (

    select
        person_id,
        team_id,
        valid_from,
        lead(valid_from) over (
            partition by person_id
            order by last_modified_at
        ) as valid_to,
        row_number() over (
            partition by person_id
            order by last_modified_at
        ) as spell_number
    from spells

),

final as (

    select
        {{ stable_id('bounded.person_id', 'bounded.spell_number') }} as team_spell_id,
        bounded.person_id,
        bounded.team_id,
        bounded.valid_from,
        bounded.valid_to,
        bounded.spell_number,
        bounded.valid_to is null as is_current
    from bounded
    inner join people
        on bounded.person_id = people.person_id
    {# A spell the next one starts at the same moment holds no time. #}
    where
        bounded.valid_from is null
        or bounded.valid_to is null
        or bounded.valid_from < bounded.valid_to

)

select * from final
