{#
    True when `moment` falls in the team spell `spell` (a row of
    int_people_team_history): valid_from <= moment < valid_to, where a null
    valid_from reaches back before anything the roster history knows and a
    null valid_to is the spell still running. A person's spells cover all
    time without overlap, so a left join on person_id and this predicate
    finds exactly one team for any moment (docs/architecture.md#team-history).
#}
{% macro during_spell(spell, moment) -%}
    ({{ spell }}.valid_from is null or {{ spell }}.valid_from <= {{ moment }})
    and ({{ spell }}.valid_to is null or {{ moment }} < {{ spell }}.valid_to)
{%- endmacro %}
