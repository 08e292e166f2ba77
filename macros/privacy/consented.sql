{#
    The rows of a staging relation whose person did not opt out (docs/privacy.md
    "Opt-outs"): the one filter between staging and every model above it.
    Renders a derived table, so an import CTE reads

        pull_requests as (
            select * from {{ consented(ref('stg_github__pull_requests'), 'author_account_id') }}
        ),

    A row is dropped when one of `person_columns` holds an identifier of an
    opted-out person in the relation's source (int_accounts_opted_out: their
    accounts there, and their email pseudonym). The source is read from the
    relation's name (`stg_<source>__...`) unless `source_system` is given.
    Which columns make a row someone's is decided per staging model and
    documented in macros/_macros.yml (macro `consented`).
#}
{% macro consented(relation, person_columns, source_system=none) -%}
    {%- set columns = [person_columns] if person_columns is string else person_columns -%}
    {%- if source_system is none -%}
        {%- set name = (relation | string).split('stg_')[-1].split('__')[0] -%}
        {%- set source_system = name | replace('"', '') | replace('`', '') -%}
        {#- At parse time ref() renders a placeholder: check only when executing. -#}
        {%- if execute and ((relation | string).split('stg_') | length < 2
            or source_system == '') -%}
            {{ exceptions.raise_compiler_error(
                "consented(" ~ relation ~ "): not a stg_<source>__ relation; "
                ~ "pass source_system") }}
        {%- endif -%}
    {%- endif -%}
    (
        select consented_rows.*
        from {{ relation }} as consented_rows
        where not exists (
            select 1
            from {{ ref('int_accounts_opted_out') }} as opted_out
            where
                opted_out.source_system = '{{ source_system }}'
                and opted_out.account_id in (
                    consented_rows.{{ columns | join(', consented_rows.') }}
                )
        )
    ) as consented_rows
{%- endmacro %}
