with source as (

    select * from {{ source('raw_github', 'workflow_runs') }}

),

{# Repositories the sweep found deleted, by name (what a workflow run names);
   a name taken again by a new repository is not deleted. An export without
   repositories.jsonl deletes none. #}
deleted_repositories as (

    select deleted.repository_name
    from {{ source('raw_github', 'repositories') }} as deleted
    left join {{ ref('stg_github__repositories') }} as live
        on deleted.repository_name = live.repository_name
    where coalesce(deleted.is_deleted, false) and live.repository_name is null

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
