{#
    Every version of a roster user record any load has seen (the roster's
    history, docs/connectors/roster.md#team-history): one row per SCIM user
    and last-modified time. The current version is also in stg_roster__users.
#}
with source as (

    select * from {{ source('raw_roster', 'user_versions') }}

),

final as (

    select
        {{ stable_id('scim_user_key', 'last_modified_at') }} as user_version_id,
        scim_user_key as roster_user_id,
        person_key as person_id,
        trim(team_name) as team_name,
        {{ slugify('team_name') }} as team_id,
        team_effective_date,
        coalesce(is_active, true) as is_active,
        last_modified_at,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
