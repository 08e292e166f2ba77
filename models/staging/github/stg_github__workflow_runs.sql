with source as (

    select * from {{ source('raw_github', 'workflow_runs') }}

),

{# Its repository deleted (macros/staging/deleted_repositories.sql): left out. #}
deleted_repositories as (

    {{ deleted_repositories(
        source('raw_github', 'repositories'), ref('stg_github__repositories')
    ) }}

),

final as (

    select
        workflow_run_id,
        repository_name,
        workflow_name,
        head_sha,
        head_branch_is_default as is_default_branch,
        trigger_event,
        lower(run_status) as run_status,
        lower(conclusion) as conclusion,
        run_attempt,
        actor_user_key as actor_account_id,
        created_at,
        run_started_at as started_at,
        {# completed_at is not collected: a completed run's last update is its end. #}
        case when lower(run_status) = 'completed' then updated_at end as completed_at,
        updated_at,
        _outcomes_loaded_at as loaded_at
    from source
    where not exists (
            select 1 from deleted_repositories
            where deleted_repositories.repository_name = source.repository_name
        )

)

select * from final
