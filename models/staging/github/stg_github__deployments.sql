with source as (

    select * from {{ source('raw_github', 'deployments') }}

),

{# Its repository deleted (macros/staging/deleted_repositories.sql): left out. #}
deleted_repositories as (

    {{ deleted_repositories(
        source('raw_github', 'repositories'), ref('stg_github__repositories')
    ) }}

),

final as (

    select
        deployment_id,
        repository_name,
        commit_sha,
        ref as git_ref,
        task as deployment_task,
        lower(trim(environment)) as environment_name,
        creator_user_key as creator_account_id,
        creator_account_type,
        created_at,
        updated_at,
        _outcomes_loaded_at as loaded_at
    from source
    {# Deleted in GitHub (found gone by the API loader's sweep), or its repository: left out. #}
    where
        not coalesce(is_deleted, false)
        and not exists (
            select 1 from deleted_repositories
            where deleted_repositories.repository_name = source.repository_name
        )

)

select * from final
