{#
    One row per roster person. No names or emails exist in raw; person_id is the
    email pseudonym shared by every tool. A person with two SCIM accounts (a
    rehire) keeps the active, most recently modified one.
#}
with roster_users as (

    select * from {{ ref('stg_roster__users') }}

),

ranked as (

    select
        roster_users.*,
        row_number() over (
            partition by roster_users.person_id
            order by
                roster_users.is_active desc,
                roster_users.last_modified_at desc,
                roster_users.roster_user_id asc
        ) as account_rank
    from roster_users

),

final as (

    select
        person_id,
        team_id,
        function_name,
        job_title,
        time_zone,
        {# Default schedule of docs/kpi-definitions.md: Mon-Fri 09:00-17:00. #}
        coalesce(work_days, 'Mon|Tue|Wed|Thu|Fri') as work_days,
        coalesce(work_start_time, '09:00') as work_start_time,
        coalesce(work_end_time, '17:00') as work_end_time,
        is_active
    from ranked
    where account_rank = 1

)

select * from final
