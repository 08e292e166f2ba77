{#
    Records the loads set aside (pipelines/common/load.py): one row per
    record, with where it came from and why, never its content (bad_value is
    left out). The loads create quarantine.records when they first set a
    record aside, so a warehouse where none ever was (a fresh one, or one
    whose loads never met a bad record) has no such table: the view is then empty, with the same columns.
    (sqlfluff's templater has no adapter: it lints the branch reading the table.)
#}
{%- set records = source('quarantine', 'records') %}
{%- set exists = relation_exists(records) %}

with source as (

    {% if exists %}
        select * from {{ records }}
    {% else %}
        select
            cast(null as varchar) as quarantine_id,
            cast(null as varchar) as source_system,
            cast(null as varchar) as table_name,
            cast(null as varchar) as file_name,
            cast(null as bigint) as record_number,
            cast(null as varchar) as record_key,
            cast(null as varchar) as field_name,
            cast(null as varchar) as reason,
            cast(null as timestamp) as _outcomes_loaded_at
        where false
    {% endif %}

),

final as (

    select
        quarantine_id,
        source_system,
        table_name,
        file_name,
        record_number,
        record_key,
        field_name,
        reason,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
