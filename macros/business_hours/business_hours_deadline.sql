{#
    The UTC instant `hours` business hours of the row's team after `start_at`,
    for each row of `relation`, as `deadline_at`, keyed by `key`: the inverse
    of business_hours_between on the same calendar (`business_days`: the CTE
    importing int_team_business_days). The start's position is
    business_hours_at(start) (one equality join on the team and the start's
    LOCAL date, `start_local_date`, computed where the relation is built);
    the deadline lies in the one working day whose running hours
    (business_hours_before, business_hours_before + business_hours] hold
    position + hours, at that day's start plus the rest. A row whose start
    falls outside the calendar (or whose team has no schedule) gets no row;
    one whose deadline lies past the calendar's last day gets a null
    deadline_at (the calendar reaches a week past now, so such a deadline is
    still ahead).
#}
{% macro business_hours_deadline(
    relation, key, start_at, hours, start_local_date, business_days='team_business_days'
) -%}
    select
        positioned.{{ key }},
        {{ add_hours(
            'deadline_day.work_start_at',
            'positioned.target_position - deadline_day.business_hours_before'
        ) }} as deadline_at
    from (
        select
            timed.{{ key }},
            timed.team_id,
            {{ business_hours_at('timed.' ~ start_at, 'start_day') }}
            + timed.{{ hours }} as target_position
        from {{ relation }} as timed
        inner join {{ business_days }} as start_day
            on timed.team_id = start_day.team_id
                and timed.{{ start_local_date }} = start_day.work_date
    ) as positioned
    left join {{ business_days }} as deadline_day
        on positioned.team_id = deadline_day.team_id
            and deadline_day.business_hours > 0
            and deadline_day.business_hours_before < positioned.target_position
            and deadline_day.business_hours_before + deadline_day.business_hours
            >= positioned.target_position
{%- endmacro %}
