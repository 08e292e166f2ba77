{#
    The touched leads the speed-to-lead figures read (kpi_speed_to_lead, and the
    lead source breakdown rpt_sales_speed_to_lead_by_source), one row per lead
    with a team and a first touch at or after its creation: lead created ->
    first sales touch (call, email or meeting; lead.first_touch) in calendar
    hours, and in business hours of the lead owner's team (int_team_business_days;
    null when a moment falls outside the calendar), with the CRM's lead source
    (the contact's original source, lower case; null when it has none). Kept in
    one model so the KPIs and the breakdown measure a lead alike.
#}
with work_items as (

    select * from {{ ref('fct_work_items') }}
    where work_item_type = 'lead'

),

work_events as (

    select * from {{ ref('fct_work_events') }}
    where event_type = 'lead.first_touch'

),

team_schedules as (

    select * from {{ ref('int_team_schedules') }}

),

team_business_days as (

    select * from {{ ref('int_team_business_days') }}

),

first_touches as (

    select
        work_item_id,
        occurred_at,
        actor_person_id,
        row_number() over (
            partition by work_item_id
            order by occurred_at, event_id
        ) as touch_number
    from work_events

),

touched as (

    select
        work_items.team_id,
        {{ week_start('work_items.created_at') }} as week_start,
        work_items.work_item_id,
        work_items.owner_person_id,
        first_touches.actor_person_id as toucher_person_id,
        work_items.created_at,
        first_touches.occurred_at as touched_at,
        {{ elapsed_hours('work_items.created_at', 'first_touches.occurred_at') }}
            as speed_to_lead_hours,
        {{ to_date(utc_to_local('work_items.created_at', 'team_schedules.time_zone')) }}
            as created_local_date,
        {{ to_date(utc_to_local('first_touches.occurred_at', 'team_schedules.time_zone')) }}
            as touched_local_date
    from work_items
    inner join first_touches
        on work_items.work_item_id = first_touches.work_item_id
            and first_touches.touch_number = 1
    left join team_schedules
        on work_items.team_id = team_schedules.team_id
    where
        work_items.team_id is not null
        and first_touches.occurred_at >= work_items.created_at

),

business_timed as (

    {{ business_hours_between(
        'touched', 'work_item_id', 'created_at', 'touched_at',
        'created_local_date', 'touched_local_date'
    ) }}

),

contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

final as (

    select
        touched.work_item_id,
        touched.team_id,
        touched.week_start,
        touched.owner_person_id,
        touched.toucher_person_id,
        touched.created_at,
        touched.touched_at,
        touched.speed_to_lead_hours,
        business_timed.business_hours,
        contacts.lead_source
    from touched
    left join business_timed
        on touched.work_item_id = business_timed.work_item_id
    left join contacts
        on touched.work_item_id = 'hubspot:lead:' || cast(contacts.contact_id as varchar)

)

select * from final
