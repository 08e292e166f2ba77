with source as (

    select * from {{ source('raw_roster', 'users') }}

),

final as (

    select
        scim_user_key as roster_user_id,
        person_key as person_id,
        manager_scim_user_key as manager_roster_user_id,
        job_title,
        {# Divisions are free text in the HRIS: fold the usual spellings. #}
        case
            when lower(trim(function_name)) in ('engineering', 'eng', 'r&d', 'technology')
                then 'engineering'
            when lower(trim(function_name)) in ('support', 'customer support', 'customer service')
                then 'support'
            when lower(trim(function_name)) in ('sales', 'revops', 'business development')
                then 'sales'
            when lower(trim(function_name)) in ('marketing', 'growth')
                then 'marketing'
            when lower(trim(function_name)) in ('operations', 'ops', 'business operations')
                then 'operations'
            when lower(trim(function_name)) in ('people', 'hr', 'human resources', 'people ops')
                then 'people'
            else lower(trim(function_name))
        end as function_name,
        trim(team_name) as team_name,
        {{ slugify('team_name') }} as team_id,
        time_zone,
        coalesce(is_active, true) as is_active,
        work_days,
        work_start_time,
        work_end_time,
        employment_start_date,
        created_at,
        last_modified_at,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
