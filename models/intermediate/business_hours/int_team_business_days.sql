{#
    The business-hours calendar (docs/kpi-definitions.md, Business hours): one row
    per team and LOCAL date, with the day's working interval in UTC
    (int_team_schedules: working days and hours in the team's time zone,
    minus the seed holidays of its time zone or of the team) and
    business_hours_before, the team's business hours on all earlier days.

    Business hours between two UTC instants of a team are then a difference of
    two positions (macro business_hours_at): join the team's row of each
    instant's local date, two equality joins per interval, so the cost does
    not grow with the interval's length (no range join, no correlated
    subquery). Days outside the calendar give no position (null).

    The calendar spans the measured activity (earliest PR, commit, ticket or
    contact, at most var business_calendar_max_days back from the latest) up
    to a week after the later of the latest activity and now; the vars
    business_calendar_start_date / business_calendar_end_date pin it. A
    schedule whose end is not after its start has no working hours.
#}
{%- set start_date = var('business_calendar_start_date', none) %}
{%- set end_date = var('business_calendar_end_date', none) %}
{%- set max_days = var('business_calendar_max_days', 1500) %}

with team_schedules as (

    select * from {{ ref('int_team_schedules') }}

),

holidays as (

    select * from {{ ref('holidays') }}

),

github_commits as (

    select * from {{ ref('stg_github__commits') }}

),

github_pull_requests as (

    select * from {{ ref('stg_github__pull_requests') }}

),

zendesk_tickets as (

    select * from {{ ref('stg_zendesk__tickets') }}

),

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

activity as (

    select
        min(authored_at) as first_at,
        max(authored_at) as last_at
    from github_commits

    union all

    select
        min(created_at) as first_at,
        max(created_at) as last_at
    from github_pull_requests

    union all

    select
        min(created_at) as first_at,
        max(created_at) as last_at
    from zendesk_tickets

    union all

    select
        min(created_at) as first_at,
        max(created_at) as last_at
    from hubspot_contacts

),

last_day as (

    select
        {% if end_date -%}
            cast('{{ end_date }}' as date)
        {%- else -%}
            {{ to_date('greatest(max(last_at), ' ~ utc_now() ~ ')') }} + 7
        {%- endif %} as last_date,
        {{ to_date('min(first_at)') }} - 1 as first_activity_date
    from activity

),

bounds as (

    select
        {% if start_date -%}
            cast('{{ start_date }}' as date)
        {%- else -%}
            greatest(
                coalesce(first_activity_date, last_date - {{ max_days }}),
                last_date - {{ max_days }}
            )
        {%- endif %} as first_date,
        last_date
    from last_day

),

dates as (

    select {{ date_series('first_date', 'last_date') }} as work_date
    from bounds

),

team_days as (

    select
        team_schedules.team_id,
        team_schedules.time_zone,
        team_schedules.work_days,
        team_schedules.work_start_hour,
        team_schedules.work_end_hour,
        dates.work_date,
        {{ weekday_name('dates.work_date') }} as weekday_name
    from team_schedules
    cross join dates

),

days_off as (

    select distinct
        team_days.team_id,
        team_days.work_date
    from team_days
    inner join holidays
        on team_days.work_date = holidays.holiday_date
            and (
                team_days.team_id = holidays.team_id
                or (holidays.team_id is null and team_days.time_zone = holidays.time_zone)
            )

),

judged as (

    select
        team_days.*,
        days_off.work_date is not null as is_holiday,
        strpos('|' || team_days.work_days || '|', '|' || team_days.weekday_name || '|') > 0
        and days_off.work_date is null
        and team_days.work_end_hour > team_days.work_start_hour as is_working_day
    from team_days
    left join days_off
        on team_days.team_id = days_off.team_id
            and team_days.work_date = days_off.work_date

),

intervals as (

    select
        team_id,
        work_date,
        time_zone,
        is_holiday,
        is_working_day,
        case
            when is_working_day
                then {{ local_to_utc(
                    add_hours('cast(work_date as timestamp)', 'work_start_hour'), 'time_zone'
                ) }}
        end as work_start_at,
        case
            when is_working_day
                then {{ local_to_utc(
                    add_hours('cast(work_date as timestamp)', 'work_end_hour'), 'time_zone'
                ) }}
        end as work_end_at
    from judged

),

measured as (

    select
        *,
        coalesce({{ elapsed_hours('work_start_at', 'work_end_at') }}, 0.0) as business_hours
    from intervals

),

final as (

    select
        {{ stable_id('team_id', 'work_date') }} as team_business_day_id,
        team_id,
        work_date,
        time_zone,
        is_working_day,
        is_holiday,
        work_start_at,
        work_end_at,
        cast(business_hours as float8) as business_hours,
        cast(coalesce(sum(business_hours) over (
            partition by team_id
            order by work_date
            rows between unbounded preceding and 1 preceding
        ), 0.0) as float8) as business_hours_before
    from measured

)

select * from final
